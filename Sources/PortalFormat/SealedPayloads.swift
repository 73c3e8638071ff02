// The personal fields parents send, HPKE-sealed in the browser to the school's inbox key
// (FORMAT.md "Sealed payloads"). The receiver stores them as they came; staff open them locally.
import Foundation
import PortalCrypto

/// `{"enc": b64(32 bytes), "ct": b64(ciphertext || tag), "kid": hex?}`, standard base64 with
/// padding. `kid` names the inbox key it was sealed to (`InboxKeyID`); absent for the school's
/// one inbox key (every payload before group inbox keys).
public struct SealedPayload: Codable, Sendable, Equatable {
    public var enc: [UInt8]
    public var ct: [UInt8]
    public var kid: String?

    public init(enc: [UInt8], ct: [UInt8], kid: String? = nil) {
        self.enc = enc
        self.ct = ct
        self.kid = kid
    }

    public enum CodingKeys: String, CodingKey, CaseIterable { case enc, ct, kid }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        guard let e = Base64Strict.decode(try c.decode(String.self, forKey: .enc)),
              let t = Base64Strict.decode(try c.decode(String.self, forKey: .ct))
        else { throw DecodingError.dataCorruptedError(forKey: .enc, in: c, debugDescription: "not base64") }
        let k = try c.decodeIfPresent(String.self, forKey: .kid)
        guard k.map(InboxKeyID.isValid) ?? true else {
            throw DecodingError.dataCorruptedError(forKey: .kid, in: c, debugDescription: "not 16 hex digits")
        }
        enc = e
        ct = t
        kid = k
    }

    public func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(Data(enc).base64EncodedString(), forKey: .enc)
        try c.encode(Data(ct).base64EncodedString(), forKey: .ct)
        try c.encodeIfPresent(kid, forKey: .kid)
    }

    /// The JSON object of the wire format.
    public var jsonObject: [String: String] {
        var object = ["enc": Data(enc).base64EncodedString(), "ct": Data(ct).base64EncodedString()]
        if let kid { object["kid"] = kid }
        return object
    }
}

/// The id of an inbox public key: `hex(SHA-256(public_key)[0..8])`. A sealed payload names the key
/// it was sealed to, so a teacher's app and `portal inbox` pick the right secret without trying
/// each (a wrong `kid` only makes the payload unopenable: the secret, not the id, decides).
public enum InboxKeyID {
    public static func of(publicKey: [UInt8]) -> String { Hex.encode(Array(SHA256.hash(publicKey).prefix(8))) }

    public static func isValid(_ text: String) -> Bool {
        text.utf8.count == 16 && text.utf8.allSatisfy { (0x30...0x39).contains($0) || (0x61...0x66).contains($0) }
    }
}

/// The inbox secrets one reader holds, by `kid`: the school's computer every group key of every
/// epoch and the school's own inbox key (payloads without a `kid`), a teacher's app the keys of
/// its keyslot.
public struct InboxKeyring: Sendable {
    public let school: [UInt8]?
    public let byKid: [String: [UInt8]]

    public init(school: [UInt8]?, byKid: [String: [UInt8]]) {
        self.school = school
        self.byKid = byKid
    }

    /// The secret `sealed` was sealed to, if this reader has it.
    public func secret(for sealed: SealedPayload) -> [UInt8]? {
        guard let kid = sealed.kid else { return school }
        return byKid[kid]
    }
}

/// HPKE labels and padding of the sealed payloads.
public enum SealedPayloadFormat {
    public static let absenceInfo = "ouderportaal/1 absence"
    public static let bookingInfo = "ouderportaal/1 booking"
    /// The plaintext JSON is right-padded with spaces (0x20) to a multiple of this many bytes, so
    /// the ciphertext length tells little about the name or note (JSON ignores the spaces).
    public static let padBlock = 128
    /// Largest accepted ciphertext (plaintext at most 4080 bytes after padding).
    public static let maxCiphertext = 4096

