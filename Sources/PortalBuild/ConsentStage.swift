// Photo consent, enforced (issue 18, point 6): album photos name who is on them (`children:`),
// each name is resolved to a child of the class list (keys/keystore.json), and a photo on which a
// child appears without consent for this portal (keys/consent.json, the latest answer; no answer
// is no consent unless site.yaml says otherwise) is left out of the sealed album. `portal check`
// and `portal generate` say which photos and why; it does not fail the build.
import Foundation
import PortalContent
import PortalKeys

public struct ConsentStage {
    public let keystore: Keystore
    public let register: ConsentRegister
    /// Names already resolved by an earlier build (PhotoTags); this build's are added to the outcome.
    public let tags: PhotoTags

    public init(keystore: Keystore, register: ConsentRegister, tags: PhotoTags = PhotoTags()) {
        self.keystore = keystore
        self.register = register
        self.tags = tags
    }

    /// What applying consent did.
    public struct Outcome: Sendable {
        /// One line per photo left out (or album left out), `file:line: message`.
        public var notices: [String] = []
        /// Albums left out entirely: none of their photos may be shown.
        public var droppedItems: [String] = []
        /// Photos left out, by item path.
        public var leftOut: [String: [String]] = [:]
        /// Every name resolved, the earlier ones and this build's new ones (to save).
        public var tags = PhotoTags()
    }

    /// Resolves every `children:` name and takes out what consent does not allow. Unknown or
    /// ambiguous names are content problems (the build stops, like a missing photo).
    public func apply(to site: inout Site) throws(BuildError) -> Outcome {
        var outcome = Outcome()
        outcome.tags = tags
        var problems: [ContentProblem] = []
        let byID = Dictionary(keystore.children.map { ($0.id, $0) }, uniquingKeysWith: { a, _ in a })
        let rule = site.config.consent
        var kept: [ContentItem] = []
        for var item in site.items {
            guard var album = item.album, album.photos.contains(where: { $0.children != nil }) else {
                kept.append(item)
                continue
            }
            // Today's children where the album is seen; a name resolved before keeps its child.
            let candidates = keystore.children.filter { $0.left == nil && (item.audience == .school || $0.group == item.audience.id) }
            var shown: [Photo] = []
            var removed: [String] = []
            for photo in album.photos {
                var refusing: [(name: String, answered: Bool)] = []
                for name in photo.children ?? [] {
                    let key = PhotoTags.key(album: item.sourcePath, photo: photo.file, name: name)
                    var found = outcome.tags.ids[key].flatMap { byID[$0] }
                    if found == nil {
                        found = resolve(name, among: candidates, item: item, photo: photo, problems: &problems)
                        if let found { outcome.tags.ids[key] = found.id }
                    }
                    guard let child = found else { continue }
                    if !register.allows(child: child.id, purpose: PhotoConsent.portal, withoutAnswer: rule.assumedWithoutAnswer) {
                        refusing.append((child.name, register.current(child: child.id, purpose: PhotoConsent.portal) != nil))
                    }
                }
                if refusing.isEmpty {
                    shown.append(photo)
                } else {
                    removed.append(photo.file)
                    let why = refusing.map { "\($0.name) (\($0.answered ? "the parents said no" : "no answer yet"))" }.joined(separator: ", ")
                    outcome.notices.append(ContentProblem(
                        file: item.sourcePath, line: photo.line,
                        message: "photo '\(photo.file)' is left out: no consent for this portal for \(why)").description)
                }
            }
            guard !removed.isEmpty else {
                kept.append(item)
                continue
            }
            outcome.leftOut[item.logicalPath] = removed
            if shown.isEmpty {
                outcome.droppedItems.append(item.logicalPath)
                outcome.notices.append(ContentProblem(
                    file: item.sourcePath, line: nil, message: "the album is left out: none of its photos may be shown").description)
                continue
            }
            let gone = Set(removed)
            album.photos = shown
            if gone.contains(album.cover) { album.cover = shown[0].file }
            item.album = album
            item.media.removeAll { $0.kind == .photo && gone.contains($0.source) }
            kept.append(item)
        }
        if !problems.isEmpty { throw BuildError(.load, problems: problems) }
        site.items = kept
        return outcome
    }

    /// `Sam` (one child of that name where the album is seen) or `Sam (groep-3)`.
    private func resolve(
        _ written: String, among candidates: [ChildRecord], item: ContentItem, photo: Photo, problems: inout [ContentProblem]
    ) -> ChildRecord? {
        var name = written
        var group: String?
        if written.hasSuffix(")"), let open = written.lastIndex(of: "(") {
            name = written[..<open].trimmingCharacters(in: .whitespaces)
            group = String(written[written.index(after: open)..<written.index(before: written.endIndex)]).trimmingCharacters(in: .whitespaces)
        }
        let matches = candidates.filter { $0.name.lowercased() == name.lowercased() && (group == nil || $0.group == group) }
        if matches.count == 1 { return matches[0] }
        let place = item.audience == .school ? "the class lists" : "\(item.audience.id)'s class list"
        if matches.isEmpty {
            var message = "photo '\(photo.file)': no child '\(written)' in \(place)"
            let names = candidates.map(\.name)
            if let guess = names.min(by: { distance($0, name) < distance($1, name) }), distance(guess, name) <= 2 {
                message += " (did you mean '\(guess)'?)"
            }
            problems.append(ContentProblem(file: item.sourcePath, line: photo.line, message: message + "; names are as `portal token import` took them from the children column"))
        } else {
            problems.append(ContentProblem(
                file: item.sourcePath, line: photo.line,
                message: "photo '\(photo.file)': \(matches.count) children are called '\(name)' in \(place); write them with their group, like '\(name) (\(matches[0].group))'"))
        }
        return nil
    }

    /// Edit distance, case-insensitive, for "did you mean".
    private func distance(_ a: String, _ b: String) -> Int {
        let x = Array(a.lowercased()), y = Array(b.lowercased())
        guard !x.isEmpty, !y.isEmpty else { return max(x.count, y.count) }
        var row = Array(0...y.count)
        for i in 1...x.count {
            var previous = row[0]
            row[0] = i
            for j in 1...y.count {
                let current = row[j]
                row[j] = min(row[j] + 1, row[j - 1] + 1, previous + (x[i - 1] == y[j - 1] ? 0 : 1))
                previous = current
            }
        }
        return row[y.count]
    }
}
