// Plain C wrappers over libvips for the photo pipeline (see include/vips_shim.h).
#include "vips_shim.h"

#include <dlfcn.h>
#include <string.h>
#include <vips/vips.h>

// MARK: - Loading libvips on first use

// libvips and the seventy libraries it needs are opened only when a photo or icon is made:
// loading them at start-up took 30 ms of every `portal` command, most of a no-op `generate`.
// No libvips symbol is referenced directly (the #defines below send every call through this
// table), and Package.swift does not link libvips, only glib and gio.
#define PORTAL_VIPS_FUNCTIONS(X) \
    X(vips_area_unref) \
    X(vips_array_double_newv) \
    X(vips_black) \
    X(vips_cache_set_max) \
    X(vips_cast) \
    X(vips_cast_uchar) \
    X(vips_colourspace) \
    X(vips_concurrency_set) \
    X(vips_embed) \
    X(vips_error) \
    X(vips_error_buffer_copy) \
    X(vips_flatten) \
    X(vips_foreign_find_load_buffer) \
    X(vips_ifthenelse) \
    X(vips_image_get_fields) \
    X(vips_image_get_int) \
    X(vips_image_get_string) \
    X(vips_image_get_typeof) \
    X(vips_image_new) \
    X(vips_image_new_from_buffer) \
    X(vips_image_new_from_memory_copy) \
    X(vips_image_new_from_source) \
    X(vips_image_write_to_memory) \
    X(vips_init) \
    X(vips_jpegsave_buffer) \
    X(vips_linear) \
    X(vips_object_get_type) \
    X(vips_object_local_array) \
    X(vips_pngsave_buffer) \
    X(vips_premultiply) \
    X(vips_reduce) \
    X(vips_source_new_from_memory) \
    X(vips_text) \
    X(vips_thumbnail_image) \
    X(vips_thumbnail_source) \
    X(vips_type_find) \
    X(vips_unpremultiply) \
    X(vips_version_string) \
    X(vips_webpsave_buffer) \
    X(vips_zoom)

#define PORTAL_VIPS_POINTER(name) __typeof__(name) *name;
static struct { PORTAL_VIPS_FUNCTIONS(PORTAL_VIPS_POINTER) } portal_vips_api;

