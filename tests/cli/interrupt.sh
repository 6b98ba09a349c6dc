#!/bin/sh
# Interruption and resume of `itpsim run`:
# - SIGINT early in the run stops it within a second with exit 130, and
#   DIR holds the completed replicates (a multiple of the 256-replicate
#   chunk; design and null interleaved by chunk, so the null never runs
#   ahead of the design nor more than a chunk behind) marked "partial":
#   true with their count, run.state, and no temporary file;
# - --resume continues (with another thread count), SIGTERM later stops it
#   again the same way, with both design and null replicates (power and
#   type I error), and a second --resume finishes:
#   the four result files then equal, byte for byte, those of a run never
#   interrupted, and run.state is gone;
# - --resume refuses (exit 2) a folder without an interrupted run, other
#   options than the interrupted run's, and another scenario;
# - a run killed outright (SIGKILL) leaves no result file under its final
#   name;
# - with --precision, an interrupted and resumed run stops where an
#   uninterrupted one does, with the same files.
: "${ITPSIM:=build/itpsim}"
dir=$(mktemp -d)
trap 'rm -rf "$dir"' EXIT
scn=scenarios/vayhit2.cfg
reps=1500
fail() { echo "FAIL: $*"; exit 1; }
now_ms() { echo $(( $(date +%s%N) / 1000000 )); }
# rows of PHASE ("design" or "null") in the replicates.csv being written by PID in DIR
rows() { c=$(grep -c "^$3," "$1/.replicates.csv.tmp-$2" 2>/dev/null); echo "${c:-0}"; }
# starts itpsim run in the background with SIGINT and SIGTERM at their
# defaults (a shell may start background jobs with SIGINT ignored, which
# itpsim respects); sets pid
start() { env --default-signal=INT,TERM "$ITPSIM" run "$@" --quiet > "$dir/out" 2> "$dir/err" & pid=$!; }
# waits until PID has written N rows of PHASE to OUT, then sends SIG and
# checks exit 130 within a second
interrupt() {
  out=$1 phase=$2 n=$3 sig=$4 i=0
  while [ "$(rows "$out" "$pid" "$phase")" -lt "$n" ]; do
    i=$((i + 1)); [ $i -lt 3000 ] || fail "no $n $phase rows after 60 s"
    kill -0 "$pid" 2>/dev/null || fail "the run ended before it could be interrupted"
    sleep 0.02
  done
  t0=$(now_ms); kill -"$sig" "$pid"; wait "$pid"; rc=$?; t1=$(now_ms)
  [ "$rc" -eq 130 ] || { cat "$dir/err"; fail "SIG$sig: exit $rc, expected 130"; }
  echo "SIG$sig after $n $phase rows: stopped in $((t1 - t0)) ms"
  [ $((t1 - t0)) -lt 1000 ] || fail "SIG$sig: took $((t1 - t0)) ms to stop"
  grep -q '"partial": true' "$out/summary.json" || fail "summary.json not marked partial"
  done=$(sed -n 's/.*"completed": \([0-9]*\).*/\1/p' "$out/summary.json")
  d=$(sed -n 's/.*"replicates": \([0-9]*\).*/\1/p' "$out/summary.json")
  u=$(sed -n 's/.*"null_replicates": \([0-9]*\).*/\1/p' "$out/summary.json")
  [ "$done" -gt 0 ] && [ "$done" -eq $((d + u)) ] || fail "completed $done != $d + $u"
  [ $((d % 256)) -eq 0 ] || [ "$d" -eq "$reps" ] || fail "$d design replicates: not whole chunks"
  [ $((u % 256)) -eq 0 ] || [ "$u" -eq "$reps" ] || fail "$u null replicates: not whole chunks"
  [ "$u" -le "$d" ] && [ $((d - u)) -le 256 ] || fail "$d design and $u null: not interleaved"
  [ "$(($(wc -l < "$out/replicates.csv") - 1))" -eq "$done" ] || fail "replicates.csv rows != completed $done"
  [ -f "$out/run.state" ] || fail "no run.state"
  ls -A "$out" | grep -q '\.tmp-' && fail "temporary files left: $(ls -A "$out")"
  grep -q "resume" "$dir/err" || fail "no resume hint: $(cat "$dir/err")"
  return 0
}

