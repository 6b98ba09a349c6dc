/* Dose titration and taper rules shared by the dosed components (see
 * dosing.h for the rules and their sources; a taper's settings are read in
 * taper.c). */
#include "itpsim/dosing.h"

#include <math.h>
#include <stdio.h>
#include <string.h>
#include "itpsim/record.h"

/* ---- settings ------------------------------------------------------------ */

/* The index of the dose level equal to x (to rounding: levels written as
 * decimals of fractions), or -1. */
static int level_index(const itp_titration *t, double x)
{
    for (int i = 0; i < t->n_levels; i++)
        if (fabs(x - t->level[i]) <= 1e-9 * t->level[i])
            return i;
    return -1;
}

/* Explicit dose levels: increasing, the start (unless 0) and the maximum
 * among them (taken as those levels exactly); the lowest is the minimum. */
static itp_status check_levels(itp_reader *rd, const config_setting_t *g, const char *d,
                               const char *start, const char *max, const char *levels,
                               const config_setting_t *where, itp_titration *t)
{
    for (int i = 1; i < t->n_levels; i++)
        if (!(t->level[i] > t->level[i - 1]))
            return itp_rd_fail(rd, config_setting_get_elem(where, (unsigned)i),
                               "expected increasing %s, got %g after %g", levels, t->level[i],
                               t->level[i - 1]);
    int is = level_index(t, t->start), im = level_index(t, t->max);
    if (t->start > 0.0 && is < 0)
        return itp_rd_fail(rd, itp_rd_where(rd, g, d, start),
                           "expected %s 0 or one of %s, got %g", start, levels, t->start);
    if (im < 0)
        return itp_rd_fail(rd, itp_rd_where(rd, g, d, max), "expected %s one of %s, got %g",
                           max, levels, t->max);
    if (t->start > t->max)
        return itp_rd_fail(rd, itp_rd_where(rd, g, d, start), "expected %s <= %s (%g), got %g",
                           start, max, t->max, t->start);
    if (is >= 0)
        t->start = t->level[is];
    t->max = t->level[im];
    t->min = t->level[0];
    t->step = 0.0;
    return ITP_OK;
}

itp_status itp_titration_parse(itp_reader *rd, const config_setting_t *g, const char *d,
                               const char *unit, itp_titration *t)
{
    char start[48], max[48], min[48], step[48], levels[48];
    const config_setting_t *where;
    itp_status st;
    snprintf(start, sizeof start, "start_dose_%s", unit);
    snprintf(max, sizeof max, "max_dose_%s", unit);
    snprintf(min, sizeof min, "min_dose_%s", unit);
    snprintf(step, sizeof step, "dose_step_%s", unit);
    snprintf(levels, sizeof levels, "dose_levels_%s", unit);
    if ((st = itp_rd_double(rd, g, d, start, ITP_CLOSED(0, 1e4), &t->start)) ||
        (st = itp_rd_double(rd, g, d, max, ITP_POSITIVE(1e4), &t->max)) ||
        (st = itp_rd_array_def(rd, g, d, levels, ITP_POSITIVE(1e4), t->level,
                               ITP_MAX_DOSE_LEVELS, &t->n_levels, &where)))
        return st;
    if (t->n_levels) {
        if ((st = check_levels(rd, g, d, start, max, levels, where, t)))
            return st;
    } else if ((st = itp_rd_double(rd, g, d, min, ITP_POSITIVE(1e4), &t->min)) ||
               (st = itp_rd_double(rd, g, d, step, ITP_POSITIVE(1e4), &t->step))) {
        return st;
    }
    if ((st = itp_rd_double(rd, g, d, "increase_below", ITP_CLOSED(0, 1e4), &t->increase_below)) ||
        (st = itp_rd_double(rd, g, d, "decrease_from", ITP_CLOSED(0, 1e4), &t->decrease_from)) ||
        (st = itp_rd_double(rd, g, d, "hold_above", ITP_CLOSED(0, 1e4), &t->hold_above)) ||
        (st = itp_rd_double(rd, g, d, "restart_below", ITP_CLOSED(0, 1e4), &t->restart_below)) ||
        (st = itp_rd_int(rd, g, d, "days_between_changes", 0, 365, &t->days_between)) ||
        (st = itp_rd_int(rd, g, d, "decrease_wait_days", 0, 365, &t->decrease_wait)) ||
        (st = itp_rd_int(rd, g, d, "hold_recheck_days", 1, 365, &t->recheck_days)))
        return st;
    /* read only for a drug that has it (0: a decrease at the first high count) */
    t->decrease_after = 0;
    if (itp_rd_given(rd, g, d, "decrease_after_days") &&
        (st = itp_rd_int(rd, g, d, "decrease_after_days", 0, 365, &t->decrease_after)))
        return st;
    if (!t->n_levels &&
        (t->min > t->max || t->start > t->max || (t->start > 0.0 && t->start < t->min)))
        return itp_rd_fail(rd, g, "expected %s <= %s <= %s (got %g, %g, %g)", min, start, max,
                           t->min, t->start, t->max);
    if (!(t->increase_below < t->decrease_from && t->decrease_from <= t->hold_above &&
          t->restart_below <= t->hold_above))
        return itp_rd_fail(rd, g, "expected increase_below < decrease_from <= hold_above "
                           "and restart_below <= hold_above");
    return ITP_OK;
}


