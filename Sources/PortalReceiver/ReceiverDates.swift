// The receiver's own dates: `YYYY-MM-DD` days in absence reports and `since`, Unix milliseconds
// in the database. RFC 3339 instants on the wire come from PortalFiles.
import Foundation

enum ReceiverDates {
    /// Unix milliseconds, rounded down: how the database stores times.
    static func millis(_ date: Date) -> Int64 {
        Int64((date.timeIntervalSince1970 * 1000).rounded(.down))
    }

    private static let utc: Calendar = {
        var c = Calendar(identifier: .gregorian)
        c.timeZone = TimeZone(identifier: "UTC")!
        return c
    }()

    /// `YYYY-MM-DD` (a real calendar day) at 00:00 UTC.
    static func day(_ text: String) -> Date? {
        let parts = text.split(separator: "-", omittingEmptySubsequences: false)
        guard text.utf8.count == 10, parts.count == 3, parts[0].count == 4, parts[1].count == 2, parts[2].count == 2,
              let y = Int(parts[0]), let m = Int(parts[1]), let d = Int(parts[2]), (1...12).contains(m), (1...31).contains(d)
        else { return nil }
        let components = DateComponents(year: y, month: m, day: d)
        guard let date = utc.date(from: components), utc.component(.day, from: date) == d,
              utc.component(.month, from: date) == m
        else { return nil }
        return date
    }

    static func startOfDay(_ date: Date) -> Date { utc.startOfDay(for: date) }
}
