#!/bin/sh
# The pictures and report of sweep and samplesize folders:
# - power.gp draws the target power (--target-power, or the light 0.8 and
#   0.9 reference lines when none was given) and a search's chosen size;
#   type1.gp the nominal alpha dashed; power_fit.gp the fitted curve, its
#   band and the fitted size;
# - samplesize.csv holds each size's type I error and FWER (NA with
#   --no-null, and then no type1 picture); power_fit.csv has the documented
#   columns, a curve of 101 sizes over the range tried with its band around
#   it, and the fitted size, inside its interval and inside the sizes where
#   the evaluated power is clearly (3 MCSE) below and above the target; the
#   terminal prints the same size and interval;
# - report.html: the power table in wide form has one row per grid point
#   (the point refused too, with its note) and one power and one type I
#   error column per hypothesis; the grid, the search's sizes in the order
#   tried and its fitted size; it renders within 1280 px in headless
#   Chromium (tests/report/check_report.sh) for a sweep and a search.
# Skipped (77) when gnuplot or chromium is missing.
: "${ITPSIM:=build/itpsim}"
command -v gnuplot >/dev/null 2>&1 || { echo "gnuplot not installed (gnuplot-nox)"; exit 77; }
command -v chromium >/dev/null 2>&1 || [ -x /usr/bin/chromium ] ||
  { echo "chromium not installed"; exit 77; }
dir=$(mktemp -d)
trap 'rm -rf "$dir"' EXIT
set -e
fail() { echo "FAIL: $*"; exit 1; }
# rows of a table in report.html, and its headers matching a pattern
rows() { sed -n "/<table id=\"$2\">/,/<\/table>/p" "$1" | grep -c '^<tr><td'; }
heads() { sed -n "/<table id=\"$2\">/,/<\/table>/p" "$1" | grep -o "<th[^>]*>[^<]*$3</th>" | wc -l; }

# a sweep with a target and a point refused (30 patients, the cut waits for
# 60 events)
scn=scenarios/hazard_two_arm.cfg
"$ITPSIM" sweep $scn --vary patients=30,100,140 -n 100 --target-power 0.85 -o "$dir/s" \
  --quiet > /dev/null 2>&1
"$ITPSIM" plot "$dir/s" > /dev/null
p="$dir/s/plots"
for f in power.png type1.png power.gp type1.gp type1.csv; do
  [ -s "$p/$f" ] || fail "sweep: no $f"
done
[ ! -e "$p/power_fit.png" ] || fail "sweep: a fitted curve"
grep -q "^set arrow 1 from graph 0, first 0.85 to graph 1, first 0.85 nohead" "$p/power.gp" ||
  fail "power.gp: no target line at 0.85"
grep -q "^set label 1 'target power 0.85'" "$p/power.gp" || fail "power.gp: target label"
grep -q "^set arrow 1 from graph 0, first 0.025 to graph 1, first 0.025 nohead dt 2" "$p/type1.gp" ||
  fail "type1.gp: no dashed alpha line"
grep -q "'nominal alpha 0.025'" "$p/type1.gp" || fail "type1.gp: alpha label"
# type1.csv: the two points run, the hypothesis and the FWER
[ "$(grep -c ',ttf,patients,' "$p/type1.csv")" -eq 2 ] || fail "type1.csv: ttf rows"
[ "$(grep -c ',FWER,patients,' "$p/type1.csv")" -eq 2 ] || fail "type1.csv: FWER rows"
r="$dir/s/report.html"
[ "$(rows "$r" power-wide-table)" -eq 3 ] || fail "sweep report: not 3 grid points"
[ "$(heads "$r" power-wide-table ' power')" -eq 1 ] || fail "sweep report: power columns"
[ "$(heads "$r" power-wide-table ' type I error')" -eq 1 ] || fail "sweep report: type I columns"
grep -q '<td style="white-space:normal;min-width:16em">[^<]*followup.events: expected an integer in \[1, 30\]' "$r" ||
  fail "sweep report: the refused point's note"
grep -q '<tr><th>varied: patients</th><td>30 100 140</td></tr>' "$r" || fail "sweep report: grid"
grep -q '<tr><th>scenario hash</th><td>fnv1a64:' "$r" || fail "sweep report: scenario hash"
grep -q '<tr><th>arm experimental</th>' "$r" || fail "sweep report: arms"
grep -q 'No summary.csv' "$r" && fail "sweep report: 'No summary.csv'"
sh tests/report/check_report.sh "$r" "$dir/shot_s.png" > /dev/null || fail "sweep report in chromium"

# no target: the light reference lines; four hypotheses: four columns each
"$ITPSIM" sweep scenarios/vayhit2.cfg --vary components.ianalumab_9.dose_mg_kg=3,9 -n 60 \
  -o "$dir/v" --quiet > /dev/null
"$ITPSIM" plot "$dir/v" > /dev/null
grep -q "^set label 1 '0.8 (reference: no target given)'" "$dir/v/plots/power.gp" &&
  grep -q "^set label 2 '0.9 (reference)'" "$dir/v/plots/power.gp" ||
  fail "power.gp: no reference lines without a target"
r="$dir/v/report.html"
[ "$(rows "$r" power-wide-table)" -eq 2 ] || fail "vayhit2 sweep report: not 2 points"
[ "$(heads "$r" power-wide-table ' power')" -eq 4 ] || fail "vayhit2 sweep report: power columns"
[ "$(heads "$r" power-wide-table ' type I error')" -eq 4 ] ||
  fail "vayhit2 sweep report: type I columns"

