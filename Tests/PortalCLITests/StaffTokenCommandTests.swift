// `portal token issue --staff` as staff type it, and `portal inbox` reading reports sealed to a
// group's inbox keys of two epochs (a staff revocation in between), with local times.
import Foundation
import PortalCrypto
import PortalFiles
import PortalFormat
import PortalReceiver
import PortalTestSupport
import XCTest

final class StaffTokenCommandTests: XCTestCase {
    func testStaffCodesAreIssuedListedAndCheckedAsTyped() throws {
        let workspace = try Workspace()
        let noLabel = try portal(["token", "issue", "--staff", "--group", "groep-5"], in: workspace.root)
        XCTAssertNotEqual(noLabel.status, 0)
        XCTAssertTrue(noLabel.stderr.contains("--label"), noLabel.stderr)
        let officeWithGroup = try portal(["token", "issue", "--staff", "--role", "office", "--group", "groep-5", "--label", "Office"], in: workspace.root)
        XCTAssertNotEqual(officeWithGroup.status, 0)
        XCTAssertTrue(officeWithGroup.stderr.contains("every group"), officeWithGroup.stderr)
        let roleAlone = try portal(["token", "issue", "--role", "office", "--group", "groep-5"], in: workspace.root)
        XCTAssertNotEqual(roleAlone.status, 0)
        XCTAssertTrue(roleAlone.stderr.contains("--staff"), roleAlone.stderr)
        let unknown = try portal(["token", "issue", "--staff", "--group", "groep-99", "--label", "Juf X"], in: workspace.root)
        XCTAssertNotEqual(unknown.status, 0, "a group site.yaml does not list")

        let teacher = try issue(["--staff", "--group", "groep-5", "--label", "Juf Sanne"], in: workspace)
        let office = try issue(["--staff", "--role", "office", "--label", "Administratie"], in: workspace)
        let list = try run(["token", "list"], in: workspace).stdout
        let teacherLine = try XCTUnwrap(list.split(separator: "\n").first { $0.hasPrefix(teacher.id.prefix(12)) })
        XCTAssertTrue(teacherLine.contains("staff (teacher)") && teacherLine.contains("Juf Sanne"), String(teacherLine))
        let officeLine = try XCTUnwrap(list.split(separator: "\n").first { $0.hasPrefix(office.id.prefix(12)) })
        XCTAssertTrue(officeLine.contains("staff (office)") && officeLine.contains("groep-8"), "every group: \(officeLine)")
        let json = try JSONSerialization.jsonObject(with: Data(try run(["token", "list", "--json"], in: workspace).stdout.utf8)) as? [[String: Any]]
        XCTAssertEqual(json?.first { $0["id"] as? String == teacher.id }?["staff"] as? String, "teacher")
        let revoked = try run(["token", "revoke", teacher.id], in: workspace).stdout
        XCTAssertTrue(revoked.contains("inbox keys were rotated"), revoked)
    }

    func testPortalInboxReadsReportsSealedToEveryEpochOfAGroupsKey() async throws {
        let workspace = try Workspace()
        let parent = try issue(["--group", "groep-5"], in: workspace)
        let teacher = try issue(["--staff", "--group", "groep-5", "--label", "Juf Sanne"], in: workspace)
        try run(["generate"], in: workspace)
        let receiver = try ReceiverProcess(workspace: workspace)
        defer { receiver.stop() }
        try await receiver.waitUntilHealthy()

        func send(child: String) async throws -> String? {
            let opener = try SealedSiteOpener(output: workspace.url("output"), token: parent.token)
            let entry = try XCTUnwrap(opener.keyslot.inbox.first { $0.audience == "groep-5" })
            let key = Array(try XCTUnwrap(Data(base64Encoded: entry.publicKey)))
            let seed = Array(try XCTUnwrap(Data(base64Encoded: opener.keyslot.signingSeed)))
            let client = ReceiverClient(receiverURL: URL(string: receiver.base + "/api")!, signer: RequestSigner(tokenID: opener.tokenID, seed: seed))
            let day = String(RFC3339.string(from: Date()).prefix(10))
            let sealed = try AbsencePayload(child: child, reason: .ziek)
                .seal(tokenID: opener.tokenID, binding: .absence(group: "groep-5", from: day, to: day), inboxPublicKey: key, namingKey: true)
            _ = try await client.send("POST", "/v1/absences", body: Array(try JSONSerialization.data(withJSONObject: [
                "group": "groep-5", "from": day, "to": day, "sealed": sealed.jsonObject,
            ])))
            return entry.kid
        }
        let first = try await send(child: "Sam")
        // The teacher's code is revoked: groep-5's inbox key moves to epoch 2 at this generate.
        try run(["token", "revoke", teacher.id], in: workspace)
        try run(["generate"], in: workspace)
        let second = try await send(child: "Noor")
        XCTAssertNotEqual(first, second, "the second report went to the new key")

        let rows = try JSONSerialization.jsonObject(
            with: Data(try run(["inbox", "--receiver", receiver.base + "/api", "--json"], in: workspace).stdout.utf8)) as? [[String: String]]
        XCTAssertEqual(rows?.compactMap { $0["child"] }.sorted(), ["Noor", "Sam"], "\(rows ?? [])")
        XCTAssertTrue(rows?.allSatisfy { $0["error"] == nil } ?? false)
        // Local times: the example school is in Europe/Amsterdam (+01:00 in winter, +02:00 in summer).
        let received = rows?.first?["received"] ?? ""
        XCTAssertTrue(received.hasSuffix("+01:00") || received.hasSuffix("+02:00"), received)
    }
}

