// The staff commands end to end: the real binary on temporary copies of the example school.
import Foundation
import PortalContent
import PortalBuild
import PortalTrust
import XCTest
import PortalTestSupport

final class CheckCommandTests: XCTestCase {
    func testExampleSchoolIsClean() throws {
        let workspace = try Workspace()
        let result = try portal(["check"], in: workspace.root)
        XCTAssertEqual(result.status, 0, result.stderr)
        XCTAssertEqual(result.stdout, "")
        XCTAssertEqual(result.stderr, "")
    }

    func testBrokenCopyListsEveryProblemWithFileAndLine() throws {
        let workspace = try Workspace()
        try workspace.write("content/news/kapot.md", "---\ntitle: Kapot\ndate: 2026-02-30\ngrop: x\n---\nZie [dit](/news/bestaat-niet).\n")
        try workspace.write("content/groups/groep-9/news/x.md", "---\ntitle: X\ndate: 2026-10-01\n---\nTekst\n")
        let result = try portal(["check"], in: workspace.root)
        XCTAssertEqual(result.status, 1)
        let lines = result.stderr.split(separator: "\n").map(String.init)
        XCTAssertTrue(lines.contains { $0.hasPrefix("content/news/kapot.md:3: ") && $0.contains("2026-02-30") }, result.stderr)
        XCTAssertTrue(lines.contains { $0.hasPrefix("content/news/kapot.md:4: ") && $0.contains("grop") }, result.stderr)
        XCTAssertTrue(lines.contains { $0.hasPrefix("content/news/kapot.md:6: ") && $0.contains("/news/bestaat-niet") }, result.stderr)
        XCTAssertTrue(lines.contains { $0.hasPrefix("content/groups/groep-9") && $0.contains("groep-9") }, result.stderr)
        XCTAssertTrue(lines.last?.contains("problems in content") ?? false, result.stderr)
        XCTAssertEqual(result.stdout, "")
    }

    func testSchoolColourMustBeHex() throws {
        let workspace = try Workspace()
        let site = try workspace.read("content/site.yaml").replacingOccurrences(of: "colour: \"#1f6f8b\"", with: "colour: blauw")
        try workspace.write("content/site.yaml", site)
        let result = try portal(["check"], in: workspace.root)
        XCTAssertEqual(result.status, 1)
        XCTAssertTrue(result.stderr.contains("content/site.yaml:11: 'colour' must be a colour like \"#1f5f8b\""), result.stderr)
    }

    func testOtherContentFolder() throws {
        let workspace = try Workspace()
        try FileManager.default.moveItem(at: workspace.url("content"), to: workspace.url("school-b"))
        XCTAssertEqual(try portal(["check"], in: workspace.root).status, 1)
        XCTAssertEqual(try portal(["check", "--content", "school-b"], in: workspace.root).status, 0)
    }
}

