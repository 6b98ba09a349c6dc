/* The platelet model: exact answers in degenerate cases, the exact day
 * step (and the Runge-Kutta reference) against a high-accuracy GSL
 * solution, and the distribution of patient draws against the defaults' values
 * (tolerance 5 Monte Carlo SE). */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <math.h>
#include <cmocka.h>
#include <gsl/gsl_cdf.h>
#include <gsl/gsl_errno.h>
#include <gsl/gsl_odeiv2.h>
#include <gsl/gsl_randist.h>
#include "itpsim/model.h"
#include "itpsim/rng.h"
#include "itpsim/trial.h"
#include "testutil.h"

static const itp_kinetics K = {15.0 / 1.5, 1.0 / 1.5, 110.0 / 8.5, 1.0 / 8.5, 4.0 / 7.1, 0.1};

/* A drive with one TPO-RA concentration c0 at a daily dose (volume 25 L,
 * clearance 16 L/day, slope 1.3 per mg/L); no dose and no concentration:
 * the empty drive. */
static itp_drive dose_drive(double dose_mg, double c0)
{
    itp_drive d = itp_drive_none();
    if (dose_mg > 0.0 || c0 > 0.0) {
        itp_pk_term t = {c0, dose_mg / 25.0, 16.0 / 25.0, 1.3};
        itp_drive_add_pk(&d, &t);
    }
    return d;
}

/* One day of the model's step (the exact one); the concentrations move
 * to the day's end as their components move them. */
static void day_step(const itp_kinetics *k, itp_drive *d, int rem, itp_kin_prop *c, double *y)
{
    itp_kinetics_advance(k, d, rem, 4, c, y);
    for (int i = 0; i < d->n_pk; i++)
        d->pk[i].c0 = itp_pk_term_end(&d->pk[i]);
}

static void test_no_drug_stays_at_baseline(void **state)
{
    (void)state;
    itp_drive none = dose_drive(0.0, 0.0);
    double y[ITP_NSTATE];
    itp_kin_prop c;
    itp_kinetics_prop_init(&c, &K);
    itp_kinetics_steady(&K, &none, y);
    assert_true(fabs(y[ITP_S_P] - 15.0) < 1e-12);
    for (int d = 0; d < 400; d++)
        day_step(&K, &none, 0, &c, y);
    assert_true(fabs(y[ITP_S_P] - 15.0) < 1e-12);
}

/* Constant dose: P_ss = B0 (1 + SLP dose / CL), C_ss = dose / CL. */
static void test_fixed_dose_reaches_analytic_steady_state(void **state)
{
    (void)state;
    itp_drive none = dose_drive(0.0, 0.0), d = dose_drive(50.0, 0.0);
    double y[ITP_NSTATE];
    itp_kin_prop c;
    itp_kinetics_prop_init(&c, &K);
    itp_kinetics_steady(&K, &none, y);
    for (int day = 0; day < 400; day++)
        day_step(&K, &d, 0, &c, y);
    double css = 50.0 / 16.0, pss = 15.0 * (1.0 + 1.3 * css);
    assert_true(fabs(d.pk[0].c0 - css) / css < 1e-12);
    assert_true(fabs(y[ITP_S_P] - pss) / pss < 1e-10);
}

/* Remission for long: P -> P_rem (1 + E) with kdeg = 1/8.5. */
static void test_remission_steady_state(void **state)
{
    (void)state;
    itp_drive none = dose_drive(0.0, 0.0);
    double y[ITP_NSTATE];
    itp_kin_prop c;
    itp_kinetics_prop_init(&c, &K);
    itp_kinetics_steady(&K, &none, y);
    for (int day = 0; day < 800; day++)
        day_step(&K, &none, 1, &c, y);
    assert_true(fabs(y[ITP_S_P] - 110.0) / 110.0 < 1e-9);
    assert_true(y[ITP_S_R] == 1.0); /* the transient ended within 1e-10 */
}

/* ---- the day step against GSL's rk8pd at tolerance 1e-13 ---------------- */

typedef struct ref_ctx {
    const itp_kinetics *k;
    double rate, kel, slope, kdeg_factor, prod_factor;  /* the day's drive */
    int rem;
} ref_ctx;

