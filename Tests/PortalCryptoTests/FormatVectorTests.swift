// The "Test vectors" of docs/FORMAT.md, checked three ways: the Swift code computes exactly the
// lines in the document, and format_vectors.py (Python `cryptography` + hashlib, written from the
// spec alone) prints exactly the same block.
import Foundation
import XCTest
@testable import PortalCrypto
import PortalTestSupport

final class FormatVectorTests: XCTestCase {
    override func setUpWithError() throws {
        try Sodium.ensureReady()
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

    func testSwiftMatchesFormatDocument() throws {
        let document = try documentVectors()
        let swift = try swiftVectors()
        XCTAssertEqual(document.count, swift.count, "number of vectors in FORMAT.md")
        for (d, s) in zip(document, swift) {
            XCTAssertEqual(s, d)
        }
    }

    func testIndependentPythonMatchesFormatDocument() throws {
        let script = repositoryRoot.appendingPathComponent("Tests/PortalCryptoTests/format_vectors.py")
        let probe = try run(["python3", "-c", "import cryptography"])
        if probe.status != 0 {
            throw XCTSkip("python3 with the `cryptography` package is not installed (apt install python3-cryptography)")
        }
        let result = try run(["python3", script.path])
        XCTAssertEqual(result.status, 0, result.output)
        let python = result.output.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
            .filter { !$0.isEmpty }
        XCTAssertEqual(python, try documentVectors())
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
