// Issue 12 through the real binaries: `portal generate` pushes the trust file so a revocation
// reaches a running portal-receiver without touching the server; `portal inbox` reads every page;
// portal-receiver refuses --trust-forwarded-for with --static; `portal serve` hangs up on slow clients.
import Foundation
import PortalBuild
import PortalCrypto
import PortalReceiver
import XCTest
#if canImport(FoundationNetworking)
import FoundationNetworking
import PortalTestSupport
import PortalFormat
#endif

final class ReceiverHardeningCommandTests: XCTestCase {
    func issue(_ group: String, in workspace: Workspace) throws -> Issued {
        try issue(["--group", group], in: workspace)
    }

    func parentClient(_ issued: Issued, workspace: Workspace, base: String) throws -> (ReceiverClient, SealedSiteOpener) {
        let opener = try SealedSiteOpener(output: workspace.url("output"), token: issued.token)
        let seed = Array(try XCTUnwrap(Data(base64Encoded: opener.keyslot.signingSeed)))
        return (ReceiverClient(receiverURL: URL(string: base + "/api")!, signer: RequestSigner(tokenID: opener.tokenID, seed: seed)), opener)
    }

    func reportAbsence(_ client: ReceiverClient, _ opener: SealedSiteOpener, group: String, note: String = "Koorts") async throws {
        let inbox = Array(try XCTUnwrap(Data(base64Encoded: opener.site.inboxPublicKey)))
        let today = String(ISO8601DateFormatter().string(from: Date()).prefix(10))
        let sealed = try AbsencePayload(child: "Sam", reason: .ziek, note: note)
            .seal(tokenID: opener.tokenID, binding: .absence(group: group, from: today, to: today), inboxPublicKey: inbox)
        let body = try JSONSerialization.data(
            withJSONObject: ["group": group, "from": today, "to": today, "sealed": sealed.jsonObject], options: [.sortedKeys])
        _ = try await client.send("POST", "/v1/absences", body: Array(body))
    }

    func refusalCode(_ work: () async throws -> Void) async -> String? {
        do {
            try await work()
            return nil
        } catch ReceiverClientError.refused(_, let code, _) {
            return code
        } catch {
            return "\(error)"
        }
    }

    // MARK: - Point 2: revoke + generate reaches the receiver

    func testRevokeAndGenerateRefusesTheTokenAtOnceWithoutTouchingTheServer() async throws {
        let workspace = try Workspace()
        let leaving = try issue("groep-5", in: workspace)
        let staying = try issue("groep-5", in: workspace)
        // No receiver yet: generate succeeds and says plainly that nothing was pushed.
        let first = try run(["generate"], in: workspace)
        XCTAssertTrue(first.stdout.contains("trust file was NOT pushed"), first.stdout + first.stderr)

        // The server's own copy of the trust file, as after the first deployment.
        try FileManager.default.copyItem(at: workspace.url("keys/trust.json"), to: workspace.url("server-trust.json"))
        let receiver = try ReceiverProcess(workspace: workspace, trust: "server-trust.json")
        defer { receiver.stop() }
        try await receiver.waitUntilHealthy()
        let (leavingClient, leavingOpener) = try parentClient(leaving, workspace: workspace, base: receiver.base)
        let (stayingClient, stayingOpener) = try parentClient(staying, workspace: workspace, base: receiver.base)
        try await reportAbsence(leavingClient, leavingOpener, group: "groep-5")

        try run(["token", "revoke", leaving.id], in: workspace)
        let second = try run(["generate", "--receiver", receiver.base + "/api"], in: workspace)
        XCTAssertTrue(second.stdout.contains("Trust file pushed to \(receiver.base)/api"), second.stdout + second.stderr)

        // The very next request of the revoked token is refused; nobody copied a file or sent SIGHUP.
        let code = await refusalCode { try await self.reportAbsence(leavingClient, leavingOpener, group: "groep-5") }
        XCTAssertEqual(code, "unknown_token")
        try await reportAbsence(stayingClient, stayingOpener, group: "groep-5")
        // The receiver persisted it: its own file now is the staff's file.
        XCTAssertEqual(try Data(contentsOf: workspace.url("server-trust.json")), try Data(contentsOf: workspace.url("keys/trust.json")))

        // A no-op build whose trust file is already on the receiver does not push again.
        let noop = try run(["generate", "--receiver", receiver.base + "/api"], in: workspace)
        XCTAssertTrue(noop.stdout.hasPrefix("Nothing changed"), noop.stdout)
        XCTAssertFalse(noop.stdout.contains("pushed"), noop.stdout)

        // A push that failed is retried by the next generate, even a no-op one.
        try run(["token", "revoke", staying.id], in: workspace)
        let unreachable = "http://127.0.0.1:\(try ReceiverProcess.freePort())/api"
        let failed = try run(["generate", "--receiver", unreachable], in: workspace)
        XCTAssertTrue(failed.stdout.contains("trust file was NOT pushed to \(unreachable)"), failed.stdout)
        let value1 = await refusalCode { try await self.reportAbsence(stayingClient, stayingOpener, group: "groep-5") }
        XCTAssertNil(value1,
                     "the receiver has not heard of the revocation yet")
        let retried = try run(["generate", "--receiver", receiver.base + "/api"], in: workspace)
        XCTAssertTrue(retried.stdout.hasPrefix("Nothing changed"), retried.stdout)
        XCTAssertTrue(retried.stdout.contains("Trust file pushed"), retried.stdout)
        let stayingCode = await refusalCode { try await self.reportAbsence(stayingClient, stayingOpener, group: "groep-5") }
        XCTAssertEqual(stayingCode, "unknown_token")

        // --no-push leaves the receiver alone and says so.
        let skipped = try run(["generate", "--no-push"], in: workspace)
        XCTAssertFalse(skipped.stdout.contains("pushed to"), skipped.stdout)

        // SIGHUP keeps working.
        receiver.reload()
        try await Task.sleep(nanoseconds: 300_000_000)
        let value2 = try await receiver.healthy()
        XCTAssertEqual(value2, true)
    }

