// Forms in content/ (`forms/<slug>.md`, issue 18 point 2): what loading makes of each kind of
// question, the defaults, and every mistake a teacher can make, each at the line that makes it.
import Foundation
import PortalContent
import XCTest

final class FormContentTests: XCTestCase {
    private var folder: URL!

    override func setUpWithError() throws {
        folder = try temporarySite("portal-forms")
    }

    override func tearDownWithError() throws {
        try? FileManager.default.removeItem(at: folder)
    }

    private func write(_ relative: String, _ text: String) throws {
        let url = folder.appendingPathComponent(relative)
        try FileManager.default.createDirectory(at: url.deletingLastPathComponent(), withIntermediateDirectories: true)
        try Data(text.utf8).write(to: url)
    }

    private func problems() -> [String] {
        do {
            _ = try ContentLoader(root: folder).load()
            return []
        } catch {
            return error.problems.map(\.description)
        }
    }

    func testEveryKindOfQuestionLoadsWithItsDefaults() throws {
        try write("groups/groep-5/forms/artis.md", """
            ---
            title: Schoolreis naar Artis
            date: 2027-03-01
            deadline: 2027-03-10
            both_guardians: true
            questions:
              - yes_no: Mag uw kind mee naar Artis?
              - choice: Welke lunch?
                options: [Brood, Pasta]
              - choices: Wat neemt u mee?
                options: [Fruit, Koek, Thee]
                max: 2
              - text: Allergieën of bijzonderheden?
                id: allergie
              - shifts: Wie rijdt?
                options:
                  - label: Heen
                    places: 4
                  - label: Terug
                    places: 3
              - yes_no: Foto's op de website?
                sign: false
                required: false
            ---
            Op 20 maart gaan we naar **Artis**.
            """)
        try write("forms/kerstdiner.md", "---\ntitle: Kerstdiner\ndate: 2026-12-01\ndeadline: 2026-12-17 18:00\nper: family\nquestions:\n  - text: Wat neemt u mee?\n---\nHet kerstdiner.\n")
        let site = try ContentLoader(root: folder).load()
        let artis = try XCTUnwrap(site.items.first { $0.logicalPath == "groups/groep-5/forms/artis" })
        XCTAssertEqual(artis.kind, .form)
        XCTAssertEqual(artis.audience, .group("groep-5"))
        let form = try XCTUnwrap(artis.form)
        XCTAssertEqual(form.per, .child)
        XCTAssertTrue(form.bothGuardians)
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = TimeZone(identifier: "Europe/Amsterdam")!
        XCTAssertEqual(form.deadline, calendar.date(from: DateComponents(year: 2027, month: 3, day: 11)),
                       "a date alone: answers until the end of that day")
        XCTAssertEqual(form.questions, [
            .init(key: "mag-uw-kind-mee-naar-artis", kind: .yesNo, text: "Mag uw kind mee naar Artis?", required: true, sign: true),
            .init(key: "welke-lunch", kind: .choice, text: "Welke lunch?", required: true, options: ["Brood", "Pasta"]),
            .init(key: "wat-neemt-u-mee", kind: .choices, text: "Wat neemt u mee?", required: false, max: 2,
                  options: ["Fruit", "Koek", "Thee"]),
            .init(key: "allergie", kind: .text, text: "Allergieën of bijzonderheden?", required: false),
            .init(key: "wie-rijdt", kind: .shifts, text: "Wie rijdt?", required: false, max: 1,
                  shifts: [.init(label: "Heen", places: 4), .init(label: "Terug", places: 3)]),
            .init(key: "foto-s-op-de-website", kind: .yesNo, text: "Foto's op de website?", required: false, sign: false),
        ])
        let dinner = try XCTUnwrap(site.items.first { $0.logicalPath == "forms/kerstdiner" })
        XCTAssertEqual(dinner.audience, .school)
        XCTAssertEqual(dinner.form?.per, .family)
        XCTAssertEqual(dinner.form?.deadline, calendar.date(from: DateComponents(year: 2026, month: 12, day: 17, hour: 18)))
    }

