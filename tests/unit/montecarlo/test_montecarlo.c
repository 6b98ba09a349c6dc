/* The Monte Carlo engine on hazard-model trials with known answers:
 * - type I error of a one-sided log-rank test at 0.025 on the null version
 *   the engine builds itself, within 4 Monte Carlo SE of 0.025;
 * - power with an event-driven cut at d events within 4 SE of Schoenfeld
 *   (1981): Phi(sqrt(d)/2 |ln HR| - z_{1-alpha}) for 1:1 allocation;
 * - Cox Wald 95% CI coverage of the true HR within 4 SE of 0.95;
 * - identical aggregates for 1, 2 and 4 threads;
 * - --precision stops at the first chunk where every power's SE is small
 *   enough;
 * - a single-arm design (exact binomial test against p0): the family-wise
 *   error under the null is that of the exact test at p0 (within 4 SE),
 *   at most alpha + 4 SE, in the text summary and summary.json alike;
 * - the landmark column is named after analysis.landmark_months (text,
 *   arms.csv, summary.json);
 * - a Kaplan-Meier landmark at the maximum follow-up is estimable: 12
 *   months of follow-up end at day 365, and so does a 12-month landmark. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <math.h>
#include <string.h>
#include <cmocka.h>
#include <gsl/gsl_cdf.h>
#include "itpsim/run.h"
#include "testutil.h"

/* The text summary of a run, as `itpsim run` prints it, into *text (free
 * it). */
static void summary_text(const itp_scenario *scn, const itp_run_result *res, char **text)
{
    size_t len = 0;
    *text = NULL;
    FILE *f = open_memstream(text, &len);
    assert_non_null(f);
    itp_print_summary(scn, res, f);
    fclose(f);
}

/* A whole file (free it). */
static char *slurp(const char *dir, const char *name)
{
    char path[256];
    snprintf(path, sizeof path, "%s/%s", dir, name);
    FILE *f = fopen(path, "r");
    assert_non_null(f);
    char *text = calloc(1, 1 << 16);
    assert_non_null(text);
    size_t n = fread(text, 1, (1 << 16) - 1, f);
    text[n] = '\0';
    fclose(f);
    return text;
}

/* The result files of a run in a fresh temporary folder: summary.json and
 * the first line of arms.csv (free both); the folder is removed. */
static void result_files(const itp_scenario *scn, const itp_run_opts *o,
                         const itp_run_result *res, char **json, char **arms_header)
{
    char dir[] = "/tmp/itpsim-test-XXXXXX", err[1024];
    assert_non_null(mkdtemp(dir));
    itp_out rep;
    assert_int_equal(itp_out_open(&rep, dir, "replicates.csv", err, sizeof err), ITP_OK);
    itp_replicates_header(scn, rep.f);
    assert_int_equal(itp_write_results(dir, scn, o, res, "", &rep, err, sizeof err), ITP_OK);
    *json = slurp(dir, "summary.json");
    *arms_header = slurp(dir, "arms.csv");
    char *nl = strchr(*arms_header, '\n');
    if (nl)
        *nl = '\0';
    static const char *const files[] = {"summary.json", "summary.csv", "arms.csv",
                                        "replicates.csv", NULL};
    char path[256];
    for (int i = 0; files[i]; i++) {
        snprintf(path, sizeof path, "%s/%s", dir, files[i]);
        unlink(path);
    }
    assert_int_equal(rmdir(dir), 0);
}

static itp_scenario *hazard_trial(const char *cut, int patients, double hr)
{
    char text[2048], err[1024];
    snprintf(text, sizeof text,
             "model = \"hazard\"; patients = %d;\n"
             "arms = ( { name = \"exp\"; hazard_per_month = [%g]; },\n"
             "         { name = \"ctl\"; hazard_per_month = [0.1]; } );\n"
             "control = \"ctl\";\n"
             "enrolment = { duration_months = 12.0; };\n"
             "followup = { max_months = 120.0; %s };\n"
             "visits = ( { from_week = 0; every_weeks = 4; } );\n"
             "events = { dropout_per_year = 0.0; };\n"
             "endpoints = { ttf = { type = \"ttf\"; }; };\n"
             "analysis = { alpha = 0.025; hypotheses = (\n"
             "  { name = \"h\"; endpoint = \"ttf\"; arm = \"exp\"; test = \"logrank\"; } ); };\n",
             patients, 0.1 * hr, cut);
    itp_scenario *scn = test_load(text, err, sizeof err);
    assert_non_null(scn);
    return scn;
}