final class NewCommandTests: XCTestCase {
    func testScaffoldsEachKindAndTheResultChecks() throws {
        let workspace = try Workspace()
        var result = try portal(["new", "news", "Sinterklaas komt naar school!"], in: workspace.root)
        XCTAssertEqual(result.status, 0, result.stderr)
        XCTAssertTrue(result.stdout.contains("content/news/sinterklaas-komt-naar-school.md"), result.stdout)
        XCTAssertTrue(try workspace.read("content/news/sinterklaas-komt-naar-school.md").hasPrefix("---\ntitle: \"Sinterklaas komt naar school!\"\ndate: "))

        result = try portal(["new", "event", "--group", "groep-5", "Excursie naar het museum"], in: workspace.root)
        XCTAssertEqual(result.status, 0, result.stderr)
        XCTAssertTrue(FileManager.default.fileExists(atPath: workspace.url("content/groups/groep-5/calendar/excursie-naar-het-museum.md").path))

        result = try portal(["new", "page", "Overblijven & TSO"], in: workspace.root)
        XCTAssertTrue(FileManager.default.fileExists(atPath: workspace.url("content/pages/overblijven-tso.md").path), result.stderr)

        // The scaffold's placeholder text is refused until it is replaced (it would be published).
        var checked = try portal(["check"], in: workspace.root)
        XCTAssertEqual(checked.status, 1)
        XCTAssertTrue(checked.stderr.contains("content/news/sinterklaas-komt-naar-school.md:8: still holds the text `portal new` put there"), checked.stderr)
        XCTAssertTrue(checked.stderr.contains("content/pages/overblijven-tso.md:8:"), checked.stderr)
        for path in ["content/news/sinterklaas-komt-naar-school.md", "content/pages/overblijven-tso.md"] {
            let text = try workspace.read(path)
            try workspace.write(path, text.components(separatedBy: "\n---\n")[0] + "\n---\nDe Sint komt op 5 december.\n")
        }
        checked = try portal(["check"], in: workspace.root)
        XCTAssertEqual(checked.status, 0, checked.stderr)

        // The commented attachments: lines work once their first # is taken off and the file is there.
        let news = "content/news/sinterklaas-komt-naar-school.md"
        let uncommented = try workspace.read(news).components(separatedBy: "\n").map { line in
            line.hasPrefix("# attachments:") || line.hasPrefix("#   - file:") || line.hasPrefix("#     title:") ? String(line.dropFirst(2)) : line
        }.joined(separator: "\n")
        XCTAssertTrue(uncommented.contains("\nattachments:"), uncommented)
        try workspace.write(news, uncommented)
        checked = try portal(["check"], in: workspace.root)
        XCTAssertTrue(checked.stderr.contains("nieuwsbrief.pdf"), "the file is not there yet: \(checked.stderr)")
        try FileManager.default.copyItem(at: workspace.url("content/news/kerstdiner-intekenlijst.pdf"), to: workspace.url("content/news/nieuwsbrief.pdf"))
        checked = try portal(["check"], in: workspace.root)
        XCTAssertEqual(checked.status, 0, checked.stderr)

        // An album needs photos before it checks: the error says so.
        result = try portal(["new", "album", "Schoolreis 2027"], in: workspace.root)
        XCTAssertEqual(result.status, 0, result.stderr)
        let check = try portal(["check"], in: workspace.root)
        XCTAssertEqual(check.status, 1)
        XCTAssertTrue(check.stderr.contains("content/albums/schoolreis-2027/index.md"), check.stderr)
    }

    func testAConferenceScaffoldExplainsItselfAndBecomesBookableSlots() throws {
        let workspace = try Workspace()
        var result = try portal(["new", "conference", "Oudergesprekken maart"], in: workspace.root)
        XCTAssertNotEqual(result.status, 0)
        XCTAssertTrue(result.stderr.contains("a conference belongs to a group: add --group"), result.stderr)
        result = try portal(["new", "conference", "--group", "groep-5", "Oudergesprekken maart"], in: workspace.root)
        XCTAssertEqual(result.status, 0, result.stderr)
        let path = "content/groups/groep-5/conferences/oudergesprekken-maart.md"
        let text = try workspace.read(path)
        XCTAssertTrue(text.contains("slot_minutes: 10            # length of one talk"), text)
        // Its one placeholder line is refused like any other; replaced, the schedule checks.
        var checked = try portal(["check"], in: workspace.root)
        XCTAssertEqual(checked.status, 1)
        XCTAssertTrue(checked.stderr.contains("\(path):"), checked.stderr)
        XCTAssertTrue(checked.stderr.contains("still holds the text `portal new` put there"), checked.stderr)
        try workspace.write(path, text.replacingOccurrences(of: Placeholders.conference, with: "Tot dan!"))
        checked = try portal(["check"], in: workspace.root)
        XCTAssertEqual(checked.status, 0, checked.stderr)
        // Generated, it is a schedule of the receiver's trust file: 14 talks on the first evening
        // (18:30-21:00 without the break), 12 on the second.
        XCTAssertEqual(try portal(["generate", "--no-push"], in: workspace.root).status, 0)
        let trust = try JSONSerialization.jsonObject(with: Data(try workspace.read("keys/trust.json").utf8)) as? [String: Any]
        let schedules = try XCTUnwrap(trust?["schedules"] as? [[String: Any]])
        XCTAssertTrue(schedules.contains { ($0["slots"] as? [Any])?.count == 26 && $0["audience"] as? String == "groep-5" },
                      "\(schedules.map { ($0["slots"] as? [Any])?.count ?? 0 })")
    }

