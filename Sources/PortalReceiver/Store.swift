// The receiver's SQLite database (GRDB, WAL, synchronous=FULL): sealed absence reports, bookings
// and the nonces of mutating requests. Writes go through one group-commit writer: requests that
// arrive together share one IMMEDIATE transaction (each in its own savepoint, so one refusal
// does not undo another) and one fsync, and every caller hears back only after COMMIT returned.
import Foundation
import GRDB
import PortalFormat
import PortalFiles

/// One stored absence report (ciphertext as it came).
struct SubmissionRow: Sendable, Equatable {
    var id: String
    var kind: String
    var tokenID: String
    var family: String
    var group: String
    var from: String
    var to: String
    var sealed: SealedPayload
    /// Unix milliseconds.
    var received: Int64
    /// Insertion order (the tie-breaker of `received` in listings and page cursors).
    var seq: Int64 = 0
}

/// One booking row.
struct BookingRow: Sendable, Equatable {
    var id: String
    var schedule: String
    var slot: String
    var family: String
    var tokenID: String
    var sealed: SealedPayload
    /// Unix milliseconds.
    var created: Int64
}

/// The first registration of a token (registration week).
struct RegistrationRow: Sendable, Equatable {
    var tokenID: String
    var family: String
    /// Unix milliseconds of the first registration.
    var registeredAt: Int64
    /// What the app said about the device ("Android · Chrome"), if anything.
    var device: String?
}

/// What a booking request asks for, checked against the trust file before it reaches the store.
struct Claim: Sendable {
    let schedule: String
    let slot: String
    let perFamily: Int
    let sealed: SealedPayload
}

final class ReceiverStore: @unchecked Sendable {
    let pool: DatabasePool
    let writer: GroupCommitWriter

