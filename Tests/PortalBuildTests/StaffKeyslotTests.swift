// Staff keyslots from a real build: what a teacher's and the office's keyslot hold (their groups'
// inbox secrets of this week and the last, nothing of other groups), that every keyslot keeps one
// size, that the trust file marks staff, and that a week later the build has rotated the keys.
import Foundation
@testable import PortalBuild
import PortalCrypto
import PortalFormat
import PortalKeys
import PortalTrust
import PortalTestSupport
import XCTest

final class StaffKeyslotTests: XCTestCase {
    func testATeachersKeyslotHoldsItsGroupsInboxSecretsOnly() throws {
        let fixture = try SealedSiteFixture()
        let parent = try fixture.issue(["groep-3"])
        let teacher = try fixture.issue(["groep-3"], staff: .teacher, label: "Juf Sanne")
        let office = try fixture.issue(["groep-3"], staff: .office, label: "Administratie")
        try fixture.generate()
        let keystore = try Keystore.open(at: fixture.keys)
        let slot = try SealedSiteOpener(output: fixture.output, token: teacher).keyslot
        let staff = try XCTUnwrap(slot.staff)
        XCTAssertEqual(staff.label, "Juf Sanne")
        XCTAssertEqual(staff.role, "teacher")
        XCTAssertEqual(staff.groups, ["groep-3"])
        // Epoch 1: no previous key yet; the secret is the group's, matching the parents' public key.
        let pair = keystore.groupInboxKey("groep-3")
        XCTAssertEqual(staff.inboxSecrets, [KeyslotPayload.InboxSecret(
            audience: "groep-3", epoch: 1, kid: InboxKeyID.of(publicKey: pair.publicKey),
            publicKey: Data(pair.publicKey).base64EncodedString(), secretKey: Data(pair.secretKey).base64EncodedString())])
        let parentSlot = try SealedSiteOpener(output: fixture.output, token: parent).keyslot
        XCTAssertNil(parentSlot.staff)
        XCTAssertEqual(parentSlot.inbox.first { $0.audience == "groep-3" }?.kid, InboxKeyID.of(publicKey: pair.publicKey))

        // The office reads every group of site.yaml.
        let officeSlot = try SealedSiteOpener(output: fixture.output, token: office).keyslot
        let groups = try fixture.site().config.groups.map(\.id)
        XCTAssertEqual(officeSlot.staff?.groups, groups)
        XCTAssertEqual(Set(officeSlot.staff?.inboxSecrets.map(\.audience) ?? []), Set(groups))

        // One size for every keyslot: the host cannot tell a teacher's from a parent's.
        let sizes = Set(try FileManager.default.contentsOfDirectory(atPath: fixture.output.appendingPathComponent("k").path).map {
            try Data(contentsOf: fixture.output.appendingPathComponent("k/" + $0)).count
        })
        XCTAssertEqual(sizes.count, 1, "\(sizes)")

        let trust = try TrustFile.load(from: fixture.keys.appendingPathComponent("trust.json"))
        let byID = Dictionary(uniqueKeysWithValues: trust.tokens.map { ($0.id, $0.staff) })
        XCTAssertEqual(byID[try Token.parse(teacher).id(siteID: keystore.siteID)], "teacher")
        XCTAssertEqual(byID[try Token.parse(office).id(siteID: keystore.siteID)], "office")
        XCTAssertEqual(byID[try Token.parse(parent).id(siteID: keystore.siteID)], .some(nil))
    }

    func testAWeekLaterTheBuildRotatesAndTheTeacherKeepsLastWeeksKey() throws {
        let fixture = try SealedSiteFixture()
        let parent = try fixture.issue(["groep-3"])
        let teacher = try fixture.issue(["groep-3"], staff: .teacher, label: "Juf Sanne")
        // Both registered a device (else their registration week would lapse before the rotation).
        var keys = try Keystore.open(at: fixture.keys)
        for token in [parent, teacher] { try keys.recordRegistration(id: try Token.parse(token).id(siteID: keys.siteID), at: Date()) }
        try keys.save()
        var options = fixture.options
        options.now = Date()
        try Generator(options: options).run()
        options.now = options.now.addingTimeInterval(7 * 86400 + 60)
        try Generator(options: options).run()
        let keystore = try Keystore.open(at: fixture.keys)
        XCTAssertEqual(keystore.inboxEpoch(of: "groep-3"), 2)
        let current = keystore.groupInboxKey("groep-3", epoch: 2), previous = keystore.groupInboxKey("groep-3", epoch: 1)
        let parentSlot = try SealedSiteOpener(output: fixture.output, token: parent).keyslot
        XCTAssertEqual(parentSlot.inbox.first { $0.audience == "groep-3" }?.publicKey, Data(current.publicKey).base64EncodedString(),
                       "parents seal to this week's key")
        let staff = try XCTUnwrap(SealedSiteOpener(output: fixture.output, token: teacher).keyslot.staff)
        XCTAssertEqual(staff.inboxSecrets.map(\.epoch), [2, 1])
        XCTAssertEqual(staff.inboxSecrets.map(\.secretKey), [current, previous].map { Data($0.secretKey).base64EncodedString() })
    }
}

/// The served shell: comment-only lines out, code lines (and comment-looking text inside a
/// template literal or beside code) kept as they are.
final class ShellFilesTests: XCTestCase {
    func testOnlyCommentOnlyLinesAreLeftOut() {
        let source = """
            // A module comment.
            import { h } from './dom.js';
            /** A doc comment
             * over lines. */
            const a = 1; // beside code: kept
            /* one line */
            /* a block */ const b = 2;
            const t = `first
            // inside a template: text, kept
            last`;
              // indented comment
            export { a, b, t };
            """
        XCTAssertEqual(ShellFiles.withoutCommentLines(source), """
            import { h } from './dom.js';
            const a = 1; // beside code: kept
            /* a block */ const b = 2;
            const t = `first
            // inside a template: text, kept
            last`;
            export { a, b, t };
            """)
        XCTAssertEqual(ShellFiles.served("style.css", Array("/* css */".utf8)), Array("/* css */".utf8), "only .js changes")
    }
}
