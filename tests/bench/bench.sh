#!/bin/sh
# The benchmark suite (`make bench`): runs the release build in folder $1
# (default build-bench) and prints, for this machine, the performance figures;
# the same text goes to results/bench/latest.txt (or BENCH_OUT). Each figure is the median
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
#   6. The hazard design of tests/bench/hazard_peer.cfg against rpact's
#      getSimulationSurvival (tests/bench/peer_rpact.R), single-threaded,
#      interleaved runs, when Rscript and rpact are installed: replicates
#      per second of each, the ratio, and both powers with their combined
#      Monte Carlo SE.
#
# Figures 1-3 are also measured, in the same rounds, for the reference
# commit BENCH_REF (default 473825b, the code before the event-to-event
# stepping; BENCH_REF=none skips it), built from `git archive` with the
# same flags, and printed as ratios to it. BENCH_SECTIONS (default
# "1 2 3 4 5 6") picks the sections; `make bench-peers` runs section 6.
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
OUT=${BENCH_OUT:-results/bench/latest.txt}
REF=${BENCH_REF:-473825b}
SECTIONS=${BENCH_SECTIONS:-1 2 3 4 5 6}
want() { case " $SECTIONS " in *" $1 "*) return 0 ;; esac; return 1; }
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
# The reference build: the commit's tree in $tmp/ref, built as this one.
R=""
if [ "$REF" != none ] && { want 1 || want 2 || want 3; }; then
  mkdir -p "$tmp/ref"
  if git archive --format=tar "$REF" 2>/dev/null | tar -x -C "$tmp/ref" &&
     make -C "$tmp/ref" --no-print-directory BUILD=build-bench OPT="${BENCH_OPT:--O3 -march=native}" \
       all build-bench/bench/bench_trial build-bench/bench/runstat >/dev/null 2>&1; then
    R="$tmp/ref"
  else
    echo "bench.sh: cannot build the reference commit $REF; figures without ratios" >&2
  fi
fi
# itprun THREADS REPS SCENARIO [TREE] -> "wall user sys maxrss exit" of one
# run, by the build of this tree or of TREE (the reference; run in TREE,
# with its own scenarios and defaults). Each scenario its own output folder
# (run refuses another's). A failed run leaves $tmp/failed, and `ok` after
# it ends the suite, so no figure is ever made from a failed run.
itprun() {
  if [ -n "${4:-}" ]; then
    _out=$(cd "$4" && build-bench/bench/runstat build-bench/itpsim run "$3" -n "$2" -j "$1" \
           --quiet -o "$tmp/ref-run-$(basename "$3" .cfg)")
  else
    _out=$("$B/bench/runstat" "$B/itpsim" run "$3" -n "$2" -j "$1" --quiet \
           -o "$tmp/run-$(basename "$3" .cfg)")
  fi
  case $_out in
    *" 0") echo "$_out" ;;
    *) echo "bench.sh: itpsim run $3 -n $2 -j $1 failed ($_out)" >&2
       : >"$tmp/failed"; echo "1 1 0 0 1" ;;
  esac
}
ok() {
  [ ! -f "$tmp/failed" ] || exit 1
}
# ratio NEW_FILE REF_FILE -> "x.xx x REFERENCE" of the medians (higher is
# faster for rates), or nothing without a reference
ratio() {
  [ -n "$R" ] && [ -s "$2" ] || return 0
  echo "$(median <"$1") $(median <"$2")" | awk '{ printf "%.2f x the reference", $1 / $2 }'
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
if want 1; then
: >"$tmp/v1"; : >"$tmp/v2"; : >"$tmp/v1cpu"; : >"$tmp/rv1"; : >"$tmp/rv2"
for r in $(seq "$RUNS"); do
  for t in 1 2; do
    set -- $(itprun $t "$VREPS" scenarios/vayhit2.cfg); ok
    echo "$VREPS $1" | awk '{ print 2 * $1 / $2 }' >>"$tmp/v$t"
    [ "$t" = 1 ] && echo "$VREPS $2" | awk '{ print 1000 * $2 / (2 * $1) }' >>"$tmp/v1cpu"
    if [ -n "$R" ]; then
      set -- $(itprun $t "$VREPS" scenarios/vayhit2.cfg "$R"); ok
      echo "$VREPS $1" | awk '{ print 2 * $1 / $2 }' >>"$tmp/rv$t"
    fi
  done
done
m1=$(median <"$tmp/v1"); m2=$(median <"$tmp/v2")
echo "1. VAYHIT2 (scenarios/vayhit2.cfg, 152 patients): itpsim run -n $VREPS (design + null = $((2 * VREPS)) replicates)"
echo "   1 thread    $(stats '%.0f' <"$tmp/v1") replicates/s  ($(stats '%.2f' <"$tmp/v1cpu") ms CPU per replicate)  $(ratio "$tmp/v1" "$tmp/rv1")"
echo "   2 threads   $(stats '%.0f' <"$tmp/v2") replicates/s  $(ratio "$tmp/v2" "$tmp/rv2")"
[ -n "$R" ] && echo "   reference   $(stats '%.0f' <"$tmp/rv1") and $(stats '%.0f' <"$tmp/rv2") replicates/s with 1 and 2 threads ($REF)"
echo "   speed-up    $(echo "$m1 $m2" | awk '{ printf "%.2f", $2 / $1 }') (ratio of the medians)"
echo "   target      8 x the reference with 2 threads (towards 10000 replicates/s), speed-up >= 1.9"
echo
fi

# ---- 2. the platelet model alone ------------------------------------------
if want 2; then
: >"$tmp/m"; : >"$tmp/rm"
for r in $(seq "$RUNS"); do
  "$B/bench/bench_trial" model scenarios/vayhit2.cfg 60 >>"$tmp/m" || fail bench_trial
  if [ -n "$R" ]; then
    (cd "$R" && build-bench/bench/bench_trial model scenarios/vayhit2.cfg 60) >>"$tmp/rm" ||
      fail "reference bench_trial"
  fi
done
days=$(awk '{ print $2 }' "$tmp/m" | median)
echo "2. Platelet model alone (enrolment, allocation and every patient simulated; no analysis)"
awk '{ print $1 }' "$tmp/m" >"$tmp/mns"
awk '{ print $1 }' "$tmp/rm" >"$tmp/rmns"
echo "   VAYHIT2     $(stats '%.1f' <"$tmp/mns") ns per patient-day  ($days patient-days per replicate)"
if [ -n "$R" ]; then
  echo "   reference   $(stats '%.1f' <"$tmp/rmns") ns per patient-day ($REF): $(echo "$(median <"$tmp/rmns") $(median <"$tmp/mns")" |
    awk '{ printf "%.2f", $1 / $2 }') x faster now"
