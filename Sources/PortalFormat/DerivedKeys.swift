// Keys of the format and everything FORMAT.md derives from them: audience keys, item keys, the
// publisher key, nonce keys, index names, signing seeds, associated data. Format 2 keeps format 1's
// primitives (their labels say /1) and adds its own labels (/2).
import PortalCrypto
import CSodium

/// The fixed labels of the format (FORMAT.md). Changing any of them is a new format version.
public enum Label {
    // Format 2.
    public static let publisher = "ouderportaal/2 publisher"
    public static let item = "ouderportaal/2 item "
    public static let indexName = "ouderportaal/2 index"
    public static let keyslotV2 = "ouderportaal/2 keyslot "
    public static let indexV2 = "ouderportaal/2 index "
    public static let pageV2 = "ouderportaal/2 page "
    public static let blobV2 = "ouderportaal/2 blob"
    public static let signed = "ouderportaal/2 signed "
    public static let schedule = "ouderportaal/2 schedule "
    public static let confirmation = "ouderportaal/2 confirmation "
    public static let form = "ouderportaal/2 form "
    public static let shift = "ouderportaal/2 shift "
    public static let family = "ouderportaal/2 family "
    public static let vapid = "ouderportaal/2 vapid"
    public static let groupInbox = "ouderportaal/2 inbox "
    // Format 1 (kept by format 2 where FORMAT.md says so).
    public static let tokenID = "ouderportaal/1 token-id"
    public static let kek = "ouderportaal/1 kek"
    public static let audience = "ouderportaal/1 audience "
    public static let signing = "ouderportaal/1 signing "
    public static let nonce = "ouderportaal/1 nonce"
    public static let name = "ouderportaal/1 name"
    public static let audienceTag = "ouderportaal/1 audience-tag"
    public static let keyslot = "ouderportaal/1 keyslot "
    public static let blob = "ouderportaal/1 blob "
    public static let magic: [UInt8] = Array("OPB1".utf8)
}

/// A 32-byte envelope key (an audience key `K(a, e)` or a token's KEK) with its derived keys,
/// computed once at creation because a build uses them for every blob.
///
/// ```swift
/// let key = master.audienceKey(audience: "school", epoch: 1)
/// let path = "a/\(key.audienceTag)/\(key.blobName(logicalPath: "news/welkom"))"
/// ```
public struct SymmetricKey: Sendable, Equatable, CustomStringConvertible {
    public let bytes: [UInt8]
    /// `NK = BLAKE2b(K, "ouderportaal/1 nonce", 32)`.
    public let nonceKey: [UInt8]
    public init(bytes: [UInt8]) throws(CryptoError) {
        guard bytes.count == 32 else { throw .invalidKeyLength }
        self.init(validBytes: bytes)
    }

    init(validBytes bytes: [UInt8]) {
        self.bytes = bytes
        nonceKey = BLAKE2b.hash(Array(Label.nonce.utf8), key: bytes, length: 32)
    }

    /// Format 1: `NameK = BLAKE2b(K, "ouderportaal/1 name", 32)`. Computed when asked, since format
    /// 2 never uses it and a build makes a key per item.
    public var nameKey: [UInt8] { BLAKE2b.hash(Array(Label.name.utf8), key: bytes, length: 32) }

    /// Format 1: `hex(BLAKE2b(K, "ouderportaal/1 audience-tag", 16))`.
    public var audienceTag: String { Hex.encode(BLAKE2b.hash(Array(Label.audienceTag.utf8), key: bytes, length: 16)) }

    /// Format 2: where an audience's index lies, `i/<hex(BLAKE2b(K, "ouderportaal/2 index", 16))>`.
    public var indexPath: String {
        "i/" + Hex.encode(BLAKE2b.hash(Array(Label.indexName.utf8), key: bytes, length: 16))
    }

    /// Format 1: opaque file name of a blob, `hex(BLAKE2b(NameK, logical_path, 16))`.
    public func blobName(logicalPath: String) -> String {
        Hex.encode(BLAKE2b.hash(Array(logicalPath.utf8), key: nameKey, length: 16))
    }

