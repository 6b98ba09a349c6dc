#!/bin/sh
# Compares the result files of two run folders byte for byte, summary.json
# without its "provenance" line (the command line, threads, ranks and date
# of the run, which differ between runs of the same results).
#   sh tests/scripts/cmp_results.sh DIR1 DIR2 [FILE...]
# FILE defaults to summary.json summary.csv arms.csv replicates.csv.
# Exit 0 when all are the same, 1 (naming the first that differs) otherwise.
a=$1; b=$2; shift 2
[ $# -gt 0 ] || set -- summary.json summary.csv arms.csv replicates.csv
for f in "$@"; do
  if [ "$f" = summary.json ]; then
    grep -v '^  "provenance": ' "$a/$f" > "$a/.cmp.$$" && grep -v '^  "provenance": ' "$b/$f" > "$b/.cmp.$$"
    cmp -s "$a/.cmp.$$" "$b/.cmp.$$"; rc=$?
    rm -f "$a/.cmp.$$" "$b/.cmp.$$"
  else
    cmp -s "$a/$f" "$b/$f"; rc=$?
  fi
  [ "$rc" -eq 0 ] || { echo "$f differs between $a and $b"; exit 1; }
done
exit 0
