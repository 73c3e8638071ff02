// The files an item shows, resolved once while loading, so that the check, the renderer and the
// photo stage cannot disagree about which file a reference names (`foto%20een.jpg` is `foto een.jpg`).
import Foundation

/// One file an item shows: an image in its Markdown body or a photo of its album, as loading
/// found it on disk. Loading stores them in `ContentItem.media`; rendering and the photo stage read
/// them from there and never resolve a reference themselves.
///
/// ```swift
/// let site = try ContentLoader(root: URL(fileURLWithPath: "content")).load()
/// for reference in site.items[0].media {
///     print(reference.source, "->", reference.sourcePath)   // foto%20een.jpg -> news/reis/foto een.jpg
/// }
/// ```
public struct MediaReference: Hashable, Sendable {
    public enum Kind: String, Hashable, Sendable {
        /// `![description](source)` in the body.
        case image
        /// A photo of an album: listed under `photos:`, or found in the album's folder.
        case photo
        /// A file listed under `attachments:`.
        case attachment
    }

    public var kind: Kind
    /// The reference as written: the Markdown image source (`./foto%20een.jpg`, after Markdown
    /// unescaping), or the album photo's or attachment's file name.
    public var source: String
    /// The file's path relative to the item's folder, percent-decoded and without `.` parts
    /// (`foto een.jpg`). Appended to the item's logical path it names the media in manifests.
    public var path: String
    /// The file's path relative to the content folder (`news/reis/foto een.jpg`).
    public var sourcePath: String
    /// The file on disk.
    public var file: URL
    /// 1-based line in the item's source file where the reference is written; nil for album
    /// photos taken from the folder.
    public var line: Int?

    public init(kind: Kind, source: String, path: String, sourcePath: String, file: URL, line: Int? = nil) {
        self.kind = kind
        self.source = source
        self.path = path
        self.sourcePath = sourcePath
        self.file = file
        self.line = line
    }
}

extension ContentItem {
    /// The resolved image that the body writes as `source`, if loading found one.
    public func image(source: String) -> MediaReference? {
        media.first { $0.kind == .image && $0.source == source }
    }
}
