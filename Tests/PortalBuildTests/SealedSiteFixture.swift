// A temporary copy of the example school with its own keystore, generated for real.
import Foundation
import PortalBuild
import PortalContent
import PortalCrypto
import PortalFormat
import PortalKeys
import XCTest
import PortalTestSupport


final class SealedSiteFixture {
    let root: URL
    let content: URL
    let output: URL
    let keys: URL
    let theme = repositoryRoot.appendingPathComponent("themes/default")

    init(content source: URL = repositoryRoot.appendingPathComponent("content")) throws {
        try Sodium.ensureReady()
        root = FileManager.default.temporaryDirectory.appendingPathComponent("portal-build-\(UUID().uuidString)")
        content = root.appendingPathComponent("content")
        output = root.appendingPathComponent("output")
        keys = root.appendingPathComponent("keys")
        try FileManager.default.createDirectory(at: root, withIntermediateDirectories: true)
        try FileManager.default.copyItem(at: source, to: content)
    }

    deinit { try? FileManager.default.removeItem(at: root) }

    var options: GenerateOptions {
        GenerateOptions(contentDirectory: content, outputDirectory: output, keysDirectory: keys, themeDirectory: theme)
    }

    @discardableResult
    func generate(output: URL? = nil) throws -> GenerateSummary {
        var options = self.options
        if let output { options.outputDirectory = output }
        return try Generator(options: options).run()
    }

    /// Issues a token and saves the keystore; returns the token text.
    func issue(_ groups: [String], family: String? = nil, expires: Date? = nil, staff: StaffRole? = nil, label: String? = nil) throws -> String {
        var keystore = try Keystore.openOrCreate(at: keys)
        let issued = try keystore.issueToken(audiences: groups, label: label, expires: expires, family: family, staff: staff)
        try keystore.save()
        return issued.token.text
    }

    func revoke(_ token: String) throws {
        var keystore = try Keystore.openOrCreate(at: keys)
        let siteID = keystore.siteID
        try keystore.revoke(id: try Token.parse(token).id(siteID: siteID))
        try keystore.save()
    }

    func site() throws -> Site { try ContentLoader(root: content).load() }

    /// output/site.json as the app reads it.
    func siteInfo() throws -> SiteInfo {
        try JSONDecoder().decode(SiteInfo.self, from: Data(contentsOf: output.appendingPathComponent("site.json")))
    }

    /// output/shell, opened under the school's publisher key.
    func shellIndex() throws -> ShellIndex {
        let keystore = try Keystore.openOrCreate(at: keys)
        return try ShellIndex.open(
            Array(Data(contentsOf: output.appendingPathComponent(ShellIndex.path))),
            publisher: Ed25519.publicKey(seed: keystore.masterKey.publisherSeed), siteID: Hex.encode(keystore.siteID))
    }

    /// Where a file of the theme's app folder lies in output/ (the shell's folder, or the root).
    func servedPath(_ themePath: String) throws -> String {
        ["index.html", "sw.js", "manifest.webmanifest"].contains(themePath) ? themePath : ShellIndex.directory(try shellIndex().id) + themePath
    }

    /// Every regular file below output/, relative path -> bytes.
    func outputFiles(_ folder: URL? = nil) throws -> [String: Data] {
        let base = (folder ?? output).standardizedFileURL
        var files: [String: Data] = [:]
        let walker = FileManager.default.enumerator(at: base, includingPropertiesForKeys: [.isRegularFileKey])
        while let url = walker?.nextObject() as? URL {
            guard (try url.resourceValues(forKeys: [.isRegularFileKey])).isRegularFile == true else { continue }
            let relative = String(url.standardizedFileURL.path.dropFirst(base.path.count + 1))
            files[relative] = try Data(contentsOf: url)
        }
        return files
    }
}
