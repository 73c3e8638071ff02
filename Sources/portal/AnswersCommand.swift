// `portal answers`: a form's answers, opened on this computer with the keystore's inbox keys:
// per child (or family) the answer that counts, the other guardian's when it differs, who has
// not answered yet, and who took which shift. The receiver knows only opaque ids.
import ArgumentParser
import Foundation
import PortalContent
import PortalFiles
import PortalFormat
import PortalKeys
import PortalReceiver

struct AnswersCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "answers",
        abstract: "Answers to a form (forms/<slug>.md), opened on this computer; who has not answered yet.",
        discussion: """
            Without FORM: every form with how many answered. The answer that counts is the latest per \
            child (or family); when the other parent answered differently, both are shown with their times.
            Example: portal answers groups/groep-5/forms/artis --csv > artis.csv
            """)

    @Argument(help: "The form's path (groups/groep-5/forms/artis or forms/kerstdiner) or its id; all forms when left out.")
    var form: String?

    @OptionGroup var receiverOptions: ReceiverOptions

    @Flag(help: "Print CSV: one row per child (or family), a column per question.")
    var csv = false

    @Flag(help: "Print JSON (docs/RECEIVER.md \"Forms\").")
    var json = false

    func run() async throws {
        if let off = switchedOff(.forms, receiverOptions.paths) { print(off); return }
        let (client, keys) = try receiverOptions.connect()
        let keystore = try openKeystore(receiverOptions.keysOption)
        let site = try ContentLoader(root: receiverOptions.paths.contentURL).load()
        let forms = site.items.filter { $0.form != nil }
        guard !forms.isEmpty else { print("No forms in content/ (forms/<slug>.md)."); return }
        let zone = receiverOptions.paths.schoolTimeZone
        guard let form else {
            for item in forms.sorted(by: { ($0.form?.deadline ?? .distantPast) > ($1.form?.deadline ?? .distantPast) }) {
                let report = try await FormReport(item: item, keystore: keystore, answers: client.answers(
                    form: keystore.masterKey.formID(logicalPath: item.logicalPath)), keys: keys, zone: zone)
                print(StaffOutput.terminal(report.summary))
            }
            return
        }
        guard let item = forms.first(where: {
            $0.logicalPath == form || keystore.masterKey.formID(logicalPath: $0.logicalPath) == form
        }) else {
            throw ValidationError("no form '\(form)' in content/; forms: \(forms.map(\.logicalPath).joined(separator: ", "))")
        }
        let report = try await FormReport(
            item: item, keystore: keystore,
            answers: client.answers(form: keystore.masterKey.formID(logicalPath: item.logicalPath)), keys: keys, zone: zone)
        if json {
            let encoder = JSONEncoder()
            encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
            print(String(decoding: try encoder.encode(report.document), as: UTF8.self))
        } else if csv {
            printRows(report.rows, columns: report.columns, json: false, csv: true, empty: "")
        } else {
            print(report.text)
        }
    }
}

/// One form's answers, opened and laid out per child (or family).
struct FormReport {
    /// What `--json` prints.
    struct Document: Encodable {
        var form: String
        var title: String
        var deadline: String
        var per: String
        var answers: [Answer]
        /// Children (or families) without an answer.
        var missing: [Missing]
        var shifts: [Shift]
        /// Answers that could not be opened (a key this keystore does not hold, a changed row).
        var errors: [String]
    }

    struct Answer: Encodable {
        var family: String
        var child: String
        var guardian: String
        /// The code that sent it (its label).
        var by: String
        var received: String
        var answers: [String: AnswerPayload.Value]
        /// `both_guardians` forms: whether two codes of the family both said yes to every yes/no question.
        var bothAgreed: Bool?
        /// The latest answers of the family's other codes for this child, when they differ.
        var others: [Other]

        enum CodingKeys: String, CodingKey {
            case family, child, guardian, by, received, answers, others
            case bothAgreed = "both_agreed"
        }
    }

    struct Other: Encodable {
        var guardian: String
        var by: String
        var received: String
        var answers: [String: AnswerPayload.Value]
    }

    struct Missing: Encodable {
        var family: String
        var child: String
    }

    struct Shift: Encodable {
        var question: String
        var label: String
        var places: Int
        var taken: [String]
    }

    let item: ContentItem
    let document: Document

