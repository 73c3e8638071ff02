// Sends the queued push messages: a bounded number at once, each encrypted afresh for its device
// (RFC 8291) and signed with the school's VAPID key (RFC 8292), never following a redirect.
// It runs beside the request handlers and never holds them up: the queue is in SQLite, so a
// restart resumes it, and a message leaves the queue only once a push service took it.
import AsyncHTTPClient
import Foundation
import NIOCore
import NIOHTTP1
import PortalCrypto
import PortalPush
import PortalTrust

/// The receiver's sending side of Web Push.
///
/// ```swift
/// let sender = PushSender(receiver: receiver)
/// let sent = await sender.sendDue()      // the server calls it in a loop; tests call it directly
/// ```
public final class PushSender: Sendable {
    let receiver: Receiver
    let client: HTTPClient
    /// Messages in flight at once.
    let concurrency: Int

    /// What one attempt came to.
    public enum Outcome: Sendable, Equatable {
        case sent
        /// 404/410: the subscription is gone and removed.
        case gone
        /// Will be tried again at this instant.
        case retry(Date)
        /// Refused for good (400, 401, 403, 413, expired, out of attempts).
        case dropped(String)
    }

    /// One attempt's outcome and what the queue must do about it (done in one write per batch).
    struct Attempt: Sendable {
        let outcome: Outcome
        let row: PushQueueRow
        /// Leaves the queue: sent (true) or dropped (false); nil when it stays (retry, gone).
        let finished: Bool?
        /// Unix milliseconds of the next try, for a retry.
        var retryAt: Int64? = nil
    }

    /// VAPID JWTs per push service origin, reused while they have more than an hour left
    /// (RFC 8292 allows it; one signature per service rather than per message).
    private let tokens = JWTCache()

    public static let maxAttempts = 8

    public init(receiver: Receiver, concurrency: Int? = nil) {
        self.receiver = receiver
        self.concurrency = concurrency ?? receiver.configuration.pushConcurrency
        var configuration = HTTPClient.Configuration(
            redirectConfiguration: .disallow,
            timeout: .init(connect: .seconds(5), read: .seconds(Int64(receiver.configuration.pushTimeout))))
        configuration.connectionPool = .init(idleTimeout: .seconds(60), concurrentHTTP1ConnectionsPerHostSoftLimit: self.concurrency)
        client = HTTPClient(eventLoopGroupProvider: .singleton, configuration: configuration)
    }

    /// Closes the connections; call it after the sending task ended.
    public func shutdown() async {
        try? await client.shutdown()
    }

    /// Sends every message due now, `concurrency` at a time; returns the outcomes.
    @discardableResult
    public func sendDue() async -> [Outcome] {
        guard let push = receiver.trust.current.file.push, let vapid = try? VAPIDKey(privateKey: push.vapidPrivateKey) else {
            return []
        }
        let quiet = (try? QuietHours(start: push.quietStart, end: push.quietEnd, weekends: push.quietWeekends, timeZone: push.timeZone))
            ?? QuietHours.none
        var outcomes: [Outcome] = []
        while !Task.isCancelled {
            let now = receiver.clock.now()
            guard let batch = try? await receiver.pushStore.due(now: ReceiverDates.millis(now), limit: 512), !batch.isEmpty else { break }
            let results = await withTaskGroup(of: Attempt.self) { group in
                var results: [Attempt] = []
                var next = batch.makeIterator()
                for _ in 0..<min(concurrency, batch.count) {
                    if let row = next.next() { group.addTask { await self.send(row, vapid: vapid, subject: push.subject, quiet: quiet) } }
                }
                for await outcome in group {
                    results.append(outcome)
                    if let row = next.next(), !Task.isCancelled {
                        group.addTask { await self.send(row, vapid: vapid, subject: push.subject, quiet: quiet) }
                    }
                }
                return results
            }
            do {
                try await receiver.pushStore.apply(
                    finished: results.compactMap { a in a.finished.map { (a.row, $0) } },
                    retries: results.compactMap { a in a.retryAt.map { (a.row, $0) } })
            } catch {
                // Without the record these rows would be due again at once: stop until the next
                // round rather than send them in a loop.
                receiver.log("push: could not record a batch's outcomes (\(error)); sending waits for the next round")
                outcomes += results.map(\.outcome)
                break
            }
            outcomes += results.map(\.outcome)
            // Rows tried again later stay in the queue with a later not_before, so the loop ends.
            if batch.count < 512 { break }
        }
        return outcomes
    }

