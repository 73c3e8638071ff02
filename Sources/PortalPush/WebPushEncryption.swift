// RFC 8291: a push message only the subscribing browser can read. The push service (Google,
// Mozilla, Apple) relays bytes sealed to the subscription's P-256 key and auth secret.
import Crypto
import Foundation
import PortalCrypto

/// The keys a browser's `PushSubscription` gives (`getKey('p256dh')`, `getKey('auth')`).
public struct PushSubscriptionKeys: Sendable, Equatable {
    /// 65-byte uncompressed P-256 public key.
    public let p256dh: [UInt8]
    /// 16-byte authentication secret.
    public let auth: [UInt8]

    public init(p256dh: [UInt8], auth: [UInt8]) throws(PushError) {
        guard p256dh.count == 65, p256dh.first == 0x04,
              (try? P256.KeyAgreement.PublicKey(x963Representation: p256dh)) != nil else { throw .invalidSubscriptionKey }
        guard auth.count == 16 else { throw .invalidAuthSecret }
        self.p256dh = p256dh
        self.auth = auth
    }
}

/// Web Push message encryption (RFC 8291, `aes128gcm`).
///
/// ```swift
/// let keys = try PushSubscriptionKeys(p256dh: p256dh, auth: auth)
/// let body = try WebPushEncryption.encrypt(Array(payload.utf8), to: keys)
/// // POST body to the endpoint with "Content-Encoding: aes128gcm"
/// ```
public enum WebPushEncryption {
    /// Largest plaintext: one 4096-byte record minus header (86), tag (16) and delimiter (1).
    public static let maxPlaintext = 4096 - 86 - 16 - 1

    /// Encrypts with a fresh ephemeral key and salt. `ephemeral` and `salt` are for known-answer
    /// tests only: reusing either across messages would repeat AES-GCM's key and nonce.
    /// `padTo`: the plaintext is padded to this many bytes (RFC 8188 padding), so the push
    /// service sees one length for every message.
    public static func encrypt(
        _ plaintext: [UInt8], to subscription: PushSubscriptionKeys,
        ephemeral: P256.KeyAgreement.PrivateKey = P256.KeyAgreement.PrivateKey(), salt: [UInt8]? = nil, padTo: Int = 0
    ) throws(PushError) -> [UInt8] {
        guard plaintext.count <= maxPlaintext else { throw .payloadTooLarge(plaintext.count) }
        let salt = salt ?? SystemRandom().bytes(16)
        let senderPublic = Array(ephemeral.publicKey.x963Representation)
        let ikm = try inputKey(
            privateKey: ephemeral, peer: subscription.p256dh, auth: subscription.auth,
            uaPublic: subscription.p256dh, asPublic: senderPublic)
        return try ContentEncoding.encrypt(plaintext, ikm: ikm, salt: salt, keyID: senderPublic, padTo: padTo)
    }

    /// What the browser does on receipt: opens a message with the subscription's private key.
    public static func decrypt(
        _ body: [UInt8], privateKey: P256.KeyAgreement.PrivateKey, auth: [UInt8]
    ) throws(PushError) -> [UInt8] {
        let uaPublic = Array(privateKey.publicKey.x963Representation)
        return try ContentEncoding.decrypt(body) { (keyID: [UInt8]) throws(PushError) -> [UInt8] in
            guard keyID.count == 65 else { throw .malformedMessage("the key id is not a P-256 public key") }
            return try inputKey(privateKey: privateKey, peer: keyID, auth: auth, uaPublic: uaPublic, asPublic: keyID)
        }
    }

    /// `IKM = HKDF(salt = auth, ikm = ECDH, info = "WebPush: info" 0x00 || ua_public || as_public, 32)`.
    static func inputKey(
        privateKey: P256.KeyAgreement.PrivateKey, peer: [UInt8], auth: [UInt8], uaPublic: [UInt8], asPublic: [UInt8]
    ) throws(PushError) -> [UInt8] {
        guard let peerKey = try? P256.KeyAgreement.PublicKey(x963Representation: peer) else { throw .invalidSubscriptionKey }
        guard let shared = try? privateKey.sharedSecretFromKeyAgreement(with: peerKey) else { throw .invalidSubscriptionKey }
        let ecdh = shared.withUnsafeBytes { Array($0) }
        let info = Array("WebPush: info\u{0}".utf8) + uaPublic + asPublic
        return PortalCrypto.HKDF.sha256(ikm: ecdh, salt: auth, info: info, length: 32)
    }
}
