// Format 2 as the build writes it: content-addressed blobs that an edit or a revocation leaves in
// place, one sequence per audience that moves only with that audience, keyslots that grow with
// the largest token, and the publisher's signature that a parent holding the school key cannot
// forge.
import Foundation
import XCTest
@testable import PortalBuild
import PortalCrypto
import PortalFormat
import PortalTestSupport

final class FormatV2BuildTests: XCTestCase {
    /// The `b/` files an opener reaches from the token's pages: item fragments and image variants.
    private func itemBlobs(_ opener: SealedSiteOpener) throws -> Set<String> {
        var blobs: Set<String> = []
        for manifest in try opener.manifests() {
            blobs.formUnion(manifest.items.map(\.blob))
            for media in manifest.media.values {
                blobs.insert(media.blob)
                if let thumb = media.thumb { blobs.insert(thumb.blob) }
            }
        }
        return blobs
    }

    func testRevocationReSealsKeysAndPagesButNoItemOrPhoto() throws {
        let fixture = try SealedSiteFixture()
        let revoked = try fixture.issue(["groep-5"])
        let kept = try fixture.issue(["groep-5", "groep-1-2a"])
        try fixture.generate()
        let before = try fixture.outputFiles()
        let blobsBefore = try itemBlobs(SealedSiteOpener(output: fixture.output, token: kept))
        XCTAssertGreaterThan(blobsBefore.count, 50)

        try fixture.revoke(revoked)
        try fixture.generate()
        let after = try fixture.outputFiles()
        let opener = try SealedSiteOpener(output: fixture.output, token: kept)
        XCTAssertEqual(opener.keyslot.audiences.first { $0.id == "groep-5" }?.epoch, 2)
        // Every item and photo blob is the same file, byte for byte, under the same name.
        XCTAssertEqual(try itemBlobs(opener), blobsBefore)
        for blob in blobsBefore { XCTAssertEqual(after[blob], before[blob], blob) }
        // What was written again: keyslots, the re-keyed audiences' indexes and pages.
        let sealed = { (files: [String: Data]) in files.filter { $0.key.hasPrefix("b/") || $0.key.hasPrefix("i/") || $0.key.hasPrefix("k/") } }
        let rewritten = sealed(after).filter { before[$0.key] != $0.value }
        let rewrittenBytes = rewritten.values.reduce(0) { $0 + $1.count }
        let total = sealed(after).values.reduce(0) { $0 + $1.count }
        XCTAssertTrue(rewritten.keys.allSatisfy { !blobsBefore.contains($0) })
        XCTAssertLessThan(Double(rewrittenBytes) / Double(total), 0.05, "\(rewrittenBytes) of \(total) bytes re-written")
        // The revoked token's keys open none of the new indexes.
        XCTAssertThrowsError(try SealedSiteOpener(output: fixture.output, token: revoked))
    }

    func testEditOneItemChangesItsBlobItsPageAndItsIndexOnly() throws {
        let fixture = try SealedSiteFixture()
        let token = try fixture.issue(["groep-3"])
        try fixture.generate()
        let before = try fixture.outputFiles()
        let openerBefore = try SealedSiteOpener(output: fixture.output, token: token)
        let schoolBefore = try openerBefore.index(of: "school")
        let groupBefore = try openerBefore.index(of: "groep-3")

        let item = fixture.content.appendingPathComponent("news/fietsverlichting.md")
        try (String(contentsOf: item, encoding: .utf8) + "\nNog een zin.\n").write(to: item, atomically: true, encoding: .utf8)
        var options = fixture.options
        options.now = Date().addingTimeInterval(5)
        _ = try Generator(options: options).run()
        let after = try fixture.outputFiles()
        let opener = try SealedSiteOpener(output: fixture.output, token: token)

        // Keyslots are untouched: the index names do not change with the content.
        for (path, data) in after where path.hasPrefix("k/") { XCTAssertEqual(before[path], data, path) }
        // groep 3 did not change: same index bytes, same sequence.
        XCTAssertEqual(try opener.index(of: "groep-3"), groupBefore)
        let groupIndex = try XCTUnwrap(opener.keyslot.audiences.first { $0.id == "groep-3" }).index
        XCTAssertEqual(after[groupIndex], before[groupIndex])
        // The school moved forward by one edit: new sequence, one page differs.
        let school = try opener.index(of: "school")
        XCTAssertGreaterThan(school.sequence, schoolBefore.sequence)
        XCTAssertEqual(school.pages.map(\.id), schoolBefore.pages.map(\.id), "an edit moves no page boundary")
        let changedPages = zip(school.pages, schoolBefore.pages).filter { $0.blob != $1.blob }
        XCTAssertEqual(changedPages.count, 1)
        let edited = try XCTUnwrap(changedPages.first?.0)
        XCTAssertTrue(try opener.pages(of: "school").first { $0.id == edited.id }!.items.contains { $0.path == "news/fietsverlichting" })
        // Two new files (the item and its page; the index is rewritten in place), and the two old
        // versions are gone from this output.
        let added = Set(after.keys).subtracting(before.keys)
        XCTAssertEqual(added.count, 2, "\(added.sorted())")
        XCTAssertEqual(Set(before.keys).subtracting(after.keys).count, 2)
        // An old device that held the previous index must refuse it now (the host replays it).
        XCTAssertThrowsError(try SealedFiles.openIndex(
            Array(try XCTUnwrap(before[try XCTUnwrap(opener.keyslot.audiences.first).index])),
            key: try SymmetricKey(bytes: Array(Data(base64Encoded: opener.keyslot.audiences[0].key)!)),
            audience: "school", epoch: 1, siteID: opener.site.siteID,
            publisher: Array(Data(base64Encoded: opener.keyslot.publisher)!), seen: school.sequence)) { error in
            XCTAssertEqual((error as? OpenFailure)?.reason, "rollback")
        }
    }

