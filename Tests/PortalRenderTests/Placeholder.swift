import XCTest

final class PortalRenderTestsPlaceholder: XCTestCase {}
