// Small helpers of the crypto and format tests: bytes from hex or a range, and the CryptoError a
// call throws.
import Foundation
import PortalCrypto

/// Bytes from hex, white space allowed (a broken literal in a test stops it at once).
public func h(_ hex: String) -> [UInt8] {
    guard let bytes = Hex.decode(hex.filter { !$0.isWhitespace }) else {
        preconditionFailure("bad hex in test: \(hex)")
    }
    return bytes
}

public func bytes(_ range: ClosedRange<UInt8>) -> [UInt8] { Array(range) }

/// The CryptoError `body` throws, or nil when it returns normally (so an expected error compares
/// unequal and the test fails).
public func cryptoError<T>(_ body: () throws(CryptoError) -> T) -> CryptoError? {
    do {
        _ = try body()
        return nil
    } catch {
        return error
    }
}
