// Seals every rendered item, image, manifest and keyslot (docs/FORMAT.md). Nothing leaves this
// step unsealed except the public site.json.
import Foundation
import PortalContent
import PortalCrypto
import PortalFormat
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
}

struct Sealer {
    let site: Site
    let keystore: Keystore
    let now: Date
    /// Gregorian calendar in the school's time zone, made once (it is costly to make per date).
    private let calendar: Calendar

    init(site: Site, keystore: Keystore, now: Date) {
        self.site = site
        self.keystore = keystore
        self.now = now
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = site.config.timezone
        self.calendar = calendar
    }

    static let keyslotSize = 4096

    /// What `seal` will encrypt: one unit per blob (its audience, logical path, opaque name and
    /// plaintext), with each audience's current epoch and key. Making it encrypts nothing.
    struct Plan {
        struct Unit { let audience: String; let logicalPath: String; let blob: String; let plaintext: [UInt8] }
        var units: [Unit]
        var keys: [String: (epoch: Int, key: SymmetricKey)]
        var titles: [String: String]
    }

    /// Seals the rendered audiences: `plan` then `seal(_: Plan)`.
    func seal(_ audiences: [RenderedAudience], media: [String: ProcessedMedia]) throws(BuildError) -> SealedSite {
        try seal(plan(audiences, media: media))
    }

    /// Lays out every blob: items, image variants and manifests, under their audience's key.
    func plan(_ audiences: [RenderedAudience], media: [String: ProcessedMedia]) throws(BuildError) -> Plan {
        let keys = Dictionary(uniqueKeysWithValues: audiences.map { rendered in
            let epoch = keystore.epoch(of: rendered.audience.id)
            return (rendered.audience.id, (epoch: epoch, key: keystore.masterKey.audienceKey(audience: rendered.audience.id, epoch: epoch)))
        })
        typealias Unit = Plan.Unit
        var units: [Unit] = []
        var manifests: [(RenderedAudience, Manifest)] = []
        for rendered in audiences {
            let id = rendered.audience.id
            guard let (epoch, key) = keys[id] else { continue }
            var manifest = Manifest(audience: id, title: rendered.title, epoch: epoch, items: [], media: [:])
            for item in rendered.items {
                let path = item.item.logicalPath
                let blob = blobPath(key, path)
                units.append(Unit(audience: id, logicalPath: path, blob: blob, plaintext: Array(item.html.utf8)))
                manifest.items.append(entry(for: item, blob: blob))
                for file in item.media {
                    guard let processed = media[file.logicalPath] else {
                        throw BuildError(.seal, path: file.sourcePath, "image was not processed; refusing to publish it unsealed or unstripped")
                    }
                    let largeBlob = blobPath(key, file.logicalPath)
                    units.append(Unit(audience: id, logicalPath: file.logicalPath, blob: largeBlob, plaintext: processed.large.bytes))
                    var entry = Manifest.Media(
                        blob: largeBlob, type: processed.large.mimeType,
                        width: processed.large.width, height: processed.large.height, thumb: nil)
                    if let thumb = processed.thumb {
                        let thumbPath = file.logicalPath + "@thumb"
                        let thumbBlob = blobPath(key, thumbPath)
                        units.append(Unit(audience: id, logicalPath: thumbPath, blob: thumbBlob, plaintext: thumb.bytes))
                        entry.thumb = Manifest.Variant(
                            path: thumbPath, blob: thumbBlob, type: thumb.mimeType,
                            width: thumb.width, height: thumb.height)
                    }
                    manifest.media[file.logicalPath] = entry
                }
            }
            manifests.append((rendered, manifest))
        }
        for (rendered, manifest) in manifests {
            let json: [UInt8]
            do { json = try CanonicalJSON.encode(manifest) } catch {
                throw BuildError(.seal, "cannot encode the manifest of \(rendered.audience.id): \(error)")
            }
            guard let (_, key) = keys[rendered.audience.id] else { continue }
            units.append(Unit(audience: rendered.audience.id, logicalPath: "manifest", blob: blobPath(key, "manifest"), plaintext: json))
        }
        return Plan(units: units, keys: keys, titles: Dictionary(uniqueKeysWithValues: audiences.map { ($0.audience.id, $0.title) }))
    }

