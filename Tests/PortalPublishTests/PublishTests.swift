// `portal publish` with real rsync to a folder: only what changed travels, in the order that
// never shows a file naming one not yet there; the release list is signed by the publisher; a
// failed publish leaves the release in force whole.
import Foundation
import XCTest
import PortalBuild
import PortalCrypto
import PortalFormat
import PortalFiles
import PortalKeys
@testable import PortalPublish
import PortalTestSupport

final class PublishTests: XCTestCase {
    private var workspace: Workspace!
    private var token = ""
    private var clock = Date()

    private var output: URL { workspace.url("output") }
    private var keys: URL { workspace.url("keys") }
    private var host: URL { workspace.url("host") }

    override func setUpWithError() throws {
        try Sodium.ensureReady()
        workspace = try Workspace()
        var keystore = try Keystore.openOrCreate(at: keys)
        token = try keystore.issueToken(audiences: ["groep-3"], label: nil, expires: nil, family: nil).token.text
        try keystore.save()
        try generate()
    }

    override func tearDown() { workspace = nil }

    private func generate() throws {
        clock = clock.addingTimeInterval(60)
        var options = GenerateOptions(
            contentDirectory: workspace.url("content"), outputDirectory: output, keysDirectory: keys,
            themeDirectory: workspace.url("themes/default"))
        options.now = clock
        _ = try Generator(options: options).run()
    }

    @discardableResult
    private func publish(grace: TimeInterval = 3600, rsync: String = "rsync") throws -> PublishSummary {
        try Publisher(options: PublishOptions(
            output: output, keys: keys, trustFile: keys.appendingPathComponent("trust.json"), target: .folder(host),
            grace: grace, now: clock, rsync: rsync)).run()
    }

    private func files(_ folder: URL) throws -> [String: Data] {
        var result: [String: Data] = [:]
        for entry in try FileTree.list(folder.path) { result[entry.path] = try Data(contentsOf: folder.appendingPathComponent(entry.path)) }
        return result
    }

    /// The host's release, verified with the publisher key from the token's keyslot.
    private func hostRelease() throws -> Release {
        let opener = try SealedSiteOpener(output: host, token: token)
        let publisher = try XCTUnwrap(Data(base64Encoded: opener.keyslot.publisher))
        let keystore = try Keystore.open(at: keys)
        return try Release.open(Array(try Data(contentsOf: host.appendingPathComponent(Release.path))), publisher: Array(publisher), siteID: Hex.encode(keystore.siteID))
    }

    /// Every file the release names, itself or in its lists, with its SHA-256.
    private func releasedFiles() throws -> [String: String] {
        let release = try hostRelease()
        var files = release.files
        for (folder, hashes) in release.lists {
            XCTAssertEqual(hashes.count, Release.listCount, folder)
            for hash in hashes {
                let text = try Data(contentsOf: host.appendingPathComponent("r/" + hash))
                XCTAssertEqual(Hex.encode(SHA256.hash(Array(text))), hash, "r/\(hash)")
                for line in String(decoding: text, as: UTF8.self).split(separator: "\n") {
                    let parts = line.split(separator: " ")
                    XCTAssertTrue(parts[0].hasPrefix(folder + "/"))
                    // A b/ file's name is its hash's start: the whole hash from the file, checked against it.
                    if folder == "b" {
                        let bytes = try Data(contentsOf: host.appendingPathComponent(String(parts[0])))
                        XCTAssertNoThrow(try ContentAddress.check(Array(bytes), name: String(parts[0].dropFirst(2))))
                        files[String(parts[0])] = Hex.encode(SHA256.hash(Array(bytes)))
                    } else {
                        files[String(parts[0])] = String(parts[1])
                    }
                }
            }
        }
        return files
    }

    /// Every file the release names is on the host with the bytes it names.
    private func assertReleaseWhole(file: StaticString = #filePath, line: UInt = #line) throws {
        for (path, hash) in try releasedFiles() {
            let data = try Data(contentsOf: host.appendingPathComponent(path))
            XCTAssertEqual(Hex.encode(SHA256.hash(Array(data))), hash, path, file: file, line: line)
        }
    }

