#!/bin/sh
# `itpsim run`, `sweep` and `samplesize` from the command line:
# - byte-identical result files for -j 1, 2 and 4 with the same seed;
# - summary.json holds the keys other tools read;
# - the summary labels each median estimate (HR for a log-rank test) and
#   the family-wise error's null;
# - --precision stops at a multiple of the 256-replicate chunk;
# - power rises with the number of events of an event-driven cut in a sweep
#   (common random numbers); at a fixed event count it would not move with
#   the sample size, as Schoenfeld's formula says;
# - samplesize reports a size whose power reaches the target while the next
#   smaller evaluated size does not;
# - a scenario without an analysis plan is refused with exit 2.
: "${ITPSIM:=build/itpsim}"
dir=$(mktemp -d)
trap 'rm -rf "$dir"' EXIT
set -e
scn=scenarios/hazard_two_arm.cfg
for j in 1 2 4; do
  "$ITPSIM" run "$scn" -n 600 -s 9 -j $j -o "$dir/j$j" --quiet > "$dir/j$j.out"
done
sh tests/scripts/cmp_results.sh "$dir/j1" "$dir/j2"
sh tests/scripts/cmp_results.sh "$dir/j1" "$dir/j4"
for key in '"scenario"' '"seed": 9' '"replicates": 600' '"hypotheses"' '"name": "ttf"' \
           '"power"' '"power_mcse"' '"type1_error"' '"type1_mcse"' '"fwer"' '"arms"' \
           '"tf_free_12m"' '"median_ttf_months"'; do
  grep -q "$key" "$dir/j1/summary.json" || { echo "summary.json lacks $key"; exit 1; }
done
# the summary says what each median estimate is (a log-rank test's: a
# hazard ratio) and the null of the family-wise error
grep -Eq '^ttf +[a-z_0-9]+ +logrank .* HR [0-9.]+$' "$dir/j1.out" ||
  { echo "summary: no HR in the median estimate column"; cat "$dir/j1.out"; exit 1; }
grep -q 'family-wise error under the global null [0-9.]* (' "$dir/j1.out" ||
  { echo "summary: family-wise error without its null"; exit 1; }
# provenance: version, command line, defaults and their hash, threads,
# ranks, date; the --set overrides on a line of their own
grep -q '^  "sets": \[\],$' "$dir/j2/summary.json" || { echo "summary.json lacks sets"; exit 1; }
prov=$(grep '^  "provenance": ' "$dir/j2/summary.json")
for key in '"version": "' '"command": "itpsim run scenarios/hazard_two_arm.cfg -n 600 -s 9 -j 2 ' \
           '"defaults": "config/defaults.cfg"' '"defaults_hash": "fnv1a64:' \
           '"threads": 2' '"ranks": 1' '"date": "20'; do
  case "$prov" in *"$key"*) ;; *) echo "provenance lacks $key: $prov"; exit 1 ;; esac
done
# into a folder of results: the same seed and settings again is fine;
# another seed or another --set is refused without --force
"$ITPSIM" run "$scn" -n 50 -s 9 -o "$dir/j4" --quiet > /dev/null
set +e
"$ITPSIM" run "$scn" -n 50 -s 10 -o "$dir/j4" --quiet > /dev/null 2> "$dir/err"; rc=$?
set -e
[ "$rc" -eq 2 ] && grep -q "with seed 9, not 10; use --force" "$dir/err"
set +e
"$ITPSIM" run "$scn" -n 50 -s 9 --set patients=90 -o "$dir/j4" --quiet > /dev/null 2> "$dir/err"
rc=$?
set -e
[ "$rc" -eq 2 ] && grep -q "with other settings" "$dir/err"
"$ITPSIM" run "$scn" -n 50 -s 10 -o "$dir/j4" --quiet --force > /dev/null
# 600 design and 600 null rows, one per replicate
[ "$(grep -c '^design,' "$dir/j1/replicates.csv")" -eq 600 ]
[ "$(grep -c '^null,' "$dir/j1/replicates.csv")" -eq 600 ]
# the VAYHIT2 summary carries one key per binary endpoint in each arm
"$ITPSIM" run scenarios/vayhit2.cfg -n 20 -o "$dir/v" --quiet --set patients=30 > /dev/null
grep -q '"sr6"' "$dir/v/summary.json"
# precision
"$ITPSIM" run "$scn" --precision 0.02 -o "$dir/p" --quiet --no-null > /dev/null
reps=$(sed -n 's/.*"replicates": \([0-9]*\).*/\1/p' "$dir/p/summary.json")
[ $((reps % 256)) -eq 0 ]
awk -F, -v r="$reps" 'NR == 2 { if (sqrt($7 * (1 - $7) / r) > 0.02) exit 1 }' "$dir/p/summary.csv"
# sweep over the events at the cut: power rises
"$ITPSIM" sweep "$scn" --vary followup.events=20,40,80 -n 400 --no-null -o "$dir/s" --quiet > /dev/null
awk -F, 'NR > 1 { p[NR] = $3 } END { if (!(p[2] < p[3] && p[3] < p[4])) exit 1 }' "$dir/s/sweep.csv"
[ "$(wc -l < "$dir/s/sweep.csv")" -eq 4 ]
# a sweep killed after its first points resumes after them, to the same
# files as one never stopped; a plain sweep over it is refused, as is a
# --resume with another grid
v="--vary followup.events=20,30,40,50,60,70"
"$ITPSIM" sweep "$scn" $v -n 1500 -o "$dir/sref" --quiet > /dev/null
env --default-signal=INT "$ITPSIM" sweep "$scn" $v -n 1500 -o "$dir/sk" --quiet > /dev/null &
pid=$!
i=0
while c=$(grep -c . "$dir/sk/sweep.progress.csv" 2>/dev/null); [ "${c:-0}" -lt 3 ]; do
  i=$((i + 1)); [ $i -lt 3000 ] || { echo "sweep: no progress"; exit 1; }; sleep 0.02
