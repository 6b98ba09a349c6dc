/* The rescue treatments (src/treatment/rescue.c, and a steroid course as
 * rescue) given by the rescue rule, on scripted patients without noise:
 * baseline 20, active platelet lifespan 2 days (destruction 0.5/day,
 * production 10/day, which the rescues do not touch, so the transit chain
 * stays at its steady state), daily counts. With the destruction factor f
 * of a day, the count over it follows exactly
 *   P(d + 1) = 20/f + (P(d) + b - 20/f) e^{-0.5 f},
 * b the platelets transfused at the start of day d; the rule (a count
 * below 25 from day 7 on, no new rescue while one acts) is worked out
 * beside it, so every day's count is known. Also: the default rescue (an
 * IVIG with the defaults file's parameters: destruction x 0.3 for 14
 * days), the trigger rules, a higher IVIG dose never a lower count, a
 * steroid course given as rescue, the limits and what is refused. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <math.h>
#include <cmocka.h>
#include "itpsim/component.h"
#include "itpsim/rng.h"
#include "testutil.h"

#define DAYS 120

/* The quiet patient with daily counts for 4 months; the rescue group's
 * settings and the rest of the scenario are appended. */
#define QUIET                                                                           \
    "patients = 4;\n"                                                                   \
    "enrolment = { duration_months = 1.0; };\n"                                         \
    "followup = { max_months = 4.0; cut_months = 4.0; };\n"                             \
    "visits = ( { from_week = 0; every_weeks = 0.14285714285714285; } );\n"             \
    "platelet = { baseline_median = 20.0; baseline_logsd = 0.0;\n"                      \
    "  lifespan_active_median = %g; lifespan_active_logsd = 0.0;\n"                     \
    "  remission_count_logsd = 0.0; background_remission_prob = 0.0;\n"                 \
    "  fluctuation_sd = 0.0; measurement_sd = 0.0; };\n"                                \
    "events = { death_per_year = 0.0; dropout_per_year = 0.0; };\n"                     \
    "new_therapy = { prob = 0.0; };\n"                                                  \
    "arms = ( { name = \"a\"; treatments = [%s]; } );\n"

/* The count rule of the scripts: below 25 from week 1 on. */
#define COUNT_RULE "trigger = \"count\"; below = 25.0; from_week = 1.0; bleed_max_per_day = 0.0; "

static itp_scenario *load(double lifespan, const char *arm, const char *rescue, const char *rest)
{
    char text[8192], err[1024];
    int n = snprintf(text, sizeof text, QUIET "rescue = { %s };\n%s", lifespan, arm, rescue, rest);
    assert_true(n > 0 && (size_t)n < sizeof text);
    itp_scenario *scn = test_load(text, err, sizeof err);
    if (!scn)
        fail_msg("%s", err);
    return scn;
}

/* The scenario's refusal message (the scenario must be refused). */
static void refused(const char *arm, const char *rescue, const char *rest, const char *want)
{
    char text[8192], err[1024] = "";
    snprintf(text, sizeof text, QUIET "rescue = { %s };\n%s", 2.0, arm, rescue, rest);
    itp_scenario *scn = test_load(text, err, sizeof err);
    assert_null(scn);
    print_message("refused: %s\n", err);
    assert_non_null(strstr(err, want));
}

/* The first patient's record. */
typedef struct course {
    double count[DAYS];
    int n_rescue, rescue_day[64];
    int remission_onset;
    itp_record rec;
    const itp_patient *pt;
} course;

static void run(const itp_scenario *scn, course *c)
{
    itp_record_init(&c->rec);
    assert_int_equal(test_simulate(scn, 1, &c->rec), ITP_OK);
    c->pt = &c->rec.patients[0];
    assert_true(c->pt->n_visits >= DAYS);
    for (int d = 0; d < DAYS; d++) {
        const itp_visit *v = &c->rec.visits[c->pt->visit_first + (size_t)d];
        assert_int_equal(v->day, d);
        c->count[d] = (double)v->count;
    }
    c->n_rescue = 0;   /* those of days 0 .. DAYS - 1 */
    for (int r = 0; r < c->pt->n_rescue && c->n_rescue < 64; r++) {
        int d = c->rec.rescue_days[c->pt->rescue_first + (size_t)r];
        if (d < DAYS)
            c->rescue_day[c->n_rescue++] = d;
    }
    c->remission_onset = c->pt->remission_onset;
}

