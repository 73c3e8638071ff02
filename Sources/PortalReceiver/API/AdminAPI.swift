// The staff side: `GET /api/v1/admin/{submissions,bookings,registrations}` and
// `POST /api/v1/admin/trust`, signed with the admin key. The receiver encodes these types and
// `ReceiverClient` decodes them.
import Foundation
import PortalFormat
import PortalFiles
import PortalTrust

/// An absence report as `GET /api/v1/admin/submissions` returns it.
public struct AdminSubmission: Codable, Sendable, Equatable {
    public var id: String
    public var kind: String
    /// The sending token: with the kind, group and dates, the HPKE aad of `sealed`.
    public var tokenID: String
    public var family: String
    public var group: String
    public var from: String
    public var to: String
    public var sealed: SealedPayload
    /// RFC 3339.
    public var received: String
    /// In a staff listing: whether the calling staff token marked it read (on any device).
    public var read: Bool?

    enum CodingKeys: String, CodingKey {
        case id, kind, family, group, from, to, sealed, received, read
        case tokenID = "token_id"
    }

    /// What the sealed fields are bound to: this report's group and dates.
    public var binding: PayloadBinding { .absence(group: group, from: from, to: to) }

    /// Opens the sealed fields with the school's inbox secret key. `bound` is false for a report
    /// sealed by an app from before the binding (its group and dates could have been changed).
    public func open(inboxSecretKey: [UInt8]) throws -> (payload: AbsencePayload, bound: Bool) {
        try AbsencePayload.openAllowingUnbound(sealed, tokenID: tokenID, binding: binding, inboxSecretKey: inboxSecretKey)
    }

    /// Opens with the key of `keys` that `sealed.kid` names (the school's one inbox key without a kid).
    public func open(keys: InboxKeyring) throws -> (payload: AbsencePayload, bound: Bool) {
        guard let secret = keys.secret(for: sealed) else { throw InboxKeyError.unknownKey(sealed.kid ?? "") }
        return try open(inboxSecretKey: secret)
    }
}

/// A booking as `GET /api/v1/admin/bookings` returns it.
public struct AdminBooking: Codable, Sendable, Equatable {
    public var id: String
    public var schedule: String
    public var slot: String
    /// RFC 3339; absent when the slot (or `teacher`: the schedule) is no longer in the trust file.
    public var start: String?
    public var end: String?
    public var teacher: String?
    public var family: String
    public var tokenID: String
    public var sealed: SealedPayload
    public var created: String

    enum CodingKeys: String, CodingKey {
        case id, schedule, slot, start, end, teacher, family, sealed, created
        case tokenID = "token_id"
    }

    /// What the sealed fields are bound to: this booking's schedule and slot.
    public var binding: PayloadBinding { .booking(schedule: schedule, slot: slot) }

    /// Opens the child's name and note; `bound` as for `AdminSubmission.open`.
    /// `formerSchedule`: the id the schedule had when the booking was made (format 1's logical
    /// path), tried when the current id does not open it.
    public func open(keys: InboxKeyring, formerSchedule: String? = nil) throws -> (payload: BookingPayload, bound: Bool) {
        guard let secret = keys.secret(for: sealed) else { throw InboxKeyError.unknownKey(sealed.kid ?? "") }
        return try open(inboxSecretKey: secret, formerSchedule: formerSchedule)
    }

    public func open(inboxSecretKey: [UInt8], formerSchedule: String? = nil) throws -> (payload: BookingPayload, bound: Bool) {
        do {
            return try BookingPayload.openAllowingUnbound(sealed, tokenID: tokenID, binding: binding, inboxSecretKey: inboxSecretKey)
        } catch {
            guard let formerSchedule, formerSchedule != schedule else { throw error }
            let payload = try BookingPayload.open(
                sealed, tokenID: tokenID, binding: .booking(schedule: formerSchedule, slot: slot), inboxSecretKey: inboxSecretKey)
            return (payload, true)
        }
    }
}

/// A token's first registration as `GET /api/v1/admin/registrations` returns it.
public struct AdminRegistration: Codable, Sendable, Equatable {
    public var tokenID: String
    public var family: String
    /// RFC 3339, whole seconds.
    public var registeredAt: String
    public var device: String?

    enum CodingKeys: String, CodingKey {
        case family, device
        case tokenID = "token_id"
        case registeredAt = "registered_at"
    }

    /// `registeredAt` as a date (nil if the receiver sent something else).
    public var registeredDate: Date? { RFC3339.date(registeredAt) }
}

/// The answer of `GET /api/v1/admin/submissions`, oldest first. `next` is present when the
/// listing was cut at the page limit: ask again with `?after=<next>`.
public struct SubmissionPage: Codable, Sendable, Equatable {
    public var submissions: [AdminSubmission]
    public var next: String?
}

/// The answer of `GET /api/v1/admin/bookings`.
public struct BookingPage: Codable, Sendable, Equatable {
    public var bookings: [AdminBooking]
}

/// The answer of `GET /api/v1/admin/registrations`, oldest first; `next` as in `SubmissionPage`.
public struct RegistrationPage: Codable, Sendable, Equatable {
    public var registrations: [AdminRegistration]
    public var next: String?
}

/// The answer of `POST /api/v1/admin/trust`: the trust file now in force.
public struct TrustReceipt: Codable, Sendable, Equatable {
    /// RFC 3339, whole seconds: the file's `generated`.
    public var generated: String
    public var tokens: Int
    public var schedules: Int
    /// False when the receiver already had this very file.
    public var changed: Bool
}

/// A payload sealed to an inbox key this reader does not hold.
public enum InboxKeyError: Error, CustomStringConvertible {
    case unknownKey(String)

    public var description: String {
        switch self {
        case .unknownKey(let kid): return "sealed to inbox key \(kid), which this keystore does not derive (another school's key?)"
        }
    }
}

/// `POST /api/v1/staff/read`: reports a staff device opened (1 to 200 ids of 32 hex digits).
public struct StaffReadRequest: Sendable, Equatable {
    public var ids: [String]

    enum CodingKeys: String, CodingKey, CaseIterable { case ids }

    init(_ body: [UInt8]) throws(APIError) {
        let object = try StrictObject(body: body)
        try object.allowOnly(CodingKeys.allCases)
        let ids = try object.strings(CodingKeys.ids, maxBytes: 32)
        guard (1...200).contains(ids.count), ids.allSatisfy(TrustFile.isTokenID) else {
            throw APIError.schema("ids must be 1 to 200 report ids (32 lowercase hex digits)")
        }
        self.ids = ids
    }
}

/// The answer to `POST /api/v1/staff/read`.
public struct StaffReadReceipt: Codable, Sendable, Equatable {
    public var read: Int
}
