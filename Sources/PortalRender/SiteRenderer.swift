// Renders each audience's items to HTML fragments through the theme, in the site's language and time zone.
import Foundation
import PortalContent
import PortalMarkdown
import PortalFiles

/// A file that an item shows: an inline Markdown image or an album photo, as loading resolved it
/// (`ContentItem.media`).
public struct MediaFile: Hashable, Sendable {
    /// Logical path that names the media in manifests and associated data,
    /// e.g. `groups/groep-5/albums/herfst/pad.jpg`.
    public var logicalPath: String
    /// Path of the source file relative to the content folder.
    public var sourcePath: String
    /// The source file on disk.
    public var file: URL
    /// Caption of an album photo (also its alt text).
    public var caption: String?

    public init(logicalPath: String, sourcePath: String, file: URL, caption: String? = nil) {
        self.logicalPath = logicalPath
        self.sourcePath = sourcePath
        self.file = file
        self.caption = caption
    }

    /// The file of `reference`, named under `item`'s logical path.
    public init(_ reference: MediaReference, of item: ContentItem, caption: String? = nil) {
        self.init(
            logicalPath: item.logicalPath + "/" + reference.path, sourcePath: reference.sourcePath,
            file: reference.file, caption: caption)
    }
}

/// A file an item carries under `attachments:`, as loading resolved it.
public struct AttachmentFile: Hashable, Sendable {
    /// Logical path that names the file in manifests, e.g. `news/nieuwsbrief/december.pdf`.
    public var logicalPath: String
    /// Path of the source file relative to the content folder.
    public var sourcePath: String
    /// The source file on disk.
    public var file: URL
    public var title: String
    /// The file name a parent saves it under.
    public var name: String
    public var type: AttachmentType
    public var size: Int
}

/// One item ready for sealing: the fragment and what it refers to.
public struct RenderedItem: Sendable {
    public var item: ContentItem
    /// The HTML fragment from the theme's `item.mustache`.
    public var html: String
    /// The summary shown in lists: front matter `summary`, or the start of the text.
    public var summary: String
    /// Inline images and album photos, in order of appearance.
    public var media: [MediaFile]
    /// The files under `attachments:`, in their order.
    public var attachments: [AttachmentFile] = []
}

public struct RenderedAudience: Sendable {
    public var audience: Audience
    /// "Hele school" or the group's title.
    public var title: String
    public var items: [RenderedItem]
}

/// Renders a loaded site.
///
///     let renderer = SiteRenderer(site: site, theme: theme)
///     let groep5 = renderer.render(.group("groep-5"))
public struct SiteRenderer: Sendable {
    public let site: Site
    public let theme: Theme

    public init(site: Site, theme: Theme) {
        self.site = site
        self.theme = theme
    }

    /// The display title of an audience.
    public func title(of audience: Audience) -> String { Self.title(of: audience, config: site.config) }

    /// The display title of an audience: "Hele school" or the group's title in site.yaml.
    public static func title(of audience: Audience, config: SiteConfig) -> String {
        switch audience {
        case .school: return "Hele school"
        case .group(let id): return config.group(id: id)?.title ?? id
        }
    }

    /// Every audience, rendered on all cores.
    public func renderAll() -> [RenderedAudience] {
        let audiences = site.audiences
        let items = site.items
        // Render items in parallel chunks; each worker owns its DateText.
        let workers = max(1, ProcessInfo.processInfo.activeProcessorCount)
        let chunk = max(1, (items.count + workers * 4 - 1) / (workers * 4))
        let chunks = stride(from: 0, to: items.count, by: chunk).map { $0..<min($0 + chunk, items.count) }
        let results = ParallelSlots<RenderedItem>(count: items.count)
        DispatchQueue.concurrentPerform(iterations: chunks.count) { index in
            let dates = DateText(language: "nl", timeZone: site.config.timezone)
            for i in chunks[index] {
                results.set(i, renderItem(items[i], dates: dates))
            }
        }
        let rendered = results.values
        return audiences.map { audience in
            RenderedAudience(
                audience: audience, title: title(of: audience),
                items: rendered.filter { $0.item.audience == audience })
        }
    }

