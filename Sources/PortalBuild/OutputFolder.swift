// Builds output/ next to itself and swaps it in, so the web host never serves a half-written site.
import Foundation
import PortalFiles
#if canImport(Glibc)
import Glibc
#endif

/// A temporary sibling folder that becomes `output/` on `commit()`.
///
///     let staging = try OutputFolder.Staging(replacing: outputURL)
///     try staging.write("site.json", bytes)
///     try staging.commit()
public enum OutputFolder {
    /// The marker that says a folder was made by `portal generate` and may be replaced.
    public static let marker = "site.json"

    // @unchecked: `write` may run on several threads once `writeAll` has made every folder;
    // the folder set is only read then.
    public final class Staging: @unchecked Sendable {
        public let target: URL
        public let folder: URL
        private let folderPath: String
        private var committed = false
        private var createdFolders: Set<String> = [""]

        public init(replacing target: URL) throws(BuildError) {
            self.target = target.standardizedFileURL
            let fm = FileManager.default
            var isDirectory: ObjCBool = false
            if fm.fileExists(atPath: self.target.path, isDirectory: &isDirectory) {
                let entries = (try? fm.contentsOfDirectory(atPath: self.target.path)) ?? []
                if !isDirectory.boolValue || (!entries.isEmpty && !entries.contains(OutputFolder.marker)) {
                    throw BuildError(
                        .write, path: self.target.path,
                        "exists and was not made by portal generate; refusing to replace it (choose another --output)")
                }
            }
            let parent = self.target.deletingLastPathComponent()
            folder = parent.appendingPathComponent(".\(self.target.lastPathComponent).tmp-\(getpid())", isDirectory: true)
            folderPath = folder.path
            try? fm.removeItem(at: folder)
            do {
                try fm.createDirectory(at: folder, withIntermediateDirectories: true)
            } catch {
                throw BuildError(.write, path: folder.path, "cannot create the staging folder: \(error.localizedDescription)")
            }
        }

        deinit {
            if !committed { try? FileManager.default.removeItem(at: folder) }
        }

        /// Writes one file (path relative to output/, `/`-separated).
        public func write(_ relativePath: String, _ bytes: [UInt8]) throws(BuildError) {
            // String paths: URL.appendingPathComponent stats the file system on Linux, which
            // made writing 10,000 files ten times slower.
            let path = folderPath + "/" + relativePath
            let parent = FileTree.folder(of: relativePath)
            if !createdFolders.contains(parent) {
                do {
                    try FileManager.default.createDirectory(
                        atPath: FileTree.folder(of: path), withIntermediateDirectories: true)
                } catch {
                    throw BuildError(.write, path: relativePath, "cannot create folder: \(error.localizedDescription)")
                }
                createdFolders.insert(parent)
            }
            do {
                try AtomicFile.writeInPlace(bytes, to: path)
            } catch {
                throw BuildError(.write, path: relativePath, error.reason)
            }
        }

        /// Writes many files on several threads (file creation waits on the file system).
        public func writeAll(_ files: [OutputFile], threads: Int = 4) throws(BuildError) {
            for parent in Set(files.map { FileTree.folder(of: $0.path) }) where !createdFolders.contains(parent) {
                do {
                    try FileManager.default.createDirectory(atPath: folderPath + "/" + parent, withIntermediateDirectories: true)
                } catch {
                    throw BuildError(.write, path: parent, "cannot create folder: \(error.localizedDescription)")
                }
                createdFolders.insert(parent)
            }
            let next = ManagedAtomicCounter()
            let failures = ParallelSlots<BuildError>(count: files.count)
            let group = DispatchGroup()
            for _ in 0..<max(1, min(threads, files.count)) {
                group.enter()
                Thread.detachNewThread {
                    defer { group.leave() }
                    while case let index = next.increment(), index < files.count {
                        do { try self.write(files[index].path, files[index].bytes) } catch {
                            failures.set(index, error as? BuildError ?? BuildError(.write, path: files[index].path, "\(error)"))
                        }
                    }
                }
            }
            group.wait()
            if let failure = failures.values.first { throw failure }
        }

