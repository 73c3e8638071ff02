// Items written ahead (issue 19, point 8): a news item dated later, or any item with `publish:`,
// is in no page until its moment; builds before it are no-ops; the first build after it is a
// full one that publishes it, although no file changed; a past `publish:` changes nothing.
import Foundation
import PortalBuild
import PortalTestSupport
import XCTest

final class ScheduledItemBuildTests: XCTestCase {
    func testAnItemWrittenAheadAppearsAtItsMoment() throws {
        let fixture = try SealedSiteFixture()
        let token = try fixture.issue(["groep-5"])
        let now = Date()
        let zone = TimeZone(identifier: "Europe/Amsterdam")!
        let formatter = DateFormatter()
        formatter.locale = Locale(identifier: "en_US_POSIX")
        formatter.timeZone = zone
        formatter.dateFormat = "yyyy-MM-dd HH:mm"
        let inTwoHours = formatter.string(from: now.addingTimeInterval(2 * 3600))
        try "---\ntitle: Kerstgroet\ndate: \(inTwoHours)\n---\nFijne feestdagen!\n"
            .write(to: fixture.content.appendingPathComponent("news/kerstgroet.md"), atomically: true, encoding: .utf8)
        try FileManager.default.createDirectory(at: fixture.content.appendingPathComponent("groups/groep-5/pages"), withIntermediateDirectories: true)
        try "---\ntitle: Rooster na de vakantie\nweight: 5\npublish: \(inTwoHours)\n---\nHet nieuwe rooster.\n"
            .write(to: fixture.content.appendingPathComponent("groups/groep-5/pages/rooster.md"), atomically: true, encoding: .utf8)
        try "---\ntitle: Al gepubliceerd\ndate: 2026-11-02\npublish: 2026-11-01\n---\nOud nieuws.\n"
            .write(to: fixture.content.appendingPathComponent("news/al-gepubliceerd.md"), atomically: true, encoding: .utf8)

        func build(at moment: Date) throws -> GenerateSummary {
            var options = fixture.options
            options.now = moment
            return try Generator(options: options).run()
        }
        func paths() throws -> Set<String> {
            Set(try SealedSiteOpener(output: fixture.output, token: token).manifests().flatMap(\.items).map(\.path))
        }
        XCTAssertFalse(try build(at: now).unchanged)
        var shown = try paths()
        XCTAssertFalse(shown.contains("news/kerstgroet"), "dated later: not yet")
        XCTAssertFalse(shown.contains("groups/groep-5/pages/rooster"), "publish: later: not yet")
        XCTAssertTrue(shown.contains("news/al-gepubliceerd"))
        XCTAssertTrue(try build(at: now.addingTimeInterval(3600)).unchanged, "nothing changed and nothing is due")

        let later = try build(at: now.addingTimeInterval(3 * 3600))
        XCTAssertFalse(later.unchanged || later.incremental || later.rekeyed, "its moment came: a full build")
        shown = try paths()
        XCTAssertTrue(shown.contains("news/kerstgroet") && shown.contains("groups/groep-5/pages/rooster"), "\(shown.sorted())")
        XCTAssertTrue(try build(at: now.addingTimeInterval(4 * 3600)).unchanged, "published: nothing waits any more")

        // Written ahead while the last build was incremental-ready: still left out, still picked up.
        let tomorrow = formatter.string(from: now.addingTimeInterval(86400 + 4 * 3600))
        try "---\ntitle: Morgen\ndate: \(tomorrow)\n---\nMorgen is het zover.\n"
            .write(to: fixture.content.appendingPathComponent("news/morgen.md"), atomically: true, encoding: .utf8)
        XCTAssertFalse(try build(at: now.addingTimeInterval(5 * 3600)).unchanged)
        XCTAssertFalse(try paths().contains("news/morgen"))
        _ = try build(at: now.addingTimeInterval(86400 + 5 * 3600))
        XCTAssertTrue(try paths().contains("news/morgen"))
    }
}
