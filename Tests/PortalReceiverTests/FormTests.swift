// Forms on a real receiver (issue 18, points 2-3): a parent answers a form of its audience until
// the deadline, per child; the answer that counts is the latest, earlier ones stay; both guardians
// read the family's answers back (the family copy opens with the family key); 30 families racing
// for a shift of 4 places: exactly 4 get one; a family withdraws by answering without the shift;
// the deadline, unknown forms and shifts, other groups, staff codes and bad bodies are refused; the
// admin key lists every answer, which opens with the group's inbox key; the database holds no
// names or answers.
import Foundation
import PortalCrypto
import PortalFormat
import PortalReceiver
import PortalTrust
import PortalTestSupport
import XCTest

final class FormTests: XCTestCase {
    static let slip = String(repeating: "f5", count: 16)
    static let dinner = String(repeating: "d1", count: 16)
    static let past = String(repeating: "0d", count: 16)
    static let shift = "5a5a5a5a5a5a5a5a"
    static let otherShift = "6b6b6b6b6b6b6b6b"
    static let child = String(repeating: "c1", count: 16)
    static let sibling = String(repeating: "c2", count: 16)
    static let familyKey = SHA256.hash(Array("family key".utf8))
    static let teacher = TestToken.teacher(31, group: "groep-5")

    static func trust(extra: [TestToken] = []) -> TrustFile {
        var trust = Fixture.trust(extraTokens: [teacher] + extra)
        trust.forms = [
            .init(id: slip, audience: "groep-5", deadline: Fixture.now.addingTimeInterval(86400), per: "child"),
            .init(id: dinner, audience: "school", deadline: Fixture.now.addingTimeInterval(86400), per: "family",
                  shiftQuestions: [.init(max: 1, shifts: [.init(id: shift, places: 4), .init(id: otherShift, places: 10)])]),
            .init(id: past, audience: "groep-5", deadline: Fixture.now.addingTimeInterval(-60), per: "child"),
        ]
        return trust
    }

    /// A request body: sealed to the test inbox key and under the family key, bound alike.
    static func body(
        _ token: TestToken, form: String, child: String, shifts: [String] = [], payload: AnswerPayload
    ) throws -> [String: Any] {
        let binding = PayloadBinding.answer(form: form, child: child, shifts: shifts)
        let sealed = try payload.seal(tokenID: token.id, binding: binding, inboxPublicKey: Fixture.inbox.publicKey, namingKey: true)
        let copy = try payload.sealCopy(tokenID: token.id, binding: binding, familyKey: familyKey)
        return ["child": child, "shifts": shifts, "sealed": sealed.jsonObject,
                "copy": ["nonce": Data(copy.nonce).base64EncodedString(), "ct": Data(copy.ct).base64EncodedString()]]
    }

