// Comparing secrets without a timing side channel.
import CSodium

/// Equality of secrets (keys, MACs, per-run keys) in time that does not depend on where they
/// differ (libsodium's `sodium_memcmp`); different lengths are simply unequal.
public func constantTimeEqual(_ a: [UInt8], _ b: [UInt8]) -> Bool {
    guard a.count == b.count else { return false }
    if a.isEmpty { return true }
    return a.withUnsafeBytes { pa in
        b.withUnsafeBytes { pb in sodium_memcmp(pa.baseAddress!, pb.baseAddress!, a.count) == 0 }
    }
}
