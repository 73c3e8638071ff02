// Photo consent, enforced (issue 18, point 6), through the real binaries: a class list with
// children, an album whose photos name them, the consent form answered (sealed as the app seals)
// to a real portal-receiver, `portal sync` into keys/consent.json and `portal generate`. A photo
// of a child without consent is in no opened page or blob of the album; it appears once the
// parents say yes and goes again when they withdraw; `portal check` says which photo and why;
// names not on the class list are refused; `consent: strict` wants every photo tagged.
import Foundation
import PortalCrypto
import PortalFormat
import PortalKeys
import PortalReceiver
import PortalTestSupport
import XCTest

final class PhotoConsentTests: XCTestCase {
    static let list = """
        family;email;group;family_id;children
        Fam. Kaya;kaya@example.nl;groep-5;fam-kaya;Can
        Fam. Smit;smit@example.nl;groep-5;fam-smit;Sam
        """
    static let album = "content/groups/groep-5/albums/uitje/index.md"

    func school() throws -> Workspace {
        let workspace = try Workspace()
        try workspace.write("klas.csv", Self.list)
        let imported = try portal(["token", "import", "klas.csv"], in: workspace.root)
        XCTAssertEqual(imported.status, 0, imported.stderr)
        try FileManager.default.createDirectory(at: workspace.url("content/groups/groep-5/albums/uitje"), withIntermediateDirectories: true)
        for name in ["bos.jpg", "plein.jpg", "leeg.jpg"] {
            try FileManager.default.copyItem(
                at: workspace.url("content/albums/schoolreis-2026/speelbos.jpg"), to: workspace.url("content/groups/groep-5/albums/uitje/\(name)"))
        }
        try workspace.write(Self.album, """
            ---
            title: Uitje naar het bos
            date: 2026-11-20
            photos:
              - file: bos.jpg
                children: [Can, Sam]
              - file: plein.jpg
                children: [Sam]
              - file: leeg.jpg
                children: []
            ---
            """)
        try workspace.write("content/forms/fototoestemming.md", """
            ---
            title: Toestemming voor foto's
            date: 2026-09-01
            consent: true
            ---
            Mogen foto's waarop uw kind staat in het ouderportaal?
            """)
        return workspace
    }

    /// The album's photos as a groep-5 parent opens them, and the bytes of every blob it names.
    func shownPhotos(_ workspace: Workspace, token: String) throws -> (photos: [String], blobs: Int) {
        let opener = try SealedSiteOpener(output: workspace.url("output"), token: token)
        let manifest = try XCTUnwrap(try opener.manifests().first { $0.audience == "groep-5" })
        let album = try XCTUnwrap(manifest.items.first { $0.path == "groups/groep-5/albums/uitje" }?.album)
        let photos = album.photos.map { String($0.media.split(separator: "/").last ?? "") }
        let media = manifest.media.keys.filter { $0.hasPrefix("groups/groep-5/albums/uitje/") }
        return (photos, media.count)
    }

