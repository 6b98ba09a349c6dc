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
# numbers parsed strictly: no sign, no blank, no exponent, in range
check "itpsim run: -s/--seed: ' -1' is not a whole number" run "$scn" -s " -1"
check "itpsim run: -s/--seed: '+3' is not a whole number" run "$scn" -s +3
check "itpsim run: -s/--seed: '18446744073709551616' is not a whole number" run "$scn" -s 18446744073709551616
check "itpsim run: -n/--reps: ' 10' is not a whole number" run "$scn" -n " 10"
check "itpsim run: -n/--reps: '1e3' is not a whole number" run "$scn" -n 1e3
check "itpsim run: -j/--threads: '2 ' is not a thread count" run "$scn" -j "2 "
check "itpsim samplesize: --power: ' 0.8' is not a number" samplesize "$scn" --power " 0.8"
check "itpsim samplesize: --power: 'nan' is not a number" samplesize "$scn" --power nan
# a value that looks like an option is refused, not taken; attached it is taken
check "itpsim run: -o needs a value, and '--quiet' is an option" run "$scn" -o --quiet -n 10
check "itpsim run: --output needs a value, and '-q' is an option" run "$scn" --output -q -n 10
check "itpsim run: --seed needs a value, and '--force' is an option" run "$scn" --seed --force
itp=$(cd "$(dirname "$ITPSIM")" && pwd)/$(basename "$ITPSIM")
root=$(pwd)
mkdir "$dir/dash" && (cd "$dir/dash" &&
  "$itp" run "$root/$scn" -n 10 --output=-x --quiet > /dev/null) || fail "--output=-x"
[ -f "$dir/dash/-x/summary.json" ] || fail "--output=-x did not write into -x"
# every command fails (exit 1) when its standard output cannot be written
for args in "check $scn" "simulate $scn -n 20" "help" "--version" \
            "samplesize $scn --power 0.5 --min 20 --max 40 -n 20 --quiet -o $dir/ss" \
            "sweep $scn --vary patients=100,120 -n 20 --quiet -o $dir/sw" \
            "run $scn -n 20 -o $dir/full"; do
  # shellcheck disable=SC2086
  out=$("$ITPSIM" $args 2>&1 > /dev/full); rc=$?
  [ "$rc" -eq 1 ] || fail "$args > /dev/full: exit $rc, expected 1: $out"
  case "$out" in *"standard output"*) ;; *) fail "$args > /dev/full: message: $out" ;; esac
done
exit 0
