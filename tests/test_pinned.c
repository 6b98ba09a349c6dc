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
 * replicates.csv of `itpsim run` byte for byte).
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
    {4103, 595196, 144, 46, 20.789415930650755, 152, 94,
     {0.73618043358203478, 0.94669565876803463, 0.12, -0.020000000000000018}, {0.11821750092073971, 0.43674325728000235, 0.11322239608585898, 0.57964974041198647},
     {0.23643500184147942, 0.43674325728000235, 0.23643500184147942, 0.57964974041198647}, {0, 0, 0, 0}},
    {4070, 546033, 142, 51, 20.90960478637572, 152, 103,
     {0.43284759321115368, 0.3863892842267827, 0.36666666666666664, 0.33333333333333331}, {0.00024990879530480635, 5.1121310235214465e-05, 0.00012217721789960762, 0.00040411828449825169},
     {0.0004998175906096127, 0.00010224262047042893, 0.0004998175906096127, 0.0004998175906096127}, {1, 1, 1, 1}},
    {4348, 614316, 195, 43, 20.754045983527465, 152, 102,
     {0.52917611383956942, 0.41469580961476848, 0.13692307692307698, 0.19692307692307692}, {0.0032859653922560931, 0.00013013155778533121, 0.084401545668319866, 0.02384080063254803},
     {0.0065719307845121862, 0.00026026311557066241, 0.084401545668319866, 0.04768160126509606}, {1, 1, 0, 0}},
    {4130, 619406, 191, 43, 20.963695427413615, 152, 91,
     {0.57901430666723508, 0.54767712236019717, 0.089019607843137283, 0.23529411764705882}, {0.016494699557126572, 0.010079146515278236, 0.18668030500276681, 0.0084870027336328823},
     {0.020158293030556471, 0.020158293030556471, 0.18668030500276681, 0.020158293030556471}, {1, 1, 0, 1}},
    {4069, 566242, 159, 47, 20.789415930650755, 152, 102,
     {0.92710166405934424, 1.1815453236247271, 0.020000000000000018, -0.077692307692307727}, {0.36454427123864291, 0.77343443617585095, 0.42099188289798151, 0.78267193491095477},
     {0.72908854247728583, 0.84198376579596301, 0.84198376579596301, 0.84198376579596301}, {0, 0, 0, 0}},
    {3930, 465363, 153, 57, 20.90960478637572, 152, 120,
     {0.6044748597191314, 0.6864326836542044, 0.1866666666666667, 0.15686274509803921}, {0.014386217142200888, 0.046659869456882719, 0.02954606329655745, 0.054623537367471997},
     {0.028772434284401776, 0.059092126593114899, 0.059092126593114899, 0.059092126593114899}, {0, 0, 0, 0}},
    {4223, 520487, 216, 50, 20.754045983527465, 152, 121,
     {0.81671108810055271, 0.69330107363576354, -0.063076923076923086, 0.036923076923076947}, {0.1777386724104246, 0.05458912638478159, 0.74185366791769447, 0.35435266527691223},
     {0.35547734482084919, 0.10917825276956318, 0.74185366791769447, 0.70870533055382445}, {0, 0, 0, 0}},
    {4053, 546179, 213, 47, 20.963695427413615, 152, 107,
     {0.83454410790713407, 0.91037850156632216, -0.090980392156862766, 0.09803921568627455}, {0.24149750628922106, 0.357217221480159, 0.82285421905204936, 0.16224280464654173},
     {0.48299501257844213, 0.71443444296031799, 0.82285421905204936, 0.71443444296031799}, {0, 0, 0, 0}},
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
