// The typed content model that loading produces and rendering consumes.
import Foundation
import PortalMarkdown

/// Who may read an item: the whole school, or the parents of one group.
public enum Audience: Hashable, Sendable, Comparable, CustomStringConvertible {
    case school
    case group(String)

    /// The audience id used in keys, associated data and manifests: `school` or the group id.
    public var id: String {
        switch self {
        case .school: return "school"
        case .group(let id): return id
        }
    }

    public var description: String { id }
}

/// `content/site.yaml`.
public struct SiteConfig: Equatable, Sendable {
    public var name: String
    /// Public base URL of the portal, e.g. `https://ouders.example.nl`.
    public var url: String
    /// IANA time zone, e.g. `Europe/Amsterdam`.
    public var timezone: TimeZone
    /// Language codes, the first is the default (`nl`).
    public var languages: [String]
    /// Where the app sends absence reports and bookings.
    public var receiverURL: String
    public var contact: Contact
    /// Optional welcome text (Markdown) shown on the login screen and in letters.
    public var welcome: String?
    /// Optional school colour ("#1f5f8b") for the installed app's theme colour and icons.
    public var colour: String?
    public var groups: [Group]
    /// When notifications may go (site.yaml `push:`).
    public var push: PushSettings
    /// What `portal sync` does with a teacher's post (site.yaml `teacher_posts:`).
    public var teacherPosts: TeacherPosts
    /// Photo consent (site.yaml `consent:`, `consent_purposes:`, `consent_default:`).
    public var consent = PhotoConsent()
    /// What the school has switched on (site.yaml `features:`; all by default).
    public var features: Set<Feature> = Set(Feature.allCases)

    /// The features switched off, sorted: what the trust file and every keyslot list.
    public var featuresOff: [Feature] { Set(Feature.allCases).subtracting(features).sorted() }

    public init(
        name: String, url: String, timezone: TimeZone, languages: [String], receiverURL: String,
        contact: Contact, welcome: String? = nil, colour: String? = nil, groups: [Group], push: PushSettings = PushSettings(),
        teacherPosts: TeacherPosts = .approve
    ) {
        self.push = push
        self.teacherPosts = teacherPosts
        self.name = name
        self.url = url
        self.timezone = timezone
        self.languages = languages
        self.receiverURL = receiverURL
        self.contact = contact
        self.welcome = welcome
        self.colour = colour
        self.groups = groups
    }

    public func group(id: String) -> Group? { groups.first { $0.id == id } }
}

/// A part of the portal a school switches on when it is ready for it (site.yaml `features:`,
/// docs/CONTENT.md "Features"). Off means: no content of it is accepted, the app does not show
/// it, the receiver refuses its requests (the trust file lists what is off).
public enum Feature: String, Sendable, CaseIterable, Comparable {
    case news, calendar, photos, booking, absence, forms, push, posting

    /// The content folder whose items belong to the feature, if any.
    public var section: String? {
        switch self {
        case .news: return "news"
        case .calendar: return "calendar"
        case .photos: return "albums"
        case .booking: return "conferences"
        case .forms: return "forms"
        case .absence, .push, .posting: return nil
        }
    }

    /// How staff read it in messages.
    public var name: String {
        switch self {
        case .news: return "news"
        case .calendar: return "the calendar"
        case .photos: return "photo albums"
        case .booking: return "conference booking"
        case .absence: return "absence reports"
        case .forms: return "forms"
        case .push: return "notifications"
        case .posting: return "teachers' posts"
        }
    }

    public static func < (a: Feature, b: Feature) -> Bool { a.rawValue < b.rawValue }
}

/// How the build honours parents' photo consent (docs/CONTENT.md "Photo consent").
public struct PhotoConsent: Equatable, Sendable {
    /// `tagged` (the default): photos that name their children are left out when one of them
    /// lacks consent for this portal; `strict`: every album photo must name its children.
    public enum Mode: String, Equatable, Sendable, CaseIterable { case tagged, strict }

    public struct Purpose: Equatable, Sendable {
        /// `portal` (this portal, the one the build enforces), `website`, `print`, or the school's own.
        public var id: String
        /// The question parents answer, e.g. "Foto's van mijn kind in dit ouderportaal".
        public var label: String

        public init(id: String, label: String) {
            self.id = id
            self.label = label
        }
    }

