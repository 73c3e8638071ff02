import Foundation
import XCTest

@testable import PortalPush

/// The endpoint rule (no request forgery), quiet hours and the payload.
final class PushRulesTests: XCTestCase {
    func testKnownPushServicesPass() throws {
        let policy = PushEndpointPolicy()
        for endpoint in [
            "https://fcm.googleapis.com/fcm/send/dQw4w9WgXcQ:APA91b",
            "https://updates.push.services.mozilla.com/wpush/v2/gAAAAA",
            "https://web.push.apple.com/QGuQyavXutnMH",
            "https://api.push.apple.com/3/device/x",
            "https://wns2-db5p.notify.windows.com/w/?token=BQYAAA",
            "https://FCM.googleapis.com:443/fcm/send/x",
        ] {
            XCTAssertNoThrow(try policy.check(endpoint), endpoint)
        }
    }

    func testEverythingElseIsRefused() {
        let policy = PushEndpointPolicy()
        let cases: [(String, PushEndpointPolicy.Refusal)] = [
            ("http://fcm.googleapis.com/fcm/send/x", .notHTTPS),
            ("https://127.0.0.1/x", .addressLiteral),
            ("https://10.0.0.5/x", .addressLiteral),
            ("https://192.168.1.1/x", .addressLiteral),
            ("https://[::1]/x", .addressLiteral),
            ("https://[fd00::1]/x", .addressLiteral),
            ("https://2130706433/x", .addressLiteral),
            ("https://0x7f000001/x", .addressLiteral),
            ("https://localhost/x", .unknownHost("localhost")),
            ("https://intranet.school.local/x", .unknownHost("intranet.school.local")),
            ("https://fcm.googleapis.com.evil.example/x", .unknownHost("fcm.googleapis.com.evil.example")),
            ("https://evilpush.apple.com/x", .unknownHost("evilpush.apple.com")),
            ("https://push.apple.com/x", .unknownHost("push.apple.com")),
            ("https://user:pw@fcm.googleapis.com/x", .credentials),
            ("https://fcm.googleapis.com:8443/x", .port),
            ("http://127.0.0.1:9000/push/1", .notHTTPS),
            ("/relative/path", .notAURL),
            // Percent-escapes in the host: the name looked up could differ from the one checked.
            ("https://fcm%2egoogleapis.com/x", .notAURL),
            ("https://fcm.googleapis.com%00.evil.example/x", .notAURL),
            ("https://%31%32%37.0.0.1/x", .notAURL),
            ("https://fcm.googleapis.com%2F@evil.example/x", .credentials),
            ("https://fcm.googleapis.com/" + String(repeating: "a", count: 1024), .tooLong),
        ]
        for (endpoint, refusal) in cases {
            XCTAssertThrowsError(try policy.check(endpoint), endpoint) { XCTAssertEqual($0 as? PushEndpointPolicy.Refusal, refusal, endpoint) }
        }
    }

    func testTheTestFlagAllowsOnlyLoopbackHTTPWithAPort() throws {
        let policy = PushEndpointPolicy(allowLoopback: true)
        XCTAssertNoThrow(try policy.check("http://127.0.0.1:9000/push/1"))
        XCTAssertThrowsError(try policy.check("http://10.0.0.1:9000/push/1"))
        XCTAssertThrowsError(try policy.check("http://127.0.0.1/push/1"))
        XCTAssertThrowsError(try policy.check("http://localhost:9000/push/1"))
    }

    func testQuietHoursHoldUntilMorningAndOverTheWeekend() throws {
        let quiet = try QuietHours(start: "20:00", end: "07:00", weekends: true, timeZone: "Europe/Amsterdam")
        func at(_ s: String) -> Date { ISO8601DateFormatter().date(from: s)! }
        // Tuesday 1 December 2026, Amsterdam is UTC+1.
        XCTAssertEqual(quiet.release(after: at("2026-12-01T12:00:00Z")), at("2026-12-01T12:00:00Z"))
        XCTAssertEqual(quiet.release(after: at("2026-12-01T19:30:00Z")), at("2026-12-02T06:00:00Z"))  // 20:30 -> 07:00
        XCTAssertEqual(quiet.release(after: at("2026-12-02T05:59:00Z")), at("2026-12-02T06:00:00Z"))
        XCTAssertFalse(quiet.isQuiet(at("2026-12-02T06:00:00Z")))
        // Friday evening and the whole weekend wait for Monday 07:00.
        XCTAssertEqual(quiet.release(after: at("2026-12-04T19:01:00Z")), at("2026-12-07T06:00:00Z"))
        XCTAssertEqual(quiet.release(after: at("2026-12-05T11:00:00Z")), at("2026-12-07T06:00:00Z"))
        // Summer time: 07:00 is 05:00 UTC, also on the day the clocks go forward (29 March 2026, Sunday).
        let weekdays = try QuietHours(start: "20:00", end: "07:00", weekends: false, timeZone: "Europe/Amsterdam")
        XCTAssertEqual(weekdays.release(after: at("2026-03-28T22:00:00Z")), at("2026-03-29T05:00:00Z"))
        // No quiet time of day, weekends only: Monday midnight.
        let weekendOnly = try QuietHours(start: "00:00", end: "00:00", weekends: true, timeZone: "Europe/Amsterdam")
        XCTAssertEqual(weekendOnly.release(after: at("2026-12-05T11:00:00Z")), at("2026-12-06T23:00:00Z"))
        XCTAssertThrowsError(try QuietHours(start: "8:00", end: "07:00", weekends: true, timeZone: "Europe/Amsterdam"))
        XCTAssertThrowsError(try QuietHours(start: "20:00", end: "24:00", weekends: true, timeZone: "Europe/Amsterdam"))
        XCTAssertThrowsError(try QuietHours(start: "20:00", end: "07:00", weekends: true, timeZone: "Mars/Olympus"))
    }

    func testPayloadsMergeAndCarryNoText() {
        let a = PushPayload(sequences: ["groep-5": 10, "school": 4], urgent: false, count: 2)
        let b = PushPayload(sequences: ["groep-5": 12], urgent: true)
        XCTAssertEqual(a.merged(with: b), PushPayload(sequences: ["groep-5": 12, "school": 4], urgent: true, count: 3))
        XCTAssertEqual(String(decoding: a.encoded(), as: UTF8.self), #"{"n":2,"s":{"groep-5":10,"school":4},"u":false,"v":1}"#)
        XCTAssertEqual(PushPayload.decode(b.encoded()), b)
    }

    func testVAPIDOriginDropsDefaultPortsOnly() {
        XCTAssertEqual(VAPIDKey.origin(of: URL(string: "https://fcm.googleapis.com:443/x")!), "https://fcm.googleapis.com")
        XCTAssertEqual(VAPIDKey.origin(of: URL(string: "http://127.0.0.1:9000/x")!), "http://127.0.0.1:9000")
    }
}
