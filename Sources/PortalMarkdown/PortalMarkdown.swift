// Markdown to safe HTML with cmark-gfm, plus the links and images a document refers to.
import CCmarkGFM
import Foundation

/// One link or image destination found in a Markdown document.
public struct MarkdownReference: Equatable, Hashable, Sendable {
    public enum Kind: String, Sendable, Hashable {
        case link, image
    }

    public var kind: Kind
    /// The destination as written (after Markdown unescaping), e.g. `/news/sint` or `sint.jpg`.
    public var destination: String
    /// 1-based line within the Markdown text where the link or image starts.
    public var line: Int
    /// The alt text of an image, or the link text of a link.
    public var text: String

    public init(kind: Kind, destination: String, line: Int, text: String) {
        self.kind = kind
        self.destination = destination
        self.line = line
        self.text = text
    }
}

/// What to do with an image source when rendering.
public enum ImageRewrite: Equatable, Sendable {
    /// Use this URL as `src`.
    case url(String)
    /// Emit `<img data-media="PATH" alt="...">` without `src`, so the browser loads nothing and the
    /// app fills the image in from sealed media at `PATH` (a logical path).
    case media(String)
}

/// A Markdown document, parsed once with GitHub Flavored Markdown (tables, strikethrough, autolinks,
/// tag filter, task lists, footnotes) and rendered in safe mode: raw HTML never passes through
/// (it becomes `<!-- raw HTML omitted -->`) and `javascript:`, `vbscript:`, `file:` and non-image
/// `data:` URLs are dropped. Smart punctuation is off, so quotes stay as typed.
///
/// ```swift
/// let doc = MarkdownDocument("Zie [de gids](/pages/schoolgids).\n\n![Sint](sint.jpg)")
/// doc.references.map(\.destination)           // ["/pages/schoolgids", "sint.jpg"]
/// let html = doc.html(
///     rewriteLink: { $0.hasPrefix("/") ? "#" + $0 : nil },
///     rewriteImage: { .media("news/sint/" + $0) })
/// // <p>Zie <a href="#/pages/schoolgids">de gids</a>.</p>
/// // <p><img data-media="news/sint/sint.jpg" alt="Sint" /></p>
/// ```
///
/// Different documents may be used on different threads at the same time; one document may be
/// shared too (rendering a document is serialised by a lock inside it).
public struct MarkdownDocument: Sendable, Equatable {
    /// The Markdown text this document was parsed from.
    public let source: String
    /// Every link and image in document order (autolinks and reference-style links included).
    public let references: [MarkdownReference]
    private let tree: Tree

    /// Parses `source` once; rendering later never parses again.
    public init(_ source: String) {
        self.source = source
        let tree = Tree(source)
        self.tree = tree
        self.references = tree.references
    }

    /// Renders to HTML without changing any destination.
    public func html() -> String {
        tree.render(rewriteLink: { _ in nil }, rewriteImage: { _ in nil })
    }

    /// Renders to HTML after letting the caller rewrite destinations.
    ///
    /// - Parameters:
    ///   - rewriteLink: gets each link destination as written; returns a new one, or nil to keep it.
    ///   - rewriteImage: gets each image source as written; returns `.url` or `.media`, or nil to
    ///     keep it.
    ///
    /// Every call starts again from the destinations as written, so calls do not affect each other.
    /// The closures run while the document is locked: they must not render this same document.
    public func html(
        rewriteLink: (String) -> String?,
        rewriteImage: (String) -> ImageRewrite?
    ) -> String {
        tree.render(rewriteLink: rewriteLink, rewriteImage: rewriteImage)
    }

    /// Documents parsed from the same text are equal.
    public static func == (lhs: MarkdownDocument, rhs: MarkdownDocument) -> Bool {
        lhs.source == rhs.source
    }
}

// MARK: - cmark-gfm

/// Extensions are looked up once; registration in cmark-gfm is not thread-safe, a Swift global's
/// lazy initialisation is.
private struct Extensions: @unchecked Sendable {
    let pointers: [OpaquePointer]
    /// The list passed to the HTML renderer (for the tag filter); built once, never freed.
    let list: UnsafeMutablePointer<cmark_llist>?

    static let shared: Extensions = {
        cmark_gfm_core_extensions_ensure_registered()
        var pointers: [OpaquePointer] = []
        var list: UnsafeMutablePointer<cmark_llist>? = nil
        for name in ["table", "strikethrough", "autolink", "tagfilter", "tasklist"] {
            guard let ext = cmark_find_syntax_extension(name) else { continue }
            pointers.append(ext)
            list = cmark_llist_append(cmark_get_default_mem_allocator(), list, UnsafeMutableRawPointer(ext))
        }
        return Extensions(pointers: pointers, list: list)
    }()
}

