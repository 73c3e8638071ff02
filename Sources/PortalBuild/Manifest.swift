// The JSON documents inside sealed blobs and keyslots (docs/FORMAT.md), as Codable values.
import Foundation

/// An audience's manifest: what the app lists, and where each sealed blob is.
public struct Manifest: Codable, Equatable, Sendable {
    public var v = 1
    public var audience: String
    public var title: String
    public var epoch: Int
    public var items: [Entry]
    public var media: [String: Media]

    public struct Entry: Codable, Equatable, Sendable {
        public var path: String
        public var kind: String
        public var title: String
        public var date: String?
        public var summary: String
        public var author: String?
        public var weight: Int
        public var blob: String
        public var event: Event?
        public var album: Album?
        public var conference: Conference?
    }

    public struct Event: Codable, Equatable, Sendable {
        public var start: String
        public var end: String?
        public var allDay: Bool
        public var location: String?

        enum CodingKeys: String, CodingKey {
            case start, end, location
            case allDay = "all_day"
        }
    }

    public struct Album: Codable, Equatable, Sendable {
        public var cover: String
        public var photos: [Photo]
        public struct Photo: Codable, Equatable, Sendable {
            public var media: String
            public var caption: String?
        }
    }

    public struct Conference: Codable, Equatable, Sendable {
        public var teacher: String
        public var location: String?
        public var slotMinutes: Int
        public var opens: String
        public var closes: String
        public var perFamily: Int
        public var minNoticeHours: Int
        public var slots: [Slot]
        public struct Slot: Codable, Equatable, Sendable {
            public var id: String
            public var start: String
            public var end: String
        }

        enum CodingKeys: String, CodingKey {
            case teacher, location, opens, closes, slots
            case slotMinutes = "slot_minutes"
            case perFamily = "per_family"
            case minNoticeHours = "min_notice_hours"
        }
    }

    /// A sealed image; `thumb` is the small variant for grids.
    public struct Media: Codable, Equatable, Sendable {
        public var blob: String
        public var type: String
        public var width: Int?
        public var height: Int?
        public var thumb: Variant?
    }

    public struct Variant: Codable, Equatable, Sendable {
        public var path: String
        public var blob: String
        public var type: String
        public var width: Int?
        public var height: Int?
    }
}

/// A keyslot's plaintext: what one token may open.
public struct KeyslotPayload: Codable, Equatable, Sendable {
    public var v = 1
    public var tokenID: String
    public var expires: String
    public var family: String?
    public var signingSeed: String
    public var audiences: [Audience]
    /// The receiver's URL (site.yaml `receiver`): where the app sends, from sealed data rather
    /// than from the unauthenticated site.json.
    public var receiver: String
    /// Per audience of the token, the X25519 public key its reports are sealed to. Sealed under
    /// the token's KEK, which only this token and the school can make: neither the host nor
    /// another parent can swap it (site.json's copy is only compared with it).
    public var inbox: [InboxKey]

    public struct Audience: Codable, Equatable, Sendable {
        public var id: String
        public var title: String
        public var epoch: Int
        public var key: String
        public var manifest: String
    }

    public struct InboxKey: Codable, Equatable, Sendable {
        public var audience: String
        /// Standard base64 of the 32-byte X25519 public key.
        public var publicKey: String

        enum CodingKeys: String, CodingKey {
            case audience
            case publicKey = "public_key"
        }
    }

    enum CodingKeys: String, CodingKey {
        case v, expires, family, audiences, receiver, inbox
        case tokenID = "token_id"
        case signingSeed = "signing_seed"
    }
}

/// `output/site.json`: public facts the app needs before any token is entered.
public struct SiteInfo: Codable, Equatable, Sendable {
    public var format = 1
    public var name: String
    public var siteID: String
    public var languages: [String]
    public var receiver: String
    public var inboxPublicKey: String
    public var contact: Contact
    public var keyslotSize: Int

    public struct Contact: Codable, Equatable, Sendable {
        public var name: String
        public var email: String
        public var phone: String?
        public var hours: String?
    }

    enum CodingKeys: String, CodingKey {
        case format, name, languages, receiver, contact
        case siteID = "site_id"
        case inboxPublicKey = "inbox_public_key"
        case keyslotSize = "keyslot_size"
    }
}

enum CanonicalJSON {
    /// Sorted keys and no escaping of `/`, so that equal values give equal bytes.
    static func encode<T: Encodable>(_ value: T) throws -> [UInt8] {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        return Array(try encoder.encode(value))
    }
}
