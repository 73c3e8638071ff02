// `POST /api/v1/absences`: a parent's absence report and the receiver's receipt.
import Foundation
import PortalFormat

/// An absence report as the app sends it; the child, reason and note are in `sealed`.
///
/// ```swift
/// let request = try AbsenceRequest(body)       // the receiver: strict, 422 on any surprise
/// let body = try JSONEncoder().encode(AbsenceRequest(group: "groep-5", from: "2027-02-01",
///                                                    to: "2027-02-02", sealed: sealed))
/// ```
public struct AbsenceRequest: Codable, Sendable, Equatable {
    /// The class (an audience of the token other than `school`).
    public var group: String
    /// First and last day, `YYYY-MM-DD`.
    public var from: String
    public var to: String
    public var sealed: SealedPayload

    enum CodingKeys: String, CodingKey, CaseIterable { case group, from, to, sealed }

    public init(group: String, from: String, to: String, sealed: SealedPayload) {
        self.group = group
        self.from = from
        self.to = to
        self.sealed = sealed
    }

    /// Reads a request body strictly (see `StrictObject`).
    public init(_ body: [UInt8]) throws(APIError) {
        let object = try StrictObject(body: body)
        try object.allowOnly(CodingKeys.allCases)
        group = try object.string(CodingKeys.group, maxBytes: 64)
        from = try object.string(CodingKeys.from, maxBytes: 10)
        to = try object.string(CodingKeys.to, maxBytes: 10)
        sealed = try object.sealed(CodingKeys.sealed)
    }

    /// `from` and `to` as days at 00:00 UTC: real days, in order, at most 62 days apart.
    func days() throws(APIError) -> (from: Date, to: Date) {
        guard let first = ReceiverDates.day(from), let last = ReceiverDates.day(to) else {
            throw APIError.schema("from and to must be dates YYYY-MM-DD")
        }
        guard first <= last else { throw APIError.schema("from must not be after to") }
        guard last.timeIntervalSince(first) <= 62 * 86400 else { throw APIError.schema("an absence report covers at most 62 days") }
        return (first, last)
    }
}

/// The answer to an absence report (201).
public struct AbsenceReceipt: Codable, Sendable, Equatable {
    public var id: String
    /// RFC 3339, whole seconds.
    public var received: String
}