    init(path: String) throws {
        var config = Configuration()
        config.busyMode = .timeout(10)
        config.prepareDatabase { db in
            // Durable: COMMIT returns only after the WAL is fsynced.
            try db.execute(sql: "PRAGMA synchronous = FULL")
        }
        pool = try DatabasePool(path: path, configuration: config)
        try pool.write { db in
            try db.execute(sql: """
                CREATE TABLE IF NOT EXISTS submissions (
                  seq INTEGER PRIMARY KEY AUTOINCREMENT,
                  id TEXT NOT NULL UNIQUE,
                  kind TEXT NOT NULL,
                  token_id TEXT NOT NULL,
                  family TEXT NOT NULL,
                  group_id TEXT NOT NULL,
                  date_from TEXT NOT NULL,
                  date_to TEXT NOT NULL,
                  enc BLOB NOT NULL,
                  ct BLOB NOT NULL,
                  received INTEGER NOT NULL);
                CREATE INDEX IF NOT EXISTS submissions_received ON submissions(received);
                CREATE TABLE IF NOT EXISTS bookings (
                  id TEXT PRIMARY KEY,
                  schedule TEXT NOT NULL,
                  slot TEXT NOT NULL,
                  family TEXT NOT NULL,
                  family_index INTEGER NOT NULL,
                  token_id TEXT NOT NULL,
                  enc BLOB NOT NULL,
                  ct BLOB NOT NULL,
                  created INTEGER NOT NULL,
                  UNIQUE (schedule, slot),
                  UNIQUE (schedule, family, family_index));
                CREATE INDEX IF NOT EXISTS bookings_family ON bookings(family, schedule);
                CREATE TABLE IF NOT EXISTS nonces (
                  key TEXT PRIMARY KEY,
                  expires INTEGER NOT NULL) WITHOUT ROWID;
                """)
            // Added with the registration week; `IF NOT EXISTS` migrates an older database on
            // its next start (the other tables are unchanged).
            try db.execute(sql: """
                CREATE TABLE IF NOT EXISTS registrations (
                  token_id TEXT PRIMARY KEY,
                  family TEXT NOT NULL,
                  registered_at INTEGER NOT NULL,
                  device TEXT);
                CREATE INDEX IF NOT EXISTS registrations_at ON registrations(registered_at);
                """)
            // Added with group inbox keys: the `kid` of the key a payload was sealed to (NULL: the
            // school's one inbox key). ALTER TABLE migrates an older database on its next start.
            for table in ["submissions", "bookings"] where try !db.columns(in: table).contains(where: { $0.name == "kid" }) {
                try db.execute(sql: "ALTER TABLE \(table) ADD COLUMN kid TEXT")
            }
            // Added with staff listings: which report a staff token has opened ("gelezen" on
            // every device of that teacher). Metadata only: a token id, a report id, a time.
            try db.execute(sql: """
                CREATE TABLE IF NOT EXISTS staff_reads (
                  token_id TEXT NOT NULL,
                  submission_id TEXT NOT NULL,
                  read_at INTEGER NOT NULL,
                  PRIMARY KEY (token_id, submission_id)) WITHOUT ROWID;
                """)
            // Added with read confirmations (`confirm: true` news): that a token confirmed an
            // item and when. Metadata only: no content, no name.
            try db.execute(sql: """
                CREATE TABLE IF NOT EXISTS confirmations (
                  item_id TEXT NOT NULL,
                  token_id TEXT NOT NULL,
                  confirmed INTEGER NOT NULL,
                  PRIMARY KEY (item_id, token_id)) WITHOUT ROWID;
                """)
            // Added with staff posts: sealed to the school's inbox key; `portal sync` takes the
            // `sent` ones, `portal drafts` decides, the teacher's app shows the state.
            try db.execute(sql: """
                CREATE TABLE IF NOT EXISTS staff_posts (
                  id TEXT PRIMARY KEY,
                  token_id TEXT NOT NULL,
                  group_id TEXT NOT NULL,
                  enc BLOB NOT NULL,
                  ct BLOB NOT NULL,
                  state TEXT NOT NULL,
                  reason_enc BLOB,
                  reason_ct BLOB,
                  reason_kid TEXT,
                  received INTEGER NOT NULL,
                  updated INTEGER NOT NULL);
                CREATE INDEX IF NOT EXISTS staff_posts_token ON staff_posts(token_id, received);
                """)
            // Added with staff uploads: a post's parts, sealed chunks as they came (UploadStore.swift).
            try db.execute(sql: """
                CREATE TABLE IF NOT EXISTS staff_uploads (
                  id TEXT PRIMARY KEY,
                  token_id TEXT NOT NULL,
                  group_id TEXT NOT NULL,
                  enc BLOB NOT NULL,
                  chunks INTEGER NOT NULL,
                  post_id TEXT,
                  created INTEGER NOT NULL);
                CREATE INDEX IF NOT EXISTS staff_uploads_token ON staff_uploads(token_id, created);
                CREATE INDEX IF NOT EXISTS staff_uploads_post ON staff_uploads(post_id);
                CREATE TABLE IF NOT EXISTS staff_upload_chunks (
                  upload_id TEXT NOT NULL,
                  idx INTEGER NOT NULL,
                  bytes BLOB NOT NULL,
                  UNIQUE (upload_id, idx));
                """)
            // Added with forms: every answer as it came (both guardians, every change), and the
            // places the latest answer of each child holds (FormStore.swift).
            try db.execute(sql: """
                CREATE TABLE IF NOT EXISTS answers (
                  seq INTEGER PRIMARY KEY AUTOINCREMENT,
                  id TEXT NOT NULL UNIQUE,
                  form TEXT NOT NULL,
                  token_id TEXT NOT NULL,
                  family TEXT NOT NULL,
                  child TEXT NOT NULL,
                  shifts TEXT NOT NULL,
                  enc BLOB NOT NULL,
                  ct BLOB NOT NULL,
                  kid TEXT,
                  copy_nonce BLOB NOT NULL,
                  copy_ct BLOB NOT NULL,
                  received INTEGER NOT NULL);
                CREATE INDEX IF NOT EXISTS answers_form ON answers(form, family);
                CREATE TABLE IF NOT EXISTS answer_shifts (
                  form TEXT NOT NULL,
                  shift TEXT NOT NULL,
                  family TEXT NOT NULL,
                  child TEXT NOT NULL,
                  PRIMARY KEY (form, shift, family, child)) WITHOUT ROWID;
                """)
            // The daily quota counts a token's recent reports.
            try db.execute(sql: "CREATE INDEX IF NOT EXISTS submissions_token ON submissions(token_id, received)")
        }
        writer = GroupCommitWriter(pool: pool)
    }

    /// `journal_mode` and `synchronous` as SQLite reports them (tests check WAL and FULL=2).
    func pragmas() throws -> (journal: String, synchronous: Int) {
        try pool.read { db in
            (try String.fetchOne(db, sql: "PRAGMA journal_mode") ?? "",
             try Int.fetchOne(db, sql: "PRAGMA synchronous") ?? -1)
        }
    }

    // MARK: - Writes

