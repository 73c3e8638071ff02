// Reads and checks content/site.yaml.
import Foundation

enum SiteConfigReader {
    static let file = "site.yaml"
    static let keys = ["name", "url", "timezone", "languages", "receiver", "contact", "welcome", "colour", "groups", "push", "teacher_posts", "consent", "consent_purposes", "consent_default", "features"]
    static let pushKeys = ["quiet_hours", "quiet_weekends"]
    static let contactKeys = ["name", "email", "phone", "hours"]
    static let groupKeys = ["id", "title", "teacher"]

    /// The result; `config` is nil when site.yaml is missing or cannot be parsed at all. The groups
    /// found are returned even when other keys are broken, so item checks can go on.
    struct Result {
        var config: SiteConfig?
        var groupIDs: Set<String>?
        var timeZone: TimeZone
    }

    static func read(root: URL, report: ProblemReport) -> Result {
        let fallbackZone = TimeZone(identifier: "Europe/Amsterdam") ?? TimeZone.current
        let path = root.appendingPathComponent(file).path
        guard let data = FileManager.default.contents(atPath: path) else {
            report.add(file, nil, "missing; create site.yaml in the content folder (see docs/CONTENT.md)")
            return Result(config: nil, groupIDs: nil, timeZone: fallbackZone)
        }
        guard let text = String(bytes: data, encoding: .utf8) else {
            report.add(file, nil, "is not UTF-8 text; save it as UTF-8")
            return Result(config: nil, groupIDs: nil, timeZone: fallbackZone)
        }
        let problemsBeforeYAML = report.problems.count
        guard let node = composeYAML(text, file: file, lineOffset: 0, what: "site.yaml", report: report) else {
            if report.problems.count == problemsBeforeYAML {
                report.add(file, nil, "is empty; see docs/CONTENT.md for what it holds")
            }
            return Result(config: nil, groupIDs: nil, timeZone: fallbackZone)
        }
        guard let fields = Fields(node, line: 1, what: "site.yaml", allowed: keys, file: file, lineOffset: 0,
                                  report: report)
        else { return Result(config: nil, groupIDs: nil, timeZone: fallbackZone) }

        let problemsBefore = report.problems.count
        let name = fields.text("name", required: true)
        let url = fields.text("url", required: true)
        if let url, !isPortalURL(url) {
            report.add(file, fields.lineOf("url"), "'url' must be an https:// address, e.g. https://ouders.school.example")
        }
        let receiver = fields.text("receiver", required: true)
        if let receiver, !isPortalURL(receiver) {
            report.add(file, fields.lineOf("receiver"),
                       "'receiver' must be an https:// address, e.g. https://ouders.school.example/api")
        }
        var timeZone: TimeZone?
        if let zone = fields.text("timezone", required: true) {
            timeZone = TimeZone(identifier: zone)
            if timeZone == nil || !zone.contains("/") && zone != "UTC" {
                timeZone = nil
                report.add(file, fields.lineOf("timezone"),
                           "unknown time zone '\(zone)'; use an IANA name such as Europe/Amsterdam")
            }
        }
        let languages = readLanguages(fields, report: report)
        let contact = readContact(fields, report: report)
        let welcome = fields.text("welcome")
        let colour = fields.text("colour")
        if let colour, !isHexColour(colour) {
            report.add(file, fields.lineOf("colour"), "'colour' must be a colour like \"#1f5f8b\" (a # and six hex digits)")
        }
        let groups = readGroups(fields, report: report)
        let push = readPush(fields, report: report)
        var teacherPosts = TeacherPosts.approve
        if let text = fields.text("teacher_posts") {
            if let value = TeacherPosts(rawValue: text) {
                teacherPosts = value
            } else {
                report.add(file, fields.lineOf("teacher_posts"),
                           "'teacher_posts' must be approve (posts wait for `portal drafts approve`) or publish (live at the next run), not '\(text)'")
            }
        }

        let consent = readConsent(fields, report: report)
        let features = readFeatures(fields, report: report)

        let groupIDs = Set(groups.map(\.id))
        let zone = timeZone ?? fallbackZone
        guard report.problems.count == problemsBefore, let name, let url, let receiver, let timeZone,
              let languages, let contact
        else { return Result(config: nil, groupIDs: groupIDs, timeZone: zone) }
        let config = SiteConfig(
            name: name, url: url, timezone: timeZone, languages: languages, receiverURL: receiver,
            contact: contact, welcome: welcome, colour: colour, groups: groups, push: push, teacherPosts: teacherPosts)
        var withConsent = config
        withConsent.consent = consent
        withConsent.features = features
        return Result(config: withConsent, groupIDs: groupIDs, timeZone: zone)
    }

