// Plain C wrappers over libvips' variadic API (Swift cannot call varargs functions), plus the
// two hashes the photo cache needs. Every function is safe to call from several threads.
#ifndef PORTAL_VIPS_SHIM_H
#define PORTAL_VIPS_SHIM_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/// Result codes of the shim. Anything but PORTAL_VIPS_OK comes with an error string.
typedef enum {
    PORTAL_VIPS_OK = 0,
    /// vips_init failed (the error string says why).
    PORTAL_VIPS_ERR_INIT = 1,
    /// No allowed loader recognises the bytes (not an image, or a format we do not accept).
    PORTAL_VIPS_ERR_UNSUPPORTED = 2,
    /// The bytes look like HEIF/HEIC but this libvips has no HEIF loader.
    PORTAL_VIPS_ERR_NO_HEIF = 3,
    /// The loader accepted the header but decoding failed (corrupt or truncated data).
    PORTAL_VIPS_ERR_DECODE = 4,
    /// Encoding the output failed.
    PORTAL_VIPS_ERR_ENCODE = 5,
    /// Bad arguments from the caller.
    PORTAL_VIPS_ERR_ARGUMENT = 6,
} portal_vips_status;

typedef enum {
    PORTAL_VIPS_FORMAT_JPEG = 1,
    PORTAL_VIPS_FORMAT_WEBP = 2,
} portal_vips_format;

/// One output size: fit inside long_side x long_side, never enlarged.
typedef struct {
    int long_side;
    int format;   // portal_vips_format
    int quality;  // 1...100
} portal_vips_variant_request;

/// One encoded output. `bytes` is owned by the caller: free it with portal_vips_free.
typedef struct {
    unsigned char *bytes;
    size_t length;
    int width;
    int height;
} portal_vips_variant_result;

/// What a probe of encoded bytes found. `fields` (names of all metadata fields, one per line) and
/// `loader` are owned by the caller: free with portal_vips_free.
typedef struct {
    int width;
    int height;
    int bands;
    int has_exif;
    int has_xmp;
    int has_iptc;
    int has_icc;
    int orientation;  // 0 when there is no orientation field
    char *fields;
    char *loader;
} portal_vips_probe_result;

/// Starts libvips once per process (later calls return the first result). Sets the operation
/// cache to zero entries: the photo pipeline never repeats an operation, and a cache only holds
/// on to decoded pixels. On failure `*error` (if not NULL) receives a message to free.
int portal_vips_init(char **error);

/// The libvips version, e.g. "8.14.1". Static storage.
const char *portal_vips_version(void);

/// 1 when this libvips can load HEIF/HEIC (the heif module is installed), else 0.
int portal_vips_has_heif(void);

/// Sets the number of worker threads libvips uses inside one image operation.
void portal_vips_set_concurrency(int threads);

/// Decodes `source` once (auto-rotated by its EXIF orientation, shrink-on-load, sRGB) and encodes
/// one output per request, with every metadata field removed. Only JPEG, PNG, WebP and HEIF input
/// is accepted; truncated or corrupt data is an error, never a grey image. On success fills
/// `results[0..<count]` and returns PORTAL_VIPS_OK; on failure nothing needs freeing except
/// `*error`.
int portal_vips_make_variants(const void *source, size_t source_length,
                              const portal_vips_variant_request *requests, int count,
                              portal_vips_variant_result *results, char **error);

/// Reads the header of encoded image bytes (any loader libvips has) and reports its size and
/// which metadata it carries. Used to check outputs and by tests.
int portal_vips_probe(const void *bytes, size_t length, portal_vips_probe_result *result,
                      char **error);

/// Frees memory handed out by this shim (g_free). NULL is fine.
void portal_vips_free(void *pointer);

/// SHA-256 of `length` bytes into `digest[32]`: with the x86 SHA extensions when the CPU has
/// them, else GLib's.
void portal_sha256(const void *bytes, size_t length, uint8_t *digest);

/// SHA-256 by GLib only, to check portal_sha256 against.
void portal_sha256_reference(const void *bytes, size_t length, uint8_t *digest);

/// XXH64 of `length` bytes: a fast checksum to catch damaged cache files (not a security hash).
uint64_t portal_xxh64(const void *bytes, size_t length, uint64_t seed);

#ifdef __cplusplus
}
#endif

#endif

/// Renders `text` (e.g. a school's initials) in white bold type, centred on a `size`×`size` square
/// of the colour (red, green, blue), as PNG without metadata: the app icon when a school has no
/// logo. On success `*bytes` (free with portal_vips_free) and `*length` are set.
int portal_vips_text_icon(const char *text, int size, int red, int green, int blue,
                          void **bytes, size_t *length, char **error);

/// Draws a square `size`×`size` matrix of modules (`modules[y * size + x]` non-zero = dark) as a
/// black-and-white PNG (bit depth 1, no metadata): each module `scale` pixels, with a white quiet
/// zone of `quiet` modules around it. For QR codes. On success `*bytes` (free with
/// portal_vips_free) and `*length` are set.
int portal_vips_matrix_png(const unsigned char *modules, int size, int scale, int quiet,
                           void **bytes, size_t *length, char **error);
