/* The treatment interface, driven by two toy treatments in a degenerate
 * scenario without noise (no fluctuation, measurement error, random
 * effects, remission, rescue, new therapy, death or dropout), where every
 * patient's counts can be worked out by hand:
 *   - a component type that is not in the table (defined here) halving
 *     destruction for 14 days from day 0;
 *   - two TPO-RAs with different PK in one arm, whose effects add;
 * and the explicit limits and the stream keys of components. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <math.h>
#include <cmocka.h>
#include "itpsim/component.h"
#include "itpsim/model.h"
#include "itpsim/trial.h"
#include "testutil.h"


/* ---- a toy component: destruction x 0.5 on days 0-13 ---------------------- */

static double cut_day(const void *params, itp_patient_ctx *ctx, void *state, itp_drive *d)
{
    (void)params;
    (void)state;
    if (ctx->day < 14)
        d->kdeg_factor *= 0.5;
    return 0.0;
}

static const itp_component_type toy_cut = {
    .name = "toy_cut",
    .description = "destruction halved for 14 days from day 0",
    .free = free,   /* the placebo's parameters it stands in for */
    .day = cut_day,
};

/* The counts of the first patient at the visits of weeks 0..n-1. */
static void first_counts(const itp_scenario *scn, int n, double *count)
{
    itp_record rec;
    itp_record_init(&rec);
    assert_int_equal(test_simulate(scn, 1, &rec), ITP_OK);
    const itp_patient *p = &rec.patients[0];
    assert_true(p->n_visits >= n);
    for (int v = 0; v < n; v++) {
        const itp_visit *vi = &rec.visits[p->visit_first + (size_t)v];
        assert_int_equal(vi->day, 7 * v);
        count[v] = (double)vi->count;
    }
    itp_record_free(&rec);
}

/* Production stays kin = 20 x 0.5 = 10/day (the transit is at its steady
 * state and unaffected), so with destruction 0.25/day on days 0-13
 *   P(t) = 40 - 20 e^{-t/4}:     day 7: 36.52 -> 37, day 14: 38.79 -> 39,
 * and from day 14 back at 0.5/day
 *   P(t) = 20 + 18.79 e^{-(t - 14)/2}: day 21: 20.57 -> 21, day 28: 20.02 -> 20. */
static void test_destruction_cut(void **state)
{
    (void)state;
    char err[1024];
    itp_scenario *scn = test_load(TEST_QUIET_SCENARIO
        "arms = ( { name = \"a\"; treatments = [\"cut\"]; } );\n"
        "components = { cut = { type = \"placebo\"; infusion_weeks = [0]; }; };\n",
        err, sizeof err);
    assert_non_null(scn);
    double c[5];
    first_counts(scn, 5, c);
    for (int v = 0; v < 5; v++)   /* the placebo: nothing moves */
        assert_true(c[v] == 20.0);
    scn->components[0].type = &toy_cut;
    first_counts(scn, 5, c);
    const double want[5] = {20, 37, 39, 21, 20};
    for (int v = 0; v < 5; v++) {
        print_message("week %d: count %g (expected %g)\n", v, c[v], want[v]);
        assert_true(c[v] == want[v]);
    }
    itp_scenario_free(scn);
}

/* ---- two TPO-RAs in one arm ---------------------------------------------- */

/* A TPO-RA at a fixed dose: no titration, no stop, no remission, every
 * patient alike. */
#define FIXED_TPO(name, cl, volume, slope, dose)                                         \
    name " = { type = \"tpo_ra\"; cl = " #cl "; volume = " #volume "; cl_logsd = 0.0;\n" \
    "  nonresponder_prob = 0.0; slope_median = " #slope "; slope_logsd = 0.0;\n"        \
    "  start_dose_mg = " #dose "; min_dose_mg = 1.0; max_dose_mg = 1000.0;\n"            \
    "  increase_below = 0.0; decrease_from = 10000.0; hold_above = 10000.0;\n"           \
    "  remission_prob = 0.0; };\n"