    /// Constant-time comparison of the key bytes (the derived values follow from them).
    public static func == (lhs: SymmetricKey, rhs: SymmetricKey) -> Bool {
        constantTimeEqual(lhs.bytes, rhs.bytes)
    }

    /// Never prints key bytes (keeps them out of logs and test failure messages).
    public var description: String { "SymmetricKey(tag: \(audienceTag))" }
}

/// The school's 32-byte master key; every audience key and signing seed is derived from it.
///
/// ```swift
/// let k = master.audienceKey(audience: "groep-5", epoch: 2)
/// ```
public struct MasterKey: Sendable, Equatable, CustomStringConvertible {
    public let bytes: [UInt8]

    public init(bytes: [UInt8]) throws(CryptoError) {
        guard bytes.count == 32 else { throw .invalidKeyLength }
        self.bytes = bytes
    }

    /// A fresh master key from `random` (always 32 bytes, so this cannot fail).
    public static func generate(using random: any RandomSource) -> MasterKey {
        MasterKey(validBytes: random.bytes(32))
    }

    private init(validBytes: [UInt8]) { bytes = validBytes }

    /// `K(a, e) = BLAKE2b(master_key, "ouderportaal/1 audience " || a || " " || e, 32)`.
    public func audienceKey(audience: String, epoch: Int) -> SymmetricKey {
        let label = Label.audience + audience + " " + String(epoch)
        return SymmetricKey(validBytes: BLAKE2b.hash(Array(label.utf8), key: bytes, length: 32))
    }

    /// Ed25519 seed of a token: `BLAKE2b(master_key, "ouderportaal/1 signing " || token_id, 32)`.
    public func signingSeed(tokenID: String) -> [UInt8] {
        BLAKE2b.hash(Array((Label.signing + tokenID).utf8), key: bytes, length: 32)
    }

    /// The publisher's Ed25519 seed: `BLAKE2b(master_key, "ouderportaal/2 publisher", 32)`.
    /// Derived, so a restore of keys/ restores it.
    public var publisherSeed: [UInt8] {
        BLAKE2b.hash(Array(Label.publisher.utf8), key: bytes, length: 32)
    }

    /// Key material of the school's VAPID key (Web Push, FORMAT.md "Push"):
    /// `BLAKE2b(master_key, "ouderportaal/2 vapid", 32)`, taken as a P-256 scalar.
    public var vapidSeed: [UInt8] {
        BLAKE2b.hash(Array(Label.vapid.utf8), key: bytes, length: 32)
    }

    /// A group's X25519 inbox key pair at inbox epoch `epoch` (FORMAT.md "Group inbox keys"):
    /// secret = `BLAKE2b(master_key, "ouderportaal/2 inbox " || group || " " || epoch, 32)`. Parents
    /// seal that group's reports to its public half; its teachers' keyslots carry the secret of
    /// the current and the previous epoch, and the school's computer derives every epoch.
    public func groupInboxKey(group: String, epoch: Int) -> X25519KeyPair {
        let label = Label.groupInbox + group + " " + String(epoch)
        do {
            return try X25519KeyPair(secretKey: BLAKE2b.hash(Array(label.utf8), key: bytes, length: 32))
        } catch {
            preconditionFailure("unreachable: BLAKE2b gives 32 bytes")
        }
    }

    /// Item key of a blob: `BLAKE2b(master_key, "ouderportaal/2 item " || hex(SHA-256(M)), 32)`.
    /// One key per content, independent of the epoch: a re-key leaves item blobs as they are.
    public func itemKey(for plaintext: [UInt8]) -> SymmetricKey {
        itemKey(contentHash: SHA256.hash(plaintext))
    }

    /// The same from a SHA-256 already computed (the build hashes each plaintext once).
    public func itemKey(contentHash: [UInt8]) -> SymmetricKey {
        let label = Label.item + Hex.encode(contentHash)
        return SymmetricKey(validBytes: BLAKE2b.hash(Array(label.utf8), key: bytes, length: 32))
    }

    /// Opaque id of a conference schedule, the only one the receiver sees:
    /// `hex(BLAKE2b(master_key, "ouderportaal/2 schedule " || logical_path, 16))`. Stable while
    /// the item keeps its path, so bookings keep matching across builds.
    public func scheduleID(logicalPath: String) -> String {
        Hex.encode(BLAKE2b.hash(Array((Label.schedule + logicalPath).utf8), key: bytes, length: 16))
    }

