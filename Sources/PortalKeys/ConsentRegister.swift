// The photo consent register (issue 18, point 6): every consent answer `portal sync` opened, kept
// in keys/consent.json on the school's computer (0600, never in output/ or at the receiver). It is
// the AVG record the school shows at an audit: per child and purpose who gave or withdrew consent
// and when; the latest answer counts, and `portal generate` leaves out photos it does not allow.
import Foundation
import PortalFiles

public struct ConsentRegister: Codable, Equatable, Sendable {
    /// One guardian's answer for one child and purpose.
    public struct Entry: Codable, Equatable, Sendable {
        /// The receiver's id of the answer it came in (with `purpose`, what makes an entry unique).
        public var answer: String
        /// The child's opaque id (ChildRecord.id).
        public var child: String
        /// A purpose of site.yaml's `consent_purposes` (`portal`, `website`, `print`, ...).
        public var purpose: String
        public var given: Bool
        /// When the receiver took the answer.
        public var at: Date
        /// The code that sent it, and the name the guardian wrote under it.
        public var token: String
        public var guardian: String

        public init(answer: String, child: String, purpose: String, given: Bool, at: Date, token: String, guardian: String) {
            self.answer = answer
            self.child = child
            self.purpose = purpose
            self.given = given
            self.at = at
            self.token = token
            self.guardian = guardian
        }
    }

    /// In the order the receiver took the answers (its listing is oldest first, and each sync
    /// appends only answers after those already here): two answers within one second keep their order.
    public var entries: [Entry]

    public init(entries: [Entry] = []) { self.entries = entries }

    public static let fileName = "consent.json"

    /// Reads `keys/consent.json`; a school without one has an empty register.
    public static func load(keys: URL) throws(KeystoreError) -> ConsentRegister {
        let url = keys.appendingPathComponent(fileName)
        guard let data = FileManager.default.contents(atPath: url.path) else { return ConsentRegister() }
        let decoder = JSONDecoder()
        decoder.dateDecodingStrategy = .iso8601
        do { return try decoder.decode(ConsentRegister.self, from: data) } catch {
            throw .io(path: url.path, reason: "the consent register cannot be read: \(error)")
        }
    }

    /// Writes it atomically with mode 0600, entries in the order the receiver took them.
    public func save(keys: URL) throws(KeystoreError) {
        let url = keys.appendingPathComponent(Self.fileName)
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .prettyPrinted, .withoutEscapingSlashes]
        encoder.dateEncodingStrategy = .iso8601
        do {
            try AtomicFile.write(Array(try encoder.encode(self)), to: url.path, mode: 0o600)
        } catch {
            throw .io(path: url.path, reason: "cannot write the consent register: \(error)")
        }
    }

    /// Adds the entries not yet in the register; how many were new.
    @discardableResult
    public mutating func add(_ new: [Entry]) -> Int {
        var known = Set(entries.map { $0.answer + "\n" + $0.purpose })
        var added = 0
        for entry in new where known.insert(entry.answer + "\n" + entry.purpose).inserted {
            entries.append(entry)
            added += 1
        }
        return added
    }

    /// The answer that counts for a child and purpose: the latest.
    public func current(child: String, purpose: String) -> Entry? {
        entries.last { $0.child == child && $0.purpose == purpose }
    }

    /// Whether the child may be shown for `purpose`: the latest answer, else `withoutAnswer`.
    public func allows(child: String, purpose: String, withoutAnswer: Bool) -> Bool {
        current(child: child, purpose: purpose)?.given ?? withoutAnswer
    }
}

/// Which child each name on a photo means, fixed the first time a build resolved it
/// (keys/photo-tags.json): "Sam" on last year's groep-5 album stays that Sam after the school year
/// moved him to groep-6 and another Sam joined groep-5. Derived from content/ and the keystore, so
/// builds do not fingerprint it; removing it resolves the names again against today's class list.
public struct PhotoTags: Codable, Equatable, Sendable {
    /// `<album source path> <photo file> <name as written>` -> child id.
    public var ids: [String: String]

    public init(ids: [String: String] = [:]) { self.ids = ids }

    public static let fileName = "photo-tags.json"

    public static func key(album: String, photo: String, name: String) -> String { album + "\n" + photo + "\n" + name }

    public static func load(keys: URL) -> PhotoTags {
        guard let data = FileManager.default.contents(atPath: keys.appendingPathComponent(fileName).path),
              let tags = try? JSONDecoder().decode(PhotoTags.self, from: data)
        else { return PhotoTags() }
        return tags
    }

    public func save(keys: URL) throws(KeystoreError) {
        let url = keys.appendingPathComponent(Self.fileName)
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .prettyPrinted, .withoutEscapingSlashes]
        do { try AtomicFile.write(Array(try encoder.encode(self)), to: url.path, mode: 0o600) } catch {
            throw .io(path: url.path, reason: "cannot write the photo tags: \(error)")
        }
    }
}
