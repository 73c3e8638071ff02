// Seals every rendered item, image, page, index and keyslot (docs/FORMAT.md, format 2). Nothing
// leaves this step unsealed except the public site.json.
import Foundation
import PortalContent
import PortalCrypto
import PortalFormat
import PortalPush
import PortalKeys
import PortalPhotos
import PortalRender
import PortalFiles

/// A file for output/, path relative to it.
public struct OutputFile: Sendable {
    public var path: String
    public var bytes: [UInt8]
}

public struct SealedSite: Sendable {
    public var files: [OutputFile]
    public var keyslots: Int
    /// Each audience's index sequence and digest, remembered for the next build.
    public var sequences: AudienceSequences
    /// What each item became and each audience's pages, for the next incremental build.
    var products: [String: BuildLedger.Product]
    var pages: [String: [BuildLedger.Page]]
    /// The epoch of each audience's pages and index.
    var epochs: [String: Int]
}

/// What an incremental build changes in output/.
struct SealedUpdate: Sendable {
    /// New blobs and pages, then the indexes that list them: written in this order.
    var files: [OutputFile]
    /// Blobs and pages no longer used, removed once the new files are in place.
    var stale: Set<String>
    var sequences: AudienceSequences
    var products: [String: BuildLedger.Product]
    var pages: [String: [BuildLedger.Page]]
    /// Audiences whose index changed.
    var audiences: Set<String>
    var epochs: [String: Int]
    /// Paths of the keyslots written (a re-key writes them all).
    var keyslots: Set<String> = []
}

struct Sealer {
    let site: Site
    let keystore: Keystore
    let now: Date
    /// The sequence and content digest of each audience's index at the previous build.
    let previousSequences: AudienceSequences
    /// Gregorian calendar in the school's time zone, made once (it is costly to make per date).
    private let calendar: Calendar

    init(site: Site, keystore: Keystore, now: Date, previousSequences: AudienceSequences = AudienceSequences()) {
        self.site = site
        self.keystore = keystore
        self.now = now
        self.previousSequences = previousSequences
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = site.config.timezone
        self.calendar = calendar
    }

    /// The smallest keyslot size (FORMAT.md "Envelope"); it doubles when a keyslot needs more.
    static let minimumKeyslotSize = 4096

    /// A blob to seal under its item key: an item's fragment or an image variant.
    private struct ItemUnit { let plaintext: [UInt8]; let contentHash: [UInt8]; let source: String }
    /// Where a sealed item unit went, by content hash.
    private struct SealedRef { let path: String; let key: String }
    /// An item with the content hashes of its fragment and images.
    private struct PlannedItem { let rendered: RenderedItem; let hash: [UInt8]; let media: [PlannedImage]; let attachments: [[UInt8]] }
    private struct PlannedImage { let path: String; let processed: ProcessedMedia; let large: [UInt8]; let thumb: [UInt8]? }
    /// An item sealed: its page entry, its media entries and the blobs it uses.
    struct SealedItem: Sendable {
        let sourcePath: String
        let month: String
        let entry: Manifest.Entry
        let media: [(path: String, media: Manifest.Media)]
        let blobs: [String]

        var product: BuildLedger.Product { BuildLedger.Product(month: month, blobs: blobs, media: media.map(\.path)) }
    }
    /// A page to seal for an audience, with the months it gathers.
    private struct PageWork { let audience: String; let page: ManifestPage; let months: [String] }

    /// Seals the rendered audiences in three rounds, each on all cores: item and image blobs under
    /// their item keys, then the pages that list them under the audience keys, then the signed
    /// indexes and the keyslots.
    func seal(_ audiences: [RenderedAudience], media: [String: ProcessedMedia]) throws(BuildError) -> SealedSite {
        var (files, sealedItems) = try sealItems(audiences, media: media)
        var products: [String: BuildLedger.Product] = [:]
        var pageWork: [PageWork] = []
        for (rendered, items) in zip(audiences, sealedItems) {
            var months: [String: [SealedItem]] = [:]
            for item in items {
                products[item.sourcePath] = item.product
                months[item.month, default: []].append(item)
            }
            for layout in Self.layout(months: months.mapValues(\.count)) {
                pageWork.append(PageWork(
                    audience: rendered.audience.id, page: Self.page(layout.id, items: layout.months.flatMap { months[$0] ?? [] }),
                    months: layout.months))
            }
        }
        let keys = audienceKeys(audiences)
        let (pageFiles, listed) = try sealPages(pageWork, keys: keys)
        files += pageFiles
        var sequences = AudienceSequences()
        for rendered in audiences {
            let id = rendered.audience.id
            guard let (epoch, key) = keys[id] else { continue }
            let (file, entry) = try sealIndex(id, title: rendered.title, epoch: epoch, key: key, pages: (listed[id] ?? []).map(\.page))
            sequences.entries[id] = entry
            files.append(file)
        }
        let titles = Dictionary(uniqueKeysWithValues: audiences.map { ($0.audience.id, $0.title) })
        let (keyslots, keyslotSize) = try sealKeyslots(keys: keys, titles: titles)
        files.append(contentsOf: keyslots)
        files.append(try siteInfo(keyslotSize: keyslotSize))
        return SealedSite(
            files: files, keyslots: keyslots.count, sequences: sequences, products: products,
            pages: listed.mapValues { $0.map { BuildLedger.Page(id: $0.page.id, months: $0.months, blob: $0.page.blob, count: $0.page.count) } },
            epochs: keys.mapValues(\.epoch))
    }