    /// `features: {booking: false, ...}`: every feature is on unless switched off here.
    private static func readFeatures(_ fields: Fields, report: ProblemReport) -> Set<Feature> {
        var on = Set(Feature.allCases)
        guard let mapping = fields.mapping("features", what: "features", allowed: Feature.allCases.map(\.rawValue)) else { return on }
        for feature in Feature.allCases where mapping.has(feature.rawValue) {
            if mapping.bool(feature.rawValue) == false { on.remove(feature) }
        }
        return on
    }

    /// `consent: tagged|strict`, `consent_purposes: [{id, label}]` (this portal's `portal` among
    /// them), `consent_default: no|yes`.
    private static func readConsent(_ fields: Fields, report: ProblemReport) -> PhotoConsent {
        var consent = PhotoConsent()
        if let text = fields.text("consent") {
            if let mode = PhotoConsent.Mode(rawValue: text) {
                consent.mode = mode
            } else {
                report.add(file, fields.lineOf("consent"),
                           "'consent' must be tagged (photos that name their children are checked) or strict (every album photo names its children), not '\(text)'")
            }
        }
        if let text = fields.text("consent_default") {
            switch text.lowercased() {
            case "no", "false": consent.assumedWithoutAnswer = false
            case "yes", "true": consent.assumedWithoutAnswer = true
            default:
                report.add(file, fields.lineOf("consent_default"),
                           "'consent_default' must be no (no answer is no consent, the default) or yes, not '\(text)'")
            }
        }
        if let list = fields.list("consent_purposes") {
            var purposes: [PhotoConsent.Purpose] = []
            for (node, line) in list {
                guard let entry = Fields(node, line: line, what: "consent purpose", allowed: ["id", "label"], file: file,
                                         lineOffset: 0, report: report),
                      let id = entry.text("id", required: true), let label = entry.text("label", required: true)
                else { continue }
                if !isSlug(id) {
                    report.add(file, entry.lineOf("id"), "consent purpose id '\(id)' may only contain lowercase letters, digits and '-'")
                } else if purposes.contains(where: { $0.id == id }) {
                    report.add(file, line, "consent purpose '\(id)' is listed twice")
                } else {
                    purposes.append(PhotoConsent.Purpose(id: id, label: label))
                }
            }
            if !purposes.contains(where: { $0.id == PhotoConsent.portal }) {
                report.add(file, fields.lineOf("consent_purposes"),
                           "'consent_purposes' must include id: portal (photos in this portal), the purpose the build honours")
            }
            consent.purposes = purposes
        }
        return consent
    }

    /// `push: {quiet_hours: "20:00-07:00", quiet_weekends: true}`; both optional.
    private static func readPush(_ fields: Fields, report: ProblemReport) -> PushSettings {
        var settings = PushSettings()
        guard let push = fields.mapping("push", what: "push", allowed: pushKeys) else { return settings }
        if let hours = push.text("quiet_hours") {
            let parts = hours.split(separator: "-", omittingEmptySubsequences: false).map { $0.trimmingCharacters(in: .whitespaces) }
            let minutes = parts.compactMap(parseTimeOfDay)
            if parts.count == 2, minutes.count == 2 {
                // Written as HH:MM, whatever the file said ("7:00" too).
                settings.quietStart = String(format: "%02d:%02d", minutes[0] / 60, minutes[0] % 60)
                settings.quietEnd = String(format: "%02d:%02d", minutes[1] / 60, minutes[1] % 60)
            } else {
                report.add(file, push.lineOf("quiet_hours"),
                           "'quiet_hours' must be two times like \"20:00-07:00\" (from-until, 24-hour clock; \"00:00-00:00\" for none)")
            }
        }
        if let weekends = push.bool("quiet_weekends") { settings.quietWeekends = weekends }
        return settings
    }

