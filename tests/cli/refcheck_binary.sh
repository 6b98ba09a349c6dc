#!/bin/sh
# Compares itpsim's binary-endpoint tests and p-value adjustments with R:
# tests/reference/binary_reference.R writes cases and R's answers, the
# driver build/tools/binary_driver computes itpsim's, and every quantity must
# agree to a relative difference of 1e-6 (absolute 1e-9 near zero); flag
# lines (an undefined value in R, a flag in itpsim) must match exactly.
# Exit 0 pass, 1 fail (each mismatch printed), 77 skip when Rscript is absent.
# Environment: BUILD (default build).
BUILD=${BUILD:-build}
name=refcheck_binary
driver=$BUILD/tools/binary_driver
script=tests/reference/binary_reference.R
. tests/scripts/refcheck_common.sh
