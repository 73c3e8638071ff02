// `portal inbox` and `portal bookings`: pull sealed submissions from the receiver with the admin
// key and open them here, on the school's computer; the receiver never sees a name.
import ArgumentParser
import Foundation
import PortalContent
import PortalFiles
import PortalFormat
import PortalKeys
import PortalReceiver

struct ReceiverOptions: ParsableArguments {
    @Option(help: "Receiver base URL; default: `receiver` in site.yaml.")
    var receiver: String?

    @OptionGroup var keysOption: KeysOption
    @OptionGroup var paths: PathOptions

    /// The admin client and every inbox secret of the keystore: the school's own and each
    /// group's of every epoch (site.yaml's groups and those any token names).
    func connect() throws -> (client: ReceiverClient, keys: InboxKeyring) {
        let keystore = try openKeystore(keysOption)
        let groups = (try? ContentLoader(root: paths.contentURL).siteConfig().groups.map(\.id)) ?? []
        let keys = InboxKeyring(school: keystore.inboxSecretKey, byKid: keystore.inboxSecrets(groups: groups))
        return (ReceiverClient(receiverURL: try receiverURL(), signer: .admin(seed: keystore.adminSigningSeed)), keys)
    }

    /// Token id -> its label ("Fam. Jansen"): staff read who sent a report, not an opaque id.
    func senderLabels() -> [String: String] {
        guard let keystore = try? openKeystore(keysOption) else { return [:] }
        return Dictionary(keystore.tokens().compactMap { record in record.label.map { (record.id, $0) } }, uniquingKeysWith: { a, _ in a })
    }

    /// `--receiver`, else `receiver` in site.yaml (read alone); https, or http on this computer only.
    func receiverURL() throws -> URL {
        try checkedReceiverURL(receiver ?? ContentLoader(root: paths.contentURL).siteConfig().receiverURL)
    }
}

/// The line to print instead of a listing when the school has switched `feature` off (site.yaml
/// `features:`); nil when it is on (or site.yaml cannot be read: the command says so itself).
func switchedOff(_ feature: Feature, _ paths: PathOptions) -> String? {
    guard let config = try? ContentLoader(root: paths.contentURL).siteConfig(), !config.features.contains(feature) else { return nil }
    return "The school has not switched on \(feature.name) (site.yaml: features: \(feature.rawValue): false): nothing to list."
}

/// An instant the receiver sent (RFC 3339 UTC) as the school's local time with its offset,
/// "2027-02-09T18:30:00+01:00": staff read local times, tools still parse it. Unparseable text
/// stays as it came.
func schoolTime(_ rfc3339: String, _ timeZone: TimeZone) -> String {
    guard let date = RFC3339.date(rfc3339) else { return rfc3339 }
    let formatter = ISO8601DateFormatter()
    formatter.timeZone = timeZone
    formatter.formatOptions = [.withInternetDateTime]
    return formatter.string(from: date)
}

/// A receiver URL staff commands may talk to: https, or http on this computer only (the admin
/// key signs every request, but a listing of sealed reports still should not cross a network in
/// the clear).
func checkedReceiverURL(_ base: String) throws -> URL {
    guard let url = URL(string: base), url.scheme == "https" || url.host == "127.0.0.1" || url.host == "localhost" else {
        throw ValidationError("receiver URL '\(base)' must be https (or http on 127.0.0.1)")
    }
    return url
}

struct InboxCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "inbox",
        abstract: "Absence reports from parents, decrypted on this computer.",
        discussion: "Example: portal inbox --since 2026-12-01 --csv > ziekmeldingen.csv")

    @OptionGroup var receiverOptions: ReceiverOptions

    @Option(help: "Only reports received on or after this day (YYYY-MM-DD).")
    var since: String?

    @Flag(help: "Print JSON.")
    var json = false

    @Flag(help: "Print CSV.")
    var csv = false

    static let unbound = "sealed by an app from before December 2026: its group and dates are not bound to the sealed fields"

    func run() async throws {
        if let off = switchedOff(.absence, receiverOptions.paths) { print(off); return }
        let (client, keys) = try receiverOptions.connect()
        let submissions = try await client.submissions(since: since)
        let zone = receiverOptions.paths.schoolTimeZone
        let labels = receiverOptions.senderLabels()
        var rows: [[String: String]] = []
        for submission in submissions {
            var row = [
                "id": submission.id, "received": schoolTime(submission.received, zone), "group": submission.group,
                "from": submission.from, "to": submission.to, "family": submission.family,
                "sender": labels[submission.tokenID] ?? "",
            ]
            do {
                let (payload, bound) = try submission.open(keys: keys)
                row["child"] = payload.child
                row["reason"] = payload.reason.rawValue
                row["note"] = payload.note
                if !bound { row["warning"] = Self.unbound }
            } catch {
                row["error"] = "cannot be opened with this keystore's inbox key: \(error)"
            }
            rows.append(row)
        }
        let columns = ["received", "group", "child", "from", "to", "reason", "note", "sender", "family", "id", "error", "warning"]
        printRows(rows, columns: columns, json: json, csv: csv, empty: "No absence reports.")
    }
}

