// Checks across items: unique logical paths, internal links, Markdown images, unused images.
// Each Markdown image is resolved here, once, and kept on its item (`ContentItem.media`).
import Foundation
import PortalMarkdown

enum ContentChecks {
    static func run(
        loaded: inout [LoadedItem], root: URL, files: Set<String>, images: [String], usedImages: inout Set<String>,
        report: ProblemReport
    ) {
        // Indices, not copies: an item is a large value and there may be ten thousand.
        var byPath: [String: Int] = [:]
        byPath.reserveCapacity(loaded.count)
        for index in loaded.indices.sorted(by: { loaded[$0].item.sourcePath < loaded[$1].item.sourcePath }) {
            let entry = loaded[index]
            let path = entry.item.logicalPath
            if let first = byPath[path] {
                report.add(entry.item.sourcePath, entry.slugLine,
                           "logical path '\(path)' is also used by \(loaded[first].item.sourcePath); give one of them another slug")
            } else {
                byPath[path] = index
            }
        }
        var knownPaths: [String]?  // built only when a link is broken, for "did you mean"
        for index in loaded.indices {
            guard let document = loaded[index].item.markdown, !document.references.isEmpty else { continue }
            var found: [MediaReference] = []
            for reference in document.references {
                let line = loaded[index].item.bodyLine + reference.line - 1
                switch reference.kind {
                case .link:
                    checkLink(reference.destination, from: loaded[index], line: line, loaded: loaded, byPath: byPath,
                              knownPaths: &knownPaths, report: report)
                case .image:
                    if let media = checkImage(reference.destination, of: loaded[index].item, line: line, root: root,
                                              files: files, report: report) {
                        usedImages.insert(media.sourcePath)
                        // The same source written twice is one file, kept once (at its first line).
                        if !found.contains(where: { $0.source == media.source }) { found.append(media) }
                    }
                }
            }
            // Album photos were found while reading; the body's images come first.
            if !found.isEmpty { loaded[index].item.media.insert(contentsOf: found, at: 0) }
        }
        for image in images where !usedImages.contains(image) {
            report.add(image, nil, "image is not used by any item; use it in a Markdown file or album, remove it, or rename it to start with '_'")
        }
    }

    /// The URL scheme of a destination (`https`, `mailto`), lowercased, if it has one.
    static func scheme(of destination: String) -> String? {
        guard let colon = destination.firstIndex(of: ":") else { return nil }
        let scheme = destination[..<colon]
        guard let first = scheme.first, first.isASCII, first.isLetter,
              scheme.allSatisfy({ $0.isASCII && ($0.isLetter || $0.isNumber || $0 == "+" || $0 == "-" || $0 == ".") })
        else { return nil }
        return scheme.lowercased()
    }

    static let forbiddenSchemes: Set<String> = ["javascript", "vbscript", "file", "data"]

