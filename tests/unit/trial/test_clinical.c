/* Clinical rules on simulated VAYHIT2 cohorts (scenarios/vayhit2.cfg with
 * its fitted parameters): what a haematologist reading the patients'
 * stories would check.
 *   - Eltrombopag is stopped for no response only in patients who never
 *     responded to it (IWG: >= 30 and double the baseline): with every drug
 *     responder able to respond and no other route to a response, the
 *     share stopped is the share of drug non-responders (19%), within 5
 *     Monte Carlo SE on 20,000 patients; in the default scenario no
 *     stopped patient had a response outside a rescue's effect before the
 *     stop.
 *   - No rescue at randomisation: the count rule starts after week 1.
 *   - Inclusion on the measured count: every observed baseline < 30.
 *   - New ITP therapy stops eltrombopag (dose 0 at every later visit,
 *     visits flagged); with new_therapy.stops = [] it goes on.
 *   - A patient stopped for no response, followed past week 25, is a
 *     treatment failure unless every count after week 8 stayed >= 30 with
 *     no rescue or new therapy (a milder disease); whoever is still on eltrombopag at the end of
 *     the taper fails TTF by that day. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <math.h>
#include <cmocka.h>
#include "itpsim/endpoint.h"
#include "itpsim/trial.h"
#include "testutil.h"

#define SCENARIO "scenarios/vayhit2.cfg"

/* Patients per cohort: 20,000, or $ITPSIM_TEST_COHORT (at least 1,000; the
 * valgrind run takes fewer). Every tolerance is in Monte Carlo SE of the
 * size used, or a share of it. */
static int cohort_size(void)
{
    const char *e = getenv("ITPSIM_TEST_COHORT");
    int n = e ? atoi(e) : 20000;
    return n >= 1000 ? n : 20000;
}

typedef struct cohort {
    itp_scenario *scn;
    itp_sim_ws *ws;
    itp_record rec;
} cohort;

/* Simulates n patients of a scenario file with overrides. */
static void cohort_run(cohort *c, const char *file, int n, const char *const *set, int n_set)
{
    char err[1024];
    c->scn = NULL;
    if (itp_scenario_load(&c->scn, file, TEST_DEFAULTS, set, n_set, NULL, err, sizeof err))
        fail_msg("%s", err);
    itp_record_init(&c->rec);
    assert_int_equal(itp_sim_ws_create(&c->ws, c->scn), ITP_OK);
    assert_int_equal(itp_trial_simulate(c->scn, 11, 0, n, c->ws, &c->rec), ITP_OK);
}

static void cohort_free(cohort *c)
{
    itp_record_free(&c->rec);
    itp_sim_ws_free(c->ws);
    itp_scenario_free(c->scn);
}

static const itp_visit *visits(const cohort *c, const itp_patient *p)
{
    return c->rec.visits + p->visit_first;
}

/* A rescue started on one of the days before `day` still acts then (the
 * default rescue: an IVIG acting for ivig.duration_days, 14). */
static int under_rescue(const cohort *c, const itp_patient *p, int day)
{
    for (int r = 0; r < p->n_rescue; r++) {
        int d = c->rec.rescue_days[p->rescue_first + (size_t)r];
        if (d <= day && day < d + 14)
            return 1;
    }
    return 0;
}