    /// Seals what changed since `ledger` was made: the re-read items (`audiences` holds only
    /// those), the pages of each audience that list a changed item (or whose months now gather
    /// otherwise), and the indexes of those audiences. Unchanged pages are opened from `output`
    /// (sealed under the same keys: the keystore did not change) for the entries of the items
    /// they list. Nil when `output` does not hold what `ledger` says: build everything then.
    func update(
        _ audiences: [RenderedAudience], media: [String: ProcessedMedia], ledger: BuildLedger, facts: [ItemFacts],
        changed: Set<String>, output: URL
    ) throws(BuildError) -> SealedUpdate? {
        var (files, sealedItems) = try sealItems(audiences, media: media)
        var fresh: [String: SealedItem] = [:]
        var freshAudience: [String: String] = [:]
        for (rendered, items) in zip(audiences, sealedItems) {
            for item in items {
                fresh[item.sourcePath] = item
                freshAudience[item.sourcePath] = rendered.audience.id
            }
        }
        // The ledger's products, but those of the changed items (gone, now drafts, or sealed again).
        var products = ledger.products
        for path in changed { products[path] = fresh[path]?.product }
        // The months a change touches, per audience: where a changed item was and where it is.
        var touched: [String: Set<String>] = [:]
        for path in changed {
            if let old = ledger.facts[path], let product = ledger.products[path] { touched[old.audience, default: []].insert(product.month) }
            if let item = fresh[path], let audience = freshAudience[path] { touched[audience, default: []].insert(item.month) }
        }
        var members: [String: [String: [(logicalPath: String, sourcePath: String)]]] = [:]
        for fact in facts where !fact.draft && touched[fact.audience] != nil {
            guard let month = products[fact.sourcePath]?.month else { return nil }
            members[fact.audience, default: [:]][month, default: []].append((fact.logicalPath, fact.sourcePath))
        }
        guard products.count == facts.count(where: { !$0.draft }) else { return nil }
        let keys = audienceKeys(audiences)
        var pageWork: [PageWork] = []
        var reused: [String: [String: BuildLedger.Page]] = [:]   // by audience, then page id
        var stale: Set<String> = []
        for rendered in audiences {
            let id = rendered.audience.id
            guard let months = touched[id], let (epoch, key) = keys[id] else { continue }
            let oldPages = ledger.pages[id] ?? []
            var opened: [String: ManifestPage] = [:]   // old pages by id, opened when needed
            /// The old page that lists `month`, opened from output/; nil if it is missing or does not open.
            func oldPage(holding month: String) -> ManifestPage? {
                guard let page = oldPages.first(where: { $0.months.contains(month) }) else { return nil }
                if let open = opened[page.id] { return open }
                guard let bytes = FileManager.default.contents(atPath: output.appendingPathComponent(page.blob).path),
                      let open = try? SealedFiles.openPage(
                        Array(bytes), listed: AudienceIndex.Page(id: page.id, blob: page.blob, count: page.count),
                        key: key, audience: id, epoch: epoch)
                else { return nil }
                opened[page.id] = open
                return open
            }
            let byMonth = members[id] ?? [:]
            for layout in Self.layout(months: byMonth.mapValues(\.count)) {
                if let old = oldPages.first(where: { $0.id == layout.id && $0.months == layout.months }),
                   months.isDisjoint(with: layout.months) {
                    reused[id, default: [:]][old.id] = old
                    continue
                }
                var page = ManifestPage(id: layout.id, items: [], media: [:])
                for month in layout.months {
                    for member in (byMonth[month] ?? []).sorted(by: { $0.logicalPath < $1.logicalPath }) {
                        if let item = fresh[member.sourcePath] {
                            page.items.append(item.entry)
                            for (path, entry) in item.media { page.media[path] = entry }
                            continue
                        }
                        // Unchanged: its entry and media as its old page lists them.
                        guard let product = products[member.sourcePath],
                              let old = oldPage(holding: month),
                              let entry = old.items.first(where: { $0.path == member.logicalPath })
                        else { return nil }
                        page.items.append(entry)
                        for path in product.media {
                            guard let media = old.media[path] else { return nil }
                            page.media[path] = media
                        }
                    }
                }
                pageWork.append(PageWork(audience: id, page: page, months: layout.months))
            }
            stale.formUnion(oldPages.filter { reused[id]?[$0.id]?.blob != $0.blob }.map(\.blob))
        }
        let (pageFiles, sealedPages) = try sealPages(pageWork, keys: keys)
        files += pageFiles
        var sequences = previousSequences
        var pages = ledger.pages
        for rendered in audiences {
            let id = rendered.audience.id
            guard touched[id] != nil, let (epoch, key) = keys[id] else { continue }
            // Pages in index order: pinned first, then newest first, as `layout` lists them.
            let layout = Self.layout(months: (members[id] ?? [:]).mapValues(\.count))
            var listed: [AudienceIndex.Page] = []
            var newPages = sealedPages[id] ?? []
            for entry in layout {
                if let old = reused[id]?[entry.id], old.months == entry.months {
                    listed.append(AudienceIndex.Page(id: old.id, blob: old.blob, count: old.count))
                } else if let index = newPages.firstIndex(where: { $0.page.id == entry.id }) {
                    listed.append(newPages.remove(at: index).page)
                } else {
                    return nil
                }
            }
            let (file, sequence) = try sealIndex(id, title: rendered.title, epoch: epoch, key: key, pages: listed)
            sequences.entries[id] = sequence
            files.append(file)
            pages[id] = zip(listed, layout).map { BuildLedger.Page(id: $0.id, months: $1.months, blob: $0.blob, count: $0.count) }
        }
        // Blobs of changed items that nothing uses any more.
        for path in changed { stale.formUnion(ledger.products[path]?.blobs ?? []) }
        var live: Set<String> = []
        for product in products.values { live.formUnion(product.blobs) }
        for list in pages.values { live.formUnion(list.map(\.blob)) }
        return SealedUpdate(
            files: files, stale: stale.subtracting(live), sequences: sequences, products: products, pages: pages,
            audiences: Set(touched.keys), epochs: ledger.epochs)
    }