    func testAPhotoShowsOnlyWhileEveryChildOnItHasConsent() async throws {
        let workspace = try school()
        var generated = try portal(["generate", "--no-push"], in: workspace.root)
        XCTAssertEqual(generated.status, 0, generated.stderr)
        XCTAssertTrue(generated.stdout.contains("\(Self.album):6: photo 'bos.jpg' is left out: no consent for this portal for Can (no answer yet), Sam (no answer yet)"), generated.stdout)
        let store = try Keystore.open(at: workspace.url("keys"))
        let tokens = Dictionary(store.tokens().map { ($0.label ?? "", $0) }, uniquingKeysWith: { a, _ in a })
        let smit = try XCTUnwrap(tokens["Fam. Smit"]), kaya = try XCTUnwrap(tokens["Fam. Kaya"])
        var shown = try shownPhotos(workspace, token: smit.token)
        XCTAssertEqual(shown.photos, ["leeg.jpg"], "no answer is no consent: only the photo without children")
        XCTAssertEqual(shown.blobs, 1, "that photo (its thumbnail with it), nothing of the others")
        let checked = try portal(["check"], in: workspace.root)
        XCTAssertEqual(checked.status, 0, "a photo left out is said, not an error: \(checked.stderr)")
        // The preview shows the album as staff wrote it, and marks what parents will not see.
        let preview = try ServerProcess(["preview"], in: workspace.root)
        let page = String(decoding: try preview.get("/a/groep-5/item/groups/groep-5/albums/uitje").body, as: UTF8.self)
        preview.stop()
        XCTAssertTrue(page.contains("Niet zichtbaar voor ouders"), page)
        XCTAssertTrue(page.contains("photo &#39;plein.jpg&#39; is left out") || page.contains("photo 'plein.jpg' is left out"), page)
        XCTAssertTrue(checked.stdout.contains("photo 'plein.jpg' is left out: no consent for this portal for Sam (no answer yet)"), checked.stdout)

        // Both families say yes to this portal (Kaya no to the website), as the app seals it.
        let receiver = try ReceiverProcess(workspace: workspace)
        defer { receiver.stop() }
        try await receiver.waitUntilHealthy()
        let form = store.masterKey.formID(logicalPath: "forms/fototoestemming")
        func answer(_ record: TokenRecord, portal allowed: Bool, website: Bool = true) async throws {
            let child = try XCTUnwrap(store.children(ofFamily: record.family).first)
            let opener = try SealedSiteOpener(output: workspace.url("output"), token: record.token)
            let slot = opener.keyslot
            let inbox = Array(try XCTUnwrap(Data(base64Encoded: try XCTUnwrap(slot.inbox.first { $0.audience == "groep-5" }).publicKey)))
            let familyKey = Array(try XCTUnwrap(Data(base64Encoded: try XCTUnwrap(slot.familyKey))))
            let payload = AnswerPayload(child: child.name, guardian: "Ouder van \(child.name)", answers: [
                "portal": .yes(allowed), "website": .yes(website), "print": .yes(false),
            ])
            let binding = PayloadBinding.answer(form: form, child: child.id, shifts: [])
            let sealed = try payload.seal(tokenID: record.id, binding: binding, inboxPublicKey: inbox, namingKey: true)
            let copy = try payload.sealCopy(tokenID: record.id, binding: binding, familyKey: familyKey)
            let client = ReceiverClient(
                receiverURL: URL(string: receiver.base + "/api")!,
                signer: RequestSigner(tokenID: record.id, seed: Array(try XCTUnwrap(Data(base64Encoded: slot.signingSeed)))))
            let body = try JSONEncoder().encode(AnswerRequest(child: child.id, shifts: [], sealed: sealed, copy: copy))
            _ = try await client.send("POST", "/v1/forms/\(form)/answers", body: Array(body))
        }
        try await answer(smit, portal: true)
        try await answer(kaya, portal: true, website: false)
        let api = ["--receiver", receiver.base + "/api"]
        var synced = try portal(["sync"] + api, in: workspace.root)
        XCTAssertEqual(synced.status, 0, synced.stderr)
        XCTAssertTrue(synced.stdout.contains("Photo consent: 6 new answers (3 saying no)."), synced.stdout)
        generated = try portal(["generate", "--no-push"], in: workspace.root)
        XCTAssertEqual(generated.status, 0, generated.stderr)
        XCTAssertFalse(generated.stdout.contains("left out"), generated.stdout)
        shown = try shownPhotos(workspace, token: kaya.token)
        XCTAssertEqual(shown.photos, ["bos.jpg", "plein.jpg", "leeg.jpg"])
        XCTAssertEqual(shown.blobs, 3)

        // Smit withdraws: the two photos with Sam go at the next generate.
        try await answer(smit, portal: false)
        synced = try portal(["sync"] + api, in: workspace.root)
        XCTAssertTrue(synced.stdout.contains("Photo consent: 3 new answers (2 saying no)."), synced.stdout)
        generated = try portal(["generate", "--no-push"], in: workspace.root)
        XCTAssertTrue(generated.stdout.contains("photo 'plein.jpg' is left out: no consent for this portal for Sam (the parents said no)"), generated.stdout)
        shown = try shownPhotos(workspace, token: kaya.token)
        XCTAssertEqual(shown.photos, ["leeg.jpg"])
        XCTAssertEqual(shown.blobs, 1)

        // The register for an audit: the answer that counts, and with --history every answer.
        let register = try portal(["consent", "--csv"], in: workspace.root)
        XCTAssertEqual(register.status, 0, register.stderr)
        let lines = register.stdout.split(separator: "\n").map(String.init)
        XCTAssertTrue(lines.contains { $0.hasPrefix("groep-5,Sam,portal,nee,") && $0.contains("Fam. Smit,Ouder van Sam") }, register.stdout)
        XCTAssertTrue(lines.contains { $0.hasPrefix("groep-5,Can,website,nee,") }, register.stdout)
        let history = try portal(["consent", "--history", "--csv"], in: workspace.root)
        XCTAssertEqual(history.stdout.split(separator: "\n").filter { $0.contains(",Sam,portal,") }.count, 2, history.stdout)
        let file = try workspace.read("keys/consent.json")
        XCTAssertTrue(file.contains("\"purpose\" : \"portal\""), file)
        let mode = try FileManager.default.attributesOfItem(atPath: workspace.url("keys/consent.json").path)[.posixPermissions] as? Int
        XCTAssertEqual(mode, 0o600)
    }

