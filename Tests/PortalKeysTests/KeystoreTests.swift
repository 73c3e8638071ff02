// The keystore on a real temporary directory: create/open, permissions, damage, partial
// directories, issuing, listing, revoking and epochs.
import Foundation
import XCTest
import PortalCrypto
import PortalFormat
@testable import PortalKeys
import PortalTestSupport

final class KeystoreTests: XCTestCase {
    var root: URL!
    var keys: URL { root.appendingPathComponent("keys") }
    var file: URL { keys.appendingPathComponent("keystore.json") }
    // 10 November 2026 09:00 UTC.
    let now = Date(timeIntervalSince1970: 1_794_301_200)

    override func setUpWithError() throws {
        root = FileManager.default.temporaryDirectory.appendingPathComponent("keystore-test-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: root, withIntermediateDirectories: true)
    }

    override func tearDownWithError() throws {
        try? FileManager.default.removeItem(at: root)
    }

    func makeStore(seed: UInt64 = 1) throws -> Keystore {
        try Keystore.create(at: keys, random: DeterministicRandom(seed: seed), clock: FixedClock(now))
    }

    func mode(_ url: URL) throws -> Int {
        (try FileManager.default.attributesOfItem(atPath: url.path)[.posixPermissions] as! NSNumber).intValue
    }

    func keystoreError(_ body: () throws -> Void, file: StaticString = #filePath, line: UInt = #line) -> KeystoreError? {
        do {
            try body()
            XCTFail("expected a KeystoreError", file: file, line: line)
        } catch let error as KeystoreError {
            return error
        } catch {
            XCTFail("unexpected error \(error)", file: file, line: line)
        }
        return nil
    }

    func testCreateOpenRoundTripAndPermissions() throws {
        var store = try makeStore()
        XCTAssertEqual(try mode(keys), 0o700)
        XCTAssertEqual(try mode(file), 0o600)
        XCTAssertEqual(store.siteID.count, 16)
        XCTAssertEqual(store.inboxPublicKey.count, 32)
        XCTAssertEqual(store.adminPublicKey.count, 32)
        let issued = try store.issueToken(audiences: ["school", "groep-5"], label: "Fam. Jansen", expires: nil, family: nil)
        try store.save()
        XCTAssertEqual(try mode(file), 0o600, "save keeps 0600")

        let reopened = try Keystore.open(at: keys)
        XCTAssertEqual(reopened.siteID, store.siteID)
        XCTAssertEqual(reopened.masterKey, store.masterKey)
        XCTAssertEqual(reopened.inbox, store.inbox)
        XCTAssertEqual(reopened.adminSigningSeed, store.adminSigningSeed)
        XCTAssertEqual(reopened.tokens(), [issued.record])
        XCTAssertEqual(reopened.created, store.created)
        XCTAssertEqual(try Token.parse(reopened.tokens()[0].token), issued.token)
        XCTAssertEqual(issued.record.id, issued.token.id(siteID: reopened.siteID))

        // The JSON is readable and holds no token secret other than the printed text.
        let json = try String(contentsOf: file, encoding: .utf8)
        for field in ["\"version\" : 1", "\"site_id\"", "\"master_key\"", "\"inbox_public_key\"", "\"tokens\""] {
            XCTAssertTrue(json.contains(field), field)
        }
    }

    func testCreateRefusesExistingKeystore() throws {
        _ = try makeStore()
        XCTAssertEqual(keystoreError { _ = try self.makeStore(seed: 2) }, .alreadyExists(path: keys.path))
    }

    func testOpenMissing() {
        XCTAssertEqual(keystoreError { _ = try Keystore.open(at: self.keys) }, .missing(path: keys.path))
    }

    func testOpenOrCreate() throws {
        let created = try Keystore.openOrCreate(at: keys, random: DeterministicRandom(seed: 3), clock: FixedClock(now))
        let opened = try Keystore.openOrCreate(at: keys, random: DeterministicRandom(seed: 4), clock: FixedClock(now))
        XCTAssertEqual(opened.siteID, created.siteID, "the second call opens, not creates")

        // An existing empty directory is fine (and made 0700).
        let empty = root.appendingPathComponent("empty")
        try FileManager.default.createDirectory(at: empty, withIntermediateDirectories: false,
                                                attributes: [.posixPermissions: 0o755])
        _ = try Keystore.openOrCreate(at: empty, random: DeterministicRandom(seed: 5), clock: FixedClock(now))
        XCTAssertEqual(try mode(empty), 0o700)
    }

    func testPartialDirectoryIsAnErrorNotANewKeystore() throws {
        try FileManager.default.createDirectory(at: keys, withIntermediateDirectories: false)
        let stray = keys.appendingPathComponent("keystore.json.bak")
        try Data("{}".utf8).write(to: stray)
        let error = keystoreError {
            _ = try Keystore.openOrCreate(at: self.keys, random: DeterministicRandom(seed: 1), clock: FixedClock(self.now))
        }
        XCTAssertEqual(error, .incomplete(path: keys.path, found: ["keystore.json.bak"]))
        XCTAssertTrue(error?.description.contains("Not creating a new keystore") ?? false)
        XCTAssertFalse(FileManager.default.fileExists(atPath: file.path), "nothing was created")
    }

    func testDamagedFilesAreErrors() throws {
        _ = try makeStore()
        let good = try Data(contentsOf: file)
        let text = String(decoding: good, as: UTF8.self)
        let json = try JSONSerialization.jsonObject(with: good) as! [String: Any]

        func write(_ data: Data) throws {
            try data.write(to: file)
            chmod(file.path, 0o600)
        }
        func damaged(_ data: Data, _ fragment: String, line: UInt = #line) throws {
            try write(data)
            let error = keystoreError({ _ = try Keystore.open(at: self.keys) }, line: line)
            guard case .damaged(let path, let reason)? = error else {
                return XCTFail("expected damaged, got \(String(describing: error))", line: line)
            }
            XCTAssertEqual(path, file.path, line: line)
            XCTAssertTrue(reason.contains(fragment), "\(reason) lacks \(fragment)", line: line)
        }
        func edited(_ change: (inout [String: Any]) -> Void) throws -> Data {
            var copy = json
            change(&copy)
            return try JSONSerialization.data(withJSONObject: copy)
        }

        try damaged(Data(text.prefix(text.count / 2).utf8), "not a keystore JSON file")
        try damaged(Data(), "not a keystore JSON file")
        try damaged(try edited { $0["master_key"] = Data(repeating: 1, count: 31).base64EncodedString() },
                    "master_key must be 32 bytes, found 31")
        try damaged(try edited { $0["site_id"] = "***" }, "site_id is not base64")
        try damaged(try edited { $0.removeValue(forKey: "inbox_secret_key") }, "missing field inbox_secret_key")
        try damaged(try edited { $0["inbox_public_key"] = Data(repeating: 9, count: 32).base64EncodedString() },
                    "inbox_public_key does not belong")
        try damaged(try edited { $0["epochs"] = ["school": 0] }, "invalid epoch 0")

        try write(try edited { $0["version"] = 2 })
        XCTAssertEqual(keystoreError { _ = try Keystore.open(at: self.keys) }, .unsupportedVersion(path: file.path, version: 2))
    }

    func testTamperedTokenRecordIsDetected() throws {
        var store = try makeStore()
        _ = try store.issueToken(audiences: ["school"], label: nil, expires: nil, family: nil)
        try store.save()
        var json = try String(contentsOf: file, encoding: .utf8)
        let id = store.tokens()[0].id
        json = json.replacingOccurrences(of: id, with: String(id.reversed()))
        try Data(json.utf8).write(to: file)
        guard case .damaged(_, let reason)? = keystoreError({ _ = try Keystore.open(at: self.keys) }) else {
            return XCTFail("expected damaged")
        }
        XCTAssertTrue(reason.contains("does not match its token text"), reason)
    }

    func testWrongPermissionsAreRefused() throws {
        _ = try makeStore()
        chmod(file.path, 0o644)
        XCTAssertEqual(keystoreError { _ = try Keystore.open(at: self.keys) },
                       .insecurePermissions(path: file.path, mode: 0o644, expected: 0o600))
        chmod(file.path, 0o600)
        chmod(keys.path, 0o755)
        let error = keystoreError { _ = try Keystore.open(at: self.keys) }
        XCTAssertEqual(error, .insecurePermissions(path: keys.path, mode: 0o755, expected: 0o700))
        XCTAssertTrue(error?.description.contains("chmod 700") ?? false)
        chmod(keys.path, 0o700)
        XCTAssertNoThrow(try Keystore.open(at: keys))
    }

    func testIssueListAndDefaults() throws {
        var store = try makeStore()
        let a = try store.issueToken(audiences: ["groep-5"], label: "Jansen", expires: nil, family: nil)
        let b = try store.issueToken(audiences: ["groep-3", "groep-5", "groep-3"], label: nil, expires: nil, family: "fam-jansen")
        XCTAssertEqual(a.record.issued, now)
        XCTAssertEqual(a.record.family.count, 16, "a fresh random family id")
        XCTAssertNotEqual(a.record.family, b.record.family)
        XCTAssertEqual(b.record.family, "fam-jansen")
        XCTAssertEqual(b.record.audiences, ["groep-3", "groep-5"], "duplicates removed, order kept")
        XCTAssertEqual(a.record.token, a.token.text)
        XCTAssertEqual(store.tokens().map(\.id), [a.record.id, b.record.id])

        // Default expiry: 1 August 2027 00:00 in Amsterdam (CEST, UTC+2) = 31 July 22:00 UTC.
        XCTAssertEqual(a.record.expires, Date(timeIntervalSince1970: 1_817_071_200))
        XCTAssertEqual(ISO8601DateFormatter().string(from: a.record.expires), "2027-07-31T22:00:00Z")

        XCTAssertEqual(keystoreError { _ = try store.issueToken(audiences: [], label: nil, expires: nil, family: nil) },
                       .noAudiences)
        XCTAssertEqual(keystoreError { _ = try store.issueToken(audiences: ["Groep 5"], label: nil, expires: nil, family: nil) },
                       .invalidAudience("Groep 5"))
        XCTAssertEqual(keystoreError {
            _ = try store.issueToken(audiences: ["school"], label: nil, expires: self.now.addingTimeInterval(-1), family: nil)
        }, .expiryNotInFuture(expires: now.addingTimeInterval(-1), issued: now))

        let explicit = try store.issueToken(audiences: ["school"], label: nil, expires: now.addingTimeInterval(3600), family: nil)
        XCTAssertEqual(store.activeTokens(at: now).count, 3)
        XCTAssertEqual(store.activeTokens(at: now.addingTimeInterval(3600)).map(\.id), [a.record.id, b.record.id],
                       "a token is inactive from its expiry instant on")
        XCTAssertFalse(store.activeTokens(at: now.addingTimeInterval(3600)).contains { $0.id == explicit.record.id })
    }

    func testDefaultExpiryRule() {
        var utc = Calendar(identifier: .gregorian)
        utc.timeZone = TimeZone(identifier: "UTC")!
        func day(_ y: Int, _ m: Int, _ d: Int) -> Date { utc.date(from: DateComponents(year: y, month: m, day: d, hour: 12))! }
        func expiryYear(_ date: Date) -> String {
            let f = ISO8601DateFormatter()
            return f.string(from: Keystore.defaultExpiry(issuedAt: date))
        }
        XCTAssertEqual(expiryYear(day(2026, 11, 10)), "2027-07-31T22:00:00Z")
        XCTAssertEqual(expiryYear(day(2027, 1, 5)), "2027-07-31T22:00:00Z")
        XCTAssertEqual(expiryYear(day(2027, 6, 30)), "2027-07-31T22:00:00Z", "32 days ahead is enough")
        XCTAssertEqual(expiryYear(day(2027, 7, 10)), "2028-07-31T22:00:00Z", "less than 30 days: next school year")
        XCTAssertEqual(expiryYear(day(2027, 8, 2)), "2028-07-31T22:00:00Z")
    }

    func testRevokeBumpsEpochsAndPersists() throws {
        var store = try makeStore()
        let family = try store.issueToken(audiences: ["groep-3", "groep-5"], label: nil, expires: nil, family: nil)
        let school = try store.issueToken(audiences: ["school"], label: nil, expires: nil, family: nil)
        XCTAssertEqual(store.epoch(of: "groep-5"), 1)
        let keyBefore = store.audienceKey("groep-5")

        let revoked = try store.revoke(id: String(family.record.id.prefix(8)).uppercased())
        XCTAssertEqual(revoked.id, family.record.id)
        XCTAssertEqual(revoked.revoked, now)
        XCTAssertEqual(store.epoch(of: "groep-3"), 2)
        XCTAssertEqual(store.epoch(of: "groep-5"), 2)
        XCTAssertEqual(store.epoch(of: "school"), 2, "every keyslot holds the school key, so revoking re-keys it")
        XCTAssertNotEqual(store.audienceKey("groep-5"), keyBefore)
        XCTAssertEqual(store.audienceKey("groep-5"), store.masterKey.audienceKey(audience: "groep-5", epoch: 2))
        XCTAssertEqual(store.activeTokens(at: now).map(\.id), [school.record.id])

        XCTAssertEqual(keystoreError { try store.revoke(id: family.record.id) },
                       .alreadyRevoked(id: family.record.id, at: now))
        XCTAssertEqual(keystoreError { try store.revoke(id: "abc") }, .tokenIDTooShort("abc"))
        XCTAssertEqual(keystoreError { try store.revoke(id: "zzzzzzzz") }, .tokenIDTooShort("zzzzzzzz"))
        let unknown = school.record.id.hasPrefix("000000") ? "ffffff" : "000000"
        XCTAssertEqual(keystoreError { try store.revoke(id: unknown) }, .unknownToken(unknown))
        try store.save()

        let reopened = try Keystore.open(at: keys)
        XCTAssertEqual(reopened.epoch(of: "groep-5"), 2)
        XCTAssertEqual(reopened.tokens().first?.revoked, now)
    }

    func testAmbiguousPrefix() throws {
        var store = try makeStore()
        let issued = try store.issueToken(audiences: ["school"], label: nil, expires: nil, family: nil).record
        // Real ids sharing 6 hex characters need ~4,000 tokens; plant two records instead.
        var a = issued, b = issued
        a.id = "abcdef01" + String(repeating: "0", count: 24)
        b.id = "abcdef02" + String(repeating: "0", count: 24)
        store.records += [a, b]
        XCTAssertEqual(keystoreError { try store.revoke(id: "abcdef") },
                       .ambiguousToken(prefix: "abcdef", matches: [a.id, b.id]))
        XCTAssertEqual(keystoreError { try store.revoke(id: "ABCDEF0") },
                       .ambiguousToken(prefix: "abcdef0", matches: [a.id, b.id]))
        XCTAssertEqual(try store.revoke(id: "abcdef02").id, b.id)
        XCTAssertEqual(try store.token(id: issued.id).id, issued.id)
        XCTAssertEqual(try store.token(id: " " + String(issued.id.prefix(6)) + " ").id, issued.id)
    }

    func testExpiredTokensRotateEpochsOnce() throws {
        var store = try makeStore()
        let short = try store.issueToken(audiences: ["groep-7"], label: nil, expires: now.addingTimeInterval(60), family: nil)
        _ = try store.issueToken(audiences: ["school"], label: nil, expires: nil, family: nil)
        XCTAssertEqual(store.rotateForExpiredTokens(at: now), [])
        XCTAssertEqual(store.rotateForExpiredTokens(at: short.record.expires), ["school", "groep-7"])
        XCTAssertEqual(store.epoch(of: "groep-7"), 2)
        XCTAssertEqual(store.rotateForExpiredTokens(at: short.record.expires.addingTimeInterval(10)), [], "only once")
        try store.save()
        var reopened = try Keystore.open(at: keys)
        XCTAssertEqual(reopened.rotateForExpiredTokens(at: short.record.expires.addingTimeInterval(20)), [])
        XCTAssertEqual(reopened.epoch(of: "groep-7"), 2)
    }

    func testConcurrentChangeIsNotOverwritten() throws {
        _ = try makeStore()
        var first = try Keystore.open(at: keys, random: DeterministicRandom(seed: 10), clock: FixedClock(now))
        var second = try Keystore.open(at: keys, random: DeterministicRandom(seed: 11), clock: FixedClock(now))
        _ = try first.issueToken(audiences: ["school"], label: "first", expires: nil, family: nil)
        try first.save()
        try first.save()  // saving twice from the same keystore is fine
        _ = try second.issueToken(audiences: ["school"], label: "second", expires: nil, family: nil)
        XCTAssertEqual(keystoreError { try second.save() }, .changedOnDisk(path: file.path))
        XCTAssertEqual(try Keystore.open(at: keys).tokens().map(\.label), ["first"])
        let leftovers = try FileManager.default.contentsOfDirectory(atPath: keys.path)
        XCTAssertEqual(leftovers, ["keystore.json"], "no temporary files left behind")
    }

    func testErrorMessagesNameThePathAndTheFix() {
        XCTAssertEqual(
            KeystoreError.missing(path: "keys").description,
            "keys: no keystore found. Run `portal init` to create one, or restore keys/ from your backup.")
        XCTAssertTrue(KeystoreError.insecurePermissions(path: "keys/keystore.json", mode: 0o644, expected: 0o600)
            .description.contains("chmod 600 keys/keystore.json"))
    }
}
