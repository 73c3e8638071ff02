// The trust file as `generate` writes it and the receiver reads it: round trip, mode, the
// checks that refuse a damaged file, and the exact JSON field names the receiver and docs use.
import Foundation
import PortalTrust
import XCTest

final class TrustFileTests: XCTestCase {
    var folder: URL!

    override func setUpWithError() throws {
        folder = FileManager.default.temporaryDirectory.appendingPathComponent("portal-trust-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
    }

    override func tearDownWithError() throws { try? FileManager.default.removeItem(at: folder) }

    static let opens = Date(timeIntervalSince1970: 1_800_000_000)

    func sample() -> TrustFile {
        TrustFile(
            siteID: Array(repeating: 1, count: 16), adminPublicKey: Array(repeating: 2, count: 32),
            inboxPublicKey: Array(repeating: 3, count: 32), generated: Self.opens.addingTimeInterval(-0.5),
            tokens: [TrustFile.Token(
                id: String(repeating: "a", count: 32), family: "f-1", audiences: ["school", "groep-5"],
                expires: Self.opens.addingTimeInterval(86400 * 200), publicKey: Array(repeating: 4, count: 32),
                registerBy: Self.opens.addingTimeInterval(86400 * 7))],
            schedules: [TrustFile.Schedule(
                id: "groups/groep-5/conferences/feb", audience: "groep-5", teacher: "Juf Sanne",
                opens: Self.opens, closes: Self.opens.addingTimeInterval(86400), perFamily: 1, minNoticeHours: 12,
                slots: [TrustFile.Slot(id: "s1", start: Self.opens.addingTimeInterval(90000), end: Self.opens.addingTimeInterval(90600))])])
    }

    func testWritesAndLoadsTheSameFileWithMode0600() throws {
        let url = folder.appendingPathComponent("trust.json")
        var trust = sample()
        trust.push = TrustFile.Push(
            vapidPrivateKey: Array(repeating: 5, count: 32), subject: "mailto:ict@school.example", quietStart: "20:00",
            quietEnd: "07:00", quietWeekends: true, timeZone: "Europe/Amsterdam")
        try trust.write(to: url)
        XCTAssertEqual(try TrustFile.load(from: url), trust)
        // Only its owner reads it: it holds the VAPID key.
        XCTAssertEqual(try FileManager.default.attributesOfItem(atPath: url.path)[.posixPermissions] as? Int, 0o600)
        let text = try String(contentsOf: url, encoding: .utf8)
        for field in ["\"site_id\"", "\"admin_public_key\"", "\"inbox_public_key\"", "\"public_key\"", "\"register_by\"",
                      "\"per_family\"", "\"min_notice_hours\"", "\"vapid_private_key\"", "\"quiet_start\"", "\"time_zone\"", "\"generated\" : \"2027-01-15T07:59:59Z\""] {
            XCTAssertTrue(text.contains(field), "\(field) in\n\(text)")
        }
        XCTAssertTrue(text.hasSuffix("}\n"))
    }

    func testAnInvalidTrustFileIsNeitherWrittenNorLoaded() throws {
        var trust = sample()
        trust.tokens[0].id = "not-hex"
        trust.schedules[0].closes = trust.schedules[0].opens
        trust.push = TrustFile.Push(
            vapidPrivateKey: Array(repeating: 5, count: 31), subject: "ict@school.example", quietStart: "20:00",
            quietEnd: "07:00", quietWeekends: true, timeZone: "Europe/Amsterdamm")
        let url = folder.appendingPathComponent("trust.json")
        XCTAssertThrowsError(try trust.write(to: url)) { error in
            guard case .invalid(_, let problems) = error as? TrustFileError else { return XCTFail("\(error)") }
            XCTAssertEqual(problems, [
                "push.vapid_private_key must be 32 bytes, is 31",
                "push.subject must be a mailto: or https: address",
                "push.time_zone 'Europe/Amsterdamm' is not a known time zone",
                "tokens[0].id must be 32 lowercase hex characters: \"not-hex\"",
                "schedules[0] (groups/groep-5/conferences/feb): opens must be before closes",
            ])
        }
        XCTAssertFalse(FileManager.default.fileExists(atPath: url.path), "nothing written")
        try Data("{\"format\": 1}".utf8).write(to: url)
        XCTAssertThrowsError(try TrustFile.load(from: url)) { error in
            guard case .invalidJSON = error as? TrustFileError else { return XCTFail("\(error)") }
        }
        XCTAssertThrowsError(try TrustFile.load(from: folder.appendingPathComponent("missing.json"))) { error in
            guard case .unreadable = error as? TrustFileError else { return XCTFail("\(error)") }
        }
    }
}
