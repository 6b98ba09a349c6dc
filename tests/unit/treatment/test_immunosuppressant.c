/* The immunosuppressant component: the remission share of a cohort (and
 * its population adjustment), the onset and its cut by the end of the
 * course, the piecewise relapse hazard (a relapse at the stop when the
 * off-drug hazard is huge; a longer course never ends a remission earlier,
 * patient by patient), a stop by new therapy (the same as a course planned
 * to end that day), the destruction factor as the day hook gives it and as
 * the platelet model counts it without noise, and the parameters' checks. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <limits.h>
#include <math.h>
#include <cmocka.h>
#include "itpsim/component.h"
#include "itpsim/rng.h"
#include "testutil.h"

#define SCENARIO                                                                  \
    "patients = 10;\n"                                                            \
    "arms = ( { name = \"a\"; treatments = [\"im\"]; } );\n"                      \
    "enrolment = { duration_months = 1.0; };\n"                                   \
    "followup = { max_months = 24.0; cut_months = 24.0; };\n"                     \
    "visits = ( { from_week = 0; every_weeks = 1; } );\n"                         \
    "components = { im = { type = \"immunosuppressant\"; %s }; };\n"

static itp_scenario *load(const char *settings)
{
    char text[4096], err[1024];
    snprintf(text, sizeof text, SCENARIO, settings);
    itp_scenario *scn = test_load(text, err, sizeof err);
    assert_non_null(scn);
    return scn;
}

/* The message of a scenario the loader refuses (into err; test_load
 * prints it too). */
static void refused(const char *settings, char *err, size_t len)
{
    char text[4096];
    snprintf(text, sizeof text, SCENARIO, settings);
    err[0] = '\0';
    itp_scenario *scn = test_load(text, err, len);
    assert_null(scn);
}

/* A cohort of n patients started on the component (patient i on stream i
 * of seed 7, so two cohorts are the same patients), stopped by new therapy
 * on stop_day (< 0: never), with the population's log odds; each patient's
 * remission into mech[i] when mech is not NULL ({0, 0}: none). Returns the
 * number in remission (a mechanism with end > onset). */
static int cohort(const char *settings, int n, int stop_day, double log_odds,
                  itp_mechanism *mech)
{
    itp_scenario *scn = load(settings);
    test_cohort_opts o = {.seed = 7, .log_odds = log_odds, .stop_day = stop_day};
    int remit = test_cohort(scn, &scn->components[0], n, &o, mech);
    itp_scenario_free(scn);
    return remit;
}

static int within_5se(int k, int n, double p)
{
    double share = (double)k / n, se = sqrt(p * (1.0 - p) / n);
    print_message("share %.4f, expected %.4f (5 SE %.4f)\n", share, p, 5 * se);
    return fabs(share - p) < 5 * se;
}

/* ---- remission ----------------------------------------------------------- */

/* remission_prob 0.3 taken to the end of follow-up: 30% remit; in a
 * population with odds ratio 4, 1.2 / 1.9. */
static void test_remission_share(void **state)
{
    (void)state;
    const int n = 40000;
    const char *s = "remission_prob = 0.3; relapse_on_per_month = 0.0;";
    assert_true(within_5se(cohort(s, n, -1, 0.0, NULL), n, 0.3));
    double odds = 0.3 / 0.7 * 4.0;
    assert_true(within_5se(cohort(s, n, -1, log(4.0), NULL), n, odds / (1.0 + odds)));
    /* and the drug's defaults are read: mycophenolate's 0.30 by default */
    assert_true(within_5se(cohort("relapse_on_per_month = 0.0;", n, -1, 0.0, NULL), n, 0.30));
    assert_true(within_5se(cohort("drug = \"sirolimus\"; relapse_on_per_month = 0.0;", n, -1,
                                  0.0, NULL), n, 0.40));
}

/* With no spread every onset is on day start + median (week 1 + 35 days:
 * day 42). The course must still be taken then: one ending on day 42
 * (5 weeks from week 1) gives no remission at all, one ending on day 49
 * the full share. */
