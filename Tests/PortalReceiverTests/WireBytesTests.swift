// The exact bytes the receiver answers, for every endpoint and its refusals: status codes, key
// names and order, absent vs present fields, numbers vs strings, error codes and messages. The
// transcript was recorded from the receiver before it was split by endpoint (issue 11); any change
// of the wire shows up here as a diff.
import Foundation
import PortalCrypto
import PortalFormat
import PortalReceiver
import PortalTrust
import PortalTestSupport
import XCTest

final class WireBytesTests: XCTestCase {
    /// A receiver called directly (no HTTP), with a fixed clock and fixed random ids.
    final class Harness: @unchecked Sendable {
        let folder: URL
        let clock = ManualClock(Fixture.now)
        let receiver: Receiver
        private var nonceCounter = 0
        var transcript: [String] = []

        init() throws {
            folder = FileManager.default.temporaryDirectory.appendingPathComponent("receiver-wire-\(UUID().uuidString)")
            try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
            let trustURL = folder.appendingPathComponent("trust.json")
            var trust = Fixture.trust(slotCount: 8)
            var newcomer = TestToken.make(20, family: "fam-new", audiences: ["groep-5"], expires: Fixture.yearEnd).trustEntry
            newcomer.registerBy = Fixture.now.addingTimeInterval(2 * 86400)
            trust.tokens.append(newcomer)
            var late = TestToken.make(21, family: "fam-late", audiences: ["groep-5"], expires: Fixture.yearEnd).trustEntry
            late.registerBy = Fixture.now.addingTimeInterval(2 * 86400)
            trust.tokens.append(late)
            try trust.write(to: trustURL)
            var configuration = ReceiverConfiguration()
            configuration.tokenRate = 0
            configuration.addressRate = 0
            receiver = try Receiver(
                trust: TrustStore(url: trustURL), databasePath: folder.appendingPathComponent("r.sqlite").path, clock: clock,
                configuration: configuration, random: DeterministicRandom(seed: Array("wire".utf8)))
        }

        deinit { try? FileManager.default.removeItem(at: folder) }

        /// Sends `body` signed by `signer` (nil: unsigned) and records `METHOD target -> status body`.
        @discardableResult
        func call(_ method: String, _ target: String, _ body: String = "", signer: RequestSigner?,
                  contentType: String? = "application/json") async -> String {
            let bytes = Array(body.utf8)
            nonceCounter += 1
            var headers: [String: String] = [:]
            if let contentType, method == "POST" { headers["Content-Type"] = contentType }
            if let signer {
                let nonce = Base64URL.encode(Array(repeating: UInt8(nonceCounter % 256), count: 15) + [UInt8(nonceCounter / 256)])
                for (k, v) in signer.headers(method: method, path: target, body: bytes,
                                             timestamp: Int64(clock.now().timeIntervalSince1970), nonce: nonce) {
                    headers[k] = v
                }
            }
            let response = await receiver.respond(to: APIRequest(
                method: method, target: target, headers: headers, body: bytes, remoteAddress: "192.0.2.1"))
            let text = String(decoding: response.body, as: UTF8.self)
            transcript.append("\(method) \(target) -> \(response.status) \(text)")
            return text
        }
    }

    static let enc = Data(Array(repeating: UInt8(0xe1), count: 32)).base64EncodedString()
    static let ct = Data(Array(0..<17).map { UInt8($0) }).base64EncodedString()
    static let sealed = "{\"enc\":\"\(enc)\",\"ct\":\"\(ct)\"}"

    static func absence(group: String = "\"groep-5\"", from: String = "2027-02-01", to: String = "2027-02-02",
                        extra: String = "", sealed: String = WireBytesTests.sealed) -> String {
        "{\"group\":\(group),\"from\":\"\(from)\",\"to\":\"\(to)\",\"sealed\":\(sealed)\(extra)}"
    }

    static func claim(_ schedule: String = Fixture.g5, slot: String, sealed: String = WireBytesTests.sealed) -> String {
        "{\"schedule\":\"\(schedule)\",\"slot\":\"\(slot)\",\"sealed\":\(sealed)}"
    }

