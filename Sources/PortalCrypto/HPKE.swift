// HPKE (RFC 9180) base mode for one suite: DHKEM(X25519, HKDF-SHA256), HKDF-SHA256, AES-256-GCM,
// built on libsodium (crypto_scalarmult, HMAC-SHA256, crypto_aead_aes256gcm). Parents' browsers
// seal absence reports and booking names to the school's inbox key with it (WebCrypto has every
// primitive: X25519 deriveBits, HKDF, AES-GCM).

/// Single-shot HPKE base mode, suite (kem 0x0020, kdf 0x0001, aead 0x0002).
///
/// ```swift
/// let sealed = try HPKE.seal(plaintext: Array(json.utf8), aad: Array(tokenID.utf8),
///                            info: Array("ouderportaal/1 absence".utf8),
///                            recipientPublicKey: keystore.inboxPublicKey)
/// let json = try HPKE.open(enc: sealed.enc, ciphertext: sealed.ciphertext, aad: Array(tokenID.utf8),
///                          info: Array("ouderportaal/1 absence".utf8),
///                          recipientSecretKey: keystore.inboxSecretKey)
/// ```
public enum HPKE {
    public static let kemID: UInt16 = 0x0020
    public static let kdfID: UInt16 = 0x0001
    public static let aeadID: UInt16 = 0x0002
    /// Length of `enc` (the ephemeral X25519 public key).
    public static let encLength = 32
    public static let tagLength = 16

    /// Seals `plaintext` to `recipientPublicKey` with a fresh ephemeral key from `random`.
    /// Throws `.invalidKeyLength` (key not 32 bytes) or `.invalidPublicKey` (low-order key).
    public static func seal(
        plaintext: [UInt8], aad: [UInt8], info: [UInt8], recipientPublicKey: [UInt8],
        random: some RandomSource = SystemRandom()
    ) throws(CryptoError) -> (enc: [UInt8], ciphertext: [UInt8]) {
        let ephemeral = X25519KeyPair.generate(using: random)
        return try seal(
            plaintext: plaintext, aad: aad, info: info, recipientPublicKey: recipientPublicKey,
            ephemeralSecretKey: ephemeral.secretKey)
    }

    /// Seals with a given ephemeral secret key: deterministic, for test vectors and cross-checks
    /// with the browser only. Never reuse an ephemeral key for real messages.
    public static func seal(
        plaintext: [UInt8], aad: [UInt8], info: [UInt8], recipientPublicKey: [UInt8],
        ephemeralSecretKey: [UInt8]
    ) throws(CryptoError) -> (enc: [UInt8], ciphertext: [UInt8]) {
        try Sodium.ensureReady()
        let (sharedSecret, enc) = try encap(recipientPublicKey: recipientPublicKey, ephemeralSecretKey: ephemeralSecretKey)
        var context = keySchedule(sharedSecret: sharedSecret, info: info)
        let ciphertext = try context.seal(aad: aad, plaintext: plaintext)
        return (enc, ciphertext)
    }

    /// Opens a single-shot ciphertext. Throws `.envelopeAuthenticationFailed` for a wrong key,
    /// info or aad or damaged bytes, `.invalidKeyLength`/`.invalidPublicKey` for a bad `enc`.
    public static func open(
        enc: [UInt8], ciphertext: [UInt8], aad: [UInt8], info: [UInt8], recipientSecretKey: [UInt8]
    ) throws(CryptoError) -> [UInt8] {
        try Sodium.ensureReady()
        let sharedSecret = try decap(enc: enc, recipientSecretKey: recipientSecretKey)
        var context = keySchedule(sharedSecret: sharedSecret, info: info)
        return try context.open(aad: aad, ciphertext: ciphertext)
    }

    /// SetupBaseS then `Export(exporterContext, length)` (RFC 9180 sections 5.1.1 and 5.3): a
    /// secret the recipient of `enc` alone can derive, for a construction of its own (the staff
    /// upload stream). A fresh ephemeral key from `random`, or the given one for test vectors.
    public static func exportedSecret(
        recipientPublicKey: [UInt8], info: [UInt8], exporterContext: [UInt8], length: Int,
        ephemeralSecretKey: [UInt8]? = nil, random: some RandomSource = SystemRandom()
    ) throws(CryptoError) -> (enc: [UInt8], secret: [UInt8]) {
        try Sodium.ensureReady()
        let ephemeral = ephemeralSecretKey ?? X25519KeyPair.generate(using: random).secretKey
        let (sharedSecret, enc) = try encap(recipientPublicKey: recipientPublicKey, ephemeralSecretKey: ephemeral)
        return (enc, keySchedule(sharedSecret: sharedSecret, info: info).export(context: exporterContext, length: length))
    }

    /// SetupBaseR then `Export(exporterContext, length)`: the recipient's half of `exportedSecret`.
    public static func exportedSecret(
        enc: [UInt8], recipientSecretKey: [UInt8], info: [UInt8], exporterContext: [UInt8], length: Int
    ) throws(CryptoError) -> [UInt8] {
        try Sodium.ensureReady()
        let sharedSecret = try decap(enc: enc, recipientSecretKey: recipientSecretKey)
        return keySchedule(sharedSecret: sharedSecret, info: info).export(context: exporterContext, length: length)
    }

    /// DeriveKeyPair(ikm) of DHKEM(X25519, HKDF-SHA256) (RFC 9180 section 7.1.3).
    public static func deriveKeyPair(ikm: [UInt8]) -> X25519KeyPair {
        let prk = labeledExtract(suiteID: kemSuiteID, salt: [], label: "dkp_prk", ikm: ikm)
        let sk = labeledExpand(suiteID: kemSuiteID, prk: prk, label: "sk", info: [], length: 32)
        do { return try X25519KeyPair(secretKey: sk) } catch { preconditionFailure("unreachable: 32-byte key") }
    }

