// When a non-urgent push may go: not in the evening, at night or at the weekend (site.yaml
// `push.quiet_hours`, default 20:00-07:00 and weekends, in the school's time zone).
import Foundation

/// Quiet hours in the school's time zone.
///
/// ```swift
/// let quiet = try QuietHours(start: "20:00", end: "07:00", weekends: true, timeZone: "Europe/Amsterdam")
/// let sendAt = quiet.release(after: now)     // now, or the end of the quiet period
/// ```
public struct QuietHours: Sendable, Equatable, Codable {
    /// Minutes after midnight; start == end means no quiet time of day.
    public let start: Int
    public let end: Int
    public let weekends: Bool
    public let timeZone: String

    public static let none = QuietHours(startMinute: 0, endMinute: 0, weekends: false, timeZone: "UTC")

    public enum Refusal: Error, Equatable, CustomStringConvertible {
        case time(String)
        case timeZone(String)
        public var description: String {
            switch self {
            case .time(let t): return "\"\(t)\" is not a time of day HH:MM"
            case .timeZone(let z): return "\"\(z)\" is not a known time zone"
            }
        }
    }

    public init(start: String, end: String, weekends: Bool, timeZone: String) throws(Refusal) {
        guard let s = Self.minutes(start) else { throw .time(start) }
        guard let e = Self.minutes(end) else { throw .time(end) }
        guard TimeZone(identifier: timeZone) != nil else { throw .timeZone(timeZone) }
        self.init(startMinute: s, endMinute: e, weekends: weekends, timeZone: timeZone)
    }

    init(startMinute: Int, endMinute: Int, weekends: Bool, timeZone: String) {
        start = startMinute
        end = endMinute
        self.weekends = weekends
        self.timeZone = timeZone
    }

    /// "HH:MM" -> minutes after midnight.
    public static func minutes(_ text: String) -> Int? {
        let parts = text.split(separator: ":", omittingEmptySubsequences: false)
        guard parts.count == 2, parts.allSatisfy({ $0.count == 2 && $0.allSatisfy(\.isASCII) }),
              let h = Int(parts[0]), let m = Int(parts[1]), (0..<24).contains(h), (0..<60).contains(m) else { return nil }
        return h * 60 + m
    }

    var calendar: Calendar {
        var c = Calendar(identifier: .gregorian)
        c.timeZone = TimeZone(identifier: timeZone) ?? TimeZone(identifier: "UTC")!
        return c
    }

    public func isQuiet(_ date: Date) -> Bool {
        let c = calendar
        let parts = c.dateComponents([.weekday, .hour, .minute], from: date)
        if weekends, parts.weekday == 1 || parts.weekday == 7 { return true }
        let minute = (parts.hour ?? 0) * 60 + (parts.minute ?? 0)
        if start == end { return false }
        return start < end ? (start <= minute && minute < end) : (minute >= start || minute < end)
    }

    /// `now` when it is not quiet, else the first moment the quiet period is over: a day's end
    /// time or (after a weekend without an end time) midnight.
    public func release(after now: Date) -> Date {
        guard isQuiet(now) else { return now }
        let c = calendar
        let today = c.startOfDay(for: now)
        for day in 0...8 {
            guard let midnight = c.date(byAdding: .day, value: day, to: today) else { continue }
            let endTime = c.date(bySettingHour: end / 60, minute: end % 60, second: 0, of: midnight) ?? midnight
            for candidate in [midnight, endTime].sorted() where candidate > now && !isQuiet(candidate) {
                return candidate
            }
        }
        return now
    }
}
