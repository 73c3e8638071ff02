// Incremental builds (issue 14): after a change to items only, `generate` reads, renders and
// seals just those items and the pages and indexes that list them, and output/ is then byte for
// byte what a clean build of the same content, keys and clock makes. Changes outside the items
// (site.yaml, theme, conference schedules) build everything, to the same result; a change to the
// keystore alone (tokens issued, revoked, expired) seals keys, keyslots and re-keyed pages only.
import Foundation
import XCTest
@testable import PortalBuild
import PortalContent
import PortalCrypto
import PortalFormat
import PortalTrust
import PortalTestSupport

final class IncrementalBuildTests: XCTestCase {
    private var fixture: SealedSiteFixture!
    private var token = ""
    /// Every build of a test runs at its own later moment, as the 10-minute loop would.
    private var clock = Date()

    override func setUpWithError() throws {
        fixture = try SealedSiteFixture()
        token = try fixture.issue(["groep-3"])
        XCTAssertFalse(try build().incremental, "the first build is a full one")
    }

    override func tearDown() { fixture = nil }

    @discardableResult
    private func build() throws -> GenerateSummary {
        clock = clock.addingTimeInterval(60)
        var options = fixture.options
        options.now = clock
        return try Generator(options: options).run()
    }

    private func file(_ path: String) -> URL { fixture.content.appendingPathComponent(path) }

    private func edit(_ path: String, _ change: (String) -> String) throws {
        let text = try String(contentsOf: file(path), encoding: .utf8)
        try change(text).write(to: file(path), atomically: true, encoding: .utf8)
    }

    private func write(_ path: String, _ text: String) throws {
        try FileManager.default.createDirectory(at: file(path).deletingLastPathComponent(), withIntermediateDirectories: true)
        try text.write(to: file(path), atomically: true, encoding: .utf8)
    }

    /// A clean build (no build state, no ledger; the same keys, sequences and clock) in a folder
    /// of its own makes exactly the files of output/, and the same trust file but for its time.
    private func assertMatchesCleanBuild(file: StaticString = #filePath, line: UInt = #line) throws {
        let clean = fixture.root.appendingPathComponent("clean-\(UUID().uuidString)")
        let keys = clean.appendingPathComponent("keys")
        try FileManager.default.createDirectory(at: clean, withIntermediateDirectories: true)
        try FileManager.default.copyItem(at: fixture.keys, to: keys)
        for state in ["cache/build-state", "cache/build-ledger"] { try? FileManager.default.removeItem(at: keys.appendingPathComponent(state)) }
        var options = fixture.options
        options.keysDirectory = keys
        options.trustFile = keys.appendingPathComponent("trust.json")
        options.outputDirectory = clean.appendingPathComponent("output")
        options.now = clock
        let summary = try Generator(options: options).run()
        XCTAssertFalse(summary.incremental, file: file, line: line)
        let expected = try fixture.outputFiles(options.outputDirectory)
        let actual = try fixture.outputFiles()
        XCTAssertEqual(Set(expected.keys).subtracting(actual.keys).sorted(), [], "files missing", file: file, line: line)
        XCTAssertEqual(Set(actual.keys).subtracting(expected.keys).sorted(), [], "files a clean build does not make", file: file, line: line)
        for (path, data) in expected where actual[path] != data {
            XCTFail("\(path) differs from a clean build", file: file, line: line)
        }
        var trust = try TrustFile.load(from: fixture.options.trustFile)
        var cleanTrust = try TrustFile.load(from: options.trustFile)
        trust.generated = cleanTrust.generated
        cleanTrust.generated = trust.generated
        XCTAssertEqual(trust, cleanTrust, "the same trust file", file: file, line: line)
    }

    func testEditingOneItemSealsItItsPageAndItsIndexOnlyAndMatchesACleanBuild() throws {
        let before = try fixture.outputFiles()
        try edit("news/fietsverlichting.md") { $0 + "\nNog een zin over lampjes.\n" }
        let summary = try build()
        XCTAssertTrue(summary.incremental)
        XCTAssertEqual(summary.rendered, 1, "one item rendered again")
        XCTAssertEqual(summary.audiences, 1)
        // Its blob, its page and the school's index: nothing else was written.
        XCTAssertEqual(summary.files, 3)
        let after = try fixture.outputFiles()
        XCTAssertEqual(after.filter { before[$0.key] != $0.value }.count, 3)
        XCTAssertEqual(before.filter { after[$0.key] == nil }.count, 2, "the old blob and page are removed")
        try assertMatchesCleanBuild()
        // And the parent's app reads the new text.
        let opener = try SealedSiteOpener(output: fixture.output, token: token)
        let entry = try XCTUnwrap(opener.manifests().flatMap(\.items).first { $0.path == "news/fietsverlichting" })
        XCTAssertTrue(try String(decoding: opener.open(blob: entry.blob, key: entry.key), as: UTF8.self).contains("lampjes"))
        XCTAssertEqual(try build().unchanged, true)
    }