static void within(double est, double target, long reps, const char *what)
{
    double se = sqrt(target * (1 - target) / (double)reps);
    print_message("%s: %.4f, expected %.4f +- %.4f (4 SE)\n", what, est, target, 4 * se);
    assert_true(fabs(est - target) <= 4 * se);
}

static void test_type1_and_schoenfeld_power(void **state)
{
    (void)state;
    const int d = 200;
    const double hr = 0.7;
    itp_scenario *scn = hazard_trial("data_cut = \"events\"; events = 200;", 600, hr);
    itp_run_opts o = {.seed = 7, .reps = 6000, .threads = 2, .null = 1, .quiet = 1};
    itp_run_result res;
    assert_int_equal(itp_run(scn, &o, &res), ITP_OK);
    assert_int_equal(res.design.reps, 6000);
    assert_int_equal(res.null.reps, 6000);
    /* every replicate was cut at the 200th event (ties may add one or two) */
    double mean_events = res.design.events_sum / res.design.reps;
    assert_true(mean_events >= d && mean_events < d + 1);
    double z = gsl_cdf_ugaussian_Pinv(0.975);
    double schoenfeld = gsl_cdf_ugaussian_P(sqrt((double)d) / 2 * fabs(log(hr)) - z);
    within(itp_power(&res.design, 0), schoenfeld, res.design.reps, "power vs Schoenfeld");
    within(itp_power(&res.null, 0), 0.025, res.null.reps, "type I error");
    within((double)res.design.covered[0] / res.design.coverable[0], 0.95,
           res.design.coverable[0], "CI coverage (design)");
    within((double)res.null.covered[0] / res.null.coverable[0], 0.95, res.null.coverable[0],
           "CI coverage (null)");
    assert_true(fabs(itp_mc_median_estimate(&res.design, scn, 0) - hr) < 0.03);
    itp_run_result_free(&res);
    itp_scenario_free(scn);
}

/* Partial nulls: two doses against control, Bonferroni at 0.0125 each.
 * With one dose null only its hypothesis can err: the family-wise error
 * is its type I error, 0.0125; with both null it is nearly 0.025; the
 * strong one is the larger. */
static void test_partial_nulls(void **state)
{
    (void)state;
    char err[1024];
    const char *text =
        "name = \"pn\";\nmodel = \"hazard\";\npatients = 240;\n"
        "arms = ( { name = \"a\"; hazard_per_month = [0.05]; },\n"
        "         { name = \"b\"; hazard_per_month = [0.06]; },\n"
        "         { name = \"c\"; hazard_per_month = [0.10]; } );\n"
        "control = \"c\";\nenrolment = { rate_per_month = [20.0]; };\n"
        "followup = { max_months = 60.0; data_cut = \"events\"; events = 120; };\n"
        "visits = ( { from_week = 0; every_weeks = 4; } );\n"
        "endpoints = { ttf = { type = \"ttf\"; }; };\n"
        "analysis = { alpha = 0.025; hypotheses = (\n"
        "  { name = \"a\"; endpoint = \"ttf\"; arm = \"a\"; test = \"logrank\"; },\n"
        "  { name = \"b\"; endpoint = \"ttf\"; arm = \"b\"; test = \"logrank\"; } ); };\n";
    itp_scenario *scn = test_load(text, err, sizeof err);
    assert_non_null(scn);
    const long n = 6000;
    itp_run_opts o = {.seed = 9, .reps = n, .threads = 2, .null = 1, .quiet = 1,
                      .partial_nulls = 1};
    itp_run_result res;
    assert_int_equal(itp_run(scn, &o, &res), ITP_OK);
    assert_int_equal(res.n_partial, 2);
    for (int i = 0; i < 2; i++) {
        assert_int_equal(res.partial_reps[i], n);
        assert_true(res.partial_arms[i] == 1u || res.partial_arms[i] == 2u);
        within((double)res.partial_fwer[i] / n, 0.0125, n, "FWER, one dose null");
    }
    double full = (double)res.null.any_rejected / n;
    within(full, 1.0 - 0.9875 * 0.9875, n, "FWER, both null (about independent tests)");
    itp_run_result_free(&res);
    itp_scenario_free(scn);
}