    func testSequenceNeverGoesBackWhenTheBuildForgetsIt() throws {
        let fixture = try SealedSiteFixture()
        let token = try fixture.issue(["groep-3"])
        var options = fixture.options
        options.now = Date().addingTimeInterval(3600)
        _ = try Generator(options: options).run()
        let first = try SealedSiteOpener(output: fixture.output, token: token).index(of: "school").sequence
        // Edited twice within the same second: each build still moves the sequence by at least one.
        let item = fixture.content.appendingPathComponent("news/fietsverlichting.md")
        try (String(contentsOf: item, encoding: .utf8) + "\nEen.\n").write(to: item, atomically: true, encoding: .utf8)
        _ = try Generator(options: options).run()
        let second = try SealedSiteOpener(output: fixture.output, token: token).index(of: "school").sequence
        XCTAssertEqual(second, first + 1)
        // keys/ restored from a backup without the build's memory: the clock takes over, and a
        // later clock issues a higher number than every earlier build.
        try FileManager.default.removeItem(at: fixture.keys.appendingPathComponent("cache"))
        try (String(contentsOf: item, encoding: .utf8) + "\nTwee.\n").write(to: item, atomically: true, encoding: .utf8)
        options.now = options.now.addingTimeInterval(60)
        _ = try Generator(options: options).run()
        let third = try SealedSiteOpener(output: fixture.output, token: token).index(of: "school").sequence
        XCTAssertGreaterThan(third, second)
    }

    func testKeyslotsGrowWithTheLargestTokenAndStayOneSize() throws {
        let source = try SealedSiteFixture()
        let siteFile = source.content.appendingPathComponent("site.yaml")
        var yaml = try String(contentsOf: siteFile, encoding: .utf8)
        let extra = (1...24).map { "  - id: extra-\($0)\n    title: Extra groep \($0)\n    teacher: Juf \($0)\n" }.joined()
        yaml = yaml.replacingOccurrences(of: "groups:\n", with: "groups:\n" + extra)
        try yaml.write(to: siteFile, atomically: true, encoding: .utf8)
        let everything = try source.issue((1...24).map { "extra-\($0)" } + ["groep-3", "groep-4", "groep-5"])
        let small = try source.issue(["groep-3"])
        try source.generate()
        let info = try source.siteInfo()
        XCTAssertEqual(info.keyslotSize, 8192, "27 groups do not fit 4096 bytes")
        let keyslots = try source.outputFiles().filter { $0.key.hasPrefix("k/") }
        XCTAssertEqual(Set(keyslots.values.map(\.count)), [Envelope.overhead + 8192], "one size for every keyslot")
        XCTAssertEqual(try SealedSiteOpener(output: source.output, token: everything).keyslot.audiences.count, 28)
        XCTAssertEqual(try SealedSiteOpener(output: source.output, token: small).keyslot.audiences.count, 2)
    }

