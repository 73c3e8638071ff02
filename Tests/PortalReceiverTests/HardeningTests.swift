// Issue 12 (outside security review), over real HTTP on 127.0.0.1: lapsed registrations refused at
// authentication, the admin trust push, paged listings and the daily quota, rate limit before the
// nonce, nonces per token, IPv6 /64 buckets, slow clients, oversized headers, the timestamp as sent.
import Foundation
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif
import PortalCrypto
import PortalReceiver
import PortalTrust
import PortalTestSupport
import XCTest
import PortalFormat

final class HardeningTests: XCTestCase {
    private var live: LiveReceiver?

    override func tearDown() async throws {
        await live?.stop()
        live = nil
    }

    private func start(_ trust: TrustFile = Fixture.trust(), _ configure: (inout ReceiverConfiguration) -> Void = { _ in })
        async throws -> LiveReceiver
    {
        var configuration = ReceiverConfiguration()
        configure(&configuration)
        let receiver = try await LiveReceiver(trust: trust, configuration: configuration)
        live = receiver
        return receiver
    }

    private func absence(_ live: LiveReceiver, _ token: TestToken, note: String = "Koorts") async throws -> HTTPResult {
        let today = String(ISO8601DateFormatter().string(from: live.clock.now()).prefix(10))
        let sealed = try AbsencePayload(child: "Sanne", reason: .ziek, note: note)
            .seal(tokenID: token.id, binding: .absence(group: "groep-5", from: today, to: today), inboxPublicKey: Fixture.inbox.publicKey)
        return try await live.send(
            "POST", "/api/v1/absences",
            json: ["group": "groep-5", "from": today, "to": today, "sealed": sealed.jsonObject],
            signer: token.signer)
    }

    private var admin: RequestSigner { .admin(seed: Fixture.adminSeed) }

    // MARK: - 2a: a lapsed, unregistered token is refused at authentication

    func testLapsedUnregisteredTokenIsRefusedForEveryRequestButRegistration() async throws {
        let lapsed = TestToken.make(30, family: "fam-lapsed", audiences: ["groep-5"], expires: Fixture.yearEnd)
        let onTime = TestToken.make(31, family: "fam-ontime", audiences: ["groep-5"], expires: Fixture.yearEnd)
        var trust = Fixture.trust()
        for token in [lapsed, onTime] {
            var entry = token.trustEntry
            entry.registerBy = Fixture.now.addingTimeInterval(3600)
            trust.tokens.append(entry)
        }
        let live = try await start(trust)
        let registered = try await live.send("POST", "/api/v1/registrations", json: [String: String](), signer: onTime.signer)
        XCTAssertEqual(registered.status, 201)
        let value1 = try await absence(live, lapsed).status
        XCTAssertEqual(value1, 201, "inside its registration week a token works")

        live.clock.advance(2 * 3600)
        for r in [try await absence(live, lapsed), try await live.book(lapsed, slot: "s001"), try await live.slots(lapsed)] {
            XCTAssertEqual(r.status, 403, "\(r.json)")
            XCTAssertEqual(r.error, "registration_lapsed")
        }
        let late = try await live.send("POST", "/api/v1/registrations", json: [String: String](), signer: lapsed.signer)
        XCTAssertEqual(late.error, "registration_closed", "registration keeps its own answer")
        let value2 = try await absence(live, onTime).status
        XCTAssertEqual(value2, 201, "a token registered in time keeps working")
        let value3 = try await absence(live, Fixture.parentA).status
        XCTAssertEqual(value3, 201, "a token without register_by is not affected")
    }

    // MARK: - 2b: staff push the trust file

    /// The trust file's bytes as generate writes them, and the signed document it pushes.
    private func written(_ trust: TrustFile, generated: Date) throws -> [UInt8] {
        var file = trust
        file.generated = generated
        return Array(try file.encoded())
    }

    private func pushed(_ trust: TrustFile, generated: Date, seed: [UInt8] = Fixture.publisherSeed) throws -> [UInt8] {
        SignedDocument.sign(try written(trust, generated: generated), kind: "trust", seed: seed)
    }

