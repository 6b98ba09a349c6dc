/* Tests and estimates for a binary endpoint (response, SR6) comparing an
 * experimental arm with a control arm, possibly stratified; and the exact
 * binomial test of a single arm against a historical rate.
 *
 * Input is one 2x2 table per stratum k = 0..nstrata-1:
 *
 *                   responders   non-responders   total
 *   experimental      x1[k]       n1[k] - x1[k]    n1[k]
 *   control           x0[k]       n0[k] - x0[k]    n0[k]
 *
 * Direction: every one-sided p-value is for the alternative "the experimental
 * arm has the higher response rate" (odds ratio > 1, risk difference > 0),
 * and every signed z is positive when the experimental rate is higher.
 *
 * Which tests use the strata: Cochran-Mantel-Haenszel is stratified. Pearson
 * chi-square, Fisher's exact test and the risk difference pool the strata
 * into one 2x2 table (sum of counts), as a crude analysis would.
 *
 * Kernels allocate nothing, read their inputs only, write only *out, and are
 * reentrant. They do not call the GSL error handler with valid input.
 *
 * Degenerate data never produce an unflagged NaN; see the ITP_BINARY_* flags
 * below for what is written in each case. Formulas and sources are in
 * src/stats/binary.c. */
#ifndef ITPSIM_BINARY_H
#define ITPSIM_BINARY_H

#include <stddef.h>
#include "itpsim/error.h"

/* One set of stratified 2x2 tables; the caller owns the four arrays, each
 * [nstrata]. Requires x0[k] <= n0[k], x1[k] <= n1[k], and the grand total
 * sum(n0 + n1) <= UINT_MAX (GSL's distributions take unsigned int). */
typedef struct itp_binary_counts {
    size_t nstrata;             /* number of strata, >= 1 */
    const unsigned int *x0;     /* [nstrata] responders, control */
    const unsigned int *n0;     /* [nstrata] subjects, control */
    const unsigned int *x1;     /* [nstrata] responders, experimental */
    const unsigned int *n1;     /* [nstrata] subjects, experimental */
} itp_binary_counts;

/* Flags in itp_binary_result.flags; several may be set at once. */
enum {
    /* No subject to analyse (every stratum empty; for CMH every stratum has
     * fewer than 2 subjects). NO_TEST and NOT_ESTIMABLE are set as well. */
    ITP_BINARY_NO_DATA = 1u << 0,
    /* The test statistic is 0/0: its variance is zero because a margin is
     * zero (no responders, all responders, or an empty arm) in every table
     * that counts. Then statistic = z = 0 and both p-values are 1, so the
     * replicate never rejects. Exact tests never set it: a table with a zero
     * margin has exact p-value 1 by computation. */
    ITP_BINARY_NO_TEST = 1u << 1,
    /* The estimate is 0/0 (an odds ratio with both cross products zero, a
     * risk difference with an empty arm, a rate with n = 0). Then estimate,
     * ci_lower and ci_upper are NaN: the only case where NaN is written. */
    ITP_BINARY_NOT_ESTIMABLE = 1u << 2,
    /* The estimate is finite or on the boundary but the usual CI formula
     * breaks down: a Wald standard error of zero (all-or-none responses in
     * both arms; the CI collapses to the estimate, as R's prop.test does), or
     * an odds ratio of 0 or +Inf (the CI is set to [0, +Inf]). */
    ITP_BINARY_CI_DEGENERATE = 1u << 3,
    /* The risk-difference z test used the pooled (score) standard error
     * because the Wald one is 0 under complete separation (rd_wald,
     * rd_newcombe). */
    ITP_BINARY_SCORE_TEST = 1u << 4
};

typedef struct itp_binary_result {
    double statistic;   /* the test's statistic: chi-square (CMH, Pearson),
                           Wald z (risk difference), the number of responders
                           in the experimental arm (Fisher) or the single arm
                           (binomial) */
    double z;           /* signed normal deviate for the asymptotic tests
                           (sqrt of the chi-square with the sign of the
                           observed difference); 0 for the exact tests */
    double p_greater;   /* one-sided p-value, experimental rate higher */
    double p_two_sided; /* two-sided p-value */
    double estimate;    /* see each function */
    double ci_lower;    /* two-sided CI at the requested level */
    double ci_upper;
    unsigned int flags; /* ITP_BINARY_* bits; 0 when all is regular */
} itp_binary_result;

