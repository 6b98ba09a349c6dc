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
 * B-cell antibody, new therapy stopping treatment) and their refit.
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
    {4065, 531247, 47, 36, 20.789415930650755, 152, 81,
     {0.5459492952176116, 0.69171080325591316, 0.13999999999999996, 0.03999999999999998}, {0.010804503331553063, 0.076319372829365101, 0.081433074117881726, 0.34375843294639657},
     {0.021609006663106126, 0.1526387456587302, 0.16286614823576345, 0.34375843294639657}, {1, 0, 0, 0}},
    {4016, 535448, 88, 36, 20.90960478637572, 152, 84,
     {0.68790058829432765, 0.71034892417992113, 0.11019607843137258, 0.11764705882352944}, {0.083382572060513235, 0.090536262294503303, 0.13325201945845536, 0.11631035746563335},
     {0.16676514412102647, 0.18107252458900661, 0.23262071493126671, 0.23262071493126671}, {0, 0, 0, 0}},
    {4221, 544409, 149, 51, 20.754045983527465, 152, 92,
     {0.43629335758655308, 0.47438898888198106, 0.29153846153846152, 0.2515384615384616}, {0.0004032386768462083, 0.0013455810099289073, 0.0015514730092366289, 0.0051181563055599138},
     {0.00080647735369241661, 0.0026911620198578146, 0.0031029460184732577, 0.0051181563055599138}, {1, 1, 1, 1}},
    {4161, 514111, 123, 41, 20.963695427413615, 152, 90,
     {0.54845410872542244, 0.38770589939753236, 0.20627450980392159, 0.29411764705882348}, {0.0081844791121685172, 0.00020978624926450899, 0.018197005711775863, 0.0015135162643857771},
     {0.0081844791121685172, 0.00041957249852901798, 0.018197005711775863, 0.0030270325287715541}, {1, 1, 1, 1}},
    {4000, 482676, 66, 44, 20.789415930650755, 152, 96,
     {0.89628937571251821, 1.0514768408868309, -0.020000000000000018, -0.075384615384615383}, {0.29918472133443308, 0.56516788984098887, 0.57925970943910299, 0.77844584740923584},
     {0.59836944266886616, 1, 1, 1}, {0, 0, 0, 0}},
    {4036, 497668, 107, 42, 20.90960478637572, 152, 106,
     {1.2972786106785785, 1.3216548462551094, -0.18980392156862741, -0.039215686274509776}, {0.84749523195908649, 0.86833055430106953, 0.97291134443515226, 0.65327908186803385},
     {1, 1, 1, 1}, {0, 0, 0, 0}},
    {4065, 427604, 178, 57, 20.754045983527465, 152, 115,
     {0.79002472372886401, 0.92179551093406809, 0.031538461538461571, -0.028461538461538427}, {0.14384359596780674, 0.37029441018527476, 0.36523854244149101, 0.62567256777407765},
     {0.28768719193561348, 0.73047708488298202, 0.73047708488298202, 0.73047708488298202}, {0, 0, 0, 0}},
    {4034, 425347, 138, 48, 20.963695427413615, 152, 114,
     {1.0448232168353402, 0.88230863960439998, -0.0337254901960784, 0.058823529411764719}, {0.59209122029265504, 0.31491246373986903, 0.64393999867071949, 0.2667730451673902},
     {0.62982492747973806, 0.62982492747973806, 0.64393999867071949, 0.62982492747973806}, {0, 0, 0, 0}},
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
