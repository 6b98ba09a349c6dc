#!/bin/sh
# An endpoint window anchored to the taper moves with it:
# - VAYHIT2's SR6 written as weeks 2 to 8 from the taper start (week 17)
#   is the published window, weeks 19-25: `check` logs
#   endpoints.sr6.window_weeks = [19, 25], and `run` gives replicates.csv
#   byte for byte equal to the scenario's own (absolute) window;
# - with the taper from week 12 the anchored window is weeks 14-20 (and
#   from the taper end, -5 to +1 weeks: the same [14, 20]), while the
#   absolute window stays 19-25 (nothing logged); the rule in words says
#   the window moves with the taper;
# - the share with SR6 differs between the anchored and the absolute
#   window once the taper starts at week 12 (the window moved), in at
#   least one arm of a 200-replicate run.
: "${ITPSIM:=build/itpsim}"
dir=$(mktemp -d)
trap 'rm -rf "$dir"' EXIT
fail() { echo "FAIL: $*"; exit 1; }
s=scenarios/vayhit2.cfg
start="--set endpoints.sr6.anchor=taper_start --set endpoints.sr6.from_week=2 --set endpoints.sr6.to_week=8"
endw="--set endpoints.sr6.anchor=eltrombopag.taper_end --set endpoints.sr6.from_week=-5 --set endpoints.sr6.to_week=1"
w() { "$ITPSIM" check "$s" "$@" | sed -n 's/^endpoints.sr6.window_weeks *= \(\[[^]]*\]\).*/\1/p'; }
# shellcheck disable=SC2086
[ "$(w $start)" = "[19, 25]" ] || fail "anchored at the start, taper 17: '$(w $start)'"
# shellcheck disable=SC2086
[ "$(w $start --set components.eltrombopag.taper.start_week=12)" = "[14, 20]" ] ||
  fail "anchored at the start, taper 12"
# shellcheck disable=SC2086
[ "$(w $endw --set components.eltrombopag.taper.start_week=12)" = "[14, 20]" ] ||
  fail "anchored at the end, taper 12"
[ -z "$(w --set components.eltrombopag.taper.start_week=12)" ] || fail "absolute window logged"
# the rule in words says where the window is and what it moves with
# shellcheck disable=SC2086
"$ITPSIM" check "$s" $start --set components.eltrombopag.taper.start_week=12 |
  grep -q '^# endpoint sr6: .*visits of weeks 14-20, moving with the taper start of eltrombopag (week 12), no rescue' ||
  fail "rule in words of the anchored window"
# shellcheck disable=SC2086
"$ITPSIM" run "$s" $start -n 40 -s 3 -o "$dir/a" --quiet || fail "run anchored"
"$ITPSIM" run "$s" -n 40 -s 3 -o "$dir/b" --quiet || fail "run absolute"
cmp -s "$dir/a/replicates.csv" "$dir/b/replicates.csv" || fail "anchored 19-25 differs from 19-25"
# shellcheck disable=SC2086
"$ITPSIM" run "$s" $start --set components.eltrombopag.taper.start_week=12 -n 200 -s 3 \
  -o "$dir/c" --quiet || fail "run anchored, taper 12"
"$ITPSIM" run "$s" --set components.eltrombopag.taper.start_week=12 -n 200 -s 3 \
  -o "$dir/d" --quiet || fail "run absolute, taper 12"
cmp -s "$dir/c/arms.csv" "$dir/d/arms.csv" && fail "the window did not move with the taper"
echo "anchored windows: ok"
