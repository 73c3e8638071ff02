// Reads one Markdown file: front matter typed per kind, body parsed once.
import Foundation
import PortalMarkdown
import Yams

/// The front matter at the top of a file, between two `---` lines.
struct FrontMatterSplit {
    var yaml: String
    /// The body after the closing `---` line.
    var body: String
    /// File line of the first body line.
    var bodyLine: Int

    enum Problem: Error { case missing, unterminated }

    static func split(_ text: String) -> Result<FrontMatterSplit, Problem> {
        var utf8 = Substring(text).utf8
        if utf8.starts(with: [0xEF, 0xBB, 0xBF]) { utf8 = utf8.dropFirst(3) }
        // Walk the lines without building an array of them.
        var lineStart = utf8.startIndex
        var lineNumber = 1
        var yamlStart: Substring.UTF8View.Index?
        while lineStart < utf8.endIndex || lineNumber == 1 {
            let newline = utf8[lineStart...].firstIndex(of: 0x0A)
            let lineEnd = newline ?? utf8.endIndex
            let next = newline.map { utf8.index(after: $0) } ?? utf8.endIndex
            let isFence = isFenceLine(utf8[lineStart..<lineEnd])
            if lineNumber == 1 {
                guard isFence else { return .failure(.missing) }
                yamlStart = next
            } else if isFence, let yamlStart {
                let yaml = String(Substring(utf8[yamlStart..<lineStart]))
                let body = String(Substring(utf8[next...]))
                return .success(FrontMatterSplit(yaml: yaml, body: body, bodyLine: lineNumber + 1))
            }
            if newline == nil { break }
            lineStart = next
            lineNumber += 1
        }
        return .failure(.unterminated)
    }

    /// `---` with nothing after it but spaces (and a `\r`).
    private static func isFenceLine(_ line: Substring.UTF8View) -> Bool {
        var count = 0
        for byte in line {
            if byte == 0x2D && count < 3 {
                count += 1
            } else if count == 3 && (byte == 0x20 || byte == 0x09 || byte == 0x0D) {
                continue
            } else {
                return false
            }
        }
        return count == 3
    }
}

/// Front matter keys per kind, in the order docs/CONTENT.md lists them.
enum FrontMatterKeys {
    static let news = ["title", "date", "publish", "summary", "author", "urgent", "confirm", "attachments", "draft", "slug"]
    static let event = ["title", "start", "end", "all_day", "location", "publish", "summary", "urgent", "attachments", "draft", "slug"]
    static let album = ["title", "date", "publish", "summary", "cover", "photos", "urgent", "attachments", "draft", "slug"]
    static let page = ["title", "weight", "publish", "summary", "attachments", "draft", "slug"]
    static let conference = [
        "title", "teacher", "location", "slot_minutes", "evenings", "booking", "per_family", "min_notice_hours",
        "attachments", "draft", "slug",
    ]
    static let form = [
        "title", "date", "publish", "deadline", "per", "both_guardians", "questions", "consent", "summary", "urgent", "attachments",
        "draft", "slug",
    ]
    static let question = ["yes_no", "choice", "choices", "text", "shifts", "id", "required", "sign", "options", "max"]
    static let shift = ["label", "places"]
    static let photo = ["file", "caption", "children"]
    static let attachment = ["file", "title"]
    static let evening = ["date", "start", "end", "breaks"]
    static let breakKeys = ["start", "end"]
    static let booking = ["opens", "closes"]

    static func keys(for kind: ItemKind) -> [String] {
        switch kind {
        case .news: return news
        case .event: return event
        case .album: return album
        case .page: return page
        case .conference: return conference
        case .form: return form
        }
    }

    /// How messages name a kind's front matter.
    static func name(of kind: ItemKind) -> String {
        switch kind {
        case .news: return "news"
        case .event: return "calendar"
        case .album: return "album"
        case .page: return "page"
        case .conference: return "conference"
        case .form: return "form"
        }
    }
}

struct ItemReader {
    let root: URL
    let tree: ContentTree
    let clock: SiteClock
    let groupTeachers: [String: String]
    /// site.yaml's photo consent: `strict` wants every album photo to name its children, and a
    /// consent form asks one question per purpose.
    let consent: PhotoConsent
    let report: ProblemReport
    init(root: URL, tree: ContentTree, clock: SiteClock, groupTeachers: [String: String], consent: PhotoConsent = PhotoConsent(),
         report: ProblemReport) {
        self.root = root
        self.tree = tree
        self.clock = clock
        self.groupTeachers = groupTeachers
        self.consent = consent
        self.report = report
    }