/* The reference: the model's ODE written out on its own, the TPO-RA
 * concentration C (the last state) integrated with the rest. */
enum { REF_C = ITP_NSTATE, REF_N };

static int ref_rhs(double t, const double y[], double dydt[], void *params)
{
    const ref_ctx *c = params;
    const itp_kinetics *k = c->k;
    double r = y[ITP_S_R];
    double kin = k->kin_a + r * (k->kin_r - k->kin_a);
    double kdeg = (k->kdeg_a + r * (k->kdeg_r - k->kdeg_a)) * c->kdeg_factor;
    (void)t;
    dydt[REF_C] = c->rate - c->kel * y[REF_C];
    dydt[ITP_S_T1] = kin * (1.0 + c->slope * y[REF_C]) * c->prod_factor - k->ktr * y[ITP_S_T1];
    dydt[ITP_S_T2] = k->ktr * (y[ITP_S_T1] - y[ITP_S_T2]);
    dydt[ITP_S_T3] = k->ktr * (y[ITP_S_T2] - y[ITP_S_T3]);
    dydt[ITP_S_T4] = k->ktr * (y[ITP_S_T3] - y[ITP_S_T4]);
    dydt[ITP_S_P] = k->ktr * y[ITP_S_T4] - kdeg * y[ITP_S_P];
    dydt[ITP_S_R] = c->rem ? k->krem * (1.0 - r) : -k->krem * r;
    return GSL_SUCCESS;
}

/* A course: dose 50, then 75, off from day 120, 25 from day 200; rescue
 * (kdeg x 0.3) for 14 days from day `rescue`; new therapy (production x 3)
 * on days 150-169; remission on days [on, off). */
typedef struct course {
    double cl, slope;      /* the patient's TPO-RA clearance (L/day) and slope */
    int rescue, on, off;
} course;

/* The day's drive, the TPO-RA at concentration c0 at its start. */
static void script(const course *cs, int day, double c0, itp_drive *d, int *rem)
{
    double dose = day < 60 ? 50.0 : day < 120 ? 75.0 : day < 200 ? 0.0 : 25.0;
    itp_pk_term t = {c0, dose / 25.0, cs->cl / 25.0, cs->slope};
    *d = itp_drive_none();
    itp_drive_add_pk(d, &t);
    if (day >= cs->rescue && day < cs->rescue + 14)
        d->kdeg_factor = 0.3;
    if (day >= 150 && day < 170)
        d->prod_factor = 3.0;
    *rem = day >= cs->on && day < cs->off;
}

/* The largest relative error of P (and of the transit compartments and C,
 * and the absolute error of R) over 300 days against rk8pd at 1e-13:
 * steps_per_day > 0 for that many Runge-Kutta steps, 0 for the exact step. */
static double max_rel_error(const itp_kinetics *k, const course *cs, int steps_per_day)
{
    itp_drive d;
    int rem;
    double y[ITP_NSTATE], z[REF_N], worst = 0.0, conc = 0.0;
    itp_kin_prop c;
    itp_kinetics_prop_init(&c, k);
    itp_drive none = itp_drive_none();
    itp_kinetics_steady(k, &none, y);
    memcpy(z, y, sizeof y);
    z[REF_C] = 0.0;
    ref_ctx rc = {k, 0.0, 0.0, 0.0, 1.0, 1.0, 0};
    gsl_odeiv2_system sys = {ref_rhs, NULL, REF_N, &rc};
    gsl_odeiv2_driver *drv = gsl_odeiv2_driver_alloc_y_new(&sys, gsl_odeiv2_step_rk8pd,
                                                           1e-3, 1e-13, 1e-13);
    for (int day = 0; day < 300; day++) {
        script(cs, day, conc, &d, &rem);
        rc = (ref_ctx){k, d.pk[0].rate, d.pk[0].k, d.pk[0].slope, d.kdeg_factor,
                       d.prod_factor, rem};
        if (steps_per_day > 0)
            itp_kinetics_day(k, &d, rem, steps_per_day, y);
        else
            itp_kinetics_advance(k, &d, rem, 4, &c, y);
        conc = itp_pk_term_end(&d.pk[0]);
        double t = day;
        gsl_odeiv2_driver_reset(drv);
        assert_int_equal(gsl_odeiv2_driver_apply(drv, &t, day + 1.0, z), GSL_SUCCESS);
        for (int i = 0; i < REF_N; i++) {
            double v = i == REF_C ? conc : y[i];
            double e = i == ITP_S_R ? fabs(v - z[i])
                     : i == REF_C && z[i] < 1e-6 ? 0.0 : fabs(v - z[i]) / z[i];
            if (e > worst)
                worst = e;
        }
    }
    gsl_odeiv2_driver_free(drv);
    return worst;
}

