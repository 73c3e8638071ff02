// Teachers' posts from the app into content/ (issue 17, "From draft to site"): `portal sync` takes
// the posts the receiver holds as `sent`, opens them here with the school's inbox key and, as
// site.yaml `teacher_posts` says, writes them into content/ (publish: live at the next run) or
// keeps them in keys/drafts/ until `portal drafts approve` (approve, the default). Markdown in
// content/ stays the one source of truth; the teacher's app shows each post's state.
import ArgumentParser
import Foundation
import PortalContent
import PortalCrypto
import PortalFiles
import PortalFormat
import PortalKeys
import PortalReceiver

/// A post waiting for approval, in keys/drafts/<id>.json (0600: it may name children).
struct PostDraft: Codable {
    var id: String
    var tokenID: String
    var author: String
    var group: String
    var received: String
    var post: PostPayload
}

/// A post's files as they came from the teacher's phone: the photos (JPEG, re-encoded there) and
/// the attachments (as picked), in the post's order.
struct PostFiles {
    var photos: [[UInt8]] = []
    var attachments: [[UInt8]] = []
}

enum TeacherPosts {
    /// Why a post cannot go into content/ (the teacher reads it as the rejection's reason).
    struct Refusal: Error { let reason: String }

    static func draftsFolder(_ keys: URL) -> URL { keys.appendingPathComponent("drafts", isDirectory: true) }

    /// keys/posts.json: post id -> the file in content/ it became, so a retracted post can be removed.
    static func publishedFile(_ keys: URL) -> URL { keys.appendingPathComponent("posts.json") }

    static func published(_ keys: URL) -> [String: String] {
        (try? JSONDecoder().decode([String: String].self, from: Data(contentsOf: publishedFile(keys)))) ?? [:]
    }

    static func setPublished(_ id: String, _ path: String?, keys: URL) throws {
        var all = published(keys)
        all[id] = path
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        try AtomicFile.write(Array(try encoder.encode(all)), to: publishedFile(keys).path, mode: 0o600)
    }

    /// Posts the teachers took back: out of drafts and content/, then `removed` at the receiver.
    static func removeRetracted(client: ReceiverClient, keys: URL, paths: PathOptions) async throws -> [String] {
        var lines: [String] = []
        for row in try await client.posts(state: .retracted) {
            // A file staff removed by hand already is fine; one that cannot be removed stops here,
            // before the receiver is told it is gone (a draft left behind could still be approved).
            func remove(_ file: URL) throws {
                if FileManager.default.fileExists(atPath: file.path) { try FileManager.default.removeItem(at: file) }
            }
            try remove(draftsFolder(keys).appendingPathComponent(row.id + ".json"))
            try remove(draftFiles(keys, id: row.id))
            if let path = published(keys)[row.id] {
                try removePublished(path, paths: paths)
                try setPublished(row.id, nil, keys: keys)
                lines.append("Removed content/\(path): its author took it back (gone from the site at the next generate).")
            } else {
                lines.append("A post waiting for approval was taken back by its author.")
            }
            try await client.setPostState(id: row.id, .removed)
        }
        return lines
    }

