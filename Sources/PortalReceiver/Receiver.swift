// The receiver's request handling, independent of the HTTP server: authenticate, check the
// schema and the rules, store. `ReceiverServer` feeds it from Hummingbird.
import Foundation
import PortalCrypto
import PortalTrust

/// Limits and switches of a receiver.
public struct ReceiverConfiguration: Sendable {
    /// Largest accepted request body.
    public var maxBodyBytes = 16 * 1024
    /// Largest accepted difference between a request's timestamp and the server clock.
    public var skewSeconds: Int64 = 300
    /// Per-token limit: `tokenBurst` requests at once, refilled at `tokenRate` per second.
    public var tokenRate: Double = 2
    public var tokenBurst: Double = 30
    /// Per-address limit (the proxy's address unless `trustForwardedFor`). 0 disables it.
    public var addressRate: Double = 50
    public var addressBurst: Double = 300
    /// Take the client address from the last `X-Forwarded-For` entry (behind nginx/Caddy only).
    public var trustForwardedFor = false
    /// Largest number of rows one admin listing returns.
    public var adminPageLimit = 10_000

    public init() {}
}

/// A request as the receiver sees it. `target` is the request target as sent (path and query);
/// header names are matched case-insensitively.
public struct APIRequest: Sendable {
    public var method: String
    public var target: String
    public var headers: [String: String]
    public var body: [UInt8]
    public var remoteAddress: String

    public init(method: String, target: String, headers: [String: String], body: [UInt8], remoteAddress: String) {
        self.method = method.uppercased()
        self.target = target
        var lower: [String: String] = [:]
        for (k, v) in headers { lower[k.lowercased()] = v }
        self.headers = lower
        self.body = body
        self.remoteAddress = remoteAddress
    }

    func header(_ name: String) -> String? { headers[name.lowercased()] }

    var path: String { String(target.split(separator: "?", maxSplits: 1, omittingEmptySubsequences: false)[0]) }

    var query: [String: String] {
        guard let q = target.split(separator: "?", maxSplits: 1).dropFirst().first else { return [:] }
        var out: [String: String] = [:]
        for pair in q.split(separator: "&") {
            let kv = pair.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
            let key = String(kv[0]).removingPercentEncoding ?? String(kv[0])
            let value = kv.count > 1 ? (String(kv[1]).replacingOccurrences(of: "+", with: " ").removingPercentEncoding ?? "") : ""
            out[key] = value
        }
        return out
    }
}

/// A JSON response.
public struct APIResponse: Sendable {
    public var status: Int
    public var body: Data
}

/// The receiver. One per process; thread-safe.
///
/// ```swift
/// let receiver = try Receiver(trust: TrustStore(url: trustURL), databasePath: "receiver.sqlite")
/// let response = await receiver.respond(to: request)
/// ```
public final class Receiver: Sendable {
    public let trust: TrustStore
    public let configuration: ReceiverConfiguration
    let store: ReceiverStore
    let clock: any ReceiverClock
    let replay: ReplayGuard
    let tokenLimiter: RateLimiter
    let addressLimiter: RateLimiter
    let random: any RandomSource

    public init(
        trust: TrustStore, databasePath: String, clock: any ReceiverClock = SystemReceiverClock(),
        configuration: ReceiverConfiguration = ReceiverConfiguration(), random: any RandomSource = SystemRandom()
    ) throws {
        try Sodium.ensureReady()
        self.trust = trust
        self.configuration = configuration
        self.store = try ReceiverStore(path: databasePath)
        self.clock = clock
        self.replay = ReplayGuard(skewSeconds: configuration.skewSeconds)
        self.tokenLimiter = RateLimiter(perSecond: configuration.tokenRate, burst: configuration.tokenBurst)
        self.addressLimiter = RateLimiter(perSecond: configuration.addressRate, burst: configuration.addressBurst)
        self.random = random
    }

    /// Journal mode and synchronous level of the database (`wal`, 2 = FULL).
    public func databaseSettings() throws -> (journal: String, synchronous: Int) { try store.pragmas() }

