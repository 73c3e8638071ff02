// `portal confirmations`: per news item with `confirm: true`, which families' codes confirmed
// reading it and which did not yet. The receiver knows only opaque item and token ids; titles
// and labels come from content/ and the keystore on this computer.
import ArgumentParser
import Foundation
import PortalContent
import PortalKeys

struct ConfirmationsCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "confirmations",
        abstract: "Read confirmations of news items with confirm: true, per family code.",
        discussion: "Example: portal confirmations --csv > gelezen.csv")

    @OptionGroup var receiverOptions: ReceiverOptions

    @Flag(help: "Print CSV: one row per item and code.")
    var csv = false

    @Flag(help: "Print JSON: one row per item and code.")
    var json = false

    func run() async throws {
        let (client, _) = try receiverOptions.connect()
        let keystore = try openKeystore(receiverOptions.keysOption)
        let site = try ContentLoader(root: receiverOptions.paths.contentURL).load()
        let zone = receiverOptions.paths.schoolTimeZone
        let items = site.items.filter(\.confirm).sorted { ($0.date ?? .distantPast) > ($1.date ?? .distantPast) }
        guard !items.isEmpty else { print("No news item asks for a read confirmation (confirm: true)."); return }
        // Parents' codes only: staff do not confirm.
        let parents = keystore.activeTokens(at: Date()).filter { $0.staff == nil }
        var rows: [[String: String]] = []
        var summary: [String] = []
        for item in items {
            let confirmed = Dictionary(
                try await client.confirmations(item: keystore.masterKey.confirmationID(logicalPath: item.logicalPath)).compactMap { c in
                    c.tokenID.map { ($0, c.confirmed) }
                }, uniquingKeysWith: { first, _ in first })
            let readers = parents.filter { Keystore.keyedAudiences(of: $0).contains(item.audience.id) }
            var missing: [String] = []
            for record in readers {
                let label = record.label ?? String(record.id.prefix(12))
                let at = confirmed[record.id].map { schoolTime($0, zone) } ?? ""
                if at.isEmpty { missing.append(label) }
                rows.append(["item": item.logicalPath, "title": item.title, "code": label, "confirmed": at])
            }
            let done = readers.count - missing.count
            summary.append("\(item.title) (\(item.audience.id)): \(done) of \(readers.count) confirmed"
                + (missing.isEmpty ? "" : "; not yet: " + missing.sorted().joined(separator: ", ")))
        }
        if csv || json {
            printRows(rows, columns: ["item", "title", "code", "confirmed"], json: json, csv: csv, empty: "")
        } else {
            for line in summary { print(StaffOutput.terminal(line)) }
        }
    }
}