    /// Seals again what a change to the keystore alone changes (a token issued, revoked,
    /// expired or registered): every keyslot and site.json, and for each audience whose epoch
    /// moved its pages (opened from `output` under the old epoch's key, the same plaintext
    /// sealed under the new) and its index. Item and photo blobs stay as they are. `titles`:
    /// each audience's display title, in site order. Nil when `output` does not hold what
    /// `ledger` says: build everything then.
    func rekey(titles: [(id: String, title: String)], ledger: BuildLedger, output: URL) throws(BuildError) -> SealedUpdate? {
        let master = keystore.masterKey
        let keys = Dictionary(uniqueKeysWithValues: titles.map { entry in
            let epoch = keystore.epoch(of: entry.id)
            return (entry.id, (epoch: epoch, key: master.audienceKey(audience: entry.id, epoch: epoch)))
        })
        var pageWork: [PageWork] = []
        var stale: Set<String> = []
        var moved: [String] = []
        for (id, _) in titles {
            guard let (epoch, _) = keys[id], let old = ledger.epochs[id] else { return nil }
            if old == epoch { continue }
            let oldKey = master.audienceKey(audience: id, epoch: old)
            for page in ledger.pages[id] ?? [] {
                guard let bytes = FileManager.default.contents(atPath: output.appendingPathComponent(page.blob).path),
                      let open = try? SealedFiles.openPage(
                        Array(bytes), listed: AudienceIndex.Page(id: page.id, blob: page.blob, count: page.count),
                        key: oldKey, audience: id, epoch: old)
                else { return nil }
                pageWork.append(PageWork(audience: id, page: open, months: page.months))
                stale.insert(page.blob)
            }
            stale.insert(oldKey.indexPath)
            moved.append(id)
        }
        var (files, listed) = try sealPages(pageWork, keys: keys)
        var sequences = previousSequences
        var pages = ledger.pages
        var epochs = ledger.epochs
        for (id, title) in titles where moved.contains(id) {
            guard let (epoch, key) = keys[id] else { continue }
            let list = listed[id] ?? []
            let (file, sequence) = try sealIndex(id, title: title, epoch: epoch, key: key, pages: list.map(\.page))
            files.append(file)
            sequences.entries[id] = sequence
            pages[id] = list.isEmpty ? nil : list.map { BuildLedger.Page(id: $0.page.id, months: $0.months, blob: $0.page.blob, count: $0.page.count) }
            epochs[id] = epoch
        }
        let (keyslots, keyslotSize) = try sealKeyslots(keys: keys, titles: Dictionary(uniqueKeysWithValues: titles.map { ($0.id, $0.title) }))
        files += keyslots
        files.append(try siteInfo(keyslotSize: keyslotSize))
        return SealedUpdate(
            files: files, stale: stale, sequences: sequences, products: ledger.products, pages: pages,
            audiences: Set(moved), epochs: epochs, keyslots: Set(keyslots.map(\.path)))
    }

