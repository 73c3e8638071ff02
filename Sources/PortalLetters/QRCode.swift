// QR codes with libqrencode: the matrix, and drawings of it as SVG (letter) and PNG (e-mail).
import CQRencode
import Foundation
import PortalGraphics

/// A QR code symbol: `size`×`size` modules, `modules[y * size + x]` true = dark. Error
/// correction level M (15 % of the symbol may be damaged, e.g. a fold in the letter).
///
/// ```swift
/// let qr = try QRCode("https://ouders.school.example/#token=K7QM-...")
/// qr.version    // 5
/// let svg = qr.svg(moduleSize: 4)
/// ```
public struct QRCode: Equatable, Sendable {
    /// Light modules around the symbol that readers need, in modules (the standard's minimum).
    public static let quietZone = 4

    public let text: String
    /// QR version 1...40; the size is 17 + 4 × version.
    public let version: Int
    public let size: Int
    public let modules: [Bool]

    public init(_ text: String) throws(LetterError) {
        guard !text.isEmpty, !text.utf8.contains(0) else { throw .qrCode("cannot encode an empty text") }
        // 8-bit mode, case kept: a URL with a lowercase host does not fit the alphanumeric mode.
        guard let symbol = QRcode_encodeString(text, 0, QR_ECLEVEL_M, QR_MODE_8, 1) else {
            throw .qrCode("libqrencode cannot encode \(text.utf8.count) bytes: \(String(cString: strerror(errno)))")
        }
        defer { QRcode_free(symbol) }
        let width = Int(symbol.pointee.width)
        self.text = text
        self.version = Int(symbol.pointee.version)
        self.size = width
        // Bit 0 of each byte is the module's colour; the other bits say what part of the symbol it is.
        self.modules = (0..<(width * width)).map { symbol.pointee.data[$0] & 1 == 1 }
    }

    public func isDark(x: Int, y: Int) -> Bool { modules[y * size + x] }

    /// An SVG drawing with the quiet zone, black on white, one path; `moduleSize` in CSS pixels
    /// (the drawing scales: give it a width in CSS).
    public func svg(moduleSize: Int = 4, title: String = "QR-code") -> String {
        let side = (size + 2 * QRCode.quietZone) * moduleSize
        var path = ""
        for y in 0..<size {
            var x = 0
            while x < size {
                guard isDark(x: x, y: y) else { x += 1; continue }
                // One rectangle per horizontal run of dark modules keeps the path short.
                var run = 1
                while x + run < size && isDark(x: x + run, y: y) { run += 1 }
                path += "M\((x + QRCode.quietZone) * moduleSize) \((y + QRCode.quietZone) * moduleSize)h\(run * moduleSize)v\(moduleSize)h-\(run * moduleSize)z"
                x += run
            }
        }
        return """
            <svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 \(side) \(side)" width="\(side)" height="\(side)" \
            shape-rendering="crispEdges" role="img" aria-label="\(HTMLText.escape(title))">\
            <rect width="\(side)" height="\(side)" fill="#fff"/><path fill="#000" d="\(path)"/></svg>
            """
    }

    /// A PNG of `scale` pixels per module with the quiet zone (drawn by libvips).
    public func png(scale: Int = 8) throws(LetterError) -> [UInt8] {
        do {
            return try MatrixImage.png(modules: modules, size: size, scale: scale, quiet: QRCode.quietZone)
        } catch {
            throw .qrCode(error.message)
        }
    }
}