    /// Ids of every stored booking (the crash test checks acknowledged ids against it).
    public func storedBookingIDs() throws -> Set<String> { try store.bookingIDs() }

    /// Deletes nonces that can no longer match; the server calls it every minute.
    public func pruneNonces() async {
        let now = Int64(clock.now().timeIntervalSince1970)
        try? await store.pruneNonces(now: now)
    }

    // MARK: - Dispatch

    private enum Route {
        case absences, bookings, slots(String), cancel(String), move(String), adminSubmissions, adminBookings
        case registrations, adminRegistrations
    }

    private func route(_ request: APIRequest) throws(APIError) -> Route {
        let path = request.path
        let m = request.method
        func only(_ method: String, _ r: Route) throws(APIError) -> Route {
            guard m == method else { throw APIError.methodNotAllowed }
            return r
        }
        switch path {
        case "/api/v1/absences": return try only("POST", .absences)
        case "/api/v1/bookings": return try only("POST", .bookings)
        case "/api/v1/admin/submissions": return try only("GET", .adminSubmissions)
        case "/api/v1/admin/bookings": return try only("GET", .adminBookings)
        case "/api/v1/registrations": return try only("POST", .registrations)
        case "/api/v1/admin/registrations": return try only("GET", .adminRegistrations)
        default: break
        }
        let schedules = "/api/v1/schedules/"
        if path.hasPrefix(schedules), path.hasSuffix("/slots"), path.count > schedules.count + "/slots".count {
            let raw = String(path.dropFirst(schedules.count).dropLast("/slots".count))
            guard let id = raw.removingPercentEncoding else { throw APIError.notFound }
            return try only("GET", .slots(id))
        }
        let bookings = "/api/v1/bookings/"
        if path.hasPrefix(bookings) {
            let rest = path.dropFirst(bookings.count)
            if rest.hasSuffix("/move") {
                let id = String(rest.dropLast("/move".count))
                guard Self.isBookingID(id) else { throw APIError.notFound }
                return try only("POST", .move(id))
            }
            guard Self.isBookingID(String(rest)) else { throw APIError.notFound }
            return try only("DELETE", .cancel(String(rest)))
        }
        throw APIError.notFound
    }

    static func isBookingID(_ id: String) -> Bool { TrustFile.isTokenID(id) }

    /// Handles one API request; never throws: every refusal is a JSON error response.
    public func respond(to request: APIRequest) async -> APIResponse {
        do {
            return try await handle(request)
        } catch let error as APIError {
            return Self.json(error.status, error.jsonBody)
        } catch {
            return Self.json(500, ["error": "internal", "message": "the receiver could not store the request; try again"])
        }
    }

    private func handle(_ request: APIRequest) async throws -> APIResponse {
        let nowDate = clock.now()
        let now = nowDate.timeIntervalSince1970
        guard addressLimiter.allow(clientAddress(request), now: now) else { throw APIError.rateLimited }
        let route = try route(request)
        if request.method == "POST" {
            let type = (request.header("content-type") ?? "").split(separator: ";")[safe: 0]?
                .trimmingCharacters(in: .whitespaces).lowercased()
            guard type == "application/json" else { throw APIError.contentType }
        } else if !request.body.isEmpty {
            throw APIError.schema("a \(request.method) request has no body")
        }
        guard request.body.count <= configuration.maxBodyBytes else { throw APIError.tooLarge }
        let auth = try authenticate(request, now: Int64(now.rounded(.down)))
        switch (route, auth.principal) {
        case (.adminSubmissions, .admin), (.adminBookings, .admin), (.adminRegistrations, .admin): break
        case (.adminSubmissions, _), (.adminBookings, _), (.adminRegistrations, _): throw APIError.adminOnly
        case (_, .admin): throw APIError.parentOnly
        default: break
        }
        if case .parent(let token) = auth.principal {
            guard tokenLimiter.allow(token.id, now: now) else { throw APIError.rateLimited }
        }
        switch (route, auth.principal) {
        case (.absences, .parent(let token)):
            return try await absence(request, token: token, auth: auth, now: nowDate)
        case (.bookings, .parent(let token)):
            return try await book(request, token: token, auth: auth, now: nowDate)
        case (.slots(let id), .parent(let token)):
            return try await slots(scheduleID: id, token: token, now: nowDate)
        case (.cancel(let id), .parent(let token)):
            return try await cancel(id: id, token: token, auth: auth, now: nowDate)
        case (.move(let id), .parent(let token)):
            return try await move(id: id, request, token: token, auth: auth, now: nowDate)
        case (.registrations, .parent(let token)):
            return try await register(request, token: token, auth: auth, now: nowDate)
        case (.adminSubmissions, .admin):
            return try await adminSubmissions(request)
        case (.adminRegistrations, .admin):
            return try await adminRegistrations(request)
        case (.adminBookings, .admin):
            return try await adminBookings(request, trust: auth.trust)
        default:
            throw APIError.notFound
        }
    }

