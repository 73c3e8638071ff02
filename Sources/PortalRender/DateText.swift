// Dates as parents read them: "donderdag 3 december 2026, 19:30", in the school's time zone.
import Foundation
import PortalContent
#if canImport(Glibc)
import Glibc
#endif

/// Formats dates in one language and time zone.
///
///     let text = DateText(language: "nl", timeZone: TimeZone(identifier: "Europe/Amsterdam")!)
///     text.moment(date)   // "donderdag 3 december 2026, 19:30"
///
/// Not thread-safe (it holds `DateFormatter`s): make one per rendering task.
public final class DateText {
    private let dayFormatter: DateFormatter
    private let timeFormatter: DateFormatter
    private let isoDayFormatter: DateFormatter
    public let timeZone: TimeZone
    public let language: String

    public init(language: String, timeZone: TimeZone) {
        self.language = language
        self.timeZone = timeZone
        let locale = Locale(identifier: language == "nl" ? "nl_NL" : language)
        dayFormatter = Self.formatter("EEEE d MMMM yyyy", locale: locale, timeZone: timeZone)
        timeFormatter = Self.formatter("HH:mm", locale: locale, timeZone: timeZone)
        isoDayFormatter = Self.formatter("yyyy-MM-dd", locale: Locale(identifier: "en_US_POSIX"), timeZone: timeZone)
    }

    private static func formatter(_ format: String, locale: Locale, timeZone: TimeZone) -> DateFormatter {
        let formatter = DateFormatter()
        formatter.locale = locale
        formatter.timeZone = timeZone
        formatter.dateFormat = format
        return formatter
    }

    /// "donderdag 3 december 2026"
    public func day(_ date: Date) -> String { dayFormatter.string(from: date) }

    /// "19:30"
    public func time(_ date: Date) -> String { timeFormatter.string(from: date) }

    /// "donderdag 3 december 2026, 19:30"
    public func moment(_ date: Date) -> String { "\(day(date)), \(time(date))" }

    /// "2026-12-03", the local calendar day.
    public func isoDay(_ date: Date) -> String { isoDayFormatter.string(from: date) }

    /// A calendar item's time span in one line, e.g. "vrijdag 4 december 2026, 08:30 – 12:00",
    /// "maandag 19 oktober 2026 t/m vrijdag 23 oktober 2026".
    public func span(_ event: EventInfo) -> String {
        let start = event.start
        guard let end = event.end else {
            return start.allDay ? day(start.date) : moment(start.date)
        }
        if start.allDay {
            if isoDay(start.date) == isoDay(end.date) { return day(start.date) }
            return "\(day(start.date)) \(untilWord) \(day(end.date))"
        }
        if isoDay(start.date) == isoDay(end.date) {
            return "\(moment(start.date)) – \(time(end.date))"
        }
        return "\(moment(start.date)) \(untilWord) \(moment(end.date))"
    }

    private var untilWord: String { language == "nl" ? "t/m" : "to" }
}
