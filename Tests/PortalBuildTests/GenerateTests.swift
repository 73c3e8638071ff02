// End-to-end tests of `generate` on the example school: real cmark-gfm, libsodium, libvips and disk.
import Foundation
@testable import PortalBuild
import PortalContent
import PortalCrypto
import PortalFormat
import PortalKeys
import PortalPhotos
import PortalTrust
import XCTest
import PortalTestSupport

final class GenerateTests: XCTestCase {
    func testGroupTokenOpensSchoolAndOwnGroupOnly() throws {
        let fixture = try SealedSiteFixture()
        let token = try fixture.issue(["groep-3"])
        try fixture.generate()

        let opener = try SealedSiteOpener(output: fixture.output, token: token)
        XCTAssertEqual(opener.keyslot.audiences.map(\.id), ["school", "groep-3"])
        let manifests = try opener.manifests()
        let site = try fixture.site()
        for manifest in manifests {
            let expected = site.items.filter { $0.audience.id == manifest.audience }.map(\.logicalPath).sorted()
            XCTAssertEqual(manifest.items.map(\.path).sorted(), expected, manifest.audience)
            XCTAssertFalse(expected.isEmpty, "the example school has items for \(manifest.audience)")
            for entry in manifest.items {
                let html = String(decoding: try opener.open(blob: entry.blob, key: entry.key), as: UTF8.self)
                XCTAssertTrue(html.contains("<article"), entry.path)
            }
        }
    }

    func testGroupKeyCannotOpenAnotherGroupsBlobs() throws {
        let fixture = try SealedSiteFixture()
        let groep3 = try fixture.issue(["groep-3"])
        let groep5 = try fixture.issue(["groep-5"])
        try fixture.generate()

        let three = try SealedSiteOpener(output: fixture.output, token: groep3)
        let five = try SealedSiteOpener(output: fixture.output, token: groep5)
        let fiveManifest = try XCTUnwrap(try five.manifests().first { $0.audience == "groep-5" })
        XCTAssertFalse(fiveManifest.items.isEmpty)
        // The groep-3 keyslot has no groep-5 key at all ...
        XCTAssertThrowsError(try three.index(of: "groep-5"))
        XCTAssertThrowsError(try three.pages(of: "groep-5"))
        // ... its groep-3 key opens neither groep-5's index nor its pages, whatever place is
        // claimed, and the item keys of groep-5 are only in those pages.
        let threeKey = try SymmetricKey(bytes: Array(Data(base64Encoded: three.keyslot.audiences[1].key)!))
        let fiveEntry = try XCTUnwrap(five.keyslot.audiences.first { $0.id == "groep-5" })
        let fivePages = try five.index(of: "groep-5").pages
        XCTAssertFalse(fivePages.isEmpty)
        for (audience, epoch) in [("groep-3", 1), ("groep-5", 1)] {
            XCTAssertThrowsError(try Envelope.open(
                try five.file(fiveEntry.index), key: threeKey, associatedData: AssociatedData.index(audience: audience, epoch: epoch)))
            for page in fivePages {
                XCTAssertThrowsError(try Envelope.open(
                    try five.file(page.blob), key: threeKey,
                    associatedData: AssociatedData.page(audience: audience, epoch: epoch, pageID: page.id)))
            }
        }
        let threeItemKeys = Set(try three.manifests().flatMap(\.items).map(\.key))
        XCTAssertTrue(threeItemKeys.isDisjoint(with: fiveManifest.items.map(\.key)), "no item of groep 5 is listed for groep 3")
    }

    func testFamilyTokenSeesBothGroups() throws {
        let fixture = try SealedSiteFixture()
        let token = try fixture.issue(["groep-3", "groep-8"], family: "fam-test")
        try fixture.generate()
        let opener = try SealedSiteOpener(output: fixture.output, token: token)
        XCTAssertEqual(opener.keyslot.audiences.map(\.id), ["school", "groep-3", "groep-8"])
        XCTAssertEqual(opener.keyslot.family, "fam-test")
        XCTAssertEqual(try opener.manifests().map(\.audience), ["school", "groep-3", "groep-8"])
    }

