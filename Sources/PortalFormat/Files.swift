// FORMAT.md "Files": the JSON documents inside keyslots, indexes and pages, as Codable values,
// and the canonical JSON they are sealed as.
import Foundation

/// An audience's index (FORMAT.md "Index"): signed by the publisher, sealed under the audience key.
public struct AudienceIndex: Codable, Equatable, Sendable {
    public var v = 2
    public var kind = "index"
    public var siteID: String
    public var audience: String
    public var title: String
    public var epoch: Int
    public var sequence: Int
    public var pages: [Page]

    public struct Page: Codable, Equatable, Sendable {
        public var id: String
        public var blob: String
        public var count: Int

        public init(id: String, blob: String, count: Int) {
            self.id = id
            self.blob = blob
            self.count = count
        }
    }

    enum CodingKeys: String, CodingKey {
        case v, kind, audience, title, epoch, sequence, pages
        case siteID = "site_id"
    }

    public init(siteID: String, audience: String, title: String, epoch: Int, sequence: Int, pages: [Page]) {
        self.siteID = siteID
        self.audience = audience
        self.title = title
        self.epoch = epoch
        self.sequence = sequence
        self.pages = pages
    }
}

/// One page of an audience (FORMAT.md "Pages"): the items of one month (or `pinned`) with their
/// item keys, and the images they show.
public struct ManifestPage: Codable, Equatable, Sendable {
    public var v = 2
    public var id: String
    public var items: [Manifest.Entry]
    public var media: [String: Manifest.Media]

    /// The page of items without a date (info pages).
    public static let pinned = "pinned"

    public init(id: String, items: [Manifest.Entry], media: [String: Manifest.Media]) {
        self.id = id
        self.items = items
        self.media = media
    }
}

/// What an audience's pages list together, merged as the app merges them: every item and image
/// with its blob and item key. Not a file of its own in format 2.
public struct Manifest: Codable, Equatable, Sendable {
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
        /// Standard base64 of the 32-byte item key the blob is sealed with.
        public var key: String
        public var event: Event?
        public var album: Album?
        public var conference: Conference?
        /// `true` for an item with `urgent: true` (the app marks it); absent otherwise.
        public var urgent: Bool?
        /// The files parents may open or save, in order; absent when there are none. Each names
        /// its sealed file in the page's `media` (with the media type there).
        public var attachments: [Attachment]?
        /// News with `confirm: true`: the opaque id parents confirm reading under
        /// (`MasterKey.confirmationID`, RECEIVER.md "Read confirmations"); absent otherwise.
        public var confirm: String?
        /// A form (kind `form`): what the app shows and sends (FORMAT.md "Forms and answers").
        public var form: Form?

