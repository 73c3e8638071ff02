// The secret keystore `keys/keystore.json`: site id, master key, inbox and admin keys, audience
// epochs and the token registry. Directory 0700, file 0600, saved atomically.
//
// keystore.json, version 1 (bytes are standard base64, dates ISO 8601 UTC in whole seconds):
//   { "version": 1, "created": date,
//     "site_id": 16 bytes, "master_key": 32 bytes,
//     "inbox_secret_key": 32 bytes, "inbox_public_key": 32 bytes (X25519),
//     "admin_signing_seed": 32 bytes (Ed25519),
//     "epochs": {"<audience>": n, ...}          (absent audiences are at epoch 1)
//     "expiry_rotated": ["<token id>", ...]     (expired or lapsed tokens whose epochs were already bumped)
//     "inbox_epochs": {"<group>": {"epoch": n, "since": date}, ...}   (group inbox keys; absent: epoch 1)
//     "tokens": [{"id", "token", "label"?, "family", "audiences", "issued", "expires", "revoked"?,
//                 "email"?, "registerBy"?, "registered"?, "staff"?}],
//     "children": [{"id", "family", "name", "group", "added", "left"?}]   (the class list's children; absent: none) }
import Foundation
import PortalCrypto
import PortalFormat
import PortalFiles

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// The school's keystore. A value: change it with the `mutating` functions, then `save()`.
///
/// ```swift
/// var keys = try Keystore.openOrCreate(at: URL(fileURLWithPath: "keys"))
/// let (token, record) = try keys.issueToken(audiences: ["school", "groep-5"], label: "Fam. Jansen")
/// try keys.save()
/// print(token.text, record.id)
/// ```
public struct Keystore: Sendable {
    public static let fileName = "keystore.json"
    public static let formatVersion = 1
    public static let directoryMode = 0o700
    public static let fileMode = 0o600
    /// Tokens live until 1 August (the end of the Dutch school year), at least this long.
    public static let minimumDefaultLifetime: TimeInterval = 30 * 24 * 3600
    /// The registration week: a device must register with a new token within this time.
    public static let defaultRegistrationPeriod: TimeInterval = 7 * 24 * 3600

    public let directory: URL
    /// Public 16-byte site id (`site.json`), the HKDF salt of token derivations.
    public let siteID: [UInt8]
    public let masterKey: MasterKey
    /// The school's X25519 inbox key pair (the public half goes into `site.json`).
    public let inbox: X25519KeyPair
    /// Ed25519 seed of the staff admin key (receiver administration).
    public let adminSigningSeed: [UInt8]
    public let created: Date
    /// Audience id -> current epoch; audiences not listed are at epoch 1.
    public private(set) var epochs: [String: Int]
    /// Token ids whose expiry (or lapsed registration) has already bumped their audiences' epochs.
    public private(set) var expiryRotated: Set<String>
    /// Group id -> its inbox epoch and since when (FORMAT.md "Group inbox keys"); separate from
    /// the audience epochs, so that re-keying a group's content does not hide its reports.
    public private(set) var inboxEpochs: [String: InboxEpoch]
    /// The school's time zone (site.yaml `timezone`): default expiry dates end at midnight there.
    /// Not stored in the keystore; commands set it from the site they work on.
    public var timeZone: TimeZone = Keystore.defaultTimeZone
    /// Internal (not private) only so that tests can plant records with chosen ids.
    var records: [TokenRecord]
    /// The class list's children (Children.swift), each with the opaque id it keeps across imports.
    public internal(set) var children: [ChildRecord] = []
    let random: any RandomSource
    let clock: any WallClock
    private let disk: DiskState

    public var fileURL: URL { directory.appendingPathComponent(Keystore.fileName) }
    public var inboxPublicKey: [UInt8] { inbox.publicKey }
    public var inboxSecretKey: [UInt8] { inbox.secretKey }
    public var adminPublicKey: [UInt8] { Ed25519.publicKey(seed: adminSigningSeed) }

