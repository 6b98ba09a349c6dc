/* The FcRn blocker (component type "fcrn_blocker"):
 *   - a degenerate scenario without noise whose counts follow, by hand,
 *     the closed form of a destruction cut at two levels, and L's day
 *     steps by hand;
 *   - a higher dose, or one more infusion, never lowers IgG less on any
 *     day, nor gives any patient a lower count under the same streams;
 *   - after the last infusion the lowering fades below 1e-3 within the
 *     time its parameters bound, and the hook then sleeps until the next
 *     infusion; calls on the wake days only give the drive of calls on
 *     every day;
 *   - new therapy stops the infusions, and the effect fades as after the
 *     last infusion given;
 *   - the drugs and the settings' checks. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <limits.h>
#include <math.h>
#include <cmocka.h>
#include "itpsim/component.h"
#include "itpsim/model.h"
#include "itpsim/trial.h"
#include "testutil.h"

/* ---- the hook alone --------------------------------------------------------- */

typedef struct hook {
    test_run r;               /* the component "c" of test_run_open */
    double share;             /* destruction_share, to read L off the drive */
} hook;

/* A component `{ type = "fcrn_blocker"; <settings> }` (share: its
 * destruction_share) started for one patient, 24 months. */
static void hook_start(hook *h, const char *settings, double share)
{
    test_run_open(&h->r, "fcrn_blocker", settings, 24.0);
    h->share = share;
}

static void hook_end(hook *h)
{
    itp_scenario_free(h->r.scn);
    itp_record_free(&h->r.rec);
}

/* The hook on `day` as the model calls it (ctx.wake the next day unless it
 * names a later one): the dose returned; the day's IgG lowering, read off
 * the drive's destruction factor 1 - share x L, into *low. */
static double hook_day(hook *h, int day, double *low)
{
    itp_drive d = itp_drive_none();
    h->r.ctx.day = day;
    h->r.ctx.wake = day + 1;
    double dose = h->r.c->type->day(h->r.c->params, &h->r.ctx, h->r.st, &d);
    assert_true(d.n_pk == 0 && d.prod_factor == 1.0);
    *low = (1.0 - d.kdeg_factor) / h->share;
    return dose;
}

static void hook_stop(hook *h, int day)
{
    h->r.ctx.day = day;
    h->r.c->type->stop(h->r.c->params, &h->r.ctx, h->r.st);
}

/* The lowering of every day 0..n-1, the hook called each day (stop_day >=
 * 0: new therapy on that day, before its hook). */
static void daily_course(const char *settings, double share, int n, int stop_day, double *low)
{
    hook h;
    hook_start(&h, settings, share);
    for (int day = 0; day < n; day++) {
        if (day == stop_day)
            hook_stop(&h, day);
        hook_day(&h, day, &low[day]);
    }
    hook_end(&h);
}

/* The days of a patient's events of one kind, in order; returns the count. */
static int event_days(const hook *h, int kind, int *days, int max)
{
    int n = 0;
    for (size_t k = 0; k < h->r.rec.n_events; k++)
        if (h->r.rec.events[k].kind == kind && n < max)
            days[n++] = h->r.rec.events[k].day;
    return n;
}

/* ---- a degenerate trial: the closed form ------------------------------------ */

/* testutil.h's scenario without noise: baseline 20, destruction 0.5/day,
 * production 10/day, weekly visits. */
#define QUIET_SCENARIO TEST_QUIET_SCENARIO

/* IgG falls and returns within a millionth of a day, and the drug stays
 * (half-life 10^4 days), so from each infusion L is at its target:
 * 10 mg/kg on day 0 gives D = 10, L = 0.9 x 10 / (10 + 10) = 0.45 and
 * destruction 0.5 x (1 - 0.8 x 0.45) = 0.32/day,
 *   P(t) = 31.25 - 11.25 e^{-0.32 t}:   day 7: 30.05 -> 30, 14: 31.12 -> 31,
 *                                       21: 31.24 -> 31, 28: 31.25 -> 31;
 * the second on day 28 gives D = 20, L = 0.6, destruction 0.26/day,
 *   P(t) = 38.46 - 7.21 e^{-0.26 (t - 28)}:   day 35: 37.29 -> 37, 42: 38.27 -> 38.
 * The drug's decay over these 6 weeks (0.3%) moves the counts by less
 * than 0.04, and every expected value is at least 0.1 from a rounding
 * boundary (later ones come within 0.1 of 38.5: not checked). */