    /// Reads one item; nil when the file cannot be read or has no front matter at all.
    func read(_ placement: ItemPlacement) -> LoadedItem? {
        let file = placement.path
        guard let data = FileManager.default.contents(atPath: root.path + "/" + file) else {
            report.add(file, nil, "cannot be read")
            return nil
        }
        guard let text = String(bytes: data, encoding: .utf8) else {
            report.add(file, nil, "is not UTF-8 text; save it as UTF-8")
            return nil
        }
        let split: FrontMatterSplit
        switch FrontMatterSplit.split(text) {
        case .success(let value): split = value
        case .failure(.missing):
            report.add(file, 1, "missing front matter; start the file with a '---' line, then 'title: ...' and the other keys, then another '---' line")
            return nil
        case .failure(.unterminated):
            report.add(file, 1, "front matter is not closed; add a '---' line after the last key")
            return nil
        }
        let kindName = FrontMatterKeys.name(of: placement.kind)
        let what = "\(kindName) front matter"
        let problemsBefore = report.problems.count
        let node = composeYAML(split.yaml, file: file, lineOffset: 1, what: "front matter", report: report)
        let yamlBroken = report.problems.count > problemsBefore
        let fields = yamlBroken
            ? nil
            : Fields(node, line: 1, what: what, allowed: FrontMatterKeys.keys(for: placement.kind), file: file,
                     lineOffset: 1, report: report)

        var item = ContentItem(
            kind: placement.kind, audience: placement.audience, slug: placement.nameSlug,
            logicalPath: placement.section + "/" + placement.nameSlug, sourcePath: file,
            sourceFolder: placement.folder, title: "", body: split.body, bodyLine: split.bodyLine)
        item.markdown = MarkdownDocument(split.body)
        var loaded = LoadedItem(item: item, draft: false, slugLine: nil, ownsFolder: placement.folder != placement.section)
        // With broken front matter the body is still checked and the item keeps its name-derived
        // path; an album's photos count as used, so the one real problem is not buried in others.
        guard let fields else {
            if placement.kind == .album {
                loaded.extraImages = (tree.imagesByFolder[placement.folder] ?? []).map { placement.folder + "/" + $0 }
            }
            return loaded
        }

        loaded.item.title = fields.text("title", required: true) ?? ""
        loaded.draft = fields.bool("draft") ?? false
        if !loaded.draft { checkPlaceholders(split, file: file) }
        if let slug = fields.text("slug") {
            loaded.slugLine = fields.lineOf("slug")
            if isSlug(slug) {
                loaded.item.slug = slug
                loaded.item.logicalPath = placement.section + "/" + slug
            } else {
                report.add(file, fields.lineOf("slug"), "slug '\(slug)' may only contain lowercase letters, digits and '-'")
            }
        } else if !fields.has("slug") && !isSlug(placement.nameSlug) {
            let source = placement.folder == placement.section ? "file name" : "folder name"
            report.add(file, nil, "the \(source) gives slug '\(placement.nameSlug)', but slugs may only contain lowercase letters, digits and '-'; rename it or set 'slug:'")
        }
        if fields.has("summary") { loaded.item.summary = fields.text("summary") }
        if fields.has("urgent") { loaded.item.urgent = fields.bool("urgent") ?? false }

        switch placement.kind {
        case .news:
            loaded.item.author = fields.text("author")
            loaded.item.date = fields.dateTime("date", required: true).map(clock.date)
            if fields.has("confirm") { loaded.item.confirm = fields.bool("confirm") ?? false }
        case .event:
            readEvent(fields, into: &loaded.item)
        case .album:
            loaded.item.date = fields.dateTime("date", required: true).map(clock.date)
            loaded.item.album = readAlbum(fields, folder: placement.folder, media: &loaded.item.media)
        case .page:
            loaded.item.weight = fields.int("weight") ?? 0
        case .conference:
            loaded.item.conference = readConference(fields, audience: placement.audience)
        case .form:
            let date = fields.dateTime("date", required: true)
            loaded.item.date = date.map(clock.date)
            loaded.item.form = readForm(fields, published: date)
        }
        // When parents see it: `publish:`, or a news item's date (written ahead, it waits for it).
        if let publish = fields.dateTime("publish") {
            loaded.item.publishAt = clock.date(publish)
        } else if placement.kind == .news {
            loaded.item.publishAt = loaded.item.date
        }
        if fields.has("attachments") {
            loaded.item.attachments = readAttachments(
                fields, folder: placement.folder, media: &loaded.item.media, refused: &loaded.extraImages)
        }
        return loaded
    }

