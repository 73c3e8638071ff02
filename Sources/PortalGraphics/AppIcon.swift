// App icons drawn by libvips when a school has no logo: its initials on its colour.
import Foundation
import VipsShim

public enum AppIcon {
    /// A square PNG of `size` pixels with `initials` in white on the colour, without metadata.
    ///
    ///     let png = try AppIcon.png(initials: "DR", size: 192, red: 31, green: 95, blue: 139)
    public static func png(initials: String, size: Int, red: Int, green: Int, blue: Int) throws(DrawingError) -> [UInt8] {
        // Drawn once per process for each icon: libvips 8.14's vips_text can crash with SIGFPE in
        // g_hash_table_lookup (libvips issue 3660, a race on its font table, fixed upstream
        // later), as it did twice in test runs here; every build of a school draws the same two
        // icons anyway. One at a time, too: two icons of different sizes drawn at once still
        // raced (a SIGFPE in generate on CI, 2026-12-03).
        // The drawn icon is also kept in the user's cache folder (it holds nothing private: the
        // school's initials on its colour), so a machine draws each icon once, not once per build:
        // the crash above happens, if at all, on a first drawing only.
        let key = "\(initials)|\(size)|\(red)|\(green)|\(blue)"
        return try cache.drawOnce(key) { () throws(DrawingError) in
            let file = diskCache.map { $0.appendingPathComponent(Self.fileName(key)) }
            if let file, let data = FileManager.default.contents(atPath: file.path), data.starts(with: pngSignature) {
                return Array(data)
            }
            let png = try draw(initials: initials, size: size, red: red, green: green, blue: blue)
            if let file {
                try? FileManager.default.createDirectory(at: file.deletingLastPathComponent(), withIntermediateDirectories: true)
                try? Data(png).write(to: file, options: .atomic)
            }
            return png
        }
    }

    private static let pngSignature: [UInt8] = [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A]

    /// `$XDG_CACHE_HOME/ouderportaal/icons`, else `~/.cache/ouderportaal/icons`.
    private static let diskCache: URL? = {
        let environment = ProcessInfo.processInfo.environment
        if let xdg = environment["XDG_CACHE_HOME"], xdg.hasPrefix("/") {
            return URL(fileURLWithPath: xdg).appendingPathComponent("ouderportaal/icons", isDirectory: true)
        }
        guard let home = environment["HOME"], home.hasPrefix("/") else { return nil }
        return URL(fileURLWithPath: home).appendingPathComponent(".cache/ouderportaal/icons", isDirectory: true)
    }()

    /// A file name for an icon's key (initials may be any letters): the drawing's version and hex of the key.
    private static func fileName(_ key: String) -> String {
        "v1-" + key.utf8.map { String(format: "%02x", $0) }.joined() + ".png"
    }

    private static let cache = IconCache()

    private static func draw(initials: String, size: Int, red: Int, green: Int, blue: Int) throws(DrawingError) -> [UInt8] {
        var bytes: UnsafeMutableRawPointer?
        var length = 0
        var error: UnsafeMutablePointer<CChar>?
        let status = portal_vips_text_icon(
            initials, Int32(size), Int32(red), Int32(green), Int32(blue), &bytes, &length, &error)
        defer { portal_vips_free(bytes) }
        guard status == Int32(PORTAL_VIPS_OK.rawValue), let bytes else {
            let message = error.map { String(cString: $0) } ?? "libvips failed"
            portal_vips_free(error)
            throw DrawingError("app icon", "cannot draw the app icon: \(message)")
        }
        return Array(UnsafeRawBufferPointer(start: bytes, count: length))
    }

    /// Up to two initials of a school's name, skipping a leading school-type abbreviation
    /// ("OBS De Regenboog" -> "DR", "Het Kompas" -> "HK").
    public static func initials(of name: String) -> String {
        var words = name.split(whereSeparator: { $0 == " " || $0 == "-" }).map(String.init)
        if words.count > 1, let first = words.first, first.count <= 5, first == first.uppercased(),
           first.contains(where: \.isLetter) {
            words.removeFirst()
        }
        let letters = words.compactMap { $0.first(where: { $0.isLetter || $0.isNumber }) }
        let initials = String(letters.prefix(2)).uppercased()
        return initials.isEmpty ? "?" : initials
    }
}

/// Icons drawn in this process, by what they show.
private final class IconCache: @unchecked Sendable {
    private let lock = NSLock()
    private var icons: [String: [UInt8]] = [:]

    /// The icon of `key`, drawn under the lock the first time: no two `vips_text` calls overlap.
    func drawOnce(_ key: String, _ draw: () throws(DrawingError) -> [UInt8]) throws(DrawingError) -> [UInt8] {
        lock.lock()
        defer { lock.unlock() }
        if let icon = icons[key] { return icon }
        let icon = try draw()
        icons[key] = icon
        return icon
    }
}
