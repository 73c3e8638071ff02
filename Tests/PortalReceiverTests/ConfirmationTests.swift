// Read confirmations on a real receiver (issue 18, point 4): a parent token confirms a news item
// the trust file names, once (a second confirmation keeps the first time), sees it again from
// another device, and the admin key lists who confirmed; an item the trust file does not name, an
// item of another group and a staff token are refused. The database holds ids and times only.
import Foundation
import PortalFormat
import PortalReceiver
import PortalTrust
import PortalTestSupport
import XCTest

final class ConfirmationTests: XCTestCase {
    static let g5Item = String(repeating: "a5", count: 16)
    static let g3Item = String(repeating: "b3", count: 16)
    static let teacher = TestToken.teacher(21, group: "groep-5")

    func testAParentConfirmsOnceAndTheSchoolSeesWhoDid() async throws {
        var trust = Fixture.trust(extraTokens: [Self.teacher])
        trust.confirmations = [.init(id: Self.g5Item, audience: "groep-5"), .init(id: Self.g3Item, audience: "groep-3")]
        let live = try await LiveReceiver(trust: trust)
        defer { Task { await live.stop() } }
        let admin = RequestSigner.admin(seed: Fixture.adminSeed)

        let first = try await live.send("POST", "/api/v1/confirmations", json: ["item": Self.g5Item], signer: Fixture.parentA.signer)
        XCTAssertEqual(first.status, 200, "\(first.json)")
        let at = try XCTUnwrap(first.json["confirmed"] as? String)
        live.clock.advance(3600)
        let again = try await live.send("POST", "/api/v1/confirmations", json: ["item": Self.g5Item], signer: Fixture.parentA.signer)
        XCTAssertEqual(again.json["confirmed"] as? String, at, "confirmed once: the first time stays")

        let own = try await live.send("GET", "/api/v1/confirmations", signer: Fixture.parentA.signer)
        XCTAssertEqual((own.json["confirmations"] as? [[String: Any]])?.map { $0["item"] as? String }, [Self.g5Item])
        let other = try await live.send("GET", "/api/v1/confirmations", signer: Fixture.parentB.signer)
        XCTAssertEqual((other.json["confirmations"] as? [[String: Any]])?.count, 0, "another family's code has confirmed nothing")

        let unknown = try await live.send("POST", "/api/v1/confirmations", json: ["item": String(repeating: "c", count: 32)], signer: Fixture.parentA.signer)
        XCTAssertEqual(unknown.status, 404)
        XCTAssertEqual(unknown.error, "unknown_item")
        let elsewhere = try await live.send("POST", "/api/v1/confirmations", json: ["item": Self.g3Item], signer: Fixture.parentA.signer)
        XCTAssertEqual(elsewhere.status, 403)
        XCTAssertEqual(elsewhere.error, "group_not_allowed")
        let staff = try await live.send("POST", "/api/v1/confirmations", json: ["item": Self.g5Item], signer: Self.teacher.signer)
        XCTAssertEqual(staff.error, "parents_only")
        let malformed = try await live.send("POST", "/api/v1/confirmations", json: ["item": "X", "extra": 1], signer: Fixture.parentA.signer)
        XCTAssertEqual(malformed.status, 422)

        let listed = try await live.send("GET", "/api/v1/admin/confirmations?item=\(Self.g5Item)", signer: admin)
        XCTAssertEqual(listed.status, 200, "\(listed.json)")
        let rows = try XCTUnwrap(listed.json["confirmations"] as? [[String: Any]])
        XCTAssertEqual(rows.map { $0["token_id"] as? String }, [Fixture.parentA.id])
        XCTAssertEqual(rows.first?["confirmed"] as? String, at)
        let asParent = try await live.send("GET", "/api/v1/admin/confirmations?item=\(Self.g5Item)", signer: Fixture.parentA.signer)
        XCTAssertNotEqual(asParent.status, 200, "only the admin key lists who confirmed")
    }
}
