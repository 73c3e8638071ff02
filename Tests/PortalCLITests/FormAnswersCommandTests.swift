// `portal answers` on the school's computer (issue 18, points 3 and 5): answers sealed as the app
// seals them reach a real portal-receiver; the command opens them with the keystore and prints per
// child the answer that counts, the other guardian's when it differs, whether both agreed on a
// `both_guardians` form, who has not answered, and who took which shift (by label).
import Foundation
import PortalCrypto
import PortalFormat
import PortalKeys
import PortalReceiver
import PortalTestSupport
import XCTest

final class FormAnswersCommandTests: XCTestCase {
    static let list = """
        family;email;group;family_id;children
        Fam. Kaya, moeder;kaya.m@example.nl;groep-5;fam-kaya;Can
        Fam. Kaya, vader;kaya.v@example.nl;groep-5;fam-kaya;Can
        Fam. Smit;smit@example.nl;groep-5;fam-smit;Sam
        """

    func testBothGuardiansTheOthersAnswerTheMissingAndTheShifts() async throws {
        let workspace = try Workspace()
        try workspace.write("klas.csv", Self.list)
        XCTAssertEqual(try portal(["token", "import", "klas.csv"], in: workspace.root).status, 0)
        try workspace.write("content/groups/groep-5/forms/zwemles.md", """
            ---
            title: Zwemles
            date: 2026-12-01
            deadline: 2031-01-10
            both_guardians: true
            questions:
              - yes_no: Mag uw kind meedoen met de zwemles?
                id: mee
              - shifts: Wie rijdt?
                id: rijden
                options:
                  - label: Heen
                    places: 2
            ---
            De zwemles begint in januari.
            """)
        XCTAssertEqual(try portal(["generate", "--no-push"], in: workspace.root).status, 0)
        let receiver = try ReceiverProcess(workspace: workspace)
        defer { receiver.stop() }
        try await receiver.waitUntilHealthy()
        let store = try Keystore.open(at: workspace.url("keys"))
        let path = "groups/groep-5/forms/zwemles"
        let form = store.masterKey.formID(logicalPath: path)
        let heen = store.masterKey.shiftID(logicalPath: path, question: "rijden", label: "Heen")
        let records = Dictionary(store.tokens().map { ($0.label ?? "", $0) }, uniquingKeysWith: { a, _ in a })

        func answer(_ label: String, _ yes: Bool, guardian: String, shifts: [String] = []) async throws {
            let record = try XCTUnwrap(records[label])
            let child = try XCTUnwrap(store.children(ofFamily: record.family).first)
            let slot = try SealedSiteOpener(output: workspace.url("output"), token: record.token).keyslot
            let inbox = Array(try XCTUnwrap(Data(base64Encoded: try XCTUnwrap(slot.inbox.first { $0.audience == "groep-5" }).publicKey)))
            let payload = AnswerPayload(child: child.name, guardian: guardian, answers: ["mee": .yes(yes), "rijden": .list(shifts)])
            let binding = PayloadBinding.answer(form: form, child: child.id, shifts: shifts)
            let request = AnswerRequest(
                child: child.id, shifts: shifts,
                sealed: try payload.seal(tokenID: record.id, binding: binding, inboxPublicKey: inbox, namingKey: true),
                copy: try payload.sealCopy(tokenID: record.id, binding: binding,
                                           familyKey: Array(try XCTUnwrap(Data(base64Encoded: try XCTUnwrap(slot.familyKey))))))
            let client = ReceiverClient(
                receiverURL: URL(string: receiver.base + "/api")!,
                signer: RequestSigner(tokenID: record.id, seed: Array(try XCTUnwrap(Data(base64Encoded: slot.signingSeed)))))
            _ = try await client.send("POST", "/v1/forms/\(form)/answers", body: Array(try JSONEncoder().encode(request)))
        }
        func report() throws -> [String: Any] {
            let result = try portal(["answers", path, "--receiver", receiver.base + "/api", "--json"], in: workspace.root)
            XCTAssertEqual(result.status, 0, result.stderr)
            return try XCTUnwrap(try JSONSerialization.jsonObject(with: Data(result.stdout.utf8)) as? [String: Any])
        }

        try await answer("Fam. Kaya, moeder", true, guardian: "Ayse Kaya", shifts: [heen])
        var json = try report()
        var rows = try XCTUnwrap(json["answers"] as? [[String: Any]])
        XCTAssertEqual(rows.count, 1)
        XCTAssertEqual(rows[0]["child"] as? String, "Can")
        XCTAssertEqual(rows[0]["family"] as? String, "Fam. Kaya")
        XCTAssertEqual(rows[0]["by"] as? String, "Fam. Kaya, moeder")
        XCTAssertEqual(rows[0]["both_agreed"] as? Bool, false, "one parent so far")
        XCTAssertEqual(rows[0]["answers"] as? NSDictionary, ["mee": true, "rijden": ["Heen"]] as NSDictionary)
        XCTAssertEqual((json["missing"] as? [[String: String]])?.map { $0["child"] }, ["Sam"])
        XCTAssertEqual((json["shifts"] as? [[String: Any]])?.first?["taken"] as? [String], ["Can (Fam. Kaya)"])

        // The father says no: his answer counts now, the mother's stays visible beside it.
        try await answer("Fam. Kaya, vader", false, guardian: "Emre Kaya")
        json = try report()
        rows = try XCTUnwrap(json["answers"] as? [[String: Any]])
        XCTAssertEqual(rows[0]["guardian"] as? String, "Emre Kaya")
        XCTAssertEqual(rows[0]["both_agreed"] as? Bool, false)
        let others = try XCTUnwrap(rows[0]["others"] as? [[String: Any]])
        XCTAssertEqual(others.map { $0["by"] as? String }, ["Fam. Kaya, moeder"])
        XCTAssertEqual((others[0]["answers"] as? [String: Any])?["mee"] as? Bool, true)
        XCTAssertEqual((json["shifts"] as? [[String: Any]])?.first?["taken"] as? [String], [],
                       "the latest answer took no shift: the family gave its place back")

        // He changes his mind: both parents agree now, and the CSV says so.
        try await answer("Fam. Kaya, vader", true, guardian: "Emre Kaya")
        rows = try XCTUnwrap(try report()["answers"] as? [[String: Any]])
        XCTAssertEqual(rows[0]["both_agreed"] as? Bool, true)
        let csv = try portal(["answers", path, "--receiver", receiver.base + "/api", "--csv"], in: workspace.root).stdout
        XCTAssertTrue(csv.hasPrefix("family,child,guardian,by,received,mee,rijden,both_agreed,other_answers\n"), csv)
        XCTAssertTrue(csv.contains("Fam. Kaya,Can,Emre Kaya,\"Fam. Kaya, vader\","), csv)
        XCTAssertTrue(csv.contains(",ja,,ja,"), csv)
        XCTAssertTrue(csv.contains("\nFam. Smit,Sam,"), "who has not answered is a row too: \(csv)")
        let summary = try portal(["answers", "--receiver", receiver.base + "/api"], in: workspace.root).stdout
        XCTAssertTrue(summary.contains("Zwemles (groups/groep-5/forms/zwemles, until 2031-01-11T00:00:00+01:00): 1 of 2 children answered"), summary)
    }

    /// A staff command of a feature the school has switched off says so instead of listing
    /// (issue 20, point 1); no receiver is asked.
    func testStaffCommandsOfAFeatureThatIsOffSaySo() throws {
        let workspace = try Workspace()
        let yaml = try workspace.read("content/site.yaml")
        try workspace.write("content/site.yaml", yaml + "\nfeatures:\n  absence: false\n  booking: false\n  forms: false\n")
        for (command, name) in [("inbox", "absence reports (site.yaml: features: absence: false)"),
                                ("bookings", "conference booking (site.yaml: features: booking: false)"),
                                ("answers", "forms (site.yaml: features: forms: false)")] {
            let result = try portal([command, "--receiver", "http://127.0.0.1:9"], in: workspace.root)
            XCTAssertEqual(result.status, 0, result.stderr)
            XCTAssertEqual(result.stdout, "The school has not switched on \(name): nothing to list.\n")
        }
    }
}
