// The "Test vectors" and "Failing vectors" of docs/FORMAT.md, checked three ways: the Swift code
// computes exactly the lines in the document, format_vectors.py (Python `cryptography` + hashlib,
// written from the spec alone) prints exactly the same blocks, and Envelope refuses every failing
// vector with its reason.
import Foundation
import XCTest
@testable import PortalCrypto
@testable import PortalFormat
import PortalTestSupport

final class FormatVectorTests: XCTestCase {
    override func setUpWithError() throws {
        try Sodium.ensureReady()
    }

    /// The lines of the first ```text block after `heading` in FORMAT.md.
    static func documentBlock(after heading: String) throws -> [String] {
        let text = try String(contentsOf: repositoryRoot.appendingPathComponent("docs/FORMAT.md"), encoding: .utf8)
        let lines = text.components(separatedBy: "\n")
        guard let start = lines.firstIndex(of: heading),
              let open = lines[start...].firstIndex(of: "```text"),
              let close = lines[(open + 1)...].firstIndex(where: { $0.hasPrefix("```") })
        else {
            XCTFail("docs/FORMAT.md has no \"\(heading)\" section with a text block")
            return []
        }
        return Array(lines[(open + 1)..<close])
    }

    /// The `name = value` lines of the first code block after "## Test vectors" in FORMAT.md.
    func documentVectors() throws -> [String] {
        let text = try String(contentsOf: repositoryRoot.appendingPathComponent("docs/FORMAT.md"), encoding: .utf8)
        let lines = text.components(separatedBy: "\n")
        guard let heading = lines.firstIndex(of: "## Test vectors"),
              let open = lines[heading...].firstIndex(where: { $0.hasPrefix("```") }),
              let close = lines[(open + 1)...].firstIndex(where: { $0.hasPrefix("```") })
        else {
            XCTFail("docs/FORMAT.md has no \"## Test vectors\" section with a code block")
            return []
        }
        return Array(lines[(open + 1)..<close])
    }

    /// The `fail <case> = ...` lines of the first code block after "### Failing vectors".
    func documentFailingVectors() throws -> [String] {
        let text = try String(contentsOf: repositoryRoot.appendingPathComponent("docs/FORMAT.md"), encoding: .utf8)
        let lines = text.components(separatedBy: "\n")
        guard let heading = lines.firstIndex(of: "### Failing vectors"),
              let open = lines[heading...].firstIndex(where: { $0.hasPrefix("```") }),
              let close = lines[(open + 1)...].firstIndex(where: { $0.hasPrefix("```") })
        else {
            XCTFail("docs/FORMAT.md has no \"### Failing vectors\" section with a code block")
            return []
        }
        return Array(lines[(open + 1)..<close])
    }

