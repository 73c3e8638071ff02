// Turns album photos into published variants: upright, resized, every metadata field removed,
// cached by content hash so an unchanged photo is never decoded twice.

import Dispatch
import Foundation
import PortalFiles

/// Counts of what a processor did, for tests and build timings.
public struct PhotoStatistics: Sendable, Equatable {
    /// Photos handed to libvips (one decode serves all missing sizes of a photo; files that
    /// turn out not to be images count too).
    public var decodes = 0
    /// Source files read and hashed (skipped when the stamp index knows the file unchanged).
    public var sourcesHashed = 0
    /// Variants served from the cache.
    public var cacheHits = 0
    /// Variants not in the cache.
    public var cacheMisses = 0
    /// Cache files found damaged (bad header, length or checksum) and made again.
    public var damagedCacheFiles = 0
}

/// Makes the published variants of album photos with libvips.
///
/// Every variant is turned upright by the EXIF orientation, fitted into its size without
/// enlarging, converted to sRGB and encoded without any metadata (EXIF, GPS, maker notes, serial
/// numbers, embedded thumbnails, XMP, IPTC, ICC); each output is checked before it is returned.
/// Accepted input: JPEG, PNG, WebP, and HEIC/HEIF when libvips has its HEIF loader
/// (`PhotoProcessor.supportsHEIC`). Corrupt, truncated or other files fail with a `PhotoError`
/// naming the photo; nothing is cached for them.
///
/// With a cache directory, results are kept under a key made of the SHA-256 of the source bytes,
/// the spec, the pipeline and the libvips version. A source whose device, inode, size, mtime and
/// ctime are unchanged since it was hashed is not even read again.
///
/// ```swift
/// let processor = try PhotoProcessor(cacheDirectory: keysFolder.deletingLastPathComponent()
///     .appendingPathComponent("cache/photos"))
/// let variants = try processor.variants(of: photoURL, displayPath: "albums/schoolreis/foto1.jpg",
///                                       specs: [.thumb, .large])
/// ```
public final class PhotoProcessor: Sendable {
    /// Part of every cache key: bump it when the pipeline's output changes.
    public static let pipelineVersion = "ouderportaal-photos/1"

    /// The version of the libvips in use, e.g. `8.14.1` (also part of every cache key).
    public static var libvipsVersion: String { Libvips.version }

    /// Whether HEIC/HEIF photos can be read (libvips built with its HEIF loader).
    public static var supportsHEIC: Bool { (try? Libvips.start()) != nil && Libvips.hasHEIF }

    /// Where variants are cached, or nil for no cache.
    public let cacheDirectory: URL?
    /// How many photos `process(_:)` works on at once.
    public let workers: Int

    private let cache: PhotoCache?
    private let counters = Counters()
    private let keyPrefix: String

    /// Starts libvips and creates (or tightens) the cache directory with mode 0700.
    ///
    /// - Parameters:
    ///   - cacheDirectory: where to keep variants; nil for no cache. It holds plaintext photos:
    ///     keep it next to the keystore, never under `output/`.
    ///   - workers: photos processed at once by `process(_:)`; each photo uses one libvips
    ///     thread then, which is faster than several threads on one photo.
    public init(cacheDirectory: URL?, workers: Int = 2) throws {
        do {
            try Libvips.start()
        } catch {
            throw PhotoError(file: "libvips", message: "cannot start libvips: \(error.message)")
        }
        self.cacheDirectory = cacheDirectory
        self.workers = max(1, workers)
        keyPrefix = "\(Self.pipelineVersion)\nlibvips \(Libvips.version)\n"
        if let cacheDirectory {
            do {
                cache = try PhotoCache(root: cacheDirectory)
            } catch {
                throw PhotoError(file: cacheDirectory.path, message: error.message)
            }
        } else {
            cache = nil
        }
    }

    /// What this processor has done so far.
    public var statistics: PhotoStatistics { counters.snapshot }