    /// A parent holds the school key and could seal anything under it; with the host's help they
    /// could replace the school's index with "school closed tomorrow". Only the publisher signs.
    func testAParentHoldingTheSchoolKeyCannotForgeTheSchoolsIndex() throws {
        let fixture = try SealedSiteFixture()
        let token = try fixture.issue(["groep-3"])
        try fixture.generate()
        let opener = try SealedSiteOpener(output: fixture.output, token: token)
        let school = try XCTUnwrap(opener.keyslot.audiences.first { $0.id == "school" })
        let key = try SymmetricKey(bytes: Array(Data(base64Encoded: school.key)!))
        // A forged page and an index listing it, sealed correctly, signed by the parent's own key.
        let itemKey = try SymmetricKey(bytes: [UInt8](repeating: 7, count: 32))
        let item = try Envelope.seal(Array("<article>School morgen dicht</article>".utf8), key: itemKey, associatedData: AssociatedData.itemBlob)
        let page = try Envelope.seal(try CanonicalJSON.encode(ManifestPage(id: "2026-12", items: [
            .init(path: "news/dicht", kind: "news", title: "School morgen dicht", summary: "", weight: 0,
                  blob: ContentAddress.path(of: item), key: Data(itemKey.bytes).base64EncodedString()),
        ], media: [:])), key: key, associatedData: AssociatedData.page(audience: "school", epoch: school.epoch, pageID: "2026-12"))
        let real = try opener.index(of: "school")
        let body = try CanonicalJSON.encode(AudienceIndex(
            siteID: real.siteID, audience: "school", title: real.title, epoch: real.epoch, sequence: real.sequence + 1,
            pages: [.init(id: "2026-12", blob: ContentAddress.path(of: page), count: 1)] + real.pages))
        let forged = SignedDocument.sign(body, kind: "index", seed: [UInt8](repeating: 9, count: 32))
        for (path, bytes) in [
            (ContentAddress.path(of: item), item), (ContentAddress.path(of: page), page),
            (school.index, try Envelope.seal(forged, key: key, associatedData: AssociatedData.index(audience: "school", epoch: school.epoch))),
        ] {
            try Data(bytes).write(to: fixture.output.appendingPathComponent(path))
        }
        XCTAssertThrowsError(try opener.index(of: "school")) { error in
            XCTAssertEqual((error as? OpenFailure)?.reason, "signature")
        }
        // Unsigned (the body alone) is refused the same way.
        try Data(try Envelope.seal(body, key: key, associatedData: AssociatedData.index(audience: "school", epoch: school.epoch)))
            .write(to: fixture.output.appendingPathComponent(school.index))
        XCTAssertThrowsError(try opener.index(of: "school")) { error in
            XCTAssertEqual((error as? OpenFailure)?.reason, "signature")
        }
    }

    /// Pages are months in the school's time zone; the arithmetic agrees with Calendar on month
    /// and year boundaries, both DST changes and a spread of instants over two centuries.
    func testPageMonthsFollowTheSchoolsTimeZone() throws {
        let zone = try XCTUnwrap(TimeZone(identifier: "Europe/Amsterdam"))
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = zone
        func iso(_ text: String) -> Date { ISO8601DateFormatter().date(from: text)! }
        XCTAssertEqual(Sealer.month(of: iso("2026-10-31T22:30:00Z"), in: zone), "2026-10", "23:30 on 31 October, CET")
        XCTAssertEqual(Sealer.month(of: iso("2026-10-31T23:30:00Z"), in: zone), "2026-11", "00:30 on 1 November")
        XCTAssertEqual(Sealer.month(of: iso("2027-03-31T22:30:00Z"), in: zone), "2027-04", "00:30 on 1 April, CEST")
        XCTAssertEqual(Sealer.month(of: iso("2026-12-31T23:00:00Z"), in: zone), "2027-01", "midnight on new year")
        var rng = SystemRandomNumberGenerator()
        for _ in 0..<5000 {
            let date = Date(timeIntervalSince1970: Double(Int64.random(in: -2_000_000_000...5_000_000_000, using: &rng)))
            let parts = calendar.dateComponents([.year, .month], from: date)
            XCTAssertEqual(Sealer.month(of: date, in: zone), String(format: "%04d-%02d", parts.year!, parts.month!), "\(date)")
        }
    }

    /// Months are gathered from the oldest on into pages of at least 20 items, named after their
    /// newest month; new months change only the newest page.
    func testPagesGatherMonthsFromTheOldestAndNewMonthsTouchOnlyTheNewestPage() {
        func month(_ id: String, _ count: Int) -> (String, ManifestPage) {
            (id, ManifestPage(id: id, items: (0..<count).map {
                .init(path: "\(id)/\($0)", kind: "news", title: "t", summary: "", weight: 0, blob: "b/x", key: "k")
            }, media: [:]))
        }
        let months = Dictionary(uniqueKeysWithValues: [
            month("pinned", 3), month("2025-09", 12), month("2025-10", 9), month("2025-11", 30), month("2025-12", 4), month("2026-01", 5),
        ])
        let pages = Sealer.gather(months: months)
        XCTAssertEqual(pages.map(\.id), ["pinned", "2026-01", "2025-11", "2025-10"])
        XCTAssertEqual(pages.map(\.items.count), [3, 9, 30, 21])
        XCTAssertEqual(pages[3].items.first?.path, "2025-10/0", "newest month first within a page")
        var later = months
        later["2026-02"] = month("2026-02", 20).1
        let grown = Sealer.gather(months: later)
        XCTAssertEqual(Array(grown.dropFirst(2)), Array(pages.dropFirst(2)), "older pages stay byte for byte")
        XCTAssertEqual(grown[1].id, "2026-02")
    }
}