        /// Flushes the staging folder to disk and swaps it in place of the target.
        public func commit() throws(BuildError) {
            let fd = open(folder.path, O_RDONLY | O_DIRECTORY | O_CLOEXEC)
            if fd >= 0 {
                OutputFolder.syncFilesystem(fd)  // one flush for all files, instead of an fsync per file
                close(fd)
            }
            let fm = FileManager.default
            if fm.fileExists(atPath: target.path) {
                if OutputFolder.exchange(folder.path, target.path) {
                    committed = true
                    try? fm.removeItem(at: folder)  // now holds the previous output
                    return
                }
                let old = folder.deletingLastPathComponent().appendingPathComponent(".\(target.lastPathComponent).old-\(getpid())")
                try? fm.removeItem(at: old)
                guard rename(target.path, old.path) == 0 else {
                    throw BuildError(.swap, path: target.path, "cannot move the old output aside: \(String(cString: strerror(errno)))")
                }
                guard rename(folder.path, target.path) == 0 else {
                    _ = rename(old.path, target.path)
                    throw BuildError(.swap, path: target.path, "cannot move the new output in place: \(String(cString: strerror(errno)))")
                }
                committed = true
                try? fm.removeItem(at: old)
            } else {
                guard rename(folder.path, target.path) == 0 else {
                    throw BuildError(.swap, path: target.path, "cannot move the new output in place: \(String(cString: strerror(errno)))")
                }
                committed = true
            }
        }
    }

    /// Changes an output folder of an earlier build in place: writes `files` in their order, each
    /// through a temporary file and a rename, then removes `stale`. Blobs and pages are named
    /// after their bytes, so new ones never replace a file in use: written before the indexes
    /// that list them, a reader (or a crash) sees the old site or the new one, plus unused files.
    static func update(_ target: URL, writing files: [OutputFile], removing stale: Set<String>) throws(BuildError) {
        let root = target.standardizedFileURL.path
        var folders: Set<String> = []
        for file in files {
            let path = root + "/" + file.path
            let parent = FileTree.folder(of: path)
            if folders.insert(parent).inserted {
                do { try FileManager.default.createDirectory(atPath: parent, withIntermediateDirectories: true) } catch {
                    throw BuildError(.write, path: file.path, "cannot create folder: \(error.localizedDescription)")
                }
            }
            do { try AtomicFile.write(file.bytes, to: path, mode: 0o644, durability: .cache) } catch {
                throw BuildError(.write, path: file.path, error.reason)
            }
        }
        for path in stale.sorted() where unlink(root + "/" + path) != 0 && errno != ENOENT {
            throw BuildError(.write, path: path, "cannot remove a file no longer used: \(String(cString: strerror(errno)))")
        }
    }

    /// Flushes the file system holding `fd` (Linux `syncfs`, not imported by Swift's Glibc);
    /// falls back to `sync()` where it is missing.
    static func syncFilesystem(_ fd: Int32) {
        #if os(Linux)
        typealias SyncFS = @convention(c) (Int32) -> Int32
        if let symbol = dlsym(UnsafeMutableRawPointer(bitPattern: 0), "syncfs") {
            _ = unsafeBitCast(symbol, to: SyncFS.self)(fd)
            return
        }
        #endif
        sync()
    }

    /// Atomic exchange of two paths with Linux `renameat2(RENAME_EXCHANGE)`, looked up at run time
    /// because Swift's Glibc module does not import it. False when unavailable (other systems).
    static func exchange(_ a: String, _ b: String) -> Bool {
        #if os(Linux)
        typealias Renameat2 = @convention(c) (Int32, UnsafePointer<CChar>, Int32, UnsafePointer<CChar>, UInt32) -> Int32
        guard let symbol = dlsym(UnsafeMutableRawPointer(bitPattern: 0), "renameat2") else { return false }
        let renameat2 = unsafeBitCast(symbol, to: Renameat2.self)
        let renameExchange: UInt32 = 1 << 1
        return renameat2(AT_FDCWD, a, AT_FDCWD, b, renameExchange) == 0
        #else
        return false
        #endif
    }
}

/// A counter shared by writer threads; each `increment()` returns the next index exactly once.
final class ManagedAtomicCounter: @unchecked Sendable {
    private var value = 0
    private let lock = NSLock()

    func increment() -> Int {
        lock.lock()
        defer { lock.unlock() }
        value += 1
        return value - 1
    }
}
