// The letter's words in Dutch and English, as a printable A4 page (self-contained HTML: inline CSS,
// the QR code as inline SVG), as the e-mail's HTML part and as its plain-text part.
import Foundation
import PortalContent

/// The letter's text in one language. Dutch first (the school's language), English after it.
struct LetterWords {
    var title: String
    var greeting: String
    var loginHeading: String
    var scan: String
    var orType: (String, String)  // "Or go to" URL "and type your code:"
    var registerBy: String
    var registerWhy: String
    var groupsIntro: String
    var installHeading: String
    var installIntro: String
    var android: (String, String)
    var iphone: (String, String)
    var computer: (String, String)
    var safeHeading: String
    var safe: String
    var helpHeading: String
    var helpIntro: String
    var hours: String
    var phone: String
    var signature: String

    static func dutch(_ letter: Letter) -> LetterWords {
        LetterWords(
            title: "Uw toegang tot het ouderportaal",
            greeting: "Beste ouders en verzorgers,",
            loginHeading: "Zo komt u in het ouderportaal",
            scan: "Scan de QR-code met de camera van uw telefoon.",
            orType: ("Of ga naar", "en typ deze persoonlijke code:"),
            registerBy: "Registreer vóór \(letter.registerByDutch).",
            registerWhy: "Open het portaal vóór die datum met deze code op uw telefoon, tablet of computer. Daarna werkt de code niet meer en vraagt u bij school een nieuwe aan.",
            groupsIntro: "Met deze code leest u het nieuws van de hele school en van:",
            installHeading: "De app op uw telefoon of computer",
            installIntro: "Het portaal werkt in de browser. Zet het als app op uw beginscherm, dan heeft u het altijd bij de hand:",
            android: ("Android (Chrome):", "open de link, tik rechtsboven op het menu ⋮ en kies „App installeren” of „Toevoegen aan startscherm”."),
            iphone: ("iPhone en iPad (Safari):", "open de link in Safari, tik op de Deel-knop (vierkant met pijl omhoog) en kies „Zet op beginscherm”. Open daarna de app op het beginscherm en vul daar uw code in: alleen zo krijgt u meldingen."),
            computer: ("Computer (Chrome of Edge):", "klik rechts in de adresbalk op het installatie-icoon (een scherm met een pijltje) en kies „Installeren”."),
            safeHeading: "Bewaar deze brief goed",
            safe: "Met deze code kan iedereen de berichten en foto’s van de groep van uw kind lezen. Deel hem niet. Op een gedeelde computer typt u de code in plaats van de link te openen: de browser onthoudt de link. Code kwijt of in verkeerde handen? Laat het ons weten, dan maken wij een nieuwe.",
            helpHeading: "Hulp nodig?",
            helpIntro: "Lukt het niet? Neem contact op met",
            hours: "Bereikbaar:",
            phone: "telefoon",
            signature: "Met vriendelijke groet,")
    }

    static func english(_ letter: Letter) -> LetterWords {
        LetterWords(
            title: "Your access to the parent portal",
            greeting: "Dear parents and carers,",
            loginHeading: "How to open the parent portal",
            scan: "Scan the QR code with your phone’s camera.",
            orType: ("Or go to", "and type this personal code:"),
            registerBy: "Register before \(letter.registerByEnglish).",
            registerWhy: "Open the portal with this code on your phone, tablet or computer before that date. After it the code stops working, and you need to ask the school for a new one.",
            groupsIntro: "With this code you read the news of the whole school and of:",
            installHeading: "The app on your phone or computer",
            installIntro: "The portal works in the browser. Add it to your home screen as an app to have it at hand:",
            android: ("Android (Chrome):", "open the link, tap the menu ⋮ at the top right and choose “Install app” or “Add to Home screen” (Dutch: „App installeren”)."),
            iphone: ("iPhone and iPad (Safari):", "open the link in Safari, tap the Share button (square with an arrow up) and choose “Add to Home Screen” (Dutch: „Zet op beginscherm”). Then open the app from the home screen and enter your code there: only then can it notify you."),
            computer: ("Computer (Chrome or Edge):", "click the install icon (a screen with an arrow) at the right of the address bar and choose “Install”."),
            safeHeading: "Keep this letter safe",
            safe: "Anyone with this code can read the messages and photos of your child’s group. Do not share it. On a shared computer, type the code instead of opening the link: the browser remembers the link. Lost the code, or did someone else see it? Tell us and we will make a new one.",
            helpHeading: "Need help?",
            helpIntro: "If it does not work, please contact",
            hours: "Available:",
            phone: "phone",
            signature: "Kind regards,")
    }
}