    /// Inserts the nonce of a mutating request; a replay fails the savepoint with 409.
    static func claimNonce(_ db: Database, key: String, expires: Int64) throws {
        try db.cachedStatement(sql: "INSERT OR IGNORE INTO nonces (key, expires) VALUES (?, ?)")
            .execute(arguments: [key, expires])
        if db.changesCount == 0 { throw APIError.replayed }
    }

    /// Stores a report unless its token already sent `quota` reports in the 24 hours before it
    /// (429 `daily_quota`, counted in the same savepoint, so concurrent reports cannot overshoot).
    func insertSubmission(_ row: SubmissionRow, quota: Int, nonceKey: String, nonceExpires: Int64) async throws {
        try await writer.submit { db in
            try ReceiverStore.claimNonce(db, key: nonceKey, expires: nonceExpires)
            if quota > 0 {
                let recent = try Int.fetchOne(
                    db.cachedStatement(sql: "SELECT COUNT(*) FROM submissions WHERE token_id = ? AND received > ?"),
                    arguments: [row.tokenID, row.received - 86_400_000]) ?? 0
                if recent >= quota { throw APIError.dailyQuota(quota) }
            }
            try db.cachedStatement(sql: """
                INSERT INTO submissions (id, kind, token_id, family, group_id, date_from, date_to, enc, ct, kid, received)
                VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
                """).execute(arguments: [
                    row.id, row.kind, row.tokenID, row.family, row.group, row.from, row.to,
                    Data(row.sealed.enc), Data(row.sealed.ct), row.sealed.kid, row.received,
                ])
        }
    }

    /// Stores the first registration of a token, or returns the one already stored (`created`
    /// false). `isOpen` decides inside the transaction whether a first registration is still
    /// allowed, so two concurrent first calls cannot both pass a deadline check and differ.
    func register(
        _ row: RegistrationRow, isOpen: Bool, nonceKey: String, nonceExpires: Int64
    ) async throws -> (row: RegistrationRow, created: Bool) {
        try await writer.submit { db in
            try ReceiverStore.claimNonce(db, key: nonceKey, expires: nonceExpires)
            if let existing = try Row.fetchOne(
                db.cachedStatement(sql: "SELECT * FROM registrations WHERE token_id = ?"), arguments: [row.tokenID]
            ).map(ReceiverStore.registrationRow) {
                return (existing, false)
            }
            guard isOpen else { throw APIError.registrationClosed }
            try db.cachedStatement(sql: """
                INSERT INTO registrations (token_id, family, registered_at, device) VALUES (?, ?, ?, ?)
                """).execute(arguments: [row.tokenID, row.family, row.registeredAt, row.device])
            return (row, true)
        }
    }

    /// Books every claim or none. Throws 409 `slot_taken` / `family_limit` / `replayed_nonce`.
    func book(
        _ claims: [Claim], family: String, tokenID: String, created: Int64, ids: [String],
        nonceKey: String, nonceExpires: Int64
    ) async throws -> [BookingRow] {
        try await writer.submit { db in
            try ReceiverStore.claimNonce(db, key: nonceKey, expires: nonceExpires)
            var rows: [BookingRow] = []
            for (claim, id) in zip(claims, ids) {
                try ReceiverStore.insertBooking(db, claim: claim, id: id, family: family, tokenID: tokenID, created: created)
                rows.append(BookingRow(
                    id: id, schedule: claim.schedule, slot: claim.slot, family: family, tokenID: tokenID,
                    sealed: claim.sealed, created: created))
            }
            return rows
        }
    }

    private static func insertBooking(
        _ db: Database, claim: Claim, id: String, family: String, tokenID: String, created: Int64
    ) throws {
        let taken = try Bool.fetchOne(
            db.cachedStatement(sql: "SELECT 1 FROM bookings WHERE schedule = ? AND slot = ?"),
            arguments: [claim.schedule, claim.slot]) ?? false
        if taken { throw APIError(409, "slot_taken", "slot \(claim.slot) of \(claim.schedule) was just taken") }
        let used = try Int.fetchSet(
            db.cachedStatement(sql: "SELECT family_index FROM bookings WHERE schedule = ? AND family = ?"),
            arguments: [claim.schedule, family])
        guard let index = (0..<claim.perFamily).first(where: { !used.contains($0) }) else {
            throw APIError(409, "family_limit",
                           "this family already holds \(claim.perFamily) booking(s) in \(claim.schedule); cancel or move one")
        }
        do {
            try db.cachedStatement(sql: """
                INSERT INTO bookings (id, schedule, slot, family, family_index, token_id, enc, ct, kid, created)
                VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
                """).execute(arguments: [
                    id, claim.schedule, claim.slot, family, index, tokenID, Data(claim.sealed.enc),
                    Data(claim.sealed.ct), claim.sealed.kid, created,
                ])
        } catch let error as DatabaseError where error.resultCode == .SQLITE_CONSTRAINT {
            // The checks above run inside the same IMMEDIATE transaction, so this is only the
            // last line of defence; it still holds under any concurrency.
            throw APIError(409, "slot_taken", "slot \(claim.slot) of \(claim.schedule) was just taken")
        }
    }