/// cmark-gfm adds and removes the extensions' special characters in one process-wide table while
/// it parses inlines, so two parses at the same time break each other; parsing is serialised.
/// Rendering does not touch that table and runs in parallel.
private let parseLock = NSLock()

private let parseOptions = CMARK_OPT_FOOTNOTES
private let renderOptions = CMARK_OPT_SAFE | CMARK_OPT_FOOTNOTES

/// A marker that no Markdown author can produce: images rendered with it as `src` become
/// `data-media`. Raw HTML is omitted and text is escaped, so `<img src="` only comes from an image.
private let mediaMarker = "ouderportaal-media-" + String(UInt64.random(in: 0...UInt64.max), radix: 36) + "-"

private final class Tree: @unchecked Sendable {
    private let root: OpaquePointer?
    private let lock = NSLock()
    /// Link and image nodes with their destination as written.
    private let nodes: [(node: OpaquePointer, kind: MarkdownReference.Kind, url: String)]
    let references: [MarkdownReference]

    init(_ source: String) {
        let extensions = Extensions.shared
        let root: OpaquePointer? = parseLock.withLock {
            guard let parser = cmark_parser_new(parseOptions) else { return nil }
            defer { cmark_parser_free(parser) }
            for ext in extensions.pointers { cmark_parser_attach_syntax_extension(parser, ext) }
            var text = source
            text.withUTF8 { buffer in
                buffer.withMemoryRebound(to: CChar.self) { chars in
                    if let base = chars.baseAddress { cmark_parser_feed(parser, base, chars.count) }
                }
            }
            return cmark_parser_finish(parser)
        }
        self.root = root
        var nodes: [(OpaquePointer, MarkdownReference.Kind, String)] = []
        var references: [MarkdownReference] = []
        if let root, let iter = cmark_iter_new(root) {
            defer { cmark_iter_free(iter) }
            var lastLine = 1
            var correction = 0
            let lineStarts = Tree.mayHaveReferenceDefinitions(source) ? Tree.lineStarts(source) : []
            while true {
                let event = cmark_iter_next(iter)
                if event == CMARK_EVENT_DONE { break }
                guard let node = cmark_iter_get_node(iter) else { continue }
                let type = cmark_node_get_type(node)
                if type == CMARK_NODE_PARAGRAPH {
                    correction = event == CMARK_EVENT_ENTER
                        ? Tree.lineCorrection(paragraph: node, source: source, lineStarts: lineStarts) : 0
                }
                guard event == CMARK_EVENT_ENTER else { continue }
                var line = Int(cmark_node_get_start_line(node))
                if line > 0 {
                    if type != CMARK_NODE_PARAGRAPH { line += correction }
                    lastLine = line
                }
                guard type == CMARK_NODE_LINK || type == CMARK_NODE_IMAGE else { continue }
                let kind: MarkdownReference.Kind = type == CMARK_NODE_LINK ? .link : .image
                let url = cmark_node_get_url(node).map { String(cString: $0) } ?? ""
                nodes.append((node, kind, url))
                references.append(
                    MarkdownReference(kind: kind, destination: url, line: line > 0 ? line : lastLine,
                                      text: Tree.plainText(node)))
            }
        }
        self.nodes = nodes
        self.references = references
    }

    deinit {
        if let root { cmark_node_free(root) }
    }

    /// True when `source` contains "]:" (a link reference definition may be there). A byte scan:
    /// Foundation's `contains` goes through NSString and showed in profiles of 10,000-item builds.
    private static func mayHaveReferenceDefinitions(_ source: String) -> Bool {
        var previous: UInt8 = 0
        for byte in source.utf8 {
            if byte == UInt8(ascii: ":") && previous == UInt8(ascii: "]") { return true }
            previous = byte
        }
        return false
    }

    /// Byte offsets where each line of `source` starts.
    private static func lineStarts(_ source: String) -> [Int] {
        var starts = [0]
        for (offset, byte) in source.utf8.enumerated() where byte == 0x0A { starts.append(offset + 1) }
        return starts
    }