    private func clientAddress(_ request: APIRequest) -> String {
        if configuration.trustForwardedFor, let forwarded = request.header("x-forwarded-for"),
           let last = forwarded.split(separator: ",").last {
            return last.trimmingCharacters(in: .whitespaces)
        }
        return request.remoteAddress
    }

    // MARK: - Authentication

    enum Principal: Sendable {
        case parent(TrustIndex.Token)
        case admin
    }

    struct Authenticated: Sendable {
        let principal: Principal
        let trust: TrustIndex
        let nonceKey: String
        let nonceExpires: Int64
    }

    private func authenticate(_ request: APIRequest, now: Int64) throws(APIError) -> Authenticated {
        guard let tokenID = request.header(RequestCanonical.tokenHeader) else {
            throw APIError.missingSignature(RequestCanonical.tokenHeader)
        }
        guard let tsText = request.header(RequestCanonical.timestampHeader) else {
            throw APIError.missingSignature(RequestCanonical.timestampHeader)
        }
        guard let nonce = request.header(RequestCanonical.nonceHeader) else {
            throw APIError.missingSignature(RequestCanonical.nonceHeader)
        }
        guard let sigText = request.header(RequestCanonical.signatureHeader) else {
            throw APIError.missingSignature(RequestCanonical.signatureHeader)
        }
        let trust = self.trust.current
        let principal: Principal
        let publicKey: [UInt8]
        if tokenID == RequestCanonical.adminTokenID {
            principal = .admin
            publicKey = trust.adminPublicKey
        } else {
            guard let token = trust.tokens[tokenID] else { throw APIError.unknownToken }
            principal = .parent(token)
            publicKey = token.publicKey
        }
        guard tsText.utf8.count <= 12, tsText.utf8.allSatisfy({ (0x30...0x39).contains($0) }), let ts = Int64(tsText),
              abs(ts - now) <= configuration.skewSeconds
        else { throw APIError.staleTimestamp }
        guard nonce.utf8.count == 22, let nonceBytes = Base64URL.decode(nonce), nonceBytes.count == 16 else {
            throw APIError.badNonce
        }
        guard sigText.utf8.count == 88, let signature = Base64Strict.decode(sigText), signature.count == 64 else {
            throw APIError.badSignature
        }
        let message = RequestCanonical.string(
            method: request.method, path: request.target, timestamp: ts, nonce: nonce, body: request.body)
        // Verification runs on the request's task, never under the database lock.
        guard Ed25519.verify(signature: signature, message: Array(message.utf8), publicKey: publicKey) else {
            throw APIError.badSignature
        }
        if case .parent(let token) = principal, token.expires <= Date(timeIntervalSince1970: TimeInterval(now)) {
            throw APIError.tokenExpired
        }
        let key = tokenID + " " + nonce
        switch replay.check(key, now: now) {
        case .fresh: break
        case .replayed: throw APIError.replayed
        case .full: throw APIError(503, "busy", "the receiver is overloaded; try again in a minute")
        }
        return Authenticated(
            principal: principal, trust: trust, nonceKey: key, nonceExpires: ts + configuration.skewSeconds + 1)
    }

