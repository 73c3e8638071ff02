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
        let key = "\(initials)|\(size)|\(red)|\(green)|\(blue)"
        return try cache.drawOnce(key) { () throws(DrawingError) in
            try draw(initials: initials, size: size, red: red, green: green, blue: blue)
        }
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
