// `/api/v1/admin/site/*`: `portal publish --to-receiver` sends the site to a receiver that serves
// it (`--site`): it asks which files are missing, sends those, then the signed release.
import Foundation
import PortalCrypto
import PortalFormat

/// `POST /api/v1/admin/site/missing` (body: object ids, one a line) answers those not stored.
public struct SiteMissingAnswer: Codable, Sendable { public var missing: [String] }
public struct SiteObjectAnswer: Codable, Sendable { public var stored: String }
public struct SiteReleaseAnswer: Codable, Sendable {
    public var sequence: Int
    public var files: Int
}

extension Receiver {
    private func siteStore() throws(APIError) -> SiteStore {
        guard let site else { throw APIError(404, "no_site", "this receiver does not serve the site (start it with --site DIR)") }
        return site
    }

    func siteMissing(_ call: AdminCall) async throws -> APIResponse {
        let site = try siteStore()
        let ids = String(decoding: call.request.body, as: UTF8.self).split(separator: "\n").map(String.init)
        guard ids.allSatisfy(SiteStore.isObjectID) else { throw APIError.schema("ids must be 64 or 32 lowercase hex characters, one a line") }
        return .ok(SiteMissingAnswer(missing: site.missing(ids)))
    }

    func siteObject(_ call: AdminCall) async throws -> APIResponse {
        try siteStore().put(id: call.parameter, bytes: call.request.body)
        return .ok(SiteObjectAnswer(stored: call.parameter))
    }

    /// The release goes in force only if the trust file in force names the publisher that signed it.
    func siteRelease(_ call: AdminCall) async throws -> APIResponse {
        let site = try siteStore()
        guard let publisher = call.trust.file.publisherPublicKey else {
            throw APIError(409, "no_publisher", "the trust file in force names no publisher key; push the trust file of a current `portal generate` first")
        }
        let files = try site.install(call.request.body, publisher: publisher, siteID: Hex.encode(call.trust.file.siteID))
        return .ok(SiteReleaseAnswer(sequence: site.currentSequence, files: files))
    }
}