    /// The booking if it belongs to `family`.
    func booking(id: String, family: String) async throws -> BookingRow? {
        try await pool.read { db in
            try Row.fetchOne(db, sql: "SELECT * FROM bookings WHERE id = ? AND family = ?", arguments: [id, family])
                .map(ReceiverStore.bookingRow)
        }
    }

    /// Deletes the family's booking; `check` runs inside the transaction on the current row
    /// (notice rules), so a concurrent move cannot slip between check and delete.
    func cancel(
        id: String, family: String, nonceKey: String, nonceExpires: Int64,
        check: @escaping @Sendable (BookingRow) throws -> Void
    ) async throws -> BookingRow {
        try await writer.submit { db in
            try ReceiverStore.claimNonce(db, key: nonceKey, expires: nonceExpires)
            guard let row = try Row.fetchOne(
                db, sql: "SELECT * FROM bookings WHERE id = ? AND family = ?", arguments: [id, family]
            ).map(ReceiverStore.bookingRow) else { throw APIError.unknownBooking }
            try check(row)
            try db.execute(sql: "DELETE FROM bookings WHERE id = ?", arguments: [id])
            return row
        }
    }

    /// Cancel and book in one transaction: the booking keeps its id and family index and moves
    /// to `slot` (same schedule). `check` validates the old row inside the transaction.
    func move(
        id: String, family: String, to slot: String, sealed: SealedPayload?, tokenID: String, created: Int64,
        nonceKey: String, nonceExpires: Int64, check: @escaping @Sendable (BookingRow) throws -> Void
    ) async throws -> BookingRow {
        try await writer.submit { db in
            try ReceiverStore.claimNonce(db, key: nonceKey, expires: nonceExpires)
            guard var row = try Row.fetchOne(
                db, sql: "SELECT * FROM bookings WHERE id = ? AND family = ?", arguments: [id, family]
            ).map(ReceiverStore.bookingRow) else { throw APIError.unknownBooking }
            try check(row)
            if row.slot == slot { return row }
            let taken = try Bool.fetchOne(
                db, sql: "SELECT 1 FROM bookings WHERE schedule = ? AND slot = ?", arguments: [row.schedule, slot]) ?? false
            if taken { throw APIError(409, "slot_taken", "slot \(slot) of \(row.schedule) was just taken") }
            if let sealed {
                row.sealed = sealed
                row.tokenID = tokenID
            }
            row.slot = slot
            row.created = created
            do {
                try db.execute(
                    sql: "UPDATE bookings SET slot = ?, token_id = ?, enc = ?, ct = ?, kid = ?, created = ? WHERE id = ?",
                    arguments: [slot, row.tokenID, Data(row.sealed.enc), Data(row.sealed.ct), row.sealed.kid, created, id])
            } catch let error as DatabaseError where error.resultCode == .SQLITE_CONSTRAINT {
                throw APIError(409, "slot_taken", "slot \(slot) of \(row.schedule) was just taken")
            }
            return row
        }
    }

    /// Drops nonces that can no longer match (their timestamp is outside the skew window).
    /// Moves the bookings held under a schedule's former ids to its current id (the logical paths
    /// of format 1 became opaque ids in format 2): a family keeps its slot, and a taken slot
    /// stays taken. Runs before requests are served and after every new trust file; once moved,
    /// nothing matches any more.
    @discardableResult
    func adoptFormerScheduleIDs(_ renames: [(id: String, former: [String])]) throws -> Int {
        guard renames.contains(where: { !$0.former.isEmpty }) else { return 0 }
        return try pool.write { db in
            var moved = 0
            for rename in renames {
                for former in rename.former where former != rename.id {
                    try db.execute(sql: "UPDATE bookings SET schedule = ? WHERE schedule = ?", arguments: [rename.id, former])
                    moved += db.changesCount
                }
            }
            return moved
        }
    }

