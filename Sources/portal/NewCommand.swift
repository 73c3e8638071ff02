import ArgumentParser
import Foundation
import PortalContent
import PortalFiles

/// `portal new news "Titel"`: a new Markdown file with the right front matter, like `hugo new`.
struct NewCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "new",
        abstract: "Create a news item, calendar event, album, info page, conference schedule or form with its front matter.",
        discussion: """
            Examples:
              portal new news "Sinterklaas komt naar school"
              portal new event --group groep-5 "Excursie naar het museum"
              portal new album "Schoolreis 2027"      (then put the photos in the new folder)
              portal new conference --group groep-5 "Oudergesprekken maart"
              portal new form --group groep-5 "Schoolreis naar Artis"   (answers: portal answers)
            """)

    enum Kind: String, ExpressibleByArgument, CaseIterable {
        case news, event, album, page, conference, form
    }

    @Argument(help: "What to create: news, event, album, page, conference (needs --group) or form.")
    var kind: Kind

    @Argument(help: "The title, in quotes.")
    var title: String

    @Option(help: "Group id (from site.yaml) for a group item; school-wide when left out.")
    var group: String?

    @OptionGroup var paths: PathOptions

    func run() throws {
        let result = try Scaffold(contentRoot: paths.contentURL, now: Date(), timeZone: paths.schoolTimeZone).create(kind: kind.rawValue, title: title, group: group)
        print("Created \((paths.content as NSString).appendingPathComponent(result))")
    }
}

/// Writes a new content file. Separate from the command so that tests can call it.
struct Scaffold {
    let contentRoot: URL
    let now: Date
    /// The school's time zone: "today" is the school's today.
    let timeZone: TimeZone

    struct Failure: Error, CustomStringConvertible {
        var description: String
    }

    /// Returns the new file's path relative to the content folder.
    func create(kind: String, title: String, group: String?) throws -> String {
        let trimmed = title.trimmingCharacters(in: .whitespacesAndNewlines)
        guard !trimmed.isEmpty else { throw Failure(description: "the title is empty") }
        let slug = Self.slug(for: trimmed)
        guard !slug.isEmpty else { throw Failure(description: "the title has no letters or digits to make a file name from") }
        if let group {
            let groups = try knownGroups()
            guard groups.contains(group) else {
                throw Failure(description: "unknown group '\(group)'; groups in site.yaml: \(groups.joined(separator: ", "))")
            }
        }
        if kind == "conference" && group == nil {
            throw Failure(description: "a conference belongs to a group: add --group <id> (the teacher's group)")
        }
        let folder = ["news": "news", "event": "calendar", "album": "albums", "page": "pages", "conference": "conferences", "form": "forms"][kind] ?? kind
        let base = group.map { "groups/\($0)/\(folder)" } ?? folder
        let relative = kind == "album" ? "\(base)/\(slug)/index.md" : "\(base)/\(slug).md"
        let url = contentRoot.appendingPathComponent(relative)
        guard !FileManager.default.fileExists(atPath: url.path),
              !FileManager.default.fileExists(atPath: contentRoot.appendingPathComponent("\(base)/\(slug)").path)
        else { throw Failure(description: "\(relative) already exists; choose another title") }

        let day = Self.day(now, in: timeZone)
        let quoted = Self.yamlQuoted(trimmed)
        let text: String
        switch kind {
        case "news":
            text = "---\ntitle: \(quoted)\ndate: \(day)\n\(Self.attachmentsHelp(beside: "news/"))---\n\(Placeholders.news)\n"
        case "event":
            text = "---\ntitle: \(quoted)\nstart: \(day) 19:00\nend: \(day) 20:30\n\(Self.attachmentsHelp(beside: "calendar/"))---\n"
        case "album":
            text = "---\ntitle: \(quoted)\ndate: \(day)\n# photos: every image in this folder, by name; or list them:\n# photos:\n#   - file: foto-1.jpg\n#     caption: Onderschrift\n\(Self.attachmentsHelp(beside: "this folder"))---\n\(Placeholders.album)\n"
        case "conference":
            text = Self.conference(title: quoted, now: now, timeZone: timeZone)
        case "form":
            text = Self.form(title: quoted, now: now, timeZone: timeZone)
        default:
            text = "---\ntitle: \(quoted)\nweight: 50\n\(Self.attachmentsHelp(beside: "pages/"))---\n\(Placeholders.page)\n"
        }
        do {
            try FileManager.default.createDirectory(at: url.deletingLastPathComponent(), withIntermediateDirectories: true)
            try AtomicFile.write(Array(text.utf8), to: url.path, mode: 0o644)
        } catch {
            throw Failure(description: "cannot write \(relative): \(error)")
        }
        return relative
    }

