// Runs the real `portal` and `portal-receiver` binaries on temporary folders, as staff do.
import Foundation
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif
#if canImport(Glibc)
import Glibc
#endif

public struct CommandResult {
    public var status: Int32
    public var stdout: String
    public var stderr: String
}

/// The binaries of this build: next to the test bundle (same build folder), or from the
/// environment (`PORTAL_BIN`, `PORTAL_RECEIVER_BIN`).
public enum PortalBinary {
    public static var url: URL { find("portal", environment: "PORTAL_BIN") }
    public static var receiver: URL { find("portal-receiver", environment: "PORTAL_RECEIVER_BIN") }

    static func find(_ name: String, environment variable: String) -> URL {
        if let path = ProcessInfo.processInfo.environment[variable] { return URL(fileURLWithPath: path) }
        var folder = URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent()
        for _ in 0..<4 {
            let candidate = folder.appendingPathComponent(name)
            if FileManager.default.isExecutableFile(atPath: candidate.path) { return candidate }
            folder = folder.deletingLastPathComponent()
        }
        return repositoryRoot.appendingPathComponent(".build/debug/" + name)
    }
}

/// Runs `portal ARGS` in `directory` and waits for it; `environment` adds or replaces variables.
@discardableResult
public func portal(_ arguments: [String], in directory: URL, environment: [String: String] = [:]) throws -> CommandResult {
    try run(PortalBinary.url, arguments, in: directory, environment: environment)
}

/// Runs `portal-receiver ARGS` in `directory` and waits for it to exit (for options it refuses);
/// one still running after `timeout` seconds is stopped (status 143 after SIGTERM).
@discardableResult
public func portalReceiver(_ arguments: [String], in directory: URL, timeout: Double = 20) throws -> CommandResult {
    try run(PortalBinary.receiver, arguments, in: directory, environment: [:], timeout: timeout)
}

private func run(
    _ executable: URL, _ arguments: [String], in directory: URL, environment: [String: String], timeout: Double? = nil
) throws -> CommandResult {
    let process = Process()
    process.executableURL = executable
    process.arguments = arguments
    process.currentDirectoryURL = directory
    if !environment.isEmpty {
        process.environment = ProcessInfo.processInfo.environment.merging(environment) { _, new in new }
    }
    let out = Pipe(), err = Pipe()
    process.standardOutput = out
    process.standardError = err
    try process.run()
    if let timeout {
        let running = process
        DispatchQueue.global().asyncAfter(deadline: .now() + timeout) { if running.isRunning { running.terminate() } }
    }
    let stdout = out.fileHandleForReading.readDataToEndOfFile()
    let stderr = err.fileHandleForReading.readDataToEndOfFile()
    process.waitUntilExit()
    return CommandResult(
        status: process.terminationStatus, stdout: String(decoding: stdout, as: UTF8.self),
        stderr: String(decoding: stderr, as: UTF8.self))
}

/// A temporary folder with a copy of the example school and the default theme, like a checkout.
public final class Workspace {
    public let root: URL

    public init(withContent: Bool = true) throws {
        root = FileManager.default.temporaryDirectory.appendingPathComponent("portal-cli-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: root.appendingPathComponent("themes"), withIntermediateDirectories: true)
        try FileManager.default.copyItem(
            at: repositoryRoot.appendingPathComponent("themes/default"), to: root.appendingPathComponent("themes/default"))
        if withContent {
            try FileManager.default.copyItem(at: repositoryRoot.appendingPathComponent("content"), to: root.appendingPathComponent("content"))
        }
    }

    deinit { try? FileManager.default.removeItem(at: root) }

    public func url(_ relative: String) -> URL { root.appendingPathComponent(relative) }

    public func write(_ relative: String, _ text: String) throws {
        let url = url(relative)
        try FileManager.default.createDirectory(at: url.deletingLastPathComponent(), withIntermediateDirectories: true)
        try text.write(to: url, atomically: true, encoding: .utf8)
    }

    public func read(_ relative: String) throws -> String { try String(contentsOf: url(relative), encoding: .utf8) }
}

/// The first match of `pattern` in what a started process prints (within 20 s); the process is
/// stopped and an error thrown when it never prints one.
func printedAddress(_ process: Process, _ out: Pipe, pattern: String) throws -> String {
    var buffer = ""
    let deadline = Date().addingTimeInterval(20)
    while Date() < deadline {
        let data = out.fileHandleForReading.availableData
        if data.isEmpty { break }
        buffer += String(decoding: data, as: UTF8.self)
        if let range = buffer.range(of: pattern, options: .regularExpression) { return String(buffer[range]) }
    }
    process.terminate()
    throw NSError(domain: "Process", code: 1, userInfo: [NSLocalizedDescriptionKey: "did not start: \(buffer)"])
}

/// A `portal` server process (serve or preview) on a free port, stopped at the end.
public final class ServerProcess {
    public let process = Process()
    public private(set) var baseURL = ""
    /// The per-run key of `portal preview`'s link (`?key=...`), sent with every request; nil for `serve`.
    public private(set) var key: String?

