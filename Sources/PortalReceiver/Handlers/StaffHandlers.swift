// `/api/v1/staff/*`: a teacher's (or the office's) app lists the sealed reports and bookings of
// its own groups and opens them on the device with the group inbox keys of its keyslot. The
// receiver hands out only ciphertext, only of those groups, and only of the last 14 days.
import Foundation
import PortalFiles

extension Receiver {
    /// How far back a staff device sees reports (FORMAT.md "Group inbox keys"): the school's
    /// computer reads everything, a phone only what a teacher needs this week and the last.
    static let staffWindow: TimeInterval = 14 * 86400
    /// At most this many reports in one answer (a school's two weeks are far fewer).
    static let staffListLimit = 1000

    func staffAbsences(_ call: ParentCall) async throws -> APIResponse {
        let since = ReceiverDates.millis(call.now.addingTimeInterval(-Self.staffWindow))
        let rows = try await store.submissions(groups: call.token.groups, sinceMillis: since, limit: Self.staffListLimit)
        let read = try await store.readIDs(tokenID: call.token.id, among: rows.map(\.id))
        return .ok(SubmissionPage(
            submissions: rows.map { row in
                AdminSubmission(
                    id: row.id, kind: row.kind, tokenID: row.tokenID, family: row.family, group: row.group, from: row.from,
                    to: row.to, sealed: row.sealed, received: RFC3339.string(milliseconds: row.received), read: read.contains(row.id))
            },
            next: nil))
    }

    /// `POST /api/v1/staff/read`: the device opened these reports; every device of the token then
    /// lists them as read. Ids the token may not list (another group, too old, unknown) are refused.
    func staffRead(_ call: ParentCall) async throws -> APIResponse {
        let request = try StaffReadRequest(call.request.body)
        let since = ReceiverDates.millis(call.now.addingTimeInterval(-Self.staffWindow))
        let ids = Array(Set(request.ids))
        guard try await store.countSubmissions(ids: ids, groups: call.token.groups, sinceMillis: since) == ids.count else {
            throw APIError(404, "unknown_report", "no such report of this token's groups in the last 14 days")
        }
        try await store.markRead(
            tokenID: call.token.id, ids: ids, at: ReceiverDates.millis(call.now),
            nonceKey: call.auth.nonceKey, nonceExpires: call.auth.nonceExpires)
        return .ok(StaffReadReceipt(read: ids.count))
    }

    /// The bookings of every schedule of the token's groups, whose slots end within the window or later.
    func staffBookings(_ call: ParentCall) async throws -> APIResponse {
        let trust = call.auth.trust
        let schedules = trust.schedules.values.filter { call.token.groups.contains($0.audience) }
        var out: [AdminBooking] = []
        let cutoff = call.now.addingTimeInterval(-Self.staffWindow)
        for schedule in schedules.sorted(by: { $0.id < $1.id }) {
            for row in try await store.bookings(schedule: schedule.id) {
                guard let slot = schedule.slot(row.slot), slot.end >= cutoff else { continue }
                out.append(AdminBooking(
                    id: row.id, schedule: row.schedule, slot: row.slot, start: RFC3339.string(from: slot.start),
                    end: RFC3339.string(from: slot.end), teacher: schedule.teacher, family: row.family,
                    tokenID: row.tokenID, sealed: row.sealed, created: RFC3339.string(milliseconds: row.created)))
            }
        }
        return .ok(BookingPage(bookings: out))
    }
}

// MARK: - Posts (docs/RECEIVER.md "Staff posts")

extension Receiver {
    /// At most this many posts per staff token in 24 hours.
    static let postQuota = 100
    /// How far back a teacher's app lists its own posts.
    static let postWindow: TimeInterval = 60 * 86400

    func staffPost(_ call: ParentCall) async throws -> APIResponse {
        let request = try PostRequest(call.request.body)
        guard call.token.groups.contains(request.group) else {
            throw APIError(403, "group_not_allowed", "this staff code cannot post for group \(request.group)")
        }
        let (row, created) = try await store.insertPost(
            id: request.id, tokenID: call.token.id, group: request.group, sealed: request.sealed, parts: request.parts,
            now: ReceiverDates.millis(call.now), quota: Self.postQuota,
            nonceKey: call.auth.nonceKey, nonceExpires: call.auth.nonceExpires)
        let receipt = PostReceipt(id: row.id, state: row.state, received: row.received)
        return created ? .created(receipt) : .ok(receipt)
    }

    func staffPosts(_ call: ParentCall) async throws -> APIResponse {
        let since = ReceiverDates.millis(call.now.addingTimeInterval(-Self.postWindow))
        return .ok(PostPage(posts: try await store.posts(tokenID: call.token.id, sinceMillis: since)))
    }

    /// `DELETE /api/v1/staff/posts/{id}`: the teacher takes one of their posts back; the next
    /// `portal sync` removes it from content/ (and so from the site at the next run).
    func staffRetract(_ call: ParentCall) async throws -> APIResponse {
        guard try await store.retractPost(
            id: call.parameter, tokenID: call.token.id, now: ReceiverDates.millis(call.now),
            nonceKey: call.auth.nonceKey, nonceExpires: call.auth.nonceExpires)
        else { throw APIError(404, "unknown_post", "no such post of this code") }
        return .ok(PostReceipt(id: call.parameter, state: .retracted, received: RFC3339.string(from: call.now)))
    }

    /// `GET /api/v1/admin/posts[?state=sent]`: posts with their sealed text, for `portal sync`.
    func adminPosts(_ call: AdminCall) async throws -> APIResponse {
        var state: PostState?
        if let text = call.request.query["state"], !text.isEmpty {
            guard let wanted = PostState(rawValue: text) else { throw APIError.schema("state must be one of \(PostState.allCases.map(\.rawValue).joined(separator: ", "))") }
            state = wanted
        }
        return .ok(PostPage(posts: try await store.posts(state: state)))
    }

    /// `POST /api/v1/admin/posts/{id}`: the school's decision on a post.
    func adminPostState(_ call: AdminCall) async throws -> APIResponse {
        let request = try PostStateRequest(strict: call.request.body)
        guard try await store.setPostState(
            id: call.parameter, state: request.state, reason: request.reason, now: ReceiverDates.millis(call.now))
        else { throw APIError(404, "unknown_post", "no such post") }
        return .ok(PostReceipt(id: call.parameter, state: request.state, received: RFC3339.string(from: call.now)))
    }

    /// `GET /api/v1/staff/answers`: the answers to its groups' forms (open, or closed at most 14
    /// days ago), sealed to the group inbox keys its keyslot holds.
    func staffAnswers(_ call: ParentCall) async throws -> APIResponse {
        let cutoff = call.now.addingTimeInterval(-Self.staffWindow)
        let forms = call.auth.trust.file.forms.filter { call.token.groups.contains($0.audience) && $0.deadline >= cutoff }
        var out: [StaffFormAnswers] = []
        for form in forms.sorted(by: { $0.deadline < $1.deadline }) {
            let rows = try await store.answers(form: form.id)
            out.append(StaffFormAnswers(
                id: form.id, audience: form.audience, deadline: RFC3339.string(from: form.deadline),
                answers: rows.map {
                    StoredAnswer(
                        id: $0.id, tokenID: $0.tokenID, family: $0.family, child: $0.child, shifts: $0.shifts, sealed: $0.sealed,
                        received: RFC3339.string(milliseconds: $0.received))
                }))
        }
        return .ok(StaffFormPage(forms: out))
    }
}
