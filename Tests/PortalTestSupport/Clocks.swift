// Clocks that tests set: the keystore's and the receiver's "now" come from an injected clock.
import Foundation
import PortalKeys

/// A clock that always says `date` (tests).
public struct FixedClock: WallClock {
    public var date: Date
    public init(_ date: Date) { self.date = date }
    public func now() -> Date { date }
}