    public var mode: Mode = .tagged
    public var purposes: [Purpose] = PhotoConsent.defaultPurposes
    /// A child whose parents did not answer counts as consent (site.yaml `consent_default: yes`);
    /// false, the default: no answer is no consent.
    public var assumedWithoutAnswer = false

    /// The purpose this portal's albums need.
    public static let portal = "portal"

    public static let defaultPurposes = [
        Purpose(id: portal, label: "Foto's waarop mijn kind staat mogen in dit ouderportaal (alleen voor ouders van de school)"),
        Purpose(id: "website", label: "Foto's waarop mijn kind staat mogen op de openbare website van de school"),
        Purpose(id: "print", label: "Foto's waarop mijn kind staat mogen in gedrukte materialen (schoolgids, nieuwsbrief)"),
    ]

    public init(mode: Mode = .tagged, purposes: [Purpose] = PhotoConsent.defaultPurposes, assumedWithoutAnswer: Bool = false) {
        self.mode = mode
        self.purposes = purposes
        self.assumedWithoutAnswer = assumedWithoutAnswer
    }
}

/// site.yaml `teacher_posts:`: `approve` (the default: a post waits in `portal drafts` until
/// someone at school approves it) or `publish` (it goes into content/ and is live at the next run).
public enum TeacherPosts: String, Equatable, Sendable, CaseIterable {
    case approve, publish
}

/// site.yaml `push:`: quiet hours in the school's time zone. Items with `urgent: true` go at once.
public struct PushSettings: Equatable, Sendable {
    /// "HH:MM"; equal start and end mean no quiet time of day.
    public var quietStart = "20:00"
    public var quietEnd = "07:00"
    /// Saturday and Sunday are quiet all day.
    public var quietWeekends = true

    public init(quietStart: String = "20:00", quietEnd: String = "07:00", quietWeekends: Bool = true) {
        self.quietStart = quietStart
        self.quietEnd = quietEnd
        self.quietWeekends = quietWeekends
    }
}

public struct Contact: Equatable, Sendable {
    /// The ICT coordinator (or office) parents contact with access problems.
    public var name: String
    public var email: String
    public var phone: String?
    /// Support hours as free text, e.g. "ma t/m do 8.00-16.00 uur".
    public var hours: String?

    public init(name: String, email: String, phone: String? = nil, hours: String? = nil) {
        self.name = name
        self.email = email
        self.phone = phone
        self.hours = hours
    }
}

public struct Group: Equatable, Sendable {
    /// Lowercase id used in folders and keys, e.g. `groep-5`. `school` is reserved.
    public var id: String
    /// Display title, e.g. "Groep 5".
    public var title: String
    public var teacher: String

    public init(id: String, title: String, teacher: String) {
        self.id = id
        self.title = title
        self.teacher = teacher
    }
}

public enum ItemKind: String, Sendable, CaseIterable, Codable {
    case news, event, album, page, conference, form
}

/// A calendar moment: either a whole day or a moment in the site's time zone.
public struct EventTime: Equatable, Sendable {
    /// The absolute instant (for an all-day item: local midnight of that day).
    public var date: Date
    public var allDay: Bool

    public init(date: Date, allDay: Bool) {
        self.date = date
        self.allDay = allDay
    }
}

public struct EventInfo: Equatable, Sendable {
    public var start: EventTime
    /// Optional end; for all-day items the last day (inclusive).
    public var end: EventTime?
    public var location: String?

    public init(start: EventTime, end: EventTime? = nil, location: String? = nil) {
        self.start = start
        self.end = end
        self.location = location
    }
}

public struct Photo: Equatable, Sendable {
    /// File name inside the album folder.
    public var file: String
    public var caption: String?
    /// Who is on it, by the class list's names (`children: [Sam, Noor]`); `[]` for a photo
    /// without a child, nil when the photo does not say (docs/CONTENT.md "Photo consent").
    public var children: [String]?
    /// The `children:` line, for messages.
    public var line: Int?

    public init(file: String, caption: String? = nil, children: [String]? = nil, line: Int? = nil) {
        self.file = file
        self.caption = caption
        self.children = children
        self.line = line
    }
}

public struct AlbumInfo: Equatable, Sendable {
    public var photos: [Photo]
    /// File name of the cover photo (first photo when not set).
    public var cover: String

    public init(photos: [Photo], cover: String) {
        self.photos = photos
        self.cover = cover
    }
}

