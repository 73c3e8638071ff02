// HPKE known-answer tests. Sources of the bytes:
// - RFC 9180 appendix A.1.1 (DHKEM(X25519, HKDF-SHA256), HKDF-SHA256, AES-128-GCM, mode_base):
//   the KEM, shared_secret, key schedule and exporter, which do not depend on the AEAD except for
//   the suite id and the key length (libsodium has no AES-128-GCM, so its ciphertexts are not checked).
// - The RFC 9180 test-vectors JSON entry mode 0, kem_id 32, kdf_id 1, aead_id 2 (the exact suite
//   of this project), as carried in BoringSSL/AWS-LC's crypto/hpke/hpke_test_vectors.txt: keys
//   and the encryptions at sequence numbers 0, 1, 2.
import XCTest
@testable import PortalCrypto
import PortalTestSupport

final class HPKETests: XCTestCase {
    override func setUpWithError() throws {
        try Sodium.ensureReady()
    }

    // RFC 9180 A.1.1
    let a1Info = h("4f6465206f6e2061204772656369616e2055726e")
    let a1IkmE = h("7268600d403fce431561aef583ee1613527cff655c1343f29812e66706df3234")
    let a1SkEm = h("52c4a758a802cd8b936eceea314432798d5baf2d7e9235dc084ab1b9cfa2f736")
    let a1PkEm = h("37fda3567bdbd628e88668c3c8d7e97d1d1253b6d4ea6d44c150f741f1bf4431")
    let a1IkmR = h("6db9df30aa07dd42ee5e8181afdb977e538f5e1fec8a06223f33f7013e525037")
    let a1SkRm = h("4612c550263fc8ad58375df3f557aac531d26850903e55a9f23f21d8534e8ac8")
    let a1PkRm = h("3948cfe0ad1ddb695d780e59077195da6c56506b027329794ab02bca80815c4d")
    let a1SharedSecret = "fe0e18c9f024ce43799ae393c7e8fe8fce9d218875e8227b0187c04e7d2ea1fc"
    let a1Key = "4531685d41d65f03dc48f6b8302c05b0"
    let a1BaseNonce = "56d890e5accaaf011cff4b7d"
    let a1ExporterSecret = "45ff1c2e220db587171952c0592d5f5ebe103f1561a2614e38f2ffd47e99e3f8"

    func testA1DeriveKeyPair() {
        let e = HPKE.deriveKeyPair(ikm: a1IkmE)
        XCTAssertEqual(Hex.encode(e.secretKey), Hex.encode(a1SkEm))
        XCTAssertEqual(Hex.encode(e.publicKey), Hex.encode(a1PkEm))
        let r = HPKE.deriveKeyPair(ikm: a1IkmR)
        XCTAssertEqual(Hex.encode(r.secretKey), Hex.encode(a1SkRm))
        XCTAssertEqual(Hex.encode(r.publicKey), Hex.encode(a1PkRm))
    }

    func testA1EncapDecapAndKeySchedule() throws {
        let (shared, enc) = try HPKE.encap(recipientPublicKey: a1PkRm, ephemeralSecretKey: a1SkEm)
        XCTAssertEqual(Hex.encode(enc), Hex.encode(a1PkEm))
        XCTAssertEqual(Hex.encode(shared), a1SharedSecret)
        XCTAssertEqual(Hex.encode(try HPKE.decap(enc: enc, recipientSecretKey: a1SkRm)), a1SharedSecret)

        let context = HPKE.keySchedule(sharedSecret: shared, info: a1Info, aeadID: 0x0001, keyLength: 16)
        XCTAssertEqual(Hex.encode(context.key), a1Key)
        XCTAssertEqual(Hex.encode(context.baseNonce), a1BaseNonce)
        XCTAssertEqual(Hex.encode(context.exporterSecret), a1ExporterSecret)
        // A.1.1.2 exported values.
        XCTAssertEqual(Hex.encode(context.export(context: [], length: 32)),
                       "3853fe2b4035195a573ffc53856e77058e15d9ea064de3e59f4961d0095250ee")
        XCTAssertEqual(Hex.encode(context.export(context: [0x00], length: 32)),
                       "2e8f0b54673c7029649d4eb9d5e33bf1872cf76d623ff164ac185da9e88c21a5")
        XCTAssertEqual(Hex.encode(context.export(context: h("54657374436f6e74657874"), length: 32)),
                       "e9e43065102c3836401bed8c3c3c75ae46be1639869391d62c61f1ec7af54931")
    }

    // mode 0, kem 32, kdf 1, aead 2.
    let skRm = h("497b4502664cfea5d5af0b39934dac72242a74f8480451e1aee7d6a53320333d")
    let skEm = h("179d4b53b6365c45b600c4163b61d95cbc2f4d9e36f1695558dce265ab8bab11")
    let pkRm = h("430f4b9859665145a6b1ba274024487bd66f03a2dd577d7753c68d7d7d00c00c")
    let pkEm = h("6c93e09869df3402d7bf231bf540fadd35cd56be14f97178f0954db94b7fc256")
    let pt = h("4265617574792069732074727574682c20747275746820626561757479")
    let encryptions: [(aad: String, ct: String)] = [
        ("436f756e742d30", "e5d84cd531cfb583096e7cfa9641bd3079cf3a91cda813c52deb5f512be9931980a41de125a925cdad859d5b7a"),
        ("436f756e742d31", "2c43aff25343fdbff864506f0818b9d87df84ea01b1a2144d23b4d40c26bf655fdf197fe40297a8aebeed5cc2d"),
        ("436f756e742d32", "e0a8f2cf92ff61215edbb8c55dc31fe9e2eb42a5685867bb6854211542099f9e940c4b41c192bc390835b1a5f7"),
    ]

