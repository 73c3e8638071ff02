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

    /// FORMAT.md "App shell vector": the id and the signed list, as the Swift code makes them.
    func testTheAppShellVector() throws {
        let files: [(path: String, bytes: [UInt8])] = [("app.js", Array("export const x = 1;\n".utf8)), ("index.html", Array("<!doctype html>\n".utf8))]
        let id = ShellIndex.id(of: files)
        XCTAssertEqual(id, "82e110e7f99f3e53")
        let index = ShellIndex(siteID: "f0f1f2f3f4f5f6f7f8f9fafbfcfdfeff", id: id, files: [
            "index.html": Hex.encode(SHA256.hash(files[1].bytes)), "s/\(id)/app.js": Hex.encode(SHA256.hash(files[0].bytes)),
        ])
        let seed = try XCTUnwrap(Hex.decode("3593ba2031d4c15c3e20e1b436a46b5817c1eca0157f9a865fffc8ff9d415471"))
        let signed = try index.signed(seed: seed)
        XCTAssertEqual(String(decoding: signed[68...], as: UTF8.self), #"{"files":{"index.html":"335fca8574f060eea24ebcdae6b78f32414f5de03da1084fd0e73d710768e3a9","s/82e110e7f99f3e53/app.js":"b40dedde60828bf61d1fadbfc3bb7ea2e0421e9511d22f1b5fb44ae5ba07dbb3"},"id":"82e110e7f99f3e53","kind":"shell","site_id":"f0f1f2f3f4f5f6f7f8f9fafbfcfdfeff","v":2}"#)
        XCTAssertEqual(Hex.encode(Array(signed[4..<68])), "739b82097d2694e747deb11c7f18b7a7d1933db0ed37a0ed3854d99834604f404ce489040080f8195a3f91eabd4b2faa3fb588da60fd21d998392768100a6105")
        let publisher = Ed25519.publicKey(seed: seed)
        XCTAssertEqual(try ShellIndex.open(signed, publisher: publisher, siteID: "f0f1f2f3f4f5f6f7f8f9fafbfcfdfeff"), index)
        XCTAssertThrowsError(try SignedDocument.verify(signed, kind: "index", publicKey: publisher)) {
            XCTAssertEqual(($0 as? OpenFailure)?.reason, "signature", "a shell list never passes as an index")
        }
    }

    private static func matches(_ pattern: String, _ text: String) -> [String] {
        let regex = try! NSRegularExpression(pattern: pattern)
        return regex.matches(in: text, range: NSRange(text.startIndex..., in: text)).compactMap {
            Range($0.range(at: 1), in: text).map { String(text[$0]) }
        }
    }
}