    // MARK: - Point 4: portal inbox reads every page

    func testInboxShowsTheRealReportBehindAFullPage() async throws {
        let workspace = try Workspace()
        let spammer = try issue("groep-5", in: workspace)
        let parent = try issue("groep-3", in: workspace)
        try run(["generate", "--no-push"], in: workspace)
        let receiver = try ReceiverProcess(
            workspace: workspace, arguments: ["--admin-page-limit", "3", "--token-rate", "0"])
        defer { receiver.stop() }
        try await receiver.waitUntilHealthy()
        let (spamClient, spamOpener) = try parentClient(spammer, workspace: workspace, base: receiver.base)
        for n in 0..<7 { try await reportAbsence(spamClient, spamOpener, group: "groep-5", note: "spam \(n)") }
        try await Task.sleep(nanoseconds: 5_000_000)
        let (client, opener) = try parentClient(parent, workspace: workspace, base: receiver.base)
        try await reportAbsence(client, opener, group: "groep-3", note: "Echt ziek")

        let inbox = try run(["inbox", "--receiver", receiver.base + "/api", "--json"], in: workspace)
        let rows = try XCTUnwrap(try JSONSerialization.jsonObject(with: Data(inbox.stdout.utf8)) as? [[String: String]])
        XCTAssertEqual(rows.count, 8, inbox.stdout)
        XCTAssertTrue(rows.contains { $0["note"] == "Echt ziek" }, "the real report is shown")
    }

    // MARK: - Point 5: options that cannot be safe, slow clients of portal serve

    func testReceiverRefusesTrustForwardedForTogetherWithStatic() throws {
        let workspace = try Workspace()
        _ = try issue("groep-5", in: workspace)
        try run(["generate", "--no-push"], in: workspace)
        let result = try portalReceiver(
            ["--trust", "keys/trust.json", "--db", "receiver.sqlite", "--listen", "127.0.0.1:0", "--static", "output",
             "--trust-forwarded-for"], in: workspace.root)
        XCTAssertNotEqual(result.status, 0)
        XCTAssertTrue(result.stderr.contains("--trust-forwarded-for cannot be used with --static"), result.stderr)
    }

    func testServeHangsUpOnAHalfSentRequest() throws {
        let workspace = try Workspace()
        try run(["generate", "--no-push"], in: workspace)
        let server = try ServerProcess(["serve", "--request-timeout", "1"], in: workspace.root)
        defer { server.stop() }
        XCTAssertEqual(try server.get("/site.json").status, 200)
        let connection = try RawConnection(port: RawConnection.port(of: server.baseURL), readTimeout: 6)
        XCTAssertTrue(connection.send("GET /index.html HTTP/1.1\r\nHost: 127.0.0.1\r\nAccept: te"))
        let (_, end, seconds) = connection.readToEnd()
        XCTAssertEqual(end, .closed)
        XCTAssertLessThan(seconds, 3.5)
    }
}

extension ReceiverProcess {
    func healthy() async throws -> Bool {
        let (_, response) = try await URLSession.shared.data(from: URL(string: base + "/healthz")!)
        return (response as? HTTPURLResponse)?.statusCode == 200
    }
}