/* A calendar cut: type I error of a small trial (100 patients). */
static void test_type1_small_trial(void **state)
{
    (void)state;
    itp_scenario *scn = hazard_trial("cut_months = 12.0;", 100, 1.0);
    itp_run_opts o = {.seed = 3, .reps = 20000, .threads = 2, .null = 0, .quiet = 1};
    itp_run_result res;
    assert_int_equal(itp_run(scn, &o, &res), ITP_OK);
    within(itp_power(&res.design, 0), 0.025, res.design.reps, "type I error, n = 100");
    itp_run_result_free(&res);
    itp_scenario_free(scn);
}

static void same_summary(const itp_mc_summary *a, const itp_mc_summary *b,
                         const itp_scenario *scn)
{
    assert_int_equal(a->reps, b->reps);
    assert_memory_equal(a->rejected, b->rejected, sizeof a->rejected);
    assert_memory_equal(a->landmark_sum, b->landmark_sum, sizeof a->landmark_sum);
    assert_memory_equal(a->rate_sum, b->rate_sum, sizeof a->rate_sum);
    assert_true(a->cut_sum == b->cut_sum && a->events_sum == b->events_sum);
    assert_memory_equal(a->est_hist, b->est_hist,
                        (size_t)scn->plan.n_hyp * ITP_MC_BINS * sizeof *a->est_hist);
    assert_memory_equal(a->median_hist, b->median_hist,
                        (size_t)scn->n_arms * ITP_MC_TIME_BINS * sizeof *a->median_hist);
}

/* The default scenario (60 patients to keep it quick): 1, 2 and 4 threads
 * give the same aggregates bit for bit. */
static void test_threads_do_not_change_results(void **state)
{
    (void)state;
    itp_scenario *scn;
    char err[1024];
    const char *sets[] = {"patients=60"};
    assert_int_equal(itp_scenario_load(&scn, "scenarios/vayhit2.cfg", TEST_DEFAULTS, sets, 1,
                                       NULL, err, sizeof err), ITP_OK);
    itp_run_result r[3];
    int threads[3] = {1, 2, 4};
    for (int i = 0; i < 3; i++) {
        itp_run_opts o = {.seed = 5, .reps = 300, .threads = threads[i], .null = 1, .quiet = 1};
        assert_int_equal(itp_run(scn, &o, &r[i]), ITP_OK);
    }
    for (int i = 1; i < 3; i++) {
        same_summary(&r[0].design, &r[i].design, scn);
        same_summary(&r[0].null, &r[i].null, scn);
    }
    for (int i = 0; i < 3; i++)
        itp_run_result_free(&r[i]);
    itp_scenario_free(scn);
}

/* --precision 0.015: the run stops at the first multiple of 256 replicates
 * where the power's SE is at most 0.015; 256 fewer would not do (checked on
 * a fixed-size run with the same seed, whose replicates are the same). */
static void test_precision_stops_where_it_says(void **state)
{
    (void)state;
    itp_scenario *scn = hazard_trial("cut_months = 12.0;", 100, 0.6);
    const double target = 0.015;
    itp_run_opts o = {.seed = 11, .reps = 100000, .threads = 2, .precision = target, .quiet = 1};
    itp_run_result res, before;
    assert_int_equal(itp_run(scn, &o, &res), ITP_OK);
    long r = res.design.reps;
    assert_true(r % ITP_MC_CHUNK == 0 && r > ITP_MC_CHUNK);
    assert_true(itp_mc_se(itp_power(&res.design, 0), r) <= target);
    itp_run_opts f = {.seed = 11, .reps = r - ITP_MC_CHUNK, .threads = 2, .quiet = 1};
    assert_int_equal(itp_run(scn, &f, &before), ITP_OK);
    assert_true(itp_mc_se(itp_power(&before.design, 0), before.design.reps) > target);
    print_message("stopped after %ld replicates, power %.3f\n", r, itp_power(&res.design, 0));
    itp_run_result_free(&res);
    itp_run_result_free(&before);
    itp_scenario_free(scn);
}

