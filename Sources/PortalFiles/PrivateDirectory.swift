// Folders that hold secrets or children's data (the keystore, letters, the photo cache): mode
// 0700, owned by the user who runs the portal, never open to group or others.
import Foundation
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

public enum PrivateDirectory {
    public static let mode: mode_t = 0o700

    /// Why a folder is not private.
    public enum Refusal: Error, Equatable, Sendable {
        case notADirectory(path: String)
        case ownedByAnotherUser(path: String, owner: UInt32)
        /// Group or others may read, write or enter; `mode` is the folder's permission bits.
        case openToOthers(path: String, mode: Int)
        case failed(FileError)
    }

    /// Creates `path` and any missing parents with mode 0700 (set with chmod after mkdir, as the
    /// umask may take bits away), or checks an existing folder with `check`.
    ///
    /// ```swift
    /// try PrivateDirectory.make("keys/cache/photos", tightening: true)
    /// ```
    /// With `tightening`, an existing folder of this user that is open to others is set to 0700
    /// (the photo cache, which only this program writes); without, it is refused (the keystore
    /// and letters: a person must see why the folder was open).
    public static func make(_ path: String, tightening: Bool = false) throws(Refusal) {
        if mkdir(path, mode) == 0 {
            guard chmod(path, mode) == 0 else { throw .failed(FileError(path: path, "cannot set mode 700")) }
            return
        }
        switch errno {
        case EEXIST:
            break
        case ENOENT:
            try make((path as NSString).deletingLastPathComponent, tightening: tightening)
            guard mkdir(path, mode) == 0 || errno == EEXIST else { throw .failed(FileError(path: path, "cannot create the folder")) }
            guard chmod(path, mode) == 0 else { throw .failed(FileError(path: path, "cannot set mode 700")) }
            return
        default:
            throw .failed(FileError(path: path, "cannot create the folder"))
        }
        do {
            try check(path)
        } catch {
            guard case .openToOthers = error, tightening else { throw error }
            guard chmod(path, mode) == 0 else { throw .failed(FileError(path: path, "cannot make the folder private")) }
        }
    }

    /// Refuses a path that is not a folder, belongs to another user, or that group or others may
    /// read, write or enter.
    public static func check(_ path: String) throws(Refusal) {
        var status = stat()
        guard stat(path, &status) == 0 else { throw .failed(FileError(path: path, "cannot read the folder")) }
        guard (status.st_mode & S_IFMT) == S_IFDIR else { throw .notADirectory(path: path) }
        guard status.st_uid == geteuid() else { throw .ownedByAnotherUser(path: path, owner: status.st_uid) }
        let bits = Int(status.st_mode) & 0o777
        guard bits & 0o077 == 0 else { throw .openToOthers(path: path, mode: bits) }
    }
}

extension PrivateDirectory.Refusal: CustomStringConvertible {
    public var description: String {
        switch self {
        case .notADirectory(let path): return "\(path): not a folder"
        case .ownedByAnotherUser(let path, let owner): return "\(path): belongs to another user (uid \(owner))"
        case .openToOthers(let path, let mode):
            return "\(path): others may read this folder (mode \(String(mode, radix: 8))); run `chmod 700 \(path)`"
        case .failed(let error): return error.description
        }
    }
}
