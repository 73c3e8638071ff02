#!/bin/sh
# Regenerates the committed photo fixtures (needs the `vips` CLI from libvips-tools and exiftool
# from libimage-exiftool-perl). The tests themselves need neither: they read the files below.
set -eu
cd "$(dirname "$0")"
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

# A colourful texture as a "photo".
texture() { # width height output
    vips perlin "$work/p.v" "$1" "$2" --cell-size 48
    vips linear "$work/p.v" "$3" "90 160 220" "128 100 70" --uchar
}

# camera.jpg: 300x200 stored landscape with orientation 6 (shown portrait), Display P3 profile,
# GPS, camera make/model/serials, a maker note, an embedded EXIF thumbnail, XMP and IPTC. Every
# private value holds an "OPSECRET" marker that the tests look for in the output bytes.
texture 300 200 "$work/camera.v"
vips icc_transform "$work/camera.v" "$work/camera-p3.v" p3 --input-profile srgb
vips jpegsave "$work/camera-p3.v" camera.jpg --Q 90
texture 160 107 "$work/thumb.v"
vips jpegsave "$work/thumb.v" "$work/thumb.jpg" --Q 70
exiftool -q -overwrite_original -Comment='OPSECRET-EMBEDDED-THUMB' "$work/thumb.jpg"
exiftool -q -overwrite_original \
    -Orientation#=6 \
    -Make='OPSECRET-MAKE' -Model='OPSECRET-MODEL' \
    -SerialNumber='OPSECRET-SERIAL-7731XQ' -LensSerialNumber='OPSECRET-LENS-42' \
    -MakerNotes='OPSECRET-MAKERNOTE-5512' \
    -GPSLatitude=52.3731 -GPSLatitudeRef=N -GPSLongitude=4.8922 -GPSLongitudeRef=E \
    -GPSAltitude=2 -GPSAreaInformation='OPSECRET-GPS-AREA' \
    -ImageDescription='OPSECRET-DESCRIPTION' -Artist='OPSECRET-ARTIST' \
    '-ThumbnailImage<='"$work/thumb.jpg" \
    -XMP-dc:Title='OPSECRET-XMP-TITLE' -XMP-dc:Creator='OPSECRET-XMP-CREATOR' \
    -XMP-exif:GPSLatitude=52.3731 -XMP-exif:GPSLongitude=4.8922 \
    -IPTC:City='OPSECRET-IPTC-CITY' -IPTC:Keywords='OPSECRET-IPTC-KEYWORD' \
    camera.jpg

# large.jpg: 2400x1800, larger than the large variant.
texture 2400 1800 "$work/large.v"
vips jpegsave "$work/large.v" large.jpg --Q 40

# alpha.png: 120x90 RGBA with a transparent half, smaller than both variants.
texture 120 90 "$work/alpha-rgb.v"
vips black "$work/left.v" 60 90
vips linear "$work/left.v" "$work/left255.v" 1 255 --uchar
vips black "$work/right.v" 60 90
vips cast "$work/right.v" "$work/right8.v" uchar
vips join "$work/left255.v" "$work/right8.v" "$work/mask.v" horizontal
vips bandjoin "$work/alpha-rgb.v $work/mask.v" "$work/alpha.v"
vips pngsave "$work/alpha.v" alpha.png --strip

# grey16.png: 16-bit greyscale, 200x100.
vips perlin "$work/g.v" 200 100 --cell-size 32
vips linear "$work/g.v" "$work/g16.v" 20000 32768
vips cast "$work/g16.v" "$work/g16u.v" ushort
vips copy "$work/g16u.v" "$work/g16i.v" --interpretation grey16
vips pngsave "$work/g16i.v" grey16.png --strip

# photo.webp: 800x600 WebP.
texture 800 600 "$work/webp.v"
vips webpsave "$work/webp.v" photo.webp --Q 60 --strip

# photo.heic: 640x480 HEIC (needs libvips with HEIF and an HEVC encoder).
texture 640 480 "$work/heic.v"
vips heifsave "$work/heic.v" photo.heic --Q 40 --strip

# vector.jpg: an SVG named .jpg; libvips could open it, the pipeline must refuse it.
printf '<svg xmlns="http://www.w3.org/2000/svg" width="10" height="10"><rect width="10" height="10"/></svg>\n' > vector.jpg
