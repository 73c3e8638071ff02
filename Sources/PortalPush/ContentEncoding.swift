// RFC 8188 "aes128gcm": the content coding Web Push bodies use. libsodium has no AES-128-GCM, so
// the cipher is swift-crypto's; the key schedule is PortalCrypto's HKDF-SHA256 (libsodium's HMAC).
import Crypto
import Foundation
import PortalCrypto

/// The `aes128gcm` content coding (RFC 8188).
///
/// ```swift
/// let body = try ContentEncoding.encrypt(plaintext, ikm: ikm, salt: salt, keyID: senderPublicKey)
/// let plain = try ContentEncoding.decrypt(body, ikm: { _ in ikm })
/// ```
public enum ContentEncoding {
    /// Header: salt (16) || rs (4, big endian) || idlen (1) || keyid.
    static let headerBase = 21
    static let tagLength = 16

    /// One record (a push message is one), ending in the final-record delimiter 0x02.
    /// `padTo`: zeros after the delimiter up to that many bytes of plaintext (section 2), so
    /// that messages of different content have one length.
    public static func encrypt(
        _ plaintext: [UInt8], ikm: [UInt8], salt: [UInt8], keyID: [UInt8] = [], recordSize: UInt32 = 4096, padTo: Int = 0
    ) throws(PushError) -> [UInt8] {
        precondition(salt.count == 16, "the aes128gcm salt is 16 bytes")
        precondition(keyID.count <= 255, "a key id is at most 255 bytes")
        let padded = max(plaintext.count + 1, padTo)
        guard padded + tagLength <= Int(recordSize) else { throw .payloadTooLarge(plaintext.count) }
        let (cek, nonce) = keys(ikm: ikm, salt: salt)
        var header = salt
        header += withUnsafeBytes(of: recordSize.bigEndian, Array.init)
        header.append(UInt8(keyID.count))
        header += keyID
        return header + seal(plaintext + [0x02] + [UInt8](repeating: 0, count: padded - plaintext.count - 1), key: cek, nonce: nonce)
    }

    /// Opens every record; `ikm` maps the header's key id to the input keying material.
    public static func decrypt(_ body: [UInt8], ikm: ([UInt8]) throws(PushError) -> [UInt8]) throws(PushError) -> [UInt8] {
        guard body.count >= headerBase else { throw .malformedMessage("shorter than the header") }
        let salt = Array(body[0..<16])
        let recordSize = body[16..<20].reduce(0) { ($0 << 8) | Int($1) }
        let idLength = Int(body[20])
        guard body.count >= headerBase + idLength else { throw .malformedMessage("shorter than the key id") }
        guard recordSize > tagLength + 1 else { throw .malformedMessage("record size \(recordSize) too small") }
        let keyID = Array(body[headerBase..<headerBase + idLength])
        let (cek, baseNonce) = keys(ikm: try ikm(keyID), salt: salt)
        var records: [ArraySlice<UInt8>] = []
        var at = headerBase + idLength
        while at < body.count {
            let end = min(at + recordSize, body.count)
            records.append(body[at..<end])
            at = end
        }
        guard !records.isEmpty else { throw .malformedMessage("no records") }
        var plaintext: [UInt8] = []
        for (index, record) in records.enumerated() {
            let last = index == records.count - 1
            guard record.count > tagLength else { throw .malformedMessage("record \(index) shorter than its tag") }
            var padded = try open(Array(record), key: cek, nonce: nonce(baseNonce, index))
            // Padding: the data, one delimiter (1 in every record but the last, 2 in the last), zeros.
            while padded.last == 0 { padded.removeLast() }
            guard let delimiter = padded.popLast(), delimiter == (last ? 2 : 1) else {
                throw .malformedMessage("record \(index) has no valid delimiter")
            }
            if !last, record.count != recordSize { throw .malformedMessage("record \(index) is short but not last") }
            plaintext += padded
        }
        return plaintext
    }

    /// CEK and nonce (RFC 8188 section 2.2, 2.3).
    static func keys(ikm: [UInt8], salt: [UInt8]) -> (cek: [UInt8], nonce: [UInt8]) {
        let prk = PortalCrypto.HKDF.extract(salt: salt, ikm: ikm)
        let cek = PortalCrypto.HKDF.expand(prk: prk, info: Array("Content-Encoding: aes128gcm\u{0}".utf8), length: 16)
        let nonce = PortalCrypto.HKDF.expand(prk: prk, info: Array("Content-Encoding: nonce\u{0}".utf8), length: 12)
        return (cek, nonce)
    }

    /// The nonce of record `index`: the base nonce XOR the index in its last bytes.
    static func nonce(_ base: [UInt8], _ index: Int) -> [UInt8] {
        var out = base
        var counter = UInt64(index)
        for i in stride(from: 11, through: 4, by: -1) {
            out[i] ^= UInt8(counter & 0xff)
            counter >>= 8
        }
        return out
    }

    static func seal(_ plaintext: [UInt8], key: [UInt8], nonce: [UInt8]) -> [UInt8] {
        // Key and nonce lengths are fixed above: sealing cannot fail.
        let box = try! AES.GCM.seal(plaintext, using: SymmetricKey(data: key), nonce: AES.GCM.Nonce(data: nonce))
        return Array(box.ciphertext) + Array(box.tag)
    }

    static func open(_ record: [UInt8], key: [UInt8], nonce: [UInt8]) throws(PushError) -> [UInt8] {
        do {
            let box = try AES.GCM.SealedBox(
                nonce: AES.GCM.Nonce(data: nonce), ciphertext: record.dropLast(tagLength), tag: record.suffix(tagLength))
            return Array(try AES.GCM.open(box, using: SymmetricKey(data: key)))
        } catch {
            throw .malformedMessage("a record's tag does not verify")
        }
    }
}
