#!/bin/sh
# @include, resolved by itpsim itself (src/config/source.c), at every depth:
# - a folder, a FIFO, a device, a file over 16 MiB is refused by name, with
#   the @include that named it, at depth 1 and at the deepest level allowed
#   (a FIFO must not block: each check runs under a 10 s timeout);
# - nesting deeper than 10 and a file including itself are refused;
# - an include name with \" or \\ opens the file the unescaped name names;
# - a missing file is named with the folder it was looked for in;
# - relative names are taken from the including file's folder, absolute
#   names work;
# - a bad setting in an included file, and a syntax error, are named by that
#   file and its own line; lines after an @include keep their numbers;
# - a scenario can come from standard input ("-"), also for run.
: "${ITPSIM:=build/itpsim}"
ITPSIM=$(cd "$(dirname "$ITPSIM")" && pwd)/$(basename "$ITPSIM")
root=$(pwd)
dir=$(mktemp -d)
trap 'rm -rf "$dir"' EXIT
fail=0
bad() { echo "FAIL: $*"; fail=1; }

# A valid scenario split in two: its design in base.inc, the rest in top.cfg.
sed -n '/^arms = (/,$p' tests/bad-scenarios/include_self.cfg > "$dir/base.inc"
printf 'name = "inc";\npatients = 60;\n' > "$dir/head.inc"

# expect CFG TEXT: `check CFG` exits 2 within 10 s with TEXT in its message
expect() {
  err=$(cd "$dir" && timeout 10 "$ITPSIM" check --defaults "$root/config/defaults.cfg" "$1" 2>&1)
  rc=$?
  [ $rc -eq 2 ] || { bad "$1: exit $rc, expected 2: $err"; return; }
  case "$err" in *"$2"*) ;; *) bad "$1: message lacks '$2': $err" ;; esac
  [ "$(printf '%s\n' "$err" | wc -l)" -eq 1 ] || bad "$1: more than one line: $err"
}
ok() {
  out=$(cd "$dir" && timeout 10 "$ITPSIM" check --defaults "$root/config/defaults.cfg" "$1" 2>&1)
  rc=$?
  [ $rc -eq 0 ] || bad "$1: exit $rc, expected 0: $out"
}

printf '@include "head.inc"\n@include "base.inc"\n' > "$dir/good.cfg"
ok good.cfg

# special files at depth 1 and at depth 10 (the top file, then nine files)
mkdir "$dir/sub"
mkfifo "$dir/fifo"
truncate -s 17M "$dir/big.inc"
i=1
while [ $i -lt 9 ]; do
  printf '@include "chain%d.inc"\n' $((i + 1)) > "$dir/chain$i.inc"
  i=$((i + 1))
done
for x in "sub:a folder" "fifo:a pipe (FIFO)" "/dev/zero:a device or other special file" \
         "/dev/null:a device or other special file" "big.inc:larger than 16 MiB"; do
  name=${x%%:*}; why=${x#*:}
  printf '@include "head.inc"\n@include "%s"\n@include "base.inc"\n' "$name" > "$dir/d1.cfg"
  expect d1.cfg "d1.cfg:2: @include \"$name\": $why, not a scenario file"
  printf '@include "%s"\n' "$name" > "$dir/chain9.inc"
  printf '@include "head.inc"\n@include "chain1.inc"\n@include "base.inc"\n' > "$dir/d10.cfg"
  expect d10.cfg "chain9.inc:1: @include \"$name\": $why, not a scenario file"
done
# one more level is refused, before the file is opened
printf '@include "chain10.inc"\n' > "$dir/chain9.inc"
printf '@include "chain11.inc"\n' > "$dir/chain10.inc"
printf 'x = 1;\n' > "$dir/chain11.inc"
expect d10.cfg "chain10.inc:1: @include \"chain11.inc\": includes nested more than 10 deep"
# a loop through two files
printf '@include "loop2.inc"\n' > "$dir/loop1.inc"
printf '\n@include "loop1.inc"\n' > "$dir/loop2.inc"
printf '@include "loop1.inc"\n' > "$dir/loop.cfg"
expect loop.cfg 'loop2.inc:2: @include "loop1.inc": includes itself (through loop1.inc)'

# escapes: the name is unescaped as libconfig unescapes strings
printf 'name = "quoted";\npatients = 60;\n' > "$dir/a\"b.inc"
printf 'name = "backslash";\npatients = 60;\n' > "$dir/a\\b.inc"
printf '@include "a\\"b.inc"\n@include "base.inc"\n' > "$dir/esc1.cfg"
printf '@include "a\\\\b.inc"\n@include "base.inc"\n' > "$dir/esc2.cfg"
ok esc1.cfg
ok esc2.cfg
out=$(cd "$dir" && "$ITPSIM" check --defaults "$root/config/defaults.cfg" esc1.cfg 2>&1)
case "$out" in *'"quoted"'*) ;; *) bad "esc1.cfg did not read a\"b.inc: $out" ;; esac
out=$(cd "$dir" && "$ITPSIM" check --defaults "$root/config/defaults.cfg" esc2.cfg 2>&1)
case "$out" in *'"backslash"'*) ;; *) bad "esc2.cfg did not read a\\b.inc: $out" ;; esac
# (the raw name a\"b.inc names no file: an include read raw would fail)
printf '@include "a\\nb.inc"\n' > "$dir/esc3.cfg"
expect esc3.cfg 'esc3.cfg:1: @include: only \\ and \" may be escaped in a file name'
printf '@include "base.inc" x = 1;\n' > "$dir/trail.cfg"
expect trail.cfg 'trail.cfg:1: @include "base.inc": nothing but a comment may follow on its line'

