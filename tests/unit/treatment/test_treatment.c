/* The treatment components under scripted counts. TPO-RA: the label's
 * titration (< 50 up after 2 weeks, 200-400 down at any time but 2 weeks
 * between decreases, > 400 hold and restart one level lower below 150, the
 * ladder 12.5-25-50-75 mg, stop after 4 weeks at the maximum only for a
 * patient who never had an IWG response: >= 30 and double the baseline), the taper (eligibility, steps on the
 * scheduled days, failure, inability to stop by the end, restart after a
 * relapse off treatment) and new therapy stopping it. B-cell antibody:
 * exposure (dose x infusions given) drives the remission. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <limits.h>
#include <math.h>
#include <cmocka.h>
#include "itpsim/component.h"
#include "itpsim/rng.h"
#include "testutil.h"

/* The TPO-RA patient is test_run of testutil.h: one patient on the
 * component "c" (eltrombopag by default), its hooks called by hand. */

static void test_label_titration(void **state)
{
    (void)state;
    test_run r;
    test_run_start(&r, "");
    assert_true(test_run_step(&r, 0, 20) == 50.0);   /* start dose */
    assert_true(test_run_step(&r, 7, 30) == 50.0);   /* < 2 weeks since the start */
    assert_true(test_run_step(&r, 14, 30) == 75.0);  /* < 50 after 2 weeks: +25 */
    assert_true(test_run_step(&r, 15, -1) == 75.0);
    assert_true(test_run_step(&r, 21, 250) == 50.0); /* 200-400: -25 at any time */
    assert_true(test_run_step(&r, 28, 250) == 50.0); /* 1 week after a decrease: wait */
    assert_true(test_run_step(&r, 35, 250) == 25.0); /* 2 weeks after it: -25 */
    assert_true(test_run_step(&r, 42, 450) == 0.0);  /* > 400: hold at once */
    assert_int_equal(r.ctx.recheck_day, 45);/* checked twice weekly */
    assert_true(test_run_step(&r, 45, 300) == 0.0);  /* still >= 150: held */
    assert_int_equal(r.ctx.recheck_day, 48);
    assert_true(test_run_step(&r, 48, 140) == 12.5); /* < 150: restart one level lower */
    assert_true(test_run_step(&r, 49, 180) == 12.5);
    assert_true(test_run_step(&r, 56, 100) == 12.5); /* 50-199: no change */
    assert_true(test_run_step(&r, 63, 49) == 25.0);  /* < 50, 15 days after a change: up */
    assert_true(test_run_step(&r, 70, 49) == 25.0);  /* 1 week after it: not yet */
    assert_true(test_run_step(&r, 77, 50) == 25.0);  /* exactly 50 is not < 50 */
    assert_true(test_run_step(&r, 84, 200) == 12.5); /* exactly 200 is in 200-400 */
    assert_true(test_run_step(&r, 98, 200) == 12.5); /* not below the lowest level */
    assert_true(test_run_step(&r, 112, 40) == 25.0); /* the ladder up: 12.5, 25, 50, 75 */
    assert_true(test_run_step(&r, 126, 40) == 50.0);
    assert_int_equal(TEST_EV(r, STOP_NO_RESPONSE), ITP_NEVER);
    test_run_end(&r);
}

static void test_stop_without_response(void **state)
{
    (void)state;
    test_run r;
    test_run_start(&r, "");
    test_run_step(&r, 0, 10);
    assert_true(test_run_step(&r, 14, 10) == 75.0);  /* at the maximum from day 14 */
    assert_true(test_run_step(&r, 35, 10) == 75.0);  /* 3 weeks at 75 */
    assert_true(test_run_step(&r, 42, 10) == 0.0);   /* 4 weeks at 75, no response */
    assert_int_equal(TEST_EV(r, STOP_NO_RESPONSE), 42);
    assert_true(test_run_step(&r, 56, 10) == 0.0);   /* stays stopped */
    test_run_end(&r);
}

/* The no-response rule is about a first response: a patient who reached
 * 50 once and then fell is a loss of response, titrated and kept on the
 * drug, however long at the maximum. A count >= 50 while a rescue acts is
 * not a response to the drug. */
static void test_no_stop_after_response(void **state)
{
    (void)state;
    test_run r;
    test_run_start(&r, "");
    test_run_step(&r, 0, 10);
    assert_true(test_run_step(&r, 14, 10) == 75.0);
    assert_true(test_run_step(&r, 21, 60) == 75.0);  /* responded */
    for (int day = 28; day <= 140; day += 7)
        assert_true(test_run_step(&r, day, 20) == 75.0);  /* lost it: stays at 75 */
    assert_int_equal(TEST_EV(r, STOP_NO_RESPONSE), ITP_NEVER);
    test_run_end(&r);

    test_run_start(&r, "");
    test_run_step(&r, 0, 10);
    assert_true(test_run_step(&r, 14, 10) == 75.0);
    r.ctx.rescue_until = 30;                /* a rescue given on day 16 */
    assert_true(test_run_step(&r, 21, 60) == 75.0);  /* raised by the rescue */
    assert_true(test_run_step(&r, 28, 55) == 75.0);
    r.ctx.rescue_until = -1;
    assert_true(test_run_step(&r, 35, 20) == 75.0);
    assert_true(test_run_step(&r, 42, 20) == 0.0);   /* never responded to the drug */
    assert_int_equal(TEST_EV(r, STOP_NO_RESPONSE), 42);
    test_run_end(&r);

    /* A response is the IWG's: >= 30 and double the baseline. From 9 to 46
     * is one (kept on the drug); from 25 to 45 is not (stopped). */
    test_run_start(&r, "");
    test_run_step(&r, 0, 9);
    assert_true(test_run_step(&r, 14, 23) == 75.0);
    test_run_step(&r, 21, 35);
    test_run_step(&r, 28, 44);
    test_run_step(&r, 35, 47);
    assert_true(test_run_step(&r, 42, 46) == 75.0);
    assert_true(test_run_step(&r, 70, 29) == 75.0);
    assert_int_equal(TEST_EV(r, STOP_NO_RESPONSE), ITP_NEVER);
    test_run_end(&r);
    test_run_start(&r, "");
    test_run_step(&r, 0, 25);
    assert_true(test_run_step(&r, 14, 30) == 75.0);
    test_run_step(&r, 21, 40);
    test_run_step(&r, 28, 45);
    test_run_step(&r, 35, 49);
    assert_true(test_run_step(&r, 42, 45) == 0.0);
    assert_int_equal(TEST_EV(r, STOP_NO_RESPONSE), 42);
    test_run_end(&r);
}

