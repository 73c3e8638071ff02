// `portal sync`: pulls the devices' registrations from the receiver with the admin key and writes
// them into the keystore, so that the next `portal generate` keeps the registered tokens and drops
// the ones whose registration week ended without one; then the teachers' new posts (PostsCommands)
// and the photo consent answers (ConsentCommands).
import ArgumentParser
import Foundation
import PortalKeys
import PortalReceiver

struct SyncCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "sync",
        abstract: "Pull token registrations and teachers' posts from the receiver.",
        discussion: """
            Run it before `portal generate` during and after a registration week.
            Example: portal sync && portal generate
            """)

    @OptionGroup var receiverOptions: ReceiverOptions

    func run() async throws {
        print(try await Self.sync(receiverOptions).summary)
        let keystore = try openKeystore(receiverOptions.keysOption)
        let client = ReceiverClient(receiverURL: try receiverOptions.receiverURL(), signer: .admin(seed: keystore.adminSigningSeed))
        print(try await TeacherPosts.sync(client: client, keystore: keystore, paths: receiverOptions.paths))
        let (_, keys) = try receiverOptions.connect()
        if let line = try await ConsentSync.sync(
            client: client, keystore: keystore, keys: keys, paths: receiverOptions.paths, keysURL: receiverOptions.keysOption.keysURL) {
            print(line)
        }
    }

    /// Pulls the registrations into the keystore: how many were new, and the summary to print.
    static func sync(_ receiverOptions: ReceiverOptions) async throws -> (fresh: Int, summary: String) {
        let url = try receiverOptions.receiverURL()
        var keystore = try openKeystore(receiverOptions.keysOption)
        let client = ReceiverClient(receiverURL: url, signer: .admin(seed: keystore.adminSigningSeed))
        // Always the whole list: a handful of rows per family, and "earliest wins" makes it idempotent.
        let registrations = try await client.registrations()
        let known = Set(keystore.tokens().map(\.id))
        var fresh = 0
        var unknown = 0
        var changed = false
        for registration in registrations {
            guard known.contains(registration.tokenID) else { unknown += 1; continue }
            guard let at = registration.registeredDate else {
                printError("skipped a registration of \(registration.tokenID) with an unreadable time '\(registration.registeredAt)'")
                continue
            }
            let wasRegistered = keystore.tokens().first { $0.id == registration.tokenID }?.registered != nil
            if try keystore.recordRegistration(id: registration.tokenID, at: at) {
                changed = true
                if !wasRegistered { fresh += 1 }
            }
        }
        // Saved only when something changed: the next build then stays a no-op.
        if changed { try keystore.save() }
        return (fresh, Self.summary(keystore, fresh: fresh, unknown: unknown, now: Date(), dates: receiverOptions.paths.dates))
    }

    /// "2 new registrations. 3 tokens not yet registered (the earliest has 2 days left). 1 token ..."
    static func summary(_ keystore: Keystore, fresh: Int, unknown: Int, now: Date, dates: TokenDates) -> String {
        func count(_ n: Int, _ word: String) -> String { "\(n) \(word)\(n == 1 ? "" : "s")" }
        var lines = ["\(count(fresh, "new registration"))."]
        let active = keystore.tokens().filter { $0.isActive(at: now) }
        let waiting = active.filter { $0.registered == nil && !$0.registrationLapsed(at: now) && $0.registerBy != nil }
        if !waiting.isEmpty, let first = waiting.compactMap(\.registerBy).min() {
            let days = Int((first.timeIntervalSince(now) / 86400).rounded(.up))
            lines.append("\(count(waiting.count, "token")) not yet registered (the first deadline is in \(count(days, "day")), \(dates.day(first))).")
        }
        let lapsed = active.filter { $0.registrationLapsed(at: now) }
        if !lapsed.isEmpty {
            lines.append("\(count(lapsed.count, "token")) passed the register-by date without a registration: "
                + "the next `portal generate` drops \(lapsed.count == 1 ? "it" : "them") (`portal token reissue ID` makes a new one).")
        }
        if unknown > 0 {
            lines.append("\(count(unknown, "registration")) for tokens this keystore does not know (another keystore's receiver?).")
        }
        return lines.joined(separator: "\n")
    }
}
