#!/bin/sh
# The MPI build (build/itpsim-mpi, `make mpi`) against the plain program:
# - `run` (the hazard scenario, and a small VAYHIT2 run), `sweep`,
#   `samplesize` and a short `calibrate` under mpirun with 1, 2 and 3 ranks
#   and -j 1 and 2 write the same result files, byte for byte, and print the
#   same table as build/itpsim with the same seed;
# - SIGINT to mpirun during a run stops every rank at the same chunk: rank 0
#   leaves the folder marked partial with whole chunks and run.state, and
#   the plain program's --resume finishes it to the bytes of a run never
#   interrupted.
# Skipped (77) when mpirun or build/itpsim-mpi is missing.
: "${ITPSIM:=build/itpsim}" "${BUILD:=build}"
mpi_bin=$BUILD/itpsim-mpi
command -v mpirun > /dev/null 2>&1 || { echo "mpirun not found (openmpi-bin)"; exit 77; }
[ -x "$mpi_bin" ] || { echo "$mpi_bin not built (make mpi, needs mpicc)"; exit 77; }
dir=$(mktemp -d)
trap 'rm -rf "$dir"' EXIT
fail() { echo "FAIL: $*"; exit 1; }
# Open MPI refuses root without these; 3 ranks on fewer cores need
# --oversubscribe, and no binding lets a rank's threads use every core.
export OMPI_ALLOW_RUN_AS_ROOT=1 OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=1
mpi() { np=$1; shift; mpirun --oversubscribe --bind-to none -np "$np" "$mpi_bin" "$@"; }

# same FILES in folders A and B (summary.json without its provenance line,
# which records the ranks and threads: tests/scripts/cmp_results.sh)
same() {
  a=$1 b=$2; shift 2
  sh tests/scripts/cmp_results.sh "$a" "$b" "$@" || fail "$b differs from $a"
}

# CASE NAME, FILES, then the command's arguments (without -o, -j): the
# plain program at -j 2, then every rank count and thread count
check() {
  name=$1 files=$2; shift 2
  "$ITPSIM" "$@" -j 2 -o "$dir/$name.ref" > "$dir/$name.ref.out" 2> "$dir/$name.ref.err" ||
    fail "$name: plain run: $(cat "$dir/$name.ref.err")"
  for np in 1 2 3; do
    for j in 1 2; do
      out=$dir/$name.$np.$j
      mpi $np "$@" -j $j -o "$out" > "$out.out" 2> "$out.err" ||
        fail "$name, $np ranks, -j $j: exit $?: $(cat "$out.err")"
      # shellcheck disable=SC2086
      same "$dir/$name.ref" "$out" $files
      sed "s|$out|DIR|g" "$out.out" > "$out.out.d"
      sed "s|$dir/$name.ref|DIR|g" "$dir/$name.ref.out" > "$dir/$name.ref.out.d"
      cmp "$dir/$name.ref.out.d" "$out.out.d" || fail "$name, $np ranks, -j $j: printed output"
    done
  done
  echo "$name: identical for 1, 2, 3 ranks x -j 1, 2"
}

runfiles="summary.json summary.csv arms.csv replicates.csv"
check hazard "$runfiles" run scenarios/hazard_two_arm.cfg -n 600 -s 9 --quiet
check vayhit2 "$runfiles" run scenarios/vayhit2.cfg -n 300 -s 4 --set patients=60 --quiet
check sweep "sweep.csv sweep_arms.csv" sweep scenarios/hazard_two_arm.cfg \
  --vary followup.events=20,40 -n 300 -s 2 --no-null --quiet
check samplesize "samplesize.csv" samplesize scenarios/hazard_two_arm.cfg --power 0.8 \
  -n 200 --min 40 --max 200 --quiet
check calibrate "calibration.md fitted.cfg" calibrate scenarios/vayhit2.cfg -s 3 \
  --set calibration.max_evaluations=6 --set calibration.starts=1 \
  --set calibration.power_replicates=200 --set calibration.patients_per_arm=2000

# Interruption: 3 ranks, SIGINT to mpirun once rank 0 has written 256
# design rows (mpirun passes the stop on to the ranks as SIGTERM).
scn=scenarios/vayhit2.cfg
reps=3000
"$ITPSIM" run $scn -n $reps -s 5 -j 2 -o "$dir/iref" --quiet > /dev/null || fail "reference run"
env --default-signal=INT,TERM mpirun --oversubscribe --bind-to none -np 3 "$mpi_bin" run $scn \
  -n $reps -s 5 -j 1 -o "$dir/i" --quiet > "$dir/i.out" 2> "$dir/i.err" &
pid=$!
i=0
while :; do
  c=$(cat "$dir"/i/.replicates.csv.tmp-* 2>/dev/null | grep -c '^design,')
  [ "${c:-0}" -ge 256 ] && break
  kill -0 $pid 2>/dev/null || fail "the MPI run ended before it could be interrupted"
  i=$((i + 1)); [ $i -lt 3000 ] || fail "no 256 design rows after 60 s"
  sleep 0.02
done
kill -INT $pid
wait $pid
echo "mpirun after SIGINT: exit $?"
grep -q '"partial": true' "$dir/i/summary.json" ||
  fail "summary.json not marked partial: $(cat "$dir/i.err")"
done=$(sed -n 's/.*"completed": \([0-9]*\).*/\1/p' "$dir/i/summary.json")
d=$(sed -n 's/.*"replicates": \([0-9]*\).*/\1/p' "$dir/i/summary.json")
u=$(sed -n 's/.*"null_replicates": \([0-9]*\).*/\1/p' "$dir/i/summary.json")
[ "$done" -gt 0 ] && [ "$done" -eq $((d + u)) ] || fail "completed $done != $d + $u"
[ $((d % 256)) -eq 0 ] || [ "$d" -eq $reps ] || fail "$d design replicates: not whole chunks"
[ $((u % 256)) -eq 0 ] || fail "$u null replicates: not whole chunks"
[ "$(($(wc -l < "$dir/i/replicates.csv") - 1))" -eq "$done" ] || fail "replicates.csv rows != $done"
[ -f "$dir/i/run.state" ] || fail "no run.state"
ls -A "$dir/i" | grep -q '\.tmp-' && fail "temporary files left: $(ls -A "$dir/i")"
grep -q "resume" "$dir/i.err" || fail "no resume hint: $(cat "$dir/i.err")"
echo "interrupted after $done replicates"
"$ITPSIM" run $scn --resume "$dir/i" -j 2 --quiet > /dev/null 2> "$dir/i.err2" ||
  fail "--resume: $(cat "$dir/i.err2")"
same "$dir/iref" "$dir/i" $runfiles
[ ! -e "$dir/i/run.state" ] || fail "run.state left after the run finished"
echo "interrupted MPI run resumed by build/itpsim: identical to the uninterrupted run"
