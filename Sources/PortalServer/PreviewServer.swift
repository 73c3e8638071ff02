// `portal preview`: every audience as staff will publish it, rendered in memory on 127.0.0.1.
// Plaintext never leaves this process: nothing is written to output/ or anywhere else.
import Foundation
import Hummingbird
import PortalHTTP
import PortalBuild
import PortalContent
import PortalFiles
import PortalKeys
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
    /// The keystore folder, when there is one: an album's page then marks the photos parents will
    /// not see for lack of consent (docs/CONTENT.md "Photo consent").
    public let keysRoot: URL?

    public init(contentRoot: URL, themeRoot: URL, port: Int = 0, key: String? = nil, keysRoot: URL? = nil) {
        self.contentRoot = contentRoot
        self.themeRoot = themeRoot
        self.port = port
        self.key = key ?? PreviewGuard<BasicRequestContext>.newKey()
        self.keysRoot = keysRoot
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
        router.get("/a/:audience/") { request, context in
            let audience = try context.parameters.require("audience")
            let page = request.uri.queryParameters["page"].flatMap { Int($0) } ?? 1
            return await state.page { try $0.indexPage(audience: audience, page: page) }
        }
        router.get("/a/:audience/item/**") { _, context in
            let audience = try context.parameters.require("audience")
            let path = context.parameters.getCatchAll().joined(separator: "/")
            return await state.page { [keysRoot] in try $0.itemPage(audience: audience, path: path, keys: keysRoot) }
        }
        router.get("/reload.js") { _, _ in
            Response(
                status: .ok, headers: [.contentType: "text/javascript; charset=utf-8", .cacheControl: "no-store"],
                body: .init(byteBuffer: .init(string: PreviewState.reloadScript)))
        }
        // Answers once a file changed after the page's generation, or after a second (the page
        // asks again): a stop (Ctrl-C) waits for open requests, so none is held longer.
        router.get("/_changes") { request, _ in
            let since = request.uri.queryParameters["since"].flatMap { Int($0) } ?? 0
            let generation = await state.change(after: since)
            return Response(
                status: .ok, headers: [.contentType: "application/json", .cacheControl: "no-store"],
                body: .init(byteBuffer: .init(string: "{\"generation\":\(generation)}")))
        }
        router.get("/media/**") { _, context in
            let path = context.parameters.getCatchAll().joined(separator: "/")
            return await state.media(path)
        }
        let watcher = FileWatcher(roots: [contentRoot.path, themeRoot.path]) {
            Task { await state.refresh() }
        }
        watcher.start()
        let heartbeat = Task {
            while !Task.isCancelled {
                try? await Task.sleep(for: .seconds(1))
                await state.wakeAll()
            }
        }
        defer { heartbeat.cancel() }
        let app = Application(
            router: router,
            server: ConnectionLimits().http1,
            configuration: .init(address: .hostname("127.0.0.1", port: port), serverName: "ouderportaal-preview"),
            onServerRunning: { [key] channel in ready("http://127.0.0.1:\(channel.localAddress?.port ?? 0)/?key=\(key)") })
        try await app.runService()
    }
}