/* ---- a single-arm design ------------------------------------------------------ */

#define SINGLE_ARM_P0 0.2
#define SINGLE_ARM_ALPHA 0.025

/* One arm, every patient evaluable for a week-25 response (the cut is 12
 * months after the last patient), tested against p0 by the exact
 * binomial test; the arm responds far above p0, so the design's power is
 * near 1 and the old null version (the same arm again) rejected as often. */
static itp_scenario *single_arm(const char *analysis_extra)
{
    char text[4096], err[1024];
    snprintf(text, sizeof text,
             "patients = 40;\n"
             "arms = ( { name = \"active\"; treatments = [\"elt\", \"ab\"]; } );\n"
             "enrolment = { duration_months = 6.0; };\n"
             "followup = { max_months = 12.0; cut_months = 12.0; };\n"
             "visits = ( { from_week = 0; to_week = 9; every_weeks = 1; },\n"
             "           { from_week = 11; to_week = 25; every_weeks = 2; },\n"
             "           { from_week = 29; every_weeks = 4; } );\n"
             "components = {\n"
             "  elt = { type = \"tpo_ra\"; taper = { start_week = 17.0; end_week = 24.0;\n"
             "          eligible_weeks = [15, 17]; }; };\n"
             "  ab = { type = \"bcell_antibody\"; dose_mg_kg = 9.0; infusion_weeks = [0, 4, 8, 12]; };\n"
             "};\n"
             "endpoints = {\n"
             "  ttf = { type = \"ttf\"; count = { below = 30.0; after_week = 8.0; }; };\n"
             "  r6 = { type = \"stable_response\"; threshold = 50.0; fraction = 0.75;\n"
             "         from_week = 19.0; to_week = 25.0; };\n"
             "};\n"
             "analysis = { alpha = %g; %s hypotheses = (\n"
             "  { name = \"bin\"; endpoint = \"r6\"; arm = \"active\"; test = \"binomial\";\n"
             "    p0 = %g; } ); };\n",
             SINGLE_ARM_ALPHA, analysis_extra, SINGLE_ARM_P0);
    itp_scenario *scn = test_load(text, err, sizeof err);
    assert_non_null(scn);
    return scn;
}

/* The size of the one-sided exact binomial test at level alpha with n
 * patients: P(X >= c | p0), c the smallest count with that at most alpha. */
static double binom_size(unsigned n, double p0, double alpha)
{
    for (unsigned c = 1; c <= n; c++) {
        double tail = gsl_cdf_binomial_Q(c - 1, p0, n);
        if (tail <= alpha)
            return tail;
    }
    return 0.0;
}

typedef struct size_acc {
    double size_sum;      /* sum over replicates of the test's exact size */
    long rejected, reps;
} size_acc;

static int add_size(void *ctx, const itp_scenario *scn, long first, const itp_rep_result *res,
                    long count)
{
    size_acc *a = ctx;
    (void)scn;
    (void)first;
    for (long i = 0; i < count; i++) {
        a->size_sum += binom_size((unsigned)res[i].hyp[0].n_exp, SINGLE_ARM_P0, SINGLE_ARM_ALPHA);
        a->rejected += res[i].hyp[0].rejected;
        a->reps++;
    }
    return 0;
}

