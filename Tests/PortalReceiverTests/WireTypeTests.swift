// The shared wire types (Sources/PortalReceiver/API/): every request type refuses what the
// receiver has always refused, what a client encodes the receiver reads back, and every answer
// the receiver sends decodes into its type and encodes to the same bytes.
import Foundation
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif
import PortalCrypto
import PortalFormat
@testable import PortalReceiver
import PortalTrust
import PortalTestSupport
import XCTest

final class WireTypeTests: XCTestCase {
    static let sealed = SealedPayload(enc: Array(repeating: 0xe1, count: 32), ct: Array(0..<17))
    static let sealedJSON = "{\"enc\":\"\(Data(sealed.enc).base64EncodedString())\",\"ct\":\"\(Data(sealed.ct).base64EncodedString())\"}"

    /// The refusal `read` throws for `body`.
    func refusal(_ body: String, _ read: ([UInt8]) throws(APIError) -> Void) -> APIError? {
        do {
            try read(Array(body.utf8))
            return nil
        } catch {
            return error
        }
    }

    func assertRefused(_ body: String, _ message: String, status: Int = 422, file: StaticString = #filePath, line: UInt = #line,
                       _ read: ([UInt8]) throws(APIError) -> Void) {
        let error = refusal(body, read)
        XCTAssertEqual(error?.status, status, body, file: file, line: line)
        XCTAssertEqual(error?.code, status == 400 ? "malformed_json" : "invalid_request", body, file: file, line: line)
        XCTAssertEqual(error?.message, message, body, file: file, line: line)
    }

    // MARK: - Strict reading, per request type

    func testAbsenceRequestRefusals() throws {
        let read: ([UInt8]) throws(APIError) -> Void = { body throws(APIError) in _ = try AbsenceRequest(body) }
        let good = "{\"group\":\"groep-5\",\"from\":\"2027-02-01\",\"to\":\"2027-02-02\",\"sealed\":\(Self.sealedJSON)"
        XCTAssertNil(refusal(good + "}", read))
        assertRefused(good + ",\"child\":\"Sanne\"}", "unknown field \"child\"", read)
        assertRefused("{\"group\":5,\"from\":\"2027-02-01\",\"to\":\"2027-02-02\",\"sealed\":\(Self.sealedJSON)}",
                      "field \"group\" must be a string", read)
        assertRefused("{\"group\":\"groep\\u001b5\",\"from\":\"2027-02-01\",\"to\":\"2027-02-02\",\"sealed\":\(Self.sealedJSON)}",
                      "field \"group\" contains control characters", read)
        assertRefused("{\"group\":\"groep-5\",\"from\":\"2027-02-01\",\"to\":\"2027-02-02\",\"sealed\":{\"enc\":\"AAAA\",\"ct\":\"AAAA\"}}",
                      "sealed.enc must be 32 bytes in base64", read)
        assertRefused("{\"group\":", "the body is not valid JSON", status: 400, read)
        assertRefused("[]", "the body must be a JSON object", read)
        let dates = try AbsenceRequest(Array((good + "}").utf8)).days()
        XCTAssertEqual(dates.from, Date(timeIntervalSince1970: 1_801_440_000))
        XCTAssertThrowsError(try AbsenceRequest(group: "groep-5", from: "2027-02-30", to: "2027-03-01", sealed: Self.sealed).days())
    }

    func testBookingRequestRefusals() throws {
        let read: ([UInt8]) throws(APIError) -> Void = { body throws(APIError) in _ = try BookingRequest(body) }
        let claim = "{\"schedule\":\"\(Fixture.g5)\",\"slot\":\"s001\",\"sealed\":\(Self.sealedJSON)}"
        XCTAssertNil(refusal(claim, read))
        XCTAssertNil(refusal("{\"claims\":[\(claim)]}", read))
        assertRefused("{\"schedule\":\"\(Fixture.g5)\",\"slot\":\"s001\",\"sealed\":\(Self.sealedJSON),\"child\":\"x\"}",
                      "unknown field \"child\"", read)
        assertRefused("{\"claims\":[\(claim)],\"schedule\":\"x\"}", "unknown field \"schedule\"", read)
        assertRefused("{\"schedule\":\"\(Fixture.g5)\",\"slot\":1,\"sealed\":\(Self.sealedJSON)}", "field \"slot\" must be a string", read)
        assertRefused("{\"claims\":\"s001\"}", "field \"claims\" must be a list", read)
        assertRefused("{\"schedule\":\"\(Fixture.g5)\",\"slot\":\"s0\\u009f1\",\"sealed\":\(Self.sealedJSON)}",
                      "field \"slot\" contains control characters", read)
        assertRefused("{\"claims\":[\(claim),\(claim)]}", "a slot occurs twice in claims", read)
        assertRefused("{\"claims\":[\(Array(repeating: claim, count: 5).joined(separator: ","))]}", "claims holds 1 to 4 claims", read)
    }