static const course SCRIPT = {16.0, 1.3, 30, 40, 150};

static void test_exact_step_matches_reference(void **state)
{
    (void)state;
    double e = max_rel_error(&K, &SCRIPT, 0), e4 = max_rel_error(&K, &SCRIPT, 4),
           e1 = max_rel_error(&K, &SCRIPT, 1);
    print_message("max relative error: exact step %.2e, Runge-Kutta 4 steps/day %.2e, "
                  "1 step/day %.2e\n", e, e4, e1);
    /* The step is exact but for the quadrature of the remission transient's
     * destruction (error below 1e-9 at these rates) and rounding; rk8pd at
     * 1e-13 is itself good to about 1e-11 here. 1e-8 relative is 1e-6 at a
     * count of 100, a hundred thousand times below the rounding of a
     * reported count. */
    assert_true(e < 1e-8);
    /* The comparison has power to see step errors of the size the
     * Runge-Kutta reference makes. */
    assert_true(e4 > 100 * e && e1 > e4);
    /* The Runge-Kutta step (the fallback) keeps its own bound. */
    assert_true(e4 < 1e-4);
}

/* Many patients, stiff ones included (active lifespans down to a few hours,
 * one with destruction 10/day), random remission rates, windows and
 * rescues: the exact step stays within 1e-6 (1e-4 at 10/day) where 4
 * Runge-Kutta steps a day err by percent. */
static void test_exact_step_random_patients(void **state)
{
    (void)state;
    gsl_rng *r = gsl_rng_alloc(itp_rng_xoshiro256pp);
    double worst = 0.0, worst4 = 0.0, stiffest = 0.0;
    for (int i = 0; i < 60; i++) {
        itp_rng_stream(r, 11, 0, (uint64_t)i, 1);
        double b0 = 15.0 * exp(0.5 * gsl_ran_gaussian_ziggurat(r, 1.0));
        double lsa = 1.5 * exp(0.7 * gsl_ran_gaussian_ziggurat(r, 1.0));
        double prem = 110.0 * exp(0.5 * gsl_ran_gaussian_ziggurat(r, 1.0));
        double mtt = 7.1 * exp(0.3 * gsl_ran_gaussian_ziggurat(r, 1.0));
        double krem = i % 3 ? 0.1 * exp(gsl_ran_gaussian_ziggurat(r, 1.0)) : 0.1;
        itp_kinetics k = {b0 / lsa, 1.0 / lsa, prem / 8.5, 1.0 / 8.5, 4.0 / mtt, krem};
        course cs = {16.0 * exp(0.5 * gsl_ran_gaussian_ziggurat(r, 1.0)),
                     i % 5 ? 1.3 * exp(0.8 * gsl_ran_gaussian_ziggurat(r, 1.0)) : 0.0,
                     (int)(200 * gsl_rng_uniform(r)), 0, 0};
        cs.on = (int)(100 * gsl_rng_uniform(r));
        cs.off = cs.on + (int)(200 * gsl_rng_uniform(r));
        if (i == 0) /* the stiffest: destruction 10/day */
            k.kdeg_a = 10.0, k.kin_a = 150.0;
        double e = max_rel_error(&k, &cs, 0);
        if (i == 0)
            stiffest = e;
        else if (e > worst)
            worst = e;
        if (i < 20) {
            double e4 = max_rel_error(&k, &cs, 4);
            if (e4 > worst4)
                worst4 = e4;
        }
    }
    print_message("random patients: exact step %.2e (destruction 10/day: %.2e), "
                  "Runge-Kutta 4 steps/day %.2e\n", worst, stiffest, worst4);
    assert_true(worst < 1e-6);
    /* At 10/day (an active platelet lifespan of 2.4 hours, 5 SD below the
     * median) the quadrature's error grows as the rate to the 12th power;
     * it stays far inside the 1e-4 of the rounding argument above. */
    assert_true(stiffest < 1e-4);
    gsl_rng_free(r);
}

