// Dates and moments as staff write them (`2027-02-10`, `2027-02-10 18:30`), in the site's time zone.
import Foundation

/// A wall-clock date, with a time of day unless it is a whole day.
struct LocalDateTime: Equatable, Comparable {
    var year: Int
    var month: Int
    var day: Int
    /// Minutes after midnight; nil for a date without a time (a whole day).
    var minutes: Int?

    var isAllDay: Bool { minutes == nil }

    enum Problem: Error {
        case form
        case notReal(String)

        func message(for text: String) -> String {
            switch self {
            case .form:
                return "must be a date (YYYY-MM-DD) or a moment (YYYY-MM-DD HH:MM), not '\(text)'"
            case .notReal(let what):
                return "\(text) is not a real \(what)"
            }
        }
    }

    /// `YYYY-MM-DD`, or that followed by a space or `T` and `HH:MM` (seconds `:SS` allowed, ignored
    /// when zero).
    static func parse(_ text: String) -> Result<LocalDateTime, Problem> {
        let bytes = Array(text.utf8)
        func number(_ range: Range<Int>) -> Int? {
            guard range.upperBound <= bytes.count else { return nil }
            var value = 0
            for i in range {
                let b = bytes[i]
                guard b >= 0x30, b <= 0x39 else { return nil }
                value = value * 10 + Int(b - 0x30)
            }
            return value
        }
        guard bytes.count >= 10, bytes[4] == 0x2D, bytes[7] == 0x2D,
              let year = number(0..<4), let month = number(5..<7), let day = number(8..<10)
        else { return .failure(.form) }
        guard month >= 1, month <= 12, day >= 1, day <= daysIn(month: month, year: year) else {
            return .failure(.notReal("date"))
        }
        if bytes.count == 10 { return .success(LocalDateTime(year: year, month: month, day: day, minutes: nil)) }
        guard bytes[10] == 0x20 || bytes[10] == 0x54 else { return .failure(.form) }
        let timeText = String(decoding: bytes[11...], as: UTF8.self)
        var timeParts = timeText.split(separator: ":", omittingEmptySubsequences: false)
        if timeParts.count == 3 {
            guard timeParts[2].count == 2, let seconds = Int(timeParts[2]), seconds == 0 else { return .failure(.form) }
            timeParts.removeLast()
        }
        guard timeParts.count == 2 else { return .failure(.form) }
        guard let minutes = parseTimeOfDay(timeParts.joined(separator: ":")) else {
            if timeParts.allSatisfy({ !$0.isEmpty && $0.count <= 2 && $0.allSatisfy(\.isASCII) && Int($0) != nil }) {
                return .failure(.notReal("time"))
            }
            return .failure(.form)
        }
        return .success(LocalDateTime(year: year, month: month, day: day, minutes: minutes))
    }

    static func daysIn(month: Int, year: Int) -> Int {
        switch month {
        case 2: return (year % 4 == 0 && year % 100 != 0) || year % 400 == 0 ? 29 : 28
        case 4, 6, 9, 11: return 30
        default: return 31
        }
    }

    static func < (a: LocalDateTime, b: LocalDateTime) -> Bool {
        (a.year, a.month, a.day, a.minutes ?? 0) < (b.year, b.month, b.day, b.minutes ?? 0)
    }

    /// `2027-02-09` or `2027-02-09 18:30`, as in messages.
    var text: String { minutes == nil ? dayText : dayText + " " + clockText(minutes ?? 0) }

    var dayText: String { pad(year, 4) + "-" + pad(month, 2) + "-" + pad(day, 2) }

    func with(minutes: Int) -> LocalDateTime {
        LocalDateTime(year: year, month: month, day: day, minutes: minutes)
    }
}

/// `HH:MM` (or `H:MM`) to minutes after midnight; nil when not a real time.
func parseTimeOfDay(_ text: String) -> Int? {
    let parts = text.split(separator: ":", omittingEmptySubsequences: false)
    guard parts.count == 2, (1...2).contains(parts[0].count), parts[1].count == 2,
          parts[0].utf8.allSatisfy({ $0 >= 0x30 && $0 <= 0x39 }), parts[1].utf8.allSatisfy({ $0 >= 0x30 && $0 <= 0x39 }),
          let hours = Int(parts[0]), let minutes = Int(parts[1]), hours < 24, minutes < 60
    else { return nil }
    return hours * 60 + minutes
}

func clockText(_ minutes: Int) -> String { pad(minutes / 60, 2) + ":" + pad(minutes % 60, 2) }

private func pad(_ value: Int, _ width: Int) -> String {
    let digits = String(value)
    return digits.count >= width ? digits : String(repeating: "0", count: width - digits.count) + digits
}

/// Turns wall-clock dates into instants in the site's time zone.
struct SiteClock {
    let calendar: Calendar

    init(timeZone: TimeZone) {
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = timeZone
        self.calendar = calendar
    }

    /// The instant of a local date and time; a whole day gives local midnight. A time that does
    /// not exist (the hour skipped when summer time starts) moves forward, as clocks do.
    func date(_ value: LocalDateTime) -> Date {
        let minutes = value.minutes ?? 0
        let components = DateComponents(
            year: value.year, month: value.month, day: value.day, hour: minutes / 60, minute: minutes % 60)
        if let date = calendar.date(from: components) { return date }
        // Not expected for validated input; fall back to a fixed-offset reading instead of crashing.
        var utc = Calendar(identifier: .gregorian)
        utc.timeZone = TimeZone(secondsFromGMT: calendar.timeZone.secondsFromGMT()) ?? calendar.timeZone
        return utc.date(from: components) ?? Date(timeIntervalSince1970: 0)
    }
}
