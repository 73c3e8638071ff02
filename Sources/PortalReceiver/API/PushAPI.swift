// Push on the wire: a device's subscription (`POST /api/v1/push/subscription`, signed by a
// parent's token) and what publish announces (`POST /api/v1/admin/push/notify`, signed by the
// admin key). docs/RECEIVER.md "Push".
import Foundation
import PortalCrypto
import PortalPush

/// A device's Push API subscription for one token; `mode` `off` removes it.
public struct PushSubscriptionRequest: Codable, Sendable, Equatable {
    public enum Mode: String, Codable, Sendable, CaseIterable {
        /// Every new item.
        case all
        /// Only items marked `urgent: true`.
        case urgent
        /// None: the subscription is forgotten.
        case off
    }

    public var endpoint: String
    /// Base64url of the 65-byte P-256 key (`getKey('p256dh')`); absent with `off`.
    public var p256dh: String?
    /// Base64url of the 16-byte auth secret; absent with `off`.
    public var auth: String?
    public var mode: Mode

    enum CodingKeys: String, CodingKey, CaseIterable { case endpoint, p256dh, auth, mode }

    public init(endpoint: String, p256dh: String?, auth: String?, mode: Mode) {
        self.endpoint = endpoint
        self.p256dh = p256dh
        self.auth = auth
        self.mode = mode
    }

    /// Reads a body strictly; the keys must be a valid P-256 point and a 16-byte secret.
    init(_ body: [UInt8]) throws(APIError) {
        let object = try StrictObject(body: body)
        try object.allowOnly(CodingKeys.allCases)
        endpoint = try object.string(CodingKeys.endpoint, maxBytes: PushEndpointPolicy.maxLength)
        let modeText = try object.string(CodingKeys.mode, maxBytes: 16)
        guard let mode = Mode(rawValue: modeText) else { throw APIError.schema("mode must be all, urgent or off") }
        self.mode = mode
        p256dh = try object.optionalString(CodingKeys.p256dh, maxBytes: 128)
        auth = try object.optionalString(CodingKeys.auth, maxBytes: 64)
        if mode != .off, p256dh == nil || auth == nil { throw APIError.schema("p256dh and auth are needed unless mode is off") }
    }

    /// The subscription's keys, checked.
    func keys() throws(APIError) -> PushSubscriptionKeys {
        guard let p256dh = p256dh.flatMap(Base64URL.decode), let auth = auth.flatMap(Base64URL.decode) else {
            throw APIError.schema("p256dh and auth must be base64url")
        }
        do { return try PushSubscriptionKeys(p256dh: p256dh, auth: auth) } catch { throw APIError.schema("\(error)") }
    }
}

/// The receiver's answer to a subscription.
public struct PushSubscriptionReceipt: Codable, Sendable, Equatable {
    public var mode: PushSubscriptionRequest.Mode
    /// Subscriptions this token now has (one per device).
    public var devices: Int
}

/// What `portal publish` announces after a release is in force: the audiences with new items,
/// the sequence of the index that has them, and whether one of them is urgent. Never sent for a
/// re-seal (a revocation, a typo fix, a re-key): only for items that were not published before.
public struct PushNotice: Codable, Sendable, Equatable {
    public struct Audience: Codable, Sendable, Equatable {
        public var id: String
        public var sequence: Int64
        /// New items in this audience (for the receipt and the log; not sent to devices).
        public var count: Int
        public var urgent: Bool
        /// Of `count`, the urgent ones; absent means all of them when `urgent`, else none.
        public var urgentCount: Int?

        enum CodingKeys: String, CodingKey {
            case id, sequence, count, urgent
            case urgentCount = "urgent_count"
        }

        public init(id: String, sequence: Int64, count: Int, urgent: Bool, urgentCount: Int? = nil) {
            self.id = id
            self.sequence = sequence
            self.count = count
            self.urgent = urgent
            self.urgentCount = urgentCount
        }

        /// What a device set to "only urgent" counts.
        var urgentItems: Int { urgent ? max(1, urgentCount ?? count) : 0 }
    }

    public var audiences: [Audience]

    public init(audiences: [Audience]) { self.audiences = audiences }
}

/// The receiver's answer to a notice.
public struct PushNoticeReceipt: Codable, Sendable, Equatable {
    /// Devices a message was queued for (one per device, whatever the number of items).
    public var devices: Int
    /// Of those, how many wait for the end of the quiet hours, and until when (RFC 3339).
    public var held: Int
    public var heldUntil: String?
    /// Audiences left out because their sequence was announced before.
    public var repeated: [String]

    enum CodingKeys: String, CodingKey {
        case devices, held, repeated
        case heldUntil = "held_until"
    }
}

/// `GET /api/v1/admin/push`: what the receiver holds for push.
public struct PushStatus: Codable, Sendable, Equatable {
    public var subscriptions: Int
    public var queued: Int
    public var sent: Int
    public var failed: Int
}
