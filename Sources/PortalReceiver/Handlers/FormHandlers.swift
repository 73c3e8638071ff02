// Forms (issue 18): a parent answers a form of one of the token's audiences until its deadline,
// taking shift places atomically; the family reads its own answers back (both guardians'); the
// school's computer lists a form's answers with the admin key (`portal answers`).
import Foundation
import PortalCrypto
import PortalFiles
import PortalFormat
import PortalTrust

extension Receiver {
    func answerForm(_ call: ParentCall) async throws -> APIResponse {
        let trust = call.auth.trust
        let form = try knownForm(call.parameter, token: call.token, trust: trust)
        let request = try AnswerRequest(call.request.body)
        guard call.now < form.deadline else {
            throw APIError(403, "form_closed", "this form took answers until \(RFC3339.string(from: form.deadline))")
        }
        guard (form.per == "family") == request.child.isEmpty else {
            throw APIError.schema(form.per == "family" ? "this form is answered per family: child must be empty"
                                                        : "this form is answered per child: child must be a child's id")
        }
        var places: [String: Int] = [:]
        for question in form.shiftQuestions {
            let taken = question.shifts.filter { request.shifts.contains($0.id) }
            guard taken.count <= question.max else {
                throw APIError.schema("an answer takes at most \(question.max) shift(s) of one question")
            }
            for shift in question.shifts { places[shift.id] = shift.places }
        }
        if let unknown = request.shifts.first(where: { places[$0] == nil }) {
            throw APIError.schema("shift \(unknown) is not a shift of this form")
        }
        let received = ReceiverDates.millis(call.now)
        let row = AnswerRow(
            id: Hex.encode(random.bytes(16)), form: form.id, tokenID: call.token.id, family: call.token.family,
            child: request.child, shifts: request.shifts.sorted(), sealed: request.sealed, copy: request.copy, received: received)
        try await store.answer(row, places: places, nonceKey: call.auth.nonceKey, nonceExpires: call.auth.nonceExpires)
        return .created(AnswerReceipt(
            id: row.id, received: RFC3339.string(milliseconds: received), shifts: try await shiftPlaces(form)))
    }

    /// Every form of the token's audiences, with the family's own answers.
    func ownForms(_ call: ParentCall) async throws -> APIResponse {
        let forms = call.auth.trust.file.forms.filter { Self.reads(call.token, $0) }
        var states: [FormState] = []
        for form in forms {
            let answers = try await store.answers(form: form.id, family: call.token.family)
            states.append(FormState(
                id: form.id, deadline: RFC3339.string(from: form.deadline), open: call.now < form.deadline,
                shifts: try await shiftPlaces(form),
                answers: answers.map {
                    StoredAnswer(
                        id: $0.id, tokenID: $0.tokenID, child: $0.child, shifts: $0.shifts, copy: $0.copy,
                        received: RFC3339.string(milliseconds: $0.received))
                }))
        }
        return .ok(FormStates(now: RFC3339.string(from: call.now), forms: states))
    }

    func adminFormAnswers(_ call: AdminCall) async throws -> APIResponse {
        let id = call.parameter
        let answers = try await store.answers(form: id)
        return .ok(FormAnswers(form: id, answers: answers.map {
            StoredAnswer(
                id: $0.id, tokenID: $0.tokenID, family: $0.family, child: $0.child, shifts: $0.shifts, sealed: $0.sealed,
                received: RFC3339.string(milliseconds: $0.received))
        }))
    }

    private func knownForm(_ id: String, token: TrustIndex.Token, trust: TrustIndex) throws(APIError) -> TrustFile.Form {
        guard let form = trust.forms[id] else { throw APIError(404, "unknown_form", "no form with this id") }
        guard Self.reads(token, form) else {
            throw APIError(403, "group_not_allowed", "this token does not read the form it answers")
        }
        return form
    }

    /// Every token reads the school's forms (trust files list `school` among a token's audiences
    /// anyway); a group's, the tokens of that group.
    private static func reads(_ token: TrustIndex.Token, _ form: TrustFile.Form) -> Bool {
        form.audience == "school" || token.audiences.contains(form.audience)
    }

    private func shiftPlaces(_ form: TrustFile.Form) async throws -> [ShiftPlaces] {
        let shifts = form.shiftQuestions.flatMap(\.shifts)
        guard !shifts.isEmpty else { return [] }
        let taken = try await store.takenPlaces(form: form.id)
        return shifts.map { ShiftPlaces(id: $0.id, places: $0.places, taken: taken[$0.id] ?? 0) }
    }
}