    // MARK: - Create and open

    /// Creates a new keystore in `directory` (made with mode 0700, or an existing empty
    /// directory) and saves it. Throws `.alreadyExists` if the directory holds anything.
    public static func create(
        at directory: URL, random: any RandomSource = SystemRandom(), clock: any WallClock = SystemClock()
    ) throws(KeystoreError) -> Keystore {
        let path = directory.path
        let fm = FileManager.default
        var isDir: ObjCBool = false
        if fm.fileExists(atPath: path, isDirectory: &isDir) {
            guard isDir.boolValue else { throw .notADirectory(path: path) }
            guard try listing(of: directory).isEmpty else { throw .alreadyExists(path: path) }
        }
        do {
            try PrivateDirectory.make(path, tightening: true)
        } catch {
            throw .io(path: path, reason: "cannot create the keystore directory: \(error)")
        }
        let store = Keystore(
            directory: directory,
            siteID: random.bytes(16),
            masterKey: MasterKey.generate(using: random),
            inbox: X25519KeyPair.generate(using: random),
            adminSigningSeed: random.bytes(32),
            created: wholeSeconds(clock.now()),
            epochs: [:], expiryRotated: [], inboxEpochs: [:], records: [],
            random: random, clock: clock, disk: DiskState(digest: nil))
        try store.save()
        return store
    }

    /// Opens an existing keystore. Checks permissions (0700/0600), JSON, version, every key
    /// length and every token record.
    public static func open(
        at directory: URL, random: any RandomSource = SystemRandom(), clock: any WallClock = SystemClock()
    ) throws(KeystoreError) -> Keystore {
        let path = directory.path
        let fm = FileManager.default
        var isDir: ObjCBool = false
        guard fm.fileExists(atPath: path, isDirectory: &isDir) else { throw .missing(path: path) }
        guard isDir.boolValue else { throw .notADirectory(path: path) }
        let file = directory.appendingPathComponent(fileName)
        guard fm.fileExists(atPath: file.path) else {
            let found = try listing(of: directory)
            if found.isEmpty { throw .missing(path: file.path) }
            throw .incomplete(path: path, found: found)
        }
        do {
            try PrivateDirectory.check(path)
        } catch {
            if case .openToOthers(_, let mode) = error {
                throw .insecurePermissions(path: path, mode: mode, expected: directoryMode)
            }
            throw .io(path: path, reason: "\(error)")
        }
        try checkMode(path: file.path, expected: fileMode)
        let data: Data
        do {
            data = try Data(contentsOf: file)
        } catch {
            throw .io(path: file.path, reason: "cannot read: \(error.localizedDescription)")
        }
        return try decode(data, directory: directory, random: random, clock: clock)
    }

    /// Opens the keystore, or creates one if `directory` does not exist or is empty. A
    /// directory with other files but no valid keystore is an error, never a new keystore.
    public static func openOrCreate(
        at directory: URL, random: any RandomSource = SystemRandom(), clock: any WallClock = SystemClock()
    ) throws(KeystoreError) -> Keystore {
        var isDir: ObjCBool = false
        if FileManager.default.fileExists(atPath: directory.path, isDirectory: &isDir) {
            if !isDir.boolValue { throw .notADirectory(path: directory.path) }
            if !(try listing(of: directory)).isEmpty { return try open(at: directory, random: random, clock: clock) }
        }
        return try create(at: directory, random: random, clock: clock)
    }

    private init(
        directory: URL, siteID: [UInt8], masterKey: MasterKey, inbox: X25519KeyPair, adminSigningSeed: [UInt8],
        created: Date, epochs: [String: Int], expiryRotated: Set<String>, inboxEpochs: [String: InboxEpoch],
        records: [TokenRecord], random: any RandomSource, clock: any WallClock, disk: DiskState
    ) {
        self.inboxEpochs = inboxEpochs
        self.directory = directory
        self.siteID = siteID
        self.masterKey = masterKey
        self.inbox = inbox
        self.adminSigningSeed = adminSigningSeed
        self.created = created
        self.epochs = epochs
        self.expiryRotated = expiryRotated
        self.records = records
        self.random = random
        self.clock = clock
        self.disk = disk
    }

