// `/api/v1/admin/*`: the trust push, and the sealed rows for the staff CLI (`portal inbox`, `portal bookings`,
// `portal sync`), which opens them on the school's computer.
import Foundation
import PortalTrust
import PortalFiles

extension Receiver {
    /// One page, oldest first; `next` (a cursor for `?after=`) says the listing was cut there.
    func adminSubmissions(_ call: AdminCall) async throws -> APIResponse {
        let query = call.request.query
        let since = try Self.sinceMillis(query)
        var limit = configuration.adminPageLimit
        if let text = query["limit"] {
            guard let n = Int(text), n >= 1 else { throw APIError.schema("limit must be a positive number") }
            limit = min(n, limit)
        }
        var after: (received: Int64, seq: Int64)?
        if let text = query["after"], !text.isEmpty {
            let parts = text.split(separator: "-", omittingEmptySubsequences: false)
            guard parts.count == 2, let received = Int64(parts[0]), let seq = Int64(parts[1]) else {
                throw APIError.schema("after must be the next cursor of a previous page")
            }
            after = (received, seq)
        }
        let (rows, more) = try await store.submissions(sinceMillis: since, after: after, limit: limit)
        return .ok(SubmissionPage(
            submissions: rows.map { row in
                AdminSubmission(
                    id: row.id, kind: row.kind, tokenID: row.tokenID, family: row.family, group: row.group, from: row.from,
                    to: row.to, sealed: row.sealed, received: RFC3339.string(milliseconds: row.received))
            },
            next: more ? rows.last.map { "\($0.received)-\($0.seq)" } : nil))
    }

    func adminRegistrations(_ call: AdminCall) async throws -> APIResponse {
        let query = call.request.query
        let since = try Self.sinceMillis(query)
        var after: (at: Int64, tokenID: String)?
        if let text = query["after"], !text.isEmpty {
            let parts = text.split(separator: "-", omittingEmptySubsequences: false)
            guard parts.count == 2, let at = Int64(parts[0]), TrustFile.isTokenID(String(parts[1])) else {
                throw APIError.schema("after must be the next cursor of a previous page")
            }
            after = (at, String(parts[1]))
        }
        let (rows, more) = try await store.registrations(sinceMillis: since, after: after, limit: configuration.adminPageLimit)
        return .ok(RegistrationPage(
            registrations: rows.map { row in
                AdminRegistration(
                    tokenID: row.tokenID, family: row.family, registeredAt: RFC3339.string(milliseconds: row.registeredAt),
                    device: row.device)
            },
            next: more ? rows.last.map { "\($0.registeredAt)-\($0.tokenID)" } : nil))
    }

    /// `POST /api/v1/admin/trust`: staff push the trust file `portal generate` wrote. A file of
    /// another site, or one not generated later than the one in force, is refused, so nobody
    /// can roll a revocation back; the same file again is a harmless 200 (`changed` false).
    func installTrust(_ call: AdminCall) async throws -> APIResponse {
        let (index, changed) = try trust.install(call.request.body, now: call.now)
        if changed {
            do { try trustChanged() } catch {
                throw APIError(500, "store_failed", "the trust file is in force, but moving bookings to its schedule ids failed: \(error)")
            }
        }
        return .ok(TrustReceipt(
            generated: RFC3339.string(from: index.file.generated), tokens: index.file.tokens.count,
            schedules: index.file.schedules.count, changed: changed))
    }

    func adminBookings(_ call: AdminCall) async throws -> APIResponse {
        let schedule = call.request.query["schedule"].flatMap { $0.isEmpty ? nil : $0 }
        let rows = try await store.bookings(schedule: schedule)
        return .ok(BookingPage(bookings: rows.map { row in
            let s = call.trust.schedules[row.schedule]
            let slot = s?.slot(row.slot)
            return AdminBooking(
                id: row.id, schedule: row.schedule, slot: row.slot, start: slot.map { RFC3339.string(from: $0.start) },
                end: slot.map { RFC3339.string(from: $0.end) }, teacher: s?.teacher, family: row.family,
                tokenID: row.tokenID, sealed: row.sealed, created: RFC3339.string(milliseconds: row.created))
        }))
    }

    /// `since=` as Unix milliseconds: a day (`2027-02-01`, 00:00 UTC) or an RFC 3339 instant;
    /// missing or empty is 0 (everything).
    static func sinceMillis(_ query: [String: String]) throws(APIError) -> Int64 {
        guard let text = query["since"], !text.isEmpty else { return 0 }
        guard let date = RFC3339.date(text) ?? ReceiverDates.day(text) else {
            throw APIError.schema("since must be YYYY-MM-DD or an RFC 3339 instant")
        }
        return ReceiverDates.millis(date)
    }
}
