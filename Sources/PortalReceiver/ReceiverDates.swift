// The receiver's dates, in one place: RFC 3339 instants on the wire (UTC, whole seconds),
// `YYYY-MM-DD` days in absence reports and `since`, Unix milliseconds in the database.
// Moves to PortalFiles (RFC 3339) at merge
import Foundation

enum ReceiverDates {
    /// `YYYY-MM-DDTHH:MM:SSZ` (UTC, whole seconds), without Foundation's format styles.
    static func rfc3339(_ date: Date) -> String {
        var t = time_t(date.timeIntervalSince1970.rounded(.down))
        var parts = tm()
        gmtime_r(&t, &parts)
        func two(_ n: Int32) -> String { n < 10 ? "0\(n)" : "\(n)" }
        return "\(parts.tm_year + 1900)-\(two(parts.tm_mon + 1))-\(two(parts.tm_mday))T"
            + "\(two(parts.tm_hour)):\(two(parts.tm_min)):\(two(parts.tm_sec))Z"
    }

    static func rfc3339(millis: Int64) -> String {
        rfc3339(Date(timeIntervalSince1970: TimeInterval(millis) / 1000))
    }

    /// Unix milliseconds, rounded down: how the database stores times.
    static func millis(_ date: Date) -> Int64 {
        Int64((date.timeIntervalSince1970 * 1000).rounded(.down))
    }

    /// An RFC 3339 instant (`2027-02-01T12:00:00Z`).
    static func instant(_ text: String) -> Date? {
        try? Date.ISO8601FormatStyle().parse(text)
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