    // MARK: - Audiences

    /// Current epoch of an audience (1 until a revocation bumps it).
    public func epoch(of audience: String) -> Int { epochs[audience] ?? 1 }

    /// `K(audience, epoch(of: audience))`.
    public func audienceKey(_ audience: String) -> SymmetricKey {
        masterKey.audienceKey(audience: audience, epoch: epoch(of: audience))
    }

    /// The Ed25519 seed of a token (FORMAT.md "Signing seed").
    public func signingSeed(tokenID: String) -> [UInt8] { masterKey.signingSeed(tokenID: tokenID) }

    // MARK: - Tokens

    /// Issues a token for `audiences`. `expires` defaults to `defaultExpiry(issuedAt:)`, `family`
    /// to a fresh random id, `registerBy` to 7 days after issue (never later than `expires`).
    /// `email` is where the invitation letter goes. The caller saves.
    public mutating func issueToken(
        audiences: [String], label: String? = nil, expires: Date? = nil, family: String? = nil,
        registerBy: Date? = nil, email: String? = nil, staff: StaffRole? = nil
    ) throws(KeystoreError) -> (token: Token, record: TokenRecord) {
        var unique: [String] = []
        for audience in audiences where !unique.contains(audience) {
            guard AudienceID.isValid(audience) else { throw .invalidAudience(audience) }
            unique.append(audience)
        }
        guard !unique.isEmpty else { throw .noAudiences }
        if let family, family.isEmpty || family.count > 64 || family.unicodeScalars.contains(where: {
            $0.properties.generalCategory == .control
        }) {
            throw .invalidFamily(family)
        }
        let issued = Keystore.wholeSeconds(clock.now())
        let expiry = expires.map(Keystore.wholeSeconds) ?? Keystore.defaultExpiry(issuedAt: issued, in: timeZone)
        guard expiry > issued else { throw .expiryNotInFuture(expires: expiry, issued: issued) }
        let deadline: Date
        if let registerBy {
            deadline = Keystore.wholeSeconds(registerBy)
            // A deadline in the past would make a token that can never work.
            guard deadline > issued else { throw .registerByNotInFuture(registerBy: deadline, issued: issued) }
            guard deadline <= expiry else { throw .registerByAfterExpiry(registerBy: deadline, expires: expiry) }
        } else {
            deadline = min(issued.addingTimeInterval(Keystore.defaultRegistrationPeriod), expiry)
        }
        let source: any RandomSource = random
        var token = Keystore.newToken(source)
        var id = token.id(siteID: siteID)
        while records.contains(where: { $0.id == id }) {  // 128-bit ids do not collide; this makes it certain
            token = Keystore.newToken(source)
            id = token.id(siteID: siteID)
        }
        let record = TokenRecord(
            id: id, token: token.text, label: label, family: family ?? Hex.encode(random.bytes(8)),
            audiences: unique, issued: issued, expires: expiry, email: email, registerBy: deadline, staff: staff)
        records.append(record)
        return (token, record)
    }

    private static func newToken(_ random: some RandomSource) -> Token { Token.generate(using: random) }

    /// All tokens in issue order.
    public func tokens() -> [TokenRecord] { records }

    /// Tokens that get a keyslot at `date`: not revoked, not expired, and registered unless still
    /// in their registration week (`TokenRecord.isUsable(at:)`).
    public func activeTokens(at date: Date) -> [TokenRecord] { records.filter { $0.isUsable(at: date) } }

    /// The record with exactly this id, or the only one starting with this prefix (>= 6 hex chars).
    public func token(id prefix: String) throws(KeystoreError) -> TokenRecord {
        records[try index(of: prefix)]
    }