static double closed_form(double t)
{
    const double kin = 10.0, p0 = 20.0, kdeg = 0.5, emax = 0.9, ed50 = 10.0, share = 0.8;
    double q1 = kdeg * (1.0 - share * emax * 10.0 / (ed50 + 10.0));
    double q2 = kdeg * (1.0 - share * emax * 20.0 / (ed50 + 20.0));
    double p28 = kin / q1 + (p0 - kin / q1) * exp(-q1 * 28.0);
    if (t <= 28.0)
        return kin / q1 + (p0 - kin / q1) * exp(-q1 * t);
    return kin / q2 + (p28 - kin / q2) * exp(-q2 * (t - 28.0));
}

static void test_closed_form(void **state)
{
    (void)state;
    char err[1024];
    itp_scenario *scn = test_load(QUIET_SCENARIO
        "arms = ( { name = \"a\"; treatments = [\"f\"]; } );\n"
        "components = { f = { type = \"fcrn_blocker\"; dose_mg_kg = 10.0;\n"
        "  infusion_weeks = [0, 4]; half_life_days = 1e4; igg_emax = 0.9;\n"
        "  igg_ed50_mg_kg = 10.0; lowering_days = 1e-6; recovery_days = 1e-6;\n"
        "  destruction_share = 0.8; }; };\n",
        err, sizeof err);
    assert_non_null(scn);
    itp_record rec;
    itp_record_init(&rec);
    assert_int_equal(test_simulate(scn, 1, &rec), ITP_OK);
    assert_true(rec.n_patients == 4);
    for (int i = 0; i < rec.n_patients; i++) {
        const itp_patient *p = &rec.patients[i];
        assert_true(p->n_visits >= 7);
        for (int v = 0; v < 7; v++) {
            const itp_visit *vi = &rec.visits[p->visit_first + (size_t)v];
            assert_int_equal(vi->day, 7 * v);
            double want = closed_form(vi->day);
            /* the check is decided by the rounding, not by the drug's
             * slight decay */
            assert_true(fabs(want - floor(want) - 0.5) > 0.1);
            if (i == 0)
                print_message("day %d: count %g (closed form %.3f)\n", vi->day,
                              (double)vi->count, want);
            assert_true((double)vi->count == floor(want + 0.5));
        }
        /* the two infusions, logged with their dose */
        assert_int_equal(itp_patient_event(&rec, p, ITP_EV_INFUSION, 0), 0);
        assert_int_equal(itp_patient_event(&rec, p, ITP_EV_INFUSION, 1), 28);
        assert_int_equal(itp_patient_event(&rec, p, ITP_EV_INFUSION, 29), ITP_NEVER);
    }
    for (size_t k = 0; k < rec.n_events; k++)
        if (rec.events[k].kind == ITP_EV_INFUSION)
            assert_true(rec.events[k].value == 10.0f);
    itp_record_free(&rec);
    itp_scenario_free(scn);
}

/* L day by day, by hand: one infusion whose drug is gone within the day
 * (half-life 0.001 days), so E = 0.8 x 10 / (10 + 10) = 0.4 on day 0
 * only. L rises on day 0 at 1/2 a day and returns from day 1 at 1/10 a
 * day:
 *   day 0:      mean of L = 0.4 (1 - 2 (1 - e^{-1/2})) = 0.0852,
 *               L_1 = 0.4 (1 - e^{-1/2}) = 0.1574,
 *   day 1 + n:  mean of L = L_1 e^{-n/10} x 10 (1 - e^{-1/10}),
 * and the hook sleeps, for good, from the first day L is at most 1e-4
 * (day 75). Then the drug level's decay. */
