/* Joint calibration:
 * - parameters recovered from synthetic targets: two trials share
 *   eltrombopag's remission probability, one alone gives ianalumab; their
 *   targets are the model's values at known parameters plus a published
 *   error drawn from the targets' SE (0.05), refitted jointly; the Laplace
 *   95% intervals must hold the true values in about 95% of the synthetic
 *   data sets (at least 0.95 - 3 binomial SE of R sets: 34 of 40), and not
 *   be the whole bounds (mean width under 0.8 of their range);
 * - a parameter acts only on the trials that give its drug (ianalumab's on
 *   the trial with it, not on the other);
 * - bad joint files are refused with the file, line and setting. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <math.h>
#include <cmocka.h>
#include <gsl/gsl_randist.h>
#include "itpsim/calibrate.h"
#include "testutil.h"

/* Trial A: eltrombopag + ianalumab vs eltrombopag + placebo; trial B:
 * eltrombopag alone. */
static const char *A_BODY =
    "patients = 60;\n"
    "arms = ( { name = \"ab\"; treatments = [\"elt\", \"ab\"]; },\n"
    "         { name = \"pbo\"; treatments = [\"elt\", \"pbo\"]; } );\n"
    "control = \"pbo\";\n"
    "enrolment = { duration_months = 6.0; };\n"
    "followup = { max_months = 12.0; cut_months = 12.0; };\n"
    "visits = ( { from_week = 0; to_week = 9; every_weeks = 1; },\n"
    "           { from_week = 11; to_week = 25; every_weeks = 2; },\n"
    "           { from_week = 29; every_weeks = 4; } );\n"
    "components = {\n"
    "  elt = { type = \"tpo_ra\"; taper = { start_week = 17.0; length_weeks = 7.0;\n"
    "          eligible_weeks_before_start = [2, 0]; }; };\n"
    "  ab = { type = \"bcell_antibody\"; dose_mg_kg = 9.0; infusion_weeks = [0, 4, 8, 12]; };\n"
    "  pbo = { type = \"placebo\"; infusion_weeks = [0, 4, 8, 12]; };\n"
    "};\n"
    "endpoints = {\n"
    "  sro = { type = \"sustained_remission\"; threshold = 30.0; from_week = 29.0; to_week = 49.0; };\n"
    "};\n";

static const char *B_BODY =
    "patients = 60;\n"
    "arms = ( { name = \"elt\"; treatments = [\"elt\"]; } );\n"
    "enrolment = { duration_months = 6.0; };\n"
    "followup = { max_months = 12.0; cut_months = 12.0; };\n"
    "visits = ( { from_week = 0; to_week = 24; every_weeks = 2; },\n"
    "           { from_week = 28; every_weeks = 4; } );\n"
    "components = {\n"
    "  elt = { type = \"tpo_ra\"; taper = { start_week = 24.0; end_week = 32.0;\n"
    "          eligible_weeks = [22, 24]; }; };\n"
    "};\n"
    "endpoints = {\n"
    "  sro = { type = \"sustained_remission\"; threshold = 30.0; from_week = 36.0; to_week = 52.0; };\n"
    "};\n";

#define SE 0.05

/* A scenario with its body and rate targets of the endpoint sro. */
static void write_trial(const char *body, const char *const *arm, const double *v, int n,
                        char *path)
{
    char text[8192];
    int used = snprintf(text, sizeof text,
                        "%scalibration = { targets = (\n", body);
    for (int i = 0; i < n; i++) {
        double lo = v[i] - 1.96 * SE, hi = v[i] + 1.96 * SE;
        used += snprintf(text + used, sizeof text - (size_t)used,
                         "  { name = \"t%d\"; arm = \"%s\"; quantity = \"rate\"; endpoint = "
                         "\"sro\"; value = %.6f; ci = [%.6f, %.6f]; }%s\n",
                         i, arm[i], v[i], lo, hi, i + 1 < n ? "," : "");
    }
    snprintf(text + used, sizeof text - (size_t)used,
             "  );\n  parameters = ( { path = \"platelet.fluctuation_sd\"; min = 0.01; max = "
             "0.9; start = 0.2; } );\n};\n");
    test_write_file(text, path);
}