    /// Revokes a token (full id or unique prefix of >= 6 hex characters) and bumps the epoch of
    /// each of its audiences, `school` included (every keyslot carries the school key), so the
    /// next generate re-seals them under fresh keys. The caller saves.
    @discardableResult
    public mutating func revoke(id prefix: String) throws(KeystoreError) -> TokenRecord {
        let i = try index(of: prefix)
        if let at = records[i].revoked { throw .alreadyRevoked(id: records[i].id, at: at) }
        let now = Keystore.wholeSeconds(clock.now())
        records[i].revoked = now
        rekey(losing: records[i], at: now)
        return records[i]
    }

    // MARK: - Group inbox keys

    /// How long a group inbox key is current before the next build rotates it.
    public static let inboxKeyLifetime: TimeInterval = 7 * 24 * 3600

    /// The current inbox epoch of a group (1 until the first rotation).
    public func inboxEpoch(of group: String) -> Int { inboxEpochs[group]?.epoch ?? 1 }

    /// The group's inbox key pair at `epoch` (default: the current one).
    public func groupInboxKey(_ group: String, epoch: Int? = nil) -> X25519KeyPair {
        masterKey.groupInboxKey(group: group, epoch: epoch ?? inboxEpoch(of: group))
    }

    /// The groups (audiences other than `school`) of a token.
    public static func groups(of record: TokenRecord) -> [String] { record.audiences.filter { $0 != "school" } }

    /// Rotates the inbox key of every group in `groups` whose key has been current for
    /// `inboxKeyLifetime`; a group seen for the first time starts its clock at `date` (epoch 1).
    /// Returns the groups whose epoch moved. Call it before each build; the caller saves.
    @discardableResult
    public mutating func rotateInboxKeys(groups: [String], at date: Date) -> [String] {
        var rotated: [String] = []
        let now = Keystore.wholeSeconds(date)
        for group in groups.sorted() where group != "school" {
            guard let current = inboxEpochs[group] else {
                inboxEpochs[group] = InboxEpoch(epoch: 1, since: now)
                continue
            }
            if now.timeIntervalSince(current.since) >= Keystore.inboxKeyLifetime {
                inboxEpochs[group] = InboxEpoch(epoch: current.epoch + 1, since: now)
                rotated.append(group)
            }
        }
        return rotated
    }

    /// The groups that any token names, and those with an inbox epoch already.
    public func inboxGroups() -> [String] {
        Set(records.flatMap(Keystore.groups(of:))).union(inboxEpochs.keys).sorted()
    }

    /// A token's device kept what its keyslot held: every audience it read gets a new epoch, and
    /// for a staff token its groups' inbox keys too, so reports from the next build on are sealed
    /// to keys that device never had.
    mutating func rekey(losing record: TokenRecord, at date: Date) {
        bumpEpochs(of: Keystore.keyedAudiences(of: record))
        if record.staff != nil { bumpInboxEpochs(of: Keystore.groups(of: record), at: date) }
    }

    mutating func bumpInboxEpochs(of groups: [String], at date: Date) {
        for group in groups {
            inboxEpochs[group] = InboxEpoch(epoch: inboxEpoch(of: group) + 1, since: Keystore.wholeSeconds(date))
        }
    }

    /// An office token reads every group: its audiences follow site.yaml's groups (called by each
    /// build). Returns true when a record changed; the caller saves.
    @discardableResult
    public mutating func updateOfficeAudiences(groups: [String]) -> Bool {
        var changed = false
        for i in records.indices where records[i].staff == .office {
            let wanted = ["school"] + groups.filter { $0 != "school" }
            if records[i].audiences != wanted {
                records[i].audiences = wanted
                changed = true
            }
        }
        return changed
    }

