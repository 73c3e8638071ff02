// One invitation letter: everything a family needs to open the portal, taken from site.yaml and
// the token's record. Rendered as a printable page (LetterPage), an e-mail (LetterMail) and a PDF.
import Foundation
import PortalContent
import PortalKeys
import PortalMarkdown

/// The facts of one letter. Holds the secret token: never print it outside the letter files.
///
/// ```swift
/// let letter = Letter(site: site, record: record)
/// letter.link        // "https://ouders.school.example/#token=K7QM-3XRT-..."
/// let html = try LetterPage.html(letter)
/// ```
public struct Letter: Sendable {
    /// How long a family has to register a device when the record does not say.
    public static let defaultRegistrationPeriod: TimeInterval = 7 * 24 * 3600

    public let schoolName: String
    /// The portal's address as parents type it, without a trailing slash.
    public let portalURL: String
    /// The portal's address with the token in the fragment (`#token=`), which the app reads and
    /// then removes from the address bar; the fragment never reaches the web server.
    public let link: String
    /// The token as printed: 8 groups of 4 characters.
    public let token: String
    public let tokenID: String
    /// The addressee, e.g. "Fam. Jansen" (the token's label).
    public let family: String?
    public let email: String?
    /// Titles of the token's groups, in site.yaml's order of the token.
    public let groupTitles: [String]
    public let registerBy: Date
    public let contact: Contact
    public let timeZone: TimeZone
    /// site.yaml's `welcome` as HTML with links inside the portal made plain text (they lead
    /// nowhere on paper), and as plain text for the e-mail's text part.
    public let welcomeHTML: String?
    public let welcomeText: String?
    /// A staff member's code (`portal token issue --staff`): the letter speaks to that person and
    /// says what the code reads (the groups' absence reports and bookings) instead of a family's news.
    public let isStaff: Bool
    /// What the school has switched on (site.yaml `features:`): a staff letter names only that.
    public let features: Set<Feature>

    public init(site: SiteConfig, record: TokenRecord) {
        isStaff = record.staff != nil
        features = site.features
        schoolName = site.name
        var url = site.url
        while url.hasSuffix("/") { url.removeLast() }
        portalURL = url
        link = url + "/#token=" + record.token
        token = record.token
        tokenID = record.id
        family = record.label
        email = record.email
        groupTitles = record.audiences.filter { $0 != "school" }.map { site.group(id: $0)?.title ?? $0 }
        registerBy = record.registerBy ?? record.issued.addingTimeInterval(Letter.defaultRegistrationPeriod)
        contact = site.contact
        timeZone = site.timezone
        if let welcome = site.welcome, !welcome.trimmingCharacters(in: .whitespacesAndNewlines).isEmpty {
            let html = Letter.paperHTML(welcome)
            welcomeHTML = html
            welcomeText = HTMLText.plain(html)
        } else {
            welcomeHTML = nil
            welcomeText = nil
        }
    }

    /// The files' common name: `<label-slug>-<first 8 of the id>`, e.g. `fam-jansen-1a2b3c4d`.
    public var fileBaseName: String {
        let slug = Letter.slug(family ?? "")
        return (slug.isEmpty ? "token" : slug) + "-" + tokenID.prefix(8)
    }

    /// "zondag 6 december 2026 om 10.23 uur" (or without the time at midnight).
    public var registerByDutch: String { DutchDate.text(registerBy, in: timeZone, english: false) }
    /// "Sunday 6 December 2026 at 10:23".
    public var registerByEnglish: String { DutchDate.text(registerBy, in: timeZone, english: true) }

    static func slug(_ text: String) -> String {
        let folded = text.folding(options: [.diacriticInsensitive, .caseInsensitive], locale: Locale(identifier: "nl_NL"))
        var slug = ""
        for scalar in folded.lowercased().unicodeScalars {
            if scalar.isASCII, CharacterSet.alphanumerics.contains(scalar) {
                slug.unicodeScalars.append(scalar)
            } else if !slug.isEmpty, !slug.hasSuffix("-") {
                slug += "-"
            }
        }
        while slug.hasSuffix("-") { slug.removeLast() }
        return String(slug.prefix(40))
    }

