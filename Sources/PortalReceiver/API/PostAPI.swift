// Staff posts on the wire (docs/RECEIVER.md "Staff posts"): a teacher's app sends a post sealed to
// the school's inbox key; `portal sync` takes the new ones, `portal drafts` sets their state, and
// the app shows that state (and a rejection's reason, sealed to the group's inbox key).
import Foundation
import PortalFormat
import PortalTrust

/// `POST /api/v1/staff/posts`: `{"id", "group", "sealed", "parts"?}`; `id` is chosen by the app (32 hex
/// digits), so a retry after a lost answer is the same post, not a second one. `parts` names the
/// uploads the post's photos and files are in (each complete before the post is accepted).
public struct PostRequest: Sendable, Equatable {
    public var id: String
    public var group: String
    public var sealed: SealedPayload
    public var parts: [String]

    /// Photos and files of one post (a school trip's album).
    public static let maxParts = 60

    enum CodingKeys: String, CodingKey, CaseIterable { case id, group, sealed, parts }

    init(_ body: [UInt8]) throws(APIError) {
        let object = try StrictObject(body: body)
        try object.allowOnly(CodingKeys.allCases)
        id = try object.hexID(CodingKeys.id)
        group = try object.string(CodingKeys.group, maxBytes: 64)
        sealed = try object.sealed(CodingKeys.sealed, maxCiphertext: PostPayload.maxCiphertext)
        parts = object.has(CodingKeys.parts) ? try object.strings(CodingKeys.parts, maxBytes: 32) : []
        guard parts.allSatisfy(TrustFile.isTokenID) else { throw APIError.schema("parts must be upload ids of 32 lowercase hex digits") }
        guard parts.count <= Self.maxParts, Set(parts).count == parts.count else {
            throw APIError.schema("parts must be at most \(Self.maxParts) different uploads")
        }
    }
}

/// Where a post is: `sent` (at the receiver), `waiting` (for the school's approval), `published`
/// (in content/, live at the next run), `rejected` (with a sealed reason), `retracted` (the teacher
/// took it back; the next sync removes it from content/), `removed` (it is gone from content/).
public enum PostState: String, Codable, Sendable, CaseIterable {
    case sent, waiting, published, rejected, retracted, removed
}

/// A post as the staff and admin listings give it.
public struct PostRow: Codable, Sendable, Equatable {
    public var id: String
    public var tokenID: String
    public var group: String
    /// The post itself: in the admin listing only (the teacher's app has its own copy).
    public var sealed: SealedPayload?
    public var state: PostState
    /// A rejection's reason, sealed to the group's inbox key.
    public var reason: SealedPayload?
    /// RFC 3339.
    public var received: String
    public var updated: String

    enum CodingKeys: String, CodingKey {
        case id, group, sealed, state, reason, received, updated
        case tokenID = "token_id"
    }

    /// Opens the post with the school's inbox secret key (bound to the teacher's token, group and id).
    public func open(inboxSecretKey: [UInt8]) throws -> PostPayload {
        guard let sealed else { throw InboxKeyError.unknownKey("no post in this row") }
        return try PostPayload.open(sealed, tokenID: tokenID, binding: .post(group: group, id: id), inboxSecretKey: inboxSecretKey)
    }
}

/// `GET /api/v1/staff/posts` and `GET /api/v1/admin/posts`.
public struct PostPage: Codable, Sendable, Equatable {
    public var posts: [PostRow]
}

/// `POST /api/v1/admin/posts/{id}`: the school's decision.
public struct PostStateRequest: Codable, Sendable, Equatable {
    public var state: PostState
    public var reason: SealedPayload?

    public init(state: PostState, reason: SealedPayload? = nil) {
        self.state = state
        self.reason = reason
    }

    enum CodingKeys: String, CodingKey, CaseIterable { case state, reason }

    init(strict body: [UInt8]) throws(APIError) {
        let object = try StrictObject(body: body)
        try object.allowOnly(CodingKeys.allCases)
        guard let state = PostState(rawValue: try object.string(CodingKeys.state, maxBytes: 16)), state != .sent, state != .retracted else {
            throw APIError.schema("state must be waiting, published, rejected or removed")
        }
        self.state = state
        reason = try object.optionalSealed(CodingKeys.reason)
        if reason != nil && state != .rejected { throw APIError.schema("only a rejection has a reason") }
    }
}

/// The answer to a post (201, or 200 for the same post again).
public struct PostReceipt: Codable, Sendable, Equatable {
    public var id: String
    public var state: PostState
    public var received: String
}
