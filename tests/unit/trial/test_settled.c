/* Stopping a patient once its outcomes are settled (itp_endpoints_settled,
 * used by the replicates of run, samplesize and sweep): every endpoint's
 * outcome, for every patient, is the same as with the whole follow-up
 * simulated, for rules of every family (window rules at their horizon,
 * time-to-event rules once their event is seen, one rule that looks at the
 * whole follow-up), while fewer visits are simulated. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <cmocka.h>
#include "itpsim/endpoint.h"
#include "itpsim/model.h"
#include "itpsim/montecarlo.h"
#include "itpsim/trial.h"
#include "testutil.h"

#define ENDPOINTS                                                                            \
    "endpoints = {\n"                                                                        \
    "  ttf = { type = \"ttf\"; count = { below = 30.0; after_week = 8.0; };\n"               \
    "          rescue = { after_week = 8.0; }; new_therapy = true; taper = { }; death = true; };\n" \
    "  sr6 = { type = \"stable_response\"; threshold = 50.0; fraction = 0.75;\n"             \
    "          from_week = 19.0; to_week = 25.0; rescue_from_week = 8.0; };\n"               \
    "  cr = { type = \"confirmed_response\"; threshold = 50.0; consecutive = 2; to_week = 25.0; };\n" \
    "  ra = { type = \"response_at\"; threshold = 50.0; week = 6.0; };\n"                     \
    "  iwg = { type = \"iwg_response\"; level = \"response\"; to_week = 25.0; };\n"           \
    "  ttr = { type = \"time_to_response\"; threshold = 50.0; consecutive = 2; };\n"          \
    "  sro = { type = \"sustained_remission\"; threshold = 30.0; from_week = 29.0; to_week = 45.0; };\n" \
    "  occ = { type = \"occasions\"; threshold = 50.0; at_least = 2; to_week = 12.0; };\n"       \
    "  cum = { type = \"cumulative_days\"; threshold = 50.0; days = 10; to_week = 12.0;\n"       \
    "          among = \"cr\"; };\n"                                                          \
    "};\n"

/* The outcomes of replicates 0..reps-1 of scn (freed here), simulated
 * whole and stopped when settled, must agree; returns the share of visits
 * the stop spared. */
static double compare_scn(itp_scenario *scn, uint64_t seed, int reps)
{
    itp_sim_ws *ws;
    itp_record whole, part;
    itp_record_init(&whole);
    itp_record_init(&part);
    assert_int_equal(itp_sim_ws_create(&ws, scn), ITP_OK);
    size_t n = (size_t)scn->n_patients * (size_t)scn->n_endpoints, all = 0, kept = 0;
    itp_outcome *a = calloc(n, sizeof *a), *b = calloc(n, sizeof *b);
    assert_non_null(a);
    assert_non_null(b);
    for (int r = 0; r < reps; r++) {
        ws->settled = NULL;
        assert_int_equal(itp_trial_simulate(scn, seed, (uint64_t)r, 0, ws, &whole), ITP_OK);
        ws->settled = itp_endpoints_settled;
        assert_int_equal(itp_trial_simulate(scn, seed, (uint64_t)r, 0, ws, &part), ITP_OK);
        itp_endpoints_eval(scn, &whole, NULL, a);
        itp_endpoints_eval(scn, &part, NULL, b);
        for (size_t k = 0; k < n; k++) {
            int i = (int)(k / (size_t)scn->n_endpoints), e = (int)(k % (size_t)scn->n_endpoints);
            if (a[k].included != b[k].included || a[k].event != b[k].event ||
                a[k].time != b[k].time || a[k].cause != b[k].cause)
                fail_msg("replicate %d patient %d endpoint %s: (%d %d %d %d) whole, (%d %d %d %d) "
                         "stopped on day %d", r, i, scn->endpoints[e].name, a[k].included,
                         a[k].event, a[k].time, a[k].cause, b[k].included, b[k].event, b[k].time,
                         b[k].cause, part.patients[i].last_day);
        }
        all += whole.n_visits;
        kept += part.n_visits;
    }
    free(a);
    free(b);
    itp_record_free(&whole);
    itp_record_free(&part);
    itp_sim_ws_free(ws);
    itp_scenario_free(scn);
    return 1.0 - (double)kept / (double)all;
}