    public static func pad(_ json: [UInt8]) -> [UInt8] {
        let target = max(padBlock, (json.count + padBlock - 1) / padBlock * padBlock)
        return json + [UInt8](repeating: 0x20, count: target - json.count)
    }

    /// `value` as JSON with sorted keys, padded: the plaintext of every sealed payload.
    public static func paddedJSON<T: Encodable>(_ value: T) throws -> [UInt8] {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        return pad(Array(try encoder.encode(value)))
    }

    /// Seals `value` as padded JSON under `aad` (see `PayloadBinding`).
    public static func seal<T: Encodable>(
        _ value: T, info: String, aad: [UInt8], inboxPublicKey: [UInt8],
        random: some RandomSource = SystemRandom()
    ) throws -> SealedPayload {
        let json = try paddedJSON(value)
        let sealed = try HPKE.seal(
            plaintext: json, aad: aad, info: Array(info.utf8), recipientPublicKey: inboxPublicKey, random: random)
        return SealedPayload(enc: sealed.enc, ct: sealed.ciphertext)
    }

    public static func open<T: Decodable>(
        _ type: T.Type, _ sealed: SealedPayload, info: String, aad: [UInt8], inboxSecretKey: [UInt8]
    ) throws -> T {
        let plain = try HPKE.open(
            enc: sealed.enc, ciphertext: sealed.ct, aad: aad, info: Array(info.utf8), recipientSecretKey: inboxSecretKey)
        return try JSONDecoder().decode(T.self, from: Data(plain))
    }
}

/// What a sealed payload is bound to besides its sealed fields: the sending token, the kind, and
/// the fields that travel unsealed beside it (FORMAT.md "Sealed payloads"). A receiver that moves
/// a report to another group or other dates, or a booking to another slot, makes it unopenable.
///
/// ```swift
/// let binding = PayloadBinding.absence(group: "groep-5", from: "2027-02-01", to: "2027-02-01")
/// binding.associatedData(tokenID: id)   // "<id>\nabsence\ngroep-5\n2027-02-01\n2027-02-01"
/// ```
public enum PayloadBinding: Sendable, Equatable {
    case absence(group: String, from: String, to: String)
    case booking(schedule: String, slot: String)
    /// A staff member's post for a group, under the id the app chose; also the school's reason
    /// when it rejects that post.
    case post(group: String, id: String)
    /// A family's answer to a form, for one child (`""` for a form per family), taking these
    /// shifts (FORMAT.md "Forms and answers"; any order here, sorted in the aad).
    case answer(form: String, child: String, shifts: [String])

    public var kind: String {
        switch self {
        case .absence: return "absence"
        case .booking: return "booking"
        case .post: return "post"
        case .answer: return "answer"
        }
    }

    public var fields: [String] {
        switch self {
        case .absence(let group, let from, let to): return [group, from, to]
        case .booking(let schedule, let slot): return [schedule, slot]
        case .post(let group, let id): return [group, id]
        case .answer(let form, let child, let shifts): return [form, child, shifts.sorted().joined(separator: ",")]
        }
    }

    /// `token_id "\n" kind ("\n" field)*`, UTF-8.
    public func associatedData(tokenID: String) -> [UInt8] {
        Array(([tokenID, kind] + fields).joined(separator: "\n").utf8)
    }
}

/// What a parent seals to the inbox key; `sealInfo` is its HPKE info, so one kind does not open
/// as another.
public protocol SealedContent: Codable {
    static var sealInfo: String { get }
}

extension SealedContent {
    /// Seals to `inboxPublicKey`; `namingKey` adds its `kid` (group inbox keys do, the school's
    /// one inbox key leaves it out as before).
    public func seal(
        tokenID: String, binding: PayloadBinding, inboxPublicKey: [UInt8], namingKey: Bool = false,
        random: some RandomSource = SystemRandom()
    ) throws -> SealedPayload {
        var sealed = try SealedPayloadFormat.seal(
            self, info: Self.sealInfo, aad: binding.associatedData(tokenID: tokenID), inboxPublicKey: inboxPublicKey,
            random: random)
        if namingKey { sealed.kid = InboxKeyID.of(publicKey: inboxPublicKey) }
        return sealed
    }

