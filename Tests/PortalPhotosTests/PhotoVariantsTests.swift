// What comes out of one photo: no metadata, upright, the right size, any accepted format.

import Foundation
import VipsShim
import XCTest

@testable import PortalPhotos

final class PhotoVariantsTests: PhotoTestCase {
    /// Text that must never appear in a variant: EXIF/TIFF/XMP/IPTC/ICC markers and every private
    /// value the camera fixture carries (all contain "OPSECRET").
    static let forbiddenText = [
        "Exif", "GPS", "OPSECRET", "OPSECRET-SERIAL-7731XQ", "OPSECRET-MAKERNOTE", "OPSECRET-EMBEDDED-THUMB",
        "http://ns.adobe.com/xap", "x:xmpmeta", "Photoshop 3.0", "8BIM", "ICC_PROFILE",
    ]
    /// The header fields libvips reports for a clean JPEG: pixel layout only.
    static let allowedFields: Set<String> = [
        "width", "height", "bands", "format", "coding", "interpretation", "xoffset", "yoffset", "xres",
        "yres", "filename", "vips-loader", "jpeg-multiscan", "jpeg-chroma-subsample", "interlaced",
        "resolution-unit", "n-pages", "page-height",
    ]

    func testCameraFixtureReallyCarriesTheMetadata() throws {
        // Guards the test below: the fixture must hold what the variants must lose.
        let bytes = try Fixtures.bytes("camera.jpg")
        let metadata = try PhotoMetadata.probe(bytes)
        XCTAssertEqual(metadata.width, 300)
        XCTAssertEqual(metadata.height, 200)
        XCTAssertEqual(metadata.orientation, 6)
        XCTAssertTrue(metadata.hasEXIF)
        XCTAssertTrue(metadata.hasXMP)
        XCTAssertTrue(metadata.hasIPTC)
        XCTAssertTrue(metadata.hasICCProfile)
        XCTAssertTrue(metadata.fields.contains("exif-ifd3-GPSLatitude"), "\(metadata.fields)")
        for text in Self.forbiddenText {
            XCTAssertTrue(bytes.contains(text: text), "fixture lacks \(text)")
        }
    }

    func testVariantsCarryNoMetadataAtAll() throws {
        let processor = try PhotoProcessor(cacheDirectory: nil)
        let variants = try processor.variants(
            of: Fixtures.url("camera.jpg"), displayPath: "albums/schoolreis/camera.jpg", specs: [.thumb, .large])
        XCTAssertEqual(variants.map(\.spec), [.thumb, .large])
        for variant in variants {
            let metadata = try PhotoMetadata.probe(variant.bytes)
            XCTAssertFalse(metadata.carriesMetadata, "\(variant.spec.name): \(metadata.fields)")
            XCTAssertFalse(metadata.hasEXIF)
            XCTAssertFalse(metadata.hasXMP)
            XCTAssertFalse(metadata.hasIPTC)
            XCTAssertFalse(metadata.hasICCProfile)
            XCTAssertNil(metadata.orientation)
            XCTAssertEqual(Set(metadata.fields).subtracting(Self.allowedFields), [], variant.spec.name)
            for text in Self.forbiddenText {
                XCTAssertFalse(variant.bytes.contains(text: text), "\(variant.spec.name) contains \(text)")
            }
            // No TIFF header (EXIF block) anywhere, in either byte order.
            XCTAssertFalse(variant.bytes.contains(bytes: [0x49, 0x49, 0x2A, 0x00]), variant.spec.name)
            XCTAssertFalse(variant.bytes.contains(bytes: [0x4D, 0x4D, 0x00, 0x2A]), variant.spec.name)
            // Only one JPEG image (the embedded EXIF thumbnail would be a second SOI).
            XCTAssertEqual(Array(variant.bytes.prefix(2)), [0xFF, 0xD8])
            XCTAssertFalse(Array(variant.bytes.dropFirst(2)).contains(bytes: [0xFF, 0xD8, 0xFF]), variant.spec.name)
            XCTAssertEqual(variant.mimeType, "image/jpeg")
        }
    }

