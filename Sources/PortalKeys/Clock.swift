// The injected clock: token issue, expiry and revocation dates come from it.
import Foundation

/// Where the keystore gets "now". Named `WallClock` to stay clear of the standard library's `Clock`.
public protocol WallClock: Sendable {
    func now() -> Date
}

/// The system clock.
public struct SystemClock: WallClock {
    public init() {}
    public func now() -> Date { Date() }
}
