// Files an item carries for parents to open or save (a newsletter as PDF, a form as Word or
// OpenDocument). Unlike photos they are sealed as they are: the build cannot strip a PDF's own
// metadata, so docs/CONTENT.md tells staff to export without it.
import Foundation

/// The kinds of file an item may carry under `attachments:`, by extension, with the bytes each
/// must start with (a `.pdf` that is really a photo or an executable is refused, not published).
public enum AttachmentType: String, CaseIterable, Sendable {
    case pdf, doc, docx, xls, xlsx, ppt, pptx, odt, ods, odp

    /// Largest attachment a build takes (also the teacher's upload limit in the app).
    public static let maxBytes = 20 * 1024 * 1024

    /// The type of a file name, by its extension.
    public init?(fileName: String) {
        self.init(rawValue: fileExtension(fileName))
    }

    /// The media type the app hands the file to the phone with.
    public var mimeType: String {
        switch self {
        case .pdf: return "application/pdf"
        case .doc: return "application/msword"
        case .docx: return "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
        case .xls: return "application/vnd.ms-excel"
        case .xlsx: return "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
        case .ppt: return "application/vnd.ms-powerpoint"
        case .pptx: return "application/vnd.openxmlformats-officedocument.presentationml.presentation"
        case .odt: return "application/vnd.oasis.opendocument.text"
        case .ods: return "application/vnd.oasis.opendocument.spreadsheet"
        case .odp: return "application/vnd.oasis.opendocument.presentation"
        }
    }

    /// What a file of this type starts with: PDF's header, a ZIP container (Office Open XML,
    /// OpenDocument) or the OLE compound file of the old Office formats.
    var magic: [UInt8] {
        switch self {
        case .pdf: return Array("%PDF-".utf8)
        case .docx, .xlsx, .pptx, .odt, .ods, .odp: return [0x50, 0x4B, 0x03, 0x04]
        case .doc, .xls, .ppt: return [0xD0, 0xCF, 0x11, 0xE0, 0xA1, 0xB1, 0x1A, 0xE1]
        }
    }

    /// True when `bytes` (the file's start) is a file of this type.
    public func matches<Bytes: Collection<UInt8>>(_ bytes: Bytes) -> Bool { bytes.starts(with: magic) }

    /// ".pdf, .docx, ..." for messages.
    public static let list = allCases.map { "." + $0.rawValue }.joined(separator: ", ")
}

/// One file under `attachments:`.
public struct Attachment: Equatable, Sendable {
    /// File name inside the item's folder (also the name a parent saves it under).
    public var file: String
    /// What parents see: `title:` or the file name without its extension.
    public var title: String
    public var type: AttachmentType
    /// Size in bytes when it was loaded.
    public var size: Int

    public init(file: String, title: String, type: AttachmentType, size: Int) {
        self.file = file
        self.title = title
        self.type = type
        self.size = size
    }
}

func isAttachmentName(_ name: String) -> Bool { AttachmentType(fileName: name) != nil }

extension ContentItem {
    /// The resolved file of an attachment.
    public func attachmentFile(_ attachment: Attachment) -> MediaReference? {
        media.first { $0.kind == .attachment && $0.source == attachment.file }
    }
}
