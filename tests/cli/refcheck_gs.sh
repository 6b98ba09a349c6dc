#!/bin/sh
# Compares itpsim's group-sequential kernel with rpact:
# tests/reference/gs_reference.R writes the cases and rpact's answers
# (efficacy bounds of every spending function at 2, 3 and 5 stages, equally
# and unequally spaced, alpha 0.025 and 0.05; stage-wise rejection and
# futility probabilities under the null and an alternative, with and
# without non-binding futility bounds), the driver build/tools/gs_driver
# computes itpsim's, and every quantity must agree within an absolute
# difference of 1e-6. Prints the largest difference of bounds and of
# probabilities.
# Exit 0 pass, 1 fail (each mismatch printed), 77 skip when Rscript or the
# rpact package is missing.
# Environment: BUILD (default build).
BUILD=${BUILD:-build}
driver=$BUILD/tools/gs_driver
script=tests/reference/gs_reference.R

if ! command -v Rscript >/dev/null 2>&1; then
  echo "refcheck_gs: Rscript not found; skipped (apt-get install r-base-core r-cran-rpact)"
  exit 77
fi
if ! Rscript -e 'suppressPackageStartupMessages(library(rpact))' >/dev/null 2>&1; then
  echo "refcheck_gs: R package rpact not installed; skipped (apt-get install r-cran-rpact)"
  exit 77
fi
if [ ! -x "$driver" ]; then
  echo "refcheck_gs: $driver not built (run make test)"
  exit 1
fi

tmp=$(mktemp -d "${TMPDIR:-/tmp}/refcheck_gs.XXXXXX") || exit 1
trap 'rm -rf "$tmp"' EXIT
trap 'exit 1' HUP INT TERM

if ! Rscript "$script" "$tmp" >"$tmp/r.log" 2>&1; then
  echo "refcheck_gs: $script failed:"
  cat "$tmp/r.log"
  exit 1
fi
if ! "$driver" "$tmp/cases.txt" >"$tmp/itpsim.txt"; then
  echo "refcheck_gs: $driver failed"
  exit 1
fi

# Values that are not plain numbers (Inf) must match as text.
awk -v atol=1e-6 '
  function isnum(s) { return s ~ /^[-+]?([0-9]+\.?[0-9]*|\.[0-9]+)([eE][-+]?[0-9]+)?$/ }
  function abs(x) { return x < 0 ? -x : x }
  BEGIN { n = 0; bad = 0; wb = 0; wp = 0; kb = "none"; kp = "none" }
  FNR == NR { want[$1 " " $2] = $3; next }
  {
    key = $1 " " $2
    if (!(key in want)) {
      printf "extra in itpsim: %s = %s (rpact has no such value)\n", key, $3
      bad++; next
    }
    seen[key] = 1; r = want[key]; c = $3; n++
    if (isnum(r) && isnum(c)) {
      d = abs(r - c)
      if ($2 ~ /^b/) { if (d > wb) { wb = d; kb = key } }
      else if (d > wp) { wp = d; kp = key }
      if (d > atol) {
        printf "MISMATCH %s: rpact %s, itpsim %s (difference %.3g)\n", key, r, c, d
        bad++
      }
    } else if (r != c) {
      printf "MISMATCH %s: rpact %s, itpsim %s\n", key, r, c
      bad++
    }
  }
  END {
    for (k in want) if (!(k in seen)) {
      printf "missing in itpsim: %s (rpact: %s)\n", k, want[k]; bad++
    }
    printf "refcheck_gs: %d quantities compared, %d mismatches; ", n, bad
    printf "largest difference of bounds %.3g (%s), of probabilities %.3g (%s)\n", wb, kb, wp, kp
    exit bad > 0
  }
' "$tmp/expected.txt" "$tmp/itpsim.txt"
