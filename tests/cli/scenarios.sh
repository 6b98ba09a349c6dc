#!/bin/sh
# Every scenario shipped in scenarios/ validates.
: "${ITPSIM:=build/itpsim}"
for f in scenarios/*.cfg; do
  "$ITPSIM" check "$f" > /dev/null || { echo "FAIL $f"; exit 1; }
done