/// `teacher_posts: publish`: `portal sync` writes a teacher's post straight into content/ as a
/// checked news item; one that cannot be published is refused with a reason the teacher's keyslot opens.
final class TeacherPostSyncTests: XCTestCase {
    func testPublishModeWritesCheckedMarkdownAndRefusesWithASealedReason() async throws {
        let school = try TeacherSchool(self)
        defer { school.receiver.stop() }
        try await school.receiver.waitUntilHealthy()
        let (workspace, receiver, opener, client) = (school.workspace, school.receiver, school.opener, school.client)
        let slot = opener.keyslot
        let post = school.post
        _ = try await post(PostPayload(title: "Luizencontrole: \"maandag\"", text: "Na de **vakantie**.", date: "2026-12-07", urgent: true))
        let refusedID = try await post(PostPayload(title: "   ", text: "Zonder titel"))
        _ = try await post(PostPayload(kind: .event, title: "Kijkochtend", text: "", start: "2026-12-18 08:30", location: "Lokaal 3"))
        _ = try await post(PostPayload(kind: .event, title: "Verkeerd om", text: "", start: "2026-12-18", end: "2026-12-17"))

        let synced = try run(["sync", "--receiver", receiver.base + "/api"], in: workspace).stdout
        XCTAssertTrue(synced.contains("Published \"Luizencontrole"), synced)
        XCTAssertTrue(synced.contains("Refused a post by Juf Sanne"), synced)
        let file = workspace.url("content/groups/groep-5/news/luizencontrole-maandag.md")
        let markdown = try String(contentsOf: file, encoding: .utf8)
        XCTAssertEqual(markdown, """
            ---
            title: "Luizencontrole: \\"maandag\\""
            date: 2026-12-07
            author: "Juf Sanne"
            urgent: true
            ---
            Na de **vakantie**.

            """)
        let event = try String(contentsOf: workspace.url("content/groups/groep-5/calendar/kijkochtend.md"), encoding: .utf8)
        XCTAssertEqual(event, """
            ---
            title: "Kijkochtend"
            start: 2026-12-18 08:30
            location: "Lokaal 3"
            ---


            """, "a calendar item, without the author field calendar items do not have")
        XCTAssertTrue(synced.contains("niet ervoor liggen"), "an end before the start is refused: \(synced)")
        try run(["check"], in: workspace)
        let again = try run(["sync", "--receiver", receiver.base + "/api"], in: workspace).stdout
        XCTAssertTrue(again.contains("No new posts"), "a synced post is not written twice: \(again)")

        // The refusal's reason opens with the group's inbox secret in the teacher's keyslot.
        let mine = try JSONDecoder().decode(PostPage.self, from: try await client.send("GET", "/v1/staff/posts"))
        let refused = try XCTUnwrap(mine.posts.first { $0.id == refusedID })
        XCTAssertEqual(refused.state, .rejected)
        let reason = try XCTUnwrap(refused.reason)
        let secret = try XCTUnwrap(slot.staff?.inboxSecrets.first { $0.kid == reason.kid })
        let opened = try PostReasonPayload.open(
            reason, tokenID: opener.tokenID, binding: .post(group: "groep-5", id: refusedID),
            inboxSecretKey: Array(try XCTUnwrap(Data(base64Encoded: secret.secretKey))))
        XCTAssertTrue(opened.reason.contains("titel"), opened.reason)
    }

