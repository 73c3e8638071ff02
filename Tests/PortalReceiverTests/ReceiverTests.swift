// The receiver end to end over HTTP on 127.0.0.1: signatures, limits, schema, booking rules,
// concurrency, and what the database holds.
import Foundation
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif
import PortalCrypto
import PortalFormat
import PortalReceiver
import PortalTrust
import PortalTestSupport
import XCTest

final class ReceiverTests: XCTestCase {
    var live: LiveReceiver!

    override func setUp() async throws {
        live = try await LiveReceiver()
    }

    override func tearDown() async throws {
        await live?.stop()
        live = nil
    }

    func absenceBody(_ token: TestToken, group: String = "groep-5", from: String = "2027-02-01", to: String = "2027-02-02",
                     child: String = "Sanne") throws -> [String: Any] {
        let sealed = try AbsencePayload(child: child, reason: .ziek, note: "Koorts")
            .seal(tokenID: token.id, binding: .absence(group: group, from: from, to: to), inboxPublicKey: Fixture.inbox.publicKey)
        return ["group": group, "from": from, "to": to, "sealed": sealed.jsonObject]
    }

    // MARK: - Server basics

    func testDatabaseIsWALWithFullSync() throws {
        let settings = try live.receiver.databaseSettings()
        XCTAssertEqual(settings.journal, "wal")
        XCTAssertEqual(settings.synchronous, 2)  // FULL
    }

    func testHealthzAndSecurityHeaders() async throws {
        let (data, response) = try await live.session.data(from: URL(string: live.baseURL + "/healthz")!)
        let http = response as! HTTPURLResponse
        XCTAssertEqual(http.statusCode, 200)
        XCTAssertEqual(String(decoding: data, as: UTF8.self), "ok\n")
        XCTAssertEqual(http.value(forHTTPHeaderField: "Referrer-Policy"), "no-referrer")
        XCTAssertTrue(http.value(forHTTPHeaderField: "Content-Security-Policy")?.contains("script-src 'self'") ?? false)
        let api = try await live.send("GET", "/api/v1/nothing", signer: nil)
        XCTAssertEqual(api.status, 404)
        XCTAssertEqual(api.error, "not_found")
    }

    // MARK: - Absence reports

    func testAbsenceReceiptAndAdminOpensIt() async throws {
        let r = try await live.send("POST", "/api/v1/absences", json: try absenceBody(Fixture.parentA), signer: Fixture.parentA.signer)
        XCTAssertEqual(r.status, 201, "\(r.json)")
        let id = try XCTUnwrap(r.json["id"] as? String)
        XCTAssertEqual(r.json["received"] as? String, "2027-02-01T12:00:00Z")

        let admin = RequestSigner.admin(seed: Fixture.adminSeed)
        let list = try await live.send("GET", "/api/v1/admin/submissions?since=2027-01-01", signer: admin)
        XCTAssertEqual(list.status, 200)
        let rows = try XCTUnwrap(list.json["submissions"] as? [[String: Any]])
        XCTAssertEqual(rows.count, 1)
        XCTAssertEqual(rows[0]["id"] as? String, id)
        XCTAssertEqual(rows[0]["family"] as? String, "fam-a")
        let sealedJSON = try JSONSerialization.data(withJSONObject: rows[0]["sealed"]!)
        let sealed = try JSONDecoder().decode(SealedPayload.self, from: sealedJSON)
        let binding = PayloadBinding.absence(group: "groep-5", from: "2027-02-01", to: "2027-02-02")
        let opened = try AbsencePayload.open(sealed, tokenID: Fixture.parentA.id, binding: binding, inboxSecretKey: Fixture.inbox.secretKey)
        XCTAssertEqual(opened, AbsencePayload(child: "Sanne", reason: .ziek, note: "Koorts"))
        // Opening with another token id (aad) fails: a report cannot be passed off as another family's.
        XCTAssertThrowsError(try AbsencePayload.open(sealed, tokenID: Fixture.parentB.id, binding: binding, inboxSecretKey: Fixture.inbox.secretKey))
        // Nor relabelled: another group or other dates than the ones it was sent with do not open.
        for moved in [PayloadBinding.absence(group: "groep-3", from: "2027-02-01", to: "2027-02-02"),
                      .absence(group: "groep-5", from: "2027-02-01", to: "2027-02-09"),
                      .booking(schedule: "groep-5", slot: "2027-02-01")] {
            XCTAssertThrowsError(try AbsencePayload.open(sealed, tokenID: Fixture.parentA.id, binding: moved, inboxSecretKey: Fixture.inbox.secretKey))
            XCTAssertThrowsError(try AbsencePayload.openAllowingUnbound(sealed, tokenID: Fixture.parentA.id, binding: moved, inboxSecretKey: Fixture.inbox.secretKey))
        }

        let later = try await live.send("GET", "/api/v1/admin/submissions?since=2027-02-02", signer: admin)
        XCTAssertEqual((later.json["submissions"] as? [Any])?.count, 0)
    }

