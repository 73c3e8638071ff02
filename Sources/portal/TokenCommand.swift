import ArgumentParser
import Foundation
import PortalContent
import PortalCrypto
import PortalFormat
import PortalFiles
import PortalKeys

struct TokenCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "token",
        abstract: "Issue, list and revoke parents' tokens.",
        discussion: "A token takes effect at the next `portal generate`, which writes its keyslot.",
        subcommands: [Issue.self, Import.self, List.self, Revoke.self, Reissue.self])

    struct Issue: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Issue a token for one or more groups (a family with children in several groups).",
            discussion: """
                Examples:
                  portal token issue --group groep-5 --label "Ouders van Sam"
                  portal token issue --group groep-3 --group groep-8 --label "Fam. Jansen" --json
                  portal token issue --group groep-3 --group groep-8 --same-family-as 3f9a1c --label "Fam. Jansen (vader)"
                  portal token issue --staff --group groep-3 --label "Juf Sanne"
                  portal token issue --staff --role office --label "Administratie"
                A staff code reads its groups' sick reports and bookings in the app (decrypted on the
                phone); it cannot report or book as a parent.
                """)

        @Flag(help: "A staff member's code: the app shows the groups' sick reports and bookings.")
        var staff = false

        @Option(help: "With --staff: teacher (the --group groups) or office (every group).")
        var role: StaffRole = .teacher

        @Option(name: .customLong("group"), help: "Group id; repeat for a family with children in several groups.")
        var groups: [String] = []

        @Option(help: "A label for staff, e.g. the family name. Stays in the keystore, never in output/.")
        var label: String?

        @Option(help: "Last day the token works (YYYY-MM-DD); default: until 1 August (end of the school year).")
        var expires: String?

        @Option(help: ArgumentHelp(
            "Another parent's token id (or a unique prefix): the new token joins that household, which shares one booking limit.",
            valueName: "ID"))
        var sameFamilyAs: String?

        @Option(help: "Last day a device can register with the token (YYYY-MM-DD); default: 7 days from now.")
        var registerBy: String?

        @Flag(help: "Print {\"token\": ..., \"id\": ...} as JSON.")
        var json = false

        @OptionGroup var keysOption: KeysOption
        @OptionGroup var paths: PathOptions

        func run() throws {
            if !staff && role != .teacher { throw ValidationError("--role is for staff codes: add --staff") }
            if staff && role == .office && !groups.isEmpty {
                throw ValidationError("an office code reads every group: leave out --group")
            }
            if staff && sameFamilyAs != nil { throw ValidationError("a staff code belongs to no family: leave out --same-family-as") }
            if staff && (label ?? "").trimmingCharacters(in: .whitespaces).isEmpty {
                throw ValidationError("a staff code needs --label with the person's name, e.g. --label \"Juf Sanne\" (parents' reports name no teacher; the app greets them with it)")
            }
            guard !groups.isEmpty || (staff && role == .office) else {
                throw ValidationError("give at least one --group (school-wide items are always included)")
            }
            let site = try paths.checkGroups(groups, orSay: "Nothing was issued.")
            let audiences = staff && role == .office ? site.groups.map(\.id) : groups
            guard !audiences.isEmpty else { throw ValidationError("site.yaml lists no groups for an office code to read") }
            let dates = TokenDates(timeZone: site.timezone)
            var expiry: Date?
            if let expires {
                guard let day = dates.endOfDay(expires) else {
                    throw ValidationError("--expires must be a date like 2027-07-31, not '\(expires)'")
                }
                expiry = day
            }
            let deadline = try dates.registerBy(registerBy)
            var keystore = try openKeystore(keysOption, timeZone: site.timezone)
            // Family ids are opaque (random, or another token's): a surname never reaches the
            // trust file or the receiver, and two households of one name never share a limit.
            let family = try sameFamilyAs.map { prefix throws in try keystore.family(ofToken: prefix) }
            let issued = try keystore.issueToken(
                audiences: audiences, label: label, expires: expiry, family: family,
                registerBy: deadline, staff: staff ? role : nil)
            try keystore.save()
            printIssued(issued.token, issued.record, json: json, dates: dates)
        }
    }

    struct Reissue: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "A new token for the same family, groups and expiry; the old one is revoked.",
            discussion: """
                For a parent whose code lapsed ("code verlopen") or was lost. The new token gets a
                fresh registration week. Example: portal token reissue 3f9a1c --register-by 2027-01-15
                """)

        @Argument(help: "The old token's id, or a unique prefix of at least 6 characters.")
        var id: String

        @Option(help: "Last day a device can register with the new token (YYYY-MM-DD); default: 7 days from now.")
        var registerBy: String?

        @Flag(help: "Print {\"token\": ..., \"id\": ...} as JSON.")
        var json = false

        @OptionGroup var keysOption: KeysOption
        @OptionGroup var paths: PathOptions

        func run() throws {
            let dates = paths.dates
            let deadline = try dates.registerBy(registerBy)
            var keystore = try openKeystore(keysOption, timeZone: dates.timeZone)
            let issued = try keystore.reissue(id: id, registerBy: deadline)
            try keystore.save()
            printIssued(issued.token, issued.record, json: json, replacing: issued.old.id, dates: dates)
        }
    }

    struct List: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "List issued tokens (without the secret tokens themselves).")

        @Flag(help: "Print JSON.")
        var json = false

        @OptionGroup var keysOption: KeysOption
        @OptionGroup var paths: PathOptions

        func run() throws {
            let dates = paths.dates
            let keystore = try openKeystore(keysOption, timeZone: dates.timeZone)
            let now = Date()
            if json {
                let rows: [[String: Any]] = keystore.tokens().map { record in
                    var row: [String: Any] = [
                        "id": record.id, "family": record.family, "groups": record.audiences,
                        "issued": TokenDates.instant(record.issued), "expires": TokenDates.instant(record.expires),
                        "status": status(record, now),
                    ]
                    if let label = record.label { row["label"] = label }
                    if let revoked = record.revoked { row["revoked"] = TokenDates.instant(revoked) }
                    if let registerBy = record.registerBy { row["register_by"] = TokenDates.instant(registerBy) }
                    if let registered = record.registered { row["registered"] = TokenDates.instant(registered) }
                    if let staff = record.staff { row["staff"] = staff.rawValue }
                    return row
                }
                let data = try JSONSerialization.data(withJSONObject: rows, options: [.sortedKeys, .prettyPrinted])
                print(String(decoding: data, as: UTF8.self))
                return
            }
            if keystore.tokens().isEmpty { print("No tokens issued yet."); return }
            for record in keystore.tokens() {
                let label = (record.staff.map { " staff (\($0.rawValue))" } ?? "") + (record.label.map { " \"\($0)\"" } ?? "")
                let registration = Self.registration(record, now, dates).map { "  \($0)" } ?? ""
                print("\(record.id.prefix(12))  \(status(record, now).padding(toLength: 8, withPad: " ", startingAt: 0))  \(record.audiences.joined(separator: ","))  until \(dates.day(record.expires))\(registration)\(label)")
            }
        }

        private func status(_ record: TokenRecord, _ now: Date) -> String {
            if record.revoked != nil { return "revoked" }
            if !record.isActive(at: now) { return "expired" }
            return record.isUsable(at: now) ? "active" : "dropped"
        }

        /// "registered 2027-01-12 19:40", "not registered, 3 days left", "registration closed (dropped)".
        static func registration(_ record: TokenRecord, _ now: Date, _ dates: TokenDates) -> String? {
            if let registered = record.registered { return "registered \(dates.minute(registered))" }
            guard let registerBy = record.registerBy, record.isActive(at: now) else { return nil }
            if record.registrationLapsed(at: now) { return "registration closed (dropped)" }
            let days = Int((registerBy.timeIntervalSince(now) / 86400).rounded(.up))
            return "not registered, \(days) day\(days == 1 ? "" : "s") left"
        }
    }

    struct Revoke: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Revoke a token: its keyslot disappears and its groups get fresh keys at the next generate.")

        @Argument(help: "The token id, or a unique prefix of at least 6 characters.")
        var id: String

        @OptionGroup var keysOption: KeysOption
        @OptionGroup var paths: PathOptions

        func run() throws {
            var keystore = try openKeystore(keysOption, timeZone: paths.schoolTimeZone)
            let record = try keystore.revoke(id: id)
            try keystore.save()
            print("Revoked \(record.id). Run `portal generate` to re-seal \(record.audiences.joined(separator: ", ")) under new keys.")
            if record.staff != nil {
                print("Its groups' inbox keys were rotated: reports from the next generate on are sealed to keys this device never had.")
            }
        }
    }
}

