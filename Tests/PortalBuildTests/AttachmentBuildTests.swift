// `generate` with attachments: each file sealed as it is under its own item key, listed under
// its item for the item's audience only, and sealed again when the file changes.
import Foundation
import PortalBuild
import PortalFormat
import PortalTestSupport
import XCTest

final class AttachmentBuildTests: XCTestCase {
    private let schoolPDF = "news/kerstdiner-intekenlijst.pdf"

    func testAttachmentIsSealedUnderItsItemForItsAudienceOnly() throws {
        let fixture = try SealedSiteFixture()
        let group = "groups/groep-5/news/rooster-gym.docx"
        let docx = Data([0x50, 0x4B, 0x03, 0x04] + Array("word/document.xml gymrooster groep 5".utf8))
        try docx.write(to: fixture.content.appendingPathComponent(group))
        try Data("---\ntitle: Gymrooster\ndate: 2026-11-30\nattachments:\n  - file: rooster-gym.docx\n    title: Gymrooster groep 5\n---\nZie de bijlage.\n".utf8)
            .write(to: fixture.content.appendingPathComponent("groups/groep-5/news/gymrooster.md"))
        let five = try fixture.issue(["groep-5"])
        let three = try fixture.issue(["groep-3"])
        try fixture.generate()

        let opener = try SealedSiteOpener(output: fixture.output, token: five)
        let manifests = try opener.manifests()
        let school = try XCTUnwrap(manifests.first { $0.audience == "school" })
        let kerst = try XCTUnwrap(school.items.first { $0.path == "news/kerstviering-2026" })
        let pdf = try Data(contentsOf: fixture.content.appendingPathComponent(schoolPDF))
        XCTAssertEqual(kerst.attachments, [Manifest.Attachment(
            media: "news/kerstviering-2026/kerstdiner-intekenlijst.pdf", title: "Intekenlijst kerstdiner",
            name: "kerstdiner-intekenlijst.pdf", size: pdf.count)])
        let sealedPDF = try XCTUnwrap(school.media["news/kerstviering-2026/kerstdiner-intekenlijst.pdf"])
        XCTAssertEqual(sealedPDF.type, "application/pdf")
        XCTAssertNil(sealedPDF.width)
        XCTAssertEqual(try opener.open(blob: sealedPDF.blob, key: sealedPDF.key), Array(pdf), "the file as the school wrote it")
        // The host sees a padded blob with a content-derived name, not the PDF.
        let onDisk = try opener.file(sealedPDF.blob)
        XCTAssertNil(onDisk.firstRange(of: Array("%PDF".utf8)))
        XCTAssertGreaterThan(onDisk.count, pdf.count)

        let fragment = String(decoding: try opener.open(blob: kerst.blob, key: kerst.key), as: UTF8.self)
        XCTAssertTrue(fragment.contains("data-attachment=\"news/kerstviering-2026/kerstdiner-intekenlijst.pdf\""), fragment)
        XCTAssertTrue(fragment.contains("Intekenlijst kerstdiner</a> <span class=\"attachment__meta\">PDF, "), fragment)

        let groupManifest = try XCTUnwrap(manifests.first { $0.audience == "groep-5" })
        let gym = try XCTUnwrap(groupManifest.items.first { $0.path == "groups/groep-5/news/gymrooster" })
        XCTAssertEqual(gym.attachments?.map(\.title), ["Gymrooster groep 5"])
        let sealedDocx = try XCTUnwrap(groupManifest.media["groups/groep-5/news/gymrooster/rooster-gym.docx"])
        XCTAssertEqual(sealedDocx.type, "application/vnd.openxmlformats-officedocument.wordprocessingml.document")
        XCTAssertEqual(try opener.open(blob: sealedDocx.blob, key: sealedDocx.key), Array(docx))

        // A parent of groep 3 gets the school's attachment, not groep 5's.
        let other = try SealedSiteOpener(output: fixture.output, token: three).manifests()
        XCTAssertNotNil(other.flatMap(\.media.keys).first { $0.hasSuffix("kerstdiner-intekenlijst.pdf") })
        XCTAssertNil(other.flatMap(\.media.keys).first { $0.hasSuffix(".docx") })
        XCTAssertFalse(other.flatMap(\.items).contains { $0.path == "groups/groep-5/news/gymrooster" })
    }

    /// A new version of the PDF alone makes the next build seal it again (and drop the old blob),
    /// byte-identical in what it lists to a clean build of the same content.
    func testAChangedAttachmentIsSealedAgain() throws {
        let fixture = try SealedSiteFixture()
        let token = try fixture.issue(["groep-3"])
        try fixture.generate()
        let before = try XCTUnwrap(try SealedSiteOpener(output: fixture.output, token: token).manifests().first { $0.audience == "school" })
        let oldBlob = try XCTUnwrap(before.media["news/kerstviering-2026/kerstdiner-intekenlijst.pdf"]).blob

        let changed = Data("%PDF-1.7\n% tweede versie van de lijst\n%%EOF\n".utf8)
        try changed.write(to: fixture.content.appendingPathComponent(schoolPDF))
        let summary = try fixture.generate()
        XCTAssertTrue(summary.incremental, "one changed file is an incremental build")

        let opener = try SealedSiteOpener(output: fixture.output, token: token)
        let school = try XCTUnwrap(try opener.manifests().first { $0.audience == "school" })
        let sealed = try XCTUnwrap(school.media["news/kerstviering-2026/kerstdiner-intekenlijst.pdf"])
        XCTAssertNotEqual(sealed.blob, oldBlob)
        XCTAssertEqual(try opener.open(blob: sealed.blob, key: sealed.key), Array(changed))
        XCTAssertEqual(school.items.first { $0.path == "news/kerstviering-2026" }?.attachments?.first?.size, changed.count)
        XCTAssertFalse(FileManager.default.fileExists(atPath: fixture.output.appendingPathComponent(oldBlob).path), "the old version is gone")
    }
}