static void done(course *c)
{
    itp_record_free(&c->rec);
}

/* What a rescue does, t days after it started. */
typedef struct effect {
    double factor[400];   /* destruction factor on day t (1 from `acts` on) */
    int acts;             /* no new rescue for this many days */
    double bolus;         /* platelets added on day 0 */
} effect;

static effect constant_cut(double f, int days)
{
    effect e = {.acts = days};
    for (int t = 0; t < 400; t++)
        e.factor[t] = t < days ? f : 1.0;
    return e;
}

/* The counts worked out by hand (the recurrence above, the rule beside
 * it) for lifespan ls; the rescue days into days (their number returned). */
static int expected(double ls, const effect *e, double *count, int *days)
{
    double kdeg = 1.0 / ls, prod = 20.0 * kdeg, p = 20.0;
    int rescue = -1, until = 0, n = 0;
    for (int d = 0; d < DAYS; d++) {
        count[d] = floor(p + 0.5);
        double b = 0.0;
        if (d >= 7 && d >= until && count[d] < 25.0) {
            rescue = d;
            until = d + e->acts;
            b = e->bolus;
            if (n < 64)
                days[n++] = d;
        }
        double f = rescue >= 0 && d - rescue < 400 ? e->factor[d - rescue] : 1.0;
        double q = kdeg * f, ss = prod / q;
        p = ss + (p + b - ss) * exp(-q);
    }
    return n;
}

/* The patient's course is the hand-worked one, day by day. */
static void check_course(const itp_scenario *scn, double ls, const effect *e)
{
    double want[DAYS];
    int days[64];
    int n = expected(ls, e, want, days);
    course c;
    run(scn, &c);
    for (int d = 0; d < DAYS; d++)
        if (c.count[d] != want[d])
            fail_msg("day %d: count %g, expected %g", d, c.count[d], want[d]);
    assert_int_equal(c.n_rescue, n);
    for (int r = 0; r < n; r++)
        assert_int_equal(c.rescue_day[r], days[r]);
    done(&c);
}

/* ---- the default rescue ------------------------------------------------------ */

/* No rescue.treatments: an IVIG with the defaults file's parameters, here
 * in every patient (response_prob 1): destruction x 0.3 for the 14 days
 * from the rescue on day 7, so
 *   P(t) = 66.67 - 46.67 e^{-0.15 (t - 7)}: day 14: 50.33 -> 50, day 21
 * (its end, no factor from then): 60.95 -> 61, then back towards 20 at
 * 0.5/day, and a new rescue at the first count below 25. */
static void test_default_rescue(void **state)
{
    (void)state;
    itp_scenario *scn = load(2.0, "", COUNT_RULE, "ivig = { response_prob = 1.0; };\n");
    assert_int_equal(scn->rescue.n_treatments, 1);
    const itp_component *iv = &scn->components[scn->rescue.treatment[0]];
    assert_string_equal(iv->name, ITP_DEFAULT_RESCUE);
    assert_ptr_equal(iv->type, &itp_ivig_type);
    effect e = constant_cut(0.3, 14);
    check_course(scn, 2.0, &e);
    course c;
    run(scn, &c);
    assert_true(c.count[14] == 50.0 && c.count[21] == 61.0);
    /* the rescue is logged with the component that gave it */
    int logged = 0;
    for (int k = 0; k < c.pt->n_events; k++) {
        const itp_event *ev = &c.rec.events[c.pt->event_first + (size_t)k];
        if (ev->kind == ITP_EV_RESCUE) {
            assert_int_equal(ev->comp, 0);   /* after the arm's none */
            assert_true(ev->value == 1.0f);  /* 1 g/kg */
            assert_int_equal(ev->day, c.rec.rescue_days[c.pt->rescue_first + (size_t)logged]);
            logged++;
        }
    }
    assert_int_equal(logged, c.pt->n_rescue);
    done(&c);
    itp_scenario_free(scn);

    /* the defaults as they are: 80% respond, from the events stream */
    scn = load(2.0, "", COUNT_RULE, "");
    iv = &scn->components[scn->rescue.treatment[0]];
    assert_string_equal(iv->name, ITP_DEFAULT_RESCUE);
    itp_scenario_free(scn);
}

/* ---- IVIG ------------------------------------------------------------------- */

#define IVIG(name, extra) name " = { type = \"ivig\"; response_prob = 1.0; " extra " };\n"

