// The registration week at the receiver, over HTTP on 127.0.0.1: first registration 201, later
// ones 200 with the first time, refused after register_by, signatures and the admin listing.
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

final class RegistrationTests: XCTestCase {
    var live: LiveReceiver!
    /// Registers until 2027-02-03 12:00, two days after the fixture's "now".
    let newcomer = TestToken.make(20, family: "fam-new", audiences: ["groep-5"], expires: Fixture.yearEnd)
    let registerBy = Fixture.now.addingTimeInterval(2 * 86400)

    override func setUp() async throws {
        var trust = Fixture.trust()
        var entry = newcomer.trustEntry
        entry.registerBy = registerBy
        trust.tokens.append(entry)
        live = try await LiveReceiver(trust: trust)
    }

    override func tearDown() async throws {
        await live?.stop()
        live = nil
    }

    func testFirstRegistrationIs201ThenEveryCallIs200WithTheFirstTime() async throws {
        let first = try await live.send("POST", "/api/v1/registrations", json: ["device": "Android · Chrome"], signer: newcomer.signer)
        XCTAssertEqual(first.status, 201, "\(first.json)")
        XCTAssertEqual(first.json["token_id"] as? String, newcomer.id)
        XCTAssertEqual(first.json["registered_at"] as? String, "2027-02-01T12:00:00Z")

        live.clock.advance(3600)
        let again = try await live.send("POST", "/api/v1/registrations", json: [String: String](), signer: newcomer.signer)
        XCTAssertEqual(again.status, 200)
        XCTAssertEqual(again.json["registered_at"] as? String, "2027-02-01T12:00:00Z", "the first time, not now")

        // After the deadline a registered token still gets its answer (the app may ask again).
        live.clock.set(registerBy.addingTimeInterval(86400))
        let late = try await live.send("POST", "/api/v1/registrations", json: [String: String](), signer: newcomer.signer)
        XCTAssertEqual(late.status, 200)
        XCTAssertEqual(late.json["registered_at"] as? String, "2027-02-01T12:00:00Z")
    }

    func testFirstRegistrationAfterRegisterByIsClosed() async throws {
        live.clock.set(registerBy)
        let r = try await live.send("POST", "/api/v1/registrations", json: [String: String](), signer: newcomer.signer)
        XCTAssertEqual(r.status, 403)
        XCTAssertEqual(r.error, "registration_closed")
        XCTAssertEqual(r.json["message"] as? String, "the registration period of this token has ended; ask the school for a new code")
        // Nothing was stored: the admin list is empty.
        let list = try await live.send("GET", "/api/v1/admin/registrations", signer: .admin(seed: Fixture.adminSeed))
        XCTAssertEqual((list.json["registrations"] as? [Any])?.count, 0)
    }

    func testTokenWithoutRegisterByCanAlwaysRegister() async throws {
        live.clock.advance(100 * 86400)
        let r = try await live.send("POST", "/api/v1/registrations", json: [String: String](), signer: Fixture.parentA.signer)
        XCTAssertEqual(r.status, 201)
    }

    func testUnsignedBadSignatureUnknownAndBadBodiesAreRefused() async throws {
        var r = try await live.send("POST", "/api/v1/registrations", json: [String: String](), signer: nil)
        XCTAssertEqual(r.status, 401)
        XCTAssertEqual(r.error, "missing_signature")
        let forged = RequestSigner(tokenID: newcomer.id, seed: SHA256.hash(Array("not the seed".utf8)))
        r = try await live.send("POST", "/api/v1/registrations", json: [String: String](), signer: forged)
        XCTAssertEqual(r.status, 401)
        XCTAssertEqual(r.error, "bad_signature")
        r = try await live.send("POST", "/api/v1/registrations", json: [String: String](), signer: Fixture.revoked.signer)
        XCTAssertEqual(r.status, 401)
        XCTAssertEqual(r.error, "unknown_token")
        r = try await live.send("POST", "/api/v1/registrations", json: [String: String](), signer: Fixture.expired.signer)
        XCTAssertEqual(r.status, 403)
        XCTAssertEqual(r.error, "token_expired")
        r = try await live.send("POST", "/api/v1/registrations", json: ["device": String(repeating: "x", count: 65)], signer: newcomer.signer)
        XCTAssertEqual(r.status, 422)
        r = try await live.send("POST", "/api/v1/registrations", json: ["child": "Sanne"], signer: newcomer.signer)
        XCTAssertEqual(r.status, 422)
        XCTAssertEqual(r.error, "invalid_request")
        r = try await live.send("GET", "/api/v1/registrations", signer: newcomer.signer)
        XCTAssertEqual(r.status, 405)
        // The admin key is not a parent: it cannot register.
        r = try await live.send("POST", "/api/v1/registrations", json: [String: String](), signer: .admin(seed: Fixture.adminSeed))
        XCTAssertEqual(r.status, 403)
        XCTAssertEqual(r.error, "token_only")
        // None of the refusals stored anything.
        let list = try await live.send("GET", "/api/v1/admin/registrations", signer: .admin(seed: Fixture.adminSeed))
        XCTAssertEqual((list.json["registrations"] as? [Any])?.count, 0)
    }