    private static func readLanguages(_ fields: Fields, report: ProblemReport) -> [String]? {
        guard let list = fields.list("languages", required: true) else { return nil }
        guard !list.isEmpty else {
            report.add(file, fields.lineOf("languages"), "'languages' needs at least one language, e.g. [nl, en]")
            return nil
        }
        var languages: [String] = []
        for (node, line) in list {
            guard case .scalar(let scalar) = node, !Fields.isNull(scalar) else {
                report.add(file, line, "a language must be a code such as nl or en")
                continue
            }
            let code = scalar.string
            let isCode = (2...3).contains(code.count) && code.utf8.allSatisfy { $0 >= 0x61 && $0 <= 0x7A }
            if !isCode {
                report.add(file, line, "language '\(code)' must be a lowercase code such as nl or en")
            } else if languages.contains(code) {
                report.add(file, line, "language '\(code)' is listed twice")
            } else {
                languages.append(code)
            }
        }
        return languages.isEmpty ? nil : languages
    }

    private static func readContact(_ fields: Fields, report: ProblemReport) -> Contact? {
        guard let contact = fields.mapping("contact", what: "contact", allowed: contactKeys, required: true)
        else { return nil }
        let name = contact.text("name", required: true)
        let email = contact.text("email", required: true)
        if let email, !isEmailAddress(email) {
            report.add(file, contact.lineOf("email"), "'email' must be an e-mail address, not '\(email)'")
        }
        let phone = contact.text("phone")
        let hours = contact.text("hours")
        guard let name, let email else { return nil }
        return Contact(name: name, email: email, phone: phone, hours: hours)
    }

    private static func readGroups(_ fields: Fields, report: ProblemReport) -> [Group] {
        guard let list = fields.list("groups", required: true) else { return [] }
        var groups: [Group] = []
        var lines: [String: Int] = [:]
        for (node, line) in list {
            guard let group = Fields(node, line: line, what: "group", allowed: groupKeys, file: file, lineOffset: 0,
                                     report: report)
            else { continue }
            let id = group.text("id", required: true)
            let title = group.text("title", required: true)
            let teacher = group.text("teacher", required: true)
            guard let id else { continue }
            if id == "school" {
                report.add(file, group.lineOf("id"), "group id 'school' is reserved for the whole school; choose another id")
                continue
            }
            if !isGroupID(id) {
                report.add(file, group.lineOf("id"),
                           "group id '\(id)' must be lowercase letters, digits and '-', starting with a letter or digit (e.g. groep-5)")
                continue
            }
            if let first = lines[id] {
                report.add(file, group.lineOf("id"), "group id '\(id)' is already used on line \(first); ids must be unique")
                continue
            }
            lines[id] = group.lineOf("id")
            groups.append(Group(id: id, title: title ?? id, teacher: teacher ?? ""))
        }
        return groups
    }

    /// https with a host; plain http only for this machine (testing).
    static func isPortalURL(_ text: String) -> Bool {
        guard let components = URLComponents(string: text), let scheme = components.scheme?.lowercased(),
              let host = components.host, !host.isEmpty
        else { return false }
        if scheme == "https" { return true }
        return scheme == "http" && ["localhost", "127.0.0.1", "[::1]", "::1"].contains(host)
    }

    static func isEmailAddress(_ text: String) -> Bool {
        let parts = text.split(separator: "@", omittingEmptySubsequences: false)
        return parts.count == 2 && !parts[0].isEmpty && parts[1].contains(".")
            && !text.contains(where: { $0.isWhitespace })
    }
}

/// "#1f5f8b": a # and six hexadecimal digits.
func isHexColour(_ text: String) -> Bool {
    text.count == 7 && text.hasPrefix("#") && text.dropFirst().allSatisfy(\.isHexDigit)
}
