#!/bin/sh
# Taper strategies as data (taper.policy choosing one of taper.policies):
# - VAYHIT2 with policy = "fixed_week17" (an empty policy: the taper's own
#   settings) gives replicates.csv byte for byte equal to VAYHIT2 without a
#   policy;
# - a sweep over policy=fixed_week17,response_guided names its rows by the
#   policy, and each row's power equals a run with --set ...policy=NAME;
#   the two rows differ (the strategies differ);
# - `check` reads the chosen policy's settings (logged under
#   taper.policies.response_guided) and not the taper's own start rule;
# - an unknown policy, an unknown key in a policy not chosen, and a policy
#   inside a policy are refused (exit 2, naming the setting).
: "${ITPSIM:=build/itpsim}"
dir=$(mktemp -d)
trap 'rm -rf "$dir"' EXIT
fail() { echo "FAIL: $*"; exit 1; }
s=scenarios/vayhit2.cfg
p=components.eltrombopag.taper.policy
"$ITPSIM" run "$s" --set $p=fixed_week17 -n 40 -s 7 -o "$dir/a" --quiet || fail "run fixed_week17"
"$ITPSIM" run "$s" -n 40 -s 7 -o "$dir/b" --quiet || fail "run"
cmp -s "$dir/a/replicates.csv" "$dir/b/replicates.csv" || fail "empty policy differs from none"
out=$("$ITPSIM" check "$s" --set $p=response_guided) || fail "check response_guided"
printf '%s\n' "$out" | grep -q '^components.eltrombopag.taper.policies.response_guided.start *= "response"' ||
  fail "policy's start not read"
printf '%s\n' "$out" | grep -q '^components.eltrombopag.taper.start_week' &&
  fail "the taper's own start_week read under a policy with its own start rule"
"$ITPSIM" sweep "$s" --vary $p=fixed_week17,response_guided -n 150 -s 7 -o "$dir/s" --quiet \
  > /dev/null || fail "policy sweep"
[ "$(cut -d, -f1 "$dir/s/sweep.csv" | tr '\n' ' ')" = "$p fixed_week17 response_guided " ] ||
  fail "rows: $(cut -d, -f1 "$dir/s/sweep.csv")"
for m in fixed_week17 response_guided; do
  "$ITPSIM" run "$s" --set $p=$m -n 150 -s 7 -o "$dir/$m" --quiet > /dev/null || fail "run $m"
  a=$(awk -F, -v m=$m '$1 == m { print $3 }' "$dir/s/sweep.csv")
  b=$(awk -F, 'NR == 2 { print $7 }' "$dir/$m/summary.csv")
  [ -n "$a" ] && [ "$a" = "$b" ] || fail "$m: sweep power '$a', run power '$b'"
done
[ "$(awk -F, 'NR == 2 { print $3 }' "$dir/s/sweep.csv")" != \
  "$(awk -F, 'NR == 3 { print $3 }' "$dir/s/sweep.csv")" ] || fail "the policies give one power"
check() {   # expected text, then the arguments
  want=$1; shift
  out=$("$ITPSIM" "$@" 2>&1); rc=$?
  [ $rc -eq 2 ] || fail "$*: exit $rc, expected 2: $out"
  case "$out" in *"$want"*) ;; *) fail "$*: message lacks '$want': $out" ;; esac
}
check "$p (set on the command line): no taper policy \"weekly\" (policies: fixed_week17, response_guided)" \
  check "$s" --set $p=weekly
check "components.eltrombopag.taper.policies.response_guided.stable_wks" \
  check "$s" --set components.eltrombopag.taper.policies.response_guided.stable_wks=4
check "a policy cannot choose or hold policies" \
  check "$s" --set components.eltrombopag.taper.policies.fixed_week17.policy=response_guided
exit 0