    /// Opaque id of a news item parents confirm reading (`confirm: true`), the only one the
    /// receiver sees: `hex(BLAKE2b(master_key, "ouderportaal/2 confirmation " || logical_path, 16))`.
    public func confirmationID(logicalPath: String) -> String {
        Hex.encode(BLAKE2b.hash(Array((Label.confirmation + logicalPath).utf8), key: bytes, length: 16))
    }

    /// Opaque id of a form, the only one the receiver sees (FORMAT.md "Forms and answers"):
    /// `hex(BLAKE2b(master_key, "ouderportaal/2 form " || logical_path, 16))`.
    public func formID(logicalPath: String) -> String {
        Hex.encode(BLAKE2b.hash(Array((Label.form + logicalPath).utf8), key: bytes, length: 16))
    }

    /// Opaque id of one shift of a form's shifts question:
    /// `hex(BLAKE2b(master_key, "ouderportaal/2 shift " || path || "\n" || question || "\n" || label, 8))`.
    /// Keyed by the label, so adding a shift does not move the places taken of the others.
    public func shiftID(logicalPath: String, question: String, label: String) -> String {
        Hex.encode(BLAKE2b.hash(Array((Label.shift + logicalPath + "\n" + question + "\n" + label).utf8), key: bytes, length: 8))
    }

    /// The key a family's answers are also sealed under, so both guardians read them (every
    /// keyslot of the family holds it): `BLAKE2b(master_key, "ouderportaal/2 family " || family, 32)`.
    public func familyKey(family: String) -> [UInt8] {
        BLAKE2b.hash(Array((Label.family + family).utf8), key: bytes, length: 32)
    }

    public static func == (lhs: MasterKey, rhs: MasterKey) -> Bool {
        constantTimeEqual(lhs.bytes, rhs.bytes)
    }

    public var description: String { "MasterKey(<secret>)" }
}

/// Associated data that binds an envelope to its place (FORMAT.md "Associated data").
public enum AssociatedData {
    /// `"ouderportaal/1 keyslot " || token_id`.
    public static func keyslot(tokenID: String) -> [UInt8] {
        Array((Label.keyslot + tokenID).utf8)
    }

    /// Format 1: `"ouderportaal/1 blob " || a || " " || e || " " || logical_path`.
    public static func blob(audience: String, epoch: Int, logicalPath: String) -> [UInt8] {
        Array((Label.blob + audience + " " + String(epoch) + " " + logicalPath).utf8)
    }

    /// Format 2 keyslot: `"ouderportaal/2 keyslot " || token_id`.
    public static func keyslotV2(tokenID: String) -> [UInt8] {
        Array((Label.keyslotV2 + tokenID).utf8)
    }

    /// Format 2 index: `"ouderportaal/2 index " || a || " " || e`.
    public static func index(audience: String, epoch: Int) -> [UInt8] {
        Array((Label.indexV2 + audience + " " + String(epoch)).utf8)
    }

    /// Format 2 page: `"ouderportaal/2 page " || a || " " || e || " " || page_id`.
    public static func page(audience: String, epoch: Int, pageID: String) -> [UInt8] {
        Array((Label.pageV2 + audience + " " + String(epoch) + " " + pageID).utf8)
    }

    /// Format 2 item or image blob: `"ouderportaal/2 blob"`.
    public static let itemBlob: [UInt8] = Array(Label.blobV2.utf8)
}

/// Audience ids appear inside labels and associated data separated by spaces, so FORMAT.md
/// restricts them to `[a-z0-9][a-z0-9-]*` (at most 64 characters).
public enum AudienceID {
    public static func isValid(_ id: String) -> Bool {
        let chars = Array(id.utf8)
        guard let first = chars.first, chars.count <= 64, first != UInt8(ascii: "-") else { return false }
        return chars.allSatisfy { c in
            (UInt8(ascii: "a")...UInt8(ascii: "z")).contains(c)
                || (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(c) || c == UInt8(ascii: "-")
        }
    }
}
