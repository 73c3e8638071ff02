// RFC 8292 VAPID: the receiver proves to a push service that it is the application server the
// subscription was made for (the app subscribed with this public key). ES256 is P-256, which
// libsodium lacks: swift-crypto signs.
import Crypto
import Foundation
import PortalCrypto

/// The school's VAPID key (FORMAT.md "Push": derived from the master key, so it is made once and
/// kept with the school's keys; the receiver gets it in the trust file to sign with).
///
/// ```swift
/// let vapid = try VAPIDKey(privateKey: seed)
/// request.headers.add(name: "Authorization",
///                     value: try vapid.authorization(endpoint: url, subject: "mailto:ict@school.nl", expires: now + 12 * 3600))
/// ```
public struct VAPIDKey: Sendable {
    let signing: P256.Signing.PrivateKey

    /// `privateKey`: the 32-byte scalar.
    public init(privateKey: [UInt8]) throws(PushError) {
        guard privateKey.count == 32, let key = try? P256.Signing.PrivateKey(rawRepresentation: privateKey) else {
            throw .invalidPrivateKey
        }
        signing = key
    }

    /// A valid scalar from 32 bytes of key material: the bytes themselves, or (for the one chance
    /// in 2^32 that they are not below the group order) SHA-256 of them with a counter.
    public static func derive(from material: [UInt8]) -> VAPIDKey {
        var candidate = material
        var counter: UInt8 = 0
        while true {
            if let key = try? VAPIDKey(privateKey: candidate) { return key }
            counter &+= 1
            candidate = PortalCrypto.SHA256.hash(material + [counter])
        }
    }

    public var privateKey: [UInt8] { Array(signing.rawRepresentation) }

    /// 65-byte uncompressed public key: the app's `applicationServerKey`.
    public var publicKey: [UInt8] { Array(signing.publicKey.x963Representation) }

    /// The JWT (RFC 7519, ES256, RFC 8292 section 2): `aud` is the endpoint's origin.
    public func token(audience: String, subject: String, expires: Int64) -> String {
        let header = Base64URL.encode(Array(#"{"typ":"JWT","alg":"ES256"}"#.utf8))
        let claims = ClaimSet(aud: audience, exp: expires, sub: subject)
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        // Encoding three plain fields cannot fail.
        let body = Base64URL.encode(Array(try! encoder.encode(claims)))
        let input = header + "." + body
        // Signing with a valid key cannot fail.
        let signature = try! signing.signature(for: Data(input.utf8))
        return input + "." + Base64URL.encode(Array(signature.rawRepresentation))
    }

    /// The `Authorization` header value: `vapid t=<jwt>, k=<public key>`.
    public func authorization(endpoint: URL, subject: String, expires: Int64) -> String {
        "vapid t=\(token(audience: Self.origin(of: endpoint), subject: subject, expires: expires)), k=\(Base64URL.encode(publicKey))"
    }

    /// `scheme://host[:port]`, without a default port.
    public static func origin(of url: URL) -> String {
        let scheme = url.scheme?.lowercased() ?? "https"
        let host = url.host?.lowercased() ?? ""
        let port = url.port.flatMap { (scheme == "https" && $0 == 443) || (scheme == "http" && $0 == 80) ? nil : $0 }
        return port.map { "\(scheme)://\(host):\($0)" } ?? "\(scheme)://\(host)"
    }

    struct ClaimSet: Encodable {
        let aud: String
        let exp: Int64
        let sub: String
    }
}