    /// A teacher's album and a news item with a photo: the photos travel as sealed chunks, `portal
    /// sync` fetches and opens them and writes them beside the Markdown, `portal check` accepts
    /// the result, the receiver forgets the chunks, and a part that is not a JPEG is refused with
    /// a reason. Retracting the news item removes its photo too.
    func testPhotosTravelSealedInChunksAndSyncWritesThemIntoContent() async throws {
        let school = try TeacherSchool(self)
        defer { school.receiver.stop() }
        try await school.receiver.waitUntilHealthy()
        let (workspace, receiver, opener, client) = (school.workspace, school.receiver, school.opener, school.client)
        let slot = opener.keyslot
        let keystore = try XCTUnwrap(try JSONSerialization.jsonObject(with: Data(contentsOf: workspace.url("keys/keystore.json"))) as? [String: Any])
        let adminSeed = Array(try XCTUnwrap(Data(base64Encoded: try XCTUnwrap(keystore["admin_signing_seed"] as? String))))
        let admin = ReceiverClient(receiverURL: URL(string: receiver.base + "/api")!, signer: .admin(seed: adminSeed))
        let jpegs = try ["content/albums/schoolreis-2026/picknickweide.jpg", "content/news/kinderboekenweek-2026/foto.jpg"].map {
            Array(try Data(contentsOf: workspace.url($0)))
        }
        let upload = school.upload
        let post = school.post
        let parts = [try await upload(jpegs[0]), try await upload(jpegs[1])]
        _ = try await post(PostPayload(kind: .album, title: "Naar het bos", text: "Wat een dag!", date: "2026-12-02",
                                       photos: [PostPayload.Photo(part: parts[0], caption: "Picknick [1]"), PostPayload.Photo(part: parts[1])]))
        let newsPart = try await upload(jpegs[1])
        let newsID = try await post(PostPayload(title: "Voorlezen", text: "Opa las voor.", date: "2026-12-02",
                                                photos: [PostPayload.Photo(part: newsPart, caption: "Opa")]))
        let notPhoto = try await upload(Array("%PDF-1.4 geen foto".utf8))
        _ = try await post(PostPayload(title: "Geen foto", text: "x", photos: [PostPayload.Photo(part: notPhoto)]))

        let synced = try run(["sync", "--receiver", receiver.base + "/api"], in: workspace).stdout
        XCTAssertTrue(synced.contains("content/groups/groep-5/albums/naar-het-bos"), synced)
        XCTAssertTrue(synced.contains("geen JPEG-foto"), synced)
        let album = workspace.url("content/groups/groep-5/albums/naar-het-bos")
        XCTAssertEqual(Array(try Data(contentsOf: album.appendingPathComponent("foto-01.jpg"))), jpegs[0])
        XCTAssertEqual(Array(try Data(contentsOf: album.appendingPathComponent("foto-02.jpg"))), jpegs[1])
        XCTAssertEqual(try String(contentsOf: album.appendingPathComponent("index.md"), encoding: .utf8), """
            ---
            title: "Naar het bos"
            date: 2026-12-02
            photos:
              - file: foto-01.jpg
                caption: "Picknick [1]"
              - file: foto-02.jpg
            ---
            Wat een dag!

            """)
        let news = workspace.url("content/groups/groep-5/news/voorlezen.md")
        XCTAssertTrue(try String(contentsOf: news, encoding: .utf8).hasSuffix("Opa las voor.\n\n![Opa](voorlezen-1.jpg)\n"))
        XCTAssertEqual(Array(try Data(contentsOf: workspace.url("content/groups/groep-5/news/voorlezen-1.jpg"))), jpegs[1])
        try run(["check"], in: workspace)
        try run(["generate"], in: workspace)
        // Decided posts' parts are gone from the receiver; the refused post's too.
        for part in parts + [newsPart, notPhoto] {
            do {
                _ = try await admin.upload(id: part)
                XCTFail("upload \(part) is still at the receiver")
            } catch ReceiverClientError.refused(let status, _, _) {
                XCTAssertEqual(status, 404)
            }
        }
        // Taken back: the news item and its photo leave content/.
        _ = try await client.send("DELETE", "/v1/staff/posts/" + newsID)
        _ = try run(["sync", "--receiver", receiver.base + "/api"], in: workspace)
        XCTAssertFalse(FileManager.default.fileExists(atPath: news.path))
        XCTAssertFalse(FileManager.default.fileExists(atPath: workspace.url("content/groups/groep-5/news/voorlezen-1.jpg").path))
    }