# a sample size search (calendar cut: power rises with the size)
sed 's/data_cut = "events"; events = 60;/cut_months = 12.0;/' $scn > "$dir/cal.cfg"
"$ITPSIM" samplesize "$dir/cal.cfg" --power 0.8 -n 300 --max 400 -o "$dir/n" --quiet > "$dir/n.out"
"$ITPSIM" plot "$dir/n" > /dev/null
p="$dir/n/plots"
for f in power.png type1.png power_fit.png power_fit.gp power_fit.csv; do
  [ -s "$p/$f" ] || fail "samplesize: no $f"
done
csv="$dir/n/samplesize.csv"
head -n 1 "$csv" | grep -q '^patients,replicates,ttf_power,ttf_power_mcse,reaches_target,chosen,ttf_type1,ttf_type1_mcse,fwer,fwer_mcse$' ||
  fail "samplesize.csv header: $(head -n 1 "$csv")"
awk -F, 'NR > 1 && !($7 >= 0 && $7 <= 1 && $9 >= $7 && $9 <= 1) { exit 1 }' "$csv" ||
  fail "samplesize.csv: type I error out of range"
chosen=$(awk -F, 'NR > 1 && $6 == 1 { print $1 }' "$csv")
[ -n "$chosen" ] || fail "samplesize: no size chosen"
grep -q "^set arrow 3 from first $chosen, graph 0 to first $chosen, graph 1 nohead" "$p/power.gp" ||
  fail "power.gp: no marker at the chosen size $chosen"
grep -q "^set label 3 'chosen: $chosen'" "$p/power.gp" || fail "power.gp: chosen label"
grep -q "first 0.8 to graph 1, first 0.8 nohead" "$p/power.gp" || fail "power.gp: target 0.8"
grep -q "'nominal alpha 0.025'" "$p/type1.gp" || fail "samplesize type1.gp: alpha"
grep -q "with filledcurves" "$p/power_fit.gp" && grep -q "title 'probit fit'" "$p/power_fit.gp" &&
  grep -q "title 'fitted size (95% CI)'" "$p/power_fit.gp" || fail "power_fit.gp: fit, band, size"
fit="$dir/n/power_fit.csv"
[ "$(head -n 1 "$fit")" = "row,hypothesis,patients,power,power_low,power_high,patients_low,patients_high,chosen" ] ||
  fail "power_fit.csv header"
[ "$(grep -c '^curve,ttf,' "$fit")" -eq 101 ] || fail "power_fit.csv: not 101 curve rows"
awk -F, 'NR == FNR { if (FNR > 1) { if (!lo || $1 < lo) lo = $1; if ($1 > hi) hi = $1 }; next }
         $1 == "curve" { n++; if ($3 < lo - 1e-6 || $3 > hi + 1e-6 || !($5 <= $4 && $4 <= $6)) bad = 1 }
         END { exit bad || n != 101 }' "$csv" "$fit" || fail "power_fit.csv: curve outside the range or band"
# the fitted size: inside its interval, and between the sizes whose power is
# 3 MCSE below and above the target (the target bracketed beyond noise)
awk -F, 'NR == FNR { if (FNR > 1) { if ($3 + 3 * $4 < 0.8) below = $1; if ($3 - 3 * $4 > 0.8 && !above) above = $1 }; next }
         $1 == "size" && $9 == 1 { n++; s = $3; if (!($7 < s && s < $8 && below <= s && s <= above)) bad = 1
                                  printf "%.1f %.1f %.1f\n", s, $7, $8 > "/dev/stderr" }
         END { exit bad || n != 1 || !below || !above }' "$csv" "$fit" 2> "$dir/fit.txt" ||
  fail "power_fit.csv: fitted size $(cat "$dir/fit.txt")"
read -r s lo hi < "$dir/fit.txt"
grep -q "fitted (probit on sqrt(patients), [0-9]* sizes): power 0.80 at $s patients (95% CI $lo to $hi) for ttf" "$dir/n.out" ||
  fail "samplesize: terminal fit line ($s, $lo, $hi): $(grep fitted "$dir/n.out")"
r="$dir/n/report.html"
[ "$(rows "$r" power-wide-table)" -eq "$(($(grep -c . "$csv") - 1))" ] ||
  fail "samplesize report: a row per size"
grep -q "<tr><th>size at the target power from the fit</th><td>$s patients (95% CI $lo to $hi)</td></tr>" "$r" ||
  fail "samplesize report: fitted size"
steps=$(sed -n 's/^  "steps": \[\(.*\)\],$/\1/p' "$dir/n/samplesize.json")
[ -n "$steps" ] && grep -q "<td>$steps</td>" "$r" || fail "samplesize report: the search's steps"
[ "$(grep -c 'src="data:image/png;base64,' "$r")" -eq 3 ] || fail "samplesize report: 3 pictures"
sh tests/report/check_report.sh "$r" "$dir/shot_n.png" > /dev/null || fail "samplesize report in chromium"

# --no-null: NA type I error, no type1 picture
"$ITPSIM" samplesize "$dir/cal.cfg" --power 0.8 -n 50 --min 40 --max 120 --no-null \
  -o "$dir/nn" --quiet > /dev/null
awk -F, 'NR > 1 && !($7 == "NA" && $9 == "NA") { exit 1 }' "$dir/nn/samplesize.csv" ||
  fail "--no-null: type I error not NA"
"$ITPSIM" plot "$dir/nn" > /dev/null
[ ! -e "$dir/nn/plots/type1.png" ] || fail "--no-null: a type1 picture"
echo "power_plots: ok"