static void test_stopped_only_if_never_responded(void **state)
{
    (void)state;
    /* strong drug responders, no remission, no noise, no bleeding, no
     * death or dropout: the only patients who never reach 50 are the drug
     * non-responders */
    static const char *const set[] = {
        "tpo_ra.eltrombopag.slope_median=3.0", "tpo_ra.eltrombopag.slope_logsd=0.0", "tpo_ra.eltrombopag.remission_prob=0.0",
        "platelet.background_remission_prob=0.0", "bcell_antibody.ianalumab.emax=0.0",
        "platelet.fluctuation_sd=0.0", "platelet.measurement_sd=0.0",
        "rescue.bleed_max_per_day=0.0", "events.death_per_year=0.0",
        "events.dropout_per_year=0.0"};
    cohort c;
    const int n = cohort_size();
    cohort_run(&c, SCENARIO, n, set, (int)(sizeof set / sizeof *set));
    int stopped = 0;
    for (int i = 0; i < n; i++)
        stopped += itp_patient_event(&c.rec, &c.rec.patients[i], ITP_EV_STOP_NO_RESPONSE, 0) != ITP_NEVER;
    double p = 0.19, se = sqrt(p * (1 - p) / n);
    print_message("stopped for no response %.4f (non-responders %.2f, MCSE %.4f)\n",
                  (double)stopped / n, p, se);
    assert_true(fabs((double)stopped / n - p) < 5 * se);
    cohort_free(&c);

    /* the default scenario: responders are never stopped */
    cohort_run(&c, SCENARIO, n, NULL, 0);
    stopped = 0;
    for (int i = 0; i < n; i++) {
        const itp_patient *pt = &c.rec.patients[i];
        int stop_day = itp_patient_event(&c.rec, pt, ITP_EV_STOP_NO_RESPONSE, 0);
        if (stop_day == ITP_NEVER)
            continue;
        stopped++;
        const itp_visit *v = visits(&c, pt);
        for (int k = 0; k < pt->n_visits && v[k].day < stop_day; k++)
            if (v[k].count >= 30.0f && (double)v[k].count >= 2.0 * pt->baseline &&
                !under_rescue(&c, pt, v[k].day))
                fail_msg("patient %d: count %g on day %d (baseline %g), stopped for no "
                         "response on day %d", pt->id, (double)v[k].count, v[k].day,
                         pt->baseline, stop_day);
    }
    print_message("default scenario: stopped for no response %.4f\n", (double)stopped / n);
    assert_true(stopped > 0);
    cohort_free(&c);
}

static void test_no_rescue_at_randomisation(void **state)
{
    (void)state;
    static const char *const set[] = {"rescue.bleed_max_per_day=0.0"};
    cohort c;
    const int n = cohort_size();
    cohort_run(&c, SCENARIO, n, set, 1);
    int below10 = 0, rescued = 0;
    for (int i = 0; i < n; i++) {
        const itp_patient *pt = &c.rec.patients[i];
        below10 += pt->baseline < 10.0;
        rescued += pt->n_rescue > 0;
        for (int r = 0; r < pt->n_rescue; r++)
            assert_true(c.rec.rescue_days[pt->rescue_first + (size_t)r] >= 7);
    }
    print_message("baseline < 10: %.3f; ever rescued: %.3f\n", (double)below10 / n,
                  (double)rescued / n);
    assert_true(below10 > n / 20);   /* such patients are enrolled */
    cohort_free(&c);
}

static void test_inclusion_on_observed_count(void **state)
{
    (void)state;
    cohort c;
    const int n = cohort_size();
    cohort_run(&c, SCENARIO, n, NULL, 0);
    for (int i = 0; i < n; i++) {
        const itp_patient *pt = &c.rec.patients[i];
        if (pt->followup_days < 0)
            continue;
        const itp_visit *v = visits(&c, pt);
        if (pt->n_visits == 0) {   /* died or withdrew on day 0 */
            assert_true(isnan(pt->baseline) && pt->last_day == 0);
            continue;
        }
        assert_true(v[0].day == 0);
        assert_true((double)v[0].count == pt->baseline);
        assert_true(pt->baseline < 30.0);
    }
    cohort_free(&c);
}

/* new_therapy.stops: the default stops every treatment of the arm; a
 * scenario that includes VAYHIT2 and says stops = [] keeps eltrombopag. */
static void check_new_therapy(const cohort *c, int stops)
{
    int n_nt = 0, dosed_after = 0;
    for (int i = 0; i < c->rec.n_patients; i++) {
        const itp_patient *pt = &c->rec.patients[i];
        const itp_visit *v = visits(c, pt);
        for (int k = 0; k < pt->n_visits; k++) {
            int after = pt->new_therapy != ITP_NEVER && v[k].day >= pt->new_therapy;
            assert_int_equal(v[k].new_therapy, after);
            if (after && v[k].day > pt->new_therapy)
                dosed_after += v[k].tpo_dose > 0.0f;
        }
        n_nt += pt->new_therapy != ITP_NEVER;
    }
    print_message("new therapy %d patients; dosed visits after it %d\n", n_nt, dosed_after);
    assert_true(n_nt > c->rec.n_patients / 50);
    if (stops)
        assert_int_equal(dosed_after, 0);
    else
        assert_true(dosed_after > 0);
}

static void test_new_therapy_stops_eltrombopag(void **state)
{
    (void)state;
    cohort c;
    const int n = cohort_size() / 4;
    cohort_run(&c, SCENARIO, n, NULL, 0);
    check_new_therapy(&c, 1);
    /* the same scenario with new_therapy.stops = [] */
    c.scn->new_therapy.stops = 0;
    assert_int_equal(itp_trial_simulate(c.scn, 11, 0, n, c.ws, &c.rec), ITP_OK);
    check_new_therapy(&c, 0);
    cohort_free(&c);
}

