// Detects a no-op rebuild: if no input changed since the last successful build, output/ is kept.
import Foundation
import PortalContent
import PortalCrypto
import PortalFormat
import PortalFiles
import PortalKeys

/// A digest of everything a build reads: content, theme, keystore, the options and this program.
///
/// Files are hashed by content, but like git's index a file whose size and modification time did
/// not change keeps its recorded hash, so a no-op check costs one `stat` per file.
struct BuildFingerprint: Equatable {
    var digest: String
    /// The digest of everything but the items' files (content/ except site.yaml): when only it
    /// is unchanged, a build can redo just the changed items.
    var context: String
    /// The digest of everything but the keystore (its files and which tokens are active): when
    /// only it is unchanged, a build can re-seal keys, keyslots and the re-keyed pages alone.
    var site: String
    /// Per file: size, mtime (ns) and BLAKE2b of the bytes.
    var files: [String: FileStamp]
    /// content/ as listed for this fingerprint, for loading (not recorded).
    var contentListing: FileTree.Listing? = nil

    struct FileStamp: Equatable {
        var size: Int
        var mtime: Int
        var hash: String
    }

    /// Bump when the output format or the pipeline changes in a way inputs do not show.
    static let pipelineVersion = "ouderportaal-generate/2"

    static func stateFile(_ options: GenerateOptions) -> URL {
        options.keysDirectory.appendingPathComponent("cache/build-state")
    }

    /// `activeTokens`: which tokens get a keyslot now (expiry depends on the clock, not on files).
    static func compute(
        options: GenerateOptions, activeTokens: [String], previous: BuildFingerprint?
    ) throws(BuildError) -> BuildFingerprint {
        let previous = previous?.files ?? [:]
        // What is hashed, as bytes: one line per option, then `key hash` per file in path order.
        var all: [UInt8] = []
        var context: [UInt8] = []
        var site: [UInt8] = []
        func line(_ text: String, inContext: Bool = true, inSite: Bool = true) {
            all.append(contentsOf: text.utf8); all.append(0x0A)
            if inContext { context.append(contentsOf: text.utf8); context.append(0x0A) }
            if inSite { site.append(contentsOf: text.utf8); site.append(0x0A) }
        }
        line(pipelineVersion)
        line(options.outputDirectory.standardizedFileURL.path)
        line("active " + activeTokens.sorted().joined(separator: ","), inSite: false)
        line("trust " + options.trustFile.standardizedFileURL.path)
        // Files whose size or mtime changed are read and hashed on all cores: in a first build
        // that is every file, and hashing 10,000 of them one by one took 8% of the build.
        var entries: [(key: String, stamp: FileStamp)] = []
        var stalePaths: [String] = []
        var stale: [Int] = []
        var contentListing: FileTree.Listing?
        for (label, root) in [("content", options.contentDirectory), ("theme", options.themeDirectory), ("keys", options.keysDirectory)] {
            let rootPath = root.path  // URL.path is slow on Linux: once per folder, not per file
            let listing = try listFiles(root, skipCache: label == "keys")
            if label == "content" { contentListing = listing }
            for entry in listing.files {
                let key = label + "/" + entry.path
                var stamp = FileStamp(size: Int(entry.stamp.size), mtime: entry.stamp.modifiedNanosecondsSince1970, hash: "")
                if let old = previous[key], old.size == stamp.size, old.mtime == stamp.mtime {
                    stamp.hash = old.hash
                } else {
                    stale.append(entries.count)
                    stalePaths.append(rootPath + "/" + entry.path)
                }
                entries.append((key, stamp))
            }
        }
        let paths = stalePaths
        let hashes = ParallelSlots<String>(count: stale.count)
        let workers = max(1, min(ProcessInfo.processInfo.activeProcessorCount, stale.count / 256))
        DispatchQueue.concurrentPerform(iterations: workers) { worker in
            for i in stride(from: worker, to: paths.count, by: workers) {
                // An unreadable file gets no hash; it is reported below, in file order.
                if let data = FileManager.default.contents(atPath: paths[i]) {
                    hashes.set(i, Hex.encode(BLAKE2b.hash(Array(data), key: [], length: 16)))
                }
            }
        }
        for (i, index) in stale.enumerated() {
            guard let hash = hashes[i] else { throw BuildError(.fingerprint, path: paths[i], "cannot read") }
            entries[index].stamp.hash = hash
        }
        var files: [String: FileStamp] = [:]
        files.reserveCapacity(entries.count)
        all.reserveCapacity(all.count + entries.count * 64)
        for entry in entries {
            files[entry.key] = entry.stamp
            // The consent register decides which photos albums show: a change is a full build.
            line(entry.key + " " + entry.stamp.hash, inContext: !isItemFile(entry.key),
                 inSite: !entry.key.hasPrefix("keys/") || entry.key == "keys/" + ConsentRegister.fileName)
        }
        func hash(_ bytes: [UInt8]) -> String { Hex.encode(BLAKE2b.hash(bytes, key: [], length: 32)) }
        return BuildFingerprint(
            digest: hash(all), context: hash(context), site: hash(site), files: files, contentListing: contentListing)
    }