    /// A line `portal new` wrote that was never replaced by the item's own text. On bytes: it
    /// runs over every item of every build (Foundation's trimming cost a fifth of the load).
    private func checkPlaceholders(_ split: FrontMatterSplit, file: String) {
        let body = split.body.utf8
        guard body.count < 4096 else { return }  // a real text, not a fresh scaffold
        var offset = 0
        var start = body.startIndex
        while start <= body.endIndex {
            let end = body[start...].firstIndex(of: 0x0A) ?? body.endIndex
            var line = body[start..<end]
            while let first = line.first, first == 0x20 || first == 0x09 { line = line.dropFirst() }
            while let last = line.last, last == 0x20 || last == 0x09 || last == 0x0D { line = line.dropLast() }
            if line.count >= Placeholders.shortest, let text = Placeholders.bytes.first(where: { $0.elementsEqual(line) }) {
                report.add(file, split.bodyLine + offset,
                           "still holds the text `portal new` put there ('\(String(decoding: text, as: UTF8.self))'): write the item's own text, or add 'draft: true' to keep it unpublished")
            }
            guard end < body.endIndex else { break }
            start = body.index(after: end)
            offset += 1
        }
    }

    private func readEvent(_ fields: Fields, into item: inout ContentItem) {
        let location = fields.text("location")
        let allDay = fields.bool("all_day")
        guard let start = fields.dateTime("start", required: true) else {
            _ = fields.dateTime("end")
            return
        }
        if let allDay, allDay != start.isAllDay {
            report.add(fields.file, fields.lineOf("all_day"), allDay
                ? "'all_day' is true but 'start' has a time; remove the time or set all_day: false"
                : "'all_day' is false but 'start' is a date without a time; add a time (YYYY-MM-DD HH:MM) or set all_day: true")
        }
        var end: LocalDateTime?
        if let value = fields.dateTime("end") {
            if value.isAllDay != start.isAllDay {
                report.add(fields.file, fields.lineOf("end"), start.isAllDay
                    ? "'end' has a time but 'start' is a whole day; write end as a date (YYYY-MM-DD)"
                    : "'end' is a date but 'start' has a time; write end as a moment (YYYY-MM-DD HH:MM)")
            } else if value < start {
                report.add(fields.file, fields.lineOf("end"), "'end' (\(value.text)) is before 'start' (\(start.text))")
            } else {
                end = value
            }
        }
        item.date = clock.date(start)
        item.event = EventInfo(
            start: EventTime(date: clock.date(start), allDay: start.isAllDay),
            end: end.map { EventTime(date: clock.date($0), allDay: $0.isAllDay) },
            location: location)
    }