    /// Checks what the teacher wrote and the code that sent it; the refusal is said to the teacher.
    static func check(
        _ post: PostPayload, group: String, token: TokenRecord?, site: SiteConfig, children: [String: String] = [:]
    ) throws(Refusal) {
        guard let token, token.staff != nil, token.revoked == nil else {
            throw Refusal(reason: "Dit bericht komt van een code die niet (meer) voor medewerkers is.")
        }
        guard token.audiences.contains(group), site.group(id: group) != nil else {
            throw Refusal(reason: "Met deze code kunt u niet voor \(group) schrijven.")
        }
        let title = post.title.trimmingCharacters(in: .whitespacesAndNewlines)
        guard !title.isEmpty, title.count <= 200, !hasControl(title) else {
            throw Refusal(reason: "De titel moet 1 tot 200 tekens zijn, op één regel.")
        }
        guard post.text.count <= 60_000, post.kind != .news || !post.text.trimmingCharacters(in: .whitespacesAndNewlines).isEmpty else {
            throw Refusal(reason: "De tekst is leeg of langer dan 60.000 tekens.")
        }
        if post.kind == .album && post.photos.isEmpty { throw Refusal(reason: "Een album heeft minstens één foto.") }
        if post.kind == .event && !post.photos.isEmpty { throw Refusal(reason: "Een agenda-item heeft geen foto's; maak er een bericht of album van.") }
        let parts = post.photos.map(\.part) + post.attachments.map(\.part)
        guard parts.count <= PostRequest.maxParts, Set(parts).count == parts.count else {
            throw Refusal(reason: "Een bericht heeft hoogstens \(PostRequest.maxParts) verschillende foto's en bestanden.")
        }
        for attachment in post.attachments {
            let name = attachment.name
            guard !name.isEmpty, name.count <= 200, !name.contains("/"), !hasControl(name) else {
                throw Refusal(reason: "Een bestandsnaam moet 1 tot 200 tekens zijn, zonder '/'.")
            }
            guard AttachmentType(fileName: name) != nil else {
                throw Refusal(reason: "Het bestand '\(name)' kan niet mee: alleen \(AttachmentType.list).")
            }
            if let title = attachment.title, title.count > 200 || hasControl(title) {
                throw Refusal(reason: "De naam van een bestand moet op één regel en korter dan 200 tekens zijn.")
            }
        }
        for photo in post.photos {
            if let caption = photo.caption,
               caption.count > 500 || hasControl(caption) {
                throw Refusal(reason: "Een onderschrift moet op één regel en korter dan 500 tekens zijn.")
            }
            if let tagged = photo.children, tagged.count > 60 || tagged.contains(where: { children[$0] == nil }) {
                throw Refusal(reason: "Op een foto staat een kind dat niet (meer) in de klassenlijst van \(group) staat; kies de kinderen opnieuw.")
            }
        }
        if let date = post.date, TokenDates(timeZone: site.timezone).endOfDay(date) == nil {
            throw Refusal(reason: "De datum '\(date)' is geen datum (JJJJ-MM-DD).")
        }
        guard post.kind == .event else { return }
        guard let start = post.start, isDayOrMoment(start) else {
            throw Refusal(reason: "Een agenda-item heeft een begin: een datum (JJJJ-MM-DD) of datum en tijd (JJJJ-MM-DD UU:MM).")
        }
        if let end = post.end {
            guard isDayOrMoment(end), end.count == start.count, end >= start else {
                throw Refusal(reason: "Het einde '\(end)' moet in dezelfde vorm als het begin zijn en niet ervoor liggen.")
            }
        }
        if let location = post.location,
           location.count > 200 || hasControl(location) {
            throw Refusal(reason: "De plaats moet op één regel en korter dan 200 tekens zijn.")
        }
    }

    static func hasControl(_ text: String) -> Bool {
        text.unicodeScalars.contains { $0.properties.generalCategory == .control }
    }

    /// The file names the post's attachments get in content/: the teacher's name in lower case
    /// with `-` for anything else (`Nieuwsbrief December.PDF` -> `nieuwsbrief-december.pdf`),
    /// made unique within the post.
    static func attachmentNames(_ post: PostPayload) -> [String] {
        var names: [String] = []
        for attachment in post.attachments {
            let type = AttachmentType(fileName: attachment.name)?.rawValue ?? "bin"
            let stem = Scaffold.slug(for: (attachment.name as NSString).deletingPathExtension)
            let base = stem.isEmpty ? "bijlage" : stem
            var name = base + "." + type, n = 2
            while names.contains(name) {
                name = "\(base)-\(n).\(type)"
                n += 1
            }
            names.append(name)
        }
        return names
    }

    /// What parents see for an attachment: the teacher's title, or the name as picked without its extension.
    static func attachmentTitle(_ attachment: PostPayload.Attachment) -> String {
        let title = attachment.title?.trimmingCharacters(in: .whitespaces) ?? ""
        return title.isEmpty ? (attachment.name as NSString).deletingPathExtension.trimmingCharacters(in: .whitespaces) : title
    }

