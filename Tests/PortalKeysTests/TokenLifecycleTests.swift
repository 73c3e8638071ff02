// The token lifecycle in the keystore: the registration week, reissue and the school-year
// rotation, on a real temporary keystore with a fixed clock.
import Foundation
import XCTest
import PortalCrypto
import PortalFormat
@testable import PortalKeys
import PortalTestSupport

final class TokenLifecycleTests: XCTestCase {
    var root: URL!
    var keys: URL { root.appendingPathComponent("keys") }
    // 10 November 2026 09:00 UTC.
    let now = Date(timeIntervalSince1970: 1_794_301_200)
    let day: TimeInterval = 86400
    let groups = ["groep-1-2a", "groep-1-2b", "groep-3", "groep-4", "groep-5", "groep-6", "groep-7", "groep-8"]

    override func setUpWithError() throws {
        root = FileManager.default.temporaryDirectory.appendingPathComponent("lifecycle-test-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: root, withIntermediateDirectories: true)
    }

    override func tearDownWithError() throws {
        try? FileManager.default.removeItem(at: root)
    }

    func makeStore(at date: Date? = nil) throws -> Keystore {
        try Keystore.create(at: keys, random: DeterministicRandom(seed: 7), clock: FixedClock(date ?? now))
    }

    func keystoreError(_ body: () throws -> Void, line: UInt = #line) -> KeystoreError? {
        do {
            try body()
            XCTFail("expected a KeystoreError", line: line)
        } catch let error as KeystoreError {
            return error
        } catch {
            XCTFail("unexpected error \(error)", line: line)
        }
        return nil
    }

    // MARK: - Registration week

    func testDefaultRegisterByIsSevenDaysAfterIssue() throws {
        var store = try makeStore()
        let record = try store.issueToken(audiences: ["groep-5"]).record
        XCTAssertEqual(record.registerBy, now.addingTimeInterval(7 * day))
        XCTAssertNil(record.registered)
        let explicit = try store.issueToken(audiences: ["groep-5"], registerBy: now.addingTimeInterval(2 * day)).record
        XCTAssertEqual(explicit.registerBy, now.addingTimeInterval(2 * day))
        // A token that lives shorter than a week can register all its life.
        let short = try store.issueToken(audiences: ["groep-5"], expires: now.addingTimeInterval(3600)).record
        XCTAssertEqual(short.registerBy, short.expires)
        XCTAssertEqual(keystoreError { _ = try store.issueToken(audiences: ["groep-5"], registerBy: self.now.addingTimeInterval(-1)) },
                       .registerByNotInFuture(registerBy: now.addingTimeInterval(-1), issued: now))
        let late = Keystore.defaultExpiry(issuedAt: now).addingTimeInterval(day)
        XCTAssertEqual(keystoreError { _ = try store.issueToken(audiences: ["groep-5"], registerBy: late) },
                       .registerByAfterExpiry(registerBy: late, expires: Keystore.defaultExpiry(issuedAt: now)))
        try store.save()
        XCTAssertEqual(try Keystore.open(at: keys).tokens().map(\.registerBy), [record.registerBy, explicit.registerBy, short.registerBy])
    }

    func testUsableBeforeTheDateRegisteredAfterItUntilExpiry() throws {
        var record = TokenRecord(
            id: "00", token: "", label: nil, family: "f", audiences: ["groep-5"], issued: now,
            expires: now.addingTimeInterval(200 * day), registerBy: now.addingTimeInterval(7 * day))
        XCTAssertTrue(record.isUsable(at: now.addingTimeInterval(7 * day - 1)), "in the registration week")
        XCTAssertFalse(record.isUsable(at: now.addingTimeInterval(7 * day)), "from register-by on, unregistered")
        XCTAssertTrue(record.isActive(at: now.addingTimeInterval(7 * day)), "lapsed is not expired")
        XCTAssertTrue(record.registrationLapsed(at: now.addingTimeInterval(8 * day)))
        record.registered = now.addingTimeInterval(day)
        XCTAssertTrue(record.isUsable(at: now.addingTimeInterval(8 * day)), "registered: works after the date")
        XCTAssertTrue(record.isUsable(at: now.addingTimeInterval(200 * day - 1)))
        XCTAssertFalse(record.isUsable(at: now.addingTimeInterval(200 * day)), "until it expires")
        record.registered = nil
        record.registerBy = nil
        XCTAssertTrue(record.isUsable(at: now.addingTimeInterval(100 * day)), "tokens from before registration count as registered")
    }

    func testLapsedTokenDropsOutAndReKeysItsAudiencesOnce() throws {
        var store = try makeStore()
        let lapsing = try store.issueToken(audiences: ["groep-5"]).record
        let registered = try store.issueToken(audiences: ["groep-3"]).record
        XCTAssertTrue(try store.recordRegistration(id: registered.id, at: now.addingTimeInterval(day)))
        XCTAssertFalse(try store.recordRegistration(id: registered.id, at: now.addingTimeInterval(2 * day)), "earliest wins")
        XCTAssertTrue(try store.recordRegistration(id: registered.id, at: now.addingTimeInterval(3600)), "an earlier one replaces it")
        XCTAssertEqual(store.tokens()[1].registered, now.addingTimeInterval(3600))

        let inWeek = now.addingTimeInterval(6 * day)
        XCTAssertEqual(store.rotateForExpiredTokens(at: inWeek), [])
        XCTAssertEqual(store.activeTokens(at: inWeek).map(\.id), [lapsing.id, registered.id])
        let after = now.addingTimeInterval(8 * day)
        XCTAssertEqual(store.activeTokens(at: after).map(\.id), [registered.id])
        XCTAssertEqual(store.rotateForExpiredTokens(at: after), ["school", "groep-5"])
        XCTAssertEqual(store.epoch(of: "groep-5"), 2)
        XCTAssertEqual(store.epoch(of: "groep-3"), 1, "a registered token's group keeps its keys")
        XCTAssertEqual(store.rotateForExpiredTokens(at: after.addingTimeInterval(day)), [], "only once")
        // ... and not again when the lapsed token's expiry passes.
        XCTAssertEqual(store.rotateForExpiredTokens(at: lapsing.expires.addingTimeInterval(1)), ["school", "groep-3"])
        XCTAssertEqual(store.epoch(of: "groep-5"), 2)
        XCTAssertEqual(keystoreError { _ = try store.recordRegistration(id: "ffff", at: self.now) }, .unknownToken("ffff"))
    }

    func testLateSyncedRegistrationBringsTheTokenBack() throws {
        var store = try makeStore()
        let token = try store.issueToken(audiences: ["groep-5"]).record
        let after = now.addingTimeInterval(8 * day)
        XCTAssertEqual(store.rotateForExpiredTokens(at: after), ["school", "groep-5"])
        // The device did register on day 2; staff synced only now.
        XCTAssertTrue(try store.recordRegistration(id: token.id, at: now.addingTimeInterval(2 * day)))
        XCTAssertEqual(store.activeTokens(at: after).map(\.id), [token.id])
        XCTAssertFalse(store.expiryRotated.contains(token.id), "its expiry must re-key again")
        XCTAssertEqual(store.rotateForExpiredTokens(at: token.expires), ["school", "groep-5"])
    }

    // MARK: - Reissue

    func testReissueKeepsFamilyGroupsExpiryAndEmail() throws {
        var store = try makeStore()
        let old = try store.issueToken(audiences: ["groep-3", "groep-8"], label: "Fam. Jansen", family: "fam-jansen").record
        store.records[0].email = "ouders@example.nl"
        let (token, record, revoked) = try store.reissue(id: String(old.id.prefix(8)))
        XCTAssertEqual(token.id(siteID: store.siteID), record.id)
        XCTAssertNotEqual(record.id, old.id)
        XCTAssertEqual(record.family, "fam-jansen")
        XCTAssertEqual(record.label, "Fam. Jansen")
        XCTAssertEqual(record.email, "ouders@example.nl")
        XCTAssertEqual(record.audiences, ["groep-3", "groep-8"])
        XCTAssertEqual(record.expires, old.expires)
        XCTAssertEqual(record.registerBy, now.addingTimeInterval(7 * day))
        XCTAssertEqual(revoked.revoked, now)
        XCTAssertEqual(store.epoch(of: "groep-3"), 2, "the old token still worked: its groups get new keys")
        XCTAssertEqual(store.activeTokens(at: now).map(\.id), [record.id])
        XCTAssertEqual(store.tokens().last?.email, "ouders@example.nl")
    }

    func testReissueOfALapsedTokenDoesNotReKeyTwice() throws {
        let later = now.addingTimeInterval(10 * day)
        var store = try makeStore()
        let old = try store.issueToken(audiences: ["groep-5"]).record
        XCTAssertEqual(store.rotateForExpiredTokens(at: later), ["school", "groep-5"])
        try store.save()
        var reopened = try Keystore.open(at: keys, random: DeterministicRandom(seed: 8), clock: FixedClock(later))
        let issued = try reopened.reissue(id: old.id, registerBy: later.addingTimeInterval(3 * day))
        XCTAssertEqual(reopened.epoch(of: "groep-5"), 2)
        XCTAssertEqual(issued.old.revoked, later)
        XCTAssertEqual(issued.record.registerBy, later.addingTimeInterval(3 * day))
        XCTAssertEqual(reopened.activeTokens(at: later).map(\.id), [issued.record.id])
    }

    // MARK: - School year

    func testDefaultPromotionFollowsSiteOrderWithParallelClasses() throws {
        let plan = try PromotionPlan(groups: groups)
        XCTAssertEqual(plan.mapping["groep-1-2a"], .to("groep-3"))
        XCTAssertEqual(plan.mapping["groep-1-2b"], .to("groep-3"))
        XCTAssertEqual(plan.mapping["groep-3"], .to("groep-4"))
        XCTAssertEqual(plan.mapping["groep-7"], .to("groep-8"))
        XCTAssertEqual(plan.mapping["groep-8"], .leaves)
        let stay = try PromotionPlan(groups: groups, overrides: ["groep-1-2b": .to("groep-1-2b")])
        XCTAssertEqual(stay.mapping["groep-1-2b"], .to("groep-1-2b"))
        XCTAssertEqual(stay.mapping["groep-1-2a"], .to("groep-3"))
    }

    func testInvalidPromotionIsRefusedWithEveryProblem() {
        XCTAssertThrowsError(try PromotionPlan(groups: groups, overrides: ["groep-9": .to("groep-3"), "groep-3": .to("groep-99")])) { error in
            XCTAssertEqual(error as? RotationError, .invalidMapping([
                "--promote groep-3=groep-99: groep-99 is not a group in site.yaml (use a group id or `leaves`)",
                "--promote groep-9=groep-3: groep-9 is not a group in site.yaml",
            ]))
        }
        // Two classes next year: the default cannot choose.
        XCTAssertThrowsError(try PromotionPlan(groups: ["groep-2", "groep-3a", "groep-3b", "groep-4"])) { error in
            XCTAssertEqual(error as? RotationError, .invalidMapping([
                "groep-2: next year has several classes (groep-3a, groep-3b); choose with --promote GROUP=CLASS",
            ]))
        }
        XCTAssertNoThrow(try PromotionPlan(groups: ["groep-2", "groep-3a", "groep-3b", "groep-4"], overrides: ["groep-2": .to("groep-3a")]))
    }

    func testRotationMovesGroupsRevokesLeaversAndReKeysEverything() throws {
        var store = try makeStore()
        let three = try store.issueToken(audiences: ["groep-3"]).record
        let eight = try store.issueToken(audiences: ["groep-8"], family: "fam-leaves").record
        let family = try store.issueToken(audiences: ["groep-3", "groep-8"], family: "fam-both").record
        let kinder = try store.issueToken(audiences: ["groep-1-2a"]).record
        let revoked = try store.issueToken(audiences: ["groep-5"]).record
        try store.revoke(id: revoked.id)
        for record in [three, eight, family, kinder] { try store.recordRegistration(id: record.id, at: now) }
        let epochsBefore = ["school", "groep-3", "groep-5"].map(store.epoch(of:))

        let promotion = try PromotionPlan(groups: groups)
        let expires = now.addingTimeInterval(300 * day)
        let plan = try store.planRotation(promotion, at: now, expires: expires, tokenGroups: [String(kinder.id.prefix(6)): ["groep-1-2a"]])
        XCTAssertEqual(plan.changes.map(\.after), [["groep-4"], [], ["groep-4"], ["groep-1-2a"]])
        XCTAssertEqual(plan.familiesLeaving, ["fam-leaves"])
        XCTAssertEqual(plan.moves.first { $0.from == "groep-8" }?.tokens, 2)
        XCTAssertEqual(plan.moves.first { $0.from == "groep-3" }?.to, .to("groep-4"))
        XCTAssertEqual(plan.rekeyed, ["school"] + groups)

        store.applyRotation(plan)
        let after = Dictionary(uniqueKeysWithValues: store.tokens().map { ($0.id, $0) })
        XCTAssertEqual(after[three.id]?.audiences, ["groep-4"])
        XCTAssertEqual(after[three.id]?.expires, expires)
        XCTAssertEqual(after[three.id]?.token, three.token, "same secret: devices need not type anything")
        XCTAssertEqual(after[eight.id]?.revoked, now)
        XCTAssertEqual(after[family.id]?.audiences, ["groep-4"])
        XCTAssertEqual(after[kinder.id]?.audiences, ["groep-1-2a"])
        XCTAssertEqual(after[revoked.id]?.audiences, ["groep-5"], "a revoked token is left alone")
        XCTAssertEqual(["school", "groep-3", "groep-5"].map(store.epoch(of:)), epochsBefore.map { $0 + 1 }, "every audience once")
        XCTAssertEqual(store.epoch(of: "groep-8"), 2)
    }

    func testRotationRefusesUnknownGroupsAndBadMoves() throws {
        var store = try makeStore()
        let stray = try store.issueToken(audiences: ["groep-9"]).record
        let promotion = try PromotionPlan(groups: groups)
        XCTAssertThrowsError(try store.planRotation(promotion, at: now)) { error in
            XCTAssertEqual(error as? RotationError, .unknownAudience(tokenID: stray.id, audience: "groep-9"))
        }
        try store.revoke(id: stray.id)
        XCTAssertThrowsError(try store.planRotation(promotion, at: now, tokenGroups: ["abcdef": ["groep-3"]])) { error in
            XCTAssertEqual(error as? RotationError, .invalidMapping(["--move abcdef: no token with id abcdef... in the keystore (see `portal token list`)"]))
        }
        XCTAssertThrowsError(try store.planRotation(promotion, at: now, expires: now)) { error in
            XCTAssertEqual(error as? RotationError, .expiryNotInFuture(now))
        }
    }
}
