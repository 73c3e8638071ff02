import ArgumentParser
import Foundation
import PortalCrypto
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
                  portal token issue --group groep-3 --group groep-8 --family fam-jansen --json
                """)

        @Option(name: .customLong("group"), help: "Group id; repeat for a family with children in several groups.")
        var groups: [String] = []

        @Option(help: "A label for staff, e.g. the family name. Stays in the keystore, never in output/.")
        var label: String?

        @Option(help: "Last day the token works (YYYY-MM-DD); default: until 1 August (end of the school year).")
        var expires: String?

        @Option(help: "Family id shared by tokens of one household (e.g. separated parents).")
        var family: String?

        @Option(help: "Last day a device can register with the token (YYYY-MM-DD); default: 7 days from now.")
        var registerBy: String?

        @Flag(help: "Print {\"token\": ..., \"id\": ...} as JSON.")
        var json = false

        @OptionGroup var keysOption: KeysOption

        func run() throws {
            guard !groups.isEmpty else {
                throw ValidationError("give at least one --group (school-wide items are always included)")
            }
            var expiry: Date?
            if let expires {
                guard let day = TokenDates.endOfDay(expires) else {
                    throw ValidationError("--expires must be a date like 2027-07-31, not '\(expires)'")
                }
                expiry = day
            }
            let deadline = try TokenDates.registerBy(registerBy)
            var keystore = try openKeystore(keysOption)
            let issued = try keystore.issueToken(
                audiences: groups, label: label, expires: expiry, family: family,
                registerBy: deadline)
            try keystore.save()
            printIssued(issued.token, issued.record, json: json)
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

        func run() throws {
            let deadline = try TokenDates.registerBy(registerBy)
            var keystore = try openKeystore(keysOption)
            let issued = try keystore.reissue(id: id, registerBy: deadline)
            try keystore.save()
            printIssued(issued.token, issued.record, json: json, replacing: issued.old.id)
        }
    }

    struct List: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "List issued tokens (without the secret tokens themselves).")

        @Flag(help: "Print JSON.")
        var json = false

        @OptionGroup var keysOption: KeysOption

        func run() throws {
            let keystore = try openKeystore(keysOption)
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
                    return row
                }
                let data = try JSONSerialization.data(withJSONObject: rows, options: [.sortedKeys, .prettyPrinted])
                print(String(decoding: data, as: UTF8.self))
                return
            }
            if keystore.tokens().isEmpty { print("No tokens issued yet."); return }
            for record in keystore.tokens() {
                let label = record.label.map { " \"\($0)\"" } ?? ""
                let registration = Self.registration(record, now).map { "  \($0)" } ?? ""
                print("\(record.id.prefix(12))  \(status(record, now).padding(toLength: 8, withPad: " ", startingAt: 0))  \(record.audiences.joined(separator: ","))  until \(TokenDates.day(record.expires))\(registration)\(label)")
            }
        }

        private func status(_ record: TokenRecord, _ now: Date) -> String {
            if record.revoked != nil { return "revoked" }
            if !record.isActive(at: now) { return "expired" }
            return record.isUsable(at: now) ? "active" : "dropped"
        }

        /// "registered 2027-01-12 19:40", "not registered, 3 days left", "registration closed (dropped)".
        static func registration(_ record: TokenRecord, _ now: Date) -> String? {
            if let registered = record.registered { return "registered \(TokenDates.minute(registered))" }
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

        func run() throws {
            var keystore = try openKeystore(keysOption)
            let record = try keystore.revoke(id: id)
            try keystore.save()
            print("Revoked \(record.id). Run `portal generate` to re-seal \(record.audiences.joined(separator: ", ")) under new keys.")
        }
    }
}

/// What `token issue` and `token reissue` print.
func printIssued(_ token: Token, _ record: TokenRecord, json: Bool, replacing old: String? = nil) {
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
    print("Groups: \(record.audiences.joined(separator: ", ")); expires \(TokenDates.day(record.expires)).")
    if let registerBy = record.registerBy {
        print("A device must register with it by \(TokenDates.day(registerBy)) (end of that day).")
    }
    print("Run `portal generate` to publish its keyslot.")
}

func openKeystore(_ option: KeysOption) throws -> Keystore {
    try Sodium.ensureReady()
    return try Keystore.openOrCreate(at: option.keysURL)
}

enum TokenDates {
    static let amsterdam = TimeZone(identifier: "Europe/Amsterdam") ?? .gmt

    /// "2027-07-31" -> 1 August 2027 00:00 Amsterdam: the token works through the whole day.
    static func endOfDay(_ text: String) -> Date? {
        let parts = text.split(separator: "-").compactMap { Int($0) }
        guard parts.count == 3, text.count == 10 else { return nil }
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = amsterdam
        let components = DateComponents(year: parts[0], month: parts[1], day: parts[2])
        guard components.isValidDate(in: calendar), let start = calendar.date(from: components) else { return nil }
        return calendar.date(byAdding: .day, value: 1, to: start)
    }

    static func day(_ date: Date) -> String {
        let formatter = DateFormatter()
        formatter.locale = Locale(identifier: "en_US_POSIX")
        formatter.timeZone = amsterdam
        formatter.dateFormat = "yyyy-MM-dd"
        // The last day it works is the day before the moment it stops.
        return formatter.string(from: date.addingTimeInterval(-1))
    }

    /// `--register-by YYYY-MM-DD` (end of that day in Amsterdam), nil when not given.
    static func registerBy(_ text: String?) throws -> Date? {
        guard let text else { return nil }
        guard let day = endOfDay(text) else {
            throw ValidationError("--register-by must be a date like 2027-01-15, not '\(text)'")
        }
        return day
    }

    /// "2027-01-12 19:40" in Amsterdam.
    static func minute(_ date: Date) -> String {
        let formatter = DateFormatter()
        formatter.locale = Locale(identifier: "en_US_POSIX")
        formatter.timeZone = amsterdam
        formatter.dateFormat = "yyyy-MM-dd HH:mm"
        return formatter.string(from: date)
    }

    static func instant(_ date: Date) -> String {
        ISO8601DateFormatter.string(from: date, timeZone: .gmt, formatOptions: [.withInternetDateTime])
    }
}