    func testKeyslotsAllHaveOneSizeAndBlobsArePadded() throws {
        let fixture = try SealedSiteFixture()
        _ = try fixture.issue(["groep-3"])
        _ = try fixture.issue(["groep-1-2a", "groep-4", "groep-6", "groep-8"])
        try fixture.generate()
        let files = try fixture.outputFiles()
        let keyslots = files.filter { $0.key.hasPrefix("k/") }
        XCTAssertEqual(keyslots.count, 2)
        XCTAssertEqual(Set(keyslots.values.map(\.count)), [4 + 12 + 4096 + 16])
        XCTAssertEqual(try fixture.siteInfo().keyslotSize, 4096)
        let blobs = files.filter { $0.key.hasPrefix("b/") || $0.key.hasPrefix("i/") }
        XCTAssertFalse(blobs.isEmpty)
        for (path, data) in blobs {
            let padded = data.count - 4 - 12 - 16
            XCTAssertEqual(padded, Padme.length(padded), "\(path) is not padded to a Padmé length")
            XCTAssertGreaterThanOrEqual(padded, 256, path)
        }
    }

    func testNothingPrivateAppearsInOutput() throws {
        let fixture = try SealedSiteFixture()
        _ = try fixture.issue(["groep-5"])
        try fixture.generate()
        let site = try fixture.site()
        // The public app shell is copied from the theme (modules without their comment lines)
        // into its folder; everything else must be sealed.
        let source = try fixture.outputFiles(fixture.theme.appendingPathComponent("app"))
        let shell = Dictionary(uniqueKeysWithValues: try source.map { (try fixture.servedPath($0.key), Data(ShellFiles.served($0.key, Array($0.value)))) })
        let files = try fixture.outputFiles().filter { shell[$0.key] != $0.value && $0.value != Data(ShellStage.format1Placeholder) }
        // Besides sealed blobs and keyslots, only the public facts: site.json, the app's identity
        // (manifest with the school's name, icons with its initials), the page and the worker
        // pointed into the shell's folder, and the signed list of the shell's files.
        let folder = ShellIndex.directory(try fixture.shellIndex().id)
        let publicFiles: Set<String> = ["site.json", "shell", "index.html", "sw.js", "manifest.webmanifest", folder + "icons/icon-192.png", folder + "icons/icon-512.png"]
        XCTAssertTrue(
            files.keys.allSatisfy { publicFiles.contains($0) || $0.hasPrefix("b/") || $0.hasPrefix("i/") || $0.hasPrefix("k/") },
            "\(files.keys.filter { !$0.hasPrefix("b/") && !$0.hasPrefix("i/") && !$0.hasPrefix("k/") }.sorted())")
        let haystack = files.values.reduce(into: Data()) { $0.append($1) } + Data(files.keys.joined(separator: "\n").utf8)

        var needles: Set<String> = []
        for item in site.items {
            needles.insert(item.title)
            if item.slug.count >= 10 { needles.insert(item.slug) }
            if let summary = item.summary { needles.insert(summary) }
            // Every sentence-like fragment of the body of at least 16 characters.
            for fragment in item.body.split(whereSeparator: { ".!?\n|*#".contains($0) }) {
                let text = fragment.trimmingCharacters(in: .whitespaces)
                if text.count >= 16 { needles.insert(text) }
            }
            for photo in item.album?.photos ?? [] {
                needles.insert(photo.file)
                if let caption = photo.caption, caption.count >= 8 { needles.insert(caption) }
            }
            if let location = item.event?.location, location.count >= 8 { needles.insert(location) }
        }
        for group in site.config.groups {
            needles.insert(group.title)
            needles.insert(group.teacher)
        }
        // site.json holds only site.yaml's public facts (school name, contact for the login screen):
        // text that also stands there is public by design.
        let siteJSON = try XCTUnwrap(files["site.json"])
        let keys = try XCTUnwrap(try JSONSerialization.jsonObject(with: siteJSON) as? [String: Any]).keys
        XCTAssertEqual(Set(keys), ["format", "name", "site_id", "languages", "receiver", "inbox_public_key", "contact", "keyslot_size"])
        let publicText = String(decoding: siteJSON, as: UTF8.self)
        needles = needles.filter { !publicText.contains($0) }
        XCTAssertGreaterThan(needles.count, 200)
        var leaks: [String] = []
        for needle in needles where haystack.range(of: Data(needle.utf8)) != nil {
            leaks.append(needle)
        }
        XCTAssertEqual(leaks, [], "private text found in output/")
    }