/// One evening of a conference schedule, times in the site's time zone.
public struct ConferenceEvening: Equatable, Sendable {
    public var start: Date
    public var end: Date
    public var breaks: [DateInterval]

    public init(start: Date, end: Date, breaks: [DateInterval] = []) {
        self.start = start
        self.end = end
        self.breaks = breaks
    }
}

public struct ConferenceSlot: Equatable, Sendable, Codable {
    /// Stable id within the schedule, e.g. `2027-02-09T18:30`.
    public var id: String
    public var start: Date
    public var end: Date

    public init(id: String, start: Date, end: Date) {
        self.id = id
        self.start = start
        self.end = end
    }
}

public struct ConferenceSchedule: Equatable, Sendable {
    public var teacher: String
    public var location: String?
    public var slotMinutes: Int
    public var evenings: [ConferenceEvening]
    public var bookingOpens: Date
    public var bookingCloses: Date
    /// Bookings one family may hold in this schedule (more than 1 for twins).
    public var perFamily: Int
    /// A slot cannot be booked or cancelled later than this many hours before it starts.
    public var minNoticeHours: Int
    /// All bookable slots, breaks left out, in time order.
    public var slots: [ConferenceSlot]

    public init(
        teacher: String, location: String?, slotMinutes: Int, evenings: [ConferenceEvening],
        bookingOpens: Date, bookingCloses: Date, perFamily: Int, minNoticeHours: Int,
        slots: [ConferenceSlot]
    ) {
        self.teacher = teacher
        self.location = location
        self.slotMinutes = slotMinutes
        self.evenings = evenings
        self.bookingOpens = bookingOpens
        self.bookingCloses = bookingCloses
        self.perFamily = perFamily
        self.minNoticeHours = minNoticeHours
        self.slots = slots
    }
}

/// A form parents answer (`forms/<slug>.md`, docs/CONTENT.md "Forms").
public struct FormInfo: Equatable, Sendable {
    public enum Per: String, Sendable, CaseIterable { case child, family }

    public enum Kind: String, Sendable, CaseIterable {
        case yesNo = "yes_no", choice, choices, text, shifts
    }

    public struct Shift: Equatable, Sendable {
        public var label: String
        public var places: Int

        public init(label: String, places: Int) {
            self.label = label
            self.places = places
        }
    }

    public struct Question: Equatable, Sendable {
        /// Names the answer (`id:`, or the question in lower case with `-`); unique in the form.
        public var key: String
        public var kind: Kind
        public var text: String
        public var required: Bool
        /// yes_no: the guardian writes their name under a yes.
        public var sign: Bool
        /// choices and shifts: the most one answer may take.
        public var max: Int
        public var options: [String]
        public var shifts: [Shift]

        public init(
            key: String, kind: Kind, text: String, required: Bool, sign: Bool = false, max: Int = 1,
            options: [String] = [], shifts: [Shift] = []
        ) {
            self.key = key
            self.kind = kind
            self.text = text
            self.required = required
            self.sign = sign
            self.max = max
            self.options = options
            self.shifts = shifts
        }
    }

    /// Answers are taken until this instant.
    public var deadline: Date
    public var per: Per
    /// Each guardian answers (staff see "beide ouders" when both agreed).
    public var bothGuardians: Bool
    public var questions: [Question]
    /// The standing photo consent form (`consent: true`): one yes/no per purpose of site.yaml,
    /// per child, open until changed; `portal sync` keeps its answers in the consent register.
    public var consent = false

    /// A consent form without a deadline stays open: answers (and withdrawals) are always taken.
    public static let standing = Date(timeIntervalSince1970: 4_102_444_800)  // 2100-01-01

    public init(deadline: Date, per: Per, bothGuardians: Bool, questions: [Question], consent: Bool = false) {
        self.deadline = deadline
        self.per = per
        self.bothGuardians = bothGuardians
        self.questions = questions
        self.consent = consent
    }
}

