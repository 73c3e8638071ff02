// The letter's parts without the CLI: class list parsing, QR code, HTML page, e-mail, folder.
import Foundation
import PortalContent
import PortalKeys
import XCTest

@testable import PortalLetters

/// A school with non-ASCII in its name and a letter for a family in two groups.
enum Fixture {
    static let token = "ZVGR-RAPE-DTT8-5AWC-N745-HZNS-0EZJ-FFKZ"
    static let amsterdam = TimeZone(identifier: "Europe/Amsterdam")!

    static func site(name: String = "OBS De Regenboog") -> SiteConfig {
        SiteConfig(
            name: name, url: "https://ouders.school.example/", timezone: amsterdam, languages: ["nl", "en"],
            receiverURL: "https://ouders.school.example/api",
            contact: Contact(name: "Meester Jeroen (ICT)", email: "ict@school.example", phone: "010-123 45 67",
                             hours: "ma, di en do 8.00-16.00 uur"),
            welcome: "Welkom bij **De Regenboog**! Lees de [schoolgids](/pages/schoolgids) of [onze site](https://www.school.example).\n\n![logo](logo.png)",
            groups: [Group(id: "groep-3", title: "Groep 3", teacher: "Juf Sanne"),
                     Group(id: "groep-8", title: "Groep 8", teacher: "Juf Esther")])
    }

    /// Issued Sunday 29 November 2026 09:35 Amsterdam; registers by 7 days later.
    static func record(label: String? = "Fam. Özdemir <&>", email: String? = "ozdemir@example.nl", registerBy: Date? = nil) -> TokenRecord {
        var record = TokenRecord(
            id: "1a2b3c4d5e6f708192a3b4c5d6e7f809", token: token, label: label, family: "fam-1",
            audiences: ["groep-3", "groep-8"], issued: Date(timeIntervalSince1970: 1_795_941_300),
            expires: Date(timeIntervalSince1970: 1_816_000_000))
        record.email = email
        record.registerBy = registerBy
        return record
    }
}

final class QRCodeTests: XCTestCase {
    func testKnownTextHasTheStandardSizeAndFinderPatterns() throws {
        // "HELLO WORLD" fits version 1 at level M (alphanumeric mode): 21×21 modules.
        let qr = try QRCode("HELLO WORLD")
        XCTAssertEqual(qr.version, 1)
        XCTAssertEqual(qr.size, 21)
        XCTAssertEqual(qr.modules.count, 441)
        // The three finder patterns: a dark 7×7 ring with a dark 3×3 centre, light in between.
        for (ox, oy) in [(0, 0), (14, 0), (0, 14)] {
            for i in 0..<7 {
                XCTAssertTrue(qr.isDark(x: ox + i, y: oy)); XCTAssertTrue(qr.isDark(x: ox + i, y: oy + 6))
                XCTAssertTrue(qr.isDark(x: ox, y: oy + i)); XCTAssertTrue(qr.isDark(x: ox + 6, y: oy + i))
            }
            XCTAssertFalse(qr.isDark(x: ox + 1, y: oy + 1))
            XCTAssertTrue(qr.isDark(x: ox + 3, y: oy + 3))
        }
        XCTAssertFalse(qr.isDark(x: 7, y: 7), "separator next to the finder pattern is light")
    }

    func testALetterLinkFitsASmallVersion() throws {
        let qr = try QRCode(Letter(site: Fixture.site(), record: Fixture.record()).link)
        XCTAssertEqual(qr.size, 17 + 4 * qr.version)
        XCTAssertTrue((4...7).contains(qr.version), "version \(qr.version)")
    }

    func testPNGIsOneBitWithQuietZone() throws {
        let qr = try QRCode("HELLO WORLD")
        let png = try qr.png(scale: 8)
        XCTAssertEqual(Array(png.prefix(8)), [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A])
        func be32(_ at: Int) -> Int { png[at..<at + 4].reduce(0) { $0 << 8 | Int($1) } }
        XCTAssertEqual(be32(16), (21 + 8) * 8, "width: (21 modules + 2×4 quiet) × 8 px")
        XCTAssertEqual(be32(20), (21 + 8) * 8)
        XCTAssertEqual(png[24], 1, "bit depth 1")
    }

