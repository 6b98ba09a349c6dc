#!/bin/sh
# Renders an HTML report in headless Chromium (Debian's chromium) with no
# network in a window 1280 px wide: takes a screenshot (a PNG of sensible
# size), dumps the DOM and checks that it holds the power table (a run's, or
# a sweep's or sample size search's in wide form) with its columns in words, that the page is no wider than the window and no table
# container reaches past it (the report's own script writes the widths on
# <body>: data-page-width, data-window-width, data-wide-tables), and fails
# on any console error.
# usage: check_report.sh REPORT.html SCREENSHOT.png
# Exit 77 when chromium is missing.
report=$1 shot=$2
chrome=${CHROMIUM:-/usr/bin/chromium}
[ -x "$chrome" ] || chrome=$(command -v chromium 2>/dev/null) || { echo "chromium not installed"; exit 77; }
[ -n "$chrome" ] || exit 77
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
abs=$(cd "$(dirname "$report")" && pwd)/$(basename "$report")
flags="--headless --no-sandbox --disable-gpu --disable-background-networking
  --disable-component-update --disable-sync --no-first-run --disable-extensions
  --disable-dev-shm-usage --user-data-dir=$tmp/profile"
# shellcheck disable=SC2086
timeout 120 "$chrome" $flags --enable-logging=stderr --v=0 --window-size=1280,2600 \
  --screenshot="$shot" "file://$abs" > "$tmp/shot.out" 2> "$tmp/shot.err" ||
  { cat "$tmp/shot.err"; echo "chromium --screenshot failed"; exit 1; }
# shellcheck disable=SC2086
timeout 120 "$chrome" $flags --enable-logging=stderr --v=0 --window-size=1280,2600 --dump-dom "file://$abs" \
  > "$tmp/dom.html" 2> "$tmp/dom.err" ||
  { cat "$tmp/dom.err"; echo "chromium --dump-dom failed"; exit 1; }
sig=$(head -c 8 "$shot" | od -An -tx1 | tr -d ' \n')
[ "$sig" = 89504e470d0a1a0a ] || { echo "screenshot is not a PNG"; exit 1; }
size=$(wc -c < "$shot")
[ "$size" -gt 20000 ] || { echo "screenshot only $size bytes"; exit 1; }
# a run's power table, or a sweep's or search's in wide form (a column
# "NAME power" per hypothesis)
if grep -q 'id="power-wide-table"' "$tmp/dom.html"; then
  grep -Eq '<th class="num"[^>]*>[^<]+ power</th>' "$tmp/dom.html" ||
    { echo "wide power table without a power column"; exit 1; }
else
  grep -q 'id="power-table"' "$tmp/dom.html" || { echo "rendered page has no power table"; exit 1; }
  grep -q '<th class="num">power</th>' "$tmp/dom.html" || { echo "power table without a power column"; exit 1; }
fi
# the widths the page's script measured
body=$(grep -o '<body[^>]*>' "$tmp/dom.html")
pw=$(printf '%s' "$body" | sed -n 's/.*data-page-width="\([0-9]*\)".*/\1/p')
ww=$(printf '%s' "$body" | sed -n 's/.*data-window-width="\([0-9]*\)".*/\1/p')
wide=$(printf '%s' "$body" | sed -n 's/.*data-wide-tables="\([0-9]*\)".*/\1/p')
[ -n "$pw" ] && [ -n "$ww" ] && [ -n "$wide" ] || { echo "no widths on <body>: $body"; exit 1; }
[ "$ww" -le 1280 ] || { echo "window $ww px, not 1280"; exit 1; }
[ "$pw" -le "$ww" ] || { echo "page $pw px wider than the $ww px window"; exit 1; }
[ "$wide" -eq 0 ] || { echo "$wide table containers wider than the page"; exit 1; }
if grep -E 'Uncaught|ERROR:CONSOLE|:CONSOLE\(' "$tmp/shot.err" "$tmp/dom.err"; then
  echo "console errors above"; exit 1
fi
echo "report renders: screenshot $size bytes, power table present, page $pw px in $ww"