    /// Encrypts every unit of the plan on all cores, then seals the keyslots and writes site.json.
    func seal(_ plan: Plan) throws(BuildError) -> SealedSite {
        let keys = plan.keys
        let work = plan.units
        let results = ParallelSlots<Result<OutputFile, BuildError>>(count: work.count)
        DispatchQueue.concurrentPerform(iterations: work.count) { index in
            let unit = work[index]
            guard let (epoch, key) = keys[unit.audience] else { return }
            do {
                let envelope = try Envelope.seal(
                    unit.plaintext, key: key,
                    associatedData: AssociatedData.blob(audience: unit.audience, epoch: epoch, logicalPath: unit.logicalPath))
                results.set(index, .success(OutputFile(path: unit.blob, bytes: envelope)))
            } catch {
                results.set(index, .failure(BuildError(.seal, path: unit.logicalPath, "\(error)")))
            }
        }
        var files: [OutputFile] = []
        files.reserveCapacity(work.count + 64)
        for result in results.values {
            switch result {
            case .success(let file): files.append(file)
            case .failure(let error): throw error
            }
        }
        guard files.count == work.count else { throw BuildError(.seal, "some blobs were not sealed") }

        let keyslots = try sealKeyslots(keys: keys, titles: plan.titles)
        files.append(contentsOf: keyslots)
        files.append(try siteInfo())
        return SealedSite(files: files, keyslots: keyslots.count)
    }

    private func blobPath(_ key: SymmetricKey, _ logicalPath: String) -> String {
        "a/\(key.audienceTag)/\(key.blobName(logicalPath: logicalPath))"
    }

    private func sealKeyslots(keys: [String: (epoch: Int, key: SymmetricKey)], titles: [String: String]) throws(BuildError) -> [OutputFile] {
        var files: [OutputFile] = []
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
                    id: id, title: titles[id] ?? id, epoch: epoch, key: Data(key.bytes).base64EncodedString(),
                    manifest: blobPath(key, "manifest")))
                // The key the app seals this audience's reports to. One school-wide inbox key for
                // now; the list per audience leaves room for per-group keys without a new format.
                inbox.append(KeyslotPayload.InboxKey(audience: id, publicKey: Data(keystore.inboxPublicKey).base64EncodedString()))
            }
            let payload = KeyslotPayload(
                tokenID: tokenID,
                // The last day it works, in the school's time zone (it stops at `record.expires`).
                expires: localDay(record.expires.addingTimeInterval(-1)),
                family: record.family,
                signingSeed: Data(keystore.masterKey.signingSeed(tokenID: tokenID)).base64EncodedString(),
                audiences: audiences, receiver: site.config.receiverURL, inbox: inbox)
            do {
                let envelope = try Envelope.seal(
                    try CanonicalJSON.encode(payload), key: token.kek(siteID: keystore.siteID),
                    associatedData: AssociatedData.keyslot(tokenID: tokenID), paddedLength: Self.keyslotSize)
                files.append(OutputFile(path: "k/\(tokenID)", bytes: envelope))
            } catch {
                throw BuildError(.seal, path: "k/\(tokenID)", "cannot seal the keyslot: \(error)")
            }
        }
        return files
    }

    private func siteInfo() throws(BuildError) -> OutputFile {
        let config = site.config
        let info = SiteInfo(
            name: config.name, siteID: Hex.encode(keystore.siteID),
            languages: config.languages, receiver: config.receiverURL,
            inboxPublicKey: Data(keystore.inboxPublicKey).base64EncodedString(),
            contact: .init(name: config.contact.name, email: config.contact.email, phone: config.contact.phone, hours: config.contact.hours),
            keyslotSize: Self.keyslotSize)
        do {
            return OutputFile(path: OutputFolder.marker, bytes: try CanonicalJSON.encode(info))
        } catch {
            throw BuildError(.write, path: OutputFolder.marker, "cannot encode: \(error)")
        }
    }

    private func entry(for rendered: RenderedItem, blob: String) -> Manifest.Entry {
        let item = rendered.item
        var entry = Manifest.Entry(
            path: item.logicalPath, kind: item.kind.rawValue, title: item.title,
            date: item.date.map(Self.instant), summary: rendered.summary, author: item.author,
            weight: item.weight, blob: blob)
        if let event = item.event {
            entry.event = Manifest.Event(
                start: time(event.start), end: event.end.map(time), allDay: event.start.allDay, location: event.location)
        }
        if let album = item.album {
            entry.album = Manifest.Album(
                cover: item.logicalPath + "/" + album.cover,
                photos: album.photos.map { .init(media: item.logicalPath + "/" + $0.file, caption: $0.caption) })
        }
        if let schedule = item.conference {
            entry.conference = Manifest.Conference(
                teacher: schedule.teacher, location: schedule.location, slotMinutes: schedule.slotMinutes,
                opens: Self.instant(schedule.bookingOpens), closes: Self.instant(schedule.bookingCloses),
                perFamily: schedule.perFamily, minNoticeHours: schedule.minNoticeHours,
                slots: schedule.slots.map { .init(id: $0.id, start: Self.instant($0.start), end: Self.instant($0.end)) })
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