    func testSVGDrawsEveryDarkModule() throws {
        let qr = try QRCode("HELLO WORLD")
        let svg = qr.svg(moduleSize: 4)
        XCTAssertTrue(svg.hasPrefix("<svg xmlns=\"http://www.w3.org/2000/svg\" viewBox=\"0 0 116 116\""), svg)
        // Sum the run widths of the path: dark modules × 4 px.
        let widths = svg.matches(of: /h(\d+)v/).map { Int($0.1)! }
        XCTAssertEqual(widths.reduce(0, +), qr.modules.filter { $0 }.count * 4)
    }
}

final class LetterPageTests: XCTestCase {
    func testLetterHoldsEverythingAFamilyNeeds() throws {
        let letter = Letter(site: Fixture.site(), record: Fixture.record())
        XCTAssertEqual(letter.link, "https://ouders.school.example/#token=" + Fixture.token)
        let html = try LetterPage.html(letter)
        for group in Fixture.token.split(separator: "-") { XCTAssertTrue(html.contains(group)) }
        XCTAssertTrue(html.contains("<p class=\"token\">\(Fixture.token)</p>"))
        XCTAssertTrue(html.contains("href=\"https://ouders.school.example/#token=\(Fixture.token)\""))
        XCTAssertTrue(html.contains(">https://ouders.school.example</a>"))
        // Register by: issued + 7 days, in Amsterdam time, both languages.
        XCTAssertTrue(html.contains("Registreer vóór zondag 6 december 2026 om 9.35 uur."), html)
        XCTAssertTrue(html.contains("Register before Sunday 6 December 2026 at 9:35."))
        // Contact and support hours.
        for fact in ["Meester Jeroen (ICT)", "mailto:ict@school.example", "010-123 45 67", "ma, di en do 8.00-16.00 uur"] {
            XCTAssertTrue(html.contains(HTMLText.escape(fact)), fact)
        }
        // How to install the app, in Dutch and in English.
        for phrase in ["Android (Chrome):", "App installeren", "Toevoegen aan startscherm", "iPhone en iPad (Safari):",
                       "Deel-knop", "Zet op beginscherm", "Computer (Chrome of Edge):", "adresbalk",
                       "vul daar uw code in: alleen zo krijgt u meldingen", "enter your code there: only then can it notify you",
                       "Install app", "Add to Home Screen", "Share button", "address bar"] {
            XCTAssertTrue(html.contains(phrase), phrase)
        }
        // The browser's history keeps the link (docs/SECURITY.md): on a shared computer, type the code.
        XCTAssertTrue(html.contains("Op een gedeelde computer typt u de code in plaats van de link te openen"))
        XCTAssertTrue(html.contains("On a shared computer, type the code instead of opening the link"))
        XCTAssertTrue(html.contains("<strong class=\"groups\">Groep 3, Groep 8</strong>"))
        XCTAssertTrue(html.contains("<p class=\"to\">Fam. Özdemir &lt;&amp;&gt;</p>"), "the label is escaped")
        XCTAssertTrue(html.contains("<section lang=\"nl\"") && html.contains("<section lang=\"en\""))
        XCTAssertTrue(html.contains("<svg xmlns="), "QR code inline, no file beside the letter")
        XCTAssertFalse(html.contains("<script"))
        XCTAssertFalse(html.contains("src=\"http"), "self-contained: nothing loaded from elsewhere")
    }

