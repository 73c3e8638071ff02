// What the last build published, item by item: the facts `portal publish` needs to tell the
// receiver which items are new (issue 16). From the build ledger and the audience sequences,
// both in keys/cache.
import Foundation

/// The items of the last build (drafts left out) and each audience's index sequence.
///
/// ```swift
/// guard let items = PublishedItems.load(keys: keysURL) else { return }  // no ledger: a full build comes first
/// for item in items.items where item.urgent { ... }
/// ```
public struct PublishedItems: Sendable, Equatable {
    public struct Item: Sendable, Equatable {
        public var audience: String
        public var logicalPath: String
        public var urgent: Bool
    }

    public var items: [Item]
    /// Audience id -> the sequence of its index in output/.
    public var sequences: [String: Int]

    /// Nil when the build left no ledger (it could not write one; the next build does).
    public static func load(keys: URL) -> PublishedItems? {
        guard let ledger = BuildLedger.load(keys: keys) else { return nil }
        let sequences = AudienceSequences.load(keys: keys).entries.mapValues(\.sequence)
        let items = ledger.facts.values.filter { !$0.draft }.map {
            Item(audience: $0.audience, logicalPath: $0.logicalPath, urgent: $0.urgent)
        }
        return PublishedItems(items: items.sorted { ($0.audience, $0.logicalPath) < ($1.audience, $1.logicalPath) }, sequences: sequences)
    }
}
