// Staff uploads on the wire (docs/RECEIVER.md "Staff uploads"): a post's photos and files, each a
// part sealed on the teacher's phone in 64 KiB chunks (FORMAT.md "Staff uploads"), sent one chunk
// per request so that a lost connection costs one chunk and the app resumes from what arrived.
import Foundation
import PortalCrypto
import PortalFormat
import PortalTrust

/// `POST /api/v1/staff/uploads`: `{"id", "group", "enc", "chunks"}`.
public struct UploadRequest: Sendable, Equatable {
    public var id: String
    public var group: String
    public var enc: [UInt8]
    public var chunks: Int

    enum CodingKeys: String, CodingKey, CaseIterable { case id, group, enc, chunks }

    /// The one number of the API: read with JSONDecoder, which refuses `true`, `1.5` and `"3"` for an Int.
    private struct Count: Decodable { let chunks: Int }

    init(_ body: [UInt8]) throws(APIError) {
        let object = try StrictObject(body: body)
        try object.allowOnly(CodingKeys.allCases)
        id = try object.hexID(CodingKeys.id)
        group = try object.string(CodingKeys.group, maxBytes: 64)
        guard let enc = Base64Strict.decode(try object.string(CodingKeys.enc, maxBytes: 64)), enc.count == 32 else {
            throw APIError.schema("enc must be 32 bytes in base64")
        }
        self.enc = enc
        guard let count = try? JSONDecoder().decode(Count.self, from: Data(body)).chunks else {
            throw APIError.schema("field \"chunks\" must be a whole number")
        }
        guard (1...UploadStream.maxChunks).contains(count) else {
            throw APIError.schema("chunks must be 1 to \(UploadStream.maxChunks) (an upload is at most \(UploadStream.maxChunks * UploadStream.chunkBytes / 1_048_576) MiB)")
        }
        chunks = count
    }
}

/// Where an upload is: how many chunks it has and which arrived (the app sends the rest).
public struct UploadStatus: Codable, Sendable, Equatable {
    public var id: String
    public var chunks: Int
    public var received: [Int]
}

/// `GET /api/v1/admin/uploads/{id}`: what `portal sync` needs to open a part.
public struct AdminUpload: Codable, Sendable, Equatable {
    public var id: String
    public var tokenID: String
    public var group: String
    public var enc: String
    public var chunks: Int
    public var received: [Int]

    enum CodingKeys: String, CodingKey {
        case id, group, enc, chunks, received
        case tokenID = "token_id"
    }

    /// `enc` as bytes (the wire has base64).
    public var encBytes: [UInt8]? { Base64Strict.decode(enc) }
}

/// `GET /api/v1/admin/uploads/{id}/{index}`: one sealed chunk, in base64.
public struct AdminUploadChunk: Codable, Sendable, Equatable {
    public var index: Int
    public var chunk: String
}

/// The answer to a chunk.
public struct ChunkReceipt: Codable, Sendable, Equatable {
    public var id: String
    public var index: Int
    /// How many of the part's chunks the receiver holds now.
    public var received: Int
}
