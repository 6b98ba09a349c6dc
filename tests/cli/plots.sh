#!/bin/sh
# `itpsim plot`: pictures, their CSV data and report.html.
# - every picture is a valid PNG (signature bytes) and SVG (root element)
#   of sensible size;
# - its CSV matches the results it came from: km.csv is in step form (two
#   rows per step, steps tiling the days, more steps than months), its mean
#   at 12 months equals the run's tf_free_12m (every replicate re-simulated),
#   the 5-95% band contains the median (not always the mean: at month 0 a few
#   replicates below 1 pull the mean under a band at 1), the mean number at
#   risk never rises and km_at_risk.csv holds km.csv's value at each tick,
#   km.gp draws the numbers at risk, the band's fill and outlines and names
#   the endpoint, km_published.csv has the landmarks and the medians of the
#   calibration targets; estimates.gp and pvalues.gp draw the lines of no
#   effect and of the starting alpha; the trajectory weeks are the scheduled
#   visit weeks, the histogram counts sum to the replicates in
#   replicates.csv, power.csv has a row per sweep point and hypothesis;
# - report.html is self-contained and renders in headless Chromium without
#   console errors, no wider than a 1280 px window with no table container
#   past it (tests/report/check_report.sh), for a run and a sweep; every
#   table is in its scrolling container, the power table's headers are in
#   words (power, MCSE, 95% CI, type I error, harmful rejections) with
#   numbers in right-aligned cells; the family lines (any and all rejected,
#   the family-wise error under the global null) carry summary.json's
#   values, the mean events and analysis time, the arms table; the run's
#   provenance (seed, version, command line, defaults, date, --set), with
#   HTML's special characters in a folder name escaped; the endpoints
#   (kind, rule) and the multiplicity graph (weights, starting alpha,
#   transitions) of the scenario;
# - without gnuplot on PATH: the clear message, exit 1, the CSV files written;
# - a folder without results is refused with exit 2.
# Skipped (77) when gnuplot or chromium is missing.
: "${ITPSIM:=build/itpsim}"
command -v gnuplot >/dev/null 2>&1 || { echo "gnuplot not installed (gnuplot-nox)"; exit 77; }
command -v chromium >/dev/null 2>&1 || [ -x /usr/bin/chromium ] ||
  { echo "chromium not installed"; exit 77; }
dir=$(mktemp -d)
trap 'rm -rf "$dir"' EXIT
set -e
fail() { echo "FAIL: $*"; exit 1; }

"$ITPSIM" run scenarios/vayhit2.cfg -n 60 -s 5 -o "$dir/v" --quiet > /dev/null
"$ITPSIM" plot "$dir/v" -j 2 > "$dir/plot.out"
p="$dir/v/plots"
for name in km trajectories estimates pvalues; do
  for ext in png svg csv gp; do
    f="$p/$name.$ext"
    [ -s "$f" ] || fail "$f missing or empty"
  done
  sig=$(head -c 8 "$p/$name.png" | od -An -tx1 | tr -d ' \n')
  [ "$sig" = 89504e470d0a1a0a ] || fail "$name.png: not a PNG ($sig)"
  size=$(wc -c < "$p/$name.png")
  [ "$size" -gt 10000 ] && [ "$size" -lt 2000000 ] || fail "$name.png: $size bytes"
  grep -q '<svg' "$p/$name.svg" && tail -c 200 "$p/$name.svg" | grep -q '</svg>' ||
    fail "$name.svg: no svg root element"
  size=$(wc -c < "$p/$name.svg")
  [ "$size" -gt 5000 ] && [ "$size" -lt 5000000 ] || fail "$name.svg: $size bytes"
done
ls -a "$p" | grep -q 'tmp' && fail "temporary files left in $p"

# Kaplan-Meier, km.csv in step form (two rows per step: its first day and
# its end, the next step's first day): the value at the landmark (day 365,
# month 12) is that of the last row at or before it, and over the 60
# replicates it equals the run's tf_free_12m; steps tile the days without
# gap; the 5-95% band contains the median; 60 replicates behind each day
# up to 12 months; the mean number at risk never rises along the days and
# is at most the arm's patients
awk -F, 'NR == FNR { if (FNR > 1) tf[$1] = $4; next }
         FNR == 1 { if ($0 != "arm,arm_index,step,day,month,mean,p05,p95,median,replicates,at_risk") { print "header", $0; bad = 1 }; next }
         { row[$1]++ }
         row[$1] % 2 == 1 { if (($1 in end) && $4 != end[$1]) { print "gap", $0; bad = 1 }; start = $4; s = $3 }
         row[$1] % 2 == 0 { if ($3 != s || $4 <= start && $4 != last[$1]) { print "step", $0; bad = 1 }; end[$1] = $4 }
         $4 <= 365 { at[$1] = $6 }
         $10 > 0 && !($7 <= $9 && $9 <= $8) { print "band", $0; bad = 1 }
         $4 <= 365 && $10 != 60 { print "replicates", $0; bad = 1 }
         ($1 in risk) && $11 > risk[$1] + 1e-9 { print "at risk rises", $0; bad = 1 }
         { risk[$1] = $11; last[$1] = $4 }
         END { for (a in tf) { n++; d = at[a] - tf[a]; if (d < 0) d = -d
                               if (!(a in at) || d > 1e-6) { print "km 12 months", a, at[a], tf[a]; bad = 1 } }
               exit bad || n != 3 }' "$dir/v/arms.csv" "$p/km.csv" || fail "km.csv"
