// The sizes and formats an album photo is published in, and what processing one photo yields.

import struct Foundation.URL

/// The encoding of a variant. Both formats are shown by every current browser.
public enum PhotoFormat: Hashable, Sendable {
    /// Baseline JPEG with optimised Huffman tables; transparency is put on white.
    case jpeg(quality: Int)
    /// Lossy WebP; transparency is kept.
    case webp(quality: Int)

    /// The MIME type of the encoded bytes, e.g. `image/jpeg`.
    public var mimeType: String {
        switch self {
        case .jpeg: "image/jpeg"
        case .webp: "image/webp"
        }
    }

    /// The usual file extension without the dot, e.g. `jpg`.
    public var fileExtension: String {
        switch self {
        case .jpeg: "jpg"
        case .webp: "webp"
        }
    }

    var quality: Int {
        switch self {
        case .jpeg(let quality), .webp(let quality): quality
        }
    }
}

/// One published size of an album photo: the photo is scaled to fit a `longSide` x `longSide`
/// box (never enlarged), turned upright, and stripped of all metadata.
///
/// ```swift
/// let variants = try processor.variants(of: url, displayPath: "albums/schoolreis/foto1.jpg",
///                                       specs: [.thumb, .large])
/// ```
public struct PhotoVariantSpec: Hashable, Sendable {
    /// The name the gallery uses for this size, e.g. `thumb`.
    public var name: String
    /// The longest side of the output in pixels (smaller inputs keep their size).
    public var longSide: Int
    /// The output encoding.
    public var format: PhotoFormat

    public init(name: String, longSide: Int, format: PhotoFormat = .jpeg(quality: 82)) {
        self.name = name
        self.longSide = longSide
        self.format = format
    }

    /// Grid thumbnails: 400 px on the long side, JPEG quality 82.
    public static let thumb = PhotoVariantSpec(name: "thumb", longSide: 400, format: .jpeg(quality: 82))
    /// The lightbox size: 1600 px on the long side, JPEG quality 82.
    public static let large = PhotoVariantSpec(name: "large", longSide: 1600, format: .jpeg(quality: 82))

    /// What decides the output bytes (the name does not), as it enters the cache key.
    var cacheTag: String {
        switch format {
        case .jpeg(let quality): "long-side=\(longSide) jpeg q=\(quality)"
        case .webp(let quality): "long-side=\(longSide) webp q=\(quality)"
        }
    }

    var problem: String? {
        if !(1...100_000).contains(longSide) { return "variant \"\(name)\": long side \(longSide) is not in 1...100000" }
        if !(1...100).contains(format.quality) { return "variant \"\(name)\": quality \(format.quality) is not in 1...100" }
        return nil
    }
}

/// One encoded size of a photo, ready to be sealed. It carries no metadata of the original.
public struct PhotoVariant: Sendable, Equatable {
    /// The spec this variant was made for.
    public let spec: PhotoVariantSpec
    /// The encoded image (JPEG or WebP).
    public let bytes: [UInt8]
    /// Width in pixels, after the EXIF orientation was applied.
    public let width: Int
    /// Height in pixels, after the EXIF orientation was applied.
    public let height: Int
    /// `image/jpeg` or `image/webp`.
    public let mimeType: String

    public init(spec: PhotoVariantSpec, bytes: [UInt8], width: Int, height: Int) {
        self.spec = spec
        self.bytes = bytes
        self.width = width
        self.height = height
        self.mimeType = spec.format.mimeType
    }
}

/// One photo to process in a batch (see `PhotoProcessor.process(_:)`).
public struct PhotoJob: Identifiable, Sendable, Hashable {
    public typealias ID = String
    /// Identifies the job in the result; by default its display path.
    public let id: ID
    /// The source file.
    public let file: URL
    /// The path staff recognise, used in errors, e.g. `albums/schoolreis/foto1.jpg`.
    public let displayPath: String
    /// The sizes to make.
    public let specs: [PhotoVariantSpec]

    public init(file: URL, displayPath: String, specs: [PhotoVariantSpec] = [.thumb, .large], id: ID? = nil) {
        self.id = id ?? displayPath
        self.file = file
        self.displayPath = displayPath
        self.specs = specs
    }
}
