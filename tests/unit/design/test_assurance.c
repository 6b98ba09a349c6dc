/* Assurance (assurance.h):
 * - every parameter set runs the same replicate trials (common random
 *   numbers): with the same values in every set, each set's power is the
 *   plain run's and the between-set error is 0;
 * - the priors' draws follow their distributions (means within 4 SE,
 *   truncation kept) and are a pure function of (seed, set, parameter);
 * - a prior or a draws file that is wrong is refused with the file, line
 *   and setting. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <cmocka.h>
#include "itpsim/assurance.h"
#include "itpsim/montecarlo.h"
#include "itpsim/json.h"
#include "testutil.h"

static const char *HAZARD =
    "name = \"two arms\";\nmodel = \"hazard\";\npatients = 80;\n"
    "arms = ( { name = \"e\"; hazard_per_month = [0.05]; },\n"
    "         { name = \"c\"; hazard_per_month = [0.10]; } );\n"
    "control = \"c\";\nenrolment = { rate_per_month = [8.0]; };\n"
    "followup = { max_months = 60.0; data_cut = \"events\"; events = 50; };\n"
    "visits = ( { from_week = 0; every_weeks = 4; } );\n"
    "events = { dropout_per_year = 0.05; };\n"
    "endpoints = { ttf = { type = \"ttf\"; }; };\n"
    "analysis = { hypotheses = ( { name = \"ttf\"; endpoint = \"ttf\"; arm = \"e\"; "
    "test = \"logrank\"; } ); };\n";

static char *read_all(const char *path)
{
    FILE *f = fopen(path, "rb");
    if (!f)
        return NULL;
    static char buf[1 << 16];
    size_t n = fread(buf, 1, sizeof buf - 1, f);
    buf[n] = '\0';
    fclose(f);
    return buf;
}

/* Constant draws: each set's power is the plain run's, exactly. */
static void test_common_random_numbers(void **state)
{
    (void)state;
    char scn_path[64], draws[64], err[1024], dir[] = "/tmp/itpsim-assur-XXXXXX";
    test_write_file(HAZARD, scn_path);
    test_write_file("draw,events.dropout_per_year,fcrn_blocker.efgartigimod.igg_emax\n"
                    "1,0.05,0.5\n2,0.05,0.6\n3,0.05,0.7\n", draws);
    assert_non_null(mkdtemp(dir));
    itp_assurance_opts o = {scn_path, TEST_DEFAULTS, NULL, 0, draws, 3, 300, 7, 2};
    assert_int_equal(itp_assurance_run(&o, dir, NULL, NULL, err, sizeof err), ITP_OK);
    /* the plain run */
    itp_scenario *scn;
    assert_int_equal(itp_scenario_load(&scn, scn_path, TEST_DEFAULTS, NULL, 0, NULL, err,
                                       sizeof err), ITP_OK);
    itp_mc_summary s;
    itp_mc_run_opts ro = {7, 0, 300, 2, 0, NULL};
    assert_int_equal(itp_mc_summary_init(&s, scn), ITP_OK);
    assert_int_equal(itp_mc_run(scn, &ro, &s, NULL, NULL), ITP_OK);
    double power = (double)s.rejected[0] / 300.0;
    itp_mc_summary_free(&s);
    itp_scenario_free(scn);
    char path[128], v[64];
    snprintf(path, sizeof path, "%s/assurance.json", dir);
    const char *js = read_all(path);
    assert_non_null(js);
    const char *h = strstr(js, "\"assurance\": ");
    assert_non_null(h);
    double a = strtod(h + 13, NULL);
    print_message("plain power %.4f, assurance %.4f\n", power, a);
    assert_true(fabs(a - power) < 1e-5);
    const char *b = strstr(js, "\"mcse_between\": ");
    assert_non_null(b);
    assert_true(strtod(b + 16, NULL) == 0.0);
    assert_true(itp_json_get(js, "sets", -1, v, sizeof v) && atoi(v) == 3);
    /* the efgartigimod column acts on no arm: left out of the sets */
    snprintf(path, sizeof path, "%s/assurance.csv", dir);
    const char *csv = read_all(path);
    assert_non_null(csv);
    assert_null(strstr(csv, "igg_emax"));
    unlink(path);
    snprintf(path, sizeof path, "%s/assurance.json", dir);
    unlink(path);
    rmdir(dir);
    unlink(scn_path);
    unlink(draws);
}

/* Draws of each kind: means within 4 SE of the distribution's, inside
 * the truncation, and the same for the same (seed, set, parameter). */
