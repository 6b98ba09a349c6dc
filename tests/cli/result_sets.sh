#!/bin/sh
# The result files of a folder switch as one set:
# - with the test hook ITPSIM_TEST_RENAME_DELAY_MS (a pause before each
#   rename of a set), SIGTERM sent between the renames waits until the set
#   is switched: the folder then holds the new run's files, all of them,
#   and no list of renames (.itpsim.switch) or temporary;
# - SIGKILL between the renames leaves the old set partly replaced and the
#   list .itpsim.switch; the next itpsim to open the folder (here a run
#   that is then refused for its other settings, and `plot`, a reader)
#   finishes the switch first: the folder holds the new set in full;
# - stale temporaries of a process killed outright (.NAME.tmp-PID) are
#   removed by the next run in the folder;
# - a run killed outright (SIGKILL) after a checkpoint (here at every chunk:
#   ITPSIM_CHECKPOINT_SECONDS=0) is refused by a plain rerun (exit 2,
#   pointing at --resume) and finished by --resume, with the result files
#   of a run never interrupted (tests/scripts/cmp_results.sh), and no
#   checkpoint or temporary left.
: "${ITPSIM:=build/itpsim}"
dir=$(mktemp -d)
pid=
cleanup() { [ -n "$pid" ] && kill -9 "$pid" 2>/dev/null; rm -rf "$dir"; }
trap cleanup EXIT
fail() { echo "FAIL: $*"; exit 1; }
scn=scenarios/hazard_two_arm.cfg
# the number of replicates summary.json says, and replicates.csv holds, in D
said() { sed -n 's/^  "replicates": \([0-9]*\),.*/\1/p' "$1/summary.json"; }
rows() { echo $(( $(grep -c '^design,' "$1/replicates.csv") )); }
# waits until D/replicates.csv holds N design rows while PID still runs
# (then the set is being switched: replicates.csv is renamed first)
in_switch() {
  i=0
  until [ -f "$1/replicates.csv" ] && [ "$(rows "$1")" -eq "$2" ]; do
    i=$((i + 1)); [ $i -lt 500 ] || fail "no new replicates.csv after 10 s"
    kill -0 "$pid" 2>/dev/null || fail "the run ended before its files were switched (no pause between the renames?)"
    sleep 0.02
  done
  kill -0 "$pid" 2>/dev/null || fail "the run ended before it could be stopped between the renames"
}
consistent() {   # D N: one set, of N replicates
  [ "$(said "$1")" = "$2" ] || fail "summary.json says $(said "$1") replicates, expected $2"
  [ "$(rows "$1")" -eq "$2" ] || fail "replicates.csv holds $(rows "$1") design rows, expected $2"
  grep -q ",$2," "$1/summary.csv" || fail "summary.csv is not of $2 replicates: $(cat "$1/summary.csv")"
  [ ! -e "$1/.itpsim.switch" ] || fail "the list of renames is left"
  ls -A "$1" | grep -q '\.tmp-' && fail "temporaries left: $(ls -A "$1")"
  return 0
}

# SIGTERM between the renames: the switch is finished first
"$ITPSIM" run "$scn" -n 100 -o "$dir/t" --quiet > /dev/null || fail "first run"
ITPSIM_TEST_RENAME_DELAY_MS=400 env --default-signal=INT,TERM "$ITPSIM" run "$scn" -n 300 \
  -o "$dir/t" --quiet > /dev/null 2>&1 &
pid=$!
in_switch "$dir/t" 300
kill -TERM "$pid"; wait "$pid"; rc=$?; pid=
[ $rc -eq 143 ] || fail "SIGTERM between the renames: exit $rc, expected 143"
consistent "$dir/t" 300
echo "SIGTERM between the renames: the new set in full"

