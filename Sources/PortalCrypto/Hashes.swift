// Hash functions from libsodium: SHA-256, keyed BLAKE2b, HMAC-SHA256 and HKDF-SHA256 on top of it.
import CSodium

/// SHA-256 (`crypto_hash_sha256`).
public enum SHA256 {
    /// `SHA256.hash(Array("abc".utf8))` is the 32-byte digest.
    public static func hash(_ message: [UInt8]) -> [UInt8] {
        Sodium.initialize()
        var out = [UInt8](repeating: 0, count: 32)
        message.withUnsafeBufferPointer { m in
            _ = crypto_hash_sha256(&out, m.baseAddress ?? emptyInput, UInt64(m.count))
        }
        return out
    }
}

/// BLAKE2b (`crypto_generichash`), optionally keyed.
public enum BLAKE2b {
    /// `BLAKE2b.hash(message, key: k, length: 32)`. `key` is empty or 16...64 bytes, `length`
    /// 16...64 (libsodium's limits; violating them is a programming error).
    public static func hash(_ message: [UInt8], key: [UInt8], length: Int) -> [UInt8] {
        message.withUnsafeBytes { m in
            hash(parts: [m], key: key, length: length)
        }
    }

    /// Hashes the concatenation of `parts` without building it (used for synthetic nonces).
    public static func hash(parts: [UnsafeRawBufferPointer], key: [UInt8], length: Int) -> [UInt8] {
        precondition((1...64).contains(length), "BLAKE2b output length must be 1...64")
        precondition(key.isEmpty || (16...64).contains(key.count), "BLAKE2b key must be empty or 16...64 bytes")
        Sodium.initialize()
        // The state is declared 64-byte aligned in C; allocate it explicitly aligned.
        let state = UnsafeMutableRawPointer.allocate(
            byteCount: crypto_generichash_statebytes(), alignment: 64)
        defer {
            sodium_memzero(state, crypto_generichash_statebytes())
            state.deallocate()
        }
        let typed = OpaquePointer(state)
        var out = [UInt8](repeating: 0, count: length)
        key.withUnsafeBufferPointer { k in
            _ = crypto_generichash_init(typed, k.baseAddress, k.count, length)
        }
        for part in parts where part.count > 0 {
            _ = crypto_generichash_update(
                typed, part.baseAddress!.assumingMemoryBound(to: UInt8.self), UInt64(part.count))
        }
        _ = crypto_generichash_final(typed, &out, length)
        return out
    }
}

/// HMAC-SHA256 with a key of any length (`crypto_auth_hmacsha256_init/update/final`).
public enum HMACSHA256 {
    public static func authenticate(_ message: [UInt8], key: [UInt8]) -> [UInt8] {
        message.withUnsafeBytes { m in authenticate(parts: [m], key: key) }
    }

    static func authenticate(parts: [UnsafeRawBufferPointer], key: [UInt8]) -> [UInt8] {
        Sodium.initialize()
        var state = crypto_auth_hmacsha256_state()
        defer { withUnsafeMutableBytes(of: &state) { sodium_memzero($0.baseAddress!, $0.count) } }
        var out = [UInt8](repeating: 0, count: 32)
        key.withUnsafeBufferPointer { k in
            _ = crypto_auth_hmacsha256_init(&state, k.baseAddress ?? emptyInput, k.count)
        }
        for part in parts where part.count > 0 {
            _ = crypto_auth_hmacsha256_update(
                &state, part.baseAddress!.assumingMemoryBound(to: UInt8.self), UInt64(part.count))
        }
        _ = crypto_auth_hmacsha256_final(&state, &out)
        return out
    }
}

/// HKDF-SHA256 (RFC 5869). libsodium 1.0.18 has no HKDF, so it is built on its HMAC-SHA256.
///
/// ```swift
/// let kek = HKDF.sha256(ikm: r, salt: siteID, info: Array("ouderportaal/1 kek".utf8), length: 32)
/// ```
public enum HKDF {
    public static func sha256(ikm: [UInt8], salt: [UInt8], info: [UInt8], length: Int) -> [UInt8] {
        expand(prk: extract(salt: salt, ikm: ikm), info: info, length: length)
    }

    /// `PRK = HMAC(salt, IKM)`; an empty salt acts as 32 zero bytes (HMAC pads keys with zeros).
    public static func extract(salt: [UInt8], ikm: [UInt8]) -> [UInt8] {
        HMACSHA256.authenticate(ikm, key: salt)
    }

    /// `T(i) = HMAC(PRK, T(i-1) || info || i)`, output the first `length` (<= 8160) bytes.
    public static func expand(prk: [UInt8], info: [UInt8], length: Int) -> [UInt8] {
        precondition(length >= 0 && length <= 255 * 32, "HKDF-SHA256 output is at most 8160 bytes")
        var okm: [UInt8] = []
        okm.reserveCapacity(length + 32)
        var previous: [UInt8] = []
        var counter: UInt8 = 1
        while okm.count < length {
            previous = previous.withUnsafeBytes { p in
                info.withUnsafeBytes { i in
                    withUnsafeBytes(of: counter) { c in
                        HMACSHA256.authenticate(parts: [p, i, c], key: prk)
                    }
                }
            }
            okm += previous
            counter &+= 1
        }
        return Array(okm.prefix(length))
    }
}

/// A valid pointer for zero-length inputs to C functions declared `nonnull`.
nonisolated(unsafe) let emptyInput: UnsafePointer<UInt8> = {
    let p = UnsafeMutablePointer<UInt8>.allocate(capacity: 1)
    p.initialize(to: 0)
    return UnsafePointer(p)
}()