    // MARK: - Absence reports

    private func absence(_ request: APIRequest, token: TrustIndex.Token, auth: Authenticated, now: Date) async throws -> APIResponse {
        let body = try JSONBody(request.body)
        try body.allowOnly(["group", "from", "to", "sealed"])
        let group = try body.string("group", maxBytes: 64)
        // Keyslot audiences include `school` (portal generate lists it in the trust file too);
        // an absence is reported for a class.
        guard group != "school", token.audiences.contains(group) else {
            throw APIError(403, "group_not_allowed", "this token cannot report absence for group \(group)")
        }
        let fromText = try body.string("from", maxBytes: 10)
        let toText = try body.string("to", maxBytes: 10)
        guard let from = Self.day(fromText), let to = Self.day(toText) else {
            throw APIError.schema("from and to must be dates YYYY-MM-DD")
        }
        let today = Self.startOfDay(now)
        guard from <= to else { throw APIError.schema("from must not be after to") }
        guard to.timeIntervalSince(from) <= 62 * 86400 else { throw APIError.schema("an absence report covers at most 62 days") }
        guard from >= today.addingTimeInterval(-31 * 86400), to <= today.addingTimeInterval(366 * 86400) else {
            throw APIError.schema("the dates must lie between 31 days ago and a year ahead")
        }
        let sealed = try body.sealed("sealed")
        let received = Int64((now.timeIntervalSince1970 * 1000).rounded(.down))
        let row = SubmissionRow(
            id: Hex.encode(random.bytes(16)), kind: "absence", tokenID: token.id, family: token.family, group: group,
            from: fromText, to: toText, sealed: sealed, received: received)
        try await store.insertSubmission(row, nonceKey: auth.nonceKey, nonceExpires: auth.nonceExpires)
        return Self.json(201, ["id": .string(row.id), "received": .string(Self.rfc3339(millis: received))])
    }

    // MARK: - Registration

    /// First use of a token on a device (the registration week). Idempotent: the first call
    /// stores the time and answers 201, every later call 200 with that first time, also after
    /// the deadline; a first call from `register_by` on is 403 `registration_closed`.
    private func register(_ request: APIRequest, token: TrustIndex.Token, auth: Authenticated, now: Date) async throws -> APIResponse {
        let body = try JSONBody(request.body)
        try body.allowOnly(["device"])
        // Plain text on purpose: "Android · Chrome" says no more than the User-Agent header that
        // every request already shows the host; the 64-byte limit keeps it from holding more.
        let device = body.has("device") ? try body.string("device", maxBytes: 64) : nil
        let at = Int64((now.timeIntervalSince1970 * 1000).rounded(.down))
        let isOpen = token.registerBy.map { now < $0 } ?? true
        let (row, created) = try await store.register(
            RegistrationRow(tokenID: token.id, family: token.family, registeredAt: at, device: device),
            isOpen: isOpen, nonceKey: auth.nonceKey, nonceExpires: auth.nonceExpires)
        return Self.json(created ? 201 : 200, [
            "token_id": .string(row.tokenID), "registered_at": .string(Self.rfc3339(millis: row.registeredAt)),
        ])
    }

    // MARK: - Bookings

    /// Checks a claim against the trust file and the clock; returns the schedule and slot.
    private func checkClaim(
        schedule id: String, slot slotID: String, token: TrustIndex.Token, trust: TrustIndex, now: Date
    ) throws(APIError) -> (TrustIndex.Schedule, TrustFile.Slot) {
        guard let schedule = trust.schedules[id], token.audiences.contains(schedule.audience) else {
            throw APIError.unknownSchedule
        }
        guard let slot = schedule.slot(slotID) else {
            throw APIError(404, "unknown_slot", "schedule \(id) has no slot \(slotID)")
        }
        guard now >= schedule.opens else {
            throw APIError(403, "booking_not_open", "booking opens at \(Self.rfc3339(schedule.opens))")
        }
        guard now < schedule.closes else {
            throw APIError(403, "booking_closed", "booking closed at \(Self.rfc3339(schedule.closes))")
        }
        try Self.checkNotice(slot: slot, schedule: schedule, now: now)
        return (schedule, slot)
    }

