#!/bin/sh
# One null per null: grid points whose null versions are the same (a sweep
# over a study arm's dose: the null gives that arm the control's
# treatments) run the null once and share it; the shared figures equal
# those of a run of that point alone (same seed: the same null replicates).
# A sweep over a setting the null reads (the sample size) shares nothing,
# and each point's type I error equals its own run's.
: "${ITPSIM:=build/itpsim}"
dir=$(mktemp -d)
trap 'rm -rf "$dir"' EXIT
fail() { echo "FAIL: $*"; exit 1; }
scn=scenarios/vayhit2.cfg
n=300

# the type I errors of a sweep row (columns 5, 9, 13, 17: the four
# hypotheses' type1) and of a run's summary.csv (column 11, one row each)
row_type1() { awk -F, -v v="$2" 'NR > 1 && $1 == v { print $5, $9, $13, $17 }' "$1/sweep.csv"; }
run_type1() { awk -F, 'NR > 1 { printf "%s%s", (NR > 2 ? " " : ""), $11 } END { print "" }' "$1/summary.csv"; }

key=components.ianalumab_9.dose_mg_kg
"$ITPSIM" sweep "$scn" --vary "$key=3,9" -n $n -o "$dir/dose" --quiet > "$dir/dose.out" ||
  fail "dose sweep"
[ "$(grep -c 'null shared' "$dir/dose.out")" -eq 1 ] ||
  fail "the second dose did not share the first's null: $(cat "$dir/dose.out")"
t3=$(row_type1 "$dir/dose" 3); t9=$(row_type1 "$dir/dose" 9)
[ -n "$t3" ] && [ "$t3" = "$t9" ] || fail "shared null, other type I errors: '$t3' vs '$t9'"
"$ITPSIM" run "$scn" --set "$key=9" -n $n -o "$dir/run9" --quiet > /dev/null || fail "run at 9"
[ "$(run_type1 "$dir/run9")" = "$t9" ] ||
  fail "shared null differs from the point's own: '$t9' vs '$(run_type1 "$dir/run9")'"

"$ITPSIM" sweep "$scn" --vary patients=100,152 -n $n -o "$dir/size" --quiet > "$dir/size.out" ||
  fail "size sweep"
grep -q 'null shared' "$dir/size.out" && fail "a null shared across sample sizes"
"$ITPSIM" run "$scn" --set patients=100 -n $n -o "$dir/run100" --quiet > /dev/null || fail "run at 100"
[ "$(run_type1 "$dir/run100")" = "$(row_type1 "$dir/size" 100)" ] ||
  fail "type I error at 100 patients: '$(row_type1 "$dir/size" 100)' vs '$(run_type1 "$dir/run100")'"
exit 0
