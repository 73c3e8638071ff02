// The letter as an e-mail (RFC 5322 + MIME): multipart/alternative with a text/plain part and a
// multipart/related HTML part whose QR code is an inline PNG referenced by `cid:`, so it shows in
// mail clients that drop inline SVG and data: URLs. UTF-8 throughout, quoted-printable bodies,
// RFC 2047 encoded words for non-ASCII header text.
import Foundation
import PortalContent

/// Builds the .eml of a letter.
///
/// ```swift
/// let eml = try LetterMail.message(letter, date: Date(), random: { UInt64.random(in: 0...UInt64.max) })
/// try eml.write(to: url)   // `sendmail -t -oi < file` sends it
/// ```
public enum LetterMail {
    /// The subject in both languages.
    public static func subject(_ letter: Letter) -> String {
        "Uw toegang tot het ouderportaal van \(letter.schoolName) / Your access to the parent portal"
    }

    /// The message bytes (CRLF line ends), or nil when the token has no e-mail address.
    /// `random` makes the boundaries and Message-ID (injected so tests are repeatable).
    public static func message(
        _ letter: Letter, date: Date, random: () -> UInt64 = { UInt64.random(in: 0...UInt64.max) }
    ) throws(LetterError) -> Data? {
        guard let to = letter.email else { return nil }
        let unique = String(random(), radix: 36) + String(random(), radix: 36)
        let domain = letter.contact.email.split(separator: "@").last.map(String.init) ?? "ouderportaal.invalid"
        let contentID = "qr-\(unique)@\(domain)"
        let outer = "=_alt_\(unique)", inner = "=_rel_\(unique)"
        let png = try QRCode(letter.link).png(scale: 8)
        let html = try LetterPage.html(letter, qrImage: "cid:" + contentID)
        let text = LetterPage.text(letter)

        var lines: [String] = []
        lines.append(header("From", mailbox(name: letter.schoolName, address: letter.contact.email)))
        lines.append(header("To", mailbox(name: letter.family, address: to)))
        lines.append(header("Reply-To", mailbox(name: letter.contact.name, address: letter.contact.email)))
        lines.append(header("Subject", encodedText(subject(letter))))
        lines.append("Date: " + rfc5322Date(date, in: letter.timeZone))
        lines.append("Message-ID: <letter-\(unique)@\(domain)>")
        lines.append("MIME-Version: 1.0")
        lines.append("Content-Type: multipart/alternative; boundary=\"\(outer)\"")
        lines.append("")
        lines.append("This is a MIME message (text and HTML).")
        lines.append("--" + outer)
        lines.append("Content-Type: text/plain; charset=utf-8")
        lines.append("Content-Transfer-Encoding: quoted-printable")
        lines.append("")
        lines.append(quotedPrintable(text))
        lines.append("--" + outer)
        lines.append("Content-Type: multipart/related; boundary=\"\(inner)\";\r\n type=\"text/html\"")
        lines.append("")
        lines.append("--" + inner)
        lines.append("Content-Type: text/html; charset=utf-8")
        lines.append("Content-Transfer-Encoding: quoted-printable")
        lines.append("")
        lines.append(quotedPrintable(html))
        lines.append("--" + inner)
        lines.append("Content-Type: image/png; name=\"qr-code.png\"")
        lines.append("Content-Transfer-Encoding: base64")
        lines.append("Content-ID: <\(contentID)>")
        lines.append("Content-Disposition: inline; filename=\"qr-code.png\"")
        lines.append("")
        lines.append(Data(png).base64EncodedString(options: [.lineLength76Characters, .endLineWithCarriageReturn, .endLineWithLineFeed]))
        lines.append("--" + inner + "--")
        lines.append("--" + outer + "--")
        lines.append("")
        return Data(lines.joined(separator: "\r\n").utf8)
    }

    // MARK: - Headers

    /// `Name: value`, folded before 78 characters at spaces (RFC 5322 2.2.3).
    static func header(_ name: String, _ value: String) -> String {
        var lines: [String] = []
        var current = name + ":"
        for word in value.split(separator: " ", omittingEmptySubsequences: false) {
            if current.count + 1 + word.count > 76 && current.count > name.count + 1 {
                lines.append(current)
                current = " " + word
            } else {
                current += " " + word
            }
        }
        lines.append(current)
        return lines.joined(separator: "\r\n")
    }