/* At steady state each concentration is dose / CL and production is
 * multiplied by 1 + sum of slope x dose / CL: with the first drug (CL 16
 * L/day, V 25 L: half-life 26 h; slope 1.3, 50 mg) 1 + 4.0625, with the
 * second (CL 4 L/day, V 100 L: half-life 17 days; slope 0.5, 20 mg) 1 +
 * 2.5, with both 1 + 6.5625: counts 20 x 5.0625 = 101.25 -> 101, 20 x 3.5
 * = 70, 20 x 7.5625 = 151.25 -> 151 after a year (the slower drug within
 * e^-14 of its steady state). */
static void test_two_tpo_ra(void **state)
{
    (void)state;
    char err[1024];
    itp_scenario *scn = test_load(TEST_QUIET_SCENARIO
        "arms = ( { name = \"first\"; treatments = [\"elt\"]; },\n"
        "         { name = \"second\"; treatments = [\"slow\"]; },\n"
        "         { name = \"both\"; treatments = [\"elt\", \"slow\"]; } );\n"
        "allocation = { method = \"permuted_blocks\"; block_size = 3; };\n"
        "components = {\n" FIXED_TPO("elt", 16.0, 25.0, 1.3, 50.0)
        FIXED_TPO("slow", 4.0, 100.0, 0.5, 20.0) "};\n",
        err, sizeof err);
    assert_non_null(scn);
    itp_record rec;
    itp_record_init(&rec);
    assert_int_equal(test_simulate(scn, 1, &rec), ITP_OK);
    const double want[3] = {101, 70, 151};
    int seen[3] = {0, 0, 0};
    for (int i = 0; i < rec.n_patients; i++) {
        const itp_patient *p = &rec.patients[i];
        const itp_visit *last = &rec.visits[p->visit_first + (size_t)p->n_visits - 1];
        assert_true(last->day >= 350);
        print_message("arm %s: count %g on day %d (expected %g)\n", scn->arms[p->arm].name,
                      (double)last->count, last->day, want[p->arm]);
        assert_true((double)last->count == want[p->arm]);
        /* the visits record the arm's first TPO-RA's dose */
        assert_true((double)last->tpo_dose == (p->arm == 1 ? 20.0 : 50.0));
        seen[p->arm] = 1;
    }
    assert_true(seen[0] && seen[1] && seen[2]);
    itp_record_free(&rec);
    itp_scenario_free(scn);
}

/* ---- limits and streams ---------------------------------------------------- */

/* Five TPO-RAs need five concentrations in one arm: more than the drive
 * holds, so the scenario is refused, naming the arm's treatments. */
static void test_limit_refused(void **state)
{
    (void)state;
    char err[1024] = "";
    itp_scenario *scn = test_load(TEST_QUIET_SCENARIO
        "arms = ( { name = \"a\"; treatments = [\"t1\", \"t2\", \"t3\", \"t4\", \"t5\"]; } );\n"
        "components = { t1 = { type = \"tpo_ra\"; }; t2 = { type = \"tpo_ra\"; };\n"
        "  t3 = { type = \"tpo_ra\"; }; t4 = { type = \"tpo_ra\"; }; t5 = { type = \"tpo_ra\"; }; };\n",
        err, sizeof err);
    assert_null(scn);
    assert_non_null(strstr(err, "treatments"));
    assert_non_null(strstr(err, "5 drug concentrations; at most 8 and 4"));
}

/* Streams by the type's name and its place among the arm's components of
 * that type: two of a kind differ, every key is apart from the fixed
 * purposes (top bit), and the key does not depend on the table. */
static void test_stream_keys(void **state)
{
    (void)state;
    uint64_t k0 = itp_component_stream_key(&itp_tpo_ra_type, 0);
    uint64_t k1 = itp_component_stream_key(&itp_tpo_ra_type, 1);
    uint64_t kb = itp_component_stream_key(&itp_bcell_antibody_type, 0);
    uint64_t kt = itp_component_stream_key(&toy_cut, 0);
    assert_true(k0 != k1 && k0 != kb && k0 != kt && kb != kt);
    assert_true(k0 >> 63 && k1 >> 63 && kb >> 63 && kt >> 63);
    itp_component_type renamed = itp_tpo_ra_type;   /* the same name elsewhere */
    assert_true(itp_component_stream_key(&renamed, 0) == k0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_destruction_cut),
        cmocka_unit_test(test_two_tpo_ra),
        cmocka_unit_test(test_limit_refused),
        cmocka_unit_test(test_stream_keys),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
