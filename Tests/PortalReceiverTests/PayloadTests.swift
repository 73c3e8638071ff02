// The request canonical string and the sealed payload format, as FORMAT.md states them.
import Foundation
import PortalCrypto
import PortalReceiver
import PortalTrust
import XCTest

final class PayloadTests: XCTestCase {
    func testCanonicalStringAndSignature() {
        let body = Array("{\"a\":1}".utf8)
        let text = RequestCanonical.string(
            method: "post", path: "/api/v1/bookings?x=1", timestamp: 1_801_483_200, nonce: "AAECAwQFBgcICQoLDA0ODw", body: body)
        XCTAssertEqual(text, "ouderportaal/1 request\nPOST\n/api/v1/bookings?x=1\n1801483200\nAAECAwQFBgcICQoLDA0ODw\n"
                       + Hex.encode(SHA256.hash(body)))
        XCTAssertEqual(RequestCanonical.string(method: "GET", path: "/", timestamp: 0, nonce: "n", body: []).suffix(64),
                       "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855")
        let seed = Array(repeating: UInt8(7), count: 32)
        let signer = RequestSigner(tokenID: "2915c086a6bf290dd68024bc86f2de44", seed: seed)
        let headers = signer.headers(method: "POST", path: "/api/v1/bookings?x=1", body: body, timestamp: 1_801_483_200,
                                     nonce: "AAECAwQFBgcICQoLDA0ODw")
        XCTAssertEqual(headers["X-Portal-Token"], "2915c086a6bf290dd68024bc86f2de44")
        XCTAssertEqual(headers["X-Portal-Timestamp"], "1801483200")
        let signature = Array(Data(base64Encoded: headers["X-Portal-Signature"]!)!)
        XCTAssertEqual(signature.count, 64)
        XCTAssertTrue(Ed25519.verify(signature: signature, message: Array(text.utf8), publicKey: signer.publicKey))
        let random = signer.headers(method: "GET", path: "/", body: [])
        XCTAssertEqual(random["X-Portal-Nonce"]?.count, 22)
        XCTAssertEqual(Base64URL.decode(random["X-Portal-Nonce"]!)?.count, 16)
        XCTAssertEqual(Base64URL.encode(Array(0...15)), "AAECAwQFBgcICQoLDA0ODw")
        XCTAssertNil(Base64URL.decode("AAECAwQFBgcICQoLDA0OD+"))
    }

    func testSealedPayloadIsPaddedAndBoundToTheToken() throws {
        let inbox = HPKE.deriveKeyPair(ikm: Array("inbox".utf8))
        let short = try BookingPayload(child: "Jo").seal(tokenID: "aa", inboxPublicKey: inbox.publicKey)
        let longer = try BookingPayload(child: String(repeating: "x", count: 60)).seal(tokenID: "aa", inboxPublicKey: inbox.publicKey)
        XCTAssertEqual(short.ct.count, 128 + 16)
        XCTAssertEqual(longer.ct.count, 128 + 16, "names up to ~100 bytes all give the same size")
        XCTAssertEqual(short.enc.count, 32)
        XCTAssertEqual(try BookingPayload.open(short, tokenID: "aa", inboxSecretKey: inbox.secretKey).child, "Jo")
        XCTAssertThrowsError(try BookingPayload.open(short, tokenID: "ab", inboxSecretKey: inbox.secretKey))
        XCTAssertThrowsError(try AbsencePayload.open(short, tokenID: "aa", inboxSecretKey: inbox.secretKey),
                             "a booking payload does not open as an absence report (info differs)")
        // A browser may leave out "note".
        let plain = SealedPayloadFormat.pad(Array("{\"child\":\"Sanne\",\"reason\":\"afspraak\"}".utf8))
        let sealed = try HPKE.seal(plaintext: plain, aad: Array("aa".utf8), info: Array("ouderportaal/1 absence".utf8),
                                   recipientPublicKey: inbox.publicKey)
        let report = try AbsencePayload.open(SealedPayload(enc: sealed.enc, ct: sealed.ciphertext), tokenID: "aa",
                                             inboxSecretKey: inbox.secretKey)
        XCTAssertEqual(report, AbsencePayload(child: "Sanne", reason: .afspraak, note: ""))
    }

    func testTrustFileRoundTripAndProblems() throws {
        let trust = Fixture.trust()
        let data = try trust.encoded()
        XCTAssertEqual(try TrustFile.decode(data), trust)
        var bad = trust
        bad.tokens[0].id = "XYZ"
        bad.tokens[1].publicKey = [1, 2]
        bad.schedules[0].perFamily = 0
        bad.schedules[1].closes = bad.schedules[1].opens
        let problems = bad.problems()
        XCTAssertEqual(problems.count, 4, "\(problems)")
        XCTAssertThrowsError(try TrustFile.decode(try JSONEncoder().encode(["format": 1]))) { error in
            XCTAssertTrue("\(error)".contains("missing key"), "\(error)")
        }
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("trust-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: folder) }
        let url = folder.appendingPathComponent("receiver-trust.json")
        XCTAssertThrowsError(try bad.write(to: url))
        XCTAssertFalse(FileManager.default.fileExists(atPath: url.path))
        try trust.write(to: url)
        XCTAssertEqual(try TrustFile.load(from: url), trust)
        XCTAssertEqual(try FileManager.default.contentsOfDirectory(atPath: folder.path), ["receiver-trust.json"])
    }
}
