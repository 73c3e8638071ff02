// Staff posts at a real receiver: a teacher's code posts for its own group only, a retry with the
// same id is the same post, the school lists and decides, and the teacher sees the state and a
// sealed reason that only the group's inbox key opens.
import Foundation
import PortalCrypto
import PortalFormat
import PortalReceiver
import PortalTrust
import PortalTestSupport
import XCTest

final class StaffPostTests: XCTestCase {
    static let teacher = TestToken.teacher(40, group: "groep-5")
    static let groupKey = HPKE.deriveKeyPair(ikm: Array("groep-5 inbox".utf8))

    func sealed(_ post: PostPayload, id: String, group: String = "groep-5") throws -> SealedPayload {
        try post.seal(tokenID: Self.teacher.id, binding: .post(group: group, id: id), inboxPublicKey: Fixture.inbox.publicKey)
    }

    func testAPostGoesInOnceAndTheSchoolDecides() async throws {
        let live = try await LiveReceiver(trust: Fixture.trust(extraTokens: [Self.teacher]))
        defer { Task { await live.stop() } }
        live.clock.set(Date())  // ReceiverClient signs with the real clock
        let id = String(repeating: "ab", count: 16)
        let long = String(repeating: "Een lange nieuwsbrief. ", count: 400)  // ~9 KB: more than a report may be
        let post = try sealed(PostPayload(title: "Naar het bos", text: long), id: id)
        let body: [String: Any] = ["id": id, "group": "groep-5", "sealed": post.jsonObject]
        let first = try await live.send("POST", "/api/v1/staff/posts", json: body, signer: Self.teacher.signer)
        XCTAssertEqual(first.status, 201, "\(first.json)")
        XCTAssertEqual(first.json["state"] as? String, "sent")
        let retry = try await live.send("POST", "/api/v1/staff/posts", json: body, signer: Self.teacher.signer)
        XCTAssertEqual(retry.status, 200, "the same post again is a retry, not a second post")
        let other = try sealed(PostPayload(title: "Iets anders", text: "x"), id: id)
        let clash = try await live.send("POST", "/api/v1/staff/posts", json: ["id": id, "group": "groep-5", "sealed": other.jsonObject],
                                        signer: Self.teacher.signer)
        XCTAssertEqual(clash.error, "post_exists")
        let elsewhere = try await live.send("POST", "/api/v1/staff/posts", json: [
            "id": String(repeating: "cd", count: 16), "group": "groep-3", "sealed": try sealed(PostPayload(title: "t", text: "x"), id: "x", group: "groep-3").jsonObject,
        ], signer: Self.teacher.signer)
        XCTAssertEqual(elsewhere.status, 403, "another group")
        XCTAssertEqual(elsewhere.error, "group_not_allowed")
        let parent = try await live.send("POST", "/api/v1/staff/posts", json: body, signer: Fixture.parentA.signer)
        XCTAssertEqual(parent.error, "staff_only")

        // The school's side: the sealed post, opened with the school's inbox key.
        let client = ReceiverClient(receiverURL: URL(string: live.baseURL + "/api")!, signer: .admin(seed: Fixture.adminSeed))
        let sent = try await client.posts(state: .sent)
        XCTAssertEqual(sent.map(\.id), [id])
        XCTAssertEqual(try sent[0].open(inboxSecretKey: Fixture.inbox.secretKey).title, "Naar het bos")
        let reason = try PostReasonPayload(reason: "Graag zonder achternamen").seal(
            tokenID: Self.teacher.id, binding: .post(group: "groep-5", id: id), inboxPublicKey: Self.groupKey.publicKey, namingKey: true)
        try await client.setPostState(id: id, .rejected, reason: reason)
        let noneSent = try await client.posts(state: .sent)
        XCTAssertEqual(noneSent, [])

        // The teacher's app: the state, and a reason only the group's key opens.
        let mine = try await live.send("GET", "/api/v1/staff/posts", signer: Self.teacher.signer)
        let rows = try XCTUnwrap(mine.json["posts"] as? [[String: Any]])
        XCTAssertEqual(rows.map { $0["state"] as? String }, ["rejected"])
        XCTAssertNil(rows[0]["sealed"], "the teacher's listing does not carry the post back")
        let r = try XCTUnwrap(rows[0]["reason"] as? [String: String])
        let payload = SealedPayload(enc: Array(Data(base64Encoded: r["enc"]!)!), ct: Array(Data(base64Encoded: r["ct"]!)!), kid: r["kid"])
        XCTAssertEqual(try PostReasonPayload.open(payload, tokenID: Self.teacher.id, binding: .post(group: "groep-5", id: id),
                                                  inboxSecretKey: Self.groupKey.secretKey).reason, "Graag zonder achternamen")
        XCTAssertThrowsError(try PostReasonPayload.open(payload, tokenID: Self.teacher.id, binding: .post(group: "groep-5", id: id),
                                                        inboxSecretKey: Fixture.inbox.secretKey), "not the school's key")
        // Taking a post back: only with a staff code, only its own; a rejected one stays rejected.
        let second = String(repeating: "12", count: 16)
        _ = try await live.send("POST", "/api/v1/staff/posts", json: [
            "id": second, "group": "groep-5", "sealed": try sealed(PostPayload(title: "Tweede", text: "x"), id: second).jsonObject,
        ], signer: Self.teacher.signer)
        let notMine = try await live.send("DELETE", "/api/v1/staff/posts/" + second, signer: Fixture.parentA.signer)
        XCTAssertEqual(notMine.error, "staff_only")
        let back = try await live.send("DELETE", "/api/v1/staff/posts/" + second, signer: Self.teacher.signer)
        XCTAssertEqual(back.status, 200, "\(back.json)")
        let retracted = try await client.posts(state: .retracted)
        XCTAssertEqual(retracted.map(\.id), [second])
        _ = try await live.send("DELETE", "/api/v1/staff/posts/" + id, signer: Self.teacher.signer)
        let stillRejected = try await client.posts(state: .rejected)
        XCTAssertEqual(stillRejected.map(\.id), [id])
        let unknown = try await live.send("POST", "/api/v1/admin/posts/" + String(repeating: "ef", count: 16),
                                          json: ["state": "published"], signer: .admin(seed: Fixture.adminSeed))
        XCTAssertEqual(unknown.error, "unknown_post")
    }
}
