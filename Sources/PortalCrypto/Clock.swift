// The injected clock, like the random source: token issue, expiry and revocation dates in the
// keystore, and booking windows, skew and expiry in the receiver, all come from one.
import Foundation

/// Where the keystore and the receiver get "now". Named `WallClock` to stay clear of the standard library's `Clock`.
public protocol WallClock: Sendable {
    func now() -> Date
}

/// The system clock.
public struct SystemClock: WallClock {
    public init() {}
    public func now() -> Date { Date() }
}
