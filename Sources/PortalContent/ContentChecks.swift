// Checks of each item (link syntax, Markdown images) and across items (unique logical paths, link
// targets, unused images). Each Markdown image is resolved here, once, and kept on its item
// (`ContentItem.media`). The checks across items work on `ItemFacts`, so an incremental load can
// run them without reading the unchanged items again.
import Foundation
import PortalMarkdown

enum ContentChecks {
    /// Checks each item on its own (link syntax, Markdown images, which it resolves into
    /// `item.media`) and returns its facts, in the order of `loaded`.
    static func resolve(_ loaded: inout [LoadedItem], root: URL, files: Set<String>, report: ProblemReport) -> [ItemFacts] {
        var facts: [ItemFacts] = []
        facts.reserveCapacity(loaded.count)
        for index in loaded.indices {
            var links: [InternalLink] = []
            if let document = loaded[index].item.markdown, !document.references.isEmpty {
                var found: [MediaReference] = []
                for reference in document.references {
                    let line = loaded[index].item.bodyLine + reference.line - 1
                    switch reference.kind {
                    case .link:
                        if let target = internalTarget(reference.destination, file: loaded[index].item.sourcePath, line: line, report: report) {
                            links.append(InternalLink(target: target, line: line))
                        }
                    case .image:
                        if let media = checkImage(reference.destination, of: loaded[index].item, line: line, root: root,
                                                  files: files, report: report) {
                            // The same source written twice is one file, kept once (at its first line).
                            if !found.contains(where: { $0.source == media.source }) { found.append(media) }
                        }
                    }
                }
                // Album photos were found while reading; the body's images come first.
                if !found.isEmpty { loaded[index].item.media.insert(contentsOf: found, at: 0) }
            }
            let entry = loaded[index]
            facts.append(ItemFacts(
                sourcePath: entry.item.sourcePath, logicalPath: entry.item.logicalPath, audience: entry.item.audience.id,
                draft: entry.draft, slugLine: entry.slugLine, ownFolder: entry.ownsFolder ? entry.item.sourceFolder : nil,
                links: links, images: entry.item.media.map(\.sourcePath) + entry.extraImages,
                conference: entry.item.kind == .conference, urgent: entry.item.urgent, confirm: entry.item.confirm,
                form: entry.item.kind == .form, tagged: entry.item.album?.photos.contains { $0.children != nil } ?? false))
        }
        return facts
    }

    /// Checks across items: unique logical paths, link targets, images no item uses. `facts`
    /// sorted by source path (the first of two items with one path is the one kept).
    static func crossCheck(_ facts: [ItemFacts], images: [String], report: ProblemReport) {
        var byPath: [String: Int] = [:]
        byPath.reserveCapacity(facts.count)
        var usedImages: Set<String> = []
        for (index, entry) in facts.enumerated() {
            usedImages.formUnion(entry.images)
            if let first = byPath[entry.logicalPath] {
                report.add(entry.sourcePath, entry.slugLine,
                           "logical path '\(entry.logicalPath)' is also used by \(facts[first].sourcePath); give one of them another slug")
            } else {
                byPath[entry.logicalPath] = index
            }
        }
        var knownPaths: [String]?  // built only when a link is broken, for "did you mean"
        for entry in facts {
            for link in entry.links {
                checkTarget(link, from: entry, facts: facts, byPath: byPath, knownPaths: &knownPaths, report: report)
            }
        }
        for image in images where !usedImages.contains(image) {
            if isAttachmentName(image) {
                report.add(image, nil, "attachment is not used by any item; list it under 'attachments:' of the item beside it, remove it, or rename it to start with '_'")
            } else {
                report.add(image, nil, "image is not used by any item; use it in a Markdown file or album, remove it, or rename it to start with '_'")
            }
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

    /// The logical path an internal link names, or nil (and a problem when it is not allowed)
    /// for a link that is not internal.
    private static func internalTarget(_ destination: String, file: String, line: Int, report: ProblemReport) -> String? {
        if destination.isEmpty || destination.hasPrefix("#") || destination.hasPrefix("//") { return nil }
        if let scheme = scheme(of: destination) {
            if forbiddenSchemes.contains(scheme) {
                report.add(file, line, "link '\(shortened(destination))' is not allowed; use https:, mailto: or tel: links")
            }
            return nil
        }
        guard destination.hasPrefix("/") else {
            report.add(file, line, "link '\(destination)' is relative; link to an item with its logical path, e.g. /pages/schoolgids, or to a full https:// address")
            return nil
        }
        var path = destination.dropFirst()
        if let cut = path.firstIndex(where: { $0 == "#" || $0 == "?" }) { path = path[..<cut] }
        while path.hasSuffix("/") { path = path.dropLast() }
        if path.isEmpty { return nil }  // the portal's home
        return String(path)
    }

    private static func checkTarget(
        _ link: InternalLink, from entry: ItemFacts, facts: [ItemFacts], byPath: [String: Int],
        knownPaths: inout [String]?, report: ProblemReport
    ) {
        let (file, line, logicalPath) = (entry.sourcePath, link.line, link.target)
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
        let target = facts[targetIndex]
        if target.audience != Audience.school.id && target.audience != entry.audience {
            if entry.audience == Audience.school.id {
                report.add(file, line, "link to '/\(logicalPath)' points to an item of group '\(target.audience)', which other parents cannot see; school items may only link to school items")
            } else {
                report.add(file, line, "link to '/\(logicalPath)' points to an item of group '\(target.audience)', which parents of '\(entry.audience)' cannot see")
            }
            return
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
