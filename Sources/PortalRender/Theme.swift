// A theme folder: Mustache templates for the sealed item fragments and the staff preview, and the
// public app shell that is copied to output/ as it is.
import Foundation
import Mustache

public struct ThemeError: Error, CustomStringConvertible, Equatable {
    public var file: String
    public var message: String
    public var description: String { "\(file): \(message)" }
}

/// A loaded theme.
///
///     let theme = try Theme.load(from: URL(fileURLWithPath: "themes/default"))
public struct Theme: @unchecked Sendable {
    /// The theme's root folder.
    public let root: URL
    /// `app/`: the public shell (HTML, JS, CSS, translations), copied to output/ unchanged.
    public var appDirectory: URL { root.appendingPathComponent("app", isDirectory: true) }
    /// Templates by name (file name without `.mustache`).
    let library: MustacheLibrary
    /// A digest of every template and app file, so a changed theme invalidates cached renders.
    public let fingerprint: String

    /// Templates every theme must have.
    public static let requiredTemplates = ["item", "preview-index", "preview-item"]

    public static func load(from root: URL) throws(ThemeError) -> Theme {
        let templatesDir = root.appendingPathComponent("templates", isDirectory: true)
        let fm = FileManager.default
        guard let names = try? fm.contentsOfDirectory(atPath: templatesDir.path) else {
            throw ThemeError(file: templatesDir.path, message: "theme has no templates folder")
        }
        var templates: [String: MustacheTemplate] = [:]
        var hasher = FNV1a()
        for name in names.sorted() where name.hasSuffix(".mustache") {
            let path = templatesDir.appendingPathComponent(name)
            guard let text = try? String(contentsOf: path, encoding: .utf8) else {
                throw ThemeError(file: path.path, message: "cannot read template (not UTF-8?)")
            }
            do {
                templates[String(name.dropLast(".mustache".count))] = try MustacheTemplate(string: text)
            } catch {
                throw ThemeError(file: path.path, message: "template does not parse: \(error)")
            }
            hasher.add(name)
            hasher.add(text)
        }
        for required in requiredTemplates where templates[required] == nil {
            throw ThemeError(file: templatesDir.path, message: "missing template \(required).mustache")
        }
        let app = root.appendingPathComponent("app", isDirectory: true)
        if let files = fm.enumerator(atPath: app.path) {
            for case let file as String in files {
                hasher.add(file)
                if let data = fm.contents(atPath: app.appendingPathComponent(file).path) {
                    hasher.add(bytes: data)
                }
            }
        }
        return Theme(root: root, library: MustacheLibrary(templates: templates), fingerprint: hasher.hex)
    }

    /// Renders `template` with a context of dictionaries, arrays and strings.
    public func render(_ template: String, _ context: [String: Any]) -> String {
        library.render(context, withTemplate: template) ?? ""
    }
}

/// 64-bit FNV-1a: a fast change detector for theme files (not a security boundary).
struct FNV1a {
    private var state: UInt64 = 0xcbf2_9ce4_8422_2325
    mutating func add(_ text: String) { add(bytes: Data(text.utf8)); add(bytes: Data([0])) }
    mutating func add(bytes: Data) {
        for byte in bytes {
            state ^= UInt64(byte)
            state = state &* 0x100_0000_01b3
        }
    }
    var hex: String { String(state, radix: 16) }
}