    /// A file of content/ other than site.yaml: an item or one of its images.
    private static func isItemFile(_ key: String) -> Bool {
        key.hasPrefix("content/") && key != "content/site.yaml"
    }

    /// Paths relative to content/ of the item files added, edited or removed since `previous`.
    func changedItemFiles(since previous: BuildFingerprint) -> Set<String> {
        var changed: Set<String> = []
        for (key, stamp) in files where Self.isItemFile(key) && previous.files[key]?.hash != stamp.hash {
            changed.insert(String(key.dropFirst("content/".count)))
        }
        for key in previous.files.keys where Self.isItemFile(key) && files[key] == nil {
            changed.insert(String(key.dropFirst("content/".count)))
        }
        return changed
    }

    /// True when the recorded build had this digest and its output is still there.
    static func isCurrent(_ fingerprint: BuildFingerprint, previous: BuildFingerprint?, options: GenerateOptions) -> Bool {
        guard let previous, previous.digest == fingerprint.digest else { return false }
        return FileManager.default.fileExists(atPath: options.outputDirectory.appendingPathComponent(OutputFolder.marker).path)
            && FileManager.default.fileExists(atPath: options.trustFile.path)
    }

    /// The state file is plain text, one file a line: `size mtime hash path` (JSON decoding of
    /// 10,000 entries took most of a no-op build).
    static let stateHeader = "ouderportaal-build-state 3"

    /// Best effort: if the state cannot be written, the next build is simply not a no-op.
    static func record(_ fingerprint: BuildFingerprint, options: GenerateOptions) {
        let url = stateFile(options)
        try? PrivateDirectory.make(url.deletingLastPathComponent().path, tightening: true)
        var bytes = Array((stateHeader + "\n" + fingerprint.digest + "\n" + fingerprint.context + "\n" + fingerprint.site + "\n").utf8)
        bytes.reserveCapacity(bytes.count + fingerprint.files.count * 80)
        // In no particular order: `load` reads it into a dictionary.
        for (path, stamp) in fingerprint.files {
            bytes.append(contentsOf: String(stamp.size).utf8); bytes.append(0x20)
            bytes.append(contentsOf: String(stamp.mtime).utf8); bytes.append(0x20)
            bytes.append(contentsOf: stamp.hash.utf8); bytes.append(0x20)
            bytes.append(contentsOf: path.utf8); bytes.append(0x0A)
        }
        try? AtomicFile.write(bytes, to: url.path, mode: 0o600, durability: .cache)
    }

    /// The last successful build's fingerprint; nil when there is none or it is unreadable.
    /// Parsed on bytes: it is read on every build, and a no-op build is mostly this.
    static func load(_ options: GenerateOptions) -> BuildFingerprint? {
        guard let data = FileManager.default.contents(atPath: stateFile(options).path) else { return nil }
        return data.withUnsafeBytes { raw -> BuildFingerprint? in
            let bytes = raw.bindMemory(to: UInt8.self)
            var lines: [Range<Int>] = []
            var start = 0
            for index in 0..<bytes.count where bytes[index] == 0x0A {
                lines.append(start..<index)
                start = index + 1
            }
            func text(_ range: Range<Int>) -> String { String(decoding: UnsafeBufferPointer(rebasing: bytes[range]), as: UTF8.self) }
            guard lines.count >= 4, text(lines[0]) == stateHeader else { return nil }
            var files: [String: FileStamp] = [:]
            files.reserveCapacity(lines.count)
            for line in lines.dropFirst(4) {
                // size mtime hash path: three fields up to the first three spaces, the path is the rest.
                var fields: [Range<Int>] = []
                var fieldStart = line.lowerBound
                for index in line where bytes[index] == 0x20 && fields.count < 3 {
                    fields.append(fieldStart..<index)
                    fieldStart = index + 1
                }
                guard fields.count == 3, fieldStart < line.upperBound,
                      let size = Int(text(fields[0])), let mtime = Int(text(fields[1]))
                else { return nil }
                files[text(fieldStart..<line.upperBound)] = FileStamp(size: size, mtime: mtime, hash: text(fields[2]))
            }
            return BuildFingerprint(digest: text(lines[1]), context: text(lines[2]), site: text(lines[3]), files: files)
        }
    }

    /// Regular files below `root`, sorted, with size and mtime in nanoseconds. The keystore
    /// folder also holds what builds write (caches, the trust file, what was pushed where),
    /// which are not inputs.
    private static func listFiles(_ root: URL, skipCache: Bool) throws(BuildError) -> FileTree.Listing {
        do {
            return try FileTree.listing(root.standardizedFileURL.path) {
                skipCache && ($0 == "cache" || $0 == "trust.json" || $0 == "trust-pushed.json" || $0 == PhotoTags.fileName)
            }
        } catch {
            throw BuildError(.fingerprint, path: error.path, error.reason)
        }
    }
}