/// One piece of content: a news item, calendar event, album, info page, conference schedule or form.
public struct ContentItem: Equatable, Sendable {
    public var kind: ItemKind
    public var audience: Audience
    /// Last path component of `logicalPath`, from the file or folder name or `slug:`.
    public var slug: String
    /// Stable path inside the audience, e.g. `news/sinterklaas` or `groups/groep-5/albums/uitje`.
    /// Internal Markdown links use it with a leading slash: `[tekst](/news/sinterklaas)`.
    public var logicalPath: String
    /// Source file relative to the content folder, e.g. `groups/groep-5/news/uitje.md`.
    public var sourcePath: String
    /// Folder of the source file relative to the content folder (where images are looked up).
    public var sourceFolder: String
    public var title: String
    /// Publication date (news, album, form), or start (event), or nil (page, conference).
    public var date: Date?
    public var summary: String?
    public var author: String?
    /// `urgent: true`: notify at once, also in quiet hours (a closed school, an outbreak).
    public var urgent = false
    /// News `confirm: true`: parents confirm they read it ("Gelezen"); the receiver counts who did.
    public var confirm = false
    /// From when parents see it (`publish:`; for news its `date` by default): a build before
    /// then leaves it out, and the first build after it publishes it (docs/CONTENT.md "Dates").
    public var publishAt: Date? = nil
    /// Order of info pages (lower first); 0 when not set.
    public var weight: Int
    /// The Markdown body after the front matter.
    public var body: String
    /// 1-based line in the source file where `body` starts, so body errors report real lines.
    public var bodyLine: Int
    public var event: EventInfo?
    public var album: AlbumInfo?
    public var conference: ConferenceSchedule?
    public var form: FormInfo?
    /// The body parsed once while loading (validation needs it too), so rendering need not parse it
    /// again; nil for an item built by hand. Prefer `parsedBody`, which also covers that case.
    public var markdown: MarkdownDocument? = nil
    /// Files listed under `attachments:`, in their order.
    public var attachments: [Attachment] = []
    /// Every file the item shows, resolved and found on disk while loading: the body's images in
    /// order of appearance (one per distinct source), then the album's photos in album order,
    /// then the attachments. Empty for an item built by hand.
    public var media: [MediaReference] = []

    /// The parsed body: the document kept from loading when it still matches `body`, else a fresh parse.
    ///
    /// ```swift
    /// let html = item.parsedBody.html(rewriteLink: { _ in nil }, rewriteImage: { .media($0) })
    /// ```
    public var parsedBody: MarkdownDocument {
        if let markdown, markdown.source == body { return markdown }
        return MarkdownDocument(body)
    }

    public init(
        kind: ItemKind, audience: Audience, slug: String, logicalPath: String, sourcePath: String,
        sourceFolder: String, title: String, date: Date? = nil, summary: String? = nil,
        author: String? = nil, weight: Int = 0, body: String, bodyLine: Int,
        event: EventInfo? = nil, album: AlbumInfo? = nil, conference: ConferenceSchedule? = nil
    ) {
        self.kind = kind
        self.audience = audience
        self.slug = slug
        self.logicalPath = logicalPath
        self.sourcePath = sourcePath
        self.sourceFolder = sourceFolder
        self.title = title
        self.date = date
        self.summary = summary
        self.author = author
        self.weight = weight
        self.body = body
        self.bodyLine = bodyLine
        self.event = event
        self.album = album
        self.conference = conference
    }
}

/// The whole loaded and validated site.
public struct Site: Sendable {
    public var config: SiteConfig
    /// Root folder the content was loaded from.
    public var contentRoot: URL
    /// All items except drafts, sorted by audience then logical path.
    public var items: [ContentItem]

    public init(config: SiteConfig, contentRoot: URL, items: [ContentItem]) {
        self.config = config
        self.contentRoot = contentRoot
        self.items = items
    }

    /// The audiences that exist: `school` and every group in `site.yaml`, in that order.
    public var audiences: [Audience] { [.school] + config.groups.map { .group($0.id) } }

    public func items(for audience: Audience) -> [ContentItem] { items.filter { $0.audience == audience } }
}

/// One problem in the content, reported as `file:line: message`.
public struct ContentProblem: Error, Equatable, Sendable, CustomStringConvertible {
    /// Path relative to the content folder.
    public var file: String
    /// 1-based line, or nil when the problem concerns the file as a whole.
    public var line: Int?
    public var message: String

    public init(file: String, line: Int?, message: String) {
        self.file = file
        self.line = line
        self.message = message
    }

    public var description: String {
        if let line { return "\(file):\(line): \(message)" }
        return "\(file): \(message)"
    }
}

/// Every problem found in one run; loading throws this when the list is not empty.
public struct ContentErrors: Error, Sendable, CustomStringConvertible {
    public var problems: [ContentProblem]

    public init(_ problems: [ContentProblem]) { self.problems = problems }

    public var description: String { problems.map(\.description).joined(separator: "\n") }
}
