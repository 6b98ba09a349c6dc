#!/bin/sh
# Every scenario shipped in scenarios/ validates, and runs 200 replicates
# (and as many under the null) to a complete output folder.
: "${ITPSIM:=build/itpsim}"
out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT
for f in scenarios/*.cfg; do
  "$ITPSIM" check "$f" > /dev/null || { echo "FAIL check $f"; exit 1; }
  "$ITPSIM" run "$f" -n 200 -o "$out/run" --force > /dev/null 2>&1 ||
    { echo "FAIL run $f"; exit 1; }
  [ -s "$out/run/summary.json" ] && [ -s "$out/run/arms.csv" ] ||
    { echo "FAIL $f: no summary.json or arms.csv"; exit 1; }
done