    /// The variants of one photo, in the order of `specs`, from the cache where possible.
    ///
    /// - Parameters:
    ///   - file: the source photo.
    ///   - displayPath: how staff know the photo, e.g. `albums/schoolreis/foto1.jpg`; used in errors.
    ///   - specs: the sizes to make, e.g. `[.thumb, .large]`.
    /// - Throws: `PhotoError` when the file cannot be read, is not a supported image, is corrupt or
    ///   truncated, or a cache file cannot be written.
    public func variants(of file: URL, displayPath: String, specs: [PhotoVariantSpec]) throws(PhotoError) -> [PhotoVariant] {
        if let problem = specs.lazy.compactMap(\.problem).first {
            throw PhotoError(file: displayPath, message: problem)
        }
        if specs.isEmpty { return [] }
        let path = file.standardizedFileURL.path

        // 1. The content hash: from the stamp index when the file provably did not change.
        var source: [UInt8]?
        var sourceHash: [UInt8]
        if let cache, let stamp = try? PrivateFiles.stamp(of: path),
           let known = cache.knownSourceHash(path: path, stamp: stamp) {
            sourceHash = known
        } else {
            (source, sourceHash) = try readSource(path, displayPath: displayPath)
        }

        // 2. Cached variants.
        var keys = specs.map { key(for: $0, sourceHash: sourceHash) }
        var found = lookUp(keys: keys)
        if !found.contains(where: { $0 == nil }) {
            return zip(specs, found).map { spec, hit in PhotoVariant(spec: spec, bytes: hit!.bytes, width: hit!.width, height: hit!.height) }
        }

        // 3. Decode once for all missing sizes.
        if source == nil {
            let (bytes, hash) = try readSource(path, displayPath: displayPath)
            if hash != sourceHash {
                // The stamp index was wrong (e.g. a clock set back): trust only the bytes.
                sourceHash = hash
                keys = specs.map { key(for: $0, sourceHash: hash) }
                found = lookUp(keys: keys)
            }
            source = bytes
        }
        guard let source, !source.isEmpty else {
            throw PhotoError(file: displayPath, message: "empty file (0 bytes), not an image")
        }
        let missing = found.indices.filter { found[$0] == nil }
        let missingSpecs = missing.map { specs[$0] }
        counters.add { $0.decodes += 1 }
        let encoded: [Libvips.Encoded]
        do {
            encoded = try Libvips.makeVariants(source: source, specs: missingSpecs)
        } catch {
            throw PhotoError(file: displayPath, message: Self.explain(error))
        }

        var variants = found.enumerated().map { index, hit in
            hit.map { PhotoVariant(spec: specs[index], bytes: $0.bytes, width: $0.width, height: $0.height) }
        }
        for (offset, index) in missing.enumerated() {
            let spec = specs[index]
            let output = encoded[offset]
            try Self.verify(output, spec: spec, displayPath: displayPath)
            if let cache {
                do {
                    try cache.storeVariant(key: keys[index], bytes: output.bytes, width: output.width, height: output.height)
                } catch {
                    throw PhotoError(file: displayPath, message: "\(error.message) (\(cache.root.path))")
                }
            }
            variants[index] = PhotoVariant(spec: spec, bytes: output.bytes, width: output.width, height: output.height)
        }
        return variants.compactMap { $0 }
    }

    /// Processes a batch on `workers` threads and returns each job's variants by job id. Every
    /// photo is tried; all failures are reported together, in job order.
    ///
    /// With more than one worker this sets libvips' own thread count to 1 for the process (one
    /// photo per core is faster than two threads on one photo). libvips has one error buffer per
    /// process, so when two photos fail at the same moment a message may carry the other's text;
    /// the file named in each error is always right.
    ///
    /// ```swift
    /// let jobs = album.photos.map { PhotoJob(file: $0.url, displayPath: $0.path) }
    /// let variants = try processor.process(jobs)  // [PhotoJob.ID: [PhotoVariant]]
    /// ```
    public func process(_ jobs: [PhotoJob]) throws(PhotoErrors) -> [PhotoJob.ID: [PhotoVariant]] {
        let collected = Collected()
        try process(jobs) { job, variants in collected.add(job.id, variants) }
        return collected.results
    }

    /// Like `process(_:)`, but hands each job's variants to `deliver` as soon as they are ready
    /// (on a worker thread, one call at a time), so a caller can seal and drop them without
    /// holding a whole album in memory. `deliver` is not called for failed jobs.
    public func process(_ jobs: [PhotoJob],
                        deliver: @escaping @Sendable (PhotoJob, [PhotoVariant]) -> Void) throws(PhotoErrors) {
        var seen = Set<PhotoJob.ID>()
        let duplicates = jobs.filter { !seen.insert($0.id).inserted }
        if !duplicates.isEmpty {
            throw PhotoErrors(duplicates.map { PhotoError(file: $0.displayPath, message: "listed twice in one batch (id \($0.id))") })
        }
        let batch = Batch(count: jobs.count)
        let threads = min(workers, jobs.count)
        if threads > 1 { Libvips.setConcurrency(1) }
        DispatchQueue.concurrentPerform(iterations: threads) { _ in
            while let index = batch.next() {
                let job = jobs[index]
                do throws(PhotoError) {
                    let variants = try variants(of: job.file, displayPath: job.displayPath, specs: job.specs)
                    batch.deliver { deliver(job, variants) }
                } catch {
                    batch.fail(index, error)
                }
            }
        }
        let errors = batch.errors
        if !errors.isEmpty { throw PhotoErrors(errors) }
    }

    // MARK: - Steps