    /// Round 1: every distinct content once (a photo shown twice is one blob), under its item
    /// key. The plaintexts are listed in the order the planning visits them, and hashed on all cores.
    private func sealItems(
        _ audiences: [RenderedAudience], media: [String: ProcessedMedia]
    ) throws(BuildError) -> (files: [OutputFile], items: [[SealedItem]]) {
        var files: [OutputFile] = []
        var plaintexts: [(bytes: [UInt8], source: String)] = []  // hashed as `texts` once complete
        for rendered in audiences {
            for item in rendered.items {
                plaintexts.append((Array(item.html.utf8), item.item.sourcePath))
                for file in item.media {
                    guard let processed = media[file.logicalPath] else {
                        throw BuildError(.seal, path: file.sourcePath, "image was not processed; refusing to publish it unsealed or unstripped")
                    }
                    plaintexts.append((processed.large.bytes, file.sourcePath))
                    if let thumb = processed.thumb { plaintexts.append((thumb.bytes, file.sourcePath)) }
                }
                for file in item.attachments {
                    plaintexts.append((try Self.attachmentBytes(file), file.sourcePath))
                }
            }
        }
        let texts = plaintexts
        let hashes = try Self.parallelMap(texts.count) { (index) throws(BuildError) in SHA256.hash(texts[index].bytes) }
        var units: [ItemUnit] = []
        var unitIndex: [[UInt8]: Int] = [:]
        var visited = 0
        /// The next plaintext's hash, its unit made when the content is new.
        func next() -> [UInt8] {
            let (hash, plaintext) = (hashes[visited], texts[visited])
            visited += 1
            if unitIndex[hash] == nil {
                unitIndex[hash] = units.count
                units.append(ItemUnit(plaintext: plaintext.bytes, contentHash: hash, source: plaintext.source))
            }
            return hash
        }
        var planned: [[PlannedItem]] = []
        for rendered in audiences {
            var list: [PlannedItem] = []
            for item in rendered.items {
                let hash = next()
                var images: [PlannedImage] = []
                for file in item.media {
                    guard let processed = media[file.logicalPath] else { continue }  // refused above
                    let large = next()
                    images.append(PlannedImage(path: file.logicalPath, processed: processed, large: large, thumb: processed.thumb.map { _ in next() }))
                }
                let attachments = item.attachments.map { _ in next() }
                list.append(PlannedItem(rendered: item, hash: hash, media: images, attachments: attachments))
            }
            planned.append(list)
        }
        let master = keystore.masterKey
        let itemWork = units
        let itemKeys = itemWork.map { master.itemKey(contentHash: $0.contentHash) }
        let sealedUnits = try Self.sealAll(itemWork.count) { index in
            (itemKeys[index], AssociatedData.itemBlob, itemWork[index].plaintext, itemWork[index].source)
        }
        var refs: [[UInt8]: SealedRef] = [:]
        for ((unit, key), sealed) in zip(zip(itemWork, itemKeys), sealedUnits) {
            refs[unit.contentHash] = SealedRef(path: sealed.path, key: Data(key.bytes).base64EncodedString())
            files.append(OutputFile(path: sealed.path, bytes: sealed.envelope))
        }
        var sealedItems: [[SealedItem]] = []
        for items in planned {
            var list: [SealedItem] = []
            for item in items {
                guard let ref = refs[item.hash] else { throw BuildError(.seal, path: item.rendered.item.sourcePath, "the item was not sealed") }
                var blobs = [ref.path]
                var mediaEntries: [(path: String, media: Manifest.Media)] = []
                for image in item.media {
                    guard let large = refs[image.large] else { throw BuildError(.seal, path: image.path, "the image was not sealed") }
                    var entry = Manifest.Media(
                        blob: large.path, key: large.key, type: image.processed.large.mimeType,
                        width: image.processed.large.width, height: image.processed.large.height)
                    blobs.append(large.path)
                    if let variant = image.processed.thumb, let hash = image.thumb, let ref = refs[hash] {
                        entry.thumb = Manifest.Variant(
                            path: image.path + "@thumb", blob: ref.path, key: ref.key, type: variant.mimeType,
                            width: variant.width, height: variant.height)
                        blobs.append(ref.path)
                    }
                    mediaEntries.append((image.path, entry))
                }
                for (file, hash) in zip(item.rendered.attachments, item.attachments) {
                    guard let ref = refs[hash] else { throw BuildError(.seal, path: file.sourcePath, "the attachment was not sealed") }
                    mediaEntries.append((file.logicalPath, Manifest.Media(blob: ref.path, key: ref.key, type: file.type.mimeType)))
                    blobs.append(ref.path)
                }
                list.append(SealedItem(
                    sourcePath: item.rendered.item.sourcePath, month: pageID(of: item.rendered.item),
                    entry: entry(for: item.rendered, blob: ref.path, key: ref.key), media: mediaEntries, blobs: blobs))
            }
            sealedItems.append(list)
        }
        return (files, sealedItems)
    }