    /// One audience's items.
    public func render(_ audience: Audience) -> RenderedAudience {
        let dates = DateText(language: "nl", timeZone: site.config.timezone)
        return RenderedAudience(
            audience: audience, title: title(of: audience),
            items: site.items(for: audience).map { renderItem($0, dates: dates) })
    }

    /// One item's fragment, summary and media. Images and photos are the files that loading
    /// resolved (`item.media`); nothing is looked up again here.
    public func renderItem(_ item: ContentItem, dates: DateText) -> RenderedItem {
        var media: [MediaFile] = []
        let document = item.parsedBody  // parsed once while loading
        let body = document.html(
            rewriteLink: { destination in Self.appLink(for: destination) },
            rewriteImage: { source in
                // Loading resolves every image or fails. One it did not resolve (an item built by
                // hand) gets an empty media path: the app shows nothing rather than load a URL.
                guard let reference = item.image(source: source) else { return .media("") }
                let file = MediaFile(reference, of: item)
                if !media.contains(file) { media.append(file) }
                return .media(file.logicalPath)
            })
        var context: [String: Any] = [
            "kind": item.kind.rawValue,
            "is_\(item.kind.rawValue)": true,
            "title": item.title,
            "audience": title(of: item.audience),
            "body": body,
        ]
        if let author = item.author { context["author"] = author }
        if let date = item.date, item.kind == .news || item.kind == .album {
            context["date_text"] = dates.day(date)
            context["date_iso"] = RFC3339.string(from: date)
        }
        if let event = item.event {
            context["when"] = dates.span(event)
            if let location = event.location { context["location"] = location }
        }
        if let album = item.album {
            var files: [String: MediaReference] = [:]
            for reference in item.media where reference.kind == .photo { files[reference.source] = reference }
            for photo in album.photos {
                guard let reference = files[photo.file] else { continue }
                let file = MediaFile(reference, of: item, caption: photo.caption)
                if !media.contains(file) { media.append(file) }
            }
            context["photos"] = album.photos.map { photo -> [String: Any] in
                ["media": item.logicalPath + "/" + photo.file, "caption": photo.caption ?? "", "has_caption": photo.caption != nil]
            }
            context["photo_count"] = album.photos.count
        }
        if let schedule = item.conference {
            context["conference"] = conferenceContext(schedule, dates: dates)
        }
        let attachments = item.attachments.compactMap { attachment -> AttachmentFile? in
            guard let reference = item.attachmentFile(attachment) else { return nil }  // loading resolves each
            return AttachmentFile(
                logicalPath: item.logicalPath + "/" + reference.path, sourcePath: reference.sourcePath, file: reference.file,
                title: attachment.title, name: attachment.file, type: attachment.type, size: attachment.size)
        }
        if !attachments.isEmpty {
            context["has_attachments"] = true
            context["attachments"] = attachments.map { file -> [String: Any] in
                ["media": file.logicalPath, "title": file.title, "name": file.name,
                 "type": file.type.rawValue.uppercased(), "size": Self.sizeText(file.size)]
            }
        }
        let html = theme.render("item", context)
        return RenderedItem(
            item: item, html: html, summary: item.summary ?? Self.summary(fromHTML: body), media: media, attachments: attachments)
    }

    private func conferenceContext(_ schedule: ConferenceSchedule, dates: DateText) -> [String: Any] {
        var context: [String: Any] = [
            "teacher": schedule.teacher,
            "slot_minutes": schedule.slotMinutes,
            "slot_count": schedule.slots.count,
            "opens": dates.moment(schedule.bookingOpens),
            "closes": dates.moment(schedule.bookingCloses),
            "evenings": schedule.evenings.map { evening -> [String: Any] in
                ["when": "\(dates.moment(evening.start)) – \(dates.time(evening.end))"]
            },
        ]
        if let location = schedule.location { context["location"] = location }
        return context
    }