    func testBuildsAreReproducible() throws {
        let fixture = try SealedSiteFixture()
        _ = try fixture.issue(["groep-3"])
        try fixture.generate()
        let second = fixture.root.appendingPathComponent("output-2")
        try fixture.generate(output: second)
        let first = try fixture.outputFiles()
        XCTAssertEqual(first, try fixture.outputFiles(second))
        XCTAssertGreaterThan(first.count, 50)
    }

    func testRevokedTokenLosesItsKeyslotAndOthersKeepWorking() throws {
        let fixture = try SealedSiteFixture()
        let revoked = try fixture.issue(["groep-3"])
        let kept = try fixture.issue(["groep-3"])
        let other = try fixture.issue(["groep-5"])
        try fixture.generate()
        let before = try SealedSiteOpener(output: fixture.output, token: revoked)
        let oldKey = before.keyslot.audiences[1]
        XCTAssertEqual(oldKey.epoch, 1)

        try fixture.revoke(revoked)
        try fixture.generate()
        XCTAssertThrowsError(try SealedSiteOpener(output: fixture.output, token: revoked)) { error in
            XCTAssertEqual(error as? SealedSiteOpener.Failure, .noKeyslot(tokenID: before.tokenID))
        }
        let after = try SealedSiteOpener(output: fixture.output, token: kept)
        let newKey = try XCTUnwrap(after.keyslot.audiences.first { $0.id == "groep-3" })
        XCTAssertEqual(newKey.epoch, 2)
        XCTAssertNotEqual(newKey.key, oldKey.key)
        XCTAssertEqual(try after.manifests().count, 2)
        // The revoked device's old key opens neither the new index nor any new page.
        let stale = try SymmetricKey(bytes: Array(Data(base64Encoded: oldKey.key)!))
        let newEntry = try XCTUnwrap(after.keyslot.audiences.first { $0.id == "groep-3" })
        XCTAssertNotEqual(newEntry.index, oldKey.index, "the index moves with the epoch")
        XCTAssertThrowsError(try Envelope.open(
            try after.file(newEntry.index), key: stale, associatedData: AssociatedData.index(audience: "groep-3", epoch: 2)))
        XCTAssertThrowsError(try Envelope.open(
            try after.file(newEntry.index), key: stale, associatedData: AssociatedData.index(audience: "groep-3", epoch: 1)))
        for page in try after.index(of: "groep-3").pages {
            XCTAssertThrowsError(try Envelope.open(
                try after.file(page.blob), key: stale, associatedData: AssociatedData.page(audience: "groep-3", epoch: 1, pageID: page.id)))
        }
        // The school audience is re-keyed too (the revoked keyslot held its key); groep 5 keeps
        // its epoch and its token opens the new site without any action.
        XCTAssertEqual(after.keyslot.audiences.first { $0.id == "school" }?.epoch, 2)
        let five = try SealedSiteOpener(output: fixture.output, token: other)
        XCTAssertEqual(five.keyslot.audiences.first { $0.id == "groep-5" }?.epoch, 1)
        XCTAssertEqual(try five.manifests().count, 2)
    }

    func testExpiredTokenGetsNoKeyslot() throws {
        let fixture = try SealedSiteFixture()
        let token = try fixture.issue(["groep-4"], expires: Date().addingTimeInterval(2))
        try fixture.generate()
        XCTAssertNoThrow(try SealedSiteOpener(output: fixture.output, token: token))
        var options = fixture.options
        options.now = Date().addingTimeInterval(3600)
        _ = try Generator(options: options).run()
        XCTAssertThrowsError(try SealedSiteOpener(output: fixture.output, token: token))
    }

