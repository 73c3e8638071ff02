// What the checks across items need to know of each item, small enough to keep between builds:
// an incremental build re-reads only the items whose files changed and checks them against the
// facts of all the others (links, duplicate paths, unused images) without reading those again.
import Foundation

/// The facts of one item file (drafts included: a link to a draft is an error).
///
/// ```swift
/// let loaded = try ContentLoader(root: content).loadWithFacts()
/// let update = try ContentLoader(root: content).loadUpdate(reusing: loaded.facts, changed: ["news/welkom.md"])
/// ```
public struct ItemFacts: Equatable, Sendable {
    /// Source file relative to the content folder.
    public var sourcePath: String
    public var logicalPath: String
    /// `school` or the group id.
    public var audience: String
    public var draft: Bool
    /// Line of `slug:` when it was given (where a duplicate path is reported).
    public var slugLine: Int?
    /// The item's own folder (`albums/herfst` for `albums/herfst/index.md`); nil for an item
    /// that is one file in its section. Every file in its own folder may change the item (an
    /// album without a `photos:` list shows every image there).
    public var ownFolder: String?
    /// Internal links, checked against the other items.
    public var links: [InternalLink]
    /// Files the item shows, relative to the content folder.
    public var images: [String]
    /// A conference schedule (the receiver's trust file lists them).
    public var conference: Bool
    /// `urgent: true`: publish notifies at once, also in quiet hours.
    public var urgent: Bool
    /// `confirm: true`: parents confirm reading it (the trust file lists it).
    public var confirm: Bool
    /// A form (the trust file lists its deadline and shifts).
    public var form: Bool
    /// An album whose photos name children (`children:`): consent and the class list decide
    /// what it shows, so a change of the keystore reads it again.
    public var tagged: Bool

    /// The receiver's trust file names it (a schedule, a read confirmation or a form), so a build
    /// that writes that file reads it again.
    public var inTrustFile: Bool { conference || confirm || form }

    public init(
        sourcePath: String, logicalPath: String, audience: String, draft: Bool, slugLine: Int? = nil,
        ownFolder: String? = nil, links: [InternalLink] = [], images: [String] = [], conference: Bool = false, urgent: Bool = false,
        confirm: Bool = false, form: Bool = false, tagged: Bool = false
    ) {
        self.form = form
        self.tagged = tagged
        self.urgent = urgent
        self.confirm = confirm
        self.sourcePath = sourcePath
        self.logicalPath = logicalPath
        self.audience = audience
        self.draft = draft
        self.slugLine = slugLine
        self.ownFolder = ownFolder
        self.links = links
        self.images = images
        self.conference = conference
    }

    /// True when a change to one of `changed` (paths relative to the content folder) may change
    /// what this item is.
    public func depends(on changed: Set<String>) -> Bool {
        if changed.contains(sourcePath) || images.contains(where: changed.contains) { return true }
        guard let ownFolder else { return false }
        let prefix = ownFolder + "/"
        return changed.contains { $0.hasPrefix(prefix) }
    }
}

/// A Markdown link to another item, by that item's logical path.
public struct InternalLink: Equatable, Sendable {
    public var target: String
    /// Line in the source file.
    public var line: Int

    public init(target: String, line: Int) {
        self.target = target
        self.line = line
    }
}

/// A full load with the facts for the next incremental one.
public struct LoadedContent: Sendable {
    public var site: Site
    /// Every item file's facts, sorted by source path.
    public var facts: [ItemFacts]
}

/// What changed since the facts of an earlier load: the items read again and every item's facts.
public struct ContentUpdate: Sendable {
    public var config: SiteConfig
    /// The items read again (drafts left out), sorted like `Site.items`.
    public var items: [ContentItem]
    /// Source paths of the items read again, drafts included.
    public var reread: Set<String>
    /// Source paths of items that were there before and are gone.
    public var removed: Set<String>
    /// Every item file's facts, sorted by source path.
    public var facts: [ItemFacts]

    /// The re-read items as a site, to render them.
    public func site(contentRoot: URL) -> Site { Site(config: config, contentRoot: contentRoot, items: items) }
}

/// The texts `portal new` writes where the item's own text goes: an item that still holds one is
/// refused (it would be published with "Schrijf hier het bericht." in it), unless it is a draft.
public enum Placeholders {
    public static let news = "Schrijf hier het bericht."
    public static let page = "Schrijf hier de tekst van de pagina."
    public static let album = "Zet de foto's in deze map."
    public static let conference = "Schrijf hier een woord aan de ouders, of laat dit weg."
    public static let form = "Schrijf hier waar het formulier over gaat."
    static let all: Set<String> = [news, page, album, conference, form]
    static let bytes: [[UInt8]] = all.map { Array($0.utf8) }
    static let shortest = bytes.map(\.count).min() ?? 0
}
