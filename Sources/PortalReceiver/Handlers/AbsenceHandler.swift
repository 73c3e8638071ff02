// `POST /api/v1/absences`: a parent reports a child absent or sick for one to 62 days.
import Foundation
import PortalCrypto
import PortalFormat
import PortalFiles

extension Receiver {
    func reportAbsence(_ call: ParentCall) async throws -> APIResponse {
        let request = try AbsenceRequest(call.request.body)
        // Keyslot audiences include `school` (portal generate lists it in the trust file too);
        // an absence is reported for a class.
        guard request.group != "school", call.token.audiences.contains(request.group) else {
            throw APIError(403, "group_not_allowed", "this token cannot report absence for group \(request.group)")
        }
        let (from, to) = try request.days()
        let today = ReceiverDates.startOfDay(call.now)
        guard from >= today.addingTimeInterval(-31 * 86400), to <= today.addingTimeInterval(366 * 86400) else {
            throw APIError.schema("the dates must lie between 31 days ago and a year ahead")
        }
        let received = ReceiverDates.millis(call.now)
        let row = SubmissionRow(
            id: Hex.encode(random.bytes(16)), kind: "absence", tokenID: call.token.id, family: call.token.family,
            group: request.group, from: request.from, to: request.to, sealed: request.sealed, received: received)
        try await store.insertSubmission(row, quota: configuration.dailyQuota, nonceKey: call.auth.nonceKey, nonceExpires: call.auth.nonceExpires)
        return .created(AbsenceReceipt(id: row.id, received: RFC3339.string(milliseconds: received)))
    }
}