/* The joint file of trials a and b: both parameters from start s0 and
 * s1, `extra` (settings, may be empty) added. */
static void write_joint_from(const char *a, const char *b, double s0, double s1,
                             const char *extra, char *path)
{
    char text[4096];
    snprintf(text, sizeof text,
             "scenarios = [\"%s\", \"%s\"];\n"
             "patients_per_arm = 600;\n"
             "loto_iterations = 0;\n"
             "draws = 0;\n"
             "parameters = (\n"
             "  { path = \"tpo_ra.eltrombopag.remission_prob\"; min = 0.05; max = 0.95; start = %g; },\n"
             "  { path = \"bcell_antibody.ianalumab.emax\"; min = 0.05; max = 0.95; start = %g; }\n"
             ");\n%s", a, b, s0, s1, extra);
    test_write_file(text, path);
}

static void write_joint(const char *a, const char *b, char *path)
{
    write_joint_from(a, b, 0.3, 0.3, "iterations = 15;\n", path);
}

static const char *const A_ARMS[] = {"ab", "pbo"}, *const B_ARMS[] = {"elt"};

/* The model's values of the three targets at x (CRN: the joint fit's
 * cohort: the same seed and size): trial A with both parameters set,
 * trial B with eltrombopag's. */
static void model_values(const double *x, double *m)
{
    char pa[64], pb[64], err[1024], s0[96], s1[96];
    double v[2] = {0.3, 0.3};
    write_trial(A_BODY, A_ARMS, v, 2, pa);
    write_trial(B_BODY, B_ARMS, v, 1, pb);
    snprintf(s0, sizeof s0, "tpo_ra.eltrombopag.remission_prob=%.17g", x[0]);
    snprintf(s1, sizeof s1, "bcell_antibody.ianalumab.emax=%.17g", x[1]);
    const char *sets[] = {s0, s1};
    const char *files[2] = {pa, pb};
    for (int t = 0; t < 2; t++) {
        itp_calibrator *c;
        itp_cal_eval ev;
        if (itp_calibrator_create(&c, files[t], TEST_DEFAULTS, sets, t ? 1 : 2, 1, 2, err,
                                  sizeof err))
            fail_msg("%s", err);
        itp_cal_use_params(c, NULL, 0, 600);
        if (itp_cal_evaluate(c, NULL, &ev, err, sizeof err))
            fail_msg("%s", err);
        for (int i = 0; i < (t ? 1 : 2); i++)
            m[t ? 2 : i] = ev.value[i];
        itp_calibrator_free(c);
    }
    unlink(pa);
    unlink(pb);
}

