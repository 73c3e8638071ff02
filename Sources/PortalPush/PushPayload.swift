// What a push message says, in plaintext only the device reads: which audiences moved to which
// sequence, and whether it is urgent. Never a title, a text or an item's name: the service worker
// fetches the signed index and shows the title from there (FORMAT.md "Push").
import Foundation

/// The payload of one push message (canonical JSON, at most a few hundred bytes).
///
/// ```swift
/// let payload = PushPayload(sequences: ["groep-5": 1796083200], urgent: false)
/// let bytes = payload.encoded()
/// ```
public struct PushPayload: Codable, Sendable, Equatable {
    public var v = 1
    /// Audience id -> the sequence of its index that has the new items.
    public var sequences: [String: Int64]
    public var urgent: Bool
    /// New items in all (the notification says "3 nieuwe berichten"); a number, not a title.
    public var count: Int
    /// For a staff device: new absence reports of its groups ("1 nieuwe afwezigheidsmelding");
    /// a number, never a name. 0 (and left out of the JSON) for everything else.
    public var reports: Int
    /// For a parent's device: forms of the family that close within two days without an answer
    /// ("1 formulier wacht op uw antwoord"); a number, never a title. 0 (left out) otherwise.
    public var forms: Int

    enum CodingKeys: String, CodingKey {
        case v
        case sequences = "s"
        case urgent = "u"
        case count = "n"
        case reports = "r"
        case forms = "f"
    }

    public init(sequences: [String: Int64], urgent: Bool, count: Int = 1, reports: Int = 0, forms: Int = 0) {
        self.sequences = sequences
        self.urgent = urgent
        self.count = count
        self.reports = reports
        self.forms = forms
    }

    /// Two messages for one device become one: the higher sequence per audience, urgent if
    /// either was, the counts added.
    public func merged(with other: PushPayload) -> PushPayload {
        PushPayload(
            sequences: sequences.merging(other.sequences, uniquingKeysWith: max), urgent: urgent || other.urgent,
            count: count + other.count, reports: reports + other.reports, forms: forms + other.forms)
    }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        v = try c.decode(Int.self, forKey: .v)
        sequences = try c.decode([String: Int64].self, forKey: .sequences)
        urgent = try c.decode(Bool.self, forKey: .urgent)
        count = try c.decodeIfPresent(Int.self, forKey: .count) ?? 1
        reports = try c.decodeIfPresent(Int.self, forKey: .reports) ?? 0
        forms = try c.decodeIfPresent(Int.self, forKey: .forms) ?? 0
    }

    public func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(v, forKey: .v)
        try c.encode(sequences, forKey: .sequences)
        try c.encode(urgent, forKey: .urgent)
        try c.encode(count, forKey: .count)
        if reports > 0 { try c.encode(reports, forKey: .reports) }
        if forms > 0 { try c.encode(forms, forKey: .forms) }
    }

    public func encoded() -> [UInt8] {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        // A dictionary of strings to integers always encodes.
        return Array(try! encoder.encode(self))
    }

    public static func decode(_ bytes: [UInt8]) -> PushPayload? {
        try? JSONDecoder().decode(PushPayload.self, from: Data(bytes))
    }
}
