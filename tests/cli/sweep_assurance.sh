#!/bin/sh
# sweep --assurance K: each grid point's assurance over the joint fit's
# parameter draws, beside its power:
# - every row's ttf_9 assurance (and its MCSE, the 5% and 95% power
#   quantiles) equals that of `run --assurance K` with the point's --set
#   (same seed, sets and replicates per set), to the printed digits;
# - the columns are there (one set per hypothesis, with its most
#   influential parameter), NA for a grid point not run; the report has an
#   assurance column per hypothesis;
# - --assurance-reps without --assurance, and --draws with --priors, are
#   refused.
: "${ITPSIM:=build/itpsim}"
dir=$(mktemp -d)
trap 'rm -rf "$dir"' EXIT
fail() { echo "FAIL: $*"; exit 1; }
s=scenarios/vayhit2.cfg
k=components.ianalumab_9.dose_mg_kg
"$ITPSIM" sweep "$s" --vary $k=3,9,-1 -n 30 --assurance 3 --assurance-reps 30 -s 4 \
  -o "$dir/s" --quiet > "$dir/table" 2> "$dir/err" || fail "sweep: $(cat "$dir/err")"
col() {   # the column named $1 of the row whose first field is $2
  awk -F, -v c="$1" -v r="$2" 'NR == 1 { for (i = 1; i <= NF; i++) if ($i == c) n = i }
                              NR > 1 && $1 == r { print $n }' "$dir/s/sweep.csv"
}
for d in 3 9; do
  "$ITPSIM" run "$s" --set $k=$d --assurance 3 -n 30 -s 4 -o "$dir/r$d" --quiet > /dev/null ||
    fail "run --assurance at $d"
  want=$(sed -n 's/.*{"name": "ttf_9", "assurance": \([^,]*\), "mcse": \([^,]*\),.*"power_quantiles": \[\([^,]*\), [^,]*, [^,]*, [^,]*, \([^]]*\)\].*/\1 \2 \3 \4/p' \
    "$dir/r$d/assurance.json")
  got=$(printf '%.6g %.6g %.6g %.6g' "$(col ttf_9_assurance $d)" "$(col ttf_9_assurance_mcse $d)" \
    "$(col ttf_9_power_q05 $d)" "$(col ttf_9_power_q95 $d)")
  [ -n "$want" ] && [ "$got" = "$want" ] || fail "dose $d: sweep '$got', run --assurance '$want'"
done
[ "$(col ttf_9_assurance -1)" = NA ] || fail "a point not run has an assurance"
case "$(col ttf_3_most_influential 9)" in
  *.*" "[+-][01].*) ;;
  *) fail "most influential: '$(col ttf_3_most_influential 9)'" ;;
esac
grep -q "assurance ttf_9 " "$dir/table" || fail "no assurance in the table"
"$ITPSIM" plot "$dir/s" > /dev/null 2>&1
[ "$(grep -o "assurance (power over the draws, 5-95%)</th>" "$dir/s/report.html" | wc -l)" -eq 4 ] ||
  fail "report: not one assurance column per hypothesis"
out=$("$ITPSIM" sweep "$s" --vary $k=3,9 --assurance-reps 30 -o "$dir/x" 2>&1); rc=$?
[ $rc -eq 2 ] && case "$out" in *"--assurance-reps goes with --assurance K"*) ;; *) rc=9 ;; esac
[ $rc -eq 2 ] || fail "--assurance-reps alone: exit $rc: $out"
out=$("$ITPSIM" sweep "$s" --vary $k=3,9 --assurance 3 --priors --draws x.csv -o "$dir/x" 2>&1); rc=$?
[ $rc -eq 2 ] || fail "--draws with --priors: exit $rc: $out"
exit 0
