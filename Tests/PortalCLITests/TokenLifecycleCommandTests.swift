// The token lifecycle as staff run it: the registration week through a real portal-receiver and
// `portal sync`, `portal token reissue`, and the new school year with `portal rotate`.
import Foundation
import PortalBuild
import PortalCrypto
import PortalFormat
import PortalReceiver
import XCTest
#if canImport(FoundationNetworking)
import FoundationNetworking
import PortalTestSupport
#endif

final class TokenLifecycleCommandTests: XCTestCase {
    // MARK: - Registration week

    func testRegistrationWeekSyncAndGenerateDropTheUnregisteredToken() async throws {
        let workspace = try Workspace()
        let registered = try issue(["--group", "groep-3", "--label", "Fam. Aydin"], in: workspace)
        let unregistered = try issue(["--group", "groep-3", "--label", "Fam. Bakker"], in: workspace)
        try run(["generate"], in: workspace)
        let receiver = try ReceiverProcess(workspace: workspace)
        defer { receiver.stop() }
        try await receiver.waitUntilHealthy()

        // The parent's device on first unlock, as the app does it: signed with the keyslot's seed.
        let device = try parentClient(SealedSiteOpener(output: workspace.url("output"), token: registered.token), base: receiver.base)
        // The other device unlocked once too, and keeps its keys from that keyslot.
        let unregisteredDevice = try parentClient(
            SealedSiteOpener(output: workspace.url("output"), token: unregistered.token), base: receiver.base)
        let first = try await device.register(device: "Android · Chrome")
        XCTAssertTrue(first.created)
        let again = try await device.register()
        XCTAssertFalse(again.created)
        XCTAssertEqual(again.registeredAt, first.registeredAt)

        var sync = try run(["sync", "--receiver", receiver.base + "/api"], in: workspace)
        XCTAssertTrue(sync.stdout.contains("1 new registration."), sync.stdout)
        XCTAssertTrue(sync.stdout.contains("1 token not yet registered (the first deadline is in 7 days"), sync.stdout)
        sync = try run(["sync", "--receiver", receiver.base + "/api"], in: workspace)
        XCTAssertTrue(sync.stdout.contains("0 new registrations."), "idempotent: \(sync.stdout)")
        var list = try run(["token", "list"], in: workspace).stdout
        XCTAssertTrue(line(of: registered.id, in: list).contains("registered 20"), list)
        XCTAssertTrue(line(of: unregistered.id, in: list).contains("not registered, 7 days left"), list)

        // The registration week ends (moved back in the keystore: the binaries use the real clock).
        try moveRegisterBy(to: Date().addingTimeInterval(-60), workspace: workspace)
        sync = try run(["sync", "--receiver", receiver.base + "/api"], in: workspace)
        XCTAssertTrue(sync.stdout.contains("1 token passed the register-by date without a registration"), sync.stdout)
        try run(["generate"], in: workspace)

        let opener = try SealedSiteOpener(output: workspace.url("output"), token: registered.token)
        XCTAssertEqual(try opener.manifests().map(\.audience), ["school", "groep-3"], "registered: keeps working")
        XCTAssertThrowsError(try SealedSiteOpener(output: workspace.url("output"), token: unregistered.token)) { error in
            XCTAssertEqual(error as? SealedSiteOpener.Failure, .noKeyslot(tokenID: unregistered.id))
        }
        XCTAssertFalse(FileManager.default.fileExists(atPath: workspace.url("output/k/\(unregistered.id)").path))
        list = try run(["token", "list"], in: workspace).stdout
        XCTAssertTrue(line(of: unregistered.id, in: list).contains("dropped"), list)
        XCTAssertTrue(line(of: unregistered.id, in: list).contains("registration closed (dropped)"), list)
        XCTAssertTrue(line(of: registered.id, in: list).contains("active"), list)
        let json = try XCTUnwrap(try JSONSerialization.jsonObject(with: Data(run(["token", "list", "--json"], in: workspace).stdout.utf8)) as? [[String: Any]])
        let row = try XCTUnwrap(json.first { $0["id"] as? String == registered.id })
        XCTAssertNotNil(row["registered"] as? String)
        XCTAssertNotNil(row["register_by"] as? String)
        XCTAssertEqual(json.first { $0["id"] as? String == unregistered.id }?["status"] as? String, "dropped")

        // The receiver, told of the new trust file, no longer knows the dropped token.
        receiver.reload()
        try await Task.sleep(nanoseconds: 300_000_000)
        do {
            _ = try await unregisteredDevice.register()
            XCTFail("a dropped token must be refused")
        } catch ReceiverClientError.refused(let status, let code, _) {
            XCTAssertEqual(status, 401)
            XCTAssertEqual(code, "unknown_token")
        }
    }

    // MARK: - Reissue

