// Who sent a request: the four X-Portal-* headers, the Ed25519 signature over the canonical
// string, the token's expiry and the clock skew (FORMAT.md "Requests"); then, after the
// per-token rate limit, the replay guard, so that a refused request does not use up its nonce.
import Foundation
import PortalCrypto
import PortalFormat
import PortalTrust

/// A parent's token or the staff admin key.
enum Principal: Sendable {
    case parent(TrustIndex.Token)
    case admin
}

/// A request whose signature verified, with the trust snapshot it was checked against. Its
/// nonce is not recorded yet.
struct Verified: Sendable {
    let principal: Principal
    let trust: TrustIndex
    /// The token id, or `admin`.
    let signer: String
    let nonce: String
    let timestamp: Int64
}

/// A verified request whose nonce the replay guard recorded, with the nonce a mutating handler
/// stores in the same transaction as its effect.
struct Authenticated: Sendable {
    let principal: Principal
    let trust: TrustIndex
    let nonceKey: String
    let nonceExpires: Int64
}

extension Receiver {
    func verify(_ request: APIRequest, now: Int64) throws(APIError) -> Verified {
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
        // The timestamp as sent (FORMAT.md), not the number read from it: "00<ts>" is another
        // string than "<ts>", and only the one that was signed verifies.
        let message = RequestCanonical.string(
            method: request.method, path: request.target, timestampText: tsText, nonce: nonce, body: request.body)
        // Verification runs on the request's task, never under the database lock.
        guard Ed25519.verify(signature: signature, message: Array(message.utf8), publicKey: publicKey) else {
            throw APIError.badSignature
        }
        if case .parent(let token) = principal, token.expires <= Date(timeIntervalSince1970: TimeInterval(now)) {
            throw APIError.tokenExpired
        }
        return Verified(principal: principal, trust: trust, signer: tokenID, nonce: nonce, timestamp: ts)
    }

    /// Records the nonce; a nonce seen before is 409, a signer with too many nonces 429.
    func recordNonce(_ verified: Verified, now: Int64) throws(APIError) -> Authenticated {
        switch replay.check(signer: verified.signer, nonce: verified.nonce, now: now) {
        case .fresh: break
        case .replayed: throw APIError.replayed
        case .signerFull: throw APIError.rateLimited
        case .full: throw APIError(503, "busy", "the receiver is overloaded; try again in a minute")
        }
        return Authenticated(
            principal: verified.principal, trust: verified.trust, nonceKey: verified.signer + " " + verified.nonce,
            nonceExpires: verified.timestamp + configuration.skewSeconds + 1)
    }
}
