// The new school year (`portal rotate`): groups move up, families whose children all leave lose
// their tokens, every audience gets a fresh epoch, and the remaining tokens live until the next
// 1 August. Tokens keep their secret, so devices keep working without typing anything: at the
// next generate their keyslot (same token id) holds the new groups' new keys.
import Foundation

/// Where the children of one group go next year.
public enum Promotion: Equatable, Sendable, CustomStringConvertible {
    /// To this group (the same group: a combined class whose children stay).
    case to(String)
    /// The group's children leave the school (groep 8).
    case leaves

    public var description: String {
        switch self {
        case .to(let group): return group
        case .leaves: return "leaves"
        }
    }

    /// `groep-4` or `leaves`.
    public init(parsing text: String) {
        self = text == "leaves" ? .leaves : .to(text)
    }
}

/// Group -> next year's group for every group in site.yaml.
///
/// The default follows the `groups:` order of site.yaml: each group goes to the next one, and
/// parallel classes (ids that differ only in a last letter, `groep-1-2a` and `groep-1-2b`) form
/// one year that goes to the same next group; the last year leaves. When the next year has
/// parallel classes, the default cannot choose and `--promote` must. Overrides replace the
/// default for their group.
///
/// ```swift
/// let plan = try PromotionPlan(groups: ["groep-1-2a", "groep-1-2b", "groep-3"],
///                              overrides: ["groep-1-2b": .to("groep-1-2b")])
/// plan.mapping["groep-1-2a"]  // .to("groep-3")
/// ```
public struct PromotionPlan: Equatable, Sendable {
    /// The groups in site.yaml order.
    public let groups: [String]
    public let mapping: [String: Promotion]

    public init(groups: [String], overrides: [String: Promotion] = [:]) throws(RotationError) {
        var problems: [String] = []
        for (from, to) in overrides.sorted(by: { $0.key < $1.key }) {
            if !groups.contains(from) { problems.append("--promote \(from)=\(to): \(from) is not a group in site.yaml") }
            if case .to(let target) = to, !groups.contains(target) {
                problems.append("--promote \(from)=\(to): \(target) is not a group in site.yaml (use a group id or `leaves`)")
            }
        }
        let defaults = PromotionPlan.defaultMapping(groups: groups)
        var mapping: [String: Promotion] = [:]
        for group in groups {
            if let chosen = overrides[group] {
                mapping[group] = chosen
            } else {
                switch defaults[group] {
                case .some(.success(let promotion)): mapping[group] = promotion
                case .some(.failure(let reason)): problems.append(reason.description)
                case .none: problems.append("\(group): no next group; give --promote \(group)=GROUP or \(group)=leaves")
                }
            }
        }
        guard problems.isEmpty else { throw .invalidMapping(problems) }
        self.groups = groups
        self.mapping = mapping
    }

    /// `groep-1-2a` -> `groep-1-2`; ids without a last letter after a digit are their own year.
    static func year(of group: String) -> String {
        let scalars = Array(group.unicodeScalars)
        guard scalars.count >= 2, let last = scalars.last, (0x61...0x7a).contains(last.value),
              CharacterSet.decimalDigits.contains(scalars[scalars.count - 2])
        else { return group }
        return String(String.UnicodeScalarView(scalars.dropLast()))
    }

    /// The default of each group, or why there is none.
    static func defaultMapping(groups: [String]) -> [String: Result<Promotion, RotationError.Reason>] {
        // Consecutive groups of the same year form one step.
        var years: [[String]] = []
        for group in groups {
            if let last = years.last?.last, year(of: last) == year(of: group) {
                years[years.count - 1].append(group)
            } else {
                years.append([group])
            }
        }
        var out: [String: Result<Promotion, RotationError.Reason>] = [:]
        for (i, year) in years.enumerated() {
            let result: Result<Promotion, RotationError.Reason>
            if i == years.count - 1 {
                result = .success(.leaves)
            } else if years[i + 1].count == 1 {
                result = .success(.to(years[i + 1][0]))
            } else {
                let next = years[i + 1].joined(separator: ", ")
                result = .failure(RotationError.Reason(
                    "\(year.joined(separator: ", ")): next year has several classes (\(next)); choose with --promote GROUP=CLASS"))
            }
            for group in year { out[group] = result }
        }
        return out
    }
}

/// What `portal rotate` will do (and, without `--dry-run`, did).
public struct RotationPlan: Sendable {
    public struct Move: Equatable, Sendable {
        public var from: String
        public var to: Promotion
        /// Active tokens with a child in `from`.
        public var tokens: Int
    }

    public struct Change: Equatable, Sendable {
        public var id: String
        public var family: String
        public var label: String?
        public var before: [String]
        /// Empty: every child leaves, the token is revoked.
        public var after: [String]
    }

    public var moves: [Move]
    public var changes: [Change]
    /// Audiences that get a new epoch: `school` and every group.
    public var rekeyed: [String]
    /// The new expiry of the remaining tokens.
    public var expires: Date

