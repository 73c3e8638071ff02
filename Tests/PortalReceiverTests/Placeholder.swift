import XCTest

final class PortalReceiverTestsPlaceholder: XCTestCase {}