    /// The album's photos, each also resolved to its file in `media`.
    private func readAlbum(_ fields: Fields, folder: String, media: inout [MediaReference]) -> AlbumInfo? {
        let file = fields.file
        var photos: [Photo] = []
        var photoLines: [String: Int] = [:]
        if let list = fields.list("photos") {
            for (node, line) in list {
                var name: String?
                var caption: String?
                var children: [String]?
                var childrenLine: Int?
                if case .scalar(let scalar) = node, !Fields.isNull(scalar) {
                    name = scalar.string.trimmingCharacters(in: .whitespaces)
                } else if let photo = Fields(node, line: line, what: "photo", allowed: FrontMatterKeys.photo,
                                             file: file, lineOffset: 1, report: report) {
                    name = photo.text("file", required: true)
                    caption = photo.text("caption")
                    if photo.has("children") {
                        children = readChildNames(photo)
                        childrenLine = photo.lineOf("children")
                    }
                } else {
                    continue
                }
                guard let name, !name.isEmpty else { continue }
                let path = folder + "/" + name
                if name.contains("/") {
                    report.add(file, line, "photo '\(name)' must be a file name in \(folder)/, not a path")
                } else if let first = photoLines[name] {
                    report.add(file, line, "photo '\(name)' is already listed on line \(first)")
                } else if !tree.fileSet.contains(path) {
                    var message = "photo '\(name)' not found in \(folder)/"
                    if let guess = closestMatch(to: name, among: tree.imagesByFolder[folder] ?? []) {
                        message += " (did you mean '\(guess)'?)"
                    }
                    report.add(file, line, message)
                } else if !isImageName(name) {
                    report.add(file, line, "photo '\(name)' is not an image (\(imageExtensionList))")
                } else {
                    photoLines[name] = line
                    if consent.mode == .strict && children == nil {
                        report.add(file, line, "photo '\(name)': with consent: strict every photo says who is on it; add 'children: [Sam, Noor]' (the class list's names), or 'children: []' for a photo without children")
                    }
                    photos.append(Photo(file: name, caption: caption, children: children, line: childrenLine))
                    media.append(photoReference(name, folder: folder, line: line))
                }
            }
            if list.isEmpty {
                report.add(file, fields.lineOf("photos"), "'photos' is an empty list; list the album's photos or leave 'photos' out to use every image in \(folder)/")
            }
        } else if !fields.has("photos") {
            for name in tree.imagesByFolder[folder] ?? [] {
                photos.append(Photo(file: name))
                media.append(photoReference(name, folder: folder, line: nil))
            }
            if photos.isEmpty {
                report.add(file, nil, "album has no photos; put images (\(imageExtensionList)) in \(folder)/")
            } else if consent.mode == .strict {
                report.add(file, nil, "with consent: strict every photo says who is on it: list the photos under 'photos:', each with 'children: [...]' ('children: []' for none)")
            }
        }
        let cover: String
        if let chosen = fields.text("cover") {
            if !photos.contains(where: { $0.file == chosen }) {
                var message = "cover '\(chosen)' is not one of the album's photos"
                if let guess = closestMatch(to: chosen, among: photos.map(\.file)) { message += " (did you mean '\(guess)'?)" }
                report.add(file, fields.lineOf("cover"), message)
            }
            cover = chosen
        } else {
            cover = photos.first?.file ?? ""
        }
        return AlbumInfo(photos: photos, cover: cover)
    }

    /// The item's attachments, each checked on disk (there, a known type, its bytes of that type,
    /// not empty, not over `AttachmentType.maxBytes`) and resolved into `media`. Files that are
    /// there but refused go to `refused`: they count as used, so each is reported once.
    private func readAttachments(
        _ fields: Fields, folder: String, media: inout [MediaReference], refused: inout [String]
    ) -> [Attachment] {
        let file = fields.file
        var attachments: [Attachment] = []
        var lines: [String: Int] = [:]
        guard let list = fields.list("attachments") else { return [] }
        for (node, line) in list {
            var name: String?
            var title: String?
            if case .scalar(let scalar) = node, !Fields.isNull(scalar) {
                name = scalar.string.trimmingCharacters(in: .whitespaces)
            } else if let entry = Fields(node, line: line, what: "attachment", allowed: FrontMatterKeys.attachment,
                                         file: file, lineOffset: 1, report: report) {
                name = entry.text("file", required: true)
                title = entry.text("title")
            } else {
                continue
            }
            guard let name, !name.isEmpty else { continue }
            let path = folder + "/" + name
            guard !name.contains("/") else {
                report.add(file, line, "attachment '\(name)' must be a file name in \(folder)/, not a path")
                continue
            }
            if let first = lines[name] {
                report.add(file, line, "attachment '\(name)' is already listed on line \(first)")
                continue
            }
            guard let type = AttachmentType(fileName: name) else {
                report.add(file, line, "attachment '\(name)' is not a kind of file parents can open here; use \(AttachmentType.list)")
                continue
            }
            guard tree.fileSet.contains(path) else {
                var message = "attachment '\(name)' not found in \(folder)/"
                let prefix = folder + "/"
                let near = tree.files.filter { $0.hasPrefix(prefix) && isAttachmentName($0) }.map { String($0.dropFirst(prefix.count)) }
                if let guess = closestMatch(to: name, among: near.filter { !$0.contains("/") }) { message += " (did you mean '\(guess)'?)" }
                report.add(file, line, message)
                continue
            }
            let url = root.appendingPathComponent(path)
            refused.append(path)  // taken out again once every check passed
            guard let (size, start) = Self.sizeAndStart(of: url) else {
                report.add(file, line, "attachment '\(name)' cannot be read")
                continue
            }
            if size == 0 {
                report.add(file, line, "attachment '\(name)' is empty")
                continue
            }
            if size > AttachmentType.maxBytes {
                report.add(file, line, "attachment '\(name)' is \(megabytes(size)); attachments may be at most \(megabytes(AttachmentType.maxBytes)): make it smaller (a PDF saved 'for screen' or with smaller images) or split it")
                continue
            }
            if !type.matches(start) {
                report.add(file, line, "attachment '\(name)' is not a real .\(type.rawValue) file (its first bytes are not those of one); save it again as .\(type.rawValue) and try once more")
                continue
            }
            refused.removeLast()
            lines[name] = line
            let shown = title ?? String(name.dropLast(type.rawValue.count + 1))
            attachments.append(Attachment(file: name, title: shown, type: type, size: size))
            media.append(MediaReference(kind: .attachment, source: name, path: name, sourcePath: path, file: url, line: line))
        }
        if list.isEmpty {
            report.add(file, fields.lineOf("attachments"), "'attachments' is an empty list; list the files or leave 'attachments' out")
        }
        return attachments
    }

