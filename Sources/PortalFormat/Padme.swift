// Padmé padding lengths (Nikitin et al., "Reducing Metadata Leakage from Encrypted Files", 2019).
/// Padmé: pads a length L to a value that leaks O(log log L) bits, with at most ~12% overhead.
///
/// ```swift
/// Padme.blobLength(messageLength: 1000)   // 1024: the plaintext size a 1000-byte blob is padded to
/// ```
import PortalCrypto
public enum Padme {
    /// `padme(L)` as in FORMAT.md; `L` must be >= 1 (lengths below 2 are returned unchanged).
    public static func length(_ n: Int) -> Int {
        precondition(n >= 0, "Padmé of a negative length")
        if n < 2 { return n }
        let e = Int.bitWidth - 1 - n.leadingZeroBitCount  // floor(log2 n)
        let s = Int.bitWidth - e.leadingZeroBitCount      // floor(log2 e) + 1 (e >= 1)
        let z = e - s
        let mask = (1 << z) - 1
        return (n + mask) & ~mask
    }

    /// Padded plaintext length of a blob with `messageLength` bytes: `padme(max(n + 1, 256))`
    /// (the `+ 1` is the 0x80 marker).
    public static func blobLength(messageLength: Int) -> Int {
        length(max(messageLength + 1, 256))
    }
}