static void test_onset(void **state)
{
    (void)state;
    const int n = 4000;
    itp_mechanism *m = calloc((size_t)n, sizeof *m);
    assert_non_null(m);
#define FIXED "onset_median_days = 35.0; onset_logsd = 0.0; start_week = 1; " \
              "relapse_on_per_month = 0.0; "
    int r = cohort(FIXED "remission_prob = 0.6;", n, -1, 0.0, m);
    assert_true(within_5se(r, n, 0.6));
    for (int i = 0; i < n; i++)
        if (m[i].end > m[i].onset)
            assert_int_equal(m[i].onset, 42);
    assert_int_equal(cohort(FIXED "remission_prob = 1.0; weeks = 5;", n, -1, 0.0, NULL), 0);
    assert_int_equal(cohort(FIXED "remission_prob = 1.0; weeks = 6;", n, -1, 0.0, NULL), n);
    /* with a spread, onsets fall on both sides of the median */
    int before = 0, after = 0;
    r = cohort("remission_prob = 1.0; onset_median_days = 35.0; onset_logsd = 0.5; "
               "relapse_on_per_month = 0.0;", n, -1, 0.0, m);
    assert_int_equal(r, n);
    for (int i = 0; i < n; i++) {
        before += m[i].onset < 35;
        after += m[i].onset >= 35;
    }
    assert_true(within_5se(before, n, 0.5) && before + after == n);
    free(m);
#undef FIXED
}

/* ---- relapse ------------------------------------------------------------- */

/* No relapse while taken and an off-drug hazard of 10^4 a month (a
 * relapse within hours): every remission of a 12-week course ends on the
 * day it stops (day 84) or the next. */
static void test_relapse_at_stop(void **state)
{
    (void)state;
    const int n = 5000;
    itp_mechanism *m = calloc((size_t)n, sizeof *m);
    assert_non_null(m);
    int r = cohort("remission_prob = 1.0; onset_median_days = 20.0; onset_logsd = 0.5; "
                   "relapse_on_per_month = 0.0; relapse_off_per_month = 10000.0; weeks = 12;",
                   n, -1, 0.0, m);
    assert_true(r > n / 2);
    for (int i = 0; i < n; i++) {
        if (m[i].end <= m[i].onset)
            continue;
        assert_true(m[i].onset < 84);
        assert_true(m[i].end >= 84 && m[i].end <= 85);
    }
    free(m);
}

/* The same patients on a 12-week and a 24-week course: whoever remits on
 * the short one remits on the long one, on the same day, and relapses no
 * earlier; some relapse strictly later, and the long course has more
 * remissions (onsets between weeks 12 and 24). */
static void test_longer_never_earlier(void **state)
{
    (void)state;
    const int n = 20000;
    itp_mechanism *a = calloc((size_t)n, sizeof *a), *b = calloc((size_t)n, sizeof *b);
    assert_non_null(a);
    assert_non_null(b);
#define COURSE "remission_prob = 0.5; onset_median_days = 40.0; onset_logsd = 0.8; " \
               "relapse_on_per_month = 0.1; relapse_off_per_month = 1.0; "
    int ra = cohort(COURSE "weeks = 12;", n, -1, 0.0, a);
    int rb = cohort(COURSE "weeks = 24;", n, -1, 0.0, b);
#undef COURSE
    int later = 0;
    for (int i = 0; i < n; i++) {
        if (a[i].end <= a[i].onset)
            continue;
        assert_true(b[i].end > b[i].onset);
        assert_int_equal(b[i].onset, a[i].onset);
        assert_true(b[i].end >= a[i].end);
        later += b[i].end > a[i].end;
    }
    print_message("remissions %d (12 weeks), %d (24 weeks); %d relapse later\n", ra, rb, later);
    assert_true(rb > ra);
    assert_true(later > ra / 10);
    free(a);
    free(b);
}

/* ---- stop by new therapy ------------------------------------------------- */

/* New therapy on day 42 of a course planned to the end of follow-up: a
 * remission whose onset is on day 42 or later does not come; one under
 * way ends no earlier than day 42 and no later than it would have; one
 * over already is untouched. Patient by patient it is the same as a course
 * planned to end on day 42 (6 weeks). A stop after the course changes
 * nothing. */
