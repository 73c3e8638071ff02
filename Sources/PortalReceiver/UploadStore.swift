// The receiver's half of staff uploads (RECEIVER.md "Staff uploads"): parts and their sealed
// chunks as the app sent them, in SQLite with everything else. A part lives until the post that
// names it is decided (published, rejected, removed: `portal sync` has copied it by then) or, if no
// post ever named it, for `UploadStore.unclaimedLifetime`.
import Foundation
import GRDB
import PortalFormat

enum UploadStore {
    /// A part no post named is dropped after this long (a teacher who gave up on a post).
    static let unclaimedLifetime: Int64 = 14 * 86_400_000
}

extension ReceiverStore {
    /// Registers a part, or answers where it is when the same part is registered again (a retry or
    /// a resume); another token's part, or the same id with other bytes, is 409 `upload_exists`.
    /// At most `quotaChunks` chunks announced per token in 24 hours (429 `daily_quota`).
    func createUpload(
        _ request: UploadRequest, tokenID: String, now: Int64, quotaChunks: Int, nonceKey: String, nonceExpires: Int64
    ) async throws -> (status: UploadStatus, created: Bool) {
        try await writer.submit { db in
            try ReceiverStore.claimNonce(db, key: nonceKey, expires: nonceExpires)
            if let row = try Row.fetchOne(db, sql: "SELECT * FROM staff_uploads WHERE id = ?", arguments: [request.id]) {
                guard row["token_id"] == tokenID, row["group_id"] == request.group, Array(row["enc"] as Data) == request.enc,
                      row["chunks"] == request.chunks
                else { throw APIError(409, "upload_exists", "another upload already has this id") }
                return (try ReceiverStore.uploadStatus(db, id: request.id, chunks: request.chunks), false)
            }
            let announced = try Int.fetchOne(
                db, sql: "SELECT COALESCE(SUM(chunks), 0) FROM staff_uploads WHERE token_id = ? AND created > ?",
                arguments: [tokenID, now - 86_400_000]) ?? 0
            guard announced + request.chunks <= quotaChunks else {
                throw APIError(429, "daily_quota", "this code uploaded \(quotaChunks * UploadStream.chunkBytes / 1_048_576) MiB in the last 24 hours")
            }
            try db.execute(
                sql: "INSERT INTO staff_uploads (id, token_id, group_id, enc, chunks, created) VALUES (?, ?, ?, ?, ?, ?)",
                arguments: [request.id, tokenID, request.group, Data(request.enc), request.chunks, now])
            return (UploadStatus(id: request.id, chunks: request.chunks, received: []), true)
        }
    }

    /// Stores chunk `index` of a part of `tokenID`. The size must be a full sealed chunk, or
    /// (the last) 17 bytes up to one; the same chunk again is accepted when its bytes are the same.
    func putChunk(
        id: String, index: Int, bytes: [UInt8], tokenID: String, nonceKey: String, nonceExpires: Int64
    ) async throws -> ChunkReceipt {
        try await writer.submit { db in
            try ReceiverStore.claimNonce(db, key: nonceKey, expires: nonceExpires)
            guard let row = try Row.fetchOne(db, sql: "SELECT token_id, chunks, post_id FROM staff_uploads WHERE id = ?", arguments: [id]),
                  row["token_id"] == tokenID
            else { throw APIError(404, "unknown_upload", "no such upload of this code") }
            let chunks: Int = row["chunks"]
            guard index < chunks else { throw APIError.schema("chunk \(index) of an upload of \(chunks) chunks") }
            let last = index == chunks - 1
            guard UploadStream.chunkFits(size: bytes.count, last: last) else {
                throw APIError.schema(last
                    ? "the last chunk holds 17 to \(UploadStream.sealedChunkBytes) bytes, not \(bytes.count)"
                    : "chunk \(index) holds \(UploadStream.sealedChunkBytes) bytes, not \(bytes.count)")
            }
            if let stored = try Data.fetchOne(
                db, sql: "SELECT bytes FROM staff_upload_chunks WHERE upload_id = ? AND idx = ?", arguments: [id, index]) {
                guard Array(stored) == bytes else { throw APIError(409, "chunk_exists", "chunk \(index) was sent with other bytes") }
            } else {
                try db.execute(
                    sql: "INSERT INTO staff_upload_chunks (upload_id, idx, bytes) VALUES (?, ?, ?)",
                    arguments: [id, index, Data(bytes)])
            }
            let received = try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM staff_upload_chunks WHERE upload_id = ?", arguments: [id]) ?? 0
            return ChunkReceipt(id: id, index: index, received: received)
        }
    }

