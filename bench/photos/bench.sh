#!/bin/sh
# Photo pipeline benchmark (issue 4): PhotoProcessor against vipsthumbnail on the same
# 12-megapixel JPEGs, making the same two sizes (400 and 1600 px, Q82, optimised Huffman
# tables, stripped).
#
#   bench/photos/bench.sh [count]        default 200 photos
#
# Needs: libvips-tools (vips, vipsthumbnail), GNU time. Photos are made once and kept in
# $PORTAL_BENCH_PHOTOS_DIR (default /tmp/portal-bench-photos-<count>). Run it on a quiet machine:
# the figures are CPU-bound and shared cores skew them.
set -eu
count=${1:-200}
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
photos=${PORTAL_BENCH_PHOTOS_DIR:-/tmp/portal-bench-photos-$count}
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
cores=$(nproc)

# 1. Synthetic 12 MP photos (4000x3000): a colour texture with sensor-like noise, each a
#    different crop so every file has different bytes; ~4-5 MB each at Q92 like a phone's.
if [ "$(ls "$photos"/*.jpg 2>/dev/null | wc -l)" -ne "$count" ]; then
    echo "making $count photos in $photos ..."
    rm -rf "$photos"
    mkdir -p "$photos"
    vips perlin "$work/p.v" 4400 3300 --cell-size 400
    vips linear "$work/p.v" "$work/c.v" "90 150 210" "128 110 80"
    vips gaussnoise "$work/n.v" 4400 3300 --sigma 12 --mean 0
    vips add "$work/c.v" "$work/n.v" "$work/cn.v"
    vips cast "$work/cn.v" "$work/base.v" uchar
    i=0
    while [ "$i" -lt "$count" ]; do
        x=$(( (i * 37) % 400 )); y=$(( (i * 23) % 300 ))
        vips crop "$work/base.v" "$photos/photo-$(printf %04d "$i").jpg[Q=92]" "$x" "$y" 4000 3000
        i=$((i + 1))
    done
fi
size_mb=$(du -sm "$photos" | cut -f1)
echo "photos: $count x 4000x3000 JPEG, $size_mb MB, $cores cores"

timed() { # name command... ; sets <name>_wall and <name>_cpu (user + system, children included)
    name=$1
    shift
    /usr/bin/time -f '%e %U %S' -o "$work/time" "$@"
    eval "${name}_wall=$(cut -d' ' -f1 "$work/time")"
    eval "${name}_cpu=$(awk '{ print $2 + $3 }' "$work/time")"
}

# 2. vipsthumbnail, both sizes. (a) as usually run: one process per size over all photos,
#    libvips threads on both cores; (b) its best on two cores: two processes each taking half
#    the photos with one libvips thread, like PhotoProcessor's two workers.
out="$work/out"
mkdir -p "$out"
fmt='[Q=82,optimize_coding,strip]'
all=$(ls "$photos"/*.jpg | tr '\n' ' ')
timed a sh -c "
    vipsthumbnail --size 1600x1600 -o '$out/%s-large.jpg$fmt' $all &&
    vipsthumbnail --size 400x400 -o '$out/%s-thumb.jpg$fmt' $all"
half=$(( (count + 1) / 2 ))
first=$(ls "$photos"/*.jpg | head -n "$half" | tr '\n' ' ')
second=$(ls "$photos"/*.jpg | tail -n +"$((half + 1))" | tr '\n' ' ')
run_b() { # name
    timed "$1" sh -c "
        export VIPS_CONCURRENCY=1
        ( vipsthumbnail --size 1600x1600 -o '$out/%s-large.jpg$fmt' $first &&
          vipsthumbnail --size 400x400 -o '$out/%s-thumb.jpg$fmt' $first ) &
        ( vipsthumbnail --size 1600x1600 -o '$out/%s-large.jpg$fmt' $second &&
          vipsthumbnail --size 400x400 -o '$out/%s-thumb.jpg$fmt' $second ) &
        wait"
}
/usr/bin/time -f %M -o "$work/rss" vipsthumbnail --size 1600x1600 -o "$out/%s-large.jpg$fmt" $first
vt_rss=$(( $(cat "$work/rss") / 1024 ))
rate_a=$(echo "$count / $a_wall" | bc -l)
printf 'vipsthumbnail (a) 2 runs, libvips threads: %.2f s wall, %.2f s CPU, %.2f photos/s\n' "$a_wall" "$a_cpu" "$rate_a"

# 3. PhotoProcessor through the benchmark test (debug build of the test bundle; the work is in
#    libvips either way), cold then no-op.
#    vipsthumbnail (b) runs right before and right after it, and the two are averaged, so that
#    load from other users of the machine hits both sides alike.
cd "$root"
swift build -j 2 --build-tests >/dev/null 2>&1 || swift build -j 2 --build-tests
run_b b1
PORTAL_BENCH_PHOTOS_DIR="$photos" PORTAL_BENCH_RESULT="$work/result" \
    swift test -j 2 --skip-build --filter PhotoBenchmarkTests >"$work/test.log" 2>&1 || { cat "$work/test.log"; exit 1; }
run_b b2
b_wall=$(echo "($b1_wall + $b2_wall) / 2" | bc -l)
b_cpu=$(echo "($b1_cpu + $b2_cpu) / 2" | bc -l)
rate_b=$(echo "$count / $b_wall" | bc -l)
printf 'vipsthumbnail (b) 2 processes x 1 thread:  %.2f s wall (%.2f before, %.2f after), %.2f s CPU, %.2f photos/s (one process peak RSS %d MB)\n' \
    "$b_wall" "$b1_wall" "$b2_wall" "$b_cpu" "$rate_b" "$vt_rss"
result=$(cat "$work/result")
echo "PhotoProcessor: $result"
ours=$(echo "$result" | sed -n 's/.*photos_per_s=\([0-9.]*\).*/\1/p')
ours_cpu=$(echo "$result" | sed -n 's/.*cold_cpu_s=\([0-9.]*\).*/\1/p')
best=$(echo "if ($rate_a > $rate_b) $rate_a else $rate_b" | bc -l)
best_cpu=$(echo "if ($a_cpu < $b_cpu) $a_cpu else $b_cpu" | bc -l)
printf 'throughput ratio PhotoProcessor / vipsthumbnail (wall): %.2f vs a, %.2f vs b, %.2f vs best; target >= 0.9\n' \
    "$(echo "$ours / $rate_a" | bc -l)" "$(echo "$ours / $rate_b" | bc -l)" "$(echo "$ours / $best" | bc -l)"
printf 'throughput ratio by CPU time (robust on a shared machine): %.2f vs best (%.2f s vs %.2f s)\n' \
    "$(echo "$best_cpu / $ours_cpu" | bc -l)" "$ours_cpu" "$best_cpu"
cat /proc/loadavg | awk '{ print "load average during the run: " $1 " " $2 " " $3 }'
