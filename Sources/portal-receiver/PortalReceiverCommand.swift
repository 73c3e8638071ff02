// portal-receiver: takes parents' signed, sealed absence reports and conference bookings.
import ArgumentParser
import Foundation
import PortalPush
import PortalReceiver
import PortalTrust

#if canImport(Glibc)
import Glibc
#endif

@main
struct PortalReceiverCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "portal-receiver",
        abstract: "Receive signed, HPKE-sealed absence reports and conference bookings (SQLite, durable).",
        discussion: "Reloads the trust file on SIGHUP. See docs/RECEIVER.md.")

    @Option(help: "Trust file written by `portal generate` (token ids, public keys, schedules).")
    var trust: String

    @Option(help: "SQLite database file (created if missing; WAL, synchronous=FULL).")
    var db: String

    @Option(help: "Address to listen on, HOST:PORT.")
    var listen: String = "127.0.0.1:8081"

    @Option(name: .customLong("static"), help: "Also serve this generated output/ folder.")
    var staticFolder: String?

    @Option(help: "Serve the site from this folder and take `portal publish --to-receiver` releases into it.")
    var site: String?

    @Option(help: "Seconds the files of a release no longer in force are kept for devices mid-visit (with --site).")
    var siteGrace: Double = 2 * 86400

    @Option(help: "Per-token requests per second (0: no limit).")
    var tokenRate: Double = 2

    @Option(help: "Per-token burst.")
    var tokenBurst: Double = 30

    @Option(help: "Per-address requests per second (0: no limit).")
    var addressRate: Double = 50

    @Option(help: "Per-address burst.")
    var addressBurst: Double = 300

    @Flag(help: "Take the client address from X-Forwarded-For (only behind your own reverse proxy; not with --static).")
    var trustForwardedFor = false

    @Option(help: "Absence reports one token may send in any 24 hours (0: no quota).")
    var dailyQuota: Int = 50

    @Option(help: "Rows per page of the admin listings (portal inbox and portal sync read every page).")
    var adminPageLimit: Int = 10_000

    @Option(help: "Nonces remembered per token within two skew windows (10 minutes).")
    var noncesPerToken: Int = 10_000

    @Option(help: "Seconds a connection may stay silent before it is closed.")
    var idleTimeout: Double = 30

    @Option(help: "Seconds in which a whole request (headers and body) must arrive.")
    var requestTimeout: Double = 30

    @Flag(help: .hidden)
    var pushAllowLoopback = false

    func validate() throws {
        // With --static the receiver faces clients directly: any client could write the header
        // and pick its own rate-limit bucket. Only a reverse proxy that overwrites it makes it safe.
        if staticFolder != nil && site != nil {
            throw ValidationError("--static and --site cannot be used together: --site serves the published site")
        }
        if trustForwardedFor && (staticFolder != nil || site != nil) {
            throw ValidationError(
                "--trust-forwarded-for cannot be used with --static: clients would choose their own address. "
                    + "Use it only behind your own reverse proxy, which sets X-Forwarded-For (docs/deploy/).")
        }
    }

    func run() async throws {
        guard let colon = listen.lastIndex(of: ":"), let port = Int(listen[listen.index(after: colon)...]) else {
            throw ValidationError("--listen must be HOST:PORT, e.g. 127.0.0.1:8081")
        }
        let host = String(listen[..<colon])
        let trustStore: TrustStore
        do {
            trustStore = try TrustStore(url: URL(fileURLWithPath: trust))
        } catch {
            FileHandle.standardError.write(Data("portal-receiver: \(error)\n".utf8))
            throw ExitCode(2)
        }
        var config = ReceiverConfiguration()
        config.tokenRate = tokenRate
        config.tokenBurst = tokenBurst
        config.addressRate = addressRate
        config.addressBurst = addressBurst
        config.trustForwardedFor = trustForwardedFor
        config.dailyQuota = dailyQuota
        config.adminPageLimit = adminPageLimit
        config.noncesPerToken = noncesPerToken
        config.idleTimeout = idleTimeout
        config.requestTimeout = requestTimeout
        // Tests only: the push service stand-in listens on 127.0.0.1 over plain http.
        config.pushPolicy = PushEndpointPolicy(allowLoopback: pushAllowLoopback)
        let siteStore = try site.map { try SiteStore(folder: URL(fileURLWithPath: $0, isDirectory: true), grace: siteGrace) }
        let receiver = try Receiver(trust: trustStore, databasePath: db, configuration: config, site: siteStore)

        signal(SIGHUP, SIG_IGN)
        let hup = DispatchSource.makeSignalSource(signal: SIGHUP, queue: .global())
        hup.setEventHandler {
            do {
                try trustStore.reload()
                do { try receiver.trustChanged() } catch {
                    FileHandle.standardError.write(Data("portal-receiver: moving bookings to the new schedule ids failed: \(error)\n".utf8))
                }
                let t = trustStore.current.file
                FileHandle.standardError.write(Data(
                    "portal-receiver: trust reloaded (\(t.tokens.count) tokens, \(t.schedules.count) schedules)\n".utf8))
            } catch {
                FileHandle.standardError.write(Data("portal-receiver: reload failed, keeping the old trust: \(error)\n".utf8))
            }
        }
        hup.resume()

        let server = ReceiverServer(
            receiver: receiver, host: host, port: port, staticFolder: staticFolder.map { URL(fileURLWithPath: $0) })
        try await server.run { url in
            FileHandle.standardOutput.write(Data("portal-receiver listening on \(url)\n".utf8))
        }
        hup.cancel()
    }
}