static void test_prior_draws(void **state)
{
    (void)state;
    const itp_prior pr[4] = {
        {"x", ITP_PRIOR_NORMAL, 1.0, 2.0, 0.0, HUGE_VAL},       /* truncated at 0 */
        {"x", ITP_PRIOR_LOGNORMAL, 0.0, 0.5, 0.0, HUGE_VAL},
        {"x", ITP_PRIOR_BETA, 2.0, 6.0, 0.0, 1.0},
        {"x", ITP_PRIOR_UNIFORM, 0.0, 0.0, 3.0, 5.0}};
    /* means: truncated normal m + s phi(a) / (1 - Phi(a)), a = -m/s;
     * lognormal exp(s^2 / 2); beta a / (a + b); uniform (lo + hi) / 2 */
    double a0 = -0.5, phi = exp(-a0 * a0 / 2) / sqrt(2 * 3.14159265358979323846);
    double tail = 0.5 * erfc(a0 / sqrt(2.0));
    const double mean[4] = {1.0 + 2.0 * phi / tail, exp(0.125), 0.25, 4.0};
    const double sd[4] = {1.6, 0.55, sqrt(2.0 * 6.0 / (64.0 * 9.0)), 2.0 / sqrt(12.0)};
    const int n = 20000;
    for (int k = 0; k < 4; k++) {
        double sum = 0.0, lo = HUGE_VAL, hi = -HUGE_VAL;
        for (int j = 0; j < n; j++) {
            double x = itp_prior_draw(&pr[k], 5, j, k);
            sum += x;
            lo = fmin(lo, x);
            hi = fmax(hi, x);
        }
        double m = sum / n, se = sd[k] / sqrt(n);
        print_message("prior %d: mean %.4f (expected %.4f, 4 SE %.4f), range [%.3f, %.3f]\n", k,
                      m, mean[k], 4 * se, lo, hi);
        assert_true(fabs(m - mean[k]) < 4 * se);
        assert_true(lo >= pr[k].lo && hi <= pr[k].hi);
        assert_true(itp_prior_draw(&pr[k], 5, 17, k) == itp_prior_draw(&pr[k], 5, 17, k));
        assert_true(itp_prior_draw(&pr[k], 5, 17, k) != itp_prior_draw(&pr[k], 6, 17, k));
    }
}

/* Priors in the scenario drive the sets; wrong ones are refused. */
static void test_priors_and_refusals(void **state)
{
    (void)state;
    char path[64], err[1024], dir[] = "/tmp/itpsim-assur-XXXXXX", text[4096];
    assert_non_null(mkdtemp(dir));
    snprintf(text, sizeof text, "%spriors = ( { path = \"events.dropout_per_year\"; "
             "dist = \"uniform\"; min = 0.01; max = 0.5; } );\n", HAZARD);
    test_write_file(text, path);
    itp_assurance_opts o = {path, TEST_DEFAULTS, NULL, 0, NULL, 4, 100, 3, 2};
    assert_int_equal(itp_assurance_run(&o, dir, NULL, NULL, err, sizeof err), ITP_OK);
    char f[128];
    snprintf(f, sizeof f, "%s/assurance.csv", dir);
    const char *csv = read_all(f);
    assert_non_null(csv);
    /* set 2's value is the prior's draw 2 */
    itp_prior u = {"events.dropout_per_year", ITP_PRIOR_UNIFORM, 0, 0, 0.01, 0.5};
    const char *row = strstr(csv, "\n2,");
    assert_non_null(row);
    assert_true(fabs(strtod(row + 3, NULL) - itp_prior_draw(&u, 3, 2, 0)) < 1e-8);
    unlink(f);
    snprintf(f, sizeof f, "%s/assurance.json", dir);
    unlink(f);
    unlink(path);
    const char *bad[][2] = {
        {"priors = ( { path = \"events.dropout_per_year\"; dist = \"gamma\"; } );",
         "unknown distribution 'gamma'"},
        {"priors = ( { path = \"events.dropout_per_year\"; dist = \"normal\"; mean = 0.1; } );",
         "sd"},
        {"priors = ( { path = \"events.dropout_per_year\"; dist = \"normal\"; mean = 0.1; "
         "sd = 0.1; a = 2.0; } );", "'a' is not a setting of a normal prior"},
        {"priors = ( { path = \"events.dropout_per_year\"; dist = \"normal\"; mean = 0.1; "
         "sd = 0.01; min = 5.0; max = 6.0; } );", "leaves no mass"},
        {"priors = ( { path = \"events.dropout_per_yr\"; dist = \"uniform\"; min = 0.0; "
         "max = 1.0; } );", "names no numeric setting"},
        {"priors = ( { path = \"events.dropout_per_year\"; dist = \"uniform\"; min = 0.0; "
         "max = 1.0; },\n { path = \"events.dropout_per_year\"; dist = \"uniform\"; "
         "min = 0.0; max = 1.0; } );", "a second prior"}};
    for (size_t b = 0; b < sizeof bad / sizeof bad[0]; b++) {
        snprintf(text, sizeof text, "%s%s\n", HAZARD, bad[b][0]);
        test_write_file(text, path);
        assert_int_equal(itp_assurance_run(&o, dir, NULL, NULL, err, sizeof err), ITP_EINPUT);
        print_message("%s\n", err);
        assert_non_null(strstr(err, path));
        assert_non_null(strstr(err, ":1"));   /* the priors sit on line 13 or 14 */
        assert_non_null(strstr(err, bad[b][1]));
        unlink(path);
    }
    /* a draws file with a short row, or too few rows */
    char scn[64], draws[64];
    test_write_file(HAZARD, scn);
    o.scenario = scn;
    test_write_file("draw,events.dropout_per_year\n1,0.05\n2\n", draws);
    o.draws_file = draws;
    assert_int_equal(itp_assurance_run(&o, dir, NULL, NULL, err, sizeof err), ITP_EINPUT);
    assert_non_null(strstr(err, ":3: expected a draw number and 1 numbers"));
    unlink(draws);
    test_write_file("draw,events.dropout_per_year\n1,0.05\n", draws);
    assert_int_equal(itp_assurance_run(&o, dir, NULL, NULL, err, sizeof err), ITP_EINPUT);
    assert_non_null(strstr(err, "fewer than the 4 asked for"));
    unlink(draws);
    unlink(scn);
    rmdir(dir);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_common_random_numbers),
        cmocka_unit_test(test_prior_draws),
        cmocka_unit_test(test_priors_and_refusals),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