static void test_coverage(void **state)
{
    (void)state;
    const double truth[2] = {0.45, 0.5};
    const char *e = getenv("ITPSIM_TEST_COVERAGE_SETS");
    int sets = e ? atoi(e) : 40;
    if (sets < 1)
        sets = 40;
    double m[3];
    model_values(truth, m);
    print_message("model at the truth: %.4f %.4f %.4f\n", m[0], m[1], m[2]);
    gsl_rng *r = gsl_rng_alloc(gsl_rng_mt19937);
    gsl_rng_set(r, 11);
    int covered[2] = {0, 0};
    double width[2] = {0, 0};
    for (int s = 0; s < sets; s++) {
        double v[3];
        for (int i = 0; i < 3; i++)
            v[i] = fmin(fmax(m[i] + gsl_ran_gaussian(r, SE), 0.02), 0.98);
        char pa[64], pb[64], pj[64], err[1024];
        write_trial(A_BODY, A_ARMS, v, 2, pa);
        write_trial(B_BODY, B_ARMS, v + 2, 1, pb);
        write_joint(pa, pb, pj);
        itp_joint *j;
        if (itp_joint_create(&j, pj, TEST_DEFAULTS, 1, 2, err, sizeof err))
            fail_msg("%s", err);
        double best[2], lo[2], hi[2];
        int ridged;
        assert_int_equal(itp_joint_fit(j, best, NULL, lo, hi, &ridged, err, sizeof err), ITP_OK);
        for (int i = 0; i < 2; i++) {
            covered[i] += lo[i] <= truth[i] && truth[i] <= hi[i];
            width[i] += (hi[i] - lo[i]) / 0.9 / sets;
        }
        itp_joint_free(j);
        unlink(pa);
        unlink(pb);
        unlink(pj);
    }
    gsl_rng_free(r);
    int need = (int)ceil(sets * (0.95 - 3.0 * sqrt(0.95 * 0.05 / sets)));
    print_message("covered %d and %d of %d (need %d); mean width %.3f and %.3f of the range\n",
                  covered[0], covered[1], sets, need, width[0], width[1]);
    assert_true(covered[0] >= need && covered[1] >= need);
    assert_true(width[0] < 0.8 && width[1] < 0.8);
}

/* ianalumab's emax acts on trial A only; refusals name file, line and
 * setting. */
static void test_parameters_act_where_given(void **state)
{
    (void)state;
    char pa[64], pb[64], pj[64], err[1024];
    double v[2] = {0.3, 0.3};
    write_trial(A_BODY, A_ARMS, v, 2, pa);
    write_trial(B_BODY, B_ARMS, v, 1, pb);
    write_joint(pa, pb, pj);
    itp_joint *j;
    assert_int_equal(itp_joint_create(&j, pj, TEST_DEFAULTS, 1, 2, err, sizeof err), ITP_OK);
    assert_int_equal(itp_joint_uses(j, 0, 1), 1);
    assert_int_equal(itp_joint_uses(j, 1, 1), 0);
    assert_int_equal(itp_joint_uses(j, 1, 0), 1);
    itp_joint_free(j);
    /* a path of no numeric setting */
    char text[1024], bad[64];
    snprintf(text, sizeof text,
             "scenarios = [\"%s\"];\nparameters = (\n"
             "  { path = \"tpo_ra.eltrombopag.remision_prob\"; min = 0.1; max = 0.9; start = 0.3; }\n);\n",
             pa);
    test_write_file(text, bad);
    assert_int_equal(itp_joint_create(&j, bad, TEST_DEFAULTS, 1, 2, err, sizeof err), ITP_EINPUT);
    assert_non_null(strstr(err, ":3:"));
    assert_non_null(strstr(err, "names no numeric setting"));
    unlink(bad);
    /* an unknown key */
    snprintf(text, sizeof text, "scenarios = [\"%s\"];\niteratons = 3;\nparameters = (\n"
             "  { path = \"tpo_ra.eltrombopag.remission_prob\"; min = 0.1; max = 0.9; start = 0.3; }\n);\n",
             pa);
    test_write_file(text, bad);
    assert_int_equal(itp_joint_create(&j, bad, TEST_DEFAULTS, 1, 2, err, sizeof err), ITP_EINPUT);
    assert_non_null(strstr(err, ":2:"));
    assert_non_null(strstr(err, "iteratons"));
    unlink(bad);
    /* a missing scenario */
    snprintf(text, sizeof text, "scenarios = [\"/nonexistent/x.cfg\"];\nparameters = (\n"
             "  { path = \"tpo_ra.eltrombopag.remission_prob\"; min = 0.1; max = 0.9; start = 0.3; }\n);\n");
    test_write_file(text, bad);
    assert_int_not_equal(itp_joint_create(&j, bad, TEST_DEFAULTS, 1, 2, err, sizeof err), ITP_OK);
    assert_non_null(strstr(err, "/nonexistent/x.cfg"));
    unlink(bad);
    unlink(pa);
    unlink(pb);
    unlink(pj);
}