/* The same for a scenario given as text. */
static double compare(const char *text, int reps)
{
    char err[1024];
    itp_scenario *scn = test_load(text, err, sizeof err);
    assert_non_null(scn);
    return compare_scn(scn, 3, reps);
}

/* VAYHIT2 (with settings changed by sets). */
static double vayhit2(const char *const *sets, int n_sets, int reps)
{
    char err[1024];
    itp_scenario *scn = NULL;
    assert_int_equal(itp_scenario_load(&scn, "scenarios/vayhit2.cfg", TEST_DEFAULTS, sets, n_sets,
                                       NULL, err, sizeof err), ITP_OK);
    return compare_scn(scn, 5, reps);
}

static void test_every_rule_family(void **state)
{
    (void)state;
    double saved = compare(TEST_BASE_SCENARIO ENDPOINTS, 20);
    print_message("every rule family: %.1f%% of the visits not simulated\n", 100 * saved);
    assert_true(saved > 0.0);
}

/* VAYHIT2's endpoints (TTF and SR6) on its design. */
static void test_vayhit2(void **state)
{
    (void)state;
    double saved = vayhit2(NULL, 0, 20);
    print_message("VAYHIT2: %.1f%% of the visits not simulated\n", 100 * saved);
    assert_true(saved > 0.0);
}

/* A taper judged by a week of the TTF rule's own (by_week 18, before the
 * component's taper ends at week 24, with weekly steps): a taper completed
 * by week 18 counts only if it does not fail later, so a failure after the
 * TTF event could still move the event earlier. The rule is then judged on
 * the whole follow-up, and the outcomes agree (a count rule at 60 and an
 * SR6 window of weeks 11-15 make such patients common). */
static void test_taper_by_week(void **state)
{
    (void)state;
    static const char *const sets[] = {
        "components.eltrombopag.taper.step_weeks=1", "endpoints.ttf.count.below=60",
        "endpoints.ttf.taper.by_week=18", "endpoints.sr6.from_week=11",
        "endpoints.sr6.to_week=15"};
    double saved = vayhit2(sets, 5, 30);
    print_message("TTF with a taper by week 18: %.1f%% of the visits not simulated\n",
                  100 * saved);
    assert_true(saved == 0.0);   /* the TTF rule never settles early */
}

/* A rule that looks at the whole follow-up (IWG response to week 100)
 * settles nothing early: no visit is saved. */
static void test_whole_follow_up_rule(void **state)
{
    (void)state;
    double saved = compare(TEST_BASE_SCENARIO
                           "endpoints = { iwg = { type = \"iwg_response\"; level = \"response\"; to_week = 100.0; }; };\n",
                           5);
    assert_true(saved == 0.0);
}

/* Replicates stop settled patients with a calendar data cut, and not with
 * an event-driven one (whose day may rest on every patient's follow-up). */
static void test_event_cut_simulates_all(void **state)
{
    (void)state;
    char err[1024];
    const char *base = TEST_BASE_SCENARIO ENDPOINTS;
    const char *line = strstr(base, "followup = {");
    assert_non_null(line);
    const char *rest = strchr(line, '\n') + 1;
    const char *cuts[] = {"followup = { max_months = 24.0; cut_months = 24.0; };\n",
                          "followup = { max_months = 24.0; data_cut = \"events\"; events = 30; };\n"};
    for (int k = 0; k < 2; k++) {
        char text[8192];
        snprintf(text, sizeof text, "%.*s%s%s", (int)(line - base), base, cuts[k], rest);
        itp_scenario *scn = test_load(text, err, sizeof err);
        assert_non_null(scn);
        itp_sim_ws *ws;
        assert_int_equal(itp_sim_ws_create(&ws, scn), ITP_OK);
        itp_mc_stop_settled(scn, ws);
        if (k == 0)
            assert_true(ws->settled == itp_endpoints_settled);
        else
            assert_null(ws->settled);
        itp_sim_ws_free(ws);
        itp_scenario_free(scn);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_every_rule_family),
        cmocka_unit_test(test_vayhit2),
        cmocka_unit_test(test_taper_by_week),
        cmocka_unit_test(test_whole_follow_up_rule),
        cmocka_unit_test(test_event_cut_simulates_all),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