    func testSwappedBlobsDoNotOpen() throws {
        let fixture = try SealedSiteFixture()
        let token = try fixture.issue(["groep-3"])
        try fixture.generate()
        let opener = try SealedSiteOpener(output: fixture.output, token: token)
        let manifest = try XCTUnwrap(try opener.manifests().first { $0.audience == "groep-3" })
        XCTAssertGreaterThanOrEqual(manifest.items.count, 2)
        let a = fixture.output.appendingPathComponent(manifest.items[0].blob)
        let b = fixture.output.appendingPathComponent(manifest.items[1].blob)
        let bytesA = try Data(contentsOf: a)
        try Data(contentsOf: b).write(to: a)
        XCTAssertNotEqual(bytesA, try Data(contentsOf: a))
        XCTAssertThrowsError(try opener.open(blob: manifest.items[0].blob, key: manifest.items[0].key)) { error in
            XCTAssertEqual((error as? OpenFailure)?.reason, "hash", "caught by its name before any decryption")
        }
        // Even renamed to its own hash (a host that moves it), it opens only under its own key.
        let moved = ContentAddress.path(of: Array(try Data(contentsOf: a)))
        try Data(contentsOf: a).write(to: fixture.output.appendingPathComponent(moved))
        XCTAssertThrowsError(try opener.open(blob: moved, key: manifest.items[0].key)) { error in
            XCTAssertEqual((error as? OpenFailure)?.reason, "auth")
        }
    }

    func testContentErrorsLeaveOutputUntouched() throws {
        let fixture = try SealedSiteFixture()
        _ = try fixture.issue(["groep-3"])
        try fixture.generate()
        let before = try fixture.outputFiles()
        let broken = fixture.content.appendingPathComponent("news/kapot.md")
        try "---\ntitle: Kapot\ndate: 2026-02-30\ngrop: groep-3\n---\nTekst\n".write(to: broken, atomically: true, encoding: .utf8)
        XCTAssertThrowsError(try fixture.generate()) { error in
            XCTAssertEqual((error as? BuildError)?.step, .load)
            let problems = (error as? BuildError)?.problems ?? []
            XCTAssertEqual(problems.map(\.file), ["news/kapot.md", "news/kapot.md"], "\(error)")
            XCTAssertEqual(problems.map(\.line), [3, 4])
        }
        XCTAssertEqual(try fixture.outputFiles(), before)
        let leftovers = try FileManager.default.contentsOfDirectory(atPath: fixture.root.path).filter { $0.hasPrefix(".") }
        XCTAssertEqual(leftovers, [], "no staging folder may stay behind")
    }

    func testNoOpRebuildKeepsOutputAndAChangeRebuilds() throws {
        let fixture = try SealedSiteFixture()
        _ = try fixture.issue(["groep-3"])
        let first = try fixture.generate()
        XCTAssertFalse(first.unchanged)
        let inode = try FileManager.default.attributesOfItem(atPath: fixture.output.path)[.systemFileNumber] as? Int
        let second = try fixture.generate()
        XCTAssertTrue(second.unchanged)
        XCTAssertEqual(try FileManager.default.attributesOfItem(atPath: fixture.output.path)[.systemFileNumber] as? Int, inode)

        let page = fixture.content.appendingPathComponent("pages/contact.md")
        var text = try String(contentsOf: page, encoding: .utf8)
        text += "\nExtra regel voor de test.\n"
        try text.write(to: page, atomically: true, encoding: .utf8)
        XCTAssertFalse(try fixture.generate().unchanged)
        // A new token changes the keystore, so it rebuilds too.
        _ = try fixture.issue(["groep-4"])
        XCTAssertFalse(try fixture.generate().unchanged)
    }

    func testRefusesToReplaceAFolderItDidNotMake() throws {
        let fixture = try SealedSiteFixture()
        try FileManager.default.createDirectory(at: fixture.output, withIntermediateDirectories: true)
        try Data("mine".utf8).write(to: fixture.output.appendingPathComponent("thesis.txt"))
        XCTAssertThrowsError(try fixture.generate()) { error in
            XCTAssertEqual((error as? BuildError)?.step, .write, "\(error)")
        }
        XCTAssertEqual(try fixture.outputFiles().keys.sorted(), ["thesis.txt"])
    }

