// File stamps and tree listings: what the no-op build, the photo cache and the preview compare.
import Foundation
import PortalFiles
import XCTest

final class ChangeDetectionTests: XCTestCase {
    var root: URL!

    override func setUpWithError() throws {
        root = FileManager.default.temporaryDirectory.appendingPathComponent("portal-tree-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: root.appendingPathComponent("news/.hidden"), withIntermediateDirectories: true)
        try FileManager.default.createDirectory(at: root.appendingPathComponent("cache"), withIntermediateDirectories: true)
        for path in ["site.yaml", "news/a.md", "news/.hidden/b.md", "cache/x"] {
            XCTAssertTrue(FileManager.default.createFile(atPath: root.appendingPathComponent(path).path, contents: Data(path.utf8)))
        }
        try FileManager.default.createSymbolicLink(atPath: root.appendingPathComponent("link.md").path, withDestinationPath: "site.yaml")
    }

    override func tearDownWithError() throws { try? FileManager.default.removeItem(at: root) }

    func testListsFilesSortedCountsALinkToAFileAsThatFileAndSkipsOnRequest() throws {
        try FileManager.default.createSymbolicLink(atPath: root.appendingPathComponent("up").path, withDestinationPath: ".")
        try FileManager.default.createSymbolicLink(atPath: root.appendingPathComponent("broken.md").path, withDestinationPath: "nowhere.md")
        let all = try FileTree.list(root.path).map(\.path)
        XCTAssertEqual(all, ["cache/x", "link.md", "news/.hidden/b.md", "news/a.md", "site.yaml"])
        // The link is stamped as the file it names, so an edit through it is seen.
        let link = try XCTUnwrap(try FileTree.list(root.path).first { $0.path == "link.md" })
        XCTAssertEqual(link.stamp, try FileStamp.of(root.appendingPathComponent("site.yaml").path))
        XCTAssertEqual(try FileTree.listing(root.path).linkedFolders, ["up"], "a link to a folder is listed, not followed")
        let skipped = try FileTree.list(root.path) { $0 == "cache" }.map(\.path)
        XCTAssertEqual(skipped, ["link.md", "news/.hidden/b.md", "news/a.md", "site.yaml"])
        XCTAssertEqual(try FileTree.list(root.appendingPathComponent("missing").path), [], "no folder, no files")
        let entry = try XCTUnwrap(try FileTree.list(root.path).first { $0.path == "site.yaml" })
        XCTAssertEqual(entry.stamp.size, UInt64("site.yaml".utf8.count))
    }

    func testAStampChangesWithAnyWriteEvenOfTheSameSize() throws {
        let path = root.appendingPathComponent("news/a.md").path
        let before = try FileStamp.of(path)
        XCTAssertEqual(try FileStamp.of(path), before)
        try AtomicFile.write(Array("news/b.md".utf8), to: path, mode: 0o644, durability: .cache)
        let after = try FileStamp.of(path)
        XCTAssertEqual(after.size, before.size)
        XCTAssertNotEqual(after, before)
        XCTAssertThrowsError(try FileStamp.of(root.appendingPathComponent("nope").path)) { error in
            XCTAssertEqual((error as? FileError)?.reason, "cannot read the file: No such file or directory")
        }
    }

    func testSettledMeansUntouchedForTheMargin() throws {
        let stamp = try FileStamp.of(root.appendingPathComponent("site.yaml").path)
        let touched = Double(stamp.changedSeconds) + Double(stamp.changedNanoseconds) / 1e9
        XCTAssertFalse(stamp.isSettled(now: touched + 1))
        XCTAssertTrue(stamp.isSettled(now: touched + 3))
    }

    func testReadWithStampReturnsTheBytesAndTheirStamp() throws {
        let path = root.appendingPathComponent("site.yaml").path
        let read = try FileReading.readWithStamp(path)
        XCTAssertEqual(read.bytes, Array("site.yaml".utf8))
        XCTAssertEqual(read.stamp, try FileStamp.of(path))
        XCTAssertThrowsError(try FileReading.readWithStamp(root.appendingPathComponent("news").path)) { error in
            XCTAssertEqual((error as? FileError)?.reason, "not a regular file")
        }
        let large = root.appendingPathComponent("large").path
        let bytes = [UInt8]((0..<200_000).map { UInt8(truncatingIfNeeded: $0) })
        try AtomicFile.writeInPlace(bytes, to: large)
        XCTAssertEqual(try FileReading.readWithStamp(large).bytes, bytes)
    }
}
