// `attachments:` on an item: what loading accepts, and every way a file can be wrong, each
// reported at the line that names it.
import Foundation
import PortalContent
import XCTest

final class AttachmentContentTests: XCTestCase {
    private var folder: URL!
    private let pdf = Data("%PDF-1.4\n1 0 obj << >> endobj\ntrailer << >>\n%%EOF\n".utf8)
    /// The start of an Office Open XML file (a ZIP container).
    private let docx = Data([0x50, 0x4B, 0x03, 0x04, 0x14, 0x00, 0x06, 0x00] + Array(repeating: 0, count: 40))

    override func setUpWithError() throws {
        folder = try temporarySite("portal-attachments")
    }

    override func tearDownWithError() throws {
        try? FileManager.default.removeItem(at: folder)
    }

    private func write(_ relative: String, _ data: Data) throws {
        let url = folder.appendingPathComponent(relative)
        try FileManager.default.createDirectory(at: url.deletingLastPathComponent(), withIntermediateDirectories: true)
        try data.write(to: url)
    }

    private func news(_ name: String, attachments: String) throws {
        try write("news/\(name).md", Data("---\ntitle: Brief\ndate: 2026-12-01\nattachments:\n\(attachments)---\nTekst van de brief.\n".utf8))
    }

    func testAttachmentsLoadWithTitleTypeAndSize() throws {
        try write("news/nieuwsbrief-december.pdf", pdf)
        try write("news/aanmelding.docx", docx)
        try news("brief", attachments: "  - nieuwsbrief-december.pdf\n  - file: aanmelding.docx\n    title: Aanmeldformulier\n")
        try write("groups/groep-5/pages/rooster/index.md", Data("---\ntitle: Rooster\nattachments: [rooster.pdf]\n---\nHet rooster.\n".utf8))
        try write("groups/groep-5/pages/rooster/rooster.pdf", pdf)

        let site = try ContentLoader(root: folder).load()
        let brief = try XCTUnwrap(site.items.first { $0.logicalPath == "news/brief" })
        XCTAssertEqual(brief.attachments, [
            Attachment(file: "nieuwsbrief-december.pdf", title: "nieuwsbrief-december", type: .pdf, size: pdf.count),
            Attachment(file: "aanmelding.docx", title: "Aanmeldformulier", type: .docx, size: docx.count),
        ])
        XCTAssertEqual(brief.media.filter { $0.kind == .attachment }.map(\.sourcePath), ["news/nieuwsbrief-december.pdf", "news/aanmelding.docx"])
        XCTAssertEqual(brief.media.first { $0.kind == .attachment }?.line, 5)
        let rooster = try XCTUnwrap(site.items.first { $0.logicalPath == "groups/groep-5/pages/rooster" })
        XCTAssertEqual(rooster.attachments.map(\.file), ["rooster.pdf"])
        XCTAssertEqual(rooster.audience, .group("groep-5"))
        XCTAssertEqual(AttachmentType.docx.mimeType, "application/vnd.openxmlformats-officedocument.wordprocessingml.document")
    }

    func testEveryWrongAttachmentIsReportedWhereItIsNamed() throws {
        try write("news/brief.pdf", pdf)
        try write("news/foto.pdf", Data([0xFF, 0xD8, 0xFF, 0xE0] + Array(repeating: 0, count: 20)))  // a JPEG named .pdf
        try write("news/leeg.pdf", Data())
        try write("news/setup.exe", Data("MZ".utf8))
        try write("news/oud.pdf", pdf)  // listed by nobody
        // 21 MB without writing 21 MB: a sparse file.
        try write("news/groot.pdf", pdf)
        let handle = try FileHandle(forWritingTo: folder.appendingPathComponent("news/groot.pdf"))
        try handle.truncate(atOffset: 21 * 1024 * 1024)
        try handle.close()
        try news("brief", attachments: """
              - brief.pdf
              - brief.pdf
              - breif.pdf
              - foto.pdf
              - leeg.pdf
              - setup.exe
              - groot.pdf
              - map/brief.pdf
              - title: Zonder bestand
              - file: brief.pdf
                titel: Brief

            """)
        try news("leeg", attachments: "  []\n")

        do {
            _ = try ContentLoader(root: folder).load()
            XCTFail("loaded")
        } catch {
            XCTAssertEqual(error.problems.map(\.description), [
                "news/brief.md:6: attachment 'brief.pdf' is already listed on line 5",
                "news/brief.md:7: attachment 'breif.pdf' not found in news/ (did you mean 'brief.pdf'?)",
                "news/brief.md:8: attachment 'foto.pdf' is not a real .pdf file (its first bytes are not those of one); save it again as .pdf and try once more",
                "news/brief.md:9: attachment 'leeg.pdf' is empty",
                "news/brief.md:10: attachment 'setup.exe' is not a kind of file parents can open here; use .pdf, .doc, .docx, .xls, .xlsx, .ppt, .pptx, .odt, .ods, .odp",
                "news/brief.md:11: attachment 'groot.pdf' is 21 MB; attachments may be at most 20 MB: make it smaller (a PDF saved 'for screen' or with smaller images) or split it",
                "news/brief.md:12: attachment 'map/brief.pdf' must be a file name in news/, not a path",
                "news/brief.md:13: missing required key 'file' in attachment",
                "news/brief.md:14: attachment 'brief.pdf' is already listed on line 5",
                "news/brief.md:15: unknown key 'titel' in attachment (did you mean 'title'?)",
                "news/leeg.md:4: 'attachments' is an empty list; list the files or leave 'attachments' out",
                "news/oud.pdf: attachment is not used by any item; list it under 'attachments:' of the item beside it, remove it, or rename it to start with '_'",
                "news/setup.exe: is not a Markdown file, an image (.jpg, .jpeg, .png, .webp or .heic) or an attachment (.pdf, .doc, .docx, .xls, .xlsx, .ppt, .pptx, .odt, .ods, .odp); remove it, or rename it to start with '_' to keep it out of the portal",
            ])
        }
    }

    /// An incremental load sees a changed attachment as a change of the item that lists it.
    func testAChangedAttachmentChangesItsItem() throws {
        try write("news/brief.pdf", pdf)
        try news("brief", attachments: "  - brief.pdf\n")
        let loaded = try ContentLoader(root: folder).loadWithFacts()
        let facts = try XCTUnwrap(loaded.facts.first { $0.sourcePath == "news/brief.md" })
        XCTAssertTrue(facts.depends(on: ["news/brief.pdf"]))
        XCTAssertFalse(facts.depends(on: ["news/ander.pdf"]))
    }
}