    /// Reads and hashes the source, and records its stamp when the file has settled, so the next
    /// run need not read it.
    private func readSource(_ path: String, displayPath: String) throws(PhotoError) -> (bytes: [UInt8], hash: [UInt8]) {
        let read: (bytes: [UInt8], stamp: FileStamp?)
        do {
            read = try PrivateFiles.read(path)
        } catch {
            throw PhotoError(file: displayPath, message: error.message)
        }
        counters.add { $0.sourcesHashed += 1 }
        let hash = Libvips.sha256(read.bytes)
        if let cache, !read.bytes.isEmpty, let stamp = read.stamp,
           stamp.isSettled(now: Date().timeIntervalSince1970) {
            // Best effort: without the record the next run reads and hashes the file again.
            try? cache.rememberSourceHash(path: path, stamp: stamp, hash: hash)
        }
        return (read.bytes, hash)
    }

    private func key(for spec: PhotoVariantSpec, sourceHash: [UInt8]) -> [UInt8] {
        Libvips.sha256(Array((keyPrefix + spec.cacheTag + "\n" + Hex.encode(sourceHash)).utf8))
    }

    private func lookUp(keys: [[UInt8]]) -> [(bytes: [UInt8], width: Int, height: Int)?] {
        guard let cache else {
            counters.add { $0.cacheMisses += keys.count }
            return keys.map { _ in nil }
        }
        return keys.map { key in
            switch cache.lookUpVariant(key: key) {
            case .hit(let bytes, let width, let height):
                counters.add { $0.cacheHits += 1 }
                return (bytes, width, height)
            case .miss:
                counters.add { $0.cacheMisses += 1 }
                return nil
            case .damaged:
                counters.add { $0.cacheMisses += 1; $0.damagedCacheFiles += 1 }
                return nil
            }
        }
    }

    /// Fail closed: an output that still carries metadata, or is not what was asked, is never used.
    private static func verify(_ output: Libvips.Encoded, spec: PhotoVariantSpec, displayPath: String) throws(PhotoError) {
        let metadata: PhotoMetadata
        do {
            metadata = try Libvips.probe(output.bytes)
        } catch {
            throw PhotoError(file: displayPath, message: "the \(spec.name) variant cannot be read back (vips: \(error.message))")
        }
        if metadata.carriesMetadata {
            throw PhotoError(file: displayPath, message: "the \(spec.name) variant still carries metadata (\(metadata.fields.joined(separator: ", "))); not used")
        }
        if metadata.width != output.width || metadata.height != output.height
            || max(output.width, output.height) > spec.longSide {
            throw PhotoError(file: displayPath, message: "the \(spec.name) variant came out \(metadata.width)x\(metadata.height), not within \(spec.longSide) px")
        }
    }

    private static func explain(_ failure: LibvipsFailure) -> String {
        if failure.isMissingHEIF {
            return "HEIC/HEIF photo, but this libvips (\(Libvips.version)) has no HEIF loader; install the libvips HEIF module (libheif) or convert the photo to JPEG"
        }
        if failure.isUnsupported {
            return "not a supported image; use JPEG, PNG, WebP or HEIC (vips: \(failure.message))"
        }
        if failure.isDecode {
            return "corrupt or truncated image (vips: \(failure.message))"
        }
        return "cannot process the photo (vips: \(failure.message))"
    }
}

// MARK: - Shared state of worker threads

private final class Counters: @unchecked Sendable {
    private let lock = NSLock()
    private var value = PhotoStatistics()

    var snapshot: PhotoStatistics { lock.withLock { value } }

    func add(_ change: (inout PhotoStatistics) -> Void) { lock.withLock { change(&value) } }
}

private final class Batch: @unchecked Sendable {
    private let lock = NSLock()
    private let deliveryLock = NSLock()
    private let count: Int
    private var nextIndex = 0
    private var failures: [(Int, PhotoError)] = []

    init(count: Int) {
        self.count = count
    }

    func next() -> Int? {
        lock.withLock {
            guard nextIndex < count else { return nil }
            defer { nextIndex += 1 }
            return nextIndex
        }
    }

    func deliver(_ body: () -> Void) { deliveryLock.withLock(body) }

    func fail(_ index: Int, _ error: PhotoError) { lock.withLock { failures.append((index, error)) } }

    var errors: [PhotoError] { lock.withLock { failures.sorted { $0.0 < $1.0 }.map(\.1) } }
}

private final class Collected: @unchecked Sendable {
    private let lock = NSLock()
    private var values: [PhotoJob.ID: [PhotoVariant]] = [:]

    func add(_ id: PhotoJob.ID, _ variants: [PhotoVariant]) { lock.withLock { values[id] = variants } }

    var results: [PhotoJob.ID: [PhotoVariant]] { lock.withLock { values } }
}