    /// Every inbox secret the school's computer can open with, by `kid`: the school's one inbox
    /// key and each group's key of every epoch up to the current one (`portal inbox` reads all).
    public func inboxSecrets(groups: [String]) -> [String: [UInt8]] {
        var out = [InboxKeyID.of(publicKey: inbox.publicKey): inbox.secretKey]
        for group in Set(groups).union(inboxGroups()) where group != "school" {
            for epoch in 1...max(1, inboxEpoch(of: group)) {
                let pair = masterKey.groupInboxKey(group: group, epoch: epoch)
                out[InboxKeyID.of(publicKey: pair.publicKey)] = pair.secretKey
            }
        }
        return out
    }

    /// A token that expired still has its audience keys in the parents' browsers; bump the epochs
    /// of the audiences of every token that expired (and was not revoked) since the last call, so
    /// that content sealed from now on is out of its reach. The same holds for a token whose
    /// registration week ended without a registration: a device may have unlocked with it once.
    /// Each token bumps its audiences once. Call it before each generate; returns the audiences
    /// whose epoch changed. The caller saves.
    @discardableResult
    public mutating func rotateForExpiredTokens(at date: Date) -> [String] {
        var bumped: [String] = []
        var staffGroups: [String] = []
        for record in records where record.revoked == nil
            && (record.expires <= date || record.registrationLapsed(at: date))
            && !expiryRotated.contains(record.id) {
            expiryRotated.insert(record.id)
            for audience in Keystore.keyedAudiences(of: record) where !bumped.contains(audience) { bumped.append(audience) }
            if record.staff != nil { for group in Keystore.groups(of: record) where !staffGroups.contains(group) { staffGroups.append(group) } }
        }
        bumpEpochs(of: bumped)
        bumpInboxEpochs(of: staffGroups, at: date)
        return bumped
    }

    /// The audiences whose keys a token's keyslot holds: `school` and the token's groups.
    public static func keyedAudiences(of record: TokenRecord) -> [String] {
        var audiences = ["school"]
        for audience in record.audiences where !audiences.contains(audience) { audiences.append(audience) }
        return audiences
    }

    /// Records that a device registered with token `id` at `date` (from `portal sync`); the
    /// earliest registration wins. Returns true when the record changed. A token that had lapsed
    /// because the registration was not yet synced gets its keyslot back at the next generate;
    /// its earlier bump stays (harmless), and it is forgotten so that its expiry bumps again.
    @discardableResult
    public mutating func recordRegistration(id: String, at date: Date) throws(KeystoreError) -> Bool {
        guard let i = records.firstIndex(where: { $0.id == id }) else { throw .unknownToken(id) }
        let at = Keystore.wholeSeconds(date)
        if let existing = records[i].registered, existing <= at { return false }
        records[i].registered = at
        if records[i].expires > clock.now() { expiryRotated.remove(records[i].id) }
        return true
    }

    /// A new token for the same family, label, e-mail, groups and expiry (a fresh registration
    /// week from now, or `registerBy`), for a parent whose code lapsed or was lost. The old token
    /// is revoked if it still works (its audiences are re-keyed); one that already lapsed or
    /// expired was re-keyed then and is only marked revoked. The caller saves.
    ///
    /// ```swift
    /// let (token, new, old) = try keys.reissue(id: "3f9a1c")
    /// try keys.save()
    /// ```
    public mutating func reissue(
        id prefix: String, registerBy: Date? = nil
    ) throws(KeystoreError) -> (token: Token, record: TokenRecord, old: TokenRecord) {
        let i = try index(of: prefix)
        let now = Keystore.wholeSeconds(clock.now())
        let old = records[i]
        let expiry = old.expires > now ? old.expires : Keystore.defaultExpiry(issuedAt: now, in: timeZone)
        let issued = try issueToken(
            audiences: old.audiences, label: old.label, expires: expiry, family: old.family, registerBy: registerBy,
            email: old.email, staff: old.staff)
        if old.revoked == nil {
            records[i].revoked = now
            if !expiryRotated.contains(old.id) { rekey(losing: old, at: now) }
        }
        return (issued.token, issued.record, records[i])
    }