    func testMoveRequestRefusals() {
        let read: ([UInt8]) throws(APIError) -> Void = { body throws(APIError) in _ = try MoveRequest(body) }
        XCTAssertNil(refusal("{\"slot\":\"s001\"}", read))
        XCTAssertNil(refusal("{\"slot\":\"s001\",\"sealed\":\(Self.sealedJSON)}", read))
        assertRefused("{\"slot\":\"s001\",\"schedule\":\"x\"}", "unknown field \"schedule\"", read)
        assertRefused("{\"slot\":[\"s001\"]}", "field \"slot\" must be a string", read)
        assertRefused("{\"slot\":\"s001\",\"sealed\":null}", "field \"sealed\" must be an object", read)
        assertRefused("{\"slot\":\"s\\t1\"}", "field \"slot\" contains control characters", read)
    }

    func testRegistrationRequestRefusals() {
        let read: ([UInt8]) throws(APIError) -> Void = { body throws(APIError) in _ = try RegistrationRequest(body) }
        XCTAssertNil(refusal("{}", read))
        assertRefused("{\"device\":\"Android\",\"model\":\"x\"}", "unknown field \"model\"", read)
        assertRefused("{\"device\":true}", "field \"device\" must be a string", read)
        assertRefused("{\"device\":null}", "field \"device\" must be a string", read)
        assertRefused("{\"device\":\"Android\\u007f\"}", "field \"device\" contains control characters", read)
        assertRefused("{\"device\":\"\"}", "field \"device\" must be 1 to 64 bytes", read)
    }

    // MARK: - What a client encodes, the receiver reads

    func testRequestsEncodedByAClientReadBackStrictly() throws {
        let encoder = JSONEncoder()
        let absence = AbsenceRequest(group: "groep-5", from: "2027-02-01", to: "2027-02-02", sealed: Self.sealed)
        XCTAssertEqual(try AbsenceRequest(Array(try encoder.encode(absence))), absence)
        let one = BookingRequest(claims: [BookingClaim(schedule: Fixture.g5, slot: "s001", sealed: Self.sealed)])
        XCTAssertEqual(try BookingRequest(Array(try encoder.encode(one))), one)
        let flat = try JSONSerialization.jsonObject(with: try encoder.encode(one)) as? [String: Any]
        XCTAssertNil(flat?["claims"], "one claim goes as a flat object")
        XCTAssertEqual(flat?["slot"] as? String, "s001")
        let two = BookingRequest(claims: one.claims + [BookingClaim(schedule: Fixture.g3, slot: "s002", sealed: Self.sealed)])
        XCTAssertEqual(try BookingRequest(Array(try encoder.encode(two))), two)
        for move in [MoveRequest(slot: "s003"), MoveRequest(slot: "s003", sealed: Self.sealed)] {
            XCTAssertEqual(try MoveRequest(Array(try encoder.encode(move))), move)
        }
        XCTAssertEqual(String(decoding: try WireEncoder.encode(RegistrationRequest()), as: UTF8.self), "{}")
        XCTAssertEqual(try RegistrationRequest(Array(try encoder.encode(RegistrationRequest(device: "Android · Chrome")))),
                       RegistrationRequest(device: "Android · Chrome"))
    }

    // MARK: - Every recorded answer is its type, byte for byte

    /// The wire type of each 2xx answer in the transcript, by method and path.
    func roundTrip(_ method: String, _ path: String, status: Int, body: Data) throws -> [UInt8]? {
        func again<T: Codable>(_ type: T.Type) throws -> [UInt8] { try WireEncoder.encode(try JSONDecoder().decode(T.self, from: body)) }
        guard (200..<300).contains(status) else { return try again(APIErrorBody.self) }
        switch (method, path) {
        case ("POST", "/api/v1/absences"): return try again(AbsenceReceipt.self)
        case ("POST", "/api/v1/registrations"): return try again(RegistrationReceipt.self)
        case ("POST", "/api/v1/bookings"): return try again(BookingReceipt.self)
        case ("GET", "/api/v1/admin/submissions"): return try again(SubmissionPage.self)
        case ("GET", "/api/v1/admin/bookings"): return try again(BookingPage.self)
        case ("GET", "/api/v1/admin/registrations"): return try again(RegistrationPage.self)
        case ("GET", _) where path.hasSuffix("/slots"): return try again(ScheduleSlots.self)
        case ("POST", _) where path.hasSuffix("/move"): return try again(BookedSlot.self)
        case ("DELETE", _): return try again(CancelReceipt.self)
        default: return nil
        }
    }