    /// Opens a payload bound to `binding` (and to nothing else).
    public static func open(
        _ sealed: SealedPayload, tokenID: String, binding: PayloadBinding, inboxSecretKey: [UInt8]
    ) throws -> Self {
        try SealedPayloadFormat.open(
            Self.self, sealed, info: sealInfo, aad: binding.associatedData(tokenID: tokenID), inboxSecretKey: inboxSecretKey)
    }

    /// Like `open`, and for payloads sealed by an app from before the binding (aad = the token id
    /// alone) opens those too, saying so: `bound` is false for them, whose group and dates (or
    /// schedule and slot) a receiver could have changed.
    public static func openAllowingUnbound(
        _ sealed: SealedPayload, tokenID: String, binding: PayloadBinding, inboxSecretKey: [UInt8]
    ) throws -> (payload: Self, bound: Bool) {
        do {
            return (try open(sealed, tokenID: tokenID, binding: binding, inboxSecretKey: inboxSecretKey), true)
        } catch {
            let legacy = try? SealedPayloadFormat.open(
                Self.self, sealed, info: sealInfo, aad: Array(tokenID.utf8), inboxSecretKey: inboxSecretKey)
            guard let legacy else { throw error }
            return (legacy, false)
        }
    }
}

/// The sealed part of an absence report.
///
/// ```swift
/// let binding = PayloadBinding.absence(group: "groep-5", from: "2027-02-01", to: "2027-02-01")
/// let sealed = try AbsencePayload(child: "Sanne", reason: .ziek, note: "Koorts")
///     .seal(tokenID: id, binding: binding, inboxPublicKey: keyslotInboxKey)
/// let report = try AbsencePayload.open(sealed, tokenID: row.tokenID, binding: binding, inboxSecretKey: keystore.inboxSecretKey)
/// ```
public struct AbsencePayload: SealedContent, Sendable, Equatable {
    public enum Reason: String, Codable, Sendable, CaseIterable {
        case ziek, afspraak, anders
    }

    public var child: String
    public var reason: Reason
    public var note: String

    public init(child: String, reason: Reason, note: String = "") {
        self.child = child
        self.reason = reason
        self.note = note
    }

    enum CodingKeys: String, CodingKey { case child, reason, note }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        child = try c.decode(String.self, forKey: .child)
        reason = try c.decode(Reason.self, forKey: .reason)
        note = try c.decodeIfPresent(String.self, forKey: .note) ?? ""
    }

    public static let sealInfo = SealedPayloadFormat.absenceInfo
}

/// The sealed part of a booking: the child's name and an optional note for the teacher.
public struct BookingPayload: SealedContent, Sendable, Equatable {
    public var child: String
    public var note: String

    public init(child: String, note: String = "") {
        self.child = child
        self.note = note
    }

    enum CodingKeys: String, CodingKey { case child, note }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        child = try c.decode(String.self, forKey: .child)
        note = try c.decodeIfPresent(String.self, forKey: .note) ?? ""
    }

    public static let sealInfo = SealedPayloadFormat.bookingInfo
}

/// A staff member's post, sealed in the app to the school's inbox key (FORMAT.md "Staff posts"):
/// only the school's computer opens it, and `portal sync` writes it into content/.
public struct PostPayload: SealedContent, Sendable, Equatable {
    /// A news item (`groups/<g>/news/`), a calendar item (`groups/<g>/calendar/`) or a photo
    /// album (`groups/<g>/albums/<slug>/`).
    public enum Kind: String, Codable, Sendable { case news, event, album }

    /// A photo of the post: the upload that holds it (FORMAT.md "Staff uploads"; a JPEG the app
    /// re-encoded, so without the camera's metadata) and its caption.
    public struct Photo: Codable, Sendable, Equatable {
        public var part: String
        public var caption: String?
        /// Who is on it: ids of the group's children from the teacher's keyslot (`[]`: nobody);
        /// absent when the teacher did not say. `portal sync` writes their names (`children:`), so
        /// photo consent applies to teachers' photos too.
        public var children: [String]?

