/* Designs compared replicate by replicate (compare.h):
 * - the running mean and standard error equal a two-pass computation on
 *   values near one another (months) and on whole numbers, and equal
 *   values give an error of exactly 0;
 * - on made-up replicates of two designs (hypotheses matched by name, one
 *   only in the second, a two-sided one rejected on the harmful side, which
 *   is no power), the paired differences and their MCSE equal those worked
 *   out by hand, the unpaired MCSE is sqrt(SE_A^2 + SE_B^2), and a design
 *   compared with itself has differences and paired MCSE of exactly 0;
 * - names from files: the path and ".cfg" dropped, repeats -2, -3. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <cmocka.h>
#include "itpsim/compare.h"
#include "testutil.h"

static const char *const TWO_HEAD =
    "name = \"two\";\nmodel = \"hazard\";\npatients = 40;\n"
    "arms = ( { name = \"e\"; hazard_per_month = [0.05]; },\n"
    "         { name = \"c\"; hazard_per_month = [0.10]; } );\n"
    "control = \"c\";\nenrolment = { duration_months = 4.0; };\n"
    "followup = { max_months = 24.0; cut_months = 12.0; };\n"
    "visits = ( { from_week = 0; every_weeks = 4; } );\n"
    "endpoints = { ttf = { type = \"ttf\"; }; };\n"
    "analysis = { hypotheses = (\n"
    "  { name = \"a\"; endpoint = \"ttf\"; arm = \"e\"; test = \"logrank\"; },\n"
    "  { name = \"b\"; endpoint = \"ttf\"; arm = \"e\"; test = \"logrank\"; sided = \"two\"; }";
static const char *const TWO_TAIL = "\n); };\n";

static itp_scenario *load_two(int extra)
{
    char text[2048], err[1024];
    snprintf(text, sizeof text, "%s%s%s", TWO_HEAD,
             extra ? ",\n  { name = \"x\"; endpoint = \"ttf\"; arm = \"e\"; test = \"cox\"; }"
                   : "", TWO_TAIL);
    itp_scenario *scn = test_load(text, err, sizeof err);
    assert_non_null(scn);
    return scn;
}

static void test_running(void **state)
{
    (void)state;
    double x[500], s = 0, ss = 0;
    itp_running r = {0}, w = {0}, same = {0};
    for (int i = 0; i < 500; i++) {
        x[i] = 20.8 + 1e-3 * sin(i * 0.7);   /* months of an analysis */
        itp_running_add(&r, x[i]);
        itp_running_add(&w, (double)(i % 3) - 1.0);   /* -1, 0, 1 */
        itp_running_add(&same, 152.0);
        s += x[i];
    }
    double m = s / 500;
    for (int i = 0; i < 500; i++)
        ss += (x[i] - m) * (x[i] - m);
    assert_true(fabs(itp_running_mean(&r) - m) < 1e-12 * m);
    double se = sqrt(ss / 499 / 500);
    assert_true(fabs(itp_running_se(&r) - se) < 1e-9 * se);
    /* -1, 0, 1 repeated: 167 - 167 ... exactly 1/500 of a sum over 500 */
    long sum = 0, sq = 0;
    for (int i = 0; i < 500; i++) {
        sum += i % 3 - 1;
        sq += (i % 3 - 1) * (i % 3 - 1);
    }
    assert_true(itp_running_mean(&w) == (double)sum / 500);
    double wse = sqrt((sq - (double)sum * sum / 500) / 499 / 500);
    assert_true(fabs(itp_running_se(&w) - wse) < 1e-12);
    assert_true(itp_running_mean(&same) == 152.0);
    assert_true(itp_running_se(&same) == 0.0);
    itp_running one = {0};
    assert_true(isnan(itp_running_mean(&one)));
    itp_running_add(&one, 3.0);
    assert_true(isnan(itp_running_se(&one)));
}

/* Replicate r of a design: hypothesis k rejected when rej[k][r]; b's
 * estimate on the harmful side (HR > 1) where harm[r]; patients, events
 * and month given. */
static void fill(itp_rep_result *out, int n_hyp, const int (*rej)[8], const int *harm,
                 const int *patients, long r)
{
    memset(out, 0, sizeof *out);
    for (int k = 0; k < n_hyp; k++) {
        out->hyp[k].rejected = rej[k][r];
        out->hyp[k].estimate = k == 1 && harm && harm[r] ? 1.5 : 0.6;
    }
    out->n_analysed = patients[r];
    out->events = (int)r;
    out->cut_month = 12.0 + 0.1 * (double)r;
}

/* Runs a design's made-up replicates through the comparison: the design
 * rows and the null rows (the same rejections), then its summaries. */
static void feed(itp_compare *c, int i, const itp_scenario *scn, const int (*rej)[8],
                 const int *harm, const int *patients)
{
    itp_rep_result res[8];
    itp_run_result rr;
    assert_int_equal(itp_run_result_init(&rr, scn), ITP_OK);
    assert_int_equal(itp_mc_summary_init(&rr.null, scn), ITP_OK);
    rr.has_null = 1;
    itp_compare_start(c, i);
    for (int null = 0; null < 2; null++) {
        for (long r = 0; r < 8; r++) {
            fill(&res[r], scn->plan.n_hyp, rej, harm, patients, r);
            itp_mc_summary_add(null ? &rr.null : &rr.design, scn, &res[r]);
        }
        /* two chunks, as a run gives them */
        itp_compare_rows(c, null, 0, res, 5);
        itp_compare_rows(c, null, 5, res + 5, 3);
    }
    itp_compare_done(c, i, &rr);
}