    func testAdminListNeedsTheAdminKeyAndFiltersBySince() async throws {
        var r = try await live.send("POST", "/api/v1/registrations", json: ["device": "iPhone · Safari"], signer: newcomer.signer)
        XCTAssertEqual(r.status, 201)
        live.clock.advance(86400)
        r = try await live.send("POST", "/api/v1/registrations", json: [String: String](), signer: Fixture.parentB.signer)
        XCTAssertEqual(r.status, 201)

        r = try await live.send("GET", "/api/v1/admin/registrations", signer: newcomer.signer)
        XCTAssertEqual(r.status, 403)
        XCTAssertEqual(r.error, "admin_only")
        r = try await live.send("GET", "/api/v1/admin/registrations", signer: nil)
        XCTAssertEqual(r.status, 401)

        let admin = RequestSigner.admin(seed: Fixture.adminSeed)
        let all = try await live.send("GET", "/api/v1/admin/registrations", signer: admin)
        XCTAssertEqual(all.status, 200)
        let rows = try XCTUnwrap(all.json["registrations"] as? [[String: Any]])
        XCTAssertEqual(rows.map { $0["token_id"] as? String }, [newcomer.id, Fixture.parentB.id])
        XCTAssertEqual(rows[0]["family"] as? String, "fam-new")
        XCTAssertEqual(rows[0]["registered_at"] as? String, "2027-02-01T12:00:00Z")
        XCTAssertEqual(rows[0]["device"] as? String, "iPhone · Safari")
        XCTAssertNil(rows[1]["device"])
        let since = try await live.send("GET", "/api/v1/admin/registrations?since=2027-02-02T00:00:00Z", signer: admin)
        XCTAssertEqual((since.json["registrations"] as? [[String: Any]])?.map { $0["token_id"] as? String }, [Fixture.parentB.id])
        let bad = try await live.send("GET", "/api/v1/admin/registrations?since=yesterday", signer: admin)
        XCTAssertEqual(bad.status, 422)
    }

    func testReceiverClientRegistersAndListsForStaff() async throws {
        live.clock.set(Date())  // the client signs with the real clock
        var trust = Fixture.trust()
        var entry = newcomer.trustEntry
        entry.expires = Date().addingTimeInterval(90 * 86400)
        entry.registerBy = Date().addingTimeInterval(86400)
        trust.tokens.append(entry)
        live.receiver.trust.replace(with: trust)
        let base = URL(string: live.baseURL + "/api")!
        let parent = ReceiverClient(receiverURL: base, signer: newcomer.signer, session: live.session)
        let first = try await parent.register(device: "Linux · Firefox")
        XCTAssertTrue(first.created)
        XCTAssertEqual(first.tokenID, newcomer.id)
        let second = try await parent.register()
        XCTAssertFalse(second.created)
        XCTAssertEqual(second.registeredAt, first.registeredAt)
        let staff = ReceiverClient(receiverURL: base, signer: .admin(seed: Fixture.adminSeed), session: live.session)
        let rows = try await staff.registrations()
        XCTAssertEqual(rows.map(\.tokenID), [newcomer.id])
        XCTAssertEqual(rows[0].device, "Linux · Firefox")
        XCTAssertEqual(rows[0].registeredAt, first.registeredAt)
        XCTAssertNotNil(rows[0].registeredDate)

        // Past the deadline, a token that never registered is told so.
        entry = Fixture.parentB.trustEntry
        entry.registerBy = Date().addingTimeInterval(-60)
        trust.tokens.removeAll { $0.id == entry.id }
        trust.tokens.append(entry)
        live.receiver.trust.replace(with: trust)
        let closed = ReceiverClient(receiverURL: base, signer: Fixture.parentB.signer, session: live.session)
        do {
            _ = try await closed.register()
            XCTFail("registration after register_by must be refused")
        } catch ReceiverClientError.refused(let status, let code, _) {
            XCTAssertEqual(status, 403)
            XCTAssertEqual(code, "registration_closed")
        }
    }

    func testTrustFileCarriesRegisterBy() throws {
        var trust = Fixture.trust()
        var entry = newcomer.trustEntry
        entry.registerBy = registerBy
        trust.tokens = [entry, Fixture.parentA.trustEntry]
        let text = String(decoding: try trust.encoded(), as: UTF8.self)
        XCTAssertTrue(text.contains("\"register_by\" : \"2027-02-03T12:00:00Z\""), text)
        XCTAssertEqual(text.components(separatedBy: "register_by").count, 2, "absent when there is no deadline")
        let again = try TrustFile.decode(try trust.encoded())
        XCTAssertEqual(again.tokens.map(\.registerBy), [registerBy, nil])
    }
}
