// Issue 18, "Children of a family": the class list's children column through `portal token
// import` into the keystore (an opaque id each), sealed into every keyslot of the family by
// `portal generate`, and kept across next year's list.
import Foundation
import XCTest
import PortalFormat
import PortalTestSupport

final class ChildrenImportTests: XCTestCase {
    static let firstYear = """
        family;email;group;family_id;children
        Fam. El Amrani, moeder;moeder@example.nl;groep-5+groep-7;fam-el-amrani;Yasmin (groep-5), Adam (groep-7)
        Fam. El Amrani, vader;vader@example.nl;groep-5+groep-7;fam-el-amrani;Yasmin (groep-5)
        Fam. Jansen;jansen@example.nl;groep-3;;Sam
        Fam. de Boer;deboer@example.nl;groep-3;;Sam
        Fam. Smit;smit@example.nl;groep-4;;

        """

    private func keystore(_ workspace: Workspace) throws -> [String: Any] {
        try XCTUnwrap(try JSONSerialization.jsonObject(with: Data(contentsOf: workspace.url("keys/keystore.json"))) as? [String: Any])
    }

    func testBothParentsSeeTheSameChildrenAndNextYearsListKeepsTheirIds() throws {
        let workspace = try Workspace()
        try workspace.write("klas.csv", Self.firstYear)
        var result = try portal(["token", "import", "klas.csv"], in: workspace.root)
        XCTAssertEqual(result.status, 0, result.stderr)
        XCTAssertFalse(result.stdout.contains("child    "), "a first import only adds: no line per child: \(result.stdout)")
        XCTAssertTrue(result.stdout.contains("Children: 0 matched to earlier lists (ids kept), 4 new, 0 no longer listed."), result.stdout)
        let store = try keystore(workspace)
        let children = try XCTUnwrap(store["children"] as? [[String: Any]])
        XCTAssertEqual(children.map { $0["name"] as? String }, ["Yasmin", "Adam", "Sam", "Sam"], "two Sams of two families are two children")
        let ids = children.compactMap { $0["id"] as? String }
        XCTAssertEqual(Set(ids).count, 4)
        XCTAssertTrue(ids.allSatisfy { $0.count == 32 && $0.allSatisfy(\.isHexDigit) }, "opaque ids: \(ids)")
        let tokens = try XCTUnwrap(store["tokens"] as? [[String: Any]])

        try run(["generate"], in: workspace)
        func keyslot(_ email: String) throws -> KeyslotPayload {
            let record = try XCTUnwrap(tokens.first { $0["email"] as? String == email })
            return try SealedSiteOpener(output: workspace.url("output"), token: try XCTUnwrap(record["token"] as? String)).keyslot
        }
        let mother = try keyslot("moeder@example.nl"), father = try keyslot("vader@example.nl")
        XCTAssertEqual(mother.children, father.children, "every code of the family carries the same children")
        XCTAssertEqual(mother.children?.map(\.name), ["Yasmin", "Adam"])
        XCTAssertEqual(mother.children?.map(\.group), ["groep-5", "groep-7"])
        XCTAssertEqual(mother.children?.map(\.id), Array(ids[0..<2]))
        XCTAssertEqual(try keyslot("jansen@example.nl").children?.map(\.id), [ids[2]])
        XCTAssertNil(try keyslot("smit@example.nl").children, "a family the list names no children of has none")
        let opened = try Data(contentsOf: workspace.url("output/site.json"))
        XCTAssertFalse(String(decoding: opened, as: UTF8.self).contains("Yasmin"))

        // Next year: Yasmin moved up, Adam left, Lina is new; the Jansens' Sam keeps his id.
        try workspace.write("klas-2027.csv", """
            family;email;group;family_id;children
            Fam. El Amrani, moeder;moeder@example.nl;groep-6+groep-1-2a;fam-el-amrani;Yasmin (groep-6), Lina (groep-1-2a)
            Fam. Jansen;jansen@example.nl;groep-4;;sam

            """)
        result = try portal(["token", "import", "klas-2027.csv"], in: workspace.root)
        XCTAssertEqual(result.status, 0, result.stderr)
        XCTAssertTrue(result.stdout.contains("child    Yasmin (Fam. El Amrani, moeder): groep-5 -> groep-6, same id"), result.stdout)
        XCTAssertTrue(result.stdout.contains("child    Lina (Fam. El Amrani, moeder): new in groep-1-2a"), result.stdout)
        XCTAssertTrue(result.stdout.contains("child    Adam (Fam. El Amrani, moeder): not in this list, marked as left"), result.stdout)
        XCTAssertTrue(result.stdout.contains("Children: 2 matched to earlier lists (ids kept), 1 new, 1 no longer listed."), result.stdout)
        let after = try XCTUnwrap(try keystore(workspace)["children"] as? [[String: Any]])
        let byName = { (name: String, family: String?) in after.first { $0["name"] as? String == name && (family == nil || $0["family"] as? String == family) } }
        XCTAssertEqual(byName("Yasmin", nil)?["id"] as? String, ids[0])
        XCTAssertEqual(byName("Yasmin", nil)?["group"] as? String, "groep-6")
        XCTAssertNotNil(byName("Adam", nil)?["left"], "kept for the consent register, marked as left")
        XCTAssertEqual(byName("sam", children[2]["family"] as? String)?["id"] as? String, ids[2], "matched without regard to case")
        XCTAssertNil(byName("Sam", children[3]["family"] as? String)?["left"], "a family the new list does not name keeps its children")
    }

