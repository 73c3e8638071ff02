import XCTest

final class PortalPhotosTestsPlaceholder: XCTestCase {}
