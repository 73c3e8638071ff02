// `portal preview`: every audience as staff will publish it, rendered in memory on 127.0.0.1.
// Plaintext never leaves this process: nothing is written to output/ or anywhere else.
import Foundation
import Hummingbird
import PortalHTTP
import PortalContent
import PortalFiles
import PortalPhotos
import PortalRender

/// The staff preview. `ready` gets the link to open: it holds this run's key (`PreviewGuard`).
///
///     try await PreviewServer(contentRoot: content, themeRoot: theme, port: 0).run { print($0) }
public struct PreviewServer: Sendable {
    public let contentRoot: URL
    public let themeRoot: URL
    /// 0 (the default of `portal preview`) picks a free port, so a page cannot guess it.
    public let port: Int
    /// The per-run key every request must carry.
    public let key: String

    public init(contentRoot: URL, themeRoot: URL, port: Int = 0, key: String? = nil) {
        self.contentRoot = contentRoot
        self.themeRoot = themeRoot
        self.port = port
        self.key = key ?? PreviewGuard<BasicRequestContext>.newKey()
    }

    public func run(ready: @escaping @Sendable (String) -> Void) async throws {
        let state = try PreviewState(contentRoot: contentRoot, themeRoot: themeRoot)
        let router = Router()
        router.add(middleware: SecurityHeaders())
        router.add(middleware: PreviewGuard(key: key))
        router.get("/") { _, _ in Response(status: .seeOther, headers: [.location: "/a/school/"]) }
        router.get("/preview.css") { _, _ in
            let css = (try? String(contentsOf: themeRoot.appendingPathComponent("preview.css"), encoding: .utf8)) ?? ""
            return Response(status: .ok, headers: [.contentType: "text/css; charset=utf-8"], body: .init(byteBuffer: .init(string: css)))
        }
        router.get("/a/:audience/") { _, context in
            let audience = try context.parameters.require("audience")
            return await state.page { try $0.indexPage(audience: audience) }
        }
        router.get("/a/:audience/item/**") { _, context in
            let audience = try context.parameters.require("audience")
            let path = context.parameters.getCatchAll().joined(separator: "/")
            return await state.page { try $0.itemPage(audience: audience, path: path) }
        }
        router.get("/media/**") { _, context in
            let path = context.parameters.getCatchAll().joined(separator: "/")
            return await state.media(path)
        }
        let app = Application(
            router: router,
            server: ConnectionLimits().http1,
            configuration: .init(address: .hostname("127.0.0.1", port: port), serverName: "ouderportaal-preview"),
            onServerRunning: { [key] channel in ready("http://127.0.0.1:\(channel.localAddress?.port ?? 0)/?key=\(key)") })
        try await app.runService()
    }
}

/// Loads and renders the site on demand, again whenever a content or theme file changed.
actor PreviewState {
    let contentRoot: URL
    let themeRoot: URL
    private var stamp: [[FileTree.Entry]]?
    private var loaded: Result<PreviewSite, PreviewFailure>?

    /// Processed variants of the photos shown, by logical path and the source's stamp: staff see
    /// what parents will see (orientation applied, every EXIF/GPS field stripped), never the
    /// original file.
    private let photos: PhotoProcessor
    private var variants: [String: (stamp: FileStamp, variant: PhotoVariant)] = [:]

    init(contentRoot: URL, themeRoot: URL) throws {
        self.contentRoot = contentRoot
        self.themeRoot = themeRoot
        photos = try PhotoProcessor(cacheDirectory: nil)
    }

    func page(_ build: (PreviewSite) throws -> String) -> Response {
        switch current() {
        case .failure(let failure):
            return html(PreviewSite.errorPage(failure.lines), status: .internalServerError)
        case .success(let site):
            do { return html(try build(site), status: .ok) } catch {
                return html(PreviewSite.errorPage(["\(error)"]), status: .notFound)
            }
        }
    }

    func media(_ logicalPath: String) -> Response {
        guard case .success(let site) = current(), let source = site.mediaSources[logicalPath] else {
            return Response(status: .notFound)
        }
        let file = contentRoot.appendingPathComponent(source)
        guard let stamp = try? FileStamp.of(file.path) else { return Response(status: .notFound) }
        let variant: PhotoVariant
        if let known = variants[logicalPath], known.stamp == stamp {
            variant = known.variant
        } else {
            do {
                guard let made = try photos.variants(of: file, displayPath: source, specs: [.large]).first else {
                    return Response(status: .notFound)
                }
                variant = made
            } catch {
                return html(PreviewSite.errorPage(["\(error)"]), status: .unprocessableContent)
            }
            variants[logicalPath] = (stamp, variant)
        }
        return Response(status: .ok, headers: [.contentType: variant.mimeType], body: .init(byteBuffer: .init(bytes: variant.bytes)))
    }

    private func current() -> Result<PreviewSite, PreviewFailure> {
        let now = Self.stamp(of: [contentRoot, themeRoot])
        if let loaded, now == stamp { return loaded }
        stamp = now
        let result: Result<PreviewSite, PreviewFailure>
        do {
            let site = try ContentLoader(root: contentRoot).load()
            let theme = try Theme.load(from: themeRoot)
            result = .success(PreviewSite(renderer: SiteRenderer(site: site, theme: theme)))
        } catch let errors as ContentErrors {
            result = .failure(PreviewFailure(lines: errors.problems.map(\.description)))
        } catch {
            result = .failure(PreviewFailure(lines: ["\(error)"]))
        }
        loaded = result
        return result
    }

    private func html(_ text: String, status: HTTPResponse.Status) -> Response {
        Response(
            status: status, headers: [.contentType: "text/html; charset=utf-8", .cacheControl: "no-store"],
            body: .init(byteBuffer: .init(string: text)))
    }

    /// Every file's path and stamp (size, mtime, ctime, inode): changes when anything is edited.
    static func stamp(of roots: [URL]) -> [[FileTree.Entry]] {
        roots.map { (try? FileTree.list($0.standardizedFileURL.path)) ?? [] }
    }
}

