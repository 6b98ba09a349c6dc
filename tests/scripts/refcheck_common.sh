#!/bin/sh
# The body of the R reference checks that compare a driver's quantities
# with R's (refcheck_binary.sh, refcheck_probit.sh): sourced after setting
# name (the check's name), driver (the driver program) and script (the R
# script, which writes DIR/cases.txt and DIR/expected.txt). R's answers and
# the driver's, lines "CASE QUANTITY VALUE", must agree to a relative
# difference of 1e-6 (absolute 1e-9 near zero); values that are not plain
# numbers (Inf, -Inf, NaN, flags) must match as text. Exits 0 pass, 1 fail
# (each mismatch printed), 77 skip when Rscript is absent.
if ! command -v Rscript >/dev/null 2>&1; then
  echo "$name: Rscript not found; skipping the R reference check"
  exit 77
fi
if [ ! -x "$driver" ]; then
  echo "$name: $driver not built (run make test)"
  exit 1
fi

tmp=$(mktemp -d) || exit 1
trap 'rm -rf "$tmp"' EXIT
trap 'exit 1' HUP INT TERM

if ! Rscript "$script" "$tmp" >"$tmp/r.log" 2>&1; then
  echo "$name: $script failed:"
  cat "$tmp/r.log"
  exit 1
fi
if ! "$driver" "$tmp/cases.txt" >"$tmp/itpsim.txt"; then
  echo "$name: $driver failed"
  exit 1
fi

# Values that are not plain numbers (Inf, -Inf, NaN) must match as text.
awk -v rtol=1e-6 -v atol=1e-9 -v name="$name" '
  function isnum(s) { return s ~ /^[-+]?([0-9]+\.?[0-9]*|\.[0-9]+)([eE][-+]?[0-9]+)?$/ }
  function abs(x) { return x < 0 ? -x : x }
  BEGIN { worst = 0; worstkey = "none"; n = 0; bad = 0 }
  FNR == NR { want[$1 " " $2] = $3; next }
  {
    key = $1 " " $2
    if (!(key in want)) {
      printf "extra in itpsim: %s = %s (R has no such value)\n", key, $3
      bad++; next
    }
    seen[key] = 1; r = want[key]; c = $3; n++
    if (isnum(r) && isnum(c)) {
      d = abs(r - c); s = abs(r) > abs(c) ? abs(r) : abs(c)
      rel = s > 0 ? d / s : 0
      if (n == 1 || rel > worst) { worst = rel; worstkey = key }
      if (d > atol && rel > rtol) {
        printf "MISMATCH %s: R %s, itpsim %s (relative difference %.3g)\n", key, r, c, rel
        bad++
      }
    } else if (r != c) {
      printf "MISMATCH %s: R %s, itpsim %s\n", key, r, c
      bad++
    }
  }
  END {
    for (k in want) if (!(k in seen)) {
      printf "missing in itpsim: %s (R: %s)\n", k, want[k]; bad++
    }
    printf "%s: %d quantities compared, %d mismatches; largest relative difference %.3g (%s)\n", name, n, bad, worst, worstkey
    exit bad > 0
  }
' "$tmp/expected.txt" "$tmp/itpsim.txt"