static void test_single_arm_familywise_error(void **state)
{
    (void)state;
    itp_scenario *scn = single_arm("");
    const long reps = 2000;
    itp_run_opts o = {.seed = 13, .reps = reps, .threads = 2, .null = 1, .quiet = 1};
    itp_run_result res;
    assert_int_equal(itp_run(scn, &o, &res), ITP_OK);
    assert_int_equal(res.null.reps, reps);
    double fw = (double)res.null.any_rejected / (double)res.null.reps;
    /* The exact size given each null replicate's evaluable patients: the
     * same replicates again, through the engine, with their counts. */
    itp_scenario *null;
    assert_int_equal(itp_scenario_null(scn, &null), ITP_OK);
    itp_mc_summary s;
    assert_int_equal(itp_mc_summary_init(&s, null), ITP_OK);
    size_acc acc = {0.0, 0, 0};
    itp_mc_run_opts mo = {.seed = 13, .first = 0, .reps = reps, .threads = 2};
    assert_int_equal(itp_mc_run(null, &mo, &s, add_size, &acc), ITP_OK);
    assert_int_equal(acc.rejected, res.null.any_rejected);
    double size = acc.size_sum / (double)acc.reps;
    print_message("design power %.3f; null: family-wise error %.4f, exact size %.4f\n",
                  itp_power(&res.design, 0), fw, size);
    assert_true(itp_power(&res.design, 0) > 0.5);
    within(fw, size, reps, "family-wise error vs the exact test's size");
    assert_true(fw <= SINGLE_ARM_ALPHA + 4 * itp_mc_se(SINGLE_ARM_ALPHA, reps));
    /* the single-arm hypothesis has its type I error too */
    assert_true(itp_power(&res.null, 0) == fw);
    /* what the user reads: the text summary and summary.json */
    char *text, want[64];
    summary_text(scn, &res, &text);
    snprintf(want, sizeof want, "family-wise error under the global null %.4f (", fw);
    assert_non_null(strstr(text, want));
    char *json, *arms;
    result_files(scn, &o, &res, &json, &arms);
    snprintf(want, sizeof want, "\"fwer\": %.10g,", fw);
    assert_non_null(strstr(json, want));
    snprintf(want, sizeof want, "\"type1_error\": %.10g,", fw);
    assert_non_null(strstr(json, want));
    free(text);
    free(json);
    free(arms);
    itp_mc_summary_free(&s);
    itp_scenario_free(null);
    itp_run_result_free(&res);
    itp_scenario_free(scn);
}

/* ---- the landmark -------------------------------------------------------------- */

/* Two hazard arms followed to max_months with neither dropout nor an early
 * cut: every patient is followed to the last day unless it fails. */
static itp_scenario *landmark_trial(double max_months, const char *landmark)
{
    char text[2048], err[1024];
    snprintf(text, sizeof text,
             "model = \"hazard\"; patients = 200;\n"
             "arms = ( { name = \"exp\"; hazard_per_month = [0.05]; },\n"
             "         { name = \"ctl\"; hazard_per_month = [0.1]; } );\n"
             "control = \"ctl\";\n"
             "enrolment = { duration_months = 6.0; };\n"
             "followup = { max_months = %g; cut_months = %g; };\n"
             "visits = ( { from_week = 0; every_weeks = 4; } );\n"
             "events = { dropout_per_year = 0.0; };\n"
             "endpoints = { ttf = { type = \"ttf\"; }; };\n"
             "analysis = { %s hypotheses = (\n"
             "  { name = \"h\"; endpoint = \"ttf\"; arm = \"exp\"; test = \"logrank\"; } ); };\n",
             max_months, max_months, landmark);
    itp_scenario *scn = test_load(text, err, sizeof err);
    assert_non_null(scn);
    return scn;
}

/* The labels follow analysis.landmark_months; the default keeps the names
 * other tools read (tf_free_12m). */
