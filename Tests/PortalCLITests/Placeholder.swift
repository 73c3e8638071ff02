import XCTest

final class PortalCLITestsPlaceholder: XCTestCase {}
