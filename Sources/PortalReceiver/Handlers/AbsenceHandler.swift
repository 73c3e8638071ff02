// `POST /api/v1/absences`: a parent reports a child absent or sick for one to 62 days.
import Foundation
import PortalCrypto
import PortalFormat
import PortalFiles
import PortalPush
import PortalTrust

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
        await notifyStaff(group: request.group, trust: call.auth.trust, now: call.now)
        return .created(AbsenceReceipt(id: row.id, received: RFC3339.string(milliseconds: received)))
    }

    /// Wakes the devices of the group's staff tokens ("1 nieuwe afwezigheidsmelding", no name:
    /// the teacher's app opens the report). The report is stored whatever happens here.
    private func notifyStaff(group: String, trust: TrustIndex, now: Date) async {
        guard let push = trust.file.push else { return }
        let staff = Set(trust.tokens.values.filter { $0.isStaff && $0.expires > now && $0.groups.contains(group) }.map(\.id))
        guard !staff.isEmpty else { return }
        let quiet = (try? QuietHours(start: push.quietStart, end: push.quietEnd, weekends: push.quietWeekends, timeZone: push.timeZone)) ?? QuietHours.none
        do {
            let devices = try await pushStore.enqueueReport(
                tokens: staff, now: ReceiverDates.millis(now), releaseAt: ReceiverDates.millis(quiet.release(after: now)),
                ttlMillis: Int64(configuration.pushTTL) * 1000)
            if devices > 0 { pushWake.signal() }
        } catch {
            log("push: could not queue the report notice for \(group)'s staff: \(error)")
        }
    }
}
