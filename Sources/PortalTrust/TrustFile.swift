// The receiver's trust file: what `portal generate` tells `portal-receiver` (token ids with their
// Ed25519 public keys, families, audiences and expiry; conference schedules; the admin and inbox
// public keys). It holds one secret, the school's VAPID key in `push`: it lets the receiver ask
// push services to wake the devices that subscribed with it (docs/SECURITY.md). Nothing in it
// opens content or forges a parent's request.
import Foundation
import PortalFiles

/// The trust file, format 1 (docs/RECEIVER.md "Trust file"). Keys are standard base64, instants
/// RFC 3339 UTC in whole seconds.
///
/// ```swift
/// let trust = TrustFile(
///     siteID: keystore.siteID, adminPublicKey: keystore.adminPublicKey,
///     inboxPublicKey: keystore.inboxPublicKey,
///     tokens: active.map { TrustFile.Token(id: $0.id, family: $0.family, audiences: $0.audiences,
///                                          expires: $0.expires,
///                                          publicKey: Ed25519.publicKey(seed: keystore.signingSeed(tokenID: $0.id))) },
///     schedules: [...])
/// try trust.write(to: URL(fileURLWithPath: "keys/trust.json"))
/// let again = try TrustFile.load(from: URL(fileURLWithPath: "keys/trust.json"))
/// ```
public struct TrustFile: Codable, Sendable, Equatable {
    public static let formatVersion = 1

    public var format: Int
    /// The site's 16-byte id (the same as in `site.json`).
    public var siteID: [UInt8]
    /// Ed25519 public key of the staff admin key (`portal inbox`, `portal bookings`).
    public var adminPublicKey: [UInt8]
    /// X25519 inbox public key that the parents' payloads are sealed to (informational: the
    /// receiver never opens them).
    public var inboxPublicKey: [UInt8]
    /// Ed25519 public key of the school's publisher (FORMAT.md "Signed documents"): a receiver
    /// that serves the site takes only releases it signed. Nil in files of older builds.
    public var publisherPublicKey: [UInt8]?
    /// When `portal generate` wrote the file.
    public var generated: Date
    public var tokens: [Token]
    public var schedules: [Schedule]
    /// News items parents confirm reading (`confirm: true`): the only ids the receiver stores
    /// confirmations for, each with the audience whose tokens may confirm it.
    public var confirmations: [Confirmation] = []

    public struct Confirmation: Codable, Sendable, Equatable {
        /// `MasterKey.confirmationID`: says nothing of the item's title or path.
        public var id: String
        public var audience: String

        public init(id: String, audience: String) {
            self.id = id
            self.audience = audience
        }
    }
    /// Forms parents answer (docs/RECEIVER.md "Forms"): ids, deadlines and places, never a text.
    public var forms: [Form] = []
    /// Features the school has not switched on (site.yaml `features:`): `absence`, `booking`,
    /// `forms`, `push`, `posting`, ...; the receiver refuses their requests (403 `feature_off`).
    public var featuresOff: [String] = []

    public struct Form: Codable, Sendable, Equatable {
        /// `MasterKey.formID`.
        public var id: String
        public var audience: String
        /// Answers are refused from this instant on.
        public var deadline: Date
        /// `child` or `family`.
        public var per: String
        public var shiftQuestions: [ShiftQuestion]

        /// One shifts question: the most shifts one answer may take of it, and its shifts.
        public struct ShiftQuestion: Codable, Sendable, Equatable {
            public var max: Int
            public var shifts: [Shift]

            public init(max: Int, shifts: [Shift]) {
                self.max = max
                self.shifts = shifts
            }
        }

        public struct Shift: Codable, Sendable, Equatable {
            /// `MasterKey.shiftID`: 16 hex digits.
            public var id: String
            public var places: Int

            public init(id: String, places: Int) {
                self.id = id
                self.places = places
            }
        }

        enum CodingKeys: String, CodingKey {
            case id, audience, deadline, per
            case shiftQuestions = "shift_questions"
        }

        public init(id: String, audience: String, deadline: Date, per: String, shiftQuestions: [ShiftQuestion] = []) {
            self.id = id
            self.audience = audience
            self.deadline = deadline
            self.per = per
            self.shiftQuestions = shiftQuestions
        }
    }