    func testAbsenceRules() async throws {
        let a = Fixture.parentA
        var r = try await live.send("POST", "/api/v1/absences", json: try absenceBody(a, group: "groep-3"), signer: a.signer)
        XCTAssertEqual(r.status, 403)
        XCTAssertEqual(r.error, "group_not_allowed")
        r = try await live.send("POST", "/api/v1/absences", json: try absenceBody(a, from: "2027-02-30", to: "2027-03-01"), signer: a.signer)
        XCTAssertEqual(r.status, 422)
        r = try await live.send("POST", "/api/v1/absences", json: try absenceBody(a, from: "2027-02-05", to: "2027-02-01"), signer: a.signer)
        XCTAssertEqual(r.status, 422)
        r = try await live.send("POST", "/api/v1/absences", json: try absenceBody(a, from: "2031-01-01", to: "2031-01-02"), signer: a.signer)
        XCTAssertEqual(r.status, 422)
        var body = try absenceBody(a)
        body["child"] = "Sanne"  // plaintext field: not in the schema
        r = try await live.send("POST", "/api/v1/absences", json: body, signer: a.signer)
        XCTAssertEqual(r.status, 422)
        XCTAssertEqual(r.error, "invalid_request")
        body = try absenceBody(a)
        body["sealed"] = ["enc": "AAAA", "ct": "AAAA"]
        r = try await live.send("POST", "/api/v1/absences", json: body, signer: a.signer)
        XCTAssertEqual(r.status, 422)
    }

    func testReceiverClientPullsAndOpensForStaff() async throws {
        var r = try await live.send("POST", "/api/v1/absences", json: try absenceBody(Fixture.parentB, child: "Daan"),
                                    signer: Fixture.parentB.signer)
        XCTAssertEqual(r.status, 201)
        r = try await live.book(Fixture.parentA, slot: "s004", child: "Sanne de Vries")
        XCTAssertEqual(r.status, 201)
        live.clock.set(Date())  // the client signs with the real clock
        let client = ReceiverClient(receiverURL: URL(string: live.baseURL + "/api")!,
                                    signer: .admin(seed: Fixture.adminSeed), session: live.session)
        let inbox = try await client.submissions(since: "2027-02-01T00:00:00Z")
        XCTAssertEqual(inbox.count, 1)
        XCTAssertEqual(try inbox[0].open(inboxSecretKey: Fixture.inbox.secretKey).payload.child, "Daan")
        XCTAssertTrue(try inbox[0].open(inboxSecretKey: Fixture.inbox.secretKey).bound, "bound to its group and dates")
        XCTAssertEqual(inbox[0].group, "groep-5")
        let bookings = try await client.bookings(schedule: Fixture.g5)
        XCTAssertEqual(bookings.count, 1)
        XCTAssertEqual(bookings[0].teacher, "Juf Sanne")
        XCTAssertEqual(try bookings[0].open(inboxSecretKey: Fixture.inbox.secretKey).payload.child, "Sanne de Vries")
        XCTAssertTrue(try bookings[0].open(inboxSecretKey: Fixture.inbox.secretKey).bound, "bound to its schedule and slot")
        let none = try await client.bookings(schedule: Fixture.g3)
        XCTAssertEqual(none.count, 0)
        let parent = ReceiverClient(receiverURL: URL(string: live.baseURL + "/api")!, signer: Fixture.parentA.signer,
                                    session: live.session)
        do {
            _ = try await parent.submissions()
            XCTFail("a parent token must not read the inbox")
        } catch ReceiverClientError.refused(let status, let code, _) {
            XCTAssertEqual(status, 403)
            XCTAssertEqual(code, "admin_only")
        }
    }

