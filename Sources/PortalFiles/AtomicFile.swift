// The one atomic write of the portal: a reader (or a crash) sees the old file or the whole new
// one, never a part. The keystore, the trust file, letters and the photo cache all write this way.
import Foundation
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

public enum AtomicFile {
    /// How hard a write insists on reaching the disk before it returns.
    public enum Durability: Sendable {
        /// fsync of the file before the rename and of the folder after it: the keystore, the
        /// trust file, letters. After a crash the file is the old one or the new one.
        case durable
        /// No fsync: for caches whose readers verify what they read (a checksum), so a file
        /// emptied by a crash is recomputed, not trusted.
        case cache
    }

    /// Writes `bytes` to `path` through a temporary file in the same folder (created with
    /// `O_EXCL` and `mode`, then `fchmod` so the umask cannot change it) and a rename.
    ///
    /// ```swift
    /// try AtomicFile.write(Array(json), to: "keys/keystore.json", mode: 0o600)
    /// ```
    public static func write<Bytes: ContiguousBytes>(
        _ bytes: Bytes, to path: String, mode: mode_t, durability: Durability = .durable
    ) throws(FileError) {
        let folder = FileTree.folder(of: path)
        let name = (path as NSString).lastPathComponent
        let temporary = (folder.isEmpty ? "." : folder) + "/." + name + ".tmp-" + randomSuffix()
        let fd = open(temporary, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, mode)
        guard fd >= 0 else { throw FileError(path: path, "cannot create a temporary file") }
        var failure: FileError?
        if fchmod(fd, mode) != 0 {
            failure = FileError(path: path, "cannot set the file mode")
        } else if !bytes.withUnsafeBytes({ FileDescriptor.writeAll(fd, $0) }) {
            failure = FileError(path: path, "cannot write")
        } else if durability == .durable && fsync(fd) != 0 {
            failure = FileError(path: path, "cannot flush to disk")
        }
        if close(fd) != 0 && failure == nil { failure = FileError(path: path, "cannot write") }
        if failure == nil && rename(temporary, path) != 0 { failure = FileError(path: path, "cannot replace the file") }
        if let failure {
            unlink(temporary)
            throw failure
        }
        if durability == .durable { FileDescriptor.syncDirectory(folder.isEmpty ? "." : folder) }
    }

    /// Creates (or truncates) `path` and writes `bytes`, with no temporary file: for files inside
    /// a staging folder that is swapped in whole, where the folder swap is the atomic step.
    public static func writeInPlace<Bytes: ContiguousBytes>(_ bytes: Bytes, to path: String, mode: mode_t = 0o644) throws(FileError) {
        let fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, mode)
        guard fd >= 0 else { throw FileError(path: path, "cannot create") }
        let ok = bytes.withUnsafeBytes { FileDescriptor.writeAll(fd, $0) }
        let code = errno
        let closed = close(fd) == 0
        guard ok else { throw FileError(path: path, "write failed", code: code) }
        guard closed else { throw FileError(path: path, "write failed") }
    }

    private static func randomSuffix() -> String {
        String(UInt64.random(in: 0...UInt64.max), radix: 36) + "-\(getpid())"
    }
}