    func testAPushedTrustFileMustBeSignedByTheSchoolsPublisherKey() async throws {
        let live = try await start()
        var revoked = Fixture.trust()
        revoked.tokens.removeAll { $0.id == Fixture.parentA.id }
        let later = Fixture.now.addingTimeInterval(60)
        // The admin key alone (a request signed by it) cannot replace the trust: the file as
        // written, unsigned, is refused ...
        let unsigned = try await live.send("POST", "/api/v1/admin/trust", rawBody: try written(revoked, generated: later), signer: admin, contentType: "application/octet-stream")
        XCTAssertEqual(unsigned.status, 403, "\(unsigned.json)")
        XCTAssertEqual(unsigned.error, "trust_signature")
        // ... so is one signed by another key, also when it names that key as the publisher ...
        let forger = SHA256.hash(Array("forger".utf8))
        let otherKey = try await live.send("POST", "/api/v1/admin/trust", rawBody: try pushed(revoked, generated: later, seed: forger), signer: admin, contentType: "application/octet-stream")
        XCTAssertEqual(otherKey.error, "trust_signature")
        var named = revoked
        named.publisherPublicKey = Ed25519.publicKey(seed: forger)
        let renamed = try await live.send("POST", "/api/v1/admin/trust", rawBody: try pushed(named, generated: later, seed: forger), signer: admin, contentType: "application/octet-stream")
        XCTAssertEqual(renamed.error, "trust_signature")
        // ... and a school-signed file naming another publisher key is not taken either.
        let swapped = try await live.send("POST", "/api/v1/admin/trust", rawBody: try pushed(named, generated: later), signer: admin, contentType: "application/octet-stream")
        XCTAssertEqual(swapped.status, 409)
        XCTAssertEqual(swapped.error, "trust_wrong_publisher")
        var flipped = try pushed(revoked, generated: later)
        flipped[flipped.count - 2] ^= 1
        let altered = try await live.send("POST", "/api/v1/admin/trust", rawBody: flipped, signer: admin, contentType: "application/octet-stream")
        XCTAssertEqual(altered.error, "trust_signature")
        let still = try await absence(live, Fixture.parentA).status
        XCTAssertEqual(still, 201, "nothing refused took effect")
        let good = try await live.send("POST", "/api/v1/admin/trust", rawBody: try pushed(revoked, generated: later), signer: admin, contentType: "application/octet-stream")
        XCTAssertEqual(good.status, 200, "\(good.json)")
    }

    func testATrustInForceWithoutAPublisherKeyTakesTheOneThePushedFileNames() async throws {
        var old = Fixture.trust()
        old.publisherPublicKey = nil
        let live = try await start(old)
        let r = try await live.send("POST", "/api/v1/admin/trust", rawBody: try pushed(Fixture.trust(), generated: Fixture.now.addingTimeInterval(60)), signer: admin, contentType: "application/octet-stream")
        XCTAssertEqual(r.status, 200, "\(r.json)")
        let forger = SHA256.hash(Array("forger".utf8))
        var named = Fixture.trust()
        named.publisherPublicKey = Ed25519.publicKey(seed: forger)
        let next = try await live.send("POST", "/api/v1/admin/trust", rawBody: try pushed(named, generated: Fixture.now.addingTimeInterval(120), seed: forger), signer: admin, contentType: "application/octet-stream")
        XCTAssertEqual(next.error, "trust_signature", "from then on the key is pinned")
    }