/* ---- titration ----------------------------------------------------------- */

/* The explicit levels: the lowest above dose (-1: none), the highest
 * below it (-1: none). */
static int above(const double *level, int n, double dose)
{
    for (int i = 0; i < n; i++)
        if (level[i] > dose * (1.0 + 1e-9))
            return i;
    return -1;
}

static int below(const double *level, int n, double dose)
{
    for (int i = n - 1; i >= 0; i--)
        if (level[i] < dose * (1.0 - 1e-9))
            return i;
    return -1;
}

/* The dose ladder: min, then the multiples of step up to max; or the
 * explicit levels up to max. */
static double level_up(const itp_titration *t, double dose)
{
    if (t->n_levels) {
        int i = above(t->level, t->n_levels, dose);
        return i < 0 ? t->max : fmin(t->level[i], t->max);
    }
    if (dose < t->min)
        return t->min;
    double up = (floor(dose / t->step + 1e-9) + 1.0) * t->step;
    return fmin(up, t->max);
}

static double level_down(const itp_titration *t, double dose)
{
    if (t->n_levels) {
        int i = below(t->level, t->n_levels, dose);
        return i < 0 ? t->min : t->level[i];
    }
    double down = (ceil(dose / t->step - 1e-9) - 1.0) * t->step;
    return fmax(down, t->min);
}

void itp_dose_start(const itp_titration *t, itp_dose_state *s)
{
    s->dose = t->start;
    s->held = 0;
    s->last_change = 0;
    s->last_decrease = -t->decrease_wait;
    s->at_max_since = t->start >= t->max ? 0 : -1;
    s->high_since = -1;
}

void itp_dose_set(const itp_titration *t, itp_dose_state *s, itp_patient_ctx *ctx, int kind,
                  double dose)
{
    int day = ctx->day;
    if (dose < s->dose)
        s->last_decrease = day;
    s->dose = dose;
    s->last_change = day;
    s->high_since = -1;
    if (dose >= t->max) {
        if (s->at_max_since < 0)
            s->at_max_since = day;
    } else {
        s->at_max_since = -1;
    }
    itp_ctx_event(ctx, kind, dose);
}

void itp_dose_off(itp_dose_state *s)
{
    s->held = 0;
    s->dose = 0.0;
    s->at_max_since = -1;
}

void itp_dose_titrate(const itp_titration *t, itp_dose_state *s, itp_patient_ctx *ctx,
                      double count)
{
    int day = ctx->day;
    if (s->held) {
        if (count < t->restart_below) {
            /* one level below the dose before the hold: a decrease from
             * it, for the wait before the next one */
            s->held = 0;
            s->dose = s->dose_before_hold;
            itp_dose_set(t, s, ctx, ITP_EV_RESUME, level_down(t, s->dose_before_hold));
        } else {
            itp_ctx_recheck(ctx, day + t->recheck_days);
        }
        return;
    }
    if (count > t->hold_above) {
        s->held = 1;
        s->dose_before_hold = s->dose;
        s->dose = 0.0;
        s->last_change = day;
        s->at_max_since = -1;
        s->high_since = -1;
        itp_ctx_recheck(ctx, day + t->recheck_days);
        itp_ctx_event(ctx, ITP_EV_HOLD, 0.0);
        return;
    }
    if (count >= t->decrease_from) {
        if (s->high_since < 0)
            s->high_since = day;
        if (s->dose > t->min && day - s->last_decrease >= t->decrease_wait &&
            day - s->high_since >= t->decrease_after)
            itp_dose_set(t, s, ctx, ITP_EV_DOSE, level_down(t, s->dose));
        return;
    }
    s->high_since = -1;
    if (count < t->increase_below && s->dose < t->max &&
        day - s->last_change >= t->days_between)
        itp_dose_set(t, s, ctx, ITP_EV_DOSE, level_up(t, s->dose));
}