/* Destruction x 0.5 for 14 days from day 7 (the reference dose):
 *   P(t) = 40 - 20 e^{-(t - 7)/4}:  day 14: 36.52 -> 37, day 21: 39.40 -> 39,
 * then P = 20 + 19.40 e^{-(t - 21)/2} until the count is below 25 again
 * (day 23: 27.1 -> 27, day 24: 24.3 -> 24, rescued). A patient with a
 * lifespan of 4 days follows the same rules at half the rates. */
static void test_ivig_closed_form(void **state)
{
    (void)state;
    const char *comps = "components = {\n" IVIG("iv", "kdeg_factor = 0.5;") "};\n";
    itp_scenario *scn = load(2.0, "", COUNT_RULE "treatments = [\"iv\"];", comps);
    effect e = constant_cut(0.5, 14);
    check_course(scn, 2.0, &e);
    course c;
    run(scn, &c);
    print_message("days 7, 14, 21, 23, 24: %g %g %g %g %g\n", c.count[7], c.count[14],
                  c.count[21], c.count[23], c.count[24]);
    assert_true(c.count[7] == 20.0 && c.count[14] == 37.0 && c.count[21] == 39.0);
    assert_true(c.count[23] == 27.0 && c.count[24] == 24.0);
    assert_true(c.n_rescue >= 2 && c.rescue_day[0] == 7 && c.rescue_day[1] == 24);
    done(&c);
    itp_scenario_free(scn);

    scn = load(4.0, "", COUNT_RULE "treatments = [\"iv\"];", comps);
    check_course(scn, 4.0, &e);
    itp_scenario_free(scn);

    /* 2 g/kg: H = s(2) / s(1) = (2/3) / (1/2) = 4/3, destruction x 0.5^(4/3) */
    scn = load(2.0, "", COUNT_RULE "treatments = [\"iv\"];",
               "components = {\n" IVIG("iv", "kdeg_factor = 0.5; dose_g_kg = 2.0;") "};\n");
    e = constant_cut(pow(0.5, 4.0 / 3.0), 14);
    check_course(scn, 2.0, &e);
    itp_scenario_free(scn);

    /* non-responders: nothing moves, and no new rescue for 14 days */
    scn = load(2.0, "", COUNT_RULE "treatments = [\"iv\"];",
               "components = { iv = { type = \"ivig\"; response_prob = 0.0; }; };\n");
    e = constant_cut(1.0, 14);
    check_course(scn, 2.0, &e);
    run(scn, &c);
    for (int r = 0; r < c.n_rescue; r++)
        assert_int_equal(c.rescue_day[r], 7 + 14 * r);
    done(&c);
    itp_scenario_free(scn);
}

/* 0.4 g/kg on 5 days from day 0 of the rescue, acting 2 days later, full
 * for 10 days, then fading over 3: on day t the dose given up to t - 2,
 * D = 0.4 min(t - 1, 5), acts by 0.5^(w s(D) / s(1)), w = 1, then 3/4,
 * 2/4, 1/4; the rescue acts for 2 + 10 + 3 = 15 days. */
static void test_ivig_onset_fade(void **state)
{
    (void)state;
    itp_scenario *scn = load(2.0, "", COUNT_RULE "treatments = [\"iv\"];",
                             "components = {\n" IVIG("iv", "kdeg_factor = 0.5; dose_g_kg = 0.4; "
                             "infusion_days = 5; onset_days = 2; duration_days = 10; "
                             "fade_days = 3;") "};\n");
    effect e = {.acts = 15};
    for (int t = 0; t < 400; t++) {
        int j = t - 2;
        double d = 0.4 * (j + 1 < 5 ? j + 1 : 5), s = d / (1.0 + d), w = 1.0;
        if (j >= 10)
            w = 1.0 - (j - 9) / 4.0;
        e.factor[t] = j < 0 || j >= 13 ? 1.0 : pow(0.5, w * s / 0.5);
    }
    check_course(scn, 2.0, &e);
    itp_scenario_free(scn);
}

/* A higher dose, or more infusion days, never gives a lower count on any
 * day up to the end of the first rescue's effect (after it, a new rescue
 * may come on other days); 2 g/kg at once never less than 0.4 g/kg x 5. */
