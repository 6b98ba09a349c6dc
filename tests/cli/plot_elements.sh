#!/bin/sh
# The elements of the pictures beyond their files (tests/cli/plots.sh
# checks those): what the gnuplot scripts and CSV files hold.
# - status.csv: per arm and visit week the shares of the five statuses sum
#   to 1 (within the 6 digits written), every share in [0, 1], the failed
#   share never falls up to week 26 (an absorbing status; every patient is
#   followed that long, the data cut 6 months after the last enrolment:
#   later the patients followed change), a row per visit week;
# - units: the count axis in ×10⁹/L, the dose axis in the TPO-RA's own unit
#   (eltrombopag mg/day; romiplostim µg/kg/week in a scenario of its own),
#   and where the arm doses a second drug (ianalumab) the dose line says it
#   is the TPO-RA's;
# - legends outside the data: below the trajectory and status panels,
#   outside the histograms;
# - one colour per arm: the linetype of each arm's Kaplan-Meier curve is
#   that of its median count in trajectories.gp and of its status panel's
#   title, and of its hypotheses' design histograms;
# - the rule in words: in km.gp's subtitle, the report's endpoints table
#   and `itpsim check`;
# - gs_boundaries for scenarios/vayhit2_interim.cfg: one row per analysis
#   with stages.csv's bound and stopping shares (design and null), the
#   futility bound of the interim, the picture in the report;
# - the estimates' effect line: the hazard model's hazard ratio as the
#   assumed effect, the platelet model's median design estimate labelled
#   as simulated (equal to the median estimate recomputed from
#   replicates.csv: summary.json's comes from a histogram);
# - assurance: assurance.json's power at the fixed parameters, marked in
#   assurance.gp with the assurance (the mean power over the sets).
# Skipped (77) without gnuplot.
: "${ITPSIM:=build/itpsim}"
command -v gnuplot >/dev/null 2>&1 || { echo "gnuplot not installed (gnuplot-nox)"; exit 77; }
dir=$(mktemp -d)
trap 'rm -rf "$dir"' EXIT
set -e
fail() { echo "FAIL: $*"; exit 1; }

"$ITPSIM" run scenarios/vayhit2.cfg -n 40 -s 3 -o "$dir/v" --quiet --plots > /dev/null
p="$dir/v/plots"

# status.csv: header, shares summing to 1, failed never falling
head -n 1 "$p/status.csv" | grep -qx 'arm,arm_index,day,week,patients,on_course,failed,rescued,off_tpo_ra,withdrawn_or_dead' ||
  fail "status.csv header"
awk -F, 'NR > 1 { s = $6 + $7 + $8 + $9 + $10; d = s - 1; if (d < 0) d = -d
                  if (d > 5e-5) { print "sum", $0; bad = 1 }
                  for (i = 6; i <= 10; i++) if ($i < 0 || $i > 1) { print "share", $0; bad = 1 }
                  if ($4 <= 26 && ($2 in f) && $7 < f[$2] - 1e-12) { print "failed falls", $0; bad = 1 }
                  f[$2] = $7; n[$2]++ }
         END { exit bad || length(n) != 3 }' "$p/status.csv" || fail "status.csv shares"
# every visit week of every arm, and some patients off the TPO-RA after the taper
[ "$(awk -F, 'NR > 1 && $2 == 2' "$p/status.csv" | wc -l)" -eq "$(awk -F, 'NR > 1 && $2 == 2' "$p/trajectories.csv" | wc -l)" ] ||
  fail "status.csv: not a row per visit week"
awk -F, 'NR > 1 && $4 == 25 && $9 > 0.1 { ok = 1 } END { exit !ok }' "$p/status.csv" ||
  fail "status.csv: nobody off the TPO-RA at week 25"
grep -q "'status.csv' skip 1 using 4:" "$p/trajectories.gp" || fail "trajectories.gp: no status panel"

# units and the dose line's title
g="$p/trajectories.gp"
grep -q "set ylabel 'platelets (×10⁹/L)'" "$g" || fail "trajectories.gp: count unit"
grep -q "set y2label 'eltrombopag dose (mg/day)'" "$g" || fail "trajectories.gp: dose unit"
grep -q "title 'median eltrombopag dose (the TPO-RA; the arm''s other drugs not drawn)'" "$g" ||
  fail "trajectories.gp: the TPO-RA's dose named as such"
