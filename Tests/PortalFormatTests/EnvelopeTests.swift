// Envelopes: round trip, determinism, binding to associated data, tamper detection, padding.
import XCTest
@testable import PortalCrypto
@testable import PortalFormat
import PortalTestSupport

final class EnvelopeTests: XCTestCase {
    let master = try! MasterKey(bytes: bytes(0x20...0x3f))
    var key: SymmetricKey { master.audienceKey(audience: "school", epoch: 1) }
    let ad = AssociatedData.blob(audience: "school", epoch: 1, logicalPath: "news/welkom")
    let message = Array("<p>Welkom terug na de herfstvakantie!</p>".utf8)

    override func setUpWithError() throws {
        try Sodium.ensureReady()
    }

    func testRoundTripAndLayout() throws {
        for length in [0, 1, 255, 256, 1000, 4096, 70_000] {
            let m = DeterministicRandom(seed: UInt64(length)).bytes(length)
            let sealed = try Envelope.seal(m, key: key, associatedData: ad)
            XCTAssertEqual(Array(sealed.prefix(4)), Array("OPB1".utf8))
            XCTAssertEqual(sealed.count, 4 + 12 + Padme.blobLength(messageLength: length) + 16)
            XCTAssertEqual(try Envelope.open(sealed, key: key, associatedData: ad), m)
        }
    }

    func testMessagesEndingInPaddingBytesSurvive() throws {
        for m: [UInt8] in [[0x80], [0x00], [0x80, 0x00], [0x41, 0x80, 0x80, 0x00, 0x00]] {
            let sealed = try Envelope.seal(m, key: key, associatedData: ad)
            XCTAssertEqual(try Envelope.open(sealed, key: key, associatedData: ad), m)
        }
    }

    func testDeterministic() throws {
        let a = try Envelope.seal(message, key: key, associatedData: ad)
        let b = try Envelope.seal(message, key: key, associatedData: ad)
        XCTAssertEqual(a, b, "same key, AD and message give identical bytes")
        let c = try Envelope.seal(message + [0x21], key: key, associatedData: ad)
        XCTAssertNotEqual(Array(a[4..<16]), Array(c[4..<16]), "another message gets another nonce")
        let d = try Envelope.seal(message, key: key,
                                  associatedData: AssociatedData.blob(audience: "school", epoch: 1, logicalPath: "news/x"))
        XCTAssertNotEqual(Array(a[4..<16]), Array(d[4..<16]), "another AD gets another nonce")
    }

    func testWrongPlaceFails() throws {
        let sealed = try Envelope.seal(message, key: key, associatedData: ad)
        let elsewhere: [[UInt8]] = [
            AssociatedData.blob(audience: "school", epoch: 1, logicalPath: "news/welkom2"),  // moved path
            AssociatedData.blob(audience: "groep-5", epoch: 1, logicalPath: "news/welkom"),  // other audience
            AssociatedData.blob(audience: "school", epoch: 2, logicalPath: "news/welkom"),   // other epoch
            AssociatedData.keyslot(tokenID: "news/welkom"),
            [],
        ]
        for other in elsewhere {
            XCTAssertEqual(cryptoError { () throws(CryptoError) in try Envelope.open(sealed, key: key, associatedData: other) },
                           .envelopeAuthenticationFailed)
        }
        for otherKey in [master.audienceKey(audience: "school", epoch: 2), master.audienceKey(audience: "groep-5", epoch: 1)] {
            XCTAssertEqual(cryptoError { () throws(CryptoError) in try Envelope.open(sealed, key: otherKey, associatedData: ad) },
                           .envelopeAuthenticationFailed)
        }
    }

    func testEverySingleBitFlipFails() throws {
        let sealed = try Envelope.seal(message, key: key, associatedData: ad)
        for i in 0..<sealed.count {
            for bit in 0..<8 {
                var damaged = sealed
                damaged[i] ^= UInt8(1 << bit)
                let error = cryptoError { () throws(CryptoError) in try Envelope.open(damaged, key: key, associatedData: ad) }
                XCTAssertEqual(error, i < 4 ? .envelopeBadMagic : .envelopeAuthenticationFailed, "byte \(i) bit \(bit)")
            }
        }
    }