    func testAFamilyAnswersPerChildChangesItAndBothParentsReadItBack() async throws {
        let live = try await LiveReceiver(trust: Self.trust())
        defer { Task { await live.stop() } }
        let yes = AnswerPayload(child: "Sam", guardian: "Anna de Vries", answers: ["mee": .yes(true), "lunch": .text("Pasta")])
        var r = try await live.send("POST", "/api/v1/forms/\(Self.slip)/answers",
                                    json: try Self.body(Fixture.parentA, form: Self.slip, child: Self.child, payload: yes),
                                    signer: Fixture.parentA.signer)
        XCTAssertEqual(r.status, 201, "\(r.json)")
        XCTAssertEqual((r.json["shifts"] as? [Any])?.count, 0)
        let noor = AnswerPayload(child: "Noor", guardian: "Anna de Vries", answers: ["mee": .yes(true)])
        r = try await live.send("POST", "/api/v1/forms/\(Self.slip)/answers",
                                json: try Self.body(Fixture.parentA, form: Self.slip, child: Self.sibling, payload: noor),
                                signer: Fixture.parentA.signer)
        XCTAssertEqual(r.status, 201)
        live.clock.advance(60)
        // The other parent changes Sam's answer.
        let no = AnswerPayload(child: "Sam", guardian: "Bram de Vries", answers: ["mee": .yes(false)])
        r = try await live.send("POST", "/api/v1/forms/\(Self.slip)/answers",
                                json: try Self.body(Fixture.parentA2, form: Self.slip, child: Self.child, payload: no),
                                signer: Fixture.parentA2.signer)
        XCTAssertEqual(r.status, 201)

        // Both parents' codes read the family's three answers, oldest first, and open the copies.
        for token in [Fixture.parentA, Fixture.parentA2] {
            let own = try await live.send("GET", "/api/v1/forms", signer: token.signer)
            XCTAssertEqual(own.status, 200, "\(own.json)")
            let forms = try XCTUnwrap(own.json["forms"] as? [[String: Any]])
            XCTAssertEqual(Set(forms.compactMap { $0["id"] as? String }), [Self.slip, Self.dinner, Self.past],
                           "every form of the token's audiences (groep-5 and school)")
            let slip = try XCTUnwrap(forms.first { $0["id"] as? String == Self.slip })
            XCTAssertEqual(slip["open"] as? Bool, true)
            let answers = try XCTUnwrap(slip["answers"] as? [[String: Any]])
            XCTAssertEqual(answers.map { $0["child"] as? String }, [Self.child, Self.sibling, Self.child])
            XCTAssertNil(answers[0]["sealed"], "the family gets its own copy, not the staff's")
            let opened = try answers.map { row -> AnswerPayload in
                let copy = try JSONDecoder().decode(FamilyCopy.self, from: JSONSerialization.data(withJSONObject: row["copy"] as Any))
                return try AnswerPayload.openCopy(
                    copy, tokenID: row["token_id"] as! String,
                    binding: .answer(form: Self.slip, child: row["child"] as! String, shifts: []), familyKey: Self.familyKey)
            }
            XCTAssertEqual(opened, [yes, noor, no])
        }
        let other = try await live.send("GET", "/api/v1/forms", signer: Fixture.parentB.signer)
        let otherSlip = (other.json["forms"] as? [[String: Any]])?.first { $0["id"] as? String == Self.slip }
        XCTAssertEqual((otherSlip?["answers"] as? [Any])?.count, 0, "another family sees none of these")

        // The school's computer: every answer, opened with the inbox key, bound to its row.
        let listed = try await live.send("GET", "/api/v1/admin/forms/\(Self.slip)/answers", signer: .admin(seed: Fixture.adminSeed))
        XCTAssertEqual(listed.status, 200, "\(listed.json)")
        let page = try JSONDecoder().decode(FormAnswers.self, from: JSONSerialization.data(withJSONObject: listed.json))
        XCTAssertEqual(page.answers.map(\.family), ["fam-a", "fam-a", "fam-a"])
        let keys = InboxKeyring(school: nil, byKid: [InboxKeyID.of(publicKey: Fixture.inbox.publicKey): Fixture.inbox.secretKey])
        XCTAssertEqual(try page.answers.map { try $0.open(form: Self.slip, keys: keys) }, [yes, noor, no])
        var moved = page.answers[0]
        moved.child = Self.sibling
        XCTAssertThrowsError(try moved.open(form: Self.slip, keys: keys), "a row moved to another child does not open")
        XCTAssertThrowsError(try page.answers[0].open(form: Self.dinner, keys: keys), "nor under another form")
        let asParent = try await live.send("GET", "/api/v1/admin/forms/\(Self.slip)/answers", signer: Fixture.parentA.signer)
        XCTAssertNotEqual(asParent.status, 200)

        // What the database holds: ids, ciphertexts and times; no name, no answer.
        let bytes = try [live.dbPath, live.dbPath + "-wal"].compactMap { FileManager.default.contents(atPath: $0) }.reduce(Data(), +)
        for secret in ["Sam", "Noor", "Anna de Vries", "Bram", "Pasta", "mee"] {
            XCTAssertNil(bytes.range(of: Data(secret.utf8)), "\(secret) is in the database")
        }
    }

