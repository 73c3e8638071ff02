// Writes letters into a private folder (0700, files 0600: they hold tokens), each file through a
// temporary name and a rename, makes PDFs with headless Chromium, and hands .eml files to the
// system's sendmail.
import Foundation
import PortalContent
import PortalFiles
import PortalKeys

#if canImport(Glibc)
import Glibc
#endif

/// The files written for one letter.
public struct LetterOutput: Sendable {
    public var letter: Letter
    public var html: URL
    public var pdf: URL?
    /// Nil when the token has no e-mail address.
    public var eml: URL?
}

/// A folder of letters.
///
/// ```swift
/// let folder = try LetterFolder(URL(fileURLWithPath: "letters"))
/// let written = try folder.write(letter, pdf: PDFPrinter.find(), date: Date())
/// ```
public struct LetterFolder: Sendable {
    public static let directoryMode = 0o700
    public static let fileMode = 0o600

    public let url: URL

    /// Creates the folder with mode 0700, or checks an existing one: it must be a writable
    /// folder that only its owner can enter, since letters hold tokens.
    public init(_ url: URL) throws(LetterError) {
        self.url = url
        let path = url.path
        do {
            try PrivateDirectory.make(path)
        } catch {
            switch error {
            case .openToOthers(_, let mode):
                throw .outputFolder(path: path, reason: "others may read this folder (mode \(String(mode, radix: 8))); letters hold tokens: run `chmod 700 \(path)` or choose a new folder")
            case .notADirectory:
                throw .outputFolder(path: path, reason: "exists and is not a folder")
            case .ownedByAnotherUser(_, let owner):
                throw .outputFolder(path: path, reason: "belongs to another user (uid \(owner)); letters hold tokens: choose a new folder")
            case .failed(let failure):
                throw .outputFolder(path: path, reason: failure.reason)
            }
        }
        guard access(path, W_OK | X_OK) == 0 else { throw .outputFolder(path: path, reason: "not writable: \(errnoText())") }
    }

    /// Writes `<base>.html`, `<base>.eml` (when the token has an address) and, with a printer,
    /// `<base>.pdf`. Each file appears complete or not at all.
    public func write(_ letter: Letter, pdf printer: PDFPrinter?, date: Date) throws(LetterError) -> LetterOutput {
        let base = letter.fileBaseName
        let html = url.appendingPathComponent(base + ".html")
        try writeFile(Data(try LetterPage.html(letter).utf8), to: html)
        var output = LetterOutput(letter: letter, html: html)
        if let message = try LetterMail.message(letter, date: date) {
            let eml = url.appendingPathComponent(base + ".eml")
            try writeFile(message, to: eml)
            output.eml = eml
        }
        if let printer {
            let pdf = url.appendingPathComponent(base + ".pdf")
            let temp = temporaryName(for: pdf)
            defer { unlink(temp.path) }
            try printer.print(html, to: temp)
            guard chmod(temp.path, mode_t(LetterFolder.fileMode)) == 0, rename(temp.path, pdf.path) == 0 else {
                throw .write(path: pdf.path, reason: errnoText())
            }
            FileDescriptor.syncDirectory(url.path)
            output.pdf = pdf
        }
        return output
    }

    private func temporaryName(for file: URL) -> URL {
        file.deletingLastPathComponent().appendingPathComponent(
            "." + file.lastPathComponent + ".tmp-" + String(UInt64.random(in: 0...UInt64.max), radix: 36))
    }

    /// Written through a temporary 0600 file, synced, renamed over `file`, folder synced.
    func writeFile(_ data: Data, to file: URL) throws(LetterError) {
        do {
            try AtomicFile.write(data, to: file.path, mode: mode_t(LetterFolder.fileMode))
        } catch {
            throw .write(path: file.path, reason: error.reason)
        }
    }
}

/// Headless Chromium (Debian's `chromium`) printing a letter's HTML to PDF.
public struct PDFPrinter: Sendable {
    public let executable: URL

    public init(executable: URL) { self.executable = executable }

    /// Chromium on PATH, or nil. Debian's `/usr/bin/chromium` is a shell wrapper that prints a
    /// warning; the binary behind it is used when it is there.
    public static func find(environment: [String: String] = ProcessInfo.processInfo.environment) -> PDFPrinter? {
        guard let wrapper = Executables.find(["chromium", "chromium-browser"], environment: environment) else { return nil }
        let binary = URL(fileURLWithPath: "/usr/lib/chromium/chromium")
        if wrapper.path == "/usr/bin/chromium", FileManager.default.isExecutableFile(atPath: binary.path) {
            return PDFPrinter(executable: binary)
        }
        return PDFPrinter(executable: wrapper)
    }