    /// An attachment's bytes, checked again as loading checked them: the file may have changed
    /// since (a half-copied PDF is refused, not published).
    private static func attachmentBytes(_ file: AttachmentFile) throws(BuildError) -> [UInt8] {
        guard let data = FileManager.default.contents(atPath: file.file.path) else {
            throw BuildError(.seal, path: file.sourcePath, "the attachment cannot be read")
        }
        guard !data.isEmpty, data.count <= AttachmentType.maxBytes, file.type.matches(data) else {
            throw BuildError(.seal, path: file.sourcePath, "the attachment changed while building and is no longer a valid .\(file.type.rawValue) file of at most 20 MB; build again")
        }
        return Array(data)
    }

    /// Each audience's current epoch and key.
    private func audienceKeys(_ audiences: [RenderedAudience]) -> [String: (epoch: Int, key: SymmetricKey)] {
        Dictionary(uniqueKeysWithValues: audiences.map { rendered in
            let epoch = keystore.epoch(of: rendered.audience.id)
            return (rendered.audience.id, (epoch: epoch, key: keystore.masterKey.audienceKey(audience: rendered.audience.id, epoch: epoch)))
        })
    }

    /// A page listing `items` (in page order) and their media.
    private static func page(_ id: String, items: [SealedItem]) -> ManifestPage {
        var page = ManifestPage(id: id, items: items.map(\.entry), media: [:])
        for item in items {
            for (path, entry) in item.media { page.media[path] = entry }
        }
        return page
    }

    /// Round 2: pages sealed under their audience's current key, listed per audience in order.
    private func sealPages(
        _ work: [PageWork], keys: [String: (epoch: Int, key: SymmetricKey)]
    ) throws(BuildError) -> (files: [OutputFile], listed: [String: [(page: AudienceIndex.Page, months: [String])]]) {
        let sealed = try Self.sealAll(work.count) { (index) throws(BuildError) in
            let work = work[index]
            guard let (epoch, key) = keys[work.audience] else { throw BuildError(.seal, "no key for \(work.audience)") }
            return (key, AssociatedData.page(audience: work.audience, epoch: epoch, pageID: work.page.id),
                    try Self.encode(work.page, what: "page \(work.page.id) of \(work.audience)"), work.audience)
        }
        var files: [OutputFile] = []
        var listed: [String: [(page: AudienceIndex.Page, months: [String])]] = [:]
        for (work, sealed) in zip(work, sealed) {
            listed[work.audience, default: []].append(
                (AudienceIndex.Page(id: work.page.id, blob: sealed.path, count: work.page.items.count), work.months))
            files.append(OutputFile(path: sealed.path, bytes: sealed.envelope))
        }
        return (files, listed)
    }

    /// Round 3: an audience's signed index, with its sequence (FORMAT.md "Sequence").
    private func sealIndex(
        _ id: String, title: String, epoch: Int, key: SymmetricKey, pages: [AudienceIndex.Page]
    ) throws(BuildError) -> (OutputFile, AudienceSequences.Entry) {
        var index = AudienceIndex(siteID: Hex.encode(keystore.siteID), audience: id, title: title, epoch: epoch, sequence: 0, pages: pages)
        let digest = Hex.encode(SHA256.hash(try Self.encode(index, what: "the index of \(id)")))
        index.sequence = previousSequences.next(for: id, digest: digest, now: now)
        let signed = SignedDocument.sign(try Self.encode(index, what: "the index of \(id)"), kind: "index", seed: keystore.masterKey.publisherSeed)
        do {
            let bytes = try Envelope.seal(signed, key: key, associatedData: AssociatedData.index(audience: id, epoch: epoch))
            return (OutputFile(path: key.indexPath, bytes: bytes), .init(sequence: index.sequence, digest: digest))
        } catch {
            throw BuildError(.seal, path: key.indexPath, "cannot seal the index of \(id): \(error)")
        }
    }

    /// `body(index)` for every index on all cores, results in order; the first failure stops the build.
    static func parallelMap<T>(_ count: Int, _ body: @Sendable (Int) throws(BuildError) -> T) throws(BuildError) -> [T] {
        let results = ParallelSlots<Result<T, BuildError>>(count: count)
        DispatchQueue.concurrentPerform(iterations: count) { index in
            do throws(BuildError) { results.set(index, .success(try body(index))) } catch { results.set(index, .failure(error)) }
        }
        var values: [T] = []
        values.reserveCapacity(count)
        for result in results.values {
            switch result {
            case .success(let value): values.append(value)
            case .failure(let error): throw error
            }
        }
        guard values.count == count else { throw BuildError(.seal, "some work was not done") }
        return values
    }

