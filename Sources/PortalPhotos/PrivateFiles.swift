// POSIX file access for the photo cache: whole-file reads, atomic 0600 writes, a 0700 directory.
// The cache holds plaintext variants of children's photos, so it is as private as the keystore.

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import Foundation

/// The identity and change times of a file: if none of these changed, its bytes did not either
/// (ctime cannot be set back by a user, and any write or rename updates it).
struct FileStamp: Equatable {
    var device: UInt64
    var inode: UInt64
    var size: UInt64
    var modifiedSeconds: Int64
    var modifiedNanoseconds: Int64
    var changedSeconds: Int64
    var changedNanoseconds: Int64

    init(_ status: stat) {
        device = UInt64(truncatingIfNeeded: status.st_dev)
        inode = UInt64(truncatingIfNeeded: status.st_ino)
        size = UInt64(truncatingIfNeeded: status.st_size)
        #if canImport(Darwin)
        modifiedSeconds = Int64(status.st_mtimespec.tv_sec)
        modifiedNanoseconds = Int64(status.st_mtimespec.tv_nsec)
        changedSeconds = Int64(status.st_ctimespec.tv_sec)
        changedNanoseconds = Int64(status.st_ctimespec.tv_nsec)
        #else
        modifiedSeconds = Int64(status.st_mtim.tv_sec)
        modifiedNanoseconds = Int64(status.st_mtim.tv_nsec)
        changedSeconds = Int64(status.st_ctim.tv_sec)
        changedNanoseconds = Int64(status.st_ctim.tv_nsec)
        #endif
    }

    init(device: UInt64, inode: UInt64, size: UInt64, modifiedSeconds: Int64, modifiedNanoseconds: Int64,
         changedSeconds: Int64, changedNanoseconds: Int64) {
        self.device = device
        self.inode = inode
        self.size = size
        self.modifiedSeconds = modifiedSeconds
        self.modifiedNanoseconds = modifiedNanoseconds
        self.changedSeconds = changedSeconds
        self.changedNanoseconds = changedNanoseconds
    }

    /// Whether the file was last touched at least `margin` seconds before `now` (seconds since
    /// 1970). A file touched more recently could still change within the same timestamp tick
    /// without its stamp changing.
    func isSettled(now: Double, margin: Double = 2) -> Bool {
        let modified = Double(modifiedSeconds) + Double(modifiedNanoseconds) / 1e9
        let changed = Double(changedSeconds) + Double(changedNanoseconds) / 1e9
        return max(modified, changed) < now - margin
    }
}

/// A failed system call, as text for error messages.
struct FileFailure: Error {
    let message: String

    init(_ action: String, _ code: Int32 = errno) {
        message = "\(action): \(String(cString: strerror(code)))"
    }

    init(message: String) {
        self.message = message
    }
}

enum PrivateFiles {
    static func stamp(of path: String) throws(FileFailure) -> FileStamp {
        var status = stat()
        guard stat(path, &status) == 0 else { throw FileFailure("cannot read the file") }
        return FileStamp(status)
    }

