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
 * VAYHIT2 results (config/vayhit2_fitted.cfg, `make calibration`).
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
    {4126, 576954, 137, 40, 20.789415930650755, 152, 93,
     {0.75542210811504285, 0.79989802235195839, 0.10000000000000003, 0.021538461538461562}, {0.14439959382702949, 0.1991941747109735, 0.15982278459025759, 0.41392304059495583},
     {0.28879918765405899, 0.31964556918051518, 0.31964556918051518, 0.41392304059495583}, {0, 0, 0, 0}},
    {4115, 570001, 134, 46, 20.90960478637572, 152, 87,
     {0.30047271463447689, 0.33480032378970292, 0.44588235294117645, 0.33333333333333331}, {2.1005457483385451e-06, 1.5243776364185206e-05, 4.0870382389332541e-06, 0.00038927541065034979},
     {4.2010914966770901e-06, 1.5243776364185206e-05, 8.1740764778665083e-06, 0.00038927541065034979}, {1, 1, 1, 1}},
    {4354, 604682, 192, 42, 20.754045983527465, 152, 95,
     {0.40864094788749245, 0.35571657796222311, 0.27230769230769225, 0.29230769230769227}, {0.00014146775600956728, 1.5380461740142434e-05, 0.0029322188179423301, 0.0015821511347155388},
     {0.00028293551201913456, 3.0760923480284868e-05, 0.0031643022694310776, 0.0031643022694310776}, {1, 1, 1, 1}},
    {4180, 625477, 189, 42, 20.963695427413615, 152, 78,
     {0.77918756426478597, 0.71157202954520493, 0.10941176470588232, 0.15686274509803921}, {0.18575759380973569, 0.11790968085892234, 0.13666915804415997, 0.056587494530099529},
     {0.23581936171784468, 0.23581936171784468, 0.23581936171784468, 0.23581936171784468}, {0, 0, 0, 0}},
    {4051, 517804, 165, 43, 20.789415930650755, 152, 103,
     {0.9714828379929249, 1.1417168504347466, -0.03999999999999998, -0.11307692307692307}, {0.43920778958633333, 0.69824108916132088, 0.65659549862465383, 0.87880049097333079},
     {0.87841557917266666, 1, 1, 1}, {0, 0, 0, 0}},
    {3943, 456313, 149, 51, 20.90960478637572, 152, 107,
     {0.61329858899831091, 0.60588358211226423, 0.18588235294117644, 0.13725490196078433}, {0.020551056907613774, 0.018177362061305134, 0.028138368410021677, 0.075714515972329186},
     {0.041102113815227548, 0.036354724122610267, 0.056276736820043353, 0.075714515972329186}, {0, 0, 0, 0}},
    {4199, 479032, 213, 49, 20.754045983527465, 152, 115,
     {0.76493615692405559, 0.66489237437747406, 0.032307692307692315, 0.052307692307692277}, {0.089752618617022994, 0.030943906296507485, 0.36431297318682399, 0.28860426890752189},
     {0.17950523723404599, 0.061887812593014971, 0.57720853781504378, 0.57720853781504378}, {0, 0, 0, 0}},
    {4032, 508349, 206, 44, 20.963695427413615, 152, 95,
     {1.2270406943893442, 1.2321866737914409, -0.070588235294117618, -0.078431372549019607}, {0.79558356627694349, 0.80484577468836194, 0.76169587067459843, 0.78691328907651314},
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