static void test_stop(void **state)
{
    (void)state;
    const int n = 20000;
    itp_mechanism *full = calloc((size_t)n, sizeof *full), *cut = calloc((size_t)n, sizeof *cut),
                  *planned = calloc((size_t)n, sizeof *planned);
    assert_non_null(full);
    assert_non_null(cut);
    assert_non_null(planned);
#define COURSE "remission_prob = 0.6; onset_median_days = 40.0; onset_logsd = 0.6; " \
               "relapse_on_per_month = 0.5; relapse_off_per_month = 2.0; "
    cohort(COURSE, n, -1, 0.0, full);
    cohort(COURSE, n, 42, 0.0, cut);
    cohort(COURSE "weeks = 6;", n, -1, 0.0, planned);
    int not_begun = 0, under_way = 0, over = 0;
    for (int i = 0; i < n; i++) {
        int in = cut[i].end > cut[i].onset;
        assert_int_equal(in, planned[i].end > planned[i].onset);
        if (in)
            assert_true(cut[i].onset == planned[i].onset && cut[i].end == planned[i].end);
        if (full[i].end <= full[i].onset)
            continue;
        if (full[i].onset >= 42) {
            not_begun++;
            assert_true(cut[i].end <= cut[i].onset);
        } else if (full[i].end > 42) {
            under_way++;
            assert_true(cut[i].end >= 42 && cut[i].end <= full[i].end);
        } else {
            over++;
            assert_int_equal(cut[i].end, full[i].end);
        }
    }
    print_message("not begun %d, under way %d, over %d\n", not_begun, under_way, over);
    assert_true(not_begun > 100 && under_way > 100 && over > 100);
    /* the course ended on day 42 already: a stop on day 50 is nothing */
    itp_mechanism *late = calloc((size_t)n, sizeof *late);
    assert_non_null(late);
    cohort(COURSE "weeks = 6;", n, 50, 0.0, late);
    for (int i = 0; i < n; i++)
        assert_true(late[i].onset == planned[i].onset && late[i].end == planned[i].end);
#undef COURSE
    free(full);
    free(cut);
    free(planned);
    free(late);
}

/* ---- the day hook ---------------------------------------------------------- */

typedef struct course {
    itp_scenario *scn;
    const itp_component *c;
    itp_patient pt;
    itp_record rec;
    itp_patient_ctx ctx;
    unsigned char st[256];
} course;

static void course_start(course *k, const char *settings)
{
    k->scn = load(settings);
    k->c = &k->scn->components[0];
    itp_patient_clear_events(&k->pt);
    itp_record_init(&k->rec);
    k->pt.event_first = 0;
    k->ctx = (itp_patient_ctx){.pt = &k->pt, .rec = &k->rec, .recheck_day = INT_MAX,
                               .max_day = k->scn->max_followup_days};
    memset(k->st, 0, sizeof k->st);
    gsl_rng *g = gsl_rng_alloc(itp_rng_xoshiro256pp);
    itp_rng_stream(g, 7, 0, 0, itp_component_stream_key(k->c->type, 0));
    k->c->type->start(k->c->params, &k->ctx, g, k->st);
    gsl_rng_free(g);
}

static void course_end(course *k)
{
    itp_scenario_free(k->scn);
    itp_record_free(&k->rec);
}

/* The day hook on `day`: its destruction factor, its dose into *dose and
 * the day it asks to be called again. */
static double hook(course *k, int day, double *dose, int *wake)
{
    itp_drive d = itp_drive_none();
    k->ctx.day = day;
    k->ctx.wake = day + 1;
    *dose = k->c->type->day(k->c->params, &k->ctx, k->st, &d);
    *wake = k->ctx.wake;
    assert_true(d.n_pk == 0 && d.prod_factor == 1.0);
    return d.kdeg_factor;
}

/* The factor of a course taken on days [s, T) with emax and tau, worked out
 * here: 1 - emax (1 - e^{-(t - s)/tau}) while taken, then the effect at T
 * fading as e^{-(t - T)/tau}. */
static double factor(int day, int s, int stop, double emax, double tau)
{
    if (day <= s)
        return 1.0;
    if (day <= stop)
        return 1.0 - emax * (1.0 - exp(-(day - s) / tau));
    return 1.0 - emax * (1.0 - exp(-(stop - s) / tau)) * exp(-(day - stop) / tau);
}

/* A course from week 2 for 8 weeks (days 14-69), emax 0.4, tau 10 days,
 * called as the model calls it: on the days it names and on weekly visit
 * days. The factor it holds is within 0.01 (the component's tolerance) of
 * the closed form on every day until its next call; it never holds over
 * the end of the course; it asks for fewer calls than the about
 * 2 x 0.4 / 0.01 its tolerance allows (daily calls would be about 2 x 37),
 * and lets go of the factor (1, never called again) once it has faded to
 * within 0.01 of 1; the dose is given on days 14-69; the course's start
 * and end are logged on days 14 and 70. Then the same course stopped by
 * new therapy on day 35. */