/* Stretches of days taken together (itp_kinetics_advance_days: the map
 * over 2^j days, and in a remission transient the series in its
 * destruction rate) against the same days one at a time, on random
 * patients and courses: stretches of 1 to 700 days, remissions starting
 * and ending (strong transients stepped by day, then the series; a
 * quarter of the patients with fast remission rates, up to about 2/day,
 * whose series rows grow fastest over long stretches), rescues and new
 * therapy changing the factors, doses changing. The day step is itself
 * exact to 1e-9 (above); the two agree to 1e-9 (measured about 3e-10),
 * the stretches' own error (series cut at 1e-13, rounding of the
 * squarings) being far below. */
static void test_stretches_match_days(void **state)
{
    (void)state;
    gsl_rng *r = gsl_rng_alloc(itp_rng_xoshiro256pp);
    double worst = 0.0, worst_r = 0.0;
    long together = 0, transient = 0;
    for (int i = 0; i < 40; i++) {
        itp_rng_stream(r, 12, 0, (uint64_t)i, 1);
        double lsa = 2.4 * exp(0.5 * gsl_ran_gaussian_ziggurat(r, 1.0));
        double b0 = 15.0 * exp(0.5 * gsl_ran_gaussian_ziggurat(r, 1.0));
        /* one in four remits and relapses fast (up to about 2/day): its
         * maps' rows grow fastest over long stretches */
        double krem = (i % 4 == 3 ? 1.0 : 0.1) * exp(0.5 * gsl_ran_gaussian_ziggurat(r, 1.0));
        itp_kinetics k = {b0 / lsa, 1.0 / lsa, 110.0 / 8.5, 1.0 / 8.5, 4.0 / 7.1, krem};
        double cl = 16.0 * exp(0.3 * gsl_ran_gaussian_ziggurat(r, 1.0));
        double y[ITP_NSTATE], z[ITP_NSTATE];
        itp_drive none = itp_drive_none();
        itp_kinetics_steady(&k, &none, y);
        memcpy(z, y, sizeof y);
        itp_kin_prop ca, cb;
        itp_kinetics_prop_init(&ca, &k);
        itp_kinetics_prop_init(&cb, &k);
        double conc = 0.0;
        int rem = 0;
        for (int st = 0; st < 30; st++) {
            int n = 1 + (int)(gsl_rng_uniform(r) * (st % 4 ? 40 : 700));
            if (gsl_rng_uniform(r) < 0.25)
                rem = !rem;
            double dose = (int)(4 * gsl_rng_uniform(r)) * 25.0;
            itp_drive da = itp_drive_none();
            if (i % 4) {
                itp_pk_term t = {conc, dose / 25.0, cl / 25.0, 1.3};
                itp_drive_add_pk(&da, &t);
            }
            if (gsl_rng_uniform(r) < 0.2)
                da.kdeg_factor = 0.3;
            if (gsl_rng_uniform(r) < 0.1)
                da.prod_factor = 1.5;
            itp_drive db = da;
            together += n > 1;
            transient += y[ITP_S_R] != (rem ? 1.0 : 0.0);
            itp_kinetics_advance_days(&k, &da, rem, n, 4, &ca, y);
            for (int d = 0; d < n; d++)
                day_step(&k, &db, rem, &cb, z);
            if (da.n_pk) {
                /* the component's own formula over the stretch */
                itp_pk_day pd;
                itp_pk_day_init(&pd, da.pk[0].k);
                double after = itp_pk_after(&pd, da.pk[0].c0, da.pk[0].rate, n);
                assert_true(fabs(after - db.pk[0].c0) <= 1e-12 * (1.0 + db.pk[0].c0));
                conc = db.pk[0].c0;
            }
            for (int j = 0; j < ITP_S_R; j++) {
                double e = fabs(y[j] - z[j]) / z[j];
                if (e > worst)
                    worst = e;
            }
            if (fabs(y[ITP_S_R] - z[ITP_S_R]) > worst_r)
                worst_r = fabs(y[ITP_S_R] - z[ITP_S_R]);
            memcpy(y, z, sizeof y);   /* the next stretch from the same state */
        }
    }
    print_message("stretches against days: relative %.2e, remission %.2e (%ld stretches, "
                  "%ld in a transient)\n", worst, worst_r, together, transient);
    assert_true(transient > 100);
    assert_true(worst < 1e-9);
    /* a transient below 1e-10 is ended, by day or within a stretch */
    assert_true(worst_r <= 1e-10);
    gsl_rng_free(r);
}

