// FORMAT.md "Release": what `portal publish` puts on the host last, signed by the publisher key,
// and what a receiver serving the site checks before it switches to a new one.
import Foundation
import PortalCrypto

/// FORMAT.md "Release": every file of the site with its SHA-256, and the trust file's, signed by
/// the publisher key. The many `b/` and `k/` files are listed in 64 lists each (`r/<sha256>`,
/// by the first characters of their names) that the release names by hash, so one edit
/// changes the release and a few small lists, not a list of the whole archive.
public struct Release: Codable, Equatable, Sendable {
    public var v = 2
    public var kind = "release"
    public var siteID: String
    public var sequence: Int
    /// The other files (indexes, site.json, the app) with their SHA-256.
    public var files: [String: String]
    /// `b` and `k`: the SHA-256 of each of the 64 lists of that folder's files.
    public var lists: [String: [String]]
    public var trust: String

    enum CodingKeys: String, CodingKey {
        case v, kind, siteID = "site_id", sequence, files, lists, trust
    }

    public init(siteID: String, sequence: Int, files: [String: String], lists: [String: [String]], trust: String) {
        self.siteID = siteID
        self.sequence = sequence
        self.files = files
        self.lists = lists
        self.trust = trust
    }

    /// Folders whose files are listed in `r/` lists rather than in `files`.
    public static let listedFolders = ["b", "k"]
    public static let listCount = 64

    /// The list (0..<64) a `b/` or `k/` file belongs to: its name's first two hex digits, mod 64.
    public static func list(of path: String) -> Int? {
        guard let slash = path.firstIndex(of: "/") else { return nil }
        let name = path[path.index(after: slash)...]
        guard name.count >= 2, let value = Int(name.prefix(2), radix: 16) else { return nil }
        return value % listCount
    }

    /// A list's text, sorted lines: `path sha256`, or only the path for a `b/` file, whose name
    /// is the start of its SHA-256 already (FORMAT.md "Files").
    public static func listText(_ files: [(path: String, hash: String)]) -> [UInt8] {
        Array(files.sorted { $0.path < $1.path }
            .map { $0.path.hasPrefix("b/") ? "\($0.path)\n" : "\($0.path) \($0.hash)\n" }.joined().utf8)
    }

    /// The path of the release on the host.
    public static let path = "release"

    /// The signed document (`SignedDocument`, kind `release`).
    public func signed(seed: [UInt8]) throws -> [UInt8] {
        SignedDocument.sign(try CanonicalJSON.encode(self), kind: kind, seed: seed)
    }

    /// A release whose signature verifies under `publisher` and that is for `siteID`.
    public static func open(_ bytes: [UInt8], publisher: [UInt8], siteID: String) throws(OpenFailure) -> Release {
        let body = try SignedDocument.verify(bytes, kind: "release", publicKey: publisher)
        let release: Release
        do { release = try JSONDecoder().decode(Release.self, from: Data(body)) } catch { throw .malformed("the release") }
        guard release.v == 2, release.kind == "release", release.siteID == siteID else { throw .binding("site (\(release.siteID))") }
        return release
    }
}