    private static func checkLink(
        _ destination: String, from entry: LoadedItem, line: Int, loaded: [LoadedItem], byPath: [String: Int],
        knownPaths: inout [String]?, report: ProblemReport
    ) {
        let file = entry.item.sourcePath
        if destination.isEmpty || destination.hasPrefix("#") || destination.hasPrefix("//") { return }
        if let scheme = scheme(of: destination) {
            if forbiddenSchemes.contains(scheme) {
                report.add(file, line, "link '\(shortened(destination))' is not allowed; use https:, mailto: or tel: links")
            }
            return
        }
        guard destination.hasPrefix("/") else {
            report.add(file, line, "link '\(destination)' is relative; link to an item with its logical path, e.g. /pages/schoolgids, or to a full https:// address")
            return
        }
        var path = destination.dropFirst()
        if let cut = path.firstIndex(where: { $0 == "#" || $0 == "?" }) { path = path[..<cut] }
        while path.hasSuffix("/") { path = path.dropLast() }
        if path.isEmpty { return }  // the portal's home
        let logicalPath = String(path)
        guard let targetIndex = byPath[logicalPath] else {
            var message = "link to '/\(logicalPath)' does not match any item"
            if knownPaths == nil { knownPaths = Array(byPath.keys) }
            if let guess = closestMatch(to: logicalPath, among: knownPaths ?? []) {
                message += " (did you mean '/\(guess)'?)"
            } else {
                message += "; internal links use an item's logical path, e.g. /news/<slug>"
            }
            report.add(file, line, message)
            return
        }
        let target = loaded[targetIndex]
        switch (entry.item.audience, target.item.audience) {
        case (_, .school):
            break
        case (.school, .group(let group)):
            report.add(file, line, "link to '/\(logicalPath)' points to an item of group '\(group)', which other parents cannot see; school items may only link to school items")
            return
        case (.group(let own), .group(let group)) where own != group:
            report.add(file, line, "link to '/\(logicalPath)' points to an item of group '\(group)', which parents of '\(own)' cannot see")
            return
        default:
            break
        }
        if target.draft && !entry.draft {
            report.add(file, line, "link to '/\(logicalPath)' points to a draft; publish it (remove draft: true) or remove the link")
        }
    }

    /// Checks a Markdown image source and resolves it to its file; nil (and a problem) when it is
    /// not an image file in the item's folder.
    private static func checkImage(
        _ source: String, of item: ContentItem, line: Int, root: URL, files: Set<String>, report: ProblemReport
    ) -> MediaReference? {
        let file = item.sourcePath
        if source.isEmpty {
            report.add(file, line, "image has no file name; write ![description](photo.jpg)")
            return nil
        }
        if let scheme = scheme(of: source) {
            if scheme == "http" || scheme == "https" {
                report.add(file, line, "image '\(shortened(source))' is on another website; save it next to this file and use its file name (the portal loads no images from elsewhere)")
            } else {
                report.add(file, line, "image '\(shortened(source))' must be a file next to this file, e.g. ![description](photo.jpg)")
            }
            return nil
        }
        if source.hasPrefix("//") {
            report.add(file, line, "image '\(shortened(source))' is on another website; save it next to this file and use its file name (the portal loads no images from elsewhere)")
            return nil
        }
        if source.hasPrefix("/") {
            report.add(file, line, "image '\(source)' must be a path relative to this file, e.g. 'photo.jpg'")
            return nil
        }
        let decoded = source.removingPercentEncoding ?? source
        var parts: [Substring] = []
        for part in decoded.split(separator: "/", omittingEmptySubsequences: true) {
            if part == "." { continue }
            if part == ".." {
                report.add(file, line, "image '\(source)' must be in this item's folder (\(item.sourceFolder)/), without '..'")
                return nil
            }
            parts.append(part)
        }
        let relative = parts.joined(separator: "/")
        let path = item.sourceFolder + "/" + relative
        let name = parts.last.map(String.init) ?? relative
        if !isImageName(name) {
            report.add(file, line, "image '\(source)' is not an image file (\(imageExtensionList))")
            return nil
        }
        // A file or folder starting with '_' or '.' is not part of the portal.
        if parts.contains(where: { $0.hasPrefix("_") || $0.hasPrefix(".") }) {
            report.add(file, line, "image '\(source)' starts with '_' or '.', so it is kept out of the portal; rename it")
            return nil
        }
        guard files.contains(path) else {
            // Say which file was looked for when %-escapes made it another name than the one written.
            let lookedFor = decoded == source ? "" : " (looked for '\(relative)')"
            report.add(file, line, "image '\(source)' not found in \(item.sourceFolder)/\(lookedFor)")
            return nil
        }
        return MediaReference(
            kind: .image, source: source, path: relative, sourcePath: path, file: root.appendingPathComponent(path),
            line: line)
    }

    static func shortened(_ text: String) -> String {
        text.count > 60 ? String(text.prefix(57)) + "..." : text
    }
}
