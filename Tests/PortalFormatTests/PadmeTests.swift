// Padmé lengths: the formula, the 256-byte floor of blobs, monotonicity and the overhead bound.
import XCTest
@testable import PortalCrypto
@testable import PortalFormat
import PortalTestSupport

final class PadmeTests: XCTestCase {
    func testKnownLengths() {
        // E = floor(log2 L), S = floor(log2 E) + 1, z = E - S, round up to a multiple of 2^z.
        XCTAssertEqual(Padme.length(256), 256)   // E=8 S=4 z=4
        XCTAssertEqual(Padme.length(257), 272)
        XCTAssertEqual(Padme.length(272), 272)
        XCTAssertEqual(Padme.length(273), 288)
        XCTAssertEqual(Padme.length(1000), 1024) // E=9 S=4 z=5
        XCTAssertEqual(Padme.length(4096), 4096)
        XCTAssertEqual(Padme.length(4097), 4352) // E=12 S=4 z=8
        XCTAssertEqual(Padme.length(65537), 67584) // E=16 S=5 z=11: 33 * 2048
        XCTAssertEqual(Padme.length(9), 10)
    }

    func testBlobLength() {
        XCTAssertEqual(Padme.blobLength(messageLength: 0), 256)
        XCTAssertEqual(Padme.blobLength(messageLength: 255), 256)
        XCTAssertEqual(Padme.blobLength(messageLength: 256), 272, "the 0x80 marker needs one byte")
        XCTAssertEqual(Padme.blobLength(messageLength: 1000), 1024)
        XCTAssertEqual(Padme.blobLength(messageLength: 4095), 4096)
    }

    func testMonotoneIdempotentAndBounded() {
        var previous = 0
        for n in 1...300_000 {
            let p = Padme.length(n)
            XCTAssertGreaterThanOrEqual(p, n)
            if p < previous || p != Padme.length(p) || Double(p - n) / Double(n) > 0.12 {
                XCTFail("padme(\(n)) = \(p) breaks monotonicity, idempotence or the 12% bound")
                return
            }
            previous = p
        }
        for n in stride(from: 0, to: 50_000_000, by: 9973) {
            let p = Padme.blobLength(messageLength: n)
            XCTAssertGreaterThan(p, n)
            XCTAssertLessThanOrEqual(Double(p) / Double(max(n + 1, 256)), 1.12)
        }
    }

    func testSymmetricKeyLength() {
        XCTAssertEqual(cryptoError { () throws(CryptoError) in try SymmetricKey(bytes: [1, 2, 3]) }, .invalidKeyLength)
        XCTAssertEqual(cryptoError { () throws(CryptoError) in try MasterKey(bytes: []) }, .invalidKeyLength)
        XCTAssertFalse(String(describing: try! SymmetricKey(bytes: bytes(0...31))).contains("0001"),
                       "descriptions never print key bytes")
    }

    func testAudienceIDs() {
        for valid in ["school", "groep-5", "1a", "groep-1-2"] { XCTAssertTrue(AudienceID.isValid(valid), valid) }
        for invalid in ["", "Groep5", "groep 5", "-x", "groep_5", "é", String(repeating: "a", count: 65)] {
            XCTAssertFalse(AudienceID.isValid(invalid), invalid)
        }
    }
}