    func testAFormScaffoldChecksOnceItsTextIsWrittenAndListsItsQuestions() throws {
        let workspace = try Workspace()
        var result = try portal(["new", "form", "--group", "groep-5", "Schoolreis naar Artis"], in: workspace.root)
        XCTAssertEqual(result.status, 0, result.stderr)
        let path = "content/groups/groep-5/forms/schoolreis-naar-artis.md"
        var text = try workspace.read(path)
        var checked = try portal(["check"], in: workspace.root)
        XCTAssertEqual(checked.status, 1)
        XCTAssertTrue(checked.stderr.contains("\(path):") && checked.stderr.contains("still holds the text `portal new` put there"), checked.stderr)
        // The commented shifts question checks too once its first `# ` is taken off.
        text = text.replacingOccurrences(of: Placeholders.form, with: "We gaan naar Artis.")
            .components(separatedBy: "\n").map { $0.hasPrefix("  # ") ? "  " + $0.dropFirst(4) : $0 }.joined(separator: "\n")
        try workspace.write(path, text)
        checked = try portal(["check"], in: workspace.root)
        XCTAssertEqual(checked.status, 0, checked.stderr)
        result = try portal(["generate", "--no-push"], in: workspace.root)
        XCTAssertEqual(result.status, 0, result.stderr)
        let trust = try JSONSerialization.jsonObject(with: Data(try workspace.read("keys/trust.json").utf8)) as? [String: Any]
        // The example school's own groep-5 form asks no shifts; this one does.
        let form = try XCTUnwrap((trust?["forms"] as? [[String: Any]])?.first {
            $0["audience"] as? String == "groep-5" && !(($0["shift_questions"] as? [Any]) ?? []).isEmpty
        })
        XCTAssertEqual(form["per"] as? String, "child")
        let questions = try XCTUnwrap(form["shift_questions"] as? [[String: Any]])
        XCTAssertEqual(questions.first?["max"] as? Int, 1)
        XCTAssertEqual((questions.first?["shifts"] as? [[String: Any]])?.map { $0["places"] as? Int }, [4])
        XCTAssertNil(String(data: try JSONSerialization.data(withJSONObject: form), encoding: .utf8)?.range(of: "Rijden"),
                     "the trust file names shifts by opaque id, never by label")
    }

    func testRefusesUnknownGroupAndExistingFile() throws {
        let workspace = try Workspace()
        var result = try portal(["new", "news", "--group", "groep-12", "Hallo"], in: workspace.root)
        XCTAssertNotEqual(result.status, 0)
        XCTAssertTrue(result.stderr.contains("unknown group 'groep-12'"), result.stderr)
        XCTAssertEqual(try portal(["new", "news", "Hallo"], in: workspace.root).status, 0)
        result = try portal(["new", "news", "Hallo"], in: workspace.root)
        XCTAssertNotEqual(result.status, 0)
        XCTAssertTrue(result.stderr.contains("already exists"), result.stderr)
    }
}