static void test_factor_course(void **state)
{
    (void)state;
    const char *settings = "remission_prob = 0.0; kdeg_emax = 0.4; kdeg_onset_days = 10.0; "
                           "start_week = 2; weeks = 8; dose_mg = 3.0;";
    for (int stopped = 0; stopped < 2; stopped++) {
        course k;
        course_start(&k, settings);
        int stop = stopped ? 35 : 70, calls = 0, asked = 0;
        double f = 1.0;
        for (int day = 0; day < 2000;) {
            double dose;
            int wake;
            if (stopped && day == 35) {
                k.ctx.day = day;
                k.c->type->stop(k.c->params, &k.ctx, k.st);
            }
            f = hook(&k, day, &dose, &wake);
            calls++;
            assert_true(dose == (day >= 14 && day < stop ? 3.0 : 0.0));
            assert_true(wake > day);
            if (day < 14)
                assert_int_equal(wake, 14);
            if (day < stop)   /* not over the end it knows of: the planned one */
                assert_true(wake <= 70);
            int next = (day / 7 + 1) * 7;   /* the next weekly visit */
            if (wake < next) {
                next = wake;
                asked++;
            }
            if (stopped && day < 35 && next > 35)
                next = 35;
            /* the days the factor is held: to the next call */
            for (int t = day; t < next && t < 2000; t++)
                assert_true(fabs(f - factor(t, 14, stop, 0.4, 10.0)) <= 0.01 + 1e-12);
            if (wake >= ITP_FAR_DAY)
                break;
            day = next;
        }
        assert_true(f == 1.0);
        assert_true(asked < 80);
        print_message("stop day %d: %d calls, %d asked for by the hook\n", stop, calls, asked);
        assert_int_equal(itp_patient_event(&k.rec, &k.pt, ITP_EV_COURSE, 0), 14);
        if (stopped) {
            assert_int_equal(itp_patient_event(&k.rec, &k.pt, ITP_EV_STOP, 0), 35);
            assert_int_equal(itp_patient_event(&k.rec, &k.pt, ITP_EV_COURSE_END, 0), ITP_NEVER);
        } else {
            assert_int_equal(itp_patient_event(&k.rec, &k.pt, ITP_EV_COURSE_END, 0), 70);
            /* new therapy after the course: nothing to stop, nothing logged */
            k.ctx.day = 200;
            k.c->type->stop(k.c->params, &k.ctx, k.st);
            assert_int_equal(itp_patient_event(&k.rec, &k.pt, ITP_EV_STOP, 0), ITP_NEVER);
        }
        assert_int_equal(k.pt.n_events, 2);
        course_end(&k);
    }
    /* stopped before it began: never taken, no effect, no start logged */
    course k;
    course_start(&k, settings);
    k.ctx.day = 7;
    k.c->type->stop(k.c->params, &k.ctx, k.st);
    double dose;
    int wake;
    assert_true(hook(&k, 14, &dose, &wake) == 1.0 && dose == 0.0 && wake == ITP_FAR_DAY);
    assert_int_equal(itp_patient_event(&k.rec, &k.pt, ITP_EV_COURSE, 0), ITP_NEVER);
    course_end(&k);
}

/* ---- the platelet model without noise ------------------------------------ */

/* testutil.h's scenario without noise (baseline 20, destruction 0.5/day,
 * production 10/day) with one arm on the immunosuppressant "im". */
#define QUIET_SCENARIO TEST_QUIET_SCENARIO "arms = ( { name = \"a\"; treatments = [\"im\"]; } );\n"

/* A 4-week course with a build-up time of 0.001 day: destruction x (1 -
 * emax) = 0.5 from day 1 to day 28 (the factor holds its start-of-day
 * value, 1 on day 0; on the stop day the effect is still whole, and gone
 * the day after). Production stays 10/day, so
 *   P(t) = 40 - 20 e^{-0.25 (t - 1)}          for 1 <= t <= 29,
 *   P(t) = 20 + (P(29) - 20) e^{-0.5 (t - 29)} after,
 * and each weekly count is that, rounded. */
