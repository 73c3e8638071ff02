// Issue 15 point 3: long work shows a progress bar with counts when standard output is a terminal
// (run here under a pseudo-terminal with util-linux `script`), and nothing but its usual lines
// when it is not (CI, the journal).
import Foundation
import PortalTestSupport
import XCTest

final class ProgressTests: XCTestCase {
    /// `portal ARGS` with standard output on a pseudo-terminal; what the terminal received.
    func onTerminal(_ arguments: [String], in workspace: Workspace) throws -> String {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/script")
        let command = ([PortalBinary.url.path] + arguments).map { "'" + $0 + "'" }.joined(separator: " ")
        process.arguments = ["-qfec", command, "/dev/null"]
        process.currentDirectoryURL = workspace.root
        var environment = ProcessInfo.processInfo.environment
        environment["TERM"] = "xterm"
        process.environment = environment
        let out = Pipe()
        process.standardOutput = out
        process.standardInput = FileHandle.nullDevice
        try process.run()
        let data = out.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        XCTAssertEqual(process.terminationStatus, 0, String(decoding: data, as: UTF8.self))
        return String(decoding: data, as: UTF8.self)
    }

    func testPhotosAndLettersShowABarOnATerminalOnly() throws {
        let workspace = try Workspace()
        for group in ["groep-3", "groep-5", "groep-8"] { _ = try issue(["--group", group], in: workspace) }
        let generated = try onTerminal(["generate", "--no-push"], in: workspace)
        XCTAssertTrue(generated.contains("\r\u{1B}[Kphotos  ["), generated)
        XCTAssertTrue(generated.contains("18/18  100%"), generated)
        XCTAssertTrue(generated.contains("Generated 9 audiences"), generated)

        let letters = try onTerminal(["letters", "--no-pdf"], in: workspace)
        XCTAssertTrue(letters.contains("letters  [########################]  3/3  100%"), letters)
        // On a terminal the bar stands for the per-letter lines; only a letter to print (no
        // e-mail address: these tokens were issued without one) keeps its line.
        let wrote = letters.replacingOccurrences(of: "\r\n", with: "\n").components(separatedBy: "\n").filter { $0.contains("wrote  ") }
        XCTAssertEqual(wrote.count, 3, letters.debugDescription)
        XCTAssertTrue(wrote.allSatisfy { $0.contains("no e-mail address") }, letters)
        XCTAssertTrue(letters.contains("3 letters in"), letters)

        // Not a terminal: no bar, the usual lines.
        try FileManager.default.removeItem(at: workspace.url("keys/cache/photos"))
        try FileManager.default.removeItem(at: workspace.url("output"))
        let plain = try run(["generate", "--no-push"], in: workspace).stdout
        XCTAssertFalse(plain.contains("photos  ["), plain)
        XCTAssertFalse(plain.contains("\r"), plain)
        let plainLetters = try run(["letters", "--no-pdf"], in: workspace).stdout
        XCTAssertEqual(plainLetters.components(separatedBy: "wrote  ").count - 1, 3, plainLetters)
        XCTAssertFalse(plainLetters.contains("["), plainLetters)
    }

    func testAPublishWithRsyncShowsOneUploadBarOnATerminalOnly() throws {
        let workspace = try Workspace()
        _ = try issue(["--group", "groep-3"], in: workspace)
        _ = try run(["generate", "--no-push"], in: workspace)
        let published = try onTerminal(["publish", "--to", workspace.url("host").path, "--no-push"], in: workspace)
        XCTAssertTrue(published.contains("\r\u{1B}[Kupload  ["), published)
        XCTAssertTrue(published.contains("100%"), published)
        XCTAssertTrue(published.contains("Published release"), published)
        let plain = try run(["publish", "--to", workspace.url("host2").path, "--no-push"], in: workspace).stdout
        XCTAssertFalse(plain.contains("upload  ["), plain)
        XCTAssertTrue(plain.hasPrefix("Published release"), plain)
    }
}
