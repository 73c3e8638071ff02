// Request signing (FORMAT.md "Receiver requests"): every request carries the token id, a unix
// timestamp, a random nonce and an Ed25519 signature over a canonical string.
import Foundation
import PortalCrypto

/// The canonical string a request signature covers:
/// `"ouderportaal/1 request\n" + METHOD + "\n" + PATH + "\n" + timestamp + "\n" + nonce + "\n" + hex(SHA-256(body))`.
public enum RequestCanonical {
    public static let label = "ouderportaal/1 request"
    public static let tokenHeader = "X-Portal-Token"
    public static let timestampHeader = "X-Portal-Timestamp"
    public static let nonceHeader = "X-Portal-Nonce"
    public static let signatureHeader = "X-Portal-Signature"
    /// The token header value of requests signed with the admin key.
    public static let adminTokenID = "admin"

    /// `method` is upper-cased; `path` is the request target exactly as sent (path and query).
    public static func string(method: String, path: String, timestamp: Int64, nonce: String, body: [UInt8]) -> String {
        string(method: method, path: path, timestampText: String(timestamp), nonce: nonce, body: body)
    }

    /// The same with the timestamp header exactly as sent (what the receiver verifies).
    public static func string(method: String, path: String, timestampText: String, nonce: String, body: [UInt8]) -> String {
        label + "\n" + method.uppercased() + "\n" + path + "\n" + timestampText + "\n" + nonce + "\n"
            + Hex.encode(SHA256.hash(body))
    }
}

/// Signs requests for a token (or the admin key): the browser does the same with WebCrypto.
///
/// ```swift
/// let signer = RequestSigner(tokenID: record.id, seed: keystore.signingSeed(tokenID: record.id))
/// let headers = signer.headers(method: "POST", path: "/api/v1/absences", body: body)
/// // X-Portal-Token, X-Portal-Timestamp, X-Portal-Nonce, X-Portal-Signature
/// let admin = RequestSigner.admin(seed: keystore.adminSigningSeed)
/// ```
public struct RequestSigner: Sendable {
    public let tokenID: String
    private let seed: [UInt8]

    /// `seed` is the 32-byte Ed25519 seed (the keyslot's `signing_seed`).
    public init(tokenID: String, seed: [UInt8]) {
        precondition(seed.count == 32, "an Ed25519 seed is 32 bytes")
        self.tokenID = tokenID
        self.seed = seed
    }

    /// The staff signer: token header `admin`, the keystore's admin signing seed.
    public static func admin(seed: [UInt8]) -> RequestSigner {
        RequestSigner(tokenID: RequestCanonical.adminTokenID, seed: seed)
    }

    public var publicKey: [UInt8] { Ed25519.publicKey(seed: seed) }

    /// The four headers for one request. `timestamp` defaults to now, `nonce` to 16 random bytes
    /// (base64url without padding); pass them for reproducible tests.
    public func headers(
        method: String, path: String, body: [UInt8], timestamp: Int64? = nil, nonce: String? = nil,
        random: some RandomSource = SystemRandom()
    ) -> [String: String] {
        let ts = timestamp ?? Int64(Date().timeIntervalSince1970)
        let n = nonce ?? Base64URL.encode(random.bytes(16))
        let message = RequestCanonical.string(method: method, path: path, timestamp: ts, nonce: n, body: body)
        let signature = Ed25519.sign(Array(message.utf8), seed: seed)
        return [
            RequestCanonical.tokenHeader: tokenID,
            RequestCanonical.timestampHeader: String(ts),
            RequestCanonical.nonceHeader: n,
            RequestCanonical.signatureHeader: Data(signature).base64EncodedString(),
        ]
    }
}