    init(item: ContentItem, keystore: Keystore, answers: [StoredAnswer], keys: InboxKeyring, zone: TimeZone) throws {
        self.item = item
        guard let info = item.form else { throw ValidationError("\(item.logicalPath) is not a form") }
        let formID = keystore.masterKey.formID(logicalPath: item.logicalPath)
        let tokens = keystore.tokens()
        let labels = Dictionary(tokens.map { ($0.id, $0.label ?? String($0.id.prefix(12))) }, uniquingKeysWith: { a, _ in a })
        // The families that read the form: those with a parent code of its audience.
        let readers = tokens.filter { $0.staff == nil && Keystore.keyedAudiences(of: $0).contains(item.audience.id) }
        var familyNames: [String: String] = [:]
        for record in readers.sorted(by: { ($0.label ?? $0.id) < ($1.label ?? $1.id) }) where familyNames[record.family] == nil {
            familyNames[record.family] = Self.familyName(record.label ?? String(record.id.prefix(12)))
        }
        let childNames = Dictionary(keystore.children(ofFamilies: Set(familyNames.keys)).map { ($0.id, $0.name) }, uniquingKeysWith: { a, _ in a })
        // Shift id -> question key and label, to write labels instead of ids.
        var shiftLabels: [String: String] = [:]
        for question in info.questions where question.kind == .shifts {
            for shift in question.shifts {
                shiftLabels[keystore.masterKey.shiftID(logicalPath: item.logicalPath, question: question.key, label: shift.label)] = shift.label
            }
        }

        struct Opened {
            var row: StoredAnswer
            var payload: AnswerPayload
        }
        var errors: [String] = []
        var latest: [String: [String: Opened]] = [:]  // family+child -> token -> latest
        var counted: [String: Opened] = [:]  // family+child -> latest of any token
        var order: [String] = []
        for row in answers {
            let unit = (row.family ?? "") + "\n" + row.child
            do {
                var payload = try row.open(form: formID, keys: keys)
                for question in info.questions where question.kind == .shifts {
                    if case .list(let ids)? = payload.answers[question.key] {
                        payload.answers[question.key] = .list(ids.map { shiftLabels[$0] ?? $0 })
                    }
                }
                let opened = Opened(row: row, payload: payload)
                if counted[unit] == nil { order.append(unit) }
                counted[unit] = opened
                latest[unit, default: [:]][row.tokenID] = opened
            } catch {
                errors.append("answer \(row.id) of \(labels[row.tokenID] ?? row.tokenID) cannot be opened: \(error)")
            }
        }
        let yesNo = info.questions.filter { $0.kind == .yesNo }.map(\.key)
        var result: [Answer] = []
        for unit in order {
            guard let answer = counted[unit] else { continue }
            let family = answer.row.family ?? ""
            let child = answer.row.child.isEmpty ? "" : childNames[answer.row.child] ?? answer.payload.child
            let others = (latest[unit] ?? [:]).values
                .filter { $0.row.tokenID != answer.row.tokenID && $0.payload.answers != answer.payload.answers }
                .sorted { $0.row.received < $1.row.received }
                .map { Other(guardian: $0.payload.guardian, by: labels[$0.row.tokenID] ?? $0.row.tokenID,
                             received: schoolTime($0.row.received, zone), answers: $0.payload.answers) }
            var both: Bool?
            if info.bothGuardians {
                let agreeing = (latest[unit] ?? [:]).values.filter { opened in
                    yesNo.allSatisfy { opened.payload.answers[$0] == .yes(true) }
                }
                both = agreeing.count >= 2
            }
            result.append(Answer(
                family: familyNames[family] ?? family, child: child, guardian: answer.payload.guardian,
                by: labels[answer.row.tokenID] ?? answer.row.tokenID, received: schoolTime(answer.row.received, zone),
                answers: answer.payload.answers, bothAgreed: both, others: others))
        }
        result.sort { ($0.family, $0.child) < ($1.family, $1.child) }

        var missing: [Missing] = []
        let answeredUnits = Set(order)
        for (family, name) in familyNames.sorted(by: { $0.value < $1.value }) {
            if info.per == .family {
                if !answeredUnits.contains(family + "\n") { missing.append(Missing(family: name, child: "")) }
                continue
            }
            let children = keystore.children(ofFamily: family).filter {
                item.audience == .school || $0.group == item.audience.id
            }
            if children.isEmpty {
                // Without the class list's children the family types names: none answered yet?
                if !answeredUnits.contains(where: { $0.hasPrefix(family + "\n") }) { missing.append(Missing(family: name, child: "")) }
            } else {
                for child in children where !answeredUnits.contains(family + "\n" + child.id) {
                    missing.append(Missing(family: name, child: child.name))
                }
            }
        }

        var shifts: [Shift] = []
        for question in info.questions where question.kind == .shifts {
            for shift in question.shifts {
                let takers = result.filter {
                    if case .list(let labels)? = $0.answers[question.key] { return labels.contains(shift.label) }
                    return false
                }.map { $0.child.isEmpty ? $0.family : "\($0.child) (\($0.family))" }
                shifts.append(Shift(question: question.key, label: shift.label, places: shift.places, taken: takers))
            }
        }
        document = Document(
            form: item.logicalPath, title: item.title, deadline: schoolTime(RFC3339.string(from: info.deadline), zone),
            per: info.per.rawValue, answers: result, missing: missing, shifts: shifts, errors: errors)
    }

