// Public-key primitives: Ed25519 request signatures and X25519 inbox keys.
import CSodium

/// Ed25519 (`crypto_sign_*`) from 32-byte seeds.
///
/// ```swift
/// let seed = master.signingSeed(tokenID: id)
/// let sig = Ed25519.sign(message, seed: seed)
/// Ed25519.verify(signature: sig, message: message, publicKey: Ed25519.publicKey(seed: seed))  // true
/// ```
public enum Ed25519 {
    public static func publicKey(seed: [UInt8]) -> [UInt8] {
        keyPair(seed: seed).publicKey
    }

    /// 64-byte detached signature.
    public static func sign(_ message: [UInt8], seed: [UInt8]) -> [UInt8] {
        var secret = keyPair(seed: seed).secretKey
        defer { sodium_memzero(&secret, secret.count) }
        var signature = [UInt8](repeating: 0, count: 64)
        message.withUnsafeBufferPointer { m in
            _ = crypto_sign_detached(&signature, nil, m.baseAddress ?? emptyInput, UInt64(m.count), secret)
        }
        return signature
    }

    /// False for any wrong length as well as for a bad signature (inputs come from requests).
    public static func verify(signature: [UInt8], message: [UInt8], publicKey: [UInt8]) -> Bool {
        Sodium.initialize()
        guard signature.count == 64, publicKey.count == 32 else { return false }
        return message.withUnsafeBufferPointer { m in
            crypto_sign_verify_detached(signature, m.baseAddress ?? emptyInput, UInt64(m.count), publicKey) == 0
        }
    }

    private static func keyPair(seed: [UInt8]) -> (publicKey: [UInt8], secretKey: [UInt8]) {
        precondition(seed.count == 32, "an Ed25519 seed is 32 bytes")
        Sodium.initialize()
        var pk = [UInt8](repeating: 0, count: 32)
        var sk = [UInt8](repeating: 0, count: 64)
        _ = crypto_sign_seed_keypair(&pk, &sk, seed)
        return (pk, sk)
    }
}

/// An X25519 key pair (the school's inbox key). The secret key is 32 random bytes; the public
/// key is `crypto_scalarmult_base` of it (what `crypto_box_keypair` does, with injected randomness).
public struct X25519KeyPair: Sendable, Equatable {
    public let publicKey: [UInt8]
    public let secretKey: [UInt8]

    public init(secretKey: [UInt8]) throws(CryptoError) {
        guard secretKey.count == 32 else { throw .invalidKeyLength }
        Sodium.initialize()
        var pk = [UInt8](repeating: 0, count: 32)
        _ = crypto_scalarmult_base(&pk, secretKey)
        self.publicKey = pk
        self.secretKey = secretKey
    }

    public static func generate(using random: some RandomSource) -> X25519KeyPair {
        let sk = random.bytes(32)
        precondition(sk.count == 32, "RandomSource returned \(sk.count) bytes, not 32")
        do {
            return try X25519KeyPair(secretKey: sk)
        } catch {
            preconditionFailure("unreachable: 32-byte secret key")
        }
    }

    /// Raw X25519 shared secret `crypto_scalarmult(secretKey, peer)`; throws on an all-zero result.
    public func sharedSecret(with peerPublicKey: [UInt8]) throws(CryptoError) -> [UInt8] {
        guard peerPublicKey.count == 32 else { throw .invalidKeyLength }
        var out = [UInt8](repeating: 0, count: 32)
        guard crypto_scalarmult(&out, secretKey, peerPublicKey) == 0 else { throw .invalidPublicKey }
        return out
    }

    public static func == (lhs: X25519KeyPair, rhs: X25519KeyPair) -> Bool {
        constantTimeEqual(lhs.secretKey, rhs.secretKey) && lhs.publicKey == rhs.publicKey
    }
}
