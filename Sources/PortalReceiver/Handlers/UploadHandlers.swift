// `/api/v1/staff/uploads`: a teacher's photos and files, sealed on the phone in chunks
// (FORMAT.md "Staff uploads"); `/api/v1/admin/uploads`: `portal sync` fetches them to open at the
// school. The receiver checks sizes, owners and quotas; it cannot read a byte of them.
import Foundation
import PortalFiles
import PortalFormat

extension Receiver {
    /// Chunks one staff token may announce in 24 hours: 256 MiB, a few hundred resized photos.
    static let uploadQuotaChunks = 4096

    /// `POST /api/v1/staff/uploads`: 201 with an empty `received`, or 200 with what arrived (resume).
    func staffUpload(_ call: ParentCall) async throws -> APIResponse {
        let request = try UploadRequest(call.request.body)
        guard call.token.groups.contains(request.group) else {
            throw APIError(403, "group_not_allowed", "this staff code cannot post for group \(request.group)")
        }
        let (status, created) = try await store.createUpload(
            request, tokenID: call.token.id, now: ReceiverDates.millis(call.now), quotaChunks: Self.uploadQuotaChunks,
            nonceKey: call.auth.nonceKey, nonceExpires: call.auth.nonceExpires)
        return created ? .created(status) : .ok(status)
    }

    /// `PUT /api/v1/staff/uploads/{id}/{index}`: one sealed chunk, as bytes.
    func staffUploadChunk(_ call: ParentCall) async throws -> APIResponse {
        let (id, index) = try Self.chunkReference(call.parameter)
        return .ok(try await store.putChunk(
            id: id, index: index, bytes: call.request.body, tokenID: call.token.id,
            nonceKey: call.auth.nonceKey, nonceExpires: call.auth.nonceExpires))
    }

    /// `GET /api/v1/staff/uploads/{id}`: which chunks arrived, for the app to send the rest.
    func staffUploadStatus(_ call: ParentCall) async throws -> APIResponse {
        guard let status = try await store.uploadStatus(id: call.parameter, tokenID: call.token.id) else {
            throw APIError(404, "unknown_upload", "no such upload of this code")
        }
        return .ok(status)
    }

    /// `GET /api/v1/admin/uploads/{id}`.
    func adminUpload(_ call: AdminCall) async throws -> APIResponse {
        guard let upload = try await store.adminUpload(id: call.parameter) else { throw APIError(404, "unknown_upload", "no such upload") }
        return .ok(upload)
    }

    /// `GET /api/v1/admin/uploads/{id}/{index}`.
    func adminUploadChunk(_ call: AdminCall) async throws -> APIResponse {
        let (id, index) = try Self.chunkReference(call.parameter)
        guard let chunk = try await store.adminChunk(id: id, index: index) else {
            throw APIError(404, "unknown_chunk", "upload \(id) has no chunk \(index)")
        }
        return .ok(AdminUploadChunk(index: index, chunk: Data(chunk).base64EncodedString()))
    }

    /// `<id>/<index>` as the path pattern `.uploadChunk` let through.
    static func chunkReference(_ parameter: String) throws(APIError) -> (id: String, index: Int) {
        let parts = parameter.split(separator: "/", omittingEmptySubsequences: false)
        guard parts.count == 2, let index = Int(parts[1]) else { throw APIError.notFound }
        return (String(parts[0]), index)
    }
}
