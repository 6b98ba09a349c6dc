# Shared by compare_results.sh and compare_mcse.sh (sourced, not run):
# compare_setup REV builds commit REV in a temporary folder ($tmp, removed
# on exit) and the working tree; run_pair SCENARIO REPS runs `itpsim run` of
# a shipped scenario with both into $tmp/old-NAME and $tmp/new-NAME.
compare_setup() {
  root=$(pwd)
  tmp=$(mktemp -d)
  trap 'rm -rf "$tmp"' EXIT
  git -C "$root" archive --format=tar "$1" | tar -x -C "$tmp" 2>/dev/null || {
    echo "compare: cannot export $1"; exit 2; }
  make -C "$tmp" --no-print-directory all >/dev/null
  make -C "$root" --no-print-directory all >/dev/null
}

run_pair() {
  name=$(basename "$1" .cfg)
  (cd "$tmp" && ./build/itpsim run "$1" -n "$2" -o "$tmp/old-$name" --quiet >/dev/null)
  (cd "$root" && ./build/itpsim run "$1" -n "$2" -o "$tmp/new-$name" --quiet >/dev/null)
}