    func testEveryAnswerIsByteForByteTheRecordedOne() async throws {
        let h = try Harness()
        let a = Fixture.parentA.signer
        let admin = RequestSigner.admin(seed: Fixture.adminSeed)
        let newcomer = TestToken.make(20, family: "fam-new", audiences: ["groep-5"], expires: Fixture.yearEnd).signer

        // Routing, transport and signatures.
        await h.call("GET", "/api/v1/nothing", signer: nil)
        await h.call("GET", "/api/v1/absences", signer: a)
        await h.call("POST", "/api/v1/schedules/x/slots", "{}", signer: a)
        await h.call("GET", "/api/v1/schedules//slots", signer: a)
        await h.call("GET", "/api/v1/bookings/abc", signer: a)
        await h.call("GET", "/api/v1/bookings/0123456789abcdef0123456789abcdef/move", signer: a)
        await h.call("DELETE", "/api/v1/bookings/zz/move", signer: a)
        await h.call("POST", "/api/v1/absences", WireBytesTests.absence(), signer: nil)
        await h.call("POST", "/api/v1/absences", WireBytesTests.absence(), signer: a, contentType: "text/plain")
        await h.call("POST", "/api/v1/absences", WireBytesTests.absence(), signer: a, contentType: "Application/JSON; charset=utf-8")
        await h.call("GET", "/api/v1/admin/bookings", "{}", signer: admin)
        await h.call("POST", "/api/v1/absences", String(repeating: " ", count: 16 * 1024 + 1), signer: a)
        await h.call("GET", "/api/v1/admin/submissions", signer: a)
        await h.call("GET", "/api/v1/schedules/\(Fixture.g5)/slots", signer: admin)
        await h.call("GET", "/api/v1/schedules/\(Fixture.g5)/slots", signer: Fixture.revoked.signer)
        await h.call("GET", "/api/v1/schedules/\(Fixture.g5)/slots", signer: Fixture.expired.signer)

        // Malformed bodies.
        for body in ["{\"group\": ", "[1,2]", "42", "\"text\"", "null", "", "{\"group\":\"groep-5\",}"] {
            await h.call("POST", "/api/v1/absences", body, signer: a)
        }

        // Absence reports.
        await h.call("POST", "/api/v1/absences", WireBytesTests.absence(), signer: a)
        await h.call("POST", "/api/v1/absences", WireBytesTests.absence(group: "\"groep-3\""), signer: a)
        await h.call("POST", "/api/v1/absences", WireBytesTests.absence(group: "\"school\""), signer: a)
        await h.call("POST", "/api/v1/absences", WireBytesTests.absence(extra: ",\"child\":\"Sanne\",\"a\":1"), signer: a)
        await h.call("POST", "/api/v1/absences", WireBytesTests.absence(group: "5"), signer: a)
        await h.call("POST", "/api/v1/absences", WireBytesTests.absence(group: "null"), signer: a)
        await h.call("POST", "/api/v1/absences", WireBytesTests.absence(group: "[\"groep-5\"]"), signer: a)
        await h.call("POST", "/api/v1/absences", WireBytesTests.absence(group: "\"\""), signer: a)
        await h.call("POST", "/api/v1/absences", WireBytesTests.absence(group: "\"groep\\u0007\""), signer: a)
        await h.call("POST", "/api/v1/absences", WireBytesTests.absence(group: "\"groep\\u0085\""), signer: a)
        await h.call("POST", "/api/v1/absences", WireBytesTests.absence(group: "\"groep\\u007f\""), signer: a)
        await h.call("POST", "/api/v1/absences", "{\"from\":\"2027-02-01\"}", signer: a)
        await h.call("POST", "/api/v1/absences", WireBytesTests.absence(from: "2027-02-30", to: "2027-03-01"), signer: a)
        await h.call("POST", "/api/v1/absences", WireBytesTests.absence(from: "2027-2-1", to: "2027-03-01"), signer: a)
        await h.call("POST", "/api/v1/absences", WireBytesTests.absence(from: "2027-02-011", to: "2027-03-01"), signer: a)
        await h.call("POST", "/api/v1/absences", WireBytesTests.absence(from: "2027-02-05", to: "2027-02-01"), signer: a)
        await h.call("POST", "/api/v1/absences", WireBytesTests.absence(from: "2027-02-01", to: "2027-05-01"), signer: a)
        await h.call("POST", "/api/v1/absences", WireBytesTests.absence(from: "2031-01-01", to: "2031-01-02"), signer: a)
        await h.call("POST", "/api/v1/absences", WireBytesTests.absence(from: "2026-12-01", to: "2026-12-02"), signer: a)
        await h.call("POST", "/api/v1/absences", WireBytesTests.absence(sealed: "\"x\""), signer: a)
        await h.call("POST", "/api/v1/absences", WireBytesTests.absence(sealed: "{\"enc\":\"AAAA\",\"ct\":\"AAAA\"}"), signer: a)
        await h.call("POST", "/api/v1/absences", WireBytesTests.absence(sealed: "{\"enc\":\"\(WireBytesTests.enc)\",\"ct\":\"AAAA\"}"), signer: a)
        await h.call("POST", "/api/v1/absences", WireBytesTests.absence(sealed: "{\"enc\":\"\(WireBytesTests.enc)\"}"), signer: a)
        await h.call("POST", "/api/v1/absences", WireBytesTests.absence(sealed: "{\"enc\":1,\"ct\":\"AAAA\"}"), signer: a)
        await h.call("POST", "/api/v1/absences", WireBytesTests.absence(sealed: "{\"enc\":\"\(WireBytesTests.enc)\",\"ct\":\"\(WireBytesTests.ct)\",\"x\":1}"), signer: a)

        // Registrations.
        await h.call("POST", "/api/v1/registrations", "{\"device\":\"Android · Chrome/\\\"x\\\"\"}", signer: newcomer)
        h.clock.advance(3600)
        await h.call("POST", "/api/v1/registrations", "{}", signer: newcomer)
        await h.call("POST", "/api/v1/registrations", "{\"device\":5}", signer: a)
        await h.call("POST", "/api/v1/registrations", "{\"device\":\"\(String(repeating: "x", count: 65))\"}", signer: a)
        await h.call("POST", "/api/v1/registrations", "{\"device\":\"a\\nb\"}", signer: a)
        await h.call("POST", "/api/v1/registrations", "{\"devices\":\"a\"}", signer: a)
        await h.call("POST", "/api/v1/registrations", "{}", signer: a)
        h.clock.set(Fixture.now.addingTimeInterval(3 * 86400))
        await h.call("POST", "/api/v1/registrations", "{}", signer: TestToken.make(21, family: "x", audiences: [], expires: Fixture.yearEnd).signer)
        await h.call("POST", "/api/v1/registrations", "{}", signer: newcomer)
        h.clock.set(Fixture.now)

        // Bookings.
        let b = Fixture.parentB.signer
        let m = Fixture.multi.signer
        let first = await h.call("POST", "/api/v1/bookings", WireBytesTests.claim(slot: "s003"), signer: a)
        await h.call("POST", "/api/v1/bookings", WireBytesTests.claim(slot: "s003"), signer: b)
        await h.call("POST", "/api/v1/bookings", WireBytesTests.claim(slot: "s004"), signer: Fixture.parentA2.signer)
        await h.call("POST", "/api/v1/bookings", "{\"claims\":[\(WireBytesTests.claim(slot: "s004")),\(WireBytesTests.claim(Fixture.g3, slot: "s005"))]}", signer: m)
        await h.call("POST", "/api/v1/bookings", "{\"claims\":[\(WireBytesTests.claim(slot: "s005")),\(WireBytesTests.claim(Fixture.g3, slot: "s005"))]}", signer: Fixture.multi.signer)
        await h.call("POST", "/api/v1/bookings", "{\"claims\":[\(WireBytesTests.claim(slot: "s006")),\(WireBytesTests.claim(slot: "s006"))]}", signer: b)
        await h.call("POST", "/api/v1/bookings", "{\"claims\":[]}", signer: b)
        await h.call("POST", "/api/v1/bookings", "{\"claims\":{}}", signer: b)
        await h.call("POST", "/api/v1/bookings", "{\"claims\":[1]}", signer: b)
        await h.call("POST", "/api/v1/bookings", "{\"claims\":[\(WireBytesTests.claim(slot: "s006"))],\"x\":1}", signer: b)
        await h.call("POST", "/api/v1/bookings", "{\"schedule\":\"\(Fixture.g5)\",\"slot\":6,\"sealed\":\(WireBytesTests.sealed)}", signer: b)
        await h.call("POST", "/api/v1/bookings", "{\"schedule\":\"\(Fixture.g5)\",\"slot\":\"s006\",\"sealed\":\(WireBytesTests.sealed),\"note\":\"\"}", signer: b)
        await h.call("POST", "/api/v1/bookings", "{\"schedule\":\"\(Fixture.g5)\",\"slot\":\"s\\u0000\",\"sealed\":\(WireBytesTests.sealed)}", signer: b)
        await h.call("POST", "/api/v1/bookings", "{\"schedule\":\"\(Fixture.g5)\",\"slot\":\"s006\"}", signer: b)
        await h.call("POST", "/api/v1/bookings", WireBytesTests.claim("groups/groep-5/conferences/bestaat-niet", slot: "s000"), signer: b)
        await h.call("POST", "/api/v1/bookings", WireBytesTests.claim(slot: "s999"), signer: b)
        await h.call("POST", "/api/v1/bookings", WireBytesTests.claim(Fixture.closed, slot: "s000"), signer: b)
        await h.call("POST", "/api/v1/bookings", WireBytesTests.claim(slot: "soon"), signer: b)
        await h.call("GET", "/api/v1/schedules/\(Fixture.g5)/slots", signer: Fixture.parentA2.signer)
        await h.call("GET", "/api/v1/schedules/\(Fixture.g5.replacingOccurrences(of: "/", with: "%2F"))/slots", signer: b)
        await h.call("GET", "/api/v1/schedules/\(Fixture.g3)/slots", signer: b)
        await h.call("GET", "/api/v1/schedules/%zz/slots", signer: b)

        // Move and cancel.
        let receipt = try JSONSerialization.jsonObject(with: Data(first.utf8)) as? [String: Any]
        let id = try XCTUnwrap(receipt?["id"] as? String)
        await h.call("POST", "/api/v1/bookings/\(id)/move", "{\"slot\":\"s007\"}", signer: Fixture.parentA2.signer)
        await h.call("POST", "/api/v1/bookings/\(id)/move", "{\"slot\":\"s007\",\"sealed\":\(WireBytesTests.sealed)}", signer: a)
        await h.call("POST", "/api/v1/bookings/\(id)/move", "{\"slot\":\"s004\"}", signer: a)
        await h.call("POST", "/api/v1/bookings/\(id)/move", "{\"slot\":\"s999\"}", signer: a)
        await h.call("POST", "/api/v1/bookings/\(id)/move", "{\"slot\":\"s001\",\"sealed\":1}", signer: a)
        await h.call("POST", "/api/v1/bookings/\(id)/move", "{\"slot\":\"s001\",\"x\":1}", signer: a)
        await h.call("POST", "/api/v1/bookings/\(id)/move", "{\"slot\":\"s001\"}", signer: b)
        await h.call("POST", "/api/v1/bookings/\(id)", "{}", signer: a)
        await h.call("DELETE", "/api/v1/bookings/\(id)", signer: b)
        await h.call("DELETE", "/api/v1/bookings/\(id)", signer: a)
        await h.call("DELETE", "/api/v1/bookings/\(id)", signer: a)
        await h.call("POST", "/api/v1/bookings", WireBytesTests.claim(slot: "s000"), signer: b)

        // Admin listings.
        await h.call("GET", "/api/v1/admin/submissions", signer: admin)
        await h.call("GET", "/api/v1/admin/submissions?since=2027-01-01", signer: admin)
        await h.call("GET", "/api/v1/admin/submissions?since=2027-02-01T12:00:01Z", signer: admin)
        await h.call("GET", "/api/v1/admin/submissions?since=2027-02-01T12%3A00%3A00Z&limit=1", signer: admin)
        await h.call("GET", "/api/v1/admin/submissions?since=yesterday", signer: admin)
        await h.call("GET", "/api/v1/admin/submissions?since=", signer: admin)
        await h.call("GET", "/api/v1/admin/submissions?limit=0", signer: admin)
        await h.call("GET", "/api/v1/admin/submissions?limit=x", signer: admin)
        await h.call("GET", "/api/v1/admin/bookings", signer: admin)
        await h.call("GET", "/api/v1/admin/bookings?schedule=\(Fixture.g3)", signer: admin)
        await h.call("GET", "/api/v1/admin/bookings?schedule=", signer: admin)
        await h.call("GET", "/api/v1/admin/bookings?schedule=none", signer: admin)
        await h.call("GET", "/api/v1/admin/registrations", signer: admin)
        await h.call("GET", "/api/v1/admin/registrations?since=2027-02-02", signer: admin)
        await h.call("GET", "/api/v1/admin/registrations?since=2027-13-01", signer: admin)
        await h.call("POST", "/api/v1/admin/registrations", "{}", signer: admin)

        let recorded = h.transcript.joined(separator: "\n")
        if let path = ProcessInfo.processInfo.environment["RECEIVER_WIRE_TRANSCRIPT_OUT"] {
            try Data((recorded + "\n").utf8).write(to: URL(fileURLWithPath: path))
        }
        let want = WireTranscript.recorded.split(separator: "\n").map(String.init)
        let got = h.transcript
        for (i, line) in got.enumerated() where i >= want.count || want[i] != line {
            XCTFail("line \(i + 1):\n got  \(line)\n want \(i < want.count ? want[i] : "(nothing)")")
        }
        XCTAssertEqual(got.count, want.count)
    }
}
