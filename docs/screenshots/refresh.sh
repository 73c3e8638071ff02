#!/usr/bin/env bash
# Refreshes the README's screenshots from the phone-width shots the browser tests take
# (Tests/browser/test_screenshots.py writes Tests/browser/screenshots/<lang>-<view>.png):
#   python3 -m pytest -q Tests/browser/test_screenshots.py && bash docs/screenshots/refresh.sh
# Look at them before committing. preview-groep-5.png (the staff preview) is taken by hand.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
shots="$here/../../Tests/browser/screenshots"
while read -r readme test; do
  cp "$shots/$test.png" "$here/$readme.png"
done <<'MAP'
timeline-nl nl-timeline
album-nl nl-album
lightbox-nl nl-lightbox
calendar-month-en en-calendar-month
calendar-nl nl-calendar-list
timeline-ar ar-timeline
login-nl nl-login
booking-nl nl-booking
booking-receipt-nl nl-booking-receipt
booking-receipt-ar ar-booking-receipt
absence-en en-absence
MAP
echo "Copied 11 screenshots into $here"
