#!/bin/sh
# Doses outside the exposures the fitted trials gave are flagged: the
# joint fit's file lists, per drug, the lowest and highest exposure of the
# trials' arms (ianalumab 3 and 9 mg/kg x 4 infusions: 12-36 mg/kg in all).
# - VAYHIT2 as shipped: each ianalumab arm's exposure logged as within,
#   no "# extrapolated" line, summary.json "extrapolated": "";
# - 0.5 mg/kg (2 in all) and 15 mg/kg (60 in all): flagged by check, run
#   (the terminal line and summary.json) and, per row, sweep's
#   extrapolated column (and the sweep report's), with a count on stderr;
#   3 and 9 mg/kg rows are not.
: "${ITPSIM:=build/itpsim}"
dir=$(mktemp -d)
trap 'rm -rf "$dir"' EXIT
fail() { echo "FAIL: $*"; exit 1; }
s=scenarios/vayhit2.cfg
k=components.ianalumab_9.dose_mg_kg
out=$("$ITPSIM" check "$s") || fail "check"
printf '%s\n' "$out" | grep -q '^components.ianalumab_9.exposure *= 36 .*within the exposures the fit saw, 12-36' ||
  fail "9 mg/kg not logged as within"
printf '%s\n' "$out" | grep -q '^# extrapolated' && fail "VAYHIT2 flagged"
out=$("$ITPSIM" check "$s" --set $k=15) || fail "check at 15"
printf '%s\n' "$out" | grep -q '^# extrapolated: .*ianalumab_9 60 mg/kg (total over the infusions) (fitted 12-36)' ||
  fail "15 mg/kg not flagged: $(printf '%s\n' "$out" | tail -2)"
"$ITPSIM" run "$s" -n 20 -o "$dir/a" > "$dir/a.txt" || fail "run"
grep -q '"extrapolated": ""' "$dir/a/summary.json" || fail "summary.json of VAYHIT2"
grep -q EXTRAPOLATED "$dir/a.txt" && fail "VAYHIT2 run flagged"
"$ITPSIM" run "$s" --set $k=0.5 -n 20 -o "$dir/b" > "$dir/b.txt" || fail "run at 0.5"
grep -q '"extrapolated": "ianalumab_9 2 mg/kg' "$dir/b/summary.json" || fail "summary.json at 0.5"
grep -q '^EXTRAPOLATED: .*ianalumab_9 2 mg/kg' "$dir/b.txt" || fail "run at 0.5 not flagged"
"$ITPSIM" sweep "$s" --vary $k=0.5,3,9,15 -n 20 -o "$dir/s" --quiet > /dev/null 2> "$dir/err" ||
  fail "sweep"
flags=$(awk -F, 'NR == 1 { for (i = 1; i <= NF; i++) if ($i == "extrapolated") n = i }
                 NR > 1 { printf "%s:%s ", $1, ($n != "" ? "x" : "-") }' "$dir/s/sweep.csv")
[ "$flags" = "0.5:x 3:- 9:- 15:x " ] || fail "sweep flags: $flags"
grep -q "2 of 4 grid points outside the exposures" "$dir/err" || fail "stderr: $(cat "$dir/err")"
# the sweep's report has the column, filled for the two points outside
"$ITPSIM" plot "$dir/s" > /dev/null 2>&1
grep -q "<th>outside the fitted exposures</th>" "$dir/s/report.html" || fail "report: no column"
[ "$(grep -o "ianalumab_9 [0-9]* mg/kg (total over the infusions) (fitted 12-36)" "$dir/s/report.html" |
    wc -l)" -eq 2 ] || fail "report: not two flagged points"
exit 0
