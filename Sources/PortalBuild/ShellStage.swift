// The app shell as `portal generate` lays it out (FORMAT.md "App shell"): the theme's files as
// served (ShellFiles) and the school's identity (AppIdentity) under `s/<id>/`, named by the whole
// set's bytes; at the names a browser already knows (the letter's link, the worker's registration,
// the install's manifest) `index.html`, `sw.js` and `manifest.webmanifest`, rewritten to point into
// that folder; and `shell`, the publisher-signed list of every file's SHA-256, which the worker
// checks before it keeps a new shell. A host can so hold the old shell and the new side by side
// while a publish is under way, and a worker never keeps a mix of both.
import Foundation
import PortalCrypto
import PortalFiles
import PortalFormat

struct ShellStage {
    /// Theme files that stay at the site's root.
    static let rootFiles: Set<String> = ["index.html", "sw.js", "manifest.webmanifest"]

    /// The names format 1's worker fetches to look for a new shell (its `SHELL` list, at the
    /// root). It offers the update only when every one answers, and the tap loads the new
    /// `index.html`; then format 2's app registers its own worker. So each name gets a small
    /// file that says why it is there; none is part of the app (FORMAT.md "Upgrading from format 1").
    static let format1Names = [
        "app.js", "session.js", "sealed.js", "fresh.js", "shell.js", "router.js", "visit.js", "views.js", "gallery.js", "zip.js",
        "calendar.js", "ics.js", "booking.js", "booking-draw.js", "absence.js", "forms.js", "crypto.js", "hpke.js", "receiver.js",
        "store.js", "dom.js", "i18n.js", "style.css", "icon.svg", "icons/icon-192.png", "icons/icon-512.png",
        "i18n/nl.json", "i18n/en.json", "i18n/ar.json", "i18n/tr.json", "i18n/pl.json", "i18n/uk.json",
    ]
    static let format1Placeholder = Array("A device that used format 1 asks for this name once; the app is in s/ (docs/FORMAT.md).\n".utf8)

    let theme: URL
    let identity: [OutputFile]
    let siteID: [UInt8]
    let publisherSeed: [UInt8]

    func files() throws(BuildError) -> [OutputFile] {
        var all = try themeFiles(skipping: Set(identity.map(\.path)))
        all += identity.map { ($0.path, $0.bytes) }
        let id = ShellIndex.id(of: all)
        let folder = ShellIndex.directory(id)
        let inFolder = Set(all.map(\.path).filter { !Self.rootFiles.contains($0) })
        var out: [OutputFile] = []
        for (path, bytes) in all {
            if !Self.rootFiles.contains(path) {
                out.append(OutputFile(path: folder + path, bytes: bytes))
            } else {
                out.append(OutputFile(path: path, bytes: try Self.pointed(path, bytes, into: folder, names: inFolder)))
            }
        }
        let index = ShellIndex(
            siteID: Hex.encode(siteID), id: id,
            files: Dictionary(uniqueKeysWithValues: out.map { ($0.path, Hex.encode(SHA256.hash($0.bytes))) }))
        do {
            out.append(OutputFile(path: ShellIndex.path, bytes: try index.signed(seed: publisherSeed)))
        } catch {
            throw BuildError(.write, path: ShellIndex.path, "cannot encode the shell index: \(error)")
        }
        return out + Self.format1Names.map { OutputFile(path: $0, bytes: Self.format1Placeholder) }
    }

    /// The theme's app files as served, by path relative to the app folder (dot files left out).
    private func themeFiles(skipping: Set<String>) throws(BuildError) -> [(path: String, bytes: [UInt8])] {
        let entries: [FileTree.Entry]
        do {
            entries = try FileTree.list(theme.path) { relative in
                relative.split(separator: "/").last?.hasPrefix(".") == true || skipping.contains(relative)
            }
        } catch {
            throw BuildError(.write, path: theme.path, "cannot read the theme's app folder: \(error.reason)")
        }
        var files: [(path: String, bytes: [UInt8])] = []
        for entry in entries {
            guard let data = FileManager.default.contents(atPath: theme.path + "/" + entry.path) else {
                throw BuildError(.write, path: theme.path + "/" + entry.path, "cannot read theme file")
            }
            files.append((entry.path, ShellFiles.served(entry.path, Array(data))))
        }
        return files
    }

    /// A root file with its references to the shell's files pointed into `folder`: the page's
    /// `href`/`src` attributes, the worker's module imports, the manifest's icons. Names are
    /// matched whole (in quotes), so nothing else in the file changes.
    static func pointed(_ path: String, _ bytes: [UInt8], into folder: String, names: Set<String>) throws(BuildError) -> [UInt8] {
        guard var text = String(bytes: bytes, encoding: .utf8) else {
            throw BuildError(.write, path: path, "the theme's \(path) is not UTF-8")
        }
        for name in names.sorted() {
            switch path {
            case "index.html":
                for attribute in ["href", "src"] {
                    text = text.replacingOccurrences(of: "\(attribute)=\"\(name)\"", with: "\(attribute)=\"\(folder)\(name)\"")
                }
            case "sw.js":
                text = text.replacingOccurrences(of: "from './\(name)'", with: "from './\(folder)\(name)'")
            default:
                text = text.replacingOccurrences(of: "\"src\": \"\(name)\"", with: "\"src\": \"\(folder)\(name)\"")
                text = text.replacingOccurrences(of: "\"src\" : \"\(name)\"", with: "\"src\" : \"\(folder)\(name)\"")
            }
        }
        return Array(text.utf8)
    }
}
