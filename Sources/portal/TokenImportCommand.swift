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
                columns family, email, group and optionally family_id and children. Several groups:
                groep-3+groep-8. Every row is checked first; with any problem nothing is issued. Rows
                whose e-mail address already has an active token are skipped, so importing again is
                safe. Children (first names with their group) go, sealed, to every code of the
                family; importing next year's list keeps each child's id (matched by name).

                Example (docs/examples/klassenlijst.csv):
                  family;email;group;children
                  Fam. Jansen;jansen@example.nl;groep-3+groep-8;Sam (groep-3), Noor (groep-8)
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
            // Children per family (both parents' rows), in the order the list names them.
            var listed: [(family: String, label: String, children: [ClassListChild])] = []
            for (row, record) in issued + skipped {
                guard let children = row.children else { continue }
                if let i = listed.firstIndex(where: { $0.family == record.family }) {
                    for child in children where !listed[i].children.contains(where: { $0.name.lowercased() == child.name.lowercased() }) {
                        listed[i].children.append(child)
                    }
                } else {
                    listed.append((record.family, row.family, children))
                }
            }
            let updates = listed.map { entry in
                (entry.label, keystore.updateChildren(family: entry.family, listed: entry.children.map { ($0.name, $0.group) }))
            }
            if !issued.isEmpty || !updates.isEmpty { try keystore.save() }

            // Ids and addresses only: the tokens themselves go into the letters, never to the terminal.
            for (row, record) in issued {
                print("issued   \(record.id.prefix(12))  \(row.family) <\(row.email)>  \(record.audiences.joined(separator: "+"))")
            }
            for (row, record) in skipped {
                print("skipped  \(record.id.prefix(12))  \(row.family) <\(row.email)>  (\(file):\(row.line): this address already has an active token)")
            }
            print("\(issued.count) token\(issued.count == 1 ? "" : "s") issued, \(skipped.count) skipped (already issued).")
            if !updates.isEmpty { print(Self.childrenReport(updates)) }
            if !issued.isEmpty {
                print("Next: `portal generate` publishes their keyslots; then `portal letters --send` writes and mails the letters.")
            }
        }

        /// What the import did with the children: matched (ids kept), new, and no longer listed.
        static func childrenReport(_ updates: [(String, ChildrenUpdate)]) -> String {
            var lines: [String] = []
            // A first import only adds: its summary says enough. Later ones name every change.
            let firstImport = updates.allSatisfy { $0.1.matched.isEmpty && $0.1.left.isEmpty }
            for (family, update) in updates where !firstImport {
                for (child, from) in update.matched where from != nil {
                    lines.append("child    \(child.name) (\(family)): \(from ?? "") -> \(child.group), same id")
                }
                for child in update.added { lines.append("child    \(child.name) (\(family)): new in \(child.group)") }
                for child in update.left {
                    lines.append("child    \(child.name) (\(family)): not in this list, marked as left (no longer on the family's codes)")
                }
            }
            let matched = updates.reduce(0) { $0 + $1.1.matched.count }
            let added = updates.reduce(0) { $0 + $1.1.added.count }
            let left = updates.reduce(0) { $0 + $1.1.left.count }
            lines.append("Children: \(matched) matched to earlier lists (ids kept), \(added) new, \(left) no longer listed.")
            return lines.joined(separator: "\n")
        }
    }
}
