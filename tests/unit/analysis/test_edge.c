/* Numerical edge cases, through the analysis on records built by hand and
 * through small simulated scenarios: no events in an arm, every event in
 * one arm, no events at all, a single patient per arm, all times tied, one
 * stratum empty, everyone responding or no one. Every statistic must be
 * either a number or flagged (not_estimable, monotone_likelihood, no_test),
 * every p-value a number in [0, 1], and no output file may hold "nan" or an
 * NA without its flag. Also: memory does not grow with the number of
 * replicates. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <math.h>
#include <sys/resource.h>
#include <cmocka.h>
#include "itpsim/analysis.h"
#include "itpsim/report.h"
#include "itpsim/run.h"
#include "testutil.h"

/* Two arms and two random strata on the platelet model: ttf (a count below
 * 30 after day 0) and r6 (a count >= 50 at week 6), tested every way. */
static const char *PLAN =
    "strata = ( { name = \"s\"; probs = [0.5, 0.5]; } );\n"
    "endpoints = { ttf = { type = \"ttf\"; count = { below = 30.0; }; };\n"
    "              r6 = { type = \"response_at\"; threshold = 50.0; week = 6.0; }; };\n"
    "analysis = { alpha = 0.025; multiplicity = \"holm\"; hypotheses = (\n"
    "  { name = \"lr\"; endpoint = \"ttf\"; arm = \"active\"; test = \"logrank\"; },\n"
    "  { name = \"lr2\"; endpoint = \"ttf\"; arm = \"active\"; test = \"logrank\"; sided = \"two\"; },\n"
    "  { name = \"cox\"; endpoint = \"ttf\"; arm = \"active\"; test = \"cox\"; },\n"
    "  { name = \"cmh\"; endpoint = \"r6\"; arm = \"active\"; test = \"cmh\"; },\n"
    "  { name = \"chisq\"; endpoint = \"r6\"; arm = \"active\"; test = \"chisq\"; },\n"
    "  { name = \"fisher\"; endpoint = \"r6\"; arm = \"active\"; test = \"fisher\"; },\n"
    "  { name = \"wald\"; endpoint = \"r6\"; arm = \"active\"; test = \"rd_wald\"; },\n"
    "  { name = \"newc\"; endpoint = \"r6\"; arm = \"active\"; test = \"rd_newcombe\"; },\n"
    "  { name = \"bin\"; endpoint = \"r6\"; arm = \"active\"; test = \"binomial\"; p0 = 0.5; },\n"
    "  { name = \"rmst\"; endpoint = \"ttf\"; arm = \"active\"; test = \"rmst\";"
    " tau_months = 1.0; },\n"
    "  { name = \"fh\"; endpoint = \"ttf\"; arm = \"active\"; test = \"fh\"; rho = 1.0; } ); };\n";
#define N_HYP 11

/* One patient: arm (0 active, 1 control), stratum, the day of a count
 * below 30 (a ttf event; -1: none) and whether the week-6 count is >= 50. */
typedef struct spec {
    int arm, stratum, event_day, respond;
} spec;

static void add_visit(itp_record *rec, itp_patient *p, int day, float count)
{
    itp_visit v = {.day = day, .count = count, .scheduled = 1};
    assert_int_equal(itp_record_add_visit(rec, &v), 0);
    p->n_visits++;
}

/* Every patient followed for 84 days, with counts at days 0 and 42 and at
 * the event day. */
static void build(itp_record *rec, const spec *s, int n)
{
    assert_int_equal(itp_record_reset(rec, n), 0);
    for (int i = 0; i < n; i++) {
        itp_patient *p = &rec->patients[i];
        memset(p, 0, sizeof *p);
        p->id = i;
        p->arm = s[i].arm;
        p->stratum = s[i].stratum;
        p->enrol_day = 0.0;
        p->followup_days = 84;
        itp_patient_begin(p, rec);
        p->baseline = 15.0;
        p->last_day = 84;
        int ev = s[i].event_day;
        add_visit(rec, p, 0, 15.0f);
        if (ev > 0 && ev < 42)
            add_visit(rec, p, ev, 10.0f);
        add_visit(rec, p, 42, ev == 42 ? 10.0f : s[i].respond ? 80.0f : 40.0f);
        if (ev > 42)
            add_visit(rec, p, ev, 10.0f);
    }
    rec->cut_day = 84.0;
}