# a missing file names the folder looked in: the including file's folder
mkdir "$dir/nest"
printf '@include "nest/inner.inc"\n' > "$dir/miss.cfg"
printf '@include "nowhere.inc"\n' > "$dir/nest/inner.inc"
expect miss.cfg 'nest/inner.inc:1: @include "nowhere.inc": cannot open nest/nowhere.inc: No such file or directory (looked in nest)'
# relative to the including file, and absolute
printf 'name = "nested";\n' > "$dir/nest/name.inc"
printf '@include "name.inc"\npatients = 60;\n' > "$dir/nest/mid.inc"
printf '@include "nest/mid.inc"\n@include "base.inc"\n' > "$dir/rel.cfg"
ok rel.cfg
printf '@include "head.inc"\n@include "%s/base.inc"\n' "$dir" > "$dir/abs.cfg"
ok abs.cfg
(cd /tmp && timeout 10 "$ITPSIM" check --defaults "$root/config/defaults.cfg" "$dir/abs.cfg" \
  > /dev/null 2>&1) || bad "an absolute include from another working folder"

# errors inside an included file name that file and its own line; lines of
# the including file after an @include keep their own numbers
sed 's/^patients = 60;/patients = -5;/' "$dir/head.inc" > "$dir/neg.inc"
printf '# a comment\n@include "neg.inc"\n@include "base.inc"\n' > "$dir/neg.cfg"
expect neg.cfg "neg.inc:2: patients: expected an integer"
printf '@include "head.inc"\n@include "base.inc"\nrecruitment = { x = ; };\n' > "$dir/after.cfg"
expect after.cfg "after.cfg:3: syntax error"
printf 'name = "x";\npatients = = 60;\n' > "$dir/syn.inc"
printf '@include "syn.inc"\n@include "base.inc"\n' > "$dir/syn.cfg"
expect syn.cfg "syn.inc:2: syntax error"

# standard input: check and run read "-", messages name <stdin>
(cd "$dir" && "$ITPSIM" check --defaults "$root/config/defaults.cfg" - < good.cfg > out 2>&1) ||
  bad "check - < good.cfg: $(cat "$dir/out")"
grep -q '^# <stdin>: valid' "$dir/out" || bad "check - does not name <stdin>: $(tail -1 "$dir/out")"
err=$(sed 's/patients = 152;/patients = 0;/' scenarios/vayhit2.cfg |
      (cd scenarios && "$ITPSIM" check - 2>&1)); rc=$?
[ $rc -eq 2 ] || bad "a bad scenario on stdin: exit $rc"
case "$err" in *"<stdin>:"[0-9]*": patients: expected an integer"*) ;; *) bad "stdin message: $err" ;; esac
(cd scenarios && "$ITPSIM" run - -n 20 -o "$dir/in" --quiet < vayhit2.cfg > /dev/null) || bad "run -"
"$ITPSIM" run scenarios/vayhit2.cfg -n 20 -o "$dir/file" --quiet > /dev/null || bad "run file"
cmp -s "$dir/in/replicates.csv" "$dir/file/replicates.csv" || bad "run - gives other replicates"
exit $fail
