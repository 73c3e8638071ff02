// Conference bookings: `POST /api/v1/bookings`, `GET /api/v1/schedules/{id}/slots`,
// `POST /api/v1/bookings/{id}/move` and `DELETE /api/v1/bookings/{id}`.
import Foundation
import PortalFormat

/// One slot a booking asks for; the child's name and a note are in `sealed`.
public struct BookingClaim: Codable, Sendable, Equatable {
    public var schedule: String
    public var slot: String
    public var sealed: SealedPayload

    enum CodingKeys: String, CodingKey, CaseIterable { case schedule, slot, sealed }

    public init(schedule: String, slot: String, sealed: SealedPayload) {
        self.schedule = schedule
        self.slot = slot
        self.sealed = sealed
    }

    init(strict object: StrictObject) throws(APIError) {
        try object.allowOnly(CodingKeys.allCases)
        schedule = try object.string(CodingKeys.schedule, maxBytes: 200)
        slot = try object.string(CodingKeys.slot, maxBytes: 64)
        sealed = try object.sealed(CodingKeys.sealed)
    }
}

/// A booking: one claim as a flat object (`{"schedule", "slot", "sealed"}`), or 1 to 4 claims as
/// `{"claims": [...]}` (back-to-back talks with two teachers), all or nothing.
///
/// ```swift
/// let request = try BookingRequest(body)
/// for claim in request.claims { ... }
/// ```
public struct BookingRequest: Encodable, Sendable, Equatable {
    public var claims: [BookingClaim]

    enum CodingKeys: String, CodingKey, CaseIterable { case claims }

    public init(claims: [BookingClaim]) { self.claims = claims }

    /// Reads a request body strictly (see `StrictObject`); a slot may occur once.
    public init(_ body: [UInt8]) throws(APIError) {
        let object = try StrictObject(body: body)
        var objects = [object]
        if object.has(CodingKeys.claims) {
            try object.allowOnly(CodingKeys.allCases)
            objects = try object.objects(CodingKeys.claims)
            guard (1...4).contains(objects.count) else { throw APIError.schema("claims holds 1 to 4 claims") }
        }
        var claims: [BookingClaim] = []
        var seen = Set<String>()
        for object in objects {
            let claim = try BookingClaim(strict: object)
            guard seen.insert(claim.schedule + "\n" + claim.slot).inserted else {
                throw APIError.schema("a slot occurs twice in claims")
            }
            claims.append(claim)
        }
        self.claims = claims
    }

    /// One claim as the flat object the app sends, several as `{"claims": [...]}`.
    public func encode(to encoder: any Encoder) throws {
        if claims.count == 1 {
            try claims[0].encode(to: encoder)
        } else {
            var container = encoder.container(keyedBy: CodingKeys.self)
            try container.encode(claims, forKey: .claims)
        }
    }
}

/// A booked slot as the receiver confirms it (in a `BookingReceipt`, and as the answer to a move).
public struct BookedSlot: Codable, Sendable, Equatable {
    public var id: String
    public var schedule: String
    public var slot: String
    /// RFC 3339 (empty if the slot is no longer in the trust file).
    public var start: String
    public var end: String
}

/// The answer to a booking (201): the first booking's id and every booked slot.
public struct BookingReceipt: Codable, Sendable, Equatable {
    public var id: String
    public var bookings: [BookedSlot]
    /// RFC 3339, whole seconds.
    public var received: String
}

/// `POST /api/v1/bookings/{id}/move`: another slot of the same schedule, optionally with a new
/// sealed name and note.
public struct MoveRequest: Codable, Sendable, Equatable {
    public var slot: String
    public var sealed: SealedPayload?

    enum CodingKeys: String, CodingKey, CaseIterable { case slot, sealed }

    public init(slot: String, sealed: SealedPayload? = nil) {
        self.slot = slot
        self.sealed = sealed
    }

    /// Reads a request body strictly (see `StrictObject`).
    public init(_ body: [UInt8]) throws(APIError) {
        let object = try StrictObject(body: body)
        try object.allowOnly(CodingKeys.allCases)
        slot = try object.string(CodingKeys.slot, maxBytes: 64)
        sealed = try object.optionalSealed(CodingKeys.sealed)
    }
}

/// The answer to `DELETE /api/v1/bookings/{id}`.
public struct CancelReceipt: Codable, Sendable, Equatable {
    /// The cancelled booking's id.
    public var cancelled: String
    public var schedule: String
    public var slot: String
}

/// `GET /api/v1/schedules/{id}/slots`: a schedule's slots as one family sees them (whose the
/// taken slots are is not shown).
public struct ScheduleSlots: Codable, Sendable, Equatable {
    public var schedule: String
    public var teacher: String
    /// RFC 3339: the booking window.
    public var opens: String
    public var closes: String
    public var perFamily: Int
    public var minNoticeHours: Int
    /// The receiver's clock.
    public var now: String
    /// Whether `now` is inside the booking window.
    public var open: Bool
    public var slots: [SlotView]

    enum CodingKeys: String, CodingKey {
        case schedule, teacher, opens, closes, now, open, slots
        case perFamily = "per_family"
        case minNoticeHours = "min_notice_hours"
    }
}

/// One slot of `ScheduleSlots`.
public struct SlotView: Codable, Sendable, Equatable {
    public enum State: String, Codable, Sendable {
        case free, taken, mine
    }

    public var id: String
    public var start: String
    public var end: String
    public var state: State
    /// The family's own booking of this slot (`state == .mine` only).
    public var booking: String?
    /// Free, inside the window, and not within the notice period.
    public var bookable: Bool
}
