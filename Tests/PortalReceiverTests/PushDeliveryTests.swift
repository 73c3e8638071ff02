import Foundation
import PortalCrypto
import PortalFiles
import PortalFormat
import PortalPush
import PortalTestSupport
import PortalTrust
import XCTest

@testable import PortalReceiver

/// Web Push from the receiver to a push service stand-in on 127.0.0.1 that checks VAPID with
/// py_vapid and opens every message with http_ece (Tests/browser/push_service.py): who gets a
/// message, what it says, quiet hours, urgent, retries, gone subscriptions, revocation, restart.
final class PushDeliveryTests: XCTestCase {
    static let vapid = VAPIDKey.derive(from: SHA256.hash(Array("vapid".utf8)))
    var service: PushServiceProcess!
    var live: LiveReceiver!
    var sender: PushSender!

    /// The trust fixture with push on; quiet hours around the real time (so the stand-in, which
    /// checks the JWT's expiry against its own clock, sees a receiver clock near its own).
    func start(quiet: (start: String, end: String)? = nil) async throws {
        service = try PushServiceProcess(vapidPublicKey: Base64URL.encode(Self.vapid.publicKey))
        var trust = Fixture.trust()
        trust.push = TrustFile.Push(
            vapidPrivateKey: Self.vapid.privateKey, subject: "mailto:ict@school.example",
            quietStart: quiet?.start ?? "00:00", quietEnd: quiet?.end ?? "00:00", quietWeekends: false, timeZone: "Europe/Amsterdam")
        var configuration = ReceiverConfiguration()
        configuration.pushPolicy = PushEndpointPolicy(allowLoopback: true)
        live = try await LiveReceiver(trust: trust, configuration: configuration)
        live.clock.set(Date())
        sender = PushSender(receiver: live.receiver)
    }

    override func tearDown() async throws {
        await sender?.shutdown()
        await live?.stop()
        service?.stop()
    }

    var admin: RequestSigner { .admin(seed: Fixture.adminSeed) }

    func subscribe(_ token: TestToken, _ sub: PushServiceProcess.Subscription, mode: String = "all") async throws -> HTTPResult {
        try await live.send("POST", "/api/v1/push/subscription",
                            json: ["endpoint": sub.endpoint, "p256dh": sub.p256dh, "auth": sub.auth, "mode": mode], signer: token.signer)
    }

    func notify(_ audiences: [(String, Int64, Bool)], count: Int = 1, urgentCount: Int? = nil) async throws -> HTTPResult {
        try await live.send("POST", "/api/v1/admin/push/notify",
                            json: ["audiences": audiences.map {
                                var a: [String: Any] = ["id": $0.0, "sequence": $0.1, "count": count, "urgent": $0.2]
                                if let urgentCount { a["urgent_count"] = urgentCount }
                                return a
                            }], signer: admin)
    }

    func sent(to sub: PushServiceProcess.Subscription) async throws -> [PushPayload] {
        try await service.messages().taken.filter { $0.id == sub.id }.map { PushPayload.decode(Array($0.payload.utf8))! }
    }

