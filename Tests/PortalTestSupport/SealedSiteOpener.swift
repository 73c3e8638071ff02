// Opens a generated site with a token, as a parent's browser does: the Swift side of the tests
// that prove isolation and revocation (Tests/browser/opener.py is the independent Python one).
import Foundation
import PortalBuild
import PortalCrypto
import PortalFormat

/// Reads output/ with one token.
///
///     let opener = try SealedSiteOpener(output: outputURL, token: "K7QM-...")
///     let manifests = try opener.manifests()
public struct SealedSiteOpener {
    public enum Failure: Error, Equatable, CustomStringConvertible {
        case noSite(String)
        case noKeyslot(tokenID: String)
        case cannotOpen(String)

        public var description: String {
            switch self {
            case .noSite(let path): return "\(path): no generated site (site.json missing or unreadable)"
            case .noKeyslot(let id): return "no keyslot for token \(id): unknown, revoked or expired"
            case .cannotOpen(let what): return "cannot open \(what)"
            }
        }
    }

    public let output: URL
    public let site: SiteInfo
    public let tokenID: String
    public let keyslot: KeyslotPayload

    public init(output: URL, token text: String) throws {
        self.output = output
        guard let data = FileManager.default.contents(atPath: output.appendingPathComponent("site.json").path),
              let site = try? JSONDecoder().decode(SiteInfo.self, from: data),
              let siteID = Hex.decode(site.siteID)
        else { throw Failure.noSite(output.path) }
        self.site = site
        let token = try Token.parse(text)
        tokenID = token.id(siteID: siteID)
        guard let sealed = FileManager.default.contents(atPath: output.appendingPathComponent("k/\(tokenID)").path) else {
            throw Failure.noKeyslot(tokenID: tokenID)
        }
        let plain = try Envelope.openKeyslot(
            Array(sealed), key: token.kek(siteID: siteID), associatedData: AssociatedData.keyslotV2(tokenID: tokenID),
            keyslotSize: site.keyslotSize)
        keyslot = try JSONDecoder().decode(KeyslotPayload.self, from: Data(plain))
    }

    /// The bytes of a file in output/.
    public func file(_ path: String) throws -> [UInt8] {
        guard let data = FileManager.default.contents(atPath: output.appendingPathComponent(path).path) else {
            throw Failure.cannotOpen("\(path): missing")
        }
        return Array(data)
    }

    private func audienceKey(_ audience: String) throws -> (entry: KeyslotPayload.Audience, key: SymmetricKey) {
        guard let entry = keyslot.audiences.first(where: { $0.id == audience }),
              let raw = Data(base64Encoded: entry.key)
        else { throw Failure.cannotOpen("audience \(audience): not in this token's keyslot") }
        return (entry, try SymmetricKey(bytes: Array(raw)))
    }

    /// An audience's signed index, checked as the app checks it.
    public func index(of audience: String, seen: Int = 0) throws -> AudienceIndex {
        let (entry, key) = try audienceKey(audience)
        guard let publisher = Data(base64Encoded: keyslot.publisher) else { throw Failure.cannotOpen("publisher key") }
        return try SealedFiles.openIndex(
            try file(entry.index), key: key, audience: audience, epoch: entry.epoch, siteID: site.siteID,
            publisher: Array(publisher), seen: seen)
    }

    /// Every page of an audience, in index order.
    public func pages(of audience: String) throws -> [ManifestPage] {
        let (entry, key) = try audienceKey(audience)
        return try index(of: audience).pages.map { page in
            try SealedFiles.openPage(try file(page.blob), listed: page, key: key, audience: audience, epoch: entry.epoch)
        }
    }

    /// Opens an item or image blob with the item key its page lists.
    public func open(blob path: String, key: String) throws -> [UInt8] {
        try SealedFiles.openBlob(try file(path), path: path, key: key)
    }

    /// Every audience's pages merged (items in page order, every image), in keyslot order.
    public func manifests() throws -> [Manifest] {
        try keyslot.audiences.map { entry in
            let index = try index(of: entry.id)
            var manifest = Manifest(audience: entry.id, title: index.title, epoch: entry.epoch, items: [], media: [:])
            for page in try pages(of: entry.id) {
                manifest.items += page.items
                manifest.media.merge(page.media) { first, _ in first }
            }
            return manifest
        }
    }
}
