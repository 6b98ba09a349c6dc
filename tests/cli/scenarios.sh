#!/bin/sh
# Every scenario shipped in scenarios/ validates, and runs 200 replicates
# (and as many under the null) to a complete output folder.
: "${ITPSIM:=build/itpsim}"
out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT
for f in scenarios/*.cfg; do
  "$ITPSIM" check "$f" > /dev/null || { echo "FAIL check $f"; exit 1; }
  "$ITPSIM" run "$f" -n 200 -o "$out/run" --force > /dev/null 2>&1 ||
    { echo "FAIL run $f"; exit 1; }
  [ -s "$out/run/summary.json" ] && [ -s "$out/run/arms.csv" ] ||
    { echo "FAIL $f: no summary.json or arms.csv"; exit 1; }
done
# Every seeded trial but the hazard example takes the joint fit, and a
# parameter fitted per population reaches its population: the refractory
# trials' count fluctuation is the refractory value, not the general one.
for f in scenarios/*.cfg; do
  [ "$f" = scenarios/hazard_two_arm.cfg ] && continue
  grep -q '^@include "../config/joint_fitted.cfg"' "$f" || { echo "FAIL $f: no joint fit"; exit 1; }
done
for x in vayhit3:refractory efgartigimod_ph2:refractory vayhit2:pretreated target020:newly_diagnosed; do
  "$ITPSIM" check "scenarios/${x%%:*}.cfg" | grep -q \
    "^platelet.fluctuation_sd .*scenario (population ${x#*:}); source: fitted jointly" ||
    { echo "FAIL scenarios/${x%%:*}.cfg: fluctuation_sd not its population's joint fit"; exit 1; }
done