    /// A file's size and its first bytes (enough to tell its type).
    private static func sizeAndStart(of url: URL) -> (Int, [UInt8])? {
        guard let handle = try? FileHandle(forReadingFrom: url) else { return nil }
        defer { try? handle.close() }
        do {
            let end = try handle.seekToEnd()
            try handle.seek(toOffset: 0)
            return (Int(end), Array(try handle.read(upToCount: 8) ?? Data()))  // nil: an empty file
        } catch {
            return nil
        }
    }

    /// An album photo's file. Its name is a file name as typed in YAML (or found in the folder),
    /// so unlike a Markdown image source it is not percent-decoded.
    private func photoReference(_ name: String, folder: String, line: Int?) -> MediaReference {
        let path = folder + "/" + name
        return MediaReference(
            kind: .photo, source: name, path: name, sourcePath: path, file: root.appendingPathComponent(path), line: line)
    }

    private func readConference(_ fields: Fields, audience: Audience) -> ConferenceSchedule? {
        let file = fields.file
        let teacher = fields.text("teacher") ?? groupTeachers[audience.id] ?? ""
        let location = fields.text("location")
        var slotMinutes = fields.int("slot_minutes", required: true)
        if let minutes = slotMinutes, minutes <= 0 {
            report.add(file, fields.lineOf("slot_minutes"), "'slot_minutes' must be more than 0")
            slotMinutes = nil
        } else if let minutes = slotMinutes, minutes > 24 * 60 {
            report.add(file, fields.lineOf("slot_minutes"), "'slot_minutes' must be at most 1440 (a day)")
            slotMinutes = nil
        }
        var perFamily = fields.int("per_family") ?? 1
        if perFamily < 1 {
            report.add(file, fields.lineOf("per_family"), "'per_family' must be 1 or more")
            perFamily = 1
        }
        var minNotice = fields.int("min_notice_hours") ?? 24
        if minNotice < 0 || minNotice > 24 * 366 {
            report.add(file, fields.lineOf("min_notice_hours"), "'min_notice_hours' must be between 0 and 8784 (a year)")
            minNotice = 0
        }

        var opens: LocalDateTime?
        var closes: LocalDateTime?
        if let booking = fields.mapping("booking", what: "booking", allowed: FrontMatterKeys.booking, required: true) {
            opens = booking.dateTime("opens", required: true)
            closes = booking.dateTime("closes", required: true)
            if let opens, let closes, closes <= opens {
                report.add(file, booking.lineOf("closes"), "booking 'closes' (\(closes.text)) must be after 'opens' (\(opens.text))")
            }
        }

        struct Evening {
            var day: LocalDateTime
            var start: Int
            var end: Int
            var breaks: [(start: Int, end: Int)]
            var line: Int
        }
        var evenings: [Evening] = []
        var eveningsBroken = false
        if let list = fields.list("evenings", required: true) {
            if list.isEmpty {
                report.add(file, fields.lineOf("evenings"), "'evenings' is empty; add at least one evening with date, start and end")
            }
            for (node, line) in list {
                guard let evening = Fields(node, line: line, what: "evening", allowed: FrontMatterKeys.evening,
                                           file: file, lineOffset: 1, report: report)
                else { eveningsBroken = true; continue }
                var day = evening.dateTime("date", required: true)
                if let value = day, !value.isAllDay {
                    report.add(file, evening.lineOf("date"), "the evening's 'date' must be a date without a time; put the times in 'start' and 'end'")
                    day = nil
                }
                let start = evening.timeOfDay("start", required: true)
                let end = evening.timeOfDay("end", required: true)
                var timesValid = start != nil && end != nil
                if let start, let end, end <= start {
                    report.add(file, evening.lineOf("end"), "the evening's 'end' (\(clockText(end))) must be after its 'start' (\(clockText(start)))")
                    timesValid = false
                }
                var breaks: [(start: Int, end: Int, line: Int)] = []
                for (breakNode, breakLine) in evening.list("breaks") ?? [] {
                    guard let pause = Fields(breakNode, line: breakLine, what: "break", allowed: FrontMatterKeys.breakKeys,
                                             file: file, lineOffset: 1, report: report),
                          let breakStart = pause.timeOfDay("start", required: true),
                          let breakEnd = pause.timeOfDay("end", required: true)
                    else { eveningsBroken = true; continue }
                    let text = "\(clockText(breakStart))-\(clockText(breakEnd))"
                    if breakEnd <= breakStart {
                        report.add(file, pause.lineOf("end"), "break \(text): 'end' must be after 'start'")
                        eveningsBroken = true
                    } else if let start, let end, timesValid, breakStart < start || breakEnd > end {
                        report.add(file, breakLine, "break \(text) is outside the evening (\(clockText(start))-\(clockText(end)))")
                        eveningsBroken = true
                    } else if let other = breaks.first(where: { breakStart < $0.end && $0.start < breakEnd }) {
                        report.add(file, breakLine, "break \(text) overlaps the break on line \(other.line)")
                        eveningsBroken = true
                    } else {
                        breaks.append((breakStart, breakEnd, breakLine))
                    }
                }
                guard let day, let start, let end, timesValid else { eveningsBroken = true; continue }
                if let other = evenings.first(where: { $0.day == day && start < $0.end && $0.start < end }) {
                    report.add(file, line, "evening \(day.text) \(clockText(start))-\(clockText(end)) overlaps the evening on line \(other.line)")
                    eveningsBroken = true
                    continue
                }
                if let opens, day.with(minutes: start) < opens {
                    report.add(file, evening.lineOf("date"), "evening \(day.with(minutes: start).text) starts before booking opens (\(opens.text)); move 'opens' earlier")
                }
                evenings.append(Evening(
                    day: day, start: start, end: end,
                    breaks: breaks.sorted { $0.start < $1.start }.map { ($0.start, $0.end) }, line: line))
            }
        }

        var slots: [ConferenceSlot] = []
        if let slotMinutes {
            for evening in evenings {
                // Cut each stretch between breaks from its start; a slot that would run past the
                // stretch (into a break or past the end) is dropped.
                var free: [(Int, Int)] = []
                var cursor = evening.start
                for pause in evening.breaks {
                    free.append((cursor, pause.start))
                    cursor = pause.end
                }
                free.append((cursor, evening.end))
                for (from, to) in free {
                    var t = from
                    while t + slotMinutes <= to {
                        let start = evening.day.with(minutes: t)
                        slots.append(ConferenceSlot(
                            id: evening.day.dayText + "T" + clockText(t), start: clock.date(start),
                            end: clock.date(start).addingTimeInterval(TimeInterval(slotMinutes * 60))))
                        t += slotMinutes
                    }
                }
            }
            if slots.isEmpty && !evenings.isEmpty && !eveningsBroken {
                report.add(file, fields.lineOf("slot_minutes"), "no bookable slots: every evening (without its breaks) is shorter than slot_minutes (\(slotMinutes))")
            }
        }
        slots.sort { $0.start < $1.start }

        guard let opens, let closes else { return nil }
        return ConferenceSchedule(
            teacher: teacher, location: location, slotMinutes: slotMinutes ?? 0,
            evenings: evenings.map { evening in
                ConferenceEvening(
                    start: clock.date(evening.day.with(minutes: evening.start)),
                    end: clock.date(evening.day.with(minutes: evening.end)),
                    breaks: evening.breaks.map {
                        let start = clock.date(evening.day.with(minutes: $0.start))
                        let end = clock.date(evening.day.with(minutes: $0.end))
                        return DateInterval(start: start, duration: max(0, end.timeIntervalSince(start)))
                    })
            },
            bookingOpens: clock.date(opens), bookingCloses: clock.date(closes), perFamily: perFamily,
            minNoticeHours: minNotice, slots: slots)
    }