    func testNamesMustBeOnTheClassListAndStrictWantsEveryPhotoTagged() throws {
        let workspace = try school()
        var text = try workspace.read(Self.album).replacingOccurrences(of: "children: [Sam]", with: "children: [Sem]")
        try workspace.write(Self.album, text)
        var checked = try portal(["check"], in: workspace.root)
        XCTAssertEqual(checked.status, 1)
        XCTAssertTrue(checked.stderr.contains("\(Self.album):8: photo 'plein.jpg': no child 'Sem' in groep-5's class list (did you mean 'Sam'?)"), checked.stderr)
        var generated = try portal(["generate", "--no-push"], in: workspace.root)
        XCTAssertEqual(generated.status, 1, "generate refuses what check refuses")

        text = text.replacingOccurrences(of: "children: [Sem]", with: "caption: Op het plein")
        try workspace.write(Self.album, text)
        var site = try workspace.read("content/site.yaml")
        site += "\nconsent: strict\n"
        try workspace.write("content/site.yaml", site)
        checked = try portal(["check"], in: workspace.root)
        XCTAssertEqual(checked.status, 1)
        XCTAssertTrue(checked.stderr.contains("\(Self.album):7: photo 'plein.jpg': with consent: strict every photo says who is on it"), checked.stderr)
        // (The example school's other albums name nobody: with consent_default alone they build.)
        site = site.replacingOccurrences(of: "consent: strict", with: "consent_default: yes")
        try workspace.write("content/site.yaml", site)
        try workspace.write(Self.album, text.replacingOccurrences(of: "caption: Op het plein", with: "children: [Sam]"))
        generated = try portal(["generate", "--no-push"], in: workspace.root)
        XCTAssertEqual(generated.status, 0, generated.stderr + generated.stdout)
        XCTAssertFalse(generated.stdout.contains("left out"), "consent_default: yes counts no answer as consent")
    }

    /// A name means the child it meant when a build first resolved it: after the next school
    /// year's list moved Sam to groep-6 and another Sam joined groep-5, last year's groep-5 album
    /// still means the first Sam (keys/photo-tags.json), and nothing is ambiguous.
    func testANameKeepsItsChildAcrossClassLists() throws {
        let workspace = try school()
        var generated = try portal(["generate", "--no-push"], in: workspace.root)
        XCTAssertEqual(generated.status, 0, generated.stderr)
        let before = try Keystore.open(at: workspace.url("keys"))
        let firstSam = try XCTUnwrap(before.children.first { $0.name == "Sam" })
        let tags = try XCTUnwrap(try JSONSerialization.jsonObject(with: Data(try workspace.read("keys/photo-tags.json").utf8)) as? [String: Any])
        XCTAssertEqual((tags["ids"] as? [String: String])?["groups/groep-5/albums/uitje/index.md\nplein.jpg\nSam"], firstSam.id)

        try workspace.write("klas.csv", """
            family;email;group;family_id;children
            Fam. Kaya;kaya@example.nl;groep-5;fam-kaya;Can
            Fam. Smit;smit@example.nl;groep-6;fam-smit;Sam
            Fam. Bos;bos@example.nl;groep-5;fam-bos;Sam
            """)
        let imported = try portal(["token", "import", "klas.csv"], in: workspace.root)
        XCTAssertEqual(imported.status, 0, imported.stderr)
        generated = try portal(["generate", "--no-push"], in: workspace.root)
        XCTAssertEqual(generated.status, 0, generated.stderr)
        XCTAssertTrue(generated.stdout.contains("photo 'plein.jpg' is left out: no consent for this portal for Sam (no answer yet)"), generated.stdout)
        let after = try Keystore.open(at: workspace.url("keys"))
        XCTAssertEqual(after.children.filter { $0.name == "Sam" }.count, 2)
        let kept = try XCTUnwrap(try JSONSerialization.jsonObject(with: Data(try workspace.read("keys/photo-tags.json").utf8)) as? [String: Any])
        XCTAssertEqual((kept["ids"] as? [String: String])?["groups/groep-5/albums/uitje/index.md\nplein.jpg\nSam"], firstSam.id,
                       "still the Sam who was in groep-5 when the album was made")
    }
}
