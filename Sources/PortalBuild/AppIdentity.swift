// The installable app's identity for this school: the web app manifest with the school's name and
// icons drawn from its initials, replacing the theme's generic ones in output/.
import Foundation
import PortalContent
import PortalPhotos
import PortalGraphics

struct AppIdentity {
    let site: Site
    let theme: URL

    /// `manifest.webmanifest`, `icons/icon-192.png` and `icons/icon-512.png`.
    func files() throws(BuildError) -> [OutputFile] {
        let manifestPath = theme.appendingPathComponent("manifest.webmanifest")
        guard let data = FileManager.default.contents(atPath: manifestPath.path),
              var manifest = (try? JSONSerialization.jsonObject(with: data)) as? [String: Any]
        else { throw BuildError(.write, path: manifestPath.path, "the theme's web app manifest is missing or not JSON") }
        let name = site.config.name
        manifest["name"] = name
        manifest["short_name"] = Self.shortName(name)
        manifest["lang"] = site.config.languages.first ?? "nl"
        if let schoolColour = site.config.colour { manifest["theme_color"] = schoolColour }
        let colour = Self.rgb(manifest["theme_color"] as? String) ?? (31, 95, 139)
        var files: [OutputFile] = []
        for size in [192, 512] {
            do {
                let png = try AppIcon.png(
                    initials: AppIcon.initials(of: name), size: size, red: colour.0, green: colour.1, blue: colour.2)
                files.append(OutputFile(path: "icons/icon-\(size).png", bytes: png))
            } catch {
                throw BuildError(.write, path: "icons/icon-\(size).png", error.message)
            }
        }
        do {
            let json = try JSONSerialization.data(withJSONObject: manifest, options: [.sortedKeys, .prettyPrinted, .withoutEscapingSlashes])
            files.append(OutputFile(path: "manifest.webmanifest", bytes: Array(json)))
        } catch {
            throw BuildError(.write, path: "manifest.webmanifest", "cannot encode: \(error)")
        }
        return files
    }

    /// At most 12 characters, as home screens show: the name without a leading school-type
    /// abbreviation when it is longer ("OBS De Regenboog" -> "De Regenboog").
    static func shortName(_ name: String) -> String {
        if name.count <= 12 { return name }
        var words = name.split(separator: " ")
        if words.count > 1, words[0].count <= 5, words[0] == words[0].uppercased() { words.removeFirst() }
        let short = words.joined(separator: " ")
        return short.count <= 12 ? short : String(short.prefix(12)).trimmingCharacters(in: .whitespaces)
    }

    /// "#1f5f8b" -> (31, 95, 139).
    static func rgb(_ hex: String?) -> (Int, Int, Int)? {
        guard let hex, hex.hasPrefix("#"), hex.count == 7, let value = Int(hex.dropFirst(), radix: 16) else { return nil }
        return ((value >> 16) & 0xff, (value >> 8) & 0xff, value & 0xff)
    }
}