    func testReissueReplacesTheTokenForTheSameFamily() throws {
        let workspace = try Workspace()
        let first = try issue(["--group", "groep-5", "--label", "Fam. Jansen"], in: workspace)
        let old = try issue(["--group", "groep-5", "--same-family-as", String(first.id.prefix(8)), "--label", "Fam. Jansen (vader)"], in: workspace)
        try run(["generate"], in: workspace)
        XCTAssertNoThrow(try SealedSiteOpener(output: workspace.url("output"), token: old.token))

        let formatter = DateFormatter()
        formatter.locale = Locale(identifier: "en_US_POSIX")
        formatter.timeZone = TimeZone(identifier: "Europe/Amsterdam")
        formatter.dateFormat = "yyyy-MM-dd"
        let day = formatter.string(from: Date().addingTimeInterval(3 * 86400))
        let reissued = try run(["token", "reissue", String(old.id.prefix(8)), "--register-by", day, "--json"], in: workspace)
        let object = try XCTUnwrap(try JSONSerialization.jsonObject(with: Data(reissued.stdout.utf8)) as? [String: String])
        XCTAssertEqual(object["replaces"], old.id)
        let new = try XCTUnwrap(object["token"])
        try run(["generate"], in: workspace)

        XCTAssertThrowsError(try SealedSiteOpener(output: workspace.url("output"), token: old.token), "the old keyslot is gone")
        let opener = try SealedSiteOpener(output: workspace.url("output"), token: new)
        let household = try SealedSiteOpener(output: workspace.url("output"), token: first.token).keyslot.family
        XCTAssertEqual(opener.keyslot.family, household, "same family: the family's booking limit is shared")
        XCTAssertEqual(try opener.manifests().map(\.audience), ["school", "groep-5"])
        let trust = try XCTUnwrap(try JSONSerialization.jsonObject(with: Data(contentsOf: workspace.url("keys/trust.json"))) as? [String: Any])
        let tokens = try XCTUnwrap(trust["tokens"] as? [[String: Any]]).filter { $0["id"] as? String != first.id }
        XCTAssertEqual(tokens.map { $0["id"] as? String }, [opener.tokenID])
        XCTAssertEqual(tokens[0]["family"] as? String, household)
        XCTAssertTrue(["\(day)T22:00:00Z", "\(day)T23:00:00Z"].contains(tokens[0]["register_by"] as? String ?? ""),
                      "end of that day in Amsterdam: \(tokens[0])")
        let trustText = try String(contentsOf: workspace.url("keys/trust.json"), encoding: .utf8)
        XCTAssertFalse(trustText.lowercased().contains("jansen"), "the receiver never learns a family's name")
        let list = try run(["token", "list"], in: workspace).stdout
        XCTAssertTrue(line(of: old.id, in: list).contains("revoked"), list)
        XCTAssertTrue(line(of: opener.tokenID, in: list).contains("Fam. Jansen"), list)

        let human = try run(["token", "reissue", opener.tokenID], in: workspace)
        XCTAssertTrue(human.stdout.contains("Replaces \(opener.tokenID) (revoked)."), human.stdout)
        XCTAssertTrue(human.stdout.contains("A device must register with it by"), human.stdout)
    }

    func testIssueRefusesARegisterByInThePast() throws {
        let workspace = try Workspace()
        let result = try portal(["token", "issue", "--group", "groep-5", "--register-by", "2020-01-01"], in: workspace.root)
        XCTAssertNotEqual(result.status, 0)
        XCTAssertTrue(result.stderr.contains("no device could register in time"), result.stderr)
        let bad = try portal(["token", "issue", "--group", "groep-5", "--register-by", "morgen"], in: workspace.root)
        XCTAssertTrue(bad.stderr.contains("--register-by must be a date like 2027-01-15"), bad.stderr)
    }

    // MARK: - New school year

