// Who sent a request: the four X-Portal-* headers, the Ed25519 signature over the canonical
// string, the token's expiry, the clock skew and the replay guard (FORMAT.md "Requests").
import Foundation
import PortalCrypto
import PortalFormat
import PortalTrust

/// A parent's token or the staff admin key.
enum Principal: Sendable {
    case parent(TrustIndex.Token)
    case admin
}

/// A request whose signature verified, with the trust snapshot it was checked against and the
/// nonce a mutating handler stores in the same transaction as its effect.
struct Authenticated: Sendable {
    let principal: Principal
    let trust: TrustIndex
    let nonceKey: String
    let nonceExpires: Int64
}

extension Receiver {
    func authenticate(_ request: APIRequest, now: Int64) throws(APIError) -> Authenticated {
        guard let tokenID = request.header(RequestCanonical.tokenHeader) else {
            throw APIError.missingSignature(RequestCanonical.tokenHeader)
        }
        guard let tsText = request.header(RequestCanonical.timestampHeader) else {
            throw APIError.missingSignature(RequestCanonical.timestampHeader)
        }
        guard let nonce = request.header(RequestCanonical.nonceHeader) else {
            throw APIError.missingSignature(RequestCanonical.nonceHeader)
        }
        guard let sigText = request.header(RequestCanonical.signatureHeader) else {
            throw APIError.missingSignature(RequestCanonical.signatureHeader)
        }
        let trust = self.trust.current
        let principal: Principal
        let publicKey: [UInt8]
        if tokenID == RequestCanonical.adminTokenID {
            principal = .admin
            publicKey = trust.adminPublicKey
        } else {
            guard let token = trust.tokens[tokenID] else { throw APIError.unknownToken }
            principal = .parent(token)
            publicKey = token.publicKey
        }
        guard tsText.utf8.count <= 12, tsText.utf8.allSatisfy({ (0x30...0x39).contains($0) }), let ts = Int64(tsText),
              abs(ts - now) <= configuration.skewSeconds
        else { throw APIError.staleTimestamp }
        guard nonce.utf8.count == 22, let nonceBytes = Base64URL.decode(nonce), nonceBytes.count == 16 else {
            throw APIError.badNonce
        }
        guard sigText.utf8.count == 88, let signature = Base64Strict.decode(sigText), signature.count == 64 else {
            throw APIError.badSignature
        }
        let message = RequestCanonical.string(
            method: request.method, path: request.target, timestamp: ts, nonce: nonce, body: request.body)
        // Verification runs on the request's task, never under the database lock.
        guard Ed25519.verify(signature: signature, message: Array(message.utf8), publicKey: publicKey) else {
            throw APIError.badSignature
        }
        if case .parent(let token) = principal, token.expires <= Date(timeIntervalSince1970: TimeInterval(now)) {
            throw APIError.tokenExpired
        }
        let key = tokenID + " " + nonce
        switch replay.check(key, now: now) {
        case .fresh: break
        case .replayed: throw APIError.replayed
        case .full: throw APIError(503, "busy", "the receiver is overloaded; try again in a minute")
        }
        return Authenticated(
            principal: principal, trust: trust, nonceKey: key, nonceExpires: ts + configuration.skewSeconds + 1)
    }
}