    func testEveryMistakeIsReportedAtItsLine() throws {
        try write("forms/fout.md", """
            ---
            title: Fout
            date: 2026-12-01
            deadline: 2026-11-01
            per: iedereen
            questions:
              - yes_no: Ja?
                choice: Nee?
              - choice: Eén
                options: [A]
              - text: Tekst
                max: 3
              - shifts: Dienst
                options:
                  - label: X
                    places: 0
              - text: Tekst
              - choices: Veel
                options: [A, B, a]
                max: 5
              - text: Nog een
                sign: true
                id: Met Hoofdletters
            ---
            Fout.
            """)
        try write("forms/leeg.md", "---\ntitle: Leeg\ndate: 2026-12-01\ndeadline: 2026-12-10\nboth_guardians: true\nquestions: []\n---\nLeeg.\n")
        try write("forms/zonder.md", "---\ntitle: Zonder\ndate: 2026-12-01\n---\nZonder.\n")
        XCTAssertEqual(problems(), [
            "forms/fout.md:4: the 'deadline' (2026-11-01) must be after the form's 'date' (2026-12-01)",
            "forms/fout.md:5: 'per' must be child (one answer per child) or family (one per family), not 'iedereen'",
            "forms/fout.md:7: a question has one kind, this one has yes_no: and choice:; make them two questions",
            "forms/fout.md:10: a choice question offers 2 to 20 options, this one 1",
            "forms/fout.md:12: 'max' belongs to a choices or shifts question",
            "forms/fout.md:16: shift 'X': 'places' must be between 1 and 1000",
            "forms/fout.md:17: question 'tekst' is already asked on line 11; give one of them its own 'id:'",
            "forms/fout.md:19: option 'a' is already listed on line 19",
            "forms/fout.md:20: 'max' must be between 1 and 2 (the number of options)",
            "forms/fout.md:22: 'sign' (the parent writes their name) belongs to a yes_no question",
            "forms/fout.md:23: the question's 'id' 'Met Hoofdletters' may only contain lowercase letters, digits and '-' (at most 40)",
            "forms/leeg.md:5: 'both_guardians' asks both parents to agree, so the form needs a yes_no question",
            "forms/leeg.md:6: 'questions' is empty; ask at least one question (yes_no:, choice:, choices:, text: or shifts:)",
            "forms/zonder.md:1: missing required key 'deadline' in form front matter",
            "forms/zonder.md:1: missing required key 'questions' in form front matter",
        ])
    }
}

/// Features switched off in site.yaml (issue 20, point 1): their content is refused, one problem
/// per item (the files beside it are not reported again), and the rest loads as before.
final class FeatureContentTests: XCTestCase {
    func testContentOfAFeatureThatIsOffIsRefused() throws {
        let folder = try temporarySite("portal-features")
        defer { try? FileManager.default.removeItem(at: folder) }
        func write(_ relative: String, _ text: String) throws {
            let url = folder.appendingPathComponent(relative)
            try FileManager.default.createDirectory(at: url.deletingLastPathComponent(), withIntermediateDirectories: true)
            try Data(text.utf8).write(to: url)
        }
        let yaml = folder.appendingPathComponent("site.yaml")
        try (String(contentsOf: yaml, encoding: .utf8) + "features:\n  photos: false\n  booking: false\n  forms: false\n")
            .write(to: yaml, atomically: true, encoding: .utf8)
        try write("news/hallo.md", "---\ntitle: Hallo\ndate: 2026-12-01\n---\nHallo.\n")
        try write("albums/uitje/index.md", "---\ntitle: Uitje\ndate: 2026-12-01\n---\n")
        try write("albums/uitje/bos.jpg", "not really a jpeg")
        try write("forms/vraag.md", "---\ntitle: Vraag\ndate: 2026-12-01\ndeadline: 2026-12-10\nquestions:\n  - text: Wat?\n---\nVraag.\n")
        try write("groups/groep-5/conferences/gesprekken.md", "---\ntitle: Gesprekken\n---\n")
        do {
            _ = try ContentLoader(root: folder).load()
            XCTFail("loaded")
        } catch {
            XCTAssertEqual(error.problems.map(\.description), [
                "albums/uitje/index.md: the school has not switched on photo albums (site.yaml: features: photos: false); switch it on there, or move this file out of content/ (or rename it to start with '_')",
                "forms/vraag.md: the school has not switched on forms (site.yaml: features: forms: false); switch it on there, or move this file out of content/ (or rename it to start with '_')",
                "groups/groep-5/conferences/gesprekken.md: the school has not switched on conference booking (site.yaml: features: booking: false); switch it on there, or move this file out of content/ (or rename it to start with '_')",
            ])
        }
        for path in ["albums", "forms", "groups/groep-5/conferences"] {
            try FileManager.default.removeItem(at: folder.appendingPathComponent(path))
        }
        let site = try ContentLoader(root: folder).load()
        XCTAssertEqual(site.config.features, [.news, .calendar, .absence, .push, .posting])
        XCTAssertEqual(site.items.map(\.logicalPath), ["news/hallo"])
    }
}