    /// Prints `html` (a local file) to `pdf`. A throwaway profile folder keeps runs apart from
    /// each other and from anyone's browser profile.
    public func print(_ html: URL, to pdf: URL) throws(LetterError) {
        let profile = FileManager.default.temporaryDirectory.appendingPathComponent("portal-letters-chromium-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: profile) }
        let process = Process()
        process.executableURL = executable
        process.arguments = [
            "--headless", "--no-sandbox", "--disable-gpu", "--no-pdf-header-footer", "--no-first-run",
            "--disable-extensions", "--user-data-dir=\(profile.path)", "--print-to-pdf=\(pdf.path)",
            html.absoluteURL.absoluteString,
        ]
        let errors = Pipe()
        process.standardOutput = FileHandle.nullDevice
        process.standardError = errors
        process.standardInput = FileHandle.nullDevice
        do {
            try process.run()
        } catch {
            throw .pdf(path: pdf.path, reason: "cannot start \(executable.path): \(error.localizedDescription)")
        }
        let stderr = errors.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        let size = (try? FileManager.default.attributesOfItem(atPath: pdf.path)[.size] as? Int) ?? 0
        guard process.terminationStatus == 0, size > 0 else {
            let last = String(decoding: stderr, as: UTF8.self).split(separator: "\n").last.map(String.init) ?? ""
            throw .pdf(path: pdf.path, reason: "chromium exited with status \(process.terminationStatus) \(last)")
        }
    }
}

/// The system's mail submission program: `sendmail -t -oi`, or `msmtp -t`.
public struct Mailer: Sendable {
    public let executable: URL
    public let arguments: [String]

    public init(executable: URL, arguments: [String]) {
        self.executable = executable
        self.arguments = arguments
    }

    /// sendmail (PATH, /usr/sbin, /usr/lib), else msmtp; nil when neither exists.
    public static func find(environment: [String: String] = ProcessInfo.processInfo.environment) -> Mailer? {
        if let sendmail = Executables.find(["sendmail"], environment: environment, extra: ["/usr/sbin", "/usr/lib"]) {
            return Mailer(executable: sendmail, arguments: ["-t", "-oi"])
        }
        if let msmtp = Executables.find(["msmtp"], environment: environment) {
            return Mailer(executable: msmtp, arguments: ["-t"])
        }
        return nil
    }

    /// Pipes the message to the program; recipients come from its To header (`-t`).
    public func send(_ eml: URL) throws(LetterError) {
        let message: Data
        do { message = try Data(contentsOf: eml) } catch {
            throw .send(file: eml.path, reason: "cannot read: \(error.localizedDescription)")
        }
        let process = Process()
        process.executableURL = executable
        process.arguments = arguments
        let input = Pipe(), errors = Pipe()
        process.standardInput = input
        process.standardOutput = FileHandle.nullDevice
        process.standardError = errors
        do { try process.run() } catch {
            throw .send(file: eml.path, reason: "cannot start \(executable.path): \(error.localizedDescription)")
        }
        // Messages are small (tens of kB) but a pipe holds 64 kB: write and read from separate threads.
        let writer = Thread {
            input.fileHandleForWriting.write(message)
            try? input.fileHandleForWriting.close()
        }
        writer.start()
        let stderr = errors.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        guard process.terminationStatus == 0 else {
            let text = String(decoding: stderr, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
            throw .send(file: eml.path, reason: "\(executable.lastPathComponent) exited with status \(process.terminationStatus)\(text.isEmpty ? "" : ": " + text)")
        }
    }
}

enum Executables {
    static func find(_ names: [String], environment: [String: String], extra: [String] = []) -> URL? {
        let folders = (environment["PATH"] ?? "/usr/local/bin:/usr/bin:/bin").split(separator: ":").map(String.init) + extra
        for name in names {
            for folder in folders where !folder.isEmpty {
                let path = folder + "/" + name
                if FileManager.default.isExecutableFile(atPath: path) { return URL(fileURLWithPath: path) }
            }
        }
        return nil
    }
}

private func errnoText() -> String { String(cString: strerror(errno)) }
