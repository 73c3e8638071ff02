// The AEAD every envelope uses, as libsodium has it and WebCrypto opens it.
import CSodium

/// Raw AES-256-GCM (libsodium `crypto_aead_aes256gcm_*`): output is ciphertext || 16-byte tag,
/// exactly what WebCrypto `AES-GCM` produces and opens.
public enum AES256GCM {
    public static func encrypt(key: [UInt8], nonce: [UInt8], plaintext: [UInt8], associatedData: [UInt8]) throws(CryptoError) -> [UInt8] {
        try Sodium.ensureReady()
        guard key.count == 32 else { throw .invalidKeyLength }
        precondition(nonce.count == 12, "AES-GCM nonce must be 12 bytes")
        var out = [UInt8](repeating: 0, count: plaintext.count + 16)
        var outLength: UInt64 = 0
        let status = out.withUnsafeMutableBufferPointer { o in
            plaintext.withUnsafeBufferPointer { m in
                associatedData.withUnsafeBufferPointer { ad in
                    crypto_aead_aes256gcm_encrypt(
                        o.baseAddress!, &outLength, m.baseAddress, UInt64(m.count), ad.baseAddress, UInt64(ad.count),
                        nil, nonce, key)
                }
            }
        }
        guard status == 0 else { throw .encryptionFailed }
        return out
    }

    public static func decrypt(key: [UInt8], nonce: [UInt8], ciphertext: [UInt8], associatedData: [UInt8]) throws(CryptoError) -> [UInt8] {
        try Sodium.ensureReady()
        guard key.count == 32 else { throw .invalidKeyLength }
        guard nonce.count == 12, ciphertext.count >= 16 else { throw .envelopeAuthenticationFailed }
        var out = [UInt8](repeating: 0, count: max(ciphertext.count - 16, 1))
        var outLength: UInt64 = 0
        let status = out.withUnsafeMutableBufferPointer { o in
            ciphertext.withUnsafeBufferPointer { c in
                associatedData.withUnsafeBufferPointer { ad in
                    crypto_aead_aes256gcm_decrypt(
                        o.baseAddress!, &outLength, nil, c.baseAddress!, UInt64(c.count), ad.baseAddress,
                        UInt64(ad.count), nonce, key)
                }
            }
        }
        guard status == 0 else { throw .envelopeAuthenticationFailed }
        return Array(out.prefix(Int(outLength)))
    }
}
