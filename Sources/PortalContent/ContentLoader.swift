// Loads content/ into a validated Site: walks the folders, reads every file once, checks everything.
import Foundation
import PortalMarkdown
import PortalFiles
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Loads and validates a content folder (see docs/CONTENT.md).
///
/// ```swift
/// do {
///     let site = try ContentLoader(root: URL(fileURLWithPath: "content")).load()
///     print(site.items.count)
/// } catch {
///     print(error)   // every problem at once, one `file:line: message` per line
/// }
/// ```
public struct ContentLoader: Sendable {
    public let root: URL
    /// The site's settings file, relative to the content folder.
    public static let configFile = SiteConfigReader.file

    public init(root: URL) {
        self.root = root
    }

    /// The group ids in site.yaml, without reading or checking any item (for `portal new`);
    /// nil when site.yaml cannot be read.
    public func groupIDs() -> [String]? {
        SiteConfigReader.read(root: root, report: ProblemReport()).groupIDs.map { $0.sorted() }
    }

    /// site.yaml alone, checked, without reading any item (for class lists and letters). Throws
    /// the problems of site.yaml only.
    public func siteConfig() throws(ContentErrors) -> SiteConfig {
        let report = ProblemReport()
        let result = SiteConfigReader.read(root: root, report: report)
        guard report.problems.isEmpty, let config = result.config else {
            var problems = report.sorted
            if problems.isEmpty {
                problems = [ContentProblem(file: SiteConfigReader.file, line: nil, message: "cannot be read")]
            }
            throw ContentErrors(problems)
        }
        return config
    }

    /// Reads site.yaml and every item, and checks them all. Throws every problem at once, sorted by
    /// file then line; returns the site only when there is none. Drafts are left out of the result.
    public func load() throws(ContentErrors) -> Site { try loadWithFacts().site }

    /// `load()`, with every item's facts for a later `loadUpdate`. `listing`: content/ as
    /// `FileTree.listing` gave it, when the caller has it (else the folder is read here).
    /// `excluding`: item files (paths relative to the folder) left out as if they were not
    /// there (the preview, which shows the rest while one item has a problem).
    public func loadWithFacts(listing: FileTree.Listing? = nil, excluding: Set<String> = []) throws(ContentErrors) -> LoadedContent {
        let read = try readItems(listing: listing, excluding: excluding) { _ in true }
        return LoadedContent(site: Site(config: read.config, contentRoot: root, items: read.items), facts: read.facts)
    }

    /// Reads again only the items that `changed` (paths relative to the content folder, added,
    /// edited or removed since `previous` was made) may have changed, and checks every item:
    /// each re-read one on its own, all of them across (links, duplicate paths, unused images)
    /// with the facts of the others. site.yaml must be unchanged since `previous` was made (a
    /// changed site.yaml changes every item: load them all).
    public func loadUpdate(reusing previous: [ItemFacts], changed: Set<String>) throws(ContentErrors) -> ContentUpdate {
        try loadUpdate(reusing: Dictionary(previous.map { ($0.sourcePath, $0) }, uniquingKeysWith: { first, _ in first }), changed: changed)
    }

    /// `loadUpdate`, with the earlier facts by source path (and content/'s listing, if made).
    public func loadUpdate(
        reusing before: [String: ItemFacts], changed: Set<String>, listing: FileTree.Listing? = nil
    ) throws(ContentErrors) -> ContentUpdate {
        let read = try readItems(reusing: before, listing: listing) { placement in
            guard let facts = before[placement.path] else { return true }
            return facts.depends(on: changed)
        }
        let present = Set(read.facts.map(\.sourcePath))
        return ContentUpdate(
            config: read.config, items: read.items, reread: read.reread,
            removed: Set(before.keys.filter { !present.contains($0) }), facts: read.facts)
    }

    /// What `readItems` found.
    private struct ReadResult {
        var config: SiteConfig
        var items: [ContentItem]
        var facts: [ItemFacts]
        var reread: Set<String>
    }

