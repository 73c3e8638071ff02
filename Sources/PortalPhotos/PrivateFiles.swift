// The photo cache's file access, in its own words: it holds plaintext variants of children's
// photos, so its folders are private (0700) and its files 0600. The system work is PortalFiles'.
import Foundation
import PortalFiles

/// A failed file operation of the photo cache, as one line for staff.
struct FileFailure: Error {
    let message: String
}

enum PrivateFiles {
    static func stamp(of path: String) throws(FileFailure) -> FileStamp {
        do { return try FileStamp.of(path) } catch { throw FileFailure(message: error.reason) }
    }

    /// The whole file, with its stamp when the bytes belong to one (see `FileReading`).
    static func read(_ path: String) throws(FileFailure) -> (bytes: [UInt8], stamp: FileStamp?) {
        do { return try FileReading.readWithStamp(path) } catch { throw FileFailure(message: error.reason) }
    }

    /// Atomic 0600 write without fsync: after a crash a cache file may be empty or partial, and
    /// the checksum in its header makes the next run recompute it instead of serving it.
    static func writeAtomically(_ bytes: [UInt8], to url: URL) throws(FileFailure) {
        do {
            try AtomicFile.write(bytes, to: url.path, mode: 0o600, durability: .cache)
        } catch {
            throw FileFailure(message: "cannot write the photo cache: \(error.reason)")
        }
    }

    /// Creates `url` (and missing parents) with mode 0700, or tightens an existing folder of
    /// this user to 0700.
    static func makePrivateDirectory(_ url: URL) throws(FileFailure) {
        do {
            try PrivateDirectory.make(url.path, tightening: true)
        } catch {
            switch error {
            case .notADirectory: throw FileFailure(message: "the photo cache is not a directory")
            case .ownedByAnotherUser: throw FileFailure(message: "the photo cache belongs to another user")
            case .openToOthers: throw FileFailure(message: "cannot make the photo cache private")
            case .failed(let failure): throw FileFailure(message: "cannot create the photo cache: \(failure.reason)")
            }
        }
    }
}