    func testThirtyFamiliesRaceForFourPlacesAndAFamilyWithdraws() async throws {
        let families = (0..<30).map { TestToken.make(2000 + $0, family: "fam-race-\($0)", audiences: ["groep-5"], expires: Fixture.yearEnd) }
        let live = try await LiveReceiver(trust: Self.trust(extra: families))
        defer { Task { await live.stop() } }
        let helping = AnswerPayload(child: "", answers: ["helpen": .list([Self.shift])])
        let results = try await withThrowingTaskGroup(of: (TestToken, HTTPResult).self) { group in
            for token in families {
                let body = try Self.body(token, form: Self.dinner, child: "", shifts: [Self.shift], payload: helping)
                group.addTask { (token, try await live.send("POST", "/api/v1/forms/\(Self.dinner)/answers", json: body, signer: token.signer)) }
            }
            var all: [(TestToken, HTTPResult)] = []
            for try await r in group { all.append(r) }
            return all
        }
        let won = results.filter { $0.1.status == 201 }
        XCTAssertEqual(won.count, 4, "exactly as many takers as places")
        let refused = results.filter { $0.1.status == 409 }
        XCTAssertEqual(refused.count, 26)
        for (_, r) in refused {
            XCTAssertEqual(r.error, "shift_full")
            XCTAssertEqual(r.json["full"] as? [String], [Self.shift])
        }
        let loser = try XCTUnwrap(refused.first?.0)
        var forms = try await live.send("GET", "/api/v1/forms", signer: loser.signer)
        var dinner = (forms.json["forms"] as? [[String: Any]])?.first { $0["id"] as? String == Self.dinner }
        XCTAssertEqual((dinner?["shifts"] as? [[String: Any]])?.map { $0["taken"] as? Int }, [4, 0])
        XCTAssertEqual((dinner?["answers"] as? [Any])?.count, 0, "a refused answer is not stored")

        // A winner withdraws (answers without the shift): the place is free, and the loser takes it.
        let winner = won[0].0
        let none = AnswerPayload(child: "", answers: ["helpen": .list([])])
        var r = try await live.send("POST", "/api/v1/forms/\(Self.dinner)/answers",
                                    json: try Self.body(winner, form: Self.dinner, child: "", payload: none), signer: winner.signer)
        XCTAssertEqual(r.status, 201)
        XCTAssertEqual((r.json["shifts"] as? [[String: Any]])?.first?["taken"] as? Int, 3)
        r = try await live.send("POST", "/api/v1/forms/\(Self.dinner)/answers",
                                json: try Self.body(loser, form: Self.dinner, child: "", shifts: [Self.shift], payload: helping),
                                signer: loser.signer)
        XCTAssertEqual(r.status, 201, "\(r.json)")
        // Answering again with the same shift keeps the place (it is the family's own).
        r = try await live.send("POST", "/api/v1/forms/\(Self.dinner)/answers",
                                json: try Self.body(loser, form: Self.dinner, child: "", shifts: [Self.shift], payload: helping),
                                signer: loser.signer)
        XCTAssertEqual(r.status, 201, "\(r.json)")
        forms = try await live.send("GET", "/api/v1/forms", signer: loser.signer)
        dinner = (forms.json["forms"] as? [[String: Any]])?.first { $0["id"] as? String == Self.dinner }
        XCTAssertEqual((dinner?["shifts"] as? [[String: Any]])?.map { $0["taken"] as? Int }, [4, 0])
        // Two shifts of a question with max 1 is not an answer.
        r = try await live.send("POST", "/api/v1/forms/\(Self.dinner)/answers",
                                json: try Self.body(loser, form: Self.dinner, child: "", shifts: [Self.shift, Self.otherShift], payload: helping),
                                signer: loser.signer)
        XCTAssertEqual(r.status, 422)
    }