/// Loads and renders the site on demand, again whenever a content or theme file changed: only
/// the changed items when nothing else did (`ContentLoader.loadUpdate`), everything otherwise.
actor PreviewState {
    let contentRoot: URL
    let themeRoot: URL
    private var stamp: [FileTree.Listing]?
    private var loaded: Result<PreviewSite, PreviewFailure>?
    /// The last load that succeeded, its files' stamps and its items' facts: what the next
    /// change is an update of.
    private var good: (site: PreviewSite, stamp: [FileTree.Listing], facts: [String: ItemFacts])?
    /// Moves on every change of a file; pages carry it, and `/_changes` waits for it to move.
    private(set) var generation = 0
    /// Items rendered by the last load (all of them, or the changed ones).
    private(set) var lastRendered = 0
    private var waiting: [CheckedContinuation<Int, Never>] = []

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
        let (status, text) = render(build)
        return html(text, status: status)
    }

    /// A page's status and HTML, as `page` answers it.
    func render(_ build: (PreviewSite) throws -> String) -> (HTTPResponse.Status, String) {
        switch current() {
        case .failure(let failure):
            return (.internalServerError, withReloadScript(PreviewSite.errorPage(failure.lines)))
        case .success(let site):
            do { return (.ok, withReloadScript(try build(site))) } catch {
                return (.notFound, withReloadScript(PreviewSite.errorPage(["\(error)"])))
            }
        }
    }

    func media(_ logicalPath: String) -> Response {
        guard case .success(let site) = current() else { return Response(status: .notFound) }
        if let attachment = site.attachmentSources[logicalPath] {
            guard let data = FileManager.default.contents(atPath: contentRoot.appendingPathComponent(attachment.source).path) else {
                return Response(status: .notFound)
            }
            return Response(status: .ok, headers: [.contentType: attachment.type], body: .init(byteBuffer: .init(bytes: data)))
        }
        guard let source = site.mediaSources[logicalPath] else { return Response(status: .notFound) }
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

    /// Loads again now if a file changed (the watcher calls this), so the reload finds it done.
    func refresh() { _ = current() }

    /// The generation once it is past `since`, or the current one when `wakeAll` comes first.
    /// The watcher's `refresh` moves it; waiting lists no files (a page asks every second).
    func change(after since: Int) async -> Int {
        if generation > since { return generation }
        return await withCheckedContinuation { waiting.append($0) }
    }

    /// Answers every waiting `change(after:)` (a heartbeat, so no request waits for ever).
    func wakeAll() {
        let answered = waiting
        waiting = []
        for continuation in answered { continuation.resume(returning: generation) }
    }

    private func current() -> Result<PreviewSite, PreviewFailure> {
        let now = Self.stamp(of: [contentRoot, themeRoot])
        if let loaded, now == stamp { return loaded }
        if stamp != nil { generation += 1 }
        stamp = now
        let result: Result<PreviewSite, PreviewFailure>
        do {
            result = .success(try load(now))
        } catch let errors as ContentErrors {
            result = .failure(PreviewFailure(lines: errors.problems.map(\.description)))
        } catch {
            result = .failure(PreviewFailure(lines: ["\(error)"]))
        }
        loaded = result
        wakeAll()
        return result
    }

    /// The site for files stamped `now`: an update of the last good load when only items changed.
    private func load(_ now: [FileTree.Listing]) throws -> PreviewSite {
        let loader = ContentLoader(root: contentRoot)
        if var good, good.stamp.count == 2, now.count == 2, good.stamp[1] == now[1] {
            let changed = Self.changedPaths(from: good.stamp[0].files, to: now[0].files)
            // A quick update that finds a problem gives way to the full load below, which shows
            // the rest and says what is left out.
            if !changed.contains(ContentLoader.configFile),
               let update = try? loader.loadUpdate(reusing: good.facts, changed: changed, listing: now[0]) {
                good.site = good.site.updating(with: update)
                for path in update.removed { good.facts[path] = nil }
                for facts in update.facts where update.reread.contains(facts.sourcePath) { good.facts[facts.sourcePath] = facts }
                good.stamp = now
                lastRendered = update.items.count
                self.good = good
                return good.site
            }
        }
        let (content, held) = try Self.loadLeavingOut(loader, listing: now[0])
        let theme = try Theme.load(from: themeRoot)
        var site = PreviewSite(renderer: SiteRenderer(site: content.site, theme: theme))
        site.held = held
        if !held.isEmpty {
            // Not the base of the next quick update: the last load without problems stays that,
            // so fixing the item renders just that item again.
            lastRendered = content.site.items.count
            return site
        }
        lastRendered = content.site.items.count
        good = (site, now, Dictionary(content.facts.map { ($0.sourcePath, $0) }, uniquingKeysWith: { first, _ in first }))
        return site
    }

    /// The content, leaving out the items whose files have problems, so that staff see the rest
    /// while they fix one (an album still without photos, a news item with a typo in its date),
    /// and those problems. A problem outside an item file (site.yaml) still stops the preview.
    /// Leaving an item out may cause problems in others (a link to it): a few rounds.
    static func loadLeavingOut(_ loader: ContentLoader, listing: FileTree.Listing) throws -> (LoadedContent, [ContentProblem]) {
        var left: Set<String> = []
        var held: [ContentProblem] = []
        for _ in 0..<4 {
            do {
                return (try loader.loadWithFacts(listing: listing, excluding: left), held)
            } catch {
                let files = Set(error.problems.map { itemFile(of: $0.file) })
                guard !files.contains(nil), !files.compactMap({ $0 }).allSatisfy(left.contains) else { throw error }
                left.formUnion(files.compactMap { $0 })
                held += error.problems
            }
        }
        return (try loader.loadWithFacts(listing: listing, excluding: left), held)
    }

    /// The item file a problem's file belongs to: itself for a Markdown file, the album's
    /// `index.md` for a photo next to it; nil for site.yaml or anything else.
    static func itemFile(of file: String) -> String? {
        if file == ContentLoader.configFile || file.hasPrefix("/") || file.isEmpty { return nil }
        if file.hasSuffix(".md") { return file }
        let folder = (file as NSString).deletingLastPathComponent
        return folder.isEmpty ? nil : folder + "/index.md"
    }

    /// Paths (relative to the folder) added, removed or with another stamp.
    static func changedPaths(from old: [FileTree.Entry], to new: [FileTree.Entry]) -> Set<String> {
        var before: [String: FileStamp] = [:]
        before.reserveCapacity(old.count)
        for entry in old { before[entry.path] = entry.stamp }
        var changed: Set<String> = []
        for entry in new {
            if before.removeValue(forKey: entry.path) != entry.stamp { changed.insert(entry.path) }
        }
        changed.formUnion(before.keys)
        return changed
    }

    private func html(_ text: String, status: HTTPResponse.Status) -> Response {
        Response(
            status: status, headers: [.contentType: "text/html; charset=utf-8", .cacheControl: "no-store"],
            body: .init(byteBuffer: .init(string: text)))
    }

    /// A page of the preview with the script that reloads it when a file changes.
    private func withReloadScript(_ text: String) -> String {
        let script = "<script src=\"/reload.js\" data-generation=\"\(generation)\" defer></script>"
        var page = text
        if let end = page.range(of: "</body>", options: .backwards) { page.insert(contentsOf: script, at: end.lowerBound) } else { page += script }
        return page
    }

    /// Waits for `/_changes` to report a generation past the page's, then reloads the page.
    static let reloadScript = """
        // portal preview: reload this page when a file of content/ or the theme changes.
        (() => {
          const since = Number(document.currentScript.dataset.generation);
          const wait = () => fetch('/_changes?since=' + since, { cache: 'no-store' })
            .then((response) => (response.ok ? response.json() : Promise.reject(new Error(String(response.status)))))
            .then((body) => (body.generation > since ? location.reload() : wait()))
            .catch(() => setTimeout(wait, 1000));
          wait();
        })();

        """

    /// Every file's path and stamp (size, mtime, ctime, inode): changes when anything is edited.
    static func stamp(of roots: [URL]) -> [FileTree.Listing] {
        roots.map { (try? FileTree.listing($0.standardizedFileURL.path)) ?? FileTree.Listing() }
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
    /// Attachments by logical path: served as they are (they are not photos to make variants of).
    let attachmentSources: [String: (source: String, type: String)]
    /// Problems of the items left out of this preview (shown above every index page).
    var held: [ContentProblem] = []

    init(renderer: SiteRenderer) {
        self.init(renderer: renderer, rendered: Dictionary(uniqueKeysWithValues: renderer.renderAll().map { ($0.audience, $0) }))
    }

    private init(renderer: SiteRenderer, rendered: [Audience: RenderedAudience]) {
        self.renderer = renderer
        var media: [String: String] = [:]
        var attachments: [String: (source: String, type: String)] = [:]
        for audience in rendered.values {
            for item in audience.items {
                for file in item.media { media[file.logicalPath] = file.sourcePath }
                for file in item.attachments { attachments[file.logicalPath] = (file.sourcePath, file.type.mimeType) }
            }
        }
        self.rendered = rendered
        self.mediaSources = media
        self.attachmentSources = attachments
    }

    /// This site with the items of `update` rendered again (site.yaml and the theme unchanged).
    func updating(with update: ContentUpdate) -> PreviewSite {
        let gone = update.reread.union(update.removed)
        let dates = DateText(language: "nl", timeZone: renderer.site.config.timezone)
        var rendered = rendered
        for (audience, list) in rendered {
            rendered[audience]?.items = list.items.filter { !gone.contains($0.item.sourcePath) }
        }
        for item in update.items { rendered[item.audience]?.items.append(renderer.renderItem(item, dates: dates)) }
        for audience in Set(update.items.map(\.audience)) {
            rendered[audience]?.items.sort { $0.item.logicalPath < $1.item.logicalPath }
        }
        return PreviewSite(renderer: renderer, rendered: rendered)
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

    /// Entries per section on one page of an audience's index: ten years of news is thousands
    /// of items, more than a browser lays out quickly or anyone scrolls through.
    static let entriesPerPage = 50

    /// An audience's index: news newest first, the agenda from today on (then the past, newest
    /// first), info pages and conference schedules; `page` (from 1) of each section at a time.
    func indexPage(audience id: String, page: Int = 1, now: Date = Date()) throws -> String {
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
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = renderer.site.config.timezone
        let today = calendar.startOfDay(for: now)
        let events = items.filter { $0.item.kind == .event }.sorted { a, b in
            let (x, y) = (a.item.event?.start.date ?? .distantPast, b.item.event?.start.date ?? .distantPast)
            let (xAhead, yAhead) = (x >= today, y >= today)
            if xAhead != yAhead { return xAhead }
            return xAhead ? x < y : x > y
        }
        let pages = items.filter { $0.item.kind == .page }.sorted { ($0.item.weight, $0.item.title) < ($1.item.weight, $1.item.title) }
        let conferences = items.filter { $0.item.kind == .conference }
        let forms = items.filter { $0.item.kind == .form }.sorted { ($0.item.form?.deadline ?? .distantPast) > ($1.item.form?.deadline ?? .distantPast) }
        let count = max(1, [news, events, pages, conferences, forms].map { ($0.count + Self.entriesPerPage - 1) / Self.entriesPerPage }.max() ?? 1)
        let page = min(max(1, page), count)
        func slice(_ list: [RenderedItem]) -> [[String: Any]] {
            let start = (page - 1) * Self.entriesPerPage
            return start < list.count ? list[start..<min(list.count, start + Self.entriesPerPage)].map(entry) : []
        }
        var sections: [[String: Any]] = [
            ["heading": "Nieuws", "entries": slice(news)],
            ["heading": "Agenda", "entries": slice(events)],
            ["heading": "Informatie", "entries": slice(pages)],
        ]
        if !conferences.isEmpty { sections.append(["heading": "Oudergesprekken", "entries": slice(conferences)]) }
        if !forms.isEmpty { sections.append(["heading": "Formulieren", "entries": slice(forms)]) }
        let audiences = renderer.site.audiences.map { other -> [String: Any] in
            ["id": other.id, "title": renderer.title(of: other), "current": other == audience]
        }
        var context: [String: Any] = [
            "school": renderer.site.config.name, "audience": renderer.title(of: audience),
            "audiences": audiences, "sections": sections,
        ]
        if !held.isEmpty { context["held"] = ["problems": held.map { ["line": "content/" + $0.description] }] }
        if count > 1 {
            var pager: [String: Any] = ["audience_id": id, "page": page, "pages": count]
            if page > 1 { pager["newer"] = page - 1 }
            if page < count { pager["older"] = page + 1 }
            context["pager"] = pager
        }
        return renderer.theme.render("preview-index", context)
    }

    func itemPage(audience id: String, path: String, keys: URL? = nil) throws -> String {
        let audience = try audience(id)
        guard let item = visibleItems(audience).first(where: { $0.item.logicalPath == path }) else {
            throw PreviewFailure(lines: ["No item '\(path)' for \(renderer.title(of: audience))."])
        }
        // In the preview images come straight from content/; in output/ they are sealed blobs.
        let fragment = item.html
            .replacingOccurrences(of: "data-media=\"", with: "src=\"/media/")
            .replacingOccurrences(of: "data-attachment=\"", with: "href=\"/media/")
            .replacingOccurrences(of: "href=\"#/item/", with: "href=\"/a/\(id)/item/")
        var context: [String: Any] = [
            "school": renderer.site.config.name, "audience": renderer.title(of: audience), "audience_id": id,
            "title": item.item.title, "fragment": fragment,
        ]
        if let form = item.item.form { context["form"] = Self.formContext(form, timeZone: renderer.site.config.timezone) }
        let notes = consentNotes(item.item, keys: keys)
        if !notes.isEmpty { context["consent"] = ["notes": notes.map { ["line": $0] }] }
        return renderer.theme.render("preview-item", context)
    }

    /// The photos of an album that parents will not see, and why (the build leaves them out), in
    /// Dutch; empty without a keystore or tagged photos. A name not on the class list says so too.
    func consentNotes(_ item: ContentItem, keys: URL?) -> [String] {
        guard let keys, item.album?.photos.contains(where: { $0.children != nil }) == true,
              let keystore = try? Keystore.open(at: keys), let register = try? ConsentRegister.load(keys: keys)
        else { return [] }
        var site = Site(config: renderer.site.config, contentRoot: renderer.site.contentRoot, items: [item])
        do throws(BuildError) {
            let outcome = try ConsentStage(keystore: keystore, register: register, tags: PhotoTags.load(keys: keys)).apply(to: &site)
            return outcome.notices
        } catch {
            return error.problems.map(\.description)
        }
    }

    /// What a form asks, as staff check it before publishing (the app shows the real controls).
    static func formContext(_ form: FormInfo, timeZone: TimeZone) -> [String: Any] {
        let kinds: [FormInfo.Kind: String] = [
            .yesNo: "ja/nee", .choice: "kies één", .choices: "kies er een of meer", .text: "tekst", .shifts: "diensten",
        ]
        return [
            "deadline": DateText(language: "nl", timeZone: timeZone).moment(form.deadline),
            "per": form.per == .child ? "per kind" : "per gezin",
            "questions": form.questions.map { question -> [String: Any] in
                var options = question.options
                if question.kind == .shifts { options = question.shifts.map { "\($0.label) (\($0.places) plaatsen)" } }
                return [
                    "text": question.text, "kind": kinds[question.kind] ?? question.kind.rawValue,
                    "required": question.required, "sign": question.kind == .yesNo && question.sign,
                    "options": options.joined(separator: " · "), "key": question.key,
                ]
            },
        ]
    }

    static func kindLabel(_ item: ContentItem, audienceTitle: String) -> String {
        let kind = ["news": "Nieuws", "event": "Agenda", "album": "Album", "page": "Informatie", "conference": "Oudergesprekken",
                    "form": "Formulier"][item.kind.rawValue] ?? ""
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