    /// A staff code's letter greets the person and says what the code reads; a family's does not.
    func testAStaffLetterSpeaksToTheTeacherAboutTheReports() throws {
        var record = Fixture.record(label: "Juf Sanne")
        record.staff = .teacher
        let html = try LetterPage.html(Letter(site: Fixture.site(), record: record))
        for phrase in ["Beste Juf Sanne,", "Dear Juf Sanne,", "de ziekmeldingen, gespreksafspraken en antwoorden op formulieren van:",
                       "the absence reports, conference bookings and form answers of:", "vergrendel uw telefoon", "keep your phone locked",
                       "als medewerker"] {
            XCTAssertTrue(html.contains(HTMLText.escape(phrase)), phrase)
        }
        // A school that has switched booking and forms off (site.yaml features:) names only reports.
        var site = Fixture.site()
        site.features.subtract([.booking, .forms])
        let fewer = try LetterPage.html(Letter(site: site, record: record))
        XCTAssertTrue(fewer.contains("het nieuws van de school, en de ziekmeldingen van:"), fewer)
        XCTAssertTrue(fewer.contains("the school&#39;s news, and the absence reports of:") || fewer.contains("the school's news, and the absence reports of:"), fewer)
        XCTAssertFalse(fewer.contains("gespreksafspraken") || fewer.contains("formulieren"))
        XCTAssertFalse(html.contains("Beste ouders en verzorgers"))
        let family = try LetterPage.html(Letter(site: Fixture.site(), record: Fixture.record()))
        XCTAssertTrue(family.contains("Beste ouders en verzorgers,"))
        XCTAssertFalse(family.contains("ziekmeldingen"))
    }

    func testWelcomeKeepsWebLinksAndFlattensPortalLinks() throws {
        let letter = Letter(site: Fixture.site(), record: Fixture.record())
        let welcome = try XCTUnwrap(letter.welcomeHTML)
        XCTAssertTrue(welcome.contains("<strong>De Regenboog</strong>"))
        XCTAssertTrue(welcome.contains("Lees de schoolgids of"), welcome)
        XCTAssertTrue(welcome.contains("<a href=\"https://www.school.example\">onze site</a>"))
        XCTAssertFalse(welcome.contains("<img"), welcome)
        XCTAssertEqual(letter.welcomeText, "Welkom bij De Regenboog! Lees de schoolgids of onze site.")
    }

    func testRegisterByFromTheRecordAndAtMidnight() throws {
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = Fixture.amsterdam
        let midnight = calendar.date(from: DateComponents(year: 2026, month: 12, day: 14))!
        let letter = Letter(site: Fixture.site(), record: Fixture.record(registerBy: midnight))
        XCTAssertEqual(letter.registerByDutch, "maandag 14 december 2026")
        XCTAssertEqual(letter.registerByEnglish, "Monday 14 December 2026")
    }

    func testFileNamesAreSlugAndIdPrefix() {
        XCTAssertEqual(Letter(site: Fixture.site(), record: Fixture.record()).fileBaseName, "fam-ozdemir-1a2b3c4d")
        XCTAssertEqual(Letter(site: Fixture.site(), record: Fixture.record(label: nil)).fileBaseName, "token-1a2b3c4d")
        XCTAssertEqual(Letter(site: Fixture.site(), record: Fixture.record(label: "../../etc")).fileBaseName, "etc-1a2b3c4d")
    }

    func testPlainTextHasTokenLinkAndDeadline() {
        let text = LetterPage.text(Letter(site: Fixture.site(), record: Fixture.record()))
        XCTAssertTrue(text.contains("\n    \(Fixture.token)\n"))
        XCTAssertTrue(text.contains("\nhttps://ouders.school.example/#token=\(Fixture.token)\n"))
        XCTAssertTrue(text.contains("Registreer vóór zondag 6 december 2026"))
        XCTAssertTrue(text.contains("Register before Sunday 6 December 2026"))
    }
}

final class LetterMailTests: XCTestCase {
    func message(school: String = "Basisschool 't Vlindertje – Één", email: String? = "ozdemir@example.nl") throws -> String? {
        var counter: UInt64 = 0
        let letter = Letter(site: Fixture.site(name: school), record: Fixture.record(email: email))
        let data = try LetterMail.message(letter, date: Date(timeIntervalSince1970: 1_795_941_300)) {
            counter += 1; return counter
        }
        return data.map { String(decoding: $0, as: UTF8.self) }
    }