    /// Reads site.yaml and the items `shouldRead` picks (the others keep their facts from
    /// `reusing`), and runs every check.
    private func readItems(
        reusing previous: [String: ItemFacts] = [:], listing: FileTree.Listing?, excluding: Set<String> = [],
        _ shouldRead: (ItemPlacement) -> Bool
    ) throws(ContentErrors) -> ReadResult {
        let report = ProblemReport()
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: root.path, isDirectory: &isDirectory), isDirectory.boolValue else {
            throw ContentErrors([ContentProblem(file: root.path, line: nil, message: "content folder not found")])
        }
        let siteResult = SiteConfigReader.read(root: root, report: report)
        let tree = listing.map(ContentTree.init(listing:)) ?? ContentTree.scan(root: root)
        let placements = ContentTree.place(tree, groupIDs: siteResult.groupIDs, report: report)
        let teachers = Dictionary(
            (siteResult.config?.groups ?? []).map { ($0.id, $0.teacher) }, uniquingKeysWith: { a, _ in a })
        var kept: [ItemFacts] = []
        var placementList: [ItemPlacement] = []
        // A section of a feature the school has not switched on (site.yaml `features:`).
        let offSections = Dictionary((siteResult.config?.featuresOff ?? []).compactMap { feature in feature.section.map { ($0, feature) } }, uniquingKeysWith: { a, _ in a })
        for placement in placements.items where !excluding.contains(placement.path) {
            if let feature = offSections[String(placement.section.split(separator: "/").last ?? "")] {
                report.add(placement.path, nil, "the school has not switched on \(feature.name) (site.yaml: features: \(feature.rawValue): false); switch it on there, or move this file out of content/ (or rename it to start with '_')")
                continue
            }
            if let facts = previous[placement.path], !shouldRead(placement) { kept.append(facts) } else { placementList.append(placement) }
        }
        // Items are read on all cores (YAML and dates in parallel; cmark-gfm parses one at a time),
        // each worker with its own reader and report, merged in placement order afterwards.
        let workers = max(1, min(ProcessInfo.processInfo.activeProcessorCount, placementList.count / 64))
        let slots = LoadSlots(count: placementList.count, workers: workers)
        let list = placementList
        DispatchQueue.concurrentPerform(iterations: workers) { worker in
            let reader = ItemReader(
                root: root, tree: tree, clock: SiteClock(timeZone: siteResult.timeZone), groupTeachers: teachers,
                consent: siteResult.config?.consent ?? PhotoConsent(), report: slots.reports[worker])
            for index in stride(from: worker, to: list.count, by: workers) {
                slots.set(index, reader.read(list[index]))
            }
        }
        for workerReport in slots.reports { report.merge(workerReport) }
        var loaded = slots.items
        // Both lists are in placement order, which is path order: merged, not sorted again.
        let all = Self.merge(kept, ContentChecks.resolve(&loaded, root: root, files: tree.fileSet, report: report))
        // Files beside an item of a switched-off feature are that item's: one problem, not many.
        let images = offSections.isEmpty ? placements.images : placements.images.filter { path in
            !path.split(separator: "/").dropLast().contains { offSections[String($0)] != nil }
        }
        ContentChecks.crossCheck(all, images: images, report: report)
        guard report.problems.isEmpty, let config = siteResult.config else {
            var problems = report.sorted
            if problems.isEmpty {
                problems = [ContentProblem(file: SiteConfigReader.file, line: nil, message: "cannot be read")]
            }
            throw ContentErrors(problems)
        }
        let items = loaded.filter { !$0.draft }.map(\.item).sorted {
            ($0.audience, $0.logicalPath) < ($1.audience, $1.logicalPath)
        }
        return ReadResult(config: config, items: items, facts: all, reread: Set(list.map(\.path)))
    }

    /// Two lists sorted by source path as one.
    private static func merge(_ a: [ItemFacts], _ b: [ItemFacts]) -> [ItemFacts] {
        if a.isEmpty { return b.sorted { $0.sourcePath < $1.sourcePath } }
        if b.isEmpty { return a }
        var merged: [ItemFacts] = []
        merged.reserveCapacity(a.count + b.count)
        var (i, j) = (0, 0)
        while i < a.count || j < b.count {
            if j == b.count || (i < a.count && a[i].sourcePath < b[j].sourcePath) {
                merged.append(a[i]); i += 1
            } else {
                merged.append(b[j]); j += 1
            }
        }
        return merged
    }
}

/// Results of the parallel read: one slot per placement, one report per worker.
private final class LoadSlots: @unchecked Sendable {
    private let loaded: ParallelSlots<LoadedItem>
    let reports: [ProblemReport]

    init(count: Int, workers: Int) {
        loaded = ParallelSlots(count: count)
        reports = (0..<workers).map { _ in ProblemReport() }
    }

    func set(_ index: Int, _ item: LoadedItem?) { if let item { loaded.set(index, item) } }

    var items: [LoadedItem] { loaded.values }
}

