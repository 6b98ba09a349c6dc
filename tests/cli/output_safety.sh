#!/bin/sh
# Result files of `itpsim run` are never half-written or silently replaced:
# - a write error (a file-size limit: EFBIG; when this machine lets us mount
#   one, a full 256 KiB tmpfs: ENOSPC) gives a message naming the file and
#   the reason, exit 1, no temporary file, and leaves the results already in
#   the folder exactly as they were;
# - the printed summary going to a full device (/dev/full) is exit 1;
# - an output folder that cannot be made is exit 1;
# - a folder holding another scenario's results is refused (exit 2, files
#   untouched) unless --force; the same scenario file, or a copy with the
#   same settings, may overwrite it;
# - `simulate` writes its files as one set: a write error on one of them
#   (visits.csv over a file-size limit that patients.csv, written before
#   it, stays under) leaves the folder's earlier simulation exactly as it
#   was, exit 1 with the file and the reason, and no temporary.
: "${ITPSIM:=build/itpsim}"
dir=$(mktemp -d)
mnt=
cleanup() { [ -n "$mnt" ] && umount "$mnt" 2>/dev/null; rm -rf "$dir"; }
trap cleanup EXIT
fail() { echo "FAIL: $*"; exit 1; }
scn=scenarios/hazard_two_arm.cfg
snapshot() { (cd "$1" && ls -A && cat summary.json summary.csv arms.csv replicates.csv) | cksum; }

# a write error: a file-size limit of 64 KiB (replicates.csv needs more),
# SIGXFSZ ignored so that the write fails with EFBIG instead
"$ITPSIM" run "$scn" -n 100 -o "$dir/w" --quiet > /dev/null || fail "small run"
before=$(snapshot "$dir/w")
(trap '' XFSZ; ulimit -f 128; exec "$ITPSIM" run "$scn" -n 4000 -o "$dir/w" --quiet) \
  > /dev/null 2> "$dir/err"
rc=$?
[ $rc -eq 1 ] || fail "file-size limit: exit $rc, expected 1: $(cat "$dir/err")"
grep -q "replicates.csv: write failed: File too large" "$dir/err" || fail "message: $(cat "$dir/err")"
[ "$(snapshot "$dir/w")" = "$before" ] || fail "the earlier results changed"
echo "file-size limit: $(cat "$dir/err")"

# simulate: all the files or none (VAYHIT2's patients.csv is about 13 KB,
# its visits.csv about 90 KB: a 32 KiB limit stops the second)
"$ITPSIM" simulate scenarios/vayhit2.cfg -n 20 -o "$dir/sim" > /dev/null || fail "small simulate"
simsnap() { (cd "$1" && ls -A && cat ./*.csv) | cksum; }
before=$(simsnap "$dir/sim")
(trap '' XFSZ; ulimit -f 64; exec "$ITPSIM" simulate scenarios/vayhit2.cfg -o "$dir/sim") \
  > /dev/null 2> "$dir/err"
rc=$?
[ $rc -eq 1 ] || fail "simulate over the file-size limit: exit $rc, expected 1: $(cat "$dir/err")"
grep -q "visits.csv: write failed: File too large" "$dir/err" || fail "simulate message: $(cat "$dir/err")"
[ "$(simsnap "$dir/sim")" = "$before" ] || fail "a failed simulate changed the earlier simulation's files"
echo "simulate over the file-size limit: $(cat "$dir/err")"

# a full file system, where we may mount one
if [ "$(id -u)" = 0 ] && mkdir "$dir/mnt" && mount -t tmpfs -o size=256k tmpfs "$dir/mnt" 2>/dev/null; then
  mnt=$dir/mnt
  "$ITPSIM" run "$scn" -n 100 -o "$mnt/r" --quiet > /dev/null || fail "small run on tmpfs"
  before=$(snapshot "$mnt/r")
  "$ITPSIM" run "$scn" -n 4000 -o "$mnt/r" --quiet > /dev/null 2> "$dir/err"
  rc=$?
  [ $rc -eq 1 ] || fail "full tmpfs: exit $rc, expected 1: $(cat "$dir/err")"
  grep -q "write failed: No space left on device" "$dir/err" || fail "message: $(cat "$dir/err")"
  [ "$(snapshot "$mnt/r")" = "$before" ] || fail "the earlier results on tmpfs changed"
  echo "full tmpfs: $(cat "$dir/err")"
  umount "$mnt" && mnt=
else
  echo "full tmpfs: cannot mount one here (not root, or no permission); checked with the size limit only"
fi

# the printed summary cannot be written
"$ITPSIM" run "$scn" -n 50 -o "$dir/full" --quiet > /dev/full 2> "$dir/err"
rc=$?
[ $rc -eq 1 ] && grep -q "standard output" "$dir/err" || fail "stdout on /dev/full: exit $rc: $(cat "$dir/err")"

# an output folder that cannot be made (a file is in the way)
: > "$dir/file"
"$ITPSIM" run "$scn" -n 50 -o "$dir/file/sub" --quiet > /dev/null 2> "$dir/err"
rc=$?
[ $rc -eq 1 ] && grep -q "$dir/file" "$dir/err" || fail "-o under a file: exit $rc: $(cat "$dir/err")"

# another scenario's results: refused unless --force
"$ITPSIM" run "$scn" -n 50 -o "$dir/g" --quiet > /dev/null || fail "run into g"
before=$(snapshot "$dir/g")
"$ITPSIM" run scenarios/vayhit2.cfg -n 10 -o "$dir/g" --quiet > /dev/null 2> "$dir/err"
rc=$?
[ $rc -eq 2 ] && grep -q "another scenario" "$dir/err" && grep -q -- "--force" "$dir/err" ||
  fail "another scenario: exit $rc: $(cat "$dir/err")"
[ "$(snapshot "$dir/g")" = "$before" ] || fail "a refused run changed the folder"
sed 's/patients = 100;/patients = 120;/' "$scn" > "$dir/changed.cfg"
"$ITPSIM" run "$dir/changed.cfg" -n 10 -o "$dir/g" --quiet > /dev/null 2>&1
[ $? -eq 2 ] || fail "another file with other settings was allowed"
cp "$scn" "$dir/copy.cfg"
"$ITPSIM" run "$dir/copy.cfg" -n 60 -o "$dir/g" --quiet > /dev/null || fail "an identical copy was refused"
"$ITPSIM" run "$scn" -n 70 --set patients=110 -o "$dir/g" --quiet > /dev/null 2> "$dir/err"
[ $? -eq 2 ] || fail "the copy's folder taken by the original with other settings"
"$ITPSIM" run scenarios/vayhit2.cfg -n 10 -o "$dir/g" --force --quiet > /dev/null || fail "--force"
grep -q '"scenario": "VAYHIT2"' "$dir/g/summary.json" || fail "--force did not overwrite"
"$ITPSIM" run scenarios/vayhit2.cfg -n 12 -o "$dir/g" --quiet > /dev/null || fail "rerun of the same scenario"
# result files without summary.json: unknown scenario
mkdir "$dir/u" && echo "x" > "$dir/u/replicates.csv"
"$ITPSIM" run "$scn" -n 10 -o "$dir/u" --quiet > /dev/null 2> "$dir/err"
[ $? -eq 2 ] && grep -q "unknown scenario" "$dir/err" || fail "folder with stray results"
ls -A "$dir/g" "$dir/w" "$dir/sim" | grep -q '\.tmp-' && fail "temporary files left"
echo "output safety checks passed"
