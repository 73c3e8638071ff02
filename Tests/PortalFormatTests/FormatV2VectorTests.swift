// FORMAT.md "Format 2 vectors" and "Format 2 failing vectors": the Swift code computes exactly the
// document's lines (format_vectors.py, the independent Python, is compared in FormatVectorTests),
// and SealedFiles refuses every failing case with its reason.
import Foundation
import XCTest
@testable import PortalCrypto
@testable import PortalFormat
import PortalTestSupport

final class FormatV2VectorTests: XCTestCase {
    override func setUpWithError() throws {
        try Sodium.ensureReady()
    }

    let master = try! MasterKey(bytes: bytes(0x20...0x3f))
    let siteID = bytes(0xf0...0xff)
    let message = Array("Welkom bij OBS De Regenboog! Één portaal voor alle ouders.".utf8)
    let sequence = 1796083200

    var school: SymmetricKey { master.audienceKey(audience: "school", epoch: 1) }

    func pageMessage(itemName: String, itemKey: SymmetricKey) throws -> [UInt8] {
        try CanonicalJSON.encode(ManifestPage(id: "2026-11", items: [
            Manifest.Entry(
                path: "news/welkom", kind: "news", title: "Welkom", date: "2026-11-20T08:00:00Z", summary: "Welkom",
                weight: 0, blob: "b/" + itemName, key: Data(itemKey.bytes).base64EncodedString()),
        ], media: [:]))
    }

    func indexBody(audience: String, title: String, epoch: Int, pages: [AudienceIndex.Page]) throws -> [UInt8] {
        try CanonicalJSON.encode(AudienceIndex(
            siteID: Hex.encode(siteID), audience: audience, title: title, epoch: epoch, sequence: sequence, pages: pages))
    }

    struct Built {
        var lines: [String] = []
        var itemKey: SymmetricKey
        var itemEnvelope, pageEnvelope, indexEnvelope, indexPlaintext, indexBody: [UInt8]
    }

    func build() throws -> Built {
        var out: [String] = []
        func put(_ name: String, _ value: String) { out.append("\(name) = \(value)") }
        let publisherSeed = master.publisherSeed
        put("publisher_seed", Hex.encode(publisherSeed))
        put("publisher_public_key", Hex.encode(Ed25519.publicKey(seed: publisherSeed)))
        put("item_sha256", Hex.encode(SHA256.hash(message)))
        let itemKey = master.itemKey(for: message)
        put("item_key", Hex.encode(itemKey.bytes))
        let item = try Envelope.seal(message, key: itemKey, associatedData: AssociatedData.itemBlob)
        put("item_envelope", Hex.encode(item))
        let itemName = ContentAddress.name(of: item)
        put("item_name", itemName)
        let page = try pageMessage(itemName: itemName, itemKey: itemKey)
        put("page_message", String(decoding: page, as: UTF8.self))
        let pageAD = AssociatedData.page(audience: "school", epoch: 1, pageID: "2026-11")
        put("page_ad", String(decoding: pageAD, as: UTF8.self))
        let pageEnvelope = try Envelope.seal(page, key: school, associatedData: pageAD)
        put("page_envelope", Hex.encode(pageEnvelope))
        let pageName = ContentAddress.name(of: pageEnvelope)
        put("page_name", pageName)
        put("index_name", String(school.indexPath.dropFirst(2)))
        let indexAD = AssociatedData.index(audience: "school", epoch: 1)
        put("index_ad", String(decoding: indexAD, as: UTF8.self))
        let body = try indexBody(audience: "school", title: "Hele school", epoch: 1, pages: [.init(id: "2026-11", blob: "b/" + pageName, count: 1)])
        put("index_body", String(decoding: body, as: UTF8.self))
        let signed = SignedDocument.sign(body, kind: "index", seed: publisherSeed)
        put("index_signature", Hex.encode(Array(signed[4..<68])))
        let index = try Envelope.seal(signed, key: school, associatedData: indexAD)
        put("index_envelope", Hex.encode(index))
        let token = try Token(secret: bytes(0x00...0x11))
        let tokenID = token.id(siteID: siteID)
        let slotAD = AssociatedData.keyslotV2(tokenID: tokenID)
        put("keyslot2_ad", String(decoding: slotAD, as: UTF8.self))
        let slot = try Envelope.seal(
            Array("{\"token_id\":\"\(tokenID)\",\"v\":2}".utf8), key: token.kek(siteID: siteID), associatedData: slotAD, paddedLength: 4096)
        put("keyslot2_nonce", Hex.encode(Array(slot[4..<16])))
        put("keyslot2_sha256", Hex.encode(SHA256.hash(slot)))
        put("schedule_id", master.scheduleID(logicalPath: "groups/groep-5/conferences/oudergesprekken-februari"))
        return Built(lines: out, itemKey: itemKey, itemEnvelope: item, pageEnvelope: pageEnvelope, indexEnvelope: index,
                     indexPlaintext: signed, indexBody: body)
    }

