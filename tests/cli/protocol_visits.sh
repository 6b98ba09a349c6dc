#!/bin/sh
# A taper's eligibility visits are added to the schedule as protocol visits
# where it lacks them, so that a taper start can move to any week:
# - a taper eligible at weeks 16 and 17 on a schedule without week 16:
#   valid, visits.protocol_weeks = [16 (eltrombopag)] in `check`, one
#   scheduled visit more than with weeks 15 and 17 (both scheduled);
# - VAYHIT2 with the taper from week 12 (eligible at 10 and 12, off the
#   fortnightly schedule after week 9): simulate's visits.csv has
#   scheduled visits on days 70 and 84 (for every patient still followed
#   a week later), which the taper from week 17 does not have; a sweep over
#   weeks 12 and 13 runs both points;
# - an eligibility week after the end of follow-up is refused.
: "${ITPSIM:=build/itpsim}"
dir=$(mktemp -d)
trap 'rm -rf "$dir"' EXIT
fail() { echo "FAIL: $*"; exit 1; }
f=tests/cli/protocol_visits.cfg
out=$("$ITPSIM" check "$f") || fail "check: exit $?"
printf '%s\n' "$out" | grep -q '^visits.protocol_weeks *= \[16 (eltrombopag)\]' ||
  fail "no protocol week logged"
n16=$(printf '%s\n' "$out" | sed -n 's/.*valid; .*patients, \([0-9]*\) scheduled visits.*/\1/p')
sed 's/eligible_weeks = \[16, 17\]/eligible_weeks = [15, 17]/' "$f" > "$dir/s.cfg"
n15=$("$ITPSIM" check "$dir/s.cfg" | sed -n 's/.*valid; .*patients, \([0-9]*\) scheduled visits.*/\1/p')
[ -n "$n15" ] && [ "$n16" -eq $((n15 + 1)) ] || fail "scheduled visits: $n16 with week 16, $n15 without"

"$ITPSIM" simulate scenarios/vayhit2.cfg --set components.eltrombopag.taper.start_week=12 -n 30 \
  -o "$dir/sim" > /dev/null || fail "simulate"
"$ITPSIM" simulate scenarios/vayhit2.cfg -n 30 -o "$dir/sim17" > /dev/null || fail "simulate"
at() { awk -F, -v d="$2" 'NR > 1 && $2 == d && $7 == 1' "$1/visits.csv" | wc -l; }
for day in 70 84; do
  # (a patient still followed at week 11 or 13 had the visit before it)
  [ "$(at "$dir/sim" $day)" -gt 0 ] && [ "$(at "$dir/sim" $day)" -ge "$(at "$dir/sim" $((day + 7)))" ] ||
    fail "scheduled visits on day $day: $(at "$dir/sim" $day)"
  [ "$(at "$dir/sim17" $day)" -eq 0 ] || fail "day $day scheduled with the taper from week 17"
done
"$ITPSIM" sweep scenarios/vayhit2.cfg --vary components.eltrombopag.taper.start_week=12,13 -n 50 \
  -o "$dir/sw" --quiet > /dev/null 2> "$dir/err" || fail "sweep: $(cat "$dir/err")"
[ "$(awk -F, 'NR > 1 && $2 == 50' "$dir/sw/sweep.csv" | wc -l)" -eq 2 ] || fail "sweep rows"

sed 's/start_week = 17.0; end_week = 24.0; eligible_weeks = \[16, 17\]/start_week = 60.0; end_week = 64.0; eligible_weeks = [58, 60]/' \
  "$f" > "$dir/late.cfg"
err=$("$ITPSIM" check "$dir/late.cfg" 2>&1); rc=$?
[ $rc -eq 2 ] || fail "late eligibility: exit $rc"
case "$err" in *"need a scheduled visit at week 58, which is after the end of follow-up"*) ;;
  *) fail "late eligibility: $err" ;; esac
exit 0