struct BookingsCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "bookings",
        abstract: "Conference bookings per teacher's evening, names decrypted on this computer.",
        discussion: "Example: portal bookings groups/groep-5/conferences/oudergesprekken-februari --ics > groep5.ics")

    @Argument(help: "The conference's logical path (or its schedule id); all schedules when left out.")
    var schedule: String?

    @OptionGroup var receiverOptions: ReceiverOptions

    @Flag(help: "Print CSV.")
    var csv = false

    @Flag(help: "Print an iCalendar file with one event per booking.")
    var ics = false

    /// Schedule id -> the conference's logical path and title, for every conference in content/:
    /// the receiver knows only opaque ids, staff read titles.
    func conferences() -> [String: (path: String, title: String)] {
        guard let keystore = try? openKeystore(receiverOptions.keysOption),
              let site = try? ContentLoader(root: receiverOptions.paths.contentURL).load()
        else { return [:] }
        return Dictionary(site.items.filter { $0.conference != nil }.map {
            (keystore.masterKey.scheduleID(logicalPath: $0.logicalPath), ($0.logicalPath, $0.title))
        }, uniquingKeysWith: { first, _ in first })
    }

    func run() async throws {
        if let off = switchedOff(.booking, receiverOptions.paths) { print(off); return }
        let (client, keys) = try receiverOptions.connect()
        let known = conferences()
        let paths = known.mapValues(\.path)
        let labels = receiverOptions.senderLabels()
        let wanted = schedule.map { name in paths.first { $0.value == name }?.key ?? name }
        let bookings = try await client.bookings(schedule: wanted)
            .sorted { ($0.schedule, $0.start ?? $0.slot) < ($1.schedule, $1.start ?? $1.slot) }
        var rows: [[String: String]] = []
        let zone = receiverOptions.paths.schoolTimeZone
        for booking in bookings {
            let path = paths[booking.schedule]
            var row = [
                "schedule": path ?? booking.schedule, "schedule_id": booking.schedule, "teacher": booking.teacher ?? "",
                "slot": booking.slot, "start": booking.start.map { schoolTime($0, zone) } ?? "",
                "end": booking.end.map { schoolTime($0, zone) } ?? "", "family": booking.family, "id": booking.id,
                "title": known[booking.schedule]?.title ?? "", "sender": labels[booking.tokenID] ?? "",
            ]
            do {
                // A booking made before format 2 was sealed to the schedule's former id, its path.
                let (payload, bound) = try booking.open(keys: keys, formerSchedule: path)
                row["child"] = payload.child
                row["note"] = payload.note
                if !bound { row["warning"] = "sealed by an app from before December 2026: its slot is not bound to the sealed fields" }
            } catch {
                row["error"] = "cannot be opened with this keystore's inbox key: \(error)"
            }
            rows.append(row)
        }
        if ics {
            print(Self.calendar(rows), terminator: "")
            return
        }
        if csv {
            printRows(rows, columns: ["title", "schedule", "schedule_id", "teacher", "slot", "start", "end", "child", "note", "sender", "family", "id", "error", "warning"], json: false, csv: true, empty: "")
            return
        }
        if rows.isEmpty { print("No bookings."); return }
        var current = ""
        for row in rows {
            if row["schedule"] != current {
                current = row["schedule"] ?? ""
                let title = row["title"].flatMap { $0.isEmpty ? nil : $0 } ?? current
                print("\n" + StaffOutput.terminal("\(title)  (\(row["teacher"] ?? ""))"))
            }
            let sender = (row["sender"] ?? "").isEmpty ? "" : "  (\(row["sender"] ?? ""))"
            let line = "  \(row["slot"] ?? "")  \(row["child"] ?? "?")\(sender)\(row["note"].map { $0.isEmpty ? "" : "  — \($0)" } ?? "")\(row["error"].map { "  [\($0)]" } ?? "")\(row["warning"].map { "  (\($0))" } ?? "")"
            print(StaffOutput.terminal(line))
        }
    }

    /// RFC 5545: one VEVENT per booking, times in UTC, CRLF line ends.
    static func calendar(_ rows: [[String: String]]) -> String {
        func stamp(_ text: String) -> String {
            // UTC, whatever offset the row's local time carries: "20270209T173000Z".
            guard let date = RFC3339.date(text) else { return "" }
            return RFC3339.string(from: date).replacingOccurrences(of: "-", with: "").replacingOccurrences(of: ":", with: "")
        }
        let escape = StaffOutput.icsText
        var lines = ["BEGIN:VCALENDAR", "VERSION:2.0", "PRODID:-//Ouderportaal//bookings//NL"]
        for row in rows where !(row["start"] ?? "").isEmpty {
            lines += [
                "BEGIN:VEVENT", "UID:\(row["id"] ?? "")@ouderportaal", "DTSTAMP:\(stamp(row["start"] ?? ""))",
                "DTSTART:\(stamp(row["start"] ?? ""))", "DTEND:\(stamp(row["end"] ?? ""))",
                "SUMMARY:\(escape("Gesprek " + (row["child"] ?? "?")))",
                "DESCRIPTION:\(escape((row["teacher"] ?? "") + " " + (row["note"] ?? "")))", "END:VEVENT",
            ]
        }
        lines.append("END:VCALENDAR")
        return lines.map(StaffOutput.icsFolded).joined(separator: "\r\n") + "\r\n"
    }
}

/// Prints rows as an aligned table, JSON or CSV (RFC 4180 quoting).
func printRows(_ rows: [[String: String]], columns: [String], json: Bool, csv: Bool, empty: String) {
    if json {
        let data = (try? JSONSerialization.data(withJSONObject: rows, options: [.sortedKeys, .prettyPrinted])) ?? Data()
        print(String(decoding: data, as: UTF8.self))
        return
    }
    if csv {
        print(columns.joined(separator: ","))
        for row in rows { print(columns.map { StaffOutput.csvCell(row[$0] ?? "") }.joined(separator: ",")) }
        return
    }
    if rows.isEmpty { print(empty); return }
    let shown = columns.filter { column in rows.contains { !($0[column] ?? "").isEmpty } && column != "id" && column != "family" }
    for row in rows { print(StaffOutput.terminal(shown.map { row[$0] ?? "" }.joined(separator: "  "))) }
}
