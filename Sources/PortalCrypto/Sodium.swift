// Library start-up (sodium_init and the AES-GCM hardware check) and the errors of this module.
import CSodium

/// libsodium start-up. Call `Sodium.ensureReady()` once before sealing; every function of this
/// module that needs libsodium initialised also does it itself.
///
/// ```swift
/// try Sodium.ensureReady()   // throws CryptoError.aesGCMUnavailable on a CPU without AES-NI
/// ```
public enum Sodium {
    /// `sodium_init()` runs once (a `static let` is initialised exactly once, thread-safely);
    /// afterwards this is an atomic load.
    private static let initResult: CryptoError? = {
        if sodium_init() < 0 { return .sodiumInitFailed }
        if crypto_aead_aes256gcm_is_available() != 1 { return .aesGCMUnavailable }
        return nil
    }()

    /// Initialises libsodium and checks that AES-256-GCM is usable on this CPU. Idempotent and
    /// thread-safe.
    public static func ensureReady() throws(CryptoError) {
        if let error = initResult { throw error }
    }

    /// For primitives that work without AES-GCM (hashes, signatures, randomness): runs
    /// `sodium_init()` once and ignores the AES check.
    @inline(__always)
    static func initialize() {
        _ = initResult
    }
}

/// Errors of the crypto layer. The descriptions are written for staff reading a failed build.
public enum CryptoError: Error, Equatable, Sendable, CustomStringConvertible {
    /// `sodium_init()` failed.
    case sodiumInitFailed
    /// The CPU lacks AES-NI/ARMv8-AES (libsodium's AES-256-GCM needs it).
    case aesGCMUnavailable
    /// A key is not 32 bytes.
    case invalidKeyLength
    /// A token secret is not 18 bytes.
    case invalidTokenSecretLength
    /// The envelope is shorter than 4 + 12 + 16 bytes.
    case envelopeTooShort
    /// The envelope does not start with `OPB1`.
    case envelopeBadMagic
    /// Wrong key, wrong associated data (moved or re-labelled blob) or damaged bytes.
    case envelopeAuthenticationFailed
    /// The decrypted plaintext does not end in `0x80 0x00*`.
    case paddingInvalid
    /// A keyslot envelope is not `4 + 12 + keyslot_size + 16` bytes (site.json `keyslot_size`).
    case keyslotWrongSize(length: Int, expected: Int)
    /// The message does not fit the requested padded length (it needs `length + 1` bytes).
    case messageTooLong(length: Int, paddedLength: Int)
    /// libsodium refused to encrypt (message too large for AES-GCM).
    case encryptionFailed
    /// An X25519 computation gave the all-zero output (a low-order public key).
    case invalidPublicKey

    public var description: String {
        switch self {
        case .sodiumInitFailed:
            return "libsodium could not be initialised (sodium_init failed)"
        case .aesGCMUnavailable:
            return "AES-256-GCM is not available on this CPU (libsodium needs AES-NI or ARMv8 AES); "
                + "run the generator on a machine with hardware AES"
        case .invalidKeyLength:
            return "a key must be exactly 32 bytes"
        case .invalidTokenSecretLength:
            return "a token secret must be exactly 18 bytes"
        case .envelopeTooShort:
            return "sealed file is too short to be an envelope (truncated download or damaged file)"
        case .envelopeBadMagic:
            return "sealed file does not start with OPB1 (not an Ouderportaal envelope, or another format version)"
        case .envelopeAuthenticationFailed:
            return "envelope does not open: wrong key, moved to another path/audience/epoch, or damaged"
        case .paddingInvalid:
            return "envelope opened but its padding is invalid (not 0x80 followed by zeros)"
        case .keyslotWrongSize(let length, let expected):
            return "keyslot is \(length) bytes, not \(expected) (every keyslot has the size site.json gives; damaged or not a keyslot)"
        case .messageTooLong(let length, let paddedLength):
            return "message of \(length) bytes does not fit a padded length of \(paddedLength) bytes "
                + "(at most \(paddedLength - 1) bytes fit)"
        case .encryptionFailed:
            return "AES-256-GCM encryption failed (message too large)"
        case .invalidPublicKey:
            return "X25519 public key is invalid (low order point)"
        }
    }
}
