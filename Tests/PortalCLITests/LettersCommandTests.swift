// From a class list to letters, as staff do it: `portal token import`, then `portal letters`.
import Foundation
import XCTest
import PortalTestSupport

final class LettersCommandTests: XCTestCase {
    /// Three families, one with children in two groups; semicolons as Dutch Excel writes them.
    static let classList = """
        family;email;group
        Fam. Jansen;jansen@example.nl;groep-3+groep-8
        "Fam. Özdemir";ozdemir@example.nl;groep-5
        Fam. de Vries;devries@example.nl;groep-1-2a

        """

    /// The token records in the workspace's keystore.
    private func tokens(_ workspace: Workspace) throws -> [[String: Any]] {
        let data = try Data(contentsOf: workspace.url("keys/keystore.json"))
        let json = try XCTUnwrap(JSONSerialization.jsonObject(with: data) as? [String: Any])
        return try XCTUnwrap(json["tokens"] as? [[String: Any]])
    }

    private func mode(_ url: URL) throws -> Int {
        try XCTUnwrap(FileManager.default.attributesOfItem(atPath: url.path)[.posixPermissions] as? Int)
    }

    func testClassListToLetters() throws {
        let workspace = try Workspace()
        // A bad class list: every problem with file and line, and nothing issued.
        try workspace.write("klas-fout.csv", Self.classList.replacingOccurrences(of: "groep-5", with: "groep-12")
            + "Fam. Bakker;geen-adres;groep-3\n")
        var result = try portal(["token", "import", "klas-fout.csv"], in: workspace.root)
        XCTAssertEqual(result.status, 1)
        XCTAssertTrue(result.stderr.contains("klas-fout.csv:3: unknown group 'groep-12'"), result.stderr)
        XCTAssertTrue(result.stderr.contains("klas-fout.csv:5: 'geen-adres' is not an e-mail address"), result.stderr)
        XCTAssertTrue(result.stderr.contains("2 problems in klas-fout.csv; no token was issued."), result.stderr)
        XCTAssertFalse(FileManager.default.fileExists(atPath: workspace.url("keys/keystore.json").path))

        try workspace.write("klas.csv", Self.classList)
        result = try portal(["token", "import", "klas.csv"], in: workspace.root)
        XCTAssertEqual(result.status, 0, result.stderr)
        XCTAssertTrue(result.stdout.contains("3 tokens issued, 0 skipped"), result.stdout)
        let records = try tokens(workspace)
        XCTAssertEqual(records.map { $0["label"] as? String }, ["Fam. Jansen", "Fam. Özdemir", "Fam. de Vries"])
        XCTAssertEqual(records.map { $0["email"] as? String }, ["jansen@example.nl", "ozdemir@example.nl", "devries@example.nl"])
        XCTAssertEqual(records[0]["audiences"] as? [String], ["groep-3", "groep-8"])
        let secrets = records.compactMap { $0["token"] as? String }
        XCTAssertEqual(secrets.count, 3)
        for secret in secrets { XCTAssertFalse(result.stdout.contains(secret), "tokens never go to the terminal") }

        // Importing again issues nothing: every address already has an active token.
        result = try portal(["token", "import", "klas.csv"], in: workspace.root)
        XCTAssertEqual(result.status, 0, result.stderr)
        XCTAssertTrue(result.stdout.contains("0 tokens issued, 3 skipped"), result.stdout)
        XCTAssertTrue(result.stdout.contains("klas.csv:3: this address already has an active token"), result.stdout)
        XCTAssertEqual(try tokens(workspace).count, 3)

        result = try portal(["letters", "--out", "brieven"], in: workspace.root)
        XCTAssertEqual(result.status, 0, result.stderr)
        for secret in secrets { XCTAssertFalse(result.stdout.contains(secret), "tokens never go to the terminal") }
        XCTAssertTrue(result.stdout.contains("note: 3 of these tokens are not in output/ yet; run `portal generate`"), result.stdout)
        let folder = workspace.url("brieven")
        XCTAssertEqual(try mode(folder), 0o700)
        let files = try FileManager.default.contentsOfDirectory(atPath: folder.path).sorted()
        let withPDF = !result.stdout.contains("no PDFs")
        for (record, base) in zip(records, ["fam-jansen", "fam-ozdemir", "fam-de-vries"]) {
            let name = base + "-" + String((record["id"] as? String ?? "").prefix(8))
            for ext in ["html", "eml"] + (withPDF ? ["pdf"] : []) {
                XCTAssertTrue(files.contains("\(name).\(ext)"), "\(name).\(ext) in \(files)")
                XCTAssertEqual(try mode(folder.appendingPathComponent("\(name).\(ext)")), 0o600)
            }
            let token = try XCTUnwrap(record["token"] as? String)
            let html = try String(contentsOf: folder.appendingPathComponent("\(name).html"), encoding: .utf8)
            XCTAssertTrue(html.contains("https://ouders.obs-deregenboog.example/#token=\(token)"))
            XCTAssertTrue(html.contains("Registreer vóór"))
            let eml = try String(contentsOf: folder.appendingPathComponent("\(name).eml"), encoding: .utf8)
            XCTAssertTrue(eml.contains("\r\nTo: "), "an e-mail to the class list's address")
            XCTAssertTrue(eml.contains("<\(record["email"] as? String ?? "")>"))
        }
        XCTAssertEqual(files.count, 3 * (withPDF ? 3 : 2), "no temporary files left: \(files)")
        if withPDF {
            let pdf = try Data(contentsOf: folder.appendingPathComponent(files.first { $0.hasSuffix(".pdf") }!))
            XCTAssertEqual(pdf.prefix(5), Data("%PDF-".utf8))
        }

        // --group picks the family with a child in groep-8; after generate its keyslot is there.
        XCTAssertEqual(try portal(["generate"], in: workspace.root).status, 0)
        result = try portal(["letters", "--group", "groep-8", "--out", "groep-8", "--no-pdf"], in: workspace.root)
        XCTAssertEqual(result.status, 0, result.stderr)
        XCTAssertFalse(result.stdout.contains("not in output/"), result.stdout)
        XCTAssertEqual(try FileManager.default.contentsOfDirectory(atPath: workspace.url("groep-8").path).count, 2)
        XCTAssertTrue(result.stdout.contains("fam-jansen-"), result.stdout)
    }

