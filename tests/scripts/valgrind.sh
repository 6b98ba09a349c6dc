#!/bin/sh
# Runs every unit-test binary given, then a few itpsim commands, under
# $VALGRIND (memcheck with --error-exitcode=1); a memcheck error or a failed
# test fails. Closes with "valgrind: N passed, N failed".
build=$1; shift
passed=0; failed=0
log=$(mktemp); out=$(mktemp -d)
trap 'rm -rf "$log" "$out"' EXIT
check() {
  # $1: a label; the rest: the command
  label=$1; shift
  if $VALGRIND "$@" >"$log" 2>&1; then
    echo "[ PASSED ] valgrind $label"; passed=$((passed + 1))
  else
    cat "$log"; echo "[ FAILED ] valgrind $label"; failed=$((failed + 1))
  fi
}
# the simulated cohorts of test_clinical at a tenth of their size
export ITPSIM_TEST_COHORT=2000
# and two synthetic data sets of test_joint's coverage check, not 40
export ITPSIM_TEST_COVERAGE_SETS=2
# test_edge's peak-memory check measures memcheck's memory too: not asserted
export ITPSIM_TEST_NO_PEAK=1
for t in "$@"; do
  check "$t" "$t"
done
itpsim=$build/itpsim
check "itpsim check" "$itpsim" check scenarios/vayhit2.cfg
# A refusal exits 2, not valgrind's 1: run it through a wrapper.
if $VALGRIND "$itpsim" check tests/bad-scenarios/unknown_arm_key.cfg >"$log" 2>&1; [ $? -eq 2 ]; then
  echo "[ PASSED ] valgrind itpsim check (bad scenario)"; passed=$((passed + 1))
else
  cat "$log"; echo "[ FAILED ] valgrind itpsim check (bad scenario)"; failed=$((failed + 1))
fi
check "itpsim simulate" "$itpsim" simulate scenarios/vayhit2.cfg -n 30 -o "$out/sim"
check "itpsim run" "$itpsim" run scenarios/hazard_two_arm.cfg -n 300 -j 2 -o "$out/run" --quiet
echo "valgrind: $passed passed, $failed failed"
[ "$failed" -eq 0 ]