#define TAPER "taper = { start_week = 17.0; end_week = 24.0; eligible_weeks = [15, 17]; };"

/* The taper started on day 119 (weekly counts of 100, eligible at weeks 15
 * and 17): down to 25 mg. */
static void taper_started(test_run *r)
{
    test_run_start(r, TAPER);
    for (int day = 0; day < 119; day++)
        test_run_step(r, day, day % 7 ? -1 : 100);
    assert_true(test_run_step(r, 119, 100) == 25.0);
}

/* Eligible at weeks 15 and 17 (a count exactly 50 qualifies): -25 mg on
 * day 119, -25 mg on day 133 (every 2 weeks) and off. */
static void test_taper_steps_on_schedule(void **state)
{
    (void)state;
    test_run r;
    test_run_start(&r, TAPER);
    for (int day = 0; day < 119; day++)
        test_run_step(&r, day, day % 7 ? -1 : (day == 105 ? 50 : 100));
    assert_true(test_run_step(&r, 119, 100) == 25.0);
    assert_int_equal(TEST_EV(r, TAPER_START), 119);
    for (int day = 120; day < 133; day++)
        assert_true(test_run_step(&r, day, day % 7 ? -1 : 100) == 25.0);
    assert_true(test_run_step(&r, 133, 100) == 0.0);
    assert_int_equal(itp_patient_taper_end(&r.rec, &r.pt), 133);
    for (int day = 134; day < 200; day++)
        assert_true(test_run_step(&r, day, day % 7 ? -1 : 60) == 0.0);
    assert_int_equal(TEST_EV(r, TAPER_FAIL), ITP_NEVER);
    test_run_end(&r);
}

/* From 75 mg: 50 on day 119, 25 on day 133, off on day 147. */
static void test_taper_from_maximum(void **state)
{
    (void)state;
    test_run r;
    test_run_start(&r, TAPER);
    test_run_step(&r, 0, 20);
    assert_true(test_run_step(&r, 14, 40) == 75.0);
    for (int day = 15; day < 119; day++)
        test_run_step(&r, day, day % 7 ? -1 : 120);
    assert_true(test_run_step(&r, 119, 120) == 50.0);
    assert_true(test_run_step(&r, 132, -1) == 50.0);
    assert_true(test_run_step(&r, 133, 120) == 25.0);
    assert_true(test_run_step(&r, 147, 120) == 0.0);
    assert_int_equal(itp_patient_taper_end(&r.rec, &r.pt), 147);
    test_run_end(&r);
}

static void test_taper_ineligible(void **state)
{
    (void)state;
    test_run r;
    test_run_start(&r, TAPER);
    for (int day = 0; day < 119; day++)
        test_run_step(&r, day, day % 7 ? -1 : (day == 105 ? 49 : 100));
    /* 49 at week 15 also raised the dose (label: < 50 after 2 weeks) */
    assert_true(test_run_step(&r, 119, 100) == 75.0);
    assert_int_equal(TEST_EV(r, TAPER_INELIGIBLE), 119);
    assert_int_equal(TEST_EV(r, TAPER_START), ITP_NEVER);
    assert_true(test_run_step(&r, 140, 250) == 50.0); /* titration goes on */
    test_run_end(&r);
}

/* The counts of a course that tapers (eligible at weeks 15 and 17, steps
 * on days 119 and 133), fails the taper on day 140 (20, one step back up),
 * is titrated down on day 154 (250) and held on day 161 (450, rechecked
 * twice weekly with 100: restarted one level lower). */
static double wake_course(int day)
{
    return day == 140 ? 20 : day == 154 ? 250 : day == 161 ? 450 : 100;
}

/* Patients a and b on the same counts, course(day) at the weekly visits
 * and at the rechecks they ask for, over `days` days: a's hook runs every
 * day, b's only as the model calls it (day 0, event days and the day the
 * hook named in ctx.wake). b gets a's doses, concentrations and events,
 * and a's dose does not change between two of b's calls. Returns b's
 * calls. */
static int wake_compare(test_run *a, test_run *b, double (*course)(int), int days)
{
    double dose_a[400], conc_a[400];
    assert_true(days <= 400);
    for (int day = 0; day < days; day++) {
        int seen = day % 7 == 0 || day == a->ctx.recheck_day;
        itp_drive d;
        dose_a[day] = test_run_step_drive(a, day, seen ? course(day) : -1, &d);
        conc_a[day] = d.pk[0].c0;
    }
    int calls = 0, last = -1;
    for (int day = 0; day < days;) {
        int seen = day % 7 == 0 || day == b->ctx.recheck_day;
        itp_drive d;
        double dose = test_run_step_drive(b, day, seen ? course(day) : -1, &d);
        assert_true(dose == dose_a[day]);
        assert_true(fabs(d.pk[0].c0 - conc_a[day]) <= 1e-12 * (1.0 + conc_a[day]));
        for (int k = last + 1; k < day; k++)   /* the drive held between calls */
            assert_true(dose_a[k] == dose_a[last]);
        last = day;
        calls++;
        int next = b->ctx.wake, visit = day + 7 - day % 7;
        if (visit < next)
            next = visit;
        if (b->ctx.recheck_day > day && b->ctx.recheck_day < next)
            next = b->ctx.recheck_day;
        day = next;
    }
    assert_int_equal(b->rec.n_events, a->rec.n_events);
    for (size_t k = 0; k < a->rec.n_events; k++) {
        assert_int_equal(b->rec.events[k].day, a->rec.events[k].day);
        assert_int_equal(b->rec.events[k].kind, a->rec.events[k].kind);
        assert_true(b->rec.events[k].value == a->rec.events[k].value);
    }
    return calls;
}

