// Staff uploads at a real receiver (RECEIVER.md "Staff uploads"): a teacher's photo arrives in
// sealed chunks, in any order and resumable, a post may name it only once it is complete, the
// school fetches and opens it, and the receiver forgets it once the post is decided. Sizes,
// owners, groups and quotas are checked; the database never holds a byte of the photo in clear.
import Foundation
import PortalCrypto
import PortalFormat
import PortalReceiver
import PortalTrust
import PortalTestSupport
import XCTest

final class StaffUploadTests: XCTestCase {
    static let teacher = TestToken.teacher(42, group: "groep-5")
    static let colleague = TestToken.teacher(43, group: "groep-5")
    // A recognisable "photo": if any of it reached the database in clear, the search below finds it.
    static let photo = Array(String(repeating: "FOTO-VAN-SANNE-IN-HET-BOS ", count: 2600).utf8)

    func seal(_ bytes: [UInt8], part: String, token: TestToken = teacher, group: String = "groep-5") throws -> (enc: [UInt8], chunks: [[UInt8]]) {
        try UploadStream.seal(bytes, recipientPublicKey: Fixture.inbox.publicKey, tokenID: token.id, group: group, partID: part)
    }

    func start(_ live: LiveReceiver, _ part: String, enc: [UInt8], chunks: Any, token: TestToken = teacher, group: String = "groep-5") async throws -> HTTPResult {
        try await live.send("POST", "/api/v1/staff/uploads", json: ["id": part, "group": group, "enc": Data(enc).base64EncodedString(), "chunks": chunks],
                            signer: token.signer)
    }

    func put(_ live: LiveReceiver, _ part: String, _ index: Int, _ bytes: [UInt8], token: TestToken = teacher) async throws -> HTTPResult {
        try await live.send("PUT", "/api/v1/staff/uploads/\(part)/\(index)", rawBody: bytes, signer: token.signer,
                            contentType: "application/octet-stream")
    }

    func post(_ live: LiveReceiver, id: String, parts: [String]) async throws -> HTTPResult {
        let sealed = try PostPayload(title: "Naar het bos", text: "Foto's!").seal(
            tokenID: Self.teacher.id, binding: .post(group: "groep-5", id: id), inboxPublicKey: Fixture.inbox.publicKey)
        return try await live.send("POST", "/api/v1/staff/posts", json: ["id": id, "group": "groep-5", "sealed": sealed.jsonObject, "parts": parts],
                                   signer: Self.teacher.signer)
    }

    func testAPhotoArrivesInChunksResumesAndIsForgottenOnceThePostIsDecided() async throws {
        let live = try await LiveReceiver(trust: Fixture.trust(extraTokens: [Self.teacher, Self.colleague]))
        defer { Task { await live.stop() } }
        live.clock.set(Date())  // ReceiverClient signs with the real clock
        let part = String(repeating: "a1", count: 16)
        let (enc, chunks) = try seal(Self.photo, part: part)
        XCTAssertEqual(chunks.count, 2)

        let created = try await start(live, part, enc: enc, chunks: 2)
        XCTAssertEqual(created.status, 201, "\(created.json)")
        XCTAssertEqual(created.json["received"] as? [Int], [])
        // The last chunk first (the order does not matter), then the connection "drops".
        let second = try await put(live, part, 1, chunks[1])
        XCTAssertEqual(second.status, 200, "\(second.json)")
        XCTAssertEqual(second.json["received"] as? Int, 1)
        let early = try await post(live, id: String(repeating: "b1", count: 16), parts: [part])
        XCTAssertEqual(early.error, "upload_incomplete", "a post waits for its photos")
        // Resuming: the app asks what arrived (registering again answers the same) and sends the rest.
        let status = try await live.send("GET", "/api/v1/staff/uploads/" + part, signer: Self.teacher.signer)
        XCTAssertEqual(status.json["received"] as? [Int], [1])
        let again = try await start(live, part, enc: enc, chunks: 2)
        XCTAssertEqual(again.status, 200)
        XCTAssertEqual(again.json["received"] as? [Int], [1])
        let answer1 = try await put(live, part, 0, chunks[0])
        XCTAssertEqual(answer1.status, 200)
        let answer2 = try await put(live, part, 0, chunks[0])
        XCTAssertEqual(answer2.status, 200, "the same chunk again is a retry")
        var other = chunks[0]
        other[100] ^= 1
        let answer3 = try await put(live, part, 0, other)
        XCTAssertEqual(answer3.error, "chunk_exists")
        let accepted = try await post(live, id: String(repeating: "b1", count: 16), parts: [part])
        XCTAssertEqual(accepted.status, 201, "\(accepted.json)")
        let taken = try await post(live, id: String(repeating: "b2", count: 16), parts: [part])
        XCTAssertEqual(taken.error, "upload_taken", "one part, one post")

        // The school: fetch, open with its inbox key, and the photo is exactly what was sealed.
        let client = ReceiverClient(receiverURL: URL(string: live.baseURL + "/api")!, signer: .admin(seed: Fixture.adminSeed))
        let (upload, fetched) = try await client.upload(id: part)
        XCTAssertEqual(upload.tokenID, Self.teacher.id)
        XCTAssertEqual(upload.group, "groep-5")
        XCTAssertEqual(try UploadStream.open(
            enc: try XCTUnwrap(upload.encBytes), chunks: fetched, recipientSecretKey: Fixture.inbox.secretKey,
            tokenID: upload.tokenID, group: upload.group, partID: part), Self.photo)
        let database = try Data(contentsOf: URL(fileURLWithPath: live.dbPath))
            + ((try? Data(contentsOf: URL(fileURLWithPath: live.dbPath + "-wal"))) ?? Data())
        XCTAssertNil(database.range(of: Data("FOTO-VAN-SANNE".utf8)), "the database holds ciphertext only")
        XCTAssertNotNil(database.range(of: Data(chunks[1])), "the chunk is stored as sent")

        try await client.setPostState(id: String(repeating: "b1", count: 16), .published)
        do {
            _ = try await client.upload(id: part)
            XCTFail("a decided post's parts are gone")
        } catch ReceiverClientError.refused(let status, let code, _) {
            XCTAssertEqual(status, 404)
            XCTAssertEqual(code, "unknown_upload")
        }
    }