    mutating func bumpEpochs(of audiences: [String]) {
        for audience in audiences { epochs[audience] = epoch(of: audience) + 1 }
    }

    private func index(of prefix: String) throws(KeystoreError) -> Int {
        let wanted = prefix.trimmingCharacters(in: .whitespaces).lowercased()
        guard wanted.count >= 6, Hex.decode(wanted.count % 2 == 0 ? wanted : wanted + "0") != nil else {
            throw .tokenIDTooShort(prefix)
        }
        let matches = records.indices.filter { records[$0].id.hasPrefix(wanted) }
        guard !matches.isEmpty else { throw .unknownToken(wanted) }
        guard matches.count == 1 else { throw .ambiguousToken(prefix: wanted, matches: matches.map { records[$0].id }) }
        return matches[0]
    }

    /// The school's time zone when no site.yaml says otherwise.
    public static let defaultTimeZone = TimeZone(identifier: "Europe/Amsterdam") ?? TimeZone(secondsFromGMT: 3600)!

    /// The opaque family id for a household key the school chose (a class list's `family_id`):
    /// `hex(BLAKE2b(master_key, "ouderportaal/1 family " || key, 8))`. The same key gives the same
    /// id at every import; the key itself (often a surname) never reaches the trust file or the
    /// receiver, and different keys give unrelated ids.
    public func familyID(forKey key: String) -> String {
        Hex.encode(BLAKE2b.hash(Array(("ouderportaal/1 family " + key).utf8), key: masterKey.bytes, length: 8))
    }

    /// The family id of an issued token (the id or a unique prefix of at least 6 characters), so
    /// that another parent of the same household shares its booking limit.
    public func family(ofToken prefix: String) throws(KeystoreError) -> String {
        records[try index(of: prefix)].family
    }

    /// 1 August 00:00 in the school's time zone (the end of the Dutch school year) after `issued`,
    /// at least 30 days later: a token issued on 10 July 2026 expires on 1 August 2027.
    public static func defaultExpiry(issuedAt issued: Date, in timeZone: TimeZone = defaultTimeZone) -> Date {
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = timeZone
        var year = calendar.component(.year, from: issued)
        while true {
            if let candidate = calendar.date(from: DateComponents(year: year, month: 8, day: 1)),
               candidate >= issued.addingTimeInterval(minimumDefaultLifetime) {
                return candidate
            }
            year += 1
        }
    }

    static func wholeSeconds(_ date: Date) -> Date {
        Date(timeIntervalSince1970: date.timeIntervalSince1970.rounded(.down))
    }

    // MARK: - Save

    /// Writes `keystore.json` atomically: a temporary file (0600) in the same directory, fsync,
    /// rename over the old file, fsync of the directory. Refuses (`.changedOnDisk`) if another
    /// command saved the keystore after this one was opened, so no issued token is lost.
    public func save() throws(KeystoreError) {
        let file = fileURL
        let data = try encode()
        try disk.withLock { (digest: inout [UInt8]?) throws(KeystoreError) in
            let current = try? Data(contentsOf: file)
            let onDisk = current.map { SHA256.hash(Array($0)) }
            guard onDisk == digest else { throw .changedOnDisk(path: file.path) }
            try Keystore.writeAtomically(data, to: file)
            digest = SHA256.hash(Array(data))
        }
    }

    private static func writeAtomically(_ data: Data, to file: URL) throws(KeystoreError) {
        do {
            try AtomicFile.write(data, to: file.path, mode: mode_t(fileMode))
        } catch {
            throw .io(path: file.path, reason: "cannot write the keystore: \(error.reason)")
        }
    }

    // MARK: - Encoding