/* Two concentrations at once (two TPO-RAs with different PK, doses
 * changing, a rescue, new therapy and a remission with its transients):
 * the exact step's superposition against 256 Runge-Kutta steps a day,
 * which evaluate the drive's concentrations directly at each stage
 * (relative error of that reference about 1e-10 at these rates). */
static void test_two_concentrations(void **state)
{
    (void)state;
    double y[ITP_NSTATE], z[ITP_NSTATE], worst = 0.0;
    itp_pk_term a = {0.0, 0.0, 0.64, 1.3}, b = {0.0, 0.0, 0.04, 0.5};
    itp_kin_prop c;
    itp_drive none = itp_drive_none();
    itp_kinetics_prop_init(&c, &K);
    itp_kinetics_steady(&K, &none, y);
    memcpy(z, y, sizeof y);
    for (int day = 0; day < 300; day++) {
        itp_drive d = itp_drive_none();
        a.rate = (day < 60 ? 50.0 : day < 120 ? 75.0 : day < 200 ? 0.0 : 25.0) / 25.0;
        b.rate = (day >= 30 && day < 250 ? 20.0 : 0.0) / 100.0;
        itp_drive_add_pk(&d, &a);
        itp_drive_add_pk(&d, &b);
        if (day >= 90 && day < 104)
            d.kdeg_factor = 0.3;
        if (day >= 150 && day < 170)
            d.prod_factor = 3.0;
        int rem = day >= 40 && day < 150;
        itp_kinetics_advance(&K, &d, rem, 4, &c, y);
        itp_kinetics_day(&K, &d, rem, 256, z);
        a.c0 = itp_pk_term_end(&a);
        b.c0 = itp_pk_term_end(&b);
        for (int i = 0; i < ITP_NSTATE; i++) {
            double e = i == ITP_S_R ? fabs(y[i] - z[i]) : fabs(y[i] - z[i]) / z[i];
            if (e > worst)
                worst = e;
        }
    }
    print_message("two concentrations: exact step against Runge-Kutta 256/day %.2e\n", worst);
    assert_true(worst < 1e-9);
}

/* More destruction rates than the cache holds (6 rescue factors in turn,
 * with and without remission): the cache replaces its oldest entry, and
 * every day is bit for bit the step of a fresh cache. */
static void test_cache_overflow_changes_nothing(void **state)
{
    (void)state;
    static const double factor[6] = {1.0, 0.3, 0.5, 0.7, 0.9, 0.2};
    double y[ITP_NSTATE], z[ITP_NSTATE];
    itp_kin_prop c, fresh;
    itp_drive none = itp_drive_none();
    itp_kinetics_prop_init(&c, &K);
    itp_kinetics_steady(&K, &none, y);
    memcpy(z, y, sizeof y);
    assert_true(6 > ITP_KIN_QCACHE);
    for (int day = 0; day < 200; day++) {
        itp_drive d = dose_drive(50.0, 0.0);
        d.kdeg_factor = factor[day % 6];
        int rem = (day / 25) % 2;
        itp_kinetics_advance(&K, &d, rem, 4, &c, y);
        itp_kinetics_prop_init(&fresh, &K);
        itp_kinetics_advance(&K, &d, rem, 4, &fresh, z);
        assert_memory_equal(y, z, sizeof y);
    }
}

