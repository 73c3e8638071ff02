// What the command-line tests share: run `portal` expecting success, issue a token as staff do.
import Foundation
import PortalTestSupport
import XCTest

/// A token as `portal token issue --json` prints it.
struct Issued {
    let token: String
    let id: String
}

extension XCTestCase {
    /// `portal ARGS` in the workspace; fails the test (at the caller's line) unless it exits 0.
    @discardableResult
    func run(_ arguments: [String], in workspace: Workspace, file: StaticString = #filePath, line: UInt = #line) throws -> CommandResult {
        let result = try portal(arguments, in: workspace.root)
        XCTAssertEqual(result.status, 0, "portal \(arguments.joined(separator: " ")): \(result.stderr)", file: file, line: line)
        return result
    }

    /// `portal token issue --json ARGS`.
    func issue(_ arguments: [String], in workspace: Workspace) throws -> Issued {
        let result = try run(["token", "issue", "--json"] + arguments, in: workspace)
        let object = try XCTUnwrap(try JSONSerialization.jsonObject(with: Data(result.stdout.utf8)) as? [String: String])
        return Issued(token: try XCTUnwrap(object["token"]), id: try XCTUnwrap(object["id"]))
    }
}