    func testTruncatedAndBadMagic() throws {
        let sealed = try Envelope.seal(message, key: key, associatedData: ad)
        for length in [0, 3, 4, 16, 31] {
            XCTAssertEqual(cryptoError { () throws(CryptoError) in
                try Envelope.open(Array(sealed.prefix(length)), key: key, associatedData: ad)
            }, .envelopeTooShort, "length \(length)")
        }
        for length in [32, 100, sealed.count - 1] {
            XCTAssertEqual(cryptoError { () throws(CryptoError) in
                try Envelope.open(Array(sealed.prefix(length)), key: key, associatedData: ad)
            }, .envelopeAuthenticationFailed, "length \(length)")
        }
        XCTAssertEqual(cryptoError { () throws(CryptoError) in
            try Envelope.open(Array("OPB2".utf8) + sealed.dropFirst(4), key: key, associatedData: ad)
        }, .envelopeBadMagic)
        XCTAssertEqual(cryptoError { () throws(CryptoError) in
            try Envelope.open(sealed + [0], key: key, associatedData: ad)
        }, .envelopeAuthenticationFailed, "appended byte")
    }

    func testInvalidPaddingIsDetected() throws {
        let invalid: [[UInt8]] = [
            [UInt8](repeating: 0, count: 256),          // no marker at all
            [0x41, 0x42, 0x80, 0x01],                   // trailing byte after the marker
            [0x41, 0x42],                               // no marker, non-zero end
            [],                                         // empty plaintext
        ]
        for p in invalid {
            let sealed = try Envelope.sealPadded(p, key: key, associatedData: ad)
            XCTAssertEqual(try Envelope.openPadded(sealed, key: key, associatedData: ad), p)
            XCTAssertEqual(cryptoError { () throws(CryptoError) in try Envelope.open(sealed, key: key, associatedData: ad) },
                           .paddingInvalid)
        }
    }

    func testKeyslotsHaveOneSize() throws {
        let kek = try SymmetricKey(bytes: bytes(0x40...0x5f))
        let slotAD = AssociatedData.keyslot(tokenID: "2915c086a6bf290dd68024bc86f2de44")
        for length in [0, 1, 300, 2000, 4095] {
            let m = [UInt8](repeating: 0x7b, count: length)
            let sealed = try Envelope.seal(m, key: kek, associatedData: slotAD, paddedLength: Envelope.keyslotPaddedLength)
            XCTAssertEqual(sealed.count, 4128)
            XCTAssertEqual(try Envelope.open(sealed, key: kek, associatedData: slotAD), m)
        }
        XCTAssertEqual(cryptoError { () throws(CryptoError) in
            try Envelope.seal([UInt8](repeating: 0, count: 4096), key: kek, associatedData: slotAD, paddedLength: 4096)
        }, .messageTooLong(length: 4096, paddedLength: 4096))
    }

    func testDerivedNamesAreStableAndDistinct() {
        let k1 = master.audienceKey(audience: "school", epoch: 1)
        let k2 = master.audienceKey(audience: "school", epoch: 2)
        XCTAssertEqual(k1.audienceTag.count, 32)
        XCTAssertNotEqual(k1.audienceTag, k2.audienceTag, "a new epoch moves the audience to a new folder")
        XCTAssertEqual(k1.blobName(logicalPath: "news/welkom"), k1.blobName(logicalPath: "news/welkom"))
        XCTAssertNotEqual(k1.blobName(logicalPath: "news/welkom"), k1.blobName(logicalPath: "news/welkom/"))
        XCTAssertNotEqual(k1.nonceKey, k1.nameKey)
        XCTAssertEqual(
            String(decoding: AssociatedData.blob(audience: "groep-5", epoch: 12, logicalPath: "albums/uitje"), as: UTF8.self),
            "ouderportaal/1 blob groep-5 12 albums/uitje")
        XCTAssertEqual(String(decoding: AssociatedData.keyslot(tokenID: "abc"), as: UTF8.self), "ouderportaal/1 keyslot abc")
    }

    /// The synthetic nonce depends on the associated data: thousands of seals of one message
    /// under one key, each bound to another place, never repeat a nonce, and each opens only there.
    /// (What sealing costs is measured in bench/micro, EnvelopeBenchmarkTests.)
    func testManySealsOfOneMessageNeverRepeatANonce() throws {
        let m = DeterministicRandom(seed: 4).bytes(4096)
        var nonces: Set<[UInt8]> = []
        for i in 0..<5000 {
            let place = AssociatedData.blob(audience: "school", epoch: 1, logicalPath: "news/bericht-\(i)")
            let sealed = try Envelope.seal(m, key: key, associatedData: place)
            XCTAssertTrue(nonces.insert(Array(sealed[4..<16])).inserted, "nonce repeated at \(i)")
            if i % 500 == 0 {
                XCTAssertEqual(try Envelope.open(sealed, key: key, associatedData: place), m)
                XCTAssertThrowsError(try Envelope.open(sealed, key: key, associatedData: ad))
            }
        }
        XCTAssertEqual(nonces.count, 5000)
    }
}
