// `portal token import`: one token per family of a class list, all rows checked before any is issued.
import ArgumentParser
import Foundation
import PortalContent
import PortalKeys
import PortalLetters

extension TokenCommand {
    struct Import: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "import",
            abstract: "Issue a token for each family in a class list (CSV).",
            discussion: """
                The CSV (UTF-8, comma or semicolon separated) starts with a header row naming the
                columns family, email, group and optionally family_id. Several groups: groep-3+groep-8.
                Every row is checked first; with any problem nothing is issued. Rows whose e-mail
                address already has an active token are skipped, so importing again is safe.

                Example (docs/examples/klassenlijst.csv):
                  family;email;group
                  Fam. Jansen;jansen@example.nl;groep-3+groep-8
                Then: portal generate && portal letters --send
                """)

        @Argument(help: "The class list, e.g. klassenlijst.csv.")
        var file: String

        @OptionGroup var keysOption: KeysOption
        @OptionGroup var paths: PathOptions

        func run() throws {
            let site = try paths.siteConfig(orSay: "Nothing was issued.")
            let data: Data
            do {
                data = try Data(contentsOf: URL(fileURLWithPath: file))
            } catch {
                printError("\(file): cannot read: \(error.localizedDescription)")
                throw ExitCode(1)
            }
            let rows: [ClassListRow]
            do {
                rows = try ClassList.read(data, file: file, groups: site.groups.map(\.id))
            } catch {
                for problem in error.problems { printError(problem.description) }
                printError("\(error.problems.count) problem\(error.problems.count == 1 ? "" : "s") in \(file); no token was issued.")
                throw ExitCode(1)
            }

            var keystore = try openKeystore(keysOption, timeZone: site.timezone)
            let now = Date()
            var existing: [String: TokenRecord] = [:]
            for record in keystore.activeTokens(at: now) {
                if let email = record.email?.lowercased() { existing[email] = record }
            }
            var issued: [(ClassListRow, TokenRecord)] = []
            var skipped: [(ClassListRow, TokenRecord)] = []
            for row in rows {
                if let record = existing[row.email.lowercased()] {
                    skipped.append((row, record))
                    continue
                }
                let result = try keystore.issueToken(
                    audiences: row.groups, label: row.family, expires: nil,
                    family: row.familyID.map(keystore.familyID(forKey:)), email: row.email)
                issued.append((row, result.record))
            }
            if !issued.isEmpty { try keystore.save() }

            // Ids and addresses only: the tokens themselves go into the letters, never to the terminal.
            for (row, record) in issued {
                print("issued   \(record.id.prefix(12))  \(row.family) <\(row.email)>  \(record.audiences.joined(separator: "+"))")
            }
            for (row, record) in skipped {
                print("skipped  \(record.id.prefix(12))  \(row.family) <\(row.email)>  (\(file):\(row.line): this address already has an active token)")
            }
            print("\(issued.count) token\(issued.count == 1 ? "" : "s") issued, \(skipped.count) skipped (already issued).")
            if !issued.isEmpty {
                print("Next: `portal generate` publishes their keyslots; then `portal letters --send` writes and mails the letters.")
            }
        }
    }
}