    public init(_ arguments: [String], in directory: URL) throws {
        process.executableURL = PortalBinary.url
        process.arguments = arguments + ["--port", "0"]
        process.currentDirectoryURL = directory
        let out = Pipe()
        process.standardOutput = out
        process.standardError = FileHandle.nullDevice
        try process.run()
        // Wait for the line that names the address.
        let link = try printedAddress(process, out, pattern: #"http://127\.0\.0\.1:\d+(/\?key=[A-Za-z0-9_-]+)?(?=\s)"#)
        if let query = link.range(of: "/?key=") {
            baseURL = String(link[..<query.lowerBound])
            key = String(link[query.upperBound...])
        } else {
            baseURL = link
        }
    }

    public func stop() {
        if process.isRunning {
            process.terminate()
            process.waitUntilExit()
        }
    }

    deinit { stop() }

    /// GET a path; returns status, headers and body.
    public func get(_ path: String) throws -> (status: Int, headers: [String: String], body: Data) {
        let semaphore = DispatchSemaphore(value: 0)
        nonisolated(unsafe) var result: (Int, [String: String], Data)?
        nonisolated(unsafe) var failure: Error?
        let keyed = key.map { path + (path.contains("?") ? "&" : "?") + "key=" + $0 } ?? path
        var request = URLRequest(url: URL(string: baseURL + keyed)!)
        request.cachePolicy = .reloadIgnoringLocalCacheData
        URLSession.shared.dataTask(with: request) { data, response, error in
            if let http = response as? HTTPURLResponse {
                var headers: [String: String] = [:]
                for (key, value) in http.allHeaderFields { headers[String(describing: key).lowercased()] = String(describing: value) }
                result = (http.statusCode, headers, data ?? Data())
            } else {
                failure = error
            }
            semaphore.signal()
        }.resume()
        semaphore.wait()
        if let failure { throw failure }
        guard let result else { throw NSError(domain: "ServerProcess", code: 2) }
        return result
    }
}

/// The real `portal-receiver` on a free port, with the workspace's trust file.
public final class ReceiverProcess {
    public let process = Process()
    public let base: String

    /// `trust` is relative to the workspace (a copy stands for the server's own file);
    /// `arguments` are added to the command line.
    public init(workspace: Workspace, trust: String = "keys/trust.json", arguments: [String] = []) throws {
        let port = try Self.freePort()
        base = "http://127.0.0.1:\(port)"
        process.executableURL = PortalBinary.receiver
        process.arguments = ["--trust", trust, "--db", "receiver.sqlite", "--listen", "127.0.0.1:\(port)"] + arguments
        process.currentDirectoryURL = workspace.root
        process.standardOutput = FileHandle.nullDevice
        process.standardError = FileHandle.nullDevice
        try process.run()
    }

    public func stop() {
        if process.isRunning {
            process.terminate()
            process.waitUntilExit()
        }
    }

    /// SIGHUP: re-read the trust file.
    public func reload() { kill(process.processIdentifier, SIGHUP) }

    public func waitUntilHealthy() async throws {
        let deadline = Date().addingTimeInterval(20)
        while Date() < deadline {
            if let (_, response) = try? await URLSession.shared.data(from: URL(string: base + "/healthz")!),
               (response as? HTTPURLResponse)?.statusCode == 200 { return }
            try await Task.sleep(nanoseconds: 100_000_000)
        }
        throw NSError(domain: "ReceiverProcess", code: 1, userInfo: [NSLocalizedDescriptionKey: "portal-receiver did not start"])
    }

    public static func freePort() throws -> Int {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        defer { close(fd) }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        address.sin_port = 0
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        _ = withUnsafePointer(to: &address) { $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, length) } }
        _ = withUnsafeMutablePointer(to: &address) { $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(fd, $0, &length) } }
        return Int(UInt16(bigEndian: address.sin_port))
    }
}
