#!/bin/sh
# Named choices: --set and --vary take text values for text settings.
# - a sweep over allocation.method=simple,permuted_blocks runs both, its
#   rows named by the choice, each row's power equal to a run with
#   --set allocation.method=CHOICE (same seed);
# - the power picture's data puts the choices at 1, 2 in the order given;
# - a range FROM:TO:STEP gives its values (0.01 steps without rounding
#   drift: 0.01, 0.02, 0.03), with single values after it; a step of 0 or a
#   range downwards is refused;
# - a word for a numeric setting, a value with other characters, and an
#   unknown choice are refused (exit 2, naming the setting).
: "${ITPSIM:=build/itpsim}"
dir=$(mktemp -d)
trap 'rm -rf "$dir"' EXIT
fail() { echo "FAIL: $*"; exit 1; }
scn=scenarios/hazard_two_arm.cfg

"$ITPSIM" sweep "$scn" --vary allocation.method=simple,permuted_blocks -n 200 -o "$dir/s" \
  --quiet > /dev/null || fail "choice sweep"
[ "$(cut -d, -f1 "$dir/s/sweep.csv" | tr '\n' ' ')" = "allocation.method simple permuted_blocks " ] ||
  fail "rows: $(cut -d, -f1 "$dir/s/sweep.csv")"
for m in simple permuted_blocks; do
  "$ITPSIM" run "$scn" --set allocation.method=$m -n 200 -o "$dir/$m" --quiet > /dev/null ||
    fail "run with $m"
  a=$(awk -F, -v m=$m '$1 == m { print $3 }' "$dir/s/sweep.csv")
  b=$(awk -F, 'NR == 2 { print $7 }' "$dir/$m/summary.csv")
  [ -n "$a" ] && [ "$a" = "$b" ] || fail "$m: sweep power '$a', run power '$b'"
done
"$ITPSIM" plot "$dir/s" > /dev/null || fail "plot"
[ "$(awk -F, 'NR > 1 { printf "%s ", $5 }' "$dir/s/plots/power.csv")" = "1 2 " ] || fail "power.csv x"

"$ITPSIM" sweep "$scn" --vary analysis.alpha=0.01:0.03:0.01,0.045 -n 10 --no-null -o "$dir/r" \
  --quiet > /dev/null || fail "range sweep"
[ "$(cut -d, -f1 "$dir/r/sweep.csv" | tr '\n' ' ')" = "analysis.alpha 0.01 0.02 0.03 0.045 " ] ||
  fail "range rows: $(cut -d, -f1 "$dir/r/sweep.csv" | tr '\n' ' ')"
check() {   # expected text, then the arguments
  want=$1; shift
  out=$("$ITPSIM" "$@" 2>&1); rc=$?
  [ $rc -eq 2 ] || fail "$*: exit $rc, expected 2: $out"
  case "$out" in *"$want"*) ;; *) fail "$*: message lacks '$want': $out" ;; esac
}
check "--set patients: 'many' is not a finite number" check "$scn" --set patients=many
check "--vary allocation.method: 'simple,per muted' is neither numbers nor names" \
  sweep "$scn" --vary "allocation.method=simple,per muted" -n 10 -o "$dir/x"
check 'allocation.method (set on the command line): expected "permuted_blocks" or "simple", got "minimisation"' \
  check "$scn" --set allocation.method=minimisation
check "'100:90:10' is no range FROM:TO:STEP" sweep "$scn" --vary patients=100:90:10 -n 10 -o "$dir/x"
check "'1:5:0' is no range FROM:TO:STEP" sweep "$scn" --vary patients=1:5:0 -n 10 -o "$dir/x"
exit 0