    func pruneNonces(now: Int64) async throws {
        try await writer.submit { db in
            try db.execute(sql: "DELETE FROM nonces WHERE expires < ?", arguments: [now])
            try ReceiverStore.pruneUploads(db, now: now)
        }
    }

    // MARK: - Reads

    /// slot id -> (booking id, family) of a schedule.
    func taken(schedule: String) async throws -> [String: (id: String, family: String)] {
        try await pool.read { db in
            var out: [String: (id: String, family: String)] = [:]
            let rows = try Row.fetchCursor(
                db.cachedStatement(sql: "SELECT slot, id, family FROM bookings WHERE schedule = ?"), arguments: [schedule])
            while let row = try rows.next() { out[row["slot"]] = (row["id"], row["family"]) }
            return out
        }
    }

    /// Reports received at or after `sinceMillis`, in (received, seq) order, after the cursor
    /// `after` if given; at most `limit`, and whether more follow.
    func submissions(sinceMillis: Int64, after: (received: Int64, seq: Int64)?, limit: Int) async throws
        -> (rows: [SubmissionRow], more: Bool)
    {
        try await pool.read { db in
            let cursor = after ?? (Int64.min, Int64.min)
            let rows = try Row.fetchAll(
                db, sql: """
                    SELECT * FROM submissions WHERE received >= ? AND (received > ? OR (received = ? AND seq > ?))
                    ORDER BY received, seq LIMIT ?
                    """,
                arguments: [sinceMillis, cursor.received, cursor.received, cursor.seq, limit + 1]
            ).map(ReceiverStore.submissionRow)
            return (Array(rows.prefix(limit)), rows.count > limit)
        }
    }

    /// Stores a post unless its id exists: then the same post from the same token is a retry
    /// (its stored row), anything else 409 `post_exists`. At most `quota` posts per token in 24 hours.
    func insertPost(
        id: String, tokenID: String, group: String, sealed: SealedPayload, parts: [String] = [], now: Int64, quota: Int,
        nonceKey: String, nonceExpires: Int64
    ) async throws -> (row: PostRow, created: Bool) {
        try await writer.submit { db in
            try ReceiverStore.claimNonce(db, key: nonceKey, expires: nonceExpires)
            if let existing = try Row.fetchOne(db, sql: "SELECT * FROM staff_posts WHERE id = ?", arguments: [id]) {
                let row = ReceiverStore.postRow(existing, withPost: true)
                guard row.tokenID == tokenID, row.group == group, row.sealed?.enc == sealed.enc, row.sealed?.ct == sealed.ct else {
                    throw APIError(409, "post_exists", "another post already has this id")
                }
                return (row, false)
            }
            let recent = try Int.fetchOne(
                db, sql: "SELECT COUNT(*) FROM staff_posts WHERE token_id = ? AND received > ?",
                arguments: [tokenID, now - 86_400_000]) ?? 0
            if recent >= quota { throw APIError(429, "daily_quota", "this code sent \(quota) posts in the last 24 hours") }
            try ReceiverStore.claimParts(db, parts: parts, postID: id, tokenID: tokenID, group: group)
            try db.execute(
                sql: "INSERT INTO staff_posts (id, token_id, group_id, enc, ct, state, received, updated) VALUES (?, ?, ?, ?, ?, 'sent', ?, ?)",
                arguments: [id, tokenID, group, Data(sealed.enc), Data(sealed.ct), now, now])
            let stored = try Row.fetchOne(db, sql: "SELECT * FROM staff_posts WHERE id = ?", arguments: [id])!
            return (ReceiverStore.postRow(stored, withPost: true), true)
        }
    }

    /// A token's posts received at or after `sinceMillis`, newest first (without the post itself).
    func posts(tokenID: String, sinceMillis: Int64) async throws -> [PostRow] {
        try await pool.read { db in
            try Row.fetchAll(
                db, sql: "SELECT * FROM staff_posts WHERE token_id = ? AND received >= ? ORDER BY received DESC",
                arguments: [tokenID, sinceMillis]
            ).map { ReceiverStore.postRow($0, withPost: false) }
        }
    }

    /// Posts in `state` (all when nil), oldest first, with the sealed post.
    func posts(state: PostState?) async throws -> [PostRow] {
        try await pool.read { db in
            let rows = try state.map {
                try Row.fetchAll(db, sql: "SELECT * FROM staff_posts WHERE state = ? ORDER BY received", arguments: [$0.rawValue])
            } ?? Row.fetchAll(db, sql: "SELECT * FROM staff_posts ORDER BY received")
            return rows.map { ReceiverStore.postRow($0, withPost: true) }
        }
    }

