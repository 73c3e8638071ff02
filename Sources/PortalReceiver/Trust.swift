// The receiver's view of the trust file: lookups by token id and schedule id, swapped atomically
// when the file is reloaded (SIGHUP) or staff push a newer one.
import Foundation
import PortalCrypto
import PortalFiles
import PortalFormat
import PortalTrust

/// Indexed, immutable snapshot of a trust file.
public struct TrustIndex: Sendable {
    public struct Token: Sendable {
        public let id: String
        public let family: String
        public let audiences: Set<String>
        public let expires: Date
        public let publicKey: [UInt8]
        /// Registration is refused from this instant on unless the token already registered.
        public let registerBy: Date?
        /// A staff member's token (`teacher` or `office`): reads its groups' reports, sends none.
        public var isStaff: Bool = false
        /// Its groups: the audiences other than `school`.
        public var groups: Set<String> { audiences.subtracting(["school"]) }
    }

    public struct Schedule: Sendable {
        public let id: String
        public let audience: String
        public let teacher: String
        public let opens: Date
        public let closes: Date
        public let perFamily: Int
        public let minNoticeHours: Int
        public let slots: [TrustFile.Slot]
        public let slotIndex: [String: Int]

        public func slot(_ id: String) -> TrustFile.Slot? { slotIndex[id].map { slots[$0] } }
    }

    public let file: TrustFile
    public let tokens: [String: Token]
    public let schedules: [String: Schedule]
    /// Confirmable item id -> the audience whose tokens may confirm it.
    public let confirmations: [String: String]
    public let adminPublicKey: [UInt8]
    /// Form id -> its audience, deadline and places.
    public let forms: [String: TrustFile.Form]
    /// Audience id -> the tokens that read it: `school` is every token's.
    public let tokensByAudience: [String: Set<String>]

    public init(_ file: TrustFile) {
        self.file = file
        var tokens: [String: Token] = [:]
        for t in file.tokens {
            tokens[t.id] = Token(
                id: t.id, family: t.family, audiences: Set(t.audiences), expires: t.expires, publicKey: t.publicKey,
                registerBy: t.registerBy, isStaff: t.staff != nil)
        }
        var schedules: [String: Schedule] = [:]
        for s in file.schedules {
            var index: [String: Int] = [:]
            for (i, slot) in s.slots.enumerated() { index[slot.id] = i }
            schedules[s.id] = Schedule(
                id: s.id, audience: s.audience, teacher: s.teacher, opens: s.opens, closes: s.closes,
                perFamily: s.perFamily, minNoticeHours: s.minNoticeHours, slots: s.slots, slotIndex: index)
        }
        self.tokens = tokens
        var byAudience: [String: Set<String>] = ["school": Set(tokens.keys)]
        for token in file.tokens {
            for audience in token.audiences { byAudience[audience, default: []].insert(token.id) }
        }
        tokensByAudience = byAudience
        self.schedules = schedules
        confirmations = Dictionary(file.confirmations.map { ($0.id, $0.audience) }, uniquingKeysWith: { first, _ in first })
        forms = Dictionary(file.forms.map { ($0.id, $0) }, uniquingKeysWith: { first, _ in first })
        self.adminPublicKey = file.adminPublicKey
    }
}

/// Holds the current `TrustIndex`; `reload()` swaps it (a failed reload keeps the old one), and
/// `install(_:now:)` takes a pushed file.
public final class TrustStore: @unchecked Sendable {
    private let lock = NSLock()
    /// One push at a time: compare, persist and swap happen together.
    private let installLock = NSLock()
    private var index: TrustIndex
    public let url: URL?

    public init(file: TrustFile) {
        index = TrustIndex(file)
        url = nil
    }

    public init(url: URL) throws(TrustFileError) {
        index = TrustIndex(try TrustFile.load(from: url))
        self.url = url
    }

    public var current: TrustIndex { lock.withLock { index } }

    /// Re-reads the file (SIGHUP). Throws and keeps the old trust if the new file is invalid.
    public func reload() throws(TrustFileError) {
        guard let url else { return }
        let fresh = TrustIndex(try TrustFile.load(from: url))
        lock.withLock { index = fresh }
    }

    /// Takes a trust file pushed by staff (`POST /api/v1/admin/trust`): it must be valid, of
    /// the same site, and generated later than the one in force (the same file again is
    /// accepted and changes nothing; another file with the same instant is refused). It is
    /// written over the `--trust` file (atomically, fsynced) before it takes effect, so a
    /// restart keeps it. SIGHUP (`reload`) applies none of these rules: it is the operator's.
    ///
    /// The body is a signed document (FORMAT.md "Trust file"): the school's publisher key signs
    /// the file, so the admin key alone (which authenticates the request) cannot make one. The
    /// key is the one of the trust in force; a trust in force that names none (written before
    /// the publisher key existed) takes the key the pushed file names, and every later push must
    /// carry that same key.
    func install(_ signed: [UInt8], now: Date) throws(APIError) -> (index: TrustIndex, changed: Bool) {
        installLock.lock()
        defer { installLock.unlock() }
        let current = self.current
        let pinned = current.file.publisherPublicKey
        // With a key in force nothing unsigned is even parsed.
        if let pinned, (try? SignedDocument.verify(signed, kind: "trust", publicKey: pinned)) == nil { throw APIError.trustSignature }
        guard signed.count >= SignedDocument.headerLength, Array(signed.prefix(4)) == SignedDocument.magic else {
            throw APIError.trustSignature
        }
        let bytes = Array(signed[SignedDocument.headerLength...])
        let file: TrustFile
        do {
            file = try TrustFile.decode(Data(bytes), path: "the pushed trust file")
        } catch {
            throw APIError.invalidTrust(error.description)
        }
        // A school computer whose clock ran ahead must not lock out every later push.
        guard file.generated <= now.addingTimeInterval(86400) else {
            throw APIError.invalidTrust("generated lies more than a day ahead of the receiver's clock")
        }
        guard file.siteID == current.file.siteID else { throw APIError.trustWrongSite }
        if pinned == nil {
            guard let named = file.publisherPublicKey, (try? SignedDocument.verify(signed, kind: "trust", publicKey: named)) != nil
            else { throw APIError.trustSignature }
        }
        guard file.publisherPublicKey == (pinned ?? file.publisherPublicKey) else { throw APIError.trustWrongPublisher }
        if file.generated == current.file.generated && file == current.file { return (current, false) }
        guard file.generated > current.file.generated else { throw APIError.trustNotNewer }
        if let url {
            do {
                try AtomicFile.write(bytes, to: url.path, mode: 0o600)  // holds the VAPID key
            } catch {
                throw APIError(500, "trust_not_saved", "the receiver could not write its trust file: \(error.reason)")
            }
        }
        let fresh = TrustIndex(file)
        lock.withLock { index = fresh }
        return (fresh, true)
    }

    /// Replaces the trust in memory (tests, or a caller that validated a file itself).
    public func replace(with file: TrustFile) {
        let fresh = TrustIndex(file)
        lock.withLock { index = fresh }
    }
}
