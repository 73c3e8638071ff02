// The incremental cache: hits skip decoding, changed sources miss, damaged files are remade,
// and everything in it is private to the user.

import Foundation
import XCTest

@testable import PortalPhotos

#if canImport(Glibc)
import Glibc
#endif

final class PhotoCacheTests: PhotoTestCase {
    func testSecondRunServesFromCacheWithoutDecoding() throws {
        let cache = cacheFolder()
        let source = try write(try Fixtures.bytes("large.jpg"), to: "foto.jpg")
        let first = try PhotoProcessor(cacheDirectory: cache)
        let made = try first.variants(of: source, displayPath: "albums/x/foto.jpg", specs: [.thumb, .large])
        XCTAssertEqual(first.statistics.decodes, 1)
        XCTAssertEqual(first.statistics.cacheMisses, 2)
        XCTAssertEqual(try variantFiles(in: cache).count, 2)

        // Same processor, and a new one as in the next `portal generate`.
        let again = try first.variants(of: source, displayPath: "albums/x/foto.jpg", specs: [.thumb, .large])
        XCTAssertEqual(first.statistics.decodes, 1)
        XCTAssertEqual(again, made)
        let second = try PhotoProcessor(cacheDirectory: cache)
        let rebuilt = try second.variants(of: source, displayPath: "albums/x/foto.jpg", specs: [.thumb, .large])
        XCTAssertEqual(rebuilt, made)
        XCTAssertEqual(second.statistics.decodes, 0)
        XCTAssertEqual(second.statistics.cacheHits, 2)

        // Only the missing size is made when a new spec appears; the other comes from the cache.
        let mini = PhotoVariantSpec(name: "mini", longSide: 100)
        let three = try second.variants(of: source, displayPath: "albums/x/foto.jpg", specs: [.thumb, mini, .large])
        XCTAssertEqual(second.statistics.decodes, 1)
        XCTAssertEqual(three.map(\.width), [400, 100, 1600])
        XCTAssertEqual(three[0], made[0])
    }

    func testChangedSourceMissesTheCache() throws {
        let cache = cacheFolder()
        let source = try write(try Fixtures.bytes("large.jpg"), to: "foto.jpg")
        let processor = try PhotoProcessor(cacheDirectory: cache)
        let before = try processor.variants(of: source, displayPath: "albums/x/foto.jpg", specs: [.thumb])
        try Data(try Fixtures.bytes("photo.webp")).write(to: source)
        let after = try processor.variants(of: source, displayPath: "albums/x/foto.jpg", specs: [.thumb])
        XCTAssertEqual(processor.statistics.decodes, 2)
        XCTAssertNotEqual(before[0].bytes, after[0].bytes)
        XCTAssertEqual(try variantFiles(in: cache).count, 2)
    }

    func testSettledSourceIsNotReadAgainUntilItChanges() throws {
        // A file untouched for 2 s gets a stamp record, and the next run neither reads nor decodes
        // it. Rewriting it in place with the same size and the old mtime still changes its ctime,
        // so the change is seen.
        let cache = cacheFolder()
        var original = try Fixtures.bytes("camera.jpg")
        let source = try write(original, to: "foto.jpg")
        Thread.sleep(forTimeInterval: 2.2)
        let first = try PhotoProcessor(cacheDirectory: cache)
        let made = try first.variants(of: source, displayPath: "albums/x/foto.jpg", specs: [.thumb, .large])
        XCTAssertEqual(first.statistics.sourcesHashed, 1)

        let second = try PhotoProcessor(cacheDirectory: cache)
        XCTAssertEqual(try second.variants(of: source, displayPath: "albums/x/foto.jpg", specs: [.thumb, .large]), made)
        XCTAssertEqual(second.statistics, PhotoStatistics(decodes: 0, sourcesHashed: 0, cacheHits: 2))

        // Same length, same mtime, different bytes (one letter of the XMP title).
        let oldStamp = try PrivateFiles.stamp(of: source.path)
        let title = Array("OPSECRET-XMP-TITLE".utf8)
        let at = try XCTUnwrap((0...(original.count - title.count)).first { Array(original[$0..<($0 + title.count)]) == title })
        original[at + title.count - 1] = UInt8(ascii: "F")
        let handle = try FileHandle(forWritingTo: source)
        try handle.write(contentsOf: Data(original))
        try handle.close()
        var times = [timespec(tv_sec: Int(oldStamp.modifiedSeconds), tv_nsec: Int(oldStamp.modifiedNanoseconds)),
                     timespec(tv_sec: Int(oldStamp.modifiedSeconds), tv_nsec: Int(oldStamp.modifiedNanoseconds))]
        XCTAssertEqual(utimensat(AT_FDCWD, source.path, &times, 0), 0)
        let newStamp = try PrivateFiles.stamp(of: source.path)
        XCTAssertEqual(newStamp.size, oldStamp.size)
        XCTAssertEqual(newStamp.modifiedSeconds, oldStamp.modifiedSeconds)
        XCTAssertEqual(newStamp.modifiedNanoseconds, oldStamp.modifiedNanoseconds)

        let third = try PhotoProcessor(cacheDirectory: cache)
        _ = try third.variants(of: source, displayPath: "albums/x/foto.jpg", specs: [.thumb, .large])
        XCTAssertEqual(third.statistics.sourcesHashed, 1)
        XCTAssertEqual(third.statistics.decodes, 1)
    }