done
kill -KILL "$pid"; wait "$pid" 2>/dev/null || true
[ -f "$dir/sk/sweep.id" ] && [ ! -f "$dir/sk/sweep.csv" ] || { echo "sweep finished before the kill"; exit 1; }
set +e
"$ITPSIM" sweep "$scn" $v -n 1500 -o "$dir/sk" --quiet > /dev/null 2> "$dir/err"; rc=$?
[ "$rc" -eq 2 ] && grep -q "holds an interrupted sweep" "$dir/err" || { echo "plain sweep over a stopped one: $rc"; exit 1; }
"$ITPSIM" sweep "$scn" --vary followup.events=20,30 -n 1500 --resume "$dir/sk" --quiet > /dev/null 2> "$dir/err"
rc=$?
[ "$rc" -eq 2 ] && grep -q "is another" "$dir/err" || { echo "--resume with another grid: $rc"; exit 1; }
set -e
"$ITPSIM" sweep "$scn" $v -n 1500 --resume "$dir/sk" --quiet > /dev/null
cmp "$dir/sref/sweep.csv" "$dir/sk/sweep.csv"
cmp "$dir/sref/sweep_arms.csv" "$dir/sk/sweep_arms.csv"
[ ! -e "$dir/sk/sweep.id" ] && [ ! -e "$dir/sk/sweep.progress.csv" ]
# per-arm figures per grid point: a row per point and arm, the events
# (mean per arm) rising with the cut's events, summing to about the cut
[ "$(head -n 1 "$dir/s/sweep_arms.csv")" = "followup.events,arm,mean_patients,mean_events,landmark_free,median_months,mean_analysis_month" ]
awk -F, 'NR > 1 { ev[$1] += $4 } END { if (!(ev[20] >= 20 && ev[20] < 21.5 && ev[40] >= 40 &&
  ev[40] < 41.5 && ev[80] >= 80 && ev[80] < 81.5)) exit 1 }' "$dir/s/sweep_arms.csv"
# sample size, with a calendar cut 12 months after the last patient
sed 's/data_cut = "events"; events = 60;/cut_months = 12.0;/' "$scn" > "$dir/cal.cfg"
"$ITPSIM" samplesize "$dir/cal.cfg" --power 0.8 -n 400 --max 400 -o "$dir/n" --quiet > "$dir/n.out"
awk -F, 'NR > 1 { n[NR] = $1; p[NR] = $3; c[NR] = $6 }
  END { for (i = 2; i in n; i++) if (c[i] == 1) { if (p[i] < 0.8) exit 1; if (i > 2 && p[i - 1] >= 0.8) exit 1; ok = 1 }
        if (!ok) exit 1 }' "$dir/n/samplesize.csv"
cat "$dir/n.out"
[ ! -e "$dir/n/samplesize.progress" ]
# a search killed after its first sizes resumes with them, to the same
# samplesize.csv; a plain search over it is refused
env --default-signal=INT "$ITPSIM" samplesize "$dir/cal.cfg" --power 0.8 -n 1200 --max 400 \
  -o "$dir/nk" --quiet > /dev/null &
pid=$!
i=0
while c=$(grep -c . "$dir/nk/samplesize.progress" 2>/dev/null); [ "${c:-0}" -lt 3 ]; do
  i=$((i + 1)); [ $i -lt 3000 ] || { echo "samplesize: no progress"; exit 1; }; sleep 0.02
done
kill -KILL "$pid"; wait "$pid" 2>/dev/null || true
[ ! -e "$dir/nk/samplesize.csv" ] || { echo "samplesize finished before the kill"; exit 1; }
set +e
"$ITPSIM" samplesize "$dir/cal.cfg" --power 0.8 -n 1200 --max 400 -o "$dir/nk" --quiet \
  > /dev/null 2> "$dir/err"; rc=$?
set -e
[ "$rc" -eq 2 ] && grep -q "holds a stopped search" "$dir/err"
"$ITPSIM" samplesize "$dir/cal.cfg" --power 0.8 -n 1200 --max 400 -o "$dir/nref" --quiet > /dev/null
"$ITPSIM" samplesize "$dir/cal.cfg" --power 0.8 -n 1200 --max 400 --resume "$dir/nk" --quiet > /dev/null
cmp "$dir/nref/samplesize.csv" "$dir/nk/samplesize.csv"
[ ! -e "$dir/nk/samplesize.progress" ]
# no analysis plan: nothing to test, exit 2 and no result files
sed '/^analysis = {/,$d' "$scn" > "$dir/noplan.cfg"
set +e
"$ITPSIM" run "$dir/noplan.cfg" -o "$dir/x" --quiet 2> "$dir/x.err"
[ $? -eq 2 ] && grep -q "no analysis plan" "$dir/x.err" && [ ! -e "$dir/x/summary.json" ] || exit 1
