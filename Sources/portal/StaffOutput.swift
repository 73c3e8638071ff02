// What parents typed, printed for staff: as text in a terminal, as cells in a spreadsheet, as
// iCalendar TEXT. A child's name or a note is data; none of the three may read it as instructions
// (a formula, a terminal escape, a new calendar property).
import Foundation

enum StaffOutput {
    /// For a terminal: control characters (C0, DEL, C1) and the Unicode bidi controls that can
    /// reorder what staff read are replaced by `�`; a line break becomes ` ⏎ `.
    static func terminal(_ text: String) -> String {
        var out = String.UnicodeScalarView()
        for scalar in text.unicodeScalars {
            switch scalar.value {
            case 0x0A, 0x0D: out.append(contentsOf: " ⏎ ".unicodeScalars)
            case 0x09: out.append(" ")
            case 0x00...0x1F, 0x7F...0x9F, 0x200E, 0x200F, 0x202A...0x202E, 0x2066...0x2069, 0x061C:
                out.append("\u{FFFD}")
            default: out.append(scalar)
            }
        }
        return String(out)
    }

    /// One CSV cell (RFC 4180). A cell that a spreadsheet would run as a formula (it starts with
    /// `=`, `+`, `-`, `@`, a tab or a CR) gets a leading `'`, which spreadsheets show as text.
    static func csvCell(_ value: String) -> String {
        var cell = value
        if let first = cell.unicodeScalars.first, "=+-@\t\r".unicodeScalars.contains(first) { cell = "'" + cell }
        guard cell.contains(where: { ",\"\n\r".contains($0) }) else { return cell }
        return "\"" + cell.replacingOccurrences(of: "\"", with: "\"\"") + "\""
    }

    /// An iCalendar TEXT value (RFC 5545 3.3.11): backslash, `;` and `,` escaped, any line break
    /// (CRLF, CR or LF) written as `\n`, other control characters left out.
    static func icsText(_ text: String) -> String {
        var out = ""
        var scalars = text.unicodeScalars.makeIterator()
        var pending = scalars.next()
        while let scalar = pending {
            pending = scalars.next()
            switch scalar {
            case "\\": out += "\\\\"
            case ";": out += "\\;"
            case ",": out += "\\,"
            case "\r":
                out += "\\n"
                if pending == "\n" { pending = scalars.next() }
            case "\n": out += "\\n"
            default:
                if scalar.value < 0x20 || scalar.value == 0x7F { continue }
                out.unicodeScalars.append(scalar)
            }
        }
        return out
    }

    /// A content line folded at 75 octets (RFC 5545 3.1): CRLF and a space before each
    /// continuation, never inside a UTF-8 sequence.
    static func icsFolded(_ line: String) -> String {
        var parts: [String] = []
        var current = ""
        var octets = 0
        for character in line {
            let size = String(character).utf8.count
            let limit = parts.isEmpty ? 75 : 74  // a continuation starts with one space
            if octets + size > limit {
                parts.append(current)
                current = ""
                octets = 0
            }
            current.append(character)
            octets += size
        }
        parts.append(current)
        return parts.joined(separator: "\r\n ")
    }
}
