#!/bin/sh
# Checks the build's Debian packages with pkg-config and installs the missing
# ones with apt-get when running as root. Arguments: pkgconfig-name:debian-package ...
# then, after --all, Debian packages of the optional features (checked with
# dpkg-query: pictures, the report check, the R reference checks, MPI,
# valgrind, clang), installed the same way.
missing=""
while [ $# -gt 0 ] && [ "$1" != --all ]; do
  spec=$1; shift
  pc=${spec%%:*}
  deb=${spec#*:}
  if ! pkg-config --exists "$pc" 2>/dev/null; then
    missing="$missing $deb"
  fi
done
command -v pkg-config >/dev/null 2>&1 || missing="pkg-config$missing"
[ "${1:-}" = --all ] && shift
for deb in "$@"; do
  dpkg-query -W -f='${Status}' "$deb" 2>/dev/null | grep -q 'install ok installed' ||
    missing="$missing $deb"
done
[ -z "$missing" ] && exit 0
echo "itpsim: missing Debian packages:$missing" >&2
if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
  echo "itpsim: installing them with apt-get" >&2
  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends $missing >/dev/null && exit 0
  echo "itpsim: apt-get could not install:$missing" >&2
  exit 1
fi
echo "itpsim: install them with: sudo apt-get install$missing" >&2
exit 1