    /// Issue 19 point 10: the example school's help page said "a letter with a code for each
    /// child"; the import issues one code per family, for all its children's groups. The page
    /// says what the import does.
    func testTheHelpPageSaysOneCodePerFamilyAsTheImportIssues() throws {
        let workspace = try Workspace()
        try workspace.write("klas.csv", Self.classList)
        XCTAssertEqual(try portal(["token", "import", "klas.csv"], in: workspace.root).status, 0)
        let jansen = try XCTUnwrap(try tokens(workspace).filter { ($0["label"] as? String) == "Fam. Jansen" }.first)
        XCTAssertEqual(try tokens(workspace).filter { ($0["label"] as? String) == "Fam. Jansen" }.count, 1)
        XCTAssertEqual(Set(try XCTUnwrap(jansen["audiences"] as? [String])), ["groep-3", "groep-8"])
        let help = try workspace.read("content/pages/hulp-bij-het-portaal.md")
        XCTAssertTrue(help.contains("U krijgt één brief met één code voor uw gezin."), help)
        XCTAssertFalse(help.contains("voor elk kind een brief"), help)
        XCTAssertTrue(help.contains("open daarna de app op uw beginscherm en voer daar de code in"), "iPhone: install first")
    }

    func testClearErrorsAndNothingWritten() throws {
        let workspace = try Workspace()
        var result = try portal(["letters", "--no-pdf"], in: workspace.root)
        XCTAssertNotEqual(result.status, 0)
        XCTAssertTrue(result.stderr.contains("there are no active tokens"), result.stderr)
        XCTAssertFalse(FileManager.default.fileExists(atPath: workspace.url("letters").path))

        // A token issued by hand has no address: a letter to print, no e-mail.
        let issued = try portal(["token", "issue", "--group", "groep-3", "--label", "Fam. Papier", "--json"], in: workspace.root)
        let id = try XCTUnwrap((try JSONSerialization.jsonObject(with: Data(issued.stdout.utf8)) as? [String: String])?["id"])
        result = try portal(["letters", "--group", "groep-12"], in: workspace.root)
        XCTAssertTrue(result.stderr.contains("unknown group 'groep-12'; the groups in site.yaml are groep-1-2a"), result.stderr)
        result = try portal(["letters", "--group", "groep-5"], in: workspace.root)
        XCTAssertTrue(result.stderr.contains("no active token includes group 'groep-5'"), result.stderr)
        result = try portal(["letters", "--token", "ffffffff"], in: workspace.root)
        XCTAssertNotEqual(result.status, 0)
        XCTAssertTrue(result.stderr.contains("ffffffff"), result.stderr)
        XCTAssertFalse(FileManager.default.fileExists(atPath: workspace.url("letters").path))

        result = try portal(["letters", "--token", String(id.prefix(8)), "--no-pdf"], in: workspace.root)
        XCTAssertEqual(result.status, 0, result.stderr)
        XCTAssertTrue(result.stdout.contains("(no e-mail address: print the letter)"), result.stdout)
        XCTAssertEqual(try FileManager.default.contentsOfDirectory(atPath: workspace.url("letters").path),
                       ["fam-papier-\(id.prefix(8)).html"])

        // A folder others can read is refused; a revoked token gets no letter.
        try FileManager.default.createDirectory(at: workspace.url("open"), withIntermediateDirectories: false,
                                                attributes: [.posixPermissions: 0o755])
        result = try portal(["letters", "--out", "open", "--no-pdf"], in: workspace.root)
        XCTAssertTrue(result.stderr.contains("others may read this folder"), result.stderr)
        XCTAssertEqual(try portal(["token", "revoke", id], in: workspace.root).status, 0)
        result = try portal(["letters", "--token", id], in: workspace.root)
        XCTAssertTrue(result.stderr.contains("token \(id) is revoked"), result.stderr)
    }

