#!/bin/sh
# Checks itpsim's log-rank, Fleming-Harrington, Cox, Kaplan-Meier and
# restricted mean survival time kernels against R survival.
#
# tests/reference/surv_reference.R writes several seeded data sets and R's
# results into a temporary directory; build/tools/surv_driver computes the
# same quantities with itpsim; every quantity must agree within a relative
# difference of 1e-6 (absolute 1e-9 near zero), the restricted means and the
# Fleming-Harrington statistics (keys rmst_*, fh_*) within 1e-9 (absolute
# 1e-12), and NA where R gives NA.
# Exit 0 pass, 1 fail (each failing quantity printed with both values), 77
# skip when Rscript or the survival package is missing.
# Environment: BUILD (build directory, default build).

build=${BUILD:-build}
here=$(dirname "$0")
rscript="$here/../reference/surv_reference.R"
driver="$build/tools/surv_driver"

if ! command -v Rscript >/dev/null 2>&1; then
    echo "refcheck_survival: Rscript not found; skipped (apt-get install r-base-core r-cran-survival)"
    exit 77
fi
if ! Rscript -e 'suppressPackageStartupMessages(library(survival))' >/dev/null 2>&1; then
    echo "refcheck_survival: R package survival not installed; skipped (apt-get install r-cran-survival)"
    exit 77
fi
if [ ! -x "$driver" ]; then
    echo "refcheck_survival: $driver missing; run make $driver" >&2
    exit 1
fi

tmp=$(mktemp -d "${TMPDIR:-/tmp}/refcheck_survival.XXXXXX") || exit 1
trap 'rm -rf "$tmp"' 0
trap 'exit 1' HUP INT TERM

if ! Rscript "$rscript" "$tmp" >"$tmp/r.log" 2>&1; then
    cat "$tmp/r.log"
    echo "refcheck_survival: $rscript failed"
    exit 1
fi

status=0
nsets=0
for expected in "$tmp"/*.expected; do
    [ -f "$expected" ] || continue
    name=$(basename "$expected" .expected)
    nsets=$((nsets + 1))
    times=$(awk '$1 ~ /^km_t[0-9]+$/ { printf "%s ", $2 }' "$expected")
    taus=$(awk '$1 ~ /^rmst_tau[0-9]+$/ { printf "%s ", $2 }' "$expected")
    # shellcheck disable=SC2086  # times and taus are lists of words
    if ! "$driver" "$tmp/$name.csv" $times --rmst $taus \
            >"$tmp/$name.actual" 2>"$tmp/$name.err"; then
        cat "$tmp/$name.err"
        echo "FAIL $name: surv_driver failed"
        status=1
        continue
    fi
    awk -v set="$name" '
        function abs(x) { return x < 0 ? -x : x }
        function isnum(s) { return s ~ /^[-+]?([0-9]+\.?[0-9]*|\.[0-9]+)([eE][-+]?[0-9]+)?$/ }
        NR == FNR { got[$1] = $2; next }
        $1 ~ /^(km_t|rmst_tau)[0-9]+$/ { next }
        {
            key = $1; want = $2; n++
            if (!(key in got)) { printf "FAIL %s %s: R %s, itpsim prints nothing\n", set, key, want; bad++; next }
            have = got[key]
            if (!isnum(want) || !isnum(have)) {
                if (want != have) { printf "FAIL %s %s: R %s, itpsim %s\n", set, key, want, have; bad++ }
                next
            }
            diff = abs(have - want)
            strict = key ~ /^(rmst|fh)_/
            if (strict) { tol = 1e-9 * abs(want); if (tol < 1e-12) tol = 1e-12 }
            else { tol = 1e-6 * abs(want); if (tol < 1e-9) tol = 1e-9 }
            if (abs(want) > 1e-9 && diff / abs(want) > maxrel) { maxrel = diff / abs(want); maxkey = key }
            if (strict && abs(want) > 1e-12 && diff / abs(want) > maxnew) {
                maxnew = diff / abs(want); newkey = key
            }
            if (diff > tol) { printf "FAIL %s %s: R %s, itpsim %s\n", set, key, want, have; bad++ }
        }
        END {
            printf "%s: %d quantities, %d differ; largest relative difference %.3g (%s);",
                   set, n, bad, maxrel + 0, maxkey == "" ? "-" : maxkey
            printf " rmst and fh %.3g (%s)\n",
                   maxnew + 0, newkey == "" ? "-" : newkey
            exit bad > 0
        }' "$tmp/$name.actual" "$expected" || status=1
done

if [ "$nsets" -eq 0 ]; then
    echo "refcheck_survival: R wrote no data sets"
    exit 1
fi
exit $status
