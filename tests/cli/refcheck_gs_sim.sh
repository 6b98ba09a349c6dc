#!/bin/sh
# itpsim's simulation of a group-sequential survival trial against
# rpact's getSimulationSurvival (tests/reference/gs_sim_reference.R, the
# trial of tests/reference/gs_sim.cfg): the efficacy bounds must agree to
# 1e-6, and under the design and the null the probabilities of rejecting
# at each analysis, of stopping for futility at each interim and of
# rejecting at all within 3 combined Monte Carlo SE (sqrt(p (1 - p) (1/n +
# 1/n)), n replicates on each side); expected events and patients within
# 3%. Exit 0 pass, 1 fail, 77 skip when Rscript or rpact is missing.
: "${ITPSIM:=build/itpsim}"
N=${GS_SIM_REPS:-4000}
if ! command -v Rscript >/dev/null 2>&1 || ! Rscript -e 'library(rpact)' >/dev/null 2>&1; then
  echo "refcheck_gs_sim: Rscript or rpact (r-cran-rpact) not found; skipping"
  exit 77
fi
tmp=$(mktemp -d) || exit 1
trap 'rm -rf "$tmp"' EXIT
Rscript tests/reference/gs_sim_reference.R "$N" > "$tmp/r.txt" 2>"$tmp/r.log" ||
  { echo "refcheck_gs_sim: R failed"; cat "$tmp/r.log"; exit 1; }
"$ITPSIM" run tests/reference/gs_sim.cfg -n "$N" -s 7 -o "$tmp/run" --quiet > /dev/null ||
  { echo "refcheck_gs_sim: itpsim run failed"; exit 1; }
# itpsim's figures as "key value" lines, from stages.csv and summary.json
awk -F, 'NR > 1 { k = $1; a = $2
  printf "bound_%d %s\n", a, $4
  printf "%s_eff_%d %s\n", k, a, $7
  if ($8 != "" && a < 3) printf "%s_fut_%d %s\n", k, a, $8 }' "$tmp/run/stages.csv" |
  awk '!seen[$1]++' > "$tmp/i.txt"
j=$tmp/run/summary.json
get() { sed -n "s/.*\"$1\": \([-0-9.e]*\).*/\1/p" "$j" | head -n 1; }
{ echo "design_power $(get power)"; echo "null_power $(get type1_error)"
  echo "design_events $(get expected_events)"; echo "null_events $(get null_expected_events)"
  echo "design_patients $(get expected_patients)"; echo "null_patients $(get null_expected_patients)"
} >> "$tmp/i.txt"
awk -v n="$N" '
  function abs(x) { return x < 0 ? -x : x }
  FNR == NR { r[$1] = $2; next }
  { k = $1; x = $2; if (!(k in r)) { print "refcheck_gs_sim: " k " not in R output"; bad++; next }
    y = r[k]; done++
    if (k ~ /^bound/) { tol = 1e-6 }
    else if (k ~ /_(events|patients)$/) { tol = 0.03 * abs(y) }
    else { p = (x + y) / 2; tol = 3 * sqrt(p * (1 - p) * 2 / n); if (tol < 1e-9) tol = 3 * sqrt(2 / n) / n }
    ok = abs(x - y) <= tol
    printf "%-18s itpsim %-12s rpact %-12s tolerance %.4g %s\n", k, x, y, tol, ok ? "" : "FAIL"
    if (!ok) bad++ }
  END { if (done < 19) { print "refcheck_gs_sim: only " done " figures compared"; bad++ }
        exit bad > 0 }' "$tmp/r.txt" "$tmp/i.txt"
