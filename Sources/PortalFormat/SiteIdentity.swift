// FORMAT.md "Site identity": output/site.json, the one public file the app reads first.
import Foundation

/// `output/site.json`: public facts the app needs before any token is entered.
public struct SiteInfo: Codable, Equatable, Sendable {
    public var format = 2
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

        public init(
            name: String,
            email: String,
            phone: String? = nil,
            hours: String? = nil
        ) {
            self.name = name
            self.email = email
            self.phone = phone
            self.hours = hours
        }
    }

    enum CodingKeys: String, CodingKey {
        case format, name, languages, receiver, contact
        case siteID = "site_id"
        case inboxPublicKey = "inbox_public_key"
        case keyslotSize = "keyslot_size"
    }

    public init(
        name: String,
        siteID: String,
        languages: [String],
        receiver: String,
        inboxPublicKey: String,
        contact: Contact,
        keyslotSize: Int
    ) {
        self.name = name
        self.siteID = siteID
        self.languages = languages
        self.receiver = receiver
        self.inboxPublicKey = inboxPublicKey
        self.contact = contact
        self.keyslotSize = keyslotSize
    }
}