    func testTheRuleAgainstRequestForgeryAndTheDeviceLimit() async throws {
        try await start()
        let sub = try await service.subscribe()
        for endpoint in ["https://intranet.school.example/push", "http://10.0.0.7:8080/x", "https://[::1]/x", "http://127.0.0.1/no-port"] {
            let r = try await live.send("POST", "/api/v1/push/subscription",
                                        json: ["endpoint": endpoint, "p256dh": sub.p256dh, "auth": sub.auth, "mode": "all"],
                                        signer: Fixture.parentA.signer)
            XCTAssertEqual(r.status, 422, endpoint)
            XCTAssertEqual(r.error, "push_endpoint", endpoint)
        }
        var badKey = try await live.send("POST", "/api/v1/push/subscription",
                                         json: ["endpoint": sub.endpoint, "p256dh": sub.auth, "auth": sub.auth, "mode": "all"],
                                         signer: Fixture.parentA.signer)
        XCTAssertEqual(badKey.status, 422)
        badKey = try await live.send("POST", "/api/v1/push/subscription",
                                     json: ["endpoint": sub.endpoint, "p256dh": sub.p256dh, "auth": sub.auth, "mode": "loud"],
                                     signer: Fixture.parentA.signer)
        XCTAssertEqual(badKey.status, 422)
        // Unsigned: refused before anything is stored.
        let unsigned = try await live.send("POST", "/api/v1/push/subscription",
                                           json: ["endpoint": sub.endpoint, "p256dh": sub.p256dh, "auth": sub.auth, "mode": "all"], signer: nil)
        XCTAssertEqual(unsigned.status, 401)
        // Ten devices per token; the same device again is an update, not an eleventh.
        for n in 0..<10 {
            let r = try await live.send("POST", "/api/v1/push/subscription",
                                        json: ["endpoint": "\(sub.endpoint)-\(n)", "p256dh": sub.p256dh, "auth": sub.auth, "mode": "all"],
                                        signer: Fixture.parentA.signer)
            XCTAssertEqual(r.status, 200)
            XCTAssertEqual(r.json["devices"] as? Int, n + 1)
        }
        let again = try await live.send("POST", "/api/v1/push/subscription",
                                        json: ["endpoint": "\(sub.endpoint)-3", "p256dh": sub.p256dh, "auth": sub.auth, "mode": "urgent"],
                                        signer: Fixture.parentA.signer)
        XCTAssertEqual(again.status, 200)
        let eleventh = try await subscribe(Fixture.parentA, sub)
        XCTAssertEqual(eleventh.status, 409)
        XCTAssertEqual(eleventh.error, "too_many_devices")
        let off = try await live.send("POST", "/api/v1/push/subscription", json: ["endpoint": "\(sub.endpoint)-3", "mode": "off"],
                                      signer: Fixture.parentA.signer)
        XCTAssertEqual(off.json["devices"] as? Int, 9)
        let got1 = try await subscribe(Fixture.parentA, sub).status
        XCTAssertEqual(got1, 200)
    }