static void test_landmark_labels(void **state)
{
    (void)state;
    static const struct {
        const char *setting, *label, *key, *months;
    } cases[] = {
        {"", "TF-free 12 mo", "tf_free_12m", "12"},
        {"landmark_months = 6;", "TF-free 6 mo", "tf_free_6m", "6"},
        {"landmark_months = 1.5;", "TF-free 1.5 mo", "tf_free_1.5m", "1.5"},
        {"landmark_months = 0.25;", "TF-free 0.25 mo", "tf_free_0.25m", "0.25"},
    };
    for (size_t c = 0; c < sizeof cases / sizeof cases[0]; c++) {
        itp_scenario *scn = landmark_trial(24.0, cases[c].setting);
        itp_run_opts o = {.seed = 2, .reps = 20, .threads = 2, .quiet = 1};
        itp_run_result res;
        assert_int_equal(itp_run(scn, &o, &res), ITP_OK);
        char *text, *json, *arms, want[64];
        summary_text(scn, &res, &text);
        print_message("%s", strstr(text, "\narm ") + 1);
        assert_non_null(strstr(text, cases[c].label));
        assert_null(strstr(cases[c].label, "12") ? NULL : strstr(text, "12 mo"));
        result_files(scn, &o, &res, &json, &arms);
        snprintf(want, sizeof want, ",mean_events,%s,", cases[c].key);
        assert_non_null(strstr(arms, want));
        snprintf(want, sizeof want, "\"%s\": 0.", cases[c].key);
        assert_non_null(strstr(json, want));
        snprintf(want, sizeof want, "\"landmark_months\": %s,", cases[c].months);
        assert_non_null(strstr(json, want));
        /* the table's columns stay aligned under a wider label */
        const char *hdr = strstr(text, "\narm ") + 1, *row = strchr(hdr, '\n') + 1;
        size_t end = (size_t)(strstr(hdr, " mo ") + 3 - hdr);
        assert_true(row[end - 1] != ' ' && row[end] == ' ');
        free(text);
        free(json);
        free(arms);
        itp_run_result_free(&res);
        itp_scenario_free(scn);
    }
}

/* followup.max_months = 12 ends follow-up at day 365 (whole days); the
 * 12-month landmark is that day, where the Kaplan-Meier estimate is
 * defined as in R's summary.survfit(times =, extend = FALSE): everyone
 * still event-free is followed to day 365. Without censoring before it,
 * KM is the share with a failure time t > 365 days, exp(-h 365 / DPM) in
 * expectation. A landmark after the last follow-up day stays NA. */
static void test_landmark_at_max_followup(void **state)
{
    (void)state;
    static const struct {
        const char *setting;
        double day_free;   /* S is P(t > this) */
    } cases[] = {
        {"", 365.0},                         /* day 365: failures with t <= 365 */
        {"landmark_months = 11.5;", 351.0},  /* day 350: failure days floor(t) <= 350 */
    };
    const double hazard[2] = {0.05, 0.1};
    for (size_t c = 0; c < sizeof cases / sizeof cases[0]; c++) {
        itp_scenario *scn = landmark_trial(12.0, cases[c].setting);
        itp_run_opts o = {.seed = 4, .reps = 200, .threads = 2, .quiet = 1};
        itp_run_result res;
        assert_int_equal(itp_run(scn, &o, &res), ITP_OK);
        for (int a = 0; a < 2; a++) {
            /* estimable in every replicate */
            assert_int_equal(res.design.landmark_n[a], o.reps);
            double km = res.design.landmark_sum[a] / (double)res.design.landmark_n[a];
            double want = exp(-hazard[a] * cases[c].day_free / ITP_DAYS_PER_MONTH);
            char what[64];
            snprintf(what, sizeof what, "KM %s %s", scn->arms[a].name, cases[c].setting);
            within(km, want, (long)(res.design.arm_n_sum[a] + 0.5), what);
        }
        itp_run_result_free(&res);
        itp_scenario_free(scn);
    }
    /* beyond the last follow-up day: not estimable, as survfit */
    itp_scenario *scn = landmark_trial(12.0, "landmark_months = 12.1;");
    itp_run_opts o = {.seed = 4, .reps = 20, .threads = 2, .quiet = 1};
    itp_run_result res;
    assert_int_equal(itp_run(scn, &o, &res), ITP_OK);
    assert_int_equal(res.design.landmark_n[0], 0);
    assert_int_equal(res.design.landmark_n[1], 0);
    itp_run_result_free(&res);
    itp_scenario_free(scn);
}

/* A two-sided hypothesis whose experimental arm is worse (HR 1/0.7, a
 * log-rank test at two-sided 0.05, cut at 200 events): the power counts
 * rejections with the hazard ratio below 1 only, about 0 (Schoenfeld:
 * Phi(-1.96 - sqrt(200)/2 ln(1/0.7)) = 4e-6, so at most 3 of 1000); the
 * rejections in the harmful direction are counted apart, within 4 Monte
 * Carlo SE of Schoenfeld's Phi(sqrt(200)/2 ln(1/0.7) - 1.96) = 0.713 (the
 * one-sided case above mirrored). The text summary and summary.json say
 * so. The earlier code counted both directions as power. */