static void test_lowering_by_hand(void **state)
{
    (void)state;
    hook h;
    hook_start(&h, "dose_mg_kg = 10.0; infusion_weeks = [0]; half_life_days = 0.001;"
                   "igg_emax = 0.8; igg_ed50_mg_kg = 10.0; lowering_days = 2.0;"
                   "recovery_days = 10.0; destruction_share = 0.5;", 0.5);
    const double e0 = 0.4, l1 = e0 * (1.0 - exp(-0.5));
    int sleep_day = 1;
    while (l1 * exp(-(sleep_day - 1) / 10.0) > 1e-4)
        sleep_day++;
    for (int day = 0; day < 120; day++) {
        double l, dose = hook_day(&h, day, &l);
        double want = day == 0 ? e0 * (1.0 - 2.0 * (1.0 - exp(-0.5)))
                               : l1 * exp(-(day - 1) / 10.0) * 10.0 * (1.0 - exp(-0.1));
        assert_true(dose == (day == 0 ? 10.0 : 0.0));
        if (day < sleep_day) {
            assert_true(fabs(l - want) <= 1e-12 * want);
            assert_int_equal(h.r.ctx.wake, day + 1);
        } else {
            assert_true(l == 0.0);
            assert_int_equal(h.r.ctx.wake, ITP_FAR_DAY);
        }
    }
    assert_int_equal(sleep_day, 75);
    hook_end(&h);

    /* With L at its target within a billionth of a day, the lowering is
     * E(D) of the drug level D_d = sum_i 10 x 2^{-(d - t_i) / 3} of the
     * infusions on days 0 and 7, every day until it is negligible (and 10
     * half-lives have passed). */
    hook_start(&h, "dose_mg_kg = 10.0; infusion_weeks = [0, 1]; half_life_days = 3.0;"
                   "igg_emax = 0.8; igg_ed50_mg_kg = 10.0; lowering_days = 1e-9;"
                   "recovery_days = 1e-9; destruction_share = 0.5;", 0.5);
    for (int day = 0; day < 60; day++) {
        double l, d = 0.0;
        hook_day(&h, day, &l);
        for (int t = 0; t <= 7; t += 7)
            if (t <= day)
                d += 10.0 * pow(2.0, -(day - t) / 3.0);
        double want = 0.8 * d / (10.0 + d);
        if (h.r.ctx.wake == day + 1)
            assert_true(fabs(l - want) <= 1e-8);
        else   /* asleep: the lowering negligible, taken as over */
            assert_true(l == 0.0 && want <= 1e-4 && day > 37);
    }
    hook_end(&h);
}

/* ---- monotonicity -------------------------------------------------------- */

#define NDAYS 365

/* With each drug's defaults: 10 mg/kg against 5, and a fifth weekly
 * infusion against four, never give a lower L on any day (and a higher
 * one on some); L stays in [0, igg_emax). */
static void test_monotone_lowering(void **state)
{
    (void)state;
    static const char *const drugs[] = {"efgartigimod", "rozanolixizumab"};
    for (int k = 0; k < 2; k++) {
        char lo[256], hi[256], more[256];
        snprintf(lo, sizeof lo, "drug = \"%s\"; dose_mg_kg = 5.0; infusion_weeks = [0, 1, 2, 3];",
                 drugs[k]);
        snprintf(hi, sizeof hi, "drug = \"%s\"; dose_mg_kg = 10.0; infusion_weeks = [0, 1, 2, 3];",
                 drugs[k]);
        snprintf(more, sizeof more,
                 "drug = \"%s\"; dose_mg_kg = 5.0; infusion_weeks = [0, 1, 2, 3, 4];", drugs[k]);
        double l_lo[NDAYS], l_hi[NDAYS], l_more[NDAYS];
        double share = 0.7;   /* the defaults' destruction_share */
        daily_course(lo, share, NDAYS, -1, l_lo);
        daily_course(hi, share, NDAYS, -1, l_hi);
        daily_course(more, share, NDAYS, -1, l_more);
        int hi_above = 0, more_above = 0;
        double peak = 0.0;
        for (int day = 0; day < NDAYS; day++) {
            assert_true(l_hi[day] >= l_lo[day]);
            assert_true(l_more[day] >= l_lo[day]);
            assert_true(l_lo[day] >= 0.0 && l_hi[day] < 0.8 && l_more[day] < 0.8);
            hi_above += l_hi[day] > l_lo[day];
            more_above += l_more[day] > l_lo[day];
            peak = fmax(peak, l_hi[day]);
        }
        /* the fifth infusion changes nothing before its day */
        for (int day = 0; day < 28; day++)
            assert_true(l_more[day] == l_lo[day]);
        assert_true(hi_above > 30 && more_above > 30);
        print_message("%s: peak IgG lowering %.3f at 4 x 10 mg/kg\n", drugs[k], peak);
        assert_true(peak > 0.3);
    }
}