    /// Seals what `work(index)` gives (key, associated data, plaintext, source for errors) on all
    /// cores, and names each envelope after its bytes (`b/<hash>`) there too.
    static func sealAll(
        _ count: Int, _ work: @Sendable (Int) throws(BuildError) -> (SymmetricKey, [UInt8], [UInt8], String)
    ) throws(BuildError) -> [(envelope: [UInt8], path: String)] {
        try parallelMap(count) { (index) throws(BuildError) in
            let (key, associatedData, plaintext, source) = try work(index)
            do {
                let envelope = try Envelope.seal(plaintext, key: key, associatedData: associatedData)
                return (envelope, ContentAddress.path(of: envelope))
            } catch {
                throw BuildError(.seal, path: source, "\(error)")
            }
        }
    }

    static func encode<T: Encodable>(_ value: T, what: String) throws(BuildError) -> [UInt8] {
        do { return try CanonicalJSON.encode(value) } catch { throw BuildError(.seal, "cannot encode \(what): \(error)") }
    }

    /// FORMAT.md "Index": the month of an item's date in the school's time zone, or `pinned`.
    /// Computed from the zone's offset and the civil calendar (Hinnant's days-to-date), since
    /// Calendar.dateComponents per item costs more than sealing the item.
    /// A form lies in its deadline's month: while it is open, that month is one the app loads first.
    private func pageID(of item: ContentItem) -> String {
        guard let date = item.form?.deadline ?? item.date ?? item.event?.start.date ?? item.conference?.slots.first?.start else { return ManifestPage.pinned }
        return Self.month(of: date, in: site.config.timezone)
    }

    /// `YYYY-MM` of `date` in `zone`.
    static func month(of date: Date, in zone: TimeZone) -> String {
        let local = Int(date.timeIntervalSince1970.rounded(.down)) + zone.secondsFromGMT(for: date)
        let days = local >= 0 ? local / 86400 : (local - 86399) / 86400
        let z = days + 719468
        let era = (z >= 0 ? z : z - 146096) / 146097
        let dayOfEra = z - era * 146097
        let yearOfEra = (dayOfEra - dayOfEra / 1460 + dayOfEra / 36524 - dayOfEra / 146096) / 365
        let dayOfYear = dayOfEra - (365 * yearOfEra + yearOfEra / 4 - yearOfEra / 100)
        let mp = (5 * dayOfYear + 2) / 153
        let month = mp < 10 ? mp + 3 : mp - 9
        let year = yearOfEra + era * 400 + (month <= 2 ? 1 : 0)
        return String(format: "%04d-%02d", year, month)
    }

    /// A page holds at least this many items (but the newest): a sparse audience gets a few
    /// pages, not one request per month (browsers fetch six files at a time from one host).
    static let minimumPageItems = 20

    /// FORMAT.md "Index": `pinned` first, then pages of consecutive months gathered from the
    /// oldest month on until each holds `minimumPageItems`, named after their newest month,
    /// newest first. Gathering from the oldest end keeps old pages as they are when new months
    /// arrive: only the newest page changes. `months`: items per month (or `pinned`); each page
    /// lists its months newest first.
    static func layout(months: [String: Int]) -> [(id: String, months: [String])] {
        var gathered: [(id: String, months: [String])] = []
        var current: [String] = []
        var count = 0
        for month in months.keys.filter({ $0 != ManifestPage.pinned }).sorted() {
            current.insert(month, at: 0)
            count += months[month] ?? 0
            if count >= minimumPageItems {
                gathered.append((month, current))
                current = []
                count = 0
            }
        }
        if let newest = current.first { gathered.append((newest, current)) }
        return (months[ManifestPage.pinned] != nil ? [(ManifestPage.pinned, [ManifestPage.pinned])] : []) + gathered.reversed()
    }

    /// The pages `layout` makes of pages per month, each listing its months' items newest month first.
    static func gather(months: [String: ManifestPage]) -> [ManifestPage] {
        layout(months: months.mapValues(\.items.count)).map { layout in
            var page = ManifestPage(id: layout.id, items: [], media: [:])
            for month in layout.months {
                guard let part = months[month] else { continue }
                page.items += part.items
                page.media.merge(part.media) { first, _ in first }
            }
            return page
        }
    }