extension LetterWords {
    /// The words that differ in a staff member's letter: it greets the person, says what the code
    /// reads, and why it must be kept even more carefully than a family's.
    func forStaff(_ letter: Letter, english: Bool) -> LetterWords {
        guard letter.isStaff else { return self }
        var words = self
        let name = letter.family ?? ""
        // What a staff code reads of its groups: only what the school switched on.
        let parts: [(Feature, String, String)] = [
            (.absence, "de ziekmeldingen", "the absence reports"), (.booking, "gespreksafspraken", "conference bookings"),
            (.forms, "antwoorden op formulieren", "form answers"),
        ]
        let reads = parts.filter { letter.features.contains($0.0) }
        func joined(_ words: [String], and: String) -> String {
            words.count < 2 ? words.joined() : words.dropLast().joined(separator: ", ") + " \(and) " + words[words.count - 1]
        }
        if english {
            let what = joined(reads.map(\.2), and: "and")
            words.title = "Your staff access to the parent portal"
            words.greeting = name.isEmpty ? "Dear colleague," : "Dear \(name),"
            words.groupsIntro = what.isEmpty ? "With this code you read the school's news and that of:"
                : "With this code you read the school's news, and \(what) of:"
            words.safe = (what.isEmpty ? "With this code you read what the school shares with your groups." : "With this code you read \(what) of your groups, children’s names included.")
                + " Do not share it, and keep your phone locked. Lost the code or your phone? Tell us at once: we stop the code and give you a new one."
        } else {
            let what = joined(reads.map(\.1), and: "en")
            words.title = "Uw toegang tot het ouderportaal als medewerker"
            words.greeting = name.isEmpty ? "Beste collega," : "Beste \(name),"
            words.groupsIntro = what.isEmpty ? "Met deze code leest u het nieuws van de school en van:"
                : "Met deze code leest u het nieuws van de school, en \(what) van:"
            words.safe = (what.isEmpty ? "Met deze code leest u wat de school met uw groepen deelt." : "Met deze code leest u \(what) van uw groepen, met de namen van de kinderen.")
                + " Deel hem niet en vergrendel uw telefoon. Code of telefoon kwijt? Meld het meteen: wij zetten de code stop en maken een nieuwe."
        }
        return words
    }
}

/// Renders a letter as HTML.
///
/// ```swift
/// let page = try LetterPage.html(letter)                              // printable, QR as SVG
/// let mail = try LetterPage.html(letter, qrImage: "cid:qr@school")     // e-mail, QR as image
/// ```
public enum LetterPage {
    /// The full page. `qrImage` nil: the QR code is inline SVG (print); else an `<img>` with this
    /// source (the e-mail's `cid:` image, since mail clients drop inline SVG).
    public static func html(_ letter: Letter, qrImage: String? = nil) throws(LetterError) -> String {
        let qr = try QRCode(letter.link)
        let qrMarkup = qrImage.map {
            "<img class=\"qr\" src=\"\(HTMLText.escape($0))\" width=\"180\" height=\"180\" alt=\"QR-code / QR code\">"
        } ?? qr.svg(moduleSize: 4, title: "QR-code met uw persoonlijke link / QR code with your personal link")
        let forMail = qrImage != nil
        let e = HTMLText.escape
        let nl = LetterWords.dutch(letter).forStaff(letter, english: false), en = LetterWords.english(letter).forStaff(letter, english: true)
        var body = ""
        body += section(letter, nl, lang: "nl", qr: qrMarkup, welcome: letter.welcomeHTML)
        body += "\n<hr class=\"language\">\n"
        body += section(letter, en, lang: "en", qr: forMail ? nil : qrMarkup, welcome: nil)
        body += "\n<footer>\(e(letter.schoolName)) · \(e(letter.portalURL)) · code-id \(e(String(letter.tokenID.prefix(8))))</footer>"
        return """
            <!DOCTYPE html>
            <html lang="nl">
            <head>
            <meta charset="utf-8">
            <meta name="viewport" content="width=device-width, initial-scale=1">
            <meta name="referrer" content="no-referrer">
            <title>\(e(nl.title)) – \(e(letter.schoolName))</title>
            <style>\(css)</style>
            </head>
            <body>
            \(body)
            </body>
            </html>

            """
    }

