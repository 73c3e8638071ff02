// `generate` and the registration week: a token that was not registered by its date loses its
// keyslot and its trust-file entry at the first build after the date, even when no file changed.
import Foundation
import PortalBuild
import PortalCrypto
import PortalFormat
import PortalKeys
import PortalTrust
import XCTest
import PortalTestSupport

final class RegistrationBuildTests: XCTestCase {
    func testUnregisteredTokenIsDroppedWhenItsDatePassesEvenWithoutChangedFiles() throws {
        let fixture = try SealedSiteFixture()
        let unregistered = try fixture.issue(["groep-5"])
        let registered = try fixture.issue(["groep-3"])
        var keystore = try Keystore.open(at: fixture.keys)
        let siteID = keystore.siteID
        let registeredID = try Token.parse(registered).id(siteID: siteID)
        let unregisteredID = try Token.parse(unregistered).id(siteID: siteID)
        try keystore.recordRegistration(id: registeredID, at: Date())
        try keystore.save()

        try fixture.generate()
        XCTAssertNoThrow(try SealedSiteOpener(output: fixture.output, token: unregistered), "in its registration week")
        var trust = try TrustFile.load(from: fixture.options.trustFile)
        let registerBy = try XCTUnwrap(trust.tokens.first { $0.id == unregisteredID }?.registerBy)
        XCTAssertEqual(registerBy.timeIntervalSinceNow, Keystore.defaultRegistrationPeriod, accuracy: 120)
        XCTAssertNil(trust.tokens.first { $0.id == registeredID }?.registerBy, "a registered token has no deadline left")
        let groep5Before = try SealedSiteOpener(output: fixture.output, token: unregistered).keyslot.audiences.map(\.epoch)

        var options = fixture.options
        options.now = Date().addingTimeInterval(Keystore.defaultRegistrationPeriod - 3600)
        XCTAssertTrue(try Generator(options: options).run().unchanged, "nothing changed yet")

        // The same inputs one day after the date: the build state differs, so it rebuilds.
        options.now = Date().addingTimeInterval(Keystore.defaultRegistrationPeriod + 86400)
        let summary = try Generator(options: options).run()
        XCTAssertFalse(summary.unchanged)
        XCTAssertEqual(summary.tokens, 1)
        XCTAssertThrowsError(try SealedSiteOpener(output: fixture.output, token: unregistered)) { error in
            XCTAssertEqual(error as? SealedSiteOpener.Failure, .noKeyslot(tokenID: unregisteredID))
        }
        let opener = try SealedSiteOpener(output: fixture.output, token: registered)
        XCTAssertEqual(try opener.manifests().map(\.audience), ["school", "groep-3"])
        trust = try TrustFile.load(from: options.trustFile)
        XCTAssertEqual(trust.tokens.map(\.id), [registeredID])
        // A device that unlocked with the dropped token once cannot read what is sealed from now on.
        let after = try Keystore.open(at: fixture.keys)
        XCTAssertEqual(after.epoch(of: "groep-5"), groep5Before[1] + 1)
        XCTAssertEqual(after.epoch(of: "school"), groep5Before[0] + 1)
        XCTAssertEqual(opener.keyslot.audiences.first { $0.id == "school" }?.epoch, groep5Before[0] + 1)
        XCTAssertEqual(after.epoch(of: "groep-3"), 1)

        XCTAssertTrue(try Generator(options: options).run().unchanged, "and once dropped, the next build is a no-op again")
    }
}
