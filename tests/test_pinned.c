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
 * Runge-Kutta day step (4 steps a day) of src/model_platelet.c; the exact
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
    {4059, 533397, 79, 40, 20.789415930650755, 152, 83,
     {0.52573530875586127, 0.73008177575145472, 0.099999999999999978, 0.020000000000000018}, {0.0089313677542894147, 0.11191637455545045, 0.15943486158627895, 0.42035025958801353},
     {0.017862735508578829, 0.2238327491109009, 0.31886972317255791, 0.42035025958801353}, {1, 0, 0, 0}},
    {4073, 564575, 131, 47, 20.90960478637572, 152, 81,
     {0.6041357573591789, 0.74255937319798149, 0.14941176470588236, 0.11764705882352944}, {0.034196779824700672, 0.11793295010922858, 0.066805695619421485, 0.11812951664427851},
     {0.068393559649401345, 0.13361139123884297, 0.13361139123884297, 0.13361139123884297}, {0, 0, 0, 0}},
    {4215, 546826, 195, 54, 20.754045983527465, 152, 91,
     {0.42734145226212994, 0.52070618573544181, 0.29153846153846152, 0.29153846153846152}, {0.00039904384020318206, 0.0035890885930993451, 0.0015514730092366289, 0.0015514730092366289},
     {0.00079808768040636412, 0.0035890885930993451, 0.0031029460184732577, 0.0035890885930993451}, {1, 1, 1, 1}},
    {4188, 528541, 167, 47, 20.963695427413615, 152, 90,
     {0.50812065562995268, 0.42398725246511149, 0.22549019607843135, 0.33333333333333326}, {0.0030676125813756346, 0.00051625628193618998, 0.010289175767285167, 0.00037125012646380064},
     {0.0030676125813756346, 0.00103251256387238, 0.010289175767285167, 0.00103251256387238}, {1, 1, 1, 1}},
    {4020, 490695, 108, 51, 20.789415930650755, 152, 96,
     {0.86216777642476072, 1.0517029459929736, -0.059999999999999998, -0.11461538461538462}, {0.26212187581940477, 0.57066865683904699, 0.72574688224992645, 0.87820986986157246},
     {0.52424375163880954, 1, 1, 1}, {0, 0, 0, 0}},
    {4078, 525788, 152, 54, 20.90960478637572, 152, 103,
     {1.1831849513460548, 1.4228348656878835, -0.13058823529411762, -0.078431372549019607}, {0.72931255308888165, 0.91322514864786541, 0.90816767585876179, 0.78691328907651314},
     {1, 1, 1, 1}, {0, 0, 0, 0}},
    {4075, 436352, 236, 63, 20.754045983527465, 152, 112,
     {0.7760977543426586, 0.93535406357284612, 0.031538461538461571, 0.011538461538461553}, {0.12699811936709343, 0.39739535727429032, 0.36523854244149101, 0.44938163103845097},
     {0.25399623873418686, 0.73047708488298202, 0.73047708488298202, 0.73047708488298202}, {0, 0, 0, 0}},
    {4051, 433730, 201, 56, 20.963695427413615, 152, 114,
     {1.0340138406371988, 0.93256276632117063, -0.03450980392156866, 0.098039215686274495}, {0.5344460621726983, 0.4006708960342461, 0.65344375171105529, 0.14615893650471398},
     {0.80134179206849221, 0.80134179206849221, 0.80134179206849221, 0.80134179206849221}, {0, 0, 0, 0}},
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
