#!/bin/sh
# `itpsim simulate` on the default scenario: 152 patients in 3 arms of about
# 50, visits on the scheduled weeks only, endpoints.csv and analysis.csv as
# other tools read them, same seed -> identical files, and
# (on a larger cohort) placebo patients show the eltrombopag rise and the
# fall after the taper.
: "${ITPSIM:=build/itpsim}"
dir=$(mktemp -d)
trap 'rm -rf "$dir"' EXIT
set -e
"$ITPSIM" simulate scenarios/vayhit2.cfg -s 11 -o "$dir/a" > "$dir/a.out"
grep -q "placebo" "$dir/a.out"
awk -F, 'NR > 1 { n[$2]++ } END {
  if (NR - 1 != 152) { print "patients:", NR - 1; exit 1 }
  k = 0; for (a in n) { k++; if (n[a] < 50 || n[a] > 52) { print "arm", a, n[a]; exit 1 } }
  if (k != 3) { print "arms:", k; exit 1 } }' "$dir/a/patients.csv"
# Scheduled visits fall on weeks 0-9, 11-25 (odd), 29, 33, ...
awk -F, 'NR > 1 && $7 == 1 { w = $3
  ok = (w <= 9 && w == int(w)) || (w >= 11 && w <= 25 && w % 2 == 1) || (w >= 29 && (w - 29) % 4 == 0)
  if (!ok) { print "visit at week", w; bad = 1; exit 1 } }' "$dir/a/visits.csv"
# Every patient followed past week 25 has all 18 scheduled visits to week 25.
awk -F, 'FNR == NR { if (FNR > 1 && $19 != "NA" && $19 >= 175 && $16 == "NA" && $17 == "NA") full[$1] = 1; next }
  FNR > 1 && $7 == 1 && $2 <= 175 { v[$1]++ }
  END { for (p in full) if (v[p] != 18) { print "patient", p, "has", v[p], "visits to week 25"; exit 1 } }' \
  "$dir/a/patients.csv" "$dir/a/visits.csv"
# endpoints.csv and analysis.csv carry the contract columns; a hypothesis
# is rejected exactly when its adjusted p-value is at most alpha 0.025, and
# adjusted p-values are never below the raw ones.
head -n 1 "$dir/a/endpoints.csv" | grep -q '^patient,arm,stratum,ttf_days,ttf_event,ttf_cause,sr6$'
awk -F, 'NR > 1 { n++; if ($5 != 0 && $5 != 1) exit 1; if ($7 != 0 && $7 != 1) exit 1
  if ($5 == 0 && $6 != "censored") exit 1 } END { if (n != 152) exit 1 }' "$dir/a/endpoints.csv"
head -n 1 "$dir/a/analysis.csv" | grep -q '^hypothesis,endpoint,arm,control,test,sided,estimate,ci_low,ci_high,statistic,p_value,adjusted_p_value,rejected'
awk -F, 'NR > 1 { n++; if ($12 + 1e-12 < $11) exit 1; if (($12 <= 0.025) != ($13 == 1)) exit 1 }
  END { if (n != 4) exit 1 }' "$dir/a/analysis.csv"
# events.csv is the log patients.csv is read from: each patient's first
# taper_start and stop_no_response are its taper_start_day and
# tpo_stop_day; eltrombopag's doses stay on the ladder 12.5-25-50-75; every
# ianalumab infusion is on the 4-weekly schedule up to week 12.
head -n 1 "$dir/a/events.csv" | grep -q '^patient,day,week,component,event,value$'
awk -F, 'FNR == NR { if (FNR > 1) { ts[$1] = $7; stop[$1] = $12 }; next }
  FNR > 1 && $5 == "taper_start" && !($1 in fts) { fts[$1] = $2 }
  FNR > 1 && $5 == "stop_no_response" && !($1 in fst) { fst[$1] = $2 }
  FNR > 1 && $4 == "eltrombopag" && ($5 == "dose" || $5 == "resume" || $5 == "restart") &&
    $6 != 12.5 && $6 != 25 && $6 != 50 && $6 != 75 { print "dose", $6; exit 1 }
  FNR > 1 && $5 == "infusion" && ($3 % 4 != 0 || $3 > 12) { print "infusion at week", $3; exit 1 }
  END { for (p in ts) {
          if ((p in fts ? fts[p] : "NA") != ts[p]) { print "patient", p, "taper start", ts[p]; exit 1 }
          if ((p in fst ? fst[p] : "NA") != stop[p]) { print "patient", p, "stop", stop[p]; exit 1 } } }' \
  "$dir/a/patients.csv" "$dir/a/events.csv"
# Same seed, same files; another seed, other files.
"$ITPSIM" simulate scenarios/vayhit2.cfg -s 11 -o "$dir/b" > /dev/null
cmp "$dir/a/patients.csv" "$dir/b/patients.csv"
cmp "$dir/a/visits.csv" "$dir/b/visits.csv"
cmp "$dir/a/events.csv" "$dir/b/events.csv"
cmp "$dir/a/analysis.csv" "$dir/b/analysis.csv"
"$ITPSIM" simulate scenarios/vayhit2.cfg -s 12 -o "$dir/c" > /dev/null
! cmp -s "$dir/a/visits.csv" "$dir/c/visits.csv"
# Placebo, 1500 patients: median count at week 6 above twice the median
# baseline (eltrombopag), and among those who started the taper without a
# remission (latent columns), the median count at week 21 below half that
# at week 15.
"$ITPSIM" simulate scenarios/vayhit2.cfg -s 3 -n 1500 -o "$dir/d" > /dev/null
awk -F, 'FNR == NR { if (FNR > 1 && $2 == "placebo") { pbo[$1] = 1; base[++nb] = $5
                       if ($7 != "NA" && $20 == "NA") off[$1] = 1 } ; next }
  FNR > 1 && ($1 in pbo) && $7 == 1 && $3 == 6 { w6[++n6] = $4 }
  FNR > 1 && ($1 in off) && $7 == 1 && $3 == 15 { a[++na] = $4 }
  FNR > 1 && ($1 in off) && $7 == 1 && $3 == 21 { b[++nb2] = $4 }
  function median(x, n,   i, j, t) { for (i = 2; i <= n; i++) { t = x[i]; for (j = i - 1; j >= 1 && x[j] > t; j--) x[j + 1] = x[j]; x[j + 1] = t }
                                     return n % 2 ? x[(n + 1) / 2] : (x[n / 2] + x[n / 2 + 1]) / 2 }
  END { mb = median(base, nb); m6 = median(w6, n6); m15 = median(a, na); m25 = median(b, nb2)
        printf "placebo: baseline %g, week 6 %g; taper started without remission (n=%d): week 15 %g, week 21 %g\n", mb, m6, na, m15, m25
        if (!(m6 > 2 * mb)) exit 1; if (na < 30 || !(m25 < m15 / 2)) exit 1 }' \
  "$dir/d/patients.csv" "$dir/d/visits.csv"