grep -q "title 'median eltrombopag dose'$" "$g" || fail "trajectories.gp: placebo arm's dose line"
# romiplostim: weekly µg/kg
cat > "$dir/romi.cfg" <<'EOF'
name = "romiplostim"; model = "platelet"; patients = 40;
arms = ( { name = "romi"; treatments = ["romiplostim"]; },
         { name = "pbo"; treatments = ["pbo"]; } );
control = "pbo";
enrolment = { duration_months = 3.0; };
followup = { max_months = 6.0; cut_months = 6.0; };
visits = ( { from_week = 0; every_weeks = 1; } );
components = { romiplostim = { type = "tpo_ra"; drug = "romiplostim"; };
               pbo = { type = "placebo"; infusion_weeks = [0]; }; };
endpoints = { ttf = { type = "ttf"; count = { below = 30.0; after_week = 4.0; }; }; };
analysis = { alpha = 0.025;
             hypotheses = ( { name = "h"; endpoint = "ttf"; arm = "romi"; test = "logrank"; } ); };
EOF
"$ITPSIM" run "$dir/romi.cfg" -n 10 -o "$dir/r" --quiet --plots > /dev/null
grep -q "set y2label 'romiplostim dose (µg/kg/week)'" "$dir/r/plots/trajectories.gp" ||
  fail "romiplostim: dose unit"

# legends outside the data
[ "$(grep -c '^set key below' "$g")" -ge 2 ] || fail "trajectories.gp: legend not below"
grep -q '^set key outside' "$p/estimates.gp" || fail "estimates.gp: legend inside"

# one colour per arm: the Kaplan-Meier curve's linetype = the median
# count's = the status title's = the design histogram's of its hypotheses
sed -n "s/^.*using 5:(\$2==\([0-9]\)&&\$10>=half?\$6:1\/0) with lines lt \([0-9]\) lw 2 title.*$/\1 \2/p" "$p/km.gp" |
  sort -u > "$dir/lt.km"
sed -n "s/^.*using 4:(\$2==\([0-9]\)?\$7:1\/0) with linespoints lt \([0-9]\) .*$/\1 \2/p" "$g" |
  sort -u > "$dir/lt.traj"
[ "$(wc -l < "$dir/lt.km")" -eq 3 ] || fail "km.gp: not 3 arm colours"
cmp "$dir/lt.km" "$dir/lt.traj" || fail "arm colours differ between km and trajectories"
for a in 0 1 2; do
  lt=$(awk -v a="$a" '$1 == a { print $2 }' "$dir/lt.km")
  name=$(awk -F, -v a="$a" 'NR > 1 && $2 == a { print $1; exit }' "$p/status.csv")
  grep -q "^set title '$name: status' tc lt $lt$" "$g" || fail "status title colour of $name"
done
# ttf_9 is ianalumab_9's (arm 0), ttf_3 ianalumab_3's (arm 1)
grep -q "(\$2==0&&\$4==0?\$7:1/0):(0):(\$2==0?\$5:1/0):(\$2==0?\$6:1/0):(0):9 with boxxyerror lt 1 " "$p/estimates.gp" &&
grep -q "(\$2==1&&\$4==0?\$7:1/0):(0):(\$2==1?\$5:1/0):(\$2==1?\$6:1/0):(0):9 with boxxyerror lt 2 " "$p/estimates.gp" ||
  fail "estimates.gp: hypotheses not in their arm's colour"

# the rule in words
rule='Time to treatment failure: the first of a count < 30 ×10⁹/L after week 8, rescue after week 8'
grep -q "^set label 90 '$rule" "$p/km.gp" || fail "km.gp: the rule in words"
grep -q "<td class=\"words\">$(printf '%s' "$rule" | sed 's/</\&lt;/g')" "$dir/v/report.html" ||
  fail "report.html: the rule in words"
grep -q '<td class="words">Stable response: a count &gt;= 50 ×10⁹/L at &gt;= 75% of the scheduled visits of weeks 19-25' \
  "$dir/v/report.html" || fail "report.html: SR6 in words"
"$ITPSIM" check scenarios/vayhit2.cfg | grep -q "^# endpoint ttf: $rule" || fail "check: the rule in words"

# the estimates' effect line: the median design estimate of ttf_9
med=$(awk -F, 'NR == 1 { for (i = 1; i <= NF; i++) if ($i == "ttf_9_estimate") c = i; next }
               $1 == "design" && $c != "NA" { print $c }' "$dir/v/replicates.csv" |
      sort -g | awk '{ x[NR] = $1 } END { h = (NR - 1) * 0.5; l = int(h); printf "%.3g", x[l + 1] + (h - l) * (x[l + 2] - x[l + 1]) }')