    func testRefusesOutputInsideContentOrKeys() throws {
        let fixture = try SealedSiteFixture()
        var options = fixture.options
        options.outputDirectory = fixture.keys.appendingPathComponent("out")
        XCTAssertThrowsError(try Generator(options: options).run())
        options.outputDirectory = fixture.content
        XCTAssertThrowsError(try Generator(options: options).run())
    }

    /// The inbox key and the receiver travel sealed in the keyslot, one key per audience of the
    /// token, so that the app never has to take them from the unauthenticated site.json: for a
    /// group its current group inbox key with its kid, for `school` the school's one key.
    func testKeyslotCarriesTheInboxKeyPerAudienceAndTheReceiver() throws {
        let fixture = try SealedSiteFixture()
        let token = try fixture.issue(["groep-3", "groep-8"])
        try fixture.generate()
        let slot = try SealedSiteOpener(output: fixture.output, token: token).keyslot
        let keystore = try Keystore.open(at: fixture.keys)
        let b64 = { (bytes: [UInt8]) in Data(bytes).base64EncodedString() }
        let groep3 = keystore.masterKey.groupInboxKey(group: "groep-3", epoch: 1).publicKey
        let groep8 = keystore.masterKey.groupInboxKey(group: "groep-8", epoch: 1).publicKey
        XCTAssertEqual(slot.inbox, [
            KeyslotPayload.InboxKey(audience: "school", publicKey: b64(keystore.inboxPublicKey)),
            KeyslotPayload.InboxKey(audience: "groep-3", publicKey: b64(groep3), kid: InboxKeyID.of(publicKey: groep3)),
            KeyslotPayload.InboxKey(audience: "groep-8", publicKey: b64(groep8), kid: InboxKeyID.of(publicKey: groep8)),
        ])
        XCTAssertEqual(keystore.inboxEpoch(of: "groep-3"), 1, "the first build starts the groups' inbox clocks")
        XCTAssertNotNil(keystore.inboxEpochs["groep-3"])
        XCTAssertNil(slot.staff, "a parent's keyslot holds no inbox secret")
        XCTAssertEqual(slot.receiver, try fixture.site().config.receiverURL)
    }

    func testTrustFileListsActiveTokensWithTheirKeysAndTheSchedules() throws {
        let fixture = try SealedSiteFixture()
        let token = try fixture.issue(["groep-5"], family: "fam-a")
        let revoked = try fixture.issue(["groep-3"])
        try fixture.revoke(revoked)
        try fixture.generate()
        let trust = try TrustFile.load(from: fixture.keys.appendingPathComponent("trust.json"))
        let opener = try SealedSiteOpener(output: fixture.output, token: token)
        XCTAssertEqual(trust.tokens.map(\.id), [opener.tokenID], "only active tokens")
        let seed = try XCTUnwrap(Data(base64Encoded: opener.keyslot.signingSeed))
        XCTAssertEqual(trust.tokens[0].publicKey, Ed25519.publicKey(seed: Array(seed)), "the keyslot's seed signs for this token")
        XCTAssertEqual(trust.tokens[0].family, "fam-a")
        XCTAssertEqual(trust.tokens[0].audiences, ["school", "groep-5"])
        let site = try fixture.site()
        let schedules = site.items.filter { $0.kind == .conference }
        let master = try Keystore.openOrCreate(at: fixture.keys).masterKey
        XCTAssertEqual(trust.schedules.map(\.id).sorted(), schedules.map { master.scheduleID(logicalPath: $0.logicalPath) }.sorted())
        XCTAssertTrue(trust.schedules.allSatisfy { !$0.id.contains("/") && $0.id.count == 32 }, "opaque ids: no path, no title")
        XCTAssertTrue(trust.schedules.allSatisfy { $0.formerIDs == nil })
        let groep5 = try XCTUnwrap(trust.schedules.first { $0.audience == "groep-5" })
        XCTAssertEqual(groep5.slots.count, schedules.first { $0.audience == .group("groep-5") }?.conference?.slots.count)
        XCTAssertEqual(trust.siteID.count, 16)
        XCTAssertFalse(try fixture.outputFiles().keys.contains { $0.contains("trust") })
        // Writing the trust file does not make the next build look changed.
        XCTAssertTrue(try fixture.generate().unchanged)
    }