/// What `token issue` and `token reissue` print.
func printIssued(_ token: Token, _ record: TokenRecord, json: Bool, replacing old: String? = nil, dates: TokenDates) {
    if json {
        var object = ["token": token.text, "id": record.id]
        if let old { object["replaces"] = old }
        let data = (try? JSONSerialization.data(withJSONObject: object, options: [.sortedKeys])) ?? Data()
        print(String(decoding: data, as: UTF8.self))
        return
    }
    print("Token: \(token.text)")
    print("Id:    \(record.id)")
    if let old { print("Replaces \(old) (revoked).") }
    print("Groups: \(record.audiences.joined(separator: ", ")); expires \(dates.day(record.expires)).")
    if let registerBy = record.registerBy {
        print("A device must register with it by \(dates.day(registerBy)) (end of that day).")
    }
    print("Run `portal generate` to publish its keyslot.")
}

extension StaffRole: ExpressibleByArgument {}

/// The keystore, with the school's time zone for the dates it makes.
func openKeystore(_ option: KeysOption, timeZone: TimeZone = Keystore.defaultTimeZone) throws -> Keystore {
    try Sodium.ensureReady()
    var keystore = try Keystore.openOrCreate(at: option.keysURL)
    keystore.timeZone = timeZone
    return keystore
}

