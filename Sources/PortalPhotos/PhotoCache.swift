// The incremental photo cache: encoded variants addressed by a content hash, and an index from
// source file stamps to content hashes so that an unchanged album is neither decoded nor re-read.
//
// Layout under the cache directory (all folders 0700, files 0600, written by temp + rename):
//   variants/<hex key>   key = SHA-256(pipeline version, libvips version, spec, SHA-256(source))
//                        "OPPV" 01 00 00 00 | key (32) | width u32 | height u32 | length u64 |
//                        checksum u64 | encoded image (length bytes); integers little-endian,
//                        checksum = XXH64(image, seed: XXH64(the 56 header bytes before it))
//   sources/<hex SHA-256 of the absolute path>
//                        "OPPS" 01 00 00 00 | path hash (32) | device, inode, size u64 |
//                        mtime s, ns, ctime s, ns i64 | SHA-256 of the bytes (32) | XXH64 of all
//                        128 bytes before it
// A file whose magic, key, length or checksum does not match is damaged: it is never served,
// the variant is made again and the file replaced.

import Foundation
import PortalFiles

final class PhotoCache: Sendable {
    let root: URL
    private let variantsFolder: URL
    private let sourcesFolder: URL

    init(root: URL) throws(FileFailure) {
        self.root = root
        variantsFolder = root.appendingPathComponent("variants", isDirectory: true)
        sourcesFolder = root.appendingPathComponent("sources", isDirectory: true)
        try PrivateFiles.makePrivateDirectory(root)
        try PrivateFiles.makePrivateDirectory(variantsFolder)
        try PrivateFiles.makePrivateDirectory(sourcesFolder)
    }

    // MARK: Variants

    enum Lookup {
        case hit(bytes: [UInt8], width: Int, height: Int)
        case miss
        case damaged
    }

    private static let variantMagic: [UInt8] = Array("OPPV".utf8) + [1, 0, 0, 0]
    private static let variantHeaderLength = 64

    func variantFile(for key: [UInt8]) -> URL {
        variantsFolder.appendingPathComponent(Hex.encode(key))
    }

    func lookUpVariant(key: [UInt8]) -> Lookup {
        guard let file = try? PrivateFiles.read(variantFile(for: key).path).bytes else { return .miss }
        let header = Self.variantHeaderLength
        guard file.count >= header,
              Array(file[0..<8]) == Self.variantMagic,
              Array(file[8..<40]) == key
        else { return .damaged }
        let width = Int(LittleEndian.uint32(file, at: 40))
        let height = Int(LittleEndian.uint32(file, at: 44))
        let length = LittleEndian.uint64(file, at: 48)
        let checksum = LittleEndian.uint64(file, at: 56)
        guard length == UInt64(file.count - header), width > 0, height > 0,
              Self.variantChecksum(file, payloadFrom: header) == checksum
        else { return .damaged }
        return .hit(bytes: Array(file[header...]), width: width, height: height)
    }

    func storeVariant(key: [UInt8], bytes: [UInt8], width: Int, height: Int) throws(FileFailure) {
        var file = Self.variantMagic + key
        file.reserveCapacity(Self.variantHeaderLength + bytes.count)
        LittleEndian.append(UInt32(clamping: width), to: &file)
        LittleEndian.append(UInt32(clamping: height), to: &file)
        LittleEndian.append(UInt64(bytes.count), to: &file)
        LittleEndian.append(UInt64(0), to: &file)  // checksum, filled in below
        file += bytes
        let checksum = Self.variantChecksum(file, payloadFrom: Self.variantHeaderLength)
        file.withUnsafeMutableBytes { raw in
            withUnsafeBytes(of: checksum.littleEndian) { raw.baseAddress!.advanced(by: 56).copyMemory(from: $0.baseAddress!, byteCount: 8) }
        }
        try PrivateFiles.writeAtomically(file, to: variantFile(for: key))
    }