    func testFirstPublishSendsTheSiteThenOnlyWhatChangedAndRemovesOldFilesAfterTheGracePeriod() throws {
        let first = try publish()
        let site = try files(output)
        let lists = Set(try hostRelease().lists.values.joined()).count
        XCTAssertEqual(first.files, site.count + lists + 1, "every file, the lists and the release")
        XCTAssertEqual(first.phases.map(\.name), ["blobs, pages and app files", "indexes", "keyslots", "site.json and app", "lists", "release"])
        var onHost = try files(host)
        onHost = onHost.filter { $0.key != Release.path && !$0.key.hasPrefix("r/") }
        XCTAssertEqual(onHost, site, "the host holds the site as generated")
        try assertReleaseWhole()
        XCTAssertEqual(Set(try releasedFiles().keys), Set(site.keys), "the release names every file of the site")
        XCTAssertTrue(try publish().unchanged, "nothing to send")

        // One edited item: its blob, its page and its index travel, then the release.
        let item = workspace.url("content/news/fietsverlichting.md")
        try (String(contentsOf: item, encoding: .utf8) + "\nNog een zin.\n").write(to: item, atomically: true, encoding: .utf8)
        try generate()
        let before = try hostRelease()
        let beforeFiles = try releasedFiles()
        let second = try publish()
        XCTAssertEqual(second.phases.map(\.name), ["blobs, pages and app files", "indexes", "lists", "release"])
        XCTAssertEqual(second.phases.first?.files, 2)
        XCTAssertLessThanOrEqual(second.phases[2].files, 4, "the lists of the two old and two new names")
        XCTAssertLessThan(second.bytes, 100_000)
        XCTAssertGreaterThan(try hostRelease().sequence, before.sequence)
        try assertReleaseWhole()
        let old = Set(beforeFiles.keys).subtracting(try releasedFiles().keys)
        XCTAssertEqual(old.count, 2, "the old blob and page")
        // The old blob and page, and the lists they were on (up to four; a list that became
        // empty is the one empty list already on the host, so fewer may be sent than retire).
        XCTAssertTrue((3...6).contains(second.retiring), "the old blob, page and lists stay for devices mid-visit: \(second.retiring)")
        for path in old { XCTAssertTrue(FileManager.default.fileExists(atPath: host.appendingPathComponent(path).path), path) }
        // After the grace period the next publish removes them.
        clock = clock.addingTimeInterval(7200)
        let third = try publish()
        XCTAssertEqual(third.removed, second.retiring)
        for path in old { XCTAssertFalse(FileManager.default.fileExists(atPath: host.appendingPathComponent(path).path), path) }
        try assertReleaseWhole()
    }

    func testAReaderDuringPublishAlwaysFindsWhatItsFilesName() throws {
        try publish()
        // A revocation re-keys three audiences (new indexes, pages, keyslots) and edits add blobs.
        var keystore = try Keystore.open(at: keys)
        let other = try keystore.issueToken(audiences: ["groep-5"], label: nil, expires: nil, family: nil)
        try keystore.save()
        try generate()
        try publish()
        keystore = try Keystore.open(at: keys)
        try keystore.revoke(id: try Token.parse(other.token.text).id(siteID: keystore.siteID))
        try keystore.save()
        for number in 1...5 {
            try workspace.write("content/news/extra-\(number).md", "---\ntitle: Extra \(number)\ndate: 2026-11-2\(number) 09:00\n---\nTekst.\n")
        }
        try generate()
        // A parent's device follows keyslot -> index -> pages -> blobs on the host, over and over,
        // while the publish runs; every file it reaches must be there and open.
        let done = ManagedFlag()
        let failures = ManagedList()
        let reads = ManagedList()
        let host = self.host
        let token = self.token
        let reader = Thread {
            while !done.value {
                do {
                    let opener = try SealedSiteOpener(output: host, token: token)
                    for manifest in try opener.manifests() {
                        for entry in manifest.items { _ = try opener.open(blob: entry.blob, key: entry.key) }
                    }
                    reads.append("ok")
                } catch {
                    failures.append("\(error)")
                }
            }
        }
        reader.start()
        let summary = try publish()
        done.value = true
        while !reader.isFinished { Thread.sleep(forTimeInterval: 0.01) }
        XCTAssertEqual(failures.values.count, 0, "a device mid-publish found a missing or wrong file: \(failures.values.prefix(3))")
        XCTAssertGreaterThan(reads.values.count, 0)
        XCTAssertEqual(summary.phases.map(\.name), ["blobs, pages and app files", "indexes", "keyslots", "lists", "release"])
        try assertReleaseWhole()
    }