final class TokenAndGenerateCommandTests: XCTestCase {
    func testIssueGenerateListRevoke() throws {
        let workspace = try Workspace()
        let issued = try portal(["token", "issue", "--group", "groep-3", "--group", "groep-8", "--label", "Fam. Test", "--json"], in: workspace.root)
        XCTAssertEqual(issued.status, 0, issued.stderr)
        let json = try JSONSerialization.jsonObject(with: Data(issued.stdout.utf8)) as? [String: String]
        let token = try XCTUnwrap(json?["token"])
        let id = try XCTUnwrap(json?["id"])
        XCTAssertEqual(token.count, 39)
        XCTAssertEqual(id.count, 32)
        let mode = try FileManager.default.attributesOfItem(atPath: workspace.url("keys").path)[.posixPermissions] as? Int
        XCTAssertEqual(mode, 0o700)

        let generated = try portal(["generate"], in: workspace.root)
        XCTAssertEqual(generated.status, 0, generated.stderr)
        XCTAssertTrue(generated.stdout.hasPrefix("Generated 9 audiences"), generated.stdout)
        XCTAssertTrue(FileManager.default.fileExists(atPath: workspace.url("output/k/\(id)").path))
        let opener = try SealedSiteOpener(output: workspace.url("output"), token: token.lowercased())
        XCTAssertEqual(opener.keyslot.audiences.map(\.id), ["school", "groep-3", "groep-8"])

        XCTAssertTrue(try portal(["generate"], in: workspace.root).stdout.hasPrefix("Nothing changed"))

        let listed = try portal(["token", "list", "--json"], in: workspace.root)
        let rows = try JSONSerialization.jsonObject(with: Data(listed.stdout.utf8)) as? [[String: Any]]
        XCTAssertEqual(rows?.first?["id"] as? String, id)
        XCTAssertEqual(rows?.first?["status"] as? String, "active")
        XCTAssertFalse(listed.stdout.contains(token), "token list must not print the secret token")

        XCTAssertEqual(try portal(["token", "revoke", String(id.prefix(8))], in: workspace.root).status, 0)
        XCTAssertEqual(try portal(["generate"], in: workspace.root).status, 0)
        XCTAssertFalse(FileManager.default.fileExists(atPath: workspace.url("output/k/\(id)").path))
        XCTAssertTrue(try portal(["token", "list"], in: workspace.root).stdout.contains("revoked"))
    }

    func testGenerateWithBrokenContentWritesNothing() throws {
        let workspace = try Workspace()
        try workspace.write("content/news/kapot.md", "---\ntitle: \ndate: 2026-10-01\n---\n")
        let result = try portal(["generate"], in: workspace.root)
        XCTAssertEqual(result.status, 1)
        XCTAssertTrue(result.stderr.contains("content/news/kapot.md:2: "), result.stderr)
        XCTAssertFalse(FileManager.default.fileExists(atPath: workspace.url("output").path))
    }

    func testTokenIssueValidatesInput() throws {
        let workspace = try Workspace()
        XCTAssertNotEqual(try portal(["token", "issue"], in: workspace.root).status, 0)
        let bad = try portal(["token", "issue", "--group", "groep-3", "--expires", "2027-02-30"], in: workspace.root)
        XCTAssertNotEqual(bad.status, 0)
        XCTAssertTrue(bad.stderr.contains("2027-02-30"), bad.stderr)
        let revoke = try portal(["token", "revoke", "abcdef123456"], in: workspace.root)
        XCTAssertNotEqual(revoke.status, 0)
    }

