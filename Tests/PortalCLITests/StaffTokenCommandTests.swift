// `portal token issue --staff` as staff type it, and `portal inbox` reading reports sealed to a
// group's inbox keys of two epochs (a staff revocation in between), with local times.
import Foundation
import PortalCrypto
import PortalFiles
import PortalFormat
import PortalReceiver
import PortalTestSupport
import XCTest

final class StaffTokenCommandTests: XCTestCase {
    func testStaffCodesAreIssuedListedAndCheckedAsTyped() throws {
        let workspace = try Workspace()
        let noLabel = try portal(["token", "issue", "--staff", "--group", "groep-5"], in: workspace.root)
        XCTAssertNotEqual(noLabel.status, 0)
        XCTAssertTrue(noLabel.stderr.contains("--label"), noLabel.stderr)
        let officeWithGroup = try portal(["token", "issue", "--staff", "--role", "office", "--group", "groep-5", "--label", "Office"], in: workspace.root)
        XCTAssertNotEqual(officeWithGroup.status, 0)
        XCTAssertTrue(officeWithGroup.stderr.contains("every group"), officeWithGroup.stderr)
        let roleAlone = try portal(["token", "issue", "--role", "office", "--group", "groep-5"], in: workspace.root)
        XCTAssertNotEqual(roleAlone.status, 0)
        XCTAssertTrue(roleAlone.stderr.contains("--staff"), roleAlone.stderr)
        let unknown = try portal(["token", "issue", "--staff", "--group", "groep-99", "--label", "Juf X"], in: workspace.root)
        XCTAssertNotEqual(unknown.status, 0, "a group site.yaml does not list")

        let teacher = try issue(["--staff", "--group", "groep-5", "--label", "Juf Sanne"], in: workspace)
        let office = try issue(["--staff", "--role", "office", "--label", "Administratie"], in: workspace)
        let list = try run(["token", "list"], in: workspace).stdout
        let teacherLine = try XCTUnwrap(list.split(separator: "\n").first { $0.hasPrefix(teacher.id.prefix(12)) })
        XCTAssertTrue(teacherLine.contains("staff (teacher)") && teacherLine.contains("Juf Sanne"), String(teacherLine))
        let officeLine = try XCTUnwrap(list.split(separator: "\n").first { $0.hasPrefix(office.id.prefix(12)) })
        XCTAssertTrue(officeLine.contains("staff (office)") && officeLine.contains("groep-8"), "every group: \(officeLine)")
        let json = try JSONSerialization.jsonObject(with: Data(try run(["token", "list", "--json"], in: workspace).stdout.utf8)) as? [[String: Any]]
        XCTAssertEqual(json?.first { $0["id"] as? String == teacher.id }?["staff"] as? String, "teacher")
        let revoked = try run(["token", "revoke", teacher.id], in: workspace).stdout
        XCTAssertTrue(revoked.contains("inbox keys were rotated"), revoked)
    }

    func testPortalInboxReadsReportsSealedToEveryEpochOfAGroupsKey() async throws {
        let workspace = try Workspace()
        let parent = try issue(["--group", "groep-5"], in: workspace)
        let teacher = try issue(["--staff", "--group", "groep-5", "--label", "Juf Sanne"], in: workspace)
        try run(["generate"], in: workspace)
        let receiver = try ReceiverProcess(workspace: workspace)
        defer { receiver.stop() }
        try await receiver.waitUntilHealthy()

        func send(child: String) async throws -> String? {
            let opener = try SealedSiteOpener(output: workspace.url("output"), token: parent.token)
            let entry = try XCTUnwrap(opener.keyslot.inbox.first { $0.audience == "groep-5" })
            let key = Array(try XCTUnwrap(Data(base64Encoded: entry.publicKey)))
            let seed = Array(try XCTUnwrap(Data(base64Encoded: opener.keyslot.signingSeed)))
            let client = ReceiverClient(receiverURL: URL(string: receiver.base + "/api")!, signer: RequestSigner(tokenID: opener.tokenID, seed: seed))
            let day = String(RFC3339.string(from: Date()).prefix(10))
            let sealed = try AbsencePayload(child: child, reason: .ziek)
                .seal(tokenID: opener.tokenID, binding: .absence(group: "groep-5", from: day, to: day), inboxPublicKey: key, namingKey: true)
            _ = try await client.send("POST", "/v1/absences", body: Array(try JSONSerialization.data(withJSONObject: [
                "group": "groep-5", "from": day, "to": day, "sealed": sealed.jsonObject,
            ])))
            return entry.kid
        }
        let first = try await send(child: "Sam")
        // The teacher's code is revoked: groep-5's inbox key moves to epoch 2 at this generate.
        try run(["token", "revoke", teacher.id], in: workspace)
        try run(["generate"], in: workspace)
        let second = try await send(child: "Noor")
        XCTAssertNotEqual(first, second, "the second report went to the new key")

        let rows = try JSONSerialization.jsonObject(
            with: Data(try run(["inbox", "--receiver", receiver.base + "/api", "--json"], in: workspace).stdout.utf8)) as? [[String: String]]
        XCTAssertEqual(rows?.compactMap { $0["child"] }.sorted(), ["Noor", "Sam"], "\(rows ?? [])")
        XCTAssertTrue(rows?.allSatisfy { $0["error"] == nil } ?? false)
        // Local times: the example school is in Europe/Amsterdam (+01:00 in winter, +02:00 in summer).
        let received = rows?.first?["received"] ?? ""
        XCTAssertTrue(received.hasSuffix("+01:00") || received.hasSuffix("+02:00"), received)
    }
}