    func testStaticFolderIsServedWithSecurityHeaders() async throws {
        await live.stop()
        let site = FileManager.default.temporaryDirectory.appendingPathComponent("receiver-static-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: site, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: site) }
        try Data("<!doctype html><title>Ouderportaal</title>".utf8).write(to: site.appendingPathComponent("index.html"))
        live = try await LiveReceiver(staticFolder: site)
        let (data, response) = try await live.session.data(from: URL(string: live.baseURL + "/")!)
        let http = response as! HTTPURLResponse
        XCTAssertEqual(http.statusCode, 200)
        XCTAssertTrue(String(decoding: data, as: UTF8.self).contains("Ouderportaal"))
        XCTAssertTrue(http.value(forHTTPHeaderField: "Content-Security-Policy")?.contains("frame-ancestors 'none'") ?? false)
        XCTAssertEqual(http.value(forHTTPHeaderField: "X-Content-Type-Options"), "nosniff")
        let api = try await live.slots(Fixture.parentA)
        XCTAssertEqual(api.status, 200)
    }

    // MARK: - Transport-level refusals

    func testBodyTooLargeWrongContentTypeMalformedJSON() async throws {
        let a = Fixture.parentA
        var r = try await live.send("POST", "/api/v1/absences", rawBody: [UInt8](repeating: 0x20, count: 16 * 1024 + 1), signer: a.signer)
        XCTAssertEqual(r.status, 413)
        XCTAssertEqual(r.error, "body_too_large")
        r = try await live.send("POST", "/api/v1/absences", json: try absenceBody(a), signer: a.signer, contentType: "text/plain")
        XCTAssertEqual(r.status, 415)
        XCTAssertEqual(r.error, "unsupported_content_type")
        r = try await live.send("POST", "/api/v1/absences", rawBody: Array("{\"group\": ".utf8), signer: a.signer)
        XCTAssertEqual(r.status, 400)
        XCTAssertEqual(r.error, "malformed_json")
        r = try await live.send("POST", "/api/v1/absences", rawBody: Array("[1,2]".utf8), signer: a.signer)
        XCTAssertEqual(r.status, 422)
        r = try await live.send("GET", "/api/v1/absences", signer: a.signer)
        XCTAssertEqual(r.status, 405)
    }

    // MARK: - Signatures

    func testSignatureChecks() async throws {
        let a = Fixture.parentA
        let body = try absenceBody(a)
        // Good.
        var r = try await live.send("POST", "/api/v1/absences", json: body, signer: a.signer)
        XCTAssertEqual(r.status, 201)
        // Bad: signed by another key under A's id.
        let forger = RequestSigner(tokenID: a.id, seed: Fixture.parentB.seed)
        r = try await live.send("POST", "/api/v1/absences", json: try absenceBody(a), signer: forger)
        XCTAssertEqual(r.status, 401)
        XCTAssertEqual(r.error, "bad_signature")
        // Bad: body changed after signing.
        let bodyBytes = Array(try JSONSerialization.data(withJSONObject: try absenceBody(a)))
        let headers = a.signer.headers(method: "POST", path: "/api/v1/absences", body: bodyBytes, timestamp: live.now)
        r = try await live.send("POST", "/api/v1/absences", rawBody: bodyBytes + [0x20], signer: nil, headerOverrides: headers)
        XCTAssertEqual(r.status, 401)
        XCTAssertEqual(r.error, "bad_signature")
        // Bad: signed for another path.
        let other = a.signer.headers(method: "POST", path: "/api/v1/bookings", body: bodyBytes, timestamp: live.now)
        r = try await live.send("POST", "/api/v1/absences", rawBody: bodyBytes, signer: nil, headerOverrides: other)
        XCTAssertEqual(r.error, "bad_signature")
        // Missing headers.
        r = try await live.send("POST", "/api/v1/absences", json: body, signer: nil)
        XCTAssertEqual(r.status, 401)
        XCTAssertEqual(r.error, "missing_signature")
        // Bad nonce encoding.
        r = try await live.send("POST", "/api/v1/absences", json: try absenceBody(a), signer: a.signer, nonce: "short")
        XCTAssertEqual(r.error, "bad_nonce")
    }

    func testReplayIsRefused() async throws {
        let a = Fixture.parentA
        let bytes = Array(try JSONSerialization.data(withJSONObject: try absenceBody(a)))
        let headers = a.signer.headers(method: "POST", path: "/api/v1/absences", body: bytes, timestamp: live.now)
        var r = try await live.send("POST", "/api/v1/absences", rawBody: bytes, signer: nil, headerOverrides: headers)
        XCTAssertEqual(r.status, 201)
        r = try await live.send("POST", "/api/v1/absences", rawBody: bytes, signer: nil, headerOverrides: headers)
        XCTAssertEqual(r.status, 409)
        XCTAssertEqual(r.error, "replayed_nonce")
        // Still refused at the far end of the skew window, and after it as stale.
        live.clock.advance(299)
        r = try await live.send("POST", "/api/v1/absences", rawBody: bytes, signer: nil, headerOverrides: headers)
        XCTAssertEqual(r.error, "replayed_nonce")
        live.clock.advance(2)
        r = try await live.send("POST", "/api/v1/absences", rawBody: bytes, signer: nil, headerOverrides: headers)
        XCTAssertEqual(r.error, "stale_timestamp")
    }

    func testClockSkew() async throws {
        let a = Fixture.parentA
        var r = try await live.send("POST", "/api/v1/absences", json: try absenceBody(a), signer: a.signer, timestamp: live.now - 301)
        XCTAssertEqual(r.status, 401)
        XCTAssertEqual(r.error, "stale_timestamp")
        r = try await live.send("POST", "/api/v1/absences", json: try absenceBody(a), signer: a.signer, timestamp: live.now + 301)
        XCTAssertEqual(r.error, "stale_timestamp")
        r = try await live.send("POST", "/api/v1/absences", json: try absenceBody(a), signer: a.signer, timestamp: live.now - 299)
        XCTAssertEqual(r.status, 201)
    }

    func testExpiredUnknownAndRevokedTokens() async throws {
        var r = try await live.send("POST", "/api/v1/absences", json: try absenceBody(Fixture.expired), signer: Fixture.expired.signer)
        XCTAssertEqual(r.status, 403)
        XCTAssertEqual(r.error, "token_expired")
        r = try await live.send("POST", "/api/v1/absences", json: try absenceBody(Fixture.revoked), signer: Fixture.revoked.signer)
        XCTAssertEqual(r.status, 401)
        XCTAssertEqual(r.error, "unknown_token")
    }

    func testTrustReloadRevokesToken() async throws {
        var r = try await live.slots(Fixture.parentB)
        XCTAssertEqual(r.status, 200)
        var trust = Fixture.trust()
        trust.tokens.removeAll { $0.id == Fixture.parentB.id }
        try trust.write(to: live.folder.appendingPathComponent("trust.json"))
        try live.receiver.trust.reload()
        r = try await live.slots(Fixture.parentB)
        XCTAssertEqual(r.status, 401)
        XCTAssertEqual(r.error, "unknown_token")
    }

    func testAdminEndpointsRefuseParentsAndParentEndpointsRefuseAdmin() async throws {
        var r = try await live.send("GET", "/api/v1/admin/submissions", signer: Fixture.parentA.signer)
        XCTAssertEqual(r.status, 403)
        XCTAssertEqual(r.error, "admin_only")
        r = try await live.send("GET", "/api/v1/admin/bookings", signer: Fixture.parentA.signer)
        XCTAssertEqual(r.status, 403)
        // A parent's key presented as admin does not verify.
        r = try await live.send("GET", "/api/v1/admin/bookings", signer: RequestSigner.admin(seed: Fixture.parentA.seed))
        XCTAssertEqual(r.status, 401)
        XCTAssertEqual(r.error, "bad_signature")
        r = try await live.send("GET", "/api/v1/schedules/\(Fixture.g5)/slots", signer: RequestSigner.admin(seed: Fixture.adminSeed))
        XCTAssertEqual(r.status, 403)
    }

    // MARK: - Bookings

    func testBookAndSlotsViewHidesWho() async throws {
        var r = try await live.book(Fixture.parentA, slot: "s003")
        XCTAssertEqual(r.status, 201, "\(r.json)")
        let id = try XCTUnwrap(r.json["id"] as? String)
        r = try await live.slots(Fixture.parentB)
        XCTAssertEqual(r.status, 200)
        let slotsB = try XCTUnwrap(r.json["slots"] as? [[String: Any]])
        let s3 = try XCTUnwrap(slotsB.first { $0["id"] as? String == "s003" })
        XCTAssertEqual(s3["state"] as? String, "taken")
        XCTAssertNil(s3["booking"])
        XCTAssertEqual(slotsB.first { $0["id"] as? String == "soon" }?["bookable"] as? Bool, false)
        r = try await live.slots(Fixture.parentA2)
        let mine = try XCTUnwrap((r.json["slots"] as? [[String: Any]])?.first { $0["id"] as? String == "s003" })
        XCTAssertEqual(mine["state"] as? String, "mine")
        XCTAssertEqual(mine["booking"] as? String, id)
        r = try await live.slots(Fixture.groep3)
        XCTAssertEqual(r.status, 404)
        XCTAssertEqual(r.error, "unknown_schedule")
    }

    func testUnknownScheduleClosedWindowAndMinNotice() async throws {
        var r = try await live.book(Fixture.parentA, schedule: "groups/groep-5/conferences/bestaat-niet", slot: "s000")
        XCTAssertEqual(r.status, 404)
        XCTAssertEqual(r.error, "unknown_schedule")
        r = try await live.book(Fixture.groep3, schedule: Fixture.g5, slot: "s000")
        XCTAssertEqual(r.error, "unknown_schedule")
        r = try await live.book(Fixture.parentA, slot: "s999")
        XCTAssertEqual(r.error, "unknown_slot")
        r = try await live.book(Fixture.parentA, schedule: Fixture.closed, slot: "s000")
        XCTAssertEqual(r.status, 403)
        XCTAssertEqual(r.error, "booking_closed")
        r = try await live.book(Fixture.parentA, slot: "soon")
        XCTAssertEqual(r.status, 403)
        XCTAssertEqual(r.error, "too_late")
        live.clock.set(Fixture.now.addingTimeInterval(-2 * 86400))  // before opens
        r = try await live.book(Fixture.parentA, slot: "s000")
        XCTAssertEqual(r.error, "booking_not_open")
    }

    func testPerFamilyLimitIsSharedByTheFamilysTokens() async throws {
        var r = try await live.book(Fixture.parentA, slot: "s000")
        XCTAssertEqual(r.status, 201)
        r = try await live.book(Fixture.parentA2, slot: "s001")
        XCTAssertEqual(r.status, 409)
        XCTAssertEqual(r.error, "family_limit")
        r = try await live.book(Fixture.parentA, slot: "s002")
        XCTAssertEqual(r.error, "family_limit")
        r = try await live.book(Fixture.parentB, slot: "s000")
        XCTAssertEqual(r.status, 409)
        XCTAssertEqual(r.error, "slot_taken")
        let free = try XCTUnwrap((r.json["free"] as? [String: [String]])?[Fixture.g5])
        XCTAssertFalse(free.contains("s000"))
        XCTAssertTrue(free.contains("s001"))
        XCTAssertFalse(free.contains("soon"))
    }

    func testTwinsMayBookTwo() async throws {
        var r = try await live.book(Fixture.twins, schedule: Fixture.twinsSchedule, slot: "s000", child: "Anna")
        XCTAssertEqual(r.status, 201)
        r = try await live.book(Fixture.twins, schedule: Fixture.twinsSchedule, slot: "s001", child: "Bram")
        XCTAssertEqual(r.status, 201)
        r = try await live.book(Fixture.twins, schedule: Fixture.twinsSchedule, slot: "s002", child: "Cas")
        XCTAssertEqual(r.status, 409)
        XCTAssertEqual(r.error, "family_limit")
    }

    func testMultiClaimIsAllOrNothing() async throws {
        let m = Fixture.multi
        let claims: (String, String) throws -> [String: Any] = { s5, s3 in
            ["claims": [
                ["schedule": Fixture.g5, "slot": s5, "sealed": try self.live.sealedName("Lotte", token: m, schedule: Fixture.g5, slot: s5)],
                ["schedule": Fixture.g3, "slot": s3, "sealed": try self.live.sealedName("Daan", token: m, schedule: Fixture.g3, slot: s3)],
            ]]
        }
        // B takes s010 in groep 5: a claim on s010 + s011 must leave groep 3's s011 free.
        var r = try await live.book(Fixture.parentB, slot: "s010")
        XCTAssertEqual(r.status, 201)
        r = try await live.send("POST", "/api/v1/bookings", json: try claims("s010", "s011"), signer: m.signer)
        XCTAssertEqual(r.status, 409)
        XCTAssertEqual(r.error, "slot_taken")
        XCTAssertEqual((r.json["free"] as? [String: [String]])?[Fixture.g3]?.contains("s011"), true)
        r = try await live.slots(Fixture.groep3, schedule: Fixture.g3)
        XCTAssertEqual((r.json["slots"] as? [[String: Any]])?.first { $0["id"] as? String == "s011" }?["state"] as? String, "free")
        // Back to back: s004 with juf Sanne, s005 with meester Ali.
        r = try await live.send("POST", "/api/v1/bookings", json: try claims("s004", "s005"), signer: m.signer)
        XCTAssertEqual(r.status, 201, "\(r.json)")
        XCTAssertEqual((r.json["bookings"] as? [Any])?.count, 2)
        let admin = try await live.send("GET", "/api/v1/admin/bookings", signer: RequestSigner.admin(seed: Fixture.adminSeed))
        let rows = try XCTUnwrap(admin.json["bookings"] as? [[String: Any]])
        XCTAssertEqual(rows.filter { $0["family"] as? String == "fam-multi" }.count, 2)
    }

    func testCancelMoveAndNotice() async throws {
        var r = try await live.book(Fixture.parentA, slot: "s000")
        let id = try XCTUnwrap(r.json["id"] as? String)
        // Another family cannot cancel or move it.
        r = try await live.send("DELETE", "/api/v1/bookings/\(id)", signer: Fixture.parentB.signer)
        XCTAssertEqual(r.status, 404)
        XCTAssertEqual(r.error, "unknown_booking")
        // Move (cancel + book in one transaction), by the other parent of the family.
        r = try await live.send("POST", "/api/v1/bookings/\(id)/move", json: ["slot": "s007"], signer: Fixture.parentA2.signer)
        XCTAssertEqual(r.status, 200, "\(r.json)")
        XCTAssertEqual(r.json["slot"] as? String, "s007")
        r = try await live.book(Fixture.parentB, slot: "s000")
        XCTAssertEqual(r.status, 201, "the old slot is free again")
        r = try await live.send("POST", "/api/v1/bookings/\(id)/move", json: ["slot": "s000"], signer: Fixture.parentA.signer)
        XCTAssertEqual(r.status, 409)
        XCTAssertEqual(r.error, "slot_taken")
        // Within the notice period neither cancel nor move.
        live.clock.set(Fixture.now.addingTimeInterval(8 * 86400 + 6.5 * 3600 + 7 * 600 - 23 * 3600))
        r = try await live.send("DELETE", "/api/v1/bookings/\(id)", signer: Fixture.parentA.signer)
        XCTAssertEqual(r.status, 403)
        XCTAssertEqual(r.error, "too_late")
        live.clock.set(Fixture.now)
        r = try await live.send("DELETE", "/api/v1/bookings/\(id)", signer: Fixture.parentA.signer)
        XCTAssertEqual(r.status, 200)
        XCTAssertEqual(r.json["cancelled"] as? String, id)
        r = try await live.book(Fixture.parentA2, slot: "s001")
        XCTAssertEqual(r.status, 201, "the family limit counts current bookings only")
    }

    func testTwoHundredClientsOnOneSlot() async throws {
        await live.stop()
        let tokens = (0..<200).map { TestToken.make(1000 + $0, family: "fam-\($0)", audiences: ["groep-5"], expires: Fixture.yearEnd) }
        live = try await LiveReceiver(trust: Fixture.trust(extraTokens: tokens))
        let live = self.live!
        let results = try await withThrowingTaskGroup(of: HTTPResult.self) { group in
            for t in tokens { group.addTask { try await live.book(t, slot: "s005") } }
            var all: [HTTPResult] = []
            for try await r in group { all.append(r) }
            return all
        }
        XCTAssertEqual(results.filter { $0.status == 201 }.count, 1)
        XCTAssertEqual(results.filter { $0.status == 409 && $0.error == "slot_taken" }.count, 199)
        for r in results where r.status == 409 {
            XCTAssertEqual((r.json["free"] as? [String: [String]])?[Fixture.g5]?.contains("s005"), false)
        }
        let admin = try await live.send("GET", "/api/v1/admin/bookings", signer: RequestSigner.admin(seed: Fixture.adminSeed))
        XCTAssertEqual((admin.json["bookings"] as? [Any])?.count, 1)
    }

    func testRateLimitPerToken() async throws {
        await live.stop()
        var config = ReceiverConfiguration()
        config.tokenRate = 0.001
        config.tokenBurst = 3
        live = try await LiveReceiver(configuration: config)
        var statuses: [Int] = []
        for _ in 0..<5 { statuses.append(try await live.slots(Fixture.parentA).status) }
        XCTAssertEqual(statuses, [200, 200, 200, 429, 429])
        let other = try await live.slots(Fixture.parentB)
        XCTAssertEqual(other.status, 200)
    }

    func testDatabaseHoldsNoPlaintextNames() async throws {
        let name = "Wilhelmina-Zwaantje"
        var r = try await live.send("POST", "/api/v1/absences", json: try absenceBody(Fixture.parentA, child: name),
                                    signer: Fixture.parentA.signer)
        XCTAssertEqual(r.status, 201)
        r = try await live.book(Fixture.parentB, slot: "s002", child: name)
        XCTAssertEqual(r.status, 201)
        let needles = [name, "Koorts"].map { Array($0.utf8) }
        for suffix in ["", "-wal", "-shm"] {
            let path = live.dbPath + suffix
            guard let data = FileManager.default.contents(atPath: path) else { continue }
            let bytes = Array(data)
            for needle in needles {
                XCTAssertFalse(contains(bytes, needle), "\(path) contains \(String(decoding: needle, as: UTF8.self))")
            }
        }
        // The check itself works: the family id is stored in the clear and is found.
        let wal = Array(FileManager.default.contents(atPath: live.dbPath + "-wal") ?? Data())
            + Array(FileManager.default.contents(atPath: live.dbPath) ?? Data())
        XCTAssertTrue(contains(wal, Array("fam-b".utf8)))
    }

    private func contains(_ haystack: [UInt8], _ needle: [UInt8]) -> Bool {
        guard needle.count <= haystack.count else { return false }
        for i in 0...(haystack.count - needle.count) where haystack[i] == needle[0] {
            if Array(haystack[i..<(i + needle.count)]) == needle { return true }
        }
        return false
    }
}
