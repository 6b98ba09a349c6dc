#!/bin/sh
# The option parser (getopt_long): --name=value, -n10, `--`, options after
# the scenario, options without a value that never take the next argument,
# --version, and usage errors that name the command and the option with
# exit 2.
: "${ITPSIM:=build/itpsim}"
dir=$(mktemp -d)
trap 'rm -rf "$dir"' EXIT
fail() { echo "FAIL: $*"; exit 1; }
scn=scenarios/hazard_two_arm.cfg
reps() { sed -n 's/.*"replicates": \([0-9]*\).*/\1/p' "$1/summary.json"; }
nulls() { sed -n 's/.*"null_replicates": \([0-9]*\).*/\1/p' "$1/summary.json"; }
# the same run written four ways
"$ITPSIM" run "$scn" -n 30 -s 4 -o "$dir/a" --quiet > /dev/null || fail "plain"
"$ITPSIM" run --reps=30 --seed=4 --output="$dir/b" --quiet "$scn" > /dev/null || fail "--name=value"
"$ITPSIM" run -n30 -s4 -o"$dir/c" --quiet "$scn" > /dev/null || fail "-n30"
"$ITPSIM" run --quiet -n 30 -s 4 -o "$dir/d" -- "$scn" > /dev/null || fail "--"
for x in b c d; do sh tests/scripts/cmp_results.sh "$dir/a" "$dir/$x" || fail "$x differs"; done
[ "$(reps "$dir/a")" = 30 ] || fail "30 replicates"
# --no-null before the scenario does not take it as its value
"$ITPSIM" run --no-null "$scn" -n 20 -o "$dir/e" --quiet > /dev/null || fail "--no-null SCENARIO"
[ "$(nulls "$dir/e")" = 0 ] || fail "--no-null ignored"
# after --, an option is an argument
out=$("$ITPSIM" run --quiet -- "$scn" -n 10 2>&1); rc=$?
[ "$rc" -eq 2 ] && case "$out" in *"itpsim run: unexpected argument '-n'"*) ;; *) rc=99 ;; esac
[ "$rc" -eq 2 ] || fail "after --: exit $rc: $out"
# --version
v=$("$ITPSIM" --version) || fail "--version exit"
case "$v" in "itpsim "[0-9]*) ;; *) fail "--version: $v" ;; esac
# usage errors: exit 2, naming the command and the option
check() {   # expected text, then the arguments
  want=$1; shift
  out=$("$ITPSIM" "$@" 2>&1); rc=$?
  [ "$rc" -eq 2 ] || fail "$*: exit $rc, expected 2: $out"
  case "$out" in *"$want"*) ;; *) fail "$*: message lacks '$want': $out" ;; esac
}
check "itpsim run: unknown option '--bogus'" run "$scn" --bogus
check "itpsim run: unknown option '-x'" run "$scn" -x
check "itpsim run: -n needs a value" run "$scn" -n
check "itpsim run: --precision: 'abc' is not a number" run "$scn" --precision=abc
check "itpsim sweep: unknown option '--plots'" sweep "$scn" --plots
check "itpsim check: --set needs a value" check "$scn" --set
check "itpsim simulate: -n/--patients: '0' is not a whole number" simulate "$scn" -n 0
check "itpsim: help: no command 'nosuch'" help nosuch
check "itpsim: unknown command 'nosuch'" nosuch
exit 0
