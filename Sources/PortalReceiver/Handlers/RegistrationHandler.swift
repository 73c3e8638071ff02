// `POST /api/v1/registrations`: the first use of a token on a device (the registration week).
import Foundation
import PortalFiles

extension Receiver {
    /// Idempotent: the first call stores the time and answers 201, every later call 200 with that
    /// first time, also after the deadline; a first call from `register_by` on is 403
    /// `registration_closed`.
    func register(_ call: ParentCall) async throws -> APIResponse {
        let request = try RegistrationRequest(call.request.body)
        let isOpen = call.token.registerBy.map { call.now < $0 } ?? true
        let (row, created) = try await store.register(
            RegistrationRow(
                tokenID: call.token.id, family: call.token.family, registeredAt: ReceiverDates.millis(call.now),
                device: request.device),
            isOpen: isOpen, nonceKey: call.auth.nonceKey, nonceExpires: call.auth.nonceExpires)
        let receipt = RegistrationReceipt(tokenID: row.tokenID, registeredAt: RFC3339.string(milliseconds: row.registeredAt))
        return created ? .created(receipt) : .ok(receipt)
    }
}
