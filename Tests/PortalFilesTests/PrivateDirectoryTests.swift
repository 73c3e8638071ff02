// Private folders: made 0700 (parents too), refused or tightened when open to others, refused
// when they belong to another user or are not folders.
import Foundation
import PortalFiles
import XCTest

final class PrivateDirectoryTests: XCTestCase {
    var root: URL!

    override func setUpWithError() throws {
        root = FileManager.default.temporaryDirectory.appendingPathComponent("portal-private-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: root, withIntermediateDirectories: true)
    }

    override func tearDownWithError() throws { try? FileManager.default.removeItem(at: root) }

    func mode(_ path: String) throws -> Int {
        (try FileManager.default.attributesOfItem(atPath: path)[.posixPermissions] as? Int) ?? -1
    }

    func testMakesTheFolderAndItsMissingParentsPrivate() throws {
        let path = root.appendingPathComponent("keys/cache/photos").path
        try PrivateDirectory.make(path)
        XCTAssertEqual(try mode(path), 0o700)
        XCTAssertEqual(try mode(root.appendingPathComponent("keys/cache").path), 0o700)
        XCTAssertNoThrow(try PrivateDirectory.make(path), "an existing private folder is fine")
        XCTAssertNoThrow(try PrivateDirectory.check(path))
    }

    func testAFolderOpenToOthersIsRefusedOrTightened() throws {
        let path = root.appendingPathComponent("letters").path
        try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: false)
        chmod(path, 0o755)
        XCTAssertThrowsError(try PrivateDirectory.make(path)) { error in
            XCTAssertEqual(error as? PrivateDirectory.Refusal, .openToOthers(path: path, mode: 0o755))
            XCTAssertEqual("\(error)", "\(path): others may read this folder (mode 755); run `chmod 700 \(path)`")
        }
        XCTAssertEqual(try mode(path), 0o755, "refused, not changed")
        try PrivateDirectory.make(path, tightening: true)
        XCTAssertEqual(try mode(path), 0o700)
    }

    func testAFileOrAnotherUsersFolderIsRefused() throws {
        let file = root.appendingPathComponent("blocked").path
        XCTAssertTrue(FileManager.default.createFile(atPath: file, contents: Data("x".utf8)))
        XCTAssertThrowsError(try PrivateDirectory.make(file, tightening: true)) { error in
            XCTAssertEqual(error as? PrivateDirectory.Refusal, .notADirectory(path: file))
        }
        let theirs = root.appendingPathComponent("theirs").path
        try FileManager.default.createDirectory(atPath: theirs, withIntermediateDirectories: false)
        chmod(theirs, 0o700)
        guard chown(theirs, 65534, 65534) == 0 else { throw XCTSkip("cannot give a folder to another user here (not root)") }
        XCTAssertThrowsError(try PrivateDirectory.make(theirs, tightening: true)) { error in
            XCTAssertEqual(error as? PrivateDirectory.Refusal, .ownedByAnotherUser(path: theirs, owner: 65534))
        }
    }
}
