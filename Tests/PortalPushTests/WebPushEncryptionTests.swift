import Crypto
import Foundation
import PortalCrypto
import XCTest

@testable import PortalPush

private func b64(_ s: String) -> [UInt8] { Base64URL.decode(s)! }

/// RFC 8188 and RFC 8291 known answers, failing inputs, and a cross-check with Python's http_ece.
final class WebPushEncryptionTests: XCTestCase {
    // RFC 8291 section 5 / appendix A.
    let plaintext = b64("V2hlbiBJIGdyb3cgdXAsIEkgd2FudCB0byBiZSBhIHdhdGVybWVsb24")
    let asPrivate = b64("yfWPiYE-n46HLnH0KqZOF1fJJU3MYrct3AELtAQ-oRw")
    let uaPublic = b64("BCVxsr7N_eNgVRqvHtD0zTZsEc6-VV-JvLexhqUzORcxaOzi6-AYWXvTBHm4bjyPjs7Vd8pZGH6SRpkNtoIAiw4")
    let uaPrivate = b64("q1dXpw3UpT5VOmu_cf_v6ih07Aems3njxI-JWgLcM94")
    let auth = b64("BTBZMqHH6r4Tts7J_aSIgg")
    let salt = b64("DGv6ra1nlYgDCS1FRnbzlw")
    let rfc8291Body = b64(
        "DGv6ra1nlYgDCS1FRnbzlwAAEABBBP4z9KsN6nGRTbVYI_c7VJSPQTBtkgcy27mlmlMoZIIgDll6e3vCYLocInmYWAmS6TlzAC8wEqKK6PBru3jl7A_yl95bQpu6cVPTpK4Mqgkf1CXztLVBSt2Ks3oZwbuwXPXLWyouBWLVWGNWQexSgSxsj_Qulcy4a-fN")

    func testRFC8291Section5() throws {
        let keys = try PushSubscriptionKeys(p256dh: uaPublic, auth: auth)
        let ephemeral = try P256.KeyAgreement.PrivateKey(rawRepresentation: asPrivate)
        XCTAssertEqual(try WebPushEncryption.encrypt(plaintext, to: keys, ephemeral: ephemeral, salt: salt), rfc8291Body)
        // Intermediate values of appendix A.
        let ikm = try WebPushEncryption.inputKey(
            privateKey: ephemeral, peer: uaPublic, auth: auth, uaPublic: uaPublic,
            asPublic: Array(ephemeral.publicKey.x963Representation))
        XCTAssertEqual(ikm, b64("S4lYMb_L0FxCeq0WhDx813KgSYqU26kOyzWUdsXYyrg"))
        let (cek, nonce) = ContentEncoding.keys(ikm: ikm, salt: salt)
        XCTAssertEqual(cek, b64("oIhVW04MRdy2XN9CiKLxTg"))
        XCTAssertEqual(nonce, b64("4h_95klXJ5E_qnoN"))
        // And the browser's side opens it.
        let ua = try P256.KeyAgreement.PrivateKey(rawRepresentation: uaPrivate)
        XCTAssertEqual(try WebPushEncryption.decrypt(rfc8291Body, privateKey: ua, auth: auth), plaintext)
    }

    func testRFC8188Section3_1EncryptsOneRecord() throws {
        let body = try ContentEncoding.encrypt(
            Array("I am the walrus".utf8), ikm: b64("yqdlZ-tYemfogSmv7Ws5PQ"), salt: b64("I1BsxtFttlv3u_Oo94xnmw"))
        XCTAssertEqual(body, b64("I1BsxtFttlv3u_Oo94xnmwAAEAAA-NAVub2qFgBEuQKRapoZu-IxkIva3MEB1PD-ly8Thjg"))
    }

    func testRFC8188Section3_2OpensTwoRecordsWithAKeyID() throws {
        let body = b64("uNCkWiNYzKTnBN9ji3-qWAAAABkCYTHOG8chz_gnvgOqdGYovxyjuqRyJFjEDyoF1Fvkj6hQPdPHI51OEUKEpgz3SsLWIqS_uA")
        var seenKeyID: [UInt8] = []
        let plain = try ContentEncoding.decrypt(body) { (keyID: [UInt8]) throws(PushError) -> [UInt8] in
            seenKeyID = keyID
            return b64("BO3ZVPxUlnLORbVGMpbT1Q")
        }
        XCTAssertEqual(String(decoding: plain, as: UTF8.self), "I am the walrus")
        XCTAssertEqual(seenKeyID, Array("a1".utf8))
    }