static int finite_or_flagged(double x, unsigned flags)
{
    return isfinite(x) || flags != 0;
}

/* Every statistic a number or flagged; p-values numbers in [0, 1]; the
 * decision follows the adjusted p-value. */
static void check_results(const itp_scenario *scn, const itp_hyp_result *res, const char *what)
{
    for (int k = 0; k < scn->plan.n_hyp; k++) {
        const itp_hyp_result *r = &res[k];
        int ok = isfinite(r->p_value) && r->p_value >= 0.0 && r->p_value <= 1.0 &&
                 isfinite(r->adj_p) && r->adj_p >= 0.0 && r->adj_p <= 1.0 &&
                 r->rejected == (r->adj_p <= scn->plan.alpha) &&
                 finite_or_flagged(r->estimate, r->flags) &&
                 finite_or_flagged(r->ci_low, r->flags) && finite_or_flagged(r->ci_high, r->flags) &&
                 finite_or_flagged(r->statistic, r->flags) && !(isnan(r->estimate) && !r->flags);
        if (!ok)
            fail_msg("%s: %s: estimate %g [%g, %g] statistic %g p %g adj %g rejected %d flags %u",
                     what, scn->plan.hyp[k].name, r->estimate, r->ci_low, r->ci_high,
                     r->statistic, r->p_value, r->adj_p, r->rejected, r->flags);
    }
}

/* A file written by itpsim: no "nan" (any case) anywhere. */
static char *slurp(const char *path)
{
    FILE *f = fopen(path, "r");
    assert_non_null(f);
    char *text = calloc(1, 1 << 22);
    assert_non_null(text);
    size_t n = fread(text, 1, (1 << 22) - 1, f);
    fclose(f);
    text[n] = '\0';
    return text;
}

static void assert_no_nan(const char *path)
{
    char *text = slurp(path);
    for (char *c = text; *c; c++)
        if ((c[0] == 'n' || c[0] == 'N') && (c[1] == 'a' || c[1] == 'A') &&
            (c[2] == 'n' || c[2] == 'N'))
            fail_msg("%s: '%.20s'", path, c);
    free(text);
}

/* analysis.csv: no nan, and a row with NA, Inf or -Inf among estimate,
 * ci_low, ci_high, statistic (columns 7-10) has its flag (column 18). */