/* Every two-arm test below has this signature. conf_level in (0, 1) is the
 * two-sided confidence level of the CI (e.g. 0.95). Returns ITP_EINPUT for
 * NULL pointers, nstrata = 0, x > n, or conf_level outside (0, 1), and
 * ITP_ERANGE for a grand total beyond UINT_MAX; *out is then untouched. */
typedef itp_status (*itp_binary_test_fn)(const itp_binary_counts *c,
                                         double conf_level,
                                         itp_binary_result *out);

/* Cochran-Mantel-Haenszel test without continuity correction, as R's
 * mantelhaen.test(correct = FALSE, exact = FALSE); the one-sided p-value
 * from the signed z as R computes it for alternative = "greater". Strata
 * with fewer than 2 subjects contribute nothing (R refuses them).
 * estimate: the Mantel-Haenszel common odds ratio; CI: Robins, Breslow and
 * Greenland (1986) variance of its logarithm, as R. */
itp_status itp_binary_cmh(const itp_binary_counts *c, double conf_level,
                          itp_binary_result *out);

/* Pearson chi-square for the pooled 2x2 table, as R's chisq.test(correct =
 * FALSE); the one-sided p-value from z = sign(p1 - p0) sqrt(chisq), as R's
 * prop.test(correct = FALSE, alternative = "greater").
 * estimate: pooled risk difference p1 - p0 with the Wald CI, clipped to
 * [-1, 1], as prop.test. */
itp_status itp_binary_chisq(const itp_binary_counts *c, double conf_level,
                            itp_binary_result *out);

/* Fisher's exact test for the pooled 2x2 table, as R's fisher.test: the
 * one-sided p-value for alternative = "greater", the two-sided p-value as the
 * sum of the table probabilities <= (1 + 1e-7) times the observed one.
 * estimate: conditional maximum likelihood odds ratio; CI: the exact
 * conditional (Cornfield) interval with (1 - conf_level) / 2 in each tail,
 * as fisher.test. Costs O(support size) per p-value and, for the estimate and
 * CI, about 3 root searches of O(support size) per step. */
itp_status itp_binary_fisher(const itp_binary_counts *c, double conf_level,
                             itp_binary_result *out);

/* Pooled risk difference p1 - p0 with the Wald CI (clipped to [-1, 1]) and
 * the Wald z test with the unpooled standard error; under complete
 * separation (that SE 0 with responders and non-responders both present)
 * the z test takes the pooled SE of the score test instead (z^2 is then
 * Pearson's X^2) and sets ITP_BINARY_SCORE_TEST. */
itp_status itp_binary_rd_wald(const itp_binary_counts *c, double conf_level,
                              itp_binary_result *out);

/* As itp_binary_rd_wald (same estimate and Wald z test) but with the
 * Newcombe (1998) hybrid score CI, method 10, built from the two Wilson
 * score intervals. Its CI never collapses (no CI_DEGENERATE flag). */
itp_status itp_binary_rd_newcombe(const itp_binary_counts *c,
                                  double conf_level, itp_binary_result *out);

/* The Mantel-Haenszel common risk difference over the strata (weights
 * n1k n0k / N_k) with the Sato (1989) variance and its Wald CI, clipped to
 * [-1, 1]: an estimator only (statistic 0, p-values 1, NO_TEST set).
 * Strata with an empty arm have weight 0; none left: NOT_ESTIMABLE. */
itp_status itp_binary_mh_rd(const itp_binary_counts *c, double conf_level,
                            itp_binary_result *out);

/* Exact binomial test of x responders in n against the rate p0, as R's
 * binom.test: one-sided for the alternative "rate > p0", two-sided as the sum
 * of the probabilities <= (1 + 1e-7) times the observed one. estimate: x / n
 * with the Clopper-Pearson CI. statistic = x, z = 0. Requires x <= n and
 * 0 < p0 < 1 (ITP_EINPUT otherwise). n = 0 sets NO_DATA, NO_TEST and
 * NOT_ESTIMABLE with both p-values 1. */
itp_status itp_binary_binom_test(unsigned int x, unsigned int n, double p0,
                                 double conf_level, itp_binary_result *out);

/* Two-arm tests by name, for the analysis plan: "cmh", "chisq", "fisher",
 * "rd_wald", "rd_newcombe". */
typedef struct itp_binary_test {
    const char *name;
    itp_binary_test_fn run;
    const char *description;    /* one line, for --help and error messages */
} itp_binary_test;

/* The table of tests, terminated by an entry with name NULL. */
extern const itp_binary_test itp_binary_tests[];

/* The test called name, or NULL when there is none. */
const itp_binary_test *itp_binary_test_lookup(const char *name);

#endif