fi
"$B/bench/bench_kinetics" >"$tmp/k" || fail bench_kinetics
sed 's/^/   kinetics: /' "$tmp/k"
echo "   target      5 ns per patient-day"
echo
fi

# ---- 3. the 100-patient hazard trial ---------------------------------------
if want 3; then
: >"$tmp/h1"; : >"$tmp/h2"; : >"$tmp/rh1"; : >"$tmp/rh2"
for r in $(seq "$RUNS"); do
  for t in 1 2; do
    set -- $(itprun $t "$HREPS" scenarios/hazard_two_arm.cfg); ok
    echo "$HREPS $1" | awk '{ print 2 * $1 / $2 }' >>"$tmp/h$t"
    if [ -n "$R" ]; then
      set -- $(itprun $t "$HREPS" scenarios/hazard_two_arm.cfg "$R"); ok
      echo "$HREPS $1" | awk '{ print 2 * $1 / $2 }' >>"$tmp/rh$t"
    fi
  done
done
echo "3. Hazard trial (scenarios/hazard_two_arm.cfg, 100 patients, cut at 60 events): itpsim run -n $HREPS ($((2 * HREPS)) replicates)"
echo "   1 thread    $(stats '%.0f' <"$tmp/h1") replicates/s  $(ratio "$tmp/h1" "$tmp/rh1")"
echo "   2 threads   $(stats '%.0f' <"$tmp/h2") replicates/s  $(ratio "$tmp/h2" "$tmp/rh2")"
echo "   target      10 x rpact per core (section 6)"
echo
fi

# ---- 4. scaling -------------------------------------------------------------
if want 4; then
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

fi

# ---- 5. peak memory ---------------------------------------------------------
if want 5; then
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
fi

# ---- 6. against rpact ---------------------------------------------------------
if want 6; then
echo "6. Against rpact 3.3.4 getSimulationSurvival (tests/bench/hazard_peer.cfg; one thread each)"
if command -v Rscript >/dev/null 2>&1 && Rscript -e 'library(rpact)' >/dev/null 2>&1; then
  PREPS=${BENCH_PEER_REPS:-20000}
  : >"$tmp/pi"; : >"$tmp/pr"
  for r in $(seq "$RUNS"); do
    set -- $(itprun 1 "$PREPS" tests/bench/hazard_peer.cfg); ok
    echo "$PREPS $1" | awk '{ print 2 * $1 / $2 }' >>"$tmp/pi"
    set -- $(Rscript tests/bench/peer_rpact.R "$PREPS" "$r") || fail rpact
    echo "$PREPS $1" | awk '{ print $1 / $2 }' >>"$tmp/pr"
    rpow=$2
  done
  ipow=$(awk -F, 'NR == 2 { print $7 }' "$tmp/run-hazard_peer/summary.csv")
  echo "   itpsim      $(stats '%.0f' <"$tmp/pi") replicates/s (design and null, -j 1)"
  echo "   rpact       $(stats '%.0f' <"$tmp/pr") iterations/s"
  echo "   ratio       $(echo "$(median <"$tmp/pi") $(median <"$tmp/pr")" | awk '{ printf "%.2f", $1 / $2 }') x rpact per core (target 10)"
  echo "$ipow $rpow $PREPS" | awk '{ se = sqrt($1 * (1 - $1) / $3 + $2 * (1 - $2) / $3)
    z = ($1 - $2) / se
    printf "   power       itpsim %.4f, rpact %.4f (%d replicates each): %+.2f combined MCSE%s\n",
           $1, $2, $3, z, (z > 2 || z < -2) ? "  OUTSIDE 2 MCSE" : "" }'
else
  echo "   skipped: Rscript with r-cran-rpact not installed"
fi
echo
fi

echo "load       $(cut -d' ' -f1-3 /proc/loadavg) at the end"
} | tee "$OUT"
if [ -f "$tmp/failed" ]; then
  echo "bench.sh: a run failed; $OUT is incomplete" >&2
  exit 1
fi
echo "(written to $OUT)"
