// The receiver's site store (`--site`): a release's lists name files by hex ids only, so no entry
// of a release, even one the publisher signed, can make the receiver serve a file outside its store.
import Foundation
import PortalCrypto
import PortalFormat
@testable import PortalReceiver
import XCTest

final class SiteStoreTests: XCTestCase {
    func testAReleaseWhoseListNamesAPathInsteadOfAnIdIsRefused() throws {
        try Sodium.ensureReady()
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("site-store-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: folder) }
        let store = try SiteStore(folder: folder)
        let seed = Array(repeating: UInt8(9), count: 32)
        let siteID = String(repeating: "ab", count: 16)
        // A k/ list whose line points out of objects/ (at the list itself, which exists).
        let empty = Array<UInt8>()
        let emptyID = Hex.encode(SHA256.hash(empty))
        try store.put(id: emptyID, bytes: empty)
        let text = Array("k/aa ../objects/\(emptyID)\n".utf8)
        let listID = Hex.encode(SHA256.hash(text))
        try store.put(id: listID, bytes: text)
        let release = Release(
            siteID: siteID, sequence: 10, files: [:],
            lists: ["b": Array(repeating: emptyID, count: 64), "k": [listID] + Array(repeating: emptyID, count: 63)], trust: emptyID)
        XCTAssertThrowsError(try store.install(try release.signed(seed: seed), publisher: Ed25519.publicKey(seed: seed), siteID: siteID)) { error in
            XCTAssertEqual((error as? APIError)?.code, "invalid_release")
        }
        XCTAssertNil(store.file("k/aa"))
        XCTAssertEqual(store.currentSequence, 0)
    }
}