    /// A caption as the alt text of a Markdown image: brackets and backslashes escaped, one line.
    static func markdownText(_ text: String) -> String {
        var out = ""
        for c in text.trimmingCharacters(in: .whitespacesAndNewlines) {
            if "[]\\".contains(c) { out.append("\\") }
            out.append(c.isNewline ? " " : c)
        }
        return out
    }

    /// `2027-02-10` or `2027-02-10 18:30` (content/'s forms of a day and a moment).
    static func isDayOrMoment(_ text: String) -> Bool {
        let parts = text.split(separator: " ", omittingEmptySubsequences: false)
        guard (1...2).contains(parts.count), parts[0].count == 10, TokenDates(timeZone: .gmt).endOfDay(String(parts[0])) != nil else { return false }
        guard parts.count == 2 else { return true }
        let hm = parts[1].split(separator: ":")
        guard parts[1].count == 5, hm.count == 2, let h = Int(hm[0]), let m = Int(hm[1]) else { return false }
        return (0..<24).contains(h) && (0..<60).contains(m)
    }

    /// The Markdown file of a post, as `portal new` would write it.
    /// `children`: the group's children by id, with the name `children:` writes (FORMAT.md "Staff posts").
    static func markdown(
        _ post: PostPayload, author: String, received: Date, timeZone: TimeZone, photoFiles: [String] = [],
        children: [String: String] = [:]
    ) -> String {
        let formatter = DateFormatter()
        formatter.locale = Locale(identifier: "en_US_POSIX")
        formatter.timeZone = timeZone
        formatter.dateFormat = "yyyy-MM-dd HH:mm"
        var lines = ["---", "title: " + Scaffold.yamlQuoted(post.title.trimmingCharacters(in: .whitespacesAndNewlines))]
        switch post.kind {
        case .news:
            lines += ["date: " + (post.date ?? formatter.string(from: received)), "author: " + Scaffold.yamlQuoted(author)]
        case .album:
            // Albums have no author field (docs/CONTENT.md); the photos are listed with their captions.
            lines += ["date: " + (post.date ?? formatter.string(from: received)), "photos:"]
            for (photo, file) in zip(post.photos, photoFiles) {
                lines.append("  - file: " + file)
                if let caption = photo.caption?.trimmingCharacters(in: .whitespaces), !caption.isEmpty {
                    lines.append("    caption: " + Scaffold.yamlQuoted(caption))
                }
                if let tagged = photo.children {
                    lines.append("    children: [" + tagged.compactMap { children[$0] }.map(Scaffold.yamlQuoted).joined(separator: ", ") + "]")
                }
            }
        case .event:
            // Calendar items have no author field (docs/CONTENT.md).
            lines.append("start: " + (post.start ?? ""))
            if let end = post.end { lines.append("end: " + end) }
            if let location = post.location?.trimmingCharacters(in: .whitespaces), !location.isEmpty {
                lines.append("location: " + Scaffold.yamlQuoted(location))
            }
        }
        if !post.attachments.isEmpty {
            lines.append("attachments:")
            for (attachment, file) in zip(post.attachments, attachmentNames(post)) {
                lines += ["  - file: " + file, "    title: " + Scaffold.yamlQuoted(attachmentTitle(attachment))]
            }
        }
        if post.urgent { lines.append("urgent: true") }
        lines.append("---")
        var body = post.text.replacingOccurrences(of: "\r\n", with: "\n").trimmingCharacters(in: .whitespacesAndNewlines)
        if post.kind == .news {
            // A news item's photos follow its text, as images next to the file (docs/CONTENT.md).
            let images = zip(post.photos, photoFiles).map { photo, file in
                "![\(markdownText(photo.caption ?? ""))](\(file))"
            }
            if !images.isEmpty { body += (body.isEmpty ? "" : "\n\n") + images.joined(separator: "\n\n") }
        }
        return lines.joined(separator: "\n") + "\n" + body + "\n"
    }

