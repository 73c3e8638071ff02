// App icons drawn by libvips when a school has no logo: its initials on its colour.
import Foundation
import VipsShim

public enum AppIcon {
    /// A square PNG of `size` pixels with `initials` in white on the colour, without metadata.
    ///
    ///     let png = try AppIcon.png(initials: "DR", size: 192, red: 31, green: 95, blue: 139)
    public static func png(initials: String, size: Int, red: Int, green: Int, blue: Int) throws(DrawingError) -> [UInt8] {
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
