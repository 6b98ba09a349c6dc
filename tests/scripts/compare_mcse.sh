#!/bin/sh
# Compares the results of the working tree with those of an earlier commit
# within Monte Carlo error, for changes meant to alter the random draws but
# not the model (a new stream key): builds both, runs `itpsim run SCENARIO
# -n REPS` of every shipped scenario with the same seed, and checks
#   - each hypothesis's power and type I error (summary.csv, with their
#     MCSE), and
#   - each arm's mean figures (arms.csv: the share free of the first
#     endpoint at the landmark and the binary endpoints' rates; MCSE
#     sqrt(p (1 - p) / (patients x replicates)), the binomial one, which
#     understates a Kaplan-Meier estimate's and so makes the check stricter)
# differ by at most 3 combined MCSE (sqrt(se_old^2 + se_new^2)).
#
#   sh tests/scripts/compare_mcse.sh [REV [REPS]]     (default HEAD, 20000)
#
# Prints every comparison and exits 1 when any differs by more.
set -eu
rev=${1:-HEAD}
reps=${2:-20000}
. "$(dirname "$0")/compare_common.sh"
compare_setup "$rev"
within() {
  awk -F, -v name="$1" -v reps="$reps" '
    function check(what, a, sa, b, sb,   se, z) {
      se = sqrt(sa * sa + sb * sb)
      z = se > 0 ? (b - a) / se : (a == b ? 0 : 99)
      printf "%s %-34s old %.4f new %.4f  diff %+.2f MCSE%s\n", name, what, a, b, z,
             (z > 3 || z < -3) ? "  OUTSIDE" : ""
      if (z > 3 || z < -3) bad = 1
    }
    FNR == 1 {
      file++
      for (i = 1; i <= NF; i++) { col[file, $i] = i; if (file == 3) hdr[i] = $i }
      next
    }
    file == 1 { for (i = 1; i <= NF; i++) s1[FNR, i] = $i; n1 = FNR }
    file == 2 { for (i = 1; i <= NF; i++) s2[FNR, i] = $i }
    file == 3 { for (i = 1; i <= NF; i++) a1[FNR, i] = $i; m1 = FNR; nf3 = NF }
    file == 4 { for (i = 1; i <= NF; i++) a2[FNR, i] = $i }
    END {
      for (r = 2; r <= n1; r++) {
        h = s1[r, 1]
        check(h " power", s1[r, col[1, "power"]], s1[r, col[1, "power_mcse"]],
              s2[r, col[2, "power"]], s2[r, col[2, "power_mcse"]])
        if (s1[r, col[1, "type1_error"]] != "NA")
          check(h " type I error", s1[r, col[1, "type1_error"]], s1[r, col[1, "type1_mcse"]],
                s2[r, col[2, "type1_error"]], s2[r, col[2, "type1_mcse"]])
      }
      for (r = 2; r <= m1; r++)
        for (i = 4; i <= nf3; i++) {
          if (i == col[3, "median_ttf_months"]) continue
          a = a1[r, i]; b = a2[r, i]
          if (a == "NA" || b == "NA") continue
          n = a1[r, col[3, "mean_patients"]] * reps
          check(a1[r, 1] " " hdr[i], a, sqrt(a * (1 - a) / n), b, sqrt(b * (1 - b) / n))
        }
      exit bad
    }
  ' "$tmp/old-$1/summary.csv" "$tmp/new-$1/summary.csv" \
    "$tmp/old-$1/arms.csv" "$tmp/new-$1/arms.csv"
}
each_scenario "$reps" within
exit $status