    /// Markdown to HTML for paper: internal links (`/pages/...`, `#...`) become their text, images
    /// are left out (they live sealed in the portal). Web and mail links stay.
    static func paperHTML(_ markdown: String) -> String {
        let marker = "ouderportaal-letter-internal:"
        var html = MarkdownDocument(markdown).html(
            rewriteLink: { destination in
                let lower = destination.lowercased()
                let external = lower.hasPrefix("https://") || lower.hasPrefix("http://") || lower.hasPrefix("mailto:")
                return external ? nil : marker
            },
            rewriteImage: { _ in .url(marker) })
        html = html.replacingOccurrences(
            of: "<a href=\"\(marker)\"[^>]*>(.*?)</a>", with: "$1", options: [.regularExpression])
        html = html.replacingOccurrences(of: "<img[^>]*>", with: "", options: [.regularExpression])
        return html
    }
}

/// Dates as the letter prints them, in the school's time zone.
enum DutchDate {
    static let dutchMonths = ["januari", "februari", "maart", "april", "mei", "juni", "juli", "augustus",
                              "september", "oktober", "november", "december"]
    static let dutchDays = ["zondag", "maandag", "dinsdag", "woensdag", "donderdag", "vrijdag", "zaterdag"]
    static let englishMonths = ["January", "February", "March", "April", "May", "June", "July", "August",
                                "September", "October", "November", "December"]
    static let englishDays = ["Sunday", "Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday"]

    static func text(_ date: Date, in zone: TimeZone, english: Bool) -> String {
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = zone
        let c = calendar.dateComponents([.year, .month, .day, .weekday, .hour, .minute], from: date)
        let (day, month, year, weekday) = (c.day ?? 1, (c.month ?? 1) - 1, c.year ?? 2000, (c.weekday ?? 1) - 1)
        let hour = c.hour ?? 0, minute = c.minute ?? 0
        let mm = minute < 10 ? "0\(minute)" : "\(minute)"
        if english {
            let base = "\(englishDays[weekday]) \(day) \(englishMonths[month]) \(year)"
            return hour == 0 && minute == 0 ? base : "\(base) at \(hour):\(mm)"
        }
        let base = "\(dutchDays[weekday]) \(day) \(dutchMonths[month]) \(year)"
        return hour == 0 && minute == 0 ? base : "\(base) om \(hour).\(mm) uur"
    }
}

/// HTML escaping and a rough HTML-to-text for the e-mail's plain part.
enum HTMLText {
    static func escape(_ text: String) -> String {
        var out = ""
        out.reserveCapacity(text.count)
        for ch in text {
            switch ch {
            case "&": out += "&amp;"
            case "<": out += "&lt;"
            case ">": out += "&gt;"
            case "\"": out += "&quot;"
            case "'": out += "&#39;"
            default: out.append(ch)
            }
        }
        return out
    }

    /// Paragraphs and list items on their own lines, tags dropped, entities decoded.
    static func plain(_ html: String) -> String {
        // Line breaks in the HTML are Markdown's soft breaks: spaces in the text.
        var text = html.replacingOccurrences(of: "\n", with: " ")
        text = text.replacingOccurrences(of: "<li>", with: "\n- ")
        text = text.replacingOccurrences(of: "<br ?/?>", with: "\n", options: .regularExpression)
        text = text.replacingOccurrences(of: "</(p|h[1-6]|ul|ol|blockquote|table)>", with: "\n\n", options: .regularExpression)
        text = text.replacingOccurrences(of: "<[^>]+>", with: "", options: .regularExpression)
        for (entity, character) in [("&lt;", "<"), ("&gt;", ">"), ("&quot;", "\""), ("&#39;", "'"), ("&amp;", "&")] {
            text = text.replacingOccurrences(of: entity, with: character)
        }
        var lines: [String] = []
        for line in text.components(separatedBy: "\n").map({ $0.trimmingCharacters(in: .whitespaces) }) {
            if line.isEmpty && (lines.last?.isEmpty ?? true) { continue }
            lines.append(line)
        }
        while lines.last?.isEmpty == true { lines.removeLast() }
        return lines.joined(separator: "\n")
    }
}