    func testAChildrenMistakeIssuesNothing() throws {
        let workspace = try Workspace()
        try workspace.write("klas.csv", "family;email;group;children\nFam. A;a@example.nl;groep-3+groep-8;Sam\n")
        let result = try portal(["token", "import", "klas.csv"], in: workspace.root)
        XCTAssertEqual(result.status, 1)
        XCTAssertTrue(result.stderr.contains("klas.csv:2: say which group Sam is in, like Sam (groep-3)"), result.stderr)
        XCTAssertFalse(FileManager.default.fileExists(atPath: workspace.url("keys/keystore.json").path))
    }
}

/// The trust file names every `confirm: true` item by its opaque id, also after builds that
/// re-seal only what changed: an item that starts asking, a token issued (keystore only).
final class ConfirmationTrustTests: XCTestCase {
    private func confirmations(_ workspace: Workspace) throws -> [[String: String]] {
        let trust = try XCTUnwrap(try JSONSerialization.jsonObject(with: Data(contentsOf: workspace.url("keys/trust.json"))) as? [String: Any])
        return (trust["confirmations"] as? [[String: String]]) ?? []
    }

    func testEveryKindOfBuildKeepsTheConfirmableItemsInTheTrustFile() throws {
        let workspace = try Workspace()
        try run(["generate"], in: workspace)
        let first = try confirmations(workspace)
        XCTAssertEqual(first.map { $0["audience"] }, ["school"], "the example school's head lice letter asks")
        XCTAssertEqual(first.first?["id"]?.count, 32)
        XCTAssertFalse(try String(contentsOf: workspace.url("keys/trust.json"), encoding: .utf8).contains("luizencontrole"))

        // One item starts asking: an item build would not write the trust file, so this one does.
        let item = workspace.url("content/groups/groep-5/news/herfstwandeling.md")
        let text = try String(contentsOf: item, encoding: .utf8)
        try text.replacingOccurrences(of: "\n---\n", with: "\nconfirm: true\n---\n", options: [], range: text.range(of: "\n---\n"))
            .write(to: item, atomically: true, encoding: .utf8)
        try run(["generate"], in: workspace)
        XCTAssertEqual(Set(try confirmations(workspace).map { $0["audience"] ?? "" }), ["school", "groep-5"])

        // A token issued: the keystore-only build writes the trust file again, with both.
        _ = try issue(["--group", "groep-5", "--label", "Fam. Nieuw"], in: workspace)
        try run(["generate"], in: workspace)
        XCTAssertEqual(try confirmations(workspace).count, 2)

        // The item stops asking: it leaves the trust file.
        try text.write(to: item, atomically: true, encoding: .utf8)
        try run(["generate"], in: workspace)
        XCTAssertEqual(try confirmations(workspace).map { $0["audience"] }, ["school"])
    }
}