    /// Sets a post's state (and a rejection's sealed reason); false when there is no such post.
    /// (Admin: setting a state twice is harmless, so no stored nonce.)
    func setPostState(id: String, state: PostState, reason: SealedPayload?, now: Int64) async throws -> Bool {
        try await writer.submit { db in
            try db.execute(
                sql: "UPDATE staff_posts SET state = ?, reason_enc = ?, reason_ct = ?, reason_kid = ?, updated = ? WHERE id = ?",
                arguments: [state.rawValue, reason.map { Data($0.enc) }, reason.map { Data($0.ct) }, reason?.kid, now, id])
            let found = db.changesCount > 0
            // Decided: `portal sync` has written the post's photos and files into content/ by now
            // (or the post will never be published), so the receiver forgets their ciphertext.
            if found, [.published, .rejected, .removed].contains(state) { try ReceiverStore.dropParts(db, postID: id) }
            return found
        }
    }

    /// The teacher takes a post back: `retracted` unless it was already rejected or removed.
    /// False when the token has no such post.
    func retractPost(id: String, tokenID: String, now: Int64, nonceKey: String, nonceExpires: Int64) async throws -> Bool {
        try await writer.submit { db in
            try ReceiverStore.claimNonce(db, key: nonceKey, expires: nonceExpires)
            guard try Bool.fetchOne(db, sql: "SELECT 1 FROM staff_posts WHERE id = ? AND token_id = ?", arguments: [id, tokenID]) ?? false else {
                return false
            }
            try db.execute(
                sql: "UPDATE staff_posts SET state = 'retracted', updated = ? WHERE id = ? AND state NOT IN ('rejected', 'removed')",
                arguments: [now, id])
            return true
        }
    }

    static func postRow(_ row: Row, withPost: Bool) -> PostRow {
        let reasonEnc: Data? = row["reason_enc"], reasonCt: Data? = row["reason_ct"]
        let reason = reasonEnc.flatMap { enc in reasonCt.map { SealedPayload(enc: Array(enc), ct: Array($0), kid: row["reason_kid"]) } }
        return PostRow(
            id: row["id"], tokenID: row["token_id"], group: row["group_id"],
            sealed: withPost ? SealedPayload(enc: Array(row["enc"] as Data), ct: Array(row["ct"] as Data)) : nil,
            state: PostState(rawValue: row["state"]) ?? .sent, reason: reason,
            received: RFC3339.string(milliseconds: row["received"]), updated: RFC3339.string(milliseconds: row["updated"]))
    }

    /// Marks reports as read by a staff token (ids it may list; others are ignored by the caller).
    func markRead(tokenID: String, ids: [String], at: Int64, nonceKey: String, nonceExpires: Int64) async throws {
        try await writer.submit { db in
            try ReceiverStore.claimNonce(db, key: nonceKey, expires: nonceExpires)
            let insert = try db.cachedStatement(
                sql: "INSERT OR IGNORE INTO staff_reads (token_id, submission_id, read_at) VALUES (?, ?, ?)")
            for id in ids { try insert.execute(arguments: [tokenID, id, at]) }
        }
    }

    /// Records that `tokenID` confirmed reading `item` (once: a second confirmation keeps the
    /// first time); the time it was first confirmed.
    func confirm(item: String, tokenID: String, at: Int64, nonceKey: String, nonceExpires: Int64) async throws -> Int64 {
        try await writer.submit { db in
            try ReceiverStore.claimNonce(db, key: nonceKey, expires: nonceExpires)
            try db.execute(
                sql: "INSERT OR IGNORE INTO confirmations (item_id, token_id, confirmed) VALUES (?, ?, ?)", arguments: [item, tokenID, at])
            return try Int64.fetchOne(
                db, sql: "SELECT confirmed FROM confirmations WHERE item_id = ? AND token_id = ?", arguments: [item, tokenID]) ?? at
        }
    }

    /// `(item, token, confirmed)` of one token's confirmations, or of one item's.
    func confirmations(tokenID: String? = nil, item: String? = nil) async throws -> [(item: String, tokenID: String, confirmed: Int64)] {
        try await pool.read { db in
            let (column, value) = tokenID.map { ("token_id", $0) } ?? ("item_id", item ?? "")
            return try Row.fetchAll(
                db, sql: "SELECT item_id, token_id, confirmed FROM confirmations WHERE \(column) = ? ORDER BY confirmed, token_id",
                arguments: [value]
            ).map { ($0["item_id"], $0["token_id"], $0["confirmed"]) }
        }
    }

