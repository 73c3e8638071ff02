// What the last build made, so the next one can redo only what changed: per item file its facts
// (for the checks across items) and what it became (its page month, blobs and media), and per
// audience the pages of its index. It lives next to the build state in the keystore's cache,
// since it names titles' slugs and files; sealed results are read back from output/ itself.
import Foundation
import PortalContent
import PortalCrypto
import PortalFiles

struct BuildLedger {
    /// The build fingerprint (`BuildFingerprint.digest`) of the build this ledger describes.
    var digest: String
    /// BLAKE2b of the trust file that build wrote: an incremental build leaves the trust file
    /// as it is, so only while it is still exactly that file.
    var trust: String
    /// That trust file names a schedule's former id, which a full build drops once its
    /// conference is past: builds are full ones until then.
    var trustHasFormerIDs: Bool
    /// Every item file's facts (drafts included), by source path.
    var facts: [String: ItemFacts]
    /// What each item became, by source path; none for a draft.
    var products: [String: Product]
    /// By audience id: the pages its index lists, in index order.
    var pages: [String: [Page]]
    /// By audience id: the epoch its pages and index are sealed under.
    var epochs: [String: Int] = [:]
    /// The file as read, with each item's line: `encoded()` copies the lines of items not in
    /// `changed` as they are, so saving costs what changed, not the whole archive.
    private var read: (bytes: [UInt8], lines: [String: Range<Int>])?
    /// Items whose facts or product changed since the ledger was read.
    var changed: Set<String> = []

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

    static func remove(keys: URL) { try? FileManager.default.removeItem(at: file(keys: keys)) }

    /// The digest `trust` holds of the trust file at `url`, and whether it names former ids;
    /// nil when it cannot be read.
    static func trustDigest(_ url: URL) -> (digest: String, formerIDs: Bool)? {
        guard let data = FileManager.default.contents(atPath: url.path) else { return nil }
        let bytes = Array(data)
        let needle = Array("\"former_ids\"".utf8)
        let former = bytes.count >= needle.count && (0...(bytes.count - needle.count)).contains { start in
            bytes[start] == needle[0] && bytes[start..<(start + needle.count)].elementsEqual(needle)
        }
        return (Hex.encode(BLAKE2b.hash(bytes, key: [], length: 16)), former)
    }

    // Plain text, one record a line: fields split by TAB, lists by US (0x1F). Read and written
    // as bytes: an incremental build of 10,000 items reads and writes it every time. A value
    // holding a TAB, US, CR or LF cannot be written: the ledger is then left out, and the next
    // build is a full one.
    static let header = "ouderportaal-build-ledger 4"
    private static let tab: UInt8 = 0x09
    private static let unit: UInt8 = 0x1F
    private static let newline: UInt8 = 0x0A

    /// Best effort, like the build state: without a ledger the next build is a full one.
    func save(keys: URL) {
        let url = Self.file(keys: keys)
        guard let bytes = encoded() else {
            try? FileManager.default.removeItem(at: url)
            return
        }
        try? PrivateDirectory.make(url.deletingLastPathComponent().path, tightening: true)
        try? AtomicFile.write(bytes, to: url.path, mode: 0o600, durability: .cache)
    }

    func encoded() -> [UInt8]? {
        var out: [UInt8] = []
        out.reserveCapacity(facts.count * 160)
        var clean = true
        func put(_ text: String) {
            for byte in text.utf8 {
                if byte == Self.tab || byte == Self.unit || byte == Self.newline || byte == 0x0D { clean = false }
                out.append(byte)
            }
        }
        func field(_ text: String) { out.append(Self.tab); put(text) }
        func list(_ values: [String]) {
            out.append(Self.tab)
            for (index, value) in values.enumerated() {
                if index > 0 { out.append(Self.unit) }
                put(value)
            }
        }
        func endLine() { out.append(Self.newline) }
        put(Self.header); endLine()
        put(digest); endLine()
        put(trust); out.append(Self.tab); put(trustHasFormerIDs ? "former" : "-"); endLine()
        for (path, facts) in facts {
            if let read, !changed.contains(path), let line = read.lines[path] {
                out.append(contentsOf: read.bytes[line])
                endLine()
                continue
            }
            out.append(UInt8(ascii: "I"))
            field(path)
            field(facts.logicalPath)
            field(facts.audience)
            field((facts.draft ? "d" : "") + (facts.conference ? "c" : "") + (facts.urgent ? "u" : "") + (facts.confirm ? "r" : "") + (facts.form ? "f" : "") + (facts.tagged ? "t" : "") + "-")
            field(facts.slugLine.map(String.init) ?? "")
            field(facts.ownFolder ?? "")
            out.append(Self.tab)
            for (index, link) in facts.links.enumerated() {
                if index > 0 { out.append(Self.unit) }
                put(String(link.line)); out.append(UInt8(ascii: ":")); put(link.target)
            }
            list(facts.images)
            if let product = products[path] {
                field(product.month)
                list(product.blobs)
                list(product.media)
            }
            endLine()
        }
        for (audience, pages) in pages {
            for page in pages {
                out.append(UInt8(ascii: "P"))
                field(audience); field(page.id); field(page.blob); field(String(page.count)); list(page.months)
                endLine()
            }
        }
        for (audience, epoch) in epochs {
            out.append(UInt8(ascii: "E")); field(audience); field(String(epoch)); endLine()
        }
        return clean ? out : nil
    }

