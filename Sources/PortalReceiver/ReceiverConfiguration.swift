// The limits and switches of a receiver (`portal-receiver` sets them from its options).
import Foundation

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
