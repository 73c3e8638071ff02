// Issue 16 end to end with the real binaries: `portal publish` tells `portal-receiver` which items
// are new, and the receiver notifies exactly the devices of those audiences through a push
// service stand-in on 127.0.0.1 (VAPID checked by py_vapid, each message opened by http_ece).
// A typo fix, a revocation (a re-seal) and a repeated publish notify nobody.
import Foundation
import PortalCrypto
import PortalFormat
import PortalReceiver
import PortalTestSupport
import XCTest
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif

final class PushCommandTests: XCTestCase {
    func testPublishNotifiesTheDevicesOfNewItemsAndNothingForAReSeal() async throws {
        let workspace = try Workspace()
        // No quiet hours, so the test does not depend on the time of day it runs at.
        let site = try workspace.read("content/site.yaml")
        try workspace.write("content/site.yaml", site + "push:\n  quiet_hours: \"00:00-00:00\"\n  quiet_weekends: false\n")
        let g3 = try issue(["--group", "groep-3"], in: workspace)
        let g5 = try issue(["--group", "groep-5"], in: workspace)
        try run(["generate", "--no-push"], in: workspace)
        let receiver = try ReceiverProcess(workspace: workspace, arguments: ["--push-allow-loopback"])
        defer { receiver.stop() }
        try await receiver.waitUntilHealthy()
        let api = receiver.base + "/api"

        // Each family's phone subscribes, with the VAPID key from its sealed keyslot.
        let g3Opener = try SealedSiteOpener(output: workspace.url("output"), token: g3.token)
        let vapid = try XCTUnwrap(g3Opener.keyslot.push, "the keyslot carries the school's VAPID public key")
        XCTAssertEqual(Base64URL.decode(vapid)?.count, 65)
        let service = try PushServiceProcess(vapidPublicKey: vapid)
        defer { service.stop() }
        var devices: [String: PushServiceProcess.Subscription] = [:]
        for (name, issued) in [("g3", g3), ("g5", g5)] {
            let opener = try SealedSiteOpener(output: workspace.url("output"), token: issued.token)
            XCTAssertEqual(opener.keyslot.push, vapid)
            let parent = ReceiverClient(
                receiverURL: URL(string: api)!,
                signer: RequestSigner(tokenID: opener.tokenID, seed: Array(try XCTUnwrap(Data(base64Encoded: opener.keyslot.signingSeed)))))
            let sub = try await service.subscribe()
            let body = try JSONSerialization.data(withJSONObject: ["endpoint": sub.endpoint, "p256dh": sub.p256dh, "auth": sub.auth, "mode": "all"])
            _ = try await parent.send("POST", "/v1/push/subscription", body: Array(body))
            devices[name] = sub
        }

        let host = workspace.url("host").path
        func publish() throws -> String { try run(["publish", "--to", host, "--receiver", api], in: workspace).stdout }
        func messages(_ name: String) async throws -> [String] {
            try await service.messages().taken.filter { $0.id == devices[name]!.id }.map(\.payload)
        }
        func settle() async throws { try await Task.sleep(nanoseconds: 2_500_000_000) }  // the receiver sends within a second

        // The first publish sets the baseline: the whole archive is not news.
        XCTAssertTrue(try publish().contains("first publish, so nothing announced"))

        // A new item for groep 3: only groep 3's phone hears of it, with a sequence and no text.
        try workspace.write("content/groups/groep-3/news/schoolreisje.md",
                            "---\ntitle: Schoolreisje naar Artis\ndate: 2026-11-30 09:00\n---\nWe gaan naar Artis.\n")
        try run(["generate", "--no-push"], in: workspace)
        let out = try publish()
        XCTAssertTrue(out.contains("Notifications: new items in groep-3 (1): 1 device."), out)
        try await settle()
        let g3Messages = try await messages("g3")
        XCTAssertEqual(g3Messages.count, 1)
        let payload = try XCTUnwrap(try JSONSerialization.jsonObject(with: Data(g3Messages[0].utf8)) as? [String: Any])
        XCTAssertEqual(Set(payload.keys), ["v", "s", "u", "n"])
        XCTAssertNotNil((payload["s"] as? [String: Any])?["groep-3"])
        XCTAssertFalse(g3Messages[0].contains("Artis"))
        let g5Before = try await messages("g5")
        XCTAssertEqual(g5Before, [])

        // A typo fix, a publish with nothing new, and a revocation (every keyslot re-sealed): no message.
        try workspace.write("content/groups/groep-3/news/schoolreisje.md",
                            "---\ntitle: Schoolreisje naar Artis\ndate: 2026-11-30 09:00\n---\nWe gaan naar Artis!\n")
        try run(["generate", "--no-push"], in: workspace)
        XCTAssertFalse(try publish().contains("Notifications"))
        XCTAssertFalse(try publish().contains("Notifications"))
        try run(["token", "revoke", String(g5.id.prefix(8))], in: workspace)
        try run(["generate", "--no-push"], in: workspace)
        // publish pushes the new trust file first: the receiver forgets g5's phone.
        XCTAssertFalse(try publish().contains("Notifications"))
        try await settle()
        let g3After = try await messages("g3")
        XCTAssertEqual(g3After.count, 1)

        // Three new school-wide items in one publish: one message to the one phone left.
        for n in 1...3 {
            let urgent = n == 2 ? "urgent: true\n" : ""
            try workspace.write("content/news/bericht-\(n).md", "---\ntitle: Bericht \(n)\ndate: 2026-11-30 10:0\(n)\n\(urgent)---\nTekst \(n).\n")
        }
        try run(["generate", "--no-push"], in: workspace)
        let three = try publish()
        XCTAssertTrue(three.contains("Notifications: new items in school (3, 1 urgent): 1 device."), three)
        try await settle()
        let g3Final = try await messages("g3")
        XCTAssertEqual(g3Final.count, 2)
        XCTAssertTrue(g3Final[1].contains("\"school\""))
        XCTAssertTrue(g3Final[1].contains("\"u\":true"), g3Final[1])
        let g5Final = try await messages("g5")
        XCTAssertEqual(g5Final, [])
        let refused = try await service.messages().refused
        XCTAssertEqual(refused.count, 0, "\(refused)")
    }
}
