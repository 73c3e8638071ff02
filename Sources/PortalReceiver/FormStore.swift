// The receiver's half of forms (RECEIVER.md "Forms"): every answer as it came, and the places
// that the latest answer of each child of a family holds. Taking places and storing the answer
// are one transaction, so a shift never has more takers than places, however many families race.
import Foundation
import GRDB
import PortalFormat

/// One stored answer as the store reads and writes it.
struct AnswerRow: Sendable, Equatable {
    var id: String
    var form: String
    var tokenID: String
    var family: String
    var child: String
    /// Sorted.
    var shifts: [String]
    var sealed: SealedPayload
    var copy: FamilyCopy
    var received: Int64
}

extension ReceiverStore {
    /// Answers a family may store per form (both guardians, every change).
    static let answersPerForm = 200

    /// Stores `row` after giving back this child's earlier places and taking the answer's:
    /// 409 `shift_full` (with `full`) when one has no place left, and then nothing is stored.
    func answer(_ row: AnswerRow, places: [String: Int], nonceKey: String, nonceExpires: Int64) async throws {
        try await writer.submit { db in
            try ReceiverStore.claimNonce(db, key: nonceKey, expires: nonceExpires)
            let kept = try Int.fetchOne(
                db.cachedStatement(sql: "SELECT COUNT(*) FROM answers WHERE form = ? AND family = ?"),
                arguments: [row.form, row.family]) ?? 0
            guard kept < ReceiverStore.answersPerForm else {
                throw APIError(429, "too_many_answers", "this family has answered this form \(kept) times; ask the school")
            }
            try db.cachedStatement(sql: "DELETE FROM answer_shifts WHERE form = ? AND family = ? AND child = ?")
                .execute(arguments: [row.form, row.family, row.child])
            let count = try db.cachedStatement(sql: "SELECT COUNT(*) FROM answer_shifts WHERE form = ? AND shift = ?")
            var full: [String] = []
            for shift in row.shifts {
                let taken = try Int.fetchOne(count, arguments: [row.form, shift]) ?? 0
                if taken >= places[shift] ?? 0 { full.append(shift) }
            }
            guard full.isEmpty else {
                var error = APIError(409, "shift_full", "no place left in shift \(full.joined(separator: ", ")); choose another")
                error.full = full
                throw error
            }
            let take = try db.cachedStatement(sql: "INSERT INTO answer_shifts (form, shift, family, child) VALUES (?, ?, ?, ?)")
            for shift in row.shifts { try take.execute(arguments: [row.form, shift, row.family, row.child]) }
            try db.cachedStatement(sql: """
                INSERT INTO answers (id, form, token_id, family, child, shifts, enc, ct, kid, copy_nonce, copy_ct, received)
                VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
                """).execute(arguments: [
                    row.id, row.form, row.tokenID, row.family, row.child, row.shifts.joined(separator: ","),
                    Data(row.sealed.enc), Data(row.sealed.ct), row.sealed.kid, Data(row.copy.nonce), Data(row.copy.ct),
                    row.received,
                ])
        }
    }

    /// Places taken per shift of `form`.
    func takenPlaces(form: String) async throws -> [String: Int] {
        try await pool.read { db in
            var out: [String: Int] = [:]
            for row in try Row.fetchAll(
                db, sql: "SELECT shift, COUNT(*) AS n FROM answer_shifts WHERE form = ? GROUP BY shift", arguments: [form]) {
                out[row["shift"]] = row["n"]
            }
            return out
        }
    }

    /// The answers to `form`, of one family or all, oldest first.
    func answers(form: String, family: String? = nil) async throws -> [AnswerRow] {
        try await pool.read { db in
            let rows = family == nil
                ? try Row.fetchAll(db, sql: "SELECT * FROM answers WHERE form = ? ORDER BY seq", arguments: [form])
                : try Row.fetchAll(
                    db, sql: "SELECT * FROM answers WHERE form = ? AND family = ? ORDER BY seq", arguments: [form, family])
            return rows.map { row in
                let shifts: String = row["shifts"]
                return AnswerRow(
                    id: row["id"], form: row["form"], tokenID: row["token_id"], family: row["family"], child: row["child"],
                    shifts: shifts.isEmpty ? [] : shifts.split(separator: ",").map(String.init),
                    sealed: SealedPayload(enc: Array(row["enc"] as Data), ct: Array(row["ct"] as Data), kid: row["kid"]),
                    copy: FamilyCopy(nonce: Array(row["copy_nonce"] as Data), ct: Array(row["copy_ct"] as Data)),
                    received: row["received"])
            }
        }
    }

    /// The families that answered `form` at least once.
    func answeringFamilies(form: String) async throws -> Set<String> {
        try await pool.read { db in
            Set(try String.fetchAll(db, sql: "SELECT DISTINCT family FROM answers WHERE form = ?", arguments: [form]))
        }
    }
}