/// Opens libvips and resolves every function; NULL on success, else what went wrong.
static const char *portal_vips_open(void) {
    void *library = dlopen("libvips.so.42", RTLD_NOW | RTLD_GLOBAL);
    if (!library) library = dlopen("libvips.so", RTLD_NOW | RTLD_GLOBAL);
    if (!library) return dlerror();
#define PORTAL_VIPS_RESOLVE(name) \
    if (!(portal_vips_api.name = (__typeof__(name) *)dlsym(library, #name))) return "libvips lacks " #name;
    PORTAL_VIPS_FUNCTIONS(PORTAL_VIPS_RESOLVE)
    return NULL;
}

// From here on every libvips call (also those inside libvips' own macros) goes through the table.
#define vips_area_unref (*portal_vips_api.vips_area_unref)
#define vips_array_double_newv (*portal_vips_api.vips_array_double_newv)
#define vips_black (*portal_vips_api.vips_black)
#define vips_cache_set_max (*portal_vips_api.vips_cache_set_max)
#define vips_cast (*portal_vips_api.vips_cast)
#define vips_cast_uchar (*portal_vips_api.vips_cast_uchar)
#define vips_colourspace (*portal_vips_api.vips_colourspace)
#define vips_concurrency_set (*portal_vips_api.vips_concurrency_set)
#define vips_embed (*portal_vips_api.vips_embed)
#define vips_error (*portal_vips_api.vips_error)
#define vips_error_buffer_copy (*portal_vips_api.vips_error_buffer_copy)
#define vips_flatten (*portal_vips_api.vips_flatten)
#define vips_foreign_find_load_buffer (*portal_vips_api.vips_foreign_find_load_buffer)
#define vips_ifthenelse (*portal_vips_api.vips_ifthenelse)
#define vips_image_get_fields (*portal_vips_api.vips_image_get_fields)
#define vips_image_get_int (*portal_vips_api.vips_image_get_int)
#define vips_image_get_string (*portal_vips_api.vips_image_get_string)
#define vips_image_get_typeof (*portal_vips_api.vips_image_get_typeof)
#define vips_image_new (*portal_vips_api.vips_image_new)
#define vips_image_new_from_buffer (*portal_vips_api.vips_image_new_from_buffer)
#define vips_image_new_from_memory_copy (*portal_vips_api.vips_image_new_from_memory_copy)
#define vips_image_new_from_source (*portal_vips_api.vips_image_new_from_source)
#define vips_image_write_to_memory (*portal_vips_api.vips_image_write_to_memory)
#define vips_init (*portal_vips_api.vips_init)
#define vips_jpegsave_buffer (*portal_vips_api.vips_jpegsave_buffer)
#define vips_linear (*portal_vips_api.vips_linear)
#define vips_object_get_type (*portal_vips_api.vips_object_get_type)
#define vips_object_local_array (*portal_vips_api.vips_object_local_array)
#define vips_pngsave_buffer (*portal_vips_api.vips_pngsave_buffer)
#define vips_premultiply (*portal_vips_api.vips_premultiply)
#define vips_reduce (*portal_vips_api.vips_reduce)
#define vips_source_new_from_memory (*portal_vips_api.vips_source_new_from_memory)
#define vips_text (*portal_vips_api.vips_text)
#define vips_thumbnail_image (*portal_vips_api.vips_thumbnail_image)
#define vips_thumbnail_source (*portal_vips_api.vips_thumbnail_source)
#define vips_type_find (*portal_vips_api.vips_type_find)
#define vips_unpremultiply (*portal_vips_api.vips_unpremultiply)
#define vips_version_string (*portal_vips_api.vips_version_string)
#define vips_webpsave_buffer (*portal_vips_api.vips_webpsave_buffer)
#define vips_zoom (*portal_vips_api.vips_zoom)

// MARK: - Start-up

static GOnce portal_vips_once = G_ONCE_INIT;
static char *portal_vips_init_error = NULL;

static gpointer portal_vips_start(gpointer unused) {
    (void)unused;
    const char *missing = portal_vips_open();
    if (missing) {
        portal_vips_init_error = g_strdup_printf("cannot load libvips: %s", missing);
        return GINT_TO_POINTER(1);
    }
    if (vips_init("ouderportaal")) {
        char *message = vips_error_buffer_copy();
        portal_vips_init_error = g_strdup(message && *message ? g_strstrip(message) : "vips_init failed");
        g_free(message);
        return GINT_TO_POINTER(1);
    }
    // Every photo is decoded once and never again in this process: cached operations would only
    // keep decoded pixels alive and raise peak memory.
    vips_cache_set_max(0);
    return GINT_TO_POINTER(2);
}

int portal_vips_init(char **error) {
    int state = GPOINTER_TO_INT(g_once(&portal_vips_once, portal_vips_start, NULL));
    if (state == 2) return PORTAL_VIPS_OK;
    if (error) *error = g_strdup(portal_vips_init_error ? portal_vips_init_error : "vips_init failed");
    return PORTAL_VIPS_ERR_INIT;
}

const char *portal_vips_version(void) {
    if (portal_vips_init(NULL) != PORTAL_VIPS_OK) return "unavailable";
    return vips_version_string();
}

int portal_vips_has_heif(void) {
    if (portal_vips_init(NULL) != PORTAL_VIPS_OK) return 0;
    return vips_type_find("VipsOperation", "heifload_buffer") != 0;
}

void portal_vips_set_concurrency(int threads) {
    if (portal_vips_init(NULL) != PORTAL_VIPS_OK) return;
    vips_concurrency_set(threads < 1 ? 1 : threads);
}

void portal_vips_free(void *pointer) { g_free(pointer); }

// MARK: - Errors

// libvips keeps one error buffer per process. Take it (copy and clear in one step) and turn its
// lines into one line, or use `fallback` when it is empty.
static char *portal_take_vips_error(const char *fallback) {
    char *message = vips_error_buffer_copy();
    if (!message || !*g_strstrip(message)) {
        g_free(message);
        return g_strdup(fallback);
    }
    GString *joined = g_string_new(NULL);
    char **lines = g_strsplit(message, "\n", -1);
    for (char **line = lines; *line; line++) {
        char *text = g_strstrip(*line);
        if (!*text) continue;
        if (joined->len) g_string_append(joined, "; ");
        g_string_append(joined, text);
    }
    g_strfreev(lines);
    g_free(message);
    return g_string_free(joined, FALSE);
}

static int portal_fail(char **error, int status, char *message) {
    if (error) *error = message;
    else g_free(message);
    return status;
}

// MARK: - Variants

// The loaders we accept (class names, as vips_foreign_find_load_buffer returns them). Anything else that libvips could open (SVG, PDF, TIFF, ImageMagick's
// many formats, ...) is refused: album photos are camera or phone pictures, and the other loaders
// are larger attack surface for no benefit.
static int portal_allowed_loader(const char *loader) {
    static const char *allowed[] = {"VipsForeignLoadJpegBuffer", "VipsForeignLoadPngBuffer",
                                    "VipsForeignLoadWebpBuffer", "VipsForeignLoadHeifBuffer",
                                    NULL};
    for (const char **name = allowed; *name; name++)
        if (strcmp(*name, loader) == 0) return 1;
    return 0;
}

// An ISO base media file with a HEIF brand: "....ftypheic", "....ftypmif1", ...
static int portal_looks_like_heif(const unsigned char *bytes, size_t length) {
    if (length < 12 || memcmp(bytes + 4, "ftyp", 4) != 0) return 0;
    static const char *brands[] = {"heic", "heix", "hevc", "hevx", "heim", "heis", "mif1", "msf1",
                                   "avif", NULL};
    for (const char **brand = brands; *brand; brand++)
        if (memcmp(bytes + 8, *brand, 4) == 0) return 1;
    return 0;
}

static void portal_free_results(portal_vips_variant_result *results, int count) {
    for (int i = 0; i < count; i++) {
        g_free(results[i].bytes);
        results[i].bytes = NULL;
        results[i].length = 0;
    }
}

// Decodes the source at most `side` pixels on its long side (shrink-on-load where the format
// has it), upright and in 8-bit sRGB, and returns a new image that holds the pixels only: no
// metadata field of the original survives, whatever a saver's `strip` does.
static VipsImage *portal_decode_clean(const void *source, size_t length, int is_heif, int side,
                                      char **error, int *status) {
    VipsImage *decoded = NULL;
    int failed;
    *status = PORTAL_VIPS_ERR_DECODE;
    VipsSource *input = vips_source_new_from_memory(source, length);
    if (!input) {
        *error = portal_take_vips_error("cannot read");
        return NULL;
    }
    if (is_heif) {
        // Not vips_thumbnail_source: for HEIF it may start from the embedded thumbnail, which
        // editors do not always update after a crop. Decode the primary image instead.
        VipsImage *full = vips_image_new_from_source(input, "", "access", VIPS_ACCESS_SEQUENTIAL,
                                                     "fail_on", VIPS_FAIL_ON_ERROR, NULL);
        failed = !full || vips_thumbnail_image(full, &decoded, side, "height", side, "size",
                                               VIPS_SIZE_DOWN, NULL);
        if (full) g_object_unref(full);
    } else {
        // fail_on must also go in the loader's option string: vips_thumbnail_source (8.14)
        // does not hand its own fail_on to the loader, and without it a truncated JPEG only
        // warns and comes out half grey. (vips_thumbnail_buffer behaves the same.)
        failed = vips_thumbnail_source(input, &decoded, side, "height", side, "size",
                                       VIPS_SIZE_DOWN, "fail_on", VIPS_FAIL_ON_ERROR,
                                       "option_string", "fail_on=error", NULL);
    }
    g_object_unref(input);
    if (failed) {
        *error = portal_take_vips_error("cannot decode");
        return NULL;
    }

    VipsImage *srgb = NULL;
    failed = vips_colourspace(decoded, &srgb, VIPS_INTERPRETATION_sRGB, NULL);
    g_object_unref(decoded);
    if (failed) {
        *error = portal_take_vips_error("cannot convert to sRGB");
        return NULL;
    }
    if (srgb->BandFmt != VIPS_FORMAT_UCHAR) {
        VipsImage *cast = NULL;
        failed = vips_cast(srgb, &cast, VIPS_FORMAT_UCHAR, NULL);
        g_object_unref(srgb);
        if (failed) {
            *error = portal_take_vips_error("cannot convert to 8 bits");
            return NULL;
        }
        srgb = cast;
    }

    // Runs the whole decode pipeline: truncated or corrupt data fails here (fail_on).
    size_t size = 0;
    void *pixels = vips_image_write_to_memory(srgb, &size);
    int width = srgb->Xsize, height = srgb->Ysize, bands = srgb->Bands;
    g_object_unref(srgb);
    if (!pixels) {
        *error = portal_take_vips_error("cannot decode");
        return NULL;
    }
    VipsImage *clean =
        vips_image_new_from_memory_copy(pixels, size, width, height, bands, VIPS_FORMAT_UCHAR);
    g_free(pixels);
    if (!clean) {
        *error = portal_take_vips_error("out of memory");
        return NULL;
    }
    *status = PORTAL_VIPS_OK;
    return clean;
}

// libvips 8.14's webpsave writes an EXIF chunk (orientation, resolution, size) even with strip.
// Drop every metadata chunk (EXIF, XMP, ICCP) from the RIFF container in place and clear their
// flags in VP8X. Returns the new length, or 0 if the container is not what webpsave writes.
static size_t portal_webp_strip(unsigned char *bytes, size_t length) {
    if (length < 12 || memcmp(bytes, "RIFF", 4) != 0 || memcmp(bytes + 8, "WEBP", 4) != 0) return 0;
    size_t read = 12, write = 12;
    while (read + 8 <= length) {
        uint32_t size = (uint32_t)bytes[read + 4] | (uint32_t)bytes[read + 5] << 8 |
                        (uint32_t)bytes[read + 6] << 16 | (uint32_t)bytes[read + 7] << 24;
        size_t total = 8 + (size_t)size + (size & 1);
        if (total > length - read) return 0;
        int drop = memcmp(bytes + read, "EXIF", 4) == 0 || memcmp(bytes + read, "XMP ", 4) == 0 ||
                   memcmp(bytes + read, "ICCP", 4) == 0;
        if (!drop) {
            memmove(bytes + write, bytes + read, total);
            // VP8X flags: ICC 0x20, EXIF 0x08, XMP 0x04.
            if (memcmp(bytes + write, "VP8X", 4) == 0 && size >= 1) bytes[write + 8] &= ~0x2C;
            write += total;
        }
        read += total;
    }
    if (read != length) return 0;
    uint32_t riff = (uint32_t)(write - 8);
    bytes[4] = riff & 0xFF;
    bytes[5] = (riff >> 8) & 0xFF;
    bytes[6] = (riff >> 16) & 0xFF;
    bytes[7] = (riff >> 24) & 0xFF;
    return write;
}

// Scales the decoded, upright sRGB image down so its long side is `side`: vips_reduce (lanczos3,
// its kernel widened by the ratio), alpha premultiplied. Not vips_thumbnail_image or vips_resize:
// on an image in memory they took 120-160 ms for 1600 -> 400 px in libvips 8.14, vips_reduce
// 11 ms for the same result quality.
static int portal_resize(VipsImage *in, VipsImage **out, int side) {
    int longest = in->Xsize > in->Ysize ? in->Xsize : in->Ysize;
    double factor = (double)longest / (double)side;
    if (in->Bands != 2 && in->Bands != 4) return vips_reduce(in, out, factor, factor, NULL);
    VipsImage *premultiplied = NULL, *reduced = NULL, *unpremultiplied = NULL;
    int failed = vips_premultiply(in, &premultiplied, NULL) ||
                 vips_reduce(premultiplied, &reduced, factor, factor, NULL) ||
                 vips_unpremultiply(reduced, &unpremultiplied, NULL) ||
                 vips_cast(unpremultiplied, out, VIPS_FORMAT_UCHAR, NULL);
    if (premultiplied) g_object_unref(premultiplied);
    if (reduced) g_object_unref(reduced);
    if (unpremultiplied) g_object_unref(unpremultiplied);
    return failed;
}

static int portal_encode(VipsImage *clean, int full_side, const portal_vips_variant_request *request,
                         portal_vips_variant_result *result, char **error) {
    VipsImage *image = NULL;
    if (request->long_side >= full_side) {
        image = clean;
        g_object_ref(image);
    } else if (portal_resize(clean, &image, request->long_side)) {
        *error = portal_take_vips_error("cannot resize");
        return PORTAL_VIPS_ERR_ENCODE;
    }

    if (request->format == PORTAL_VIPS_FORMAT_JPEG && (image->Bands == 2 || image->Bands == 4)) {
        // JPEG has no alpha: put transparent parts on white (the saver would use black).
        VipsArrayDouble *white = vips_array_double_newv(3, 255.0, 255.0, 255.0);
        VipsImage *flat = NULL;
        int failed = vips_flatten(image, &flat, "background", white, NULL);
        vips_area_unref(VIPS_AREA(white));
        g_object_unref(image);
        if (failed) {
            *error = portal_take_vips_error("cannot flatten transparency");
            return PORTAL_VIPS_ERR_ENCODE;
        }
        image = flat;
        if (image->BandFmt != VIPS_FORMAT_UCHAR) {
            VipsImage *cast = NULL;
            failed = vips_cast(image, &cast, VIPS_FORMAT_UCHAR, NULL);
            g_object_unref(image);
            if (failed) {
                *error = portal_take_vips_error("cannot convert to 8 bits");
                return PORTAL_VIPS_ERR_ENCODE;
            }
            image = cast;
        }
    }

    void *bytes = NULL;
    size_t length = 0;
    int failed;
    if (request->format == PORTAL_VIPS_FORMAT_JPEG)
        failed = vips_jpegsave_buffer(image, &bytes, &length, "Q", request->quality, "strip", TRUE,
                                      "optimize_coding", TRUE, NULL);
    else {
        failed = vips_webpsave_buffer(image, &bytes, &length, "Q", request->quality, "strip", TRUE,
                                      NULL);
        if (!failed && !(length = portal_webp_strip(bytes, length))) {
            vips_error("portal", "unexpected WebP container from webpsave");
            failed = 1;
        }
    }
    int width = image->Xsize, height = image->Ysize;
    g_object_unref(image);
    if (failed) {
        g_free(bytes);
        *error = portal_take_vips_error("cannot encode");
        return PORTAL_VIPS_ERR_ENCODE;
    }
    result->bytes = bytes;
    result->length = length;
    result->width = width;
    result->height = height;
    return PORTAL_VIPS_OK;
}

int portal_vips_make_variants(const void *source, size_t source_length,
                              const portal_vips_variant_request *requests, int count,
                              portal_vips_variant_result *results, char **error) {
    int status = portal_vips_init(error);
    if (status != PORTAL_VIPS_OK) return status;
    if (!source || source_length == 0 || !requests || count <= 0 || !results)
        return portal_fail(error, PORTAL_VIPS_ERR_ARGUMENT, g_strdup("no input"));
    memset(results, 0, sizeof(*results) * (size_t)count);

    int side = 0;
    for (int i = 0; i < count; i++) {
        const portal_vips_variant_request *r = &requests[i];
        if (r->long_side < 1 || r->long_side > 100000 || r->quality < 1 || r->quality > 100 ||
            (r->format != PORTAL_VIPS_FORMAT_JPEG && r->format != PORTAL_VIPS_FORMAT_WEBP))
            return portal_fail(error, PORTAL_VIPS_ERR_ARGUMENT,
                               g_strdup("invalid variant request"));
        if (r->long_side > side) side = r->long_side;
    }

    const char *loader = vips_foreign_find_load_buffer(source, source_length);
    if (!loader) {
        g_free(vips_error_buffer_copy());
        if (portal_looks_like_heif(source, source_length))
            return portal_fail(error, PORTAL_VIPS_ERR_NO_HEIF,
                               g_strdup("this libvips has no HEIF loader"));
        return portal_fail(error, PORTAL_VIPS_ERR_UNSUPPORTED,
                           g_strdup("no loader recognises the data"));
    }
    if (!portal_allowed_loader(loader))
        return portal_fail(error, PORTAL_VIPS_ERR_UNSUPPORTED,
                           g_strdup_printf("format of %s is not accepted", loader));

    VipsImage *clean = portal_decode_clean(source, source_length,
                                           strcmp(loader, "VipsForeignLoadHeifBuffer") == 0, side, error,
                                           &status);
    if (!clean) return status;
    int full_side = clean->Xsize > clean->Ysize ? clean->Xsize : clean->Ysize;
    for (int i = 0; i < count; i++) {
        status = portal_encode(clean, full_side, &requests[i],
                               &results[i], error);
        if (status != PORTAL_VIPS_OK) {
            portal_free_results(results, i);
            g_object_unref(clean);
            return status;
        }
    }
    g_object_unref(clean);
    return PORTAL_VIPS_OK;
}

// MARK: - Probe

int portal_vips_probe(const void *bytes, size_t length, portal_vips_probe_result *result,
                      char **error) {
    int status = portal_vips_init(error);
    if (status != PORTAL_VIPS_OK) return status;
    if (!bytes || length == 0 || !result)
        return portal_fail(error, PORTAL_VIPS_ERR_ARGUMENT, g_strdup("no input"));
    memset(result, 0, sizeof(*result));
    VipsImage *image = vips_image_new_from_buffer(bytes, length, "", NULL);
    if (!image) return portal_fail(error, PORTAL_VIPS_ERR_UNSUPPORTED,
                                   portal_take_vips_error("not an image"));
    result->width = image->Xsize;
    result->height = image->Ysize;
    result->bands = image->Bands;

    GString *names = g_string_new(NULL);
    char **fields = vips_image_get_fields(image);
    for (char **field = fields; *field; field++) {
        if (names->len) g_string_append_c(names, '\n');
        g_string_append(names, *field);
        if (g_str_has_prefix(*field, "exif-")) result->has_exif = 1;
    }
    g_strfreev(fields);
    result->fields = g_string_free(names, FALSE);
    result->has_xmp = vips_image_get_typeof(image, VIPS_META_XMP_NAME) != 0;
    result->has_iptc = vips_image_get_typeof(image, VIPS_META_IPTC_NAME) != 0;
    result->has_icc = vips_image_get_typeof(image, VIPS_META_ICC_NAME) != 0;
    int orientation = 0;
    if (vips_image_get_typeof(image, VIPS_META_ORIENTATION) &&
        vips_image_get_int(image, VIPS_META_ORIENTATION, &orientation) == 0)
        result->orientation = orientation;
    const char *loader = NULL;
    if (vips_image_get_typeof(image, VIPS_META_LOADER) &&
        vips_image_get_string(image, VIPS_META_LOADER, &loader) == 0 && loader)
        result->loader = g_strdup(loader);
    g_object_unref(image);
    return PORTAL_VIPS_OK;
}

// MARK: - Hashes

// GLib's SHA-256 runs at ~150 MB/s here, which made hashing a 5 MB photo cost 15% of making
// its variants; the x86 SHA extensions do 900 MB/s (-O2). Both give the same digest (tested).
#if defined(__x86_64__) && (defined(__clang__) || defined(__GNUC__))
#include <cpuid.h>
#include <immintrin.h>

static const uint32_t portal_sha256_k[64] = {
    0x428a2f98, 0x71374491, 0xb5c0fbcf, 0xe9b5dba5, 0x3956c25b, 0x59f111f1, 0x923f82a4, 0xab1c5ed5,
    0xd807aa98, 0x12835b01, 0x243185be, 0x550c7dc3, 0x72be5d74, 0x80deb1fe, 0x9bdc06a7, 0xc19bf174,
    0xe49b69c1, 0xefbe4786, 0x0fc19dc6, 0x240ca1cc, 0x2de92c6f, 0x4a7484aa, 0x5cb0a9dc, 0x76f988da,
    0x983e5152, 0xa831c66d, 0xb00327c8, 0xbf597fc7, 0xc6e00bf3, 0xd5a79147, 0x06ca6351, 0x14292967,
    0x27b70a85, 0x2e1b2138, 0x4d2c6dfc, 0x53380d13, 0x650a7354, 0x766a0abb, 0x81c2c92e, 0x92722c85,
    0xa2bfe8a1, 0xa81a664b, 0xc24b8b70, 0xc76c51a3, 0xd192e819, 0xd6990624, 0xf40e3585, 0x106aa070,
    0x19a4c116, 0x1e376c08, 0x2748774c, 0x34b0bcb5, 0x391c0cb3, 0x4ed8aa4a, 0x5b9cca4f, 0x682e6ff3,
    0x748f82ee, 0x78a5636f, 0x84c87814, 0x8cc70208, 0x90befffa, 0xa4506ceb, 0xbef9a3f7, 0xc67178f2,
};

static int portal_cpu_has_sha_ni(void) {
    unsigned int a, b, c, d;
    if (!__get_cpuid(1, &a, &b, &c, &d)) return 0;
    if (!(c & (1u << 9)) || !(c & (1u << 19))) return 0;  // SSSE3, SSE4.1
    if (__get_cpuid_max(0, NULL) < 7) return 0;
    __cpuid_count(7, 0, a, b, c, d);
    return (b & (1u << 29)) != 0;  // SHA
}

// SHA-256 compression with the x86 SHA extensions, four rounds per step (Intel's scheme).
__attribute__((target("sha,sse4.1,ssse3")))
static void portal_sha256_ni_blocks(uint32_t state[8], const unsigned char *data, size_t blocks) {
    const __m128i mask = _mm_set_epi64x(0x0c0d0e0f08090a0bULL, 0x0405060700010203ULL);
    __m128i tmp = _mm_loadu_si128((const __m128i *)&state[0]);
    __m128i state1 = _mm_loadu_si128((const __m128i *)&state[4]);
    tmp = _mm_shuffle_epi32(tmp, 0xB1);
    state1 = _mm_shuffle_epi32(state1, 0x1B);
    __m128i state0 = _mm_alignr_epi8(tmp, state1, 8);
    state1 = _mm_blend_epi16(state1, tmp, 0xF0);
    while (blocks--) {
        __m128i abef = state0, cdgh = state1;
        __m128i w[4];
        for (int g = 0; g < 16; g++) {
            __m128i m;
            if (g < 4) {
                m = _mm_shuffle_epi8(_mm_loadu_si128((const __m128i *)(data + 16 * g)), mask);
            } else {
                __m128i x = _mm_sha256msg1_epu32(w[g & 3], w[(g + 1) & 3]);
                x = _mm_add_epi32(x, _mm_alignr_epi8(w[(g + 3) & 3], w[(g + 2) & 3], 4));
                m = _mm_sha256msg2_epu32(x, w[(g + 3) & 3]);
            }
            w[g & 3] = m;
            __m128i mk = _mm_add_epi32(m, _mm_loadu_si128((const __m128i *)&portal_sha256_k[4 * g]));
            state1 = _mm_sha256rnds2_epu32(state1, state0, mk);
            mk = _mm_shuffle_epi32(mk, 0x0E);
            state0 = _mm_sha256rnds2_epu32(state0, state1, mk);
        }
        state0 = _mm_add_epi32(state0, abef);
        state1 = _mm_add_epi32(state1, cdgh);
        data += 64;
    }
    tmp = _mm_shuffle_epi32(state0, 0x1B);
    state1 = _mm_shuffle_epi32(state1, 0xB1);
    state0 = _mm_blend_epi16(tmp, state1, 0xF0);
    state1 = _mm_alignr_epi8(state1, tmp, 8);
    _mm_storeu_si128((__m128i *)&state[0], state0);
    _mm_storeu_si128((__m128i *)&state[4], state1);
}

// Whole-message SHA-256 with the SHA extensions; returns 0 (and does nothing) without them.
static int portal_sha256_ni(const void *bytes, size_t length, uint8_t *digest) {
    // The CPU check gives the same answer every time, so racing first calls are harmless.
    static int supported = -1;
    int known = __atomic_load_n(&supported, __ATOMIC_RELAXED);
    if (known < 0) {
        known = portal_cpu_has_sha_ni();
        __atomic_store_n(&supported, known, __ATOMIC_RELAXED);
    }
    if (!known) return 0;
    uint32_t state[8] = {0x6a09e667, 0xbb67ae85, 0x3c6ef372, 0xa54ff53a,
                         0x510e527f, 0x9b05688c, 0x1f83d9ab, 0x5be0cd19};
    const unsigned char *p = bytes;
    size_t full = length / 64;
    if (full) portal_sha256_ni_blocks(state, p, full);
    unsigned char tail[128] = {0};
    size_t rest = length - full * 64;
    if (rest) memcpy(tail, p + full * 64, rest);
    tail[rest] = 0x80;
    size_t tail_blocks = rest + 9 <= 64 ? 1 : 2;
    uint64_t bits = (uint64_t)length * 8;
    for (int i = 0; i < 8; i++) tail[tail_blocks * 64 - 1 - i] = (unsigned char)(bits >> (8 * i));
    portal_sha256_ni_blocks(state, tail, tail_blocks);
    for (int i = 0; i < 8; i++) {
        digest[4 * i] = (uint8_t)(state[i] >> 24);
        digest[4 * i + 1] = (uint8_t)(state[i] >> 16);
        digest[4 * i + 2] = (uint8_t)(state[i] >> 8);
        digest[4 * i + 3] = (uint8_t)state[i];
    }
    return 1;
}
#else
static int portal_sha256_ni(const void *bytes, size_t length, uint8_t *digest) {
    (void)bytes;
    (void)length;
    (void)digest;
    return 0;
}
#endif

void portal_sha256_reference(const void *bytes, size_t length, uint8_t *digest) {
    GChecksum *checksum = g_checksum_new(G_CHECKSUM_SHA256);
    // g_checksum_update takes a gssize: feed very large inputs in pieces.
    const guchar *cursor = bytes;
    while (length > 0) {
        size_t piece = length > (1u << 30) ? (1u << 30) : length;
        g_checksum_update(checksum, cursor, (gssize)piece);
        cursor += piece;
        length -= piece;
    }
    gsize digest_length = 32;
    g_checksum_get_digest(checksum, digest, &digest_length);
    g_checksum_free(checksum);
}

void portal_sha256(const void *bytes, size_t length, uint8_t *digest) {
    if (!portal_sha256_ni(bytes, length, digest)) portal_sha256_reference(bytes, length, digest);
}

// XXH64 as specified by its author (https://github.com/Cyan4973/xxHash, doc/xxhash_spec.md).
static const uint64_t XXH_P1 = 0x9E3779B185EBCA87ULL, XXH_P2 = 0xC2B2AE3D27D4EB4FULL,
                      XXH_P3 = 0x165667B19E3779F9ULL, XXH_P4 = 0x85EBCA77C2B2AE63ULL,
                      XXH_P5 = 0x27D4EB2F165667C5ULL;

static inline uint64_t xxh_rotl(uint64_t x, int r) { return (x << r) | (x >> (64 - r)); }

static inline uint64_t xxh_read64(const unsigned char *p) {
    uint64_t v;
    memcpy(&v, p, 8);
#if defined(__BYTE_ORDER__) && __BYTE_ORDER__ == __ORDER_BIG_ENDIAN__
    v = __builtin_bswap64(v);
#endif
    return v;
}

static inline uint32_t xxh_read32(const unsigned char *p) {
    uint32_t v;
    memcpy(&v, p, 4);
#if defined(__BYTE_ORDER__) && __BYTE_ORDER__ == __ORDER_BIG_ENDIAN__
    v = __builtin_bswap32(v);
#endif
    return v;
}

static inline uint64_t xxh_round(uint64_t acc, uint64_t input) {
    acc += input * XXH_P2;
    acc = xxh_rotl(acc, 31);
    return acc * XXH_P1;
}

static inline uint64_t xxh_merge(uint64_t acc, uint64_t value) {
    acc ^= xxh_round(0, value);
    return acc * XXH_P1 + XXH_P4;
}

uint64_t portal_xxh64(const void *bytes, size_t length, uint64_t seed) {
    const unsigned char *p = bytes;
    const unsigned char *end = p + length;
    uint64_t h;
    if (length >= 32) {
        uint64_t v1 = seed + XXH_P1 + XXH_P2, v2 = seed + XXH_P2, v3 = seed, v4 = seed - XXH_P1;
        const unsigned char *limit = end - 32;
        do {
            v1 = xxh_round(v1, xxh_read64(p));
            v2 = xxh_round(v2, xxh_read64(p + 8));
            v3 = xxh_round(v3, xxh_read64(p + 16));
            v4 = xxh_round(v4, xxh_read64(p + 24));
            p += 32;
        } while (p <= limit);
        h = xxh_rotl(v1, 1) + xxh_rotl(v2, 7) + xxh_rotl(v3, 12) + xxh_rotl(v4, 18);
        h = xxh_merge(h, v1);
        h = xxh_merge(h, v2);
        h = xxh_merge(h, v3);
        h = xxh_merge(h, v4);
    } else {
        h = seed + XXH_P5;
    }
    h += (uint64_t)length;
    while (p + 8 <= end) {
        h ^= xxh_round(0, xxh_read64(p));
        h = xxh_rotl(h, 27) * XXH_P1 + XXH_P4;
        p += 8;
    }
    if (p + 4 <= end) {
        h ^= (uint64_t)xxh_read32(p) * XXH_P1;
        h = xxh_rotl(h, 23) * XXH_P2 + XXH_P3;
        p += 4;
    }
    while (p < end) {
        h ^= (*p) * XXH_P5;
        h = xxh_rotl(h, 11) * XXH_P1;
        p++;
    }
    h ^= h >> 33;
    h *= XXH_P2;
    h ^= h >> 29;
    h *= XXH_P3;
    h ^= h >> 32;
    return h;
}

/* libvips 8.14's vips_text crashed now and then with SIGFPE in g_hash_table_lookup (libvips issue
 * 3660): in a fresh `portal generate`, one thread was inside fontconfig while another read glib's
 * font tables, although our calls are one at a time. Pango (1.50, Debian 12) can start fontconfig
 * in a thread of its own on first use; initialising fontconfig here first, in the calling thread,
 * is meant to leave that thread nothing to do (the most likely cause, not a proven one: the icon
 * cache in AppIcon.swift makes a first drawing rare as well). */
static gpointer portal_fontconfig_start(gpointer unused) {
    (void)unused;
    void *library = dlopen("libfontconfig.so.1", RTLD_NOW | RTLD_GLOBAL);
    int (*init)(void) = library ? (int (*)(void)) dlsym(library, "FcInit") : NULL;
    if (init) init();
    return GINT_TO_POINTER(1);
}
static GOnce portal_fontconfig_once = G_ONCE_INIT;

int portal_vips_text_icon(const char *text, int size, int red, int green, int blue,
                          void **bytes, size_t *length, char **error) {
    int status = portal_vips_init(error);
    if (status != PORTAL_VIPS_OK) return status;
    g_once(&portal_fontconfig_once, portal_fontconfig_start, NULL);
    if (!text || !*text || size < 16 || size > 4096 || !bytes || !length)
        return portal_fail(error, PORTAL_VIPS_ERR_ARGUMENT, g_strdup("invalid icon request"));
    VipsObject *scope = VIPS_OBJECT(vips_image_new());
    VipsImage **t = (VipsImage **) vips_object_local_array(scope, 8);
    double background[3] = {red, green, blue};
    double white[3] = {255, 255, 255};
    double zero[3] = {0, 0, 0};
    double one[3] = {1, 1, 1};
    int failed =
        // The text as a 0..255 coverage mask, fitted into the middle of the square.
        vips_text(&t[0], text, "font", "DejaVu Sans Bold", "width", size * 62 / 100,
                  "height", size * 40 / 100, "align", VIPS_ALIGN_CENTRE, NULL) ||
        vips_embed(t[0], &t[1], (size - t[0]->Xsize) / 2, (size - t[0]->Ysize) / 2, size, size, NULL) ||
        vips_black(&t[2], size, size, "bands", 3, NULL) ||
        vips_linear(t[2], &t[3], zero, background, 3, NULL) ||
        vips_linear(t[2], &t[4], one, white, 3, NULL) ||
        vips_cast_uchar(t[3], &t[5], NULL) ||
        vips_cast_uchar(t[4], &t[6], NULL) ||
        // White where the mask is set, the colour elsewhere, blended at the glyphs' edges.
        vips_ifthenelse(t[1], t[6], t[5], &t[7], "blend", TRUE, NULL) ||
        // An 8-bit palette: two colours and their blends, half the bytes of true colour.
        vips_pngsave_buffer(t[7], bytes, length, "strip", TRUE, "palette", TRUE, "compression", 9, NULL);
    g_object_unref(scope);
    if (failed) {
        char *message = vips_error_buffer_copy();
        return portal_fail(error, PORTAL_VIPS_ERR_DECODE, message);
    }
    return PORTAL_VIPS_OK;
}

int portal_vips_matrix_png(const unsigned char *modules, int size, int scale, int quiet,
                           void **bytes, size_t *length, char **error) {
    int status = portal_vips_init(error);
    if (status != PORTAL_VIPS_OK) return status;
    if (!modules || size < 1 || size > 1024 || scale < 1 || scale > 64 || quiet < 0 || quiet > 64 ||
        !bytes || !length)
        return portal_fail(error, PORTAL_VIPS_ERR_ARGUMENT, g_strdup("invalid matrix request"));
    // One byte per module: 0 for dark, 255 for light (PNG's grey scale, black on white).
    size_t count = (size_t) size * (size_t) size;
    unsigned char *grey = g_malloc(count);
    for (size_t i = 0; i < count; i++) grey[i] = modules[i] ? 0 : 255;
    VipsObject *scope = VIPS_OBJECT(vips_image_new());
    VipsImage **t = (VipsImage **) vips_object_local_array(scope, 3);
    int side = (size + 2 * quiet) * scale;
    int failed =
        // The copy owns its pixels, so `grey` can go right away.
        !(t[0] = vips_image_new_from_memory_copy(grey, count, size, size, 1, VIPS_FORMAT_UCHAR)) ||
        vips_zoom(t[0], &t[1], scale, scale, NULL) ||
        vips_embed(t[1], &t[2], quiet * scale, quiet * scale, side, side, "extend", VIPS_EXTEND_WHITE, NULL) ||
        vips_pngsave_buffer(t[2], bytes, length, "strip", TRUE, "bitdepth", 1, NULL);
    g_free(grey);
    g_object_unref(scope);
    if (failed) {
        char *message = vips_error_buffer_copy();
        return portal_fail(error, PORTAL_VIPS_ERR_ENCODE, message);
    }
    return PORTAL_VIPS_OK;
}