    func testSizesOwnersGroupsAndQuotasAreChecked() async throws {
        let live = try await LiveReceiver(trust: Fixture.trust(extraTokens: [Self.teacher, Self.colleague]))
        defer { Task { await live.stop() } }
        let part = String(repeating: "c1", count: 16)
        let (enc, chunks) = try seal(Self.photo, part: part)
        for (bad, why) in [(0, "no chunks"), (513, "over 32 MiB"), (true, "not a number"), (1.5, "not whole"), ("2", "a string")] as [(Any, String)] {
            let refused = try await start(live, part, enc: enc, chunks: bad)
            XCTAssertEqual(refused.status, 422, why)
        }
        let answer4 = try await start(live, part, enc: enc, chunks: 2, group: "groep-3")
        XCTAssertEqual(answer4.error, "group_not_allowed")
        let answer5 = try await start(live, part, enc: enc, chunks: 2, token: Fixture.parentA)
        XCTAssertEqual(answer5.error, "staff_only")
        let answer6 = try await start(live, part, enc: enc, chunks: 2)
        XCTAssertEqual(answer6.status, 201)
        let answer7 = try await start(live, part, enc: enc, chunks: 3)
        XCTAssertEqual(answer7.error, "upload_exists", "the same id with other facts")
        let answer8 = try await start(live, part, enc: enc, chunks: 2, token: Self.colleague)
        XCTAssertEqual(answer8.error, "upload_exists")

        let answer9 = try await put(live, part, 0, chunks[1])
        XCTAssertEqual(answer9.status, 422, "a short chunk that is not the last")
        let answer10 = try await put(live, part, 1, chunks[0] + [0])
        XCTAssertEqual(answer10.status, 413, "over one sealed chunk")
        let answer11 = try await put(live, part, 1, Array(repeating: 0, count: 16))
        XCTAssertEqual(answer11.status, 422, "no room for a byte and its tag")
        let answer12 = try await put(live, part, 2, chunks[1])
        XCTAssertEqual(answer12.status, 422, "past the last chunk")
        let answer13 = try await put(live, part, 512, chunks[1])
        XCTAssertEqual(answer13.status, 404, "not an index a part can have")
        let answer14 = try await put(live, part, 0, chunks[0], token: Self.colleague)
        XCTAssertEqual(answer14.error, "unknown_upload", "another teacher's part")
        let answer15 = try await live.send("GET", "/api/v1/staff/uploads/" + part, signer: Self.colleague.signer)
        XCTAssertEqual(answer15.error, "unknown_upload")
        let answer16 = try await post(live, id: String(repeating: "d1", count: 16), parts: [String(repeating: "e1", count: 16)])
        XCTAssertEqual(answer16.error,
                       "unknown_upload")

        // 256 MiB (4,096 chunks) a day per code: eight more parts of 504 chunks fit, 100 chunks more do not.
        for i in 0..<8 {
            let id = String(format: "%032x", 0xf000 + i)
            let answer17 = try await start(live, id, enc: enc, chunks: 504)
            XCTAssertEqual(answer17.status, 201, "part \(i)")
        }
        let answer18 = try await start(live, String(format: "%032x", 0xf100), enc: enc, chunks: 100)
        XCTAssertEqual(answer18.error, "daily_quota")
    }
}
