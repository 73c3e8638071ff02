// Black-and-white module matrices (QR codes) as PNG, drawn by libvips.
import VipsShim

public enum MatrixImage {
    /// A PNG (bit depth 1, no metadata) of a square matrix, `modules[y * size + x]` true = dark:
    /// each module `scale` pixels, surrounded by `quiet` light modules.
    ///
    ///     let png = try MatrixImage.png(modules: qr.modules, size: qr.size, scale: 8, quiet: 4)
    public static func png(modules: [Bool], size: Int, scale: Int, quiet: Int) throws(DrawingError) -> [UInt8] {
        guard size > 0, modules.count == size * size else {
            throw DrawingError("QR code", "a \(size)×\(size) matrix needs \(size * size) modules, got \(modules.count)")
        }
        let bytes: [UInt8] = modules.map { $0 ? 1 : 0 }
        var png: UnsafeMutableRawPointer?
        var length = 0
        var error: UnsafeMutablePointer<CChar>?
        let status = bytes.withUnsafeBufferPointer { buffer in
            portal_vips_matrix_png(buffer.baseAddress, Int32(size), Int32(scale), Int32(quiet), &png, &length, &error)
        }
        defer { portal_vips_free(png) }
        guard status == Int32(PORTAL_VIPS_OK.rawValue), let png else {
            let message = error.map { String(cString: $0) } ?? "libvips failed"
            portal_vips_free(error)
            throw DrawingError("QR code", "cannot draw the QR code: \(message)")
        }
        return Array(UnsafeRawBufferPointer(start: png, count: length))
    }
}