    /// `"Fam. Jansen" <a@b.nl>`, or encoded words for a name with non-ASCII letters.
    static func mailbox(name: String?, address: String) -> String {
        guard let name, !name.isEmpty else { return "<\(address)>" }
        return "\(phrase(name)) <\(address)>"
    }

    /// A display name: a quoted string when ASCII, else RFC 2047 encoded words (which may not
    /// stand inside quotes).
    static func phrase(_ text: String) -> String {
        let cleaned = text.filter { $0 != "\r" && $0 != "\n" }
        if cleaned.unicodeScalars.allSatisfy({ $0.isASCII && $0.value >= 0x20 && $0.value < 0x7F }) {
            return "\"" + cleaned.replacingOccurrences(of: "\\", with: "\\\\").replacingOccurrences(of: "\"", with: "\\\"") + "\""
        }
        return encodedWords(cleaned)
    }

    /// Unstructured text (Subject): as is when ASCII, else encoded words.
    static func encodedText(_ text: String) -> String {
        let cleaned = text.filter { $0 != "\r" && $0 != "\n" }
        if cleaned.unicodeScalars.allSatisfy({ $0.isASCII && $0.value >= 0x20 && $0.value < 0x7F }) { return cleaned }
        return encodedWords(cleaned)
    }

    /// `=?UTF-8?B?...?=` words of at most 60 characters, split between characters (never inside
    /// one UTF-8 sequence), separated by spaces so that `header` folds between them.
    static func encodedWords(_ text: String) -> String {
        var words: [String] = []
        var chunk: [UInt8] = []
        for character in text {
            let bytes = Array(String(character).utf8)
            // 12 characters of =?UTF-8?B??= around 36 bytes (48 in base64): 60 characters, so a
            // word fits on a folded line even after the header's name.
            if chunk.count + bytes.count > 36 {
                words.append("=?UTF-8?B?" + Data(chunk).base64EncodedString() + "?=")
                chunk = []
            }
            chunk += bytes
        }
        if !chunk.isEmpty { words.append("=?UTF-8?B?" + Data(chunk).base64EncodedString() + "?=") }
        return words.joined(separator: " ")
    }

    /// "Sun, 29 Nov 2026 09:35:00 +0100" in the school's time zone.
    static func rfc5322Date(_ date: Date, in zone: TimeZone) -> String {
        let formatter = DateFormatter()
        formatter.locale = Locale(identifier: "en_US_POSIX")
        formatter.timeZone = zone
        formatter.dateFormat = "EEE, dd MMM yyyy HH:mm:ss Z"
        return formatter.string(from: date)
    }

    // MARK: - Bodies

    /// Quoted-printable (RFC 2045 6.7) of UTF-8 text with CRLF line ends: lines of at most 76
    /// characters, soft breaks (`=`) never inside an escape, trailing spaces escaped, and `.` at
    /// a line start escaped so no SMTP server mistakes it for the end of the message.
    static func quotedPrintable(_ text: String) -> String {
        var out: [String] = []
        let normalised = text.replacingOccurrences(of: "\r\n", with: "\n").replacingOccurrences(of: "\r", with: "\n")
        for line in normalised.components(separatedBy: "\n") {
            let bytes = Array(line.utf8)
            var tokens: [String] = []
            for (index, byte) in bytes.enumerated() {
                let last = index == bytes.count - 1
                let plain = (byte >= 33 && byte <= 126 && byte != UInt8(ascii: "="))
                    || ((byte == 32 || byte == 9) && !last)
                let dotAtStart = index == 0 && byte == UInt8(ascii: ".")
                tokens.append(plain && !dotAtStart ? String(UnicodeScalar(byte)) : String(format: "=%02X", byte))
            }
            var current = ""
            for token in tokens {
                if current.count + token.count > 75 {
                    out.append(current + "=")
                    // A soft break may leave a "." at the start of the next line.
                    current = token == "." ? "=2E" : token
                } else {
                    current += token
                }
            }
            out.append(current)
        }
        return out.joined(separator: "\r\n")
    }
}