static void check_analysis_csv(const itp_scenario *scn, const itp_hyp_result *res,
                               const char *what)
{
    char dir[] = "/tmp/itpsim-edge-XXXXXX", err[512], path[128];
    assert_non_null(mkdtemp(dir));
    if (itp_write_analysis(dir, scn, res, err, sizeof err))
        fail_msg("%s: %s", what, err);
    snprintf(path, sizeof path, "%s/analysis.csv", dir);
    assert_no_nan(path);
    char *text = slurp(path), *save = NULL;
    int row = 0;
    for (char *line = strtok_r(text, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
        if (row++ == 0)
            continue;
        char *cols[32], *s2 = NULL;
        int n = 0;
        /* strsep keeps empty fields (an empty flags column) */
        for (char *p = line; p && n < 32;) {
            cols[n++] = p;
            char *comma = strchr(p, ',');
            if (comma)
                *comma = '\0';
            p = comma ? comma + 1 : NULL;
        }
        (void)s2;
        assert_int_equal(n, 18);
        int odd = 0;
        for (int c = 6; c < 10; c++)
            odd |= !strcmp(cols[c], "NA") || !strcmp(cols[c], "Inf") || !strcmp(cols[c], "-Inf");
        if (odd && !cols[17][0])
            fail_msg("%s: %s has NA/Inf without a flag", what, cols[0]);
    }
    free(text);
    unlink(path);
    rmdir(dir);
}

static itp_scenario *load_plan(void)
{
    char err[1024], text[8192];
    snprintf(text, sizeof text, "%s%s", TEST_BASE_SCENARIO, PLAN);
    itp_scenario *scn = test_load(text, err, sizeof err);
    assert_non_null(scn);
    assert_int_equal(scn->plan.n_hyp, N_HYP);
    assert_int_equal(scn->n_strata, 2);
    return scn;
}

static void analyse(const itp_scenario *scn, const spec *s, int n, itp_hyp_result *res,
                    const char *what)
{
    itp_analysis_ws *ws;
    itp_record rec;
    itp_record_init(&rec);
    build(&rec, s, n);
    assert_int_equal(itp_analysis_ws_create(&ws, scn, n), ITP_OK);
    assert_int_equal(itp_analyse(scn, &rec, NULL, ws, res), ITP_OK);
    check_results(scn, res, what);
    check_analysis_csv(scn, res, what);
    itp_analysis_ws_free(ws);
    itp_record_free(&rec);
}

enum { LR, LR2, COX, CMH, CHISQ, FISHER, WALD, NEWC, BIN, RMST, FH };

/* Eight patients per arm in both strata, events and responses chosen per
 * case. */
static void test_no_events_in_the_active_arm(void **state)
{
    (void)state;
    itp_scenario *scn = load_plan();
    spec s[16];
    for (int i = 0; i < 16; i++)
        s[i] = (spec){i % 2, (i / 2) % 2, i % 2 ? 7 * (1 + i / 2) : -1, i % 3 == 0};
    itp_hyp_result res[N_HYP];
    analyse(scn, s, 16, res, "no events in the active arm");
    /* HR 0: the Cox likelihood is monotone (flagged, p = 1), while the
     * log-rank test is defined and small; its estimate, the Cox HR, carries
     * the flag */
    assert_true(res[COX].flags & ITP_HYP_MONOTONE);
    assert_true(res[COX].estimate == 0.0 && res[COX].p_value == 1.0);
    assert_int_equal(res[LR].flags, ITP_HYP_MONOTONE);
    assert_true(res[LR].p_value < 0.05);
    assert_int_equal(res[LR].events_exp, 0);
    assert_int_equal(res[LR].events_ctl, 8);
    /* tau 1 month, day 30 (the ttf is censored at the last visit, day 42):
     * the active arm's curve stays at 1, the control's falls by 1/8 a week
     * from day 7; a benefit */
    assert_int_equal(res[RMST].flags, 0);
    assert_true(res[RMST].estimate > 0.0 && res[RMST].p_value < 0.05);
    assert_int_equal(res[FH].flags, ITP_HYP_MONOTONE);
    assert_true(res[FH].p_value < 0.05);
    itp_scenario_free(scn);
}

static void test_every_event_in_the_active_arm(void **state)
{
    (void)state;
    itp_scenario *scn = load_plan();
    spec s[16];
    for (int i = 0; i < 16; i++)
        s[i] = (spec){i % 2, (i / 2) % 2, i % 2 ? -1 : 7 * (1 + i / 2), 0};
    itp_hyp_result res[N_HYP];
    analyse(scn, s, 16, res, "every event in the active arm");
    assert_true(res[COX].flags & ITP_HYP_MONOTONE);
    assert_true(isinf(res[COX].estimate) && res[COX].estimate > 0);
    assert_true(res[LR].p_value > 0.95);   /* harm: one-sided p near 1 */
    assert_int_equal(res[LR].rejected, 0);
    /* no responders anywhere: every binary test has a zero margin */
    for (int k = CMH; k <= NEWC; k++)
        assert_true(res[k].p_value == 1.0 || res[k].flags);
    itp_scenario_free(scn);
}

static void test_no_events_at_all(void **state)
{
    (void)state;
    itp_scenario *scn = load_plan();
    spec s[12];
    for (int i = 0; i < 12; i++)
        s[i] = (spec){i % 2, (i / 2) % 2, -1, 1};   /* everyone responds */
    itp_hyp_result res[N_HYP];
    analyse(scn, s, 12, res, "no events, everyone responding");
    assert_true(res[LR].flags & ITP_HYP_NO_TEST);
    assert_true(res[LR].p_value == 1.0);
    assert_true(res[COX].flags != 0);
    assert_true(res[CMH].flags & ITP_HYP_NO_TEST);
    assert_true(res[CMH].p_value == 1.0);
    assert_true(fabs(res[WALD].estimate) < 1e-15);   /* risk difference 0 */
    /* both curves at 1: RMST difference 0 with se 0, no test */
    assert_true(res[RMST].flags == ITP_HYP_NO_TEST && res[RMST].estimate == 0.0);
    assert_true(res[RMST].p_value == 1.0);
    assert_true(res[FH].flags & ITP_HYP_NO_TEST);
    itp_scenario_free(scn);
}

static void test_single_patient_per_arm(void **state)
{
    (void)state;
    itp_scenario *scn = load_plan();
    const spec cases[][2] = {
        {{0, 0, 14, 1}, {1, 0, 28, 0}},   /* both fail, at different days */
        {{0, 0, -1, 1}, {1, 0, 28, 0}},   /* only control fails */
        {{0, 0, 14, 0}, {1, 1, -1, 1}},   /* different strata: nothing within a stratum */
        {{0, 1, 21, 1}, {1, 1, 21, 1}},   /* tied */
    };
    for (size_t c = 0; c < sizeof cases / sizeof cases[0]; c++) {
        itp_hyp_result res[N_HYP];
        char what[64];
        snprintf(what, sizeof what, "one patient per arm, case %zu", c);
        analyse(scn, cases[c], 2, res, what);
        assert_int_equal(res[LR].n_exp, 1);
        assert_int_equal(res[LR].n_ctl, 1);
    }
    itp_scenario_free(scn);
}

static void test_all_times_tied(void **state)
{
    (void)state;
    itp_scenario *scn = load_plan();
    spec s[20];
    for (int i = 0; i < 20; i++)
        s[i] = (spec){i % 2, (i / 2) % 2, 42, 0};   /* every patient fails on day 42 */
    itp_hyp_result res[N_HYP];
    analyse(scn, s, 20, res, "all times tied");
    /* equal hazards: no difference, but the tests are defined */
    assert_true(fabs(res[LR].statistic) < 1e-12);
    assert_true(fabs(res[COX].estimate - 1.0) < 1e-9);
    assert_true(fabs(res[FH].statistic) < 1e-12);
    /* day 42 for all, after tau (day 30): both areas 30 days, se 0, no
     * test */
    assert_true(res[RMST].estimate == 0.0 && (res[RMST].flags & ITP_HYP_NO_TEST));
    /* tied in part: half the patients at day 42, half censored at 84 */
    for (int i = 0; i < 20; i++)
        s[i].event_day = i % 4 < 2 ? 42 : -1;
    analyse(scn, s, 20, res, "half tied, half censored");
    itp_scenario_free(scn);
}

static void test_one_stratum_empty(void **state)
{
    (void)state;
    itp_scenario *scn = load_plan();
    spec s[16];
    for (int i = 0; i < 16; i++)   /* stratum 1 empty */
        s[i] = (spec){i % 2, 0, i % 3 == 1 ? 14 + i : -1, i % 3 != 0};
    itp_hyp_result res[N_HYP];
    analyse(scn, s, 16, res, "one stratum empty");
    assert_int_equal(res[LR].flags, 0);
    assert_int_equal(res[CMH].flags, 0);
    /* and a stratum with one arm only */
    for (int i = 0; i < 16; i++)
        s[i].stratum = i < 4 && i % 2 == 0;
    analyse(scn, s, 16, res, "a stratum holding one arm");
    itp_scenario_free(scn);
}

static void test_one_arm_empty(void **state)
{
    (void)state;
    itp_scenario *scn = load_plan();
    spec s[6];
    for (int i = 0; i < 6; i++)   /* nobody in the active arm */
        s[i] = (spec){1, i % 2, i % 2 ? 20 : -1, 1};
    itp_hyp_result res[N_HYP];
    analyse(scn, s, 6, res, "an arm without patients");
    assert_int_equal(res[LR].n_exp, 0);
    assert_true(res[LR].p_value == 1.0 && !res[LR].rejected);
    assert_true(res[RMST].flags & ITP_HYP_NOT_ESTIMABLE);
    assert_true(isnan(res[RMST].estimate) && res[RMST].p_value == 1.0);
    itp_scenario_free(scn);
}

/* ---- small simulated scenarios: run, write, read back ---------------------------- */

/* replicates.csv: an estimate NA, Inf or -Inf has its flag (per hypothesis
 * the columns NAME_estimate, _p, _adj_p, _rejected, _flags after 5 others);
 * p-values are always numbers. */
static void check_replicates_csv(const char *path, int n_hyp, const char *what)
{
    char *text = slurp(path), *save = NULL;
    int row = 0;
    for (char *line = strtok_r(text, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
        char *cols[5 + 5 * ITP_MAX_HYPOTHESES];
        int n = 0;
        for (char *p = line; p && n < 5 + 5 * ITP_MAX_HYPOTHESES;) {
            cols[n++] = p;
            char *comma = strchr(p, ',');
            if (comma)
                *comma = '\0';
            p = comma ? comma + 1 : NULL;
        }
        assert_int_equal(n, 5 + 5 * n_hyp);
        if (row++ == 0)
            continue;
        for (int k = 0; k < n_hyp; k++) {
            const char *est = cols[5 + 5 * k], *flag = cols[9 + 5 * k];
            if ((!strcmp(est, "NA") || !strcmp(est, "Inf") || !strcmp(est, "-Inf")) && !flag[0])
                fail_msg("%s: replicates.csv row %d: estimate %s without a flag", what, row, est);
            if (!strcmp(cols[6 + 5 * k], "NA") || !strcmp(cols[7 + 5 * k], "NA"))
                fail_msg("%s: replicates.csv row %d: p-value NA", what, row);
        }
    }
    free(text);
}

static void run_and_check(const char *text, long reps, const char *what)
{
    char err[1024], dir[] = "/tmp/itpsim-edge-XXXXXX", path[160];
    itp_scenario *scn = test_load(text, err, sizeof err);
    assert_non_null(scn);
    assert_non_null(mkdtemp(dir));
    itp_run_opts o = {.seed = 3, .reps = reps, .threads = 2, .null = 1, .quiet = 1};
    itp_out rep;
    assert_int_equal(itp_out_open(&rep, dir, "replicates.csv", err, sizeof err), ITP_OK);
    itp_replicates_header(scn, rep.f);
    o.replicates = rep.f;
    itp_run_result res;
    assert_int_equal(itp_run(scn, &o, &res), ITP_OK);
    if (itp_write_results(dir, scn, &o, &res, "fnv1a64:0", &rep, err, sizeof err))
        fail_msg("%s: %s", what, err);
    static const char *const files[] = {"summary.json", "summary.csv", "arms.csv",
                                        "replicates.csv"};
    for (int i = 0; i < 4; i++) {
        snprintf(path, sizeof path, "%s/%s", dir, files[i]);
        assert_no_nan(path);
        if (i == 3)
            check_replicates_csv(path, scn->plan.n_hyp, what);
        if (i == 0) {   /* JSON has no Inf either: not-a-number values are null */
            char *t = slurp(path);
            if (strstr(t, "Inf") || strstr(t, "inf"))
                fail_msg("%s: summary.json holds Inf", what);
            free(t);
        }
        unlink(path);
    }
    rmdir(dir);
    FILE *devnull = fopen("/dev/null", "w");
    itp_print_summary(scn, &res, devnull);
    fclose(devnull);
    itp_run_result_free(&res);
    itp_scenario_free(scn);
}

#define HAZARD_HEAD                                                                 \
    "model = \"hazard\";\n"                                                         \
    "control = \"ctl\";\n"                                                          \
    "enrolment = { duration_months = 6.0; };\n"                                     \
    "followup = { max_months = 12.0; cut_months = 6.0; };\n"                        \
    "visits = ( { from_week = 0; every_weeks = 4; } );\n"                           \
    "endpoints = { ttf = { type = \"ttf\"; }; };\n"                                 \
    "analysis = { hypotheses = (\n"                                                 \
    "  { name = \"lr\"; endpoint = \"ttf\"; arm = \"exp\"; test = \"logrank\"; },\n" \
    "  { name = \"cox\"; endpoint = \"ttf\"; arm = \"exp\"; test = \"cox\"; },\n"     \
    "  { name = \"fh\"; endpoint = \"ttf\"; arm = \"exp\"; test = \"fh\"; },\n"       \
    "  { name = \"rmst\"; endpoint = \"ttf\"; arm = \"exp\"; test = \"rmst\";"          \
    " tau_months = 6.0; } ); };\n"

static void test_small_hazard_scenarios(void **state)
{
    (void)state;
    char text[4096];
    const char *cases[][2] = {
        {"no events anywhere", "patients = 40;\n"
                               "arms = ( { name = \"exp\"; hazard_per_month = [0.0]; },\n"
                               "         { name = \"ctl\"; hazard_per_month = [0.0]; } );\n"},
        {"no events in one arm", "patients = 40;\n"
                                 "arms = ( { name = \"exp\"; hazard_per_month = [0.0]; },\n"
                                 "         { name = \"ctl\"; hazard_per_month = [0.5]; } );\n"},
        {"one patient per arm", "patients = 2;\n"
                                "arms = ( { name = \"exp\"; hazard_per_month = [0.2]; },\n"
                                "         { name = \"ctl\"; hazard_per_month = [0.4]; } );\n"},
        {"everyone fails at once", "patients = 30;\n"
                                   "arms = ( { name = \"exp\"; hazard_per_month = [100.0]; },\n"
                                   "         { name = \"ctl\"; hazard_per_month = [100.0]; } );\n"},
    };
    for (size_t c = 0; c < sizeof cases / sizeof cases[0]; c++) {
        snprintf(text, sizeof text, "%s%s", cases[c][1], HAZARD_HEAD);
        run_and_check(text, 300, cases[c][0]);
    }
}

/* The platelet model with two patients, and a stratum (a baseline count
 * above 5000) that is always empty. */
static void test_small_platelet_scenario(void **state)
{
    (void)state;
    char text[8192];
    snprintf(text, sizeof text, "%s%s", TEST_BASE_SCENARIO,
             "strata = ( { name = \"c\"; covariate = \"baseline_count\"; cuts = [5000.0]; } );\n"
             "endpoints = { ttf = { type = \"ttf\"; count = { below = 30.0; after_week = 8.0; }; };\n"
             "              r6 = { type = \"response_at\"; threshold = 50.0; week = 6.0; }; };\n"
             "analysis = { hypotheses = (\n"
             "  { name = \"lr\"; endpoint = \"ttf\"; arm = \"active\"; test = \"logrank\"; },\n"
             "  { name = \"cox\"; endpoint = \"ttf\"; arm = \"active\"; test = \"cox\"; },\n"
             "  { name = \"cmh\"; endpoint = \"r6\"; arm = \"active\"; test = \"cmh\"; },\n"
             "  { name = \"fisher\"; endpoint = \"r6\"; arm = \"active\"; test = \"fisher\"; },\n"
             "  { name = \"bin\"; endpoint = \"r6\"; arm = \"active\"; test = \"binomial\"; p0 = 0.3; } ); };\n");
    char *p = strstr(text, "patients = 60;");
    assert_non_null(p);
    memcpy(p, "patients =  2;", 14);
    run_and_check(text, 64, "platelet model, 2 patients, an empty stratum");
}

/* ---- memory does not grow with the number of replicates ---------------------------- */

static long max_rss_kb(void)
{
    struct rusage ru;
    getrusage(RUSAGE_SELF, &ru);
    return ru.ru_maxrss;
}

static void test_memory_flat_in_replicates(void **state)
{
    (void)state;
    char err[1024], text[4096];
    snprintf(text, sizeof text, "%s%s",
             "patients = 200;\n"
             "arms = ( { name = \"exp\"; hazard_per_month = [0.05]; },\n"
             "         { name = \"ctl\"; hazard_per_month = [0.1]; } );\n",
             HAZARD_HEAD);
    itp_scenario *scn = test_load(text, err, sizeof err);
    assert_non_null(scn);
    itp_run_result res;
    itp_run_opts o = {.seed = 1, .reps = 512, .threads = 2, .null = 1, .quiet = 1};
    assert_int_equal(itp_run(scn, &o, &res), ITP_OK);
    itp_run_result_free(&res);
    long before = max_rss_kb();
    o.reps = 20 * 512;
    assert_int_equal(itp_run(scn, &o, &res), ITP_OK);
    long after = max_rss_kb();
    print_message("peak RSS after 512 replicates %ld KiB, after 10240 more %ld KiB\n", before,
                  after);
    /* the same working memory, whatever the count (histograms, not lists);
     * not under AddressSanitizer, whose quarantine of freed blocks makes
     * the peak grow with every allocation the run frees again (a run
     * makes its workspaces afresh for every chunk of 256 replicates) */
#if defined(__SANITIZE_ADDRESS__)
    print_message("AddressSanitizer: the peak is not asserted\n");
#else
    /* nor under valgrind (tests/scripts/valgrind.sh says so): memcheck's
     * own memory, its shadow of every byte and the code it translates,
     * grows as the run reaches code it had not run before */
    if (getenv("ITPSIM_TEST_NO_PEAK"))
        print_message("ITPSIM_TEST_NO_PEAK: the peak is not asserted\n");
    else
        assert_true(after - before < 2048);
#endif
    itp_run_result_free(&res);
    itp_scenario_free(scn);
}

/* The `statistic` column's conventions (README, "The analysis plan"), on a
 * record where the active arm is better (2 ttf events of 10, at days 32
 * and 36, and 8 responders; control 8 events by day 28 and 2 responders)
 * and on the arms
 * swapped: log-rank, Fleming-Harrington and Cox z below 0 when the active
 * arm has the lower hazard, whatever `benefit` says; the RMST z above 0
 * when its RMST is longer; CMH and Pearson a chi-square (>= 0 either
 * way); Fisher the responders of the arm tested for the higher rate (the
 * active arm's; with benefit "lower" the control's); the risk-difference
 * z above 0 in the direction of benefit (a higher active rate, or with
 * benefit "lower" a lower one); the binomial test the active responders
 * (with benefit "lower" its non-responders). Each estimate is on the
 * harmful side exactly when the active arm is worse (or, with the benefit
 * turned, better). */
static void test_statistic_signs(void **state)
{
    (void)state;
    static const char *plan =
        "strata = ( { name = \"s\"; probs = [0.5, 0.5]; } );\n"
        "endpoints = { ttf = { type = \"ttf\"; count = { below = 30.0; }; };\n"
        "              r6 = { type = \"response_at\"; threshold = 50.0; week = 6.0; }; };\n"
        "analysis = { alpha = 0.025; hypotheses = (\n"
        "  { name = \"lr\"; endpoint = \"ttf\"; arm = \"active\"; test = \"logrank\"; },\n"
        "  { name = \"lrh\"; endpoint = \"ttf\"; arm = \"active\"; test = \"logrank\"; benefit = \"higher\"; },\n"
        "  { name = \"cox\"; endpoint = \"ttf\"; arm = \"active\"; test = \"cox\"; },\n"
        "  { name = \"fh\"; endpoint = \"ttf\"; arm = \"active\"; test = \"fh\"; rho = 1.0; gamma = 0.0; },\n"
        "  { name = \"rmst\"; endpoint = \"ttf\"; arm = \"active\"; test = \"rmst\"; tau_months = 1.0; },\n"
        "  { name = \"cmh\"; endpoint = \"r6\"; arm = \"active\"; test = \"cmh\"; },\n"
        "  { name = \"chisq\"; endpoint = \"r6\"; arm = \"active\"; test = \"chisq\"; },\n"
        "  { name = \"fisher\"; endpoint = \"r6\"; arm = \"active\"; test = \"fisher\"; },\n"
        "  { name = \"fl\"; endpoint = \"r6\"; arm = \"active\"; test = \"fisher\"; benefit = \"lower\"; },\n"
        "  { name = \"wald\"; endpoint = \"r6\"; arm = \"active\"; test = \"rd_wald\"; },\n"
        "  { name = \"wl\"; endpoint = \"r6\"; arm = \"active\"; test = \"rd_wald\"; benefit = \"lower\"; },\n"
        "  { name = \"bin\"; endpoint = \"r6\"; arm = \"active\"; test = \"binomial\"; p0 = 0.5; },\n"
        "  { name = \"bl\"; endpoint = \"r6\"; arm = \"active\"; test = \"binomial\"; p0 = 0.5;"
        " benefit = \"lower\"; } ); };\n";
    enum { S_LR, S_LRH, S_COX, S_FH, S_RMST, S_CMH, S_CHISQ, S_FISHER, S_FL, S_WALD, S_WL, S_BIN,
           S_BL, S_N };
    char err[1024], text[8192];
    snprintf(text, sizeof text, "%s%s", TEST_BASE_SCENARIO, plan);
    itp_scenario *scn = test_load(text, err, sizeof err);
    assert_non_null(scn);
    assert_int_equal(scn->plan.n_hyp, S_N);
    static const int ctl_days[10] = {5, 8, 10, 12, 15, 20, 25, 28, -1, -1};
    for (int swap = 0; swap < 2; swap++) {
        spec sp[20];
        for (int i = 0; i < 10; i++) {
            int better = swap, worse = !swap;  /* arm 0 active, 1 control */
            sp[i] = (spec){better, i % 2, i < 2 ? 32 + 4 * i : -1, i >= 2};
            sp[10 + i] = (spec){worse, i % 2, ctl_days[i], i < 2};
        }
        itp_hyp_result res[S_N];
        analyse(scn, sp, 20, res, swap ? "active worse" : "active better");
        double sg = swap ? -1.0 : 1.0; /* + when the active arm is better */
        print_message("%s: lr %g cox %g fh %g rmst %g wald %g wl %g chisq %g\n",
                      swap ? "worse" : "better", res[S_LR].statistic, res[S_COX].statistic,
                      res[S_FH].statistic, res[S_RMST].statistic, res[S_WALD].statistic,
                      res[S_WL].statistic, res[S_CHISQ].statistic);
        assert_true(sg * res[S_LR].statistic < -1.0);
        assert_true(res[S_LRH].statistic == res[S_LR].statistic);
        assert_true(sg * res[S_COX].statistic < -1.0);
        assert_true(sg * res[S_FH].statistic < -1.0);
        assert_true(sg * res[S_RMST].statistic > 1.0);
        assert_true(res[S_CMH].statistic > 1.0 && res[S_CHISQ].statistic > 1.0);
        assert_true(res[S_FISHER].statistic == (swap ? 2.0 : 8.0));
        assert_true(res[S_FL].statistic == (swap ? 8.0 : 2.0));
        assert_true(sg * res[S_WALD].statistic > 1.0);
        assert_true(sg * res[S_WL].statistic < -1.0);
        assert_true(res[S_BIN].statistic == (swap ? 2.0 : 8.0));
        assert_true(res[S_BL].statistic == (swap ? 8.0 : 2.0));
        /* the harmful side (itp_hyp_harmful, which splits a two-sided
         * power): the estimate against benefit; with benefit "higher" or
         * "lower" turned, the side turns */
        for (int k = 0; k < S_N; k++) {
            int turned = k == S_LRH || k == S_FL || k == S_WL || k == S_BL;
            if (itp_hyp_harmful(&scn->plan.hyp[k], &res[k]) != (swap != turned))
                fail_msg("%s: %s harmful %d", swap ? "worse" : "better", scn->plan.hyp[k].name,
                         itp_hyp_harmful(&scn->plan.hyp[k], &res[k]));
        }
    }
    itp_scenario_free(scn);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_statistic_signs),
        cmocka_unit_test(test_no_events_in_the_active_arm),
        cmocka_unit_test(test_every_event_in_the_active_arm),
        cmocka_unit_test(test_no_events_at_all),
        cmocka_unit_test(test_single_patient_per_arm),
        cmocka_unit_test(test_all_times_tied),
        cmocka_unit_test(test_one_stratum_empty),
        cmocka_unit_test(test_one_arm_empty),
        cmocka_unit_test(test_small_hazard_scenarios),
        cmocka_unit_test(test_small_platelet_scenario),
        cmocka_unit_test(test_memory_flat_in_replicates),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