static void test_two_sided_harm(void **state)
{
    (void)state;
    char text[2048], err[1024];
    const double hr = 1.0 / 0.7;
    snprintf(text, sizeof text,
             "model = \"hazard\"; patients = 600;\n"
             "arms = ( { name = \"exp\"; hazard_per_month = [%.17g]; },\n"
             "         { name = \"ctl\"; hazard_per_month = [0.1]; } );\n"
             "control = \"ctl\";\n"
             "enrolment = { duration_months = 12.0; };\n"
             "followup = { max_months = 120.0; data_cut = \"events\"; events = 200; };\n"
             "visits = ( { from_week = 0; every_weeks = 4; } );\n"
             "events = { dropout_per_year = 0.0; };\n"
             "endpoints = { ttf = { type = \"ttf\"; }; };\n"
             "analysis = { alpha = 0.05; hypotheses = (\n"
             "  { name = \"h\"; endpoint = \"ttf\"; arm = \"exp\"; test = \"logrank\";"
             " sided = \"two\"; } ); };\n",
             0.1 * hr);
    itp_scenario *scn = test_load(text, err, sizeof err);
    assert_non_null(scn);
    itp_run_opts o = {.seed = 21, .reps = 1000, .threads = 2, .null = 1, .quiet = 1};
    itp_run_result res;
    assert_int_equal(itp_run(scn, &o, &res), ITP_OK);
    double z = gsl_cdf_ugaussian_Pinv(0.975), drift = sqrt(200.0) / 2 * log(hr);
    double harm = (double)res.design.harm_rejected[0] / res.design.reps;
    print_message("power (benefit) %.4f, harmful %.4f\n", itp_power(&res.design, 0), harm);
    assert_true(res.design.rejected[0] <= 3);
    within(harm, gsl_cdf_ugaussian_P(drift - z), res.design.reps, "harmful rejections");
    /* under the null both directions are type I errors (two-sided 0.05) */
    within(itp_type1(&res.null, 0), 0.05, res.null.reps, "two-sided type I error");
    assert_true(res.null.harm_rejected[0] > 0 && res.null.rejected[0] > 0);
    char *sum, *json, *arms, want[128];
    summary_text(scn, &res, &sum);
    snprintf(want, sizeof want, "h (two-sided): rejected in the harmful direction %.3f", harm);
    assert_non_null(strstr(sum, want));
    result_files(scn, &o, &res, &json, &arms);
    assert_non_null(strstr(json, "\"harm_rejections\": 0."));
    free(sum);
    free(json);
    free(arms);
    itp_run_result_free(&res);
    itp_scenario_free(scn);
}

/* A curve that falls to 0 before the landmark counts 0 there. Five
 * patients an arm at hazards 0.3 and 0.2 a month, followed 24 months with
 * no dropout: nobody is censored before the 12-month landmark (day 365),
 * so each replicate's Kaplan-Meier value is the share of the arm alive
 * past day 365 and its mean is P(T > 365 days) = exp(-h 365 / DPM)
 * (0.0909 and 0.0274) exactly. Leaving out the replicates whose curve was
 * 0 (every patient failed before day 365) gave S / (1 - (1 - S)^5), 0.24
 * and 0.21. */