    /// The same lines, computed by the Swift implementation from the same inputs.
    func swiftVectors() throws -> [String] {
        var out: [String] = []
        func put(_ name: String, _ value: String) { out.append("\(name) = \(value)") }

        let r = bytes(0x00...0x11)
        let siteID = bytes(0xf0...0xff)
        let master = try MasterKey(bytes: bytes(0x20...0x3f))
        let token = try Token(secret: r)
        put("R", Hex.encode(r))
        put("site_id", Hex.encode(siteID))
        put("token", token.text)
        let typed = token.text.lowercased().replacingOccurrences(of: "-", with: " ")
            .replacingOccurrences(of: "0", with: "o").replacingOccurrences(of: "1", with: "l")
        XCTAssertEqual(try Token.parse(typed), token)
        put("token_typed", typed)
        let tokenID = token.id(siteID: siteID)
        let kek = token.kek(siteID: siteID)
        put("token_id", tokenID)
        put("kek", Hex.encode(kek.bytes))
        put("kek_nonce_key", Hex.encode(kek.nonceKey))
        put("master_key", Hex.encode(master.bytes))
        let seed = master.signingSeed(tokenID: tokenID)
        put("signing_seed", Hex.encode(seed))
        put("signing_public_key", Hex.encode(Ed25519.publicKey(seed: seed)))

        let school = master.audienceKey(audience: "school", epoch: 1)
        put("k_school_1", Hex.encode(school.bytes))
        put("k_school_1_nonce_key", Hex.encode(school.nonceKey))
        put("k_school_1_name_key", Hex.encode(school.nameKey))
        put("k_school_1_audience_tag", school.audienceTag)
        put("k_school_1_name_news_welkom", school.blobName(logicalPath: "news/welkom"))
        put("k_school_1_name_manifest", school.blobName(logicalPath: "manifest"))
        let group = master.audienceKey(audience: "groep-5", epoch: 2)
        put("k_groep-5_2", Hex.encode(group.bytes))
        put("k_groep-5_2_audience_tag", group.audienceTag)

        let message = Array("Welkom bij OBS De Regenboog! Één portaal voor alle ouders.".utf8)
        let ad = AssociatedData.blob(audience: "school", epoch: 1, logicalPath: "news/welkom")
        let blob = try Envelope.seal(message, key: school, associatedData: ad)
        XCTAssertEqual(try Envelope.open(blob, key: school, associatedData: ad), message)
        put("blob_message", Hex.encode(message))
        put("blob_ad", String(decoding: ad, as: UTF8.self))
        put("blob_padded_length", String(Padme.blobLength(messageLength: message.count)))
        put("blob_envelope", Hex.encode(blob))

        let slotMessage = Array("{\"v\":1,\"token_id\":\"\(tokenID)\"}".utf8)
        let slotAD = AssociatedData.keyslot(tokenID: tokenID)
        let slot = try Envelope.seal(slotMessage, key: kek, associatedData: slotAD, paddedLength: Envelope.keyslotPaddedLength)
        XCTAssertEqual(try Envelope.open(slot, key: kek, associatedData: slotAD), slotMessage)
        put("keyslot_message", String(decoding: slotMessage, as: UTF8.self))
        put("keyslot_ad", String(decoding: slotAD, as: UTF8.self))
        put("keyslot_length", String(slot.count))
        put("keyslot_nonce", Hex.encode(Array(slot[4..<16])))
        put("keyslot_sha256", Hex.encode(SHA256.hash(slot)))

        put("padme", [0, 255, 256, 300, 511, 1000, 4095, 10000, 100000, 1000000]
            .map { "\($0):\(Padme.blobLength(messageLength: $0))" }.joined(separator: " "))
        return out
    }

    /// The failing lines, built by the Swift code with the same primitives (`sealPadded` for the
    /// bad padding, a keyslot sealed at the wrong size).
    func swiftFailingVectors() throws -> [String] {
        var out: [String] = []
        func fail(_ name: String, _ expect: String, _ key: String, _ envelope: [UInt8], _ ad: [UInt8], keyslotSize: Int? = nil) {
            let size = keyslotSize.map { " keyslot_size=\($0)" } ?? ""
            out.append("fail \(name) = expect=\(expect) key=\(key)\(size) envelope=\(Hex.encode(envelope)) ad=\(String(decoding: ad, as: UTF8.self))")
        }
        let master = try MasterKey(bytes: bytes(0x20...0x3f))
        let siteID = bytes(0xf0...0xff)
        let token = try Token(secret: bytes(0x00...0x11))
        let tokenID = token.id(siteID: siteID)
        let school = master.audienceKey(audience: "school", epoch: 1)
        let message = Array("Welkom bij OBS De Regenboog! Één portaal voor alle ouders.".utf8)
        let ad = AssociatedData.blob(audience: "school", epoch: 1, logicalPath: "news/welkom")
        let blob = try Envelope.seal(message, key: school, associatedData: ad)
        let padded = blob.count - Envelope.overhead

        fail("wrong-ad", "auth", "k_school_1", blob, AssociatedData.blob(audience: "school", epoch: 1, logicalPath: "news/anders"))
        fail("moved-audience", "auth", "k_groep-5_2", blob, AssociatedData.blob(audience: "groep-5", epoch: 2, logicalPath: "news/welkom"))
        fail("moved-epoch", "auth", "k_school_1", blob, AssociatedData.blob(audience: "school", epoch: 2, logicalPath: "news/welkom"))
        let zeros = [UInt8](repeating: 0, count: padded - message.count)
        fail("padding-no-marker", "padding", "k_school_1",
             try Envelope.sealPadded(message + zeros, key: school, associatedData: ad), ad)
        fail("padding-0x81", "padding", "k_school_1",
             try Envelope.sealPadded(message + [0x81] + zeros.dropLast(), key: school, associatedData: ad), ad)
        fail("padding-all-zeros", "padding", "k_school_1",
             try Envelope.sealPadded([UInt8](repeating: 0, count: padded), key: school, associatedData: ad), ad)
        fail("truncated-short", "truncated", "k_school_1", Array(blob.prefix(Envelope.overhead - 1)), ad)
        fail("truncated-tag", "auth", "k_school_1", Array(blob.dropLast(8)), ad)
        fail("prefix-opb2", "prefix", "k_school_1", Array("OPB2".utf8) + blob.dropFirst(4), ad)
        var flipped = blob
        flipped[16] ^= 0x01
        fail("flipped-bit", "auth", "k_school_1", flipped, ad)
        let slotMessage = Array("{\"v\":1,\"token_id\":\"\(tokenID)\"}".utf8)
        let slotAD = AssociatedData.keyslot(tokenID: tokenID)
        fail("keyslot-size", "keyslot-size", "kek",
             try Envelope.seal(slotMessage, key: token.kek(siteID: siteID), associatedData: slotAD, paddedLength: 256), slotAD,
             keyslotSize: Envelope.keyslotPaddedLength)
        return out
    }

