#!/bin/sh
# The modules of itpsim depend on each other in one direction only: no
# include cycle between them.
#
#   sh tests/scripts/check_layers.sh [-v]
#
# A module is a folder under src/. Its edges are the #include "..." lines of
# its files: "itpsim/X.h" leads to the module that owns include/itpsim/X.h
# (the map below: the folder whose sources define the header's functions),
# "Y.h" to the header beside the file (its own module). A public header's
# includes count for the module that owns it. Prints the cycle and exits 1
# when there is one (or an include this script cannot place); -v prints the
# graph, one "module: the modules it includes" line each.
set -eu
cd "$(dirname "$0")/../.."

# include/itpsim/NAME.h -> the folder whose sources define its functions
map='analysis analysis
assurance design
binary stats
calibrate design
cfgread config
compare design
component treatment
dosing treatment
courses treatment
endpoint endpoint
engine montecarlo
error core
fmt core
gsdesign stats
json core
model model
montecarlo montecarlo
multiplicity stats
probit stats
plot plot
record record
report report
rng core
run design
scenario scenario
search design
survival stats
trial trial
units core'

# Edges known to close a cycle and waiting to be removed, each with why; they
# are reported and left out of the search. An edge listed here that no
# include makes any more fails the check, so the list cannot go stale.
# (none now)
pending=''

verbose=0
[ "${1:-}" = "-v" ] && verbose=1

edges=$(mktemp)
trap 'rm -f "$edges"' EXIT
fail=0

# "from to file" for every include of a project header
for f in src/*/*.c src/*/*.h include/itpsim/*.h; do
  case $f in
    include/itpsim/*)
      from=$(printf '%s\n' "$map" | awk -v h="$(basename "$f" .h)" '$1 == h { print $2 }')
      if [ -z "$from" ]; then
        echo "check_layers: $f: no module in the map of $0"; fail=1; continue
      fi ;;
    *) from=$(basename "$(dirname "$f")") ;;
  esac
  for inc in $(sed -n 's/^[[:space:]]*#[[:space:]]*include[[:space:]]*"\([^"]*\)".*/\1/p' "$f"); do
    case $inc in
      itpsim/*.h)
        h=${inc#itpsim/}; h=${h%.h}
        to=$(printf '%s\n' "$map" | awk -v h="$h" '$1 == h { print $2 }')
        if [ -z "$to" ]; then
          echo "check_layers: $f: $inc: no module in the map of $0"; fail=1; continue
        fi ;;
      */*)
        echo "check_layers: $f: $inc: expected itpsim/NAME.h or a header beside the file"
        fail=1; continue ;;
      *)
        if [ ! -f "$(dirname "$f")/$inc" ]; then
          echo "check_layers: $f: $inc: no such header beside the file"; fail=1; continue
        fi
        to=$from ;;
    esac
    [ "$from" = "$to" ] || echo "$from $to $f" >> "$edges"
  done
done

printf '%s\n' "$pending" | while read -r a b; do
  [ -n "$a" ] || continue
  if awk -v a="$a" -v b="$b" '$1 == a && $2 == b { found = 1 } END { exit !found }' "$edges"; then
    echo "check_layers: pending: $a -> $b ($(awk -v a="$a" -v b="$b" \
      '$1 == a && $2 == b { printf "%s%s", sep, $3; sep = ", " }' "$edges"))"
  else
    echo "check_layers: $a -> $b is listed as pending but no include makes it: remove it from $0"
    exit 1
  fi
done || fail=1

[ "$verbose" -eq 1 ] && awk '{ if (!(($1, $2) in seen)) { seen[$1, $2] = 1; out[$1] = out[$1] " " $2 } }
  END { for (m in out) print m ":" out[m] }' "$edges" | sort

# Depth-first search for a cycle, without the pending edges.
printf '%s\n' "$pending" | awk '
  NR == FNR { if (NF == 2) skip[$1, $2] = 1; next }
  ($1, $2) in skip { next }
  !(($1, $2) in adj) { adj[$1, $2] = $3; succ[$1] = succ[$1] " " $2; node[$1] = 1; node[$2] = 1 }
  function visit(v,    n, i, w, k, path, ws) {
    state[v] = 1; stack[++depth] = v
    n = split(succ[v], ws, " ")
    for (i = 1; i <= n; i++) {
      w = ws[i]
      if (state[w] == 1) {
        path = ""
        for (k = 1; k <= depth; k++) if (stack[k] == w) break
        for (; k <= depth; k++)
          path = path stack[k] " -> "
        print "check_layers: include cycle: " path w
        for (k = 1; k <= depth; k++) if (stack[k] == w) break
        for (; k < depth; k++)
          print "  " stack[k] " -> " stack[k + 1] ": " adj[stack[k], stack[k + 1]]
        print "  " stack[depth] " -> " w ": " adj[stack[depth], w]
        return 1
      }
      if (state[w] == 0 && visit(w)) return 1
    }
    state[v] = 2; depth--
    return 0
  }
  END { for (v in node) if (state[v] == 0 && visit(v)) exit 1 }
' - "$edges" || fail=1

if [ "$fail" -eq 0 ]; then
  echo "check_layers: $(ls -d src/*/ | wc -l | tr -d ' ') modules, no include cycle"
fi
exit "$fail"