    func testAddingRemovingRenamingAndMovingItemsMatchesACleanBuild() throws {
        try write("news/nieuw-bericht.md", "---\ntitle: Nieuw bericht\ndate: 2026-11-30 09:00\n---\nZie [luizen](/news/luizencontrole).\n")
        XCTAssertTrue(try build().incremental)
        try assertMatchesCleanBuild()

        try FileManager.default.removeItem(at: file("news/gevonden-voorwerpen.md"))
        XCTAssertTrue(try build().incremental)
        try assertMatchesCleanBuild()

        // A new slug is a new logical path; a new date moves the item to another page.
        try edit("news/nieuw-bericht.md") { $0.replacingOccurrences(of: "title: Nieuw bericht", with: "title: Nieuw bericht\nslug: ander-bericht") }
        XCTAssertTrue(try build().incremental)
        try assertMatchesCleanBuild()
        try edit("news/fietsverlichting.md") { $0.replacingOccurrences(of: "date: 2026-11-10", with: "date: 2024-03-01") }
        XCTAssertTrue(try build().incremental)
        try assertMatchesCleanBuild()

        // Thirty items in one old month gather that month into a page of its own: the pages
        // after it are laid out again, and still match a clean build.
        for number in 1...30 {
            try write("groups/groep-3/news/oud-\(number).md", "---\ntitle: Oud bericht \(number)\ndate: 2025-01-\(String(format: "%02d", number % 28 + 1)) 08:00\n---\nTekst \(number).\n")
        }
        let many = try build()
        XCTAssertTrue(many.incremental)
        XCTAssertEqual(many.rendered, 30)
        try assertMatchesCleanBuild()
        for number in 1...30 { try FileManager.default.removeItem(at: file("groups/groep-3/news/oud-\(number).md")) }
        XCTAssertTrue(try build().incremental)
        try assertMatchesCleanBuild()
    }

    func testAReplacedAlbumPhotoReSealsThatAlbumOnly() throws {
        let photo = file("albums/kinderboekenweek-2026/boekenboog.jpg")
        let other = file("albums/kinderboekenweek-2026/bibliotheekhoek.jpg")
        try FileManager.default.removeItem(at: photo)
        try FileManager.default.copyItem(at: other, to: photo)
        let summary = try build()
        XCTAssertTrue(summary.incremental)
        XCTAssertEqual(summary.rendered, 1)
        try assertMatchesCleanBuild()
    }

    func testProblemsAcrossItemsAreFoundWithoutReadingTheOthersAgain() throws {
        let before = try fixture.outputFiles()
        func assertProblem(_ expected: String, file: StaticString = #filePath, line: UInt = #line) {
            XCTAssertThrowsError(try build(), file: file, line: line) { error in
                let text = ((error as? BuildError)?.problems ?? []).map(\.description).joined(separator: "\n")
                XCTAssertTrue(text.contains(expected), text, file: file, line: line)
            }
        }
        // An unchanged item links to the one removed.
        try FileManager.default.removeItem(at: file("news/kerstviering-2026.md"))
        assertProblem("calendar/kerstdiner.md:8: link to '/news/kerstviering-2026' does not match any item")
        try write("news/kerstviering-2026.md", "---\ntitle: Kerstviering\ndate: 2026-11-27 18:00\nattachments: [kerstdiner-intekenlijst.pdf]\ndraft: true\n---\nTekst.\n")
        assertProblem("calendar/kerstdiner.md:8: link to '/news/kerstviering-2026' points to a draft")
        try write("news/kerstviering-2026.md", "---\ntitle: Kerstviering\ndate: 2026-11-27 18:00\nattachments: [kerstdiner-intekenlijst.pdf]\nslug: luizencontrole\n---\nTekst.\n")
        assertProblem("logical path 'news/luizencontrole' is also used by")
        try FileManager.default.removeItem(at: file("news/kerstviering-2026.md"))
        try write("news/kerstviering-2026.md", "---\ntitle: Kerstviering\ndate: 2026-11-27 18:00\nattachments: [kerstdiner-intekenlijst.pdf]\n---\nTekst.\n")
        try FileManager.default.copyItem(at: file("albums/kinderboekenweek-2026/boekenboog.jpg"), to: file("albums/kinderboekenweek-2026/los.jpg"))
        assertProblem("albums/kinderboekenweek-2026/los.jpg: image is not used by any item")
        XCTAssertEqual(try fixture.outputFiles(), before, "nothing was written")
        try FileManager.default.removeItem(at: file("albums/kinderboekenweek-2026/los.jpg"))
        XCTAssertTrue(try build().incremental)
        try assertMatchesCleanBuild()
    }