    /// One parsed failing line (FORMAT.md "Failing vectors").
    struct FailingVector {
        var name, expect, key: String
        var keyslotSize: Int?
        var envelope, associatedData: [UInt8]

        init?(_ line: String) {
            guard line.hasPrefix("fail "), let eq = line.range(of: " = "), let adField = line.range(of: " ad=") else { return nil }
            name = String(line[line.index(line.startIndex, offsetBy: 5)..<eq.lowerBound])
            associatedData = Array(line[adField.upperBound...].utf8)
            var fields: [String: String] = [:]
            for pair in line[eq.upperBound..<adField.lowerBound].split(separator: " ") {
                guard let sep = pair.firstIndex(of: "=") else { return nil }
                fields[String(pair[..<sep])] = String(pair[pair.index(after: sep)...])
            }
            guard let expect = fields["expect"], let key = fields["key"], let hex = fields["envelope"],
                  let envelope = Hex.decode(hex) else { return nil }
            self.expect = expect
            self.key = key
            self.envelope = envelope
            keyslotSize = fields["keyslot_size"].flatMap { Int($0) }
            if fields["keyslot_size"] != nil && keyslotSize == nil { return nil }
        }
    }

    /// The reason names of FORMAT.md for the errors of `Envelope.open`/`openKeyslot`.
    static func reason(_ error: CryptoError) -> String {
        switch error {
        case .envelopeTooShort: return "truncated"
        case .envelopeBadMagic: return "prefix"
        case .envelopeAuthenticationFailed: return "auth"
        case .paddingInvalid: return "padding"
        case .keyslotWrongSize: return "keyslot-size"
        default: return "other: \(error)"
        }
    }

    func testSwiftMatchesFailingVectors() throws {
        let document = try documentFailingVectors()
        let swift = try swiftFailingVectors()
        XCTAssertEqual(document.count, swift.count, "number of failing vectors in FORMAT.md")
        for (d, s) in zip(document, swift) {
            XCTAssertEqual(s, d)
        }
    }