    /// How the receiver notifies devices (Web Push); nil in files of older builds: no pushes.
    public var push: Push?

    /// Web Push settings (docs/RECEIVER.md "Push").
    public struct Push: Codable, Sendable, Equatable {
        /// The VAPID key's 32-byte P-256 scalar (FORMAT.md "Push"; the keyslots hold its public half).
        public var vapidPrivateKey: [UInt8]
        /// The VAPID `sub` claim: `mailto:` the school's contact, so a push service can reach it.
        public var subject: String
        /// Quiet hours "HH:MM" in `timeZone`, and whether weekends are quiet all day.
        public var quietStart: String
        public var quietEnd: String
        public var quietWeekends: Bool
        public var timeZone: String

        public init(vapidPrivateKey: [UInt8], subject: String, quietStart: String, quietEnd: String, quietWeekends: Bool, timeZone: String) {
            self.vapidPrivateKey = vapidPrivateKey
            self.subject = subject
            self.quietStart = quietStart
            self.quietEnd = quietEnd
            self.quietWeekends = quietWeekends
            self.timeZone = timeZone
        }

        enum CodingKeys: String, CodingKey {
            case subject
            case vapidPrivateKey = "vapid_private_key"
            case quietStart = "quiet_start"
            case quietEnd = "quiet_end"
            case quietWeekends = "quiet_weekends"
            case timeZone = "time_zone"
        }

        public init(from decoder: any Decoder) throws {
            let c = try decoder.container(keyedBy: CodingKeys.self)
            vapidPrivateKey = try TrustFile.decodeBase64(c, .vapidPrivateKey)
            subject = try c.decode(String.self, forKey: .subject)
            quietStart = try c.decode(String.self, forKey: .quietStart)
            quietEnd = try c.decode(String.self, forKey: .quietEnd)
            quietWeekends = try c.decode(Bool.self, forKey: .quietWeekends)
            timeZone = try c.decode(String.self, forKey: .timeZone)
        }

        public func encode(to encoder: any Encoder) throws {
            var c = encoder.container(keyedBy: CodingKeys.self)
            try c.encode(Data(vapidPrivateKey).base64EncodedString(), forKey: .vapidPrivateKey)
            try c.encode(subject, forKey: .subject)
            try c.encode(quietStart, forKey: .quietStart)
            try c.encode(quietEnd, forKey: .quietEnd)
            try c.encode(quietWeekends, forKey: .quietWeekends)
            try c.encode(timeZone, forKey: .timeZone)
        }
    }

    /// One active token: not revoked, not expired when the file was written.
    public struct Token: Codable, Sendable, Equatable {
        /// Token id, 32 lowercase hex characters.
        public var id: String
        /// Tokens with the same family share the per-family booking limit.
        public var family: String
        /// Group ids (and/or `school`) the token may report absence for and book in.
        public var audiences: [String]
        /// The token stops working at this instant.
        public var expires: Date
        /// Ed25519 public key of the token's signing seed (32 bytes).
        public var publicKey: [UInt8]
        /// A device may register (`POST /api/v1/registrations`) until this instant; absent when
        /// the keystore already knows a registration or the token predates registration.
        public var registerBy: Date?
        /// `teacher` or `office` for a staff member's token: it may list its groups' sealed reports
        /// (`GET /api/v1/staff/...`) and may not report or book as a parent. Absent for parents.
        public var staff: String?

        public init(
            id: String, family: String, audiences: [String], expires: Date, publicKey: [UInt8], registerBy: Date? = nil,
            staff: String? = nil
        ) {
            self.staff = staff
            self.id = id
            self.family = family
            self.audiences = audiences
            self.expires = expires
            self.publicKey = publicKey
            self.registerBy = registerBy
        }

        enum CodingKeys: String, CodingKey {
            case id, family, audiences, expires, staff
            case publicKey = "public_key"
            case registerBy = "register_by"
        }

        public init(from decoder: any Decoder) throws {
            let c = try decoder.container(keyedBy: CodingKeys.self)
            id = try c.decode(String.self, forKey: .id)
            family = try c.decode(String.self, forKey: .family)
            audiences = try c.decode([String].self, forKey: .audiences)
            expires = try c.decode(Date.self, forKey: .expires)
            publicKey = try TrustFile.decodeBase64(c, .publicKey)
            registerBy = try c.decodeIfPresent(Date.self, forKey: .registerBy)
            staff = try c.decodeIfPresent(String.self, forKey: .staff)
        }

