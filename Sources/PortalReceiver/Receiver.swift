// The receiver's request handling, independent of the HTTP server: limit, route, authenticate,
// then the endpoint's handler (Routing.swift has the table). `ReceiverServer` feeds it from
// Hummingbird.
import Foundation
import PortalCrypto
import PortalFormat
import PortalTrust

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
    let clock: any WallClock
    let replay: ReplayGuard
    let tokenLimiter: RateLimiter
    let uploadLimiter: RateLimiter
    let addressLimiter: RateLimiter
    let random: any RandomSource
    /// Tokens known to have registered (a registration is never undone).
    let registered = LockedSet()
    /// The site this receiver serves and takes releases for (`--site`), if any.
    public let site: SiteStore?
    let pushStore: PushStore
    /// Ends the sending loop's wait when a notice queued messages.
    let pushWake = PushWake()

    public init(
        trust: TrustStore, databasePath: String, clock: any WallClock = SystemClock(),
        configuration: ReceiverConfiguration = ReceiverConfiguration(), random: any RandomSource = SystemRandom(),
        site: SiteStore? = nil
    ) throws {
        try Sodium.ensureReady()
        self.site = site
        self.trust = trust
        self.configuration = configuration
        self.store = try ReceiverStore(path: databasePath)
        self.pushStore = try PushStore(pool: store.pool)
        try store.adoptFormerScheduleIDs(Self.renames(trust.current.file))
        self.clock = clock
        self.replay = ReplayGuard(skewSeconds: configuration.skewSeconds, perSigner: configuration.noncesPerToken)
        self.tokenLimiter = RateLimiter(perSecond: configuration.tokenRate, burst: configuration.tokenBurst)
        self.uploadLimiter = RateLimiter(perSecond: configuration.uploadRate, burst: configuration.uploadBurst)
        self.addressLimiter = RateLimiter(perSecond: configuration.addressRate, burst: configuration.addressBurst)
        self.random = random
    }

    /// After a new trust file (a push, SIGHUP): bookings under a schedule's former ids move to its id.
    @discardableResult
    public func trustChanged() throws -> Int {
        // Revoked and expired tokens' devices are told nothing more.
        let removed = try pushStore.keepOnly(tokens: Set(trust.current.tokens.keys))
        if removed > 0 { log("push: removed \(removed) subscriptions of tokens no longer in the trust file") }
        return try store.adoptFormerScheduleIDs(Self.renames(trust.current.file))
    }

    /// One line to the log (stderr, the journal under systemd).
    func log(_ line: String) {
        FileHandle.standardError.write(Data("portal-receiver: \(line)\n".utf8))
    }

    /// Subscriptions, queued, sent and failed messages.
    public func pushStatus() throws -> PushStatus { try pushStore.status() }

    static func renames(_ file: TrustFile) -> [(id: String, former: [String])] {
        file.schedules.map { ($0.id, $0.formerIDs ?? []) }
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

    /// Handles one API request; never throws: every refusal is a JSON error response.
    public func respond(to request: APIRequest) async -> APIResponse {
        do {
            return try await handle(request)
        } catch let error as APIError {
            return .refusal(error)
        } catch {
            return .internalError
        }
    }

    /// The checks every request passes, in this order, before its handler runs.
    private func handle(_ request: APIRequest) async throws -> APIResponse {
        let nowDate = clock.now()
        let now = nowDate.timeIntervalSince1970
        let nowSeconds = Int64(now.rounded(.down))
        guard addressLimiter.allow(AddressBucket.key(clientAddress(request)), now: now) else { throw APIError.rateLimited }
        let (endpoint, parameter) = try Endpoint.resolve(request)
        let type = (request.header("content-type") ?? "").split(separator: ";").first?
            .trimmingCharacters(in: .whitespaces).lowercased()
        if endpoint.body == .bytes {
            // An empty file (an empty list of the release) may come without a type.
            guard type == "application/octet-stream" || (type == nil && request.body.isEmpty) else { throw APIError.contentType }
        } else if request.method == "POST" {
            guard type == "application/json" else { throw APIError.contentType }
        } else if !request.body.isEmpty {
            throw APIError.schema("a \(request.method) request has no body")
        }
        let limit = endpoint.bodyLimit.bytes(configuration)
        guard request.body.count <= limit else { throw APIError.tooLarge(limit) }
        let verified = try verify(request, now: nowSeconds)
        switch (endpoint.handler, verified.principal) {
        case (.admin(let handler), .admin):
            _ = try recordNonce(verified, now: nowSeconds)
            return try await handler(self, AdminCall(request: request, parameter: parameter, trust: verified.trust, now: nowDate))
        case (.admin, .parent):
            throw APIError.adminOnly
        case (.parent, .admin):
            throw APIError.parentOnly
        case (.parent(let handler), .parent(let token)):
            // A part the school has not switched on (trust file `features_off`).
            if let feature = endpoint.feature, verified.trust.file.featuresOff.contains(feature) {
                throw APIError(403, "feature_off", "this school has not switched on \(feature)")
            }
            switch endpoint.tokens {
            case .parents where token.isStaff: throw APIError.parentsOnly
            case .staff where !token.isStaff: throw APIError.staffOnly
            default: break
            }
            if !endpoint.lapsedTokenMayCall, try await registrationLapsed(token, now: nowDate) {
                throw APIError.registrationLapsed
            }
            // The rate limit before the nonce is recorded: a 429 leaves the nonce unused.
            let limiter = endpoint.rate == .upload ? uploadLimiter : tokenLimiter
            guard limiter.allow(token.id, now: now) else { throw APIError.rateLimited }
            let auth = try recordNonce(verified, now: nowSeconds)
            return try await handler(
                self, ParentCall(request: request, parameter: parameter, token: token, auth: auth, now: nowDate))
        }
    }

    /// True when the token's registration week ended and no device registered it: it is refused
    /// everywhere but at registration (which answers `registration_closed`), whether or not
    /// staff have generated since.
    private func registrationLapsed(_ token: TrustIndex.Token, now: Date) async throws -> Bool {
        guard let registerBy = token.registerBy, now >= registerBy else { return false }
        if registered.contains(token.id) { return false }
        guard try await store.isRegistered(tokenID: token.id) else { return true }
        registered.insert(token.id)
        return false
    }

    /// The body limit of the endpoint at `path` (the server stops reading there).
    public func bodyLimit(path: String) -> Int {
        let endpoint = Endpoint.table.first { $0.path.match(path) != nil }
        return (endpoint?.bodyLimit ?? .standard).bytes(configuration)
    }

    private func clientAddress(_ request: APIRequest) -> String {
        if configuration.trustForwardedFor, let forwarded = request.header("x-forwarded-for"),
           let last = forwarded.split(separator: ",").last {
            return last.trimmingCharacters(in: .whitespaces)
        }
        return request.remoteAddress
    }
}

/// A set of strings behind a lock.
final class LockedSet: @unchecked Sendable {
    private let lock = NSLock()
    private var items = Set<String>()

    func contains(_ item: String) -> Bool { lock.withLock { items.contains(item) } }
    func insert(_ item: String) { _ = lock.withLock { items.insert(item) } }
}