    private struct File: Codable {
        var version: Int
        var created: Date
        var siteID: String
        var masterKey: String
        var inboxSecretKey: String
        var inboxPublicKey: String
        var adminSigningSeed: String
        var epochs: [String: Int]
        var expiryRotated: [String]?
        var inboxEpochs: [String: InboxEpoch]?
        var tokens: [TokenRecord]
        var children: [ChildRecord]?

        enum CodingKeys: String, CodingKey {
            case inboxEpochs = "inbox_epochs"
            case version, created, epochs, tokens, children
            case siteID = "site_id"
            case masterKey = "master_key"
            case inboxSecretKey = "inbox_secret_key"
            case inboxPublicKey = "inbox_public_key"
            case adminSigningSeed = "admin_signing_seed"
            case expiryRotated = "expiry_rotated"
        }
    }

    private struct VersionProbe: Decodable { var version: Int }

    private func encode() throws(KeystoreError) -> Data {
        let file = File(
            version: Keystore.formatVersion, created: created,
            siteID: Data(siteID).base64EncodedString(),
            masterKey: Data(masterKey.bytes).base64EncodedString(),
            inboxSecretKey: Data(inbox.secretKey).base64EncodedString(),
            inboxPublicKey: Data(inbox.publicKey).base64EncodedString(),
            adminSigningSeed: Data(adminSigningSeed).base64EncodedString(),
            epochs: epochs, expiryRotated: expiryRotated.sorted(), inboxEpochs: inboxEpochs.isEmpty ? nil : inboxEpochs,
            tokens: records, children: children.isEmpty ? nil : children)
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        encoder.dateEncodingStrategy = .iso8601
        do {
            return try encoder.encode(file) + Data("\n".utf8)
        } catch {
            throw .io(path: fileURL.path, reason: "cannot encode the keystore: \(error)")
        }
    }

    private static func decode(
        _ data: Data, directory: URL, random: any RandomSource, clock: any WallClock
    ) throws(KeystoreError) -> Keystore {
        let path = directory.appendingPathComponent(fileName).path
        let decoder = JSONDecoder()
        decoder.dateDecodingStrategy = .iso8601
        let version: Int
        do {
            version = try decoder.decode(VersionProbe.self, from: data).version
        } catch {
            throw .damaged(path: path, reason: "not a keystore JSON file: \(describe(error))")
        }
        guard version == formatVersion else { throw .unsupportedVersion(path: path, version: version) }
        let file: File
        do {
            file = try decoder.decode(File.self, from: data)
        } catch {
            throw .damaged(path: path, reason: describe(error))
        }
        func bytes(_ text: String, _ field: String, _ count: Int) throws(KeystoreError) -> [UInt8] {
            guard let data = Data(base64Encoded: text) else {
                throw .damaged(path: path, reason: "\(field) is not base64")
            }
            guard data.count == count else {
                throw .damaged(path: path, reason: "\(field) must be \(count) bytes, found \(data.count)")
            }
            return Array(data)
        }
        let siteID = try bytes(file.siteID, "site_id", 16)
        let master = try bytes(file.masterKey, "master_key", 32)
        guard let masterKey = try? MasterKey(bytes: master) else {
            throw .damaged(path: path, reason: "master_key is not 32 bytes")
        }
        let inboxSecret = try bytes(file.inboxSecretKey, "inbox_secret_key", 32)
        let inboxPublic = try bytes(file.inboxPublicKey, "inbox_public_key", 32)
        let admin = try bytes(file.adminSigningSeed, "admin_signing_seed", 32)
        guard let inbox = try? X25519KeyPair(secretKey: inboxSecret), inbox.publicKey == inboxPublic else {
            throw .damaged(path: path, reason: "inbox_public_key does not belong to inbox_secret_key")
        }
        for (audience, epoch) in file.epochs where epoch < 1 || !AudienceID.isValid(audience) {
            throw .damaged(path: path, reason: "invalid epoch \(epoch) for audience \"\(audience)\"")
        }
        for (group, inbox) in file.inboxEpochs ?? [:] where inbox.epoch < 1 || !AudienceID.isValid(group) {
            throw .damaged(path: path, reason: "invalid inbox epoch \(inbox.epoch) for group \"\(group)\"")
        }
        var seen = Set<String>()
        for record in file.tokens {
            guard let token = try? Token.parse(record.token), token.id(siteID: siteID) == record.id else {
                throw .damaged(path: path, reason: "token \(record.id) does not match its token text")
            }
            guard seen.insert(record.id).inserted else {
                throw .damaged(path: path, reason: "token \(record.id) appears twice")
            }
            guard !record.audiences.isEmpty, record.audiences.allSatisfy(AudienceID.isValid) else {
                throw .damaged(path: path, reason: "token \(record.id) has invalid audiences")
            }
        }
        var childIDs = Set<String>()
        for child in file.children ?? [] {
            guard ChildRecord.isID(child.id), childIDs.insert(child.id).inserted, AudienceID.isValid(child.group), !child.name.isEmpty else {
                throw .damaged(path: path, reason: "child \(child.id) is invalid or appears twice")
            }
        }
        var store = Keystore(
            directory: directory, siteID: siteID, masterKey: masterKey, inbox: inbox,
            adminSigningSeed: admin, created: file.created, epochs: file.epochs,
            expiryRotated: Set(file.expiryRotated ?? []), inboxEpochs: file.inboxEpochs ?? [:], records: file.tokens,
            random: random, clock: clock, disk: DiskState(digest: SHA256.hash(Array(data))))
        store.children = file.children ?? []
        return store
    }

