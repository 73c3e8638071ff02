// FORMAT.md "Staff upload vectors": the Swift code computes exactly the document's lines (the
// independent Python of format_vectors.py is compared in FormatVectorTests, the browser's sealing
// in test_crypto_js.py), and a part cut short, reordered, relabelled or damaged does not open.
import Foundation
import XCTest
@testable import PortalCrypto
@testable import PortalFormat
import PortalTestSupport

final class UploadStreamTests: XCTestCase {
    override func setUpWithError() throws {
        try Sodium.ensureReady()
    }

    let school = try! X25519KeyPair(secretKey: Array(0x40...0x5f))
    let tokenID = "2915c086a6bf290dd68024bc86f2de44"
    let partID = Hex.encode(Array(0x00...0x0f))
    let plaintext = (0..<65_546).map { UInt8($0 % 251) }

    func sealed() throws -> (enc: [UInt8], chunks: [[UInt8]]) {
        try UploadStream.seal(plaintext, recipientPublicKey: school.publicKey, tokenID: tokenID, group: "groep-5",
                              partID: partID, ephemeralSecretKey: Array(0x60...0x7f))
    }

    func open(_ enc: [UInt8], _ chunks: [[UInt8]], key: [UInt8]? = nil, group: String = "groep-5", part: String? = nil) throws(UploadStream.Failure) -> [UInt8] {
        try UploadStream.open(enc: enc, chunks: chunks, recipientSecretKey: key ?? school.secretKey, tokenID: tokenID,
                              group: group, partID: part ?? partID)
    }

    func testSwiftMatchesFormatDocument() throws {
        let (enc, chunks) = try sealed()
        let key = try HPKE.exportedSecret(
            enc: enc, recipientSecretKey: school.secretKey, info: Array(UploadStream.sealInfo.utf8),
            exporterContext: Array(UploadStream.exporterContext.utf8), length: 32)
        let lines = [
            "upload_part_id = \(partID)",
            "upload_plaintext_sha256 = \(Hex.encode(SHA256.hash(plaintext)))",
            "upload_aad = \(Hex.encode(UploadStream.associatedData(tokenID: tokenID, group: "groep-5", partID: partID)))",
            "upload_enc = \(Hex.encode(enc))",
            "upload_key = \(Hex.encode(key))",
            "upload_chunks = \(chunks.count)",
            "upload_chunk_0_sha256 = \(Hex.encode(SHA256.hash(chunks[0])))",
            "upload_chunk_1 = \(Hex.encode(chunks[1]))",
        ]
        XCTAssertEqual(lines, try FormatVectorTests.documentBlock(after: "### Staff upload vectors"))
        XCTAssertEqual(try open(enc, chunks), plaintext)
    }

    func testACutReorderedOrForeignUploadDoesNotOpen() throws {
        let (enc, chunks) = try sealed()
        XCTAssertEqual(failure { () throws(UploadStream.Failure) in try self.open(enc, [chunks[0]]) }, .chunk(index: 0), "cut short")
        XCTAssertEqual(failure { () throws(UploadStream.Failure) in try self.open(enc, chunks, part: Hex.encode(Array(0x01...0x10))) }, .chunk(index: 0))
        XCTAssertEqual(failure { () throws(UploadStream.Failure) in try self.open(enc, chunks, group: "groep-3") }, .chunk(index: 0))
        var flipped = chunks
        flipped[1][3] ^= 0x01
        XCTAssertEqual(failure { () throws(UploadStream.Failure) in try self.open(enc, flipped) }, .chunk(index: 1))
        XCTAssertEqual(failure { () throws(UploadStream.Failure) in try self.open(enc, chunks, key: Array(0x41...0x60)) }, .chunk(index: 0))
        guard case .malformed = failure({ () throws(UploadStream.Failure) in try self.open(enc, [chunks[1], chunks[0]]) }) else { return XCTFail("swapped") }
        guard case .malformed = failure({ () throws(UploadStream.Failure) in try self.open(enc, [Array(chunks[0].dropLast()), chunks[1]]) }) else { return XCTFail("short chunk") }
        guard case .malformed = failure({ () throws(UploadStream.Failure) in try self.open(enc, []) }) else { return XCTFail("empty") }
        XCTAssertEqual(failure { () throws(UploadStream.Failure) in try self.open([UInt8](repeating: 0, count: 32), chunks) }, .key)
    }

    func testTwoFullChunksSwappedDoNotOpen() throws {
        let three = (0..<(2 * UploadStream.chunkBytes + 5)).map { UInt8($0 & 0xff) }
        let (enc, chunks) = try UploadStream.seal(three, recipientPublicKey: school.publicKey, tokenID: tokenID, group: "groep-5", partID: partID)
        XCTAssertEqual(chunks.map(\.count), [UploadStream.sealedChunkBytes, UploadStream.sealedChunkBytes, 21])
        XCTAssertEqual(try open(enc, chunks), three)
        XCTAssertEqual(failure { () throws(UploadStream.Failure) in try self.open(enc, [chunks[1], chunks[0], chunks[2]]) }, .chunk(index: 0))
        // A full part of exactly one chunk's size is one chunk, sealed as the last.
        let exact = try UploadStream.seal([UInt8](repeating: 7, count: UploadStream.chunkBytes), recipientPublicKey: school.publicKey,
                                          tokenID: tokenID, group: "groep-5", partID: partID)
        XCTAssertEqual(exact.chunks.count, 1)
        XCTAssertEqual(try open(exact.enc, exact.chunks), [UInt8](repeating: 7, count: UploadStream.chunkBytes))
        XCTAssertThrowsError(try UploadStream.seal([], recipientPublicKey: school.publicKey, tokenID: tokenID, group: "groep-5", partID: partID))
    }

    func testTheSenderAndRecipientExportTheSameSecretAndAFreshOneEachTime() throws {
        let info = Array(UploadStream.sealInfo.utf8), context = Array(UploadStream.exporterContext.utf8)
        let a = try HPKE.exportedSecret(recipientPublicKey: school.publicKey, info: info, exporterContext: context, length: 32)
        let b = try HPKE.exportedSecret(recipientPublicKey: school.publicKey, info: info, exporterContext: context, length: 32)
        XCTAssertNotEqual(a.enc, b.enc)
        XCTAssertNotEqual(a.secret, b.secret)
        XCTAssertEqual(try HPKE.exportedSecret(enc: a.enc, recipientSecretKey: school.secretKey, info: info, exporterContext: context, length: 32), a.secret)
        XCTAssertNotEqual(try HPKE.exportedSecret(enc: a.enc, recipientSecretKey: school.secretKey, info: info, exporterContext: [0x00], length: 32), a.secret)
    }

    private func failure(_ body: () throws(UploadStream.Failure) -> [UInt8]) -> UploadStream.Failure? {
        do { _ = try body(); return nil } catch { return error }
    }
}