    /// "1,2 MB" or "312 kB", the Dutch way (the fragment is Dutch; the app writes its own).
    static func sizeText(_ bytes: Int) -> String {
        if bytes < 1_000_000 { return "\(max(1, (bytes + 500) / 1000)) kB" }
        let tenths = (bytes + 50_000) / 100_000
        return "\(tenths / 10),\(tenths % 10) MB"
    }

    /// Internal links (`/news/slug`) become app routes; everything else stays as it is.
    static func appLink(for destination: String) -> String? {
        guard destination.hasPrefix("/"), !destination.hasPrefix("//") else { return nil }
        // An anchor (`#...`) is dropped: the app addresses items, not places inside them.
        var path = String(destination.dropFirst().prefix { $0 != "#" })
        while path.hasSuffix("/") { path.removeLast() }
        return "#/item/" + path
    }

    /// The first words of a fragment as plain text, for lists. Works on UTF-8 bytes: it runs for
    /// every item of every build.
    static func summary(fromHTML html: String, limit: Int = 180) -> String {
        var text: [UInt8] = []
        text.reserveCapacity(limit * 2)
        var pendingSpace = false
        var inTag = false
        var tagName: [UInt8] = []
        var readingName = false
        for byte in html.utf8 {
            if inTag {
                if byte == UInt8(ascii: ">") {
                    inTag = false
                    if blockTags.contains(tagName) { pendingSpace = !text.isEmpty }
                } else if readingName {
                    if byte == UInt8(ascii: "/") && tagName.isEmpty { continue }
                    if (byte >= 0x61 && byte <= 0x7a) || (byte >= 0x30 && byte <= 0x39) { tagName.append(byte) } else { readingName = false }
                }
                continue
            }
            switch byte {
            case UInt8(ascii: "<"):
                inTag = true
                readingName = true
                tagName.removeAll(keepingCapacity: true)
            case 0x20, 0x09, 0x0a, 0x0d:
                pendingSpace = !text.isEmpty
            default:
                if pendingSpace { text.append(0x20); pendingSpace = false }
                text.append(byte)
            }
            if text.count > limit * 4 { break }
        }
        let plain = decodeEntities(String(decoding: text, as: UTF8.self))
        guard plain.count > limit else { return plain }
        // Cut at the last word boundary before the limit.
        let head = plain.prefix(limit)
        let cut = head.lastIndex(of: " ").map { head[..<$0] } ?? head
        return cut + " …"
    }

    private static let blockTags: Set<[UInt8]> = Set(
        ["p", "li", "br", "td", "th", "tr", "h1", "h2", "h3", "h4", "h5", "h6", "blockquote", "pre", "div"].map { Array($0.utf8) })

    /// Decodes the five entities cmark-gfm writes (`&amp; &lt; &gt; &quot; &#39;`) in one pass.
    static func decodeEntities(_ text: String) -> String {
        guard text.utf8.contains(UInt8(ascii: "&")) else { return text }
        let entities: [(String, String)] = [("&amp;", "&"), ("&lt;", "<"), ("&gt;", ">"), ("&quot;", "\""), ("&#39;", "'")]
        var result = ""
        result.reserveCapacity(text.utf8.count)
        var rest = Substring(text)
        while let ampersand = rest.firstIndex(of: "&") {
            result += rest[..<ampersand]
            let tail = rest[ampersand...]
            if let (entity, character) = entities.first(where: { tail.hasPrefix($0.0) }) {
                result += character
                rest = tail.dropFirst(entity.count)
            } else {
                result += "&"
                rest = tail.dropFirst()
            }
        }
        return result + rest
    }
}
