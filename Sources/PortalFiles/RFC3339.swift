// RFC 3339 instants in UTC, whole seconds ("2026-11-20T07:00:00Z"): the format of every time the
// portal writes (manifests, the trust file, the receiver's answers).
import Foundation
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

public enum RFC3339 {
    /// Formats without a formatter object per call: the generator writes tens of thousands.
    ///
    /// ```swift
    /// RFC3339.string(from: Date(timeIntervalSince1970: 0))  // "1970-01-01T00:00:00Z"
    /// ```
    public static func string(from date: Date) -> String {
        var seconds = time_t(date.timeIntervalSince1970.rounded(.down))
        var parts = tm()
        gmtime_r(&seconds, &parts)
        func two(_ value: Int32) -> String { value < 10 ? "0\(value)" : "\(value)" }
        return "\(parts.tm_year + 1900)-\(two(parts.tm_mon + 1))-\(two(parts.tm_mday))T"
            + "\(two(parts.tm_hour)):\(two(parts.tm_min)):\(two(parts.tm_sec))Z"
    }

    /// Milliseconds since 1970 (how the receiver's database keeps times), to whole seconds.
    public static func string(milliseconds: Int64) -> String {
        string(from: Date(timeIntervalSince1970: TimeInterval(milliseconds) / 1000))
    }

    /// Parses an RFC 3339 date-time in whole seconds with an offset ("Z" or "+01:00").
    public static func date(_ text: String) -> Date? {
        try? Date.ISO8601FormatStyle().parse(text)
    }
}