        public init(part: String, caption: String? = nil, children: [String]? = nil) {
            self.part = part
            self.caption = caption
            self.children = children
        }
    }

    /// A file of the post (a newsletter as PDF): the upload that holds it, as the teacher picked
    /// it (sealed as it is, like `attachments:` in content/), its file name and what parents see.
    public struct Attachment: Codable, Sendable, Equatable {
        public var part: String
        public var name: String
        public var title: String?

        public init(part: String, name: String, title: String? = nil) {
            self.part = part
            self.name = name
            self.title = title
        }
    }

    public var kind: Kind
    public var title: String
    /// Markdown, as content/ items have it (may be empty for an event).
    public var text: String
    /// News: `YYYY-MM-DD`, or nil for "now".
    public var date: String?
    public var urgent: Bool
    /// Event: `YYYY-MM-DD` (all day) or `YYYY-MM-DD HH:MM`; `end` the same form (the last day for
    /// an all-day item); `location` free text.
    public var start: String?
    public var end: String?
    public var location: String?
    /// News and albums: the photos, in order (an album has at least one).
    public var photos: [Photo]
    /// Any kind: files listed under the item.
    public var attachments: [Attachment]

    public init(
        kind: Kind = .news, title: String, text: String, date: String? = nil, urgent: Bool = false,
        start: String? = nil, end: String? = nil, location: String? = nil, photos: [Photo] = [], attachments: [Attachment] = []
    ) {
        self.photos = photos
        self.attachments = attachments
        self.kind = kind
        self.title = title
        self.text = text
        self.date = date
        self.urgent = urgent
        self.start = start
        self.end = end
        self.location = location
    }

    enum CodingKeys: String, CodingKey { case kind, title, text, date, urgent, start, end, location, photos, attachments }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        kind = try c.decode(Kind.self, forKey: .kind)
        title = try c.decode(String.self, forKey: .title)
        text = try c.decodeIfPresent(String.self, forKey: .text) ?? ""
        date = try c.decodeIfPresent(String.self, forKey: .date)
        urgent = try c.decodeIfPresent(Bool.self, forKey: .urgent) ?? false
        start = try c.decodeIfPresent(String.self, forKey: .start)
        end = try c.decodeIfPresent(String.self, forKey: .end)
        location = try c.decodeIfPresent(String.self, forKey: .location)
        photos = try c.decodeIfPresent([Photo].self, forKey: .photos) ?? []
        attachments = try c.decodeIfPresent([Attachment].self, forKey: .attachments) ?? []
    }

    public func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(kind, forKey: .kind)
        try c.encode(title, forKey: .title)
        try c.encode(text, forKey: .text)
        try c.encodeIfPresent(date, forKey: .date)
        try c.encode(urgent, forKey: .urgent)
        try c.encodeIfPresent(start, forKey: .start)
        try c.encodeIfPresent(end, forKey: .end)
        try c.encodeIfPresent(location, forKey: .location)
        if !photos.isEmpty { try c.encode(photos, forKey: .photos) }
        if !attachments.isEmpty { try c.encode(attachments, forKey: .attachments) }
    }

    public static let sealInfo = "ouderportaal/2 post"
    /// Largest sealed post (plaintext padded to 128 bytes): a long newsletter text fits.
    public static let maxCiphertext = 65536
}

/// Why the school did not publish a post, sealed by `portal drafts reject` to the group's inbox
/// key and bound to the teacher's token and the post: the teacher's app opens it, the receiver cannot.
public struct PostReasonPayload: SealedContent, Sendable, Equatable {
    public var reason: String

    public init(reason: String) { self.reason = reason }

    public static let sealInfo = "ouderportaal/2 post-reason"
}

