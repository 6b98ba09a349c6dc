/* Pinned results of the default scenario, so that work on speed cannot
 * change what itpsim computes without anyone noticing.
 *
 * What is pinned: scenarios/vayhit2.cfg with config/defaults.cfg, seed
 * PIN_SEED, replicates 0 to PIN_REPS - 1 of the design and of its null
 * version. Per replicate, from itp_trial_simulate: the number of recorded
 * visits, the sum of all observed counts, rescues and bleeds (integers,
 * compared exactly: a change of the kinetics of a few parts in a million
 * already moves some rounded count); from itp_mc_replicate: the data cut,
 * patients and events, and per hypothesis the estimate, p-value, adjusted
 * p-value and decision (doubles compared to a relative 1e-9, loose enough
 * for a different libm or compiler, far too tight for any change of the
 * model to slip through).
 *
 * How the numbers below were produced: by this program itself, run as
 *     ITPSIM_PIN_PRINT=1 build/tests/test_pinned
 * from the project root (it then prints the table instead of checking it),
 * with the code of the commit that last changed the table; that commit's
 * message names the numerics it was made with. Made with the classical
 * Runge-Kutta day step (4 steps a day) of src/model/platelet.c; the exact
 * day step that replaced it reproduces every value (and 4000 replicates'
 * replicates.csv of `itpsim run` byte for byte). Regenerated once since,
 * when the default scenario took the parameters fitted to the published
 * VAYHIT2 results (config/vayhit2_fitted.cfg, `make calibration`), and
 * again with the clinical rules of the model (inclusion on the observed
 * count, rescue from week 1, the stop for no response only for patients
 * who never responded, remission on eltrombopag, the exposure of the
 * B-cell antibody, new therapy stopping treatment) and their refit; and
 * once more when the components' random streams came to be keyed by the
 * type's name instead of its place in the table (the same model; the
 * figures of every shipped scenario agree within 3 Monte Carlo SE on
 * 20,000 replicates: tests/scripts/compare_mcse.sh), together with the
 * refit of the VAYHIT2 parameters under those streams; and when the days
 * between events came to be advanced together and bleeds drawn by
 * thinning (the same model; a bleed's random numbers differ: the figures
 * agree within 3 Monte Carlo SE on 20,000 replicates).
 *
 * They must be regenerated, deliberately and in a commit that says so, when
 * the model's numerics, its parameters (config/defaults.cfg), the scenario,
 * the random streams or an endpoint or test rule change; never to make a
 * speed change pass. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <cmocka.h>
#include "itpsim/montecarlo.h"
#include "itpsim/trial.h"
#include "testutil.h"

#define PIN_SEED 20250607u
#define PIN_REPS 4
#define PIN_HYP 4

typedef struct pin {
    long visits;          /* visits recorded in the replicate */
    double count_sum;     /* sum of every observed count */
    long rescues, bleeds;
    double cut_month;
    int analysed, events;
    double est[PIN_HYP], p[PIN_HYP], adj[PIN_HYP];
    int rej[PIN_HYP];
} pin;

/* [0..PIN_REPS-1] design, [PIN_REPS..2 PIN_REPS-1] null. */
static const pin pinned[2 * PIN_REPS] = {
    {3937, 480940, 76, 28, 20.789415930650755, 152, 91,
     {0.38083297163239854, 0.70074524232147395, 0.32000000000000001, 0.12230769230769228}, {0.00012210753982381094, 0.086751691303944792, 0.00072000248029745965, 0.10303590016349569},
     {0.00024421507964762188, 0.086751691303944792, 0.0014400049605949193, 0.10303590016349569}, {1, 0, 1, 0}},
    {4154, 585579, 55, 32, 20.90960478637572, 152, 91,
     {0.99783061099167103, 0.71181900496944484, 0.068627450980392135, 0.23529411764705876}, {0.52600142408812611, 0.10616025262032579, 0.24575945431442203, 0.0087478037413311702},
     {0.52600142408812611, 0.21232050524065157, 0.52600142408812611, 0.21232050524065157}, {0, 0, 0, 0}},
    {4158, 519211, 103, 39, 20.754045983527465, 152, 85,
     {0.50412587363077488, 0.45820320088390343, 0.21384615384615391, 0.25384615384615383}, {0.0036755569588428788, 0.0017263329294489489, 0.015420603722122384, 0.00530853337243355},
     {0.0073511139176857575, 0.0034526658588978978, 0.015420603722122384, 0.0106170667448671}, {1, 1, 1, 1}},
    {4232, 589344, 91, 30, 20.963695427413615, 152, 87,
     {0.88418502221880424, 0.566968989995418, 0.0094117647058823417, 0.13725490196078427}, {0.30193714588918119, 0.019766352913182822, 0.46246379528393466, 0.083231748783998735},
     {0.30193714588918119, 0.039532705826365644, 0.46246379528393466, 0.16646349756799747}, {0, 0, 0, 0}},
    {3833, 404413, 81, 33, 20.789415930650755, 152, 107,
     {0.74325603054715628, 1.0788211805799965, 0.099999999999999978, -0.031538461538461571}, {0.11972042853146783, 0.64151612823188042, 0.15140522788107652, 0.63476145755850899},
     {0.23944085706293566, 0.64151612823188042, 0.30281045576215304, 0.64151612823188042}, {0, 0, 0, 0}},
    {4075, 531772, 73, 35, 20.90960478637572, 152, 106,
     {1.1999734082237539, 1.4036997947712184, -0.05137254901960786, -0.058823529411764719}, {0.78375243723224008, 0.92451547218703856, 0.69952626677479968, 0.72670306955914743},
     {1, 1, 1, 1}, {0, 0, 0, 0}},
    {4052, 433435, 124, 41, 20.754045983527465, 152, 107,
     {0.91847078163729567, 0.96368583110835981, 0.013846153846153841, 0.033846153846153859}, {0.32570088090616445, 0.46618197144773449, 0.4421328852429508, 0.36179282245738759},
     {0.65140176181232889, 0.8842657704859016, 0.8842657704859016, 0.8842657704859016}, {0, 0, 0, 0}},
    {4165, 519607, 96, 30, 20.963695427413615, 152, 108,
     {1.2499742594792502, 1.1758757534973918, -0.11058823529411765, -0.098039215686274495}, {0.81193415693218141, 0.75160211266091148, 0.86903335951871985, 0.8407711291778539},
     {1, 1, 1, 1}, {0, 0, 0, 0}},
};