    private static func section(_ letter: Letter, _ w: LetterWords, lang: String, qr: String?, welcome: String?) -> String {
        let e = HTMLText.escape
        var s = "<section lang=\"\(lang)\" class=\"\(lang)\">\n<header><p class=\"school\">\(e(letter.schoolName))</p>"
        if let family = letter.family { s += "<p class=\"to\">\(e(family))</p>" }
        s += "</header>\n<h1>\(e(w.title))</h1>\n"
        s += "<p>\(e(w.greeting))</p>\n"
        if let welcome { s += "<div class=\"welcome\">\(welcome)</div>\n" }
        s += "<h2>\(e(w.loginHeading))</h2>\n<div class=\"access\">\n"
        if let qr { s += "<div class=\"qrbox\">\(qr)</div>\n" }
        s += "<div class=\"steps\">\n<p>\(e(w.scan))</p>\n"
        s += "<p>\(e(w.orType.0)) <a class=\"url\" href=\"\(e(letter.portalURL))\">\(e(letter.portalURL))</a> \(e(w.orType.1))</p>\n"
        s += "<p class=\"token\">\(e(letter.token))</p>\n"
        s += "<p class=\"link\"><a href=\"\(e(letter.link))\">\(e(letter.link))</a></p>\n"
        s += "</div>\n</div>\n"
        s += "<p class=\"deadline\"><strong>\(e(w.registerBy))</strong> \(e(w.registerWhy))</p>\n"
        if !letter.groupTitles.isEmpty {
            s += "<p>\(e(w.groupsIntro)) <strong class=\"groups\">\(e(letter.groupTitles.joined(separator: ", ")))</strong>.</p>\n"
        }
        s += "<h2>\(e(w.installHeading))</h2>\n<p>\(e(w.installIntro))</p>\n<ul class=\"install\">\n"
        for (device, how) in [w.android, w.iphone, w.computer] {
            s += "<li><strong>\(e(device))</strong> \(e(how))</li>\n"
        }
        s += "</ul>\n"
        // Help and safe keeping side by side: the letter fits one A4 page per language.
        s += "<div class=\"columns\">\n<div class=\"help\">\n<h2>\(e(w.helpHeading))</h2>\n<p>\(e(w.helpIntro)) \(e(letter.contact.name)): "
        s += "<a href=\"mailto:\(e(letter.contact.email))\">\(e(letter.contact.email))</a>"
        if let phone = letter.contact.phone { s += ", \(e(w.phone)) \(e(phone))" }
        s += ".</p>\n"
        if let hours = letter.contact.hours { s += "<p class=\"hours\">\(e(w.hours)) \(e(hours))</p>\n" }
        s += "</div>\n<div class=\"safe\">\n<h2>\(e(w.safeHeading))</h2>\n<p>\(e(w.safe))</p>\n</div>\n</div>\n"
        s += "<p class=\"signature\">\(e(w.signature))<br>\(e(letter.schoolName))</p>\n</section>"
        return s
    }

