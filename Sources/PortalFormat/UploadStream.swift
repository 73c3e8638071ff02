// A staff upload (FORMAT.md "Staff uploads"): a photo or a file of a post, sealed in the app to the
// school's inbox key in chunks of 64 KiB, so a phone can send a large part over a bad connection
// and resume. One key is exported from one HPKE context; each chunk is AES-256-GCM under it with
// its index and a last-chunk flag in the nonce (age's STREAM), and the part's binding in the
// associated data: a chunk dropped, reordered, truncated or taken from another part does not open.
import Foundation
import PortalCrypto

public enum UploadStream {
    public static let sealInfo = "ouderportaal/2 upload"
    public static let exporterContext = "ouderportaal/2 upload stream"
    /// Plaintext bytes per chunk; every chunk but the last holds exactly this many.
    public static let chunkBytes = 65_536
    public static let sealedChunkBytes = chunkBytes + HPKE.tagLength
    /// The largest part: 512 chunks (32 MiB), far above a resized photo or a newsletter PDF.
    public static let maxChunks = 512

    /// Why a part does not open.
    public enum Failure: Error, Equatable, CustomStringConvertible {
        /// No chunk, too many, or a chunk of the wrong size.
        case malformed(String)
        /// Chunk `index` does not open: damaged, out of place, of another part, or the part ends
        /// early (its last chunk was not sealed as the last).
        case chunk(index: Int)
        /// `enc` is not an X25519 key this secret can use.
        case key

        public var description: String {
            switch self {
            case .malformed(let why): return "the upload is malformed: \(why)"
            case .chunk(let index): return "chunk \(index) of the upload does not open (damaged, out of order, of another upload or cut short)"
            case .key: return "the upload's key does not open with the school's inbox key"
            }
        }
    }

    /// `token_id "\n" "upload" "\n" group "\n" part_id`.
    public static func associatedData(tokenID: String, group: String, partID: String) -> [UInt8] {
        Array("\(tokenID)\nupload\n\(group)\n\(partID)".utf8)
    }

    /// `I2OSP(index, 11) || last`.
    static func nonce(index: Int, last: Bool) -> [UInt8] {
        var nonce = [UInt8](repeating: 0, count: 12)
        var i = UInt64(index)
        for k in stride(from: 10, through: 0, by: -1) {
            nonce[k] = UInt8(i & 0xff)
            i >>= 8
        }
        nonce[11] = last ? 1 : 0
        return nonce
    }

    /// Every sealed chunk but the last is exactly `sealedChunkBytes`; the last holds 1 to
    /// `chunkBytes` of plaintext and its tag. (The receiver checks this too, before storing.)
    public static func chunkFits(size: Int, last: Bool) -> Bool {
        last ? (HPKE.tagLength < size && size <= sealedChunkBytes) : size == sealedChunkBytes
    }

    /// Seals `plaintext` (1 byte to `maxChunks` chunks). The ephemeral key is fresh unless given
    /// (test vectors only).
    public static func seal(
        _ plaintext: [UInt8], recipientPublicKey: [UInt8], tokenID: String, group: String, partID: String,
        ephemeralSecretKey: [UInt8]? = nil
    ) throws -> (enc: [UInt8], chunks: [[UInt8]]) {
        guard !plaintext.isEmpty else { throw Failure.malformed("an upload holds at least one byte") }
        let count = (plaintext.count + chunkBytes - 1) / chunkBytes
        guard count <= maxChunks else { throw Failure.malformed("more than \(maxChunks) chunks") }
        let (enc, key) = try HPKE.exportedSecret(
            recipientPublicKey: recipientPublicKey, info: Array(sealInfo.utf8),
            exporterContext: Array(exporterContext.utf8), length: 32, ephemeralSecretKey: ephemeralSecretKey)
        let aad = associatedData(tokenID: tokenID, group: group, partID: partID)
        var chunks: [[UInt8]] = []
        chunks.reserveCapacity(count)
        for index in 0..<count {
            let range = (index * chunkBytes)..<min(plaintext.count, (index + 1) * chunkBytes)
            chunks.append(try AES256GCM.encrypt(
                key: key, nonce: nonce(index: index, last: index == count - 1),
                plaintext: Array(plaintext[range]), associatedData: aad))
        }
        return (enc, chunks)
    }

    /// Opens a whole part. Every chunk must open under its own index, the last one (and only it)
    /// under the last-chunk flag.
    public static func open(
        enc: [UInt8], chunks: [[UInt8]], recipientSecretKey: [UInt8], tokenID: String, group: String, partID: String
    ) throws(Failure) -> [UInt8] {
        guard !chunks.isEmpty, chunks.count <= maxChunks else { throw .malformed("\(chunks.count) chunks") }
        for (index, chunk) in chunks.enumerated() where !chunkFits(size: chunk.count, last: index == chunks.count - 1) {
            throw .malformed("chunk \(index) holds \(chunk.count) bytes")
        }
        let key: [UInt8]
        do {
            key = try HPKE.exportedSecret(
                enc: enc, recipientSecretKey: recipientSecretKey, info: Array(sealInfo.utf8),
                exporterContext: Array(exporterContext.utf8), length: 32)
        } catch { throw .key }
        let aad = associatedData(tokenID: tokenID, group: group, partID: partID)
        var plaintext: [UInt8] = []
        plaintext.reserveCapacity(chunks.count * chunkBytes)
        for (index, chunk) in chunks.enumerated() {
            do {
                plaintext += try AES256GCM.decrypt(
                    key: key, nonce: nonce(index: index, last: index == chunks.count - 1),
                    ciphertext: chunk, associatedData: aad)
            } catch { throw .chunk(index: index) }
        }
        return plaintext
    }
}