grep -q "title 'simulated effect (median) $med'" "$p/estimates.gp" || fail "estimates.gp: median effect $med"
"$ITPSIM" run scenarios/hazard_two_arm.cfg -n 20 -o "$dir/h" --quiet --plots > /dev/null
grep -q "title 'assumed effect 0.5'" "$dir/h/plots/estimates.gp" || fail "hazard: assumed hazard ratio 0.5"
[ ! -e "$dir/h/plots/status.csv" ] || fail "hazard model: a status.csv without visits"

# group-sequential boundaries
"$ITPSIM" run scenarios/vayhit2_interim.cfg -n 40 -s 3 -o "$dir/i" --quiet --plots > /dev/null
b="$dir/i/plots/gs_boundaries.csv"
for f in "$b" "$dir/i/plots/gs_boundaries.png" "$dir/i/plots/gs_boundaries.gp"; do
  [ -s "$f" ] || fail "no $f"
done
head -n 1 "$b" | grep -qx 'analysis,information_fraction,mean_month,efficacy_z,futility_z,held,stop_efficacy,stop_futility,null_held,null_stop_efficacy,null_stop_futility' ||
  fail "gs_boundaries.csv header"
awk -F, 'NR == FNR { if (FNR > 1) { k = $1 "," $2; z[k] = $4; e[k] = $7; u[k] = $8 }; next }
         FNR > 1 { n++; d = "design," $1; q = "null," $1
                   if ($4 != z[d] || $7 != e[d] || $8 != u[d] || $10 != e[q] || $11 != u[q]) { print "row", $0; bad = 1 } }
         FNR == 2 && ($2 != 0.5 || $5 != 0) { print "interim", $0; bad = 1 }
         FNR == 3 && ($2 != 1 || $5 != "NA") { print "final", $0; bad = 1 }
         END { exit bad || n != 2 }' "$dir/i/stages.csv" "$b" || fail "gs_boundaries.csv rows"
grep -q 'futility bound (non-binding)' "$dir/i/plots/gs_boundaries.gp" || fail "gs_boundaries.gp: futility"
grep -q 'id="fig-gs_boundaries"' "$dir/i/report.html" || fail "report.html: no gs_boundaries"
[ ! -e "$p/gs_boundaries.csv" ] || fail "gs_boundaries.csv without interims"

# assurance: the power at the fixed parameters and the mean marked
printf 'draw,arms.[0].hazard_per_month.[0]\n1,0.03\n2,0.05\n3,0.08\n' > "$dir/draws.csv"
"$ITPSIM" run scenarios/hazard_two_arm.cfg --assurance 3 -n 40 --draws "$dir/draws.csv" \
  -o "$dir/as" --quiet > /dev/null
"$ITPSIM" plot "$dir/as" > /dev/null
fixed=$(sed -n 's/^ *"power_at_fixed_parameters": \[\([0-9.e-]*\),.*$/\1/p' "$dir/as/assurance.json")
[ -n "$fixed" ] || fail "assurance.json: no power at the fixed parameters"
# the scenario as it is gives the same power with the same seed and replicates
"$ITPSIM" run scenarios/hazard_two_arm.cfg -n 40 -o "$dir/h40" --quiet --no-null > /dev/null
pw=$(awk -F, 'NR == 1 { for (i = 1; i <= NF; i++) if ($i == "power") c = i; next } NR == 2 { print $c }' "$dir/h40/summary.csv")
awk -v a="$fixed" -v b="$pw" 'BEGIN { d = a - b; exit !(d < 1e-9 && d > -1e-9) }' ||
  fail "power at the fixed parameters $fixed, the run's $pw"
mean=$(awk -F, 'NR > 1 { s += $2; n++ } END { printf "%.3f", s / n }' "$dir/as/plots/assurance.csv")
grep -q "title 'assurance (mean) $mean'" "$dir/as/plots/assurance.gp" || fail "assurance.gp: mean $mean"
grep -q "title 'power at the fixed parameters $(printf '%.3f' "$fixed")'" "$dir/as/plots/assurance.gp" ||
  fail "assurance.gp: fixed power"
grep -q 'smooth cumulative' "$dir/as/plots/assurance.gp" || fail "assurance.gp: no ECDF"
echo "plot_elements: ok"
