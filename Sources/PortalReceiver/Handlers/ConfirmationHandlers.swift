// Read confirmations (issue 18, point 4): a parent confirms a `confirm: true` news item of one of
// the token's audiences; the token sees its own confirmations on every device; the school's
// computer lists an item's confirmations with the admin key (`portal confirmations`).
import Foundation
import PortalFiles
import PortalTrust

extension Receiver {
    func confirmRead(_ call: ParentCall) async throws -> APIResponse {
        let request = try ConfirmationRequest(call.request.body)
        guard let audience = call.auth.trust.confirmations[request.item] else {
            throw APIError(404, "unknown_item", "no item with this id asks for a read confirmation")
        }
        guard call.token.audiences.contains(audience) else {
            throw APIError(403, "group_not_allowed", "this token does not read the item it confirms")
        }
        let confirmed = try await store.confirm(
            item: request.item, tokenID: call.token.id, at: ReceiverDates.millis(call.now),
            nonceKey: call.auth.nonceKey, nonceExpires: call.auth.nonceExpires)
        return .ok(Confirmation(item: request.item, confirmed: RFC3339.string(milliseconds: confirmed)))
    }

    func ownConfirmations(_ call: ParentCall) async throws -> APIResponse {
        let rows = try await store.confirmations(tokenID: call.token.id)
        return .ok(ConfirmationPage(confirmations: rows.map {
            Confirmation(item: $0.item, confirmed: RFC3339.string(milliseconds: $0.confirmed))
        }))
    }

    func adminConfirmations(_ call: AdminCall) async throws -> APIResponse {
        guard let item = call.request.query["item"], TrustFile.isTokenID(item) else {
            throw APIError.schema("item must be an item id of 32 lowercase hex digits")
        }
        let rows = try await store.confirmations(item: item)
        return .ok(ConfirmationPage(confirmations: rows.map {
            Confirmation(item: $0.item, tokenID: $0.tokenID, confirmed: RFC3339.string(milliseconds: $0.confirmed))
        }))
    }
}
