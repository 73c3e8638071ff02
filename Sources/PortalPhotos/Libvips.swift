// Swift over the C shim: start libvips, make variants, probe metadata, hash bytes.

import VipsShim

/// Failure of a shim call: its status code and libvips' message.
struct LibvipsFailure: Error {
    let status: Int32
    let message: String

    var isUnsupported: Bool { status == Int32(PORTAL_VIPS_ERR_UNSUPPORTED.rawValue) }
    var isMissingHEIF: Bool { status == Int32(PORTAL_VIPS_ERR_NO_HEIF.rawValue) }
    var isDecode: Bool { status == Int32(PORTAL_VIPS_ERR_DECODE.rawValue) }
}

enum Libvips {
    /// Starts libvips once per process; later calls return the first outcome.
    static func start() throws(LibvipsFailure) {
        var error: UnsafeMutablePointer<CChar>?
        let status = portal_vips_init(&error)
        if status != Int32(PORTAL_VIPS_OK.rawValue) { throw failure(status, error) }
    }

    static var version: String { String(cString: portal_vips_version()) }

    static var hasHEIF: Bool { portal_vips_has_heif() != 0 }

    static func setConcurrency(_ threads: Int) { portal_vips_set_concurrency(Int32(clamping: threads)) }

    struct Encoded {
        let bytes: [UInt8]
        let width: Int
        let height: Int
    }

    /// Decodes `source` once and encodes one output per spec (see portal_vips_make_variants).
    static func makeVariants(source: [UInt8], specs: [PhotoVariantSpec]) throws(LibvipsFailure) -> [Encoded] {
        let requests = specs.map { spec -> portal_vips_variant_request in
            let format: portal_vips_format
            switch spec.format {
            case .jpeg: format = PORTAL_VIPS_FORMAT_JPEG
            case .webp: format = PORTAL_VIPS_FORMAT_WEBP
            }
            return portal_vips_variant_request(
                long_side: Int32(clamping: spec.longSide), format: Int32(format.rawValue),
                quality: Int32(clamping: spec.format.quality))
        }
        var results = [portal_vips_variant_result](repeating: portal_vips_variant_result(), count: specs.count)
        var error: UnsafeMutablePointer<CChar>?
        let status = source.withUnsafeBytes { raw in
            portal_vips_make_variants(raw.baseAddress, raw.count, requests, Int32(requests.count), &results, &error)
        }
        if status != Int32(PORTAL_VIPS_OK.rawValue) { throw failure(status, error) }
        return results.map { result in
            defer { portal_vips_free(result.bytes) }
            let bytes = result.bytes.map { Array(UnsafeBufferPointer(start: $0, count: result.length)) } ?? []
            return Encoded(bytes: bytes, width: Int(result.width), height: Int(result.height))
        }
    }

    static func probe(_ bytes: [UInt8]) throws(LibvipsFailure) -> PhotoMetadata {
        var result = portal_vips_probe_result()
        var error: UnsafeMutablePointer<CChar>?
        let status = bytes.withUnsafeBytes { raw in
            portal_vips_probe(raw.baseAddress, raw.count, &result, &error)
        }
        if status != Int32(PORTAL_VIPS_OK.rawValue) { throw failure(status, error) }
        defer {
            portal_vips_free(result.fields)
            portal_vips_free(result.loader)
        }
        let fields = result.fields.map { String(cString: $0) } ?? ""
        return PhotoMetadata(
            width: Int(result.width), height: Int(result.height), bands: Int(result.bands),
            hasEXIF: result.has_exif != 0, hasXMP: result.has_xmp != 0, hasIPTC: result.has_iptc != 0,
            hasICCProfile: result.has_icc != 0,
            orientation: result.orientation == 0 ? nil : Int(result.orientation),
            fields: fields.split(separator: "\n").map(String.init),
            loader: result.loader.map { String(cString: $0) })
    }

    static func sha256(_ bytes: [UInt8]) -> [UInt8] {
        var digest = [UInt8](repeating: 0, count: 32)
        bytes.withUnsafeBytes { raw in portal_sha256(raw.baseAddress, raw.count, &digest) }
        return digest
    }

    static func xxh64(_ bytes: UnsafeRawBufferPointer, seed: UInt64 = 0) -> UInt64 {
        portal_xxh64(bytes.baseAddress, bytes.count, seed)
    }

    private static func failure(_ status: Int32, _ error: UnsafeMutablePointer<CChar>?) -> LibvipsFailure {
        defer { portal_vips_free(error) }
        return LibvipsFailure(status: status, message: error.map { String(cString: $0) } ?? "unknown libvips error")
    }
}

/// What an encoded image carries besides pixels, as libvips reads it. Used to check that a variant
/// is clean before it is used, and by tests.
///
/// ```swift
/// let metadata = try PhotoMetadata.probe(variant.bytes)
/// assert(!metadata.carriesMetadata)
/// ```
public struct PhotoMetadata: Sendable, Equatable {
    public let width: Int
    public let height: Int
    public let bands: Int
    /// An `exif-data` or any `exif-*` field (this includes GPS, maker notes, serial numbers and the
    /// embedded EXIF thumbnail).
    public let hasEXIF: Bool
    /// An `xmp-data` field.
    public let hasXMP: Bool
    /// An `iptc-data` field.
    public let hasIPTC: Bool
    /// An `icc-profile-data` field.
    public let hasICCProfile: Bool
    /// The EXIF orientation tag, if any.
    public let orientation: Int?
    /// The names of all fields libvips found, e.g. `width`, `jpeg-multiscan`.
    public let fields: [String]
    /// The libvips loader that read the bytes, e.g. `jpegload_source`.
    public let loader: String?

    /// True when any metadata beyond the pixel layout is present.
    public var carriesMetadata: Bool { hasEXIF || hasXMP || hasIPTC || hasICCProfile || orientation != nil }

    /// Reads the header of `bytes` (any format libvips knows).
    public static func probe(_ bytes: [UInt8], displayPath: String = "(memory)") throws(PhotoError) -> PhotoMetadata {
        do {
            try Libvips.start()
            return try Libvips.probe(bytes)
        } catch {
            throw PhotoError(file: displayPath, message: "cannot read the image header (vips: \(error.message))")
        }
    }
}