    /// A form's deadline, answer unit and questions (docs/CONTENT.md "Forms").
    private func readForm(_ fields: Fields, published: LocalDateTime?) -> FormInfo? {
        let file = fields.file
        // Read once: a wrong value is reported once.
        let isConsent = fields.bool("consent") == true
        var deadline: Date?
        if let value = fields.dateTime("deadline", required: !isConsent) {
            // A date alone: answers until the end of that day.
            let instant = value.isAllDay
                ? clock.calendar.date(byAdding: .day, value: 1, to: clock.date(value)) ?? clock.date(value)
                : clock.date(value)
            if let published, instant <= clock.date(published) {
                report.add(file, fields.lineOf("deadline"), "the 'deadline' (\(value.text)) must be after the form's 'date' (\(published.text))")
            }
            deadline = instant
        }
        var per = FormInfo.Per.child
        if let text = fields.text("per") {
            if let value = FormInfo.Per(rawValue: text) {
                per = value
            } else {
                report.add(file, fields.lineOf("per"), "'per' must be child (one answer per child) or family (one per family), not '\(text)'")
            }
        }
        let bothGuardians = fields.bool("both_guardians") ?? false
        if isConsent {
            // The standing photo consent form: its questions are site.yaml's purposes.
            if fields.has("questions") {
                report.add(file, fields.lineOf("questions"), "a consent form asks site.yaml's consent_purposes; leave 'questions' out")
            }
            if per == .family {
                report.add(file, fields.lineOf("per"), "photo consent is given per child; leave 'per' out")
            }
            return FormInfo(
                deadline: deadline ?? FormInfo.standing, per: .child, bothGuardians: bothGuardians,
                questions: consent.purposes.map {
                    FormInfo.Question(key: $0.id, kind: .yesNo, text: $0.label, required: true, sign: true)
                }, consent: true)
        }
        var questions: [FormInfo.Question] = []
        var keyLines: [String: Int] = [:]
        if let list = fields.list("questions", required: true) {
            if list.isEmpty {
                report.add(file, fields.lineOf("questions"), "'questions' is empty; ask at least one question (yes_no:, choice:, choices:, text: or shifts:)")
            } else if list.count > 30 {
                report.add(file, fields.lineOf("questions"), "a form asks at most 30 questions, this one \(list.count); split it")
            }
            for (index, (node, line)) in list.prefix(30).enumerated() {
                guard let entry = Fields(node, line: line, what: "question", allowed: FrontMatterKeys.question,
                                         file: file, lineOffset: 1, report: report),
                      let question = readQuestion(entry, number: index + 1)
                else { continue }
                if let first = keyLines[question.key] {
                    report.add(file, line, "question '\(question.key)' is already asked on line \(first); give one of them its own 'id:'")
                    continue
                }
                keyLines[question.key] = line
                questions.append(question)
            }
        }
        if bothGuardians && !questions.contains(where: { $0.kind == .yesNo }) {
            report.add(file, fields.lineOf("both_guardians"), "'both_guardians' asks both parents to agree, so the form needs a yes_no question")
        }
        guard let deadline else { return nil }
        return FormInfo(deadline: deadline, per: per, bothGuardians: bothGuardians, questions: questions)
    }

