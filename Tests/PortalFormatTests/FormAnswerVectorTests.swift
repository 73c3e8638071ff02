// FORMAT.md "Form answer vectors": the Swift code computes exactly the document's lines (the
// independent Python of format_vectors.py is compared in FormatVectorTests), and an answer opens
// bound to its form, child and shifts only, the family's copy under its family's key only.
import Foundation
import XCTest
@testable import PortalCrypto
@testable import PortalFormat
import PortalTestSupport

final class FormAnswerVectorTests: XCTestCase {
    override func setUpWithError() throws {
        try Sodium.ensureReady()
    }

    let master = try! MasterKey(bytes: Array(0x20...0x3f))
    let tokenID = "2915c086a6bf290dd68024bc86f2de44"
    let child = String(repeating: "c1", count: 16)
    let answer = AnswerPayload(child: "Sam", guardian: "Anna de Vries", answers: ["mee": .yes(true), "lunch": .text("Pasta")])
    var formID: String { master.formID(logicalPath: "groups/groep-5/forms/artis") }
    var binding: PayloadBinding { .answer(form: formID, child: child, shifts: []) }
    var familyKey: [UInt8] { master.familyKey(family: "fam-kaya") }

    func sealed() throws -> SealedPayload {
        let recipient = master.groupInboxKey(group: "groep-5", epoch: 2)
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        let plain = SealedPayloadFormat.pad(Array(try encoder.encode(answer)))
        let sealed = try HPKE.seal(
            plaintext: plain, aad: binding.associatedData(tokenID: tokenID), info: Array(AnswerPayload.sealInfo.utf8),
            recipientPublicKey: recipient.publicKey, ephemeralSecretKey: Array(0x60...0x7f))
        return SealedPayload(enc: sealed.enc, ct: sealed.ciphertext, kid: InboxKeyID.of(publicKey: recipient.publicKey))
    }

    func copy() throws -> FamilyCopy {
        try answer.sealCopy(tokenID: tokenID, binding: binding, familyKey: familyKey, random: FixedBytes(value: Array(0..<12)))
    }

    func testSwiftMatchesFormatDocument() throws {
        var lines: [String] = []
        func put(_ name: String, _ value: String) { lines.append("\(name) = \(value)") }
        put("form_id", formID)
        put("shift_id", master.shiftID(logicalPath: "forms/kerstdiner", question: "helpen", label: "Opbouwen 16:00-17:00"))
        put("family_key", Hex.encode(familyKey))
        put("typed_child", String(Hex.encode(HMACSHA256.authenticate(Array("ouderportaal/2 typed child sam".utf8), key: familyKey)).prefix(32)))
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        put("answer_plaintext", String(decoding: try encoder.encode(answer), as: UTF8.self))
        put("answer_aad", Hex.encode(binding.associatedData(tokenID: tokenID)))
        let sealed = try sealed()
        put("answer_enc", Hex.encode(sealed.enc))
        put("answer_ct", Hex.encode(sealed.ct))
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        put("answer_copy", String(decoding: try encoder.encode(try copy()), as: UTF8.self))
        XCTAssertEqual(lines, try FormatVectorTests.documentBlock(after: "### Form answer vectors"))
    }

    /// Failing vectors: a receiver that moves an answer to another child or form, or adds a shift,
    /// makes it unopenable; last week's key does not open it; the copy opens under its family's key
    /// and its own aad only.
    func testTheAnswerOpensBoundToItsFormChildAndShiftsOnly() throws {
        let sealed = try sealed()
        let secret = master.groupInboxKey(group: "groep-5", epoch: 2).secretKey
        XCTAssertEqual(try AnswerPayload.open(sealed, tokenID: tokenID, binding: binding, inboxSecretKey: secret), answer)
        let other = String(repeating: "c2", count: 16)
        for (name, wrong) in [
            ("another child", PayloadBinding.answer(form: formID, child: other, shifts: [])),
            ("another form", .answer(form: master.formID(logicalPath: "forms/kerstdiner"), child: child, shifts: [])),
            ("a shift added", .answer(form: formID, child: child, shifts: ["33520a4ac60cf27e"])),
        ] {
            XCTAssertThrowsError(try AnswerPayload.open(sealed, tokenID: tokenID, binding: wrong, inboxSecretKey: secret), name)
        }
        XCTAssertThrowsError(try AnswerPayload.open(
            sealed, tokenID: tokenID, binding: binding, inboxSecretKey: master.groupInboxKey(group: "groep-5", epoch: 1).secretKey))
        let copy = try copy()
        XCTAssertEqual(try AnswerPayload.openCopy(copy, tokenID: tokenID, binding: binding, familyKey: familyKey), answer)
        XCTAssertThrowsError(try AnswerPayload.openCopy(
            copy, tokenID: tokenID, binding: binding, familyKey: master.familyKey(family: "fam-other")), "another family's key")
        XCTAssertThrowsError(try AnswerPayload.openCopy(
            copy, tokenID: tokenID, binding: .answer(form: formID, child: other, shifts: []), familyKey: familyKey), "another child")
        XCTAssertEqual(PayloadBinding.answer(form: "f", child: "c", shifts: ["b", "a"]).associatedData(tokenID: "t"),
                       Array("t\nanswer\nf\nc\na,b".utf8), "shifts sorted in the aad")
    }
}

/// The nonce of the vectors.
private struct FixedBytes: RandomSource {
    let value: [UInt8]
    func bytes(_ count: Int) -> [UInt8] { Array(value.prefix(count)) }
}