    /// The ids among `ids` that `tokenID` has marked read.
    func readIDs(tokenID: String, among ids: [String]) async throws -> Set<String> {
        guard !ids.isEmpty else { return [] }
        return try await pool.read { db in
            let marks = Array(repeating: "?", count: ids.count).joined(separator: ", ")
            return try String.fetchSet(
                db, sql: "SELECT submission_id FROM staff_reads WHERE token_id = ? AND submission_id IN (\(marks))",
                arguments: StatementArguments([tokenID] + ids))
        }
    }

    /// How many of `ids` are reports of `groups` received at or after `sinceMillis`.
    func countSubmissions(ids: [String], groups: Set<String>, sinceMillis: Int64) async throws -> Int {
        guard !ids.isEmpty, !groups.isEmpty else { return 0 }
        let idMarks = Array(repeating: "?", count: ids.count).joined(separator: ", ")
        let groupMarks = Array(repeating: "?", count: groups.count).joined(separator: ", ")
        return try await pool.read { db in
            try Int.fetchOne(
                db, sql: "SELECT COUNT(*) FROM submissions WHERE id IN (\(idMarks)) AND group_id IN (\(groupMarks)) AND received >= ?",
                arguments: StatementArguments(ids + groups.sorted()) + [sinceMillis]) ?? 0
        }
    }

    /// The newest reports (at most `limit`) of `groups` received at or after `sinceMillis`, newest first.
    func submissions(groups: Set<String>, sinceMillis: Int64, limit: Int) async throws -> [SubmissionRow] {
        guard !groups.isEmpty else { return [] }
        let marks = Array(repeating: "?", count: groups.count).joined(separator: ", ")
        return try await pool.read { db in
            try Row.fetchAll(
                db, sql: """
                    SELECT * FROM submissions WHERE received >= ? AND group_id IN (\(marks))
                    ORDER BY received DESC, seq DESC LIMIT ?
                    """,
                arguments: StatementArguments([sinceMillis] + groups.sorted().map { $0 as any DatabaseValueConvertible } + [limit])
            ).map(ReceiverStore.submissionRow)
        }
    }

    func bookings(schedule: String?) async throws -> [BookingRow] {
        try await pool.read { db in
            if let schedule {
                return try Row.fetchAll(
                    db, sql: "SELECT * FROM bookings WHERE schedule = ? ORDER BY schedule, slot", arguments: [schedule]
                ).map(ReceiverStore.bookingRow)
            }
            return try Row.fetchAll(db, sql: "SELECT * FROM bookings ORDER BY schedule, slot").map(ReceiverStore.bookingRow)
        }
    }

    /// Registrations at or after `sinceMillis` in (registered_at, token_id) order, after the
    /// cursor `after` if given; at most `limit`, and whether more follow.
    func registrations(sinceMillis: Int64, after: (at: Int64, tokenID: String)?, limit: Int) async throws
        -> (rows: [RegistrationRow], more: Bool)
    {
        try await pool.read { db in
            let cursor = after ?? (Int64.min, "")
            let rows = try Row.fetchAll(
                db, sql: """
                    SELECT * FROM registrations WHERE registered_at >= ?
                      AND (registered_at > ? OR (registered_at = ? AND token_id > ?))
                    ORDER BY registered_at, token_id LIMIT ?
                    """,
                arguments: [sinceMillis, cursor.at, cursor.at, cursor.tokenID, limit + 1]
            ).map(ReceiverStore.registrationRow)
            return (Array(rows.prefix(limit)), rows.count > limit)
        }
    }

    /// Whether the token has registered (any device, any time).
    func isRegistered(tokenID: String) async throws -> Bool {
        try await pool.read { db in
            try Bool.fetchOne(db.cachedStatement(sql: "SELECT 1 FROM registrations WHERE token_id = ?"), arguments: [tokenID]) ?? false
        }
    }

    static func submissionRow(_ row: Row) -> SubmissionRow {
        SubmissionRow(
            id: row["id"], kind: row["kind"], tokenID: row["token_id"], family: row["family"],
            group: row["group_id"], from: row["date_from"], to: row["date_to"],
            sealed: SealedPayload(enc: Array(row["enc"] as Data), ct: Array(row["ct"] as Data), kid: row["kid"]),
            received: row["received"], seq: row["seq"])
    }