    func testEveryRecordedAnswerDecodesIntoItsTypeAndEncodesToTheSameBytes() throws {
        var checked = 0
        for line in WireTranscript.recorded.split(separator: "\n") {
            let words = line.split(separator: " ", maxSplits: 4)
            guard words.count == 5, let status = Int(words[3]) else { XCTFail("bad line \(line)"); continue }
            let method = String(words[0])
            let path = String(words[1].split(separator: "?")[0])
            let body = Data(words[4].utf8)
            guard let bytes = try roundTrip(method, path, status: status, body: body) else {
                XCTFail("no wire type for \(method) \(path) \(status)")
                continue
            }
            XCTAssertEqual(String(decoding: bytes, as: UTF8.self), String(words[4]), "\(method) \(path) \(status)")
            checked += 1
        }
        XCTAssertEqual(checked, 107)
    }

    // MARK: - The client reads exactly what the server sends

    func testClientDecodesExactlyWhatTheServerEncodesForEveryAdminListing() async throws {
        let live = try await LiveReceiver()
        do {
            try await checkAdminListings(live)
        } catch {
            await live.stop()
            throw error
        }
        await live.stop()
    }

    func checkAdminListings(_ live: LiveReceiver) async throws {
        let sealedA = try AbsencePayload(child: "Sanne", reason: .ziek, note: "Koorts")
            .seal(tokenID: Fixture.parentA.id, binding: .absence(group: "groep-5", from: "2027-02-01", to: "2027-02-02"),
                  inboxPublicKey: Fixture.inbox.publicKey)
        var r = try await live.send(
            "POST", "/api/v1/absences", json: ["group": "groep-5", "from": "2027-02-01", "to": "2027-02-02", "sealed": sealedA.jsonObject],
            signer: Fixture.parentA.signer)
        XCTAssertEqual(r.status, 201)
        r = try await live.book(Fixture.parentB, slot: "s002", child: "Daan")
        XCTAssertEqual(r.status, 201)
        r = try await live.send("POST", "/api/v1/registrations", json: ["device": "Android · Chrome"], signer: Fixture.parentA.signer)
        XCTAssertEqual(r.status, 201)
        r = try await live.send("POST", "/api/v1/registrations", json: [String: String](), signer: Fixture.parentB.signer)
        XCTAssertEqual(r.status, 201)

        live.clock.set(Date())  // the client signs with the real clock
        let admin = RequestSigner.admin(seed: Fixture.adminSeed)
        func raw(_ path: String) async throws -> Data {
            var request = URLRequest(url: URL(string: live.baseURL + path)!)
            for (k, v) in admin.headers(method: "GET", path: path, body: []) { request.setValue(v, forHTTPHeaderField: k) }
            let (data, response) = try await live.session.data(for: request)
            XCTAssertEqual((response as? HTTPURLResponse)?.statusCode, 200, path)
            return data
        }
        let client = ReceiverClient(receiverURL: URL(string: live.baseURL + "/api")!, signer: admin, session: live.session)

        let submissionBytes = try await raw("/api/v1/admin/submissions")
        let submissions = try await client.submissions()
        XCTAssertEqual(submissions.count, 1)
        XCTAssertEqual(try WireEncoder.encode(SubmissionPage(submissions: submissions)), Array(submissionBytes))
        XCTAssertEqual(try submissions[0].open(inboxSecretKey: Fixture.inbox.secretKey).payload.child, "Sanne")

        let bookingBytes = try await raw("/api/v1/admin/bookings")
        let bookings = try await client.bookings()
        XCTAssertEqual(bookings.count, 1)
        XCTAssertEqual(bookings[0].teacher, "Juf Sanne")
        XCTAssertEqual(try WireEncoder.encode(BookingPage(bookings: bookings)), Array(bookingBytes))

        let registrationBytes = try await raw("/api/v1/admin/registrations")
        let registrations = try await client.registrations()
        XCTAssertEqual(registrations.map(\.device), ["Android · Chrome", nil], "a missing device stays absent, not null")
        XCTAssertEqual(try WireEncoder.encode(RegistrationPage(registrations: registrations)), Array(registrationBytes))
        XCTAssertFalse(String(decoding: registrationBytes, as: UTF8.self).contains("null"))
    }
}