    // MARK: - Internals (exposed to the tests)

    static let kemSuiteID: [UInt8] = Array("KEM".utf8) + i2osp2(kemID)

    static func hpkeSuiteID(aeadID: UInt16) -> [UInt8] {
        Array("HPKE".utf8) + i2osp2(kemID) + i2osp2(kdfID) + i2osp2(aeadID)
    }

    static func i2osp2(_ value: UInt16) -> [UInt8] { [UInt8(value >> 8), UInt8(value & 0xff)] }

    /// `LabeledExtract(salt, label, ikm) = Extract(salt, "HPKE-v1" || suite_id || label || ikm)`.
    static func labeledExtract(suiteID: [UInt8], salt: [UInt8], label: String, ikm: [UInt8]) -> [UInt8] {
        HKDF.extract(salt: salt, ikm: Array("HPKE-v1".utf8) + suiteID + Array(label.utf8) + ikm)
    }

    /// `LabeledExpand(prk, label, info, L) = Expand(prk, I2OSP(L, 2) || "HPKE-v1" || suite_id || label || info, L)`.
    static func labeledExpand(suiteID: [UInt8], prk: [UInt8], label: String, info: [UInt8], length: Int) -> [UInt8] {
        let labeledInfo = i2osp2(UInt16(length)) + Array("HPKE-v1".utf8) + suiteID + Array(label.utf8) + info
        return HKDF.expand(prk: prk, info: labeledInfo, length: length)
    }

    /// `ExtractAndExpand(dh, kem_context)` of DHKEM.
    static func extractAndExpand(dh: [UInt8], kemContext: [UInt8]) -> [UInt8] {
        let prk = labeledExtract(suiteID: kemSuiteID, salt: [], label: "eae_prk", ikm: dh)
        return labeledExpand(suiteID: kemSuiteID, prk: prk, label: "shared_secret", info: kemContext, length: 32)
    }

    /// Encap with a given ephemeral secret key: `(shared_secret, enc)`.
    static func encap(recipientPublicKey: [UInt8], ephemeralSecretKey: [UInt8]) throws(CryptoError) -> ([UInt8], [UInt8]) {
        guard recipientPublicKey.count == 32 else { throw .invalidKeyLength }
        let ephemeral = try X25519KeyPair(secretKey: ephemeralSecretKey)
        let dh = try ephemeral.sharedSecret(with: recipientPublicKey)
        let enc = ephemeral.publicKey
        return (extractAndExpand(dh: dh, kemContext: enc + recipientPublicKey), enc)
    }

    static func decap(enc: [UInt8], recipientSecretKey: [UInt8]) throws(CryptoError) -> [UInt8] {
        guard enc.count == encLength else { throw .invalidKeyLength }
        let recipient = try X25519KeyPair(secretKey: recipientSecretKey)
        let dh = try recipient.sharedSecret(with: enc)
        return extractAndExpand(dh: dh, kemContext: enc + recipient.publicKey)
    }

    /// KeySchedule for mode_base (no PSK). `aeadID`/`keyLength` are parameters only so that the
    /// tests can check RFC 9180 A.1 (AES-128-GCM) for the shared parts; sealing always uses 2/32.
    static func keySchedule(sharedSecret: [UInt8], info: [UInt8], aeadID: UInt16 = HPKE.aeadID, keyLength: Int = 32) -> Context {
        let suite = hpkeSuiteID(aeadID: aeadID)
        let pskIDHash = labeledExtract(suiteID: suite, salt: [], label: "psk_id_hash", ikm: [])
        let infoHash = labeledExtract(suiteID: suite, salt: [], label: "info_hash", ikm: info)
        let context: [UInt8] = [0x00] + pskIDHash + infoHash
        let secret = labeledExtract(suiteID: suite, salt: sharedSecret, label: "secret", ikm: [])
        return Context(
            suiteID: suite,
            key: labeledExpand(suiteID: suite, prk: secret, label: "key", info: context, length: keyLength),
            baseNonce: labeledExpand(suiteID: suite, prk: secret, label: "base_nonce", info: context, length: 12),
            exporterSecret: labeledExpand(suiteID: suite, prk: secret, label: "exp", info: context, length: 32))
    }

    /// An encryption context (RFC 9180 section 5.2). Single-shot use only needs sequence 0.
    struct Context {
        let suiteID: [UInt8]
        let key: [UInt8]
        let baseNonce: [UInt8]
        let exporterSecret: [UInt8]
        var sequence: UInt64 = 0

        /// `base_nonce XOR I2OSP(seq, 12)`.
        func nonce() -> [UInt8] {
            var nonce = baseNonce
            var seq = sequence
            var i = 11
            while seq > 0 && i >= 0 {
                nonce[i] ^= UInt8(seq & 0xff)
                seq >>= 8
                i -= 1
            }
            return nonce
        }

        mutating func seal(aad: [UInt8], plaintext: [UInt8]) throws(CryptoError) -> [UInt8] {
            let ct = try AES256GCM.encrypt(key: key, nonce: nonce(), plaintext: plaintext, associatedData: aad)
            sequence += 1
            return ct
        }

        mutating func open(aad: [UInt8], ciphertext: [UInt8]) throws(CryptoError) -> [UInt8] {
            let pt = try AES256GCM.decrypt(key: key, nonce: nonce(), ciphertext: ciphertext, associatedData: aad)
            sequence += 1
            return pt
        }

        /// `Export(exporter_context, L)`.
        func export(context: [UInt8], length: Int) -> [UInt8] {
            HPKE.labeledExpand(suiteID: suiteID, prk: exporterSecret, label: "sec", info: context, length: length)
        }
    }
}
