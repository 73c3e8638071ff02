// `portal publish`: sends output/ to a web host's folder with rsync in an order that never lets
// a parent's browser see a file that points at one not there yet: new blobs, pages and the app shell's folder, then
// indexes, then keyslots, then site.json and the app, then the signed release list; files no
// longer used are removed only after a grace period (a device mid-session may still ask).
import Foundation
import PortalCrypto
import PortalFiles
import PortalFormat
import PortalKeys

/// Where `publish` sends the site: a folder on this computer or `user@host:path`, both with rsync.
public struct PublishTarget: Sendable, CustomStringConvertible {
    /// What rsync is given as the destination (ends with `/`).
    public let destination: String

    public static func folder(_ url: URL) -> PublishTarget { PublishTarget(destination: url.standardizedFileURL.path + "/") }
    public static func rsync(_ remote: String) -> PublishTarget {
        PublishTarget(destination: remote.hasSuffix("/") ? remote : remote + "/")
    }
    /// A receiver that serves the site (`portal-receiver --site`); files go over its admin API.
    public static func receiver(_ url: URL) -> PublishTarget { PublishTarget(destination: "receiver " + url.absoluteString) }

    public var description: String { destination }
}

public struct PublishOptions: Sendable {
    public var output: URL
    public var keys: URL
    /// The receiver's trust file, whose hash the release names.
    public var trustFile: URL
    public var target: PublishTarget
    /// How long a file no longer used stays on the host.
    public var grace: TimeInterval
    public var now: Date
    /// The rsync program (a path, or found on PATH).
    public var rsync: String
    /// Told the bytes sent so far and the bytes to send, after each file (a progress bar).
    public var progress: (@Sendable (_ sent: Int, _ total: Int) -> Void)?

    public init(output: URL, keys: URL, trustFile: URL, target: PublishTarget, grace: TimeInterval = 2 * 86400, now: Date = Date(), rsync: String = "rsync") {
        self.output = output
        self.keys = keys
        self.trustFile = trustFile
        self.target = target
        self.grace = grace
        self.now = now
        self.rsync = rsync
    }
}

/// What one publish sent, per phase, for the one-paragraph report.
public struct PublishSummary: Sendable {
    public struct Phase: Sendable {
        public var name: String
        public var files: Int
        public var bytes: Int
    }

    public var phases: [Phase] = []
    /// Files removed from the host (unused for longer than the grace period).
    public var removed = 0
    /// Files no longer used, left on the host until their grace period ends.
    public var retiring = 0
    /// The release's sequence; the same as before when nothing changed.
    public var sequence = 0
    public var unchanged = false
    public var seconds = 0.0

    public var files: Int { phases.reduce(0) { $0 + $1.files } }
    public var bytes: Int { phases.reduce(0) { $0 + $1.bytes } }
}

public struct PublishError: Error, CustomStringConvertible, Sendable {
    public var message: String
    public init(_ message: String) { self.message = message }
    public var description: String { message }
}

/// One publish.
///
///     let summary = try Publisher(options: options).run()
public struct Publisher {
    public let options: PublishOptions

    public init(options: PublishOptions) { self.options = options }

    /// What the last publish to a target left there, kept next to the keystore: the files with
    /// their hashes, files no longer used with the moment they were retired, and the sequence.
    struct State: Codable, Equatable {
        var destination: String
        var sequence: Int
        var files: [String: String]
        /// SHA-256 of the trust file the release named: a new one publishes again.
        var trust: String
        var retired: [String: Date]
    }

    private var stateFile: URL {
        let name = Hex.encode(BLAKE2b.hash(Array(options.target.destination.utf8), key: [], length: 8))
        return options.keys.appendingPathComponent("cache/publish/\(name).json")
    }

    /// The phases, in order: a file is sent only after every file it names.
    static func phase(of path: String) -> Int {
        if path.hasPrefix("b/") || path.hasPrefix("s/") { return 0 }   // blobs, pages, the shell's folder
        if path.hasPrefix("i/") { return 1 }   // indexes name pages
        if path.hasPrefix("k/") { return 2 }   // keyslots name indexes
        if path.hasPrefix("r/") { return listsPhase }  // the release's lists name all of these
        return 3                               // site.json and the app
    }
    static let listsPhase = 4
    static let phaseNames = ["blobs, pages and app files", "indexes", "keyslots", "site.json and app", "lists"]

