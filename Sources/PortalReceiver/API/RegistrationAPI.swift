// `POST /api/v1/registrations`: a token's first use on a device (the registration week).
import Foundation

/// What the app tells about the device; `{}` is a registration too.
public struct RegistrationRequest: Codable, Sendable, Equatable {
    /// "Android · Chrome": plain text of at most 64 bytes.
    public var device: String?

    enum CodingKeys: String, CodingKey, CaseIterable { case device }

    public init(device: String? = nil) { self.device = device }

    /// Reads a request body strictly (see `StrictObject`).
    public init(_ body: [UInt8]) throws(APIError) {
        let object = try StrictObject(body: body)
        try object.allowOnly(CodingKeys.allCases)
        // Plain text on purpose: "Android · Chrome" says no more than the User-Agent header that
        // every request already shows the host; the 64-byte limit keeps it from holding more.
        device = try object.optionalString(CodingKeys.device, maxBytes: 64)
    }
}

/// The receiver's answer to a registration: 201 for the first one, 200 with the first time for
/// every later one. `created` is the status, not a field on the wire.
public struct RegistrationReceipt: Codable, Sendable, Equatable {
    public var tokenID: String
    /// RFC 3339, whole seconds: the first registration.
    public var registeredAt: String
    public var created: Bool = false

    enum CodingKeys: String, CodingKey {
        case tokenID = "token_id"
        case registeredAt = "registered_at"
    }

    init(tokenID: String, registeredAt: String) {
        self.tokenID = tokenID
        self.registeredAt = registeredAt
    }
}