    /// One attempt for one device.
    func send(_ row: PushQueueRow, vapid: VAPIDKey, subject: String, quiet: QuietHours) async -> Attempt {
        let store = receiver.pushStore
        let now = receiver.clock.now()
        let nowMillis = ReceiverDates.millis(now)
        func drop(_ why: String) -> Attempt {
            receiver.log("push: dropped a message to \(Self.host(row.endpoint)): \(why)")
            return Attempt(outcome: .dropped(why), row: row, finished: false)
        }
        guard nowMillis < row.expires else { return drop("expired before a push service took it") }
        // A message queued (or retried) before the quiet hours began waits for their end.
        if !row.payload.urgent, quiet.isQuiet(now) {
            let at = quiet.release(after: now)
            return Attempt(outcome: .retry(at), row: row, finished: nil, retryAt: ReceiverDates.millis(at))
        }
        guard row.attempts < Self.maxAttempts else { return drop("no success in \(Self.maxAttempts) attempts") }
        // The endpoint passed the rule when it was stored; checked again, since the list may have changed.
        guard let url = try? receiver.configuration.pushPolicy.check(row.endpoint) else { return drop("endpoint no longer allowed") }
        let body: [UInt8]
        do {
            body = try WebPushEncryption.encrypt(
                row.payload.encoded(), to: try PushSubscriptionKeys(p256dh: row.p256dh, auth: row.auth), padTo: Self.paddedLength)
        } catch {
            return drop("\(error)")
        }
        // The URL as the rule read it, not the raw text again.
        var request = HTTPClientRequest(url: url.absoluteString)
        request.method = .POST
        let ttl = max(0, (row.expires - nowMillis) / 1000)
        request.headers.add(name: "TTL", value: String(ttl))
        request.headers.add(name: "Urgency", value: row.payload.urgent ? "high" : "normal")
        request.headers.add(name: "Content-Encoding", value: "aes128gcm")
        request.headers.add(name: "Content-Type", value: "application/octet-stream")
        request.headers.add(name: "Authorization", value: tokens.authorization(vapid: vapid, endpoint: url, subject: subject, now: now))
        request.body = .bytes(ByteBuffer(bytes: body))
        let status: UInt
        let retryAfter: String?
        do {
            let response = try await client.execute(request, timeout: .seconds(Int64(receiver.configuration.pushTimeout)))
            status = response.status.code
            retryAfter = response.headers.first(name: "retry-after")
            _ = try? await response.body.collect(upTo: 64 * 1024)
        } catch {
            return retry(row, now: now, retryAfter: nil, why: "\(error)", quiet: quiet)
        }
        switch status {
        case 200..<300:
            return Attempt(outcome: .sent, row: row, finished: true)
        case 404, 410:
            try? await store.forget(endpoint: row.endpoint)
            receiver.log("push: \(Self.host(row.endpoint)) says a subscription is gone (\(status)); removed")
            return Attempt(outcome: .gone, row: row, finished: nil)
        case 429, 500..<600:
            return retry(row, now: now, retryAfter: retryAfter, why: "status \(status)", quiet: quiet)
        default:
            return drop("status \(status)")
        }
    }

