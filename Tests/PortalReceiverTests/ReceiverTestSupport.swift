// A receiver on 127.0.0.1 (port 0) with a real SQLite file in a temporary folder, a fixed clock,
// and signed HTTP requests over URLSession.
import Foundation
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif
import PortalCrypto
import PortalFormat
import PortalReceiver
import PortalTrust
import PortalTestSupport
import XCTest


/// A test identity: token id, family, audiences and its signing seed.
struct TestToken {
    let id: String
    let family: String
    let audiences: [String]
    let seed: [UInt8]
    var expires: Date
    /// `teacher` or `office` for a staff token.
    var staff: String? = nil

    var signer: RequestSigner { RequestSigner(tokenID: id, seed: seed) }

    static func make(_ n: Int, family: String, audiences: [String], expires: Date) -> TestToken {
        let id = Hex.encode(Array(SHA256.hash(Array("token \(n)".utf8)).prefix(16)))
        return TestToken(id: id, family: family, audiences: audiences, seed: SHA256.hash(Array("seed \(n)".utf8)), expires: expires)
    }

    /// A teacher's token for `group` (staff in the trust file).
    static func teacher(_ n: Int, group: String) -> TestToken {
        var token = make(n, family: "staff-\(n)", audiences: ["school", group], expires: Fixture.yearEnd)
        token.staff = "teacher"
        return token
    }

    var trustEntry: TrustFile.Token {
        TrustFile.Token(id: id, family: family, audiences: audiences, expires: expires, publicKey: Ed25519.publicKey(seed: seed), staff: staff)
    }
}

/// Fixed inputs of the receiver tests: "now" is 2027-02-01 12:00 UTC.
enum Fixture {
    static let now = Date(timeIntervalSince1970: 1_801_483_200)  // 2027-02-01T12:00:00Z
    static let adminSeed = SHA256.hash(Array("admin seed".utf8))
    /// The school's publisher key, which signs a pushed trust file.
    static let publisherSeed = SHA256.hash(Array("publisher seed".utf8))
    static let inbox = HPKE.deriveKeyPair(ikm: Array("inbox".utf8))
    static let yearEnd = now.addingTimeInterval(180 * 86400)

    static let parentA = TestToken.make(1, family: "fam-a", audiences: ["groep-5"], expires: yearEnd)
    static let parentA2 = TestToken.make(2, family: "fam-a", audiences: ["groep-5"], expires: yearEnd)  // other parent, same family
    static let parentB = TestToken.make(3, family: "fam-b", audiences: ["groep-5"], expires: yearEnd)
    static let twins = TestToken.make(4, family: "fam-twins", audiences: ["groep-5"], expires: yearEnd)
    static let multi = TestToken.make(5, family: "fam-multi", audiences: ["groep-3", "groep-5"], expires: yearEnd)
    static let expired = TestToken.make(6, family: "fam-old", audiences: ["groep-5"], expires: now.addingTimeInterval(-60))
    static let revoked = TestToken.make(7, family: "fam-gone", audiences: ["groep-5"], expires: yearEnd)  // not in trust
    static let groep3 = TestToken.make(8, family: "fam-g3", audiences: ["groep-3"], expires: yearEnd)

    static let g5 = "groups/groep-5/conferences/oudergesprekken-februari"
    static let g3 = "groups/groep-3/conferences/oudergesprekken-februari"
    static let closed = "groups/groep-5/conferences/oudergesprekken-november"
    static let twinsSchedule = "groups/groep-5/conferences/tweelingen"

    /// Slots of 10 minutes from `start`, ids `HH:MM`-like `s00`, `s01`, ...
    static func slots(_ count: Int, start: Date) -> [TrustFile.Slot] {
        (0..<count).map { i in
            TrustFile.Slot(id: String(format: "s%03d", i), start: start.addingTimeInterval(Double(i) * 600),
                           end: start.addingTimeInterval(Double(i + 1) * 600))
        }
    }

    static func trust(extraTokens: [TestToken] = [], slotCount: Int = 20) -> TrustFile {
        let evening = now.addingTimeInterval(8 * 86400 + 6.5 * 3600)  // 9 Feb 18:30
        let tomorrow = now.addingTimeInterval(20 * 3600)  // inside the 24 h notice
        var g5Slots = slots(slotCount, start: evening)
        g5Slots.append(TrustFile.Slot(id: "soon", start: tomorrow, end: tomorrow.addingTimeInterval(600)))
        let schedules = [
            TrustFile.Schedule(id: g5, audience: "groep-5", teacher: "Juf Sanne", opens: now.addingTimeInterval(-86400),
                               closes: now.addingTimeInterval(5 * 86400), perFamily: 1, minNoticeHours: 24, slots: g5Slots),
            TrustFile.Schedule(id: g3, audience: "groep-3", teacher: "Meester Ali", opens: now.addingTimeInterval(-86400),
                               closes: now.addingTimeInterval(5 * 86400), perFamily: 1, minNoticeHours: 24,
                               slots: slots(slotCount, start: evening)),
            TrustFile.Schedule(id: closed, audience: "groep-5", teacher: "Juf Sanne", opens: now.addingTimeInterval(-30 * 86400),
                               closes: now.addingTimeInterval(-86400), perFamily: 1, minNoticeHours: 24,
                               slots: slots(4, start: evening)),
            TrustFile.Schedule(id: twinsSchedule, audience: "groep-5", teacher: "Juf Sanne", opens: now.addingTimeInterval(-86400),
                               closes: now.addingTimeInterval(5 * 86400), perFamily: 2, minNoticeHours: 24,
                               slots: slots(6, start: evening)),
        ]
        let tokens = [parentA, parentA2, parentB, twins, multi, expired, groep3] + extraTokens
        return TrustFile(
            siteID: Array(0xf0...0xff), adminPublicKey: Ed25519.publicKey(seed: adminSeed),
            inboxPublicKey: inbox.publicKey, publisherPublicKey: Ed25519.publicKey(seed: publisherSeed), generated: now, tokens: tokens.map(\.trustEntry), schedules: schedules)
    }
}

