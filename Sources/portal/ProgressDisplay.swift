// Progress of long work (photos, letters, uploads): on a terminal one line redrawn in place,
// with counts and the time left; elsewhere (CI, the journal) nothing but the one line per step
// that each command prints anyway.
import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// A progress bar on standard output, drawn only when it is a terminal.
///
/// ```swift
/// let bar = ProgressDisplay(label: "letters", total: records.count)
/// for record in records { ...; bar.advance() }
/// bar.finish()
/// ```
final class ProgressDisplay: @unchecked Sendable {
    let label: String
    private(set) var total: Int
    /// `bytes`: counts are bytes, shown as KB/MB.
    let bytes: Bool
    let enabled: Bool
    private let started = Date()
    private let lock = NSLock()
    private var done = 0
    private var lastDraw = Date.distantPast
    private var drawn = false

    static var isTerminal: Bool { isatty(STDOUT_FILENO) == 1 && ProcessInfo.processInfo.environment["TERM"] != "dumb" }

    init(label: String, total: Int, bytes: Bool = false, enabled: Bool = ProgressDisplay.isTerminal) {
        self.label = label
        self.total = total
        self.bytes = bytes
        self.enabled = enabled && total > 0
    }

    func advance(by amount: Int = 1) { set(lock.withLock { done + amount }) }

    func set(_ value: Int, total newTotal: Int? = nil) {
        guard enabled else { return }
        let now = Date()
        let line: String? = lock.withLock {
            done = value
            if let newTotal { total = newTotal }
            // At most ten redraws a second, and always the last one.
            guard now.timeIntervalSince(lastDraw) >= 0.1 || done >= total else { return nil }
            lastDraw = now
            drawn = true
            return Self.line(label: label, done: done, total: total, elapsed: now.timeIntervalSince(started), bytes: bytes)
        }
        if let line { FileHandle.standardOutput.write(Data(("\r\u{1B}[K" + line).utf8)) }
    }

    /// Ends the bar's line, so what is printed next starts on its own.
    func finish() {
        guard enabled, lock.withLock({ drawn }) else { return }
        FileHandle.standardOutput.write(Data("\r\u{1B}[K".utf8))
    }

    /// `photos  [#########...........]  120/2000   6%  1:23 left`
    static func line(label: String, done: Int, total: Int, elapsed: TimeInterval, bytes: Bool, width: Int = 24) -> String {
        let fraction = total > 0 ? min(1, Double(done) / Double(total)) : 1
        let filled = Int((fraction * Double(width)).rounded(.down))
        let bar = String(repeating: "#", count: filled) + String(repeating: ".", count: width - filled)
        let counts = bytes ? "\(size(done)) of \(size(total))" : "\(done)/\(total)"
        var text = "\(label)  [\(bar)]  \(counts)  \(Int((fraction * 100).rounded(.down)))%"
        if done > 0 && done < total && elapsed >= 1 {
            let left = elapsed / fraction - elapsed
            text += "  " + clock(left) + " left"
        }
        return text
    }

    static func clock(_ seconds: TimeInterval) -> String {
        let s = max(0, Int(seconds.rounded()))
        return s >= 3600 ? String(format: "%d:%02d:%02d", s / 3600, s / 60 % 60, s % 60) : String(format: "%d:%02d", s / 60, s % 60)
    }

    static func size(_ bytes: Int) -> String {
        bytes >= 1_000_000 ? String(format: "%.1f MB", Double(bytes) / 1_000_000) : String(format: "%.0f KB", Double(bytes) / 1000)
    }
}

/// One bar per named step of a library call that reports `(step, done, total)`.
final class StepBars: @unchecked Sendable {
    private let lock = NSLock()
    private var bars: [String: ProgressDisplay] = [:]

    func report(_ step: String, _ done: Int, _ total: Int) {
        let bar = lock.withLock {
            if let bar = bars[step] { return bar }
            let bar = ProgressDisplay(label: step, total: total)
            bars[step] = bar
            return bar
        }
        bar.set(done, total: total)
        if done >= total { bar.finish() }
    }

    func finish() { lock.withLock { bars.values.forEach { $0.finish() } } }
}
