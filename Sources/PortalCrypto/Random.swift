// Injected randomness: the system source for real keys, a seeded one for reproducible tests.
import CSodium
import Foundation

/// Where keys, tokens and ids get their random bytes. Inject it so tests are deterministic.
///
/// ```swift
/// let token = Token.generate(using: SystemRandom())
/// ```
public protocol RandomSource: Sendable {
    func bytes(_ count: Int) -> [UInt8]
}

/// The operating system's CSPRNG through libsodium's `randombytes_buf`.
public struct SystemRandom: RandomSource {
    public init() {}

    public func bytes(_ count: Int) -> [UInt8] {
        Sodium.initialize()
        guard count > 0 else { return [] }
        return [UInt8](unsafeUninitializedCapacity: count) { buffer, initialized in
            randombytes_buf(buffer.baseAddress!, count)
            initialized = count
        }
    }
}

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
            Array("ouderportaal test random".utf8) + LittleEndian.u64(n), key: seed, length: 32)
        return [UInt8](unsafeUninitializedCapacity: count) { buffer, initialized in
            callSeed.withUnsafeBufferPointer { seedPtr in
                randombytes_buf_deterministic(buffer.baseAddress!, count, seedPtr.baseAddress!)
            }
            initialized = count
        }
    }
}

enum LittleEndian {
    static func u64(_ value: UInt64) -> [UInt8] {
        withUnsafeBytes(of: value.littleEndian) { Array($0) }
    }
}
