// What can go wrong making or sending letters, in words staff can act on.
import Foundation

public enum LetterError: Error, Equatable, Sendable, CustomStringConvertible {
    case qrCode(String)
    case noActiveTokens
    case noActiveTokensInGroup(String)
    case unknownGroup(String, known: [String])
    case inactiveToken(id: String, status: String)
    case outputFolder(path: String, reason: String)
    case write(path: String, reason: String)
    case pdf(path: String, reason: String)
    case noMailer
    case send(file: String, reason: String)

    public var description: String {
        switch self {
        case .qrCode(let reason): return "QR code: \(reason)"
        case .noActiveTokens:
            return "there are no active tokens; issue them first with `portal token import CLASSLIST.csv`"
        case .noActiveTokensInGroup(let group): return "no active token includes group '\(group)'"
        case .unknownGroup(let group, let known):
            return "unknown group '\(group)'; the groups in site.yaml are \(known.joined(separator: ", "))"
        case .inactiveToken(let id, let status): return "token \(id) is \(status); letters are made for active tokens only"
        case .outputFolder(let path, let reason): return "\(path): \(reason)"
        case .write(let path, let reason): return "\(path): cannot write: \(reason)"
        case .pdf(let path, let reason): return "\(path): cannot make the PDF: \(reason)"
        case .noMailer:
            return "--send needs `sendmail` or `msmtp` on this computer (e.g. `apt-get install msmtp-mta` and set up ~/.msmtprc); nothing was sent"
        case .send(let file, let reason): return "\(file): sending failed: \(reason)"
        }
    }
}