/// Dates as staff type and read them, in the school's time zone (site.yaml `timezone`).
struct TokenDates {
    let timeZone: TimeZone

    private var calendar: Calendar {
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = timeZone
        return calendar
    }

    private func format(_ pattern: String, _ date: Date) -> String {
        let formatter = DateFormatter()
        formatter.locale = Locale(identifier: "en_US_POSIX")
        formatter.timeZone = timeZone
        formatter.dateFormat = pattern
        return formatter.string(from: date)
    }

    /// "2027-07-31" -> 1 August 2027 00:00 at the school: the token works through the whole day.
    func endOfDay(_ text: String) -> Date? {
        let parts = text.split(separator: "-").compactMap { Int($0) }
        guard parts.count == 3, text.count == 10 else { return nil }
        let components = DateComponents(year: parts[0], month: parts[1], day: parts[2])
        guard components.isValidDate(in: calendar), let start = calendar.date(from: components) else { return nil }
        return calendar.date(byAdding: .day, value: 1, to: start)
    }

    /// The last day something works that stops at `date`: the day before that moment.
    func day(_ date: Date) -> String { format("yyyy-MM-dd", date.addingTimeInterval(-1)) }

    /// `--register-by YYYY-MM-DD` (end of that day at the school), nil when not given.
    func registerBy(_ text: String?) throws -> Date? {
        guard let text else { return nil }
        guard let day = endOfDay(text) else {
            throw ValidationError("--register-by must be a date like 2027-01-15, not '\(text)'")
        }
        return day
    }

    /// "2027-01-12 19:40" at the school.
    func minute(_ date: Date) -> String { format("yyyy-MM-dd HH:mm", date) }

    static func instant(_ date: Date) -> String { RFC3339.string(from: date) }
}

extension PathOptions {
    /// site.yaml's time zone, or Europe/Amsterdam when there is no readable site.yaml (commands
    /// such as `token list` work on the keystore alone).
    var schoolTimeZone: TimeZone {
        (try? ContentLoader(root: contentURL).siteConfig().timezone) ?? Keystore.defaultTimeZone
    }

    var dates: TokenDates { TokenDates(timeZone: schoolTimeZone) }

    /// Refuses group ids that site.yaml does not list, naming the ones it does.
    func checkGroups(_ groups: [String], orSay consequence: String) throws -> SiteConfig {
        let site = try siteConfig(orSay: consequence)
        let known = site.groups.map(\.id)
        let unknown = groups.filter { !known.contains($0) }
        guard unknown.isEmpty else {
            let list = unknown.map { "'\($0)'" }.joined(separator: ", ")
            printError("error: \(list) \(unknown.count == 1 ? "is not a group" : "are not groups") in \(contentURL.appendingPathComponent("site.yaml").path); its groups are: \(known.joined(separator: ", ")). \(consequence)")
            throw ExitCode(1)
        }
        return site
    }
}