    /// Writes the post into content/groups/<group>/ (news/<slug>.md with its photos as
    /// <slug>-<n>.jpg beside it, calendar/<slug>.md, or albums/<slug>/ with index.md and
    /// foto-<nn>.jpg; a news or calendar post with attachments is a folder <slug>/index.md with its
    /// files in it) and checks the whole content; a post that would break it is taken out again.
    /// Returns the path in content/ (the file, or the item's folder).
    static func publish(
        _ post: PostPayload, files: PostFiles = PostFiles(), author: String, group: String, received: Date, paths: PathOptions, site: SiteConfig,
        children: [String: String] = [:]
    ) throws -> String {
        let section = post.kind == .event ? "calendar" : post.kind == .album ? "albums" : "news"
        let folder = paths.contentURL.appendingPathComponent("groups/\(group)/\(section)", isDirectory: true)
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        let titleSlug = Scaffold.slug(for: post.title)
        let base = titleSlug.isEmpty ? (post.kind == .album ? "album" : "bericht") : titleSlug
        var slug = base, n = 2
        while ["", ".md", "-1.jpg"].contains(where: { FileManager.default.fileExists(atPath: folder.appendingPathComponent(slug + $0).path) }) {
            slug = "\(base)-\(n)"
            n += 1
        }
        let album = post.kind == .album
        let bundle = album || !post.attachments.isEmpty
        let home = bundle ? folder.appendingPathComponent(slug, isDirectory: true) : folder
        let names = files.photos.indices.map { album ? String(format: "foto-%02d.jpg", $0 + 1) : "\(slug)-\($0 + 1).jpg" }
        let file = bundle ? home.appendingPathComponent("index.md") : folder.appendingPathComponent(slug + ".md")
        // What to take out again if the content does not load: the item's folder, or the files.
        let written = bundle ? [home] : names.map { home.appendingPathComponent($0) } + [file]
        do {
            if bundle { try FileManager.default.createDirectory(at: home, withIntermediateDirectories: false) }
            for (name, bytes) in zip(names + attachmentNames(post), files.photos + files.attachments) {
                try AtomicFile.write(bytes, to: home.appendingPathComponent(name).path, mode: 0o644)
            }
            try AtomicFile.write(
                Array(markdown(post, author: author, received: received, timeZone: site.timezone, photoFiles: names, children: children).utf8),
                to: file.path, mode: 0o644)
            _ = try ContentLoader(root: paths.contentURL).load()
        } catch {
            for url in written { try? FileManager.default.removeItem(at: url) }
            let problems = (error as? ContentErrors)?.problems.filter { $0.file.contains(slug) }.map(\.message) ?? []
            throw Refusal(reason: "Het bericht past niet in de site: " + (problems.isEmpty ? "\(error)" : problems.joined(separator: "; ")))
        }
        return "groups/\(group)/\(section)/" + (bundle ? slug : slug + ".md")
    }

    /// A published post's files: its path (a file or a folder), and for a news file the photos
    /// beside it (<slug>-<n>.jpg).
    static func removePublished(_ path: String, paths: PathOptions) throws {
        let url = paths.contentURL.appendingPathComponent(path)
        if FileManager.default.fileExists(atPath: url.path) { try FileManager.default.removeItem(at: url) }
        guard path.hasSuffix(".md") else { return }
        let stem = url.deletingPathExtension()
        var n = 1
        while case let photo = URL(fileURLWithPath: stem.path + "-\(n).jpg"), FileManager.default.fileExists(atPath: photo.path) {
            try FileManager.default.removeItem(at: photo)
            n += 1
        }
    }

