// Known-answer tests of the primitives against their published vectors.
import XCTest
@testable import PortalCrypto
import PortalTestSupport

final class PrimitiveTests: XCTestCase {
    override func setUpWithError() throws {
        try Sodium.ensureReady()
    }

    // RFC 5869 appendix A.1-A.3.
    func testHKDFRFC5869() {
        struct Case { let ikm, salt, info: [UInt8]; let length: Int; let prk, okm: String }
        let cases = [
            Case(ikm: [UInt8](repeating: 0x0b, count: 22), salt: bytes(0x00...0x0c), info: bytes(0xf0...0xf9),
                 length: 42,
                 prk: "077709362c2e32df0ddc3f0dc47bba6390b6c73bb50f9c3122ec844ad7c2b3e5",
                 okm: "3cb25f25faacd57a90434f64d0362f2a2d2d0a90cf1a5a4c5db02d56ecc4c5bf34007208d5b887185865"),
            Case(ikm: bytes(0x00...0x4f), salt: bytes(0x60...0xaf), info: bytes(0xb0...0xff), length: 82,
                 prk: "06a6b88c5853361a06104c9ceb35b45cef760014904671014a193f40c15fc244",
                 okm: "b11e398dc80327a1c8e7f78c596a49344f012eda2d4efad8a050cc4c19afa97c59045a99cac7827271cb41c65e590e09"
                    + "da3275600c2f09b8367793a9aca3db71cc30c58179ec3e87c14c01d5c1f3434f1d87"),
            Case(ikm: [UInt8](repeating: 0x0b, count: 22), salt: [], info: [], length: 42,
                 prk: "19ef24a32c717b167f33a91d6f648bdf96596776afdb6377ac434c1c293ccb04",
                 okm: "8da4e775a563c18f715f802a063c5a31b8a11f5c5ee1879ec3454e5f3c738d2d9d201395faa4b61a96c8"),
        ]
        for (i, c) in cases.enumerated() {
            let prk = HKDF.extract(salt: c.salt, ikm: c.ikm)
            XCTAssertEqual(Hex.encode(prk), c.prk, "A.\(i + 1) PRK")
            XCTAssertEqual(Hex.encode(HKDF.expand(prk: prk, info: c.info, length: c.length)), c.okm, "A.\(i + 1) OKM")
            XCTAssertEqual(Hex.encode(HKDF.sha256(ikm: c.ikm, salt: c.salt, info: c.info, length: c.length)), c.okm)
        }
    }

    // BLAKE2 reference blake2b-kat.txt, keyed, key = 00..3f, in = "" and in = 00.
    func testBLAKE2bKeyedKnownAnswers() {
        let key = bytes(0x00...0x3f)
        XCTAssertEqual(
            Hex.encode(BLAKE2b.hash([], key: key, length: 64)),
            "10ebb67700b1868efb4417987acf4690ae9d972fb7a590c2f02871799aaa4786"
                + "b5e996e8f0f4eb981fc214b005f42d2ff4233499391653df7aefcbc13fc51568")
        XCTAssertEqual(
            Hex.encode(BLAKE2b.hash([0x00], key: key, length: 64)),
            "961f6dd1e4dd30f63901690c512e78e4b45e4742ed197c3c5e45c549fd25f2e4"
                + "187b0bc9fe30492b16b0d0bc4ef9b0f34c7003fac09a5ef1532e69430234cebd")
    }

    func testSHA256() {
        XCTAssertEqual(
            Hex.encode(SHA256.hash(Array("abc".utf8))),
            "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad")
    }

    // McGrew & Viega, "The Galois/Counter Mode of Operation", test case 16 (256-bit key, 60-byte
    // plaintext, 20-byte AD, 96-bit IV): output is ciphertext || tag.
    func testAES256GCMTestCase16() throws {
        let key = h("feffe9928665731c6d6a8f9467308308feffe9928665731c6d6a8f9467308308")
        let iv = h("cafebabefacedbaddecaf888")
        let plaintext = h("""
            d9313225f88406e5a55909c5aff5269a86a7a9531534f7da2e4c303d8a318a72
            1c3c0c95956809532fcf0e2449a6b525b16aedf5aa0de657ba637b39
            """)
        let ad = h("feedfacedeadbeeffeedfacedeadbeefabaddad2")
        let expected = h("""
            522dc1f099567d07f47f37a32a84427d643a8cdcbfe5c0c97598a2bd2555d1aa
            8cb08e48590dbb3da7b08b1056828838c5f61e6393ba7a0abcc9f662
            76fc6ece0f4e1768cddf8853bb2d551b
            """)
        let sealed = try AES256GCM.encrypt(key: key, nonce: iv, plaintext: plaintext, associatedData: ad)
        XCTAssertEqual(sealed, expected)
        XCTAssertEqual(try AES256GCM.decrypt(key: key, nonce: iv, ciphertext: sealed, associatedData: ad), plaintext)
        var damaged = sealed
        damaged[damaged.count - 1] ^= 1
        XCTAssertEqual(cryptoError { () throws(CryptoError) in
            try AES256GCM.decrypt(key: key, nonce: iv, ciphertext: damaged, associatedData: ad)
        }, .envelopeAuthenticationFailed)
    }