    /// The ledger of the last build, nil when there is none or it cannot be read.
    static func load(keys: URL) -> BuildLedger? {
        guard let data = FileManager.default.contents(atPath: file(keys: keys).path) else { return nil }
        return decode(Array(data))
    }

    static func decode(_ data: [UInt8]) -> BuildLedger? {
        var lineOf: [String: Range<Int>] = [:]
        let decoded = data.withUnsafeBufferPointer { decode($0, lines: &lineOf) }
        guard var ledger = decoded else { return nil }
        ledger.read = (data, lineOf)
        return ledger
    }

    private static func decode(_ bytes: UnsafeBufferPointer<UInt8>, lines lineOf: inout [String: Range<Int>]) -> BuildLedger? {
        func text(_ range: Range<Int>) -> String { String(decoding: UnsafeBufferPointer(rebasing: bytes[range]), as: UTF8.self) }
        func split(_ range: Range<Int>, by separator: UInt8) -> [Range<Int>] {
            var parts: [Range<Int>] = []
            var start = range.lowerBound
            for index in range where bytes[index] == separator {
                parts.append(start..<index)
                start = index + 1
            }
            parts.append(start..<range.upperBound)
            return parts
        }
        func list(_ range: Range<Int>) -> [String] { range.isEmpty ? [] : split(range, by: unit).map(text) }
        var lines: [Range<Int>] = []
        var start = 0
        for index in 0..<bytes.count where bytes[index] == newline {
            lines.append(start..<index)
            start = index + 1
        }
        guard start == bytes.count, lines.count >= 3, text(lines[0]) == header else { return nil }
        let trustFields = split(lines[2], by: tab)
        guard trustFields.count == 2 else { return nil }
        var ledger = BuildLedger(
            digest: text(lines[1]), trust: text(trustFields[0]), trustHasFormerIDs: text(trustFields[1]) == "former",
            facts: [:], products: [:], pages: [:])
        lineOf.reserveCapacity(lines.count)
        ledger.facts.reserveCapacity(lines.count)
        ledger.products.reserveCapacity(lines.count)
        for line in lines.dropFirst(3) {
            guard let kind = line.first.map({ bytes[$0] }) else { return nil }
            let fields = split((line.lowerBound + 1)..<line.upperBound, by: tab)
            switch kind {
            case UInt8(ascii: "I"):
                // "" (the empty text before the first TAB), path, logical path, audience, flags,
                // slug line, own folder, links, images [, month, blobs, media].
                guard fields.count == 9 || fields.count == 12 else { return nil }
                var links: [InternalLink] = []
                if !fields[7].isEmpty {
                    for link in split(fields[7], by: unit) {
                        guard let colon = link.first(where: { bytes[$0] == UInt8(ascii: ":") }),
                              let number = Int(text(link.lowerBound..<colon))
                        else { return nil }
                        links.append(InternalLink(target: text((colon + 1)..<link.upperBound), line: number))
                    }
                }
                let flags = text(fields[4])
                let path = text(fields[1])
                lineOf[path] = line
                ledger.facts[path] = ItemFacts(
                    sourcePath: path, logicalPath: text(fields[2]), audience: text(fields[3]),
                    draft: flags.contains("d"), slugLine: Int(text(fields[5])),
                    ownFolder: fields[6].isEmpty ? nil : text(fields[6]),
                    links: links, images: list(fields[8]), conference: flags.contains("c"), urgent: flags.contains("u"),
                    confirm: flags.contains("r"), form: flags.contains("f"), tagged: flags.contains("t"))
                if fields.count == 12 {
                    ledger.products[path] = Product(month: text(fields[9]), blobs: list(fields[10]), media: list(fields[11]))
                }
            case UInt8(ascii: "E"):
                guard fields.count == 3, let epoch = Int(text(fields[2])) else { return nil }
                ledger.epochs[text(fields[1])] = epoch
            case UInt8(ascii: "P"):
                guard fields.count == 6, let count = Int(text(fields[4])) else { return nil }
                ledger.pages[text(fields[1]), default: []].append(
                    Page(id: text(fields[2]), months: list(fields[5]), blob: text(fields[3]), count: count))
            default:
                return nil
            }
        }
        return ledger
    }
}

extension BuildLedger {
    /// The ledger of a full build.
    init(digest: String, trust: (digest: String, formerIDs: Bool), content: LoadedContent, sealed: SealedSite) {
        self.init(
            digest: digest, trust: trust.digest, trustHasFormerIDs: trust.formerIDs,
            facts: Dictionary(content.facts.map { ($0.sourcePath, $0) }, uniquingKeysWith: { first, _ in first }),
            products: sealed.products, pages: sealed.pages, epochs: sealed.epochs)
    }
}