static void test_destruction_closed_form(void **state)
{
    (void)state;
    char err[1024];
    itp_scenario *scn = test_load(QUIET_SCENARIO
        "components = { im = { type = \"immunosuppressant\"; remission_prob = 0.0;\n"
        "  kdeg_emax = 0.5; kdeg_onset_days = 0.001; weeks = 4; }; };\n",
        err, sizeof err);
    assert_non_null(scn);
    itp_record rec;
    itp_record_init(&rec);
    assert_int_equal(test_simulate(scn, 1, &rec), ITP_OK);
    const itp_patient *p = &rec.patients[0];
    assert_true(p->n_visits >= 11);
    double p29 = 40.0 - 20.0 * exp(-0.25 * 28.0);
    for (int v = 0; v < 11; v++) {
        const itp_visit *vi = &rec.visits[p->visit_first + (size_t)v];
        int t = vi->day;
        assert_int_equal(t, 7 * v);
        double want = t == 0   ? 20.0
                      : t <= 29 ? 40.0 - 20.0 * exp(-0.25 * (t - 1))
                                : 20.0 + (p29 - 20.0) * exp(-0.5 * (t - 29));
        print_message("day %d: count %g (closed form %.3f)\n", t, (double)vi->count, want);
        assert_true(fabs((double)vi->count - want) <= 0.5 + 1e-9);
    }
    /* the effect is gone: the count is back at the baseline */
    const itp_visit *last = &rec.visits[p->visit_first + (size_t)p->n_visits - 1];
    assert_true(last->day > 300 && (double)last->count == 20.0);
    assert_int_equal(itp_patient_event(&rec, p, ITP_EV_COURSE, 0), 0);
    assert_int_equal(itp_patient_event(&rec, p, ITP_EV_COURSE_END, 0), 28);
    itp_record_free(&rec);
    itp_scenario_free(scn);
}

/* ---- parameters ------------------------------------------------------------ */

/* Every drug of the defaults loads and gives its usual dose on the first
 * day (mycophenolate by default); a lower relapse rate off the drug than on
 * it, a full destruction cut, a course shorter than a day and a setting of
 * another type are refused, each naming its setting. */
static void test_parameters(void **state)
{
    (void)state;
    static const struct { const char *drug; double dose; } drugs[] = {
        {"", 2000.0}, {"drug = \"mycophenolate\";", 2000.0}, {"drug = \"tacrolimus\";", 2.0},
        {"drug = \"azathioprine\";", 100.0}, {"drug = \"ciclosporin\";", 175.0},
        {"drug = \"sirolimus\";", 2.0}};
    for (size_t i = 0; i < sizeof drugs / sizeof drugs[0]; i++) {
        course k;
        course_start(&k, drugs[i].drug);
        double dose;
        int wake;
        double f = hook(&k, 0, &dose, &wake);
        assert_true(dose == drugs[i].dose);
        assert_true(f <= 1.0 && f > 0.99 && wake >= 1);   /* builds from the start */
        hook(&k, 30, &dose, &wake);
        assert_true(dose == drugs[i].dose);   /* to the end of follow-up */
        course_end(&k);
    }
    char err[1024];
    refused("relapse_on_per_month = 0.2; relapse_off_per_month = 0.1;", err, sizeof err);
    assert_non_null(strstr(err, "relapse_off_per_month: expected relapse_off_per_month >= "
                                "relapse_on_per_month (0.2), got 0.1"));
    /* the drug's own defaults are checked too */
    refused("drug = \"tacrolimus\"; relapse_on_per_month = 0.5;", err, sizeof err);
    assert_non_null(strstr(err, "relapse_off_per_month"));
    refused("kdeg_emax = 1.0;", err, sizeof err);
    assert_non_null(strstr(err, "kdeg_emax"));
    refused("weeks = 0.01;", err, sizeof err);
    assert_non_null(strstr(err, "weeks"));
    refused("weeks = 0;", err, sizeof err);
    assert_non_null(strstr(err, "weeks"));
    refused("infusion_weeks = [0];", err, sizeof err);
    assert_non_null(strstr(err, "infusion_weeks"));
    refused("drug = \"everolimus\";", err, sizeof err);
    assert_non_null(strstr(err, "everolimus"));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_remission_share),
        cmocka_unit_test(test_onset),
        cmocka_unit_test(test_relapse_at_stop),
        cmocka_unit_test(test_longer_never_earlier),
        cmocka_unit_test(test_stop),
        cmocka_unit_test(test_factor_course),
        cmocka_unit_test(test_destruction_closed_form),
        cmocka_unit_test(test_parameters),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