    /// The post's photos and files, fetched from the receiver and opened with the school's inbox
    /// key, bound to the post's teacher and group (a part of another post, teacher or group does not open).
    static func files(of post: PostPayload, row: PostRow, client: ReceiverClient, keystore: Keystore) async throws -> PostFiles {
        func open(_ part: String, _ what: String) async throws -> [UInt8] {
            let fetched: (upload: AdminUpload, chunks: [[UInt8]])
            do { fetched = try await client.upload(id: part) } catch ReceiverClientError.refused(_, let code, _)
                where code == "unknown_upload" || code == "upload_incomplete" {
                throw Refusal(reason: "\(what) van dit bericht is niet (helemaal) aangekomen; stuur het bericht opnieuw.")
            }
            guard let enc = fetched.upload.encBytes, let bytes = try? UploadStream.open(
                enc: enc, chunks: fetched.chunks, recipientSecretKey: keystore.inboxSecretKey, tokenID: row.tokenID, group: row.group,
                partID: part)
            else { throw Refusal(reason: "\(what) van dit bericht kon op school niet worden geopend.") }
            return bytes
        }
        var files = PostFiles()
        for photo in post.photos {
            let bytes = try await open(photo.part, "Een foto")
            guard bytes.starts(with: [0xFF, 0xD8, 0xFF]) else { throw Refusal(reason: "Een foto van dit bericht is geen JPEG-foto.") }
            files.photos.append(bytes)
        }
        for attachment in post.attachments {
            let bytes = try await open(attachment.part, "Het bestand '\(attachment.name)'")
            guard let type = AttachmentType(fileName: attachment.name), type.matches(bytes) else {
                throw Refusal(reason: "Het bestand '\(attachment.name)' is geen echt \(AttachmentType(fileName: attachment.name)?.rawValue.uppercased() ?? "")-bestand.")
            }
            guard bytes.count <= AttachmentType.maxBytes else {
                throw Refusal(reason: "Het bestand '\(attachment.name)' is groter dan \(AttachmentType.maxBytes / 1_048_576) MB.")
            }
            files.attachments.append(bytes)
        }
        return files
    }

    /// keys/drafts/<id>/: the files of a post waiting for approval (0700: photos show children).
    static func draftFiles(_ keys: URL, id: String) -> URL { draftsFolder(keys).appendingPathComponent(id, isDirectory: true) }

    static func keepDraftFiles(_ files: PostFiles, keys: URL, id: String) throws {
        guard !files.photos.isEmpty || !files.attachments.isEmpty else { return }
        let folder = draftFiles(keys, id: id)
        try PrivateDirectory.make(folder.path)
        for (i, bytes) in files.photos.enumerated() { try AtomicFile.write(bytes, to: folder.appendingPathComponent("\(i + 1).jpg").path, mode: 0o600) }
        for (i, bytes) in files.attachments.enumerated() {
            try AtomicFile.write(bytes, to: folder.appendingPathComponent("attachment-\(i + 1)").path, mode: 0o600)
        }
    }

    static func readDraftFiles(_ draft: PostDraft, keys: URL) throws -> PostFiles {
        let folder = draftFiles(keys, id: draft.id)
        func read(_ name: String) throws -> [UInt8] { Array(try Data(contentsOf: folder.appendingPathComponent(name))) }
        return PostFiles(
            photos: try draft.post.photos.indices.map { try read("\($0 + 1).jpg") },
            attachments: try draft.post.attachments.indices.map { try read("attachment-\($0 + 1)") })
    }

    /// The reason sealed to the group's current inbox key, bound to the teacher's token and the post.
    static func sealedReason(_ reason: String, row: (id: String, tokenID: String, group: String), keystore: Keystore) throws -> SealedPayload {
        try PostReasonPayload(reason: reason).seal(
            tokenID: row.tokenID, binding: .post(group: row.group, id: row.id),
            inboxPublicKey: keystore.groupInboxKey(row.group).publicKey, namingKey: true)
    }

    /// A group's children by id, each with the name a photo's `children:` line gives it: the
    /// class list's name (the group's name beside it only where that is needed to tell two apart
    /// across groups; ConsentStage reads both).
    static func groupChildren(_ keystore: Keystore, group: String) -> [String: String] {
        Dictionary(keystore.children.filter { $0.left == nil && $0.group == group }.map { ($0.id, $0.name) },
                   uniquingKeysWith: { a, _ in a })
    }

