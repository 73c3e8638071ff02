// `portal rotate`: the new school year. Groups move up, families whose children all leave lose
// their tokens, every audience gets new keys, and the remaining tokens live until the next
// 1 August; parents' devices pick up the new keys on their next visit (docs/TOKENS.md).
import ArgumentParser
import Foundation
import PortalContent
import PortalKeys

struct RotateCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "rotate",
        abstract: "Start a new school year: groups move up, leavers' tokens are revoked, all groups get new keys.",
        discussion: """
            By default each group goes to the next group in site.yaml; parallel classes (groep-1-2a,
            groep-1-2b) go to the same next group and the last group leaves. Always look at the plan
            first with --dry-run. Examples:
              portal rotate --dry-run
              portal rotate --to-year 2027-2028 --promote groep-1-2b=groep-1-2b
              portal rotate --move 3f9a1c=groep-1-2a      (this child stays in kindergarten)
            """)

    @Option(help: "The new school year, e.g. 2027-2028: tokens then work until 1 August 2028. Default: the next 1 August.")
    var toYear: String?

    @Option(name: .customLong("promote"), help: "FROM=TO: where a group's children go (a group id, the same group, or `leaves`); repeat.")
    var promotions: [String] = []

    @Option(name: .customLong("move"), help: "ID=GROUP[,GROUP]: next year's groups of one token (or ID=leaves); repeat.")
    var moves: [String] = []

    @Flag(help: "Print the plan and change nothing.")
    var dryRun = false

    @OptionGroup var keysOption: KeysOption
    @OptionGroup var paths: PathOptions

    func run() throws {
        var overrides: [String: Promotion] = [:]
        for text in promotions {
            let parts = text.split(separator: "=", maxSplits: 1).map(String.init)
            guard parts.count == 2, !parts[0].isEmpty, !parts[1].isEmpty else {
                throw ValidationError("--promote takes FROM=TO, e.g. groep-3=groep-4 or groep-8=leaves, not '\(text)'")
            }
            guard overrides.updateValue(Promotion(parsing: parts[1]), forKey: parts[0]) == nil else {
                throw ValidationError("--promote \(parts[0]) is given twice")
            }
        }
        var tokenGroups: [String: [String]] = [:]
        for text in moves {
            let parts = text.split(separator: "=", maxSplits: 1).map(String.init)
            guard parts.count == 2, !parts[0].isEmpty, !parts[1].isEmpty else {
                throw ValidationError("--move takes ID=GROUP[,GROUP] or ID=leaves, not '\(text)'")
            }
            tokenGroups[parts[0]] = parts[1] == "leaves" ? [] : parts[1].split(separator: ",").map(String.init)
        }
        let site = try ContentLoader(root: paths.contentURL).load()
        let expires = try toYear.map { try Self.endOfSchoolYear($0, timeZone: site.config.timezone) }
        let promotion = try PromotionPlan(groups: site.config.groups.map(\.id), overrides: overrides)
        var keystore = try openKeystore(keysOption, timeZone: site.config.timezone)
        let now = Date()
        let plan = try keystore.planRotation(promotion, at: now, expires: expires, tokenGroups: tokenGroups)
        print(Self.describe(plan, promotion: promotion, dates: TokenDates(timeZone: site.config.timezone)))
        if dryRun {
            print("\nDry run: nothing was changed.")
            return
        }
        keystore.applyRotation(plan)
        try keystore.save()
        print("\nDone. Now replace last year's group content, then run `portal generate`:")
        print(Self.contentWarning(content: paths.contentURL, groups: promotion.groups))
    }

    /// "2027-2028" -> 1 August 2028 00:00 at the school.
    static func endOfSchoolYear(_ text: String, timeZone: TimeZone) throws -> Date {
        let parts = text.split(separator: "-").compactMap { Int($0) }
        guard parts.count == 2, text.count == 9, parts[1] == parts[0] + 1 else {
            throw ValidationError("--to-year takes a school year like 2027-2028, not '\(text)'")
        }
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = timeZone
        guard let date = calendar.date(from: DateComponents(year: parts[1], month: 8, day: 1)) else {
            throw ValidationError("--to-year \(text) is not a school year")
        }
        return date
    }

    static func describe(_ plan: RotationPlan, promotion: PromotionPlan, dates: TokenDates) -> String {
        var lines = ["Groups next year:"]
        let width = promotion.groups.map(\.count).max() ?? 0
        for move in plan.moves {
            let tokens = "\(move.tokens) token\(move.tokens == 1 ? "" : "s")"
            let target: String
            switch move.to {
            case .leaves: target = "leaves the school"
            case .to(let group) where group == move.from: target = "stays in \(group)"
            case .to(let group): target = "moves to \(group)"
            }
            lines.append("  \(move.from.padding(toLength: width, withPad: " ", startingAt: 0))  \(target)  (\(tokens))")
        }
        let leaving = plan.leaving
        let families = plan.familiesLeaving
        lines.append("\(leaving.count) token\(leaving.count == 1 ? "" : "s") revoked: all their children leave "
            + "(\(families.count) famil\(families.count == 1 ? "y leaves" : "ies leave") the school).")
        for change in leaving {
            lines.append("  \(change.id.prefix(12))  \(change.before.joined(separator: ","))\(change.label.map { "  \"\($0)\"" } ?? "")")
        }
        let staying = plan.changes.count - leaving.count
        lines.append("\(staying) token\(staying == 1 ? "" : "s") keep working until \(dates.day(plan.expires)) "
            + "with their new groups; devices pick up the new keys on their next visit.")
        lines.append("New keys for: \(plan.rekeyed.joined(separator: ", ")).")
        return lines.joined(separator: "\n")
    }

    /// Group content of last year would be sealed for next year's parents of that group.
    static func contentWarning(content: URL, groups: [String]) -> String {
        var lines: [String] = []
        for group in groups {
            let folder = content.appendingPathComponent("groups/\(group)")
            let files = FileManager.default.enumerator(atPath: folder.path)?.allObjects.count ?? 0
            if files > 0 { lines.append("  content/groups/\(group)/ (\(files) files)") }
        }
        if lines.isEmpty { return "  (no group content found)" }
        return "  The next generate shows these to next year's parents of each group; move last year's items out first:\n"
            + lines.joined(separator: "\n")
    }
}
