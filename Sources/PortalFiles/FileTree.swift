// Lists a folder tree with one stat per file, relative to the open folder: the no-op check of
// `generate` and the preview's reload both start here, and in a no-op build this is most of the work.
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

public enum FileTree {
    public struct Entry: Equatable, Sendable {
        /// `/`-separated path below the root.
        public var path: String
        public var stamp: FileStamp
    }

    /// Regular files below `root`, sorted by path. Each folder is read with readdir and its
    /// entries stat-ed relative to the open folder (no path walk per file). Symbolic links are
    /// not followed. `skip` gets each relative path (files and folders) and may leave it out.
    /// A missing root is an empty tree; an unreadable folder below it is an error.
    public static func list(_ root: String, skip: (String) -> Bool = { _ in false }) throws(FileError) -> [Entry] {
        var result: [Entry] = []
        var stack = [""]
        while let relative = stack.popLast() {
            let folder = relative.isEmpty ? root : root + "/" + relative
            guard let dir = opendir(folder) else {
                if relative.isEmpty { return [] }
                throw FileError(path: folder, reason: "cannot list folder")
            }
            defer { closedir(dir) }
            let fd = dirfd(dir)
            while let entry = readdir(dir) {
                let name = withUnsafeBytes(of: entry.pointee.d_name) { raw in
                    String(decoding: raw.prefix(while: { $0 != 0 }), as: UTF8.self)
                }
                if name == "." || name == ".." { continue }
                let child = relative.isEmpty ? name : relative + "/" + name
                if skip(child) { continue }
                var info = stat()
                guard fstatat(fd, name, &info, AT_SYMLINK_NOFOLLOW) == 0 else { continue }
                if (info.st_mode & S_IFMT) == S_IFDIR {
                    stack.append(child)
                } else if (info.st_mode & S_IFMT) == S_IFREG {
                    result.append(Entry(path: child, stamp: FileStamp(info)))
                }
            }
        }
        return result.sorted { $0.path < $1.path }
    }
}