    /// Every active token's keyslot, all padded to one size: the smallest power of two of at
    /// least 4096 that fits the longest (FORMAT.md "Envelope"), so no keyslot tells its token's
    /// number of groups.
    private func sealKeyslots(keys: [String: (epoch: Int, key: SymmetricKey)], titles: [String: String]) throws(BuildError) -> (files: [OutputFile], size: Int) {
        let publisher = Data(Ed25519.publicKey(seed: keystore.masterKey.publisherSeed)).base64EncodedString()
        let vapid = Base64URL.encode(VAPIDKey.derive(from: keystore.masterKey.vapidSeed).publicKey)
        var payloads: [(tokenID: String, kek: SymmetricKey, json: [UInt8])] = []
        let featuresOff = site.config.featuresOff.map(\.rawValue)
        for record in keystore.activeTokens(at: now) {
            let token: Token
            do { token = try Token.parse(record.token) } catch {
                throw BuildError(.keys, path: record.id, "the keystore holds a damaged token: \(error)")
            }
            let tokenID = token.id(siteID: keystore.siteID)
            var audiences: [KeyslotPayload.Audience] = []
            var inbox: [KeyslotPayload.InboxKey] = []
            for id in Keystore.keyedAudiences(of: record) {
                guard let (epoch, key) = keys[id] else {
                    throw BuildError(
                        .keys, path: record.id,
                        "token grants '\(id)', which is not a group in site.yaml: add the group or revoke the token")
                }
                audiences.append(KeyslotPayload.Audience(
                    id: id, title: titles[id] ?? id, epoch: epoch, key: Data(key.bytes).base64EncodedString(), index: key.indexPath))
                inbox.append(inboxKey(for: id))
            }
            var payload = KeyslotPayload(
                tokenID: tokenID,
                // The last day it works, in the school's time zone (it stops at `record.expires`).
                expires: localDay(record.expires.addingTimeInterval(-1)),
                family: record.family,
                signingSeed: Data(keystore.masterKey.signingSeed(tokenID: tokenID)).base64EncodedString(),
                publisher: publisher, audiences: audiences, receiver: site.config.receiverURL, inbox: inbox, push: vapid,
                staff: record.staff.map { staffBlock(record, role: $0) },
                children: record.staff == nil ? familyChildren(record) : nil,
                familyKey: record.staff == nil
                    ? Data(keystore.masterKey.familyKey(family: record.family)).base64EncodedString() : nil)
            if !featuresOff.isEmpty { payload.featuresOff = featuresOff }
            payloads.append((tokenID, token.kek(siteID: keystore.siteID), try Self.encode(payload, what: "the keyslot of \(record.id)")))
        }
        let longest = payloads.map(\.json.count).max() ?? 0
        var size = Self.minimumKeyslotSize
        while size <= longest { size *= 2 }
        var files: [OutputFile] = []
        for payload in payloads {
            do {
                let envelope = try Envelope.seal(
                    payload.json, key: payload.kek, associatedData: AssociatedData.keyslotV2(tokenID: payload.tokenID), paddedLength: size)
                files.append(OutputFile(path: "k/\(payload.tokenID)", bytes: envelope))
            } catch {
                throw BuildError(.seal, path: "k/\(payload.tokenID)", "cannot seal the keyslot: \(error)")
            }
        }
        return (files, size)
    }

    /// The key the app seals an audience's reports to: the group's current inbox key (its teachers
    /// can open it), and for `school` the school's one inbox key (only the school's computer can).
    private func inboxKey(for audience: String) -> KeyslotPayload.InboxKey {
        guard audience != "school" else {
            return KeyslotPayload.InboxKey(audience: audience, publicKey: Data(keystore.inboxPublicKey).base64EncodedString())
        }
        let pair = keystore.groupInboxKey(audience)
        return KeyslotPayload.InboxKey(
            audience: audience, publicKey: Data(pair.publicKey).base64EncodedString(), kid: InboxKeyID.of(publicKey: pair.publicKey))
    }

    /// The family's children in the token's groups, for the app to offer wherever a child is asked for.
    private func familyChildren(_ record: TokenRecord) -> [KeyslotPayload.Child]? {
        let children = keystore.children(ofFamily: record.family).filter { record.audiences.contains($0.group) }
        return children.isEmpty ? nil : children.map { KeyslotPayload.Child(id: $0.id, name: $0.name, group: $0.group) }
    }