    private func readQuestion(_ entry: Fields, number: Int) -> FormInfo.Question? {
        let file = entry.file
        let kinds = FormInfo.Kind.allCases.filter { entry.has($0.rawValue) }
        guard kinds.count == 1, let kind = kinds.first else {
            report.add(file, entry.line, kinds.isEmpty
                ? "a question says what kind it is with its key: yes_no:, choice:, choices:, text: or shifts:, followed by the question"
                : "a question has one kind, this one has \(kinds.map { $0.rawValue + ":" }.joined(separator: " and ")); make them two questions")
            return nil
        }
        guard let text = entry.text(kind.rawValue, required: true) else { return nil }
        var key = Self.questionKey(text, number: number)
        if let id = entry.text("id") {
            if isSlug(id) && id.utf8.count <= 40 {
                key = id
            } else {
                report.add(file, entry.lineOf("id"), "the question's 'id' '\(id)' may only contain lowercase letters, digits and '-' (at most 40)")
            }
        }
        let required = entry.bool("required") ?? (kind == .yesNo || kind == .choice)
        var question = FormInfo.Question(key: key, kind: kind, text: text, required: required)
        if entry.has("sign") {
            if kind == .yesNo {
                question.sign = entry.bool("sign") ?? true
            } else {
                report.add(file, entry.lineOf("sign"), "'sign' (the parent writes their name) belongs to a yes_no question")
            }
        } else {
            question.sign = kind == .yesNo
        }
        switch kind {
        case .choice, .choices:
            guard let list = entry.list("options", required: true) else { return nil }
            var seen: [String: Int] = [:]
            for (node, line) in list {
                guard case .scalar(let scalar) = node, !Fields.isNull(scalar) else {
                    report.add(file, line, "an option is text, like '- Dinsdag'")
                    continue
                }
                let option = scalar.string.trimmingCharacters(in: .whitespaces)
                guard !option.isEmpty else { continue }
                if let first = seen[option.lowercased()] {
                    report.add(file, line, "option '\(option)' is already listed on line \(first)")
                    continue
                }
                seen[option.lowercased()] = line
                question.options.append(option)
            }
            if question.options.count < 2 || question.options.count > 20 {
                report.add(file, entry.lineOf("options"), "a \(kind.rawValue) question offers 2 to 20 options, this one \(question.options.count)")
            }
        case .shifts:
            guard let list = entry.list("options", required: true) else { return nil }
            var seen: [String: Int] = [:]
            for (node, line) in list {
                guard let shift = Fields(node, line: line, what: "shift", allowed: FrontMatterKeys.shift,
                                         file: file, lineOffset: 1, report: report),
                      let label = shift.text("label", required: true),
                      let places = shift.int("places", required: true)
                else { continue }
                guard (1...1000).contains(places) else {
                    report.add(file, shift.lineOf("places"), "shift '\(label)': 'places' must be between 1 and 1000")
                    continue
                }
                if let first = seen[label] {
                    report.add(file, line, "shift '\(label)' is already listed on line \(first)")
                    continue
                }
                seen[label] = line
                question.shifts.append(FormInfo.Shift(label: label, places: places))
            }
            if list.isEmpty || list.count > 50 {
                report.add(file, entry.lineOf("options"), "a shifts question offers 1 to 50 shifts ('- label: ...' with 'places: ...')")
            }
        case .yesNo, .text:
            if entry.has("options") {
                report.add(file, entry.lineOf("options"), "'options' belong to a choice, choices or shifts question")
            }
        }
        let most = kind == .choices ? question.options.count : kind == .shifts ? question.shifts.count : 1
        question.max = kind == .shifts ? 1 : most
        if entry.has("max") {
            if kind == .choices || kind == .shifts {
                if let value = entry.int("max") {
                    if value >= 1 && value <= max(1, most) {
                        question.max = value
                    } else {
                        report.add(file, entry.lineOf("max"), "'max' must be between 1 and \(max(1, most)) (the number of \(kind == .shifts ? "shifts" : "options"))")
                    }
                }
            } else {
                report.add(file, entry.lineOf("max"), "'max' belongs to a choices or shifts question")
            }
        }
        return question
    }