    func failingLines() throws -> [String] {
        let built = try build()
        let publisher = Hex.encode(Ed25519.publicKey(seed: master.publisherSeed))
        let indexAD = AssociatedData.index(audience: "school", epoch: 1)
        var out: [String] = []
        func index(_ name: String, _ expect: String, _ envelope: [UInt8], seen: Int = 0) {
            out.append("fail2 \(name) = expect=\(expect) key=k_school_1 audience=school epoch=1 publisher=\(publisher) seen=\(seen) envelope=\(Hex.encode(envelope))")
        }
        func blob(_ name: String, _ envelope: [UInt8]) {
            out.append("fail2 \(name) = expect=hash name=\(ContentAddress.name(of: built.itemEnvelope)) key=\(Hex.encode(built.itemKey.bytes)) envelope=\(Hex.encode(envelope))")
        }
        var badSignature = built.indexPlaintext
        badSignature[4] ^= 0x01
        index("index-bad-signature", "signature", try Envelope.seal(badSignature, key: school, associatedData: indexAD))
        index("index-unsigned", "signature", try Envelope.seal(built.indexBody, key: school, associatedData: indexAD))
        let stranger = SignedDocument.sign(built.indexBody, kind: "index", seed: bytes(0xa0...0xbf))
        index("index-wrong-publisher", "signature", try Envelope.seal(stranger, key: school, associatedData: indexAD))
        let groep5 = SignedDocument.sign(
            try indexBody(audience: "groep-5", title: "Groep 5", epoch: 2, pages: []), kind: "index", seed: master.publisherSeed)
        index("index-moved", "binding", try Envelope.seal(groep5, key: school, associatedData: indexAD))
        index("index-rollback", "rollback", built.indexEnvelope, seen: sequence + 1)
        var flipped = built.itemEnvelope
        flipped[16] ^= 0x01
        blob("blob-hash", flipped)
        blob("blob-moved", built.pageEnvelope)
        let token = try Token(secret: bytes(0x00...0x11))
        let tokenID = token.id(siteID: siteID)
        let slotAD = AssociatedData.keyslotV2(tokenID: tokenID)
        let oversized = try Envelope.seal(
            Array("{\"token_id\":\"\(tokenID)\",\"v\":2}".utf8), key: token.kek(siteID: siteID), associatedData: slotAD, paddedLength: 8192)
        out.append("fail2 keyslot-oversized = expect=keyslot-size key=kek keyslot_size=4096 envelope=\(Hex.encode(oversized)) ad=\(String(decoding: slotAD, as: UTF8.self))")
        return out
    }

    func testSwiftMatchesFormat2Vectors() throws {
        let document = try FormatVectorTests.documentBlock(after: "### Format 2 vectors")
        let swift = try build().lines
        XCTAssertEqual(document.count, swift.count, "number of format 2 vectors in FORMAT.md")
        for (d, s) in zip(document, swift) { XCTAssertEqual(s, d) }
    }

    func testSwiftMatchesFormat2FailingVectors() throws {
        let document = try FormatVectorTests.documentBlock(after: "### Format 2 failing vectors")
        let swift = try failingLines()
        XCTAssertEqual(document.count, swift.count, "number of format 2 failing vectors in FORMAT.md")
        for (d, s) in zip(document, swift) { XCTAssertEqual(s, d) }
    }