"$ITPSIM" run "$scn" -n $reps -s 5 -j 2 -o "$dir/ref" --quiet > "$dir/ref.out" || fail "reference run"

start "$scn" -n $reps -s 5 -j 2 -o "$dir/r"
interrupt "$dir/r" design 256 INT
grep -q PARTIAL "$dir/out" || fail "the printed table is not marked partial"

# refusals, which leave the interrupted run as it was
cp "$dir/r/run.state" "$dir/state.before"
for args in "-s 6" "-n 3000" "--no-null" "-o $dir/other"; do
  "$ITPSIM" run "$scn" --resume "$dir/r" $args --quiet > /dev/null 2> "$dir/err.x"
  [ $? -eq 2 ] || fail "--resume with $args: expected exit 2: $(cat "$dir/err.x")"
done
"$ITPSIM" run scenarios/hazard_two_arm.cfg --resume "$dir/r" --quiet > /dev/null 2> "$dir/err.x"
[ $? -eq 2 ] && grep -q "another scenario" "$dir/err.x" || fail "--resume with another scenario"
"$ITPSIM" run "$scn" --resume "$dir/r" --set patients=150 --quiet > /dev/null 2> "$dir/err.x"
[ $? -eq 2 ] || fail "--resume with other --set values"
mkdir "$dir/empty"
"$ITPSIM" run "$scn" --resume "$dir/empty" --quiet > /dev/null 2> "$dir/err.x"
[ $? -eq 2 ] && grep -q "no interrupted run" "$dir/err.x" || fail "--resume without run.state"
# a plain run over the interrupted one is refused, pointing at --resume
"$ITPSIM" run "$scn" -o "$dir/r" --quiet > /dev/null 2> "$dir/err.x"
[ $? -eq 2 ] && grep -q "holds an interrupted run.*--resume $dir/r.*--force" "$dir/err.x" ||
  fail "plain run over an interrupted one: $(cat "$dir/err.x")"
cmp "$dir/state.before" "$dir/r/run.state" || fail "a refused --resume changed run.state"

# continue (options from run.state), stop again further on
start "$scn" --resume "$dir/r" -j 1
interrupt "$dir/r" null 768 TERM
[ "$u" -ge 768 ] || fail "second stop with $u null replicates"

# and finish, the scenario taken from what the folder recorded
"$ITPSIM" run --resume "$dir/r" -s 5 -j 2 --quiet > "$dir/r.out" 2> "$dir/err" ||
  fail "final --resume: $(cat "$dir/err")"
sh tests/scripts/cmp_results.sh "$dir/ref" "$dir/r" || fail "differs from the uninterrupted run"
cmp "$dir/ref.out" "$dir/r.out" || fail "printed summary differs"
[ ! -e "$dir/r/run.state" ] || fail "run.state left after the run finished"
ls -A "$dir/r" | grep -q '\.tmp-' && fail "temporary files left"
grep -q '"partial": false' "$dir/r/summary.json" || fail "finished run still partial"
"$ITPSIM" run "$scn" --resume "$dir/r" --quiet > /dev/null 2>&1
[ $? -eq 2 ] || fail "--resume of a finished run"

# --precision: the stopping point survives an interruption (hazard model)
hz=scenarios/hazard_two_arm.cfg
"$ITPSIM" run $hz --precision 0.004 -s 3 -j 2 -o "$dir/pref" --quiet > /dev/null || fail "precision run"
start $hz --precision 0.004 -s 3 -j 2 -o "$dir/p"
interrupt "$dir/p" design 1024 INT
"$ITPSIM" run $hz --resume "$dir/p" -j 1 --quiet > /dev/null || fail "precision --resume"
sh tests/scripts/cmp_results.sh "$dir/pref" "$dir/p" ||
  fail "--precision: differs from the uninterrupted run"

# SIGKILL: nothing under a final name
start "$scn" -n $reps -s 5 -j 2 -o "$dir/k"
while [ "$(rows "$dir/k" "$pid" design)" -lt 256 ]; do sleep 0.02; done
kill -KILL "$pid"; wait "$pid"
for f in summary.json summary.csv arms.csv replicates.csv run.state; do
  [ ! -e "$dir/k/$f" ] || fail "SIGKILL left $f"
done
echo "resumed twice: result files identical to the uninterrupted run"
