// The one write path: modes, replacement, no temporary files left, and a failed write keeps the
// old file.
import Foundation
import PortalFiles
import XCTest

final class AtomicFileTests: XCTestCase {
    var folder: URL!

    override func setUpWithError() throws {
        folder = FileManager.default.temporaryDirectory.appendingPathComponent("portal-files-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
    }

    override func tearDownWithError() throws {
        // A test may have made the folder read-only.
        chmod(folder.path, 0o700)
        try? FileManager.default.removeItem(at: folder)
    }

    func mode(_ path: String) throws -> Int {
        (try FileManager.default.attributesOfItem(atPath: path)[.posixPermissions] as? Int) ?? -1
    }

    func testWritesTheBytesWithTheModeWhateverTheUmask() throws {
        let path = folder.appendingPathComponent("keystore.json").path
        let old = umask(0o777)  // would leave no permission bits at all on a plain create
        defer { umask(old) }
        try AtomicFile.write(Array("secret".utf8), to: path, mode: 0o600)
        XCTAssertEqual(try mode(path), 0o600)
        XCTAssertEqual(FileManager.default.contents(atPath: path), Data("secret".utf8))
        try AtomicFile.write(Array("public".utf8), to: path, mode: 0o644, durability: .cache)
        XCTAssertEqual(try mode(path), 0o644, "a rewrite sets the new mode")
        XCTAssertEqual(FileManager.default.contents(atPath: path), Data("public".utf8))
    }

    func testReplacesTheFileByRenameAndLeavesNoTemporaryFile() throws {
        let path = folder.appendingPathComponent("trust.json").path
        try AtomicFile.write(Array("one".utf8), to: path, mode: 0o644)
        let before = try FileStamp.of(path)
        try AtomicFile.write(Array("two, longer".utf8), to: path, mode: 0o644)
        let after = try FileStamp.of(path)
        XCTAssertNotEqual(before.inode, after.inode, "a new file took the name: readers never see a half-written one")
        XCTAssertEqual(try FileManager.default.contentsOfDirectory(atPath: folder.path), ["trust.json"])
    }

    func testAFailedWriteKeepsTheOldFileAndSaysWhere() throws {
        let path = folder.appendingPathComponent("keystore.json").path
        try AtomicFile.write(Array("old".utf8), to: path, mode: 0o600)
        chmod(folder.path, 0o500)  // no temporary file can be made next to it
        defer { chmod(folder.path, 0o700) }
        guard geteuid() != 0 else {
            // root ignores folder permissions: use a path whose folder does not exist instead.
            let missing = folder.appendingPathComponent("gone/keystore.json").path
            XCTAssertThrowsError(try AtomicFile.write(Array("new".utf8), to: missing, mode: 0o600)) { error in
                XCTAssertEqual((error as? FileError)?.path, missing)
                XCTAssertTrue((error as? FileError)?.reason.hasPrefix("cannot create a temporary file: ") == true, "\(error)")
            }
            XCTAssertEqual(FileManager.default.contents(atPath: path), Data("old".utf8))
            return
        }
        XCTAssertThrowsError(try AtomicFile.write(Array("new".utf8), to: path, mode: 0o600)) { error in
            XCTAssertEqual((error as? FileError)?.path, path)
        }
        XCTAssertEqual(FileManager.default.contents(atPath: path), Data("old".utf8))
    }

    func testWriteInPlaceTruncatesAndWritesEverything() throws {
        let path = folder.appendingPathComponent("blob").path
        let big = [UInt8]((0..<3_000_000).map { UInt8(truncatingIfNeeded: $0 &* 31) })
        try AtomicFile.writeInPlace(big, to: path)
        XCTAssertEqual(FileManager.default.contents(atPath: path).map(Array.init), big)
        try AtomicFile.writeInPlace(Array("short".utf8), to: path)
        XCTAssertEqual(FileManager.default.contents(atPath: path), Data("short".utf8))
        XCTAssertThrowsError(try AtomicFile.writeInPlace([1], to: folder.appendingPathComponent("no/such/file").path))
    }
}