    func testFailingVectorsAreRefused() throws {
        let ua = try P256.KeyAgreement.PrivateKey(rawRepresentation: uaPrivate)
        // Every single flipped bit after the header's salt breaks the message.
        // (The record size, bytes 16-19, does not matter to a message of one record.)
        for index in [20, 21, 60, 86, 100, rfc8291Body.count - 1] {
            var altered = rfc8291Body
            altered[index] ^= 0x01
            XCTAssertThrowsError(try WebPushEncryption.decrypt(altered, privateKey: ua, auth: auth), "byte \(index)")
        }
        XCTAssertThrowsError(try WebPushEncryption.decrypt(Array(rfc8291Body.dropLast()), privateKey: ua, auth: auth))
        XCTAssertThrowsError(try WebPushEncryption.decrypt(Array(rfc8291Body.prefix(20)), privateKey: ua, auth: auth))
        // The wrong auth secret derives other keys.
        XCTAssertThrowsError(try WebPushEncryption.decrypt(rfc8291Body, privateKey: ua, auth: [UInt8](repeating: 0, count: 16)))
        // Subscription keys that are not a point, or a short auth secret.
        var offCurve = uaPublic
        offCurve[64] ^= 0x01
        XCTAssertThrowsError(try PushSubscriptionKeys(p256dh: offCurve, auth: auth)) { XCTAssertEqual($0 as? PushError, .invalidSubscriptionKey) }
        XCTAssertThrowsError(try PushSubscriptionKeys(p256dh: Array(uaPublic.prefix(33)), auth: auth))
        XCTAssertThrowsError(try PushSubscriptionKeys(p256dh: uaPublic, auth: Array(auth.prefix(15)))) { XCTAssertEqual($0 as? PushError, .invalidAuthSecret) }
        let keys = try PushSubscriptionKeys(p256dh: uaPublic, auth: auth)
        XCTAssertThrowsError(try WebPushEncryption.encrypt([UInt8](repeating: 0x41, count: 3994), to: keys)) {
            XCTAssertEqual($0 as? PushError, .payloadTooLarge(3994))
        }
    }

    func testEveryMessageHasAFreshKeyAndSalt() throws {
        let keys = try PushSubscriptionKeys(p256dh: uaPublic, auth: auth)
        let a = try WebPushEncryption.encrypt(plaintext, to: keys)
        let b = try WebPushEncryption.encrypt(plaintext, to: keys)
        XCTAssertNotEqual(Array(a.prefix(16)), Array(b.prefix(16)))
        XCTAssertNotEqual(Array(a[21..<86]), Array(b[21..<86]))
    }

    /// Python's http_ece opens what Swift sealed; py_vapid verifies Swift's JWT.
    func testPythonOpensTheMessageAndVerifiesTheJWT() throws {
        let device = P256.KeyAgreement.PrivateKey()
        let secret = SystemRandom().bytes(16)
        let keys = try PushSubscriptionKeys(p256dh: Array(device.publicKey.x963Representation), auth: secret)
        let payload = PushPayload(sequences: ["groep-5": 1_796_083_200, "school": 7], urgent: true).encoded()
        let body = try WebPushEncryption.encrypt(payload, to: keys)
        let vapid = VAPIDKey.derive(from: SystemRandom().bytes(32))
        let endpoint = URL(string: "https://fcm.googleapis.com:443/fcm/send/abc")!
        let header = vapid.authorization(endpoint: endpoint, subject: "mailto:ict@school.example", expires: 1_900_000_000)
        let jwt = String(header.dropFirst("vapid t=".count).prefix { $0 != "," })
        let request: [String: String] = [
            "body": Base64URL.encode(body), "private_key": Base64URL.encode(Array(device.rawRepresentation)),
            "auth": Base64URL.encode(secret), "jwt": jwt, "vapid_public_key": Base64URL.encode(vapid.publicKey),
            "audience": "https://fcm.googleapis.com",
        ]
        let answer = try runCrosscheck(request)
        XCTAssertEqual(answer["plaintext"] as? String, Base64URL.encode(payload))
        let claims = try XCTUnwrap(answer["claims"] as? [String: Any])
        XCTAssertEqual(claims["sub"] as? String, "mailto:ict@school.example")
        XCTAssertEqual(claims["exp"] as? Int, 1_900_000_000)
        XCTAssertTrue(header.hasSuffix(", k=" + Base64URL.encode(vapid.publicKey)))

        // A JWT signed by another key does not verify there.
        let other = VAPIDKey.derive(from: SystemRandom().bytes(32))
        var forged = request
        forged["jwt"] = other.token(audience: "https://fcm.googleapis.com", subject: "mailto:x@y.z", expires: 1_900_000_000)
        XCTAssertThrowsError(try runCrosscheck(forged))
    }

    private func runCrosscheck(_ request: [String: String]) throws -> [String: Any] {
        let script = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("push_crosscheck.py")
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = ["python3", script.path]
        let input = Pipe(), output = Pipe(), errors = Pipe()
        process.standardInput = input
        process.standardOutput = output
        process.standardError = errors
        try process.run()
        input.fileHandleForWriting.write(try JSONSerialization.data(withJSONObject: request))
        try input.fileHandleForWriting.close()
        let data = output.fileHandleForReading.readDataToEndOfFile()
        let message = String(decoding: errors.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        process.waitUntilExit()
        guard process.terminationStatus == 0 else { throw NSError(domain: "crosscheck", code: 1, userInfo: [NSLocalizedDescriptionKey: message]) }
        return try XCTUnwrap(JSONSerialization.jsonObject(with: data) as? [String: Any])
    }
}