/* The model calls a day hook only on day 0, on event days and on the day
 * the hook named in ctx.wake: called so (B), the TPO-RA gives the doses,
 * concentrations and events of a patient whose hook runs every day (A),
 * and its dose does not change between two of B's calls. */
static void test_wake_days_suffice(void **state)
{
    (void)state;
    test_run a, b;
    test_run_start(&a, TAPER);
    test_run_start(&b, TAPER);
    /* weekly visits, the rechecks and the taper's days, not every day */
    assert_true(wake_compare(&a, &b, wake_course, 250) < 60);
    assert_int_equal(TEST_EV(a, TAPER_START), 119);
    assert_int_equal(TEST_EV(a, TAPER_FAIL), 140);
    assert_int_equal(TEST_EV(a, HOLD), 161);
    assert_int_equal(TEST_EV(a, RESUME), 164);
    /* Another component of the arm (place 1) asks for a count on day
     * 257: the drug's own hold (day 252, rechecks on 255 and 258) neither
     * moves nor drops it, and a count on 255 leaves it standing. */
    a.ctx.comp = 1;
    itp_ctx_recheck(&a.ctx, 257);
    a.ctx.comp = 0;
    test_run_step(&a, 252, 450);
    assert_int_equal(a.ctx.recheck_day, 255);
    test_run_step(&a, 255, 450);   /* still high: its own recheck moves to 258 */
    assert_int_equal(a.ctx.recheck_day, 257);
    test_run_step(&a, 257, 450);   /* the other's count, seen by the drug too: 260 */
    assert_int_equal(a.ctx.recheck_day, 260);
    test_run_end(&a);
    test_run_end(&b);
}

/* A count below 30 during the taper ends it: one step back up. After the
 * end week a low count is no taper failure but a relapse off treatment:
 * the drug restarts at the start dose. */
static void test_taper_failure(void **state)
{
    (void)state;
    test_run r;
    taper_started(&r);
    assert_true(test_run_step(&r, 126, 29) == 50.0);
    assert_int_equal(TEST_EV(r, TAPER_FAIL), 126);
    assert_int_equal(itp_patient_taper_end(&r.rec, &r.pt), ITP_NEVER);
    test_run_end(&r);

    test_run_start(&r, TAPER);
    for (int day = 0; day < 134; day++)
        test_run_step(&r, day, day % 7 ? -1 : 100);
    assert_int_equal(itp_patient_taper_end(&r.rec, &r.pt), 133);
    assert_true(test_run_step(&r, 168, 30) == 0.0);  /* exactly 30: no failure */
    assert_int_equal(TEST_EV(r, TAPER_UNABLE), ITP_NEVER);  /* off by the end */
    assert_true(test_run_step(&r, 175, 10) == 50.0); /* after week 24: restart */
    assert_int_equal(TEST_EV(r, TAPER_FAIL), ITP_NEVER);
    assert_int_equal(TEST_EV(r, RESTART), 175);
    assert_int_equal(itp_patient_taper_end(&r.rec, &r.pt), 133);
    assert_true(test_run_step(&r, 189, 30) == 75.0); /* titrated from there */
    test_run_end(&r);

    /* From 12.5 mg the taper is one step (off at once); a failure goes
     * back to 12.5, not to 25. */
    test_run_start(&r, TAPER);
    test_run_step(&r, 0, 20);
    assert_true(test_run_step(&r, 7, 250) == 25.0);
    assert_true(test_run_step(&r, 21, 250) == 12.5);
    for (int day = 22; day < 119; day++)
        test_run_step(&r, day, day % 7 ? -1 : 100);
    assert_true(test_run_step(&r, 119, 100) == 0.0);
    assert_int_equal(itp_patient_taper_end(&r.rec, &r.pt), 119);
    assert_true(test_run_step(&r, 133, 25) == 12.5);
    assert_int_equal(TEST_EV(r, TAPER_FAIL), 133);
    test_run_end(&r);
}

/* Still on the drug at the end of the taper (week 24, day 168): unable to
 * taper, whether dosed (not eligible, or the taper failed) or held. */
static void test_taper_unable(void **state)
{
    (void)state;
    test_run r;
    test_run_start(&r, TAPER);
    for (int day = 0; day < 169; day++)   /* baseline 20, then a response */
        test_run_step(&r, day, day % 7 ? -1 : (day == 0 ? 20 : day == 105 ? 40 : 100));
    assert_int_equal(TEST_EV(r, TAPER_INELIGIBLE), 119);
    assert_int_equal(TEST_EV(r, STOP_NO_RESPONSE), ITP_NEVER);
    assert_int_equal(TEST_EV(r, TAPER_UNABLE), 168);
    test_run_end(&r);

    test_run_start(&r, TAPER);
    for (int day = 0; day < 126; day++)
        test_run_step(&r, day, day % 7 ? -1 : 100);
    assert_true(test_run_step(&r, 126, 20) == 50.0); /* taper failed */
    assert_true(test_run_step(&r, 161, 450) == 0.0); /* held on the end day's eve */
    test_run_step(&r, 164, -1);
    assert_true(test_run_step(&r, 168, -1) == 0.0);
    assert_int_equal(TEST_EV(r, TAPER_FAIL), 126);
    assert_int_equal(TEST_EV(r, TAPER_UNABLE), 168);
    test_run_end(&r);
}

/* New ITP therapy stops the drug for good: no dose from that day, nothing
 * to taper, no inability to taper, no restart. */