    /// `portal sync`'s part: every `sent` post, opened, checked and published or kept for approval.
    static func sync(client: ReceiverClient, keystore: Keystore, paths: PathOptions) async throws -> String {
        let site = try ContentLoader(root: paths.contentURL).siteConfig()
        var lines = try await removeRetracted(client: client, keys: keystore.directory, paths: paths)
        let sent = try await client.posts(state: .sent)
        guard !sent.isEmpty || !lines.isEmpty else { return "No new posts from teachers." }
        for row in sent {
            let token = keystore.tokens().first { $0.id == row.tokenID }
            let author = token?.label ?? "?"
            do {
                let post: PostPayload
                do { post = try row.open(inboxSecretKey: keystore.inboxSecretKey) } catch {
                    throw Refusal(reason: "Het bericht kon op school niet worden geopend.")
                }
                let children = groupChildren(keystore, group: row.group)
                try check(post, group: row.group, token: token, site: site, children: children)
                let files = try await files(of: post, row: row, client: client, keystore: keystore)
                let received = RFC3339.date(row.received) ?? Date()
                switch site.teacherPosts {
                case .publish:
                    let path = try publish(
                        post, files: files, author: author, group: row.group, received: received, paths: paths, site: site, children: children)
                    try setPublished(row.id, path, keys: keystore.directory)
                    try await client.setPostState(id: row.id, .published)
                    lines.append("Published \"\(post.title)\" by \(author) as content/\(path) (live at the next generate).")
                case .approve:
                    let folder = draftsFolder(keystore.directory)
                    try PrivateDirectory.make(folder.path)
                    try keepDraftFiles(files, keys: keystore.directory, id: row.id)
                    let draft = PostDraft(id: row.id, tokenID: row.tokenID, author: author, group: row.group, received: row.received, post: post)
                    let encoder = JSONEncoder()
                    encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
                    try AtomicFile.write(Array(try encoder.encode(draft)), to: folder.appendingPathComponent(row.id + ".json").path, mode: 0o600)
                    try await client.setPostState(id: row.id, .waiting)
                    lines.append("Waiting for approval: \"\(post.title)\" by \(author) for \(row.group) (portal drafts approve \(row.id.prefix(8))).")
                }
            } catch let refusal as Refusal {
                let reason = token.flatMap { _ in try? sealedReason(refusal.reason, row: (row.id, row.tokenID, row.group), keystore: keystore) }
                try await client.setPostState(id: row.id, .rejected, reason: reason)
                lines.append("Refused a post by \(author) for \(row.group): \(refusal.reason)")
            }
        }
        return lines.joined(separator: "\n")
    }
}

