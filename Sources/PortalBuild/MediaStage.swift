// Turns every image an item shows into stripped web variants before sealing. Originals never
// reach output/: each photo is decoded and re-encoded by libvips with all metadata removed.
import Foundation
import PortalContent
import PortalPhotos
import PortalRender

/// One image, ready to seal: a display size and a thumbnail for grids.
struct ProcessedMedia: Sendable {
    var large: PhotoVariant
    var thumb: PhotoVariant?
}

struct MediaStage {
    let keysDirectory: URL
    var progress: (@Sendable (_ step: String, _ done: Int, _ total: Int) -> Void)?

    /// The photo cache holds plaintext variants, as private as the originals: it lives in the
    /// keystore folder (mode 0700), never next to output/.
    var cacheDirectory: URL { keysDirectory.appendingPathComponent("cache/photos", isDirectory: true) }

    /// Processed media by logical path. Fails closed: an image that cannot be processed stops the build.
    /// Each file is the one loading resolved (`ContentItem.media`, carried by the rendered items).
    func process(_ audiences: [RenderedAudience]) throws(BuildError) -> [String: ProcessedMedia] {
        var jobs: [PhotoJob] = []
        var seen: Set<String> = []
        for file in audiences.flatMap({ $0.items.flatMap(\.media) }) where seen.insert(file.logicalPath).inserted {
            jobs.append(PhotoJob(file: file.file, displayPath: file.sourcePath, specs: [.thumb, .large], id: file.logicalPath))
        }
        guard !jobs.isEmpty else { return [:] }
        let processor: PhotoProcessor
        do {
            processor = try PhotoProcessor(cacheDirectory: cacheDirectory, workers: ProcessInfo.processInfo.activeProcessorCount)
        } catch {
            throw BuildError(.photos, path: cacheDirectory.path, "\(error)")
        }
        let collected = DeliveredVariants(total: jobs.count, progress: progress)
        progress?("photos", 0, jobs.count)
        let results: [PhotoJob.ID: [PhotoVariant]]
        do {
            // Delivered one at a time, so counting them is the progress.
            try processor.process(jobs) { job, variants in collected.add(job.id, variants) }
            results = collected.results
        } catch {
            throw BuildError(.photos, error.errors.map(\.description).joined(separator: "\n"))
        }
        var media: [String: ProcessedMedia] = [:]
        for job in jobs {
            guard let variants = results[job.id],
                  let large = variants.first(where: { $0.spec == .large })
            else { throw BuildError(.photos, path: job.displayPath, "no variants were made") }
            media[job.id] = ProcessedMedia(large: large, thumb: variants.first { $0.spec == .thumb })
        }
        return media
    }
}

/// Variants as the workers deliver them, counted for the progress report.
private final class DeliveredVariants: @unchecked Sendable {
    private let lock = NSLock()
    private var byID: [PhotoJob.ID: [PhotoVariant]] = [:]
    private let total: Int
    private let progress: (@Sendable (String, Int, Int) -> Void)?

    init(total: Int, progress: (@Sendable (String, Int, Int) -> Void)?) {
        self.total = total
        self.progress = progress
    }

    func add(_ id: PhotoJob.ID, _ variants: [PhotoVariant]) {
        let done = lock.withLock { byID[id] = variants; return byID.count }
        progress?("photos", done, total)
    }

    var results: [PhotoJob.ID: [PhotoVariant]] { lock.withLock { byID } }
}
