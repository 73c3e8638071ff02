// The receiver's push tables, in its SQLite database: subscriptions per token and device, the
// queue of messages to send (one row per device: a second notice before the first went merges
// into it), and the sequences already announced (a repeated notice queues nothing).
import Foundation
import GRDB
import PortalPush

/// One device's subscription for one token.
struct PushSubscriptionRow: Sendable, Equatable {
    var endpoint: String
    var tokenID: String
    var p256dh: [UInt8]
    var auth: [UInt8]
    var mode: String
}

/// One queued message: to one endpoint, sent at `notBefore` or later.
struct PushQueueRow: Sendable, Equatable {
    var endpoint: String
    var p256dh: [UInt8]
    var auth: [UInt8]
    var payload: PushPayload
    /// Unix milliseconds.
    var notBefore: Int64
    var expires: Int64
    var attempts: Int
    /// Moves on every merge into the row: an outcome applies only to the revision it was for.
    var revision: Int64
}

final class PushStore: @unchecked Sendable {
    let pool: DatabasePool

    init(pool: DatabasePool) throws {
        self.pool = pool
        try pool.write { db in
            try db.execute(sql: """
                CREATE TABLE IF NOT EXISTS push_subscriptions (
                  endpoint TEXT NOT NULL,
                  token_id TEXT NOT NULL,
                  p256dh BLOB NOT NULL,
                  auth BLOB NOT NULL,
                  mode TEXT NOT NULL,
                  created INTEGER NOT NULL,
                  PRIMARY KEY (endpoint, token_id));
                CREATE INDEX IF NOT EXISTS push_subscriptions_token ON push_subscriptions(token_id);
                CREATE TABLE IF NOT EXISTS push_queue (
                  endpoint TEXT PRIMARY KEY,
                  p256dh BLOB NOT NULL,
                  auth BLOB NOT NULL,
                  payload BLOB NOT NULL,
                  not_before INTEGER NOT NULL,
                  expires INTEGER NOT NULL,
                  attempts INTEGER NOT NULL DEFAULT 0,
                  revision INTEGER NOT NULL DEFAULT 0);
                CREATE INDEX IF NOT EXISTS push_queue_due ON push_queue(not_before);
                CREATE TABLE IF NOT EXISTS push_announced (
                  audience TEXT PRIMARY KEY,
                  sequence INTEGER NOT NULL);
                CREATE TABLE IF NOT EXISTS push_counts (
                  name TEXT PRIMARY KEY,
                  value INTEGER NOT NULL);
                CREATE TABLE IF NOT EXISTS form_reminders (
                  form TEXT PRIMARY KEY,
                  first_seen INTEGER NOT NULL,
                  sent INTEGER);
                """)
        }
    }

    /// Adds or replaces the subscription; refuses a new device beyond `limit` for the token.
    /// Returns the token's number of subscriptions after, or nil when the limit refused it.
    func subscribe(_ row: PushSubscriptionRow, limit: Int, now: Int64) async throws -> Int? {
        try await pool.write { db in
            let existing = try Int.fetchOne(
                db, sql: "SELECT COUNT(*) FROM push_subscriptions WHERE token_id = ? AND endpoint != ?",
                arguments: [row.tokenID, row.endpoint]) ?? 0
            guard existing < limit else { return nil }
            try db.execute(
                sql: """
                    INSERT INTO push_subscriptions (endpoint, token_id, p256dh, auth, mode, created) VALUES (?, ?, ?, ?, ?, ?)
                    ON CONFLICT(endpoint, token_id) DO UPDATE SET p256dh = excluded.p256dh, auth = excluded.auth, mode = excluded.mode
                    """,
                arguments: [row.endpoint, row.tokenID, Data(row.p256dh), Data(row.auth), row.mode, now])
            // One device, one pair of keys: a new subscription's keys hold for every code on it.
            try db.execute(
                sql: "UPDATE push_subscriptions SET p256dh = ?, auth = ? WHERE endpoint = ?",
                arguments: [Data(row.p256dh), Data(row.auth), row.endpoint])
            return existing + 1
        }
    }

