// Every refusal of the receiver: an HTTP status and a JSON body `{"error": code, "message": text}`.
import Foundation

/// A refusal with its status code; `free` adds the fresh free slots of a 409, `full` the full
/// shifts of a form's 409.
public struct APIError: Error, Sendable, Equatable {
    public let status: Int
    public let code: String
    public let message: String
    public var free: [String: [String]]? = nil
    public var full: [String]? = nil

    public init(_ status: Int, _ code: String, _ message: String, free: [String: [String]]? = nil) {
        self.status = status
        self.code = code
        self.message = message
        self.free = free
    }

    static func missingSignature(_ header: String) -> APIError {
        APIError(401, "missing_signature", "the request lacks the \(header) header")
    }
    static let unknownToken = APIError(401, "unknown_token", "this token is unknown or has been revoked")
    static let tokenExpired = APIError(403, "token_expired", "this token has expired")
    static let staleTimestamp = APIError(401, "stale_timestamp", "the request timestamp is more than 300 seconds off the server clock")
    static let badNonce = APIError(401, "bad_nonce", "X-Portal-Nonce must be 16 random bytes in base64url without padding")
    static let badSignature = APIError(401, "bad_signature", "the signature does not verify")
    static let replayed = APIError(409, "replayed_nonce", "this nonce was already used; sign the request again with a fresh nonce")
    static func tooLarge(_ limit: Int) -> APIError {
        APIError(413, "body_too_large", "the request body is larger than \(limit) bytes")
    }
    static let contentType = APIError(415, "unsupported_content_type", "the body must be application/json")
    static let malformedJSON = APIError(400, "malformed_json", "the body is not valid JSON")
    static let adminOnly = APIError(403, "admin_only", "this endpoint needs the staff admin signature")
    static let parentOnly = APIError(403, "token_only", "this endpoint needs a parent token signature")
    static let parentsOnly = APIError(
        403, "parents_only", "a staff code cannot report an absence or book a conference; use a parent's code")
    static let staffOnly = APIError(403, "staff_only", "only a staff code may list a group's reports")
    static let rateLimited = APIError(429, "rate_limited", "too many requests; try again in a moment")
    static let notFound = APIError(404, "not_found", "no such endpoint")
    static let methodNotAllowed = APIError(405, "method_not_allowed", "this method is not allowed here")
    static func schema(_ message: String) -> APIError { APIError(422, "invalid_request", message) }
    static let unknownSchedule = APIError(404, "unknown_schedule", "no such conference schedule for this token")
    static let unknownBooking = APIError(404, "unknown_booking", "no such booking of this family")
    static let registrationLapsed = APIError(
        403, "registration_lapsed",
        "no device registered this token in its registration period; ask the school for a new code")
    static func dailyQuota(_ quota: Int) -> APIError {
        APIError(429, "daily_quota", "this token sent \(quota) reports in the last 24 hours; please call the school")
    }
    static let trustNotNewer = APIError(
        409, "trust_not_newer", "the receiver already has a trust file generated at the same time or later")
    static let trustWrongSite = APIError(409, "trust_wrong_site", "this trust file belongs to another site")
    static let trustSignature = APIError(
        403, "trust_signature", "the trust file is not signed by the school's publisher key (push it with `portal generate`)")
    static let trustWrongPublisher = APIError(
        409, "trust_wrong_publisher", "this trust file names another publisher key than the one in force")
    static func invalidTrust(_ reason: String) -> APIError { APIError(422, "invalid_trust", reason) }
    static let pushOff = APIError(409, "push_off", "this school does not send notifications")
    static func pushEndpoint(_ reason: String) -> APIError { APIError(422, "push_endpoint", reason) }
    static func tooManyDevices(_ limit: Int) -> APIError {
        APIError(409, "too_many_devices", "this code already has notifications on \(limit) devices; switch them off on one first")
    }
    static let registrationClosed = APIError(
        403, "registration_closed",
        "the registration period of this token has ended; ask the school for a new code")

    /// What the receiver sends.
    public var body: APIErrorBody { APIErrorBody(error: code, message: message, free: free, full: full) }
}

/// The body of every refusal: `{"error": code, "message": text}`, and with a 409 of a booking or
/// move `"free"`: the free slots of each schedule involved, so the app can offer another one;
/// with a 409 of a form answer `"full"`: the shifts that have no place left.
public struct APIErrorBody: Codable, Sendable, Equatable {
    public var error: String
    public var message: String
    public var free: [String: [String]]?
    public var full: [String]?
}