    func testSendHandsEachMessageToSendmail() throws {
        let workspace = try Workspace()
        try workspace.write("klas.csv", Self.classList)
        XCTAssertEqual(try portal(["token", "import", "klas.csv"], in: workspace.root).status, 0)
        XCTAssertEqual(try portal(["token", "issue", "--group", "groep-4", "--label", "Fam. Papier"], in: workspace.root).status, 0)
        // A stand-in sendmail that keeps what it is given.
        try workspace.write("bin/sendmail", "#!/bin/sh\nn=$(ls \"$(dirname \"$0\")\"/../sent 2>/dev/null | wc -l)\nmkdir -p \"$(dirname \"$0\")/../sent\"\necho \"$*\" > \"$(dirname \"$0\")/../sent/$n.args\"\ncat > \"$(dirname \"$0\")/../sent/$n.eml\"\n")
        try FileManager.default.setAttributes([.posixPermissions: 0o755], ofItemAtPath: workspace.url("bin/sendmail").path)
        let path = workspace.url("bin").path + ":/usr/bin:/bin"
        let result = try portal(["letters", "--send", "--no-pdf"], in: workspace.root, environment: ["PATH": path])
        XCTAssertEqual(result.status, 0, result.stderr)
        XCTAssertTrue(result.stdout.contains("not sent  fam-papier-"), result.stdout)
        XCTAssertTrue(result.stdout.contains("3 letters handed to sendmail."), result.stdout)
        let sent = try FileManager.default.contentsOfDirectory(atPath: workspace.url("sent").path).sorted()
        XCTAssertEqual(sent.filter { $0.hasSuffix(".eml") }.count, 3)
        XCTAssertEqual(try workspace.read("sent/0.args"), "-t -oi\n")
        XCTAssertTrue(try workspace.read("sent/0.eml").contains("To: \"Fam. Jansen\" <jansen@example.nl>\r\n"))
        XCTAssertTrue(result.stdout.contains("sent  fam-jansen-"), result.stdout)

        // Issue 19 point 8: a second --send after a new token mails only the new one ...
        try workspace.write("nieuw.csv", "family;email;group\nFam. Nieuw;nieuw@example.nl;groep-4\n")
        XCTAssertEqual(try portal(["token", "import", "nieuw.csv"], in: workspace.root).status, 0)
        let second = try portal(["letters", "--send", "--no-pdf"], in: workspace.root, environment: ["PATH": path])
        XCTAssertEqual(second.status, 0, second.stderr)
        XCTAssertTrue(second.stdout.contains("1 letter handed to sendmail. 3 mailed before, not sent again."), second.stdout)
        XCTAssertTrue(second.stdout.contains("sent  fam-nieuw-"), second.stdout)
        XCTAssertEqual(second.stdout.components(separatedBy: "(--again mails it again)").count - 1, 3, second.stdout)
        XCTAssertEqual(try FileManager.default.contentsOfDirectory(atPath: workspace.url("sent").path).filter { $0.hasSuffix(".eml") }.count, 4)
        // ... and --again mails them all again; without --send it is refused.
        let again = try portal(["letters", "--send", "--again", "--no-pdf"], in: workspace.root, environment: ["PATH": path])
        XCTAssertTrue(again.stdout.contains("4 letters handed to sendmail."), again.stdout)
        XCTAssertEqual(try FileManager.default.contentsOfDirectory(atPath: workspace.url("sent").path).filter { $0.hasSuffix(".eml") }.count, 8)
        let alone = try portal(["letters", "--again", "--no-pdf"], in: workspace.root)
        XCTAssertNotEqual(alone.status, 0)
        XCTAssertTrue(alone.stderr.contains("--again goes with --send"), alone.stderr)
        let record = try workspace.read("keys/letters-mailed.json")
        XCTAssertFalse(record.contains("@"), "token ids and times only")
        XCTAssertEqual(try FileManager.default.attributesOfItem(atPath: workspace.url("keys/letters-mailed.json").path)[.posixPermissions] as? Int, 0o600)
    }
}
