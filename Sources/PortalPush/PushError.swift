// What can go wrong building or reading a Web Push message, said so that a log line is enough.

/// A Web Push construction refused its input (RFC 8188, 8291, 8292).
public enum PushError: Error, Equatable, Sendable, CustomStringConvertible {
    /// The subscription's `p256dh` is not a 65-byte uncompressed point on P-256.
    case invalidSubscriptionKey
    /// The subscription's `auth` secret is not 16 bytes.
    case invalidAuthSecret
    /// A private key is not a valid P-256 scalar.
    case invalidPrivateKey
    /// The message does not fit one record of the push service's 4096-byte limit.
    case payloadTooLarge(Int)
    /// A message that does not open: header, record or tag wrong.
    case malformedMessage(String)

    public var description: String {
        switch self {
        case .invalidSubscriptionKey: return "the subscription's p256dh is not an uncompressed P-256 public key"
        case .invalidAuthSecret: return "the subscription's auth secret is not 16 bytes"
        case .invalidPrivateKey: return "not a valid P-256 private key"
        case .payloadTooLarge(let n): return "a push payload of \(n) bytes does not fit one 4096-byte record"
        case .malformedMessage(let why): return "the push message does not open: \(why)"
        }
    }
}
