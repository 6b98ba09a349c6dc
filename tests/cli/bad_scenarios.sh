#!/bin/sh
# Every malformed scenario in tests/bad-scenarios/ is refused by
# `itpsim check` with exit code 2 and one message that names the file and a
# line ("FILE:LINE:"; a setting missing from the top level has no line, so
# there "FILE: missing setting") and contains the expected text: the first line of the
# scenario ("# expect: TEXT") or, for files that cannot hold a comment, the
# file beside it (NAME.cfg.expect). No run may crash (exit >= 128).
: "${ITPSIM:=build/itpsim}"
fail=0; n=0
for f in tests/bad-scenarios/*.cfg; do
  n=$((n + 1))
  if [ -f "$f.expect" ]; then
    expect=$(cat "$f.expect")
  else
    expect=$(sed -n '1s/^# expect: //p' "$f")
  fi
  if [ -z "$expect" ]; then
    echo "FAIL $f: no expected message"; fail=1; continue
  fi
  err=$("$ITPSIM" check "$f" 2>&1 >/dev/null)
  rc=$?
  if [ "$rc" -ne 2 ]; then
    echo "FAIL $f: exit $rc, expected 2 ($err)"; fail=1; continue
  fi
  case "$err" in
    *"$expect"*) ;;
    *) echo "FAIL $f: message lacks '$expect': $err"; fail=1; continue ;;
  esac
  if ! printf '%s\n' "$err" | grep -Eq "bad-scenarios/[A-Za-z0-9_.-]+(:[0-9]+:|: missing setting)"; then
    echo "FAIL $f: message does not name FILE:LINE: $err"; fail=1; continue
  fi
  [ $(printf '%s\n' "$err" | wc -l) -eq 1 ] || { echo "FAIL $f: more than one line: $err"; fail=1; }
done
# A missing scenario and a missing defaults file: exit 2 naming the file.
err=$("$ITPSIM" check tests/bad-scenarios/no-such-scenario.cfg 2>&1); rc=$?
[ "$rc" -eq 2 ] && case "$err" in *no-such-scenario.cfg*"cannot open"*) ;; *) rc=99 ;; esac
[ "$rc" -eq 2 ] || { echo "FAIL missing scenario: exit $rc: $err"; fail=1; }
err=$("$ITPSIM" check scenarios/vayhit2.cfg --defaults no-such-defaults.cfg 2>&1); rc=$?
[ "$rc" -eq 2 ] && case "$err" in *no-such-defaults.cfg*) ;; *) rc=99 ;; esac
[ "$rc" -eq 2 ] || { echo "FAIL missing defaults: exit $rc: $err"; fail=1; }
# A value out of range in the defaults file: the message names that file.
bad=$(mktemp)
sed 's/value = 0.19; unit = "probability"/value = 1.9; unit = "probability"/' config/defaults.cfg > "$bad"
err=$("$ITPSIM" check scenarios/vayhit2.cfg --defaults "$bad" 2>&1); rc=$?
rm -f "$bad"
case "$err" in *"$bad":[0-9]*": tpo_ra.eltrombopag.nonresponder_prob"*) ;; *) rc=99 ;; esac
[ "$rc" -eq 2 ] || { echo "FAIL bad defaults value: exit $rc: $err"; fail=1; }
# A population that sets a parameter the defaults do not have (misspelt):
# refused when a scenario names it, with the defaults file and its line.
bad=$(mktemp)
sed 's/      background_remission_prob = { value = 0.10;/      background_remision_prob = { value = 0.10;/' \
  config/defaults.cfg > "$bad"
pop=$(mktemp scenarios/.bad_population.XXXXXX)   # beside vayhit2.cfg: its @include is relative
sed 's/population = "pretreated";/population = "newly_diagnosed";/' scenarios/vayhit2.cfg > "$pop"
err=$("$ITPSIM" check "$pop" --defaults "$bad" 2>&1); rc=$?
rm -f "$bad" "$pop"
case "$err" in *"$bad":[0-9]*": populations.newly_diagnosed.platelet.background_remision_prob: a population may set only parameters of the defaults"*) ;; *) rc=99 ;; esac
[ "$rc" -eq 2 ] || { echo "FAIL misspelt population parameter: exit $rc: $err"; fail=1; }
# A scenario's own populations group (a fitted file's, or --set): the
# enrolled population's value is read above the defaults' population;
# another population's is not; an unknown population or parameter is
# refused with the setting.
out=$("$ITPSIM" check scenarios/target020.cfg \
      --set populations.newly_diagnosed.platelet.remission_odds=2.5 2>&1); rc=$?
case "$out" in *"platelet.remission_odds "*"= 2.5 "*"scenario (population newly_diagnosed)"*) ;; *) rc=99 ;; esac
[ "$rc" -eq 0 ] || { echo "FAIL scenario population value not read: exit $rc"; fail=1; }
out=$("$ITPSIM" check scenarios/target020.cfg \
      --set populations.refractory.platelet.remission_odds=2.5 2>&1); rc=$?
case "$out" in *"platelet.remission_odds "*"= 2.5 "*) rc=99 ;; *"platelet.remission_odds "*"scenario (population newly_diagnosed); source: fitted jointly"*) ;; *) rc=99 ;; esac
[ "$rc" -eq 0 ] || { echo "FAIL another population's value read: exit $rc"; fail=1; }
pop=$(mktemp scenarios/.bad_population.XXXXXX)
# (target020.cfg without the joint fit, whose populations group it holds)
{ grep -v joint_fitted scenarios/target020.cfg; echo 'populations = { first_line = { platelet = { remission_odds = 2.0; }; }; };'; } > "$pop"
err=$("$ITPSIM" check "$pop" 2>&1); rc=$?
case "$err" in *"$pop":[0-9]*": populations.first_line: unknown population 'first_line'"*) ;; *) rc=99 ;; esac
[ "$rc" -eq 2 ] || { echo "FAIL unknown scenario population: exit $rc: $err"; fail=1; }
{ grep -v joint_fitted scenarios/target020.cfg; echo 'populations = { newly_diagnosed = { platelet = { remision_odds = 2.0; }; }; };'; } > "$pop"
err=$("$ITPSIM" check "$pop" 2>&1); rc=$?
rm -f "$pop"
case "$err" in *"$pop":[0-9]*"populations.newly_diagnosed.platelet.remision_odds: a population may set only parameters of the defaults"*) ;; *) rc=99 ;; esac
[ "$rc" -eq 2 ] || { echo "FAIL misspelt scenario population parameter: exit $rc: $err"; fail=1; }
# Population values in a scenario that names no population would never
# be read: refused.
pop=$(mktemp scenarios/.bad_population.XXXXXX)
{ cat scenarios/hazard_two_arm.cfg; echo 'populations = { refractory = { platelet = { remission_odds = 2.0; }; }; };'; } > "$pop"
err=$("$ITPSIM" check "$pop" 2>&1); rc=$?
rm -f "$pop"
case "$err" in *"$pop":[0-9]*": populations: the scenario carries population values but names no population"*) ;; *) rc=99 ;; esac
[ "$rc" -eq 2 ] || { echo "FAIL population values without a population: exit $rc: $err"; fail=1; }
# An integer with many leading zeros is the integer (not refused as too
# long, not octal): patients = 000...0152 reads as 152; with one zero fewer
# than int's range allows, 2147483648 written with zeros is still refused.
pop=$(mktemp scenarios/.zeros.XXXXXX)
sed 's/^patients = 152;/patients = 0000000000000000000000000000000000000000000000152;/' \
  scenarios/vayhit2.cfg > "$pop"
out=$("$ITPSIM" check "$pop" 2>&1); rc=$?
case "$out" in *"patients "*"= 152 "*) ;; *) rc=99 ;; esac
[ "$rc" -eq 0 ] || { echo "FAIL leading zeros: exit $rc: $(printf '%s\n' "$out" | tail -1)"; fail=1; }
sed 's/^patients = 152;/patients = 00000000000000000000000002147483648;/' scenarios/vayhit2.cfg > "$pop"
err=$("$ITPSIM" check "$pop" 2>&1); rc=$?
rm -f "$pop"
case "$err" in *"patients: expected a whole number from"*) ;; *) rc=99 ;; esac
[ "$rc" -eq 2 ] || { echo "FAIL leading zeros beyond int: exit $rc: $err"; fail=1; }
# Not a scenario file at all: a folder, a device, a file over 16 MiB.
big=$(mktemp); trap 'rm -f "$big"' EXIT
truncate -s 17M "$big"
for x in "tests/bad-scenarios:a folder" "/dev/zero:a device or other special file" "$big:larger than 16 MiB"; do
  err=$("$ITPSIM" check "${x%%:*}" 2>&1); rc=$?
  [ "$rc" -eq 2 ] && case "$err" in *"${x%%:*}: ${x#*:}"*) ;; *) rc=99 ;; esac
  [ "$rc" -eq 2 ] || { echo "FAIL ${x%%:*}: exit $rc: $err"; fail=1; }
done
# Bad command-line values: exit 2.
for args in "simulate scenarios/vayhit2.cfg -s -4" "simulate scenarios/vayhit2.cfg -n 0" \
            "simulate scenarios/vayhit2.cfg --bogus" "frobnicate" \
            "check scenarios/vayhit2.cfg --set components.ianalumab_9.dose_mg_kg=abc" \
            "check scenarios/vayhit2.cfg --set platelet.baseline_medain=3" \
            "check scenarios/vayhit2.cfg --set .=3" "check scenarios/vayhit2.cfg --set a..b=3" \
            "check scenarios/vayhit2.cfg --set patients=4294967356" \
            "run scenarios/vayhit2.cfg -n 0" "run scenarios/vayhit2.cfg -n 10000001" \
            "run scenarios/vayhit2.cfg -j 257" "run scenarios/vayhit2.cfg -o" \
            "run scenarios/vayhit2.cfg --resume" \
            "run scenarios/vayhit2.cfg --resume results --force"; do
  "$ITPSIM" $args >/dev/null 2>&1; rc=$?
  [ "$rc" -eq 2 ] || { echo "FAIL itpsim $args: exit $rc, expected 2"; fail=1; }
done
echo "$n malformed scenarios checked"
exit $fail
