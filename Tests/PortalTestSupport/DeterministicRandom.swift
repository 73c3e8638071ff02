// A reproducible random source, so that key, token and nonce tests are deterministic. Test-only:
// it lives here, outside every shipped target, so no product can draw a real key from it.
import CSodium
import Foundation
import PortalCrypto
import PortalFormat

/// A reproducible stream for tests: call n returns
/// `randombytes_buf_deterministic(count, BLAKE2b(seed32, "ouderportaal test random" || u64le(n), 32))`.
/// Never use it for real keys.
public final class DeterministicRandom: RandomSource, @unchecked Sendable {
    private let seed: [UInt8]
    private let lock = NSLock()
    private var counter: UInt64 = 0  // guarded by lock

    /// `seed` of any length; it is hashed to 32 bytes.
    public init(seed: [UInt8]) {
        self.seed = BLAKE2b.hash(seed, key: [], length: 32)
    }

    public convenience init(seed: UInt64) {
        self.init(seed: withUnsafeBytes(of: seed.littleEndian) { Array($0) })
    }

    public func bytes(_ count: Int) -> [UInt8] {
        guard count > 0 else { return [] }
        let n: UInt64 = lock.withLock {
            defer { counter += 1 }
            return counter
        }
        let callSeed = BLAKE2b.hash(
            Array("ouderportaal test random".utf8) + withUnsafeBytes(of: n.littleEndian) { Array($0) }, key: seed, length: 32)
        return [UInt8](unsafeUninitializedCapacity: count) { buffer, initialized in
            callSeed.withUnsafeBufferPointer { seedPtr in
                randombytes_buf_deterministic(buffer.baseAddress!, count, seedPtr.baseAddress!)
            }
            initialized = count
        }
    }
}

