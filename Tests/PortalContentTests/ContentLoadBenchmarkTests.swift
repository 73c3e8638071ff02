// The content-loading benchmark's measuring half (bench/micro/run.sh runs it): skipped unless
// PORTAL_BENCH_CONTENT_FILES is set. It reports loading N news files as a ratio to the floor any
// loader has: reading each file and parsing its Markdown once, on one core.
import Foundation
import PortalContent
import PortalMarkdown
import XCTest

final class ContentLoadBenchmarkTests: XCTestCase {
    func testBenchmarkManyNewsFiles() throws {
        let environment = ProcessInfo.processInfo.environment
        guard let countText = environment["PORTAL_BENCH_CONTENT_FILES"], let count = Int(countText), count > 0 else {
            throw XCTSkip("set PORTAL_BENCH_CONTENT_FILES (bench/micro/run.sh does)")
        }
        let runs = max(1, Int(environment["PORTAL_BENCH_RUNS"] ?? "") ?? 3)
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("portal-bench-content-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: folder) }
        let news = folder.appendingPathComponent("news")
        try FileManager.default.createDirectory(at: news, withIntermediateDirectories: true)
        try FileManager.default.copyItem(
            at: fixtureSite("valid").appendingPathComponent("site.yaml"), to: folder.appendingPathComponent("site.yaml"))
        var paths: [String] = []
        for index in 0..<count {
            let path = news.appendingPathComponent("bericht-\(index).md").path
            let text = """
                ---
                title: Bericht \(index)
                date: 2026-\(String(format: "%02d", index % 12 + 1))-\(String(format: "%02d", index % 28 + 1))
                summary: Een kort bericht.
                ---
                Dit is bericht **\(index)**. Zie [de vorige](/news/bericht-\(max(0, index - 1))).

                """
            // Through a FileHandle: createFile(atPath:contents:) syncs each file, which makes
            // writing the corpus take far longer than loading it.
            guard FileManager.default.createFile(atPath: path, contents: nil),
                  let handle = FileHandle(forWritingAtPath: path)
            else { throw CocoaError(.fileWriteUnknown) }
            try handle.write(contentsOf: Data(text.utf8))
            try handle.close()
            paths.append(path)
        }

        // Best of `runs` for each, alternating, so both see the same neighbours.
        var load = (wall: Double.infinity, cpu: Double.infinity)
        var floor = (wall: Double.infinity, cpu: Double.infinity)
        for _ in 0..<runs {
            let loaded = try measure { _ = try ContentLoader(root: folder).load() }
            load = (min(load.wall, loaded.wall), min(load.cpu, loaded.cpu))
            let floored = try measure {
                var references = 0
                for path in paths {
                    let data = try Data(contentsOf: URL(fileURLWithPath: path))
                    let text = String(decoding: data, as: UTF8.self)
                    references += MarkdownDocument(text).references.count
                }
                XCTAssertEqual(references, count)
            }
            floor = (min(floor.wall, floored.wall), min(floor.cpu, floored.cpu))
        }
        XCTAssertEqual(try ContentLoader(root: folder).load().items.count, count)

        let line = String(
            format: "BENCH content files=%d runs=%d load_s=%.3f load_cpu_s=%.3f floor_s=%.3f floor_cpu_s=%.3f wall_ratio=%.2f cpu_ratio=%.2f",
            count, runs, load.wall, load.cpu, floor.wall, floor.cpu, load.wall / floor.wall, load.cpu / floor.cpu)
        print(line)
        if let output = environment["PORTAL_BENCH_RESULT"] {
            try Data((line + "\n").utf8).write(to: URL(fileURLWithPath: output))
        }
    }

    /// Wall and process CPU seconds (user and system, all threads) of `body`.
    private func measure(_ body: () throws -> Void) rethrows -> (wall: Double, cpu: Double) {
        func cpu() -> Double {
            var time = timespec()
            clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &time)
            return Double(time.tv_sec) + Double(time.tv_nsec) / 1_000_000_000
        }
        let start = DispatchTime.now().uptimeNanoseconds
        let cpuStart = cpu()
        try body()
        return (Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9, cpu() - cpuStart)
    }
}