static void compute(const itp_scenario *scn, uint64_t rep, itp_sim_ws *sws, itp_record *rec,
                    itp_mc_ws *mws, pin *out)
{
    itp_rep_result r;
    assert_int_equal(itp_trial_simulate(scn, PIN_SEED, rep, 0, sws, rec), ITP_OK);
    *out = (pin){0};
    out->visits = (long)rec->n_visits;
    for (size_t v = 0; v < rec->n_visits; v++)
        out->count_sum += (double)rec->visits[v].count;
    for (int i = 0; i < rec->n_patients; i++) {
        out->rescues += rec->patients[i].n_rescue;
        out->bleeds += rec->patients[i].n_bleed;
    }
    assert_int_equal(itp_mc_replicate(scn, PIN_SEED, rep, 0, mws, &r), ITP_OK);
    out->cut_month = r.cut_month;
    out->analysed = r.n_analysed;
    out->events = r.events;
    for (int k = 0; k < PIN_HYP; k++) {
        out->est[k] = r.hyp[k].estimate;
        out->p[k] = r.hyp[k].p_value;
        out->adj[k] = r.hyp[k].adj_p;
        out->rej[k] = r.hyp[k].rejected;
    }
}

static void print_pin(const pin *p)
{
    printf("    {%ld, %.17g, %ld, %ld, %.17g, %d, %d,\n     {", p->visits, p->count_sum,
           p->rescues, p->bleeds, p->cut_month, p->analysed, p->events);
    for (int k = 0; k < PIN_HYP; k++)
        printf("%.17g%s", p->est[k], k + 1 < PIN_HYP ? ", " : "}, {");
    for (int k = 0; k < PIN_HYP; k++)
        printf("%.17g%s", p->p[k], k + 1 < PIN_HYP ? ", " : "},\n     {");
    for (int k = 0; k < PIN_HYP; k++)
        printf("%.17g%s", p->adj[k], k + 1 < PIN_HYP ? ", " : "}, {");
    for (int k = 0; k < PIN_HYP; k++)
        printf("%d%s", p->rej[k], k + 1 < PIN_HYP ? ", " : "}},\n");
}

/* Equal, or both NaN, or within a relative 1e-9. */
static int close_enough(double a, double b)
{
    if (isnan(a) || isnan(b))
        return isnan(a) && isnan(b);
    if (isinf(a) || isinf(b))
        return a == b;
    return fabs(a - b) <= 1e-9 * fmax(fabs(a), fabs(b)) + 1e-300;
}

static void check(const pin *got, const pin *want, const char *what, int rep)
{
    int ok = got->visits == want->visits && got->count_sum == want->count_sum &&
             got->rescues == want->rescues && got->bleeds == want->bleeds &&
             close_enough(got->cut_month, want->cut_month) && got->analysed == want->analysed &&
             got->events == want->events;
    for (int k = 0; k < PIN_HYP; k++)
        ok = ok && close_enough(got->est[k], want->est[k]) && close_enough(got->p[k], want->p[k]) &&
             close_enough(got->adj[k], want->adj[k]) && got->rej[k] == want->rej[k];
    if (!ok) {
        print_message("%s replicate %d differs from the pinned values; got:\n", what, rep);
        print_pin(got);
        print_message("pinned:\n");
        print_pin(want);
    }
    assert_true(ok);
}

static void test_vayhit2_pinned(void **state)
{
    (void)state;
    char err[1024];
    itp_scenario *scn = NULL, *null = NULL;
    assert_int_equal(itp_scenario_load(&scn, "scenarios/vayhit2.cfg", TEST_DEFAULTS, NULL, 0,
                                       NULL, err, sizeof err),
                     ITP_OK);
    assert_int_equal(scn->plan.n_hyp, PIN_HYP);
    assert_int_equal(itp_scenario_null(scn, &null), ITP_OK);
    int print = getenv("ITPSIM_PIN_PRINT") != NULL;
    for (int which = 0; which < 2; which++) {
        const itp_scenario *s = which ? null : scn;
        itp_sim_ws *sws;
        itp_mc_ws *mws;
        itp_record rec;
        itp_record_init(&rec);
        assert_int_equal(itp_sim_ws_create(&sws, s), ITP_OK);
        assert_int_equal(itp_mc_ws_create(&mws, s, 0), ITP_OK);
        for (int r = 0; r < PIN_REPS; r++) {
            pin got;
            compute(s, (uint64_t)r, sws, &rec, mws, &got);
            if (print)
                print_pin(&got);
            else
                check(&got, &pinned[which * PIN_REPS + r], which ? "null" : "design", r);
        }
        itp_mc_ws_free(mws);
        itp_sim_ws_free(sws);
        itp_record_free(&rec);
    }
    itp_scenario_free(null);
    itp_scenario_free(scn);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_vayhit2_pinned),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