        public init(
            path: String,
            kind: String,
            title: String,
            date: String? = nil,
            summary: String,
            author: String? = nil,
            weight: Int,
            blob: String,
            key: String,
            event: Event? = nil,
            album: Album? = nil,
            conference: Conference? = nil
        ) {
            self.path = path
            self.kind = kind
            self.title = title
            self.date = date
            self.summary = summary
            self.author = author
            self.weight = weight
            self.blob = blob
            self.key = key
            self.event = event
            self.album = album
            self.conference = conference
        }
    }

    /// A form's page entry (FORMAT.md "Forms and answers"). Question texts travel only here,
    /// sealed in the page; the trust file has ids, the deadline and places.
    public struct Form: Codable, Equatable, Sendable {
        public var id: String
        /// RFC 3339: answers until this instant.
        public var deadline: String
        /// `child` or `family`.
        public var per: String
        public var bothGuardians: Bool
        public var questions: [Question]
        /// The standing photo consent form (`true`, else absent): no deadline to show; the answer
        /// can be changed at any time.
        public var consent: Bool?

        public struct Question: Codable, Equatable, Sendable {
            public var key: String
            /// `yes_no`, `choice`, `choices`, `text` or `shifts`.
            public var type: String
            public var text: String
            public var required: Bool
            /// yes_no: the guardian writes their name under a yes.
            public var sign: Bool?
            /// choices, shifts: the most one answer may take.
            public var max: Int?
            /// choice, choices.
            public var options: [String]?
            /// shifts.
            public var shifts: [Shift]?

            public init(
                key: String, type: String, text: String, required: Bool, sign: Bool? = nil, max: Int? = nil,
                options: [String]? = nil, shifts: [Shift]? = nil
            ) {
                self.key = key
                self.type = type
                self.text = text
                self.required = required
                self.sign = sign
                self.max = max
                self.options = options
                self.shifts = shifts
            }
        }

        public struct Shift: Codable, Equatable, Sendable {
            public var id: String
            public var label: String
            public var places: Int

            public init(id: String, label: String, places: Int) {
                self.id = id
                self.label = label
                self.places = places
            }
        }

        enum CodingKeys: String, CodingKey {
            case id, deadline, per, questions, consent
            case bothGuardians = "both_guardians"
        }

        public init(id: String, deadline: String, per: String, bothGuardians: Bool, questions: [Question]) {
            self.id = id
            self.deadline = deadline
            self.per = per
            self.bothGuardians = bothGuardians
            self.questions = questions
        }
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

        public init(
            start: String,
            end: String? = nil,
            allDay: Bool,
            location: String? = nil
        ) {
            self.start = start
            self.end = end
            self.allDay = allDay
            self.location = location
        }
    }

    public struct Album: Codable, Equatable, Sendable {
        public var cover: String
        public var photos: [Photo]
        public struct Photo: Codable, Equatable, Sendable {
            public var media: String
            public var caption: String?

            public init(
                media: String,
                caption: String? = nil
            ) {
                self.media = media
                self.caption = caption
            }
        }

        public init(
            cover: String,
            photos: [Photo]
        ) {
            self.cover = cover
            self.photos = photos
        }
    }

    public struct Conference: Codable, Equatable, Sendable {
        /// The opaque schedule id the app books under (`MasterKey.scheduleID`).
        public var id: String
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

            public init(
                id: String,
                start: String,
                end: String
            ) {
                self.id = id
                self.start = start
                self.end = end
            }
        }

        enum CodingKeys: String, CodingKey {
            case id, teacher, location, opens, closes, slots
            case slotMinutes = "slot_minutes"
            case perFamily = "per_family"
            case minNoticeHours = "min_notice_hours"
        }

        public init(
            id: String,
            teacher: String,
            location: String? = nil,
            slotMinutes: Int,
            opens: String,
            closes: String,
            perFamily: Int,
            minNoticeHours: Int,
            slots: [Slot]
        ) {
            self.id = id
            self.teacher = teacher
            self.location = location
            self.slotMinutes = slotMinutes
            self.opens = opens
            self.closes = closes
            self.perFamily = perFamily
            self.minNoticeHours = minNoticeHours
            self.slots = slots
        }
    }

    /// A file under an item (FORMAT.md "Pages"): the `media` entry that holds it, the title
    /// parents see, the file name it is saved under and its size in bytes.
    public struct Attachment: Codable, Equatable, Sendable {
        public var media: String
        public var title: String
        public var name: String
        public var size: Int

        public init(media: String, title: String, name: String, size: Int) {
            self.media = media
            self.title = title
            self.name = name
            self.size = size
        }
    }

    /// A sealed image; `thumb` is the small variant for grids.
    public struct Media: Codable, Equatable, Sendable {
        public var blob: String
        public var key: String
        public var type: String
        public var width: Int?
        public var height: Int?
        public var thumb: Variant?

        public init(
            blob: String,
            key: String,
            type: String,
            width: Int? = nil,
            height: Int? = nil,
            thumb: Variant? = nil
        ) {
            self.blob = blob
            self.key = key
            self.type = type
            self.width = width
            self.height = height
            self.thumb = thumb
        }
    }

    public struct Variant: Codable, Equatable, Sendable {
        public var path: String
        public var blob: String
        public var key: String
        public var type: String
        public var width: Int?
        public var height: Int?

        public init(
            path: String,
            blob: String,
            key: String,
            type: String,
            width: Int? = nil,
            height: Int? = nil
        ) {
            self.path = path
            self.blob = blob
            self.key = key
            self.type = type
            self.width = width
            self.height = height
        }
    }

    public init(
        audience: String,
        title: String,
        epoch: Int,
        items: [Entry],
        media: [String: Media]
    ) {
        self.audience = audience
        self.title = title
        self.epoch = epoch
        self.items = items
        self.media = media
    }
}

/// A keyslot's plaintext: what one token may open.
public struct KeyslotPayload: Codable, Equatable, Sendable {
    public var v = 2
    public var tokenID: String
    public var expires: String
    public var family: String?
    public var signingSeed: String
    /// Standard base64 of the publisher's Ed25519 public key: what the app verifies every signed
    /// document with. Sealed under the KEK, so neither the host nor another parent can swap it.
    public var publisher: String
    public var audiences: [Audience]
    /// The receiver's URL (site.yaml `receiver`): where the app sends, from sealed data rather
    /// than from the unauthenticated site.json.
    public var receiver: String
    /// Per audience of the token, the X25519 public key its reports are sealed to. Sealed under
    /// the token's KEK, which only this token and the school can make: neither the host nor
    /// another parent can swap it (site.json's copy is only compared with it).
    public var inbox: [InboxKey]
    /// Base64url of the school's 65-byte VAPID public key: the app's `applicationServerKey`
    /// when it subscribes to notifications (FORMAT.md "Push"). Absent in keyslots of older builds.
    public var push: String?
    /// A staff member's token only: who they are and the inbox secrets of their groups.
    public var staff: Staff?
    /// A parent's token: the family's children in the token's groups (FORMAT.md "Keyslot"),
    /// the same in every keyslot of the family. Absent when the class list names none.
    public var children: [Child]?
    /// Features the school has not switched on (site.yaml `features:`): the app shows none of
    /// them. Absent when everything is on.
    public var featuresOff: [String]?
    /// A parent's token: standard base64 of the family key (`MasterKey.familyKey`), under which
    /// the family's form answers are sealed a second time so every guardian reads them.
    public var familyKey: String?