static void test_new_therapy_stops(void **state)
{
    (void)state;
    test_run r;
    test_run_start(&r, TAPER);
    for (int day = 0; day < 70; day++)
        test_run_step(&r, day, day % 7 ? -1 : 60);
    r.ctx.day = 70;
    r.c->type->stop(r.c->params, &r.ctx, r.st);
    for (int day = 70; day < 250; day++)
        assert_true(test_run_step(&r, day, day % 7 ? -1 : 20) == 0.0);
    assert_int_equal(TEST_EV(r, TAPER_START), ITP_NEVER);
    assert_int_equal(TEST_EV(r, TAPER_INELIGIBLE), ITP_NEVER);
    assert_int_equal(TEST_EV(r, TAPER_UNABLE), ITP_NEVER);
    assert_int_equal(TEST_EV(r, RESTART), ITP_NEVER);
    assert_int_equal(TEST_EV(r, STOP_NO_RESPONSE), ITP_NEVER);
    test_run_end(&r);
}

/* New therapy during the taper (after its first step on day 119, down to
 * 25 mg): the drug stops there; the step due on day 133 is not taken, so
 * no completed taper is recorded, nor an inability to taper at its end. */
static void test_new_therapy_during_taper(void **state)
{
    (void)state;
    test_run r;
    taper_started(&r);
    assert_int_equal(TEST_EV(r, TAPER_START), 119);
    r.ctx.day = 125;
    r.c->type->stop(r.c->params, &r.ctx, r.st);
    for (int day = 125; day < 250; day++)
        assert_true(test_run_step(&r, day, day % 7 ? -1 : 100) == 0.0);
    assert_int_equal(TEST_EV(r, STOP), 125);
    assert_int_equal(TEST_EV(r, TAPER_STEP), 119);
    assert_int_equal(itp_patient_event(&r.rec, &r.pt, ITP_EV_TAPER_STEP, 120), ITP_NEVER);
    assert_int_equal(TEST_EV(r, TAPER_END), ITP_NEVER);
    assert_int_equal(itp_patient_taper_end(&r.rec, &r.pt), ITP_NEVER);
    assert_int_equal(TEST_EV(r, TAPER_UNABLE), ITP_NEVER);
    test_run_end(&r);
}

/* Stopped for no response before the taper: nothing to taper, so neither
 * eligible nor ineligible, and low counts later are no taper failure. */
static void test_stopped_before_taper(void **state)
{
    (void)state;
    test_run r;
    test_run_start(&r, TAPER);
    test_run_step(&r, 0, 10);
    test_run_step(&r, 14, 10);
    assert_true(test_run_step(&r, 42, 10) == 0.0);
    assert_int_equal(TEST_EV(r, STOP_NO_RESPONSE), 42);
    for (int day = 43; day < 200; day++)
        assert_true(test_run_step(&r, day, day % 7 ? -1 : (day < 100 ? 10 : 80)) == 0.0);
    assert_int_equal(TEST_EV(r, TAPER_INELIGIBLE), ITP_NEVER);
    assert_int_equal(TEST_EV(r, TAPER_START), ITP_NEVER);
    assert_int_equal(TEST_EV(r, TAPER_FAIL), ITP_NEVER);
    test_run_end(&r);
}

/* ---- the taper started by response (TAPER) --------------------------------- */

/* TAPER's rule with the taper's default steps: a count >= 100, then 8
 * weeks (56 days) with no count < 70, then -25 mg every 2 weeks to off. */
#define RESP_TAPER "taper = { start = \"response\"; };"

/* No taper is planned on day 0 and none is judged unable: there is no
 * end day. */
static void assert_no_end_events(test_run *r)
{
    assert_int_equal(TEST_EV(*r, TAPER_PLAN), ITP_NEVER);
    assert_int_equal(TEST_EV(*r, TAPER_UNABLE), ITP_NEVER);
}

/* 60 from week 1 (baseline 20), 100 at week 4 (day 28), 80 after: the
 * wait ends on day 28 + 56 = 84 (week 12), the first step: 50 -> 25 mg;
 * the second on day 98: off. Off, a count of 45 (which would raise a dose
 * under titration) leaves the drug off, and the concentration falls day
 * by day. The hook names the day of the next change. */
static void test_response_taper_start(void **state)
{
    (void)state;
    test_run r;
    test_run_start(&r, RESP_TAPER);
    for (int day = 0; day < 28; day++)
        assert_true(test_run_step(&r, day, day % 7 ? -1 : (day ? 60 : 20)) == 50.0);
    assert_true(test_run_step(&r, 28, 100) == 50.0);
    assert_int_equal(r.ctx.wake, 84);
    for (int day = 29; day < 84; day++)
        assert_true(test_run_step(&r, day, day % 7 ? -1 : 80) == 50.0);
    assert_true(test_run_step(&r, 84, 80) == 25.0);
    assert_int_equal(TEST_EV(r, TAPER_START), 84);
    assert_int_equal(TEST_EV(r, TAPER_STEP), 84);
    assert_int_equal(r.ctx.wake, 98);
    for (int day = 85; day < 98; day++)
        assert_true(test_run_step(&r, day, day % 7 ? -1 : 80) == 25.0);
    assert_true(test_run_step(&r, 98, 80) == 0.0);
    assert_int_equal(itp_patient_taper_end(&r.rec, &r.pt), 98);
    assert_int_equal(r.ctx.wake, ITP_FAR_DAY);
    double c_prev = HUGE_VAL, c98 = 0.0;
    for (int day = 98; day < 250; day++) {
        itp_drive d;
        assert_true(test_run_step_drive(&r, day, day % 7 ? -1 : 45, &d) == 0.0);
        assert_true(d.pk[0].rate == 0.0);
        if (day == 98)
            c98 = d.pk[0].c0;
        if (day > 98 && day < 140)
            assert_true(d.pk[0].c0 < c_prev);
        c_prev = d.pk[0].c0;
    }
    assert_true(c98 > 0.0 && c_prev < 1e-6 * c98);
    assert_int_equal(TEST_EV(r, TAPER_FAIL), ITP_NEVER);
    assert_int_equal(TEST_EV(r, RESTART), ITP_NEVER);
    assert_int_equal(TEST_EV(r, TAPER_INELIGIBLE), ITP_NEVER);
    assert_no_end_events(&r);
    test_run_end(&r);
}

static double reset_course(int day)
{
    return day == 0 ? 20 : day < 28 ? 60 : day == 28 || day == 63 ? 100 : day == 42 ? 70
         : day == 49 ? 65 : day == 56 ? 90 : 80;
}