    func testExiftoolFindsNoMetadataInTheVariants() throws {
        // Reads the variants back with an independent tool (libimage-exiftool-perl).
        guard let exiftool = ["/usr/bin/exiftool", "/usr/local/bin/exiftool"].first(where: {
            FileManager.default.isExecutableFile(atPath: $0)
        }) else { throw XCTSkip("exiftool is not installed (apt-get install libimage-exiftool-perl)") }
        let processor = try PhotoProcessor(cacheDirectory: nil)
        let variants = try processor.variants(
            of: Fixtures.url("camera.jpg"), displayPath: "albums/schoolreis/camera.jpg", specs: [.thumb, .large])
        for variant in variants {
            let file = try write(variant.bytes, to: "\(variant.spec.name).jpg")
            let process = Process()
            process.executableURL = URL(fileURLWithPath: exiftool)
            process.arguments = ["-a", "-G1", "-s", "-u", file.path]
            let pipe = Pipe()
            process.standardOutput = pipe
            try process.run()
            let output = String(decoding: pipe.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
            process.waitUntilExit()
            XCTAssertEqual(process.terminationStatus, 0)
            let groups = Set(output.split(separator: "\n").compactMap { line -> String? in
                guard line.hasPrefix("["), let end = line.firstIndex(of: "]") else { return nil }
                return String(line[line.index(after: line.startIndex)..<end]).trimmingCharacters(in: .whitespaces)
            })
            XCTAssertEqual(groups.subtracting(["ExifTool", "System", "File", "JFIF", "Composite"]), [],
                           "\(variant.spec.name):\n\(output)")
            XCTAssertFalse(output.contains("OPSECRET"), output)
            XCTAssertFalse(output.contains("GPS"), output)
        }
    }

    func testOrientationIsApplied() throws {
        // Stored 300x200 landscape with orientation 6: shown portrait. Neither size enlarges it.
        let processor = try PhotoProcessor(cacheDirectory: nil)
        let variants = try processor.variants(
            of: Fixtures.url("camera.jpg"), displayPath: "albums/x/camera.jpg", specs: [.thumb, .large])
        for variant in variants {
            XCTAssertEqual(variant.width, 200, variant.spec.name)
            XCTAssertEqual(variant.height, 300, variant.spec.name)
            let metadata = try PhotoMetadata.probe(variant.bytes)
            XCTAssertEqual([metadata.width, metadata.height], [200, 300])
        }
    }

    func testLongSideIsFittedAndSmallPhotosAreNotEnlarged() throws {
        let processor = try PhotoProcessor(cacheDirectory: nil)
        let large = try processor.variants(
            of: Fixtures.url("large.jpg"), displayPath: "albums/x/large.jpg", specs: [.thumb, .large])
        XCTAssertEqual(large.map { [$0.width, $0.height] }, [[400, 300], [1600, 1200]])
        for variant in large {
            let metadata = try PhotoMetadata.probe(variant.bytes)
            XCTAssertEqual([metadata.width, metadata.height], [variant.width, variant.height])
        }
        let small = try processor.variants(
            of: Fixtures.url("alpha.png"), displayPath: "albums/x/alpha.png", specs: [.thumb, .large])
        XCTAssertEqual(small.map { [$0.width, $0.height] }, [[120, 90], [120, 90]])
        // Order of specs is kept, whatever order they are made in.
        let custom = PhotoVariantSpec(name: "mini", longSide: 64)
        let three = try processor.variants(
            of: Fixtures.url("large.jpg"), displayPath: "albums/x/large.jpg", specs: [.large, custom, .thumb])
        XCTAssertEqual(three.map { [$0.width, $0.height] }, [[1600, 1200], [64, 48], [400, 300]])
    }

    func testPNGWithAlphaBecomesOpaqueJPEGOrKeepsAlphaInWebP() throws {
        let processor = try PhotoProcessor(cacheDirectory: nil)
        let webp = PhotoVariantSpec(name: "thumb-webp", longSide: 400, format: .webp(quality: 80))
        let variants = try processor.variants(
            of: Fixtures.url("alpha.png"), displayPath: "albums/x/alpha.png", specs: [.thumb, webp])
        let jpeg = try PhotoMetadata.probe(variants[0].bytes)
        XCTAssertEqual(jpeg.bands, 3)
        XCTAssertEqual(jpeg.loader, "jpegload_buffer")
        XCTAssertEqual(variants[0].mimeType, "image/jpeg")
        let alpha = try PhotoMetadata.probe(variants[1].bytes)
        XCTAssertEqual(alpha.bands, 4)
        XCTAssertEqual(alpha.loader, "webpload_buffer")
        XCTAssertFalse(alpha.carriesMetadata, "\(alpha.fields)")
        XCTAssertEqual(variants[1].mimeType, "image/webp")
        // libvips 8.14 writes an EXIF chunk into WebP even with strip; the shim removes it.
        for text in ["EXIF", "Exif", "XMP ", "ICCP"] {
            XCTAssertFalse(variants[1].bytes.contains(text: text), text)
        }
    }

    func testGrey16PNGAndWebPInput() throws {
        let processor = try PhotoProcessor(cacheDirectory: nil)
        let grey = try processor.variants(
            of: Fixtures.url("grey16.png"), displayPath: "albums/x/grey16.png", specs: [.thumb])
        XCTAssertEqual([grey[0].width, grey[0].height], [200, 100])
        XCTAssertFalse(try PhotoMetadata.probe(grey[0].bytes).carriesMetadata)
        let webp = try processor.variants(
            of: Fixtures.url("photo.webp"), displayPath: "albums/x/photo.webp", specs: [.thumb, .large])
        XCTAssertEqual(webp.map { [$0.width, $0.height] }, [[400, 300], [800, 600]])
    }

    func testHEICInputWhenLibvipsHasTheLoader() throws {
        guard PhotoProcessor.supportsHEIC else {
            // Without the loader a HEIC photo must fail with a message that says so.
            let processor = try PhotoProcessor(cacheDirectory: nil)
            XCTAssertThrowsError(try processor.variants(
                of: Fixtures.url("photo.heic"), displayPath: "albums/x/photo.heic", specs: [.thumb])) { error in
                XCTAssertTrue("\(error)".hasPrefix("albums/x/photo.heic: HEIC/HEIF photo, but this libvips"), "\(error)")
            }
            throw XCTSkip("this libvips has no HEIF loader (libvips \(PhotoProcessor.libvipsVersion))")
        }
        let processor = try PhotoProcessor(cacheDirectory: nil)
        let variants = try processor.variants(
            of: Fixtures.url("photo.heic"), displayPath: "albums/x/photo.heic", specs: [.thumb, .large])
        XCTAssertEqual(variants.map { [$0.width, $0.height] }, [[400, 300], [640, 480]])
        for variant in variants { XCTAssertFalse(try PhotoMetadata.probe(variant.bytes).carriesMetadata) }
    }

    func testBrokenAndUnsupportedFilesFailWithTheirDisplayPath() throws {
        let large = try Fixtures.bytes("large.jpg")
        let text = try write(Array("Dit is geen foto.\n".utf8), to: "tekst.jpg")
        let empty = try write([], to: "leeg.jpg")
        let truncated = try write(Array(large.prefix(large.count * 2 / 5)), to: "half.jpg")
        let missing = scratch.appendingPathComponent("weg.jpg")
        let cache = cacheFolder()
        let processor = try PhotoProcessor(cacheDirectory: cache)

        func message(_ url: URL, _ displayPath: String) -> String {
            do {
                _ = try processor.variants(of: url, displayPath: displayPath, specs: [.thumb, .large])
                return "no error"
            } catch {
                XCTAssertEqual(error.file, displayPath)
                return error.description
            }
        }

        XCTAssertEqual(message(text, "albums/x/tekst.jpg"),
                       "albums/x/tekst.jpg: not a supported image; use JPEG, PNG, WebP or HEIC (vips: no loader recognises the data)")
        XCTAssertEqual(message(empty, "albums/x/leeg.jpg"), "albums/x/leeg.jpg: empty file (0 bytes), not an image")
        let half = message(truncated, "albums/x/half.jpg")
        XCTAssertTrue(half.hasPrefix("albums/x/half.jpg: corrupt or truncated image (vips: "), half)
        XCTAssertTrue(half.contains("Premature end"), half)
        XCTAssertEqual(message(Fixtures.url("vector.jpg"), "albums/x/vector.jpg"),
                       "albums/x/vector.jpg: not a supported image; use JPEG, PNG, WebP or HEIC (vips: format of VipsForeignLoadSvgBuffer is not accepted)")
        XCTAssertEqual(message(missing, "albums/x/weg.jpg"), "albums/x/weg.jpg: cannot read the file: No such file or directory")
        XCTAssertEqual(message(scratch, "albums/x"), "albums/x: not a regular file")

        // Nothing was cached for any of them, and no temporary file was left behind.
        XCTAssertEqual(try variantFiles(in: cache), [])
        XCTAssertEqual(processor.statistics.decodes, 3)  // the text, the truncated JPEG and the SVG reached libvips
    }

    func testInvalidSpecsAreRejected() throws {
        let processor = try PhotoProcessor(cacheDirectory: nil)
        XCTAssertThrowsError(try processor.variants(
            of: Fixtures.url("large.jpg"), displayPath: "albums/x/large.jpg",
            specs: [PhotoVariantSpec(name: "huge", longSide: 0)])) { error in
            XCTAssertEqual("\(error)", "albums/x/large.jpg: variant \"huge\": long side 0 is not in 1...100000")
        }
        XCTAssertEqual(try processor.variants(of: Fixtures.url("large.jpg"), displayPath: "x", specs: []), [])
    }

    func testChecksumVectors() {
        // XXH64 reference values (xxHash's own test vectors), so damaged-cache detection is sound.
        func xxh(_ text: String) -> UInt64 { Array(text.utf8).withUnsafeBytes { Libvips.xxh64($0) } }
        XCTAssertEqual(xxh(""), 0xEF46_DB37_51D8_E999)
        XCTAssertEqual(xxh("a"), 0xD24E_C4F1_A98C_6E5B)
        XCTAssertEqual(xxh("abc"), 0x44BC_2CF5_AD77_0999)
        XCTAssertEqual(Hex.encode(Libvips.sha256(Array("abc".utf8))),
                       "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad")
    }

    func testFastSHA256MatchesGLib() {
        // portal_sha256 uses the x86 SHA extensions where present; it must agree with GLib on
        // every length around the block and padding boundaries, and on a large input.
        var generator = SystemRandomNumberGenerator()
        let data = (0..<(1 << 20) + 77).map { _ in UInt8.random(in: 0...255, using: &generator) }
        for length in Array(0...300) + [4095, 4096, 4097, 65_536, data.count] {
            let slice = Array(data[0..<length])
            var reference = [UInt8](repeating: 0, count: 32)
            slice.withUnsafeBytes { portal_sha256_reference($0.baseAddress, $0.count, &reference) }
            XCTAssertEqual(Libvips.sha256(slice), reference, "length \(length)")
        }
    }
}