    /// The question in lower case, letters and digits kept (accents taken off), the rest `-`;
    /// `vraag-N` when nothing is left (a question in Arabic script).
    static func questionKey(_ text: String, number: Int) -> String {
        let folded = text.folding(options: [.diacriticInsensitive, .caseInsensitive], locale: Locale(identifier: "en"))
        var key = ""
        for byte in folded.lowercased().utf8 {
            if (0x61...0x7A).contains(byte) || (0x30...0x39).contains(byte) {
                key.unicodeScalars.append(Unicode.Scalar(byte))
            } else if !key.isEmpty && !key.hasSuffix("-") {
                key += "-"
            }
            if key.utf8.count >= 40 { break }
        }
        while key.hasSuffix("-") { key.removeLast() }
        return key.isEmpty ? "vraag-\(number)" : key
    }

    /// `children: [Sam, Noor]` on an album photo: names as the class list writes them (`Sam
    /// (groep-3)` when two children share a name), resolved to children when the site is built.
    private func readChildNames(_ photo: Fields) -> [String]? {
        // `children:` with nothing after it: nobody on the photo, like `children: []`.
        guard photo.node("children", required: false) != nil else { return [] }
        guard let list = photo.list("children") else { return nil }
        var names: [String] = []
        for (node, line) in list {
            guard case .scalar(let scalar) = node, !Fields.isNull(scalar) else {
                report.add(photo.file, line, "a child on a photo is a name, like '- Sam'")
                continue
            }
            let name = scalar.string.trimmingCharacters(in: .whitespaces)
            if !name.isEmpty && !names.contains(name) { names.append(name) }
        }
        return names
    }
}