    /// Backoff: 10 s, 20 s, 40 s ... (8 attempts: the last after 21 minutes), or the push
    /// service's `Retry-After` when later; a non-urgent message never in the quiet hours.
    func retry(_ row: PushQueueRow, now: Date, retryAfter: String?, why: String, quiet: QuietHours) -> Attempt {
        var delay = min(3600, 10 * pow(2, Double(row.attempts)))
        if let retryAfter {
            if let seconds = Double(retryAfter.trimmingCharacters(in: .whitespaces)), seconds >= 0 {
                delay = max(delay, min(seconds, 24 * 3600))
            } else if let date = Self.httpDate(retryAfter) {
                delay = max(delay, min(date.timeIntervalSince(now), 24 * 3600))
            }
        }
        var at = now.addingTimeInterval(delay)
        if !row.payload.urgent { at = quiet.release(after: at) }
        receiver.log("push: \(Self.host(row.endpoint)) \(why); trying again in \(Int(at.timeIntervalSince(now))) s")
        return Attempt(outcome: .retry(at), row: row, finished: nil, retryAt: ReceiverDates.millis(at))
    }

    /// Every message's plaintext is padded to this (RFC 8188 padding): the push service sees one
    /// length whatever the audiences and counts.
    static let paddedLength = 256

    static func httpDate(_ text: String) -> Date? {
        let formatter = DateFormatter()
        formatter.locale = Locale(identifier: "en_US_POSIX")
        formatter.timeZone = TimeZone(identifier: "GMT")
        formatter.dateFormat = "EEE, dd MMM yyyy HH:mm:ss zzz"
        return formatter.date(from: text)
    }

    /// For log lines: the push service, never the device's path.
    static func host(_ endpoint: String) -> String { URL(string: endpoint)?.host ?? "?" }

    /// The sending loop of a running server: every second, or at once when a notice came; form
    /// reminders are looked for once a minute.
    public func run() async {
        var remindersChecked = Date.distantPast
        while !Task.isCancelled {
            let now = receiver.clock.now()
            if now.timeIntervalSince(remindersChecked) >= 60 || now < remindersChecked {
                remindersChecked = now
                await receiver.remindForms(now: now)
            }
            await sendDue()
            await receiver.pushWake.wait(seconds: 1)
        }
    }


}

/// VAPID `Authorization` values per origin, made again when less than an hour is left of 12.
final class JWTCache: @unchecked Sendable {
    private let lock = NSLock()
    private var values: [String: (value: String, expires: Int64)] = [:]

    func authorization(vapid: VAPIDKey, endpoint: URL, subject: String, now: Date) -> String {
        let origin = VAPIDKey.origin(of: endpoint)
        let seconds = Int64(now.timeIntervalSince1970)
        let key = origin + " " + subject + " " + Base64URL.encode(vapid.publicKey)
        if let cached = lock.withLock({ values[key] }), cached.expires - seconds > 3600 { return cached.value }
        let expires = seconds + 12 * 3600
        let value = vapid.authorization(endpoint: endpoint, subject: subject, expires: expires)
        lock.withLock { values[key] = (value, expires) }
        return value
    }
}

/// A wake-up call for the sending loop: `signal()` ends the current `wait` early.
final class PushWake: @unchecked Sendable {
    private let lock = NSLock()
    private var pending = false
    private var waiter: CheckedContinuation<Void, Never>?

    func signal() {
        let w: CheckedContinuation<Void, Never>? = lock.withLock {
            if let w = waiter { waiter = nil; return w }
            pending = true
            return nil
        }
        w?.resume()
    }

    func wait(seconds: Double) async {
        let timer = Task { [weak self] in
            // Cancelled when the wait ended early: then no signal, which would cut the next one short.
            guard (try? await Task.sleep(nanoseconds: UInt64(seconds * 1_000_000_000))) != nil else { return }
            self?.signal()
        }
        await withCheckedContinuation { (c: CheckedContinuation<Void, Never>) in
            let resumeNow: Bool = lock.withLock {
                if pending { pending = false; return true }
                waiter = c
                return false
            }
            if resumeNow { c.resume() }
        }
        timer.cancel()
    }
}
