// The photo benchmark's measuring half (bench/photos/bench.sh runs it): skipped unless
// PORTAL_BENCH_PHOTOS_DIR names a folder of JPEGs.

import Foundation
import XCTest

#if canImport(Glibc)
import Glibc
#endif

@testable import PortalPhotos

final class PhotoBenchmarkTests: XCTestCase {
    func testBenchmarkAlbum() throws {
        let environment = ProcessInfo.processInfo.environment
        guard let folder = environment["PORTAL_BENCH_PHOTOS_DIR"] else {
            throw XCTSkip("set PORTAL_BENCH_PHOTOS_DIR to a folder of JPEGs (bench/photos/bench.sh does)")
        }
        let workers = Int(environment["PORTAL_BENCH_WORKERS"] ?? "") ?? 2
        let cache = URL(fileURLWithPath: environment["PORTAL_BENCH_CACHE_DIR"]
            ?? NSTemporaryDirectory() + "portal-bench-cache-\(UUID().uuidString)")
        try? FileManager.default.removeItem(at: cache)
        defer { try? FileManager.default.removeItem(at: cache) }

        let names = try FileManager.default.contentsOfDirectory(atPath: folder)
            .filter { $0.hasSuffix(".jpg") }.sorted()
        XCTAssertFalse(names.isEmpty)
        let jobs = names.map {
            PhotoJob(file: URL(fileURLWithPath: folder).appendingPathComponent($0), displayPath: "albums/bench/\($0)")
        }

        // Cold: every photo decoded once, both sizes; variants handed on and dropped, as the
        // sealing step will do.
        let total = Totals()
        let cold = try PhotoProcessor(cacheDirectory: cache, workers: workers)
        let cpuBefore = cpuSeconds()
        let coldSeconds = try seconds { try cold.process(jobs) { _, variants in total.add(variants) } }
        let coldCPU = cpuSeconds() - cpuBefore
        let peak = peakResidentMegabytes()
        XCTAssertEqual(cold.statistics.decodes, jobs.count)

        // No-op rebuild: a new processor on the same cache, nothing changed.
        let warm = try PhotoProcessor(cacheDirectory: cache, workers: workers)
        let warmSeconds = try seconds { try warm.process(jobs) { _, variants in total.add(variants) } }
        XCTAssertEqual(warm.statistics.decodes, 0)

        // No-op rebuild without the stamp index (e.g. after a fresh checkout changed every ctime):
        // every source is read and hashed again, still nothing decoded.
        try FileManager.default.removeItem(at: cache.appendingPathComponent("sources"))
        let rehash = try PhotoProcessor(cacheDirectory: cache, workers: workers)
        let rehashSeconds = try seconds { try rehash.process(jobs) { _, _ in } }
        XCTAssertEqual(rehash.statistics.decodes, 0)
        XCTAssertEqual(rehash.statistics.sourcesHashed, jobs.count)

        let line = String(
            format: "BENCH photos=%d workers=%d cold_s=%.2f cold_cpu_s=%.2f photos_per_s=%.2f peak_rss_mb=%d noop_s=%.3f noop_sources_hashed=%d noop_without_stamps_s=%.2f variant_mb=%.1f",
            jobs.count, workers, coldSeconds, coldCPU, Double(jobs.count) / coldSeconds, peak, warmSeconds,
            warm.statistics.sourcesHashed, rehashSeconds, Double(total.bytes) / 2 / 1_048_576)
        print(line)
        if let output = environment["PORTAL_BENCH_RESULT"] {
            try Data((line + "\n").utf8).write(to: URL(fileURLWithPath: output))
        }
    }

    private func seconds(_ body: () throws -> Void) throws -> Double {
        let start = DispatchTime.now().uptimeNanoseconds
        try body()
        return Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9
    }

    /// User + system CPU time of this process so far.
    private func cpuSeconds() -> Double {
        var usage = rusage()
        getrusage(__rusage_who_t(RUSAGE_SELF.rawValue), &usage)
        return Double(usage.ru_utime.tv_sec) + Double(usage.ru_utime.tv_usec) / 1e6
            + Double(usage.ru_stime.tv_sec) + Double(usage.ru_stime.tv_usec) / 1e6
    }

    /// VmHWM of this process, in MB.
    private func peakResidentMegabytes() -> Int {
        guard let status = try? String(contentsOfFile: "/proc/self/status", encoding: .utf8),
              let line = status.split(separator: "\n").first(where: { $0.hasPrefix("VmHWM:") })
        else { return -1 }
        let kilobytes = Int(line.split(separator: " ").dropFirst().first ?? "") ?? -1
        return kilobytes / 1024
    }
}

private final class Totals: @unchecked Sendable {
    private let lock = NSLock()
    private(set) var bytes = 0

    func add(_ variants: [PhotoVariant]) { lock.withLock { bytes += variants.reduce(0) { $0 + $1.bytes.count } } }
}
