// FORMAT.md "App shell": the list of the app's files with their SHA-256, signed by the publisher
// key, that a service worker checks before it keeps a new shell. The shell's files lie under
// `s/<id>/`, where the id names the whole set by its bytes, so a host holds an old and a new shell
// side by side and a worker never keeps a mix of the two.
import Foundation
import PortalCrypto

/// The signed index of the app shell (`shell`, kind `shell`).
///
/// ```swift
/// let index = ShellIndex(siteID: siteHex, id: "3f2a…", files: ["index.html": sha, …])
/// let bytes = try index.signed(seed: master.publisherSeed)
/// let opened = try ShellIndex.open(bytes, publisher: publicKey, siteID: siteHex)
/// ```
public struct ShellIndex: Codable, Equatable, Sendable {
    public var v = 2
    public var kind = "shell"
    public var siteID: String
    /// Names the set: `hex(SHA-256(...)[0..8])` over every file's path, length and bytes.
    public var id: String
    /// Every file of the shell (relative to the site) with the hex SHA-256 of its bytes.
    public var files: [String: String]

    enum CodingKeys: String, CodingKey {
        case v, kind, siteID = "site_id", id, files
    }

    public init(siteID: String, id: String, files: [String: String]) {
        self.siteID = siteID
        self.id = id
        self.files = files
    }

    /// Where the index lies on the host.
    public static let path = "shell"
    /// The folder of the shell's files with id `id`.
    public static func directory(_ id: String) -> String { "s/\(id)/" }

    /// The id of a set of files: `hex(SHA-256(path "\n" length "\n" bytes, for each by path)[0..8])`.
    public static func id(of files: [(path: String, bytes: [UInt8])]) -> String {
        var all: [UInt8] = []
        for file in files.sorted(by: { $0.path < $1.path }) {
            all += Array("\(file.path)\n\(file.bytes.count)\n".utf8) + file.bytes
        }
        return Hex.encode(Array(SHA256.hash(all).prefix(8)))
    }

    public func signed(seed: [UInt8]) throws -> [UInt8] {
        SignedDocument.sign(try CanonicalJSON.encode(self), kind: kind, seed: seed)
    }

    /// An index whose signature verifies under `publisher`, for `siteID`, whose paths are the
    /// site's own (no `..`, no scheme) and whose hashes are 64 hex digits.
    public static func open(_ bytes: [UInt8], publisher: [UInt8], siteID: String) throws(OpenFailure) -> ShellIndex {
        let body = try SignedDocument.verify(bytes, kind: "shell", publicKey: publisher)
        let index: ShellIndex
        do { index = try JSONDecoder().decode(ShellIndex.self, from: Data(body)) } catch { throw .malformed("the shell index") }
        guard index.v == 2, index.kind == "shell", index.siteID == siteID else { throw .binding("site (\(index.siteID))") }
        let hex = Set("0123456789abcdef")
        for (path, hash) in index.files {
            let parts = path.split(separator: "/", omittingEmptySubsequences: false)
            guard !path.isEmpty, !parts.contains(where: { $0.isEmpty || $0 == "." || $0 == ".." }), !path.contains(":"),
                  hash.count == 64, hash.allSatisfy(hex.contains)
            else { throw .malformed("the shell index's entry \(path)") }
        }
        return index
    }

    /// The path of a file whose bytes do not match the index, or nil when all match.
    public func mismatch(_ read: (String) -> [UInt8]?) -> String? {
        for (path, hash) in files.sorted(by: { $0.key < $1.key }) {
            guard let bytes = read(path), Hex.encode(SHA256.hash(bytes)) == hash else { return path }
        }
        return nil
    }
}
