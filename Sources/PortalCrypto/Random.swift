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

enum LittleEndian {
    static func u64(_ value: UInt64) -> [UInt8] {
        withUnsafeBytes(of: value.littleEndian) { Array($0) }
    }
}
