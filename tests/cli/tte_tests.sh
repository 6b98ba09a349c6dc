#!/bin/sh
# The time-to-event tests of the analysis plan end to end: `itpsim run` on
# scenarios/hazard_two_arm.cfg (HR 0.5, 60 events) with a plan of three
# hypotheses, the log-rank test, the RMST difference at 12 months and the
# Fleming-Harrington G(0, 1) test, each at one-sided 0.025 (alpha 0.075 with
# equal Bonferroni weights). 4000 replicates of the design and of the null
# (seed 1). Each hypothesis's power must exceed its type I error, and the
# type I error must lie within 3 Monte Carlo SE, sqrt(a (1 - a) / n), of
# a = 0.025. The median RMST difference must lie within 0.1 month of the
# design's, (1 - exp(-0.05 tau)) / 0.05 - (1 - exp(-0.10 tau)) / 0.10 at
# tau = day 365 in months (about 2.04; its Monte Carlo SE is about 0.02).
: "${ITPSIM:=build/itpsim}"
dir=$(mktemp -d)
trap 'rm -rf "$dir"' EXIT
reps=4000
sed '/^analysis = {/,$d' scenarios/hazard_two_arm.cfg > "$dir/tte.cfg"
cat >> "$dir/tte.cfg" <<'EOF'
analysis = {
  alpha = 0.075;
  hypotheses = (
    { name = "lr"; endpoint = "ttf"; arm = "experimental"; test = "logrank"; },
    { name = "rmst"; endpoint = "ttf"; arm = "experimental"; test = "rmst"; tau_months = 12.0; },
    { name = "fh01"; endpoint = "ttf"; arm = "experimental"; test = "fh";
      rho = 0.0; gamma = 1.0; }
  );
};
EOF
if ! "$ITPSIM" run "$dir/tte.cfg" -n $reps -s 1 -j 2 -o "$dir/out" --quiet > "$dir/run.out"; then
  echo "FAIL itpsim run"; exit 1
fi
cat "$dir/run.out"
grep -q '"estimate": "rmst_difference"' "$dir/out/summary.json" ||
  { echo "FAIL summary.json: no rmst_difference estimate"; exit 1; }
awk -F, -v n=$reps '
  NR == 1 { for (i = 1; i <= NF; i++) col[$i] = i; next }
  {
    h = $col["hypothesis"]; pw = $col["power"]; t1 = $col["type1_error"]
    a = 0.025; tol = 3 * sqrt(a * (1 - a) / n); seen[h] = 1
    if (!(pw > t1)) {
      printf "FAIL %s: power %s not above the type I error %s\n", h, pw, t1; bad = 1
    }
    if (t1 - a > tol || a - t1 > tol) {
      printf "FAIL %s: type I error %s, more than 3 MCSE (%.4f) from %.3f\n", h, t1, tol, a; bad = 1
    }
    if (h == "rmst") {
      tau = 365 / (365.25 / 12)
      want = (1 - exp(-0.05 * tau)) / 0.05 - (1 - exp(-0.10 * tau)) / 0.10
      got = $col["median_estimate"]
      if (got - want > 0.1 || want - got > 0.1) {
        printf "FAIL rmst: median estimate %s months, design %.3f\n", got, want; bad = 1
      }
    }
  }
  END {
    if (!seen["lr"] || !seen["rmst"] || !seen["fh01"]) {
      print "FAIL summary.csv lacks a hypothesis"; bad = 1
    }
    exit bad
  }' "$dir/out/summary.csv"