/* What ends the wait. 100 on day 28 starts it; exactly 70 on day 42 does
 * not end it, 65 on day 49 does (no step on day 84), and 90 on day 56 does
 * not start it again (under 100); 100 on day 63 does: first step on day
 * 63 + 56 = 119. A count under 70 on the day the wait ends also ends it
 * (69 on day 84: the taper waits for 100 on day 91, then starts on day
 * 147). A count taken while a rescue acts neither starts the wait (100 on
 * day 28) nor lets it go on (150 on day 56). */
static void test_response_taper_reset(void **state)
{
    (void)state;
    test_run r;
    test_run_start(&r, RESP_TAPER);
    for (int day = 0; day <= 84; day++)
        assert_true(test_run_step(&r, day, day % 7 ? -1 : reset_course(day)) == 50.0);
    for (int day = 85; day < 119; day++)
        test_run_step(&r, day, day % 7 ? -1 : reset_course(day));
    assert_true(test_run_step(&r, 119, 80) == 25.0);
    assert_int_equal(TEST_EV(r, TAPER_START), 119);
    test_run_end(&r);

    test_run_start(&r, RESP_TAPER);
    for (int day = 0; day < 147; day++)
        test_run_step(&r, day, day % 7 ? -1 : day == 0 ? 20 : day == 28 || day == 91 ? 100
                                    : day == 84 ? 69 : 80);
    assert_int_equal(TEST_EV(r, TAPER_START), ITP_NEVER);
    assert_true(test_run_step(&r, 147, 80) == 25.0);
    assert_int_equal(TEST_EV(r, TAPER_START), 147);
    test_run_end(&r);

    test_run_start(&r, RESP_TAPER);
    r.ctx.rescue_until = 35;   /* a rescue acting up to day 34 */
    for (int day = 0; day < 119; day++) {
        if (day == 50)
            r.ctx.rescue_until = 60;   /* another, from day 50 */
        test_run_step(&r, day, day % 7 ? -1 : day == 0 ? 20 : day == 28 || day == 35 || day == 63 ? 100
                                    : day == 56 ? 150 : 80);
    }
    assert_int_equal(TEST_EV(r, TAPER_START), ITP_NEVER);   /* not on day 91 */
    assert_true(test_run_step(&r, 119, 80) == 25.0);
    assert_int_equal(TEST_EV(r, TAPER_START), 119);
    test_run_end(&r);
}

/* Never 100 (99 for a year): no taper, nothing recorded of one, no day to
 * wake for. With latest_start_week = 20 (day 140): a wait from 100 on day
 * 98 would end on day 154, so the patient is recorded ineligible on day
 * 140 and titration goes on; a wait from day 84 ends on day 140 itself and
 * the taper starts. */
static void test_response_taper_never(void **state)
{
    (void)state;
    test_run r;
    test_run_start(&r, RESP_TAPER);
    for (int day = 0; day < 365; day++)
        assert_true(test_run_step(&r, day, day % 7 ? -1 : (day ? 99 : 20)) == 50.0);
    assert_int_equal(r.ctx.wake, ITP_FAR_DAY);
    assert_int_equal(TEST_EV(r, TAPER_START), ITP_NEVER);
    assert_int_equal(TEST_EV(r, TAPER_INELIGIBLE), ITP_NEVER);
    assert_int_equal(r.rec.n_events, 0);
    assert_no_end_events(&r);
    test_run_end(&r);

#define RESP_LATEST "taper = { start = \"response\"; latest_start_week = 20.0; };"
    test_run_start(&r, RESP_LATEST);
    for (int day = 0; day < 98; day++)
        test_run_step(&r, day, day % 7 ? -1 : (day ? 80 : 20));
    assert_true(test_run_step(&r, 98, 100) == 50.0);
    assert_int_equal(r.ctx.wake, 140);
    for (int day = 99; day <= 140; day++)
        assert_true(test_run_step(&r, day, day % 7 ? -1 : 80) == 50.0);
    assert_int_equal(TEST_EV(r, TAPER_INELIGIBLE), 140);
    assert_true(test_run_step(&r, 147, 250) == 25.0);   /* titration goes on */
    assert_int_equal(TEST_EV(r, TAPER_START), ITP_NEVER);
    assert_no_end_events(&r);
    test_run_end(&r);

    test_run_start(&r, RESP_LATEST);
    for (int day = 0; day < 140; day++)
        test_run_step(&r, day, day % 7 ? -1 : day == 0 ? 20 : day == 84 ? 100 : 80);
    assert_true(test_run_step(&r, 140, 80) == 25.0);
    assert_int_equal(TEST_EV(r, TAPER_START), 140);
    assert_int_equal(TEST_EV(r, TAPER_INELIGIBLE), ITP_NEVER);
    test_run_end(&r);
}

/* Steps down from 50 mg on day 84 (to 25), off on day 98, as in
 * test_response_taper_start. A count under 30 on day 91, while stepping
 * down, fails the taper: one step back up (50 mg), titrated from there,
 * and no second taper. Once off, a count under 30 is a relapse (exactly
 * 30 is not): the drug restarts at 50 mg (day 126), titrated from there
 * (< 50 two weeks later: 75 mg); the completed taper stands. */