    func testANoticeReachesExactlyTheDevicesOfItsAudienceOnceWithoutText() async throws {
        try await start()
        let a = try await service.subscribe(), g3 = try await service.subscribe(), multi = try await service.subscribe()
        let shared = try await service.subscribe()  // one phone with two children's codes
        let urgentOnly = try await service.subscribe()
        for (token, sub) in [(Fixture.parentA, a), (Fixture.groep3, g3), (Fixture.multi, multi), (Fixture.parentA, shared), (Fixture.multi, shared)] {
            let got2 = try await subscribe(token, sub).status
            XCTAssertEqual(got2, 200)
        }
        let got3 = try await subscribe(Fixture.parentB, urgentOnly, mode: "urgent").status
        XCTAssertEqual(got3, 200)

        let r = try await notify([("groep-5", 100, false)])
        XCTAssertEqual(r.status, 200, "\(r.json)")
        XCTAssertEqual(r.json["devices"] as? Int, 3)
        let outcomes = await sender.sendDue()
        XCTAssertEqual(outcomes, [.sent, .sent, .sent])
        let messages = try await service.messages()
        XCTAssertEqual(messages.refused.count, 0, "\(messages.refused)")
        XCTAssertEqual(Set(messages.taken.map(\.id)), [a.id, multi.id, shared.id])
        XCTAssertEqual(messages.taken.count, 3, "the phone with two codes gets one message")
        for message in messages.taken {
            // Only sequence numbers: no title, no text, no item name.
            XCTAssertEqual(message.payload, #"{"n":1,"s":{"groep-5":100},"u":false,"v":1}"#)
            XCTAssertEqual(message.urgency, "normal")
            XCTAssertNil(message.topic, "no Topic: a later message must not replace an earlier one")
            XCTAssertEqual(message.length, 86 + 256 + 16, "every message has one length (padded)")
            XCTAssertLessThanOrEqual(message.ttl, 24 * 3600)
            XCTAssertGreaterThan(message.ttl, 23 * 3600)
        }

        // Several audiences in one publish: one message per device with all of them.
        try await service.reset()
        _ = try await notify([("school", 7, false), ("groep-3", 50, false), ("groep-5", 101, false)])
        await sender.sendDue()
        let got4 = try await sent(to: a)
        XCTAssertEqual(got4, [PushPayload(sequences: ["school": 7, "groep-5": 101], urgent: false, count: 2)])
        let got5 = try await sent(to: g3)
        XCTAssertEqual(got5, [PushPayload(sequences: ["school": 7, "groep-3": 50], urgent: false, count: 2)])
        let got6 = try await sent(to: shared)
        XCTAssertEqual(got6, [PushPayload(sequences: ["school": 7, "groep-3": 50, "groep-5": 101], urgent: false, count: 3)])
        let got7 = try await sent(to: urgentOnly)
        XCTAssertEqual(got7, [])

        // The same notice again (a publish retried) queues nothing; an urgent one reaches "urgent only".
        try await service.reset()
        let repeated = try await notify([("groep-5", 101, false)])
        XCTAssertEqual(repeated.json["devices"] as? Int, 0)
        XCTAssertEqual(repeated.json["repeated"] as? [String], ["groep-5"])
        // Three new items of which one urgent: "only urgent" hears of that one.
        _ = try await notify([("groep-5", 102, true)], count: 3, urgentCount: 1)
        await sender.sendDue()
        let urgent = try await service.messages().taken
        XCTAssertEqual(Set(urgent.map(\.id)), [a.id, multi.id, shared.id, urgentOnly.id])
        XCTAssertTrue(urgent.allSatisfy { $0.urgency == "high" })
        let toUrgentOnly = try await sent(to: urgentOnly)
        XCTAssertEqual(toUrgentOnly.map(\.count), [1])
        let toAll = try await sent(to: a)
        XCTAssertEqual(toAll.map(\.count), [3])
    }

    /// Quiet hours from `from` to `until` seconds after the real time, as site.yaml writes them
    /// (HH:MM in the school's time zone).
    static func quiet(from: TimeInterval, until: TimeInterval) -> (start: String, end: String) {
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = TimeZone(identifier: "Europe/Amsterdam")!
        func hhmm(_ d: Date) -> String {
            let c = calendar.dateComponents([.hour, .minute], from: d)
            return String(format: "%02d:%02d", c.hour!, c.minute!)
        }
        return (hhmm(Date().addingTimeInterval(from)), hhmm(Date().addingTimeInterval(until)))
    }

    func testQuietHoursHoldANoticeAndUrgentGoesAtOnce() async throws {
        // Quiet from an hour ago until an hour from now.
        try await start(quiet: Self.quiet(from: -3600, until: 3600))
        let g3 = try await service.subscribe(), a = try await service.subscribe()
        _ = try await subscribe(Fixture.groep3, g3)
        _ = try await subscribe(Fixture.parentA, a)

        let held = try await notify([("groep-3", 10, false)])
        XCTAssertEqual(held.json["held"] as? Int, 1)
        XCTAssertNotNil(held.json["held_until"] as? String)
        _ = try await notify([("groep-5", 20, true)])
        let outcomes = await sender.sendDue()
        XCTAssertEqual(outcomes, [.sent], "only the urgent one goes during quiet hours")
        let got8 = try await sent(to: a)
        XCTAssertEqual(got8, [PushPayload(sequences: ["groep-5": 20], urgent: true)])
        let got9 = try await sent(to: g3)
        XCTAssertEqual(got9, [])

        // At the end of the quiet hours the held one goes, once.
        live.clock.advance(3600 + 60)
        await sender.sendDue()
        await sender.sendDue()
        let got10 = try await sent(to: g3)
        XCTAssertEqual(got10, [PushPayload(sequences: ["groep-3": 10], urgent: false)])
        let got11 = try await sent(to: a).count
        XCTAssertEqual(got11, 1)
    }

    /// A message that was due before the quiet hours began (a retry) does not go in them.
    func testARetryWaitsForTheEndOfQuietHoursThatBeganMeanwhile() async throws {
        try await start(quiet: Self.quiet(from: 30 * 60, until: 2 * 3600))
        let g3 = try await service.subscribe()
        _ = try await subscribe(Fixture.groep3, g3)
        try await service.answer(g3.id, with: [503])
        let r = try await notify([("groep-3", 11, false)])
        XCTAssertEqual(r.json["held"] as? Int, 0, "not quiet yet")
        let first = await sender.sendDue()
        guard case .retry = first.first else { return XCTFail("\(first)") }
        live.clock.advance(31 * 60)  // quiet now; the retry is due
        let during = await sender.sendDue()
        guard case .retry(let at) = during.first else { return XCTFail("\(during)") }
        XCTAssertGreaterThan(at, live.clock.now().addingTimeInterval(3600), "held until the quiet hours end")
        let none = try await sent(to: g3)
        XCTAssertEqual(none, [])
        live.clock.advance(2 * 3600)
        await sender.sendDue()
        let after = try await sent(to: g3)
        XCTAssertEqual(after.count, 1)
    }

    func testGoneSubscriptionsGoAndBusyServicesAreTriedAgainLater() async throws {
        try await start()
        let gone = try await service.subscribe(), busy = try await service.subscribe(), down = try await service.subscribe()
        _ = try await subscribe(Fixture.parentA, gone)
        _ = try await subscribe(Fixture.parentB, busy)
        _ = try await subscribe(Fixture.parentA2, down)
        try await service.answer(gone.id, with: [410])
        try await service.answer(busy.id, with: [429], retryAfter: "120")
        try await service.answer(down.id, with: [503])
        _ = try await notify([("groep-5", 5, false)])
        let start = live.clock.now()
        let outcomes = await sender.sendDue()
        XCTAssertEqual(outcomes.filter { $0 == .gone }.count, 1)
        let retries = outcomes.compactMap { outcome -> Date? in if case .retry(let at) = outcome { return at } else { return nil } }.sorted()
        XCTAssertEqual(retries.count, 2)
        XCTAssertEqual(retries[0].timeIntervalSince(start), 10, accuracy: 1, "backoff starts at 10 s")
        XCTAssertEqual(retries[1].timeIntervalSince(start), 120, accuracy: 1, "Retry-After is honoured")
        XCTAssertEqual(try live.receiver.pushStatus().subscriptions, 2, "the 410 removed its subscription")

        live.clock.advance(11)
        await sender.sendDue()
        let got12 = try await sent(to: down).count
        XCTAssertEqual(got12, 1)
        let got13 = try await sent(to: busy).count
        XCTAssertEqual(got13, 0)
        live.clock.advance(120)
        await sender.sendDue()
        let got14 = try await sent(to: busy).count
        XCTAssertEqual(got14, 1)
        let got15 = try await sent(to: gone).count
        XCTAssertEqual(got15, 0)
        XCTAssertEqual(try live.receiver.pushStatus().queued, 0)
    }

    /// A push service's redirect is not followed (it could point into the school's network).
    func testARedirectIsNotFollowed() async throws {
        try await start()
        let moved = try await service.subscribe(), target = try await service.subscribe()
        _ = try await subscribe(Fixture.parentA, moved)
        try await service.answer(moved.id, with: [307], retryAfter: target.endpoint)
        _ = try await notify([("groep-5", 4, false)])
        let outcomes = await sender.sendDue()
        XCTAssertEqual(outcomes, [.dropped("status 307")])
        let atTarget = try await sent(to: target)
        XCTAssertEqual(atTarget, [], "the redirect's target got nothing")
        XCTAssertEqual(try live.receiver.pushStatus().queued, 0)
    }

    func testRevokedTokensDevicesAreForgotten() async throws {
        try await start()
        let a = try await service.subscribe(), b = try await service.subscribe()
        _ = try await subscribe(Fixture.parentA, a)
        _ = try await subscribe(Fixture.parentB, b)
        // A new trust file without parent A (revoked).
        var trust = live.receiver.trust.current.file
        trust.tokens.removeAll { $0.id == Fixture.parentA.id }
        trust.generated = trust.generated.addingTimeInterval(60)
        try trust.write(to: live.folder.appendingPathComponent("trust.json"))
        try live.receiver.trust.reload()
        try live.receiver.trustChanged()
        XCTAssertEqual(try live.receiver.pushStatus().subscriptions, 1)
        _ = try await notify([("groep-5", 9, false)])
        await sender.sendDue()
        let got16 = try await sent(to: a).count
        XCTAssertEqual(got16, 0)
        let got17 = try await sent(to: b).count
        XCTAssertEqual(got17, 1)
    }

    func testDevicesOfACodeThatLapsedAreToldNothing() async throws {
        try await start()
        // A code that lapses two minutes from now (its registration week ends), in the trust file.
        let soon = TestToken.make(7, family: "fam-soon", audiences: ["groep-5"], expires: live.clock.now().addingTimeInterval(120))
        var trust = live.receiver.trust.current.file
        trust.tokens.append(soon.trustEntry)
        trust.generated = trust.generated.addingTimeInterval(60)
        try trust.write(to: live.folder.appendingPathComponent("trust.json"))
        try live.receiver.trust.reload()
        let lapsing = try await service.subscribe(), other = try await service.subscribe()
        let status = try await subscribe(soon, lapsing).status
        XCTAssertEqual(status, 200)
        _ = try await subscribe(Fixture.parentB, other)

        live.clock.advance(180)
        let r = try await notify([("groep-5", 9, false)])
        XCTAssertEqual(r.json["devices"] as? Int, 1, "\(r.json)")
        await sender.sendDue()
        let gotLapsed = try await sent(to: lapsing).count
        XCTAssertEqual(gotLapsed, 0, "a lapsed code's device hears nothing")
        let gotOther = try await sent(to: other).count
        XCTAssertEqual(gotOther, 1)
    }

    /// A parent's sick report wakes the devices of the group's staff codes: the message (opened
    /// by http_ece in the stand-in) says "1 report" and nothing else; no other device hears of it.
    func testASickReportWakesTheGroupsTeachersDevicesWithANumberOnly() async throws {
        try await start()
        let teacher5 = TestToken.teacher(30, group: "groep-5"), teacher3 = TestToken.teacher(31, group: "groep-3")
        var trust = live.receiver.trust.current.file
        trust.tokens += [teacher5.trustEntry, teacher3.trustEntry]
        trust.generated = trust.generated.addingTimeInterval(60)
        try trust.write(to: live.folder.appendingPathComponent("trust.json"))
        try live.receiver.trust.reload()
        let phone5 = try await service.subscribe(), phone3 = try await service.subscribe(), parentPhone = try await service.subscribe()
        for (token, sub) in [(teacher5, phone5), (teacher3, phone3), (Fixture.parentB, parentPhone)] {
            let status = try await subscribe(token, sub).status
            XCTAssertEqual(status, 200)
        }
        let day = String(RFC3339.string(from: live.clock.now()).prefix(10))
        let sealed = try AbsencePayload(child: "Sam", reason: .ziek, note: "Koorts")
            .seal(tokenID: Fixture.parentA.id, binding: .absence(group: "groep-5", from: day, to: day), inboxPublicKey: Fixture.inbox.publicKey)
        let sent = try await live.send("POST", "/api/v1/absences", json: ["group": "groep-5", "from": day, "to": day, "sealed": sealed.jsonObject],
                                       signer: Fixture.parentA.signer)
        XCTAssertEqual(sent.status, 201, "\(sent.json)")
        await sender.sendDue()
        let got5 = try await self.sent(to: phone5)
        XCTAssertEqual(got5, [PushPayload(sequences: [:], urgent: false, count: 0, reports: 1)])
        let raw = try await service.messages().taken.first { $0.id == phone5.id }?.payload ?? ""
        XCTAssertFalse(raw.contains("Sam") || raw.contains("Koorts") || raw.contains("groep"), raw)
        let got3 = try await self.sent(to: phone3).count, gotParent = try await self.sent(to: parentPhone).count
        XCTAssertEqual(got3, 0, "another group's teacher hears nothing")
        XCTAssertEqual(gotParent, 0, "parents are not told of other families' reports")
    }

    /// Issue 18 point 5: two days before a form's deadline the families of its audience that have
    /// not answered get one reminder (a number only), once; those that answered, another group and
    /// staff get nothing; a form the receiver has just learnt of waits a day.
    func testAFormRemindsTheFamiliesThatHaveNotAnsweredTwoDaysBeforeItsDeadline() async throws {
        try await start()
        let now = live.clock.now()
        let form = String(repeating: "f7", count: 16)
        var trust = live.receiver.trust.current.file
        trust.forms = [.init(id: form, audience: "groep-5", deadline: now.addingTimeInterval(36 * 3600), per: "family")]
        trust.generated = trust.generated.addingTimeInterval(60)
        try trust.write(to: live.folder.appendingPathComponent("trust.json"))
        try live.receiver.trust.reload()
        let answeringPhone = try await service.subscribe(), silentPhone = try await service.subscribe()
        let otherGroupPhone = try await service.subscribe()
        for (token, sub) in [(Fixture.parentA, answeringPhone), (Fixture.parentB, silentPhone), (Fixture.groep3, otherGroupPhone)] {
            let status = try await subscribe(token, sub).status
            XCTAssertEqual(status, 200)
        }
        let answer = AnswerPayload(child: "", answers: ["mee": .yes(true)])
        let binding = PayloadBinding.answer(form: form, child: "", shifts: [])
        let sealed = try answer.seal(tokenID: Fixture.parentA.id, binding: binding, inboxPublicKey: Fixture.inbox.publicKey)
        let copy = try answer.sealCopy(tokenID: Fixture.parentA.id, binding: binding, familyKey: Array(repeating: 7, count: 32))
        let sent = try await live.send("POST", "/api/v1/forms/\(form)/answers", json: [
            "child": "", "shifts": [String](), "sealed": sealed.jsonObject,
            "copy": ["nonce": Data(copy.nonce).base64EncodedString(), "ct": Data(copy.ct).base64EncodedString()],
        ], signer: Fixture.parentA.signer)
        XCTAssertEqual(sent.status, 201, "\(sent.json)")

        // The receiver first sees the form 30 hours ago, when its deadline was 66 hours ahead.
        var devices = await live.receiver.remindForms(now: now.addingTimeInterval(-30 * 3600))
        XCTAssertEqual(devices, 0, "more than two days ahead: too early")
        devices = await live.receiver.remindForms(now: now)
        XCTAssertEqual(devices, 1, "a day and a half before the deadline: the family that did not answer")
        devices = await live.receiver.remindForms(now: now.addingTimeInterval(3600))
        XCTAssertEqual(devices, 0, "once per form")
        await sender.sendDue()
        let silent = try await self.sent(to: silentPhone)
        XCTAssertEqual(silent, [PushPayload(sequences: [:], urgent: false, count: 0, forms: 1)])
        let raw = try await service.messages().taken.first { $0.id == silentPhone.id }?.payload ?? ""
        XCTAssertEqual(raw, #"{"f":1,"n":0,"s":{},"u":false,"v":1}"#, "a number, no form id or title")
        let answering = try await self.sent(to: answeringPhone).count, other = try await self.sent(to: otherGroupPhone).count
        XCTAssertEqual(answering, 0, "a family that answered is not reminded")
        XCTAssertEqual(other, 0, "another group's family is not asked")

        // A form that appears less than a day before its reminder time waits until it is a day old.
        let late = String(repeating: "f8", count: 16)
        trust.forms.append(.init(id: late, audience: "groep-5", deadline: now.addingTimeInterval(40 * 3600), per: "family"))
        trust.generated = trust.generated.addingTimeInterval(60)
        try trust.write(to: live.folder.appendingPathComponent("trust.json"))
        try live.receiver.trust.reload()
        devices = await live.receiver.remindForms(now: now.addingTimeInterval(7200))
        XCTAssertEqual(devices, 0, "first seen now, though inside the two days")
        devices = await live.receiver.remindForms(now: now.addingTimeInterval(7200 + 86400))
        XCTAssertEqual(devices, 2, "a day later, both families (neither answered this one)")
    }

    func testQueuedMessagesSurviveARestartAndGoOnce() async throws {
        try await start(quiet: Self.quiet(from: -3600, until: 3600))
        var subs: [PushServiceProcess.Subscription] = []
        for token in [Fixture.parentA, Fixture.parentB, Fixture.groep3] {
            let sub = try await service.subscribe()
            subs.append(sub)
            _ = try await subscribe(token, sub)
        }
        _ = try await notify([("school", 3, false)])
        XCTAssertEqual(try live.receiver.pushStatus().queued, 3)

        // A new process on the same database (the first one is left idle, as after a crash).
        let clock = ManualClock(live.clock.now().addingTimeInterval(3600 + 60))
        var configuration = ReceiverConfiguration()
        configuration.pushPolicy = PushEndpointPolicy(allowLoopback: true)
        let restarted = try Receiver(
            trust: TrustStore(url: live.folder.appendingPathComponent("trust.json")), databasePath: live.dbPath, clock: clock,
            configuration: configuration)
        let sender = PushSender(receiver: restarted)
        await sender.sendDue()
        await sender.sendDue()
        await sender.shutdown()
        for sub in subs { let got18 = try await sent(to: sub); XCTAssertEqual(got18, [PushPayload(sequences: ["school": 3], urgent: false)]) }
        XCTAssertEqual(try restarted.pushStatus().queued, 0)
        XCTAssertEqual(try restarted.pushStatus().sent, 3)
    }
}
