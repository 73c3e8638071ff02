// In-memory guards: seen nonces (bounded by the clock-skew window) and token-bucket rate limits.
import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// Nonces seen recently. A timestamp outside the skew window is refused before this is asked,
/// so a nonce has to be remembered for `2 × skew` seconds after it was first seen. Two
/// generations rotate every `2 × skew` seconds (an entry lives 1-2 generations), so forgetting
/// old nonces costs O(1) instead of a scan under the lock. Mutating requests also store their
/// nonce in SQLite in the same transaction as their effect, so a replay after a restart is
/// refused too. Each signer (token id, or `admin`) may hold at most `perSigner` of the entries,
/// so one token cannot fill the cache and turn everyone away.
final class ReplayGuard: @unchecked Sendable {
    private let lock = NSLock()
    private var current = Set<String>()
    private var previous = Set<String>()
    private var currentCounts: [String: Int] = [:]
    private var previousCounts: [String: Int] = [:]
    private var rotatedAt: Int64 = .min
    private let lifetime: Int64
    private let capacity: Int
    private let perSigner: Int

    init(skewSeconds: Int64, capacity: Int = 2_000_000, perSigner: Int = 10_000) {
        lifetime = 2 * skewSeconds
        self.capacity = capacity
        self.perSigner = perSigner
    }

    enum Outcome { case fresh, replayed, full, signerFull }

    /// Records `nonce` of `signer` at `now`; `.replayed` if it was seen within the last
    /// `2 × skew` seconds, `.signerFull` if the signer already has `perSigner` nonces remembered.
    func check(signer: String, nonce: String, now: Int64) -> Outcome {
        let key = signer + " " + nonce
        return lock.withLock {
            if rotatedAt == .min { rotatedAt = now }
            if now - rotatedAt >= 2 * lifetime {
                previous.removeAll()
                current.removeAll()
                previousCounts.removeAll()
                currentCounts.removeAll()
                rotatedAt = now
            } else if now - rotatedAt >= lifetime {
                previous = current
                current = Set()
                previousCounts = currentCounts
                currentCounts = [:]
                rotatedAt = now
            }
            if current.contains(key) || previous.contains(key) { return .replayed }
            let held = currentCounts[signer, default: 0] + previousCounts[signer, default: 0]
            if perSigner > 0 && held >= perSigner { return .signerFull }
            if current.count + previous.count >= capacity { return .full }
            current.insert(key)
            currentCounts[signer, default: 0] += 1
            return .fresh
        }
    }

    var count: Int { lock.withLock { current.count + previous.count } }
}

/// The key of the per-address bucket: an IPv4 address as it is, an IPv6 address by its /64
/// (one customer line or one phone usually holds a whole /64, and picking a fresh address in
/// it is free), an IPv4-mapped IPv6 address as its IPv4 address.
enum AddressBucket {
    static func key(_ text: String) -> String {
        var address = text
        if address.hasPrefix("["), let close = address.firstIndex(of: "]") {
            address = String(address[address.index(after: address.startIndex)..<close])
        }
        if let percent = address.firstIndex(of: "%") { address = String(address[..<percent]) }
        var v4 = in_addr()
        if inet_pton(AF_INET, address, &v4) == 1 { return address }
        var v6 = in6_addr()
        guard inet_pton(AF_INET6, address, &v6) == 1 else { return text }
        let bytes = withUnsafeBytes(of: &v6) { Array($0) }
        if bytes[0..<10].allSatisfy({ $0 == 0 }) && bytes[10] == 0xff && bytes[11] == 0xff {
            return bytes[12..<16].map(String.init).joined(separator: ".")
        }
        return bytes[0..<8].map { String(format: "%02x", $0) }.joined() + "::/64"
    }
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
