// Writes the receiver's trust file: which tokens may sign requests, with which public keys, and
// which conference schedules exist. It holds no secret and goes next to the keystore, never into
// output/; `portal generate` pushes it to the receiver (or staff copy it and send SIGHUP).
import Foundation
import PortalContent
import PortalCrypto
import PortalFormat
import PortalKeys
import PortalPush
import PortalTrust

struct TrustStage {
    let site: Site
    let keystore: Keystore
    let now: Date

    /// Default place: `<keys>/trust.json`.
    static func defaultLocation(keys: URL) -> URL { keys.appendingPathComponent("trust.json") }

    /// `previous`: the trust file of the last build, whose schedule ids (format 1's logical paths)
    /// the receiver may still hold bookings under.
    func trustFile(previous: TrustFile? = nil) -> TrustFile {
        let tokens = keystore.activeTokens(at: now).map { record in
            TrustFile.Token(
                id: record.id, family: record.family, audiences: Keystore.keyedAudiences(of: record),
                expires: record.expires,
                publicKey: Ed25519.publicKey(seed: keystore.masterKey.signingSeed(tokenID: record.id)),
                // Once staff synced a registration the deadline no longer matters: a receiver with
                // a fresh database must not refuse the app's repeated registration call.
                registerBy: record.registered == nil ? record.registerBy : nil, staff: record.staff?.rawValue)
        }
        let before = Dictionary((previous?.schedules ?? []).map { ($0.id, $0) }, uniquingKeysWith: { first, _ in first })
        let schedules = site.items.compactMap { item -> TrustFile.Schedule? in
            guard let schedule = item.conference else { return nil }
            let id = keystore.masterKey.scheduleID(logicalPath: item.logicalPath)
            // A schedule published under its logical path (format 1) keeps that former id while
            // its slots lie ahead, so the receiver moves the bookings made under it; never again
            // after the conference.
            var former = Set(before[id]?.formerIDs ?? [])
            if before[item.logicalPath] != nil { former.insert(item.logicalPath) }
            let ahead = schedule.slots.contains { $0.end > now }
            return TrustFile.Schedule(
                id: id, formerIDs: ahead && !former.isEmpty ? former.sorted() : nil,
                audience: item.audience.id, teacher: schedule.teacher,
                opens: schedule.bookingOpens, closes: schedule.bookingCloses, perFamily: schedule.perFamily,
                minNoticeHours: schedule.minNoticeHours,
                slots: schedule.slots.map { TrustFile.Slot(id: $0.id, start: $0.start, end: $0.end) })
        }
        let confirmations = site.items.filter(\.confirm).map {
            TrustFile.Confirmation(id: keystore.masterKey.confirmationID(logicalPath: $0.logicalPath), audience: $0.audience.id)
        }
        var file = TrustFile(
            siteID: keystore.siteID, adminPublicKey: keystore.adminPublicKey, inboxPublicKey: keystore.inboxPublicKey,
            publisherPublicKey: Ed25519.publicKey(seed: keystore.masterKey.publisherSeed),
            generated: now, tokens: tokens, schedules: schedules,
            push: TrustFile.Push(
                vapidPrivateKey: VAPIDKey.derive(from: keystore.masterKey.vapidSeed).privateKey,
                subject: "mailto:" + site.config.contact.email,
                quietStart: site.config.push.quietStart, quietEnd: site.config.push.quietEnd,
                quietWeekends: site.config.push.quietWeekends, timeZone: site.config.timezone.identifier))
        file.confirmations = confirmations
        file.featuresOff = site.config.featuresOff.map(\.rawValue)
        file.forms = site.items.compactMap { item -> TrustFile.Form? in
            guard let form = item.form else { return nil }
            return TrustFile.Form(
                id: keystore.masterKey.formID(logicalPath: item.logicalPath), audience: item.audience.id,
                deadline: form.deadline, per: form.per.rawValue,
                shiftQuestions: form.questions.filter { $0.kind == .shifts }.map { question in
                    TrustFile.Form.ShiftQuestion(max: question.max, shifts: question.shifts.map {
                        TrustFile.Form.Shift(
                            id: keystore.masterKey.shiftID(logicalPath: item.logicalPath, question: question.key, label: $0.label),
                            places: $0.places)
                    })
                })
        }
        return file
    }

    func write(to url: URL) throws(BuildError) {
        let previous = try? TrustFile.load(from: url)
        var file = trustFile(previous: previous)
        // A receiver takes a pushed file only if it was generated later than the one it has (so
        // nobody can roll a revocation back): two builds within one second must still differ.
        if let previous, previous.generated >= file.generated {
            file.generated = previous.generated.addingTimeInterval(1)
        }
        do { try file.write(to: url) } catch {
            throw BuildError(.write, path: url.path, "cannot write the receiver's trust file: \(error)")
        }
    }
}
