import Foundation
import PortalContent
import XCTest

final class ProbeTests: XCTestCase {
    func testProbeBroken() {
        for name in ["broken-front-matter", "broken-structure", "broken-links", "broken-conference", "broken-site-yaml", "broken-yaml-syntax", "no-site-yaml"] {
            print("== \(name)")
            for line in problems(name) { print("            \"\(line.replacingOccurrences(of: "\"", with: "\\\""))\",") }
        }
    }
}