    /// "Fam. Kaya, moeder" -> "Fam. Kaya": a family's codes are labelled per parent.
    static func familyName(_ label: String) -> String {
        label.split(separator: ",", maxSplits: 1).first.map { String($0).trimmingCharacters(in: .whitespaces) } ?? label
    }

    var summary: String {
        let unit = document.per == "family" ? "families" : "children"
        return "\(document.title) (\(item.logicalPath), until \(document.deadline)): \(document.answers.count) of "
            + "\(document.answers.count + document.missing.count) \(unit) answered"
            + (document.errors.isEmpty ? "" : "; \(document.errors.count) could not be opened")
    }

    var keys: [String] { item.form?.questions.map(\.key) ?? [] }

    var columns: [String] { ["family", "child", "guardian", "by", "received"] + keys + ["both_agreed", "other_answers"] }

    var rows: [[String: String]] {
        var out: [[String: String]] = []
        for answer in document.answers {
            var row = ["family": answer.family, "child": answer.child, "guardian": answer.guardian, "by": answer.by,
                       "received": answer.received, "both_agreed": answer.bothAgreed.map { $0 ? "ja" : "nee" } ?? ""]
            for key in keys { row[key] = answer.answers[key]?.description ?? "" }
            row["other_answers"] = answer.others.map { other in
                "\(other.by) \(other.received): " + keys.compactMap { key in other.answers[key].map { "\(key)=\($0)" } }.joined(separator: "; ")
            }.joined(separator: " | ")
            out.append(row)
        }
        for missing in document.missing { out.append(["family": missing.family, "child": missing.child]) }
        return out
    }

    var text: String {
        var lines = [summary]
        let questions = item.form?.questions ?? []
        for answer in document.answers {
            let who = answer.child.isEmpty ? answer.family : "\(answer.child) (\(answer.family))"
            let values = questions.compactMap { q in answer.answers[q.key].map { "\(q.key): \($0)" } }.joined(separator: ", ")
            var line = "  \(who): \(values)"
            if !answer.guardian.isEmpty { line += "; signed \(answer.guardian)" }
            line += "; \(answer.by), \(answer.received)"
            if let both = answer.bothAgreed { line += both ? "; beide ouders" : "; not yet both parents" }
            lines.append(StaffOutput.terminal(line))
            for other in answer.others {
                let values = questions.compactMap { q in other.answers[q.key].map { "\(q.key): \($0)" } }.joined(separator: ", ")
                lines.append(StaffOutput.terminal("    also \(other.by), \(other.received): \(values)"))
            }
        }
        if !document.missing.isEmpty {
            lines.append("Not answered yet: " + document.missing.map { $0.child.isEmpty ? $0.family : "\($0.child) (\($0.family))" }
                .joined(separator: ", "))
        }
        for shift in document.shifts {
            lines.append(StaffOutput.terminal("  Shift \(shift.label): \(shift.taken.count) of \(shift.places) places"
                + (shift.taken.isEmpty ? "" : ": " + shift.taken.joined(separator: ", "))))
        }
        lines += document.errors
        return lines.joined(separator: "\n")
    }
}