struct PreviewFailure: Error {
    var lines: [String]
}

/// The rendered site as staff see it in the preview.
struct PreviewSite: Sendable {
    let renderer: SiteRenderer
    let rendered: [Audience: RenderedAudience]
    let mediaSources: [String: String]

    init(renderer: SiteRenderer) {
        self.renderer = renderer
        var rendered: [Audience: RenderedAudience] = [:]
        var media: [String: String] = [:]
        for audience in renderer.renderAll() {
            rendered[audience.audience] = audience
            for item in audience.items {
                for file in item.media { media[file.logicalPath] = file.sourcePath }
            }
        }
        self.rendered = rendered
        self.mediaSources = media
    }

    private func audience(_ id: String) throws -> Audience {
        let audience: Audience = id == "school" ? .school : .group(id)
        guard rendered[audience] != nil else { throw PreviewFailure(lines: ["No audience '\(id)'."]) }
        return audience
    }

    /// What a parent of this audience sees: the school's items and, for a group, the group's.
    private func visibleItems(_ audience: Audience) -> [RenderedItem] {
        var items = rendered[.school]?.items ?? []
        if audience != .school { items += rendered[audience]?.items ?? [] }
        return items
    }

    func indexPage(audience id: String) throws -> String {
        let audience = try audience(id)
        let items = visibleItems(audience)
        let dates = DateText(language: "nl", timeZone: renderer.site.config.timezone)
        func entry(_ item: RenderedItem) -> [String: Any] {
            var entry: [String: Any] = [
                "audience_id": id, "path": item.item.logicalPath, "title": item.item.title, "summary": item.summary,
                "kind_label": Self.kindLabel(item.item, audienceTitle: renderer.title(of: item.item.audience)),
            ]
            if let event = item.item.event { entry["when"] = dates.span(event) } else if let date = item.item.date {
                entry["when"] = dates.day(date)
            }
            return entry
        }
        let news = items.filter { $0.item.kind == .news || $0.item.kind == .album }
            .sorted { ($0.item.date ?? .distantPast) > ($1.item.date ?? .distantPast) }
        let events = items.filter { $0.item.kind == .event }
            .sorted { ($0.item.event?.start.date ?? .distantPast) < ($1.item.event?.start.date ?? .distantPast) }
        let pages = items.filter { $0.item.kind == .page }.sorted { ($0.item.weight, $0.item.title) < ($1.item.weight, $1.item.title) }
        let conferences = items.filter { $0.item.kind == .conference }
        var sections: [[String: Any]] = [
            ["heading": "Nieuws", "entries": news.map(entry)],
            ["heading": "Agenda", "entries": events.map(entry)],
            ["heading": "Informatie", "entries": pages.map(entry)],
        ]
        if !conferences.isEmpty { sections.append(["heading": "Oudergesprekken", "entries": conferences.map(entry)]) }
        let audiences = renderer.site.audiences.map { other -> [String: Any] in
            ["id": other.id, "title": renderer.title(of: other), "current": other == audience]
        }
        return renderer.theme.render("preview-index", [
            "school": renderer.site.config.name, "audience": renderer.title(of: audience),
            "audiences": audiences, "sections": sections,
        ])
    }

    func itemPage(audience id: String, path: String) throws -> String {
        let audience = try audience(id)
        guard let item = visibleItems(audience).first(where: { $0.item.logicalPath == path }) else {
            throw PreviewFailure(lines: ["No item '\(path)' for \(renderer.title(of: audience))."])
        }
        // In the preview images come straight from content/; in output/ they are sealed blobs.
        let fragment = item.html
            .replacingOccurrences(of: "data-media=\"", with: "src=\"/media/")
            .replacingOccurrences(of: "href=\"#/item/", with: "href=\"/a/\(id)/item/")
        return renderer.theme.render("preview-item", [
            "school": renderer.site.config.name, "audience": renderer.title(of: audience), "audience_id": id,
            "title": item.item.title, "fragment": fragment,
        ])
    }

    static func kindLabel(_ item: ContentItem, audienceTitle: String) -> String {
        let kind = ["news": "Nieuws", "event": "Agenda", "album": "Album", "page": "Informatie", "conference": "Oudergesprekken"][item.kind.rawValue] ?? ""
        return "\(kind) · \(audienceTitle)"
    }

    static func errorPage(_ lines: [String]) -> String {
        let escaped = lines.map {
            $0.replacingOccurrences(of: "&", with: "&amp;").replacingOccurrences(of: "<", with: "&lt;")
        }
        return """
            <!doctype html><html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
            <title>Content problems</title><link rel="stylesheet" href="/preview.css"></head><body><main>
            <h1>The content has problems</h1><p>Fix these and reload; the preview rebuilds by itself.</p>
            <pre class="problems">\(escaped.joined(separator: "\n"))</pre></main></body></html>
            """
    }
}
