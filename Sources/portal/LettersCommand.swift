// `portal letters`: the invitation letter of each active token as HTML, PDF and e-mail; `--send`
// mails them with the system's sendmail, each token once (keys/letters-mailed.json remembers
// when), so a second `--send` after new tokens were issued mails only the new ones.
import ArgumentParser
import Foundation
import PortalContent
import PortalFiles
import PortalKeys
import PortalLetters

struct LettersCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "letters",
        abstract: "Write invitation letters (HTML, PDF, e-mail) for active tokens; --send mails them.",
        discussion: """
            For each active token (or those chosen with --token or --group) writes into the folder:
              <family>-<id>.html   printable A4 letter with the token, its link and QR code
              <family>-<id>.pdf    the same as PDF (needs Debian's chromium; --no-pdf skips it)
              <family>-<id>.eml    the e-mail to the address from the class list
            The folder is created with mode 0700: letters hold tokens. Keep them out of git.
            --send mails each token's letter once: tokens mailed before are skipped (and said
            so) unless --again is given.

            Examples:
              portal letters --out letters
              portal letters --group groep-3 --send
              portal letters --token 1a2b3c4d --send --again   (mail one again)
              portal letters --token 1a2b3c4d --no-pdf
            """)

    @Option(name: .customLong("token"), help: "Token id or unique prefix (6+ characters); repeat for several.")
    var tokens: [String] = []

    @Option(help: "Only tokens that include this group.")
    var group: String?

    @Option(help: "Folder for the letters (created with mode 0700).")
    var out: String = "letters"

    @Flag(help: "Mail each .eml with the system's sendmail (or msmtp); tokens mailed before are skipped.")
    var send = false

    @Flag(help: "With --send: also mail tokens that were mailed before.")
    var again = false

    @Flag(name: .customLong("no-pdf"), help: "Do not make PDFs.")
    var noPDF = false

    @OptionGroup var keysOption: KeysOption
    @OptionGroup var outputOption: OutputOption
    @OptionGroup var paths: PathOptions

    func run() throws {
        let site = try paths.siteConfig(orSay: "No letter was written.")
        let keystore = try openKeystore(keysOption)
        let records = try select(from: keystore, site: site)

        // Everything that can fail before the first file is checked first.
        if again && !send { throw ValidationError("--again goes with --send: it mails letters that were mailed before.") }
        let mailer = send ? Mailer.find() : nil
        if send && mailer == nil { throw LetterError.noMailer }
        var mailedBefore = send ? try MailedLetters.load(keys: keysOption.keysURL) : MailedLetters()
        let printer = noPDF ? nil : PDFPrinter.find()
        let folder = try LetterFolder(URL(fileURLWithPath: out, isDirectory: true))
        if !noPDF && printer == nil {
            printNow("note: no chromium on PATH, so no PDFs (apt-get install chromium, or print the .html files from a browser)")
        }

        // A token works once `generate` has published its keyslot; a letter sent before that
        // leads to "unknown code". Say so (the site may be generated elsewhere, so only a note).
        let unpublished = records.filter {
            !FileManager.default.fileExists(atPath: outputOption.outputURL.appendingPathComponent("k/" + $0.id).path)
        }
        if !unpublished.isEmpty {
            printNow("note: \(unpublished.count) of these tokens \(unpublished.count == 1 ? "is" : "are") not in \(outputOption.output)/ yet; run `portal generate` and publish the site before parents use their letters")
        }

        var outputs: [LetterOutput] = []
        let now = Date()
        // A PDF takes about 1.5 s: on a terminal a bar with the time left instead of a line each.
        let bar = ProgressDisplay(label: "letters", total: records.count)
        for record in records {
            let output = try folder.write(Letter(site: site, record: record), pdf: printer, date: now)
            outputs.append(output)
            let kinds = ["html", output.pdf == nil ? nil : "pdf", output.eml == nil ? nil : "eml"].compactMap { $0 }
            var line = "wrote  \((out as NSString).appendingPathComponent(output.letter.fileBaseName)).{\(kinds.joined(separator: ","))}"
            if output.eml == nil { line += "  (no e-mail address: print the letter)" }
            if bar.enabled {
                if output.eml == nil { bar.finish(); printNow(line) }  // worth keeping on screen
                bar.advance()
            } else {
                printNow(line)
            }
        }
        bar.finish()
        let mailed = outputs.filter { $0.eml != nil }.count
        printNow("\(outputs.count) letter\(outputs.count == 1 ? "" : "s") in \(out)/ (\(mailed) as e-mail). They hold tokens: keep the folder private, delete it when done.")

        guard let mailer else { return }
        var sent = 0
        var skipped = 0
        for output in outputs {
            guard let eml = output.eml, let email = output.letter.email else {
                printNow("not sent  \(output.letter.fileBaseName): no e-mail address")
                continue
            }
            if !again, let when = mailedBefore.tokens[output.letter.tokenID] {
                printNow("not sent  \(output.letter.fileBaseName): mailed on \(RFC3339.string(from: when)) (--again mails it again)")
                skipped += 1
                continue
            }
            try mailer.send(eml)
            // Remembered at once: a run that stops half-way does not mail these again.
            mailedBefore.tokens[output.letter.tokenID] = Date()
            try mailedBefore.save(keys: keysOption.keysURL)
            sent += 1
            printNow("sent  \(output.letter.fileBaseName) to \(email)")
        }
        let skippedNote = skipped > 0 ? " \(skipped) mailed before, not sent again." : ""
        printNow("\(sent) letter\(sent == 1 ? "" : "s") handed to \(mailer.executable.lastPathComponent).\(skippedNote)")
    }

    /// Active tokens, narrowed by --token and --group, in issue order.
    private func select(from keystore: Keystore, site: SiteConfig) throws -> [TokenRecord] {
        let now = Date()
        var records = keystore.activeTokens(at: now)
        if !tokens.isEmpty {
            var chosen: [TokenRecord] = []
            for prefix in tokens {
                let record = try keystore.token(id: prefix)
                if record.revoked != nil { throw LetterError.inactiveToken(id: record.id, status: "revoked") }
                if !record.isActive(at: now) { throw LetterError.inactiveToken(id: record.id, status: "expired") }
                if !chosen.contains(where: { $0.id == record.id }) { chosen.append(record) }
            }
            records = chosen
        }
        if let group {
            guard site.group(id: group) != nil else {
                throw LetterError.unknownGroup(group, known: site.groups.map(\.id))
            }
            records = records.filter { $0.audiences.contains(group) }
            if records.isEmpty { throw LetterError.noActiveTokensInGroup(group) }
        }
        if records.isEmpty { throw LetterError.noActiveTokens }
        return records
    }
}

/// When each token's letter was mailed (`keys/letters-mailed.json`, 0600: token ids only).
struct MailedLetters: Codable {
    var tokens: [String: Date] = [:]

    static func file(keys: URL) -> URL { keys.appendingPathComponent("letters-mailed.json") }

    static func load(keys: URL) throws -> MailedLetters {
        guard let data = FileManager.default.contents(atPath: file(keys: keys).path) else { return MailedLetters() }
        let decoder = JSONDecoder()
        decoder.dateDecodingStrategy = .iso8601
        do { return try decoder.decode(MailedLetters.self, from: data) } catch {
            throw ValidationError("\(file(keys: keys).path) is damaged (\(error)); move it away to mail every letter again.")
        }
    }

    func save(keys: URL) throws {
        let encoder = JSONEncoder()
        encoder.dateEncodingStrategy = .iso8601
        encoder.outputFormatting = [.sortedKeys, .prettyPrinted]
        try AtomicFile.write(Array(try encoder.encode(self)), to: Self.file(keys: keys).path, mode: 0o600)
    }
}
