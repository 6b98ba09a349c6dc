/* Shared by the binary-endpoint tests (binary.c, exact.c). */
#ifndef ITPSIM_BINARY_INTERNAL_H
#define ITPSIM_BINARY_INTERNAL_H

#include "itpsim/binary.h"

/* R's relative tolerance for "as probable as the observed table" in
 * fisher.test and binom.test: guards against ties lost to rounding. */
#define ITP_EXACT_REL_ERR (1.0 + 1e-7)

/* HUGE_VAL and NAN are floats in C11; -Wdouble-promotion wants the cast. */
#define POS_INF ((double)INFINITY)
#define NOT_A_NUMBER ((double)NAN)

/* Pooled table and checks shared by every two-arm test. */
typedef struct pooled {
    double a, b, c, d;          /* cells, see the file header */
    double n1, n0, m1, m0, n;   /* margins and total */
} pooled;

/* Checks the counts and the confidence level and pools the strata into pt. */
itp_status itp_bin_check_input(const itp_binary_counts *cnt, double conf_level,
                               const itp_binary_result *out, pooled *pt);
/* The result written when no test is possible: never rejects. */
void itp_bin_set_no_test(itp_binary_result *out);
/* Estimate and interval NaN, flagged not estimable. */
void itp_bin_set_not_estimable(itp_binary_result *out);
/* No patients: no test and nothing to estimate. */
void itp_bin_set_no_data(itp_binary_result *out);
/* Zeroes a result before a test fills it. */
void itp_bin_clear_result(itp_binary_result *out);
/* The start of a test on the pooled table: checks and pools the counts
 * (itp_bin_check_input) and clears out; with no patient at all it writes
 * the no-data result and sets *done. */
itp_status itp_bin_begin(const itp_binary_counts *cnt, double conf_level,
                         itp_binary_result *out, pooled *pt, int *done);

#endif