    /// Issue 17: the teacher marks who is on a photo, from the class in her keyslot; `portal sync`
    /// writes their names (`children:`), so photo consent applies: without consent the photo is
    /// left out of the build. A child the class list does not have is refused with a reason.
    func testATeachersPhotoNamesItsChildrenAndConsentApplies() async throws {
        let school = try TeacherSchool(self, classList: "family;email;group;family_id;children\nFam. Smit;smit@example.nl;groep-5;fam-smit;Sam, Noor\n")
        defer { school.receiver.stop() }
        try await school.receiver.waitUntilHealthy()
        let workspace = school.workspace
        let children = try XCTUnwrap(school.opener.keyslot.staff?.children)
        XCTAssertEqual(children.map(\.name), ["Sam", "Noor"], "the teacher's keyslot carries her class")
        let jpeg = Array(try Data(contentsOf: workspace.url("content/albums/schoolreis-2026/picknickweide.jpg")))
        let sam = try XCTUnwrap(children.first { $0.name == "Sam" }).id
        let parts = [try await school.upload(jpeg), try await school.upload(jpeg)]
        _ = try await school.post(PostPayload(kind: .album, title: "Op het plein", text: "", date: "2026-12-02", photos: [
            PostPayload.Photo(part: parts[0], children: [sam]), PostPayload.Photo(part: parts[1], children: []),
        ]))
        let strangerPart = try await school.upload(jpeg)
        _ = try await school.post(PostPayload(kind: .album, title: "Onbekend kind", text: "", date: "2026-12-02", photos: [
            PostPayload.Photo(part: strangerPart, children: [String(repeating: "0", count: 32)]),
        ]))
        let synced = try run(["sync", "--receiver", school.receiver.base + "/api"], in: workspace).stdout
        XCTAssertTrue(synced.contains("niet (meer) in de klassenlijst van groep-5"), synced)
        let index = try workspace.read("content/groups/groep-5/albums/op-het-plein/index.md")
        XCTAssertTrue(index.contains("  - file: foto-01.jpg\n    children: [\"Sam\"]\n  - file: foto-02.jpg\n    children: []\n"), index)
        let generated = try run(["generate", "--no-push"], in: workspace).stdout
        XCTAssertTrue(generated.contains("photo 'foto-01.jpg' is left out: no consent for this portal for Sam (no answer yet)"), generated)
    }

    /// A newsletter PDF from the teacher's phone: sealed in chunks like a photo, sent as it is,
    /// written by `portal sync` into a folder of its own (index.md with `attachments:` and the
    /// file under a plain name) that `portal check` and `generate` accept; a file whose first bytes
    /// are not of its named type and a type content/ does not take are refused with a reason the
    /// teacher reads. Retracting the post removes its folder.
    func testAttachmentsFromThePhoneBecomeAnItemFolderWithTheFileAsItIs() async throws {
        let school = try TeacherSchool(self)
        defer { school.receiver.stop() }
        try await school.receiver.waitUntilHealthy()
        let workspace = school.workspace
        let pdf = Array(try Data(contentsOf: workspace.url("content/news/kerstdiner-intekenlijst.pdf")))
        let photo = Array(try Data(contentsOf: workspace.url("content/news/kinderboekenweek-2026/foto.jpg")))
        let (pdfPart, photoPart) = (try await school.upload(pdf), try await school.upload(photo))
        let postID = try await school.post(PostPayload(
            title: "Nieuwsbrief december", text: "De nieuwsbrief staat hieronder.", date: "2026-12-02",
            photos: [PostPayload.Photo(part: photoPart, caption: "Kerstboom")],
            attachments: [PostPayload.Attachment(part: pdfPart, name: "Nieuwsbrief December 2026.PDF")]))
        let fake = try await school.upload(pdf)
        _ = try await school.post(PostPayload(
            title: "Rooster", text: "x", attachments: [PostPayload.Attachment(part: fake, name: "rooster.docx", title: "Rooster")]))
        let program = try await school.upload(pdf)
        _ = try await school.post(PostPayload(
            kind: .event, title: "Kerstdiner", text: "", start: "2026-12-17 17:30",
            attachments: [PostPayload.Attachment(part: program, name: "setup.exe")]))

        let synced = try run(["sync", "--receiver", school.receiver.base + "/api"], in: workspace).stdout
        XCTAssertTrue(synced.contains("as content/groups/groep-5/news/nieuwsbrief-december "), synced)
        XCTAssertTrue(synced.contains("Het bestand 'rooster.docx' is geen echt DOCX-bestand."), synced)
        XCTAssertTrue(synced.contains("Het bestand 'setup.exe' kan niet mee: alleen .pdf, .doc"), synced)
        let folder = workspace.url("content/groups/groep-5/news/nieuwsbrief-december")
        XCTAssertEqual(try FileManager.default.contentsOfDirectory(atPath: folder.path).sorted(),
                       ["index.md", "nieuwsbrief-december-1.jpg", "nieuwsbrief-december-2026.pdf"])
        XCTAssertEqual(Array(try Data(contentsOf: folder.appendingPathComponent("nieuwsbrief-december-2026.pdf"))), pdf, "sent as it is")
        XCTAssertEqual(try String(contentsOf: folder.appendingPathComponent("index.md"), encoding: .utf8), """
            ---
            title: "Nieuwsbrief december"
            date: 2026-12-02
            author: "Juf Sanne"
            attachments:
              - file: nieuwsbrief-december-2026.pdf
                title: "Nieuwsbrief December 2026"
            ---
            De nieuwsbrief staat hieronder.

            ![Kerstboom](nieuwsbrief-december-1.jpg)

            """)
        XCTAssertFalse(FileManager.default.fileExists(atPath: workspace.url("content/groups/groep-5/news/rooster.md").path))
        try run(["check"], in: workspace)
        try run(["generate"], in: workspace)

        _ = try await school.client.send("DELETE", "/v1/staff/posts/" + postID)
        let removed = try run(["sync", "--receiver", school.receiver.base + "/api"], in: workspace).stdout
        XCTAssertTrue(removed.contains("Removed content/groups/groep-5/news/nieuwsbrief-december:"), removed)
        XCTAssertFalse(FileManager.default.fileExists(atPath: folder.path))
    }
}

