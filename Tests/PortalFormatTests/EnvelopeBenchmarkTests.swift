// The envelope benchmark's measuring half (bench/micro/run.sh runs it): skipped unless
// PORTAL_BENCH_ENVELOPE_ROUNDS is set. It reports the cost of a sealed 4 KB blob as a ratio to
// bare AES-256-GCM on the same padded bytes, which stays comparable across machines and loads.
import CSodium
import Foundation
import XCTest

@testable import PortalCrypto
@testable import PortalFormat
import PortalTestSupport

final class EnvelopeBenchmarkTests: XCTestCase {
    func testBenchmarkSealAndOpen() throws {
        let environment = ProcessInfo.processInfo.environment
        guard let roundsText = environment["PORTAL_BENCH_ENVELOPE_ROUNDS"], let rounds = Int(roundsText), rounds > 0 else {
            throw XCTSkip("set PORTAL_BENCH_ENVELOPE_ROUNDS (bench/micro/run.sh does)")
        }
        try Sodium.ensureReady()
        let key = try MasterKey(bytes: Array(0x20...0x3f)).audienceKey(audience: "school", epoch: 1)
        let ad = AssociatedData.blob(audience: "school", epoch: 1, logicalPath: "news/welkom")
        let message = DeterministicRandom(seed: 4).bytes(4096)
        let padded = Padme.blobLength(messageLength: message.count)
        var sink = 0

        // The envelope: padding, keyed BLAKE2b nonce, AES-256-GCM, one allocation.
        let sealNs = try cpuNanoseconds(per: rounds) {
            for i in 0..<rounds {
                let sealed = try Envelope.seal(message, key: key, associatedData: ad + [UInt8(truncatingIfNeeded: i)])
                sink &+= Int(sealed[20])
            }
        }
        let sealed = try Envelope.seal(message, key: key, associatedData: ad)
        let openNs = try cpuNanoseconds(per: rounds) {
            for _ in 0..<rounds { sink &+= try Envelope.open(sealed, key: key, associatedData: ad).count }
        }

        // The reference: libsodium's AES-256-GCM alone on the padded length, fixed nonce.
        var plain = [UInt8](repeating: 0, count: padded)
        plain.replaceSubrange(0..<message.count, with: message)
        var cipher = [UInt8](repeating: 0, count: padded + 16)
        let nonce = [UInt8](repeating: 7, count: 12)
        let aeadSealNs = cpuNanoseconds(per: rounds) {
            for _ in 0..<rounds {
                _ = crypto_aead_aes256gcm_encrypt(&cipher, nil, plain, UInt64(padded), ad, UInt64(ad.count), nil, nonce, key.bytes)
                sink &+= Int(cipher[0])
            }
        }
        let aeadOpenNs = cpuNanoseconds(per: rounds) {
            for _ in 0..<rounds {
                let status = crypto_aead_aes256gcm_decrypt(
                    &plain, nil, nil, cipher, UInt64(cipher.count), ad, UInt64(ad.count), nonce, key.bytes)
                sink &+= Int(status)
            }
        }
        XCTAssertEqual(try Envelope.open(sealed, key: key, associatedData: ad), message)

        let line = String(
            format: "BENCH envelope message_bytes=%d padded_bytes=%d rounds=%d seal_us=%.2f open_us=%.2f aead_seal_us=%.2f aead_open_us=%.2f seal_ratio=%.2f open_ratio=%.2f sink=%d",
            message.count, padded, rounds, sealNs / 1000, openNs / 1000, aeadSealNs / 1000, aeadOpenNs / 1000,
            sealNs / aeadSealNs, openNs / aeadOpenNs, sink & 0xff)
        print(line)
        if let output = environment["PORTAL_BENCH_RESULT"] {
            try Data((line + "\n").utf8).write(to: URL(fileURLWithPath: output))
        }
    }

    /// Thread CPU time of `body` divided by `rounds`, in nanoseconds (wall time on a shared
    /// 2-core machine measures the neighbours).
    private func cpuNanoseconds(per rounds: Int, _ body: () throws -> Void) rethrows -> Double {
        func now() -> UInt64 {
            var t = timespec()
            clock_gettime(CLOCK_THREAD_CPUTIME_ID, &t)
            return UInt64(t.tv_sec) * 1_000_000_000 + UInt64(t.tv_nsec)
        }
        let start = now()
        try body()
        return Double(now() - start) / Double(rounds)
    }
}
