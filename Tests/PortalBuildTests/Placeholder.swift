import XCTest

final class PortalBuildTestsPlaceholder: XCTestCase {}