    /// Reads a whole regular file. Also returns its stamp, taken before and checked after the read,
    /// so that the bytes belong to that stamp (nil if the file changed while it was read).
    static func read(_ path: String) throws(FileFailure) -> (bytes: [UInt8], stamp: FileStamp?) {
        let fd = open(path, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else { throw FileFailure("cannot read the file") }
        defer { close(fd) }
        var before = stat()
        guard fstat(fd, &before) == 0 else { throw FileFailure("cannot read the file") }
        guard (before.st_mode & S_IFMT) == S_IFREG else { throw FileFailure(message: "not a regular file") }
        // Read straight into an array of the expected size, then keep reading in case the file
        // grew meanwhile (the stamps then differ and the caller does not trust them).
        var bytes = [UInt8](repeating: 0, count: Int(before.st_size))
        var total = 0
        var readFailed = false
        bytes.withUnsafeMutableBytes { buffer in
            while total < buffer.count {
                let count = systemRead(fd, buffer.baseAddress! + total, buffer.count - total)
                if count < 0 {
                    if errno == EINTR { continue }
                    readFailed = true
                    return
                }
                if count == 0 { return }
                total += count
            }
        }
        if readFailed { throw FileFailure("cannot read the file") }
        bytes.removeLast(bytes.count - total)
        var chunk = [UInt8](repeating: 0, count: 1 << 16)
        while true {
            let count = chunk.withUnsafeMutableBytes { systemRead(fd, $0.baseAddress, $0.count) }
            if count < 0 {
                if errno == EINTR { continue }
                throw FileFailure("cannot read the file")
            }
            if count == 0 { break }
            bytes.append(contentsOf: chunk[0..<count])
        }
        var after = stat()
        guard fstat(fd, &after) == 0 else { throw FileFailure("cannot read the file") }
        let stampBefore = FileStamp(before)
        let stampAfter = FileStamp(after)
        let settled = stampBefore == stampAfter && stampAfter.size == UInt64(bytes.count)
        return (bytes, settled ? stampAfter : nil)
    }

    /// Writes `bytes` to `url` via a temporary file in the same folder and a rename, mode 0600: a
    /// reader sees the old file or the whole new one, never a part.
    static func writeAtomically(_ bytes: [UInt8], to url: URL) throws(FileFailure) {
        let folder = url.deletingLastPathComponent().path
        let temporary = folder + "/.tmp-" + UUID().uuidString
        let fd = open(temporary, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0o600)
        guard fd >= 0 else { throw FileFailure("cannot write the photo cache") }
        var written = 0
        let failure: FileFailure? = bytes.withUnsafeBytes { raw in
            while written < raw.count {
                let count = write(fd, raw.baseAddress! + written, raw.count - written)
                if count < 0 {
                    if errno == EINTR { continue }
                    return FileFailure("cannot write the photo cache")
                }
                written += count
            }
            return nil
        }
        // No fsync: after a crash a cache file may be empty or partial, and the checksum in its
        // header makes the next run recompute it instead of serving it.
        if close(fd) != 0 && failure == nil {
            let closeFailure = FileFailure("cannot write the photo cache")
            unlink(temporary)
            throw closeFailure
        }
        if let failure {
            unlink(temporary)
            throw failure
        }
        guard rename(temporary, url.path) == 0 else {
            let renameFailure = FileFailure("cannot write the photo cache")
            unlink(temporary)
            throw renameFailure
        }
    }

    /// Creates `url` (and missing parents) as a directory with mode 0700, or tightens an existing
    /// one that this user owns to 0700.
    static func makePrivateDirectory(_ url: URL) throws(FileFailure) {
        let path = url.path
        if mkdir(path, 0o700) != 0 {
            let code = errno
            if code == ENOENT {
                try makePrivateDirectory(url.deletingLastPathComponent())
                guard mkdir(path, 0o700) == 0 || errno == EEXIST else { throw FileFailure("cannot create the photo cache") }
            } else if code != EEXIST {
                throw FileFailure("cannot create the photo cache", code)
            }
        }
        var status = stat()
        guard stat(path, &status) == 0 else { throw FileFailure("cannot open the photo cache") }
        guard (status.st_mode & S_IFMT) == S_IFDIR else { throw FileFailure(message: "the photo cache is not a directory") }
        guard status.st_uid == geteuid() else { throw FileFailure(message: "the photo cache belongs to another user") }
        if (status.st_mode & 0o777) != 0o700 {
            guard chmod(path, 0o700) == 0 else { throw FileFailure("cannot make the photo cache private") }
        }
    }
}

// `read` is shadowed by PrivateFiles.read inside the enum; this names the system call.
@inline(__always)
private func systemRead(_ fd: Int32, _ buffer: UnsafeMutableRawPointer?, _ count: Int) -> Int {
    #if canImport(Glibc)
    return Glibc.read(fd, buffer, count)
    #else
    return Darwin.read(fd, buffer, count)
    #endif
}
