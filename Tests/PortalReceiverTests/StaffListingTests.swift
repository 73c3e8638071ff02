// `GET /api/v1/staff/absences` and `/bookings` on a real receiver: a staff token gets its own
// groups' sealed rows of the last 14 days, with the kid they were sealed to; a parent token is
// refused there, and a staff token is refused where parents send.
import Foundation
import PortalCrypto
import PortalFormat
import PortalReceiver
import PortalTrust
import PortalTestSupport
import XCTest

final class StaffListingTests: XCTestCase {
    static let teacher5 = TestToken.teacher(20, group: "groep-5")
    static let groupKey5 = HPKE.deriveKeyPair(ikm: Array("groep-5 inbox 1".utf8))

    func report(_ live: LiveReceiver, _ token: TestToken, group: String, day: String, kid: Bool = true) async throws -> HTTPResult {
        let recipient = group == "groep-5" ? Self.groupKey5.publicKey : Fixture.inbox.publicKey
        let sealed = try AbsencePayload(child: "Sam", reason: .ziek)
            .seal(tokenID: token.id, binding: .absence(group: group, from: day, to: day), inboxPublicKey: recipient, namingKey: kid)
        return try await live.send("POST", "/api/v1/absences", json: ["group": group, "from": day, "to": day, "sealed": sealed.jsonObject],
                                   signer: token.signer)
    }

    func testAStaffTokenListsItsGroupsReportsOfTheLast14Days() async throws {
        let live = try await LiveReceiver(trust: Fixture.trust(extraTokens: [Self.teacher5]))
        defer { Task { await live.stop() } }
        // Sixteen days ago (from the receiver's clock), then today: only today's is in the window.
        live.clock.advance(-16 * 86400)
        let old = try await report(live, Fixture.parentA, group: "groep-5", day: "2027-01-16")
        XCTAssertEqual(old.status, 201, "\(old.json)")
        live.clock.advance(16 * 86400)
        let fresh = try await report(live, Fixture.parentB, group: "groep-5", day: "2027-02-01")
        XCTAssertEqual(fresh.status, 201, "\(fresh.json)")
        let other = try await report(live, Fixture.groep3, group: "groep-3", day: "2027-02-01", kid: false)
        XCTAssertEqual(other.status, 201, "\(other.json)")

        let listed = try await live.send("GET", "/api/v1/staff/absences", signer: Self.teacher5.signer)
        XCTAssertEqual(listed.status, 200, "\(listed.json)")
        let rows = try XCTUnwrap(listed.json["submissions"] as? [[String: Any]])
        XCTAssertEqual(rows.map { $0["id"] as? String }, [fresh.json["id"] as? String], "own group, last 14 days only")
        let row = try XCTUnwrap(rows.first)
        XCTAssertEqual(row["token_id"] as? String, Fixture.parentB.id)
        let sealed = try XCTUnwrap(row["sealed"] as? [String: String])
        XCTAssertEqual(sealed["kid"], InboxKeyID.of(publicKey: Self.groupKey5.publicKey), "the receiver keeps the kid")
        // What it hands out is what the parent sealed: it opens with the group key, bound to its fields.
        let payload = SealedPayload(
            enc: Array(Data(base64Encoded: sealed["enc"]!)!), ct: Array(Data(base64Encoded: sealed["ct"]!)!), kid: sealed["kid"])
        let opened = try AbsencePayload.open(
            payload, tokenID: Fixture.parentB.id, binding: .absence(group: "groep-5", from: "2027-02-01", to: "2027-02-01"),
            inboxSecretKey: Self.groupKey5.secretKey)
        XCTAssertEqual(opened.child, "Sam")
    }

