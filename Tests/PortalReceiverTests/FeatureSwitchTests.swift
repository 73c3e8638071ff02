// Features switched on step by step (issue 20, point 1), at the receiver: what the trust file
// lists as off is refused with 403 `feature_off` before anything is stored, for parents and
// staff alike; what is on works as before.
import Foundation
import PortalFormat
import PortalReceiver
import PortalTrust
import PortalTestSupport
import XCTest

final class FeatureSwitchTests: XCTestCase {
    static let teacher = TestToken.teacher(41, group: "groep-5")

    func testEveryRequestOfAFeatureThatIsOffIsRefused() async throws {
        var trust = Fixture.trust(extraTokens: [Self.teacher])
        trust.featuresOff = ["absence", "booking", "forms", "news", "posting", "push"]
        let live = try await LiveReceiver(trust: trust)
        defer { Task { await live.stop() } }
        let parent = Fixture.parentA.signer, staff = Self.teacher.signer
        let id = String(repeating: "a", count: 32)
        let calls: [(String, String, Any?, RequestSigner, String)] = [
            ("POST", "/api/v1/absences", ["group": "groep-5", "from": "2027-02-01", "to": "2027-02-01", "sealed": [:]], parent, "absence"),
            ("POST", "/api/v1/bookings", ["schedule": Fixture.g5, "slot": "s001", "sealed": [:]], parent, "booking"),
            ("GET", "/api/v1/schedules/\(Fixture.g5)/slots", nil, parent, "booking"),
            ("DELETE", "/api/v1/bookings/\(id)", nil, parent, "booking"),
            ("POST", "/api/v1/forms/\(id)/answers", ["child": "", "shifts": [], "sealed": [:], "copy": [:]], parent, "forms"),
            ("GET", "/api/v1/forms", nil, parent, "forms"),
            ("POST", "/api/v1/confirmations", ["item": id], parent, "news"),
            ("POST", "/api/v1/push/subscription", ["endpoint": "https://fcm.googleapis.com/x", "mode": "off"], parent, "push"),
            ("GET", "/api/v1/staff/absences", nil, staff, "absence"),
            ("GET", "/api/v1/staff/answers", nil, staff, "forms"),
            ("GET", "/api/v1/staff/posts", nil, staff, "posting"),
        ]
        for (method, path, body, signer, feature) in calls {
            let r = try await live.send(method, path, json: body, signer: signer)
            XCTAssertEqual(r.status, 403, "\(method) \(path): \(r.json)")
            XCTAssertEqual(r.error, "feature_off", "\(method) \(path)")
            XCTAssertEqual(r.json["message"] as? String, "this school has not switched on \(feature)")
        }
        // What is on still answers: registration is part of every school.
        let registered = try await live.send("POST", "/api/v1/registrations", json: [:], signer: parent)
        XCTAssertEqual(registered.status, 201, "\(registered.json)")
        let listed = try await live.send("GET", "/api/v1/admin/submissions", signer: .admin(seed: Fixture.adminSeed))
        XCTAssertEqual((listed.json["submissions"] as? [Any])?.count, 0, "nothing was stored")
    }
}
