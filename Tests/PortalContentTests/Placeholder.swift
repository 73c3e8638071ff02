import XCTest

final class PortalContentTestsPlaceholder: XCTestCase {}
