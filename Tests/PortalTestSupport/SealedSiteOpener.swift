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
            Array(sealed), key: token.kek(siteID: siteID), associatedData: AssociatedData.keyslot(tokenID: tokenID),
            keyslotSize: site.keyslotSize)
        keyslot = try JSONDecoder().decode(KeyslotPayload.self, from: Data(plain))
    }

    /// Opens a blob of one of the token's audiences at its logical path.
    public func open(blob path: String, audience: String, logicalPath: String) throws -> [UInt8] {
        guard let entry = keyslot.audiences.first(where: { $0.id == audience }),
              let raw = Data(base64Encoded: entry.key)
        else { throw Failure.cannotOpen("audience \(audience): not in this token's keyslot") }
        let key = try SymmetricKey(bytes: Array(raw))
        guard let sealed = FileManager.default.contents(atPath: output.appendingPathComponent(path).path) else {
            throw Failure.cannotOpen("\(path): missing")
        }
        return try Envelope.open(
            Array(sealed), key: key,
            associatedData: AssociatedData.blob(audience: audience, epoch: entry.epoch, logicalPath: logicalPath))
    }

    /// Every audience's manifest, in keyslot order.
    public func manifests() throws -> [Manifest] {
        try keyslot.audiences.map { entry in
            let plain = try open(blob: entry.manifest, audience: entry.id, logicalPath: "manifest")
            return try JSONDecoder().decode(Manifest.self, from: Data(plain))
        }
    }
}