/* ---- taper --------------------------------------------------------------- */

/* A taper step down (to 0 below the lowest level) and back up. */
static double taper_down(const itp_taper *tp, double dose)
{
    if (tp->n_levels) {
        int i = below(tp->level, tp->n_levels, dose);
        return i < 0 ? 0.0 : tp->level[i];
    }
    return dose - tp->step;
}

static double taper_up(const itp_taper *tp, double dose)
{
    if (tp->n_levels) {
        int i = above(tp->level, tp->n_levels, dose);
        return i < 0 ? tp->level[tp->n_levels - 1] : tp->level[i];
    }
    return dose + tp->step;
}

/* A taper started by response, before it starts: a count >= resp_count
 * starts the wait (the taper's start stable_days later), a count below
 * stable_min or one a rescue acts on ends it. Counts before resp_from are
 * not judged. */
static void response_wait(const itp_taper *tp, itp_taper_state *s, const itp_patient_ctx *ctx,
                          double count)
{
    int day = ctx->day;
    if (day < tp->resp_from)
        return;
    int rescued = day < ctx->rescue_until;
    if (s->planned && (count < tp->stable_min || rescued))
        s->planned = 0;
    else if (!s->planned && !rescued && count >= tp->resp_count)
        s->planned = day + tp->stable_days;
}

int itp_taper_observe(const itp_titration *t, const itp_taper *tp, itp_dose_state *d,
                      itp_taper_state *s, itp_patient_ctx *ctx, double count, int scheduled,
                      int stopped)
{
    int day = ctx->day;
    if (tp->on && scheduled && s->phase == ITP_TAPER_BEFORE)
        for (int i = 0; i < tp->n_elig; i++)
            if (day == tp->elig_week[i] * 7 && count >= tp->elig_min)
                s->elig_passed++;
    if (tp->on && tp->by_response && s->phase == ITP_TAPER_BEFORE && !stopped)
        response_wait(tp, s, ctx, count);
    if (stopped)
        return 1;
    int tapering = s->phase == ITP_TAPER_ON || s->phase == ITP_TAPER_OFF;
    /* A taper started by response has no end day: it can fail while it
     * steps down, and once off a low count is a relapse. */
    int end = !tp->by_response ? tp->end : s->phase == ITP_TAPER_ON ? ITP_FAR_DAY : -1;
    if (tapering && day <= end && count < tp->fail_below) {
        /* Taper failed: one step back up (not above the dose it started
         * from) and titration from there. */
        s->phase = ITP_TAPER_AFTER;
        itp_ctx_event(ctx, ITP_EV_TAPER_FAIL, count);
        itp_dose_set(t, d, ctx, ITP_EV_DOSE, fmin(taper_up(tp, d->dose), s->from));
        return 1;
    }
    if (s->phase == ITP_TAPER_OFF && day > end && count < tp->restart_below) {
        /* Relapse after a completed taper: restart at the start dose. */
        s->phase = ITP_TAPER_AFTER;
        itp_dose_set(t, d, ctx, ITP_EV_RESTART, t->start);
        return 1;
    }
    return tapering;
}

/* The taper starts today, its first step today (a held patient tapers from
 * the dose before the hold). */
static void taper_begin(itp_dose_state *d, itp_taper_state *s, itp_patient_ctx *ctx)
{
    s->phase = ITP_TAPER_ON;
    if (d->held) {
        d->held = 0;
        d->dose = d->dose_before_hold;
    }
    s->from = d->dose;
    s->next_step = ctx->day;
    itp_ctx_event(ctx, ITP_EV_TAPER_START, d->dose);
}

