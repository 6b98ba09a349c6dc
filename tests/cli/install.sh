#!/bin/sh
# make install into a temporary PREFIX: the installed program finds its
# defaults there from any working folder, runs an installed example
# scenario and the assurance from the installed draws, its man page is
# there; make uninstall removes every file it installed. Without defaults
# at all, the program says where it looked.
: "${BUILD:=build}"
prefix=$(mktemp -d)
trap 'rm -rf "$prefix"' EXIT
fail() { echo "FAIL: $*"; exit 1; }
make -s install BUILD="$BUILD" PREFIX="$prefix" > /dev/null || fail "make install"
bin=$prefix/bin/itpsim
share=$prefix/share/itpsim
for f in config/defaults.cfg config/joint_fitted.cfg config/fitted_draws.csv \
         scenarios/vayhit2.cfg scenarios/calibration/joint.cfg; do
  [ -s "$share/$f" ] || fail "not installed: $f"
done
[ -s "$prefix/share/man/man1/itpsim.1" ] || fail "no man page"
work=$(mktemp -d)
( cd "$work" &&
  "$bin" check "$share/scenarios/vayhit2.cfg" | grep -q "platelet.fluctuation_sd .*fitted jointly" &&
  "$bin" run "$share/scenarios/vayhit2.cfg" -n 10 --set patients=30 -o out --quiet > /dev/null &&
  grep -q "\"defaults\": \"$share/config/defaults.cfg\"" out/summary.json &&
  "$bin" run "$share/scenarios/vayhit2.cfg" --assurance 2 -n 10 --set patients=30 -o as \
    --quiet > /dev/null && [ -s as/assurance.json ] ) || { rm -rf "$work"; fail "installed run"; }
rm -rf "$work"
# a copy of the program with no defaults anywhere near it
lone=$(mktemp -d)
mkdir "$lone/bin"
cp "$bin" "$lone/bin/itpsim"
err=$(cd "$lone" && ./bin/itpsim check "$share/scenarios/hazard_two_arm.cfg" 2>&1); rc=$?
rm -rf "$lone"
[ "$rc" -eq 2 ] || fail "no defaults: exit $rc"
case "$err" in *"no defaults file: looked for"*"bin/../config/defaults.cfg"*) ;;
  *) fail "no defaults: $err" ;; esac
make -s uninstall BUILD="$BUILD" PREFIX="$prefix" > /dev/null || fail "make uninstall"
left=$(find "$prefix" -type f)
[ -z "$left" ] || fail "left after uninstall: $left"
[ ! -e "$share" ] || fail "share/itpsim left after uninstall"
exit 0
