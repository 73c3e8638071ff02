// The sealed envelope of format v1: "OPB1" || nonce(12) || AES-256-GCM(K, nonce, padded M, AD).
import PortalCrypto
import CSodium

/// Seals and opens envelopes exactly as FORMAT.md "Envelope" describes. The nonce is synthetic
/// (keyed BLAKE2b of AD and padded plaintext), so equal input gives byte-identical output.
///
/// ```swift
/// let key = master.audienceKey(audience: "school", epoch: 1)
/// let ad = AssociatedData.blob(audience: "school", epoch: 1, logicalPath: "news/welkom")
/// let sealed = try Envelope.seal(Array(html.utf8), key: key, associatedData: ad)
/// let html = try Envelope.open(sealed, key: key, associatedData: ad)
/// ```
public enum Envelope {
    public static let nonceLength = 12
    public static let tagLength = 16
    /// `"OPB1"` + nonce + tag.
    public static let overhead = 4 + nonceLength + tagLength
    /// Padded plaintext size of every keyslot (site.json `keyslot_size`).
    public static let keyslotPaddedLength = 4096

    /// Seals `message`. `paddedLength` nil pads to the Padmé blob length; keyslots pass
    /// `Envelope.keyslotPaddedLength`. Throws `.messageTooLong` if `message.count + 1 > paddedLength`.
    public static func seal(
        _ message: [UInt8], key: SymmetricKey, associatedData: [UInt8], paddedLength: Int? = nil
    ) throws(CryptoError) -> [UInt8] {
        let padded = paddedLength ?? Padme.blobLength(messageLength: message.count)
        guard message.count < padded else {
            throw .messageTooLong(length: message.count, paddedLength: padded)
        }
        try Sodium.ensureReady()
        return try message.withUnsafeBytes { m in
            sealPadded(count: padded, key: key, associatedData: associatedData) { p in
                // p is zero-filled: copy M and the 0x80 marker.
                if m.count > 0 { p.baseAddress!.copyMemory(from: m.baseAddress!, byteCount: m.count) }
                p[m.count] = 0x80
            }
        }.get()
    }

    /// Seals an already padded plaintext `P` as is (tests use it to make invalid padding).
    static func sealPadded(_ p: [UInt8], key: SymmetricKey, associatedData: [UInt8]) throws(CryptoError) -> [UInt8] {
        try Sodium.ensureReady()
        return try p.withUnsafeBytes { src in
            sealPadded(count: p.count, key: key, associatedData: associatedData) { dst in
                if src.count > 0 { dst.baseAddress!.copyMemory(from: src.baseAddress!, byteCount: src.count) }
            }
        }.get()
    }

    /// Builds the envelope in one allocation: the plaintext is written into the ciphertext
    /// region by `fill`, hashed for the nonce, then encrypted in place.
    private static func sealPadded(
        count: Int, key: SymmetricKey, associatedData: [UInt8],
        fill: (UnsafeMutableRawBufferPointer) -> Void
    ) -> Result<[UInt8], CryptoError> {
        let total = overhead + count
        var status: Int32 = 0
        let envelope = [UInt8](unsafeUninitializedCapacity: total) { buffer, initialized in
            let base = UnsafeMutableRawBufferPointer(buffer)
            base.initializeMemory(as: UInt8.self, repeating: 0)
            base.copyBytes(from: Label.magic)
            let body = UnsafeMutableRawBufferPointer(rebasing: base[16..<(16 + count)])
            fill(body)
            let nonce = associatedData.withUnsafeBytes { ad in
                var adLength = UInt64(ad.count).littleEndian
                return withUnsafeBytes(of: &adLength) { len in
                    BLAKE2b.hash(parts: [len, ad, UnsafeRawBufferPointer(body)], key: key.nonceKey, length: 32)
                }
            }
            for i in 0..<nonceLength { base[4 + i] = nonce[i] }
            let c = base.baseAddress!.assumingMemoryBound(to: UInt8.self)
            status = associatedData.withUnsafeBufferPointer { ad in
                key.bytes.withUnsafeBufferPointer { k in
                    // In place: the ciphertext overwrites the plaintext at offset 16, the tag follows it.
                    crypto_aead_aes256gcm_encrypt(
                        c + 16, nil, c + 16, UInt64(count), ad.baseAddress, UInt64(ad.count),
                        nil, c + 4, k.baseAddress!)
                }
            }
            if status != 0 { base.initializeMemory(as: UInt8.self, repeating: 0) }
            initialized = total
        }
        guard status == 0 else { return .failure(.encryptionFailed) }
        return .success(envelope)
    }