    static func checkNotice(slot: TrustFile.Slot, schedule: TrustIndex.Schedule, now: Date) throws(APIError) {
        guard slot.start.timeIntervalSince(now) >= TimeInterval(schedule.minNoticeHours) * 3600 else {
            throw APIError(403, "too_late",
                           "slot \(slot.id) starts in less than \(schedule.minNoticeHours) hours; contact the teacher")
        }
    }

    private func book(_ request: APIRequest, token: TrustIndex.Token, auth: Authenticated, now: Date) async throws -> APIResponse {
        let body = try JSONBody(request.body)
        var claimObjects: [JSONBody] = []
        if body.has("claims") {
            try body.allowOnly(["claims"])
            claimObjects = try body.objects("claims")
            guard (1...4).contains(claimObjects.count) else { throw APIError.schema("claims holds 1 to 4 claims") }
        } else {
            claimObjects = [body]
        }
        var claims: [Claim] = []
        var seen = Set<String>()
        for object in claimObjects {
            try object.allowOnly(["schedule", "slot", "sealed"])
            let scheduleID = try object.string("schedule", maxBytes: 200)
            let slotID = try object.string("slot", maxBytes: 64)
            let sealed = try object.sealed("sealed")
            guard seen.insert(scheduleID + "\n" + slotID).inserted else {
                throw APIError.schema("a slot occurs twice in claims")
            }
            let (schedule, _) = try checkClaim(schedule: scheduleID, slot: slotID, token: token, trust: auth.trust, now: now)
            claims.append(Claim(schedule: scheduleID, slot: slotID, perFamily: schedule.perFamily, sealed: sealed))
        }
        let created = Int64((now.timeIntervalSince1970 * 1000).rounded(.down))
        let ids = claims.map { _ in Hex.encode(random.bytes(16)) }
        do {
            let rows = try await store.book(
                claims, family: token.family, tokenID: token.id, created: created, ids: ids,
                nonceKey: auth.nonceKey, nonceExpires: auth.nonceExpires)
            let list: [JSONValue] = rows.map { row in
                let slot = auth.trust.schedules[row.schedule]?.slot(row.slot)
                return [
                    "id": .string(row.id), "schedule": .string(row.schedule), "slot": .string(row.slot),
                    "start": .string(slot.map { Self.rfc3339($0.start) } ?? ""),
                    "end": .string(slot.map { Self.rfc3339($0.end) } ?? ""),
                ]
            }
            return Self.json(201, [
                "id": .string(rows[0].id), "bookings": .array(list), "received": .string(Self.rfc3339(millis: created)),
            ])
        } catch var error as APIError where error.status == 409 && error.code != "replayed_nonce" {
            var free: [String: [String]] = [:]
            for claim in claims where free[claim.schedule] == nil {
                free[claim.schedule] = try await freeSlots(claim.schedule, trust: auth.trust, now: now)
            }
            error.free = free
            throw error
        }
    }

    /// Free slots of a schedule that can still be booked now (notice respected), in time order.
    private func freeSlots(_ scheduleID: String, trust: TrustIndex, now: Date) async throws -> [String] {
        guard let schedule = trust.schedules[scheduleID] else { return [] }
        let taken = try await store.taken(schedule: scheduleID)
        return schedule.slots.filter { slot in
            taken[slot.id] == nil
                && slot.start.timeIntervalSince(now) >= TimeInterval(schedule.minNoticeHours) * 3600
        }.map(\.id)
    }