    /// A token's own part and the chunks that arrived; nil for another token's or none.
    func uploadStatus(id: String, tokenID: String) async throws -> UploadStatus? {
        try await pool.read { db in
            guard let row = try Row.fetchOne(db, sql: "SELECT token_id, chunks FROM staff_uploads WHERE id = ?", arguments: [id]),
                  row["token_id"] == tokenID
            else { return nil }
            return try ReceiverStore.uploadStatus(db, id: id, chunks: row["chunks"])
        }
    }

    static func uploadStatus(_ db: Database, id: String, chunks: Int) throws -> UploadStatus {
        let received = try Int.fetchAll(db, sql: "SELECT idx FROM staff_upload_chunks WHERE upload_id = ? ORDER BY idx", arguments: [id])
        return UploadStatus(id: id, chunks: chunks, received: received)
    }

    /// A part as `portal sync` opens it (admin).
    func adminUpload(id: String) async throws -> AdminUpload? {
        try await pool.read { db in
            guard let row = try Row.fetchOne(db, sql: "SELECT * FROM staff_uploads WHERE id = ?", arguments: [id]) else { return nil }
            let status = try ReceiverStore.uploadStatus(db, id: id, chunks: row["chunks"])
            return AdminUpload(
                id: id, tokenID: row["token_id"], group: row["group_id"], enc: (row["enc"] as Data).base64EncodedString(),
                chunks: status.chunks, received: status.received)
        }
    }

    func adminChunk(id: String, index: Int) async throws -> [UInt8]? {
        try await pool.read { db in
            try Data.fetchOne(db, sql: "SELECT bytes FROM staff_upload_chunks WHERE upload_id = ? AND idx = ?", arguments: [id, index])
                .map { Array($0) }
        }
    }

    /// Ties the parts a post names to it, inside the post's own savepoint: each must be the
    /// token's, of the post's group, complete, and not named by another post.
    static func claimParts(_ db: Database, parts: [String], postID: String, tokenID: String, group: String) throws {
        for part in parts {
            guard let row = try Row.fetchOne(db, sql: "SELECT token_id, group_id, chunks, post_id FROM staff_uploads WHERE id = ?", arguments: [part]),
                  row["token_id"] == tokenID
            else { throw APIError(422, "unknown_upload", "the post names upload \(part), which this code did not send") }
            guard row["group_id"] == group else { throw APIError(422, "upload_group", "upload \(part) was sealed for another group") }
            let owner: String? = row["post_id"]
            guard owner == nil || owner == postID else { throw APIError(409, "upload_taken", "upload \(part) belongs to another post") }
            let received = try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM staff_upload_chunks WHERE upload_id = ?", arguments: [part]) ?? 0
            let chunks: Int = row["chunks"]
            guard received == chunks else {
                throw APIError(422, "upload_incomplete", "upload \(part) has \(received) of its \(chunks) chunks; send the rest first")
            }
            try db.execute(sql: "UPDATE staff_uploads SET post_id = ? WHERE id = ?", arguments: [postID, part])
        }
    }

    /// The parts of a post that was decided: the school has them by then.
    static func dropParts(_ db: Database, postID: String) throws {
        try db.execute(
            sql: "DELETE FROM staff_upload_chunks WHERE upload_id IN (SELECT id FROM staff_uploads WHERE post_id = ?)", arguments: [postID])
        try db.execute(sql: "DELETE FROM staff_uploads WHERE post_id = ?", arguments: [postID])
    }

    /// Parts no post named within `UploadStore.unclaimedLifetime` (`now` in seconds).
    static func pruneUploads(_ db: Database, now: Int64) throws {
        let before = now * 1000 - UploadStore.unclaimedLifetime
        try db.execute(
            sql: "DELETE FROM staff_upload_chunks WHERE upload_id IN (SELECT id FROM staff_uploads WHERE post_id IS NULL AND created < ?)",
            arguments: [before])
        try db.execute(sql: "DELETE FROM staff_uploads WHERE post_id IS NULL AND created < ?", arguments: [before])
    }
}