/* new_therapy.stops names components: the default is all of them. */
static void test_new_therapy_stops_setting(void **state)
{
    (void)state;
    char err[1024];
    itp_scenario *scn = test_load(TEST_BASE_SCENARIO, err, sizeof err);
    assert_non_null(scn);
    assert_int_equal(scn->new_therapy.stops, 7u);   /* elt, ab, pbo */
    itp_scenario_free(scn);
    scn = test_load(TEST_BASE_SCENARIO "new_therapy = { stops = [\"ab\"]; };\n", err, sizeof err);
    assert_non_null(scn);
    assert_int_equal(scn->new_therapy.stops, 2u);
    itp_scenario_free(scn);
    scn = test_load(TEST_BASE_SCENARIO "new_therapy = { stops = []; };\n", err, sizeof err);
    assert_non_null(scn);
    assert_int_equal(scn->new_therapy.stops, 0u);
    itp_scenario_free(scn);
    char path[64];
    test_write_file(TEST_BASE_SCENARIO "new_therapy = { stops = [\"elt\", \"rituximab\"]; };\n",
                    path);
    assert_int_equal(itp_scenario_load(&scn, path, TEST_DEFAULTS, NULL, 0, NULL, err, sizeof err),
                     ITP_EINPUT);
    unlink(path);
    assert_non_null(strstr(err, "new_therapy.stops"));
    assert_non_null(strstr(err, "no component named 'rituximab'"));
}

static void test_failures_are_counted(void **state)
{
    (void)state;
    static const char *const set[] = {"tpo_ra.eltrombopag.remission_prob=0.0", "bcell_antibody.ianalumab.emax=0.0",
                                      "platelet.background_remission_prob=0.0"};
    cohort c;
    const int n = cohort_size();
    cohort_run(&c, SCENARIO, n, set, 3);
    int e = itp_scenario_endpoint(c.scn, "ttf"), ne = c.scn->n_endpoints;
    assert_true(e >= 0);
    itp_outcome *out = calloc((size_t)n * (size_t)ne, sizeof *out);
    assert_non_null(out);
    itp_endpoints_eval(c.scn, &c.rec, NULL, out);
    int stopped = 0, not_failed = 0, unable = 0;
    for (int i = 0; i < n; i++) {
        const itp_patient *pt = &c.rec.patients[i];
        const itp_outcome *o = &out[(size_t)i * (size_t)ne + (size_t)e];
        int unable_day = itp_patient_event(&c.rec, pt, ITP_EV_TAPER_UNABLE, 0);
        if (itp_patient_event(&c.rec, pt, ITP_EV_STOP_NO_RESPONSE, 0) != ITP_NEVER &&
            pt->last_day > 25 * 7) {
            stopped++;
            /* no failure only for a milder disease: every count after
             * week 8 >= 30, no rescue after week 8, no new therapy */
            if (!o->event) {
                const itp_visit *v = visits(&c, pt);
                not_failed++;
                for (int k = 0; k < pt->n_visits; k++)
                    if (v[k].day > 56 && v[k].count < 30.0f)
                        fail_msg("patient %d: count %g on day %d, no treatment failure",
                                 pt->id, (double)v[k].count, v[k].day);
                for (int r = 0; r < pt->n_rescue; r++)
                    assert_true(c.rec.rescue_days[pt->rescue_first + (size_t)r] <= 56);
                assert_int_equal(pt->new_therapy, ITP_NEVER);
            }
        }
        if (unable_day != ITP_NEVER && pt->last_day >= unable_day) {
            unable++;
            assert_true(o->event && o->time <= unable_day);
        }
    }
    print_message("stopped for no response and followed past week 25: %d, of whom %d without "
                  "treatment failure (every count >= 30); unable to taper %d of %d\n", stopped,
                  not_failed, unable, n);
    assert_true(stopped > 0 && unable > 0 && not_failed < stopped / 10);
    free(out);
    cohort_free(&c);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_stopped_only_if_never_responded),
        cmocka_unit_test(test_no_rescue_at_randomisation),
        cmocka_unit_test(test_inclusion_on_observed_count),
        cmocka_unit_test(test_new_therapy_stops_eltrombopag),
        cmocka_unit_test(test_new_therapy_stops_setting),
        cmocka_unit_test(test_failures_are_counted),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
