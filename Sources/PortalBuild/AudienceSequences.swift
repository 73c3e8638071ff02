// FORMAT.md "Sequence": each audience's index carries a number that moves only when the index
// would otherwise change, and then to max(previous + 1, now): a restore of keys/ from an old
// backup (or a lost cache) still never makes it go backwards while the clock does not.
import Foundation
import PortalFiles

/// The sequence and content digest of every audience's index at the last build.
public struct AudienceSequences: Codable, Equatable, Sendable {
    public struct Entry: Codable, Equatable, Sendable {
        public var sequence: Int
        /// SHA-256 (hex) of the index body with sequence 0: what "would otherwise change" compares.
        public var digest: String
    }

    public var entries: [String: Entry] = [:]

    public init() {}

    /// The sequence for an index with `digest` built at `now`.
    func next(for audience: String, digest: String, now: Date) -> Int {
        let clock = max(1, Int(now.timeIntervalSince1970))
        guard let previous = entries[audience] else { return clock }
        if previous.digest == digest { return previous.sequence }
        return max(previous.sequence + 1, clock)
    }

    static func file(keys: URL) -> URL { keys.appendingPathComponent("cache/sequences.json") }

    /// What the last build remembered; empty when there is none (the next sequences are then the
    /// build's time, above anything issued before).
    static func load(keys: URL) -> AudienceSequences {
        guard let data = FileManager.default.contents(atPath: file(keys: keys).path),
              let decoded = try? JSONDecoder().decode(AudienceSequences.self, from: data)
        else { return AudienceSequences() }
        return decoded
    }

    /// Written after output/ was swapped in: the sequences of what is now published. Best effort:
    /// without it the next build numbers every index by its clock, which is still above these.
    func save(keys: URL) {
        let url = Self.file(keys: keys)
        try? PrivateDirectory.make(url.deletingLastPathComponent().path, tightening: true)
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        guard let data = try? encoder.encode(self) else { return }
        try? AtomicFile.write(Array(data), to: url.path, mode: 0o600)
    }
}
