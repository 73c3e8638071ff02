// FORMAT.md "Signed documents", "Files" and "Opening, in order" of format 2: the publisher's
// signature over what several tokens share, content-addressed blob names, and the checks an
// opener makes, each failing with the reason FORMAT.md names.
import Foundation
import PortalCrypto

/// Why a file of format 2 was refused; `reason` is the word FORMAT.md and the vectors use.
public enum OpenFailure: Error, Equatable, Sendable, CustomStringConvertible {
    /// The envelope itself (truncated, prefix, auth, padding, keyslot size).
    case envelope(CryptoError)
    /// Not a signed document, or its signature does not verify under the publisher key.
    case signature
    /// Signed, but for another site, audience, epoch or page.
    case binding(String)
    /// Signed and bound, but older than what was accepted before.
    case rollback(sequence: Int, seen: Int)
    /// A `b/` file whose SHA-256 does not start with its name.
    case hash(name: String)
    /// The JSON inside does not decode.
    case malformed(String)

    public var reason: String {
        switch self {
        case .envelope(let error):
            switch error {
            case .envelopeTooShort: return "truncated"
            case .envelopeBadMagic: return "prefix"
            case .keyslotWrongSize: return "keyslot-size"
            case .paddingInvalid: return "padding"
            default: return "auth"
            }
        case .signature: return "signature"
        case .binding: return "binding"
        case .rollback: return "rollback"
        case .hash: return "hash"
        case .malformed: return "malformed"
        }
    }

    public var description: String {
        switch self {
        case .envelope(let error): return "\(error)"
        case .signature: return "the publisher's signature is missing or does not verify"
        case .binding(let what): return "signed for another \(what)"
        case .rollback(let sequence, let seen): return "sequence \(sequence) is older than \(seen), seen before"
        case .hash(let name): return "b/\(name) does not hold the bytes its name promises"
        case .malformed(let what): return "cannot decode \(what)"
        }
    }
}

/// `"OPS2" || Ed25519(publisher, "ouderportaal/2 signed " || kind || "\n" || body) || body`.
///
/// ```swift
/// let signed = SignedDocument.sign(body, kind: "index", seed: master.publisherSeed)
/// let body = try SignedDocument.verify(signed, kind: "index", publicKey: publisher)
/// ```
public enum SignedDocument {
    public static let magic: [UInt8] = Array("OPS2".utf8)
    public static let headerLength = 4 + 64

    public static func sign(_ body: [UInt8], kind: String, seed: [UInt8]) -> [UInt8] {
        magic + Ed25519.sign(message(body, kind: kind), seed: seed) + body
    }

    /// The body, once the prefix and the signature are right; `.signature` otherwise.
    public static func verify(_ document: [UInt8], kind: String, publicKey: [UInt8]) throws(OpenFailure) -> [UInt8] {
        guard document.count >= headerLength, Array(document[0..<4]) == magic else { throw .signature }
        let body = Array(document[headerLength...])
        guard Ed25519.verify(signature: Array(document[4..<headerLength]), message: message(body, kind: kind), publicKey: publicKey)
        else { throw .signature }
        return body
    }

    private static func message(_ body: [UInt8], kind: String) -> [UInt8] {
        Array((Label.signed + kind + "\n").utf8) + body
    }
}

/// Names of `b/` files: `hex(SHA-256(envelope)[0..16])`.
public enum ContentAddress {
    public static func name(of envelope: [UInt8]) -> String {
        Hex.encode(Array(SHA256.hash(envelope).prefix(16)))
    }

    public static func path(of envelope: [UInt8]) -> String { "b/" + name(of: envelope) }

    /// The name inside `b/<name>` (or the bare name), if it is 32 lowercase hex characters.
    public static func name(inPath path: String) -> String? {
        let name = path.hasPrefix("b/") ? String(path.dropFirst(2)) : path
        guard name.utf8.count == 32, name.utf8.allSatisfy({ (0x30...0x39).contains($0) || (0x61...0x66).contains($0) }) else { return nil }
        return name
    }

    /// Checks bytes served at `b/<name>` before anything decrypts them.
    public static func check(_ bytes: [UInt8], name: String) throws(OpenFailure) {
        guard constantTimeEqual(Array(Hex.encode(Array(SHA256.hash(bytes).prefix(16))).utf8), Array(name.utf8)) else {
            throw .hash(name: name)
        }
    }
}

/// The opening steps of FORMAT.md "Opening, in order", for the school's tools and the tests.
public enum SealedFiles {
    /// An audience's index: envelope, signature, binding, then the sequence against `seen`.
    public static func openIndex(
        _ envelope: [UInt8], key: SymmetricKey, audience: String, epoch: Int, siteID: String,
        publisher: [UInt8], seen: Int = 0
    ) throws(OpenFailure) -> AudienceIndex {
        let plain: [UInt8]
        do { plain = try Envelope.open(envelope, key: key, associatedData: AssociatedData.index(audience: audience, epoch: epoch)) } catch {
            throw .envelope(error)
        }
        let body = try SignedDocument.verify(plain, kind: "index", publicKey: publisher)
        let index: AudienceIndex
        do { index = try JSONDecoder().decode(AudienceIndex.self, from: Data(body)) } catch { throw .malformed("the index of \(audience)") }
        guard index.v == 2, index.kind == "index", index.siteID == siteID, index.audience == audience, index.epoch == epoch else {
            throw .binding("site, audience or epoch (\(index.audience) \(index.epoch))")
        }
        guard index.sequence >= seen else { throw .rollback(sequence: index.sequence, seen: seen) }
        return index
    }

    /// One page listed by an index: name, then envelope, then its id.
    public static func openPage(
        _ bytes: [UInt8], listed page: AudienceIndex.Page, key: SymmetricKey, audience: String, epoch: Int
    ) throws(OpenFailure) -> ManifestPage {
        try checkName(bytes, path: page.blob)
        let plain: [UInt8]
        do { plain = try Envelope.open(bytes, key: key, associatedData: AssociatedData.page(audience: audience, epoch: epoch, pageID: page.id)) } catch {
            throw .envelope(error)
        }
        let decoded: ManifestPage
        do { decoded = try JSONDecoder().decode(ManifestPage.self, from: Data(plain)) } catch { throw .malformed("page \(page.id) of \(audience)") }
        guard decoded.v == 2, decoded.id == page.id else { throw .binding("page (\(decoded.id))") }
        return decoded
    }

    /// An item or image blob: name, then the item key (base64, as in a page), then the padding.
    public static func openBlob(_ bytes: [UInt8], path: String, key base64Key: String) throws(OpenFailure) -> [UInt8] {
        try checkName(bytes, path: path)
        guard let raw = Data(base64Encoded: base64Key), let key = try? SymmetricKey(bytes: Array(raw)) else {
            throw .malformed("the item key of \(path)")
        }
        let message: [UInt8]
        do { message = try Envelope.open(bytes, key: key, associatedData: AssociatedData.itemBlob) } catch { throw .envelope(error) }
        // The generator pads every blob to Padmé's length: another length is not one of ours.
        guard bytes.count - Envelope.overhead == Padme.blobLength(messageLength: message.count) else {
            throw .envelope(.paddingInvalid)
        }
        return message
    }

    private static func checkName(_ bytes: [UInt8], path: String) throws(OpenFailure) {
        guard let name = ContentAddress.name(inPath: path) else { throw .hash(name: path) }
        try ContentAddress.check(bytes, name: name)
    }
}