/* The counts of a trial with the noise and random effects of the defaults
 * (no rescue, new therapy, death or dropout, which would act on low
 * counts and so undo the order): with the same streams, patient by
 * patient and visit by visit, 10 mg/kg never gives a lower count than 5,
 * nor five infusions than four. */
static itp_scenario *noisy_trial(const char *dose_and_weeks)
{
    char text[2048], err[1024];
    snprintf(text, sizeof text,
             "patients = 40;\n"
             "arms = ( { name = \"a\"; treatments = [\"f\"]; } );\n"
             "enrolment = { duration_months = 1.0; };\n"
             "followup = { max_months = 6.0; cut_months = 7.0; };\n"
             "visits = ( { from_week = 0; every_weeks = 1; } );\n"
             "events = { death_per_year = 0.0; dropout_per_year = 0.0; };\n"
             "rescue = { below = 0.0; bleed_max_per_day = 0.0; };\n"
             "new_therapy = { prob = 0.0; };\n"
             "components = { f = { type = \"fcrn_blocker\"; %s }; };\n",
             dose_and_weeks);
    itp_scenario *scn = test_load(text, err, sizeof err);
    assert_non_null(scn);
    return scn;
}

/* Returns the visits where b's count is above a's; fails where it is
 * below. */
static int compare_counts(const itp_record *a, const itp_record *b)
{
    int above = 0;
    assert_int_equal(a->n_patients, b->n_patients);
    for (int i = 0; i < a->n_patients; i++) {
        const itp_patient *pa = &a->patients[i], *pb = &b->patients[i];
        assert_int_equal(pa->n_visits, pb->n_visits);
        for (int v = 0; v < pa->n_visits; v++) {
            const itp_visit *va = &a->visits[pa->visit_first + (size_t)v];
            const itp_visit *vb = &b->visits[pb->visit_first + (size_t)v];
            assert_int_equal(va->day, vb->day);
            assert_true(vb->count >= va->count);
            above += vb->count > va->count;
        }
    }
    return above;
}

static void test_monotone_counts(void **state)
{
    (void)state;
    itp_scenario *lo = noisy_trial("dose_mg_kg = 5.0; infusion_weeks = [0, 1, 2, 3];");
    itp_scenario *hi = noisy_trial("dose_mg_kg = 10.0; infusion_weeks = [0, 1, 2, 3];");
    itp_scenario *more = noisy_trial("dose_mg_kg = 5.0; infusion_weeks = [0, 1, 2, 3, 4];");
    itp_record r_lo, r_hi, r_more;
    itp_record_init(&r_lo);
    itp_record_init(&r_hi);
    itp_record_init(&r_more);
    for (uint64_t seed = 1; seed <= 3; seed++) {
        assert_int_equal(test_simulate(lo, seed, &r_lo), ITP_OK);
        assert_int_equal(test_simulate(hi, seed, &r_hi), ITP_OK);
        assert_int_equal(test_simulate(more, seed, &r_more), ITP_OK);
        int above_hi = compare_counts(&r_lo, &r_hi);
        int above_more = compare_counts(&r_lo, &r_more);
        print_message("seed %d: higher count at %d visits (10 mg/kg), %d (fifth infusion)\n",
                      (int)seed, above_hi, above_more);
        assert_true(above_hi > 40 && above_more > 40);
        /* the baselines are the same draws */
        for (int i = 0; i < r_lo.n_patients; i++)
            assert_true(r_lo.patients[i].baseline == r_hi.patients[i].baseline);
        itp_record_reset(&r_lo, 0);
        itp_record_reset(&r_hi, 0);
        itp_record_reset(&r_more, 0);
    }
    itp_record_free(&r_lo);
    itp_record_free(&r_hi);
    itp_record_free(&r_more);
    itp_scenario_free(lo);
    itp_scenario_free(hi);
    itp_scenario_free(more);
}

