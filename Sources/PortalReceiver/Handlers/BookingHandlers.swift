// Conference bookings: book (one slot, or up to four at once, all or nothing), the slots view,
// cancel and move. The store makes each one atomic; here are the rules of the trust file and
// the clock: the booking window and the notice period.
import Foundation
import PortalCrypto
import PortalFormat
import PortalTrust
import PortalFiles

extension Receiver {
    func book(_ call: ParentCall) async throws -> APIResponse {
        let request = try BookingRequest(call.request.body)
        let trust = call.auth.trust
        var claims: [Claim] = []
        for claim in request.claims {
            let (schedule, _) = try checkClaim(
                schedule: claim.schedule, slot: claim.slot, token: call.token, trust: trust, now: call.now)
            claims.append(Claim(schedule: claim.schedule, slot: claim.slot, perFamily: schedule.perFamily, sealed: claim.sealed))
        }
        let created = ReceiverDates.millis(call.now)
        let ids = claims.map { _ in Hex.encode(random.bytes(16)) }
        do {
            let rows = try await store.book(
                claims, family: call.token.family, tokenID: call.token.id, created: created, ids: ids,
                nonceKey: call.auth.nonceKey, nonceExpires: call.auth.nonceExpires)
            let booked = rows.map { row in
                let slot = trust.schedules[row.schedule]?.slot(row.slot)
                return BookedSlot(
                    id: row.id, schedule: row.schedule, slot: row.slot,
                    start: slot.map { RFC3339.string(from: $0.start) } ?? "", end: slot.map { RFC3339.string(from: $0.end) } ?? "")
            }
            return .created(BookingReceipt(id: rows[0].id, bookings: booked, received: RFC3339.string(milliseconds: created)))
        } catch var error as APIError where error.status == 409 && error.code != "replayed_nonce" {
            var free: [String: [String]] = [:]
            for claim in claims where free[claim.schedule] == nil {
                free[claim.schedule] = try await freeSlots(claim.schedule, trust: trust, now: call.now)
            }
            error.free = free
            throw error
        }
    }

    func slots(_ call: ParentCall) async throws -> APIResponse {
        let now = call.now
        let trust = self.trust.current
        guard let schedule = trust.schedules[call.parameter], call.token.audiences.contains(schedule.audience) else {
            throw APIError.unknownSchedule
        }
        let taken = try await store.taken(schedule: schedule.id)
        let open = now >= schedule.opens && now < schedule.closes
        let views = schedule.slots.map { slot in
            let holder = taken[slot.id]
            let state: SlotView.State = holder.map { $0.family == call.token.family ? .mine : .taken } ?? .free
            return SlotView(
                id: slot.id, start: RFC3339.string(from: slot.start), end: RFC3339.string(from: slot.end), state: state,
                booking: state == .mine ? holder?.id : nil,
                bookable: open && holder == nil
                    && slot.start.timeIntervalSince(now) >= TimeInterval(schedule.minNoticeHours) * 3600)
        }
        return .ok(ScheduleSlots(
            schedule: schedule.id, teacher: schedule.teacher, opens: RFC3339.string(from: schedule.opens),
            closes: RFC3339.string(from: schedule.closes), perFamily: schedule.perFamily,
            minNoticeHours: schedule.minNoticeHours, now: RFC3339.string(from: now), open: open, slots: views))
    }

    func cancel(_ call: ParentCall) async throws -> APIResponse {
        let trust = call.auth.trust
        let now = call.now
        let row = try await store.cancel(
            id: call.parameter, family: call.token.family, nonceKey: call.auth.nonceKey, nonceExpires: call.auth.nonceExpires
        ) { row in
            if let schedule = trust.schedules[row.schedule], let slot = schedule.slot(row.slot) {
                try Self.checkNotice(slot: slot, schedule: schedule, now: now)
            }
        }
        return .ok(CancelReceipt(cancelled: row.id, schedule: row.schedule, slot: row.slot))
    }

    /// Cancel and book in one transaction, within the same schedule.
    func move(_ call: ParentCall) async throws -> APIResponse {
        let request = try MoveRequest(call.request.body)
        let trust = call.auth.trust
        let now = call.now
        let id = call.parameter
        guard let existing = try await store.booking(id: id, family: call.token.family) else { throw APIError.unknownBooking }
        let (schedule, slot) = try checkClaim(
            schedule: existing.schedule, slot: request.slot, token: call.token, trust: trust, now: now)
        do {
            let row = try await store.move(
                id: id, family: call.token.family, to: request.slot, sealed: request.sealed, tokenID: call.token.id,
                created: ReceiverDates.millis(now), nonceKey: call.auth.nonceKey, nonceExpires: call.auth.nonceExpires
            ) { row in
                guard row.schedule == schedule.id else { throw APIError.unknownBooking }
                if let old = schedule.slot(row.slot) { try Self.checkNotice(slot: old, schedule: schedule, now: now) }
            }
            return .ok(BookedSlot(
                id: row.id, schedule: row.schedule, slot: row.slot, start: RFC3339.string(from: slot.start),
                end: RFC3339.string(from: slot.end)))
        } catch var error as APIError where error.status == 409 && error.code == "slot_taken" {
            error.free = [schedule.id: try await freeSlots(schedule.id, trust: trust, now: now)]
            throw error
        }
    }

    // MARK: - Rules

    /// Checks a claim against the trust file and the clock; returns the schedule and slot.
    private func checkClaim(
        schedule id: String, slot slotID: String, token: TrustIndex.Token, trust: TrustIndex, now: Date
    ) throws(APIError) -> (TrustIndex.Schedule, TrustFile.Slot) {
        guard let schedule = trust.schedules[id], token.audiences.contains(schedule.audience) else {
            throw APIError.unknownSchedule
        }
        guard let slot = schedule.slot(slotID) else {
            throw APIError(404, "unknown_slot", "schedule \(id) has no slot \(slotID)")
        }
        guard now >= schedule.opens else {
            throw APIError(403, "booking_not_open", "booking opens at \(RFC3339.string(from: schedule.opens))")
        }
        guard now < schedule.closes else {
            throw APIError(403, "booking_closed", "booking closed at \(RFC3339.string(from: schedule.closes))")
        }
        try Self.checkNotice(slot: slot, schedule: schedule, now: now)
        return (schedule, slot)
    }

    static func checkNotice(slot: TrustFile.Slot, schedule: TrustIndex.Schedule, now: Date) throws(APIError) {
        guard slot.start.timeIntervalSince(now) >= TimeInterval(schedule.minNoticeHours) * 3600 else {
            throw APIError(403, "too_late",
                           "slot \(slot.id) starts in less than \(schedule.minNoticeHours) hours; contact the teacher")
        }
    }

    /// Free slots of a schedule that can still be booked now (notice respected), in time order.
    private func freeSlots(_ scheduleID: String, trust: TrustIndex, now: Date) async throws -> [String] {
        guard let schedule = trust.schedules[scheduleID] else { return [] }
        let taken = try await store.taken(schedule: scheduleID)
        return schedule.slots.filter { slot in
            taken[slot.id] == nil
                && slot.start.timeIntervalSince(now) >= TimeInterval(schedule.minNoticeHours) * 3600
        }.map(\.id)
    }
}
