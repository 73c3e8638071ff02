// Which items are new since the last announcement: what `portal publish` tells the receiver so
// that parents are notified of those only. An item is new when its (audience, logical path) was
// not announced before: a typo fix, a re-seal after a revocation, a re-key or a lapse changes
// no path and so notifies nobody (browsers show every push; those would be spam).
import Foundation
import PortalCrypto
import PortalFiles

/// New items per audience since the last announcement, and the memory of what was announced
/// (`keys/cache/announced`: one short BLAKE2b hash of audience and path per item, no titles; it
/// lies in keys/, as private as the content itself).
///
/// ```swift
/// let announcement = Announcement.compute(items: published, sequences: seqs, keys: keysURL)
/// if !announcement.audiences.isEmpty { try await client.notify(...) }
/// announcement.record(keys: keysURL)      // only after the receiver took it
/// ```
public struct Announcement: Sendable, Equatable {
    public struct Audience: Sendable, Equatable {
        public var id: String
        public var sequence: Int
        public var count: Int
        /// Of `count`, the urgent ones (what a device set to "only urgent" is told).
        public var urgentCount: Int
        public var urgent: Bool { urgentCount > 0 }
    }

    public var audiences: [Audience]
    /// No announcement was ever recorded: this one sets the baseline and notifies nobody (a first
    /// publish would otherwise announce the whole archive).
    public var baseline: Bool
    let announced: Set<String>

    static let header = "ouderportaal-announced 1"
    static func file(keys: URL) -> URL { keys.appendingPathComponent("cache/announced") }

    static func key(audience: String, path: String) -> String {
        Hex.encode(BLAKE2b.hash(Array((audience + "\n" + path).utf8), key: [], length: 10))
    }

    public static func compute(items: [(audience: String, path: String, urgent: Bool)], sequences: [String: Int], keys: URL) -> Announcement {
        let previous = load(keys: keys)
        var current = Set<String>()
        var byAudience: [String: (count: Int, urgent: Int)] = [:]
        for item in items {
            let key = key(audience: item.audience, path: item.path)
            // An item of an audience without a sequence cannot be announced now: left out of
            // the record, so the next publish announces it.
            if previous == nil || previous!.contains(key) || sequences[item.audience] != nil { current.insert(key) }
            guard let previous, !previous.contains(key) else { continue }
            var entry = byAudience[item.audience] ?? (0, 0)
            entry.count += 1
            if item.urgent { entry.urgent += 1 }
            byAudience[item.audience] = entry
        }
        let audiences = byAudience.keys.sorted().compactMap { id -> Audience? in
            guard let sequence = sequences[id], let entry = byAudience[id] else { return nil }
            return Audience(id: id, sequence: sequence, count: entry.count, urgentCount: entry.urgent)
        }
        return Announcement(audiences: audiences, baseline: previous == nil, announced: current)
    }

    static func load(keys: URL) -> Set<String>? {
        guard let data = FileManager.default.contents(atPath: file(keys: keys).path) else { return nil }
        let lines = String(decoding: data, as: UTF8.self).split(separator: "\n").map(String.init)
        guard lines.first == header else { return nil }
        return Set(lines.dropFirst())
    }

    /// Remembers what is now announced. Best effort: without it the next publish sets a new
    /// baseline and notifies nobody (never twice).
    public func record(keys: URL) {
        let url = Self.file(keys: keys)
        let text = ([Self.header] + announced.sorted()).joined(separator: "\n") + "\n"
        try? PrivateDirectory.make(url.deletingLastPathComponent().path, tightening: true)
        try? AtomicFile.write(Array(text.utf8), to: url.path, mode: 0o600, durability: .cache)
    }
}