/// An item as read, with what the cross-item checks need.
struct LoadedItem {
    var item: ContentItem
    var draft: Bool
    /// Line of `slug:` when it was given.
    var slugLine: Int?
    /// The item is `index.md` in a folder of its own.
    var ownsFolder: Bool
    /// Files counted as used without being shown: the images of an album whose front matter is
    /// broken, and attachments that were refused, so the one real problem is not buried under
    /// "is not used".
    var extraImages: [String] = []
}

/// Every file under the content folder, except names starting with `_` or `.`.
struct ContentTree {
    /// Paths relative to the root, `/`-separated, sorted.
    var files: [String] = []
    var fileSet: Set<String> = []
    /// Image file names directly inside each folder, sorted.
    var imagesByFolder: [String: [String]] = [:]
    /// Symbolic links to folders, which are not followed.
    var linkedFolders: [String] = []

    init() {}

    /// The tree of a listing made already (the build's fingerprint lists content/ anyway): the
    /// same as `scan`, without reading the folders again.
    init(listing: FileTree.Listing) {
        /// A part of the path starts with `_` or `.` (bytes: this runs for every file).
        func hidden(_ path: String) -> Bool {
            var atStart = true
            for byte in path.utf8 {
                if atStart && (byte == UInt8(ascii: "_") || byte == UInt8(ascii: ".")) { return true }
                atStart = byte == UInt8(ascii: "/")
            }
            return false
        }
        for entry in listing.files where !hidden(entry.path) {
            files.append(entry.path)
            fileSet.insert(entry.path)
            let slash = entry.path.lastIndex(of: "/")
            let name = slash.map { String(entry.path[entry.path.index(after: $0)...]) } ?? entry.path
            if isImageName(name) {
                imagesByFolder[slash.map { String(entry.path[..<$0]) } ?? "", default: []].append(name)
            }
        }
        linkedFolders = listing.linkedFolders.filter { !hidden($0) }
    }

    /// Reads each folder with readdir and stats its entries relative to the open folder (one
    /// `fstatat` each; FileManager's per-path calls cost more than the rest of an incremental
    /// build). Links to files are followed, links to folders are not, broken links are skipped.
    static func scan(root: URL) -> ContentTree {
        var tree = ContentTree()
        let rootPath = root.path
        var stack = [""]
        while let relative = stack.popLast() {
            let absolute = relative.isEmpty ? rootPath : rootPath + "/" + relative
            guard let dir = opendir(absolute) else { continue }
            defer { closedir(dir) }
            let fd = dirfd(dir)
            var entries: [(name: String, isDirectory: Bool)] = []
            while let entry = readdir(dir) {
                let name = withUnsafeBytes(of: entry.pointee.d_name) { raw in
                    String(decoding: raw.prefix(while: { $0 != 0 }), as: UTF8.self)
                }
                if name.hasPrefix("_") || name.hasPrefix(".") { continue }
                var info = stat()
                guard fstatat(fd, name, &info, 0) == 0 else { continue }
                let isDirectory = (info.st_mode & S_IFMT) == S_IFDIR
                if isDirectory {
                    var own = stat()
                    // A link to a folder could point back up and never end; such links are not followed.
                    if fstatat(fd, name, &own, AT_SYMLINK_NOFOLLOW) == 0, (own.st_mode & S_IFMT) == S_IFLNK {
                        tree.linkedFolders.append(relative.isEmpty ? name : relative + "/" + name)
                        continue
                    }
                }
                entries.append((name, isDirectory))
            }
            entries.sort { $0.name < $1.name }
            for (name, isDirectory) in entries.reversed() where isDirectory {
                stack.append(relative.isEmpty ? name : relative + "/" + name)
            }
            for (name, isDirectory) in entries where !isDirectory {
                let path = relative.isEmpty ? name : relative + "/" + name
                tree.files.append(path)
                tree.fileSet.insert(path)
                if isImageName(name) { tree.imagesByFolder[relative, default: []].append(name) }
            }
        }
        tree.files.sort()
        tree.linkedFolders.sort()
        return tree
    }

    struct Placements {
        var items: [ItemPlacement] = []
        /// Image and attachment files that some item must use.
        var images: [String] = []
    }

    static let sections: [(folder: String, kind: ItemKind)] = [
        ("news", .news), ("calendar", .event), ("albums", .album), ("pages", .page), ("conferences", .conference),
        ("forms", .form),
    ]

