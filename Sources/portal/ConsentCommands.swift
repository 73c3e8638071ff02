// Photo consent on the school's computer (issue 18, point 6): `portal sync` opens the answers to
// the consent form (`consent: true`) and keeps them in keys/consent.json; `portal consent` shows
// the register for an audit: per child and purpose the answer that counts, who gave or withdrew it
// and when, and with `--history` every answer.
import ArgumentParser
import Foundation
import PortalContent
import PortalFiles
import PortalFormat
import PortalKeys
import PortalReceiver

enum ConsentSync {
    /// Pulls the answers of every consent form into the register; the line to print, or nil when
    /// the school has no consent form.
    static func sync(client: ReceiverClient, keystore: Keystore, keys: InboxKeyring, paths: PathOptions, keysURL: URL) async throws -> String? {
        let site = try ContentLoader(root: paths.contentURL).load()
        let forms = site.items.filter { $0.form?.consent == true }
        guard !forms.isEmpty else { return nil }
        var register = try ConsentRegister.load(keys: keysURL)
        let children = Set(keystore.children.map(\.id))
        var new: [ConsentRegister.Entry] = []
        var unreadable = 0
        for item in forms {
            let formID = keystore.masterKey.formID(logicalPath: item.logicalPath)
            let purposes = item.form?.questions.map(\.key) ?? []
            for row in try await client.answers(form: formID) where children.contains(row.child) {
                guard let payload = try? row.open(form: formID, keys: keys), let at = RFC3339.date(row.received) else {
                    unreadable += 1
                    continue
                }
                for purpose in purposes {
                    guard case .yes(let given)? = payload.answers[purpose] else { continue }
                    new.append(.init(answer: row.id, child: row.child, purpose: purpose, given: given, at: at,
                                     token: row.tokenID, guardian: payload.guardian))
                }
            }
        }
        let added = register.add(new)
        // Saved only when something changed: the next build then stays a no-op.
        if added > 0 { try register.save(keys: keysURL) }
        let withdrawn = new.suffix(added).filter { !$0.given }.count
        var line = "Photo consent: \(added) new answer\(added == 1 ? "" : "s")"
        if withdrawn > 0 { line += " (\(withdrawn) saying no)" }
        if unreadable > 0 { line += "; \(unreadable) could not be opened with this keystore" }
        return line + "."
    }
}

struct ConsentCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "consent",
        abstract: "The photo consent register: per child and purpose the answer that counts (run portal sync first).",
        discussion: "Example: portal consent --csv > toestemming.csv   (every answer with --history)")

    @OptionGroup var keysOption: KeysOption
    @OptionGroup var paths: PathOptions

    @Flag(help: "Every answer, oldest first, instead of the one that counts.")
    var history = false

    @Flag(help: "Print CSV.")
    var csv = false

    @Flag(help: "Print JSON.")
    var json = false

    func run() async throws {
        let keystore = try openKeystore(keysOption)
        let register = try ConsentRegister.load(keys: keysOption.keysURL)
        let config = try ContentLoader(root: paths.contentURL).siteConfig()
        let zone = paths.schoolTimeZone
        let labels = Dictionary(keystore.tokens().map { ($0.id, $0.label ?? String($0.id.prefix(12))) }, uniquingKeysWith: { a, _ in a })
        var rows: [[String: String]] = []
        func row(_ child: ChildRecord, _ purpose: String, _ entry: ConsentRegister.Entry?) -> [String: String] {
            [
                "child": child.name, "group": child.group, "purpose": purpose,
                "consent": entry.map { $0.given ? "ja" : "nee" } ?? (config.consent.assumedWithoutAnswer ? "ja (geen antwoord)" : "nee (geen antwoord)"),
                "at": entry.map { schoolTime(RFC3339.string(from: $0.at), zone) } ?? "",
                "by": entry.map { labels[$0.token] ?? $0.token } ?? "", "guardian": entry?.guardian ?? "",
                "left": child.left.map { schoolTime(RFC3339.string(from: $0), zone) } ?? "",
            ]
        }
        let children = Dictionary(keystore.children.map { ($0.id, $0) }, uniquingKeysWith: { a, _ in a })
        if history {
            for entry in register.entries.sorted(by: { $0.at < $1.at }) {
                guard let child = children[entry.child] else { continue }
                rows.append(row(child, entry.purpose, entry))
            }
        } else {
            for child in keystore.children.sorted(by: { ($0.group, $0.name) < ($1.group, $1.name) }) {
                for purpose in config.consent.purposes.map(\.id) {
                    rows.append(row(child, purpose, register.current(child: child.id, purpose: purpose)))
                }
            }
        }
        printRows(rows, columns: ["group", "child", "purpose", "consent", "at", "by", "guardian", "left"], json: json, csv: csv || !json,
                  empty: "No children in the class list (`portal token import` with a children column).")
    }
}
