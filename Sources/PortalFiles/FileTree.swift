// Lists a folder tree with one stat per file (two for a link), relative to the open folder: the no-op check of
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

    /// A folder tree: its files and the links to folders in it, which are not followed.
    public struct Listing: Equatable, Sendable {
        /// Regular files and links to them (stamped as the file they name), sorted by path.
        public var files: [Entry] = []
        /// Links to folders, sorted by path.
        public var linkedFolders: [String] = []

        public init(files: [Entry] = [], linkedFolders: [String] = []) {
            self.files = files
            self.linkedFolders = linkedFolders
        }
    }

    /// Regular files below `root`, sorted by path (`listing(_:skip:)`'s files).
    public static func list(_ root: String, skip: (String) -> Bool = { _ in false }) throws(FileError) -> [Entry] {
        try listing(root, skip: skip).files
    }

    /// The files below `root`. Each folder is read with readdir and its entries stat-ed relative
    /// to the open folder (no path walk per file). A link to a file counts as that file; a link
    /// to a folder is listed, not followed (it could lead back up and never end); a broken link
    /// is left out. `skip` gets each relative path (files and folders) and may leave it out. A
    /// missing root is an empty tree; an unreadable folder below it is an error.
    public static func listing(_ root: String, skip: (String) -> Bool = { _ in false }) throws(FileError) -> Listing {
        var result: [Entry] = []
        var links: [String] = []
        var stack = [""]
        while let relative = stack.popLast() {
            let folder = relative.isEmpty ? root : root + "/" + relative
            guard let dir = opendir(folder) else {
                if relative.isEmpty { return Listing() }
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
                } else if (info.st_mode & S_IFMT) == S_IFLNK {
                    var target = stat()
                    guard fstatat(fd, name, &target, 0) == 0 else { continue }
                    if (target.st_mode & S_IFMT) == S_IFREG {
                        result.append(Entry(path: child, stamp: FileStamp(target)))
                    } else if (target.st_mode & S_IFMT) == S_IFDIR {
                        links.append(child)
                    }
                }
            }
        }
        return Listing(files: result.sorted { $0.path < $1.path }, linkedFolders: links.sorted())
    }
}

extension FileTree {
    /// The folder part of a `/`-separated path (`b/12ab` -> `b`, `site.json` -> ``), on bytes:
    /// NSString's `deletingLastPathComponent` cost 2.5 % of a full build, twice per output file.
    public static func folder(of path: String) -> String {
        guard let slash = path.utf8.lastIndex(of: UInt8(ascii: "/")) else { return "" }
        if slash == path.utf8.startIndex { return "/" }
        return String(path[..<slash])
    }
}