    /// Opens an envelope and removes the padding. Errors: `.envelopeTooShort`,
    /// `.envelopeBadMagic`, `.envelopeAuthenticationFailed`, `.paddingInvalid`.
    public static func open(_ envelope: [UInt8], key: SymmetricKey, associatedData: [UInt8]) throws(CryptoError) -> [UInt8] {
        var p = try openPadded(envelope, key: key, associatedData: associatedData)
        let marker = p.withUnsafeBufferPointer { buffer -> Int in
            var i = buffer.count - 1
            while i >= 0 && buffer[i] == 0 { i -= 1 }
            return i
        }
        guard marker >= 0, p[marker] == 0x80 else { throw .paddingInvalid }
        p.removeLast(p.count - marker)
        return p
    }

    /// Opens a keyslot: refuses, before decrypting, an envelope that is not exactly
    /// `overhead + keyslotSize` bytes (site.json `keyslot_size`), because every keyslot of a site
    /// has one size and a keyslot of another size must never be used. Errors: those of `open`,
    /// and `.keyslotWrongSize` first.
    ///
    /// ```swift
    /// let json = try Envelope.openKeyslot(sealed, key: token.kek(siteID: siteID),
    ///                                     associatedData: AssociatedData.keyslot(tokenID: tokenID),
    ///                                     keyslotSize: site.keyslotSize)
    /// ```
    public static func openKeyslot(
        _ envelope: [UInt8], key: SymmetricKey, associatedData: [UInt8], keyslotSize: Int
    ) throws(CryptoError) -> [UInt8] {
        guard keyslotSize > 0, envelope.count == overhead + keyslotSize else {
            throw .keyslotWrongSize(length: envelope.count, expected: overhead + max(keyslotSize, 0))
        }
        return try open(envelope, key: key, associatedData: associatedData)
    }

    /// Decrypts to the padded plaintext `P`.
    static func openPadded(_ envelope: [UInt8], key: SymmetricKey, associatedData: [UInt8]) throws(CryptoError) -> [UInt8] {
        try Sodium.ensureReady()
        guard envelope.count >= overhead else { throw .envelopeTooShort }
        guard envelope[0] == Label.magic[0], envelope[1] == Label.magic[1],
              envelope[2] == Label.magic[2], envelope[3] == Label.magic[3]
        else { throw .envelopeBadMagic }
        let count = envelope.count - overhead
        var status: Int32 = 0
        let plain = [UInt8](unsafeUninitializedCapacity: max(count, 1)) { buffer, initialized in
            status = envelope.withUnsafeBufferPointer { e in
                associatedData.withUnsafeBufferPointer { ad in
                    key.bytes.withUnsafeBufferPointer { k in
                        crypto_aead_aes256gcm_decrypt(
                            buffer.baseAddress!, nil, nil, e.baseAddress! + 16, UInt64(count + tagLength),
                            ad.baseAddress, UInt64(ad.count), e.baseAddress! + 4, k.baseAddress!)
                    }
                }
            }
            if status != 0 {
                buffer.initialize(repeating: 0)
                initialized = 0
            } else {
                initialized = count
            }
        }
        guard status == 0 else { throw .envelopeAuthenticationFailed }
        return plain
    }
}
