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

    /// Templates every theme must have.
    public static let requiredTemplates = ["item", "preview-index", "preview-item"]

    public static func load(from root: URL) throws(ThemeError) -> Theme {
        let templatesDir = root.appendingPathComponent("templates", isDirectory: true)
        let fm = FileManager.default
        guard let names = try? fm.contentsOfDirectory(atPath: templatesDir.path) else {
            throw ThemeError(file: templatesDir.path, message: "theme has no templates folder")
        }
        var templates: [String: MustacheTemplate] = [:]
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
        }
        for required in requiredTemplates where templates[required] == nil {
            throw ThemeError(file: templatesDir.path, message: "missing template \(required).mustache")
        }
        return Theme(root: root, library: MustacheLibrary(templates: templates))
    }

    /// Renders `template` with a context of dictionaries, arrays and strings.
    public func render(_ template: String, _ context: [String: Any]) -> String {
        library.render(context, withTemplate: template) ?? ""
    }
}