/* A TPO-RA input without elimination has no closed form in exponentials:
 * the step falls back to Runge-Kutta, and the component's concentration
 * grows linearly (input 2 mg/L a day from 0: 20 after 10 days). */
static void test_fallback_without_elimination(void **state)
{
    (void)state;
    itp_drive d = itp_drive_none(), none = itp_drive_none();
    itp_pk_term t = {0.0, 2.0, 0.0, 0.0};
    double y[ITP_NSTATE];
    itp_kin_prop c;
    itp_kinetics_prop_init(&c, &K);
    itp_kinetics_steady(&K, &none, y);
    for (int day = 0; day < 10; day++) {
        d = itp_drive_none();
        itp_drive_add_pk(&d, &t);
        itp_kinetics_advance(&K, &d, 0, 4, &c, y);
        t.c0 = itp_pk_term_end(&t);
    }
    assert_true(fabs(t.c0 - 20.0) < 1e-12);
    assert_true(fabs(y[ITP_S_P] - 15.0) < 1e-9); /* slope 0: P untouched */
}

/* ---- whole patients --------------------------------------------------------- */

/* No noise, no remission, no events, no drug: every count is the baseline. */
static void test_patient_without_drug_or_noise(void **state)
{
    (void)state;
    char err[1024];
    itp_scenario *scn = test_load(
        "patients = 40;\n"
        "arms = ( { name = \"pbo\"; treatments = [\"pbo\"]; } );\n"
        "enrolment = { duration_months = 3.0; };\n"
        "followup = { max_months = 12.0; cut_months = 12.0; };\n"
        "visits = ( { from_week = 0; every_weeks = 1; } );\n"
        "components = { pbo = { type = \"placebo\"; infusion_weeks = [0]; }; };\n"
        "platelet = { fluctuation_sd = 0.0; measurement_sd = 0.0; background_remission_prob = 0.0; };\n"
        "events = { death_per_year = 0.0; dropout_per_year = 0.0; };\n"
        "rescue = { below = 0.0; bleed_max_per_day = 0.0; };\n"
        "new_therapy = { prob = 0.0; };\n",
        err, sizeof err);
    assert_non_null(scn);
    itp_record rec;
    itp_record_init(&rec);
    assert_int_equal(test_simulate(scn, 1, &rec), ITP_OK);
    for (int i = 0; i < rec.n_patients; i++) {
        const itp_patient *p = &rec.patients[i];
        assert_true(p->baseline <= 30.0); /* a rounded count */
        assert_int_equal(p->n_visits, p->followup_days / 7 + 1);
        for (int v = 0; v < p->n_visits; v++)
            assert_true((double)rec.visits[p->visit_first + (size_t)v].count == p->baseline);
        assert_int_equal(p->n_rescue, 0);
        assert_int_equal(p->last_day, p->followup_days);
    }
    itp_record_free(&rec);
    itp_scenario_free(scn);
}

/* Draws of the TPO-RA and B-cell components over many patients: the
 * share of drug non-responders, of remissions on the TPO-RA (drug
 * responders only) and of B-cell remissions (exposure 4 x 9 mg/kg), each
 * within 5 Monte Carlo SE. */