    /// cmark-gfm numbers the lines of a paragraph's inlines from the paragraph's first line, even
    /// when link reference definitions (`[ref]: /news/x`) at its start were taken out of it; the
    /// inlines then appear too early by the lines those definitions took. The paragraph's last
    /// line is right, so shift the inlines until the last one ends there.
    private static func lineCorrection(paragraph: OpaquePointer, source: String, lineStarts: [Int]) -> Int {
        let startLine = Int(cmark_node_get_start_line(paragraph))
        let startColumn = Int(cmark_node_get_start_column(paragraph))
        guard startLine >= 1, startLine <= lineStarts.count, startColumn >= 1 else { return 0 }
        let offset = lineStarts[startLine - 1] + startColumn - 1
        let utf8 = source.utf8
        guard offset < utf8.count,
              utf8[utf8.index(utf8.startIndex, offsetBy: offset)] == UInt8(ascii: "[")
        else { return 0 }
        var maxLine = 0
        guard let iter = cmark_iter_new(paragraph) else { return 0 }
        defer { cmark_iter_free(iter) }
        while true {
            let event = cmark_iter_next(iter)
            if event == CMARK_EVENT_DONE { break }
            guard event == CMARK_EVENT_ENTER, let node = cmark_iter_get_node(iter), node != paragraph else { continue }
            maxLine = max(maxLine, Int(cmark_node_get_start_line(node)))
        }
        let endLine = Int(cmark_node_get_end_line(paragraph))
        return maxLine > 0 && endLine > maxLine ? endLine - maxLine : 0
    }

    /// The text of a node's children: alt text for images, link text for links.
    private static func plainText(_ node: OpaquePointer) -> String {
        var result = ""
        guard let iter = cmark_iter_new(node) else { return result }
        defer { cmark_iter_free(iter) }
        while true {
            let event = cmark_iter_next(iter)
            if event == CMARK_EVENT_DONE { break }
            guard event == CMARK_EVENT_ENTER, let child = cmark_iter_get_node(iter), child != node else { continue }
            let type = cmark_node_get_type(child)
            if type == CMARK_NODE_TEXT || type == CMARK_NODE_CODE {
                if let literal = cmark_node_get_literal(child) { result += String(cString: literal) }
            } else if type == CMARK_NODE_SOFTBREAK || type == CMARK_NODE_LINEBREAK {
                result += " "
            }
        }
        return result
    }

    func render(rewriteLink: (String) -> String?, rewriteImage: (String) -> ImageRewrite?) -> String {
        guard let root else { return "" }
        return lock.withLock {
            var media: [String] = []
            for (node, kind, url) in nodes {
                let target: String
                switch kind {
                case .link:
                    target = rewriteLink(url) ?? url
                case .image:
                    switch rewriteImage(url) {
                    case .none: target = url
                    case .url(let newURL): target = newURL
                    case .media(let path):
                        target = mediaMarker + String(media.count)
                        media.append(path)
                    }
                }
                cmark_node_set_url(node, target)
            }
            guard let rendered = cmark_render_html(root, renderOptions, Extensions.shared.list) else { return "" }
            defer { free(rendered) }
            let html = String(cString: rendered)
            return media.isEmpty ? html : Tree.replaceMediaMarkers(in: html, paths: media)
        }
    }

    /// Turns `<img src="MARKER7"` into `<img data-media="escaped path 7"`.
    private static func replaceMediaMarkers(in html: String, paths: [String]) -> String {
        let needle = "<img src=\"" + mediaMarker
        var result = ""
        result.reserveCapacity(html.utf8.count + paths.count * 16)
        var rest = html[...]
        while let range = rest.range(of: needle) {
            result += rest[..<range.lowerBound]
            let afterMarker = rest[range.upperBound...]
            let digits = afterMarker.prefix { $0.isASCII && $0.isNumber }
            if let index = Int(digits), index < paths.count,
               afterMarker.dropFirst(digits.count).first == "\"" {
                result += "<img data-media=\"" + escapeAttribute(paths[index]) + "\""
                rest = afterMarker.dropFirst(digits.count + 1)
            } else {
                result += rest[range]
                rest = afterMarker
            }
        }
        result += rest
        return result
    }
}

/// Escapes text for a double-quoted HTML attribute.
func escapeAttribute(_ text: String) -> String {
    var out = ""
    out.reserveCapacity(text.utf8.count)
    for ch in text.unicodeScalars {
        switch ch {
        case "&": out += "&amp;"
        case "\"": out += "&quot;"
        case "<": out += "&lt;"
        case ">": out += "&gt;"
        case "'": out += "&#39;"
        default: out.unicodeScalars.append(ch)
        }
    }
    return out
}