    // RFC 8032 section 7.1, test 1 (empty message).
    func testEd25519RFC8032() {
        let seed = h("9d61b19deffd5a60ba844af492ec2cc44449c5697b326919703bac031cae7f60")
        let publicKey = Ed25519.publicKey(seed: seed)
        XCTAssertEqual(Hex.encode(publicKey), "d75a980182b10ab7d54bfed3c964073a0ee172f3daa62325af021a68f707511a")
        let signature = Ed25519.sign([], seed: seed)
        XCTAssertEqual(
            Hex.encode(signature),
            "e5564300c360ac729086e2cc806e828a84877f1eb8e5d974d873e065224901555fb8821590a33bacc61e39701cf9b46bd25bf5f0595bbe24655141438e7a100b")
        XCTAssertTrue(Ed25519.verify(signature: signature, message: [], publicKey: publicKey))
        XCTAssertFalse(Ed25519.verify(signature: signature, message: [0], publicKey: publicKey))
        XCTAssertFalse(Ed25519.verify(signature: Array(signature.dropLast()), message: [], publicKey: publicKey))
        XCTAssertFalse(Ed25519.verify(signature: signature, message: [], publicKey: []))
    }

    // RFC 7748 section 6.1.
    func testX25519RFC7748() throws {
        let alice = try X25519KeyPair(secretKey: h("77076d0a7318a57d3c16c17251b26645df4c2f87ebc0992ab177fba51db92c2a"))
        let bob = try X25519KeyPair(secretKey: h("5dab087e624a8a4b79e17f8b83800ee66f3bb1292618b6fd1c2f8b27ff88e0eb"))
        XCTAssertEqual(Hex.encode(alice.publicKey), "8520f0098930a754748b7ddcb43ef75a0dbf3a0d26381af4eba4a98eaa9b4e6a")
        XCTAssertEqual(Hex.encode(bob.publicKey), "de9edb7d7b7dc1b4d35b61c2ece435373f8343c85b78674dadfc7e146f882b4f")
        let shared = "4a5d9d5ba4ce2de1728e3bf480350f25e07e21c947d19e3376f09b3c1e161742"
        XCTAssertEqual(Hex.encode(try alice.sharedSecret(with: bob.publicKey)), shared)
        XCTAssertEqual(Hex.encode(try bob.sharedSecret(with: alice.publicKey)), shared)
        XCTAssertEqual(cryptoError { () throws(CryptoError) in try alice.sharedSecret(with: [UInt8](repeating: 0, count: 32)) },
                       .invalidPublicKey)
    }

    func testX25519GenerateUsesInjectedRandomness() {
        let a = X25519KeyPair.generate(using: DeterministicRandom(seed: 7))
        let b = X25519KeyPair.generate(using: DeterministicRandom(seed: 7))
        XCTAssertEqual(a, b)
        XCTAssertNotEqual(a, X25519KeyPair.generate(using: SystemRandom()))
    }

    func testRandomSources() {
        let random = DeterministicRandom(seed: 1)
        let first = random.bytes(32)
        XCTAssertEqual(first, DeterministicRandom(seed: 1).bytes(32))
        XCTAssertNotEqual(first, random.bytes(32), "successive calls differ")
        XCTAssertNotEqual(SystemRandom().bytes(32), SystemRandom().bytes(32))
        XCTAssertEqual(SystemRandom().bytes(0), [])
    }

    func testHex() {
        XCTAssertEqual(Hex.encode([0x00, 0xde, 0xad, 0xff]), "00deadff")
        XCTAssertEqual(Hex.decode("00DEadFF"), [0x00, 0xde, 0xad, 0xff])
        XCTAssertNil(Hex.decode("abc"))
        XCTAssertNil(Hex.decode("zz"))
    }

    func testBase32Crockford() {
        XCTAssertEqual(Base32Crockford.encode([0xff]), "ZW")
        XCTAssertEqual(Base32Crockford.decode("zw"), [0xff])
        XCTAssertEqual(Base32Crockford.encode(Array("foobar".utf8)), "CSQPYRK1E8")
        XCTAssertEqual(Base32Crockford.decode("csqpyrkie8"), Array("foobar".utf8), "I read as 1")
        XCTAssertNil(Base32Crockford.decode("ZX"), "non-zero leftover bits are not canonical")
        XCTAssertNil(Base32Crockford.decode("U0"), "U is not in the alphabet")
        for n in 0...40 {
            let data = DeterministicRandom(seed: UInt64(n)).bytes(n)
            XCTAssertEqual(Base32Crockford.decode(Base32Crockford.encode(data)), data)
        }
    }
}
