// What the last build made, so the next one can redo only what changed: per item file its facts
// (for the checks across items) and what it became (its page month, blobs and media), and per
// audience the pages of its index. It lives next to the build state in the keystore's cache,
// since it names titles' slugs and files; sealed results are read back from output/ itself.
import Foundation
import PortalContent
import PortalCrypto
import PortalFiles

struct BuildLedger: Equatable {
    /// The build fingerprint (`BuildFingerprint.digest`) of the build this ledger describes.
    var digest: String
    /// BLAKE2b of the trust file that build wrote: an incremental build leaves the trust file
    /// as it is, so only while it is still exactly that file.
    var trust: String
    /// By source path: every item file, drafts included.
    var items: [String: Record]
    /// By audience id: the pages its index lists, in index order.
    var pages: [String: [Page]]

    struct Record: Equatable {
        var facts: ItemFacts
        /// What the item became; nil for a draft.
        var product: Product?
    }

    /// An item as sealed.
    struct Product: Equatable {
        /// Its month (`YYYY-MM`) or `pinned`: which page lists it.
        var month: String
        /// Its fragment's blob and the blobs of its images (output paths).
        var blobs: [String]
        /// Logical paths of its media, as its page's `media` lists them.
        var media: [String]
    }

    /// A page as the index lists it, with the months it gathers (newest first).
    struct Page: Equatable {
        var id: String
        var months: [String]
        var blob: String
        var count: Int
    }

    static func file(keys: URL) -> URL { keys.appendingPathComponent("cache/build-ledger") }

    // One record a line, fields split by TAB and lists by US (0x1F); a value holding either, or
    // a newline, is not written (the next build is then a full one).
    static let header = "ouderportaal-build-ledger 1"
    private static let fieldSeparator: Character = "\t"
    private static let listSeparator: Character = "\u{1F}"

    /// Best effort, like the build state: without a ledger the next build is a full one.
    func save(keys: URL) {
        let url = Self.file(keys: keys)
        guard let text = encoded() else {
            try? FileManager.default.removeItem(at: url)
            return
        }
        try? PrivateDirectory.make(url.deletingLastPathComponent().path, tightening: true)
        try? AtomicFile.write(Array(text.utf8), to: url.path, mode: 0o600, durability: .cache)
    }

    static func remove(keys: URL) { try? FileManager.default.removeItem(at: file(keys: keys)) }

    /// The digest `trust` holds of the trust file at `url`; nil when it cannot be read.
    static func trustDigest(_ url: URL) -> String? {
        guard let data = FileManager.default.contents(atPath: url.path) else { return nil }
        return Hex.encode(BLAKE2b.hash(Array(data), key: [], length: 16))
    }

    func encoded() -> String? {
        var lines = [Self.header, digest, trust]
        for (path, record) in items.sorted(by: { $0.key < $1.key }) {
            let facts = record.facts
            let flags = (facts.draft ? "d" : "") + (facts.conference ? "c" : "") + "-"
            var fields = [
                "I", path, facts.logicalPath, facts.audience, flags, facts.slugLine.map(String.init) ?? "",
                facts.ownFolder ?? "", Self.list(facts.links.map { "\($0.line):\($0.target)" }), Self.list(facts.images),
            ]
            if let product = record.product {
                fields += [product.month, Self.list(product.blobs), Self.list(product.media)]
            }
            lines.append(fields.joined(separator: "\t"))
        }
        for (audience, pages) in pages.sorted(by: { $0.key < $1.key }) {
            for page in pages {
                lines.append(["P", audience, page.id, page.blob, String(page.count), Self.list(page.months)].joined(separator: "\t"))
            }
        }
        let text = lines.joined(separator: "\n") + "\n"
        // Exactly the separators written above, and no newline inside a value.
        let expected = lines.count
        guard text.utf8.reduce(0, { $0 + ($1 == 0x0A ? 1 : 0) }) == expected,
              !items.keys.contains(where: Self.unsafe), !items.values.contains(where: { Self.unsafe($0.facts) })
        else { return nil }
        return text
    }

    private static func list(_ values: [String]) -> String { values.joined(separator: String(listSeparator)) }

    private static func unsafe(_ value: String) -> Bool {
        value.utf8.contains { $0 == 0x09 || $0 == 0x0A || $0 == 0x1F || $0 == 0x0D }
    }

    private static func unsafe(_ facts: ItemFacts) -> Bool {
        unsafe(facts.logicalPath) || unsafe(facts.audience) || unsafe(facts.ownFolder ?? "")
            || facts.links.contains { unsafe($0.target) } || facts.images.contains(where: unsafe)
    }

    /// The ledger of the last build, nil when there is none or it cannot be read.
    static func load(keys: URL) -> BuildLedger? {
        guard let data = FileManager.default.contents(atPath: file(keys: keys).path),
              let text = String(data: data, encoding: .utf8)
        else { return nil }
        return decode(text)
    }

    static func decode(_ text: String) -> BuildLedger? {
        var lines = text.split(separator: "\n", omittingEmptySubsequences: false)
        guard lines.count >= 4, lines[0] == header, lines.last == "" else { return nil }
        lines.removeLast()
        var ledger = BuildLedger(digest: String(lines[1]), trust: String(lines[2]), items: [:], pages: [:])
        ledger.items.reserveCapacity(lines.count)
        func list(_ field: Substring) -> [String] {
            field.isEmpty ? [] : field.split(separator: listSeparator, omittingEmptySubsequences: false).map(String.init)
        }
        for line in lines.dropFirst(3) {
            let fields = line.split(separator: fieldSeparator, omittingEmptySubsequences: false)
            switch fields.first {
            case "I":
                guard fields.count == 9 || fields.count == 12 else { return nil }
                var links: [InternalLink] = []
                for link in list(fields[7]) {
                    guard let colon = link.firstIndex(of: ":"), let number = Int(link[..<colon]) else { return nil }
                    links.append(InternalLink(target: String(link[link.index(after: colon)...]), line: number))
                }
                let facts = ItemFacts(
                    sourcePath: String(fields[1]), logicalPath: String(fields[2]), audience: String(fields[3]),
                    draft: fields[4].contains("d"), slugLine: Int(fields[5]), ownFolder: fields[6].isEmpty ? nil : String(fields[6]),
                    links: links, images: list(fields[8]), conference: fields[4].contains("c"))
                let product = fields.count == 12
                    ? Product(month: String(fields[9]), blobs: list(fields[10]), media: list(fields[11])) : nil
                ledger.items[facts.sourcePath] = Record(facts: facts, product: product)
            case "P":
                guard fields.count == 6, let count = Int(fields[4]) else { return nil }
                ledger.pages[String(fields[1]), default: []].append(
                    Page(id: String(fields[2]), months: list(fields[5]), blob: String(fields[3]), count: count))
            default:
                return nil
            }
        }
        return ledger
    }

    /// Every output path the items and pages use.
    var blobs: Set<String> {
        var paths: Set<String> = []
        for record in items.values { paths.formUnion(record.product?.blobs ?? []) }
        for pages in pages.values { paths.formUnion(pages.map(\.blob)) }
        return paths
    }
}

extension BuildLedger {
    /// The ledger of a full build.
    init(digest: String, trust: String, content: LoadedContent, sealed: SealedSite) {
        self.init(digest: digest, trust: trust, items: [:], pages: sealed.pages)
        for facts in content.facts {
            items[facts.sourcePath] = Record(facts: facts, product: sealed.products[facts.sourcePath])
        }
    }
}
