// Batches on two workers: same bytes as one by one, all errors reported together.

import Foundation
import XCTest

@testable import PortalPhotos

final class PhotoBatchTests: PhotoTestCase {
    private func goodJobs() -> [PhotoJob] {
        var names = ["camera.jpg", "large.jpg", "alpha.png", "grey16.png", "photo.webp"]
        if PhotoProcessor.supportsHEIC { names.append("photo.heic") }
        // Each photo twice under different ids, so both workers get work that overlaps.
        return names.flatMap { name in
            [PhotoJob(file: Fixtures.url(name), displayPath: "albums/a/\(name)"),
             PhotoJob(file: Fixtures.url(name), displayPath: "albums/b/\(name)")]
        }
    }

    func testTwoWorkersGiveTheSameBytesAsOneByOne() throws {
        let jobs = goodJobs()
        let sequential = try PhotoProcessor(cacheDirectory: nil, workers: 1)
        var expected: [PhotoJob.ID: [PhotoVariant]] = [:]
        for job in jobs {
            expected[job.id] = try sequential.variants(of: job.file, displayPath: job.displayPath, specs: job.specs)
        }
        let parallel = try PhotoProcessor(cacheDirectory: cacheFolder(), workers: 2)
        let results = try parallel.process(jobs)
        XCTAssertEqual(results.count, jobs.count)
        XCTAssertEqual(results, expected)
        // Each photo appears twice: the second copy may already be in the cache by then.
        XCTAssertLessThanOrEqual(parallel.statistics.decodes, jobs.count)
        XCTAssertGreaterThanOrEqual(parallel.statistics.decodes, jobs.count / 2)

        // And again from the cache, still identical, without decoding.
        let cached = try PhotoProcessor(cacheDirectory: cacheFolder(), workers: 2)
        XCTAssertEqual(try cached.process(jobs), expected)
        XCTAssertEqual(cached.statistics.decodes, 0)
    }

    func testAllFailuresAreReportedInJobOrder() throws {
        let large = try Fixtures.bytes("large.jpg")
        let broken = [
            PhotoJob(file: try write(Array(large.prefix(5000)), to: "half.jpg"), displayPath: "albums/x/half.jpg"),
            PhotoJob(file: try write(Array("tekst".utf8), to: "tekst.jpg"), displayPath: "albums/x/tekst.jpg"),
        ]
        let jobs = [goodJobs()[0], broken[0], goodJobs()[2], broken[1]]
        let processor = try PhotoProcessor(cacheDirectory: cacheFolder(), workers: 2)
        let delivered = Delivered()
        XCTAssertThrowsError(try processor.process(jobs) { job, _ in delivered.add(job.id) }) { error in
            guard let errors = error as? PhotoErrors else { return XCTFail("\(error)") }
            XCTAssertEqual(errors.errors.map(\.file), ["albums/x/half.jpg", "albums/x/tekst.jpg"])
            XCTAssertTrue(errors.description.hasPrefix("albums/x/half.jpg: corrupt or truncated image"), errors.description)
            XCTAssertTrue(errors.description.contains("\nalbums/x/tekst.jpg: not a supported image"), errors.description)
        }
        // The good photos were still made (and cached for the next run).
        XCTAssertEqual(delivered.ids.sorted(), [jobs[0].id, jobs[2].id].sorted())
        XCTAssertEqual(try variantFiles(in: cacheFolder()).count, 4)
    }

    func testDuplicateJobIDsAreRefused() throws {
        let processor = try PhotoProcessor(cacheDirectory: nil)
        let job = PhotoJob(file: Fixtures.url("large.jpg"), displayPath: "albums/x/large.jpg")
        XCTAssertThrowsError(try processor.process([job, job])) { error in
            XCTAssertEqual("\(error)", "albums/x/large.jpg: listed twice in one batch (id albums/x/large.jpg)")
        }
        XCTAssertEqual(try processor.process([]), [:])
    }
}

private final class Delivered: @unchecked Sendable {
    private let lock = NSLock()
    private var values: [PhotoJob.ID] = []

    func add(_ id: PhotoJob.ID) { lock.withLock { values.append(id) } }

    var ids: [PhotoJob.ID] { lock.withLock { values } }
}
