#!/bin/sh
# The benchmark suite (`make bench`): runs the release build in folder $1
# (default build-bench) and prints, for this machine, the figures of issue 7;
# the same text goes to results/bench/latest.txt. Each figure is the median
# of BENCH_RUNS runs (default 5) with the smallest and largest in brackets.
#
#   1. VAYHIT2 (scenarios/vayhit2.cfg): `itpsim run`, design and null
#      replicates per second of wall time with 1 and 2 threads, speed-up.
#   2. The platelet model alone: ns of thread CPU time per simulated
#      patient-day (tests/bench/bench_trial.c), and the kinetics day step
#      alone (tests/bench/bench_kinetics.c).
#   3. The 100-patient hazard trial (scenarios/hazard_two_arm.cfg, event-
#      driven cut): `itpsim run` replicates per second, 1 and 2 threads.
#   4. Time per VAYHIT2 replicate (simulation and analysis, thread CPU time)
#      at 76, 152, 304 and 608 patients, and at 12, 24 and 39 months of
#      follow-up for everyone (followup.max_months = cut_months = M).
#   5. Peak resident memory of `itpsim run` for 1,000 and 100,000
#      replicates of the hazard trial (100,000 VAYHIT2 replicates would take
#      minutes), and for 1,000 VAYHIT2 replicates.
#
# Wall-clock figures (1, 3) include whatever else the machine runs: the
# load average is printed at the start and the end; thread CPU time
# (2, 4) is less sensitive to it. BENCH_WAIT_IDLE (below) waits for a quiet
# machine.
set -u
B=${1:-build-bench}
RUNS=${BENCH_RUNS:-5}
VREPS=${BENCH_VAYHIT2_REPS:-400}     # design replicates per run (as many null)
HREPS=${BENCH_HAZARD_REPS:-25000}
OUT=results/bench/latest.txt
for f in "$B/itpsim" "$B/bench/bench_trial" "$B/bench/bench_kinetics" "$B/bench/runstat"; do
  [ -x "$f" ] || { echo "bench.sh: $f missing (run make bench)" >&2; exit 1; }
done
# BENCH_WAIT_IDLE=S: wait up to S seconds for the 1-minute load average to
# fall below 0.5 before starting (other work on the machine spoils
# wall-clock figures, above all with 2 threads).
wait_idle=${BENCH_WAIT_IDLE:-0}
while [ "$wait_idle" -gt 0 ] && awk -v l="$(cut -d' ' -f1 /proc/loadavg)" 'BEGIN { exit !(l >= 0.5) }'; do
  sleep 10
  wait_idle=$((wait_idle - 10))
done
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
mkdir -p results/bench
ITPSIM_DEFAULTS=config/defaults.cfg
export ITPSIM_DEFAULTS

# stats: numbers on stdin -> "median [min, max]" with printf format $1
stats() {
  sort -g | awk -v f="$1" '{ x[NR] = $1 }
    END { if (NR == 0) { print "n/a"; exit }
          m = NR % 2 ? x[(NR + 1) / 2] : (x[NR / 2] + x[NR / 2 + 1]) / 2
          printf f " [" f ", " f "]", m, x[1], x[NR] }'
}
median() {
  sort -g | awk '{ x[NR] = $1 } END { print NR % 2 ? x[(NR + 1) / 2] : (x[NR / 2] + x[NR / 2 + 1]) / 2 }'
}
minimum() {
  sort -g | head -n 1
}
# itprun THREADS REPS SCENARIO -> "wall user sys maxrss exit" of one run
# (each scenario its own output folder: run refuses another's). A failed
# run leaves $tmp/failed, and `ok` after it ends the suite, so no figure is
# ever made from a failed run.
itprun() {
  _out=$("$B/bench/runstat" "$B/itpsim" run "$3" -n "$2" -j "$1" --quiet \
         -o "$tmp/run-$(basename "$3" .cfg)")
  case $_out in
    *" 0") echo "$_out" ;;
    *) echo "bench.sh: itpsim run $3 -n $2 -j $1 failed ($_out)" >&2
       : >"$tmp/failed"; echo "1 1 0 0 1" ;;
  esac
}
ok() {
  [ ! -f "$tmp/failed" ] || exit 1
}
fail() {
  echo "bench.sh: $1 failed" >&2
  : >"$tmp/failed"
  exit 1
}