static void test_response_taper_relapse(void **state)
{
    (void)state;
    test_run r;
    test_run_start(&r, RESP_TAPER);
    for (int day = 0; day < 91; day++)
        test_run_step(&r, day, day % 7 ? -1 : day == 0 ? 20 : day < 28 ? 60 : day == 28 ? 100 : 80);
    assert_true(test_run_step(&r, 91, 29) == 50.0);
    assert_int_equal(TEST_EV(r, TAPER_FAIL), 91);
    assert_true(test_run_step(&r, 98, 100) == 50.0);    /* no step on day 98 */
    assert_true(test_run_step(&r, 105, 250) == 25.0);   /* titration */
    for (int day = 106; day < 300; day++)
        test_run_step(&r, day, day % 7 ? -1 : 120);
    assert_int_equal(itp_patient_event(&r.rec, &r.pt, ITP_EV_TAPER_START, 85), ITP_NEVER);
    assert_int_equal(itp_patient_taper_end(&r.rec, &r.pt), ITP_NEVER);
    test_run_end(&r);

    test_run_start(&r, RESP_TAPER);
    for (int day = 0; day < 119; day++)
        test_run_step(&r, day, day % 7 ? -1 : day == 0 ? 20 : day < 28 ? 60 : day == 28 ? 100 : 80);
    assert_int_equal(itp_patient_taper_end(&r.rec, &r.pt), 98);
    assert_true(test_run_step(&r, 119, 30) == 0.0);   /* exactly 30: no relapse */
    assert_true(test_run_step(&r, 126, 29) == 50.0);
    assert_int_equal(TEST_EV(r, RESTART), 126);
    assert_int_equal(TEST_EV(r, TAPER_FAIL), ITP_NEVER);
    assert_true(test_run_step(&r, 140, 29) == 75.0);
    assert_int_equal(itp_patient_taper_end(&r.rec, &r.pt), 98);
    assert_no_end_events(&r);
    test_run_end(&r);
}

/* A course through a taper started by response after 7.5 weeks (53
 * days), so that its days are no visit days: 100 from week 1, 65 on day
 * 35 (the wait ends), 100 again on day 42 (steps on days 95 and 109), a
 * relapse on day 140 (restarted), a hold on day 161 (rechecked twice
 * weekly with 100: resumed one level lower). */
static double response_wake_course(int day)
{
    return day == 0 ? 20 : day == 35 ? 65 : day == 140 ? 20 : day == 161 ? 450 : 100;
}

/* The hook called only on the days the model calls it gives the doses,
 * concentrations and events of one called every day (see wake_compare):
 * the taper's start, decided at a count, is the day it names. */
static void test_response_wake_days_suffice(void **state)
{
    (void)state;
    test_run a, b;
#define RESP_TAPER_53 "taper = { start = \"response\"; stable_weeks = 7.5; };"
    test_run_start(&a, RESP_TAPER_53);
    test_run_start(&b, RESP_TAPER_53);
    assert_true(wake_compare(&a, &b, response_wake_course, 300) < 70);
    assert_int_equal(TEST_EV(a, TAPER_START), 95);
    assert_int_equal(itp_patient_taper_end(&a.rec, &a.pt), 109);
    assert_int_equal(TEST_EV(a, RESTART), 140);
    assert_int_equal(TEST_EV(a, HOLD), 161);
    assert_int_equal(TEST_EV(a, RESUME), 164);
    test_run_end(&a);
    test_run_end(&b);
}

/* ---- a fixed course: stop_week ------------------------------------------------ */

/* stop_week = 12: 50 mg to day 83, none from day 84 (logged as the
 * course's end), the concentration falling from then on; counts of 20
 * after it neither raise a dose nor stop the drug for no response. The
 * hook wakes on the stop day. */
static void test_stop_week(void **state)
{
    (void)state;
    test_run r;
    test_run_start(&r, "stop_week = 12.0;");
    for (int day = 0; day < 84; day++)
        assert_true(test_run_step(&r, day, day % 7 ? -1 : (day ? 60 : 20)) == 50.0);
    assert_int_equal(r.ctx.wake, 84);
    double c_prev = HUGE_VAL, c84 = 0.0;
    for (int day = 84; day < 250; day++) {
        itp_drive d;
        assert_true(test_run_step_drive(&r, day, day % 7 ? -1 : 20, &d) == 0.0);
        assert_true(d.pk[0].rate == 0.0);
        if (day == 84)
            c84 = d.pk[0].c0;
        if (day > 84 && day < 126)
            assert_true(d.pk[0].c0 < c_prev);
        c_prev = d.pk[0].c0;
    }
    assert_true(c84 > 0.0 && c_prev < 1e-6 * c84);
    assert_int_equal(TEST_EV(r, COURSE_END), 84);
    assert_int_equal(TEST_EV(r, STOP_NO_RESPONSE), ITP_NEVER);
    assert_int_equal(TEST_EV(r, STOP), ITP_NEVER);
    assert_int_equal(r.rec.n_events, 1);
    test_run_end(&r);
}

/* A remission whose onset (weeks 4-6 here) falls after the stop does not
 * come (stop_week = 1: cancelled on day 7); one under way at the stop
 * stays (stop_week = 10). */
static void test_stop_week_remission(void **state)
{
    (void)state;
#define SURE_REMISSION "nonresponder_prob = 0.0; remission_prob = 1.0; " \
                       "remission_onset_from_week = 4.0; remission_onset_to_week = 6.0; "
    test_run r;
    test_run_start(&r, SURE_REMISSION "stop_week = 1.0;");
    assert_int_equal(r.ctx.n_mech, 1);
    int onset = r.ctx.mech[0].onset;
    assert_true(onset >= 28 && onset <= 42 && r.ctx.mech[0].end > onset);
    for (int day = 0; day <= 7; day++)
        test_run_step(&r, day, day % 7 ? -1 : (day ? 60 : 20));
    assert_int_equal(TEST_EV(r, COURSE_END), 7);
    assert_int_equal(r.ctx.mech[0].end, onset);
    test_run_end(&r);

    test_run_start(&r, SURE_REMISSION "stop_week = 10.0;");
    int end = r.ctx.mech[0].end;
    for (int day = 0; day <= 100; day++)
        test_run_step(&r, day, day % 7 ? -1 : (day ? 60 : 20));
    assert_int_equal(TEST_EV(r, COURSE_END), 70);
    assert_int_equal(r.ctx.mech[0].end, end);
    test_run_end(&r);
}

/* A patient already off at stop_week stays as they were (nothing logged):
 * stopped for no response on day 42; tapered off by day 133 (VAYHIT2's
 * taper, stop_week 30: day 210), except that a relapse after the stop
 * restarts nothing. One still on the drug at stop_week (not eligible for
 * the taper, unable to taper on day 168) stops then. */
