// The receiver as web host (`portal-receiver --site DIR`): files arrive one by one under their
// content hash, and the site switches to a release only once every file it names is there, so
// a parent's browser sees the old site or the new one, never a keyslot or index that names a
// file not yet there. Releases are signed by the school's publisher (FORMAT.md "Release").
import Foundation
import PortalCrypto
import PortalFiles
import PortalFormat

/// Objects under `DIR/objects/<id>` (`id`: the SHA-256 of the bytes, or for a `b/` file its
/// name, which is the start of its SHA-256), and the release in force in `DIR/current`.
///
///     let store = try SiteStore(folder: site)
///     try store.put(id: hash, bytes: bytes)
///     try store.install(release, publisher: key, siteID: id)
public final class SiteStore: @unchecked Sendable {
    public let folder: URL
    private let objects: String
    private let lock = NSLock()
    /// Path -> object id of the release in force; its sequence.
    private var served: [String: String] = [:]
    private var sequence = 0

    /// How long files of releases no longer in force are kept (a phone mid-visit may ask).
    public let grace: TimeInterval

    public init(folder: URL, grace: TimeInterval = 2 * 86400) throws {
        self.grace = grace
        self.folder = folder.standardizedFileURL
        objects = self.folder.appendingPathComponent("objects").path
        try FileManager.default.createDirectory(atPath: objects, withIntermediateDirectories: true)
        if let bytes = FileManager.default.contents(atPath: self.folder.appendingPathComponent("current").path),
           let release = try? JSONDecoder().decode(Release.self, from: Data(SignedDocument.body(Array(bytes)) ?? [])),
           let map = try? resolve(release) {
            served = map
            sequence = release.sequence
        }
    }

    /// The sequence of the release in force (0 before the first).
    public var currentSequence: Int { lock.lock(); defer { lock.unlock() }; return sequence }

    /// Whether `id` names an object: 64 hex (SHA-256) or 32 hex (a `b/` file's name).
    static func isObjectID(_ id: String) -> Bool {
        (id.utf8.count == 64 || id.utf8.count == 32) && id.utf8.allSatisfy { (0x30...0x39).contains($0) || (0x61...0x66).contains($0) }
    }

    /// The ids of `ids` this store does not have.
    public func missing(_ ids: [String]) -> [String] {
        ids.filter { !FileManager.default.fileExists(atPath: objects + "/" + $0) }
    }

    /// Stores an object after checking its bytes against its id.
    public func put(id: String, bytes: [UInt8]) throws(APIError) {
        guard Self.isObjectID(id) else { throw APIError.schema("object id must be 64 or 32 lowercase hex characters") }
        let digest = Hex.encode(SHA256.hash(bytes))
        guard id.utf8.count == 64 ? digest == id : digest.hasPrefix(id) else {
            throw APIError(422, "hash_mismatch", "the bytes do not have the hash their id names")
        }
        do { try AtomicFile.write(bytes, to: objects + "/" + id, mode: 0o644, durability: .durable) } catch {
            throw APIError(500, "store_failed", "cannot store the object")
        }
    }

    /// Switches to a release: signed by `publisher`, for `siteID`, newer than the one in force,
    /// and every file it names (its lists included) present. Returns the number of files.
    public func install(_ signed: [UInt8], publisher: [UInt8], siteID: String) throws(APIError) -> Int {
        let release: Release
        do { release = try Release.open(signed, publisher: publisher, siteID: siteID) } catch {
            throw APIError(422, "invalid_release", "the release is refused: \(error.description) (\(error.reason))")
        }
        lock.lock()
        let current = sequence
        lock.unlock()
        guard release.sequence > current else {
            throw APIError(409, "stale_release", "release \(release.sequence) is not newer than release \(current), in force")
        }
        let map = try resolve(release)
        let absent = missing(Array(Set(map.values)))
        guard absent.isEmpty else {
            throw APIError(409, "missing_objects", "\(absent.count) files the release names have not been sent")
        }
        // Kept by sequence (a later clean-up removes old ones), then in force by one rename.
        let releases = folder.appendingPathComponent("releases")
        do {
            try FileManager.default.createDirectory(at: releases, withIntermediateDirectories: true)
            try AtomicFile.write(signed, to: releases.appendingPathComponent(String(release.sequence)).path, mode: 0o644)
            try AtomicFile.write(signed, to: folder.appendingPathComponent("current").path, mode: 0o644)
        } catch {
            throw APIError(500, "store_failed", "cannot store the release")
        }
        lock.lock()
        served = map
        sequence = release.sequence
        lock.unlock()
        removeUnused(inForce: map, now: Date())
        return map.count
    }

