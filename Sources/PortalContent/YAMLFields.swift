// Typed reading of YAML mappings (front matter, site.yaml) that reports every problem at its line.
import Foundation
import Yams

/// Parses YAML text; a syntax error is reported at its line in the file and gives nil.
/// `lineOffset` is added to YAML line numbers to get file line numbers.
func composeYAML(_ text: String, file: String, lineOffset: Int, what: String, report: ProblemReport) -> Node? {
    do {
        // Everything is read as text (types are checked here), so no implicit tag resolution: the
        // default resolver runs regular expressions on every scalar. The encoding is given because
        // its default reads the process environment on every call.
        return try Yams.compose(yaml: text, .basic, .default, .utf8)
    } catch let error as YamlError {
        switch error {
        case .scanner(let context, let problem, let mark, _),
             .parser(let context, let problem, let mark, _),
             .composer(let context, let problem, let mark, _):
            if let advice = colonAdvice(text, line: mark.line) {
                report.add(file, mark.line + lineOffset, advice)
                break
            }
            var message = "\(what) is not valid YAML: \(problem)"
            if let context { message += " (\(context.text) at line \(context.mark.line + lineOffset))" }
            report.add(file, mark.line + lineOffset, message)
        case .duplicatedKeysInMapping(let duplicates, let context):
            report.add(
                file, context.mark.line + lineOffset,
                "\(listing(duplicates, last: "and")) appear\(duplicates.count == 1 ? "s" : "") more than once in \(what); keep one")
        case .reader(let problem, _, _, _):
            report.add(file, nil, "\(what) cannot be read: \(problem)")
        default:
            report.add(file, nil, "\(what) is not valid YAML: \(error)")
        }
    } catch {
        report.add(file, nil, "\(what) is not valid YAML: \(error)")
    }
    return nil
}

/// The most common YAML mistake in words staff understand: a value with `: ` in it (a title such
/// as "Opnieuw: luizencontrole") reads as a second key. `line` is the 1-based line of `text`
/// where the parser stopped; nil when that line is not such a `key: value: more` line.
func colonAdvice(_ text: String, line: Int) -> String? {
    let lines = text.split(separator: "\n", omittingEmptySubsequences: false)
    guard line >= 1, line <= lines.count else { return nil }
    let source = lines[line - 1].trimmingCharacters(in: .whitespaces)
    guard let colon = source.range(of: ": ") else { return nil }
    let key = source[..<colon.lowerBound]
    let value = source[colon.upperBound...].trimmingCharacters(in: .whitespaces)
    guard !key.isEmpty, key.allSatisfy({ $0.isLetter || $0.isNumber || $0 == "_" }),
          let first = value.first, !"\"'[{|>".contains(first), value.contains(": ") || value.hasSuffix(":")
    else { return nil }
    let quoted = value.replacingOccurrences(of: "\\", with: "\\\\").replacingOccurrences(of: "\"", with: "\\\"")
    return "the value of '\(key)' holds ': ', which YAML reads as the start of another key; put the value in quotes: \(key): \"\(quoted)\""
}

/// A YAML mapping whose keys were checked against an allowed set, with typed accessors.
/// Every accessor reports what is wrong (at the key's line) and returns nil.
final class Fields {
    let file: String
    let report: ProblemReport
    let lineOffset: Int
    /// How messages name this mapping, e.g. "news front matter" or "evening".
    let what: String
    /// File line of the mapping itself (used for missing keys).
    let line: Int
    private var values: [String: Node] = [:]
    private var keyLines: [String: Int] = [:]

    /// Checks that `node` is a mapping with only `allowed` keys; nil (and a report) otherwise.
    init?(_ node: Node?, line: Int, what: String, allowed: [String], file: String, lineOffset: Int,
          report: ProblemReport) {
        self.file = file
        self.report = report
        self.lineOffset = lineOffset
        self.what = what
        self.line = line
        guard let node else {
            // An empty mapping: every key is missing, which the accessors report.
            return
        }
        guard case .mapping(let mapping) = node else {
            report.add(file, Fields.line(of: node, offset: lineOffset) ?? line,
                       "\(what) must be 'key: value' lines, not \(Fields.describe(node))")
            return nil
        }
        for (keyNode, value) in mapping {
            let keyLine = Fields.line(of: keyNode, offset: lineOffset) ?? line
            guard case .scalar(let scalar) = keyNode else {
                report.add(file, keyLine, "keys in \(what) must be plain words")
                continue
            }
            let key = scalar.string
            guard allowed.contains(key) else {
                var message = "unknown key '\(key)' in \(what)"
                if what.hasSuffix("front matter"), closestMatch(to: key, among: allowed + ["group", "audience"]) != nil,
                   closestMatch(to: key, among: allowed) == nil {
                    // Staff may expect a 'group:' key to limit who sees an item; the folder decides that.
                    message += "; there is no group key: a group's items go in groups/<group-id>/"
                } else if let guess = closestMatch(to: key, among: allowed) {
                    message += " (did you mean '\(guess)'?)"
                } else {
                    message += "; allowed keys: \(allowed.joined(separator: ", "))"
                }
                report.add(file, keyLine, message)
                continue
            }
            if keyLines[key] != nil {
                report.add(file, keyLine, "'\(key)' appears more than once in \(what); keep one")
                continue
            }
            values[key] = value
            keyLines[key] = keyLine
        }
    }

