import Foundation
import PortalFiles
import XCTest

final class RFC3339Tests: XCTestCase {
    func testFormatsUTCInWholeSeconds() {
        XCTAssertEqual(RFC3339.string(from: Date(timeIntervalSince1970: 0)), "1970-01-01T00:00:00Z")
        XCTAssertEqual(RFC3339.string(from: Date(timeIntervalSince1970: 1_801_483_200.999)), "2027-02-01T12:00:00Z")
        XCTAssertEqual(RFC3339.string(milliseconds: 1_801_483_200_500), "2027-02-01T12:00:00Z")
    }

    func testParsesOffsetsInWholeSeconds() {
        XCTAssertEqual(RFC3339.date("2027-02-01T12:00:00Z"), Date(timeIntervalSince1970: 1_801_483_200))
        XCTAssertEqual(RFC3339.date("2027-02-01T13:00:00+01:00"), Date(timeIntervalSince1970: 1_801_483_200))
        XCTAssertNil(RFC3339.date("2027-02-01"))
        XCTAssertNil(RFC3339.date("2027-02-01 12:00:00"))
        XCTAssertNil(RFC3339.date("gisteren"))
    }
}

final class ParallelSlotsTests: XCTestCase {
    func testEveryWorkerFillsItsOwnSlot() {
        let slots = ParallelSlots<Int>(count: 10_000)
        DispatchQueue.concurrentPerform(iterations: 10_000) { i in if i % 3 != 0 { slots.set(i, i * 2) } }
        XCTAssertEqual(slots.values.count, 10_000 - 3334)
        XCTAssertNil(slots[0])
        XCTAssertEqual(slots[1], 2)
        XCTAssertEqual(slots.values.last, 19_996)
    }
}