    private static func describe(_ error: Error) -> String {
        switch error {
        case DecodingError.dataCorrupted(let context):
            return "invalid JSON \(context.debugDescription) \(codingPath(context.codingPath))"
        case DecodingError.keyNotFound(let key, let context):
            return "missing field \(key.stringValue) \(codingPath(context.codingPath))"
        case DecodingError.typeMismatch(_, let context), DecodingError.valueNotFound(_, let context):
            return "wrong type at \(codingPath(context.codingPath)): \(context.debugDescription)"
        default:
            return "\(error)"
        }
    }

    private static func codingPath(_ path: [CodingKey]) -> String {
        path.isEmpty ? "" : "at " + path.map { $0.intValue.map(String.init) ?? $0.stringValue }.joined(separator: ".")
    }

    // MARK: - File system helpers

    private static func listing(of directory: URL) throws(KeystoreError) -> [String] {
        do {
            return try FileManager.default.contentsOfDirectory(atPath: directory.path).sorted()
        } catch {
            throw .io(path: directory.path, reason: "cannot list: \(error.localizedDescription)")
        }
    }

    private static func checkMode(path: String, expected: Int) throws(KeystoreError) {
        var info = stat()
        guard stat(path, &info) == 0 else { throw .io(path: path, reason: "cannot stat: \(errnoText())") }
        let mode = Int(info.st_mode) & 0o777
        // Group or others may not read, write or enter; the owner needs at least the expected bits.
        guard mode & 0o077 == 0, mode & expected == expected else {
            throw .insecurePermissions(path: path, mode: mode, expected: expected)
        }
    }
}

/// A group's inbox epoch and the instant it became current.
public struct InboxEpoch: Codable, Sendable, Equatable {
    public var epoch: Int
    public var since: Date
}

/// Digest of the keystore file as last read or written by this keystore (shared by its copies,
/// like the file itself).
final class DiskState: @unchecked Sendable {
    private let lock = NSLock()
    private var digest: [UInt8]?

    init(digest: [UInt8]?) { self.digest = digest }

    func withLock(_ body: (inout [UInt8]?) throws(KeystoreError) -> Void) throws(KeystoreError) {
        lock.lock()
        defer { lock.unlock() }
        try body(&digest)
    }
}

private func errnoText() -> String {
    String(cString: strerror(errno))
}