# more steps than months: a step function, not a monthly grid
[ "$(awk -F, 'NR > 1 && $2 == 0' "$p/km.csv" | wc -l)" -gt 80 ] || fail "km.csv: too few steps"
# numbers at risk at the ticks: the same mean as km.csv on that day
awk -F, 'NR == FNR { if (FNR > 1) { k = ++m[$1]; d[$1, k] = $4; r[$1, k] = $11 }; next }
         FNR > 1 { n++; v = "none"; for (k = 1; k <= m[$1] && d[$1, k] <= $4; k++) v = r[$1, k]
                   if (v != $5) { print "at risk", $0, v; bad = 1 } }
         END { exit bad || n < 6 }' "$p/km.csv" "$p/km_at_risk.csv" || fail "km_at_risk.csv"
grep -q "km_at_risk.csv' skip 1 using 3:" "$p/km.gp" || fail "km.gp: no numbers at risk"
grep -q "with filledcurves" "$p/km.gp" && grep -q 'dt 2' "$p/km.gp" || fail "km.gp: band fill and outlines"
grep -q "Kaplan-Meier: free of ttf - mean of" "$p/km.gp" || fail "km.gp: endpoint in the title (its type, ttf, not repeated)"
# published 12-month points and medians of the calibration targets
[ "$(grep -c ',landmark,12,' "$p/km_published.csv")" -eq 3 ] || fail "km_published.csv landmarks"
[ "$(grep -c ',median,' "$p/km_published.csv")" -eq 3 ] || fail "km_published.csv medians"

# trajectory weeks: the scheduled weeks of replicate 0 (simulate, same seed)
"$ITPSIM" simulate scenarios/vayhit2.cfg -s 5 -o "$dir/sim" > /dev/null
awk -F, 'NR > 1 && $7 == 1 { print $3 }' "$dir/sim/visits.csv" | sort -n -u > "$dir/w.sim"
awk -F, 'NR > 1 && $2 == 0 { print $4 }' "$p/trajectories.csv" | sort -n -u > "$dir/w.plot"
cmp "$dir/w.sim" "$dir/w.plot" || fail "trajectory weeks differ from the visit weeks"
awk -F, 'NR > 1 && !($6 <= $7 && $7 <= $8) { exit 1 }' "$p/trajectories.csv" ||
  fail "trajectory quantiles out of order"
grep -q '^placebo,2,17,24$' "$p/taper.csv" || fail "taper window (weeks 17-24)"

# histograms: per hypothesis and scenario the counts sum to the replicates
for f in estimates pvalues; do
  awk -F, 'NR == FNR { if (FNR > 1) reps[$1]++; next }
           FNR > 1 { sum[$1 "/" $3] += $8 }
           END { for (k in sum) { split(k, a, "/"); if (sum[k] != reps[a[2]]) { print k, sum[k]; bad = 1 } }
                 exit bad || length(sum) != 8 }' "$dir/v/replicates.csv" "$p/$f.csv" ||
    fail "$f.csv counts"
done

# reference lines (each script draws the PNG and the SVG): no effect at
# HR 1 for the two log-rank hypotheses, at RD 0 for the two CMH ones; the
# starting alpha of each of the four hypotheses on the p-values
[ "$(grep -c "^set arrow 1 from 1, graph 0 to 1, graph 1 nohead" "$p/estimates.gp")" -eq 4 ] ||
  fail "estimates.gp: no-effect lines at HR 1"
[ "$(grep -c "^set arrow 1 from 0, graph 0 to 0, graph 1 nohead" "$p/estimates.gp")" -eq 4 ] ||
  fail "estimates.gp: no-effect lines at RD 0"
