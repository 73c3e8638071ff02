// Items written ahead (issue 19, point 8): `publish:` in the front matter, or a news item dated
// later, stays out of the sealed site until that moment. The full build that leaves them out
// records the next moment in keys/cache/next-publish; the first build after it (`portal run`
// every ten minutes) is a full one even though no file changed, and publishes them.
import Foundation
import PortalContent
import PortalFiles

enum ScheduledItems {
    static func file(_ keys: URL) -> URL { keys.appendingPathComponent("cache/next-publish") }

    /// Takes the items whose moment lies after `now` out of `site`; their moments.
    static func take(from site: inout Site, now: Date) -> [Date] {
        let later = site.items.compactMap { item in item.publishAt.flatMap { $0 > now ? $0 : nil } }
        if !later.isEmpty { site.items.removeAll { ($0.publishAt ?? .distantPast) > now } }
        return later
    }

    /// The next moment an item waits for, if any.
    static func next(keys: URL) -> Date? {
        guard let data = FileManager.default.contents(atPath: file(keys).path) else { return nil }
        return RFC3339.date(String(decoding: data, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines))
    }

    /// Keeps the earliest of `moments` (or forgets the file when none waits); a failure only means
    /// the item waits for the next change to content/.
    static func record(_ moments: [Date], keys: URL) {
        guard let first = moments.min() else {
            try? FileManager.default.removeItem(at: file(keys))
            return
        }
        try? AtomicFile.write(Array((RFC3339.string(from: first) + "\n").utf8), to: file(keys).path, mode: 0o600)
    }
}
