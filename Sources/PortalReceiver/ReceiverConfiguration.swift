// The limits and switches of a receiver (`portal-receiver` sets them from its options).
import Foundation
import PortalPush

/// Limits and switches of a receiver.
public struct ReceiverConfiguration: Sendable {
    /// Largest accepted request body.
    public var maxBodyBytes = 16 * 1024
    /// Largest accepted difference between a request's timestamp and the server clock.
    public var skewSeconds: Int64 = 300
    /// Per-token limit: `tokenBurst` requests at once, refilled at `tokenRate` per second.
    public var tokenRate: Double = 2
    public var tokenBurst: Double = 30
    /// Staff uploads draw from a bucket of their own: chunks per second and burst per token.
    public var uploadRate: Double = 20
    public var uploadBurst: Double = 120
    /// Per-address limit (the proxy's address unless `trustForwardedFor`). 0 disables it.
    public var addressRate: Double = 50
    public var addressBurst: Double = 300
    /// Take the client address from the last `X-Forwarded-For` entry (behind nginx/Caddy only).
    public var trustForwardedFor = false
    /// Largest number of rows one admin listing returns.
    public var adminPageLimit = 10_000
    /// Largest accepted body of `POST /api/v1/admin/trust` (a trust file of a whole school).
    public var maxTrustBytes = 8 * 1024 * 1024
    /// Largest file of the site a publish may send (`--site`): a photo variant or a page.
    public var maxSiteFileBytes = 32 * 1024 * 1024
    /// Absence reports one token may send in any 24 hours. 0 disables the quota.
    public var dailyQuota = 50
    /// Nonces remembered per token (or the admin key) within two skew windows.
    public var noncesPerToken = 10_000
    /// Seconds a connection may stay silent (no request part arriving) before it is closed.
    public var idleTimeout: Double = 30
    /// Seconds from a connection's start, or the end of its previous answer, until the whole next
    /// request (header section and body) must have arrived.
    public var requestTimeout: Double = 30

    /// Which push endpoints the receiver sends to (issue 16: no request forgery).
    public var pushPolicy = PushEndpointPolicy()
    /// Devices with notifications per token.
    public var maxSubscriptionsPerToken = 10
    /// Push messages in flight at once.
    public var pushConcurrency = 32
    /// Seconds a push service may take to answer.
    public var pushTimeout = 10
    /// Seconds a push service keeps a message for a device that is offline (the TTL header).
    public var pushTTL = 24 * 3600

    public init() {}
}
