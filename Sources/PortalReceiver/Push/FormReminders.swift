// Reminders for forms (issue 18, point 5): two days before a form's deadline the receiver wakes
// the devices of the families that have not answered it ("1 formulier wacht op uw antwoord", a
// number, never a title), once per form, after the quiet hours. The receiver needs no school
// computer for it: the trust file lists deadlines and audiences, the answers table who answered.
import Foundation
import PortalPush
import PortalTrust

extension Receiver {
    /// How long before the deadline the reminder goes.
    static let reminderLead: TimeInterval = 2 * 86400
    /// A form the receiver has known for less than this gets no reminder (parents were just
    /// notified of it as a new item).
    static let reminderMinimumAge: TimeInterval = 86400

    /// Queues the reminders that are due at `now`; returns the devices they go to.
    @discardableResult
    public func remindForms(now: Date) async -> Int {
        let trust = self.trust.current
        guard let push = trust.file.push, !trust.file.forms.isEmpty else { return 0 }
        let open = trust.file.forms.filter { now < $0.deadline }
        let millis = ReceiverDates.millis(now)
        guard let known = try? await pushStore.formReminders(seen: open.map(\.id), now: millis) else { return 0 }
        let quiet = (try? QuietHours(start: push.quietStart, end: push.quietEnd, weekends: push.quietWeekends, timeZone: push.timeZone))
            ?? QuietHours.none
        var devices = 0
        for form in open {
            guard let state = known[form.id], !state.sent, now >= form.deadline.addingTimeInterval(-Self.reminderLead),
                  millis - state.firstSeen >= Int64(Self.reminderMinimumAge * 1000)
            else { continue }
            do {
                let answered = try await store.answeringFamilies(form: form.id)
                let readers = trust.tokens.values.filter {
                    !$0.isStaff && $0.expires > now && (form.audience == "school" || $0.audiences.contains(form.audience))
                        && !answered.contains($0.family)
                }
                devices += try await pushStore.enqueue(
                    PushPayload(sequences: [:], urgent: false, count: 0, forms: 1), tokens: Set(readers.map(\.id)), now: millis,
                    releaseAt: ReceiverDates.millis(quiet.release(after: now)), ttlMillis: Int64(configuration.pushTTL) * 1000)
                try await pushStore.markReminded(form: form.id, now: millis)
            } catch {
                log("push: could not queue the reminder for form \(form.id): \(error)")
            }
        }
        if devices > 0 { pushWake.signal() }
        return devices
    }
}
