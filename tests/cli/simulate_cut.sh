#!/bin/sh
# `itpsim simulate` analyses the trial the design describes: with an
# event-driven data cut (scenarios/hazard_two_arm.cfg: the analysis at the
# 60th failure) its analysis.csv is run's replicate 0 for the same seed
# (estimate, p-value, adjusted p-value, decision, events), its terminal
# summary names run's cut month, and endpoints.csv holds the outcomes at
# the cut (60 events), while the whole follow-up in patients.csv has more
# failures (the analysis of the full follow-up differs).
: "${ITPSIM:=build/itpsim}"
dir=$(mktemp -d)
trap 'rm -rf "$dir"' EXIT
set -e
scn=scenarios/hazard_two_arm.cfg
for seed in 5 6 7; do
  "$ITPSIM" simulate "$scn" -s $seed -o "$dir/s$seed" > "$dir/s$seed.out"
  "$ITPSIM" run "$scn" -s $seed -n 1 --no-null --quiet -o "$dir/r$seed" > /dev/null
  # replicates.csv: scenario,replicate,analysis_month,patients,events,
  # ttf_estimate,ttf_p,ttf_adj_p,ttf_rejected,ttf_flags (8 digits)
  awk -F, -v seed=$seed 'FNR == NR { if (FNR == 2) { month = $3; ev = $5; est = $6; p = $7; adj = $8; rej = $9 }; next }
    function near(a, b) { return (a - b <= 1e-7 * (b < 0 ? -b : b) + 1e-12) && (b - a <= 1e-7 * (b < 0 ? -b : b) + 1e-12) }
    FNR == 2 { if (!near($7, est) || !near($11, p) || !near($12, adj) || $13 != rej || $16 + $17 != ev) {
        print "seed", seed, ": simulate", $7, $11, $12, $13, $16 + $17, "run", est, p, adj, rej, ev; exit 1 }
      if (ev < 60 || ev > 62) { print "seed", seed, ": events at the cut", ev; exit 1 }
      print month > "'"$dir"'/month" }' \
    "$dir/r$seed/replicates.csv" "$dir/s$seed/analysis.csv"
  month=$(cat "$dir/month")
  line=$(grep '^analysis at month' "$dir/s$seed.out")
  awk -v m="$month" -v l="$line" 'BEGIN { split(l, w, " "); d = w[4] - m
    if (d > 0.006 || d < -0.006) { print "cut month", w[4], "run", m; exit 1 } }'
  # endpoints.csv at the cut; the full follow-up holds more failures
  cut_events=$(awk -F, 'NR > 1 { s += $5 } END { print s }' "$dir/s$seed/endpoints.csv")
  all=$(awk -F, 'NR == 1 { for (i = 1; i <= NF; i++) if ($i == "failure_day") c = i; next }
    $c != "NA" { n++ } END { print n }' "$dir/s$seed/patients.csv")
  ev=$(awk -F, 'NR == 2 { print $16 + $17 }' "$dir/s$seed/analysis.csv")
  [ "$cut_events" -eq "$ev" ] || { echo "seed $seed: endpoints.csv $cut_events events, analysis $ev"; exit 1; }
  [ "$all" -gt "$ev" ] || { echo "seed $seed: full follow-up $all failures, cut $ev"; exit 1; }
done
echo "simulate_cut: simulate's analysis is run's replicate 0 at the event-driven cut"