static void test_stop_week_already_off(void **state)
{
    (void)state;
    test_run r;
    test_run_start(&r, "stop_week = 12.0;");
    test_run_step(&r, 0, 10);
    test_run_step(&r, 14, 10);
    assert_true(test_run_step(&r, 42, 10) == 0.0);
    assert_int_equal(TEST_EV(r, STOP_NO_RESPONSE), 42);
    for (int day = 43; day < 120; day++)
        assert_true(test_run_step(&r, day, day % 7 ? -1 : 10) == 0.0);
    assert_int_equal(TEST_EV(r, COURSE_END), ITP_NEVER);
    test_run_end(&r);

    test_run_start(&r, TAPER " stop_week = 30.0;");
    for (int day = 0; day < 217; day++)
        test_run_step(&r, day, day % 7 ? -1 : 100);
    assert_int_equal(itp_patient_taper_end(&r.rec, &r.pt), 133);
    assert_true(test_run_step(&r, 217, 10) == 0.0);   /* no restart after the stop */
    assert_int_equal(TEST_EV(r, RESTART), ITP_NEVER);
    assert_int_equal(TEST_EV(r, COURSE_END), ITP_NEVER);
    test_run_end(&r);

    test_run_start(&r, TAPER " stop_week = 30.0;");
    for (int day = 0; day < 210; day++)
        test_run_step(&r, day, day % 7 ? -1 : (day == 0 ? 20 : day == 105 ? 40 : 100));
    assert_int_equal(TEST_EV(r, TAPER_INELIGIBLE), 119);
    assert_int_equal(TEST_EV(r, TAPER_UNABLE), 168);
    assert_true(test_run_step(&r, 210, 100) == 0.0);
    assert_int_equal(TEST_EV(r, COURSE_END), 210);
    test_run_end(&r);
}

/* ---- the B-cell antibody ---------------------------------------------------- */

/* A cohort of n patients started on the antibody `ab` of a scenario with
 * that component text; stop_day >= 0 stops it (new therapy) on that day.
 * Counts the patients with a remission (a mechanism with end > onset), and
 * gives each patient's first mechanism in mech[i] when mech is not NULL. */
static double ab_log_odds;   /* the cohort's population (0: the reference) */

static int ab_cohort(const char *ab, int n, int stop_day, itp_mechanism *mech)
{
    char text[2048], err[1024];
    snprintf(text, sizeof text,
             "patients = 10;\n"
             "arms = ( { name = \"a\"; treatments = [\"ab\"]; } );\n"
             "enrolment = { duration_months = 1.0; };\n"
             "followup = { max_months = 24.0; cut_months = 24.0; };\n"
             "visits = ( { from_week = 0; every_weeks = 1; } );\n"
             "components = { ab = { type = \"bcell_antibody\"; %s }; };\n", ab);
    itp_scenario *scn = test_load(text, err, sizeof err);
    assert_non_null(scn);
    test_cohort_opts o = {.seed = 5, .log_odds = ab_log_odds, .stop_day = stop_day};
    int remit = test_cohort(scn, &scn->components[0], n, &o, mech);
    itp_scenario_free(scn);
    return remit;
}

/* emax E / (ed50 + E) with the test's settings (Hill 1). */
static double emax_prob(double e)
{
    return 0.5 * e / (20.0 + e);
}

#define AB_PARAMS "emax = 0.5; ed50_total_mg_kg = 20.0; hill = 1.0; "

/* Exposure: a fifth infusion raises the remission share to p(45 mg/kg); a
 * fifth one after the end of follow-up (week 900) is refused when the
 * scenario is read, naming infusion_weeks (it could not act in the trial);
 * infusions stopped by new therapy on day 10 leave the exposure of the
 * first only. Each share within 5 Monte Carlo SE of the Emax model's. */
static void test_bcell_exposure(void **state)
{
    (void)state;
    const int n = 40000;
    int r4 = ab_cohort(AB_PARAMS "dose_mg_kg = 9.0; infusion_weeks = [0, 4, 8, 12];", n, -1, NULL);
    int r5 = ab_cohort(AB_PARAMS "dose_mg_kg = 9.0; infusion_weeks = [0, 4, 8, 12, 16];", n, -1,
                       NULL);
    char err[1024] = "";
    itp_scenario *late = test_load("patients = 10;\n"
                                   "arms = ( { name = \"a\"; treatments = [\"ab\"]; } );\n"
                                   "enrolment = { duration_months = 1.0; };\n"
                                   "followup = { max_months = 24.0; cut_months = 24.0; };\n"
                                   "visits = ( { from_week = 0; every_weeks = 1; } );\n"
                                   "components = { ab = { type = \"bcell_antibody\"; "
                                   "dose_mg_kg = 9.0; infusion_weeks = [0, 4, 8, 12, 900]; }; };\n",
                                   err, sizeof err);
    assert_null(late);
    assert_non_null(strstr(err, "components.ab.infusion_weeks: starts on day 6300 (week 900), on "
                                "or after the end of follow-up"));
    int rstop = ab_cohort(AB_PARAMS "dose_mg_kg = 9.0; infusion_weeks = [0, 4, 8, 12];", n, 10,
                          NULL);
    double p4 = emax_prob(36.0), p5 = emax_prob(45.0), p1 = emax_prob(9.0);
    assert_true(fabs((double)r4 / n - p4) < 5 * sqrt(p4 * (1 - p4) / n));
    assert_true(fabs((double)r5 / n - p5) < 5 * sqrt(p5 * (1 - p5) / n));
    assert_true(r5 > r4);
    /* onset is at least 3 weeks after the first infusion: none by day 10 */
    assert_true(fabs((double)rstop / n - p1) < 5 * sqrt(p1 * (1 - p1) / n));
}

/* Onset counts from the first infusion; B cells return after the last
 * infusion given, later for a larger dose (recovery 240 days at 9 mg/kg,
 * 28 days less per halving: 195.6 days at 3 mg/kg). With no spread and a
 * fast relapse the remission ends within two days of the B-cell return. */