/* ---- fading and waking ----------------------------------------------------- */

#define FADE_PARAMS                                                               \
    "dose_mg_kg = 10.0; infusion_weeks = [0, 1, 2, 3, 20]; half_life_days = 2.0;" \
    "igg_emax = 0.8; igg_ed50_mg_kg = 2.0; lowering_days = 1.0;"                  \
    "recovery_days = 5.0; destruction_share = 0.5;"
#define FADE_DAYS 420

/* A bound on L from the day t0 of a last infusion, with D0 the drug level
 * then: D falls by q = e^{-kel} a day, E <= emax D / ed50 = e0 q^n, and
 * while L > E it returns at c = e^{-1/recovery_days} a day, so L and the
 * day's mean of L stay below
 *   U_n = c^n u0 + (1 - c) e0 (c^n - q^n) / (c - q),  u0 = max(emax, e0)
 * (U_{n+1} = c U_n + (1 - c) e0 q^n, and U_n >= e0 q^n). */
static double fade_bound(double d0, int n)
{
    const double emax = 0.8, ed50 = 2.0, hl = 2.0, recovery = 5.0;
    double q = exp(-log(2.0) / hl), c = exp(-1.0 / recovery);
    double e0 = emax * d0 / ed50, u0 = fmax(emax, e0);
    return pow(c, n) * u0 + (1.0 - c) * e0 * (pow(c, n) - pow(q, n)) / (c - q);
}

/* D on day t of the infusions on `days` before or on t (the brief's sum). */
static double drug_level(const int *days, int n, int t)
{
    double d = 0.0;
    for (int i = 0; i < n; i++)
        if (days[i] <= t)
            d += 10.0 * exp(-log(2.0) / 2.0 * (t - days[i]));
    return d;
}

/* The first n with fade_bound below `level`. */
static int bound_days(double d0, double level)
{
    int n = 0;
    while (fade_bound(d0, n) >= level)
        n++;
    return n;
}