    /// Commented front matter for files parents open or save (docs/CONTENT.md "Attachments"):
    /// taking the first `#` off each line leaves valid YAML whose remarks are comments.
    static func attachmentsHelp(beside folder: String) -> String {
        """
        # attachments:                # files for parents (PDF, Word, Excel, PowerPoint, OpenDocument,
        #   - file: nieuwsbrief.pdf   # up to 20 MB each) in \(folder); take the first # off these lines
        #     title: Nieuwsbrief december

        """
    }

    /// A conference three weeks ahead, booking open from tomorrow evening until four days
    /// before, each line explained: the front matter staff find hardest to write.
    static func conference(title: String, now: Date, timeZone: TimeZone) -> String {
        let first = day(now.addingTimeInterval(21 * 86400), in: timeZone)
        let second = day(now.addingTimeInterval(23 * 86400), in: timeZone)
        let opens = day(now.addingTimeInterval(86400), in: timeZone)
        let closes = day(now.addingTimeInterval(17 * 86400), in: timeZone)
        return """
            ---
            title: \(title)
            # teacher: Juf Sanne        (who holds the talks; the group's teacher when left out)
            location: Lokaal
            slot_minutes: 10            # length of one talk; slots are cut from each evening
            evenings:                   # one or more; times in quotes
              - date: \(first)
                start: "18:30"
                end: "21:00"
                breaks:                 # optional: no talks in a break
                  - start: "19:40"
                    end: "19:50"
              - date: \(second)
                start: "15:00"
                end: "17:00"
            booking:                    # when parents can choose a time (before the first evening)
              opens: \(opens) 19:00
              closes: \(closes) 12:00
            per_family: 1               # talks a family may book (2 for twins)
            min_notice_hours: 24        # no booking or change closer to a talk than this
            ---
            \(Placeholders.conference)

            """
    }

    /// A form open for a week, with one question of each kind explained (docs/CONTENT.md "Forms").
    static func form(title: String, now: Date, timeZone: TimeZone) -> String {
        """
        ---
        title: \(title)
        date: \(day(now, in: timeZone))
        deadline: \(day(now.addingTimeInterval(7 * 86400), in: timeZone)) 18:00   # answers until then
        per: child                  # child: one answer per child; family: one per family
        # both_guardians: true      # each parent answers; staff see "beide ouders" when both agree
        questions:                  # each starts with its kind: yes_no, choice, choices, text, shifts
          - yes_no: Mag uw kind mee?
            sign: true              # the parent writes their name under a yes
          - choice: Welke dag past het best?
            options: [Dinsdag, Donderdag]
          - text: Is er iets wat de leerkracht moet weten?
          # - shifts: Wie helpt er mee?
          #   options:              # places: never more helpers than this
          #     - label: Rijden heen
          #       places: 4
        ---
        \(Placeholders.form)

        """
    }

    private func knownGroups() throws -> [String] {
        guard let groups = ContentLoader(root: contentRoot).groupIDs() else {
            throw Failure(description: "cannot read the groups from \(contentRoot.appendingPathComponent("site.yaml").path); run `portal check`")
        }
        return groups
    }

    /// "Sinterklaas komt! (2026)" -> "sinterklaas-komt-2026"; accents folded (é -> e).
    static func slug(for title: String) -> String {
        let folded = title.folding(options: [.diacriticInsensitive, .caseInsensitive], locale: Locale(identifier: "nl_NL")).lowercased()
        var slug = ""
        for scalar in folded.unicodeScalars {
            if ("a"..."z").contains(scalar) || ("0"..."9").contains(scalar) {
                slug.unicodeScalars.append(scalar)
            } else if !slug.isEmpty && !slug.hasSuffix("-") {
                slug += "-"
            }
        }
        while slug.hasSuffix("-") { slug.removeLast() }
        return String(slug.prefix(60))
    }

    static func yamlQuoted(_ text: String) -> String {
        "\"" + text.replacingOccurrences(of: "\\", with: "\\\\").replacingOccurrences(of: "\"", with: "\\\"") + "\""
    }

    static func day(_ date: Date, in timeZone: TimeZone) -> String {
        let formatter = DateFormatter()
        formatter.locale = Locale(identifier: "en_US_POSIX")
        formatter.timeZone = timeZone
        formatter.dateFormat = "yyyy-MM-dd"
        return formatter.string(from: date)
    }
}
