// The class list staff export from the school's administration: one row per family, read as CSV
// (RFC 4180, comma or semicolon) with the physical line of every row, so problems say file:line.
import Foundation
import PortalContent

/// One family in the class list.
public struct ClassListRow: Equatable, Sendable {
    /// 1-based line in the file where the row starts.
    public var line: Int
    /// The family's label, e.g. "Fam. Jansen" (the letter's addressee and the token's label).
    public var family: String
    public var email: String
    /// Group ids, at least one, in the order written, without repeats.
    public var groups: [String]
    /// Shared by the rows of one household (separated parents); nil for a fresh id.
    public var familyID: String?
    /// The `children` column: first names with their group; nil when the list has no such column
    /// or the row leaves it empty (the family's children are then left as they are).
    public var children: [ClassListChild]?

    public init(line: Int, family: String, email: String, groups: [String], familyID: String? = nil, children: [ClassListChild]? = nil) {
        self.line = line
        self.family = family
        self.email = email
        self.groups = groups
        self.familyID = familyID
        self.children = children
    }
}

/// A child as the class list names them: `Sam (groep-3)`.
public struct ClassListChild: Equatable, Sendable {
    public var name: String
    public var group: String

    public init(name: String, group: String) {
        self.name = name
        self.group = group
    }

    /// The longest first name (or first name and initial) a list may give.
    public static let maxName = 40
}

/// Every problem of one class list; nothing is issued while there is any.
public struct ClassListErrors: Error, Sendable, CustomStringConvertible {
    public var problems: [ContentProblem]

    public init(_ problems: [ContentProblem]) { self.problems = problems }

    public var description: String { problems.map(\.description).joined(separator: "\n") }
}

/// Reads and checks a class list.
///
/// ```swift
/// // family;email;group
/// // Fam. Jansen;jansen@example.nl;groep-3+groep-8
/// let rows = try ClassList.read(data, file: "klas.csv", groups: site.groups.map(\.id))
/// rows[0].groups    // ["groep-3", "groep-8"]
/// ```
public enum ClassList {
    public static let requiredColumns = ["family", "email", "group"]
    public static let optionalColumns = ["family_id", "children"]