struct DraftsCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "drafts",
        abstract: "Teachers' posts waiting for approval (site.yaml teacher_posts: approve).",
        discussion: """
            `portal sync` fetches new posts; then:
              portal drafts                       list them
              portal drafts show 3f9a1c2b         the Markdown it would write
              portal drafts approve 3f9a1c2b      write it into content/ (live at the next run)
              portal drafts reject 3f9a1c2b --reason "Graag zonder achternamen"
            The teacher sees the state (and the reason) in the app.
            """,
        subcommands: [List.self, Show.self, Approve.self, Reject.self], defaultSubcommand: List.self)

    static func drafts(_ keysOption: KeysOption) throws -> [PostDraft] {
        let folder = TeacherPosts.draftsFolder(keysOption.keysURL)
        guard let names = try? FileManager.default.contentsOfDirectory(atPath: folder.path) else { return [] }
        return try names.filter { $0.hasSuffix(".json") }.sorted().map { name in
            try JSONDecoder().decode(PostDraft.self, from: Data(contentsOf: folder.appendingPathComponent(name)))
        }.sorted { $0.received < $1.received }
    }

    static func draft(_ prefix: String, _ keysOption: KeysOption) throws -> PostDraft {
        let matches = try drafts(keysOption).filter { $0.id.hasPrefix(prefix.lowercased()) }
        guard prefix.count >= 6 else { throw ValidationError("give at least 6 characters of the draft's id") }
        guard let first = matches.first else { throw ValidationError("no draft \(prefix) (see `portal drafts`)") }
        guard matches.count == 1 else { throw ValidationError("\(prefix) matches several drafts; type more characters") }
        return first
    }

    static func remove(_ draft: PostDraft, _ keysOption: KeysOption) {
        try? FileManager.default.removeItem(at: TeacherPosts.draftsFolder(keysOption.keysURL).appendingPathComponent(draft.id + ".json"))
        try? FileManager.default.removeItem(at: TeacherPosts.draftFiles(keysOption.keysURL, id: draft.id))
    }

    struct List: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "List the posts waiting for approval.")
        @OptionGroup var receiverOptions: ReceiverOptions

        func run() async throws {
            let drafts = try DraftsCommand.drafts(receiverOptions.keysOption)
            if drafts.isEmpty { print("No posts waiting for approval (run `portal sync` to fetch new ones)."); return }
            let zone = receiverOptions.paths.schoolTimeZone
            for d in drafts {
                print(StaffOutput.terminal("\(d.id.prefix(8))  \(schoolTime(d.received, zone))  \(d.group)  \(d.author)  \(d.post.title)"))
            }
        }
    }

    struct Show: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Show the Markdown a draft would become.")
        @Argument(help: "The draft's id (at least 6 characters).") var id: String
        @OptionGroup var receiverOptions: ReceiverOptions

        func run() async throws {
            let d = try DraftsCommand.draft(id, receiverOptions.keysOption)
            let zone = receiverOptions.paths.schoolTimeZone
            print(StaffOutput.terminal(TeacherPosts.markdown(d.post, author: d.author, received: RFC3339.date(d.received) ?? Date(), timeZone: zone)), terminator: "")
        }
    }

    struct Approve: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Write a draft into content/; it goes live at the next generate.")
        @Argument(help: "The draft's id (at least 6 characters).") var id: String
        @OptionGroup var receiverOptions: ReceiverOptions

        func run() async throws {
            let d = try DraftsCommand.draft(id, receiverOptions.keysOption)
            let (client, _) = try receiverOptions.connect()
            let site = try ContentLoader(root: receiverOptions.paths.contentURL).siteConfig()
            do {
                let keystore = try openKeystore(receiverOptions.keysOption)
                let path = try TeacherPosts.publish(
                    d.post, files: try TeacherPosts.readDraftFiles(d, keys: receiverOptions.keysOption.keysURL), author: d.author,
                    group: d.group, received: RFC3339.date(d.received) ?? Date(), paths: receiverOptions.paths, site: site,
                    children: TeacherPosts.groupChildren(keystore, group: d.group))
                try TeacherPosts.setPublished(d.id, path, keys: receiverOptions.keysOption.keysURL)
                try await client.setPostState(id: d.id, .published)
                DraftsCommand.remove(d, receiverOptions.keysOption)
                print("Approved: content/\(path). Run `portal generate` (or wait for `portal run`) to publish it.")
            } catch let refusal as TeacherPosts.Refusal {
                throw ValidationError("cannot approve: \(refusal.reason) Reject it with a reason, or edit keys/drafts/\(d.id).json.")
            }
        }
    }

    struct Reject: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Reject a draft; the teacher reads the reason in the app.")
        @Argument(help: "The draft's id (at least 6 characters).") var id: String
        @Option(help: "Why, in a sentence the teacher understands (sealed: only the group's staff can read it).") var reason: String
        @OptionGroup var receiverOptions: ReceiverOptions

        func run() async throws {
            let text = reason.trimmingCharacters(in: .whitespacesAndNewlines)
            guard !text.isEmpty, text.count <= 500 else { throw ValidationError("--reason must be 1 to 500 characters") }
            let d = try DraftsCommand.draft(id, receiverOptions.keysOption)
            let keystore = try openKeystore(receiverOptions.keysOption)
            let (client, _) = try receiverOptions.connect()
            let sealed = try TeacherPosts.sealedReason(text, row: (d.id, d.tokenID, d.group), keystore: keystore)
            try await client.setPostState(id: d.id, .rejected, reason: sealed)
            DraftsCommand.remove(d, receiverOptions.keysOption)
            print("Rejected \"\(d.post.title)\"; \(d.author) sees the reason in the app.")
        }
    }
}