        public func encode(to encoder: any Encoder) throws {
            var c = encoder.container(keyedBy: CodingKeys.self)
            try c.encode(id, forKey: .id)
            try c.encode(family, forKey: .family)
            try c.encode(audiences, forKey: .audiences)
            try c.encode(expires, forKey: .expires)
            try c.encode(Data(publicKey).base64EncodedString(), forKey: .publicKey)
            try c.encodeIfPresent(registerBy, forKey: .registerBy)
            try c.encodeIfPresent(staff, forKey: .staff)
        }
    }

    /// A conference schedule that parents of `audience` may book.
    public struct Schedule: Codable, Sendable, Equatable {
        /// The schedule's opaque id (format 2: a keyed hash of its logical path; it says nothing of
        /// the conference's title).
        public var id: String
        /// Ids this schedule had before (format 1's logical paths), so that a receiver moves the
        /// bookings it holds under them to `id`. Only while such a schedule's slots lie ahead.
        public var formerIDs: [String]?
        /// The group whose parents may book.
        public var audience: String
        public var teacher: String
        public var opens: Date
        public var closes: Date
        /// Bookings one family may hold in this schedule (2 for twins).
        public var perFamily: Int
        /// No booking, cancel or move later than this many hours before the slot starts.
        public var minNoticeHours: Int
        public var slots: [Slot]

        public init(
            id: String, formerIDs: [String]? = nil, audience: String, teacher: String, opens: Date, closes: Date,
            perFamily: Int, minNoticeHours: Int, slots: [Slot]
        ) {
            self.id = id
            self.formerIDs = formerIDs
            self.audience = audience
            self.teacher = teacher
            self.opens = opens
            self.closes = closes
            self.perFamily = perFamily
            self.minNoticeHours = minNoticeHours
            self.slots = slots
        }

        enum CodingKeys: String, CodingKey {
            case id, audience, teacher, opens, closes, slots
            case formerIDs = "former_ids"
            case perFamily = "per_family"
            case minNoticeHours = "min_notice_hours"
        }
    }

    public struct Slot: Codable, Sendable, Equatable {
        /// Stable id within the schedule, e.g. `2027-02-09T18:30`.
        public var id: String
        public var start: Date
        public var end: Date

        public init(id: String, start: Date, end: Date) {
            self.id = id
            self.start = start
            self.end = end
        }
    }

    enum CodingKeys: String, CodingKey {
        case format, generated, tokens, schedules, push, confirmations, forms
        case featuresOff = "features_off"
        case siteID = "site_id"
        case adminPublicKey = "admin_public_key"
        case inboxPublicKey = "inbox_public_key"
        case publisherPublicKey = "publisher_public_key"
    }

