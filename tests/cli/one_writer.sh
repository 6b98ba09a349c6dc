#!/bin/sh
# One writer per output folder: while `itpsim run` writes DIR (it holds an
# exclusive lock on DIR/.itpsim.lock for the whole run), a second run into
# DIR, even of another scenario, is refused at once (exit 2, a message
# naming DIR as in use), and so are simulate, sweep, samplesize and merge
# into it; the first run goes on and finishes with its own results. Once
# it has ended, the folder is free again.
: "${ITPSIM:=build/itpsim}"
dir=$(mktemp -d)
pid=
cleanup() { [ -n "$pid" ] && kill "$pid" 2>/dev/null; rm -rf "$dir"; }
trap cleanup EXIT
fail() { echo "FAIL: $*"; exit 1; }
scn=scenarios/hazard_two_arm.cfg

# a run long enough (a few seconds) to be busy while the others try
"$ITPSIM" run "$scn" -n 20000 -j 2 -o "$dir/d" --quiet > "$dir/first.out" 2> "$dir/first.err" &
pid=$!
i=0
until ls -A "$dir/d" 2>/dev/null | grep -q '^\.replicates\.csv\.tmp-'; do
  i=$((i + 1)); [ $i -lt 500 ] || fail "the first run wrote nothing in 10 s"
  kill -0 "$pid" 2>/dev/null || fail "the first run ended at once: $(cat "$dir/first.err")"
  sleep 0.02
done

refused() {   # NAME, then the command
  what=$1; shift
  "$@" > /dev/null 2> "$dir/err"
  rc=$?
  kill -0 "$pid" 2>/dev/null || fail "$what: the first run had ended before the check"
  [ $rc -eq 2 ] || fail "$what into a folder in use: exit $rc, expected 2: $(cat "$dir/err")"
  grep -q "$dir/d is in use" "$dir/err" || fail "$what: message: $(cat "$dir/err")"
}
refused "run of another scenario" "$ITPSIM" run scenarios/vayhit2.cfg -n 10 -o "$dir/d" --quiet
refused "run --force" "$ITPSIM" run scenarios/vayhit2.cfg -n 10 -o "$dir/d" --force --quiet
refused "run --resume" "$ITPSIM" run "$scn" --resume "$dir/d" --quiet
refused simulate "$ITPSIM" simulate "$scn" -o "$dir/d"
refused sweep "$ITPSIM" sweep "$scn" -n 10 --vary patients=60,80 -o "$dir/d" --quiet
refused samplesize "$ITPSIM" samplesize "$scn" -n 10 --power 0.5 -o "$dir/d" --quiet
echo "refused while busy: $(cat "$dir/err")"

wait "$pid"; rc=$?; pid=
[ $rc -eq 0 ] || fail "the first run: exit $rc: $(cat "$dir/first.err")"
grep -q '"scenario": "Two-arm hazard design"' "$dir/d/summary.json" || fail "summary.json is not the first run's"
grep -q '"replicates": 20000' "$dir/d/summary.json" || fail "the first run's replicates"
[ "$(wc -l < "$dir/d/replicates.csv")" -eq 40001 ] || fail "replicates.csv is not the first run's"
[ ! -e "$dir/d/patients.csv" ] || fail "simulate wrote into the busy folder"
ls -A "$dir/d" | grep -q '\.tmp-' && fail "temporaries left: $(ls -A "$dir/d")"

# free again once the first has ended
"$ITPSIM" run "$scn" -n 100 -o "$dir/d" --quiet > /dev/null || fail "a run after the first ended"
echo "one writer per folder checks passed"