static void test_fading_and_wake(void **state)
{
    (void)state;
    static const int inf[5] = {0, 7, 14, 21, 140};
    double low[FADE_DAYS];
    int wake[FADE_DAYS];
    double dose[FADE_DAYS];
    hook a;
    hook_start(&a, FADE_PARAMS, 0.5);
    for (int day = 0; day < FADE_DAYS; day++) {
        dose[day] = hook_day(&a, day, &low[day]);
        wake[day] = a.r.ctx.wake;
    }
    /* each cycle: below the bound from its last infusion, below 1e-3 when
     * the bound is, asleep until the next infusion (or for good) once the
     * bound is below 1e-4 and 10 half-lives have passed */
    for (int cycle = 0; cycle < 2; cycle++) {
        int t0 = cycle ? 140 : 21, next = cycle ? ITP_FAR_DAY : 140;
        int end = cycle ? FADE_DAYS : 140;
        double d0 = drug_level(inf, 5, t0);
        int n3 = bound_days(d0, 1e-3);
        int n4 = bound_days(d0, 1e-4);
        if (n4 < 20)
            n4 = 20;
        assert_true(t0 + n4 < end);   /* the parameters let it fade in time */
        int asleep = -1, below = -1;
        for (int day = t0; day < end; day++) {
            assert_true(low[day] <= fade_bound(d0, day - t0) + 1e-12);
            if (below < 0 && low[day] < 1e-3)
                below = day;
            if (day - t0 >= n3)
                assert_true(low[day] < 1e-3);
            if (asleep < 0 && wake[day] != day + 1)
                asleep = day;
            if (asleep >= 0) {   /* asleep for good: no effect, the next infusion */
                assert_int_equal(wake[day], next);
                assert_true(low[day] == 0.0);
            }
        }
        print_message("cycle %d: last infusion day %d, below 1e-3 by day %d (bound: %d), "
                      "asleep from day %d (bound: %d)\n", cycle, t0, below, t0 + n3, asleep,
                      t0 + n4);
        assert_true(asleep > t0 && asleep <= t0 + n4);
        assert_true(low[asleep - 1] < 1e-3);   /* not before the effect has faded */
    }
    for (int day = 0; day < FADE_DAYS; day++)
        assert_true(dose[day] == (day == 0 || day == 7 || day == 14 || day == 21 ||
                                  day == 140 ? 10.0 : 0.0));

    /* Called only on the days it asks for, and on a few event days it did
     * not ask for (one twice, on an infusion day), the hook gives the same
     * drive every day as when called daily, and the same infusions. */
    static const int extra[] = {7, 60, 77, 100, 139, 300};
    hook b;
    hook_start(&b, FADE_PARAMS, 0.5);
    double held = 0.0;
    int calls = 0;
    for (int day = 0, next_call = 0; day < FADE_DAYS; day++) {
        int event = 0;
        for (size_t k = 0; k < sizeof extra / sizeof extra[0]; k++)
            event |= extra[k] == day;
        if (day == next_call || event) {
            double l;
            double d = hook_day(&b, day, &l);
            assert_true(d == dose[day]);
            if (day == 7) {   /* again the same day: no second infusion */
                assert_true(hook_day(&b, day, &l) == 0.0);
            }
            held = l;
            next_call = b.r.ctx.wake;
            calls++;
        }
        assert_true(held == low[day]);
    }
    assert_true(calls < FADE_DAYS - 100);
    int da[8], db[8];
    int na = event_days(&a, ITP_EV_INFUSION, da, 8), nb = event_days(&b, ITP_EV_INFUSION, db, 8);
    assert_int_equal(na, 5);
    assert_int_equal(nb, 5);
    for (int i = 0; i < na; i++) {
        assert_int_equal(da[i], inf[i]);
        assert_int_equal(db[i], inf[i]);
    }
    hook_end(&a);
    hook_end(&b);
}

/* ---- new therapy ----------------------------------------------------------- */

#define WEEKLY_12 "infusion_weeks = [0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11];"
#define STOP_DRUG "dose_mg_kg = 10.0; "

/* New therapy on day 30 (between the infusions of days 28 and 35), or on
 * day 35 before that day's infusion: no infusion from then on, and the
 * lowering is that of the 5 infusions of days 0-28 alone, day by day;
 * the hook then sleeps for good, not until the next planned infusion. */
static void test_stop(void **state)
{
    (void)state;
    double ref[NDAYS];
    daily_course(STOP_DRUG "infusion_weeks = [0, 1, 2, 3, 4];", 0.7, NDAYS, -1, ref);
    static const int stop_days[2] = {30, 35};
    for (int k = 0; k < 2; k++) {
        hook h;
        hook_start(&h, STOP_DRUG WEEKLY_12, 0.7);
        for (int day = 0; day < NDAYS; day++) {
            if (day == stop_days[k])
                hook_stop(&h, day);
            double l, dose = hook_day(&h, day, &l);
            assert_true(dose == (day <= 28 && day % 7 == 0 ? 10.0 : 0.0));
            assert_true(l == ref[day]);
        }
        int days[16];
        int n = event_days(&h, ITP_EV_INFUSION, days, 16);
        assert_int_equal(n, 5);
        for (int i = 0; i < n; i++)
            assert_int_equal(days[i], 7 * i);
        assert_int_equal(itp_patient_event(&h.r.rec, &h.r.pt, ITP_EV_STOP, 0), stop_days[k]);
        assert_int_equal(h.r.ctx.wake, ITP_FAR_DAY);
        hook_end(&h);
    }
    /* without the stop the twelve infusions are given */
    hook h;
    hook_start(&h, STOP_DRUG WEEKLY_12, 0.7);
    for (int day = 0; day < NDAYS; day++) {
        double l;
        hook_day(&h, day, &l);
    }
    int days[16];
    assert_int_equal(event_days(&h, ITP_EV_INFUSION, days, 16), 12);
    hook_end(&h);
}

