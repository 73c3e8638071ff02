// Group inbox keys in the keystore: their own epochs, the weekly turn-over, and a staff token's
// revocation (or expiry) rotating exactly its groups; persisted across a save.
import Foundation
import XCTest
import PortalCrypto
import PortalFormat
@testable import PortalKeys
import PortalTestSupport

final class GroupInboxKeyTests: XCTestCase {
    var root: URL!
    var keys: URL { root.appendingPathComponent("keys") }
    // 10 November 2026 09:00 UTC.
    let now = Date(timeIntervalSince1970: 1_794_301_200)
    let day: TimeInterval = 86400

    override func setUpWithError() throws {
        try Sodium.ensureReady()
        root = FileManager.default.temporaryDirectory.appendingPathComponent("inbox-keys-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: root, withIntermediateDirectories: true)
    }

    override func tearDownWithError() throws {
        try? FileManager.default.removeItem(at: root)
    }

    func makeStore() throws -> Keystore {
        try Keystore.create(at: keys, random: DeterministicRandom(seed: 7), clock: FixedClock(now))
    }

    func testInboxKeysTurnOverWeeklyAndPersist() throws {
        var store = try makeStore()
        _ = try store.issueToken(audiences: ["groep-3", "groep-5"])
        XCTAssertEqual(store.inboxGroups(), ["groep-3", "groep-5"])
        XCTAssertEqual(store.rotateInboxKeys(groups: store.inboxGroups(), at: now), [], "the first build starts the clock")
        XCTAssertEqual(store.inboxEpoch(of: "groep-5"), 1)
        XCTAssertEqual(store.rotateInboxKeys(groups: store.inboxGroups(), at: now.addingTimeInterval(7 * day - 1)), [])
        XCTAssertEqual(store.rotateInboxKeys(groups: store.inboxGroups(), at: now.addingTimeInterval(7 * day)), ["groep-3", "groep-5"])
        XCTAssertEqual(store.inboxEpoch(of: "groep-5"), 2)
        XCTAssertEqual(store.groupInboxKey("groep-5"), store.masterKey.groupInboxKey(group: "groep-5", epoch: 2))
        XCTAssertNotEqual(store.groupInboxKey("groep-5"), store.groupInboxKey("groep-5", epoch: 1))
        XCTAssertNotEqual(store.groupInboxKey("groep-5"), store.groupInboxKey("groep-3"), "each group its own key")
        // An audience's content epoch is another counter: re-keying content leaves inbox keys alone.
        XCTAssertEqual(store.epoch(of: "groep-5"), 1)
        try store.save()
        let reopened = try Keystore.open(at: keys)
        XCTAssertEqual(reopened.inboxEpoch(of: "groep-5"), 2)
        XCTAssertEqual(reopened.inboxEpochs["groep-5"]?.since, now.addingTimeInterval(7 * day))
        // The school's computer opens every epoch: both epochs' secrets (and the school's) by kid.
        let secrets = reopened.inboxSecrets(groups: [])
        for epoch in [1, 2] {
            let pair = reopened.groupInboxKey("groep-5", epoch: epoch)
            XCTAssertEqual(secrets[InboxKeyID.of(publicKey: pair.publicKey)], pair.secretKey)
        }
        XCTAssertEqual(secrets[InboxKeyID.of(publicKey: reopened.inboxPublicKey)], reopened.inboxSecretKey)
        XCTAssertEqual(secrets.count, 1 + 2 + 2)
    }

    func testRevokingStaffRotatesItsGroupsInboxKeysButAParentDoesNot() throws {
        var store = try makeStore()
        let parent = try store.issueToken(audiences: ["groep-3"], label: "Fam. Jansen")
        let teacher = try store.issueToken(audiences: ["groep-3"], label: "Juf Sanne", staff: .teacher)
        _ = try store.issueToken(audiences: ["groep-5"], label: "Meester Ali", staff: .teacher)
        store.rotateInboxKeys(groups: store.inboxGroups(), at: now)
        try store.revoke(id: parent.record.id)
        XCTAssertEqual(store.epoch(of: "groep-3"), 2, "the parent's audience is re-keyed")
        XCTAssertEqual(store.inboxEpoch(of: "groep-3"), 1, "but yesterday's reports stay readable for the teacher")
        try store.revoke(id: teacher.record.id)
        XCTAssertEqual(store.inboxEpoch(of: "groep-3"), 2, "a revoked teacher's device never holds the next key")
        XCTAssertEqual(store.inboxEpoch(of: "groep-5"), 1, "another group's teacher is not affected")
        XCTAssertEqual(store.tokens().first { $0.id == teacher.record.id }?.staff, .teacher)
    }

    func testReissuedStaffStaysStaffAndAnExpiredOneRotatesOnce() throws {
        var store = try makeStore()
        let teacher = try store.issueToken(
            audiences: ["groep-5"], label: "Meester Ali", expires: now.addingTimeInterval(40 * day), staff: .teacher)
        store.rotateInboxKeys(groups: store.inboxGroups(), at: now)
        let (_, record, _) = try store.reissue(id: teacher.record.id)
        XCTAssertEqual(record.staff, .teacher)
        XCTAssertEqual(record.label, "Meester Ali")
        XCTAssertEqual(store.inboxEpoch(of: "groep-5"), 2, "the old code's device loses the next key")
        let later = record.expires.addingTimeInterval(1)
        store.rotateForExpiredTokens(at: later)
        XCTAssertEqual(store.inboxEpoch(of: "groep-5"), 3, "expiry rotates like a revocation")
        store.rotateForExpiredTokens(at: later.addingTimeInterval(60))
        XCTAssertEqual(store.inboxEpoch(of: "groep-5"), 3, "once")
    }

    func testOfficeCodesFollowTheGroupsOfSiteYAML() throws {
        var store = try makeStore()
        let office = try store.issueToken(audiences: ["groep-3"], label: "Administratie", staff: .office)
        XCTAssertTrue(store.updateOfficeAudiences(groups: ["groep-3", "groep-5"]))
        XCTAssertEqual(try store.token(id: office.record.id).audiences, ["school", "groep-3", "groep-5"])
        XCTAssertFalse(store.updateOfficeAudiences(groups: ["groep-3", "groep-5"]), "nothing to change")
    }
}