static void test_ivig_dose_monotone(void **state)
{
    (void)state;
    static const char *const regimens[] = {
        "dose_g_kg = 0.0;", "dose_g_kg = 0.1;", "dose_g_kg = 0.4;", "dose_g_kg = 1.0;",
        "dose_g_kg = 2.0;", "dose_g_kg = 4.0;", "dose_g_kg = 10.0;",
        "dose_g_kg = 0.4; infusion_days = 2;", "dose_g_kg = 0.4; infusion_days = 5;",
        "dose_g_kg = 1.0; infusion_days = 2;"};
    enum { N = sizeof regimens / sizeof *regimens };
    /* (lower, higher): by dose at one infusion day, by days at 0.4 and 1
     * g/kg, and the same 2 g/kg over 5 days or at once */
    static const int pairs[][2] = {{0, 1}, {1, 2}, {2, 3}, {3, 4}, {4, 5}, {5, 6},
                                   {2, 7}, {7, 8}, {3, 9}, {8, 4}};
    const int until = 7 + 2 + 28 + 14;   /* onset, duration, fading */
    static double count[N][DAYS];
    for (int i = 0; i < N; i++) {
        char comps[512];
        snprintf(comps, sizeof comps,
                 "components = { iv = { type = \"ivig\"; response_prob = 1.0; onset_days = 2; "
                 "duration_days = 28; fade_days = 14; %s }; };\n", regimens[i]);
        itp_scenario *scn = load(2.0, "", COUNT_RULE "treatments = [\"iv\"];", comps);
        course c;
        run(scn, &c);
        assert_int_equal(c.rescue_day[0], 7);
        print_message("%-38s day 14: %g, day 30: %g, day 45: %g\n", regimens[i], c.count[14],
                      c.count[30], c.count[45]);
        memcpy(count[i], c.count, sizeof count[i]);
        done(&c);
        itp_scenario_free(scn);
    }
    for (int d = 0; d <= until; d++)   /* no dose: no effect */
        assert_true(count[0][d] == 20.0);
    for (size_t k = 0; k < sizeof pairs / sizeof *pairs; k++)
        for (int d = 0; d <= until; d++)
            if (count[pairs[k][1]][d] < count[pairs[k][0]][d])
                fail_msg("%s: day %d count %g below that of %s, %g", regimens[pairs[k][1]], d,
                         count[pairs[k][1]][d], regimens[pairs[k][0]], count[pairs[k][0]][d]);
}

/* ---- platelet transfusion ---------------------------------------------------- */

/* 1000 x 10^9/L on day 7, destroyed at the patient's rate:
 *   P(t) = 20 + 1000 e^{-(t - 7)/ls}: day 8: 626.5 -> 627 at ls = 2, 798.8
 * -> 799 at ls = 4; day 14: 50.2 -> 50 at ls = 2. With an IVIG given with
 * it (destruction x 0.5 for 14 days), they are cleared at half the rate. */
static void test_transfusion(void **state)
{
    (void)state;
    const char *comps =
        "components = { tx = { type = \"platelet_transfusion\"; increment_per_unit = 1000.0; };\n"
        IVIG("iv", "kdeg_factor = 0.5;") "};\n";
    effect e = constant_cut(1.0, 7);
    e.bolus = 1000.0;
    for (int k = 0; k < 2; k++) {
        double ls = k ? 4.0 : 2.0;
        itp_scenario *scn = load(ls, "", COUNT_RULE "treatments = [\"tx\"];", comps);
        check_course(scn, ls, &e);
        course c;
        run(scn, &c);
        assert_true(c.count[7] == 20.0 && c.count[8] == (k ? 799.0 : 627.0));
        if (!k)
            assert_true(c.count[14] == 50.0);
        done(&c);
        itp_scenario_free(scn);
    }
    /* two units, and with the IVIG (the longer, 14 days, holds off the
     * next rescue) */
    itp_scenario *scn = load(2.0, "", COUNT_RULE "treatments = [\"tx\", \"iv\"];",
        "components = { tx = { type = \"platelet_transfusion\"; units = 2.0; "
        "increment_per_unit = 30.0; };\n" IVIG("iv", "kdeg_factor = 0.5;") "};\n");
    e = constant_cut(0.5, 14);
    e.bolus = 60.0;
    check_course(scn, 2.0, &e);
    itp_scenario_free(scn);
}

/* ---- a steroid course as rescue ---------------------------------------------- */

/* The pulse of test_courses (40 mg x 4 days, e = 0.75 x 40 / (20 + 40) =
 * 0.5 from the first dose to 10 days after the last) from the rescue's
 * day: destruction halved for 14 days, as the IVIG above. Its remission
 * (here certain, 3 days after the course's first day) counts from the
 * rescue's day. */