    static func registrationRow(_ row: Row) -> RegistrationRow {
        RegistrationRow(tokenID: row["token_id"], family: row["family"], registeredAt: row["registered_at"], device: row["device"])
    }

    func bookingIDs() throws -> Set<String> {
        try pool.read { db in try String.fetchSet(db, sql: "SELECT id FROM bookings") }
    }

    static func bookingRow(_ row: Row) -> BookingRow {
        BookingRow(
            id: row["id"], schedule: row["schedule"], slot: row["slot"], family: row["family"],
            tokenID: row["token_id"], sealed: SealedPayload(enc: Array(row["enc"] as Data), ct: Array(row["ct"] as Data), kid: row["kid"]),
            created: row["created"])
    }
}

/// Group commit: jobs queue up while a transaction is running; the next transaction takes all of
/// them (up to `maxBatch`), runs each in a savepoint, commits once, then answers each caller.
final class GroupCommitWriter: @unchecked Sendable {
    private struct Job {
        let run: (Database) -> Void
        let finish: (Error?) -> Void
    }

    private let pool: DatabasePool
    private let lock = NSLock()
    private var pending: [Job] = []
    private var draining = false
    private let queue = DispatchQueue(label: "ouderportaal.receiver.writer")
    private let maxBatch = 512

    /// `PORTAL_RECEIVER_STATS=1` prints batch sizes and times to stderr every 2 s (benchmarks).
    private let stats = ProcessInfo.processInfo.environment["PORTAL_RECEIVER_STATS"] == "1"
    private var statBatches = 0, statJobs = 0, statExec = 0.0, statCommit = 0.0, statSince = Date()

    init(pool: DatabasePool) { self.pool = pool }

    private func record(jobs: Int, exec: Double, commit: Double) {
        statBatches += 1
        statJobs += jobs
        statExec += exec
        statCommit += commit
        let elapsed = Date().timeIntervalSince(statSince)
        guard elapsed >= 2 else { return }
        let line = String(
            format: "receiver writer: %.0f jobs/s, %d batches, %.1f jobs/batch, exec %.2f ms/batch, commit %.2f ms/batch\n",
            Double(statJobs) / elapsed, statBatches, Double(statJobs) / Double(max(statBatches, 1)),
            statExec / Double(max(statBatches, 1)) * 1000, statCommit / Double(max(statBatches, 1)) * 1000)
        FileHandle.standardError.write(Data(line.utf8))
        statBatches = 0; statJobs = 0; statExec = 0; statCommit = 0; statSince = Date()
    }

    func submit<T: Sendable>(_ work: @escaping @Sendable (Database) throws -> T) async throws -> T {
        try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<T, Error>) in
            let box = ResultBox<T>()
            let job = Job(
                run: { db in
                    do {
                        var value: T?
                        try db.inSavepoint {
                            value = try work(db)
                            return .commit
                        }
                        box.result = value.map { .success($0) }
                    } catch {
                        box.result = .failure(error)
                    }
                },
                finish: { commitError in
                    if let commitError {
                        continuation.resume(throwing: commitError)
                    } else if let result = box.result {
                        continuation.resume(with: result)
                    } else {
                        continuation.resume(throwing: APIError(500, "internal", "the write did not run"))
                    }
                })
            let start: Bool = lock.withLock {
                pending.append(job)
                if draining { return false }
                draining = true
                return true
            }
            if start { queue.async { self.drain() } }
        }
    }

    private func drain() {
        while true {
            let batch: [Job] = lock.withLock {
                if pending.isEmpty {
                    draining = false
                    return []
                }
                let n = min(pending.count, maxBatch)
                let taken = Array(pending.prefix(n))
                pending.removeFirst(n)
                return taken
            }
            if batch.isEmpty { return }
            var commitError: Error?
            let t0 = Date()
            var t1 = t0
            do {
                try pool.writeWithoutTransaction { db in
                    try db.execute(sql: "BEGIN IMMEDIATE")
                    for job in batch { job.run(db) }
                    t1 = Date()
                    do {
                        try db.execute(sql: "COMMIT")
                    } catch {
                        try? db.execute(sql: "ROLLBACK")
                        throw error
                    }
                }
            } catch {
                commitError = error
            }
            if stats { record(jobs: batch.count, exec: t1.timeIntervalSince(t0), commit: Date().timeIntervalSince(t1)) }
            for job in batch { job.finish(commitError) }
        }
    }
}

private final class ResultBox<T>: @unchecked Sendable {
    var result: Result<T, Error>?
}