    func testHeadersAreEncodedAndFolded() throws {
        let eml = try XCTUnwrap(try message())
        let head = String(eml[..<eml.range(of: "\r\n\r\n")!.lowerBound])
        let unfolded = head.replacingOccurrences(of: "\r\n ", with: " ")
        let headers = Dictionary(unfolded.components(separatedBy: "\r\n").map { line -> (String, String) in
            let colon = line.firstIndex(of: ":")!
            return (String(line[..<colon]), String(line[line.index(after: colon)...]).trimmingCharacters(in: .whitespaces))
        }, uniquingKeysWith: { a, _ in a })
        XCTAssertEqual(decodeWords(headers["From"]!), "Basisschool 't Vlindertje – Één <ict@school.example>")
        XCTAssertTrue(headers["From"]!.hasPrefix("=?UTF-8?B?"), "non-ASCII names are encoded words")
        XCTAssertEqual(decodeWords(headers["To"]!), "Fam. Özdemir <&> <ozdemir@example.nl>")
        XCTAssertEqual(decodeWords(headers["Subject"]!),
                       "Uw toegang tot het ouderportaal van Basisschool 't Vlindertje – Één / Your access to the parent portal")
        XCTAssertEqual(headers["Date"], "Sun, 29 Nov 2026 09:35:00 +0100")
        XCTAssertEqual(headers["Message-ID"], "<letter-12@school.example>")
        XCTAssertEqual(headers["MIME-Version"], "1.0")
        XCTAssertEqual(headers["Content-Type"], "multipart/alternative; boundary=\"=_alt_12\"")
        for line in eml.components(separatedBy: "\r\n") { XCTAssertLessThanOrEqual(line.utf8.count, 78, line) }
        XCTAssertFalse(eml.replacingOccurrences(of: "\r\n", with: "").contains("\n"), "CRLF line ends only")
        XCTAssertTrue(eml.utf8.allSatisfy { $0 < 0x80 }, "7-bit clean: every non-ASCII byte is encoded")
    }

    func testPartsTextHTMLAndInlineQRCode() throws {
        let eml = try XCTUnwrap(try message(school: "OBS De Regenboog"))
        XCTAssertTrue(eml.contains("From: \"OBS De Regenboog\" <ict@school.example>\r\n"))
        let outer = eml.components(separatedBy: "\r\n--=_alt_12")
        XCTAssertEqual(outer.count, 4, "preamble, text, related, closing")
        XCTAssertTrue(outer[3].hasPrefix("--"))
        let text = outer[1], related = outer[2]
        XCTAssertTrue(text.contains("Content-Type: text/plain; charset=utf-8\r\nContent-Transfer-Encoding: quoted-printable\r\n\r\n"))
        XCTAssertTrue(related.contains("Content-Type: multipart/related; boundary=\"=_rel_12\";\r\n type=\"text/html\""))
        let inner = related.components(separatedBy: "\r\n--=_rel_12")
        XCTAssertEqual(inner.count, 4, "header, html, png, closing")
        XCTAssertTrue(inner[1].contains("Content-Type: text/html; charset=utf-8\r\nContent-Transfer-Encoding: quoted-printable"))
        XCTAssertTrue(inner[2].contains("Content-Type: image/png; name=\"qr-code.png\"\r\nContent-Transfer-Encoding: base64\r\nContent-ID: <qr-12@school.example>\r\nContent-Disposition: inline"))
        XCTAssertTrue(inner[3].hasPrefix("--"))

        let plain = quotedPrintableDecode(body(of: text))
        let html = quotedPrintableDecode(body(of: inner[1]))
        for part in [plain, html] {
            XCTAssertTrue(part.contains(Fixture.token))
            XCTAssertTrue(part.contains("https://ouders.school.example/#token=\(Fixture.token)"))
            XCTAssertTrue(part.contains("Registreer vóór zondag 6 december 2026"))
            XCTAssertTrue(part.contains("Register before Sunday 6 December 2026"))
        }
        XCTAssertTrue(html.contains("<img class=\"qr\" src=\"cid:qr-12@school.example\""))
        XCTAssertFalse(html.contains("<svg"), "mail clients drop inline SVG")
        let png = try XCTUnwrap(Data(base64Encoded: body(of: inner[2]), options: .ignoreUnknownCharacters))
        XCTAssertEqual(Array(png.prefix(4)), [0x89, 0x50, 0x4E, 0x47])
    }