    func testDamagedCacheFilesAreRemadeNeverServed() throws {
        let cache = cacheFolder()
        let source = try write(try Fixtures.bytes("large.jpg"), to: "foto.jpg")
        let first = try PhotoProcessor(cacheDirectory: cache)
        let made = try first.variants(of: source, displayPath: "albums/x/foto.jpg", specs: [.thumb, .large])
        let files = try variantFiles(in: cache).sorted { $0.path < $1.path }
        XCTAssertEqual(files.count, 2)

        // One file cut short, one with a flipped bit in the image bytes.
        var cut = Array(try Data(contentsOf: files[0]))
        cut.removeLast(cut.count / 3)
        try Data(cut).write(to: files[0])
        var flipped = Array(try Data(contentsOf: files[1]))
        flipped[flipped.count - 100] ^= 0x10
        try Data(flipped).write(to: files[1])

        let second = try PhotoProcessor(cacheDirectory: cache)
        let remade = try second.variants(of: source, displayPath: "albums/x/foto.jpg", specs: [.thumb, .large])
        XCTAssertEqual(remade, made)
        XCTAssertEqual(second.statistics.damagedCacheFiles, 2)
        XCTAssertEqual(second.statistics.decodes, 1)

        // Garbage and empty files too; then the repaired files are served again.
        try Data("garbage".utf8).write(to: files[0])
        try Data().write(to: files[1])
        let third = try PhotoProcessor(cacheDirectory: cache)
        XCTAssertEqual(try third.variants(of: source, displayPath: "albums/x/foto.jpg", specs: [.thumb, .large]), made)
        XCTAssertEqual(third.statistics.damagedCacheFiles, 2)
        let fourth = try PhotoProcessor(cacheDirectory: cache)
        XCTAssertEqual(try fourth.variants(of: source, displayPath: "albums/x/foto.jpg", specs: [.thumb, .large]), made)
        XCTAssertEqual(fourth.statistics.decodes, 0)
    }

    func testCacheIsPrivate() throws {
        // A loose existing folder is tightened; new folders are 0700 and files 0600.
        let cache = cacheFolder()
        try FileManager.default.createDirectory(at: cache, withIntermediateDirectories: true,
                                                attributes: [.posixPermissions: 0o755])
        let processor = try PhotoProcessor(cacheDirectory: cache)
        _ = try processor.variants(of: Fixtures.url("large.jpg"), displayPath: "albums/x/large.jpg", specs: [.thumb])
        XCTAssertEqual(try mode(of: cache), 0o700)
        XCTAssertEqual(try mode(of: cache.appendingPathComponent("variants")), 0o700)
        XCTAssertEqual(try mode(of: cache.appendingPathComponent("sources")), 0o700)
        for file in try variantFiles(in: cache) {
            XCTAssertEqual(try mode(of: file), 0o600, file.lastPathComponent)
        }
        // A nested folder that does not exist yet is created too.
        let nested = scratch.appendingPathComponent("a/b/photos", isDirectory: true)
        _ = try PhotoProcessor(cacheDirectory: nested)
        XCTAssertEqual(try mode(of: nested), 0o700)
        // A file where the folder should be is an error that names it.
        let blocked = try write(Array("x".utf8), to: "blocked")
        XCTAssertThrowsError(try PhotoProcessor(cacheDirectory: blocked)) { error in
            XCTAssertEqual("\(error)", "\(blocked.path): the photo cache is not a directory")
        }
    }

    func testNoCacheDirectoryMeansNoCaching() throws {
        let processor = try PhotoProcessor(cacheDirectory: nil)
        let first = try processor.variants(of: Fixtures.url("large.jpg"), displayPath: "x", specs: [.thumb])
        let second = try processor.variants(of: Fixtures.url("large.jpg"), displayPath: "x", specs: [.thumb])
        XCTAssertEqual(first, second)  // deterministic output
        XCTAssertEqual(processor.statistics.decodes, 2)
    }
}