    /// What a publish sends: every file with its SHA-256 (the `r/` lists included), the lists'
    /// text, and the signed release with its sequence.
    public struct Prepared: Sendable {
        public var files: [String: String]
        public var lists: [String: [UInt8]]
        public var signed: [UInt8]
        public var sequence: Int
        public var trust: String
        let release: Release
        /// output/ as read.
        public var root: String

        /// The id a receiver's store keeps a file under: a `b/` file's name, else its SHA-256.
        public static func objectID(path: String, hash: String) -> String { path.hasPrefix("b/") ? String(path.dropFirst(2)) : hash }

        /// The bytes of a file of the release.
        public func bytes(_ path: String) -> [UInt8]? {
            if let text = lists[path] { return text }
            return FileManager.default.contents(atPath: root + "/" + path).map(Array.init)
        }

        /// The size of a file of the release, without reading it (for progress).
        public func size(_ path: String) -> Int {
            if let text = lists[path] { return text.count }
            return ((try? FileManager.default.attributesOfItem(atPath: root + "/" + path))?[.size] as? Int) ?? 0
        }
    }

    /// Reads output/ and makes the release list (signed), without sending anything.
    public func prepare() throws(PublishError) -> Prepared {
        let keystore: Keystore
        do { keystore = try Keystore.open(at: options.keys) } catch { throw PublishError("cannot open the keystore: \(error)") }
        let siteID = Hex.encode(keystore.siteID)
        let root = options.output.standardizedFileURL.path
        guard let siteJSON = FileManager.default.contents(atPath: root + "/" + "site.json"),
              let info = try? JSONDecoder().decode(SiteInfo.self, from: siteJSON)
        else { throw PublishError("\(root) holds no site made by `portal generate` (no readable site.json); run `portal generate` first") }
        guard info.siteID == siteID else {
            throw PublishError("\(root) was made with another keystore (site \(info.siteID), this keystore's is \(siteID))")
        }
        guard let trust = FileManager.default.contents(atPath: options.trustFile.path) else {
            throw PublishError("cannot read the trust file \(options.trustFile.path); run `portal generate` first")
        }
        let output = try hashes(root)
        // The b/ and k/ files in 64 lists each, named after their bytes under r/.
        var buckets: [String: [[(path: String, hash: String)]]] = [:]
        for folder in Release.listedFolders { buckets[folder] = Array(repeating: [], count: Release.listCount) }
        var listed: [String: String] = [:]   // the other files, named in the release itself
        for (path, hash) in output {
            let folder = String(path.prefix { $0 != "/" })
            if buckets[folder] != nil, let list = Release.list(of: path) {
                buckets[folder]![list].append((path, hash))
            } else {
                listed[path] = hash
            }
        }
        var lists: [String: [String]] = [:]
        var listFiles: [String: [UInt8]] = [:]   // r/<sha256> -> text
        for folder in Release.listedFolders {
            lists[folder] = (buckets[folder] ?? []).map { bucket in
                let text = Release.listText(bucket)
                let hash = Hex.encode(SHA256.hash(text))
                listFiles["r/" + hash] = text
                return hash
            }
        }
        var files = output
        for (path, text) in listFiles { files[path] = Hex.encode(SHA256.hash(text)) }
        let trustHash = Hex.encode(SHA256.hash(Array(trust)))
        let sequence = max((loadState()?.sequence ?? 0) + 1, Int(options.now.timeIntervalSince1970))
        let release = Release(siteID: siteID, sequence: sequence, files: listed, lists: lists, trust: trustHash)
        let signed: [UInt8]
        do { signed = try release.signed(seed: keystore.masterKey.publisherSeed) } catch {
            throw PublishError("cannot make the release list: \(error)")
        }
        return Prepared(files: files, lists: listFiles, signed: signed, sequence: sequence, trust: trustHash, release: release, root: root)
    }

    /// Remembers a release that the target now has in force (for the next one's sequence).
    public func record(_ prepared: Prepared) {
        saveState(State(destination: options.target.destination, sequence: prepared.sequence, files: prepared.files, trust: prepared.trust, retired: [:]))
    }