    /// The plain-text version (the e-mail's text part), Dutch then English.
    public static func text(_ letter: Letter) -> String {
        var out: [String] = []
        if let family = letter.family { out.append(family); out.append("") }
        for (index, w) in [LetterWords.dutch(letter).forStaff(letter, english: false), LetterWords.english(letter).forStaff(letter, english: true)].enumerated() {
            if index == 1 { out += ["", String(repeating: "-", count: 60), ""] }
            out += [w.title.uppercased(), "", w.greeting, ""]
            if index == 0, let welcome = letter.welcomeText { out += [welcome, ""] }
            out += [w.loginHeading, ""]
            out += ["\(w.orType.0) \(letter.portalURL) \(w.orType.1)", "", "    \(letter.token)", ""]
            out += [index == 0 ? "Of open deze link op uw telefoon of computer:" : "Or open this link on your phone or computer:", "",
                    letter.link, ""]
            out += ["\(w.registerBy) \(w.registerWhy)", ""]
            if !letter.groupTitles.isEmpty { out += ["\(w.groupsIntro) \(letter.groupTitles.joined(separator: ", ")).", ""] }
            out += [w.installHeading, w.installIntro]
            for (device, how) in [w.android, w.iphone, w.computer] { out.append("- \(device) \(how)") }
            out += ["", w.helpHeading]
            var help = "\(w.helpIntro) \(letter.contact.name): \(letter.contact.email)"
            if let phone = letter.contact.phone { help += ", \(w.phone) \(phone)" }
            out.append(help + ".")
            if let hours = letter.contact.hours { out.append("\(w.hours) \(hours)") }
            out += ["", w.safeHeading, w.safe, "", w.signature, letter.schoolName]
        }
        return out.joined(separator: "\n") + "\n"
    }

    /// A4 with margins; on screen a sheet on grey. English starts on a new page when printed.
    static let css = """
        @page { size: A4; margin: 14mm 17mm; }
        html { background: #e8e8e8; }
        body { font: 10pt/1.35 "DejaVu Sans", Arial, Helvetica, sans-serif; color: #111; max-width: 176mm;
          margin: 1.5em auto; padding: 14mm 17mm; background: #fff; }
        header { display: flex; justify-content: space-between; align-items: baseline; border-bottom: 2px solid #1f6f8b;
          margin-bottom: .8em; }
        header p { margin: 0 0 .3em; }
        .school { font-weight: bold; font-size: 12pt; }
        .to { font-size: 11pt; }
        p { margin: .35em 0; }
        h1 { font-size: 15pt; margin: .2em 0 .4em; }
        h2 { font-size: 11pt; margin: .8em 0 .25em; }
        .welcome { border-left: 3px solid #ccc; padding-left: .8em; }
        .access { display: flex; flex-wrap: wrap; gap: 1.2em; align-items: center; border: 1px solid #999; border-radius: 6px; padding: .5em 1em; }
        .qrbox svg, .qrbox img { width: 42mm; height: 42mm; display: block; }
        .steps { min-width: 0; }
        .token { font: bold 13.5pt/1.3 "DejaVu Sans Mono", "Courier New", monospace; margin: .4em 0; }
        .link { font-size: 7.5pt; word-break: break-all; color: #333; }
        .link a, .url { color: inherit; }
        .deadline { background: #fff4d6; padding: .4em .6em; border-radius: 4px; margin-top: .7em; }
        .install { margin: .3em 0; padding-left: 1.3em; }
        .install li { margin-bottom: .15em; }
        .columns { display: flex; gap: 1.5em; }
        .columns > div { flex: 1; }
        .safe p { font-size: 9pt; }
        .signature { margin-top: .9em; }
        hr.language { border: 0; border-top: 1px dashed #999; margin: 2em 0; }
        footer { margin-top: 1.5em; font-size: 7.5pt; color: #555; border-top: 1px solid #ccc; padding-top: .3em; }
        @media screen and (max-width: 640px) {
          body { margin: 0; padding: 1em; }
          .columns { display: block; }
        }
        @media print {
          .token { white-space: nowrap; }
          html, body { background: none; }
          body { margin: 0; padding: 0; max-width: none; }
          hr.language { display: none; }
          section.en { break-before: page; }
          a { color: inherit; text-decoration: none; }
          .deadline { -webkit-print-color-adjust: exact; print-color-adjust: exact; }
        }
        """
}
