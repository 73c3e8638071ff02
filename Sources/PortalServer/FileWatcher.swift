// Tells the preview that a file below content/ or the theme changed, as soon as it did: Linux
// inotify on every folder (folders made later are watched as they appear), so a save is seen in
// a millisecond without listing 10,000 files ten times a second. Elsewhere it polls.
import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// Calls `changed` (on its own thread) after files below `roots` change; several changes close
/// together may be one call. What changed is for the caller to find out (`FileTree`).
///
///     let watcher = FileWatcher(roots: [content.path, theme.path]) { print("something changed") }
///     watcher.start()
final class FileWatcher: @unchecked Sendable {
    let roots: [String]
    private let changed: @Sendable () -> Void

    init(roots: [String], changed: @escaping @Sendable () -> Void) {
        self.roots = roots
        self.changed = changed
    }

    func start() {
        let thread = Thread { [self] in run() }
        thread.name = "preview file watcher"
        thread.start()
    }

    private func run() {
        #if os(Linux)
        if watchWithInotify() { return }
        #endif
        // No inotify: look twice a second (the preview compares every file's stamp anyway).
        while true {
            Thread.sleep(forTimeInterval: 0.5)
            changed()
        }
    }

    #if os(Linux)
    /// Blocks reading inotify events for ever; false when inotify cannot be used.
    private func watchWithInotify() -> Bool {
        let fd = inotify_init1(Int32(IN_CLOEXEC))
        guard fd >= 0 else { return false }
        let mask = UInt32(IN_MODIFY | IN_CLOSE_WRITE | IN_CREATE | IN_DELETE | IN_MOVED_FROM | IN_MOVED_TO | IN_ATTRIB | IN_DELETE_SELF)
        var folders: [Int32: String] = [:]
        func watch(_ folder: String) {
            let descriptor = inotify_add_watch(fd, folder, mask)
            guard descriptor >= 0 else { return }
            folders[descriptor] = folder
            guard let names = try? FileManager.default.contentsOfDirectory(atPath: folder) else { return }
            for name in names {
                var info = stat()
                let path = folder + "/" + name
                if lstat(path, &info) == 0, (info.st_mode & S_IFMT) == S_IFDIR { watch(path) }
            }
        }
        for root in roots { watch(root) }
        guard !folders.isEmpty else { close(fd); return false }
        var buffer = [UInt8](repeating: 0, count: 64 * 1024)
        let headerSize = MemoryLayout<inotify_event>.size
        while true {
            let count = buffer.withUnsafeMutableBytes { read(fd, $0.baseAddress, $0.count) }
            if count < 0 && errno == EINTR { continue }
            guard count > 0 else { close(fd); return true }
            var offset = 0
            buffer.withUnsafeBytes { raw in
                while offset + headerSize <= count {
                    let event = raw.loadUnaligned(fromByteOffset: offset, as: inotify_event.self)
                    let nameBytes = raw[(offset + headerSize)..<min(count, offset + headerSize + Int(event.len))]
                    offset += headerSize + Int(event.len)
                    // A new folder (or one moved in) is watched too, with what it already holds.
                    guard event.mask & UInt32(IN_ISDIR) != 0, event.mask & UInt32(IN_CREATE | IN_MOVED_TO) != 0,
                          let parent = folders[event.wd]
                    else { continue }
                    let name = String(decoding: nameBytes.prefix { $0 != 0 }, as: UTF8.self)
                    watch(parent + "/" + name)
                }
            }
            changed()
        }
    }
    #endif
}
