// Read confirmations on the wire (docs/RECEIVER.md "Read confirmations"): a parent's app says
// "gelezen" for a news item with `confirm: true`; the receiver keeps only that the token did, and
// when. The item is named by its opaque id from the trust file, never by title or path.
import Foundation
import PortalTrust

/// `POST /api/v1/confirmations`: `{"item": "<32 hex>"}`.
public struct ConfirmationRequest: Sendable, Equatable {
    public var item: String

    enum CodingKeys: String, CodingKey, CaseIterable { case item }

    init(_ body: [UInt8]) throws(APIError) {
        let object = try StrictObject(body: body)
        try object.allowOnly(CodingKeys.allCases)
        item = try object.hexID(CodingKeys.item)
    }
}

/// One confirmation: the item, the token (in the admin listing only) and when.
public struct Confirmation: Codable, Sendable, Equatable {
    public var item: String
    public var tokenID: String?
    /// RFC 3339.
    public var confirmed: String

    public init(item: String, tokenID: String? = nil, confirmed: String) {
        self.item = item
        self.tokenID = tokenID
        self.confirmed = confirmed
    }

    enum CodingKeys: String, CodingKey {
        case item, confirmed
        case tokenID = "token_id"
    }
}

/// `GET /api/v1/confirmations` (the token's own) and `GET /api/v1/admin/confirmations?item=`.
public struct ConfirmationPage: Codable, Sendable, Equatable {
    public var confirmations: [Confirmation]
}
