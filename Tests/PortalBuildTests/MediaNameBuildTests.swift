// `generate` on a site whose image names need %-escapes in Markdown: the file that `check`
// accepts is the file that the photo stage processes and the manifest names.
import Foundation
import PortalBuild
import PortalTestSupport
import PortalPhotos
import PortalTestSupport
import XCTest

final class MediaNameBuildTests: XCTestCase {
    func testPercentEncodedImageIsProcessedAndSealed() throws {
        let fixture = try SealedSiteFixture(content: repositoryRoot.appendingPathComponent("Tests/Fixtures/sites/media-names"))
        let token = try fixture.issue(["groep-3"])
        let summary = try fixture.generate()
        XCTAssertEqual(summary.media, 1, "![..](foto%20een.jpg) and ![..](<foto een.jpg>) are one file")

        let opener = try SealedSiteOpener(output: fixture.output, token: token)
        let school = try XCTUnwrap(try opener.manifests().first { $0.audience == "school" })
        XCTAssertEqual(Array(school.media.keys), ["news/klassenfoto/foto een.jpg"])
        let media = try XCTUnwrap(school.media["news/klassenfoto/foto een.jpg"])
        let bytes = try opener.open(blob: media.blob, key: media.key)
        XCTAssertEqual(try PhotoMetadata.probe(bytes, displayPath: "foto een.jpg").width, media.width)

        let entry = try XCTUnwrap(school.items.first { $0.path == "news/klassenfoto" })
        let html = String(decoding: try opener.open(blob: entry.blob, key: entry.key), as: UTF8.self)
        XCTAssertEqual(html.components(separatedBy: "data-media=\"news/klassenfoto/foto een.jpg\"").count, 3, html)
    }
}