/* ---- drugs and settings ------------------------------------------------------ */

static void test_settings(void **state)
{
    (void)state;
    assert_ptr_equal(itp_component_type_find("fcrn_blocker"), &itp_fcrn_blocker_type);
    assert_int_equal(itp_fcrn_blocker_type.mechanisms, 0);
    assert_int_equal(itp_fcrn_blocker_type.pk_terms, 0);

    /* the default drug, and the other one by name, with its own parameters */
    hook e, r;
    hook_start(&e, "dose_mg_kg = 10.0; infusion_weeks = [0];", 0.7);
    hook_start(&r, "drug = \"rozanolixizumab\"; dose_mg_kg = 10.0; infusion_weeks = [0];", 0.7);
    assert_string_equal(e.r.c->drug, "efgartigimod");
    assert_string_equal(r.r.c->drug, "rozanolixizumab");
    double le = 0.0, lr = 0.0;
    for (int day = 0; day <= 10; day++) {
        hook_day(&e, day, &le);
        hook_day(&r, day, &lr);
    }
    assert_true(le > 0.0 && lr > 0.0 && le != lr);
    hook_end(&e);
    hook_end(&r);

    /* refused, naming the setting */
    static const struct {
        const char *settings, *word;
    } bad[] = {
        {"infusion_weeks = [0];", "dose_mg_kg"},
        {"dose_mg_kg = 10.0;", "infusion_weeks"},
        {"dose_mg_kg = 10.0; infusion_weeks = [0]; lowering_days = 5.0; recovery_days = 2.0;",
         "recovery_days >= lowering_days"},
        {"dose_mg_kg = 10.0; infusion_weeks = [0]; igg_emax = 1.0;", "igg_emax"},
        {"dose_mg_kg = 10.0; infusion_weeks = [0]; destruction_share = 1.5;",
         "destruction_share"},
        {"dose_mg_kg = 10.0; infusion_weeks = [0]; half_life_days = 0.0;", "half_life_days"},
        {"dose_mg_kg = 10.0; infusion_weeks = [0]; drug = \"nipocalimab\";", "nipocalimab"},
    };
    for (size_t k = 0; k < sizeof bad / sizeof bad[0]; k++) {
        char text[1024], err[1024] = "";
        snprintf(text, sizeof text,
                 "patients = 10;\n"
                 "arms = ( { name = \"a\"; treatments = [\"f\"]; } );\n"
                 "enrolment = { duration_months = 1.0; };\n"
                 "followup = { max_months = 12.0; cut_months = 12.0; };\n"
                 "visits = ( { from_week = 0; every_weeks = 1; } );\n"
                 "components = { f = { type = \"fcrn_blocker\"; %s }; };\n",
                 bad[k].settings);
        itp_scenario *scn = test_load(text, err, sizeof err);
        assert_null(scn);
        print_message("refused: %s\n", err);
        assert_non_null(strstr(err, bad[k].word));
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_closed_form),
        cmocka_unit_test(test_lowering_by_hand),
        cmocka_unit_test(test_monotone_lowering),
        cmocka_unit_test(test_monotone_counts),
        cmocka_unit_test(test_fading_and_wake),
        cmocka_unit_test(test_stop),
        cmocka_unit_test(test_settings),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
