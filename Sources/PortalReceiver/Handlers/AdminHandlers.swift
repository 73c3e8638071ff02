// `GET /api/v1/admin/*`: the sealed rows for the staff CLI (`portal inbox`, `portal bookings`,
// `portal sync`), which opens them on the school's computer.
import Foundation

extension Receiver {
    func adminSubmissions(_ call: AdminCall) async throws -> APIResponse {
        let query = call.request.query
        let since = try Self.sinceMillis(query)
        var limit = configuration.adminPageLimit
        if let text = query["limit"] {
            guard let n = Int(text), n >= 1 else { throw APIError.schema("limit must be a positive number") }
            limit = min(n, limit)
        }
        let rows = try await store.submissions(sinceMillis: since, limit: limit)
        return .ok(SubmissionPage(submissions: rows.map { row in
            AdminSubmission(
                id: row.id, kind: row.kind, tokenID: row.tokenID, family: row.family, group: row.group, from: row.from,
                to: row.to, sealed: row.sealed, received: ReceiverDates.rfc3339(millis: row.received))
        }))
    }

    func adminRegistrations(_ call: AdminCall) async throws -> APIResponse {
        let since = try Self.sinceMillis(call.request.query)
        let rows = try await store.registrations(sinceMillis: since, limit: configuration.adminPageLimit)
        return .ok(RegistrationPage(registrations: rows.map { row in
            AdminRegistration(
                tokenID: row.tokenID, family: row.family, registeredAt: ReceiverDates.rfc3339(millis: row.registeredAt),
                device: row.device)
        }))
    }

    func adminBookings(_ call: AdminCall) async throws -> APIResponse {
        let schedule = call.request.query["schedule"].flatMap { $0.isEmpty ? nil : $0 }
        let rows = try await store.bookings(schedule: schedule)
        return .ok(BookingPage(bookings: rows.map { row in
            let s = call.trust.schedules[row.schedule]
            let slot = s?.slot(row.slot)
            return AdminBooking(
                id: row.id, schedule: row.schedule, slot: row.slot, start: slot.map { ReceiverDates.rfc3339($0.start) },
                end: slot.map { ReceiverDates.rfc3339($0.end) }, teacher: s?.teacher, family: row.family,
                tokenID: row.tokenID, sealed: row.sealed, created: ReceiverDates.rfc3339(millis: row.created))
        }))
    }

    /// `since=` as Unix milliseconds: a day (`2027-02-01`, 00:00 UTC) or an RFC 3339 instant;
    /// missing or empty is 0 (everything).
    static func sinceMillis(_ query: [String: String]) throws(APIError) -> Int64 {
        guard let text = query["since"], !text.isEmpty else { return 0 }
        guard let date = ReceiverDates.instant(text) ?? ReceiverDates.day(text) else {
            throw APIError.schema("since must be YYYY-MM-DD or an RFC 3339 instant")
        }
        return ReceiverDates.millis(date)
    }
}