    /// Tokens that will be revoked because all their children leave.
    public var leaving: [Change] { changes.filter(\.after.isEmpty) }
    /// Families that leave the school: every token of theirs is revoked.
    public var familiesLeaving: [String] {
        let staying = Set(changes.filter { !$0.after.isEmpty }.map(\.family))
        return Array(Set(leaving.map(\.family)).subtracting(staying)).sorted()
    }
}

/// Why a rotation is refused.
public enum RotationError: Error, Equatable, Sendable, CustomStringConvertible {
    case invalidMapping([String])
    case unknownAudience(tokenID: String, audience: String)
    case expiryNotInFuture(Date)

    public struct Reason: Error, Equatable, Sendable, CustomStringConvertible {
        public var description: String
        init(_ text: String) { description = text }
    }

    public var description: String {
        switch self {
        case .invalidMapping(let problems):
            return "the group mapping is not valid; nothing was changed:\n" + problems.map { "  - \($0)" }.joined(separator: "\n")
        case .unknownAudience(let id, let audience):
            return "token \(id) grants '\(audience)', which is not a group in site.yaml: revoke the token or add the group first; nothing was changed"
        case .expiryNotInFuture(let date):
            return "the new school year must end in the future, not at \(iso(date))"
        }
    }
}

extension Keystore {
    /// The plan for the next school year at `date`: every usable token's groups mapped by
    /// `promotion`; `expires` (default: the next 1 August after `date`) for the remaining tokens.
    /// `tokenGroups` (token id or unique prefix -> next year's groups, empty: leaves) decides for
    /// single tokens where a group's children go different ways (a combined class groep 1-2).
    /// Tokens that are revoked, expired or lapsed are left alone.
    public func planRotation(
        _ promotion: PromotionPlan, at date: Date, expires: Date? = nil, tokenGroups: [String: [String]] = [:]
    ) throws(RotationError) -> RotationPlan {
        let expiry = expires ?? Keystore.defaultExpiry(issuedAt: date, in: timeZone)
        guard expiry > date else { throw .expiryNotInFuture(expiry) }
        var chosen: [String: [String]] = [:]
        var problems: [String] = []
        for (prefix, groups) in tokenGroups.sorted(by: { $0.key < $1.key }) {
            do {
                let record = try token(id: prefix)
                if !record.isUsable(at: date) { problems.append("--move \(prefix): token \(record.id) is not active") }
                chosen[record.id] = groups
            } catch {
                problems.append("--move \(prefix): \(error)")
            }
            for group in groups where !promotion.groups.contains(group) {
                problems.append("--move \(prefix)=\(groups.joined(separator: ",")): \(group) is not a group in site.yaml")
            }
        }
        guard problems.isEmpty else { throw .invalidMapping(problems) }
        var moves = promotion.groups.map { RotationPlan.Move(from: $0, to: promotion.mapping[$0] ?? .leaves, tokens: 0) }
        var changes: [RotationPlan.Change] = []
        for record in records where record.isUsable(at: date) {
            var after: [String] = []
            for audience in record.audiences {
                if audience == "school" {
                    if !after.contains("school") { after.append("school") }
                    continue
                }
                guard let target = promotion.mapping[audience] else {
                    throw .unknownAudience(tokenID: record.id, audience: audience)
                }
                if let i = moves.firstIndex(where: { $0.from == audience }) { moves[i].tokens += 1 }
                if case .to(let group) = target, !after.contains(group) { after.append(group) }
            }
            if let groups = chosen[record.id] {
                after = record.audiences.contains("school") && !groups.isEmpty ? ["school"] + groups : groups
            }
            // A token with groups whose children all leave is revoked, even if it also names
            // `school`; a token of only `school` (staff, governors) has no group to lose.
            if record.audiences.contains(where: { $0 != "school" }) && !after.contains(where: { $0 != "school" }) {
                after = []
            }
            changes.append(RotationPlan.Change(
                id: record.id, family: record.family, label: record.label, before: record.audiences, after: after))
        }
        var rekeyed = ["school"]
        for group in promotion.groups where !rekeyed.contains(group) { rekeyed.append(group) }
        for audience in epochs.keys.sorted() where !rekeyed.contains(audience) { rekeyed.append(audience) }
        return RotationPlan(moves: moves, changes: changes, rekeyed: rekeyed, expires: Keystore.wholeSeconds(expiry))
    }

    /// Carries out a plan from `planRotation`: maps each token's groups, revokes the tokens whose
    /// children all leave, moves the expiry of the others, and bumps every audience's epoch once
    /// (new keys for everyone, so a departed family's devices read nothing new). The caller saves.
    public mutating func applyRotation(_ plan: RotationPlan) {
        let now = Keystore.wholeSeconds(clock.now())
        for change in plan.changes {
            guard let i = records.firstIndex(where: { $0.id == change.id }) else { continue }
            if change.after.isEmpty {
                records[i].revoked = now
            } else {
                records[i].audiences = change.after
                records[i].expires = plan.expires
            }
        }
        bumpEpochs(of: plan.rekeyed)
    }
}
