#!/bin/sh
# Checks the build's Debian packages with pkg-config and installs the missing
# ones with apt-get when running as root. Arguments: pkgconfig-name:debian-package ...
missing=""
for spec in "$@"; do
  pc=${spec%%:*}
  deb=${spec#*:}
  if ! pkg-config --exists "$pc" 2>/dev/null; then
    missing="$missing $deb"
  fi
done
command -v pkg-config >/dev/null 2>&1 || missing="pkg-config$missing"
[ -z "$missing" ] && exit 0
echo "itpsim: missing Debian packages:$missing" >&2
if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
  echo "itpsim: installing them with apt-get" >&2
  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $missing >/dev/null && exit 0
  echo "itpsim: apt-get could not install:$missing" >&2
  exit 1
fi
echo "itpsim: install them with: sudo apt-get install$missing" >&2
exit 1