    func testAES256GCMSuiteKeys() throws {
        XCTAssertEqual(Hex.encode(try X25519KeyPair(secretKey: skRm).publicKey), Hex.encode(pkRm))
        XCTAssertEqual(Hex.encode(try X25519KeyPair(secretKey: skEm).publicKey), Hex.encode(pkEm))
    }

    func testAES256GCMSuiteSingleShotSealIsEncryption0() throws {
        let sealed = try HPKE.seal(plaintext: pt, aad: h(encryptions[0].aad), info: a1Info,
                                   recipientPublicKey: pkRm, ephemeralSecretKey: skEm)
        XCTAssertEqual(Hex.encode(sealed.enc), Hex.encode(pkEm))
        XCTAssertEqual(Hex.encode(sealed.ciphertext), encryptions[0].ct)
        let opened = try HPKE.open(enc: pkEm, ciphertext: h(encryptions[0].ct), aad: h(encryptions[0].aad),
                                   info: a1Info, recipientSecretKey: skRm)
        XCTAssertEqual(opened, pt)
    }

    func testAES256GCMSuiteSequence() throws {
        let (shared, _) = try HPKE.encap(recipientPublicKey: pkRm, ephemeralSecretKey: skEm)
        var sender = HPKE.keySchedule(sharedSecret: shared, info: a1Info)
        var receiver = HPKE.keySchedule(sharedSecret: try HPKE.decap(enc: pkEm, recipientSecretKey: skRm), info: a1Info)
        for e in encryptions {
            XCTAssertEqual(Hex.encode(try sender.seal(aad: h(e.aad), plaintext: pt)), e.ct)
            XCTAssertEqual(try receiver.open(aad: h(e.aad), ciphertext: h(e.ct)), pt)
        }
    }

    func testOpenRefusesWrongAADInfoKeyAndTampering() throws {
        let recipient = X25519KeyPair.generate(using: DeterministicRandom(seed: 7))
        let info = Array("ouderportaal/1 absence".utf8)
        let aad = Array("2915c086a6bf290dd68024bc86f2de44".utf8)
        let sealed = try HPKE.seal(plaintext: Array("Sanne".utf8), aad: aad, info: info,
                                   recipientPublicKey: recipient.publicKey, random: DeterministicRandom(seed: 8))
        XCTAssertEqual(try HPKE.open(enc: sealed.enc, ciphertext: sealed.ciphertext, aad: aad, info: info,
                                     recipientSecretKey: recipient.secretKey), Array("Sanne".utf8))
        XCTAssertEqual(cryptoError { () throws(CryptoError) in
            try HPKE.open(enc: sealed.enc, ciphertext: sealed.ciphertext, aad: aad + [0x20], info: info,
                          recipientSecretKey: recipient.secretKey)
        }, .envelopeAuthenticationFailed)
        XCTAssertEqual(cryptoError { () throws(CryptoError) in
            try HPKE.open(enc: sealed.enc, ciphertext: sealed.ciphertext, aad: aad,
                          info: Array("ouderportaal/1 booking".utf8), recipientSecretKey: recipient.secretKey)
        }, .envelopeAuthenticationFailed)
        var tampered = sealed.ciphertext
        tampered[0] ^= 1
        XCTAssertEqual(cryptoError { () throws(CryptoError) in
            try HPKE.open(enc: sealed.enc, ciphertext: tampered, aad: aad, info: info,
                          recipientSecretKey: recipient.secretKey)
        }, .envelopeAuthenticationFailed)
        XCTAssertEqual(cryptoError { () throws(CryptoError) in
            try HPKE.open(enc: [UInt8](repeating: 0, count: 32), ciphertext: sealed.ciphertext, aad: aad, info: info,
                          recipientSecretKey: recipient.secretKey)
        }, .invalidPublicKey)
        XCTAssertEqual(cryptoError { () throws(CryptoError) in
            try HPKE.open(enc: [1, 2, 3], ciphertext: sealed.ciphertext, aad: aad, info: info,
                          recipientSecretKey: recipient.secretKey)
        }, .invalidKeyLength)
    }

    func testFreshEphemeralKeyPerSeal() throws {
        let recipient = X25519KeyPair.generate(using: SystemRandom())
        let a = try HPKE.seal(plaintext: [1], aad: [], info: [], recipientPublicKey: recipient.publicKey)
        let b = try HPKE.seal(plaintext: [1], aad: [], info: [], recipientPublicKey: recipient.publicKey)
        XCTAssertNotEqual(a.enc, b.enc)
        XCTAssertNotEqual(a.ciphertext, b.ciphertext)
    }
}
