// Clocks that tests set: the keystore's and the receiver's "now" come from an injected clock.
import Foundation
import PortalCrypto
import PortalFormat

/// A clock that always says `date` (tests).
public struct FixedClock: WallClock {
    public var date: Date
    public init(_ date: Date) { self.date = date }
    public func now() -> Date { date }
}

/// A clock tests can move (the receiver's booking windows, notice periods and skew).
public final class ManualClock: WallClock, @unchecked Sendable {
    private let lock = NSLock()
    private var current: Date

    public init(_ date: Date) { current = date }
    public func now() -> Date { lock.withLock { current } }
    public func set(_ date: Date) { lock.withLock { current = date } }
    public func advance(_ seconds: TimeInterval) { lock.withLock { current += seconds } }
}