    private func slots(scheduleID: String, token: TrustIndex.Token, now: Date) async throws -> APIResponse {
        let trust = self.trust.current
        guard let schedule = trust.schedules[scheduleID], token.audiences.contains(schedule.audience) else {
            throw APIError.unknownSchedule
        }
        let taken = try await store.taken(schedule: scheduleID)
        let open = now >= schedule.opens && now < schedule.closes
        let list: [JSONValue] = schedule.slots.map { slot in
            var entry: [(String, JSONValue)] = [
                ("id", .string(slot.id)), ("start", .string(Self.rfc3339(slot.start))), ("end", .string(Self.rfc3339(slot.end))),
            ]
            if let t = taken[slot.id] {
                if t.family == token.family {
                    entry.append(("state", "mine"))
                    entry.append(("booking", .string(t.id)))
                } else {
                    entry.append(("state", "taken"))
                }
            } else {
                entry.append(("state", "free"))
            }
            entry.append(("bookable", .bool(open && taken[slot.id] == nil
                && slot.start.timeIntervalSince(now) >= TimeInterval(schedule.minNoticeHours) * 3600)))
            return .object(entry)
        }
        return Self.json(200, [
            "schedule": .string(schedule.id), "teacher": .string(schedule.teacher),
            "opens": .string(Self.rfc3339(schedule.opens)), "closes": .string(Self.rfc3339(schedule.closes)),
            "per_family": .int(schedule.perFamily), "min_notice_hours": .int(schedule.minNoticeHours),
            "now": .string(Self.rfc3339(now)), "open": .bool(open), "slots": .array(list),
        ])
    }

    private func cancel(id: String, token: TrustIndex.Token, auth: Authenticated, now: Date) async throws -> APIResponse {
        let trust = auth.trust
        let row = try await store.cancel(
            id: id, family: token.family, nonceKey: auth.nonceKey, nonceExpires: auth.nonceExpires
        ) { row in
            if let schedule = trust.schedules[row.schedule], let slot = schedule.slot(row.slot) {
                try Self.checkNotice(slot: slot, schedule: schedule, now: now)
            }
        }
        return Self.json(200, ["cancelled": .string(row.id), "schedule": .string(row.schedule), "slot": .string(row.slot)])
    }

    private func move(
        id: String, _ request: APIRequest, token: TrustIndex.Token, auth: Authenticated, now: Date
    ) async throws -> APIResponse {
        let body = try JSONBody(request.body)
        try body.allowOnly(["slot", "sealed"])
        let slotID = try body.string("slot", maxBytes: 64)
        let sealed = body.has("sealed") ? try body.sealed("sealed") : nil
        let trust = auth.trust
        guard let existing = try await store.booking(id: id, family: token.family) else { throw APIError.unknownBooking }
        let (schedule, slot) = try checkClaim(
            schedule: existing.schedule, slot: slotID, token: token, trust: trust, now: now)
        let created = Int64((now.timeIntervalSince1970 * 1000).rounded(.down))
        do {
            let row = try await store.move(
                id: id, family: token.family, to: slotID, sealed: sealed, tokenID: token.id, created: created,
                nonceKey: auth.nonceKey, nonceExpires: auth.nonceExpires
            ) { row in
                guard row.schedule == schedule.id else { throw APIError.unknownBooking }
                if let old = schedule.slot(row.slot) { try Self.checkNotice(slot: old, schedule: schedule, now: now) }
            }
            return Self.json(200, [
                "id": .string(row.id), "schedule": .string(row.schedule), "slot": .string(row.slot),
                "start": .string(Self.rfc3339(slot.start)), "end": .string(Self.rfc3339(slot.end)),
            ])
        } catch var error as APIError where error.status == 409 && error.code == "slot_taken" {
            error.free = [schedule.id: try await freeSlots(schedule.id, trust: trust, now: now)]
            throw error
        }
    }

    // MARK: - Admin

