// Forms on the wire (docs/RECEIVER.md "Forms"): a family's answer, sealed twice (to the group's
// inbox key for staff, under the family key for the family), the places it takes, and what the
// family and the school's computer read back. Forms, shifts and children are opaque ids.
import Foundation
import PortalCrypto
import PortalFormat
import PortalTrust

/// `POST /api/v1/forms/{id}/answers`: `{"child", "shifts", "sealed", "copy"}`.
public struct AnswerRequest: Encodable, Sendable, Equatable {
    /// A child's opaque id (32 hex), or empty for a form per family.
    public var child: String
    public var shifts: [String]
    public var sealed: SealedPayload
    public var copy: FamilyCopy

    enum CodingKeys: String, CodingKey, CaseIterable { case child, shifts, sealed, copy }

    public init(child: String, shifts: [String], sealed: SealedPayload, copy: FamilyCopy) {
        self.child = child
        self.shifts = shifts
        self.sealed = sealed
        self.copy = copy
    }

    /// Reads a request body strictly (see `StrictObject`); a shift may occur once.
    public init(_ body: [UInt8]) throws(APIError) {
        let object = try StrictObject(body: body)
        try object.allowOnly(CodingKeys.allCases)
        guard case .string(let child)? = object.fields[CodingKeys.child.stringValue] else {
            throw APIError.schema("field \"child\" must be a string (empty for a form per family)")
        }
        guard child.isEmpty || TrustFile.isTokenID(child) else { throw APIError.schema("child must be empty or 32 lowercase hex digits") }
        self.child = child
        shifts = try object.strings(CodingKeys.shifts, maxBytes: 16)
        guard shifts.count <= 50, Set(shifts).count == shifts.count else {
            throw APIError.schema("shifts holds at most 50 different shift ids")
        }
        sealed = try object.sealed(CodingKeys.sealed)
        guard case .object(let copyFields)? = object.fields[CodingKeys.copy.stringValue] else {
            throw APIError.schema("field \"copy\" must be an object")
        }
        let inner = StrictObject(fields: copyFields)
        try inner.allowOnly(FamilyCopy.CodingKeys.allCases)
        let nonce = Base64Strict.decode(try inner.string(FamilyCopy.CodingKeys.nonce, maxBytes: 16))
        let ct = Base64Strict.decode(try inner.string(
            FamilyCopy.CodingKeys.ct, maxBytes: (SealedPayloadFormat.maxCiphertext + 16 + 2) / 3 * 4))
        guard let nonce, nonce.count == 12 else { throw APIError.schema("copy.nonce must be 12 bytes in base64") }
        guard let ct, ct.count > 16, ct.count <= SealedPayloadFormat.maxCiphertext + 16 else {
            throw APIError.schema("copy.ct must be 17 to \(SealedPayloadFormat.maxCiphertext + 16) bytes in base64")
        }
        copy = FamilyCopy(nonce: nonce, ct: ct)
    }
}

/// A shift's places as they stand.
public struct ShiftPlaces: Codable, Sendable, Equatable {
    public var id: String
    public var places: Int
    public var taken: Int
}

/// The answer to an answer (201).
public struct AnswerReceipt: Codable, Sendable, Equatable {
    public var id: String
    /// RFC 3339, whole seconds.
    public var received: String
    /// Every shift of the form, after this answer.
    public var shifts: [ShiftPlaces]
}

/// One stored answer: to the family (`copy`), or to the school's computer (`sealed`, `family`).
public struct StoredAnswer: Codable, Sendable, Equatable {
    public var id: String
    public var tokenID: String
    public var family: String?
    public var child: String
    public var shifts: [String]
    public var sealed: SealedPayload?
    public var copy: FamilyCopy?
    /// RFC 3339 with milliseconds: answers of one family may follow within a second.
    public var received: String

    enum CodingKeys: String, CodingKey {
        case id, family, child, shifts, sealed, copy, received
        case tokenID = "token_id"
    }
}

extension StoredAnswer {
    /// Opens the staff copy of an answer to `form` with the key of `keys` that `sealed.kid` names.
    public func open(form: String, keys: InboxKeyring) throws -> AnswerPayload {
        guard let sealed else { throw InboxKeyError.unknownKey("no staff copy in this row") }
        guard let secret = keys.secret(for: sealed) else { throw InboxKeyError.unknownKey(sealed.kid ?? "") }
        return try AnswerPayload.open(
            sealed, tokenID: tokenID, binding: .answer(form: form, child: child, shifts: shifts), inboxSecretKey: secret)
    }
}

/// One form as a family sees it in `GET /api/v1/forms`.
public struct FormState: Codable, Sendable, Equatable {
    public var id: String
    public var deadline: String
    public var open: Bool
    public var shifts: [ShiftPlaces]
    public var answers: [StoredAnswer]
}

/// `GET /api/v1/forms`.
public struct FormStates: Codable, Sendable, Equatable {
    public var now: String
    public var forms: [FormState]
}

/// `GET /api/v1/admin/forms/{id}/answers`.
public struct FormAnswers: Codable, Sendable, Equatable {
    public var form: String
    public var answers: [StoredAnswer]
}

/// One form of a staff token's groups in `GET /api/v1/staff/answers`.
public struct StaffFormAnswers: Codable, Sendable, Equatable {
    public var id: String
    public var audience: String
    public var deadline: String
    public var answers: [StoredAnswer]
}

/// `GET /api/v1/staff/answers`.
public struct StaffFormPage: Codable, Sendable, Equatable {
    public var forms: [StaffFormAnswers]
}
