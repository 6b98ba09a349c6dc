#!/bin/sh
# A grid point whose settings are refused is reported in its row and the
# sweep goes on: exit 0, the point's row with 0 replicates, NA figures and
# the refusal (FILE:LINE: SETTING: ...) in the note column, NA rows per arm
# in sweep_arms.csv, a count on stderr; the valid points' rows are those of
# a sweep over them alone. A sweep with no valid point is refused (exit 2)
# with the first point's message.
: "${ITPSIM:=build/itpsim}"
dir=$(mktemp -d)
trap 'rm -rf "$dir"' EXIT
fail() { echo "FAIL: $*"; exit 1; }
scn=scenarios/hazard_two_arm.cfg   # followup.events = 60: fewer patients are refused

"$ITPSIM" sweep "$scn" --vary patients=30,100,40,120 -n 100 -o "$dir/a" --quiet \
  > "$dir/a.out" 2> "$dir/a.err" || fail "exit $?: $(cat "$dir/a.err")"
grep -q "2 of 4 grid points not run" "$dir/a.err" || fail "no count: $(cat "$dir/a.err")"
[ "$(head -n 1 "$dir/a/sweep.csv" | awk -F, '{ print $(NF - 1), $NF }')" = "note extrapolated" ] ||
  fail "no note and extrapolated columns"
row=$(awk -F, '$1 == 30' "$dir/a/sweep.csv")
case "$row" in '30,0,NA,NA,NA,NA,NA,NA,"'*"hazard_two_arm.cfg:15: followup.events: expected an integer in [1, 30], got 60"'",NA') ;;
  *) fail "row of the invalid point: $row" ;; esac
[ "$(awk -F, '$1 == 40 && $3 == "NA"' "$dir/a/sweep_arms.csv" | wc -l)" -eq 2 ] || fail "NA arm rows"
grep -q "patients=30:  not run: .*followup.events" "$dir/a.out" || fail "table: $(cat "$dir/a.out")"
# the valid points as a sweep of their own: the same rows
"$ITPSIM" sweep "$scn" --vary patients=100,120 -n 100 -o "$dir/b" --quiet > /dev/null || fail "valid sweep"
[ "$(awk -F, '$1 == 100 || $1 == 120' "$dir/a/sweep.csv")" = "$(awk -F, 'NR > 1' "$dir/b/sweep.csv")" ] ||
  fail "valid rows differ from a sweep without the invalid points"
# no valid point at all
err=$("$ITPSIM" sweep "$scn" --vary patients=30,40 -n 100 -o "$dir/c" --quiet 2>&1); rc=$?
[ $rc -eq 2 ] || fail "no valid point: exit $rc: $err"
case "$err" in *"followup.events: expected an integer in [1, 30], got 60"*) ;; *) fail "message: $err" ;; esac
exit 0