    /// Parses `data` and checks every row against the site's `groups`. Throws all problems at
    /// once, each as `file:line: message`.
    public static func read(_ data: Data, file: String, groups: [String]) throws(ClassListErrors) -> [ClassListRow] {
        var problems: [ContentProblem] = []
        func problem(_ line: Int?, _ message: String) {
            problems.append(ContentProblem(file: file, line: line, message: message))
        }
        var bytes = [UInt8](data)
        if bytes.starts(with: [0xEF, 0xBB, 0xBF]) { bytes.removeFirst(3) }  // Excel's "CSV UTF-8" starts with a BOM
        guard String(validatingUTF8Bytes: bytes) != nil else {
            throw ClassListErrors([ContentProblem(
                file: file, line: nil, message: "is not UTF-8 text; save it as \"CSV UTF-8\" (in Excel: Save As, CSV UTF-8)")])
        }
        let parsed = CSVRecords.parse(bytes)
        for failure in parsed.problems { problem(failure.line, failure.message) }
        var records = parsed.records.filter { !$0.fields.allSatisfy { $0.trimmingCharacters(in: .whitespaces).isEmpty } }
        guard !records.isEmpty else {
            problem(nil, "is empty; the first row names the columns: family, email, group (and optionally family_id)")
            throw ClassListErrors(problems)
        }

        // The header row: names are matched without regard to case or surrounding spaces.
        let header = records.removeFirst()
        var column: [String: Int] = [:]
        for (index, raw) in header.fields.enumerated() {
            let name = raw.trimmingCharacters(in: .whitespaces).lowercased()
            if !(requiredColumns + optionalColumns).contains(name) {
                problem(header.line, "unknown column '\(raw)'; the columns are family, email, group and optionally family_id and children")
            } else if column[name] != nil {
                problem(header.line, "column '\(name)' appears twice")
            } else {
                column[name] = index
            }
        }
        let missing = requiredColumns.filter { column[$0] == nil }
        if !missing.isEmpty {
            problem(header.line, "missing column\(missing.count == 1 ? "" : "s") \(missing.joined(separator: ", ")); the first row must name the columns family, email, group")
            throw ClassListErrors(problems)
        }

        let known = Set(groups)
        var rows: [ClassListRow] = []
        var emailLines: [String: Int] = [:]
        for record in records {
            let line = record.line
            guard record.fields.count == header.fields.count else {
                problem(line, "has \(record.fields.count) field\(record.fields.count == 1 ? "" : "s"), the header has \(header.fields.count); check the separators (\(parsed.delimiter == UInt8(ascii: ";") ? "semicolons" : "commas"))")
                continue
            }
            func field(_ name: String) -> String {
                column[name].map { record.fields[$0].trimmingCharacters(in: .whitespaces) } ?? ""
            }
            var ok = true
            let family = field("family")
            if family.isEmpty {
                problem(line, "the family is empty; give a label such as \"Fam. Jansen\""); ok = false
            } else if family.count > 100 || hasControlCharacters(family) {
                problem(line, "the family '\(family.prefix(40))' must be one line of at most 100 characters"); ok = false
            }
            let email = field("email")
            if email.isEmpty {
                problem(line, "the e-mail address is empty"); ok = false
            } else if !EmailAddress.isValid(email) {
                problem(line, "'\(email)' is not an e-mail address (one address per row, like naam@example.nl)"); ok = false
            } else if let first = emailLines[email.lowercased()] {
                problem(line, "the e-mail address \(email) is also on line \(first); one token per address"); ok = false
            } else {
                emailLines[email.lowercased()] = line
            }
            var rowGroups: [String] = []
            let groupText = field("group")
            for part in groupText.split(whereSeparator: { $0 == "+" || $0 == "|" }) {
                let id = part.trimmingCharacters(in: .whitespaces)
                if id.isEmpty { continue }
                if !known.contains(id) {
                    problem(line, "unknown group '\(id)'; the groups in site.yaml are \(groups.joined(separator: ", "))"); ok = false
                } else if !rowGroups.contains(id) {
                    rowGroups.append(id)
                }
            }
            if groupText.isEmpty || (rowGroups.isEmpty && ok) {
                problem(line, "no group; give a group id such as \(groups.first ?? "groep-5") (several: groep-3+groep-8)"); ok = false
            }
            var familyID: String?
            let idText = field("family_id")
            if !idText.isEmpty {
                if idText.count > 64 || hasControlCharacters(idText) {
                    problem(line, "the family_id must be at most 64 characters on one line"); ok = false
                } else {
                    familyID = idText
                }
            }
            var children: [ClassListChild]?
            let childText = field("children")
            if !childText.isEmpty, ok {
                do throws(ChildrenProblem) { children = try readChildren(childText, groups: rowGroups) } catch {
                    problem(line, error.message); ok = false
                }
            }
            if ok {
                rows.append(ClassListRow(line: line, family: family, email: email, groups: rowGroups, familyID: familyID, children: children))
            }
        }
        // The rows of one household (one family_id) must agree on each child's group.
        var childGroups: [String: (group: String, line: Int)] = [:]
        for row in rows {
            guard let key = row.familyID else { continue }
            for child in row.children ?? [] {
                let name = key + "\n" + child.name.lowercased()
                if let earlier = childGroups[name], earlier.group != child.group {
                    problem(row.line, "\(child.name) is in \(child.group) here but in \(earlier.group) on line \(earlier.line) (same family_id)")
                } else {
                    childGroups[name] = (child.group, row.line)
                }
            }
        }
        if rows.isEmpty && problems.isEmpty { problem(nil, "has a header but no families") }
        guard problems.isEmpty else {
            throw ClassListErrors(problems.sorted { ($0.line ?? 0) < ($1.line ?? 0) })
        }
        return rows
    }

    struct ChildrenProblem: Error { let message: String }

    /// `Sam (groep-3), Noor (groep-8)`; the group may be left out when the row has one.
    static func readChildren(_ text: String, groups: [String]) throws(ChildrenProblem) -> [ClassListChild] {
        var children: [ClassListChild] = []
        for part in text.split(separator: ",") {
            let entry = part.trimmingCharacters(in: .whitespaces)
            if entry.isEmpty { continue }
            var name = entry, group: String
            if let open = entry.firstIndex(of: "("), entry.hasSuffix(")") {
                name = entry[..<open].trimmingCharacters(in: .whitespaces)
                group = entry[entry.index(after: open)..<entry.index(before: entry.endIndex)].trimmingCharacters(in: .whitespaces)
                guard groups.contains(group) else {
                    throw ChildrenProblem(message: "\(name) is in '\(group)', which is not among this row's groups (\(groups.joined(separator: "+")))")
                }
            } else if groups.count == 1 {
                group = groups[0]
            } else {
                throw ChildrenProblem(message: "say which group \(entry) is in, like \(entry) (\(groups[0])); this family has several")
            }
            guard !name.isEmpty, name.count <= ClassListChild.maxName, !hasControlCharacters(name), !name.contains(where: { "()".contains($0) }) else {
                throw ChildrenProblem(message: "'\(entry.prefix(50))' is not a child's name; write first names with their group: Sam (groep-3), Noor (groep-8)")
            }
            guard !children.contains(where: { $0.name.lowercased() == name.lowercased() }) else {
                throw ChildrenProblem(message: "two children named \(name); write them apart (Sam A., Sam B.) so parents can tell which one they mean")
            }
            children.append(ClassListChild(name: name, group: group))
        }
        return children
    }

    private static func hasControlCharacters(_ text: String) -> Bool {
        text.unicodeScalars.contains { $0.properties.generalCategory == .control }
    }
}