    func testWhatIsRefused() async throws {
        let live = try await LiveReceiver(trust: Self.trust())
        defer { Task { await live.stop() } }
        let answer = AnswerPayload(child: "Sam", answers: ["mee": .yes(true)])
        func post(_ form: String, _ body: [String: Any], as token: TestToken = Fixture.parentA) async throws -> HTTPResult {
            try await live.send("POST", "/api/v1/forms/\(form)/answers", json: body, signer: token.signer)
        }
        var r = try await post(Self.past, try Self.body(Fixture.parentA, form: Self.past, child: Self.child, payload: answer))
        XCTAssertEqual(r.status, 403)
        XCTAssertEqual(r.error, "form_closed")
        r = try await post(Self.slip, try Self.body(Fixture.parentA, form: Self.slip, child: Self.child, payload: answer))
        XCTAssertEqual(r.status, 201)
        live.clock.advance(86400)
        r = try await post(Self.slip, try Self.body(Fixture.parentA, form: Self.slip, child: Self.child, payload: answer))
        XCTAssertEqual(r.error, "form_closed", "at the deadline the form closes")
        live.clock.set(Fixture.now)

        let unknown = String(repeating: "e", count: 32)
        r = try await post(unknown, try Self.body(Fixture.parentA, form: unknown, child: Self.child, payload: answer))
        XCTAssertEqual(r.status, 404)
        XCTAssertEqual(r.error, "unknown_form")
        r = try await post(Self.slip, try Self.body(Fixture.groep3, form: Self.slip, child: Self.child, payload: answer), as: Fixture.groep3)
        XCTAssertEqual(r.status, 403)
        XCTAssertEqual(r.error, "group_not_allowed")
        r = try await post(Self.slip, try Self.body(Self.teacher, form: Self.slip, child: Self.child, payload: answer), as: Self.teacher)
        XCTAssertEqual(r.error, "parents_only")
        r = try await post(Self.slip, try Self.body(Fixture.parentA, form: Self.slip, child: "", payload: answer))
        XCTAssertEqual(r.status, 422, "a form per child needs the child")
        r = try await post(Self.dinner, try Self.body(Fixture.parentA, form: Self.dinner, child: Self.child, payload: answer))
        XCTAssertEqual(r.status, 422, "a form per family takes no child")
        r = try await post(Self.dinner, try Self.body(Fixture.parentA, form: Self.dinner, child: "", shifts: ["0123456789abcdef"], payload: answer))
        XCTAssertEqual(r.status, 422, "a shift of no question of this form")
        var body = try Self.body(Fixture.parentA, form: Self.slip, child: Self.child, payload: answer)
        body["extra"] = 1
        r = try await post(Self.slip, body)
        XCTAssertEqual(r.status, 422)
        body = try Self.body(Fixture.parentA, form: Self.slip, child: Self.child, payload: answer)
        body["copy"] = ["nonce": "AAAA", "ct": "AAAA"]
        r = try await post(Self.slip, body)
        XCTAssertEqual(r.status, 422, "a copy needs a 12-byte nonce")
        r = try await live.send("GET", "/api/v1/forms", signer: Self.teacher.signer)
        XCTAssertEqual(r.error, "parents_only")
    }

    /// `GET /api/v1/staff/answers`: a teacher lists the answers to its groups' forms (open, or
    /// closed within 14 days), sealed to its group's key; not other groups', not school forms',
    /// not old ones; a parent is refused there.
    func testATeacherListsItsGroupsAnswers() async throws {
        var trust = Self.trust()
        let old = String(repeating: "01", count: 16), g3 = String(repeating: "03", count: 16)
        trust.forms += [
            .init(id: old, audience: "groep-5", deadline: Fixture.now.addingTimeInterval(-20 * 86400), per: "child"),
            .init(id: g3, audience: "groep-3", deadline: Fixture.now.addingTimeInterval(86400), per: "child"),
        ]
        let live = try await LiveReceiver(trust: trust)
        defer { Task { await live.stop() } }
        let answer = AnswerPayload(child: "Sam", guardian: "Anna", answers: ["mee": .yes(true)])
        let sent = try await live.send("POST", "/api/v1/forms/\(Self.slip)/answers",
                                       json: try Self.body(Fixture.parentA, form: Self.slip, child: Self.child, payload: answer),
                                       signer: Fixture.parentA.signer)
        XCTAssertEqual(sent.status, 201)
        let listed = try await live.send("GET", "/api/v1/staff/answers", signer: Self.teacher.signer)
        XCTAssertEqual(listed.status, 200, "\(listed.json)")
        let page = try JSONDecoder().decode(StaffFormPage.self, from: JSONSerialization.data(withJSONObject: listed.json))
        XCTAssertEqual(page.forms.map(\.id), [Self.past, Self.slip], "groep-5's forms, open or closed within 14 days, by deadline")
        let keys = InboxKeyring(school: nil, byKid: [InboxKeyID.of(publicKey: Fixture.inbox.publicKey): Fixture.inbox.secretKey])
        XCTAssertEqual(try page.forms[1].answers.map { try $0.open(form: Self.slip, keys: keys) }, [answer])
        XCTAssertNil(page.forms[1].answers.first?.copy, "the staff copy only")
        let asParent = try await live.send("GET", "/api/v1/staff/answers", signer: Fixture.parentA.signer)
        XCTAssertEqual(asParent.error, "staff_only")
    }
}