    /// A staff keyslot's own part: per group the current and the previous inbox secret.
    private func staffBlock(_ record: TokenRecord, role: StaffRole) -> KeyslotPayload.Staff {
        let groups = Keystore.groups(of: record)
        var secrets: [KeyslotPayload.InboxSecret] = []
        for group in groups {
            let current = keystore.inboxEpoch(of: group)
            for epoch in [current, current - 1] where epoch >= 1 {
                let pair = keystore.groupInboxKey(group, epoch: epoch)
                secrets.append(KeyslotPayload.InboxSecret(
                    audience: group, epoch: epoch, kid: InboxKeyID.of(publicKey: pair.publicKey),
                    publicKey: Data(pair.publicKey).base64EncodedString(), secretKey: Data(pair.secretKey).base64EncodedString()))
            }
        }
        // A teacher's class (names and opaque ids), for the form answers view and photo tags. Not
        // the office's: every child of the school would make every keyslot (one size) larger.
        let children = role == .teacher
            ? keystore.children.filter { $0.left == nil && groups.contains($0.group) }
                .map { KeyslotPayload.Child(id: $0.id, name: $0.name, group: $0.group) }
            : []
        return KeyslotPayload.Staff(
            label: record.label ?? "", role: role.rawValue, groups: groups, inboxSecrets: secrets,
            children: children.isEmpty ? nil : children)
    }

    private func siteInfo(keyslotSize: Int) throws(BuildError) -> OutputFile {
        let config = site.config
        let info = SiteInfo(
            name: config.name, siteID: Hex.encode(keystore.siteID),
            languages: config.languages, receiver: config.receiverURL,
            inboxPublicKey: Data(keystore.inboxPublicKey).base64EncodedString(),
            contact: .init(name: config.contact.name, email: config.contact.email, phone: config.contact.phone, hours: config.contact.hours),
            keyslotSize: keyslotSize)
        do {
            return OutputFile(path: OutputFolder.marker, bytes: try CanonicalJSON.encode(info))
        } catch {
            throw BuildError(.write, path: OutputFolder.marker, "cannot encode: \(error)")
        }
    }

    private func entry(for rendered: RenderedItem, blob: String, key: String) -> Manifest.Entry {
        let item = rendered.item
        var entry = Manifest.Entry(
            path: item.logicalPath, kind: item.kind.rawValue, title: item.title,
            date: item.date.map(Self.instant), summary: rendered.summary, author: item.author,
            weight: item.weight, blob: blob, key: key)
        if item.urgent { entry.urgent = true }
        if item.confirm { entry.confirm = keystore.masterKey.confirmationID(logicalPath: item.logicalPath) }
        if let event = item.event {
            entry.event = Manifest.Event(
                start: time(event.start), end: event.end.map(time), allDay: event.start.allDay, location: event.location)
        }
        if let album = item.album {
            entry.album = Manifest.Album(
                cover: item.logicalPath + "/" + album.cover,
                photos: album.photos.map { .init(media: item.logicalPath + "/" + $0.file, caption: $0.caption) })
        }
        if !rendered.attachments.isEmpty {
            entry.attachments = rendered.attachments.map {
                Manifest.Attachment(media: $0.logicalPath, title: $0.title, name: $0.name, size: $0.size)
            }
        }
        if let schedule = item.conference {
            entry.conference = Manifest.Conference(
                id: keystore.masterKey.scheduleID(logicalPath: item.logicalPath), teacher: schedule.teacher, location: schedule.location, slotMinutes: schedule.slotMinutes,
                opens: Self.instant(schedule.bookingOpens), closes: Self.instant(schedule.bookingCloses),
                perFamily: schedule.perFamily, minNoticeHours: schedule.minNoticeHours,
                slots: schedule.slots.map { .init(id: $0.id, start: Self.instant($0.start), end: Self.instant($0.end)) })
        }
        if let form = item.form {
            let path = item.logicalPath
            entry.form = Manifest.Form(
                id: keystore.masterKey.formID(logicalPath: path), deadline: Self.instant(form.deadline), per: form.per.rawValue,
                bothGuardians: form.bothGuardians,
                questions: form.questions.map { question in
                    Manifest.Form.Question(
                        key: question.key, type: question.kind.rawValue, text: question.text, required: question.required,
                        sign: question.kind == .yesNo ? question.sign : nil,
                        max: question.kind == .choices || question.kind == .shifts ? question.max : nil,
                        options: question.kind == .choice || question.kind == .choices ? question.options : nil,
                        shifts: question.kind == .shifts
                            ? question.shifts.map {
                                Manifest.Form.Shift(
                                    id: keystore.masterKey.shiftID(logicalPath: path, question: question.key, label: $0.label),
                                    label: $0.label, places: $0.places)
                            } : nil)
                })
            if form.consent { entry.form?.consent = true }
        }
        return entry
    }

    private func time(_ value: EventTime) -> String {
        value.allDay ? localDay(value.date) : Self.instant(value.date)
    }

    static func instant(_ date: Date) -> String { RFC3339.string(from: date) }

    /// "2026-12-05": the calendar day in the school's time zone.
    private func localDay(_ date: Date) -> String {
        let parts = calendar.dateComponents([.year, .month, .day], from: date)
        return String(format: "%04d-%02d-%02d", parts.year ?? 0, parts.month ?? 0, parts.day ?? 0)
    }
}