/// A family's answer to a form (FORMAT.md "Forms and answers"): sealed once to the group's inbox
/// key for staff (`seal`) and once under the family key for the family's other devices and
/// guardian (`FamilyCopy`), both under the same associated data.
public struct AnswerPayload: SealedContent, Sendable, Equatable {
    /// One answer: yes/no, an option or a text, or a list of options or shift ids.
    public enum Value: Codable, Sendable, Equatable, CustomStringConvertible {
        case yes(Bool)
        case text(String)
        case list([String])

        public init(from decoder: any Decoder) throws {
            let c = try decoder.singleValueContainer()
            if let value = try? c.decode(Bool.self) {
                self = .yes(value)
            } else if let value = try? c.decode(String.self) {
                self = .text(value)
            } else {
                self = .list(try c.decode([String].self))
            }
        }

        public func encode(to encoder: any Encoder) throws {
            var c = encoder.singleValueContainer()
            switch self {
            case .yes(let value): try c.encode(value)
            case .text(let value): try c.encode(value)
            case .list(let value): try c.encode(value)
            }
        }

        public var description: String {
            switch self {
            case .yes(let value): return value ? "ja" : "nee"
            case .text(let value): return value
            case .list(let value): return value.joined(separator: ", ")
            }
        }
    }

    /// The child's name as the family sees it (the class list's, or typed); empty per family.
    public var child: String
    /// The answering guardian's name under a permission slip; empty when the form asks none.
    public var guardian: String
    /// By question key; a question left open is absent.
    public var answers: [String: Value]

    public init(child: String, guardian: String = "", answers: [String: Value]) {
        self.child = child
        self.guardian = guardian
        self.answers = answers
    }

    enum CodingKeys: String, CodingKey { case child, guardian, answers }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        child = try c.decodeIfPresent(String.self, forKey: .child) ?? ""
        guardian = try c.decodeIfPresent(String.self, forKey: .guardian) ?? ""
        answers = try c.decode([String: Value].self, forKey: .answers)
    }

    public static let sealInfo = "ouderportaal/2 answer"

    /// Seals the family's copy: AES-256-GCM under the family key with a random 12-byte nonce, the
    /// same padded JSON and associated data as the staff's copy.
    public func sealCopy(
        tokenID: String, binding: PayloadBinding, familyKey: [UInt8], random: some RandomSource = SystemRandom()
    ) throws -> FamilyCopy {
        let plain = try SealedPayloadFormat.paddedJSON(self)
        let nonce = random.bytes(12)
        let ct = try AES256GCM.encrypt(
            key: familyKey, nonce: nonce, plaintext: plain, associatedData: binding.associatedData(tokenID: tokenID))
        return FamilyCopy(nonce: nonce, ct: ct)
    }

    public static func openCopy(_ copy: FamilyCopy, tokenID: String, binding: PayloadBinding, familyKey: [UInt8]) throws -> Self {
        let plain = try AES256GCM.decrypt(
            key: familyKey, nonce: copy.nonce, ciphertext: copy.ct, associatedData: binding.associatedData(tokenID: tokenID))
        return try JSONDecoder().decode(Self.self, from: Data(plain))
    }
}

/// `{"nonce": b64(12 bytes), "ct": b64(ciphertext || tag)}`: an answer sealed under the family key.
public struct FamilyCopy: Codable, Sendable, Equatable {
    public var nonce: [UInt8]
    public var ct: [UInt8]

    public init(nonce: [UInt8], ct: [UInt8]) {
        self.nonce = nonce
        self.ct = ct
    }

    public enum CodingKeys: String, CodingKey, CaseIterable { case nonce, ct }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        guard let n = Base64Strict.decode(try c.decode(String.self, forKey: .nonce)), n.count == 12,
              let t = Base64Strict.decode(try c.decode(String.self, forKey: .ct))
        else { throw DecodingError.dataCorruptedError(forKey: .nonce, in: c, debugDescription: "not base64 of a 12-byte nonce") }
        nonce = n
        ct = t
    }

    public func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(Data(nonce).base64EncodedString(), forKey: .nonce)
        try c.encode(Data(ct).base64EncodedString(), forKey: .ct)
    }
}