    func testParentsCannotListAndStaffCannotSend() async throws {
        let live = try await LiveReceiver(trust: Fixture.trust(extraTokens: [Self.teacher5]))
        defer { Task { await live.stop() } }
        for path in ["/api/v1/staff/absences", "/api/v1/staff/bookings"] {
            let refused = try await live.send("GET", path, signer: Fixture.parentA.signer)
            XCTAssertEqual(refused.status, 403, path)
            XCTAssertEqual(refused.error, "staff_only", path)
        }
        let report = try await report(live, Self.teacher5, group: "groep-5", day: "2027-02-01")
        XCTAssertEqual(report.status, 403)
        XCTAssertEqual(report.error, "parents_only")
        let booking = try await live.book(Self.teacher5, slot: "s000")
        XCTAssertEqual(booking.error, "parents_only")
        // A kid that is not 16 lowercase hex digits is refused like any malformed field.
        let bad = try await live.send("POST", "/api/v1/absences", json: [
            "group": "groep-5", "from": "2027-02-01", "to": "2027-02-01",
            "sealed": ["enc": Data(repeating: 1, count: 32).base64EncodedString(), "ct": Data(repeating: 2, count: 40).base64EncodedString(), "kid": "XYZ"],
        ], signer: Fixture.parentA.signer)
        XCTAssertEqual(bad.status, 422)
    }

    func testAStaffTokenListsTheBookingsOfItsGroupsSchedules() async throws {
        let live = try await LiveReceiver(trust: Fixture.trust(extraTokens: [Self.teacher5]))
        defer { Task { await live.stop() } }
        let own = try await live.book(Fixture.parentA, slot: "s001")
        XCTAssertEqual(own.status, 201, "\(own.json)")
        let other = try await live.book(Fixture.groep3, schedule: Fixture.g3, slot: "s002")
        XCTAssertEqual(other.status, 201, "\(other.json)")
        let listed = try await live.send("GET", "/api/v1/staff/bookings", signer: Self.teacher5.signer)
        XCTAssertEqual(listed.status, 200, "\(listed.json)")
        let rows = try XCTUnwrap(listed.json["bookings"] as? [[String: Any]])
        XCTAssertEqual(rows.map { $0["schedule"] as? String }, [Fixture.g5], "groep-3's booking is not listed")
        XCTAssertEqual(rows.first?["slot"] as? String, "s001")
        XCTAssertEqual(rows.first?["teacher"] as? String, "Juf Sanne")
        XCTAssertNotNil(rows.first?["start"] as? String)
    }

    func testReadMarksFollowTheTokenToEveryDeviceAndOnlyForItsOwnReports() async throws {
        let live = try await LiveReceiver(trust: Fixture.trust(extraTokens: [Self.teacher5]))
        defer { Task { await live.stop() } }
        let own = try await report(live, Fixture.parentA, group: "groep-5", day: "2027-02-01")
        let other = try await report(live, Fixture.groep3, group: "groep-3", day: "2027-02-01", kid: false)
        let ownID = try XCTUnwrap(own.json["id"] as? String), otherID = try XCTUnwrap(other.json["id"] as? String)
        func listed() async throws -> [[String: Any]] {
            let answer = try await live.send("GET", "/api/v1/staff/absences", signer: Self.teacher5.signer)
            return try XCTUnwrap(answer.json["submissions"] as? [[String: Any]])
        }
        let before = try await listed()
        XCTAssertEqual(before.first?["read"] as? Bool, false)
        let refused = try await live.send("POST", "/api/v1/staff/read", json: ["ids": [otherID]], signer: Self.teacher5.signer)
        XCTAssertEqual(refused.status, 404, "another group's report cannot be marked")
        XCTAssertEqual(refused.error, "unknown_report")
        let bad = try await live.send("POST", "/api/v1/staff/read", json: ["ids": []], signer: Self.teacher5.signer)
        XCTAssertEqual(bad.status, 422)
        let marked = try await live.send("POST", "/api/v1/staff/read", json: ["ids": [ownID]], signer: Self.teacher5.signer)
        XCTAssertEqual(marked.status, 200, "\(marked.json)")
        let after = try await listed()
        XCTAssertEqual(after.first?["read"] as? Bool, true, "read on every device of the token")
        let parent = try await live.send("POST", "/api/v1/staff/read", json: ["ids": [ownID]], signer: Fixture.parentA.signer)
        XCTAssertEqual(parent.error, "staff_only")
    }
}