    private func adminSubmissions(_ request: APIRequest) async throws -> APIResponse {
        let query = request.query
        var since: Int64 = 0
        if let text = query["since"], !text.isEmpty {
            guard let date = Self.instant(text) ?? Self.day(text) else {
                throw APIError.schema("since must be YYYY-MM-DD or an RFC 3339 instant")
            }
            since = Int64((date.timeIntervalSince1970 * 1000).rounded(.down))
        }
        var limit = configuration.adminPageLimit
        if let text = query["limit"] {
            guard let n = Int(text), n >= 1 else { throw APIError.schema("limit must be a positive number") }
            limit = min(n, limit)
        }
        let rows = try await store.submissions(sinceMillis: since, limit: limit)
        let list: [JSONValue] = rows.map { row in
            [
                "id": .string(row.id), "kind": .string(row.kind), "token_id": .string(row.tokenID),
                "family": .string(row.family), "group": .string(row.group), "from": .string(row.from),
                "to": .string(row.to), "sealed": row.sealed.jsonValue, "received": .string(Self.rfc3339(millis: row.received)),
            ]
        }
        return Self.json(200, ["submissions": .array(list)])
    }

    private func adminRegistrations(_ request: APIRequest) async throws -> APIResponse {
        var since: Int64 = 0
        if let text = request.query["since"], !text.isEmpty {
            guard let date = Self.instant(text) ?? Self.day(text) else {
                throw APIError.schema("since must be YYYY-MM-DD or an RFC 3339 instant")
            }
            since = Int64((date.timeIntervalSince1970 * 1000).rounded(.down))
        }
        let rows = try await store.registrations(sinceMillis: since, limit: configuration.adminPageLimit)
        let list: [JSONValue] = rows.map { row in
            var entry: [(String, JSONValue)] = [
                ("token_id", .string(row.tokenID)), ("family", .string(row.family)),
                ("registered_at", .string(Self.rfc3339(millis: row.registeredAt))),
            ]
            if let device = row.device { entry.append(("device", .string(device))) }
            return .object(entry)
        }
        return Self.json(200, ["registrations": .array(list)])
    }

    private func adminBookings(_ request: APIRequest, trust: TrustIndex) async throws -> APIResponse {
        let schedule = request.query["schedule"].flatMap { $0.isEmpty ? nil : $0 }
        let rows = try await store.bookings(schedule: schedule)
        let list: [JSONValue] = rows.map { row in
            let s = trust.schedules[row.schedule]
            let slot = s?.slot(row.slot)
            var entry: [(String, JSONValue)] = [
                ("id", .string(row.id)), ("schedule", .string(row.schedule)), ("slot", .string(row.slot)),
                ("family", .string(row.family)), ("token_id", .string(row.tokenID)), ("sealed", row.sealed.jsonValue),
                ("created", .string(Self.rfc3339(millis: row.created))),
            ]
            if let s { entry.append(("teacher", .string(s.teacher))) }
            if let slot {
                entry.append(("start", .string(Self.rfc3339(slot.start))))
                entry.append(("end", .string(Self.rfc3339(slot.end))))
            }
            return .object(entry)
        }
        return Self.json(200, ["bookings": .array(list)])
    }

    // MARK: - Helpers

    static func json(_ status: Int, _ value: JSONValue) -> APIResponse {
        APIResponse(status: status, body: Data(value.encoded()))
    }

    /// `YYYY-MM-DDTHH:MM:SSZ` (UTC, whole seconds), without Foundation's format styles.
    static func rfc3339(_ date: Date) -> String {
        var t = time_t(date.timeIntervalSince1970.rounded(.down))
        var parts = tm()
        gmtime_r(&t, &parts)
        func two(_ n: Int32) -> String { n < 10 ? "0\(n)" : "\(n)" }
        return "\(parts.tm_year + 1900)-\(two(parts.tm_mon + 1))-\(two(parts.tm_mday))T"
            + "\(two(parts.tm_hour)):\(two(parts.tm_min)):\(two(parts.tm_sec))Z"
    }

    static func rfc3339(millis: Int64) -> String {
        rfc3339(Date(timeIntervalSince1970: TimeInterval(millis) / 1000))
    }

    static func instant(_ text: String) -> Date? {
        try? Date.ISO8601FormatStyle().parse(text)
    }

    private static let utc: Calendar = {
        var c = Calendar(identifier: .gregorian)
        c.timeZone = TimeZone(identifier: "UTC")!
        return c
    }()