    /// Removes releases put out of force longer than `grace` ago, and the files that neither the
    /// release in force nor a kept one names. Best effort: what cannot be read is kept.
    private func removeUnused(inForce: [String: String], now: Date) {
        let releases = folder.appendingPathComponent("releases").path
        var keep = Set(inForce.values)
        let names = ((try? FileManager.default.contentsOfDirectory(atPath: releases)) ?? []).compactMap(Int.init).sorted()
        // A release left force when the next one came in: the next one's file time.
        for (index, number) in names.enumerated() where number != currentSequence {
            let successor = index + 1 < names.count ? releases + "/" + String(names[index + 1]) : nil
            let replaced = successor.flatMap { try? FileManager.default.attributesOfItem(atPath: $0)[.modificationDate] as? Date } ?? now
            let path = releases + "/" + String(number)
            if now.timeIntervalSince(replaced) >= grace {
                try? FileManager.default.removeItem(atPath: path)
                continue
            }
            guard let bytes = FileManager.default.contents(atPath: path),
                  let old = try? JSONDecoder().decode(Release.self, from: Data(SignedDocument.body(Array(bytes)) ?? [])),
                  let map = try? resolve(old)
            else { return }  // a kept release that cannot be read: remove nothing
            keep.formUnion(map.values)
        }
        for id in (try? FileManager.default.contentsOfDirectory(atPath: objects)) ?? [] where Self.isObjectID(id) && !keep.contains(id) {
            try? FileManager.default.removeItem(atPath: objects + "/" + id)
        }
    }

    /// The file served at `path` (no leading `/`), if the release in force names it; `release`
    /// is the release itself, as on any host `portal publish` sends to.
    public func file(_ path: String) -> String? {
        lock.lock()
        let id = served[path]
        let any = sequence > 0
        lock.unlock()
        if path == Release.path { return any ? folder.appendingPathComponent("current").path : nil }
        return id.map { objects + "/" + $0 }
    }

    /// Path -> object id for every file of `release`, reading its lists from the store.
    private func resolve(_ release: Release) throws(APIError) -> [String: String] {
        var map: [String: String] = [:]
        for (path, hash) in release.files {
            guard Self.isSafe(path), hash.utf8.count == 64, Self.isObjectID(hash) else { throw APIError(422, "invalid_release", "bad entry \(path)") }
            map[path] = hash
        }
        for folder in Release.listedFolders {
            for hash in release.lists[folder] ?? [] {
                guard Self.isObjectID(hash), hash.utf8.count == 64,
                      let data = FileManager.default.contents(atPath: objects + "/" + hash)
                else { throw APIError(409, "missing_objects", "the list r/\(hash) has not been sent") }
                map["r/" + hash] = hash
                for line in String(decoding: data, as: UTF8.self).split(separator: "\n") {
                    let parts = line.split(separator: " ")
                    let path = String(parts[0])
                    guard path.hasPrefix(folder + "/"), Self.isSafe(path) else { throw APIError(422, "invalid_release", "bad list line") }
                    // Every id becomes a file name under objects/: hex only, never a path.
                    let id = folder == "b" && parts.count == 1 ? String(path.dropFirst(2)) : parts.count == 2 ? String(parts[1]) : ""
                    guard Self.isObjectID(id) else { throw APIError(422, "invalid_release", "bad list line") }
                    map[path] = id
                }
            }
        }
        return map
    }

    private static func isSafe(_ path: String) -> Bool {
        !path.isEmpty && !path.hasPrefix("/") && !path.split(separator: "/").contains("..")
    }
}

extension SignedDocument {
    /// The body of a signed document without checking the signature: only for a file this
    /// program checked itself before storing it.
    static func body(_ document: [UInt8]) -> [UInt8]? {
        document.count >= headerLength && Array(document[0..<4]) == magic ? Array(document[headerLength...]) : nil
    }
}
