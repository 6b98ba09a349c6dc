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
 * agree within 3 Monte Carlo SE on 20,000 replicates); and when the
 * default scenario took the joint fit to the nine seeded trials
 * (config/joint_fitted.cfg) instead of its own.
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
    {3966, 463302, 75, 29, 20.789415930650755, 152, 92,
     {0.37101177294202153, 0.86190535791641565, 0.34000000000000002, 0.1423076923076923}, {0.00013803193084452109, 0.30862857324274462, 0.00035065935009630418, 0.069603938659321879},
     {0.00027606386168904217, 0.30862857324274462, 0.00070131870019260836, 0.30862857324274462}, {1, 0, 1, 0}},
    {3929, 482612, 48, 29, 20.90960478637572, 152, 82,
     {0.97531660961994981, 0.68895880916817243, -0.0098039215686274161, 0.11764705882352944}, {0.47092910901213247, 0.088815325758408295, 0.53904942313479176, 0.11631035746563335},
     {0.47092910901213247, 0.17763065151681659, 0.53904942313479176, 0.23262071493126671}, {0, 0, 0, 0}},
    {4018, 439393, 113, 36, 20.754045983527465, 152, 85,
     {0.44820721905138783, 0.46011261420470145, 0.25307692307692303, 0.29307692307692307}, {0.00082870151406270695, 0.0014415792887574439, 0.0053061535670396297, 0.0015892375276562614},
     {0.0016574030281254139, 0.0028831585775148877, 0.0053061535670396297, 0.0031784750553125228}, {1, 1, 1, 1}},
    {4076, 502388, 100, 37, 20.963695427413615, 152, 87,
     {0.76977390611209118, 0.41693186202814392, 0.028627450980392155, 0.27450980392156865}, {0.14733160040528401, 0.00075842167208919268, 0.38668351828574821, 0.0026751590143919463},
     {0.14733160040528401, 0.0015168433441783854, 0.38668351828574821, 0.0053503180287838925}, {0, 1, 0, 1}},
    {3831, 374071, 82, 32, 20.789415930650755, 152, 112,
     {0.82507102574165148, 1.4551289623793051, 0.10000000000000003, -0.011538461538461553}, {0.22444741678192684, 0.95463585719270327, 0.14846714303744857, 0.55061836896154903},
     {0.44889483356385368, 0.95463585719270327, 0.44889483356385368, 0.95463585719270327}, {0, 0, 0, 0}},
    {3842, 420036, 63, 32, 20.90960478637572, 152, 100,
     {1.3070801169298683, 1.4253408764534636, -0.10980392156862739, -0.15686274509803916}, {0.8490090175159839, 0.91430856537374572, 0.86484973836638379, 0.94425297509074246},
     {1, 1, 1, 1}, {0, 0, 0, 0}},
    {3900, 344753, 129, 38, 20.754045983527465, 152, 108,
     {0.84931554578440283, 0.85683633748434662, -0.0069230769230769207, 0.073076923076923095}, {0.20611603940567358, 0.26543974316636232, 0.52963296588134368, 0.22255064782921738},
     {0.41223207881134716, 0.53087948633272464, 0.53087948633272464, 0.53087948633272464}, {0, 0, 0, 0}},
    {4006, 435182, 104, 38, 20.963695427413615, 152, 114,
     {1.1687886195480444, 1.1297446870557097, -0.11137254901960786, -0.019607843137254943}, {0.73284333158169845, 0.69501155581247964, 0.87481263227572748, 0.57907451839872093},
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
