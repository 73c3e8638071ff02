// Turns every image an item shows into stripped web variants before sealing.
import Foundation
import PortalContent
import PortalRender

/// One image, ready to seal: a display size and, for album photos, a thumbnail.
struct ProcessedMedia: Sendable {
    struct Variant: Sendable {
        var bytes: [UInt8]
        var mimeType: String
        var width: Int
        var height: Int
    }
    var large: Variant
    var thumb: Variant?
}

struct MediaStage {
    let site: Site
    let keysDirectory: URL

    /// Processed media by logical path. Fails closed: an image that cannot be stripped stops the build.
    func process(_ audiences: [RenderedAudience]) throws(BuildError) -> [String: ProcessedMedia] {
        let files = audiences.flatMap { $0.items.flatMap(\.media) }
        guard files.isEmpty else {
            throw BuildError(.photos, path: files[0].sourcePath, "photo processing is not available in this build")
        }
        return [:]
    }
}