static void test_bcell_onset_and_recovery(void **state)
{
    (void)state;
    itp_mechanism m9, m3, late;
#define AB_FAST "emax = 1.0; ed50_total_mg_kg = 0.001; recovery_logsd = 0.0; " \
                "relapse_per_month = 100.0; "
    ab_cohort(AB_FAST "dose_mg_kg = 9.0; infusion_weeks = [0, 4, 8, 12];", 1, -1, &m9);
    ab_cohort(AB_FAST "dose_mg_kg = 3.0; infusion_weeks = [0, 4, 8, 12];", 1, -1, &m3);
    ab_cohort(AB_FAST "dose_mg_kg = 9.0; infusion_weeks = [10, 14, 18, 22];", 1, -1, &late);
    assert_true(m9.onset >= 21 && m9.onset <= 70);
    assert_true(late.onset == m9.onset + 70);
    assert_true(m9.end - 84 >= 240 && m9.end - 84 <= 242);
    assert_true(m3.end - 84 >= 195 && m3.end - 84 <= 197);
}

/* Doses written flat (1 g at 80 kg) or per body surface area (375 mg/m2
 * at 1.6 m2 and 64 kg) are the same as 12.5 and 9.375 mg/kg, patient by
 * patient; two forms at once are refused. */
static void test_bcell_dose_forms(void **state)
{
    (void)state;
    enum { N = 2000 };
    static itp_mechanism a[N], b[N];
#define RTX AB_PARAMS "drug = \"rituximab\"; "
    ab_cohort(RTX "weight_kg = 80.0; dose_mg = 1000.0; infusion_weeks = [0, 2];", N, -1, a);
    ab_cohort(RTX "dose_mg_kg = 12.5; infusion_weeks = [0, 2];", N, -1, b);
    assert_memory_equal(a, b, sizeof a);
    ab_cohort(RTX "weight_kg = 64.0; bsa_m2 = 1.6; dose_mg_m2 = 375.0; "
                  "infusion_weeks = [0, 1, 2, 3];", N, -1, a);
    ab_cohort(RTX "dose_mg_kg = 9.375; infusion_weeks = [0, 1, 2, 3];", N, -1, b);
    assert_memory_equal(a, b, sizeof a);
    char err[1024];
    itp_scenario *scn = test_load(
        "patients = 10;\n"
        "arms = ( { name = \"a\"; treatments = [\"ab\"]; } );\n"
        "components = { ab = { type = \"bcell_antibody\"; drug = \"rituximab\"; "
        "dose_mg = 1000.0; dose_mg_m2 = 375.0; infusion_weeks = [0, 2]; }; };\n",
        err, sizeof err);
    assert_null(scn);
    assert_non_null(strstr(err, "components.ab.dose_mg_m2"));
    assert_non_null(strstr(err, "not dose_mg and dose_mg_m2"));
#undef RTX
}

/* A population's odds ratio multiplies the odds of a treatment's
 * remission: p = 0.5 at odds ratio 4 gives 0.8, at 1/4 gives 0.2; 0 and 1
 * stay. In a cohort of 40,000 on 4 x 9 mg/kg (p = 9/28 in the reference
 * population) the share at odds ratio 4 is 36/55 within 5 Monte Carlo
 * SE. */
static void test_population_odds(void **state)
{
    (void)state;
    itp_patient_ctx ctx = {.remission_log_odds = log(4.0)};
    assert_true(fabs(itp_ctx_remission_prob(&ctx, 0.5) - 0.8) < 1e-12);
    assert_true(itp_ctx_remission_prob(&ctx, 0.0) == 0.0);
    assert_true(itp_ctx_remission_prob(&ctx, 1.0) == 1.0);
    ctx.remission_log_odds = -log(4.0);
    assert_true(fabs(itp_ctx_remission_prob(&ctx, 0.5) - 0.2) < 1e-12);
    ctx.remission_log_odds = 0.0;
    assert_true(itp_ctx_remission_prob(&ctx, 0.3) == 0.3);

    const int n = 40000;
    int r1 = ab_cohort(AB_PARAMS "dose_mg_kg = 9.0; infusion_weeks = [0, 4, 8, 12];", n, -1, NULL);
    ab_log_odds = log(4.0);
    int r4 = ab_cohort(AB_PARAMS "dose_mg_kg = 9.0; infusion_weeks = [0, 4, 8, 12];", n, -1, NULL);
    ab_log_odds = 0.0;
    double p1 = emax_prob(36.0), p4 = 36.0 / 55.0;
    assert_true(fabs(p1 - 9.0 / 28.0) < 1e-12);
    assert_true(fabs((double)r1 / n - p1) < 5 * sqrt(p1 * (1 - p1) / n));
    assert_true(fabs((double)r4 / n - p4) < 5 * sqrt(p4 * (1 - p4) / n));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_label_titration),
        cmocka_unit_test(test_stop_without_response),
        cmocka_unit_test(test_no_stop_after_response),
        cmocka_unit_test(test_taper_unable),
        cmocka_unit_test(test_new_therapy_during_taper),
        cmocka_unit_test(test_new_therapy_stops),
        cmocka_unit_test(test_bcell_exposure),
        cmocka_unit_test(test_bcell_onset_and_recovery),
        cmocka_unit_test(test_bcell_dose_forms),
        cmocka_unit_test(test_population_odds),
        cmocka_unit_test(test_taper_steps_on_schedule),
        cmocka_unit_test(test_taper_from_maximum),
        cmocka_unit_test(test_taper_ineligible),
        cmocka_unit_test(test_taper_failure),
        cmocka_unit_test(test_wake_days_suffice),
        cmocka_unit_test(test_stopped_before_taper),
        cmocka_unit_test(test_response_taper_start),
        cmocka_unit_test(test_response_taper_reset),
        cmocka_unit_test(test_response_taper_never),
        cmocka_unit_test(test_response_taper_relapse),
        cmocka_unit_test(test_response_wake_days_suffice),
        cmocka_unit_test(test_stop_week),
        cmocka_unit_test(test_stop_week_remission),
        cmocka_unit_test(test_stop_week_already_off),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