    /// Removes one device's subscription for one token; the token's remaining count.
    func unsubscribe(endpoint: String, tokenID: String) async throws -> Int {
        try await pool.write { db in
            try db.execute(sql: "DELETE FROM push_subscriptions WHERE endpoint = ? AND token_id = ?", arguments: [endpoint, tokenID])
            if try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM push_subscriptions WHERE endpoint = ?", arguments: [endpoint]) == 0 {
                try db.execute(sql: "DELETE FROM push_queue WHERE endpoint = ?", arguments: [endpoint])
            }
            return try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM push_subscriptions WHERE token_id = ?", arguments: [tokenID]) ?? 0
        }
    }

    /// A push service said the endpoint is gone (404/410): every token's subscription on it goes.
    func forget(endpoint: String) async throws {
        try await pool.write { db in
            try db.execute(sql: "DELETE FROM push_subscriptions WHERE endpoint = ?", arguments: [endpoint])
            try db.execute(sql: "DELETE FROM push_queue WHERE endpoint = ?", arguments: [endpoint])
        }
    }

    /// After a new trust file: subscriptions of tokens no longer in it (revoked, expired) go, and
    /// queued messages to devices left without a subscription.
    func keepOnly(tokens: Set<String>) throws -> Int {
        try pool.write { db in
            let all = try String.fetchAll(db, sql: "SELECT DISTINCT token_id FROM push_subscriptions")
            var removed = 0
            for token in all where !tokens.contains(token) {
                try db.execute(sql: "DELETE FROM push_subscriptions WHERE token_id = ?", arguments: [token])
                removed += db.changesCount
            }
            try db.execute(sql: "DELETE FROM push_queue WHERE endpoint NOT IN (SELECT endpoint FROM push_subscriptions)")
            return removed
        }
    }

    /// Queues one message per device of `tokens` (whose mode takes it), merged with a message
    /// still waiting for that device. Audiences whose sequence was announced before are left
    /// out and returned. Returns (devices, held, repeated).
    func enqueue(
        notice: PushNotice, tokens: [String: Set<String>], now: Int64, releaseAt: Int64, ttlMillis: Int64
    ) async throws -> (devices: Int, held: Int, repeated: [String]) {
        try await pool.write { db in
            var repeated: [String] = []
            var fresh: [PushNotice.Audience] = []
            for audience in notice.audiences {
                let before = try Int64.fetchOne(db, sql: "SELECT sequence FROM push_announced WHERE audience = ?", arguments: [audience.id])
                if let before, before >= audience.sequence { repeated.append(audience.id); continue }
                try db.execute(
                    sql: "INSERT INTO push_announced (audience, sequence) VALUES (?, ?) ON CONFLICT(audience) DO UPDATE SET sequence = excluded.sequence",
                    arguments: [audience.id, audience.sequence])
                fresh.append(audience)
            }
            // Per device: the payload of every audience its tokens read.
            var perDevice: [String: (p256dh: [UInt8], auth: [UInt8], payload: PushPayload)] = [:]
            // A phone with two codes that both read an audience counts its items once.
            var added = Set<String>()
            let rows = fresh.isEmpty ? [] : try Row.fetchAll(db, sql: "SELECT endpoint, token_id, p256dh, auth, mode FROM push_subscriptions")
            for audience in fresh {
                let ids = tokens[audience.id] ?? []
                guard !ids.isEmpty else { continue }
                for row in rows {
                    let token: String = row["token_id"]
                    guard ids.contains(token) else { continue }
                    let mode: String = row["mode"]
                    if mode == "urgent" && !audience.urgent { continue }
                    let endpoint: String = row["endpoint"]
                    guard added.insert(endpoint + "\n" + audience.id).inserted else { continue }
                    let count = mode == "urgent" ? audience.urgentItems : max(1, audience.count)
                    let add = PushPayload(sequences: [audience.id: audience.sequence], urgent: audience.urgent, count: count)
                    if let had = perDevice[endpoint] {
                        perDevice[endpoint]!.payload = had.payload.merged(with: add)
                    } else {
                        let p256dh: Data = row["p256dh"]
                        let auth: Data = row["auth"]
                        perDevice[endpoint] = (Array(p256dh), Array(auth), add)
                    }
                }
            }
            var held = 0
            for (endpoint, message) in perDevice {
                let waits = try Self.queue(
                    db, endpoint: endpoint, p256dh: message.p256dh, auth: message.auth, adding: message.payload,
                    now: now, releaseAt: releaseAt, ttlMillis: ttlMillis)
                if waits { held += 1 }
            }
            return (perDevice.count, held, repeated)
        }
    }

    /// Merges `payload` into the message waiting for `endpoint` (or starts one) and schedules it:
    /// urgent goes now, anything else waits for the end of the quiet hours, also when it merges
    /// into a message that was due (a retry). True when it waits.
    private static func queue(
        _ db: Database, endpoint: String, p256dh: [UInt8], auth: [UInt8], adding payload: PushPayload,
        now: Int64, releaseAt: Int64, ttlMillis: Int64
    ) throws -> Bool {
        var payload = payload
        if let waiting = try Row.fetchOne(db, sql: "SELECT payload FROM push_queue WHERE endpoint = ?", arguments: [endpoint]),
           let old = PushPayload.decode(Array(waiting["payload"] as Data)) {
            payload = old.merged(with: payload)
        }
        let notBefore = payload.urgent ? now : max(now, releaseAt)
        try db.execute(
            sql: """
                INSERT INTO push_queue (endpoint, p256dh, auth, payload, not_before, expires, attempts, revision) VALUES (?, ?, ?, ?, ?, ?, 0, 0)
                ON CONFLICT(endpoint) DO UPDATE SET p256dh = excluded.p256dh, auth = excluded.auth, payload = excluded.payload,
                  not_before = excluded.not_before, expires = excluded.expires, attempts = 0, revision = revision + 1
                """,
            arguments: [endpoint, Data(p256dh), Data(auth), Data(payload.encoded()), notBefore, notBefore + ttlMillis])
        return notBefore > now
    }

    /// Queues "a new report" for every device of `tokens` (the staff tokens of the report's
    /// group) with notifications on, merged into what is already waiting for that device. Like an
    /// item that is not urgent, it waits for the end of the quiet hours.
    func enqueueReport(tokens: Set<String>, now: Int64, releaseAt: Int64, ttlMillis: Int64) async throws -> Int {
        try await enqueue(PushPayload(sequences: [:], urgent: false, count: 0, reports: 1), tokens: tokens, now: now,
                          releaseAt: releaseAt, ttlMillis: ttlMillis)
    }

    /// Queues `payload` (a count, no item) for every device of `tokens`, merged into what waits for
    /// that device; one message per device however many of its codes are among `tokens`. Not
    /// urgent: it waits for the end of the quiet hours.
    func enqueue(_ payload: PushPayload, tokens: Set<String>, now: Int64, releaseAt: Int64, ttlMillis: Int64) async throws -> Int {
        guard !tokens.isEmpty else { return 0 }
        return try await pool.write { db in
            var devices = Set<String>()
            for row in try Row.fetchAll(db, sql: "SELECT endpoint, token_id, p256dh, auth FROM push_subscriptions") {
                let endpoint: String = row["endpoint"]
                guard tokens.contains(row["token_id"] as String), devices.insert(endpoint).inserted else { continue }
                _ = try Self.queue(
                    db, endpoint: endpoint, p256dh: Array(row["p256dh"] as Data), auth: Array(row["auth"] as Data),
                    adding: payload, now: now, releaseAt: releaseAt, ttlMillis: ttlMillis)
            }
            return devices.count
        }
    }

    /// Forms first seen before, with the time each was first seen and whether its reminder went.
    func formReminders(seen forms: [String], now: Int64) async throws -> [String: (firstSeen: Int64, sent: Bool)] {
        guard !forms.isEmpty else { return [:] }
        return try await pool.write { db in
            var out: [String: (Int64, Bool)] = [:]
            for form in forms {
                try db.execute(sql: "INSERT OR IGNORE INTO form_reminders (form, first_seen) VALUES (?, ?)", arguments: [form, now])
                if let row = try Row.fetchOne(db, sql: "SELECT first_seen, sent FROM form_reminders WHERE form = ?", arguments: [form]) {
                    out[form] = (row["first_seen"], (row["sent"] as Int64?) != nil)
                }
            }
            return out
        }
    }

    func markReminded(form: String, now: Int64) async throws {
        try await pool.write { db in
            try db.execute(sql: "UPDATE form_reminders SET sent = ? WHERE form = ?", arguments: [now, form])
        }
    }

    /// Messages due at `now`, soonest first. A row that does not decode is removed, so it can
    /// never hold up the ones behind it.
    func due(now: Int64, limit: Int) async throws -> [PushQueueRow] {
        // A read every second; a write only in the rare case of a row to remove.
        let (out, broken) = try await pool.read { db in
            var out: [PushQueueRow] = []
            var broken: [String] = []
            for row in try Row.fetchAll(
                db, sql: "SELECT * FROM push_queue WHERE not_before <= ? ORDER BY not_before LIMIT ?", arguments: [now, limit]) {
                guard let payload = PushPayload.decode(Array(row["payload"] as Data)) else {
                    broken.append(row["endpoint"])
                    continue
                }
                out.append(PushQueueRow(
                    endpoint: row["endpoint"], p256dh: Array(row["p256dh"] as Data), auth: Array(row["auth"] as Data),
                    payload: payload, notBefore: row["not_before"], expires: row["expires"], attempts: row["attempts"],
                    revision: row["revision"]))
            }
            return (out, broken)
        }
        if !broken.isEmpty {
            try await pool.write { db in
                for endpoint in broken {
                    try db.execute(sql: "DELETE FROM push_queue WHERE endpoint = ?", arguments: [endpoint])
                    try Self.count(db, "failed")
                }
            }
        }
        return out
    }

    /// The earliest `not_before` of the queue.
    func nextDue() throws -> Int64? {
        try pool.read { db in try Int64.fetchOne(db, sql: "SELECT MIN(not_before) FROM push_queue") }
    }

    /// What a batch came to, in one transaction (one fsync): a fan-out to 10,000 devices is not
    /// 10,000 commits. Rows that went (or never will) leave the queue, rows to try again get
    /// their time; either only if no newer message was merged into the row meanwhile (its
    /// revision moved: then it stays as it is, due as that message says).
    func apply(finished: [(row: PushQueueRow, sent: Bool)], retries: [(row: PushQueueRow, at: Int64)]) async throws {
        guard !finished.isEmpty || !retries.isEmpty else { return }
        try await pool.write { db in
            for (row, sent) in finished {
                try db.execute(
                    sql: "DELETE FROM push_queue WHERE endpoint = ? AND revision = ?", arguments: [row.endpoint, row.revision])
                try Self.count(db, sent ? "sent" : "failed")
            }
            for (row, at) in retries {
                try db.execute(
                    sql: "UPDATE push_queue SET attempts = attempts + 1, not_before = ? WHERE endpoint = ? AND revision = ?",
                    arguments: [at, row.endpoint, row.revision])
            }
        }
    }

    private static func count(_ db: Database, _ name: String) throws {
        try db.execute(
            sql: "INSERT INTO push_counts (name, value) VALUES (?, 1) ON CONFLICT(name) DO UPDATE SET value = value + 1",
            arguments: [name])
    }

    func status() throws -> PushStatus {
        try pool.read { db in
            let counts = Dictionary(uniqueKeysWithValues: try Row.fetchAll(db, sql: "SELECT name, value FROM push_counts").map {
                ($0["name"] as String, $0["value"] as Int)
            })
            return PushStatus(
                subscriptions: try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM push_subscriptions") ?? 0,
                queued: try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM push_queue") ?? 0,
                sent: counts["sent"] ?? 0, failed: counts["failed"] ?? 0)
        }
    }
}
