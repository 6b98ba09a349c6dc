#!/bin/sh
# Compares the results of the working tree with those of an earlier commit:
# builds both, runs `itpsim run SCENARIO -n REPS` of every shipped scenario
# with the same seed, and compares the result files byte for byte.
#
#   sh tests/scripts/compare_results.sh [REV [REPS]]     (default HEAD, 4000)
#
# Prints one line per scenario ("same" or "DIFFERENT: files"), and exits 1
# when any differs. summary.json is compared without its scenario_hash
# line, which a new or renamed setting changes while no result moves; a
# changed hash is said on the line. A change of results that is meant (a new stream key, a
# rule) must instead be shown within Monte Carlo error; this script is for
# the changes that must change nothing (layout, speed).
set -eu
rev=${1:-HEAD}
reps=${2:-4000}
. "$(dirname "$0")/compare_common.sh"
compare_setup "$rev"
same() {
  diffs="" hash=""
  for f in "$tmp/new-$1"/*; do
    b=$(basename "$f")
    if [ "$b" = summary.json ]; then
      grep -v '"scenario_hash"\|^  "provenance": ' "$f" > "$tmp/a.json"
      grep -v '"scenario_hash"\|^  "provenance": ' "$tmp/old-$1/$b" > "$tmp/b.json"
      cmp -s "$tmp/a.json" "$tmp/b.json" || diffs="$diffs $b"
      cmp -s "$f" "$tmp/old-$1/$b" || hash=" (the scenario hash differs: settings resolved otherwise)"
    else
      cmp -s "$f" "$tmp/old-$1/$b" || diffs="$diffs $b"
    fi
  done
  if [ -z "$diffs" ]; then
    echo "$1: same ($reps replicates and as many under the null)$hash"
  else
    echo "$1: DIFFERENT:$diffs"; return 1
  fi
}
each_scenario "$reps" same
exit $status