    /// Decides what each file is from where it lies; reports files that have no place.
    static func place(_ tree: ContentTree, groupIDs: Set<String>?, report: ProblemReport) -> Placements {
        var result = Placements()
        var reportedFolders: Set<String> = []
        let schoolSections = ["news", "calendar", "albums", "pages", "forms"]
        let groupSections = schoolSections + ["conferences"]

        func reportFolder(_ folder: String, _ message: String) {
            if reportedFolders.insert(folder).inserted { report.add(folder, nil, message) }
        }

        for folder in tree.linkedFolders {
            report.add(folder, nil, "is a link to a folder, which is not followed; copy the folder here instead")
        }
        for path in tree.files {
            let parts = path.split(separator: "/").map(String.init)
            guard let name = parts.last else { continue }
            if parts == [SiteConfigReader.file] { continue }
            var rest = parts[...]
            var audience = Audience.school
            var prefix = ""
            if parts[0] == "groups" {
                if parts.count == 2 {
                    report.add(path, nil, "files directly in groups/ are not read; put them in groups/<group-id>/news/ (or calendar, albums, pages, conferences, forms)")
                    continue
                }
                let id = parts[1]
                if let groupIDs, !groupIDs.contains(id) {
                    var message = "no group '\(id)' in site.yaml"
                    if let guess = closestMatch(to: id, among: groupIDs.sorted()) { message += " (did you mean '\(guess)'?)" }
                    reportFolder("groups/" + id, message + "; add the group to site.yaml or rename the folder")
                    continue
                }
                if groupIDs == nil { continue }  // site.yaml is broken; group folders cannot be checked
                audience = .group(id)
                prefix = "groups/\(id)/"
                rest = parts[2...]
                if rest.count == 1 {
                    report.add(path, nil, "files directly in a group folder are not read; put them in news/, calendar/, albums/, pages/, conferences/ or forms/")
                    continue
                }
            } else if parts.count == 1 {
                report.add(path, nil, fileExtension(name) == "md"
                    ? "Markdown files go in news/, calendar/, albums/, pages/ or forms/, not in the content folder itself"
                    : "stray file in the content folder; remove it, or rename it to start with '_' to keep it out of the portal")
                continue
            }
            let sectionName = rest[rest.startIndex]
            let allowedSections = audience == .school ? schoolSections : groupSections
            guard allowedSections.contains(sectionName),
                  let kind = sections.first(where: { $0.folder == sectionName })?.kind
            else {
                let folder = prefix + sectionName
                if audience == .school && sectionName == "conferences" {
                    reportFolder(folder, "conference schedules belong to a group: put them in groups/<group-id>/conferences/")
                } else {
                    var message = "unknown folder '\(sectionName)'"
                    if let guess = closestMatch(to: sectionName, among: allowedSections) { message += " (did you mean '\(guess)'?)" }
                    reportFolder(folder, message + "; content goes in \(listing(allowedSections))")
                }
                continue
            }
            let section = prefix + sectionName
            let inside = Array(rest.dropFirst())
            let ext = fileExtension(name)
            if ext == "md" {
                if inside.count == 1 {
                    if kind == .album {
                        report.add(path, nil, "an album is a folder: move this to \(section)/<slug>/index.md with its photos beside it")
                        continue
                    }
                    let slug = String(name.dropLast(3))
                    result.items.append(ItemPlacement(
                        path: path, kind: kind, audience: audience, section: section, nameSlug: slug, folder: section))
                } else if inside.count == 2 && name == "index.md" {
                    result.items.append(ItemPlacement(
                        path: path, kind: kind, audience: audience, section: section, nameSlug: inside[0],
                        folder: section + "/" + inside[0]))
                } else if inside.count == 2 {
                    report.add(path, nil, "only index.md is read in an item folder; rename this to index.md or move it to \(section)/")
                } else {
                    report.add(path, nil, "is nested too deep; items are \(section)/<slug>.md or \(section)/<slug>/index.md")
                }
            } else if isImageName(name) || isAttachmentName(name) {
                result.images.append(path)
            } else {
                report.add(path, nil, "is not a Markdown file, an image (\(imageExtensionList)) or an attachment (\(AttachmentType.list)); remove it, or rename it to start with '_' to keep it out of the portal")
            }
        }
        return result
    }
}

/// Where an item's file lies and what that says about it.
struct ItemPlacement {
    var path: String
    var kind: ItemKind
    var audience: Audience
    /// Section folder, e.g. `news` or `groups/groep-5/albums`.
    var section: String
    /// Slug from the file or folder name.
    var nameSlug: String
    /// Folder of the file, where images are looked up.
    var folder: String
}