    /// A child of the family: an opaque id that stays across school years, a name as the class
    /// list writes it, and a group.
    public struct Child: Codable, Equatable, Sendable {
        public var id: String
        public var name: String
        public var group: String

        public init(id: String, name: String, group: String) {
            self.id = id
            self.name = name
            self.group = group
        }
    }

    /// What a staff keyslot adds (FORMAT.md "Staff keyslots").
    public struct Staff: Codable, Equatable, Sendable {
        /// The staff member's name as the school wrote it (`--label`).
        public var label: String
        /// `teacher` or `office`.
        public var role: String
        /// The groups whose reports this person reads.
        public var groups: [String]
        /// Per group the current inbox secret, then the previous one (reports sealed by an app
        /// that still had last week's keyslot).
        public var inboxSecrets: [InboxSecret]
        /// The class list's children of its groups (who has not answered a form yet, who is on a
        /// photo); absent when the class list names none.
        public var children: [Child]?

        enum CodingKeys: String, CodingKey {
            case label, role, groups, children
            case inboxSecrets = "inbox_secrets"
        }

        public init(label: String, role: String, groups: [String], inboxSecrets: [InboxSecret], children: [Child]? = nil) {
            self.label = label
            self.role = role
            self.groups = groups
            self.inboxSecrets = inboxSecrets
            self.children = children
        }
    }

    public struct InboxSecret: Codable, Equatable, Sendable {
        public var audience: String
        public var epoch: Int
        /// `InboxKeyID` of the public half.
        public var kid: String
        /// Standard base64 of the 32-byte X25519 public key (HPKE's opener needs it beside the secret).
        public var publicKey: String
        /// Standard base64 of the 32-byte X25519 secret key.
        public var secretKey: String

        enum CodingKeys: String, CodingKey {
            case audience, epoch, kid
            case publicKey = "public_key"
            case secretKey = "secret_key"
        }

        public init(audience: String, epoch: Int, kid: String, publicKey: String, secretKey: String) {
            self.audience = audience
            self.epoch = epoch
            self.kid = kid
            self.publicKey = publicKey
            self.secretKey = secretKey
        }
    }

    public struct Audience: Codable, Equatable, Sendable {
        public var id: String
        public var title: String
        public var epoch: Int
        public var key: String
        /// `i/<name>`: where this audience's index lies at this epoch.
        public var index: String

        public init(
            id: String,
            title: String,
            epoch: Int,
            key: String,
            index: String
        ) {
            self.id = id
            self.title = title
            self.epoch = epoch
            self.key = key
            self.index = index
        }
    }

    public struct InboxKey: Codable, Equatable, Sendable {
        public var audience: String
        /// Standard base64 of the 32-byte X25519 public key.
        public var publicKey: String
        /// `InboxKeyID` of a group inbox key, which the app puts beside what it seals; absent for
        /// the school's one inbox key (the `school` audience).
        public var kid: String?

        enum CodingKeys: String, CodingKey {
            case audience, kid
            case publicKey = "public_key"
        }

        public init(
            audience: String,
            publicKey: String,
            kid: String? = nil
        ) {
            self.audience = audience
            self.publicKey = publicKey
            self.kid = kid
        }
    }

    enum CodingKeys: String, CodingKey {
        case v, expires, family, publisher, audiences, receiver, inbox, push, staff, children
        case tokenID = "token_id"
        case signingSeed = "signing_seed"
        case familyKey = "family_key"
        case featuresOff = "features_off"
    }

    public init(
        tokenID: String,
        expires: String,
        family: String? = nil,
        signingSeed: String,
        publisher: String,
        audiences: [Audience],
        receiver: String,
        inbox: [InboxKey],
        push: String? = nil,
        staff: Staff? = nil,
        children: [Child]? = nil,
        familyKey: String? = nil
    ) {
        self.familyKey = familyKey
        self.push = push
        self.staff = staff
        self.children = children
        self.tokenID = tokenID
        self.expires = expires
        self.family = family
        self.signingSeed = signingSeed
        self.publisher = publisher
        self.audiences = audiences
        self.receiver = receiver
        self.inbox = inbox
    }
}

public enum CanonicalJSON {
    /// Sorted keys and no escaping of `/`, so that equal values give equal bytes.
    public static func encode<T: Encodable>(_ value: T) throws -> [UInt8] {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        return Array(try encoder.encode(value))
    }
}
