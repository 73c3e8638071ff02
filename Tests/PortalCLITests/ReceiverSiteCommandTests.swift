// The receiver as web host (issue 15): `portal-receiver --site DIR` serves the release in force
// and takes a new one from `portal publish --to-receiver` only when it is signed by the school's
// publisher, for this site, newer, and every file it names has arrived. The real binaries.
import Foundation
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif
import PortalCrypto
import PortalFormat
import PortalReceiver
import PortalTestSupport
import XCTest

final class ReceiverSiteCommandTests: XCTestCase {
    private func get(_ url: String) async throws -> (Int, Data) {
        var request = URLRequest(url: URL(string: url)!)
        request.cachePolicy = .reloadIgnoringLocalCacheData
        let (data, response) = try await URLSession.shared.data(for: request)
        return ((response as? HTTPURLResponse)?.statusCode ?? 0, data)
    }

    func testPublishToTheReceiverSendsOnlyWhatItLacksAndItServesTheReleaseInForce() async throws {
        let workspace = try Workspace()
        let issued = try portal(["token", "issue", "--group", "groep-3", "--json"], in: workspace.root)
        let token = try XCTUnwrap((try JSONSerialization.jsonObject(with: Data(issued.stdout.utf8)) as? [String: String])?["token"])
        XCTAssertEqual(try portal(["generate", "--no-push"], in: workspace.root).status, 0)
        let receiver = try ReceiverProcess(workspace: workspace, arguments: ["--site", "site"])
        defer { receiver.stop() }
        try await receiver.waitUntilHealthy()
        let api = receiver.base + "/api"
        // Before any release: nothing is served.
        let (before, _) = try await get(receiver.base + "/site.json")
        XCTAssertEqual(before, 404)

        let first = try portal(["publish", "--to-receiver", api, "--receiver", api], in: workspace.root)
        XCTAssertEqual(first.status, 0, first.stderr + first.stdout)
        XCTAssertTrue(first.stdout.contains("Trust file pushed"), first.stdout)
        let sent = try XCTUnwrap(Int(try XCTUnwrap(first.stdout.firstMatch(of: /: (\d+) of (\d+) files sent/)?.1)))
        XCTAssertGreaterThan(sent, 100)
        // The receiver serves exactly what output/ holds, and a parent's keyslot opens from it.
        let output = workspace.url("output")
        let shell = try JSONDecoder().decode(ShellIndex.self, from: Data(try Data(contentsOf: output.appendingPathComponent("shell")).dropFirst(SignedDocument.headerLength)))
        for path in ["site.json", "index.html", "shell", ShellIndex.directory(shell.id) + "app.js"] {
            let (status, data) = try await get(receiver.base + "/" + path)
            XCTAssertEqual(status, 200, path)
            XCTAssertEqual(data, try Data(contentsOf: output.appendingPathComponent(path)), path)
        }
        let opener = try SealedSiteOpener(output: output, token: token)
        let (slotStatus, slot) = try await get(receiver.base + "/k/" + opener.tokenID)
        XCTAssertEqual(slotStatus, 200)
        XCTAssertEqual(slot, try Data(contentsOf: output.appendingPathComponent("k/" + opener.tokenID)))
        let (rootStatus, root) = try await get(receiver.base + "/")
        XCTAssertEqual(rootStatus, 200)
        XCTAssertEqual(root, try Data(contentsOf: output.appendingPathComponent("index.html")))

        // One edit: only its blob, its page, its index and a few lists travel.
        try workspace.write("content/news/via-de-ontvanger.md", "---\ntitle: Via de ontvanger\ndate: 2026-11-30 09:00\n---\nTekst.\n")
        XCTAssertEqual(try portal(["generate", "--no-push"], in: workspace.root).status, 0)
        let second = try portal(["publish", "--to-receiver", api, "--receiver", api], in: workspace.root)
        XCTAssertEqual(second.status, 0, second.stderr)
        let again = try XCTUnwrap(Int(try XCTUnwrap(second.stdout.firstMatch(of: /: (\d+) of (\d+) files sent/)?.1)))
        XCTAssertLessThanOrEqual(again, 9, second.stdout)
        XCTAssertGreaterThanOrEqual(again, 3, second.stdout)
        let index = try XCTUnwrap(opener.keyslot.audiences.first { $0.id == "school" }).index
        let (_, served) = try await get(receiver.base + "/" + index)
        XCTAssertEqual(served, try Data(contentsOf: output.appendingPathComponent(index)), "the new index is in force")

        // Refusals: an older or replayed release, a forged one, a parent's key, another site.
        let keystoreSeed = try XCTUnwrap(try JSONSerialization.jsonObject(with: Data(contentsOf: workspace.url("keys/keystore.json"))) as? [String: Any])
        let adminSeed = Array(try XCTUnwrap(Data(base64Encoded: try XCTUnwrap(keystoreSeed["admin_signing_seed"] as? String))))
        let admin = ReceiverClient(receiverURL: URL(string: api)!, signer: .admin(seed: adminSeed))
        let (_, inForce) = try await get(receiver.base + "/release")
        await assertRefused("stale_release") { _ = try await admin.installRelease(Array(inForce)) }
        var forged = Array(inForce)
        forged[forged.count - 2] ^= 1
        await assertRefused("invalid_release") { _ = try await admin.installRelease(forged) }
        let otherSite = Release(siteID: String(repeating: "0", count: 32), sequence: Int(Date().timeIntervalSince1970) + 100, files: [:], lists: [:], trust: "")
        await assertRefused("invalid_release") { _ = try await admin.installRelease(try otherSite.signed(seed: Array(repeating: 7, count: 32))) }
        await assertRefused("hash_mismatch") { try await admin.putSiteObject(id: String(repeating: "a", count: 64), bytes: [1, 2, 3]) }
        let seed = Array(try XCTUnwrap(Data(base64Encoded: opener.keyslot.signingSeed)))
        let parent = ReceiverClient(receiverURL: URL(string: api)!, signer: RequestSigner(tokenID: opener.tokenID, seed: seed))
        await assertRefused("admin_only") { _ = try await parent.siteMissing([String(repeating: "a", count: 64)]) }
        let (_, still) = try await get(receiver.base + "/release")
        XCTAssertEqual(still, inForce, "nothing refused changed the release in force")

        // A restarted receiver serves the release that was in force.
        receiver.stop()
        let restarted = try ReceiverProcess(workspace: workspace, arguments: ["--site", "site"])
        defer { restarted.stop() }
        try await restarted.waitUntilHealthy()
        let (status, site) = try await get(restarted.base + "/" + index)
        XCTAssertEqual(status, 200)
        XCTAssertEqual(site, try Data(contentsOf: output.appendingPathComponent(index)))
    }