static void test_pairs(void **state)
{
    (void)state;
    itp_scenario *s1 = load_two(0), *s2 = load_two(1);
    /* design A: a, b; design B: a, b, x */
    static const int ra[3][8] = {{1, 1, 0, 0, 1, 0, 1, 1}, {1, 0, 1, 0, 1, 0, 0, 0}};
    static const int rb[3][8] = {{1, 1, 1, 0, 1, 0, 1, 0}, {1, 1, 1, 0, 1, 0, 0, 0},
                                 {1, 1, 1, 1, 1, 1, 1, 1}};
    static const int harm_b[8] = {0, 1, 0, 0, 0, 0, 0, 0};   /* b's 2nd rejection harmful */
    static const int pa[8] = {40, 40, 40, 40, 40, 40, 40, 40};
    static const int pb[8] = {40, 41, 39, 40, 42, 40, 40, 38};
    itp_compare c;
    char err[256];
    assert_int_equal(itp_compare_init(&c, 8, 1), ITP_OK);
    assert_int_equal(itp_compare_add(&c, "dir/one.cfg", "h1", s1, err, sizeof err), ITP_OK);
    assert_int_equal(itp_compare_add(&c, "other/one.cfg", "h2", s2, err, sizeof err), ITP_OK);
    assert_int_equal(itp_compare_add(&c, "one.cfg", "h1", s1, err, sizeof err), ITP_OK);
    assert_string_equal(c.d[0].name, "one");
    assert_string_equal(c.d[1].name, "one-2");
    assert_string_equal(c.d[2].name, "one-3");
    assert_int_equal(c.n_hyp, 3);
    feed(&c, 0, s1, ra, NULL, pa);
    feed(&c, 1, s2, rb, harm_b, pb);
    feed(&c, 2, s1, ra, NULL, pa);
    /* power of a: d = (0 0 1 0 0 0 0 -1): mean 0, sd sqrt(2/7) */
    double pa_se, un, d = itp_compare_diff(&c, 1, ITP_CMP_POWER, "a", &pa_se, &un);
    assert_true(d == 0.0);
    assert_true(fabs(pa_se - sqrt(2.0 / 7.0 / 8.0)) < 1e-15);
    double sea, seb;
    itp_compare_value(&c, 0, ITP_CMP_POWER, "a", &sea);
    itp_compare_value(&c, 1, ITP_CMP_POWER, "a", &seb);
    assert_true(fabs(sea - sqrt(5.0 / 8 * 3.0 / 8 / 8)) < 1e-15);
    assert_true(fabs(un - sqrt(sea * sea + seb * seb)) < 1e-15);
    /* power of b (two-sided): B's replicate 1 is rejected on the harmful
     * side, no power: B 1 0 1 0 1 0 0 0 against A 1 0 1 0 1 0 0 0, d = 0 */
    d = itp_compare_diff(&c, 1, ITP_CMP_POWER, "b", &pa_se, &un);
    assert_true(d == 0.0 && pa_se == 0.0 && un > 0);
    /* type I error of b counts both sides: d = (0 1 0 0 0 0 0 0) */
    d = itp_compare_diff(&c, 1, ITP_CMP_TYPE1, "b", &pa_se, &un);
    assert_true(fabs(d - 1.0 / 8) < 1e-15);
    assert_true(fabs(pa_se - sqrt((1.0 - 1.0 / 8) / 7 / 8)) < 1e-15);
    /* x is in B only: no difference; its power in A is NA */
    assert_true(isnan(itp_compare_diff(&c, 1, ITP_CMP_POWER, "x", &pa_se, &un)));
    assert_true(isnan(itp_compare_value(&c, 0, ITP_CMP_POWER, "x", &sea)));
    assert_true(itp_compare_value(&c, 1, ITP_CMP_POWER, "x", &seb) == 1.0);
    /* patients: d = (0 1 -1 0 2 0 0 -2): mean 0, sd sqrt(10/7) */
    /* no hypothesis named (the row of designs that share none): a
     * per-hypothesis figure is NA, read from no hypothesis's counts */
    assert_true(isnan(itp_compare_value(&c, 0, ITP_CMP_TYPE1, NULL, &sea)) && isnan(sea));
    assert_true(isnan(itp_compare_diff(&c, 1, ITP_CMP_TYPE1, NULL, &pa_se, &un)));
    d = itp_compare_diff(&c, 1, ITP_CMP_PATIENTS, NULL, &pa_se, &un);
    assert_true(d == 0.0);
    assert_true(fabs(pa_se - sqrt(10.0 / 7 / 8)) < 1e-15);
    assert_true(fabs(un - sqrt(10.0 / 7 / 8)) < 1e-15);   /* A's own MCSE is 0 */
    /* the family-wise error: any rejection in the null, A 1 1 1 0 1 0 1 1,
     * B 1 1 1 1 1 1 1 1 (x always): d = (0 0 0 1 0 1 0 0) */
    d = itp_compare_diff(&c, 1, ITP_CMP_FWER, NULL, &pa_se, &un);
    assert_true(fabs(d - 0.25) < 1e-15);
    assert_true(fabs(pa_se - sqrt((2 - 8 * 0.0625) / 7.0 / 8)) < 1e-15);
    /* the same design again: every difference and paired MCSE exactly 0 */
    for (int q = 0; q < ITP_CMP_N; q++) {
        const char *h = q <= ITP_CMP_TYPE1 ? "a" : NULL;
        d = itp_compare_diff(&c, 2, q, h, &pa_se, &un);
        assert_true(d == 0.0);
        assert_true(pa_se == 0.0);
    }
    itp_compare_free(&c);
    itp_scenario_free(s1);
    itp_scenario_free(s2);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_running),
        cmocka_unit_test(test_pairs),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
