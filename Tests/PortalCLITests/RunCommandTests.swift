// `portal run` (issue 15 point 2), the real binary: two runs a second apart publish an edit made
// between them, a second loop on the same keystore is refused, SIGTERM stops it cleanly.
import Foundation
import PortalTestSupport
import XCTest
#if canImport(Glibc)
import Glibc
#endif

final class RunCommandTests: XCTestCase {
    /// Lines the process printed so far.
    private final class Lines: @unchecked Sendable {
        private let lock = NSLock()
        private var buffer = ""
        func append(_ data: Data) { lock.lock(); buffer += String(decoding: data, as: UTF8.self); lock.unlock() }
        var all: [String] { lock.lock(); defer { lock.unlock() }; return buffer.split(separator: "\n").map(String.init) }
    }

    private func waitFor(_ lines: Lines, timeout: Double = 60, _ condition: ([String]) -> Bool) -> Bool {
        let deadline = Date().addingTimeInterval(timeout)
        while Date() < deadline {
            if condition(lines.all) { return true }
            Thread.sleep(forTimeInterval: 0.05)
        }
        return false
    }

    func testTwoRunsPublishAnEditAndSIGTERMStopsTheLoop() throws {
        let workspace = try Workspace()
        _ = try portal(["token", "issue", "--group", "groep-3"], in: workspace.root)
        let host = workspace.url("host").path
        let process = Process()
        process.executableURL = PortalBinary.url
        process.arguments = ["run", "--every", "1s", "--to", host, "--no-receiver", "--grace", "0"]
        process.currentDirectoryURL = workspace.root
        let output = Pipe()
        let lines = Lines()
        process.standardOutput = output
        process.standardError = FileHandle.nullDevice
        output.fileHandleForReading.readabilityHandler = { lines.append($0.availableData) }
        try process.run()
        defer { if process.isRunning { process.terminate() } }

        XCTAssertTrue(waitFor(lines) { $0.contains { $0.contains("published") } }, "the first run publishes: \(lines.all)")
        XCTAssertTrue(FileManager.default.fileExists(atPath: host + "/release"))
        // Another loop on the same keystore is refused while this one runs.
        let second = try portal(["run", "--every", "1s", "--to", host, "--no-receiver", "--runs", "1"], in: workspace.root)
        XCTAssertNotEqual(second.status, 0)
        XCTAssertTrue(second.stderr.contains("another `portal run`"), second.stderr)
        // A quiet run says so; an edit is in the next one.
        XCTAssertTrue(waitFor(lines) { $0.contains { $0.hasSuffix("nothing changed") } }, "\(lines.all)")
        try workspace.write("content/news/uit-de-lus.md", "---\ntitle: Uit de lus\ndate: 2026-11-30 09:00\n---\nTekst.\n")
        XCTAssertTrue(waitFor(lines) { $0.contains { $0.contains("school changed; published") } }, "\(lines.all)")

        process.terminate()  // SIGTERM
        process.waitUntilExit()
        XCTAssertEqual(process.terminationStatus, 0)
        XCTAssertTrue(waitFor(lines, timeout: 10) { $0.last?.hasPrefix("Stopped after") == true }, "\(lines.all)")
        output.fileHandleForReading.readabilityHandler = nil
        // The loop's lock went with it.
        let after = try portal(["run", "--every", "1s", "--to", host, "--no-receiver", "--runs", "1"], in: workspace.root)
        XCTAssertEqual(after.status, 0, after.stderr)
        XCTAssertTrue(after.stdout.contains("Stopped after 1 run."), after.stdout)
    }

    func testGenerateWithPublishSendsTheSite() throws {
        let workspace = try Workspace()
        _ = try portal(["token", "issue", "--group", "groep-3"], in: workspace.root)
        let host = workspace.url("host").path
        XCTAssertNotEqual(try portal(["generate", "--no-push", "--to", host], in: workspace.root).status, 0, "--to needs --publish")
        let result = try portal(["generate", "--no-push", "--publish", "--to", host], in: workspace.root)
        XCTAssertEqual(result.status, 0, result.stderr)
        XCTAssertTrue(result.stdout.contains("Generated 9 audiences"), result.stdout)
        XCTAssertTrue(result.stdout.contains("Published release"), result.stdout)
        XCTAssertTrue(FileManager.default.fileExists(atPath: host + "/release"))
        XCTAssertTrue(FileManager.default.fileExists(atPath: host + "/site.json"))
    }

    func testAContentProblemIsReportedAndTheLoopGoesOn() throws {
        let workspace = try Workspace()
        _ = try portal(["token", "issue", "--group", "groep-3"], in: workspace.root)
        try workspace.write("content/news/kapot.md", "---\ntitle: Kapot\n---\n")
        let result = try portal(["run", "--every", "1s", "--to", workspace.url("host").path, "--no-receiver", "--runs", "2"], in: workspace.root)
        XCTAssertEqual(result.status, 0, result.stderr)
        XCTAssertEqual(result.stdout.components(separatedBy: "content problems: nothing published").count - 1, 2, result.stdout)
        XCTAssertTrue(result.stderr.contains("news/kapot.md"), result.stderr)
        XCTAssertFalse(FileManager.default.fileExists(atPath: workspace.url("host/release").path))
    }
}