static void test_landmark_counts_zero(void **state)
{
    (void)state;
    char text[2048], err[1024];
    snprintf(text, sizeof text,
             "model = \"hazard\"; patients = 10;\n"
             "arms = ( { name = \"exp\"; hazard_per_month = [0.2]; },\n"
             "         { name = \"ctl\"; hazard_per_month = [0.3]; } );\n"
             "control = \"ctl\";\n"
             "allocation = { block_size = 2; };\n"
             "enrolment = { duration_months = 1.0; };\n"
             "followup = { max_months = 24.0; cut_months = 24.0; };\n"
             "visits = ( { from_week = 0; every_weeks = 4; } );\n"
             "events = { dropout_per_year = 0.0; };\n"
             "endpoints = { ttf = { type = \"ttf\"; }; };\n"
             "analysis = { hypotheses = (\n"
             "  { name = \"h\"; endpoint = \"ttf\"; arm = \"exp\"; test = \"logrank\"; } ); };\n");
    itp_scenario *scn = test_load(text, err, sizeof err);
    assert_non_null(scn);
    itp_run_opts o = {.seed = 11, .reps = 4000, .threads = 2, .quiet = 1};
    itp_run_result res;
    assert_int_equal(itp_run(scn, &o, &res), ITP_OK);
    const double hazard[2] = {0.2, 0.3};
    for (int a = 0; a < 2; a++) {
        assert_int_equal(res.design.landmark_n[a], o.reps);     /* none left out */
        assert_true(fabs(res.design.arm_n_sum[a] - 5.0 * o.reps) < 0.5);
        double km = res.design.landmark_sum[a] / (double)res.design.landmark_n[a];
        double want = exp(-hazard[a] * 365.0 / ITP_DAYS_PER_MONTH);
        /* the mean of R replicates of a share of 5: SE sqrt(S(1-S)/(5R)) */
        within(km, want, (long)(res.design.arm_n_sum[a] + 0.5), scn->arms[a].name);
    }
    itp_run_result_free(&res);
    itp_scenario_free(scn);
}

/* The median over replicates of the replicates' medians (and of the
 * estimates) is the usual one: the mean of the two middle values for an
 * even count. Replicate medians of 1, 2, 3 and 10 months (bins of 0.02
 * months, each value at its bin's centre) give 2.5 months, not 2; with
 * 1, 2 and two not reached, not reached (inf); an odd count its middle. */
static void test_median_even_count(void **state)
{
    (void)state;
    itp_scenario *scn = landmark_trial(24.0, "");
    itp_mc_summary s;
    assert_int_equal(itp_mc_summary_init(&s, scn), ITP_OK);
    const double months[4] = {1.0, 2.0, 3.0, 10.0};
    itp_rep_result r;
    memset(&r, 0, sizeof r);
    for (int i = 0; i < 4; i++) {
        r.median_days[0] = (months[i] + 0.01) * ITP_DAYS_PER_MONTH;
        r.median_days[1] = i < 2 ? (months[i] + 0.01) * ITP_DAYS_PER_MONTH : HUGE_VAL;
        r.landmark[0] = r.landmark[1] = 0.5;
        r.hyp[0].estimate = exp(-0.1 * (i + 1)); /* hazard ratios e^-0.1 .. e^-0.4 */
        itp_mc_summary_add(&s, scn, &r);
    }
    double m = itp_mc_median_time(&s, 0) / ITP_DAYS_PER_MONTH;
    print_message("median of 1, 2, 3, 10 months: %.4f\n", m);
    assert_true(fabs(m - 2.51) < 1e-9);
    assert_true(isinf(itp_mc_median_time(&s, 1)));
    /* log hazard ratios -0.1 .. -0.4: the median e^-0.25 (bins of 0.002) */
    assert_true(fabs(log(itp_mc_median_estimate(&s, scn, 0)) + 0.25) < 0.002);
    r.median_days[0] = (4.0 + 0.01) * ITP_DAYS_PER_MONTH;
    itp_mc_summary_add(&s, scn, &r);
    assert_true(fabs(itp_mc_median_time(&s, 0) / ITP_DAYS_PER_MONTH - 3.01) < 1e-9);
    itp_mc_summary_free(&s);
    itp_scenario_free(scn);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_two_sided_harm),
        cmocka_unit_test(test_landmark_counts_zero),
        cmocka_unit_test(test_median_even_count),
        cmocka_unit_test(test_type1_and_schoenfeld_power),
        cmocka_unit_test(test_type1_small_trial),
        cmocka_unit_test(test_threads_do_not_change_results),
        cmocka_unit_test(test_precision_stops_where_it_says),
        cmocka_unit_test(test_single_arm_familywise_error),
        cmocka_unit_test(test_partial_nulls),
        cmocka_unit_test(test_landmark_labels),
        cmocka_unit_test(test_landmark_at_max_followup),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