[ "$(grep -c "^set label 1 'starting alpha " "$p/pvalues.gp")" -eq 8 ] ||
  fail "pvalues.gp: starting alpha lines"

# report.html: self-contained, the power table and the pictures
r="$dir/v/report.html"
grep -q 'id="power-table"' "$r" || fail "report.html: no power table"
[ "$(grep -c 'src="data:image/png;base64,' "$r")" -eq 4 ] || fail "report.html: pictures"
grep -Eiq '(src|href)=["'"'"']?(https?:)?//' "$r" && fail "report.html: external resource"
grep -q '<td>ttf_9</td>' "$r" || fail "report.html: hypothesis row"
sh tests/report/check_report.sh "$r" "$dir/shot.png" || fail "report.html in chromium"
# tables: each in a scrolling container; headers in words, not CSV names;
# numbers in right-aligned cells, text in plain ones
[ "$(grep -c '<div class="tw"><table' "$r")" -eq "$(grep -c '<table' "$r")" ] ||
  fail "report.html: a table outside its container"
ptab=$(sed -n '/<table id="power-table">/,/<\/table>/p' "$r")
for h in power MCSE '95% CI' 'type I error' 'harmful rejections' 'median estimate'; do
  printf '%s' "$ptab" | grep -q "<th class=\"num\">$h</th>" || fail "power table: no header '$h'"
done
printf '%s' "$ptab" | grep -Eq '<th[^>]*>[a-z0-9]+_[a-z0-9_]+</th>' && fail "power table: a CSV column name"
printf '%s' "$ptab" | grep -q '<td class="num">60</td>' || fail "power table: replicates not a number cell"
grep -q '^.num{text-align:right' "$r" || fail "report.html: numbers not right-aligned"
# the terminal summary's family lines and per-arm figures, with the values
# of summary.json (as the report rounds them)
json() { sed -n "s/^.*\"$1\": \([^,]*\),.*$/\1/p" "$dir/v/summary.json" | head -n 1; }
for k in any_rejected:'any hypothesis rejected (design)' all_rejected:'all hypotheses rejected (design)' \
         fwer:'family-wise error under the global null'; do
  val=$(printf '%.4g' "$(json "${k%%:*}")")
  grep -q "<tr><td>${k#*:}</td><td class=\"num\">$val</td>" "$r" || fail "report.html: ${k#*:} ($val)"
done
ev=$(printf '%.1f' "$(json mean_events)")
grep -q "<th>mean events at the analysis (all arms)</th><td>$ev</td>" "$r" || fail "report.html: mean events"
grep -q '<th>mean time of the analysis</th><td>month [0-9.]* of the trial</td>' "$r" ||
  fail "report.html: analysis time"
atab=$(sed -n '/<table id="arms-table">/,/<\/table>/p' "$r")
printf '%s' "$atab" | grep -q '<th class="num">mean events</th>' || fail "arms table: mean events"
[ "$(printf '%s\n' "$atab" | grep -c '^<tr><td>')" -eq 3 ] || fail "arms table: not 3 arms"
# the scenario's endpoints and multiplicity graph (vayhit2.cfg: weights
# 0.5, 0.5, 0, 0 at alpha 0.025; ttf_9 passes all of its alpha to sr6_9,
# sr6_3 to ttf_9)
grep -q '<tr><td>ttf</td><td>time to event</td><td>ttf</td>' "$r" || fail "endpoints: ttf"
grep -q '<tr><td>sr6</td><td>binary</td><td>stable_response</td>' "$r" || fail "endpoints: sr6"
mtab=$(sed -n '/<table id="multiplicity-table">/,/<\/table>/p' "$r")
[ "$(printf '%s\n' "$mtab" | grep -c '^<tr><td>')" -eq 4 ] || fail "multiplicity: not 4 hypotheses"
a0=$(awk 'BEGIN { printf "%g", 0.5 * 0.025 }')
printf '%s' "$mtab" | grep -q "^<tr><td>ttf_9</td><td class=\"num\">0.5</td><td class=\"num\">$a0</td>\(<td class=\"num\">0</td>\)\{2\}<td class=\"num\">1</td><td class=\"num\">0</td></tr>" ||
  fail "multiplicity: ttf_9's weight and transitions"
printf '%s' "$mtab" | grep -q '^<tr><td>sr6_3</td><td class="num">0</td><td class="num">0</td><td class="num">1</td>' ||
  fail "multiplicity: sr6_3's transitions"
printf '%s' "$mtab" | grep -q '<th class="num">to sr6_9</th>' || fail "multiplicity: transition headers"
# provenance: seed, version, command line, defaults, date from summary.json
prov=$(sed -n '/<table class="kv" id="provenance">/,/<\/table>/p' "$r")
printf '%s' "$prov" | grep -q '<tr><th>seed</th><td>5</td></tr>' || fail "provenance: seed"
ver=$("$ITPSIM" --version | sed 's/^itpsim //')
printf '%s' "$prov" | grep -q "<tr><th>itpsim version (run)</th><td>$ver</td></tr>" ||
  fail "provenance: version"
printf '%s' "$prov" | grep -q '<tr><th>command line</th><td>itpsim run scenarios/vayhit2.cfg -n 60 -s 5 ' ||
  fail "provenance: command line"
printf '%s' "$prov" | grep -q '<tr><th>settings (--set)</th><td>none</td></tr>' || fail "provenance: no --set"
for k in 'defaults file' 'defaults hash' threads 'MPI ranks' 'date (UTC)' 'scenario hash'; do
  printf '%s' "$prov" | grep -q "<tr><th>$k</th><td>." || fail "provenance: $k"
done

# sweep: power against the varied setting
"$ITPSIM" sweep scenarios/hazard_two_arm.cfg --vary patients=60,100 -n 50 -o "$dir/s" --quiet > /dev/null
"$ITPSIM" plot "$dir/s" > /dev/null
[ "$(awk 'END { print NR }' "$dir/s/plots/power.csv")" -eq 3 ] || fail "power.csv rows"
sig=$(head -c 8 "$dir/s/plots/power.png" | od -An -tx1 | tr -d ' \n')
[ "$sig" = 89504e470d0a1a0a ] || fail "power.png"
# its report: the power table in wide form (tests/cli/power_plots.sh checks
# it in full), no "No summary.csv", in the page at 1280 px
grep -q 'id="power-wide-table"' "$dir/s/report.html" || fail "sweep report: power table"
grep -q 'No summary.csv' "$dir/s/report.html" && fail "sweep report: 'No summary.csv'"
sh tests/report/check_report.sh "$dir/s/report.html" "$dir/shot_s.png" > /dev/null ||
  fail "sweep report.html in chromium"

# no gnuplot on PATH: the message, exit 1, the CSV files still written
mkdir "$dir/g"
cp "$dir/v/summary.json" "$dir/v/summary.csv" "$dir/v/arms.csv" "$dir/v/replicates.csv" "$dir/g/"
set +e
PATH=/nonexistent "$ITPSIM" plot "$dir/g" > /dev/null 2> "$dir/g.err"
rc=$?
set -e
[ "$rc" -eq 1 ] || fail "without gnuplot: exit $rc"
grep -q 'gnuplot not found: install gnuplot-nox; numeric results are written' "$dir/g.err" ||
  fail "without gnuplot: $(cat "$dir/g.err")"
for f in km.csv trajectories.csv estimates.csv pvalues.csv; do
  [ -s "$dir/g/plots/$f" ] || fail "without gnuplot: no $f"
done
cmp "$dir/g/plots/km.csv" "$p/km.csv" || fail "km.csv differs without gnuplot"
ls -a "$dir/g/plots" | grep -q 'tmp' && fail "temporary files left without gnuplot"

# a folder without results
mkdir "$dir/empty"
set +e
"$ITPSIM" plot "$dir/empty" > /dev/null 2>&1
rc=$?
set -e
[ "$rc" -eq 2 ] || fail "empty folder: exit $rc"
# itpsim run --plots: the same pictures and report straight after the run
# (its folder's name holds HTML's special characters: the report's
# provenance escapes them; the --set is shown)
rp="$dir/r<p&\"q"
"$ITPSIM" run scenarios/hazard_two_arm.cfg -n 60 --plots -o "$rp" --set patients=80 --quiet > /dev/null
for f in summary.json report.html plots/km.png plots/km.csv plots/estimates.png; do
  [ -s "$rp/$f" ] || fail "run --plots: no $f"
done
grep -q '<tr><th>settings (--set)</th><td>patients=80</td></tr>' "$rp/report.html" ||
  fail "run --plots: --set not in the report"
grep -q '<tr><th>command line</th><td>itpsim run .*r&lt;p&amp;' "$rp/report.html" ||
  fail "run --plots: command line not escaped"
grep -q 'r<p&' "$rp/report.html" && fail "run --plots: unescaped text in the report"
# an assurance folder: the power over the sets and against the most
# influential parameters; assurance.csv holds a row per set, the power and
# the parameters the picture names
printf 'draw,events.dropout_per_year,arms.[0].hazard_per_month.[0]\n1,0.01,0.03\n2,0.2,0.05\n3,0.4,0.08\n4,0.1,0.09\n' \
  > "$dir/draws.csv"
"$ITPSIM" run scenarios/hazard_two_arm.cfg --assurance 4 -n 40 --draws "$dir/draws.csv" \
  -o "$dir/as" --quiet > /dev/null
"$ITPSIM" plot "$dir/as" > /dev/null
for f in report.html plots/assurance.png plots/assurance.svg plots/assurance.csv; do
  [ -s "$dir/as/$f" ] || fail "assurance plot: no $f"
done
[ "$(grep -c . "$dir/as/plots/assurance.csv")" -eq 5 ] || fail "assurance.csv: not 4 sets"
head -n 1 "$dir/as/plots/assurance.csv" | grep -q '^set,power,' || fail "assurance.csv header"
echo "plots: ok"
