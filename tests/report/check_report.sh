#!/bin/sh
# Renders an HTML report in headless Chromium (Debian's chromium) with no
# network: takes a screenshot (a PNG of sensible size), dumps the DOM and
# checks that it holds the power table, and fails on any console error.
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
timeout 120 "$chrome" $flags --enable-logging=stderr --v=0 --window-size=1300,2600 \
  --screenshot="$shot" "file://$abs" > "$tmp/shot.out" 2> "$tmp/shot.err" ||
  { cat "$tmp/shot.err"; echo "chromium --screenshot failed"; exit 1; }
# shellcheck disable=SC2086
timeout 120 "$chrome" $flags --enable-logging=stderr --v=0 --dump-dom "file://$abs" \
  > "$tmp/dom.html" 2> "$tmp/dom.err" ||
  { cat "$tmp/dom.err"; echo "chromium --dump-dom failed"; exit 1; }
sig=$(head -c 8 "$shot" | od -An -tx1 | tr -d ' \n')
[ "$sig" = 89504e470d0a1a0a ] || { echo "screenshot is not a PNG"; exit 1; }
size=$(wc -c < "$shot")
[ "$size" -gt 20000 ] || { echo "screenshot only $size bytes"; exit 1; }
grep -q 'id="power-table"' "$tmp/dom.html" || { echo "rendered page has no power table"; exit 1; }
grep -q '<th>power</th>' "$tmp/dom.html" || { echo "power table without a power column"; exit 1; }
if grep -E 'Uncaught|ERROR:CONSOLE|:CONSOLE\(' "$tmp/shot.err" "$tmp/dom.err"; then
  echo "console errors above"; exit 1
fi
echo "report renders: screenshot $size bytes, power table present"