static void test_component_draws(void **state)
{
    (void)state;
    char err[1024];
    itp_scenario *scn = test_load(TEST_BASE_SCENARIO
                                  "tpo_ra = { eltrombopag = { remission_prob = 0.4; }; };\n"
                                  "bcell_antibody = { ianalumab = { emax = 0.45;"
                                  " ed50_total_mg_kg = 5.4; hill = 1.0; }; };\n", err, sizeof err);
    assert_non_null(scn);
    const itp_component *elt = &scn->components[0], *ab = &scn->components[1];
    assert_string_equal(elt->type->name, "tpo_ra");
    assert_string_equal(ab->type->name, "bcell_antibody");
    gsl_rng *r = gsl_rng_alloc(itp_rng_xoshiro256pp);
    unsigned char st[512];
    itp_patient pt;
    const int n = 40000;
    int nonresp = 0, remit = 0, tpo_remit = 0, nonresp_remit = 0;
    itp_record rec;
    itp_record_init(&rec);
    for (int i = 0; i < n; i++) {
        itp_patient_ctx ctx = {.pt = &pt, .rec = &rec, .max_day = scn->max_followup_days};
        itp_drive d = itp_drive_none();
        memset(st, 0, sizeof st);
        itp_patient_clear_events(&pt);
        itp_rng_stream(r, 9, 0, (uint64_t)i, itp_component_stream_key(elt->type, 0));
        elt->type->start(elt->params, &ctx, r, st);
        double dose = elt->type->day(elt->params, &ctx, st, &d);
        assert_int_equal(d.n_pk, 1);
        nonresp += d.pk[0].slope == 0.0;
        tpo_remit += ctx.n_mech;
        nonresp_remit += ctx.n_mech && d.pk[0].slope == 0.0;
        if (ctx.n_mech)
            assert_true(ctx.mech[0].onset >= 14 && ctx.mech[0].onset <= 56);
        assert_true(dose == 50.0);
        ctx.n_mech = 0;
        itp_rng_stream(r, 9, 0, (uint64_t)i, itp_component_stream_key(ab->type, 0));
        ab->type->start(ab->params, &ctx, r, st);
        remit += ctx.n_mech;
        if (ctx.n_mech) {
            assert_true(ctx.mech[0].onset >= 21 && ctx.mech[0].onset <= 70);
            assert_true(ctx.mech[0].end > 84);
        }
    }
    double p_nr = 0.19, p_rem = 0.45 * 36.0 / (5.4 + 36.0), p_tpo = 0.4 * (1.0 - p_nr);
    assert_true(fabs((double)nonresp / n - p_nr) < 5 * sqrt(p_nr * (1 - p_nr) / n));
    assert_true(fabs((double)remit / n - p_rem) < 5 * sqrt(p_rem * (1 - p_rem) / n));
    assert_true(fabs((double)tpo_remit / n - p_tpo) < 5 * sqrt(p_tpo * (1 - p_tpo) / n));
    assert_int_equal(nonresp_remit, 0);
    itp_record_free(&rec);
    gsl_rng_free(r);
    itp_scenario_free(scn);
}

/* Inclusion on the measured count: the draw gives the observed day-0
 * count, a whole number below 30 for every patient. Without fluctuation
 * and measurement error it is the true count rounded, log-normal(median
 * 15, log-SD 0.5) truncated to a rounded count below 30; the share with a
 * count of at most 14 (true count below 14.5) matches it within 5 Monte
 * Carlo SE. With them, counts of 30 or more are still never enrolled. */
static void test_baseline_distribution(void **state)
{
    (void)state;
    char err[1024];
    unsigned char pt[256];
    gsl_rng *r = gsl_rng_alloc(itp_rng_xoshiro256pp);
    const int n = 40000;
    for (int noise = 0; noise < 2; noise++) {
        itp_scenario *scn = test_load(noise ? TEST_BASE_SCENARIO
                                            : TEST_BASE_SCENARIO "platelet = { fluctuation_sd = 0.0;"
                                                                 " measurement_sd = 0.0; };\n",
                                      err, sizeof err);
        assert_non_null(scn);
        double f_hi = gsl_cdf_ugaussian_P(log(29.5 / 15.0) / 0.5);
        double p14 = gsl_cdf_ugaussian_P(log(14.5 / 15.0) / 0.5) / f_hi;
        int low = 0;
        for (int i = 0; i < n; i++) {
            itp_rng_stream(r, 3, 0, (uint64_t)i, ITP_STREAM_BASELINE);
            double b = scn->model->draw(scn, scn->model_params, r, pt);
            assert_true(b >= 0.0 && b < 30.0 && b == floor(b));
            low += b <= 14.0;
        }
        if (!noise)
            assert_true(fabs((double)low / n - p14) < 5 * sqrt(p14 * (1 - p14) / n));
        itp_scenario_free(scn);
    }
    gsl_rng_free(r);
}