    public func run() throws(PublishError) -> PublishSummary {
        let started = Date()
        let prepared = try prepare()
        let root = prepared.root
        let files = prepared.files
        let listFiles = prepared.lists
        let previous = loadState()
        var summary = PublishSummary()
        let changed = files.filter { previous?.files[$0.key] != $0.value }.keys.sorted()
        var retired = previous?.retired ?? [:]
        for path in (previous?.files.keys).map(Array.init) ?? [] where files[path] == nil && retired[path] == nil {
            retired[path] = options.now
        }
        for path in files.keys { retired[path] = nil }  // in use again
        let due = retired.filter { options.now.timeIntervalSince($0.value) >= options.grace }.keys.sorted()
        let trustHash = prepared.trust
        if let previous, changed.isEmpty, due.isEmpty, trustHash == previous.trust {
            summary.unchanged = true
            summary.sequence = previous.sequence
            summary.retiring = retired.count
            summary.seconds = Date().timeIntervalSince(started)
            return summary
        }
        let release = prepared.release
        let staging = options.keys.appendingPathComponent("cache/publish/staging-\(getpid())")
        defer { try? FileManager.default.removeItem(at: staging) }
        do {
            try FileManager.default.createDirectory(at: staging.appendingPathComponent("empty"), withIntermediateDirectories: true)
            try FileManager.default.createDirectory(at: staging.appendingPathComponent("lists/r"), withIntermediateDirectories: true)
            for (path, text) in listFiles where changed.contains(path) {
                try Data(text).write(to: staging.appendingPathComponent("lists/" + path))
            }
            try Data(prepared.signed).write(to: staging.appendingPathComponent(Release.path))
        } catch {
            throw PublishError("cannot write the release list in \(staging.path): \(error)")
        }
        // The lists come from the staging folder, everything else from output/.
        let phases = Self.phaseNames.indices.map { index in
            (name: Self.phaseNames[index], list: changed.filter { Self.phase(of: $0) == index },
             source: index == Self.listsPhase ? staging.appendingPathComponent("lists").path : root)
        } + [(name: "release", list: [Release.path], source: staging.path)]  // last: what it names is all there
        let sizes = phases.map { phase in Dictionary(uniqueKeysWithValues: phase.list.map { ($0, size(phase.source + "/" + $0)) }) }
        let total = sizes.reduce(0) { $0 + $1.values.reduce(0, +) }
        var sent = 0
        for (phase, sizes) in zip(phases, sizes) where !phase.list.isEmpty {
            try send(phase.list, from: phase.source) { path in
                sent += sizes[path] ?? 0
                options.progress?(sent, total)
            }
            summary.phases.append(.init(name: phase.name, files: phase.list.count, bytes: sizes.values.reduce(0, +)))
        }
        if !due.isEmpty {
            try remove(due, emptyFolder: staging.appendingPathComponent("empty").path)
            for path in due { retired[path] = nil }
            summary.removed = due.count
        }
        saveState(State(
            destination: options.target.destination, sequence: release.sequence, files: files, trust: trustHash, retired: retired))
        summary.retiring = retired.count
        summary.sequence = release.sequence
        summary.seconds = Date().timeIntervalSince(started)
        return summary
    }

    /// SHA-256 (hex) of every file of output/, on all cores.
    private func hashes(_ root: String) throws(PublishError) -> [String: String] {
        let entries: [FileTree.Entry]
        do { entries = try FileTree.list(root) } catch { throw PublishError("cannot list \(root): \(error)") }
        let paths = entries.map(\.path)
        let slots = ParallelSlots<String>(count: paths.count)
        DispatchQueue.concurrentPerform(iterations: max(1, min(ProcessInfo.processInfo.activeProcessorCount, paths.count))) { worker in
            let workers = max(1, min(ProcessInfo.processInfo.activeProcessorCount, paths.count))
            for index in stride(from: worker, to: paths.count, by: workers) {
                if let data = FileManager.default.contents(atPath: root + "/" + paths[index]) {
                    slots.set(index, Hex.encode(SHA256.hash(Array(data))))
                }
            }
        }
        var files: [String: String] = [:]
        for (index, path) in paths.enumerated() {
            guard let hash = slots[index] else { throw PublishError("cannot read \(root)/\(path)") }
            files[path] = hash
        }
        files[Release.path] = nil  // never part of a site's own listing
        return files
    }