    /// The vectors open: the whole chain from the index to the item's text.
    func testFormat2VectorsOpenAsAChain() throws {
        let built = try build()
        let publisher = Ed25519.publicKey(seed: master.publisherSeed)
        let index = try SealedFiles.openIndex(
            built.indexEnvelope, key: school, audience: "school", epoch: 1, siteID: Hex.encode(siteID), publisher: publisher, seen: sequence)
        XCTAssertEqual(index.sequence, sequence)
        let page = try SealedFiles.openPage(built.pageEnvelope, listed: index.pages[0], key: school, audience: "school", epoch: 1)
        XCTAssertEqual(try SealedFiles.openBlob(built.itemEnvelope, path: page.items[0].blob, key: page.items[0].key), message)
        // A page listed under another id is refused even with the right bytes.
        var other = index.pages[0]
        other.id = "2026-10"
        XCTAssertThrowsError(try SealedFiles.openPage(built.pageEnvelope, listed: other, key: school, audience: "school", epoch: 1)) {
            XCTAssertEqual(($0 as? OpenFailure)?.reason, "auth", "the page id is in the associated data")
        }
    }

    /// Every `fail2` line of the document is refused with its reason, by the same calls the build's
    /// tests and the school's tools use.
    func testEveryFormat2FailingVectorIsRefusedWithItsReason() throws {
        var reasons: Set<String> = []
        let lines = try FormatVectorTests.documentBlock(after: "### Format 2 failing vectors")
        XCTAssertEqual(lines.count, 8)
        let kek = try Token(secret: bytes(0x00...0x11)).kek(siteID: siteID)
        for line in lines {
            guard let eq = line.range(of: " = ") else { XCTFail(line); continue }
            let name = String(line[line.index(line.startIndex, offsetBy: 6)..<eq.lowerBound])
            var rest = String(line[eq.upperBound...])
            var ad: [UInt8] = []
            if let r = rest.range(of: " ad=") {
                ad = Array(rest[r.upperBound...].utf8)
                rest = String(rest[..<r.lowerBound])
            }
            var fields: [String: String] = [:]
            for pair in rest.split(separator: " ") {
                let parts = pair.split(separator: "=", maxSplits: 1).map(String.init)
                fields[parts[0]] = parts.count > 1 ? parts[1] : ""
            }
            let expect = try XCTUnwrap(fields["expect"])
            let envelope = try XCTUnwrap(Hex.decode(try XCTUnwrap(fields["envelope"])))
            reasons.insert(expect)
            do {
                if let size = fields["keyslot_size"].flatMap(Int.init) {
                    do { _ = try Envelope.openKeyslot(envelope, key: kek, associatedData: ad, keyslotSize: size) } catch { throw OpenFailure.envelope(error) }
                } else if let itemName = fields["name"] {
                    _ = try SealedFiles.openBlob(envelope, path: "b/" + itemName, key: Data(try XCTUnwrap(Hex.decode(fields["key"] ?? ""))).base64EncodedString())
                } else {
                    _ = try SealedFiles.openIndex(
                        envelope, key: school, audience: try XCTUnwrap(fields["audience"]), epoch: Int(fields["epoch"] ?? "") ?? 0,
                        siteID: Hex.encode(siteID), publisher: try XCTUnwrap(Hex.decode(fields["publisher"] ?? "")),
                        seen: Int(fields["seen"] ?? "") ?? 0)
                }
                XCTFail("\(name): opened, must be refused with \(expect)")
            } catch let failure as OpenFailure {
                XCTAssertEqual(failure.reason, expect, name)
            }
        }
        XCTAssertEqual(reasons, ["signature", "binding", "rollback", "hash", "keyslot-size"])
    }

    func testSignedDocumentsAreBoundToTheirKind() throws {
        let seed = master.publisherSeed
        let signed = SignedDocument.sign(Array("{}".utf8), kind: "index", seed: seed)
        XCTAssertEqual(try SignedDocument.verify(signed, kind: "index", publicKey: Ed25519.publicKey(seed: seed)), Array("{}".utf8))
        XCTAssertThrowsError(try SignedDocument.verify(signed, kind: "trust", publicKey: Ed25519.publicKey(seed: seed)))
        XCTAssertThrowsError(try SignedDocument.verify(Array(signed.prefix(67)), kind: "index", publicKey: Ed25519.publicKey(seed: seed)))
    }
}