/* Several starting points: the fit from each is made and the lowest
 * objective's kept, whichever comes first; a starting point that is not
 * the joint parameters' or outside their bounds is refused. */
static void test_alternative_starts(void **state)
{
    (void)state;
    const double truth[2] = {0.45, 0.5};
    double m[3];
    model_values(truth, m);
    char pa[64], pb[64], pj[64], err[1024];
    write_trial(A_BODY, A_ARMS, m, 2, pa);
    write_trial(B_BODY, B_ARMS, m + 2, 1, pb);
    /* one iteration: from 0.06 the fit stays far from the truth */
    const char *one = "iterations = 1;\n";
    const char *alt_good = "iterations = 1;\nalternative_starts = ( { paths = "
                           "[\"tpo_ra.eltrombopag.remission_prob\", "
                           "\"bcell_antibody.ianalumab.emax\"]; values = [0.45, 0.5]; } );\n";
    const char *alt_bad = "iterations = 1;\nalternative_starts = ( { paths = "
                          "[\"tpo_ra.eltrombopag.remission_prob\", "
                          "\"bcell_antibody.ianalumab.emax\"]; values = [0.06, 0.06]; } );\n";
    struct { double s0, s1; const char *extra; } run[4] = {
        {0.06, 0.06, one}, {0.45, 0.5, one}, {0.06, 0.06, alt_good}, {0.45, 0.5, alt_bad}};
    double best[4][2], obj[4], lo[2], hi[2];
    for (int r = 0; r < 4; r++) {
        itp_joint *j;
        int ridged;
        write_joint_from(pa, pb, run[r].s0, run[r].s1, run[r].extra, pj);
        if (itp_joint_create(&j, pj, TEST_DEFAULTS, 1, 2, err, sizeof err))
            fail_msg("%s", err);
        assert_int_equal(itp_joint_fit(j, best[r], &obj[r], lo, hi, &ridged, err, sizeof err),
                         ITP_OK);
        print_message("start %d: %.4f %.4f, objective %.4f\n", r, best[r][0], best[r][1], obj[r]);
        itp_joint_free(j);
    }
    assert_true(obj[1] < obj[0]);   /* the bad start alone fits worse */
    for (int r = 2; r < 4; r++) {   /* both orders keep the good start's fit */
        assert_true(obj[r] == obj[1]);
        assert_true(best[r][0] == best[1][0] && best[r][1] == best[1][1]);
    }
    /* refusals: not a joint parameter, outside the bounds, a value short */
    const char *bad[3][2] = {
        {"alternative_starts = ( { paths = [\"platelet.fluctuation_sd\"]; values = [0.2]; } );\n",
         "is not one of the joint parameters"},
        {"alternative_starts = ( { paths = [\"bcell_antibody.ianalumab.emax\"]; values = [0.99]; } );\n",
         "inside its bounds"},
        {"alternative_starts = ( { paths = [\"bcell_antibody.ianalumab.emax\", "
         "\"tpo_ra.eltrombopag.remission_prob\"]; values = [0.4]; } );\n",
         "one value per path"}};
    for (int b = 0; b < 3; b++) {
        itp_joint *j;
        write_joint_from(pa, pb, 0.3, 0.3, bad[b][0], pj);
        assert_int_equal(itp_joint_create(&j, pj, TEST_DEFAULTS, 1, 2, err, sizeof err),
                         ITP_EINPUT);
        print_message("%s\n", err);
        assert_non_null(strstr(err, ":9:"));
        assert_non_null(strstr(err, bad[b][1]));
    }
    unlink(pa);
    unlink(pb);
    unlink(pj);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_parameters_act_where_given),
        cmocka_unit_test(test_coverage),
        cmocka_unit_test(test_alternative_starts),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