    func testRotateMovesGroupsUpAndRevokesLeavers() throws {
        let workspace = try Workspace()
        let three = try issue(["--group", "groep-3"], in: workspace)
        let eight = try issue(["--group", "groep-8", "--label", "Fam. Vertrek"], in: workspace)
        let kinder = try issue(["--group", "groep-1-2a"], in: workspace)
        try run(["generate"], in: workspace)
        let before = try SealedSiteOpener(output: workspace.url("output"), token: three.token)
        let oldGroep3 = try XCTUnwrap(before.keyslot.audiences.first { $0.id == "groep-3" })
        let keystore = workspace.url("keys/keystore.json")
        let bytes = try Data(contentsOf: keystore)

        let dryRun = try run(["rotate", "--dry-run"], in: workspace)
        XCTAssertTrue(dryRun.stdout.contains("groep-3     moves to groep-4  (1 token)"), dryRun.stdout)
        XCTAssertTrue(dryRun.stdout.contains("groep-8     leaves the school  (1 token)"), dryRun.stdout)
        XCTAssertTrue(dryRun.stdout.contains("1 token revoked: all their children leave (1 family leaves the school)"), dryRun.stdout)
        XCTAssertTrue(dryRun.stdout.contains("Dry run: nothing was changed."), dryRun.stdout)
        XCTAssertEqual(try Data(contentsOf: keystore), bytes, "a dry run changes nothing")

        let invalid = try portal(["rotate", "--promote", "groep-3=groep-99"], in: workspace.root)
        XCTAssertNotEqual(invalid.status, 0)
        XCTAssertTrue(invalid.stderr.contains("the group mapping is not valid; nothing was changed"), invalid.stderr)
        XCTAssertTrue(invalid.stderr.contains("--promote groep-3=groep-99: groep-99 is not a group in site.yaml"), invalid.stderr)
        let malformed = try portal(["rotate", "--promote", "groep-3"], in: workspace.root)
        XCTAssertTrue(malformed.stderr.contains("--promote takes FROM=TO"), malformed.stderr)
        XCTAssertEqual(try Data(contentsOf: keystore), bytes, "a refused mapping changes nothing")

        let rotated = try run(["rotate", "--to-year", "2098-2099"], in: workspace)
        XCTAssertTrue(rotated.stdout.contains("keep working until 2099-07-31"), rotated.stdout)
        XCTAssertTrue(rotated.stdout.contains("content/groups/groep-3/"), "warns about last year's group content: \(rotated.stdout)")
        try run(["generate"], in: workspace)

        // Same token, no typing: its keyslot now holds groep-4 under new keys.
        let after = try SealedSiteOpener(output: workspace.url("output"), token: three.token)
        XCTAssertEqual(after.keyslot.audiences.map(\.id), ["school", "groep-4"])
        XCTAssertEqual(try after.manifests().map(\.audience), ["school", "groep-4"])
        XCTAssertEqual(after.keyslot.expires, "2099-07-31")
        // The former kindergarten token is now in groep-3; last year's groep-3 key opens nothing of it.
        let newGroep3 = try XCTUnwrap(try SealedSiteOpener(output: workspace.url("output"), token: kinder.token)
            .keyslot.audiences.first { $0.id == "groep-3" })
        XCTAssertEqual(newGroep3.epoch, oldGroep3.epoch + 1)
        XCTAssertNotEqual(newGroep3.index, oldGroep3.index)
        XCTAssertThrowsError(try after.index(of: "groep-3"), "the groep-4 family holds no groep-3 key now")
        let oldKey = try SymmetricKey(bytes: Array(try XCTUnwrap(Data(base64Encoded: oldGroep3.key))))
        let sealed = try Data(contentsOf: workspace.url("output/" + newGroep3.index))
        XCTAssertThrowsError(try Envelope.open(
            Array(sealed), key: oldKey, associatedData: AssociatedData.index(audience: "groep-3", epoch: newGroep3.epoch)))
        // The groep-8 family left: no keyslot.
        XCTAssertThrowsError(try SealedSiteOpener(output: workspace.url("output"), token: eight.token))
        XCTAssertTrue(line(of: eight.id, in: try run(["token", "list"], in: workspace).stdout).contains("revoked"))
    }

    // MARK: - Helpers




    func line(of id: String, in list: String) -> String {
        list.split(separator: "\n").first { $0.hasPrefix(id.prefix(12)) }.map(String.init) ?? ""
    }

    /// A parent's client as the app builds it: token id and signing seed from the keyslot.
    func parentClient(_ opener: SealedSiteOpener, base: String) throws -> ReceiverClient {
        let seed = Array(try XCTUnwrap(Data(base64Encoded: opener.keyslot.signingSeed)))
        return ReceiverClient(receiverURL: URL(string: base + "/api")!, signer: RequestSigner(tokenID: opener.tokenID, seed: seed))
    }

    /// Sets every token's register-by in keystore.json to `date`, keeping the file's mode 0600.
    func moveRegisterBy(to date: Date, workspace: Workspace) throws {
        let url = workspace.url("keys/keystore.json")
        var object = try XCTUnwrap(try JSONSerialization.jsonObject(with: Data(contentsOf: url)) as? [String: Any])
        var tokens = try XCTUnwrap(object["tokens"] as? [[String: Any]])
        let text = ISO8601DateFormatter().string(from: date)
        for i in tokens.indices { tokens[i]["registerBy"] = text }
        object["tokens"] = tokens
        try JSONSerialization.data(withJSONObject: object, options: [.prettyPrinted, .sortedKeys]).write(to: url)
        try FileManager.default.setAttributes([.posixPermissions: 0o600], ofItemAtPath: url.path)
    }
}
