// FORMAT.md "Group inbox key vectors": the Swift code computes exactly the document's lines (the
// independent Python of format_vectors.py is compared in FormatVectorTests), and the absence of
// the vectors opens with its group's key of its epoch only.
import Foundation
import XCTest
@testable import PortalCrypto
@testable import PortalFormat
import PortalTestSupport

final class GroupInboxVectorTests: XCTestCase {
    override func setUpWithError() throws {
        try Sodium.ensureReady()
    }

    let master = try! MasterKey(bytes: Array(0x20...0x3f))
    let tokenID = "2915c086a6bf290dd68024bc86f2de44"
    let binding = PayloadBinding.absence(group: "groep-5", from: "2027-02-01", to: "2027-02-01")
    let report = AbsencePayload(child: "Sanne", reason: .ziek, note: "Koorts")

    func sealedReport() throws -> SealedPayload {
        let recipient = master.groupInboxKey(group: "groep-5", epoch: 2)
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        let plain = SealedPayloadFormat.pad(Array(try encoder.encode(report)))
        let sealed = try HPKE.seal(
            plaintext: plain, aad: binding.associatedData(tokenID: tokenID), info: Array(SealedPayloadFormat.absenceInfo.utf8),
            recipientPublicKey: recipient.publicKey, ephemeralSecretKey: Array(0x60...0x7f))
        return SealedPayload(enc: sealed.enc, ct: sealed.ciphertext, kid: InboxKeyID.of(publicKey: recipient.publicKey))
    }

    func testSwiftMatchesFormatDocument() throws {
        var lines: [String] = []
        func put(_ name: String, _ value: String) { lines.append("\(name) = \(value)") }
        for (group, epoch) in [("groep-5", 1), ("groep-5", 2), ("groep-3", 2)] {
            let pair = master.groupInboxKey(group: group, epoch: epoch)
            put("inbox_\(group)_\(epoch)_secret_key", Hex.encode(pair.secretKey))
            put("inbox_\(group)_\(epoch)_public_key", Hex.encode(pair.publicKey))
            put("inbox_\(group)_\(epoch)_kid", InboxKeyID.of(publicKey: pair.publicKey))
        }
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        put("absence_plaintext", String(decoding: try encoder.encode(report), as: UTF8.self))
        put("absence_aad", Hex.encode(binding.associatedData(tokenID: tokenID)))
        let sealed = try sealedReport()
        put("absence_enc", Hex.encode(sealed.enc))
        put("absence_ct", Hex.encode(sealed.ct))
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        put("absence_sealed", String(decoding: try encoder.encode(sealed), as: UTF8.self))
        XCTAssertEqual(lines, try FormatVectorTests.documentBlock(after: "### Group inbox key vectors"))
    }

    /// Failing vectors: the report opens with groep-5's epoch-2 secret, and with nothing else: not
    /// last week's key of the same group, not another group's key of the same epoch, not the
    /// school's one inbox key, and not when the receiver relabels its group or dates.
    func testTheReportOpensWithItsGroupsKeyOfItsEpochOnly() throws {
        let sealed = try sealedReport()
        let right = master.groupInboxKey(group: "groep-5", epoch: 2).secretKey
        XCTAssertEqual(try AbsencePayload.open(sealed, tokenID: tokenID, binding: binding, inboxSecretKey: right), report)
        for (name, key) in [
            ("groep-5 epoch 1", master.groupInboxKey(group: "groep-5", epoch: 1).secretKey),
            ("groep-3 epoch 2", master.groupInboxKey(group: "groep-3", epoch: 2).secretKey),
            ("the school's inbox key", Array(0x40...0x5f)),
        ] {
            XCTAssertThrowsError(try AbsencePayload.open(sealed, tokenID: tokenID, binding: binding, inboxSecretKey: key), name)
        }
        let relabelled = PayloadBinding.absence(group: "groep-3", from: "2027-02-01", to: "2027-02-01")
        XCTAssertThrowsError(try AbsencePayload.open(sealed, tokenID: tokenID, binding: relabelled, inboxSecretKey: right))
        // A keyring picks by kid; a kid it does not hold is a clear error, not a guess.
        let ring = InboxKeyring(school: nil, byKid: [sealed.kid!: right])
        XCTAssertEqual(ring.secret(for: sealed), right)
        var unknown = sealed
        unknown.kid = "0000000000000000"
        XCTAssertNil(ring.secret(for: unknown))
        XCTAssertNil(ring.secret(for: SealedPayload(enc: sealed.enc, ct: sealed.ct)), "no kid: the school's key, which this ring lacks")
    }
}