    static func line(of node: Node, offset: Int) -> Int? {
        node.mark.map { $0.line + offset }
    }

    static func describe(_ node: Node) -> String {
        switch node {
        case .scalar: return "text"
        case .mapping: return "'key: value' lines"
        case .sequence: return "a list"
        case .alias: return "an alias"
        }
    }

    /// Whether a scalar is YAML's null (`key:` with nothing after it, `~`, `null`).
    static func isNull(_ scalar: Node.Scalar) -> Bool {
        scalar.style == .plain && ["", "~", "null", "Null", "NULL"].contains(scalar.string)
    }

    func has(_ key: String) -> Bool { keyLines[key] != nil }

    /// The file line of a key that is present, else the mapping's line.
    func lineOf(_ key: String) -> Int { keyLines[key] ?? line }

    /// The raw node of a key that is present and not null.
    func node(_ key: String, required: Bool) -> Node? {
        guard let value = values[key] else {
            if required { report.add(file, line, "missing required key '\(key)' in \(what)") }
            return nil
        }
        if case .scalar(let scalar) = value, Fields.isNull(scalar) {
            if required { report.add(file, lineOf(key), "'\(key)' is empty") }
            return nil
        }
        if case .alias = value {
            report.add(file, lineOf(key), "'\(key)' uses a YAML alias; write the value out")
            return nil
        }
        return value
    }

    /// Text; surrounding white space is removed. Required text must not be empty.
    func text(_ key: String, required: Bool = false) -> String? {
        guard let value = node(key, required: required) else { return nil }
        guard case .scalar(let scalar) = value else {
            report.add(file, lineOf(key), "'\(key)' must be text, not \(Fields.describe(value))")
            return nil
        }
        let text = trimmed(scalar.string)
        if text.isEmpty {
            if required { report.add(file, lineOf(key), "'\(key)' is empty") }
            return nil
        }
        return text
    }

    /// Surrounding white space removed; cheap when there is none, which is nearly always.
    private func trimmed(_ text: String) -> String {
        guard let first = text.unicodeScalars.first, let last = text.unicodeScalars.last else { return text }
        if !first.properties.isWhitespace && !last.properties.isWhitespace { return text }
        return text.trimmingCharacters(in: .whitespacesAndNewlines)
    }

    func bool(_ key: String) -> Bool? {
        guard let text = text(key) else { return nil }
        switch text.lowercased() {
        case "true", "yes": return true
        case "false", "no": return false
        default:
            report.add(file, lineOf(key), "'\(key)' must be true or false, not '\(text)'")
            return nil
        }
    }

    func int(_ key: String, required: Bool = false) -> Int? {
        guard let text = text(key, required: required) else { return nil }
        guard let value = Int(text) else {
            report.add(file, lineOf(key), "'\(key)' must be a whole number, not '\(text)'")
            return nil
        }
        return value
    }

    /// A date or a moment (`YYYY-MM-DD`, `YYYY-MM-DD HH:MM`).
    func dateTime(_ key: String, required: Bool = false) -> LocalDateTime? {
        guard let text = text(key, required: required) else { return nil }
        switch LocalDateTime.parse(text) {
        case .success(let value): return value
        case .failure(let problem):
            report.add(file, lineOf(key), "'\(key)' \(problem.message(for: text))")
            return nil
        }
    }

    /// A time of day `HH:MM`, as minutes after midnight.
    func timeOfDay(_ key: String, required: Bool = false) -> Int? {
        guard let text = text(key, required: required) else { return nil }
        guard let minutes = parseTimeOfDay(text) else {
            report.add(file, lineOf(key), "'\(key)' must be a time like \"18:30\", not '\(text)'")
            return nil
        }
        return minutes
    }

    /// A nested mapping with its own allowed keys.
    func mapping(_ key: String, what: String, allowed: [String], required: Bool = false) -> Fields? {
        guard let value = node(key, required: required) else { return nil }
        return Fields(value, line: lineOf(key), what: what, allowed: allowed, file: file,
                      lineOffset: lineOffset, report: report)
    }

    /// A list; each element comes with its file line.
    func list(_ key: String, required: Bool = false) -> [(node: Node, line: Int)]? {
        guard let value = node(key, required: required) else { return nil }
        guard case .sequence(let sequence) = value else {
            report.add(file, lineOf(key), "'\(key)' must be a list ('- ' lines), not \(Fields.describe(value))")
            return nil
        }
        return sequence.map { ($0, Fields.line(of: $0, offset: lineOffset) ?? lineOf(key)) }
    }
}