#define PULSE "dex = { type = \"corticosteroid\"; potency = 1.0; emax = 0.75; ed50_mg = 20.0; " \
              "onset_days = 0; offset_days = 10; "

static void test_steroid_rescue(void **state)
{
    (void)state;
    itp_scenario *scn = load(2.0, "", COUNT_RULE "treatments = [\"dex\"];",
                             "components = {\n" PULSE "remission_prob = 0.0; }; };\n");
    effect e = constant_cut(0.5, 14);
    check_course(scn, 2.0, &e);
    course c;
    run(scn, &c);
    assert_true(c.count[14] == 37.0 && c.count[21] == 39.0);
    assert_int_equal(c.remission_onset, ITP_NEVER);
    /* each rescue starts a course of its own, logged */
    int rescues = 0, courses = 0;
    for (int k = 0; k < c.pt->n_events; k++) {
        const itp_event *ev = &c.rec.events[c.pt->event_first + (size_t)k];
        rescues += ev->kind == ITP_EV_RESCUE;
        courses += ev->kind == ITP_EV_COURSE;
        if (ev->kind == ITP_EV_COURSE)
            assert_int_equal(ev->day, c.rec.rescue_days[c.pt->rescue_first + (size_t)courses - 1]);
    }
    assert_true(rescues == c.pt->n_rescue && courses == c.pt->n_rescue && c.n_rescue >= 2);
    done(&c);
    itp_scenario_free(scn);

    /* a certain remission, 3 days into the first rescue's course: onset on
     * day 10 */
    scn = load(2.0, "", COUNT_RULE "treatments = [\"dex\"];",
               "components = {\n" PULSE "remission_prob = 1.0; remission_onset_from_days = 3.0; "
               "remission_onset_to_days = 3.0; }; };\n");
    run(scn, &c);
    assert_int_equal(c.rescue_day[0], 7);
    assert_int_equal(c.remission_onset, 10);
    done(&c);
    itp_scenario_free(scn);

    /* beside a steroid of the arm's own (another component of the drug):
     * its own place and stream */
    scn = load(2.0, "\"arm_dex\"", COUNT_RULE "treatments = [\"dex\"];",
               "components = {\n" PULSE "remission_prob = 0.0; }; arm_dex = { type = \"corticosteroid\"; "
               "dose_mg = 0.0; remission_prob = 0.0; }; };\n");
    check_course(scn, 2.0, &e);
    run(scn, &c);
    for (int k = 0; k < c.pt->n_events; k++) {
        const itp_event *ev = &c.rec.events[c.pt->event_first + (size_t)k];
        if (ev->kind == ITP_EV_RESCUE)
            assert_int_equal(ev->comp, 1);   /* after the arm's one */
    }
    done(&c);
    itp_scenario_free(scn);
}

/* ---- the trigger rules --------------------------------------------------------- */

/* The count rule: not before from_week (the day-0 count 20 is below 25),
 * and no new rescue while one acts. The bleeding rule: only bleeds while
 * the latest count is below bleed_below, at least a rescue's length apart;
 * none when the count is not below it. */
static void test_triggers(void **state)
{
    (void)state;
    const char *none = "components = { iv = { type = \"ivig\"; response_prob = 0.0; }; };\n";
    itp_scenario *scn = load(2.0, "", "trigger = \"count\"; below = 25.0; from_week = 2.0; "
                             "bleed_max_per_day = 0.0; treatments = [\"iv\"];", none);
    course c;
    run(scn, &c);
    /* every 14 days from day 14 to the end of follow-up, day 121 */
    assert_int_equal(scn->max_followup_days, 121);
    assert_int_equal(c.n_rescue, 8);
    for (int r = 0; r < c.n_rescue; r++)
        assert_int_equal(c.rescue_day[r], 14 + 14 * r);
    /* the visit's flag: a rescue since the previous count */
    for (int d = 0; d < DAYS; d++) {
        const itp_visit *v = &c.rec.visits[c.pt->visit_first + (size_t)d];
        assert_int_equal(v->rescue, d >= 14 && (d - 14) % 14 == 0);
    }
    done(&c);
    itp_scenario_free(scn);

    for (int k = 0; k < 2; k++) {
        char rule[256];
        snprintf(rule, sizeof rule,
                 "trigger = \"bleeding\"; below = 100.0; bleed_below = %g; bleed_max_per_day = 1.0; "
                 "bleed_count50 = 1000.0; treatments = [\"iv\"];", k ? 20.0 : 25.0);
        scn = load(2.0, "", rule, none);
        run(scn, &c);
        print_message("bleed_below %g: %d bleeds, %d rescues\n", k ? 20.0 : 25.0, c.pt->n_bleed,
                      c.pt->n_rescue);
        assert_true(c.pt->n_bleed > 30);
        if (k) {
            assert_int_equal(c.n_rescue, 0);
        } else {
            assert_true(c.n_rescue >= 4);
            for (int r = 1; r < c.n_rescue; r++)
                assert_true(c.rescue_day[r] - c.rescue_day[r - 1] >= 14);
        }
        done(&c);
        itp_scenario_free(scn);
    }
}

