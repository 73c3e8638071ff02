// Writes the receiver's trust file: which tokens may sign requests, with which public keys, and
// which conference schedules exist. It holds no secret and goes next to the keystore, never into
// output/; `portal generate` pushes it to the receiver (or staff copy it and send SIGHUP).
import Foundation
import PortalContent
import PortalCrypto
import PortalFormat
import PortalKeys
import PortalTrust

struct TrustStage {
    let site: Site
    let keystore: Keystore
    let now: Date

    /// Default place: `<keys>/trust.json`.
    static func defaultLocation(keys: URL) -> URL { keys.appendingPathComponent("trust.json") }

    func trustFile() -> TrustFile {
        let tokens = keystore.activeTokens(at: now).map { record in
            TrustFile.Token(
                id: record.id, family: record.family, audiences: Keystore.keyedAudiences(of: record),
                expires: record.expires,
                publicKey: Ed25519.publicKey(seed: keystore.masterKey.signingSeed(tokenID: record.id)),
                // Once staff synced a registration the deadline no longer matters: a receiver with
                // a fresh database must not refuse the app's repeated registration call.
                registerBy: record.registered == nil ? record.registerBy : nil)
        }
        let schedules = site.items.compactMap { item -> TrustFile.Schedule? in
            guard let schedule = item.conference else { return nil }
            return TrustFile.Schedule(
                id: item.logicalPath, audience: item.audience.id, teacher: schedule.teacher,
                opens: schedule.bookingOpens, closes: schedule.bookingCloses, perFamily: schedule.perFamily,
                minNoticeHours: schedule.minNoticeHours,
                slots: schedule.slots.map { TrustFile.Slot(id: $0.id, start: $0.start, end: $0.end) })
        }
        return TrustFile(
            siteID: keystore.siteID, adminPublicKey: keystore.adminPublicKey, inboxPublicKey: keystore.inboxPublicKey,
            generated: now, tokens: tokens, schedules: schedules)
    }

    func write(to url: URL) throws(BuildError) {
        var file = trustFile()
        // A receiver takes a pushed file only if it was generated later than the one it has (so
        // nobody can roll a revocation back): two builds within one second must still differ.
        if let previous = try? TrustFile.load(from: url), previous.generated >= file.generated {
            file.generated = previous.generated.addingTimeInterval(1)
        }
        do { try file.write(to: url) } catch {
            throw BuildError(.write, path: url.path, "cannot write the receiver's trust file: \(error)")
        }
    }
}