    func testPhotosArePublishedStrippedAndUpright() throws {
        let fixture = try SealedSiteFixture()
        let token = try fixture.issue(["groep-5", "groep-1-2a"])
        try fixture.generate()
        let opener = try SealedSiteOpener(output: fixture.output, token: token)
        var opened = 0
        for manifest in try opener.manifests() {
            for (path, media) in manifest.media where media.type.hasPrefix("image/") {  // attachments are not photos
                for (variantPath, blob, key, width, height) in [(path, media.blob, media.key, media.width, media.height)]
                    + (media.thumb.map { [($0.path, $0.blob, $0.key, $0.width, $0.height)] } ?? []) {
                    let bytes = try opener.open(blob: blob, key: key)
                    let metadata = try PhotoMetadata.probe(bytes, displayPath: variantPath)
                    XCTAssertFalse(metadata.carriesMetadata, "\(variantPath): \(metadata.fields)")
                    XCTAssertEqual(metadata.width, width)
                    XCTAssertEqual(metadata.height, height)
                    XCTAssertLessThanOrEqual(max(metadata.width, metadata.height), variantPath.hasSuffix("@thumb") ? 400 : 1600)
                    XCTAssertNil(Data(bytes).range(of: Data("Exif".utf8)), variantPath)
                    opened += 1
                }
            }
        }
        XCTAssertGreaterThanOrEqual(opened, 2 * 12, "school, groep 5 and groep 1/2A albums and inline images")
        // paddenstoel.jpg is stored 1200x900 with EXIF orientation 6 (and GPS): it must come out upright.
        let groep5 = try XCTUnwrap(try opener.manifests().first { $0.audience == "groep-5" })
        let mushroom = try XCTUnwrap(groep5.media["groups/groep-5/albums/herfstwandeling/paddenstoel.jpg"])
        XCTAssertGreaterThan(try XCTUnwrap(mushroom.height), try XCTUnwrap(mushroom.width))
        // No original file reaches output/: no blob equals an original photo's bytes or size class.
        let originals = try Data(contentsOf: fixture.content.appendingPathComponent("groups/groep-5/albums/herfstwandeling/paddenstoel.jpg"))
        for (_, data) in try fixture.outputFiles() { XCTAssertNil(data.range(of: originals.prefix(64))) }
    }

    func testTheInstallableAppCarriesTheSchoolsNameAndInitialsIcons() throws {
        let fixture = try SealedSiteFixture()
        try fixture.generate()
        let files = try fixture.outputFiles()
        let manifest = try XCTUnwrap(try JSONSerialization.jsonObject(with: XCTUnwrap(files["manifest.webmanifest"])) as? [String: Any])
        XCTAssertEqual(manifest["name"] as? String, "OBS De Regenboog")
        XCTAssertEqual(manifest["short_name"] as? String, "De Regenboog")
        XCTAssertEqual(manifest["start_url"] as? String, "./", "the theme's other fields are kept")
        XCTAssertEqual(manifest["theme_color"] as? String, "#1f6f8b", "site.yaml's colour")
        let theme = try fixture.outputFiles(fixture.theme.appendingPathComponent("app"))
        for size in [192, 512] {
            let png = try XCTUnwrap(files[try fixture.servedPath("icons/icon-\(size).png")])
            XCTAssertNotEqual(png, theme["icons/icon-\(size).png"], "drawn for this school, not the theme's")
            let metadata = try PhotoMetadata.probe(Array(png))
            XCTAssertEqual([metadata.width, metadata.height], [size, size])
            XCTAssertFalse(metadata.carriesMetadata)
        }
    }
}
