// Pictures the portal draws: a QR matrix as a 1-bit PNG, and app icons from initials. Read back
// with libvips (through PortalPhotos' probe) to check what was drawn.
import Foundation
import PortalGraphics
import PortalPhotos
import XCTest

final class MatrixImageTests: XCTestCase {
    func testAMatrixBecomesAOneBitPNGWithQuietZoneAndNoMetadata() throws {
        // 3x3 checkerboard, 2 px per module, 1 module of quiet zone: (3 + 2) * 2 = 10 px square.
        let modules = [true, false, true, false, true, false, true, false, true]
        let png = try MatrixImage.png(modules: modules, size: 3, scale: 2, quiet: 1)
        XCTAssertEqual(Array(png.prefix(8)), [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A], "PNG signature")
        // IHDR: width, height (big-endian) at 16..<24, bit depth at 24.
        XCTAssertEqual(Array(png[16..<24]), [0, 0, 0, 10, 0, 0, 0, 10])
        XCTAssertEqual(png[24], 1, "bit depth 1")
        let metadata = try PhotoMetadata.probe(png)
        XCTAssertEqual([metadata.width, metadata.height], [10, 10])
        XCTAssertFalse(metadata.carriesMetadata)
    }

    func testAWrongModuleCountIsRefusedInWords() {
        XCTAssertThrowsError(try MatrixImage.png(modules: [true, false], size: 3, scale: 2, quiet: 1)) { error in
            XCTAssertEqual("\(error)", "QR code: a 3×3 matrix needs 9 modules, got 2")
        }
    }
}

final class AppIconTests: XCTestCase {
    func testInitialsSkipASchoolTypeAbbreviation() {
        XCTAssertEqual(AppIcon.initials(of: "OBS De Regenboog"), "DR")
        XCTAssertEqual(AppIcon.initials(of: "Het Kompas"), "HK")
        XCTAssertEqual(AppIcon.initials(of: "Sint-Jozefschool"), "SJ")
        XCTAssertEqual(AppIcon.initials(of: "ÉÉN"), "É")
        XCTAssertEqual(AppIcon.initials(of: "---"), "?")
    }

    func testAnIconIsASquarePNGOfTheAskedSize() throws {
        let png = try AppIcon.png(initials: "DR", size: 192, red: 31, green: 95, blue: 139)
        let metadata = try PhotoMetadata.probe(png)
        XCTAssertEqual([metadata.width, metadata.height], [192, 192])
        XCTAssertFalse(metadata.carriesMetadata)
        XCTAssertThrowsError(try AppIcon.png(initials: "DR", size: 8, red: 0, green: 0, blue: 0), "too small to draw")
    }
}