    private func size(_ path: String) -> Int { (try? FileStamp.of(path)).map { Int($0.size) } ?? 0 }

    /// rsync of `paths` (relative to `source`) to the target; each file lands by rename.
    /// `--ignore-times`: these files did change, even when a keyslot of the same size was
    /// written in the same second (rsync's quick check would skip it).
    private func send(_ paths: [String], from source: String, sent: (String) -> Void) throws(PublishError) {
        try rsync(paths, arguments: ["-rt", "--ignore-times", "--chmod=D755,F644", "--out-format=%n"], source: source, each: sent)
    }

    /// Removes `paths` from the target: rsync from a folder without them deletes what it lists
    /// (their folders are there, or rsync would report them vanished).
    private func remove(_ paths: [String], emptyFolder: String) throws(PublishError) {
        for folder in Set(paths.map(FileTree.folder(of:))) where !folder.isEmpty {
            try? FileManager.default.createDirectory(atPath: emptyFolder + "/" + folder, withIntermediateDirectories: true)
        }
        try rsync(paths, arguments: ["-r", "--delete-missing-args"], source: emptyFolder)
    }

    /// Runs rsync on `paths`; `each` is told every path rsync names on its standard output
    /// (with `--out-format=%n`: each file as it lands).
    private func rsync(_ paths: [String], arguments: [String], source: String, each: (String) -> Void = { _ in }) throws(PublishError) {
        let list = options.keys.appendingPathComponent("cache/publish/list-\(getpid())")
        defer { try? FileManager.default.removeItem(at: list) }
        do {
            try FileManager.default.createDirectory(at: list.deletingLastPathComponent(), withIntermediateDirectories: true)
            try Data(paths.joined(separator: "\n").utf8 + [0x0A]).write(to: list)
        } catch {
            throw PublishError("cannot write the list of files to send: \(error)")
        }
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = [options.rsync] + arguments + ["--files-from=" + list.path, source + "/", options.target.destination]
        // Standard error into a file, so that reading the names from standard output as they
        // come never waits on a full error pipe.
        let errorFile = list.appendingPathExtension("err")
        defer { try? FileManager.default.removeItem(at: errorFile) }
        guard FileManager.default.createFile(atPath: errorFile.path, contents: nil), let errors = FileHandle(forWritingAtPath: errorFile.path) else {
            throw PublishError("cannot write \(errorFile.path)")
        }
        let names = Pipe()
        process.standardError = errors
        process.standardOutput = names
        do { try process.run() } catch { throw PublishError("cannot start rsync (\(options.rsync)): \(error); install rsync") }
        try? errors.close()
        var pending: [UInt8] = []
        while case let chunk = names.fileHandleForReading.availableData, !chunk.isEmpty {
            pending += chunk
            while let newline = pending.firstIndex(of: 0x0A) {
                let name = String(decoding: pending[..<newline], as: UTF8.self)
                pending.removeSubrange(...newline)
                if !name.hasSuffix("/") { each(name) }
            }
        }
        process.waitUntilExit()
        let message = String(decoding: FileManager.default.contents(atPath: errorFile.path) ?? Data(), as: UTF8.self)
        guard process.terminationStatus == 0 else {
            throw PublishError(
                "rsync to \(options.target) failed (exit \(process.terminationStatus)): \(message.trimmingCharacters(in: .whitespacesAndNewlines)); the release in force there is unchanged")
        }
    }

    private func loadState() -> State? {
        guard let data = FileManager.default.contents(atPath: stateFile.path) else { return nil }
        let decoder = JSONDecoder()
        decoder.dateDecodingStrategy = .iso8601
        guard let state = try? decoder.decode(State.self, from: data), state.destination == options.target.destination else { return nil }
        return state
    }

    /// Best effort: without it the next publish sends every file again (rsync skips the equal ones).
    private func saveState(_ state: State) {
        let encoder = JSONEncoder()
        encoder.dateEncodingStrategy = .iso8601
        encoder.outputFormatting = [.sortedKeys]
        guard let data = try? encoder.encode(state) else { return }
        try? PrivateDirectory.make(stateFile.deletingLastPathComponent().path, tightening: true)
        try? AtomicFile.write(Array(data), to: stateFile.path, mode: 0o600, durability: .durable)
    }
}