    /// `YYYY-MM-DD` (a real calendar day) at 00:00 UTC.
    static func day(_ text: String) -> Date? {
        let parts = text.split(separator: "-", omittingEmptySubsequences: false)
        guard text.utf8.count == 10, parts.count == 3, parts[0].count == 4, parts[1].count == 2, parts[2].count == 2,
              let y = Int(parts[0]), let m = Int(parts[1]), let d = Int(parts[2]), (1...12).contains(m), (1...31).contains(d)
        else { return nil }
        let components = DateComponents(year: y, month: m, day: d)
        guard let date = utc.date(from: components), utc.component(.day, from: date) == d,
              utc.component(.month, from: date) == m
        else { return nil }
        return date
    }

    static func startOfDay(_ date: Date) -> Date { utc.startOfDay(for: date) }
}

/// A strictly checked JSON object of a request body: unknown keys and wrong types are 422,
/// unparseable bytes 400.
struct JSONBody {
    let object: [String: Any]

    init(_ bytes: [UInt8]) throws(APIError) {
        guard let value = try? JSONSerialization.jsonObject(with: Data(bytes)) else { throw APIError.malformedJSON }
        guard let object = value as? [String: Any] else { throw APIError.schema("the body must be a JSON object") }
        self.object = object
    }

    init(object: [String: Any]) { self.object = object }

    func has(_ key: String) -> Bool { object[key] != nil }

    func allowOnly(_ keys: Set<String>) throws(APIError) {
        if let unknown = object.keys.sorted().first(where: { !keys.contains($0) }) {
            throw APIError.schema("unknown field \"\(unknown)\"")
        }
    }

    func string(_ key: String, maxBytes: Int) throws(APIError) -> String {
        guard let value = object[key] else { throw APIError.schema("missing field \"\(key)\"") }
        guard let text = value as? String else { throw APIError.schema("field \"\(key)\" must be a string") }
        guard !text.isEmpty, text.utf8.count <= maxBytes else {
            throw APIError.schema("field \"\(key)\" must be 1 to \(maxBytes) bytes")
        }
        // C0 controls and DEL are single bytes; C1 controls (U+0080...U+009F) are 0xC2 0x80...0x9F.
        var previous: UInt8 = 0
        let hasControl = text.utf8.contains { c in
            defer { previous = c }
            return c < 0x20 || c == 0x7f || (previous == 0xc2 && (0x80...0x9f).contains(c))
        }
        guard !hasControl else {
            throw APIError.schema("field \"\(key)\" contains control characters")
        }
        return text
    }

    func objects(_ key: String) throws(APIError) -> [JSONBody] {
        guard let list = object[key] as? [Any] else { throw APIError.schema("field \"\(key)\" must be a list") }
        var out: [JSONBody] = []
        for item in list {
            guard let o = item as? [String: Any] else { throw APIError.schema("\"\(key)\" must hold objects") }
            out.append(JSONBody(object: o))
        }
        return out
    }

    /// `{"enc": b64(32 bytes), "ct": b64(17...4112 bytes)}`.
    func sealed(_ key: String) throws(APIError) -> SealedPayload {
        guard let o = object[key] as? [String: Any] else { throw APIError.schema("field \"\(key)\" must be an object") }
        let inner = JSONBody(object: o)
        try inner.allowOnly(["enc", "ct"])
        let encText = try inner.string("enc", maxBytes: 64)
        let ctText = try inner.string("ct", maxBytes: 6000)
        guard let enc = Base64Strict.decode(encText), enc.count == 32 else {
            throw APIError.schema("\(key).enc must be 32 bytes in base64")
        }
        guard let ct = Base64Strict.decode(ctText), ct.count > 16,
              ct.count <= SealedPayloadFormat.maxCiphertext + 16
        else {
            throw APIError.schema("\(key).ct must be 17 to \(SealedPayloadFormat.maxCiphertext + 16) bytes in base64")
        }
        return SealedPayload(enc: enc, ct: ct)
    }
}

extension Array {
    subscript(safe index: Int) -> Element? { indices.contains(index) ? self[index] : nil }
}