{
cpu=$(sed -n 's/^model name[[:space:]]*: //p' /proc/cpuinfo 2>/dev/null | head -n 1)
echo "itpsim benchmarks ($(date -u '+%Y-%m-%d %H:%M UTC'))"
echo "commit     $(git rev-parse --short HEAD 2>/dev/null)$(git diff --quiet HEAD -- src include 2>/dev/null || echo ' (src/include modified)')"
echo "machine    $(nproc) cores, ${cpu:-unknown CPU}"
echo "compiler   $(${CC:-cc} --version 2>/dev/null | head -n 1); ${BENCH_OPT:-release flags of make bench}"
load=$(cut -d' ' -f1 /proc/loadavg)
echo "load       $(cut -d' ' -f1-3 /proc/loadavg) at the start (1, 5, 15 min)"
if awk -v l="$load" 'BEGIN { exit !(l > 0.5) }'; then
  echo "           (the machine is busy: wall-clock figures with 2 threads, and the"
  echo "            speed-up, understate what an idle machine gives)"
fi
echo "runs       median [min, max] of $RUNS runs"
echo

# ---- 1. VAYHIT2 replicates per second, 1 and 2 threads --------------------
: >"$tmp/v1"; : >"$tmp/v2"; : >"$tmp/v1cpu"
for r in $(seq "$RUNS"); do
  for t in 1 2; do
    set -- $(itprun $t "$VREPS" scenarios/vayhit2.cfg); ok
    echo "$VREPS $1" | awk '{ print 2 * $1 / $2 }' >>"$tmp/v$t"
    [ "$t" = 1 ] && echo "$VREPS $2" | awk '{ print 1000 * $2 / (2 * $1) }' >>"$tmp/v1cpu"
  done
done
m1=$(median <"$tmp/v1"); m2=$(median <"$tmp/v2")
echo "1. VAYHIT2 (scenarios/vayhit2.cfg, 152 patients): itpsim run -n $VREPS (design + null = $((2 * VREPS)) replicates)"
echo "   1 thread    $(stats '%.0f' <"$tmp/v1") replicates/s  ($(stats '%.2f' <"$tmp/v1cpu") ms CPU per replicate)"
echo "   2 threads   $(stats '%.0f' <"$tmp/v2") replicates/s"
echo "   speed-up    $(echo "$m1 $m2" | awk '{ printf "%.2f", $2 / $1 }') (ratio of the medians)"
echo "   target      2000 replicates/s with 2 threads, speed-up >= 1.8"
echo

# ---- 2. the platelet model alone ------------------------------------------
: >"$tmp/m"
for r in $(seq "$RUNS"); do
  "$B/bench/bench_trial" model scenarios/vayhit2.cfg 60 >>"$tmp/m" || fail bench_trial
done
days=$(awk '{ print $2 }' "$tmp/m" | median)
echo "2. Platelet model alone (enrolment, allocation and every patient simulated; no analysis)"
echo "   VAYHIT2     $(awk '{ print $1 }' "$tmp/m" | stats '%.1f') ns per patient-day  ($days patient-days per replicate)"
"$B/bench/bench_kinetics" >"$tmp/k" || fail bench_kinetics
sed 's/^/   kinetics: /' "$tmp/k"
echo "   target      10 ns per patient-day"
echo

# ---- 3. the 100-patient hazard trial ---------------------------------------
: >"$tmp/h1"; : >"$tmp/h2"
for r in $(seq "$RUNS"); do
  for t in 1 2; do
    set -- $(itprun $t "$HREPS" scenarios/hazard_two_arm.cfg); ok
    echo "$HREPS $1" | awk '{ print 2 * $1 / $2 }' >>"$tmp/h$t"
  done
done
echo "3. Hazard trial (scenarios/hazard_two_arm.cfg, 100 patients, cut at 60 events): itpsim run -n $HREPS ($((2 * HREPS)) replicates)"
echo "   1 thread    $(stats '%.0f' <"$tmp/h1") replicates/s"
echo "   2 threads   $(stats '%.0f' <"$tmp/h2") replicates/s"
echo "   target      200000 replicates/s with 2 threads"
echo

# ---- 4. scaling -------------------------------------------------------------
# Rounds over all settings (not all runs of one setting, then the next), so
# that a burst of other work on the machine falls on every setting alike.
for n in 76 152 304 608; do : >"$tmp/p$n"; done
for mo in 12 24 39; do : >"$tmp/f$mo"; done
for r in $(seq "$RUNS"); do
  for n in 76 152 304 608; do
    # about 80 replicates' worth of 152 patients
    "$B/bench/bench_trial" replicate scenarios/vayhit2.cfg $((12160 / n)) patients=$n \
      >>"$tmp/p$n" || fail bench_trial
  done
  for mo in 12 24 39; do
    "$B/bench/bench_trial" replicate scenarios/vayhit2.cfg 40 followup.max_months=$mo \
      followup.cut_months=$mo >>"$tmp/f$mo" || fail bench_trial
  done
done
echo "4. Time per VAYHIT2 replicate (simulation + analysis, 1 thread, CPU time)"
printf '   %-20s %24s %13s %10s  %s\n' setting "ms per replicate" patient-days "ns/p-day" growth
base=""
for n in 76 152 304 608; do
  ms=$(awk '{ print $1 }' "$tmp/p$n" | minimum)
  pd=$(awk '{ print $2 }' "$tmp/p$n" | median)
  [ -z "$base" ] && base=$(echo "$ms $n" | awk '{ print $1 / $2 }')
  printf '   %-20s %24s %13s %10s  %s\n' "patients=$n" "$(awk '{ print $1 }' "$tmp/p$n" | stats '%.3f')" \
    "$pd" "$(echo "$ms $pd" | awk '{ printf "%.1f", 1e6 * $1 / $2 }')" \
    "$(echo "$ms $n $base" | awk '{ printf "%.2f x per patient of 76", $1 / ($2 * $3) }')"
done
prev=""
for mo in 12 24 39; do
  ms=$(awk '{ print $1 }' "$tmp/f$mo" | minimum)
  pd=$(awk '{ print $2 }' "$tmp/f$mo" | median)
  growth="-"
  [ -n "$prev" ] && growth=$(echo "$prev $ms $mo $prevmo" |
    awk '{ printf "%.4f ms per month from the row above", ($2 - $1) / ($3 - $4) }')
  printf '   %-20s %24s %13s %10s  %s\n' "follow-up ${mo} months" \
    "$(awk '{ print $1 }' "$tmp/f$mo" | stats '%.3f')" \
    "$pd" "$(echo "$ms $pd" | awk '{ printf "%.1f", 1e6 * $1 / $2 }')" "$growth"
  prev=$ms; prevmo=$mo
done
echo "   (ns/p-day and growth use each setting's fastest run, the one least disturbed by"
echo "    other work. Patients: enrolment stays 15 months, so the follow-up mix is the same;"
echo "    growth is the time per patient over that at 76 patients. Follow-up: every patient"
echo "    followed the full M months (cut_months = M); growth is the added time per added"
echo "    month, constant when the growth is linear. Visits are weekly to week 9, so the"
echo "    first months cost more than later ones.)"
echo

# ---- 5. peak memory ---------------------------------------------------------
echo "5. Peak resident memory of itpsim run (2 threads)"
for n in 500 50000; do
  : >"$tmp/r"
  for r in 1 2 3; do
    set -- $(itprun 2 $n scenarios/hazard_two_arm.cfg); ok
    echo "$4" >>"$tmp/r"
  done
  printf '   hazard trial, %6d replicates   %s KB\n' $((2 * n)) "$(stats '%.0f' <"$tmp/r")"
done
: >"$tmp/r"
for r in 1 2 3; do
  set -- $(itprun 2 500 scenarios/vayhit2.cfg); ok
  echo "$4" >>"$tmp/r"
done
printf '   VAYHIT2,      %6d replicates   %s KB\n' 1000 "$(stats '%.0f' <"$tmp/r")"
echo "   target      at most 64 MB, the same for 1,000 and 100,000 replicates"
echo
echo "load       $(cut -d' ' -f1-3 /proc/loadavg) at the end"
} | tee "$OUT"
if [ -f "$tmp/failed" ]; then
  echo "bench.sh: a run failed; $OUT is incomplete" >&2
  exit 1
fi
echo "(written to $OUT)"