/* Permuted blocks of 6 over 3 arms: every complete block holds 2 per arm. */
static void test_permuted_blocks(void **state)
{
    (void)state;
    char err[1024];
    itp_scenario *scn = test_load(
        "patients = 152;\n"
        "arms = ( { name = \"a\"; }, { name = \"b\"; }, { name = \"c\"; } );\n"
        "allocation = { block_size = 6; };\n"
        "enrolment = { duration_months = 3.0; };\n"
        "followup = { max_months = 1.0; cut_months = 1.0; };\n"
        "visits = ( { from_week = 0; every_weeks = 1; } );\n",
        err, sizeof err);
    assert_non_null(scn);
    itp_sim_ws *ws;
    itp_record rec;
    itp_record_init(&rec);
    assert_int_equal(itp_sim_ws_create(&ws, scn), ITP_OK);
    for (uint64_t rep = 0; rep < 20; rep++) {
        assert_int_equal(itp_trial_simulate(scn, 1, rep, 0, ws, &rec), ITP_OK);
        for (int b = 0; b + 6 <= rec.n_patients; b += 6) {
            int count[3] = {0, 0, 0};
            for (int i = b; i < b + 6; i++)
                count[rec.patients[i].arm]++;
            assert_true(count[0] == 2 && count[1] == 2 && count[2] == 2);
        }
        for (int i = 1; i < rec.n_patients; i++)
            assert_true(rec.patients[i].enrol_day >= rec.patients[i - 1].enrol_day);
    }
    itp_record_free(&rec);
    itp_sim_ws_free(ws);
    itp_scenario_free(scn);
}

/* Hazard model: a constant hazard h gives exponential times; the mean of
 * floor(T) is 1/h - 1/2 + O(h) days. */
static void test_hazard_model_exponential(void **state)
{
    (void)state;
    char err[1024];
    itp_scenario *scn = test_load(
        "model = \"hazard\"; patients = 20000;\n"
        "arms = ( { name = \"a\"; hazard_per_month = [0.2]; } );\n"
        "enrolment = { duration_months = 1.0; };\n"
        "followup = { max_months = 240.0; cut_months = 240.0; };\n"
        "visits = ( { from_week = 0; every_weeks = 4; } );\n"
        "events = { dropout_per_year = 0.0; };\n",
        err, sizeof err);
    assert_non_null(scn);
    itp_sim_ws *ws;
    itp_record rec;
    itp_record_init(&rec);
    assert_int_equal(itp_sim_ws_create(&ws, scn), ITP_OK);
    assert_int_equal(itp_trial_simulate(scn, 1, 0, 0, ws, &rec), ITP_OK);
    double mean = 1.0 / (0.2 / ITP_DAYS_PER_MONTH), s = 0.0;
    int n = rec.n_patients, failed = 0;
    for (int i = 0; i < n; i++) {
        failed += rec.patients[i].failure != ITP_NEVER;
        s += rec.patients[i].failure;
    }
    assert_int_equal(failed, n);
    assert_true(fabs(s / n - (mean - 0.5)) < 5 * mean / sqrt(n));
    itp_record_free(&rec);
    itp_sim_ws_free(ws);
    itp_scenario_free(scn);
}

int main(void)
{
    gsl_set_error_handler_off();
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_no_drug_stays_at_baseline),
        cmocka_unit_test(test_fixed_dose_reaches_analytic_steady_state),
        cmocka_unit_test(test_remission_steady_state),
        cmocka_unit_test(test_exact_step_matches_reference),
        cmocka_unit_test(test_exact_step_random_patients),
        cmocka_unit_test(test_fallback_without_elimination),
        cmocka_unit_test(test_two_concentrations),
        cmocka_unit_test(test_stretches_match_days),
        cmocka_unit_test(test_cache_overflow_changes_nothing),
        cmocka_unit_test(test_patient_without_drug_or_noise),
        cmocka_unit_test(test_component_draws),
        cmocka_unit_test(test_baseline_distribution),
        cmocka_unit_test(test_permuted_blocks),
        cmocka_unit_test(test_hazard_model_exponential),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