# SIGKILL between the renames: the next to open the folder finishes it
"$ITPSIM" run "$scn" -n 100 -o "$dir/k" --quiet > /dev/null || fail "first run"
ITPSIM_TEST_RENAME_DELAY_MS=400 "$ITPSIM" run "$scn" -n 300 -o "$dir/k" --quiet > /dev/null 2>&1 &
pid=$!
in_switch "$dir/k" 300
kill -KILL "$pid"; wait "$pid"; pid=
[ -e "$dir/k/.itpsim.switch" ] || fail "SIGKILL between the renames left no list of renames"
[ "$(said "$dir/k")" = 100 ] || fail "the kill came after summary.json was switched"
cp -R "$dir/k" "$dir/k2"
# a writer: opens the folder, finishes the switch, then refuses other settings
"$ITPSIM" run "$scn" -n 10 --set patients=120 -o "$dir/k" --quiet > /dev/null 2> "$dir/err"
[ $? -eq 2 ] || fail "a run with other settings was not refused: $(cat "$dir/err")"
consistent "$dir/k" 300
# a reader: plot finishes it too (what it draws does not matter here)
"$ITPSIM" plot "$dir/k2" > /dev/null 2>&1
consistent "$dir/k2" 300
echo "SIGKILL between the renames: the switch finished by the next writer and by a reader"

# temporaries of a process killed outright are removed by the next run
"$ITPSIM" run "$scn" -n 20000 -j 2 -o "$dir/s" --quiet > /dev/null 2>&1 &
pid=$!
i=0
until ls -A "$dir/s" 2>/dev/null | grep -q '^\.replicates\.csv\.tmp-'; do
  i=$((i + 1)); [ $i -lt 500 ] || fail "the run wrote nothing in 10 s"
  sleep 0.02
done
sleep 0.2
kill -KILL "$pid"; wait "$pid"; pid=
ls -A "$dir/s" | grep -q '\.tmp-' || fail "SIGKILL left no temporary (nothing to check)"
"$ITPSIM" run "$scn" -n 50 -o "$dir/s" --quiet > /dev/null || fail "the run after the kill"
ls -A "$dir/s" | grep -q '\.tmp-' && fail "stale temporaries left: $(ls -A "$dir/s")"
consistent "$dir/s" 50
echo "stale temporaries removed"

# --resume after SIGKILL
"$ITPSIM" run "$scn" -n 6000 -s 3 -o "$dir/ref" --quiet > /dev/null || fail "reference run"
ITPSIM_CHECKPOINT_SECONDS=0 "$ITPSIM" run "$scn" -n 6000 -s 3 -j 2 -o "$dir/r" --quiet \
  > /dev/null 2>&1 &
pid=$!
i=0
# (killed once a checkpoint is on the disk: before it, the run has nothing
# to resume from, and a slow build, as under a sanitizer, may get there late)
while [ ! -e "$dir/r/.run.checkpoint" ]; do
  i=$((i + 1)); [ $i -lt 3000 ] || fail "no checkpoint after 60 s"
  kill -0 "$pid" 2>/dev/null || fail "the run ended before it could be killed"
  sleep 0.02
done
kill -KILL "$pid"; wait "$pid"; pid=
[ ! -e "$dir/r/summary.json" ] || fail "the killed run left a summary.json"
"$ITPSIM" run "$scn" -n 6000 -s 3 -o "$dir/r" --quiet > /dev/null 2> "$dir/err"
[ $? -eq 2 ] && grep -q -- "--resume" "$dir/err" || fail "a rerun over a killed run: $(cat "$dir/err")"
"$ITPSIM" run --resume "$dir/r" --quiet > /dev/null 2> "$dir/err" || fail "--resume after SIGKILL: $(cat "$dir/err")"
sh tests/scripts/cmp_results.sh "$dir/ref" "$dir/r" || fail "the resumed run differs from an uninterrupted one"
ls -A "$dir/r" | grep -q -e '\.tmp-' -e checkpoint -e run.state && fail "left behind: $(ls -A "$dir/r")"
echo "--resume after SIGKILL: the files of an uninterrupted run"
echo "result set checks passed"
