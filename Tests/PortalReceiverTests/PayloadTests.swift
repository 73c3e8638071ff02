// The request canonical string and the sealed payload format, as FORMAT.md states them.
import Foundation
import PortalCrypto
import PortalFormat
import PortalReceiver
import PortalTrust
import PortalTestSupport
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
        let binding = PayloadBinding.booking(schedule: "groups/groep-5/conferences/feb", slot: "2027-02-09T18:30")
        let short = try BookingPayload(child: "Jo").seal(tokenID: "aa", binding: binding, inboxPublicKey: inbox.publicKey)
        let longer = try BookingPayload(child: String(repeating: "x", count: 60)).seal(tokenID: "aa", binding: binding, inboxPublicKey: inbox.publicKey)
        XCTAssertEqual(short.ct.count, 128 + 16)
        XCTAssertEqual(longer.ct.count, 128 + 16, "names up to ~100 bytes all give the same size")
        XCTAssertEqual(short.enc.count, 32)
        XCTAssertEqual(try BookingPayload.open(short, tokenID: "aa", binding: binding, inboxSecretKey: inbox.secretKey).child, "Jo")
        XCTAssertThrowsError(try BookingPayload.open(short, tokenID: "ab", binding: binding, inboxSecretKey: inbox.secretKey))
        XCTAssertThrowsError(try BookingPayload.open(
            short, tokenID: "aa", binding: .booking(schedule: "groups/groep-5/conferences/feb", slot: "2027-02-09T18:40"),
            inboxSecretKey: inbox.secretKey), "another slot: a receiver cannot move a booking's name")
        XCTAssertThrowsError(try AbsencePayload.open(short, tokenID: "aa", binding: binding, inboxSecretKey: inbox.secretKey),
                             "a booking payload does not open as an absence report (info differs)")
        // A browser may leave out "note".
        let plain = SealedPayloadFormat.pad(Array("{\"child\":\"Sanne\",\"reason\":\"afspraak\"}".utf8))
        let absence = PayloadBinding.absence(group: "groep-5", from: "2027-02-01", to: "2027-02-01")
        XCTAssertEqual(String(decoding: absence.associatedData(tokenID: "aa"), as: UTF8.self), "aa\nabsence\ngroep-5\n2027-02-01\n2027-02-01")
        let sealed = try HPKE.seal(plaintext: plain, aad: absence.associatedData(tokenID: "aa"), info: Array("ouderportaal/1 absence".utf8),
                                   recipientPublicKey: inbox.publicKey)
        let report = try AbsencePayload.open(SealedPayload(enc: sealed.enc, ct: sealed.ciphertext), tokenID: "aa",
                                             binding: absence, inboxSecretKey: inbox.secretKey)
        XCTAssertEqual(report, AbsencePayload(child: "Sanne", reason: .afspraak, note: ""))
        // A report sealed by an app from before the binding (aad = the token id alone) still opens
        // for staff, marked as not bound; the strict `open` refuses it.
        let old = try HPKE.seal(plaintext: plain, aad: Array("aa".utf8), info: Array("ouderportaal/1 absence".utf8),
                                recipientPublicKey: inbox.publicKey)
        let legacy = SealedPayload(enc: old.enc, ct: old.ciphertext)
        XCTAssertThrowsError(try AbsencePayload.open(legacy, tokenID: "aa", binding: absence, inboxSecretKey: inbox.secretKey))
        let opened = try AbsencePayload.openAllowingUnbound(legacy, tokenID: "aa", binding: absence, inboxSecretKey: inbox.secretKey)
        XCTAssertEqual(opened.payload.child, "Sanne")
        XCTAssertFalse(opened.bound)
        XCTAssertTrue(try AbsencePayload.openAllowingUnbound(
            SealedPayload(enc: sealed.enc, ct: sealed.ciphertext), tokenID: "aa", binding: absence, inboxSecretKey: inbox.secretKey).bound)
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

    /// docs/FORMAT.md "Receiver test vectors", also computed by bench/receiver/vectors.py (Python
    /// `cryptography`, written from RFC 9180 and FORMAT.md, not from this code).
    func testFormatVectors() throws {
        let tokenID = "2915c086a6bf290dd68024bc86f2de44"
        let signingSeed = Hex.decode("1d4e83634c46c210dcb23eb5dea26331d93b45d07c430d816fba5df448170ba8")!
        let inbox = try X25519KeyPair(secretKey: Array(0x40...0x5f))
        XCTAssertEqual(Hex.encode(inbox.publicKey), "79a631eede1bf9c98f12032cdeadd0e7a079398fc786b88cc846ec89af85a51a")
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        let plain = SealedPayloadFormat.pad(Array(try encoder.encode(BookingPayload(child: "Sanne"))))
        XCTAssertEqual(plain.count, 128)
        XCTAssertEqual(String(decoding: plain, as: UTF8.self).trimmingCharacters(in: .whitespaces), "{\"child\":\"Sanne\",\"note\":\"\"}")
        let binding = PayloadBinding.booking(schedule: "groups/groep-5/conferences/oudergesprekken-februari", slot: "2027-02-09T18:30")
        XCTAssertEqual(Hex.encode(binding.associatedData(tokenID: tokenID)),
                       "32393135633038366136626632393064643638303234626338366632646534340a626f6f6b696e670a67726f7570732f67726f65702d352f"
                       + "636f6e666572656e6365732f6f756465726765737072656b6b656e2d66656272756172690a323032372d30322d30395431383a3330")
        let sealed = try HPKE.seal(plaintext: plain, aad: binding.associatedData(tokenID: tokenID), info: Array(SealedPayloadFormat.bookingInfo.utf8),
                                   recipientPublicKey: inbox.publicKey, ephemeralSecretKey: Array(0x60...0x7f))
        XCTAssertEqual(Hex.encode(sealed.enc), "675dd574ed7789310b3d2e7681f3790b466c773b1521fecf36577958371ea52f")
        XCTAssertEqual(Hex.encode(sealed.ciphertext),
                       "ff1f03000dac5eab84539b5d65822ef76fd0d2838912ff4a9786f64c182a02499d42a942054134112a1d91c9d7b416d8"
                       + "9116f99915c38fbb95a85c0f7d348070e174d48bafa83ab4bc3f20b10a4dce5461b595d1b2a4cdb585b54f8ce7cad480"
                       + "2c774d4b046d6410fcde745468557c9cf3ab06be35354f50f1719c0781138c714a2b69df9e89d5c32ae923de8b942038")
        let payload = SealedPayload(enc: sealed.enc, ct: sealed.ciphertext)
        XCTAssertEqual(try BookingPayload.open(payload, tokenID: tokenID, binding: binding, inboxSecretKey: inbox.secretKey), BookingPayload(child: "Sanne"))
        let body = Array(("{\"schedule\":\"groups/groep-5/conferences/oudergesprekken-februari\",\"slot\":\"2027-02-09T18:30\","
            + "\"sealed\":{\"enc\":\"\(Data(sealed.enc).base64EncodedString())\",\"ct\":\"\(Data(sealed.ciphertext).base64EncodedString())\"}}").utf8)
        XCTAssertEqual(Hex.encode(SHA256.hash(body)), "3b60101fd1b48271e1a9a9bd1dd88e9a42a3eaf5f466c14b7287216ff765efab")
        let headers = RequestSigner(tokenID: tokenID, seed: signingSeed).headers(
            method: "POST", path: "/api/v1/bookings", body: body, timestamp: 1_801_483_200, nonce: "AAECAwQFBgcICQoLDA0ODw")
        XCTAssertEqual(Hex.encode(Array(Data(base64Encoded: headers["X-Portal-Signature"]!)!)),
                       "5ebb046780fecf3ff373c4640453d437efce2145a9bfd8402929a70896e853803978b70f0fab40c8ddd80e55ad121da45af13cf4ee9659220cb85452d6198300")
    }
}
