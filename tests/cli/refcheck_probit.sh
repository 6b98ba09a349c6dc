#!/bin/sh
# Compares itpsim's probit fit (the sample size search's fitted power curve)
# with R: tests/reference/probit_reference.R draws power curves of known
# probit form on sqrt(sample size), fits them with glm(cbind(r, m - r) ~ x,
# family = binomial(link = "probit")) and writes the coefficients, their
# standard errors and covariance, the deviance, the size at 80% power and
# the ends of its interval (where predict()'s 95% band crosses 0.8, found by
# uniroot); build/tools/probit_driver computes itpsim's, and every quantity
# must agree to a relative difference of 1e-6 (absolute 1e-9 near zero).
# Exit 0 pass, 1 fail (each mismatch printed), 77 skip when Rscript is absent.
# Environment: BUILD (default build).
BUILD=${BUILD:-build}
name=refcheck_probit
driver=$BUILD/tools/probit_driver
script=tests/reference/probit_reference.R
. tests/scripts/refcheck_common.sh
