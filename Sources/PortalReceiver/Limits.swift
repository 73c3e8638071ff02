// In-memory guards: seen nonces (bounded by the clock-skew window) and token-bucket rate limits.
import Foundation

/// Nonces seen recently. A timestamp outside the skew window is refused before this is asked,
/// so a nonce has to be remembered for `2 × skew` seconds after it was first seen. Two
/// generations rotate every `2 × skew` seconds (an entry lives 1-2 generations), so forgetting
/// old nonces costs O(1) instead of a scan under the lock. Mutating requests also store their
/// nonce in SQLite in the same transaction as their effect, so a replay after a restart is
/// refused too.
final class ReplayGuard: @unchecked Sendable {
    private let lock = NSLock()
    private var current = Set<String>()
    private var previous = Set<String>()
    private var rotatedAt: Int64 = .min
    private let lifetime: Int64
    private let capacity: Int

    init(skewSeconds: Int64, capacity: Int = 2_000_000) {
        lifetime = 2 * skewSeconds
        self.capacity = capacity
    }

    enum Outcome { case fresh, replayed, full }

    /// Records `key` at `now`; `.replayed` if it was seen within the last `2 × skew` seconds.
    func check(_ key: String, now: Int64) -> Outcome {
        lock.withLock {
            if rotatedAt == .min { rotatedAt = now }
            if now - rotatedAt >= 2 * lifetime {
                previous.removeAll()
                current.removeAll()
                rotatedAt = now
            } else if now - rotatedAt >= lifetime {
                previous = current
                current = Set()
                rotatedAt = now
            }
            if current.contains(key) || previous.contains(key) { return .replayed }
            if current.count + previous.count >= capacity { return .full }
            current.insert(key)
            return .fresh
        }
    }

    var count: Int { lock.withLock { current.count + previous.count } }
}

/// Token buckets per key (token id or client address): `burst` requests at once, refilled at
/// `perSecond`. `perSecond <= 0` disables the limit.
final class RateLimiter: @unchecked Sendable {
    private struct Bucket { var tokens: Double; var last: Double }
    private let lock = NSLock()
    private var buckets: [String: Bucket] = [:]
    let perSecond: Double
    let burst: Double

    init(perSecond: Double, burst: Double) {
        self.perSecond = perSecond
        self.burst = max(burst, 1)
    }

    func allow(_ key: String, now: Double) -> Bool {
        guard perSecond > 0 else { return true }
        return lock.withLock {
            if buckets.count > 200_000 {
                // Idle buckets are full again; forgetting them changes nothing.
                buckets = buckets.filter { now - $0.value.last < burst / perSecond }
            }
            var b = buckets[key] ?? Bucket(tokens: burst, last: now)
            b.tokens = min(burst, b.tokens + max(0, now - b.last) * perSecond)
            b.last = max(b.last, now)
            guard b.tokens >= 1 else {
                buckets[key] = b
                return false
            }
            b.tokens -= 1
            buckets[key] = b
            return true
        }
    }
}