    /// Files of a release no longer in force are kept for the grace period, then removed with it.
    func testFilesNoReleaseNamesAreRemovedAfterTheGracePeriod() async throws {
        let workspace = try Workspace()
        _ = try portal(["token", "issue", "--group", "groep-3"], in: workspace.root)
        XCTAssertEqual(try portal(["generate", "--no-push"], in: workspace.root).status, 0)
        let receiver = try ReceiverProcess(workspace: workspace, arguments: ["--site", "site", "--site-grace", "0"])
        defer { receiver.stop() }
        try await receiver.waitUntilHealthy()
        let api = receiver.base + "/api"
        XCTAssertEqual(try portal(["publish", "--to-receiver", api, "--receiver", api], in: workspace.root).status, 0)
        let objects = workspace.url("site/objects").path
        let before = Set(try FileManager.default.contentsOfDirectory(atPath: objects))
        try workspace.write("content/news/weg-ermee.md", "---\ntitle: Weg ermee\ndate: 2026-11-30 09:00\n---\nTekst.\n")
        XCTAssertEqual(try portal(["generate", "--no-push"], in: workspace.root).status, 0)
        XCTAssertEqual(try portal(["publish", "--to-receiver", api, "--receiver", api], in: workspace.root).status, 0)
        let after = Set(try FileManager.default.contentsOfDirectory(atPath: objects))
        let gone = before.subtracting(after)
        // The school's index, its old page and the lists that changed are gone; the rest stays.
        XCTAssertGreaterThanOrEqual(gone.count, 3)
        XCTAssertLessThan(gone.count, 10)
        XCTAssertEqual(try FileManager.default.contentsOfDirectory(atPath: workspace.url("site/releases").path).count, 1)
        let (status, _) = try await get(receiver.base + "/site.json")
        XCTAssertEqual(status, 200)
    }

    private func assertRefused(_ code: String, file: StaticString = #filePath, line: UInt = #line, _ body: () async throws -> Void) async {
        do {
            try await body()
            XCTFail("not refused", file: file, line: line)
        } catch ReceiverClientError.refused(_, let got, let message) {
            XCTAssertEqual(got, code, message, file: file, line: line)
        } catch {
            XCTFail("\(error)", file: file, line: line)
        }
    }
}