    /// A group that site.yaml does not list is refused when the token is issued, not at the next
    /// generate (which then stopped for every family), and nothing is written to the keystore.
    func testTokenIssueRefusesAGroupThatIsNotInSiteYAML() throws {
        let workspace = try Workspace()
        let refused = try portal(["token", "issue", "--group", "groep-3", "--group", "groep-99"], in: workspace.root)
        XCTAssertEqual(refused.status, 1)
        XCTAssertTrue(refused.stderr.contains("'groep-99' is not a group in "), refused.stderr)
        XCTAssertTrue(refused.stderr.contains("its groups are: groep-1-2a, "), refused.stderr)
        XCTAssertTrue(refused.stderr.hasSuffix("Nothing was issued.\n"), refused.stderr)
        XCTAssertFalse(FileManager.default.fileExists(atPath: workspace.url("keys/keystore.json").path), "nothing issued")
        // `--content` names another school's folder, like every other command.
        try FileManager.default.moveItem(at: workspace.url("content"), to: workspace.url("school"))
        let elsewhere = try portal(["token", "issue", "--group", "groep-3", "--content", "school"], in: workspace.root)
        XCTAssertEqual(elsewhere.status, 0, elsewhere.stderr)
        let missing = try portal(["token", "issue", "--group", "groep-3"], in: workspace.root)
        XCTAssertEqual(missing.status, 1, "no site.yaml to check the group against")
        XCTAssertTrue(missing.stderr.contains("Nothing was issued."), missing.stderr)
    }

    /// Family ids are opaque: the trust file (and so the receiver) never holds a surname, two
    /// households called Jansen never share a booking limit, and parents of one household share
    /// one through `--same-family-as` or a class list's `family_id` (issue 12 point 9).
    func testFamilyIDsAreOpaque() throws {
        let workspace = try Workspace()
        func issued(_ arguments: [String]) throws -> [String: String] {
            let result = try portal(["token", "issue", "--group", "groep-5", "--json"] + arguments, in: workspace.root)
            XCTAssertEqual(result.status, 0, result.stderr)
            return try XCTUnwrap(try JSONSerialization.jsonObject(with: Data(result.stdout.utf8)) as? [String: String])
        }
        let mother = try issued(["--label", "Fam. Jansen"])
        let father = try issued(["--label", "Fam. Jansen (vader)", "--same-family-as", String(mother["id"]!.prefix(8))])
        let otherJansen = try issued(["--label", "Fam. Jansen"])
        try workspace.write("klas.csv", "family,email,group,family_id\nFam. de Boer,moeder@example.nl,groep-5,deboer\nFam. de Boer,vader@example.nl,groep-3,deboer\n")
        XCTAssertEqual(try portal(["token", "import", "klas.csv"], in: workspace.root).status, 0)
        XCTAssertEqual(try portal(["generate"], in: workspace.root).status, 0)
        let trust = try TrustFile.load(from: workspace.url("keys/trust.json"))
        let family = Dictionary(uniqueKeysWithValues: trust.tokens.map { ($0.id, $0.family) })
        XCTAssertEqual(family[mother["id"]!], family[father["id"]!])
        XCTAssertNotEqual(family[mother["id"]!], family[otherJansen["id"]!], "two households of one name")
        let boer = trust.tokens.filter { !(family[$0.id] == family[mother["id"]!] || $0.id == otherJansen["id"]) }
        XCTAssertEqual(boer.count, 2)
        XCTAssertEqual(Set(boer.map(\.family)).count, 1, "one family_id in the class list, one household")
        for id in trust.tokens.map(\.family) { XCTAssertNotNil(id.range(of: "^[0-9a-f]{16}$", options: .regularExpression), id) }
        let text = try String(contentsOf: workspace.url("keys/trust.json"), encoding: .utf8).lowercased()
        XCTAssertFalse(text.contains("jansen") || text.contains("boer"), "no name in the trust file")
        XCTAssertEqual(try portal(["token", "issue", "--group", "groep-5", "--same-family-as", "ffffffff"], in: workspace.root).status, 1,
                       "an unknown token id is refused")
    }

