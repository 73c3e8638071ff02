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
    let addressLimiter: RateLimiter
    let random: any RandomSource

    public init(
        trust: TrustStore, databasePath: String, clock: any WallClock = SystemClock(),
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
        guard addressLimiter.allow(clientAddress(request), now: now) else { throw APIError.rateLimited }
        let (endpoint, parameter) = try Endpoint.resolve(request)
        if request.method == "POST" {
            let type = (request.header("content-type") ?? "").split(separator: ";").first?
                .trimmingCharacters(in: .whitespaces).lowercased()
            guard type == "application/json" else { throw APIError.contentType }
        } else if !request.body.isEmpty {
            throw APIError.schema("a \(request.method) request has no body")
        }
        guard request.body.count <= configuration.maxBodyBytes else { throw APIError.tooLarge }
        let auth = try authenticate(request, now: Int64(now.rounded(.down)))
        switch (endpoint.handler, auth.principal) {
        case (.admin(let handler), .admin):
            return try await handler(self, AdminCall(request: request, trust: auth.trust, now: nowDate))
        case (.admin, .parent):
            throw APIError.adminOnly
        case (.parent, .admin):
            throw APIError.parentOnly
        case (.parent(let handler), .parent(let token)):
            guard tokenLimiter.allow(token.id, now: now) else { throw APIError.rateLimited }
            return try await handler(
                self, ParentCall(request: request, parameter: parameter, token: token, auth: auth, now: nowDate))
        }
    }

    private func clientAddress(_ request: APIRequest) -> String {
        if configuration.trustForwardedFor, let forwarded = request.header("x-forwarded-for"),
           let last = forwarded.split(separator: ",").last {
            return last.trimmingCharacters(in: .whitespaces)
        }
        return request.remoteAddress
    }
}
