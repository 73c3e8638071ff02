// After `portal generate`: push the receiver's trust file to the receiver (admin key), so that a
// revocation, a new token or a changed schedule takes effect there at once, without copying the
// file to the server and sending SIGHUP. What was last pushed where is kept in
// `<keys>/trust-pushed.json`, so a no-op build pushes only when an earlier push failed.
import Foundation
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif
import PortalCrypto
import PortalFiles
import PortalFormat
import PortalKeys
import PortalReceiver

/// One push of the trust file, and its one-line report for staff.
///
/// ```swift
/// let line = await TrustPush(trustFile: trustURL, keys: keysURL, receiverURL: url, adminSeed: admin, publisherSeed: publisher).run()
/// print(line)   // "Trust file pushed to https://.../api (42 tokens, 3 schedules)."
/// ```
struct TrustPush {
    let trustFile: URL
    let keys: URL
    let receiverURL: URL
    let adminSeed: [UInt8]
    /// Signs the file itself (FORMAT.md "Trust file"); the admin key signs the request.
    let publisherSeed: [UInt8]

    static func stateFile(keys: URL) -> URL { keys.appendingPathComponent("trust-pushed.json") }

    /// What the receiver at `receiver` last accepted: the SHA-256 of the trust file's bytes.
    struct State: Codable, Equatable {
        var receiver: String
        var sha256: String
    }

    /// Pushes unless the receiver already has these very bytes; returns the line to print, or
    /// nil when there was nothing to do.
    func run() async -> String? { await push().line }

    /// `run()`, and whether the receiver now has this trust file.
    func push() async -> (line: String?, delivered: Bool) {
        let line = await attempt()
        return (line, line.map { !$0.contains("NOT pushed") } ?? true)
    }

    private func attempt() async -> String? {
        guard let bytes = try? Array(Data(contentsOf: trustFile)) else {
            return "The trust file was NOT pushed: cannot read \(trustFile.path)."
        }
        let state = State(receiver: receiverURL.absoluteString, sha256: Hex.encode(SHA256.hash(bytes)))
        let stateURL = Self.stateFile(keys: keys)
        if let data = try? Data(contentsOf: stateURL), let last = try? JSONDecoder().decode(State.self, from: data), last == state {
            return nil
        }
        let configuration = URLSessionConfiguration.ephemeral
        configuration.timeoutIntervalForRequest = 20
        let session = URLSession(configuration: configuration)
        let client = ReceiverClient(receiverURL: receiverURL, signer: .admin(seed: adminSeed), session: session)
        let advice = "run `portal generate` again when it is reachable (it retries), or copy \(trustFile.path) to the server and reload portal-receiver (SIGHUP)"
        do {
            let receipt = try await client.pushTrust(SignedDocument.sign(bytes, kind: "trust", seed: publisherSeed))
            let encoder = JSONEncoder()
            encoder.outputFormatting = [.sortedKeys]
            try? AtomicFile.write(Array(try encoder.encode(state)), to: stateURL.path, mode: 0o600)
            return receipt.changed
                ? "Trust file pushed to \(receiverURL.absoluteString) (\(receipt.tokens) tokens, \(receipt.schedules) schedules)."
                : "Trust file pushed to \(receiverURL.absoluteString): it already had this one."
        } catch ReceiverClientError.refused(let status, let code, let message) {
            return "The trust file was NOT pushed to \(receiverURL.absoluteString): it refused (\(status) \(code): \(message)); \(advice)."
        } catch {
            return "The trust file was NOT pushed to \(receiverURL.absoluteString) (\(Self.reason(error))); the receiver keeps the old one: \(advice)."
        }
    }

    private static func reason(_ error: any Error) -> String {
        if case ReceiverClientError.transport(let text) = error { return "cannot reach it: \(text)" }
        return "\(error)"
    }
}