    /// Dates staff type and the default expiry follow site.yaml's time zone (a school on Curaçao
    /// is 5 or 6 hours behind Amsterdam), not a hard-coded Europe/Amsterdam.
    func testTokenDatesFollowTheSchoolsTimeZone() throws {
        let workspace = try Workspace()
        let siteYAML = try workspace.read("content/site.yaml").replacingOccurrences(
            of: "timezone: Europe/Amsterdam", with: "timezone: America/Curacao")
        try workspace.write("content/site.yaml", siteYAML)
        XCTAssertEqual(try portal(["token", "issue", "--group", "groep-3", "--expires", "2027-07-31"], in: workspace.root).status, 0)
        XCTAssertEqual(try portal(["token", "issue", "--group", "groep-5"], in: workspace.root).status, 0)
        let listed = try portal(["token", "list", "--json"], in: workspace.root)
        let rows = try XCTUnwrap(try JSONSerialization.jsonObject(with: Data(listed.stdout.utf8)) as? [[String: Any]])
        XCTAssertEqual(rows.map { $0["expires"] as? String }, ["2027-08-01T04:00:00Z", "2027-08-01T04:00:00Z"],
                       "the end of 31 July at the school, and the default: 1 August 00:00 there (UTC-4)")
        XCTAssertTrue(try portal(["token", "list"], in: workspace.root).stdout.contains("until 2027-07-31"))
    }
}

final class ServerCommandTests: XCTestCase {
    func testServeSendsTheSiteWithSecurityHeaders() throws {
        let workspace = try Workspace()
        XCTAssertEqual(try portal(["generate"], in: workspace.root).status, 0)
        let server = try ServerProcess(["serve"], in: workspace.root)
        defer { server.stop() }
        let index = try server.get("/")
        XCTAssertEqual(index.status, 200)
        XCTAssertTrue(String(decoding: index.body, as: UTF8.self).contains("<script type=\"module\""))
        XCTAssertEqual(index.headers["referrer-policy"], "no-referrer")
        XCTAssertTrue(index.headers["content-security-policy"]?.contains("script-src 'self'") ?? false)
        XCTAssertEqual(try server.get("/site.json").status, 200)
        XCTAssertEqual(try server.get("/k/0123456789abcdef0123456789abcdef").status, 404)
    }

    func testPreviewRendersEveryAudienceInMemory() throws {
        let workspace = try Workspace()
        let server = try ServerProcess(["preview"], in: workspace.root)
        defer { server.stop() }
        let group = try server.get("/a/groep-5/")
        XCTAssertEqual(group.status, 200)
        let html = String(decoding: group.body, as: UTF8.self)
        XCTAssertTrue(html.contains("Groep 5"), html)
        XCTAssertTrue(html.contains("/a/groep-5/item/groups/groep-5/"), "group items are listed")
        XCTAssertTrue(html.contains("/a/groep-5/item/news/"), "school items are listed too")
        for audience in ["school", "groep-1-2a", "groep-1-2b", "groep-3", "groep-4", "groep-6", "groep-7", "groep-8"] {
            XCTAssertEqual(try server.get("/a/\(audience)/").status, 200, audience)
        }
        let item = try server.get("/a/school/item/pages/schoolgids")
        XCTAssertEqual(item.status, 200)
        XCTAssertTrue(String(decoding: item.body, as: UTF8.self).contains("<table>"))
        XCTAssertEqual(try server.get("/a/groep-3/item/groups/groep-5/news/does-not-exist").status, 404)
        XCTAssertFalse(FileManager.default.fileExists(atPath: workspace.url("output").path), "preview writes nothing")

        // An edit shows on the next request; an item with a problem is named above the rest.
        try workspace.write("content/news/kapot.md", "---\ntitle: Kapot\n---\n")
        let broken = try server.get("/a/school/")
        XCTAssertEqual(broken.status, 200)
        XCTAssertTrue(String(decoding: broken.body, as: UTF8.self).contains("news/kapot.md"))
        XCTAssertTrue(String(decoding: broken.body, as: UTF8.self).contains("Nog niet in het voorbeeld"))
        // A problem in site.yaml leaves nothing to show: an error page.
        try workspace.write("content/site.yaml", try workspace.read("content/site.yaml") + "\nname: [\n")
        XCTAssertEqual(try server.get("/a/school/").status, 500)
    }
}