    /// The convenience initializer `portal generate` uses: plain values, format 1.
    public init(
        siteID: [UInt8], adminPublicKey: [UInt8], inboxPublicKey: [UInt8], publisherPublicKey: [UInt8]? = nil,
        generated: Date = Date(), tokens: [Token], schedules: [Schedule], push: Push? = nil
    ) {
        self.push = push
        self.format = TrustFile.formatVersion
        self.siteID = siteID
        self.adminPublicKey = adminPublicKey
        self.inboxPublicKey = inboxPublicKey
        self.publisherPublicKey = publisherPublicKey
        self.generated = Date(timeIntervalSince1970: generated.timeIntervalSince1970.rounded(.down))
        self.tokens = tokens
        self.schedules = schedules
    }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        format = try c.decode(Int.self, forKey: .format)
        siteID = try TrustFile.decodeHex(c, .siteID)
        adminPublicKey = try TrustFile.decodeBase64(c, .adminPublicKey)
        inboxPublicKey = try TrustFile.decodeBase64(c, .inboxPublicKey)
        publisherPublicKey = c.contains(.publisherPublicKey) ? try TrustFile.decodeBase64(c, .publisherPublicKey) : nil
        generated = try c.decode(Date.self, forKey: .generated)
        tokens = try c.decode([Token].self, forKey: .tokens)
        schedules = try c.decode([Schedule].self, forKey: .schedules)
        push = try c.decodeIfPresent(Push.self, forKey: .push)
        confirmations = try c.decodeIfPresent([Confirmation].self, forKey: .confirmations) ?? []
        forms = try c.decodeIfPresent([Form].self, forKey: .forms) ?? []
        featuresOff = try c.decodeIfPresent([String].self, forKey: .featuresOff) ?? []
    }

    public func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(format, forKey: .format)
        try c.encode(TrustFile.hex(siteID), forKey: .siteID)
        try c.encode(Data(adminPublicKey).base64EncodedString(), forKey: .adminPublicKey)
        try c.encode(Data(inboxPublicKey).base64EncodedString(), forKey: .inboxPublicKey)
        if let publisherPublicKey { try c.encode(Data(publisherPublicKey).base64EncodedString(), forKey: .publisherPublicKey) }
        try c.encode(generated, forKey: .generated)
        try c.encode(tokens, forKey: .tokens)
        try c.encode(schedules, forKey: .schedules)
        try c.encodeIfPresent(push, forKey: .push)
        if !confirmations.isEmpty { try c.encode(confirmations, forKey: .confirmations) }
        if !forms.isEmpty { try c.encode(forms, forKey: .forms) }
        if !featuresOff.isEmpty { try c.encode(featuresOff, forKey: .featuresOff) }
    }

    // MARK: - Validation

    /// Every problem of the file, empty when it is valid: lengths of keys, token ids, unique ids,
    /// slot times, windows, limits.
    public func problems() -> [String] {
        var out: [String] = []
        if format != TrustFile.formatVersion {
            out.append("format is \(format), this receiver reads format \(TrustFile.formatVersion)")
        }
        if siteID.count != 16 { out.append("site_id must be 16 bytes, is \(siteID.count)") }
        if adminPublicKey.count != 32 { out.append("admin_public_key must be 32 bytes, is \(adminPublicKey.count)") }
        if inboxPublicKey.count != 32 { out.append("inbox_public_key must be 32 bytes, is \(inboxPublicKey.count)") }
        if let publisherPublicKey, publisherPublicKey.count != 32 {
            out.append("publisher_public_key must be 32 bytes, is \(publisherPublicKey.count)")
        }
        if let push {
            if push.vapidPrivateKey.count != 32 { out.append("push.vapid_private_key must be 32 bytes, is \(push.vapidPrivateKey.count)") }
            if !push.subject.hasPrefix("mailto:") && !push.subject.hasPrefix("https://") {
                out.append("push.subject must be a mailto: or https: address")
            }
            if TimeZone(identifier: push.timeZone) == nil { out.append("push.time_zone '\(push.timeZone)' is not a known time zone") }
            for (name, value) in [("quiet_start", push.quietStart), ("quiet_end", push.quietEnd)] {
                let parts = value.split(separator: ":", omittingEmptySubsequences: false)
                let valid = parts.count == 2 && parts.allSatisfy { $0.count == 2 && $0.allSatisfy(\.isASCII) }
                    && (Int(parts[0]).map { (0..<24).contains($0) } ?? false) && (Int(parts[1]).map { (0..<60).contains($0) } ?? false)
                if !valid { out.append("push.\(name) must be a time of day HH:MM, not '\(value)'") }
            }
        }
        var tokenIDs = Set<String>()
        for (i, t) in tokens.enumerated() {
            let at = "tokens[\(i)]"
            if !TrustFile.isTokenID(t.id) { out.append("\(at).id must be 32 lowercase hex characters: \"\(t.id)\"") }
            if !tokenIDs.insert(t.id).inserted { out.append("\(at).id \(t.id) occurs twice") }
            if t.family.isEmpty || t.family.utf8.count > 64 { out.append("\(at).family must be 1...64 bytes") }
            if t.audiences.isEmpty { out.append("\(at).audiences is empty") }
            for a in t.audiences where !TrustFile.isAudienceID(a) { out.append("\(at).audiences has an invalid id \"\(a)\"") }
            if t.publicKey.count != 32 { out.append("\(at).public_key must be 32 bytes, is \(t.publicKey.count)") }
            if let staff = t.staff, staff != "teacher", staff != "office" { out.append("\(at).staff must be teacher or office, not \"\(staff)\"") }
        }
        var scheduleIDs = Set<String>()
        for (i, s) in schedules.enumerated() {
            let at = "schedules[\(i)] (\(s.id))"
            if s.id.isEmpty || s.id.utf8.count > 200 { out.append("\(at).id must be 1...200 bytes") }
            if !scheduleIDs.insert(s.id).inserted { out.append("\(at).id occurs twice") }
            if !TrustFile.isAudienceID(s.audience) { out.append("\(at).audience is invalid: \"\(s.audience)\"") }
            if s.opens >= s.closes { out.append("\(at): opens must be before closes") }
            if s.perFamily < 1 { out.append("\(at).per_family must be at least 1") }
            if s.minNoticeHours < 0 { out.append("\(at).min_notice_hours must not be negative") }
            var slotIDs = Set<String>()
            for slot in s.slots {
                if slot.id.isEmpty || slot.id.utf8.count > 64 { out.append("\(at): slot id must be 1...64 bytes") }
                if !slotIDs.insert(slot.id).inserted { out.append("\(at): slot \(slot.id) occurs twice") }
                if slot.start >= slot.end { out.append("\(at): slot \(slot.id) starts after it ends") }
            }
        }
        var confirmationIDs = Set<String>()
        for (i, confirmation) in confirmations.enumerated() {
            let at = "confirmations[\(i)]"
            if !TrustFile.isTokenID(confirmation.id) { out.append("\(at).id must be 32 lowercase hex characters") }
            if !confirmationIDs.insert(confirmation.id).inserted { out.append("\(at).id \(confirmation.id) occurs twice") }
            if !TrustFile.isAudienceID(confirmation.audience) { out.append("\(at).audience is invalid: \"\(confirmation.audience)\"") }
        }
        var formIDs = Set<String>()
        for (i, form) in forms.enumerated() {
            let at = "forms[\(i)]"
            if !TrustFile.isTokenID(form.id) { out.append("\(at).id must be 32 lowercase hex characters") }
            if !formIDs.insert(form.id).inserted { out.append("\(at).id \(form.id) occurs twice") }
            if !TrustFile.isAudienceID(form.audience) { out.append("\(at).audience is invalid: \"\(form.audience)\"") }
            if form.per != "child" && form.per != "family" { out.append("\(at).per must be child or family") }
            var shiftIDs = Set<String>()
            for question in form.shiftQuestions {
                if question.max < 1 { out.append("\(at): a shift question's max must be at least 1") }
                for shift in question.shifts {
                    let hex = shift.id.utf8.count == 16 && shift.id.utf8.allSatisfy { (0x30...0x39).contains($0) || (0x61...0x66).contains($0) }
                    if !hex { out.append("\(at): shift id must be 16 lowercase hex characters") }
                    if !shiftIDs.insert(shift.id).inserted { out.append("\(at): shift \(shift.id) occurs twice") }
                    if shift.places < 1 { out.append("\(at): shift \(shift.id) has no places") }
                }
            }
        }
        return out
    }

    /// `[0-9a-f]{32}`.
    public static func isTokenID(_ id: String) -> Bool {
        id.utf8.count == 32 && id.utf8.allSatisfy { (0x30...0x39).contains($0) || (0x61...0x66).contains($0) }
    }

    /// `[a-z0-9][a-z0-9-]{0,63}` (FORMAT.md audience ids).
    public static func isAudienceID(_ id: String) -> Bool {
        let chars = Array(id.utf8)
        guard let first = chars.first, chars.count <= 64, first != UInt8(ascii: "-") else { return false }
        return chars.allSatisfy { (0x61...0x7a).contains($0) || (0x30...0x39).contains($0) || $0 == UInt8(ascii: "-") }
    }

    // MARK: - Load and write

    /// Reads and validates a trust file. Errors name the file and every problem.
    public static func load(from url: URL) throws(TrustFileError) -> TrustFile {
        let data: Data
        do {
            data = try Data(contentsOf: url)
        } catch {
            throw .unreadable(path: url.path, reason: error.localizedDescription)
        }
        return try decode(data, path: url.path)
    }

    /// Decodes and validates the JSON bytes of a trust file; `path` only names it in errors.
    public static func decode(_ data: Data, path: String = "<trust file>") throws(TrustFileError) -> TrustFile {
        let decoder = JSONDecoder()
        decoder.dateDecodingStrategy = .iso8601
        let trust: TrustFile
        do {
            trust = try decoder.decode(TrustFile.self, from: data)
        } catch let error as DecodingError {
            throw .invalidJSON(path: path, reason: describe(error))
        } catch {
            throw .invalidJSON(path: path, reason: "\(error)")
        }
        let problems = trust.problems()
        guard problems.isEmpty else { throw .invalid(path: path, problems: problems) }
        return trust
    }

    /// The JSON bytes (sorted keys, pretty, trailing newline).
    public func encoded() throws(TrustFileError) -> Data {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        encoder.dateEncodingStrategy = .iso8601
        do {
            return try encoder.encode(self) + Data("\n".utf8)
        } catch {
            throw .unwritable(path: "<memory>", reason: "cannot encode: \(error)")
        }
    }

    /// Validates, then writes atomically: temporary file in the same folder (mode 0644), fsync,
    /// rename over `url`, fsync of the folder. A running receiver picks it up on SIGHUP.
    public func write(to url: URL) throws(TrustFileError) {
        let problems = problems()
        guard problems.isEmpty else { throw .invalid(path: url.path, problems: problems) }
        let data = try encoded()
        do {
            // 0600: the file holds the VAPID key (push), a secret of the receiver.
            try AtomicFile.write(data, to: url.path, mode: 0o600)
        } catch {
            throw .unwritable(path: url.path, reason: error.reason)
        }
    }

    // MARK: - Helpers

    static func hex(_ bytes: [UInt8]) -> String {
        bytes.map { String(format: "%02x", $0) }.joined()
    }

    static func decodeHex<K: CodingKey>(_ c: KeyedDecodingContainer<K>, _ key: K) throws -> [UInt8] {
        let text = try c.decode(String.self, forKey: key)
        let chars = Array(text.utf8)
        guard chars.count % 2 == 0 else {
            throw DecodingError.dataCorruptedError(forKey: key, in: c, debugDescription: "not hex")
        }
        var out: [UInt8] = []
        var i = 0
        while i < chars.count {
            guard let byte = UInt8(String(decoding: chars[i..<(i + 2)], as: UTF8.self), radix: 16) else {
                throw DecodingError.dataCorruptedError(forKey: key, in: c, debugDescription: "not hex")
            }
            out.append(byte)
            i += 2
        }
        return out
    }

    static func decodeBase64<K: CodingKey>(_ c: KeyedDecodingContainer<K>, _ key: K) throws -> [UInt8] {
        let text = try c.decode(String.self, forKey: key)
        guard let data = Data(base64Encoded: text) else {
            throw DecodingError.dataCorruptedError(forKey: key, in: c, debugDescription: "not standard base64")
        }
        return Array(data)
    }

    static func describe(_ error: DecodingError) -> String {
        func path(_ keys: [any CodingKey]) -> String {
            keys.map { $0.intValue.map { "[\($0)]" } ?? "." + $0.stringValue }.joined()
        }
        switch error {
        case .keyNotFound(let key, let ctx): return "missing key \(path(ctx.codingPath + [key]))"
        case .typeMismatch(_, let ctx): return "wrong type at \(path(ctx.codingPath)): \(ctx.debugDescription)"
        case .valueNotFound(_, let ctx): return "null at \(path(ctx.codingPath))"
        case .dataCorrupted(let ctx): return "bad value at \(path(ctx.codingPath)): \(ctx.debugDescription)"
        @unknown default: return "\(error)"
        }
    }
}

/// Why a trust file cannot be used.
public enum TrustFileError: Error, Equatable, Sendable, CustomStringConvertible {
    case unreadable(path: String, reason: String)
    case invalidJSON(path: String, reason: String)
    case invalid(path: String, problems: [String])
    case unwritable(path: String, reason: String)

    public var description: String {
        switch self {
        case .unreadable(let path, let reason): return "\(path): cannot read the trust file: \(reason)"
        case .invalidJSON(let path, let reason): return "\(path): not a valid trust file: \(reason)"
        case .invalid(let path, let problems):
            return "\(path): invalid trust file:\n" + problems.map { "  - \($0)" }.joined(separator: "\n")
        case .unwritable(let path, let reason): return "\(path): cannot write the trust file: \(reason)"
        }
    }
}
