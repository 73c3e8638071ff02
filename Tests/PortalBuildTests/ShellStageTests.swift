// FORMAT.md "App shell": the shell's files in a folder named by their bytes, the page, the worker
// and the manifest pointed into it, and the publisher-signed list that a worker checks.
import Foundation
@testable import PortalBuild
import PortalCrypto
import PortalFormat
import PortalKeys
import XCTest
import PortalTestSupport

final class ShellStageTests: XCTestCase {
    func testTheSignedListNamesEveryFileOfTheShellWithItsHash() throws {
        let fixture = try SealedSiteFixture()
        try fixture.generate()
        let index = try fixture.shellIndex()
        let files = try fixture.outputFiles()
        let format1 = Set(files.filter { $0.value == Data(ShellStage.format1Placeholder) }.keys)
        XCTAssertEqual(format1, Set(ShellStage.format1Names), "the names format 1's worker asks for answer, and are not the app")
        let shellPaths = files.keys.filter {
            !["b/", "i/", "k/"].contains(where: $0.hasPrefix) && $0 != "site.json" && $0 != ShellIndex.path && !format1.contains($0)
        }
        XCTAssertEqual(Set(index.files.keys), Set(shellPaths))
        XCTAssertNil(index.mismatch { files[$0].map(Array.init) })
        let folder = ShellIndex.directory(index.id)
        XCTAssertEqual(Set(shellPaths.filter { !$0.hasPrefix(folder) }), ["index.html", "sw.js", "manifest.webmanifest"])
        XCTAssertTrue(files.keys.contains(folder + "app.js") && files.keys.contains(folder + "i18n/nl.json"))

        // Every file the page, the worker and the manifest name is in the shell's folder.
        let page = String(decoding: try XCTUnwrap(files["index.html"]), as: UTF8.self)
        let worker = String(decoding: try XCTUnwrap(files["sw.js"]), as: UTF8.self)
        let manifest = String(decoding: try XCTUnwrap(files["manifest.webmanifest"]), as: UTF8.self)
        let named = Self.matches(##"(?:href|src)="([^"#:]+)""##, page) + Self.matches(#"from '\./([^']+)'"#, worker)
            + Self.matches(#""src" ?: "([^"]+)""#, manifest)
        XCTAssertGreaterThan(named.count, 25)
        for name in named where name != "manifest.webmanifest" {
            XCTAssertTrue(name.hasPrefix(folder), "\(name) is not in the shell's folder")
            XCTAssertNotNil(index.files[name], "\(name) is not in the signed list")
        }
        XCTAssertTrue(page.contains(#"<script type="module" src="\#(folder)app.js">"#))
    }

    func testAChangedThemeFileMovesTheWholeShellAndAnUnchangedOneKeepsItsBytes() throws {
        let fixture = try SealedSiteFixture()
        try fixture.generate()
        let first = try fixture.shellIndex()
        let firstBytes = try Data(contentsOf: fixture.output.appendingPathComponent(ShellIndex.path))
        try fixture.generate()
        XCTAssertEqual(try Data(contentsOf: fixture.output.appendingPathComponent(ShellIndex.path)), firstBytes, "a build of the same theme signs the same list")

        let theme = fixture.root.appendingPathComponent("theme")
        try FileManager.default.copyItem(at: fixture.theme, to: theme)
        let appJS = theme.appendingPathComponent("app/app.js")
        try (String(contentsOf: appJS, encoding: .utf8) + "\nwindow.__next = 1;\n").write(to: appJS, atomically: true, encoding: .utf8)
        var options = fixture.options
        options.themeDirectory = theme
        try Generator(options: options).run()
        let second = try fixture.shellIndex()
        XCTAssertNotEqual(second.id, first.id)
        XCTAssertTrue(second.files.keys.filter { $0 != "index.html" && $0 != "sw.js" && $0 != "manifest.webmanifest" }
            .allSatisfy { $0.hasPrefix(ShellIndex.directory(second.id)) }, "every file moves, not only app.js")
        XCTAssertEqual(second.files[ShellIndex.directory(second.id) + "style.css"], first.files[ShellIndex.directory(first.id) + "style.css"])
    }

    func testTheListOpensOnlyUnderThePublisherKeyOfItsSiteAndCatchesAChangedFile() throws {
        let fixture = try SealedSiteFixture()
        try fixture.generate()
        let keystore = try Keystore.openOrCreate(at: fixture.keys)
        let bytes = Array(try Data(contentsOf: fixture.output.appendingPathComponent(ShellIndex.path)))
        let publisher = Ed25519.publicKey(seed: keystore.masterKey.publisherSeed)
        let site = Hex.encode(keystore.siteID)
        XCTAssertNoThrow(try ShellIndex.open(bytes, publisher: publisher, siteID: site))

        let other = Ed25519.publicKey(seed: Array(repeating: 7, count: 32))
        XCTAssertThrowsError(try ShellIndex.open(bytes, publisher: other, siteID: site)) { XCTAssertEqual(($0 as? OpenFailure)?.reason, "signature") }
        XCTAssertThrowsError(try ShellIndex.open(bytes, publisher: publisher, siteID: String(repeating: "0", count: 32))) {
            XCTAssertEqual(($0 as? OpenFailure)?.reason, "binding")
        }
        var flipped = bytes
        flipped[flipped.count - 3] ^= 1
        XCTAssertThrowsError(try ShellIndex.open(flipped, publisher: publisher, siteID: site)) { XCTAssertEqual(($0 as? OpenFailure)?.reason, "signature") }
        // Even signed, a list may not name a file outside the site.
        let escaping = ShellIndex(siteID: site, id: "0011223344556677", files: ["../keys/master": String(repeating: "a", count: 64)])
        XCTAssertThrowsError(try ShellIndex.open(try escaping.signed(seed: keystore.masterKey.publisherSeed), publisher: publisher, siteID: site)) {
            XCTAssertEqual(($0 as? OpenFailure)?.reason, "malformed")
        }

        // A file changed on the host after the build no longer matches its line.
        let index = try fixture.shellIndex()
        var files = try fixture.outputFiles()
        let sealed = ShellIndex.directory(index.id) + "sealed.js"
        files[sealed]?.append(contentsOf: Array("\n// altered\n".utf8))
        XCTAssertEqual(index.mismatch { files[$0].map(Array.init) }, sealed)
    }

    private static func matches(_ pattern: String, _ text: String) -> [String] {
        let regex = try! NSRegularExpression(pattern: pattern)
        return regex.matches(in: text, range: NSRange(text.startIndex..., in: text)).compactMap {
            Range($0.range(at: 1), in: text).map { String(text[$0]) }
        }
    }
}