/* A step down today; off after the last. */
static void taper_step(const itp_taper *tp, itp_dose_state *d, itp_taper_state *s,
                       itp_patient_ctx *ctx)
{
    d->dose = taper_down(tp, d->dose);
    s->next_step += tp->step_days;
    if (d->dose <= 1e-9) {
        d->dose = 0.0;
        s->phase = ITP_TAPER_OFF;
        itp_ctx_event(ctx, ITP_EV_TAPER_END, 0.0);
    } else {
        itp_ctx_event(ctx, ITP_EV_TAPER_STEP, d->dose);
    }
}

/* The day of a taper started by response: its start on the day the wait
 * ends, or not eligible on latest_start; its steps. No plan on day 0 and
 * no inability to taper (there is no end day). Stopped for good before or
 * during it: nothing (more) to taper, and no completed taper. */
static void response_day(const itp_taper *tp, itp_dose_state *d, itp_taper_state *s,
                         itp_patient_ctx *ctx, int stopped)
{
    int day = ctx->day;
    if (stopped) {
        if (s->phase == ITP_TAPER_BEFORE || s->phase == ITP_TAPER_ON)
            s->phase = ITP_TAPER_AFTER;
        return;
    }
    if (s->phase == ITP_TAPER_BEFORE && s->planned && day >= s->planned) {
        taper_begin(d, s, ctx);
    } else if (s->phase == ITP_TAPER_BEFORE && tp->latest_start >= 0 && day >= tp->latest_start) {
        s->phase = ITP_TAPER_AFTER;
        itp_ctx_event(ctx, ITP_EV_TAPER_INELIGIBLE, 0.0);
    }
    if (s->phase == ITP_TAPER_ON && day == s->next_step)
        taper_step(tp, d, s, ctx);
}

void itp_taper_day(const itp_taper *tp, itp_dose_state *d, itp_taper_state *s,
                   itp_patient_ctx *ctx, int stopped)
{
    int day = ctx->day;
    if (tp->on && tp->by_response) {
        response_day(tp, d, s, ctx, stopped);
        return;
    }
    if (!tp->on || (s->phase != ITP_TAPER_ON && day != 0 && day != tp->start && day != tp->end))
        return;   /* nothing to do today (the common case) */
    if (stopped && s->phase == ITP_TAPER_ON) {
        /* stopped for good during the taper (new therapy): no more steps,
         * and no completed taper */
        s->phase = ITP_TAPER_AFTER;
        return;
    }
    if (day == 0)
        itp_ctx_event(ctx, ITP_EV_TAPER_PLAN, tp->end);
    if (s->phase == ITP_TAPER_BEFORE && day == tp->start && stopped) {
        /* Already off the drug (stopped for no response or by new
         * therapy): nothing to taper, and no inability to stop it. */
        s->phase = ITP_TAPER_OFF;
    } else if (s->phase == ITP_TAPER_BEFORE && day == tp->start) {
        if (s->elig_passed == tp->n_elig) {
            taper_begin(d, s, ctx);
        } else {
            s->phase = ITP_TAPER_AFTER;
            itp_ctx_event(ctx, ITP_EV_TAPER_INELIGIBLE, 0.0);
        }
    }
    if (s->phase == ITP_TAPER_ON && day == s->next_step)
        taper_step(tp, d, s, ctx);
    if (day == tp->end && !stopped && s->phase != ITP_TAPER_OFF)
        itp_ctx_event(ctx, ITP_EV_TAPER_UNABLE, d->dose);
}

int itp_taper_next(const itp_taper *tp, const itp_taper_state *s, int day)
{
    int next = ITP_FAR_DAY;
    if (!tp->on)
        return next;
    if (tp->by_response) {   /* the wait's end, or the latest start */
        if (s->phase == ITP_TAPER_BEFORE && s->planned > day)
            next = s->planned;
        if (s->phase == ITP_TAPER_BEFORE && tp->latest_start > day && tp->latest_start < next)
            next = tp->latest_start;
    } else {
        if (tp->start > day)
            next = tp->start;
        if (tp->end > day && tp->end < next)
            next = tp->end;
    }
    if (s->phase == ITP_TAPER_ON && s->next_step > day && s->next_step < next)
        next = s->next_step;
    return next;
}

int itp_taper_needs_visits(const itp_taper *tp, int *weeks, int max)
{
    int n = 0;
    for (int i = 0; tp->on && i < tp->n_elig && n < max; i++)
        weeks[n++] = tp->elig_week[i];
    return n;
}
