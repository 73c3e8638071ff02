// Small helpers shared by the crypto and keystore tests.
import Foundation
import XCTest
@testable import PortalCrypto
@testable import PortalFormat
import PortalTestSupport

func h(_ hex: String) -> [UInt8] {
    guard let bytes = Hex.decode(hex.filter { !$0.isWhitespace }) else {
        preconditionFailure("bad hex in test: \(hex)")
    }
    return bytes
}

func bytes(_ range: ClosedRange<UInt8>) -> [UInt8] { Array(range) }

/// Runs `body` and returns the CryptoError it throws (fails the test if it returns normally).
func cryptoError<T>(_ body: () throws(CryptoError) -> T, file: StaticString = #filePath, line: UInt = #line) -> CryptoError? {
    do {
        _ = try body()
        XCTFail("expected a CryptoError", file: file, line: line)
        return nil
    } catch {
        return error
    }
}