    func testChangesOutsideTheItemsBuildEverythingToTheSameResult() throws {
        // site.yaml: a group's title is in its index and in every keyslot.
        try edit("site.yaml") { $0.replacingOccurrences(of: "title: Groep 3", with: "title: Groep 3 (juf Anna)") }
        XCTAssertFalse(try build().incremental)
        try assertMatchesCleanBuild()
        // The theme's item template renders every fragment.
        let theme = fixture.root.appendingPathComponent("theme")
        try FileManager.default.copyItem(at: fixture.theme, to: theme)
        var options = fixture.options
        options.themeDirectory = theme
        let template = theme.appendingPathComponent("templates/item.mustache")
        try (String(contentsOf: template, encoding: .utf8) + "\n<!-- v2 -->\n").write(to: template, atomically: true, encoding: .utf8)
        clock = clock.addingTimeInterval(60)
        options.now = clock
        XCTAssertFalse(try Generator(options: options).run().incremental)
        // A conference schedule is in the trust file with the tokens.
        try edit("groups/groep-1-2b/conferences/oudergesprekken-februari.md") { $0.replacingOccurrences(of: "slot_minutes: 10", with: "slot_minutes: 15") }
        XCTAssertFalse(try build().incremental)
        try assertMatchesCleanBuild()
    }

    func testTokensIssuedAndRevokedSealKeysAgainButNoItemOrPhoto() throws {
        let before = try fixture.outputFiles()
        let second = try fixture.issue(["groep-5", "groep-8"])
        let issued = try build()
        XCTAssertTrue(issued.rekeyed)
        XCTAssertEqual(issued.audiences, 0, "a new token re-keys no audience")
        XCTAssertEqual(issued.tokens, 2)
        try assertMatchesCleanBuild()
        XCTAssertEqual(try SealedSiteOpener(output: fixture.output, token: second).keyslot.audiences.map(\.id).sorted(), ["groep-5", "groep-8", "school"])
        let withTwo = try fixture.outputFiles()

        // A revocation moves the epochs of groep 5, groep 8 and the school: their pages and
        // indexes are sealed again under the new keys; every item and photo blob stays.
        try fixture.revoke(second)
        let revoked = try build()
        XCTAssertTrue(revoked.rekeyed)
        XCTAssertEqual(revoked.audiences, 3)
        try assertMatchesCleanBuild()
        let after = try fixture.outputFiles()
        let opener = try SealedSiteOpener(output: fixture.output, token: token)
        for manifest in try opener.manifests() {
            for entry in manifest.items { XCTAssertEqual(after[entry.blob], before[entry.blob], entry.path) }
        }
        XCTAssertThrowsError(try SealedSiteOpener(output: fixture.output, token: second), "the revoked token opens nothing")
        XCTAssertNil(after.keys.first { $0.hasPrefix("k/") && withTwo[$0] != nil && after[$0] == nil })
        XCTAssertEqual(after.keys.filter { $0.hasPrefix("k/") }.count, 1, "the revoked token's keyslot is gone")
        // Then an item edit is incremental again, on the new keys.
        try edit("news/fietsverlichting.md") { $0 + "\nNa de intrekking.\n" }
        XCTAssertTrue(try build().incremental)
        try assertMatchesCleanBuild()
    }

    func testAnOutputOrLedgerThatDoesNotMatchFallsBackToAFullBuild() throws {
        // The page of the item to edit is damaged in output/: it cannot be opened for the
        // entries of the other items it lists.
        let opener = try SealedSiteOpener(output: fixture.output, token: token)
        let holding = try XCTUnwrap(opener.pages(of: "school").first { $0.items.contains { $0.path == "news/fietsverlichting" } })
        let page = try XCTUnwrap(opener.index(of: "school").pages.first { $0.id == holding.id })
        let damaged = fixture.output.appendingPathComponent(page.blob)
        var bytes = try Data(contentsOf: damaged)
        bytes[bytes.count - 1] ^= 1
        try bytes.write(to: damaged)
        try edit("news/fietsverlichting.md") { $0 + "\nEen zin.\n" }
        XCTAssertFalse(try build().incremental)
        try assertMatchesCleanBuild()
        // Without a ledger the next build is a full one too.
        try FileManager.default.removeItem(at: fixture.keys.appendingPathComponent("cache/build-ledger"))
        try edit("news/fietsverlichting.md") { $0 + "\nNog een zin.\n" }
        XCTAssertFalse(try build().incremental)
        try edit("news/fietsverlichting.md") { $0 + "\nEn nog een.\n" }
        XCTAssertTrue(try build().incremental)
        try assertMatchesCleanBuild()
        // A trust file that is not the one the last build wrote is written again, in full.
        var trust = try TrustFile.load(from: fixture.options.trustFile)
        trust.tokens.removeAll()
        try trust.write(to: fixture.options.trustFile)
        try edit("news/fietsverlichting.md") { $0 + "\nEen laatste.\n" }
        XCTAssertFalse(try build().incremental)
        XCTAssertEqual(try TrustFile.load(from: fixture.options.trustFile).tokens.count, 1)
        try assertMatchesCleanBuild()
        // Likewise before a re-key: the trust file is written again, in full.
        try trust.write(to: fixture.options.trustFile)
        _ = try fixture.issue(["groep-4"])
        let rebuilt = try build()
        XCTAssertFalse(rebuilt.rekeyed || rebuilt.incremental)
        try assertMatchesCleanBuild()
    }
}