    func testNoAddressNoMessage() throws {
        XCTAssertNil(try message(email: nil))
    }

    func testQuotedPrintableRoundTripsAndKeepsLinesShort() {
        let text = "Één regel met ümlauts = tekens, en een lange regel " + String(repeating: "ab ", count: 60) + "\n.begint met punt\neinde met spatie "
        let encoded = LetterMail.quotedPrintable(text)
        for line in encoded.components(separatedBy: "\r\n") {
            XCTAssertLessThanOrEqual(line.count, 76)
            XCTAssertFalse(line.hasPrefix("."), "a dot at a line start is escaped")
            XCTAssertFalse(line.hasSuffix(" "), "no trailing space survives transport")
        }
        XCTAssertEqual(quotedPrintableDecode(encoded), text.replacingOccurrences(of: "\n", with: "\r\n"))
    }

    func testEncodedWordsSplitBetweenCharacters() {
        let words = LetterMail.encodedWords(String(repeating: "é", count: 40)).split(separator: " ")
        XCTAssertEqual(words.count, 3, "18 two-byte letters (36 bytes) per word")
        for word in words { XCTAssertLessThanOrEqual(word.count, 60) }
        XCTAssertEqual(decodeWords(words.joined(separator: " ")), String(repeating: "é", count: 40))
    }

    // MARK: - Decoding helpers (independent of the encoder)

    private func body(of part: String) -> String {
        String(part[part.range(of: "\r\n\r\n")!.upperBound...])
    }

    private func quotedPrintableDecode(_ text: String) -> String {
        var bytes: [UInt8] = []
        let source = Array(text.utf8)
        var i = 0
        while i < source.count {
            if source[i] == UInt8(ascii: "=") {
                if i + 2 < source.count, source[i + 1] == 13, source[i + 2] == 10 { i += 3; continue }  // soft break
                if i + 2 < source.count, let byte = UInt8(String(decoding: source[i + 1...i + 2], as: UTF8.self), radix: 16) {
                    bytes.append(byte); i += 3; continue
                }
            }
            bytes.append(source[i]); i += 1
        }
        return String(decoding: bytes, as: UTF8.self)
    }

    /// RFC 2047 B words back to text; whitespace between adjacent encoded words is dropped.
    private func decodeWords(_ header: String) -> String {
        let pattern = /=\?UTF-8\?B\?([A-Za-z0-9+\/=]*)\?=/
        var result = header.replacing(/\?=\s+=\?/, with: "?==?")
        result = result.replacing(pattern) { match in
            String(decoding: Data(base64Encoded: String(match.1)) ?? Data(), as: UTF8.self)
        }
        return result.replacingOccurrences(of: "\"", with: "")
    }
}

final class ClassListTests: XCTestCase {
    let groups = ["groep-1-2a", "groep-3", "groep-5", "groep-8"]

    func testSemicolonsQuotesAndSeveralGroups() throws {
        let csv = "\u{FEFF}Family; Email ;GROUP;family_id\r\n\"Fam. Jansen; de Boer\";jansen@example.nl;groep-3+groep-8;\r\n\r\n\"Fam. \"\"Multi\"\"\";multi@example.nl;groep-5 | groep-5;fam-m\r\nFam. Özdemir;ozdemir@example.nl;groep-1-2a;\r\n"
        let rows = try ClassList.read(Data(csv.utf8), file: "klas.csv", groups: groups)
        XCTAssertEqual(rows, [
            ClassListRow(line: 2, family: "Fam. Jansen; de Boer", email: "jansen@example.nl", groups: ["groep-3", "groep-8"]),
            ClassListRow(line: 4, family: "Fam. \"Multi\"", email: "multi@example.nl", groups: ["groep-5"], familyID: "fam-m"),
            ClassListRow(line: 5, family: "Fam. Özdemir", email: "ozdemir@example.nl", groups: ["groep-1-2a"]),
        ])
    }

