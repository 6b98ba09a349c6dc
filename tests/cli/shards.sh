#!/bin/sh
# Shards for array jobs: run --replicates FROM:TO computes only that range;
# merge combines shards (in any order) into the same files as one run
# (summary.json's provenance aside), and refuses gaps, overlaps, shards of
# another seed or other settings, and an unfinished shard. run --resume DIR
# takes the scenario and --set values the folder recorded. The example
# Slurm script is valid shell.
: "${ITPSIM:=build/itpsim}"
dir=$(mktemp -d)
trap 'rm -rf "$dir"' EXIT
fail() { echo "FAIL: $*"; exit 1; }
scn=scenarios/hazard_two_arm.cfg
run() { "$ITPSIM" run "$scn" -s 3 --set patients=80 --quiet "$@" > /dev/null; }
run -n 700 -o "$dir/one" || fail "one run"
run --replicates 0:256 -o "$dir/a" || fail "shard a"
run --replicates 256:300 -o "$dir/b" || fail "shard b"
run --replicates 300:700 -o "$dir/c" || fail "shard c"
[ -s "$dir/a/shard.state" ] || fail "no shard.state"
grep -q '"shard_from": 256, "shard_to": 300' "$dir/b/summary.json" || fail "shard range not recorded"
grep -c '^design,' "$dir/b/replicates.csv" | grep -qx 44 || fail "shard b: not 44 design rows"
"$ITPSIM" merge "$dir/m" "$dir/c" "$dir/a" "$dir/b" --quiet || fail "merge"
sh tests/scripts/cmp_results.sh "$dir/one" "$dir/m" || fail "merged files differ from one run"
[ ! -e "$dir/m/shard.state" ] || fail "the merged folder is not a shard"
# refusals, exit 2
refuse() {   # expected text, then merge's arguments
  want=$1; shift
  out=$("$ITPSIM" merge "$@" 2>&1); rc=$?
  [ "$rc" -eq 2 ] || fail "merge $*: exit $rc: $out"
  case "$out" in *"$want"*) ;; *) fail "merge $*: message lacks '$want': $out" ;; esac
}
refuse "a gap at replicate 256" "$dir/g1" "$dir/a" "$dir/c"
run --replicates 200:300 -o "$dir/o" || fail "shard o"
refuse "overlap" "$dir/g2" "$dir/a" "$dir/o" "$dir/c"
"$ITPSIM" run "$scn" -s 4 --set patients=80 --quiet --replicates 256:300 -o "$dir/s4" > /dev/null
refuse "a shard of another seed" "$dir/g3" "$dir/a" "$dir/s4" "$dir/c"
"$ITPSIM" run "$scn" -s 3 --set patients=90 --quiet --replicates 256:300 -o "$dir/p90" > /dev/null
refuse "another scenario or other settings" "$dir/g4" "$dir/a" "$dir/p90" "$dir/c"
refuse "is not a shard folder" "$dir/g5" "$dir/one"
refuse "expected OUT and at least one SHARD" "$dir/g6"
# --resume DIR alone: the recorded scenario and --set values
run -n 300 -o "$dir/r0" || fail "reference for resume"
cp -r "$dir/a" "$dir/r"   # not interrupted: nothing to resume
out=$("$ITPSIM" run --resume "$dir/r" 2>&1); rc=$?
[ "$rc" -eq 2 ] || fail "--resume of a finished shard: exit $rc: $out"
bash -n doc/slurm_array.sh || fail "doc/slurm_array.sh is not valid bash"
exit 0
