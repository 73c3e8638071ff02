import Foundation
import PortalContent
import XCTest

final class ProbeTests: XCTestCase {
    func testProbeValid() {
        do {
            let site = try ContentLoader(root: fixtureSite("valid")).load()
            for item in site.items { print(item.audience, item.kind, item.logicalPath, item.sourceFolder, item.date as Any, item.title) }
            for item in site.items where item.conference != nil { print(item.conference!.slots.map(\.id)) }
        } catch {
            print(error)
        }
    }
}