    func testCommasWithoutTrailingNewline() throws {
        let rows = try ClassList.read(Data("family,email,group\nFam. A,a@example.nl,groep-3".utf8), file: "k.csv", groups: groups)
        XCTAssertEqual(rows.map(\.family), ["Fam. A"])
    }

    func testEveryProblemWithFileAndLine() {
        let csv = """
            family;email;group
            Fam. A;a@example.nl;groep-9
            Fam. B;geen-adres;groep-3
            ;c@example.nl;groep-3
            Fam. D;a@EXAMPLE.nl;groep-3
            Fam. E;e@example.nl
            Fam. F;f@example.nl;
            Fam. G;g@example.nl;groep-3+groep-7
            "Fam. H
            twee regels";h@example.nl;groep-3
            Fam. I;i@example.nl;groep-3;
            "Fam. J;j@example.nl;groep-3

            """
        XCTAssertThrowsError(try ClassList.read(Data(csv.utf8), file: "klas.csv", groups: groups)) { error in
            let lines = (error as! ClassListErrors).problems.map(\.description)
            XCTAssertEqual(lines, [
                "klas.csv:2: unknown group 'groep-9'; the groups in site.yaml are groep-1-2a, groep-3, groep-5, groep-8",
                "klas.csv:3: 'geen-adres' is not an e-mail address (one address per row, like naam@example.nl)",
                "klas.csv:4: the family is empty; give a label such as \"Fam. Jansen\"",
                "klas.csv:5: the e-mail address a@EXAMPLE.nl is also on line 2; one token per address",
                "klas.csv:6: has 2 fields, the header has 3; check the separators (semicolons)",
                "klas.csv:7: no group; give a group id such as groep-1-2a (several: groep-3+groep-8)",
                "klas.csv:8: unknown group 'groep-7'; the groups in site.yaml are groep-1-2a, groep-3, groep-5, groep-8",
                "klas.csv:9: the family 'Fam. H\ntwee regels' must be one line of at most 100 characters",
                "klas.csv:11: has 4 fields, the header has 3; check the separators (semicolons)",
                "klas.csv:12: a quote (\") opened here is never closed",
            ])
        }
    }

    func testChildrenWithTheirGroupsAndEveryMistakeSaid() throws {
        let csv = """
            family;email;group;family_id;children
            Fam. Jansen;jansen@example.nl;groep-3+groep-8;fam-j;Sam (groep-3), Noor ( groep-8 )
            Fam. Jansen, vader;vader@example.nl;groep-3+groep-8;fam-j;Sam (groep-3)
            Fam. Bakker;bakker@example.nl;groep-5;;Lotte
            Fam. Smit;smit@example.nl;groep-5;;

            """
        let rows = try ClassList.read(Data(csv.utf8), file: "klas.csv", groups: groups)
        XCTAssertEqual(rows.map(\.children), [
            [ClassListChild(name: "Sam", group: "groep-3"), ClassListChild(name: "Noor", group: "groep-8")],
            [ClassListChild(name: "Sam", group: "groep-3")],
            [ClassListChild(name: "Lotte", group: "groep-5")],
            nil,
        ], "the group may be left out for a family in one group; an empty field leaves the children as they are")

        let wrong = """
            family;email;group;family_id;children
            Fam. A;a@example.nl;groep-3+groep-8;;Sam
            Fam. B;b@example.nl;groep-3;;Sam (groep-5)
            Fam. C;c@example.nl;groep-3;;Sam, sam
            Fam. D;d@example.nl;groep-3;fam-d;Sam (groep-3)
            Fam. D2;d2@example.nl;groep-3+groep-5;fam-d;Sam (groep-5)
            Fam. E;e@example.nl;groep-3;;Sam) (groep-3

            """
        XCTAssertThrowsError(try ClassList.read(Data(wrong.utf8), file: "klas.csv", groups: groups)) { error in
            XCTAssertEqual((error as! ClassListErrors).problems.map(\.description), [
                "klas.csv:2: say which group Sam is in, like Sam (groep-3); this family has several",
                "klas.csv:3: Sam is in 'groep-5', which is not among this row's groups (groep-3)",
                "klas.csv:4: two children named sam; write them apart (Sam A., Sam B.) so parents can tell which one they mean",
                "klas.csv:6: Sam is in groep-5 here but in groep-3 on line 5 (same family_id)",
                "klas.csv:7: 'Sam) (groep-3' is not a child's name; write first names with their group: Sam (groep-3), Noor (groep-8)",
            ])
        }
    }

