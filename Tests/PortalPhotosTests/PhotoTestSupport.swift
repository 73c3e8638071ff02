// Fixtures, temporary folders and byte searches shared by the photo tests.

import Foundation
import XCTest

@testable import PortalPhotos

enum Fixtures {
    /// Tests/Fixtures/photos (see make-fixtures.sh there for how each file was made).
    static let folder = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent("Fixtures/photos", isDirectory: true)

    static func url(_ name: String) -> URL { folder.appendingPathComponent(name) }

    static func bytes(_ name: String) throws -> [UInt8] { Array(try Data(contentsOf: url(name))) }
}

/// A fresh folder under the system temporary folder, removed by the test case's tear-down.
class PhotoTestCase: XCTestCase {
    var scratch: URL!

    override func setUpWithError() throws {
        scratch = FileManager.default.temporaryDirectory
            .appendingPathComponent("portal-photos-\(UUID().uuidString)", isDirectory: true)
        try FileManager.default.createDirectory(at: scratch, withIntermediateDirectories: true)
    }

    override func tearDownWithError() throws {
        if let scratch { try? FileManager.default.removeItem(at: scratch) }
    }

    /// Writes `bytes` to a file in the scratch folder and returns its URL.
    @discardableResult
    func write(_ bytes: [UInt8], to name: String) throws -> URL {
        let url = scratch.appendingPathComponent(name)
        try Data(bytes).write(to: url)
        return url
    }

    func cacheFolder(_ name: String = "photo-cache") -> URL {
        scratch.appendingPathComponent(name, isDirectory: true)
    }

    func variantFiles(in cache: URL) throws -> [URL] {
        try FileManager.default.contentsOfDirectory(
            at: cache.appendingPathComponent("variants"), includingPropertiesForKeys: nil)
    }

    func mode(of url: URL) throws -> Int {
        let attributes = try FileManager.default.attributesOfItem(atPath: url.path)
        return (attributes[.posixPermissions] as? NSNumber)?.intValue ?? -1
    }
}

extension Array where Element == UInt8 {
    /// Whether the bytes contain `text` (UTF-8) anywhere.
    func contains(text: String) -> Bool { contains(bytes: Array(text.utf8)) }

    func contains(bytes needle: [UInt8]) -> Bool {
        guard !needle.isEmpty, needle.count <= count else { return false }
        let first = needle[0]
        var index = 0
        while index <= count - needle.count {
            if self[index] == first && Array(self[index..<(index + needle.count)]) == needle { return true }
            index += 1
        }
        return false
    }
}