    func testPushedTrustFileTakesEffectAtOnceAndIsPersisted() async throws {
        let live = try await start()
        let value4 = try await absence(live, Fixture.parentA).status
        XCTAssertEqual(value4, 201)

        var revoked = Fixture.trust()
        revoked.tokens.removeAll { $0.id == Fixture.parentA.id }
        let newer = try pushed(revoked, generated: Fixture.now.addingTimeInterval(60))
        let r = try await live.send("POST", "/api/v1/admin/trust", rawBody: newer, signer: admin, contentType: "application/octet-stream")
        XCTAssertEqual(r.status, 200, "\(r.json)")
        XCTAssertEqual(r.json["generated"] as? String, "2027-02-01T12:01:00Z")
        XCTAssertEqual(r.json["changed"] as? Bool, true)
        let value5 = (try await absence(live, Fixture.parentA)).error
        XCTAssertEqual(value5, "unknown_token", "revocation reaches the receiver at once")
        let value6 = try await absence(live, Fixture.parentB).status
        XCTAssertEqual(value6, 201)
        // Persisted: the receiver's --trust file is the pushed one, so a restart keeps it.
        XCTAssertEqual(Array(try Data(contentsOf: live.folder.appendingPathComponent("trust.json"))), Array(newer.dropFirst(SignedDocument.headerLength)), "the file, without its signature")

        // The same file again (a retried push) is fine and changes nothing.
        let again = try await live.send("POST", "/api/v1/admin/trust", rawBody: newer, signer: admin, contentType: "application/octet-stream")
        XCTAssertEqual(again.status, 200)
        XCTAssertEqual(again.json["changed"] as? Bool, false)

        // No roll-back: an older file, or another file with the same instant, is refused.
        let older = try await live.send(
            "POST", "/api/v1/admin/trust", rawBody: try pushed(Fixture.trust(), generated: Fixture.now), signer: admin, contentType: "application/octet-stream")
        XCTAssertEqual(older.status, 409)
        XCTAssertEqual(older.error, "trust_not_newer")
        let sameInstant = try await live.send(
            "POST", "/api/v1/admin/trust", rawBody: try pushed(Fixture.trust(), generated: Fixture.now.addingTimeInterval(60)),
            signer: admin, contentType: "application/octet-stream")
        XCTAssertEqual(sameInstant.status, 409)
        XCTAssertEqual(sameInstant.error, "trust_not_newer")
        let value7 = (try await absence(live, Fixture.parentA)).error
        XCTAssertEqual(value7, "unknown_token", "still revoked")

        var otherSite = Fixture.trust()
        otherSite.siteID = Array(0x00...0x0f)
        let wrongSite = try await live.send(
            "POST", "/api/v1/admin/trust", rawBody: try pushed(otherSite, generated: Fixture.now.addingTimeInterval(120)),
            signer: admin, contentType: "application/octet-stream")
        XCTAssertEqual(wrongSite.status, 409)
        XCTAssertEqual(wrongSite.error, "trust_wrong_site")

        let invalid = try await live.send("POST", "/api/v1/admin/trust", rawBody: SignedDocument.sign(Array(#"{"format": 1}"#.utf8), kind: "trust", seed: Fixture.publisherSeed), signer: admin, contentType: "application/octet-stream")
        XCTAssertEqual(invalid.status, 422)
        XCTAssertEqual(invalid.error, "invalid_trust")

        let parent = try await live.send("POST", "/api/v1/admin/trust", rawBody: newer, signer: Fixture.parentB.signer, contentType: "application/octet-stream")
        XCTAssertEqual(parent.error, "admin_only")
        XCTAssertEqual(Array(try Data(contentsOf: live.folder.appendingPathComponent("trust.json"))), Array(newer.dropFirst(SignedDocument.headerLength)), "refusals write nothing")
    }

    func testTrustPushHasItsOwnBodyLimit() async throws {
        let live = try await start { $0.maxTrustBytes = 256 * 1024 }
        // A real school's trust file is far over the 16 KiB of the other endpoints.
        var big = Fixture.trust()
        for n in 100..<500 {
            big.tokens.append(TestToken.make(n, family: "fam-\(n)", audiences: ["groep-5"], expires: Fixture.yearEnd).trustEntry)
        }
        let bytes = try pushed(big, generated: Fixture.now.addingTimeInterval(60))
        XCTAssertGreaterThan(bytes.count, 100 * 1024)
        let r = try await live.send("POST", "/api/v1/admin/trust", rawBody: bytes, signer: admin, contentType: "application/octet-stream")
        XCTAssertEqual(r.status, 200, "\(r.json)")
        XCTAssertEqual(r.json["tokens"] as? Int, big.tokens.count)
        var n = 500
        while try big.encoded().count + SignedDocument.headerLength <= 256 * 1024 {
            big.tokens.append(TestToken.make(n, family: "fam-\(n)", audiences: ["groep-5"], expires: Fixture.yearEnd).trustEntry)
            n += 1
        }
        let tooBig = try await live.send(
            "POST", "/api/v1/admin/trust", rawBody: try pushed(big, generated: Fixture.now.addingTimeInterval(120)), signer: admin, contentType: "application/octet-stream")
        XCTAssertEqual(tooBig.status, 413)
        XCTAssertEqual(tooBig.error, "body_too_large")
        let absenceTooBig = try await live.send(
            "POST", "/api/v1/absences", rawBody: Array(repeating: 0x20, count: 17 * 1024), signer: Fixture.parentA.signer)
        XCTAssertEqual(absenceTooBig.status, 413, "other endpoints keep 16 KiB")
    }

    // MARK: - 4: paged listings and the daily quota

    func testSubmissionListingIsPagedAndTheClientReadsEveryPage() async throws {
        let live = try await start {
            $0.adminPageLimit = 3
            $0.tokenRate = 0
        }
        live.clock.set(Date())  // ReceiverClient signs with the real clock
        for n in 0..<7 {
            let status = try await absence(live, Fixture.parentA, note: "spam \(n)").status
            XCTAssertEqual(status, 201)
        }
        live.clock.advance(1)
        let value8 = try await absence(live, Fixture.parentB, note: "echt ziek").status
        XCTAssertEqual(value8, 201)

        let first = try await live.send("GET", "/api/v1/admin/submissions", signer: admin)
        XCTAssertEqual((first.json["submissions"] as? [Any])?.count, 3)
        let next = try XCTUnwrap(first.json["next"] as? String, "a cut listing says so: \(first.json)")
        let second = try await live.send(
            "GET", "/api/v1/admin/submissions?after=" + next, signer: admin)
        XCTAssertEqual((second.json["submissions"] as? [Any])?.count, 3)

        let client = ReceiverClient(receiverURL: URL(string: live.baseURL + "/api")!, signer: admin)
        let all = try await client.submissions()
        XCTAssertEqual(all.count, 8)
        XCTAssertEqual(Set(all.map(\.id)).count, 8)
        XCTAssertEqual(try all.last?.open(inboxSecretKey: Fixture.inbox.secretKey).payload.note, "echt ziek")
        let registrations = try await client.registrations()
        XCTAssertEqual(registrations.count, 0)
    }

    func testEachTokenHasADailyQuotaOfSubmissions() async throws {
        let live = try await start {
            $0.dailyQuota = 3
            $0.tokenRate = 0
        }
        for _ in 0..<3 {
            let status = try await absence(live, Fixture.parentA).status
            XCTAssertEqual(status, 201)
        }
        let over = try await absence(live, Fixture.parentA)
        XCTAssertEqual(over.status, 429)
        XCTAssertEqual(over.error, "daily_quota")
        let value9 = try await absence(live, Fixture.parentA2).status
        XCTAssertEqual(value9, 201, "the quota is per token")
        live.clock.advance(86400)
        let value10 = try await absence(live, Fixture.parentA).status
        XCTAssertEqual(value10, 201, "a rolling 24 hours")
    }

    // MARK: - 5: rate limit before the nonce, nonces per token, IPv6 /64

    func testARateLimitedRequestCanBeResentWithItsNonce() async throws {
        let live = try await start {
            $0.tokenRate = 0.01
            $0.tokenBurst = 1
        }
        let value11 = try await live.slots(Fixture.parentA).status
        XCTAssertEqual(value11, 200)
        let ts = live.now
        let path = "/api/v1/schedules/\(Fixture.g5)/slots"
        let refused = try await live.send("GET", path, signer: Fixture.parentA.signer, timestamp: ts, nonce: "AAECAwQFBgcICQoLDA0ODw")
        XCTAssertEqual(refused.status, 429)
        live.clock.advance(150)
        let resent = try await live.send("GET", path, signer: Fixture.parentA.signer, timestamp: ts, nonce: "AAECAwQFBgcICQoLDA0ODw")
        XCTAssertEqual(resent.status, 200, "the 429 did not use up the nonce: \(resent.json)")
    }

    func testOneTokenCannotFillTheNonceCache() async throws {
        let live = try await start {
            $0.noncesPerToken = 5
            $0.tokenRate = 0
        }
        for _ in 0..<5 {
            let status = try await live.slots(Fixture.parentA).status
            XCTAssertEqual(status, 200)
        }
        let sixth = try await live.slots(Fixture.parentA)
        XCTAssertEqual(sixth.status, 429)
        XCTAssertEqual(sixth.error, "rate_limited")
        let value12 = try await live.slots(Fixture.parentB).status
        XCTAssertEqual(value12, 200, "other tokens go on")
        live.clock.advance(1300)
        let value13 = try await live.slots(Fixture.parentA).status
        XCTAssertEqual(value13, 200, "after two skew windows the token is free again")
    }

    func testIPv6AddressesShareOneBucketPer64() async throws {
        let live = try await start {
            $0.trustForwardedFor = true
            $0.addressRate = 0.001
            $0.addressBurst = 1
        }
        func status(_ address: String) async throws -> Int {
            try await live.send("GET", "/api/v1/admin/submissions", signer: nil, headerOverrides: ["X-Forwarded-For": address]).status
        }
        let value14 = try await status("2001:db8:1:2::1")
        XCTAssertEqual(value14, 401)
        let value15 = try await status("2001:db8:1:2:ffff:eeee:dddd:9")
        XCTAssertEqual(value15, 429, "same /64")
        let value16 = try await status("2001:DB8:1:2::abcd")
        XCTAssertEqual(value16, 429, "same /64, other spelling")
        let value17 = try await status("2001:db8:1:3::1")
        XCTAssertEqual(value17, 401, "another /64")
        let value18 = try await status("192.0.2.1")
        XCTAssertEqual(value18, 401)
        let value19 = try await status("192.0.2.2")
        XCTAssertEqual(value19, 401, "IPv4 addresses stay apart")
        let value20 = try await status("::ffff:192.0.2.1")
        XCTAssertEqual(value20, 429, "an IPv4-mapped address is the IPv4 address")
    }

    // MARK: - 5: slow clients

    func testHalfSentRequestIsClosedAfterTheIdleTimeout() async throws {
        let live = try await start {
            $0.idleTimeout = 1
            $0.requestTimeout = 1.5
        }
        let connection = try RawConnection(port: RawConnection.port(of: live.baseURL), readTimeout: 6)
        XCTAssertTrue(connection.send("POST /api/v1/absences HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: app"))
        let (_, end, seconds) = connection.readToEnd()
        XCTAssertEqual(end, .closed, "the server must hang up on a half-sent request")
        XCTAssertLessThan(seconds, 3.5)
    }

    func testDripFedRequestIsClosedAfterTheRequestTimeout() async throws {
        let live = try await start {
            $0.idleTimeout = 10
            $0.requestTimeout = 1.5
        }
        let connection = try RawConnection(port: RawConnection.port(of: live.baseURL), readTimeout: 0.25)
        let start = Date()
        var closed = false
        // One header byte every 0.25 s: never idle, never finished.
        for byte in Array("GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Slow: ".utf8) + Array(repeating: UInt8(ascii: "a"), count: 40) {
            guard connection.send([byte]) else { closed = true; break }
            if connection.readToEnd().end != .timedOut { closed = true; break }
            if Date().timeIntervalSince(start) > 8 { break }
        }
        XCTAssertTrue(closed, "a request that never completes must be cut off")
        XCTAssertLessThan(Date().timeIntervalSince(start), 4)
    }

    func testCompleteRequestsOnAKeptAliveConnectionStillWork() async throws {
        let live = try await start {
            $0.idleTimeout = 2
            $0.requestTimeout = 2
        }
        // Three requests over more than the timeouts: each answer starts the clock again.
        let connection = try RawConnection(port: RawConnection.port(of: live.baseURL), readTimeout: 0.3)
        for _ in 0..<3 {
            XCTAssertTrue(connection.send("GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n"))
            let (bytes, end, _) = connection.readToEnd()
            XCTAssertEqual(RawResponse(bytes)?.status, 200)
            XCTAssertEqual(end, .timedOut, "the connection stays open")
            try await Task.sleep(nanoseconds: 500_000_000)
        }
    }

    // MARK: - 6: oversized header section, timestamp as sent

    func testOversizedHeaderSectionGetsAJSONRefusalWithTheSecurityHeaders() async throws {
        let live = try await start()
        let connection = try RawConnection(port: RawConnection.port(of: live.baseURL), readTimeout: 5)
        connection.send("GET /api/v1/admin/submissions HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Big: " + String(repeating: "a", count: 82 * 1024) + "\r\n\r\n")
        let (bytes, _, _) = connection.readToEnd()
        let response = try XCTUnwrap(RawResponse(bytes), "no HTTP response: \(bytes.count) bytes")
        XCTAssertEqual(response.status, 431)
        XCTAssertEqual(response.headers["content-type"], "application/json; charset=utf-8")
        XCTAssertEqual(response.headers["content-security-policy"], SecurityHeadersFixture.csp)
        XCTAssertEqual(response.headers["referrer-policy"], "no-referrer")
        XCTAssertEqual(response.headers["x-content-type-options"], "nosniff")
        let json = try XCTUnwrap(try JSONSerialization.jsonObject(with: Data(response.body)) as? [String: Any])
        XCTAssertEqual(json["error"] as? String, "headers_too_large")
        XCTAssertNotNil(json["message"] as? String)
    }

    func testTheTimestampIsVerifiedAsSent() async throws {
        let live = try await start()
        let path = "/api/v1/schedules/\(Fixture.g5)/slots"
        let padded = "00" + String(live.now)
        // Signed over the header as sent, leading zeros included: FORMAT.md's rule, accepted.
        var headers = signedHeaders(Fixture.parentA, "GET", path, timestampText: padded)
        let asSent = try await live.send("GET", path, signer: nil, headerOverrides: headers)
        XCTAssertEqual(asSent.status, 200, "\(asSent.json)")
        // Signed over the number without the zeros, sent with them: not what was signed.
        headers = Fixture.parentA.signer.headers(method: "GET", path: path, body: [], timestamp: live.now)
        headers[RequestCanonical.timestampHeader] = padded
        let rewritten = try await live.send("GET", path, signer: nil, headerOverrides: headers)
        XCTAssertEqual(rewritten.status, 401)
        XCTAssertEqual(rewritten.error, "bad_signature")
    }

    /// Headers signed by hand over a timestamp text (the signer only writes canonical decimals).
    private func signedHeaders(_ token: TestToken, _ method: String, _ path: String, timestampText: String) -> [String: String] {
        let nonce = Base64URL.encode(SystemRandom().bytes(16))
        let canonical = RequestCanonical.label + "\n" + method + "\n" + path + "\n" + timestampText + "\n" + nonce + "\n"
            + Hex.encode(SHA256.hash([]))
        let signature = Ed25519.sign(Array(canonical.utf8), seed: token.seed)
        return [
            RequestCanonical.tokenHeader: token.id, RequestCanonical.timestampHeader: timestampText,
            RequestCanonical.nonceHeader: nonce, RequestCanonical.signatureHeader: Data(signature).base64EncodedString(),
        ]
    }
}

enum SecurityHeadersFixture {
    static let csp = "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' blob: data:; "
        + "connect-src 'self'; worker-src 'self'; manifest-src 'self'; object-src 'none'; "
        + "base-uri 'none'; form-action 'none'; frame-ancestors 'none'"
}