    func testEnvelopeRefusesEveryFailingVectorWithItsReason() throws {
        let keys = Dictionary(try documentVectors().compactMap { line -> (String, String)? in
            guard let r = line.range(of: " = ") else { return nil }
            return (String(line[..<r.lowerBound]), String(line[r.upperBound...]))
        }, uniquingKeysWith: { first, _ in first })
        let lines = try documentFailingVectors()
        XCTAssertGreaterThanOrEqual(lines.count, 11)
        var reasons: Set<String> = []
        for line in lines {
            guard let v = FailingVector(line) else { XCTFail("unreadable failing vector: \(line.prefix(80))"); continue }
            guard let hex = keys[v.key], let raw = Hex.decode(hex) else { XCTFail("\(v.name): no key \(v.key)"); continue }
            let key = try SymmetricKey(bytes: raw)
            reasons.insert(v.expect)
            do {
                let opened: [UInt8]
                if let size = v.keyslotSize {
                    opened = try Envelope.openKeyslot(v.envelope, key: key, associatedData: v.associatedData, keyslotSize: size)
                } else {
                    opened = try Envelope.open(v.envelope, key: key, associatedData: v.associatedData)
                }
                XCTFail("\(v.name): opened (\(opened.count) bytes), must be refused with \(v.expect)")
            } catch {
                XCTAssertEqual(Self.reason(error), v.expect, v.name)
            }
            // Each case fails one check only: the bad padding and the wrong-size keyslot authenticate.
            if v.expect == "padding" || v.expect == "keyslot-size" {
                XCTAssertNoThrow(try Envelope.openPadded(v.envelope, key: key, associatedData: v.associatedData), v.name)
            }
        }
        XCTAssertEqual(reasons, ["truncated", "prefix", "keyslot-size", "auth", "padding"])
    }

    func testOpenKeyslotTakesExactlyTheKeyslotSize() throws {
        let kek = try SymmetricKey(bytes: bytes(0x00...0x1f))
        let ad = AssociatedData.keyslot(tokenID: String(repeating: "ab", count: 16))
        let slot = try Envelope.seal(Array("{}".utf8), key: kek, associatedData: ad, paddedLength: Envelope.keyslotPaddedLength)
        XCTAssertEqual(try Envelope.openKeyslot(slot, key: kek, associatedData: ad, keyslotSize: 4096), Array("{}".utf8))
        for size in [4095, 4097, 0, -1] {
            XCTAssertThrowsError(try Envelope.openKeyslot(slot, key: kek, associatedData: ad, keyslotSize: size)) {
                XCTAssertEqual(($0 as? CryptoError).map(Self.reason), "keyslot-size", "keyslot_size \(size)")
            }
        }
    }

    func testSwiftMatchesFormatDocument() throws {
        let document = try documentVectors()
        let swift = try swiftVectors()
        XCTAssertEqual(document.count, swift.count, "number of vectors in FORMAT.md")
        for (d, s) in zip(document, swift) {
            XCTAssertEqual(s, d)
        }
    }

    func testIndependentPythonMatchesFormatDocument() throws {
        let script = repositoryRoot.appendingPathComponent("Tests/PortalFormatTests/format_vectors.py")
        let probe = try run(["python3", "-c", "import cryptography"])
        if probe.status != 0 {
            throw XCTSkip("python3 with the `cryptography` package is not installed (apt install python3-cryptography)")
        }
        let result = try run(["python3", script.path])
        XCTAssertEqual(result.status, 0, result.output)
        // The seven blocks of FORMAT.md in order, separated by one empty line each.
        let blocks = result.output.trimmingCharacters(in: .newlines).components(separatedBy: "\n\n")
        XCTAssertEqual(blocks.count, 7, "format_vectors.py prints seven blocks separated by one empty line")
        let lines = { (index: Int) in blocks.count > index ? blocks[index].split(separator: "\n").map(String.init) : [] }
        XCTAssertEqual(lines(0), try documentVectors())
        XCTAssertEqual(lines(1), try documentFailingVectors())
        XCTAssertEqual(lines(2), try Self.documentBlock(after: "### Format 2 vectors"))
        XCTAssertEqual(lines(3), try Self.documentBlock(after: "### Format 2 failing vectors"))
        XCTAssertEqual(lines(4), try Self.documentBlock(after: "### Group inbox key vectors"))
        XCTAssertEqual(lines(5), try Self.documentBlock(after: "### Staff upload vectors"))
        XCTAssertEqual(lines(6), try Self.documentBlock(after: "### Form answer vectors"))
    }

    private func run(_ arguments: [String]) throws -> (status: Int32, output: String) {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = arguments
        let pipe = Pipe()
        process.standardOutput = pipe
        process.standardError = pipe
        try process.run()
        let data = pipe.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return (process.terminationStatus, String(decoding: data, as: UTF8.self))
    }
}
