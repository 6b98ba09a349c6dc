#!/bin/sh
# Runs every cmocka binary given, then every tests/cli/*.sh check (only
# tests/cli/$ITPSIM_ONLY.sh when that is set; none of the names in
# $ITPSIM_EXCLUDE), and closes
# with one summary line "N passed, N failed, N skipped". A check script that
# exits 77 is skipped (a tool it needs is missing). Exit status 1 when any failed.
build=$1; shift
passed=0; failed=0; skipped=0
log=$(mktemp)
for t in "$@"; do
  "$t" >"$log" 2>&1
  rc=$?
  cat "$log"
  p=$(sed -n 's/.*\[  PASSED  \] \([0-9]*\) test.*/\1/p' "$log" | tail -n 1)
  f=$(sed -n 's/.*\[  FAILED  \] \([0-9]*\) test.*/\1/p' "$log" | tail -n 1)
  passed=$((passed + ${p:-0})); failed=$((failed + ${f:-0}))
  if [ "$rc" -ne 0 ] && [ -z "$f" ]; then
    echo "FAILED: $t exited $rc"; failed=$((failed + 1))
  fi
done
for s in tests/cli/*.sh; do
  [ -f "$s" ] || continue
  # ITPSIM_ONLY=NAME (make test T=NAME): only tests/cli/NAME.sh
  [ -z "${ITPSIM_ONLY:-}" ] || [ "$(basename "$s" .sh)" = "$ITPSIM_ONLY" ] || continue
  case " ${ITPSIM_EXCLUDE:-} " in *" $(basename "$s" .sh) "*) continue ;; esac
  ITPSIM="$build/itpsim" BUILD="$build" sh "$s" >"$log" 2>&1
  rc=$?
  if [ "$rc" -eq 0 ]; then
    echo "[ PASSED ] $s"; passed=$((passed + 1))
  elif [ "$rc" -eq 77 ]; then
    cat "$log"; echo "[ SKIPPED ] $s"; skipped=$((skipped + 1))
  else
    cat "$log"; echo "[ FAILED ] $s"; failed=$((failed + 1))
  fi
done
rm -f "$log"
if [ -n "${ITPSIM_NO_SKIP:-}" ] && [ "$skipped" -gt 0 ]; then
  echo "ITPSIM_NO_SKIP is set: $skipped skipped check(s) count as failed"
  failed=$((failed + skipped))
fi
echo "$passed passed, $failed failed, $skipped skipped"
[ "$failed" -eq 0 ]