struct HTTPResult: @unchecked Sendable {
    let status: Int
    let json: [String: Any]
    let headers: [AnyHashable: Any]
    var error: String? { json["error"] as? String }
}

/// A running receiver and a client for it.
final class LiveReceiver: @unchecked Sendable {
    let folder: URL
    let dbPath: String
    let clock: ManualClock
    let receiver: Receiver
    let baseURL: String
    private let task: Task<Void, Error>
    let session: URLSession

    init(trust: TrustFile = Fixture.trust(), configuration: ReceiverConfiguration = ReceiverConfiguration(),
         staticFolder: URL? = nil) async throws {
        folder = FileManager.default.temporaryDirectory.appendingPathComponent("receiver-test-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        dbPath = folder.appendingPathComponent("receiver.sqlite").path
        clock = ManualClock(Fixture.now)
        let trustURL = folder.appendingPathComponent("trust.json")
        try trust.write(to: trustURL)
        receiver = try Receiver(trust: TrustStore(url: trustURL), databasePath: dbPath, clock: clock,
                                configuration: configuration)
        let server = ReceiverServer(receiver: receiver, host: "127.0.0.1", port: 0, staticFolder: staticFolder)
        let (stream, continuation) = AsyncStream.makeStream(of: String.self)
        let app = server.makeApplication { url in continuation.yield(url); continuation.finish() }
        task = Task { try await app.runService(gracefulShutdownSignals: []) }
        var url = ""
        for await u in stream { url = u }
        baseURL = url
        let config = URLSessionConfiguration.ephemeral
        config.httpMaximumConnectionsPerHost = 256
        config.timeoutIntervalForRequest = 60
        session = URLSession(configuration: config)
    }

    func stop() async {
        task.cancel()
        _ = await task.result
        try? FileManager.default.removeItem(at: folder)
    }

    var now: Int64 { Int64(clock.now().timeIntervalSince1970) }

    /// Sends a request; signs it with `signer` unless nil. `headerOverrides` replace signed headers.
    func send(
        _ method: String, _ path: String, json: Any? = nil, rawBody: [UInt8]? = nil,
        signer: RequestSigner?, contentType: String? = "application/json", timestamp: Int64? = nil,
        nonce: String? = nil, headerOverrides: [String: String] = [:]
    ) async throws -> HTTPResult {
        var body: [UInt8] = rawBody ?? []
        if let json { body = Array(try JSONSerialization.data(withJSONObject: json)) }
        var request = URLRequest(url: URL(string: baseURL + path)!)
        request.httpMethod = method
        if !body.isEmpty || method == "POST" { request.httpBody = Data(body) }
        if let contentType, method == "POST" || method == "PUT" { request.setValue(contentType, forHTTPHeaderField: "Content-Type") }
        if let signer {
            for (k, v) in signer.headers(method: method, path: path, body: body, timestamp: timestamp ?? now, nonce: nonce) {
                request.setValue(v, forHTTPHeaderField: k)
            }
        }
        for (k, v) in headerOverrides { request.setValue(v, forHTTPHeaderField: k) }
        let (data, response) = try await session.data(for: request)
        let http = response as! HTTPURLResponse
        let object = (try? JSONSerialization.jsonObject(with: data)) as? [String: Any] ?? [:]
        return HTTPResult(status: http.statusCode, json: object, headers: http.allHeaderFields)
    }

    // Convenience calls.

    func sealedName(_ child: String, token: TestToken, schedule: String = Fixture.g5, slot: String) throws -> [String: String] {
        try BookingPayload(child: child)
            .seal(tokenID: token.id, binding: .booking(schedule: schedule, slot: slot), inboxPublicKey: Fixture.inbox.publicKey).jsonObject
    }

    func book(_ token: TestToken, schedule: String = Fixture.g5, slot: String, child: String = "Sanne") async throws -> HTTPResult {
        try await send("POST", "/api/v1/bookings",
                       json: ["schedule": schedule, "slot": slot, "sealed": try sealedName(child, token: token, schedule: schedule, slot: slot)],
                       signer: token.signer)
    }

    func slots(_ token: TestToken, schedule: String = Fixture.g5) async throws -> HTTPResult {
        try await send("GET", "/api/v1/schedules/\(schedule)/slots", signer: token.signer)
    }
}
