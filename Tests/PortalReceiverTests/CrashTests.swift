// kill -9 of the real `portal-receiver` binary during a load of bookings: every booking it
// acknowledged (201) must be in the database afterwards.
import Foundation
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif
#if canImport(Glibc)
import Glibc
#endif
import PortalCrypto
import PortalFormat
import PortalReceiver
import PortalTrust
import PortalTestSupport
import XCTest


/// Collects acknowledged ids from concurrent workers.
final class AckLog: @unchecked Sendable {
    private let lock = NSLock()
    private var ids: [String] = []
    private var next = 0
    private var errors = 0
    func take() -> Int { lock.withLock { defer { next += 1 }; return next } }
    func ack(_ id: String) { lock.withLock { ids.append(id) } }
    func fail() { lock.withLock { errors += 1 } }
    var acknowledged: [String] { lock.withLock { ids } }
    var failures: Int { lock.withLock { errors } }
}

final class CrashTests: XCTestCase {
    func testKill9LosesNoAcknowledgedBooking() async throws {
        let binary = PortalBinary.receiver
        try XCTSkipUnless(FileManager.default.isExecutableFile(atPath: binary.path), "no portal-receiver binary at \(binary.path)")
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("receiver-crash-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: folder) }

        let now = Date()
        let count = 3000
        let tokens = (0..<count).map { TestToken.make(50_000 + $0, family: "crash-\($0)", audiences: ["groep-5"], expires: now + 86400 * 30) }
        let schedule = "groups/groep-5/conferences/crash"
        let trust = TrustFile(
            siteID: Array(0xf0...0xff), adminPublicKey: Ed25519.publicKey(seed: Fixture.adminSeed),
            inboxPublicKey: Fixture.inbox.publicKey, generated: now, tokens: tokens.map(\.trustEntry),
            schedules: [TrustFile.Schedule(
                id: schedule, audience: "groep-5", teacher: "Juf", opens: now - 3600, closes: now + 86400 * 10,
                perFamily: 1, minNoticeHours: 1, slots: Fixture.slots(count, start: now + 86400 * 3))])
        let trustURL = folder.appendingPathComponent("trust.json")
        try trust.write(to: trustURL)
        let dbPath = folder.appendingPathComponent("receiver.sqlite").path

        let process = Process()
        process.executableURL = binary
        process.arguments = ["--trust", trustURL.path, "--db", dbPath, "--listen", "127.0.0.1:0", "--address-rate", "0"]
        let out = Pipe()
        process.standardOutput = out
        try process.run()
        var line = ""
        while !line.contains("\n") {
            let chunk = out.fileHandleForReading.availableData
            if chunk.isEmpty { break }
            line += String(decoding: chunk, as: UTF8.self)
        }
        guard let range = line.range(of: "http://") else {
            process.terminate()
            return XCTFail("receiver did not start: \(line)")
        }
        let base = String(line[range.lowerBound...]).trimmingCharacters(in: .whitespacesAndNewlines)

        let config = URLSessionConfiguration.ephemeral
        config.httpMaximumConnectionsPerHost = 64
        config.timeoutIntervalForRequest = 10
        let session = URLSession(configuration: config)
        let log = AckLog()
        let inbox = Fixture.inbox.publicKey
        let killer = Task {
            // Kill once a good number of bookings were acknowledged (or after 5 s).
            let deadline = Date() + 5
            while log.acknowledged.count < 400 && Date() < deadline { try? await Task.sleep(nanoseconds: 5_000_000) }
            kill(process.processIdentifier, SIGKILL)
        }
        await withTaskGroup(of: Void.self) { group in
            for _ in 0..<16 {
                group.addTask {
                    while true {
                        let i = log.take()
                        guard i < count else { return }
                        let t = tokens[i]
                        do {
                            let slot = String(format: "s%03d", i)
                            let sealed = try BookingPayload(child: "Kind \(i)")
                                .seal(tokenID: t.id, binding: .booking(schedule: schedule, slot: slot), inboxPublicKey: inbox)
                            let body = try JSONSerialization.data(withJSONObject: [
                                "schedule": schedule, "slot": String(format: "s%03d", i), "sealed": sealed.jsonObject,
                            ])
                            var request = URLRequest(url: URL(string: base + "/api/v1/bookings")!)
                            request.httpMethod = "POST"
                            request.httpBody = body
                            request.setValue("application/json", forHTTPHeaderField: "Content-Type")
                            for (k, v) in t.signer.headers(method: "POST", path: "/api/v1/bookings", body: Array(body)) {
                                request.setValue(v, forHTTPHeaderField: k)
                            }
                            let (data, response) = try await session.data(for: request)
                            if (response as? HTTPURLResponse)?.statusCode == 201,
                               let json = try JSONSerialization.jsonObject(with: data) as? [String: Any],
                               let id = json["id"] as? String {
                                log.ack(id)
                            } else {
                                log.fail()
                            }
                        } catch {
                            return  // the server is gone
                        }
                    }
                }
            }
        }
        await killer.value
        process.waitUntilExit()
        XCTAssertEqual(process.terminationReason, .uncaughtSignal)

        let acknowledged = log.acknowledged
        XCTAssertGreaterThan(acknowledged.count, 50, "the load should have been under way when the receiver died")
        XCTAssertLessThan(acknowledged.count, count, "the receiver should have died mid-load")
        XCTAssertEqual(log.failures, 0)
        // Reopen the database as the next receiver start would (WAL recovery).
        let reopened = try Receiver(trust: TrustStore(file: trust), databasePath: dbPath)
        let stored = try reopened.storedBookingIDs()
        let missing = acknowledged.filter { !stored.contains($0) }
        XCTAssertEqual(missing, [], "acknowledged bookings lost by kill -9")
        print("kill -9 test: \(acknowledged.count) acknowledged, \(stored.count) stored")
    }

    func testSIGHUPReloadsTheTrustFile() async throws {
        let binary = PortalBinary.receiver
        try XCTSkipUnless(FileManager.default.isExecutableFile(atPath: binary.path), "no portal-receiver binary at \(binary.path)")
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("receiver-hup-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: folder) }
        let now = Date()
        let a = TestToken.make(70_001, family: "hup-a", audiences: ["groep-5"], expires: now + 86400)
        let b = TestToken.make(70_002, family: "hup-b", audiences: ["groep-5"], expires: now + 86400)
        func trust(_ tokens: [TestToken]) -> TrustFile {
            TrustFile(siteID: Array(0xf0...0xff), adminPublicKey: Ed25519.publicKey(seed: Fixture.adminSeed),
                      inboxPublicKey: Fixture.inbox.publicKey, generated: now, tokens: tokens.map(\.trustEntry),
                      schedules: [TrustFile.Schedule(id: "groups/groep-5/conferences/x", audience: "groep-5", teacher: "Juf",
                                                     opens: now - 60, closes: now + 86400, perFamily: 1, minNoticeHours: 1,
                                                     slots: Fixture.slots(3, start: now + 86400 * 2))])
        }
        let trustURL = folder.appendingPathComponent("trust.json")
        try trust([a, b]).write(to: trustURL)
        let process = Process()
        process.executableURL = binary
        process.arguments = ["--trust", trustURL.path, "--db", folder.appendingPathComponent("r.sqlite").path,
                             "--listen", "127.0.0.1:0"]
        let out = Pipe(), err = Pipe()
        process.standardOutput = out
        process.standardError = err
        try process.run()
        defer { process.terminate(); process.waitUntilExit() }
        let line = String(decoding: out.fileHandleForReading.availableData, as: UTF8.self)
        let base = try XCTUnwrap(line.range(of: "http://").map { String(line[$0.lowerBound...]) })
            .trimmingCharacters(in: .whitespacesAndNewlines)
        func slots(_ t: TestToken) async throws -> Int {
            let path = "/api/v1/schedules/groups/groep-5/conferences/x/slots"
            var request = URLRequest(url: URL(string: base + path)!)
            for (k, v) in t.signer.headers(method: "GET", path: path, body: []) { request.setValue(v, forHTTPHeaderField: k) }
            let (_, response) = try await URLSession.shared.data(for: request)
            return (response as! HTTPURLResponse).statusCode
        }
        var status = try await slots(b)
        XCTAssertEqual(status, 200)
        try trust([a]).write(to: trustURL)  // b revoked by the next generate
        kill(process.processIdentifier, SIGHUP)
        var waited = 0
        repeat {
            try await Task.sleep(nanoseconds: 50_000_000)
            status = try await slots(b)
            waited += 1
        } while status == 200 && waited < 40
        XCTAssertEqual(status, 401)
        status = try await slots(a)
        XCTAssertEqual(status, 200)
        // A broken trust file is refused and the old one stays in force.
        try Data("{".utf8).write(to: trustURL)
        kill(process.processIdentifier, SIGHUP)
        try await Task.sleep(nanoseconds: 300_000_000)
        status = try await slots(a)
        XCTAssertEqual(status, 200)
        XCTAssertTrue(process.isRunning)
    }
}