/// The example school with `teacher_posts: publish`, a groep-5 teacher's code, a running receiver,
/// and that teacher's client (signing as her phone would) and school inbox key.
final class TeacherSchool {
    let workspace: Workspace
    let receiver: ReceiverProcess
    let opener: SealedSiteOpener
    let inboxKey: [UInt8]
    let client: ReceiverClient

    /// `classList`: imported before the first build (its children are then in the teacher's keyslot).
    init(_ test: XCTestCase, classList: String? = nil) throws {
        workspace = try Workspace()
        let siteYAML = workspace.url("content/site.yaml")
        try (String(contentsOf: siteYAML, encoding: .utf8) + "\nteacher_posts: publish\n").write(to: siteYAML, atomically: true, encoding: .utf8)
        if let classList {
            try workspace.write("klas.csv", classList)
            try test.run(["token", "import", "klas.csv"], in: workspace)
        }
        let teacher = try test.issue(["--staff", "--group", "groep-5", "--label", "Juf Sanne"], in: workspace)
        try test.run(["generate"], in: workspace)
        receiver = try ReceiverProcess(workspace: workspace)
        opener = try SealedSiteOpener(output: workspace.url("output"), token: teacher.token)
        let slot = opener.keyslot
        inboxKey = Array(try XCTUnwrap(Data(base64Encoded: try XCTUnwrap(slot.inbox.first { $0.audience == "school" }).publicKey)))
        client = ReceiverClient(
            receiverURL: URL(string: receiver.base + "/api")!,
            signer: RequestSigner(tokenID: opener.tokenID, seed: Array(try XCTUnwrap(Data(base64Encoded: slot.signingSeed)))))
    }

    /// Sends a post as the teacher's app does (naming its photos' and files' parts); its id.
    func post(_ payload: PostPayload) async throws -> String {
        let id = Hex.encode((0..<16).map { _ in UInt8.random(in: 0...255) })
        let sealed = try payload.seal(tokenID: opener.tokenID, binding: .post(group: "groep-5", id: id), inboxPublicKey: inboxKey)
        _ = try await client.send("POST", "/v1/staff/posts", body: Array(try JSONSerialization.data(withJSONObject: [
            "id": id, "group": "groep-5", "sealed": sealed.jsonObject, "parts": payload.photos.map(\.part) + payload.attachments.map(\.part),
        ])))
        return id
    }

    /// Uploads `bytes` as one part for groep 5, sealed in chunks as the teacher's app does; its id.
    func upload(_ bytes: [UInt8]) async throws -> String {
        let id = Hex.encode((0..<16).map { _ in UInt8.random(in: 0...255) })
        let sealed = try UploadStream.seal(bytes, recipientPublicKey: inboxKey, tokenID: opener.tokenID, group: "groep-5", partID: id)
        _ = try await client.send("POST", "/v1/staff/uploads", body: Array(try JSONSerialization.data(withJSONObject: [
            "id": id, "group": "groep-5", "enc": Data(sealed.enc).base64EncodedString(), "chunks": sealed.chunks.count,
        ])))
        for (i, chunk) in sealed.chunks.enumerated() {
            _ = try await client.send("PUT", "/v1/staff/uploads/\(id)/\(i)", body: chunk, type: "application/octet-stream")
        }
        return id
    }
}