    func testHeaderProblems() {
        XCTAssertThrowsError(try ClassList.read(Data("naam,email\nA,a@b.nl\n".utf8), file: "k.csv", groups: groups)) { error in
            XCTAssertEqual((error as! ClassListErrors).problems.map(\.description), [
                "k.csv:1: unknown column 'naam'; the columns are family, email, group and optionally family_id and children",
                "k.csv:1: missing columns family, group; the first row must name the columns family, email, group",
            ])
        }
        XCTAssertThrowsError(try ClassList.read(Data([0x66, 0xE9, 0x0A]), file: "k.csv", groups: groups)) { error in
            XCTAssertTrue((error as! ClassListErrors).description.hasPrefix("k.csv: is not UTF-8 text"))
        }
        XCTAssertThrowsError(try ClassList.read(Data(), file: "k.csv", groups: groups))
    }

    func testEmailAddresses() {
        for good in ["a@b.nl", "jan.de.vries+school@mail.example.com", "o'brien@example.ie", "josé@exämple.nl"] {
            XCTAssertTrue(EmailAddress.isValid(good), good)
        }
        for bad in ["", "a", "a@b", "a@@b.nl", "a b@c.nl", "a@b.nl, c@d.nl", "a@b.nl;c@d.nl", ".a@b.nl", "a..b@c.nl",
                    "a@-b.nl", "a@b.n1", "Jan <a@b.nl>", "a@b..nl"] {
            XCTAssertFalse(EmailAddress.isValid(bad), bad)
        }
    }
}

final class LetterFolderTests: XCTestCase {
    func testPrivateFolderAndFiles() throws {
        let root = FileManager.default.temporaryDirectory.appendingPathComponent("letters-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: root, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: root) }
        let folder = try LetterFolder(root.appendingPathComponent("letters"))
        let out = try folder.write(Letter(site: Fixture.site(), record: Fixture.record()), pdf: nil, date: Date())
        func mode(_ url: URL) throws -> Int { try FileManager.default.attributesOfItem(atPath: url.path)[.posixPermissions] as! Int }
        XCTAssertEqual(try mode(folder.url), 0o700)
        XCTAssertEqual(try mode(out.html), 0o600)
        XCTAssertEqual(try mode(try XCTUnwrap(out.eml)), 0o600)
        XCTAssertEqual(try FileManager.default.contentsOfDirectory(atPath: folder.url.path).sorted(),
                       ["fam-ozdemir-1a2b3c4d.eml", "fam-ozdemir-1a2b3c4d.html"], "no temporary files left")

        // An existing folder that others can read is refused; so is a file.
        let open = root.appendingPathComponent("open")
        try FileManager.default.createDirectory(at: open, withIntermediateDirectories: false, attributes: [.posixPermissions: 0o755])
        XCTAssertThrowsError(try LetterFolder(open)) { error in
            XCTAssertTrue("\(error)".contains("others may read this folder (mode 755)"), "\(error)")
        }
        XCTAssertThrowsError(try LetterFolder(out.html))
    }
}