/// Addresses as a class list holds them: `local@domain.tld`, no display name, no spaces.
public enum EmailAddress {
    /// A practical check of an addr-spec (RFC 5322 dot-atom on both sides; UTF-8 letters allowed):
    /// catches typos and two addresses in one field, not every address the RFC allows.
    public static func isValid(_ text: String) -> Bool {
        let parts = text.split(separator: "@", omittingEmptySubsequences: false)
        guard parts.count == 2, text.utf8.count <= 254 else { return false }
        let local = parts[0], domain = parts[1]
        let atext = Set("!#$%&'*+-/=?^_`{|}~.")
        guard !local.isEmpty, local.count <= 64, !local.hasPrefix("."), !local.hasSuffix("."), !local.contains(".."),
              local.allSatisfy({ $0.isLetter || $0.isNumber || atext.contains($0) })
        else { return false }
        let labels = domain.split(separator: ".", omittingEmptySubsequences: false)
        guard labels.count >= 2 else { return false }
        for label in labels {
            guard !label.isEmpty, label.count <= 63, !label.hasPrefix("-"), !label.hasSuffix("-"),
                  label.allSatisfy({ $0.isLetter || $0.isNumber || $0 == "-" })
            else { return false }
        }
        return labels.last.map { $0.count >= 2 && $0.allSatisfy(\.isLetter) } ?? false
    }
}

/// RFC 4180 records with the line each starts on. Quoted fields may hold separators, quotes
/// (doubled) and line breaks; CRLF, LF and CR all end a record. The separator is `;` when the
/// header line has more semicolons than commas (Dutch Excel), else `,`.
struct CSVRecords {
    struct Record {
        var line: Int
        var fields: [String]
    }

    var records: [Record] = []
    var problems: [(line: Int, message: String)] = []
    var delimiter = UInt8(ascii: ",")

    static func parse(_ bytes: [UInt8]) -> CSVRecords {
        let quote = UInt8(ascii: "\""), cr = UInt8(ascii: "\r"), lf = UInt8(ascii: "\n")
        var result = CSVRecords()
        result.delimiter = guessDelimiter(bytes)
        let delimiter = result.delimiter
        var line = 1
        var recordLine = 1
        var fields: [String] = []
        var field: [UInt8] = []
        var i = 0
        var fieldStarted = false  // something (even an empty quoted field) was read for this record

        func endField() {
            fields.append(String(decoding: field, as: UTF8.self))
            field.removeAll(keepingCapacity: true)
        }
        func endRecord() {
            endField()
            result.records.append(Record(line: recordLine, fields: fields))
            fields.removeAll()
            fieldStarted = false
        }

        while i < bytes.count {
            let byte = bytes[i]
            if byte == quote && field.isEmpty {
                // A quoted field: runs to the next lone quote.
                let openedOn = line
                i += 1
                var closed = false
                while i < bytes.count {
                    let b = bytes[i]
                    if b == quote {
                        if i + 1 < bytes.count && bytes[i + 1] == quote { field.append(quote); i += 2; continue }
                        closed = true; i += 1; break
                    }
                    if b == lf || (b == cr && (i + 1 >= bytes.count || bytes[i + 1] != lf)) { line += 1 }
                    field.append(b)
                    i += 1
                }
                fieldStarted = true
                if !closed {
                    // The rest of the file is inside the quote: no record to check.
                    result.problems.append((openedOn, "a quote (\") opened here is never closed"))
                    return result
                }
                // After the closing quote only a separator or the end of the line may follow.
                if i < bytes.count, bytes[i] != delimiter, bytes[i] != cr, bytes[i] != lf {
                    result.problems.append((line, "text after a closing quote (\"); write a quote inside a quoted field as \"\""))
                    while i < bytes.count, bytes[i] != delimiter, bytes[i] != cr, bytes[i] != lf { field.append(bytes[i]); i += 1 }
                }
                continue
            }
            if byte == delimiter {
                endField(); fieldStarted = true; i += 1
            } else if byte == cr || byte == lf {
                endRecord()
                i += (byte == cr && i + 1 < bytes.count && bytes[i + 1] == lf) ? 2 : 1
                line += 1
                recordLine = line
            } else {
                field.append(byte); fieldStarted = true; i += 1
            }
        }
        if fieldStarted || !field.isEmpty { endRecord() }
        return result
    }

    /// Counts both candidates on the first line, outside quotes.
    private static func guessDelimiter(_ bytes: [UInt8]) -> UInt8 {
        var commas = 0, semicolons = 0, quoted = false
        for byte in bytes {
            if byte == UInt8(ascii: "\"") { quoted.toggle() }
            if quoted { continue }
            if byte == UInt8(ascii: "\n") || byte == UInt8(ascii: "\r") { break }
            if byte == UInt8(ascii: ",") { commas += 1 }
            if byte == UInt8(ascii: ";") { semicolons += 1 }
        }
        return semicolons > commas ? UInt8(ascii: ";") : UInt8(ascii: ",")
    }
}

extension String {
    /// Nil unless `bytes` are valid UTF-8.
    init?(validatingUTF8Bytes bytes: [UInt8]) {
        guard let text = String(bytes: bytes, encoding: .utf8) else { return nil }
        self = text
    }
}