    private static func variantChecksum(_ file: [UInt8], payloadFrom start: Int) -> UInt64 {
        file.withUnsafeBytes { raw in
            let seed = Libvips.xxh64(UnsafeRawBufferPointer(rebasing: raw[0..<56]))
            return Libvips.xxh64(UnsafeRawBufferPointer(rebasing: raw[start...]), seed: seed)
        }
    }

    // MARK: Source stamps

    private static let sourceMagic: [UInt8] = Array("OPPS".utf8) + [1, 0, 0, 0]
    private static let sourceRecordLength = 136

    private func sourceFile(pathHash: [UInt8]) -> URL {
        sourcesFolder.appendingPathComponent(Hex.encode(pathHash))
    }

    /// The content hash recorded for the file at `path` when it had exactly this stamp.
    func knownSourceHash(path: String, stamp: FileStamp) -> [UInt8]? {
        let pathHash = Libvips.sha256(Array(path.utf8))
        guard let record = try? PrivateFiles.read(sourceFile(pathHash: pathHash).path).bytes,
              record.count == Self.sourceRecordLength,
              Array(record[0..<8]) == Self.sourceMagic,
              Array(record[8..<40]) == pathHash,
              record.withUnsafeBytes({ Libvips.xxh64(UnsafeRawBufferPointer(rebasing: $0[0..<128])) })
                  == LittleEndian.uint64(record, at: 128)
        else { return nil }
        let recorded = FileStamp(
            device: LittleEndian.uint64(record, at: 40), inode: LittleEndian.uint64(record, at: 48),
            size: LittleEndian.uint64(record, at: 56),
            modifiedSeconds: Int64(bitPattern: LittleEndian.uint64(record, at: 64)),
            modifiedNanoseconds: Int64(bitPattern: LittleEndian.uint64(record, at: 72)),
            changedSeconds: Int64(bitPattern: LittleEndian.uint64(record, at: 80)),
            changedNanoseconds: Int64(bitPattern: LittleEndian.uint64(record, at: 88)))
        guard recorded == stamp else { return nil }
        return Array(record[96..<128])
    }

    func rememberSourceHash(path: String, stamp: FileStamp, hash: [UInt8]) throws(FileFailure) {
        let pathHash = Libvips.sha256(Array(path.utf8))
        var record = Self.sourceMagic + pathHash
        for value in [stamp.device, stamp.inode, stamp.size,
                      UInt64(bitPattern: stamp.modifiedSeconds), UInt64(bitPattern: stamp.modifiedNanoseconds),
                      UInt64(bitPattern: stamp.changedSeconds), UInt64(bitPattern: stamp.changedNanoseconds)] {
            LittleEndian.append(value, to: &record)
        }
        record += hash
        let checksum = record.withUnsafeBytes { Libvips.xxh64($0) }
        LittleEndian.append(checksum, to: &record)
        try PrivateFiles.writeAtomically(record, to: sourceFile(pathHash: pathHash))
    }
}

enum LittleEndian {
    static func append(_ value: UInt32, to bytes: inout [UInt8]) {
        withUnsafeBytes(of: value.littleEndian) { bytes += $0 }
    }

    static func append(_ value: UInt64, to bytes: inout [UInt8]) {
        withUnsafeBytes(of: value.littleEndian) { bytes += $0 }
    }

    static func uint32(_ bytes: [UInt8], at offset: Int) -> UInt32 {
        (0..<4).reduce(UInt32(0)) { $0 | UInt32(bytes[offset + $1]) << (8 * UInt32($1)) }
    }

    static func uint64(_ bytes: [UInt8], at offset: Int) -> UInt64 {
        (0..<8).reduce(UInt64(0)) { $0 | UInt64(bytes[offset + $1]) << (8 * UInt64($1)) }
    }
}

enum Hex {
    static func encode(_ bytes: [UInt8]) -> String {
        let digits = Array("0123456789abcdef".utf8)
        var text = [UInt8]()
        text.reserveCapacity(bytes.count * 2)
        for byte in bytes {
            text.append(digits[Int(byte >> 4)])
            text.append(digits[Int(byte & 0x0f)])
        }
        return String(decoding: text, as: UTF8.self)
    }
}