/* ---- limits, streams, refusals --------------------------------------------------- */

static void test_limits_and_streams(void **state)
{
    (void)state;
    /* six steroids in the arm (6 mechanisms, the background one 7) and one
     * as rescue: 8, at the limit; two as rescue: refused at the arm */
    const char *six = "\"s1\", \"s2\", \"s3\", \"s4\", \"s5\", \"s6\"";
    const char *comps = "components = { s1 = { type = \"corticosteroid\"; };\n"
                        "  s2 = { type = \"corticosteroid\"; }; s3 = { type = \"corticosteroid\"; };\n"
                        "  s4 = { type = \"corticosteroid\"; }; s5 = { type = \"corticosteroid\"; };\n"
                        "  s6 = { type = \"corticosteroid\"; }; r1 = { type = \"corticosteroid\"; };\n"
                        "  r2 = { type = \"corticosteroid\"; }; };\n";
    itp_scenario *scn = load(2.0, six, COUNT_RULE "treatments = [\"r1\"];", comps);
    itp_scenario_free(scn);
    refused(six, COUNT_RULE "treatments = [\"r1\", \"r2\"];", comps,
            "the arm's treatments (with the rescue's) need 9 remission mechanisms");

    /* a rescue component's stream is apart from every arm place's */
    for (int o = 0; o < ITP_MAX_ARM_COMPONENTS; o++)
        assert_true(itp_component_stream_key(&itp_corticosteroid_type, ITP_MAX_ARM_COMPONENTS) !=
                    itp_component_stream_key(&itp_corticosteroid_type, o));
}

static void test_refused(void **state)
{
    (void)state;
    const char *comps = "components = { iv = { type = \"ivig\"; }; elt = { type = \"tpo_ra\"; };\n"
                        "  tx = { type = \"platelet_transfusion\"; }; dex = { type = \"corticosteroid\"; }; };\n";
    refused("", COUNT_RULE "treatments = [\"ivg\"];", comps,
            "rescue.treatments[0]: no component named 'ivg' in components");
    refused("", COUNT_RULE "treatments = [\"elt\"];", comps,
            "'elt' is of type tpo_ra, which is not given as rescue");
    refused("\"dex\"", COUNT_RULE "treatments = [\"dex\"];", comps,
            "'dex' is a treatment of arm 'a'");
    refused("\"iv\"", COUNT_RULE, comps, "'iv' is of type ivig, given only as rescue");
    refused("\"tx\"", COUNT_RULE, comps, "'tx' is of type platelet_transfusion, given only as rescue");
    refused("", COUNT_RULE "treatments = [\"iv\", \"iv\"];", comps, "component 'iv' twice in the rescue");
    refused("", COUNT_RULE "treatments = [\"iv\", \"tx\", \"dex\", \"iv\"];", comps,
            "expected 1 to 3 component names, got 4");
    refused("", COUNT_RULE "treatments = [];", comps, "expected 1 to 3 component names, got 0");
    refused("", COUNT_RULE "duration_days = 14;", comps, "rescue.duration_days: a rescue treatment's");
    refused("", COUNT_RULE, "ivig = { kdeg_factor = 0.0; };\n", "ivig.kdeg_factor");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_default_rescue),
        cmocka_unit_test(test_ivig_closed_form),
        cmocka_unit_test(test_ivig_onset_fade),
        cmocka_unit_test(test_ivig_dose_monotone),
        cmocka_unit_test(test_transfusion),
        cmocka_unit_test(test_steroid_rescue),
        cmocka_unit_test(test_triggers),
        cmocka_unit_test(test_limits_and_streams),
        cmocka_unit_test(test_refused),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
