# Shared by compare_results.sh and compare_mcse.sh (sourced, not run):
# compare_setup REV builds commit REV in a temporary folder ($tmp, removed
# on exit) and the working tree; each_scenario REPS FUNCTION runs `itpsim
# run` of every shipped scenario with both into $tmp/old-NAME and
# $tmp/new-NAME and calls FUNCTION NAME, setting status=1 when it fails.
compare_setup() {
  root=$(pwd)
  tmp=$(mktemp -d)
  trap 'rm -rf "$tmp"' EXIT
  git -C "$root" archive --format=tar "$1" | tar -x -C "$tmp" 2>/dev/null || {
    echo "compare: cannot export $1"; exit 2; }
  make -C "$tmp" --no-print-directory all >/dev/null
  make -C "$root" --no-print-directory all >/dev/null
}

each_scenario() {
  status=0
  for scn in scenarios/*.cfg; do
    name=$(basename "$scn" .cfg)
    [ -f "$tmp/$scn" ] || { echo "$name: not in the earlier commit"; continue; }
    (cd "$tmp" && ./build/itpsim run "$scn" -n "$1" -o "$tmp/old-$name" --quiet >/dev/null)
    (cd "$root" && ./build/itpsim run "$scn" -n "$1" -o "$tmp/new-$name" --quiet >/dev/null)
    "$2" "$name" || status=1
  done
}
