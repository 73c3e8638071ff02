import XCTest

final class PortalCryptoTestsPlaceholder: XCTestCase {}
