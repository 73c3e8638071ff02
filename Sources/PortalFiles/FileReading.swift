// Whole-file reads that also say whether the bytes belong to one stamp of the file.
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

public enum FileReading {
    /// Reads a whole regular file. Also returns its stamp, taken before and checked after the
    /// read, so that the bytes belong to that stamp (nil if the file changed while it was read).
    public static func readWithStamp(_ path: String) throws(FileError) -> (bytes: [UInt8], stamp: FileStamp?) {
        let fd = open(path, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else { throw FileError(path: path, "cannot read the file") }
        defer { close(fd) }
        var before = stat()
        guard fstat(fd, &before) == 0 else { throw FileError(path: path, "cannot read the file") }
        guard (before.st_mode & S_IFMT) == S_IFREG else { throw FileError(path: path, reason: "not a regular file") }
        // Read straight into an array of the expected size, then keep reading in case the file
        // grew meanwhile (the stamps then differ and the caller does not trust them).
        var bytes = [UInt8](repeating: 0, count: Int(before.st_size))
        guard let total = bytes.withUnsafeMutableBytes({ FileDescriptor.readUpTo(fd, $0) }) else {
            throw FileError(path: path, "cannot read the file")
        }
        bytes.removeLast(bytes.count - total)
        var chunk = [UInt8](repeating: 0, count: 1 << 16)
        while true {
            guard let count = chunk.withUnsafeMutableBytes({ FileDescriptor.readUpTo(fd, $0) }) else {
                throw FileError(path: path, "cannot read the file")
            }
            bytes.append(contentsOf: chunk[0..<count])
            if count < chunk.count { break }
        }
        var after = stat()
        guard fstat(fd, &after) == 0 else { throw FileError(path: path, "cannot read the file") }
        let stampBefore = FileStamp(before)
        let stampAfter = FileStamp(after)
        let settled = stampBefore == stampAfter && stampAfter.size == UInt64(bytes.count)
        return (bytes, settled ? stampAfter : nil)
    }
}
