// What a file looks like from the outside (identity, size, change times), for change detection:
// the build's no-op check, the photo cache and the preview's reload all compare these.
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// The identity and change times of a file: if none of these changed, its bytes did not either
/// (ctime cannot be set back by a user, and any write or rename updates it).
public struct FileStamp: Equatable, Hashable, Sendable {
    public var device: UInt64
    public var inode: UInt64
    public var size: UInt64
    public var modifiedSeconds: Int64
    public var modifiedNanoseconds: Int64
    public var changedSeconds: Int64
    public var changedNanoseconds: Int64

    public init(_ status: stat) {
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

    public init(
        device: UInt64, inode: UInt64, size: UInt64, modifiedSeconds: Int64, modifiedNanoseconds: Int64,
        changedSeconds: Int64, changedNanoseconds: Int64
    ) {
        self.device = device
        self.inode = inode
        self.size = size
        self.modifiedSeconds = modifiedSeconds
        self.modifiedNanoseconds = modifiedNanoseconds
        self.changedSeconds = changedSeconds
        self.changedNanoseconds = changedNanoseconds
    }

    /// The stamp of the file at `path` (following symbolic links).
    public static func of(_ path: String) throws(FileError) -> FileStamp {
        var status = stat()
        guard stat(path, &status) == 0 else { throw FileError(path: path, "cannot read the file") }
        return FileStamp(status)
    }

    /// Modification time in nanoseconds since 1970 (what git's index and the build state keep).
    public var modifiedNanosecondsSince1970: Int { Int(modifiedSeconds) * 1_000_000_000 + Int(modifiedNanoseconds) }

    /// Whether the file was last touched at least `margin` seconds before `now` (seconds since
    /// 1970). A file touched more recently could still change within the same timestamp tick
    /// without its stamp changing.
    public func isSettled(now: Double, margin: Double = 2) -> Bool {
        let modified = Double(modifiedSeconds) + Double(modifiedNanoseconds) / 1e9
        let changed = Double(changedSeconds) + Double(changedNanoseconds) / 1e9
        return max(modified, changed) < now - margin
    }
}