    func testAFailedPublishLeavesTheReleaseInForceWholeAndTheNextOneCompletes() throws {
        try publish()
        let before = try hostRelease()
        let item = workspace.url("content/news/fietsverlichting.md")
        try (String(contentsOf: item, encoding: .utf8) + "\nNog een zin.\n").write(to: item, atomically: true, encoding: .utf8)
        try generate()
        // An rsync that sends the first phase and then dies (as kill -9 or a lost connection would).
        let wrapper = workspace.url("flaky-rsync")
        let count = workspace.url("rsync-calls")
        try """
            #!/bin/sh
            n=$(cat "\(count.path)" 2>/dev/null || echo 0); n=$((n + 1)); echo $n > "\(count.path)"
            [ "$n" -ge 2 ] && { echo "connection lost" >&2; exit 12; }
            exec rsync "$@"
            """.write(to: wrapper, atomically: true, encoding: .utf8)
        try FileManager.default.setAttributes([.posixPermissions: 0o755], ofItemAtPath: wrapper.path)
        XCTAssertThrowsError(try publish(rsync: wrapper.path)) { error in
            XCTAssertTrue("\(error)".contains("connection lost"), "\(error)")
            XCTAssertTrue("\(error)".contains("the release in force there is unchanged"), "\(error)")
        }
        XCTAssertEqual(try hostRelease(), before, "the old release is still the one in force")
        try assertReleaseWhole()
        let next = try publish()
        XCTAssertGreaterThan(next.sequence, before.sequence)
        try assertReleaseWhole()
        XCTAssertNoThrow(try SealedSiteOpener(output: host, token: token).manifests())
    }

    func testAReleaseOpensOnlyWithThePublisherKeyAndForItsSite() throws {
        try publish()
        let bytes = Array(try Data(contentsOf: host.appendingPathComponent(Release.path)))
        let keystore = try Keystore.open(at: keys)
        let publisher = Ed25519.publicKey(seed: keystore.masterKey.publisherSeed)
        let siteID = Hex.encode(keystore.siteID)
        XCTAssertNoThrow(try Release.open(bytes, publisher: publisher, siteID: siteID))
        // A parent's signing key (or any other key) did not sign it.
        let parent = Ed25519.publicKey(seed: keystore.masterKey.signingSeed(tokenID: "x"))
        XCTAssertThrowsError(try Release.open(bytes, publisher: parent, siteID: siteID)) { XCTAssertEqual(($0 as? OpenFailure)?.reason, "signature") }
        var changed = bytes
        changed[changed.count - 3] ^= 1
        XCTAssertThrowsError(try Release.open(changed, publisher: publisher, siteID: siteID)) { XCTAssertEqual(($0 as? OpenFailure)?.reason, "signature") }
        XCTAssertThrowsError(try Release.open(bytes, publisher: publisher, siteID: String(repeating: "0", count: 32))) {
            XCTAssertEqual(($0 as? OpenFailure)?.reason, "binding")
        }
    }

    func testPublishRefusesAnOutputOfAnotherKeystore() throws {
        let other = try Workspace()
        XCTAssertThrowsError(try Publisher(options: PublishOptions(
            output: output, keys: other.url("keys-new"), trustFile: keys.appendingPathComponent("trust.json"), target: .folder(host))).run())
        _ = try Keystore.openOrCreate(at: other.url("keys-new")).save()
        XCTAssertThrowsError(try Publisher(options: PublishOptions(
            output: output, keys: other.url("keys-new"), trustFile: keys.appendingPathComponent("trust.json"), target: .folder(host))).run()) { error in
            XCTAssertTrue("\(error)".contains("another keystore"), "\(error)")
        }
        XCTAssertFalse(FileManager.default.fileExists(atPath: host.path), "nothing was sent")
    }
}

/// A flag and a list shared with the reader thread.
private final class ManagedFlag: @unchecked Sendable {
    private let lock = NSLock()
    private var flag = false
    var value: Bool {
        get { lock.lock(); defer { lock.unlock() }; return flag }
        set { lock.lock(); flag = newValue; lock.unlock() }
    }
}

private final class ManagedList: @unchecked Sendable {
    private let lock = NSLock()
    private var items: [String] = []
    func append(_ item: String) { lock.lock(); items.append(item); lock.unlock() }
    var values: [String] { lock.lock(); defer { lock.unlock() }; return items }
}
