/* Component "tpo_ra": a thrombopoietin-receptor agonist (eltrombopag) with
 * one-compartment PK, a linear effect on platelet production, the label's
 * dose titration, a taper policy and a remission that may follow a
 * response on it.
 *
 * PK: dC/dt = dose/V - (CL/V) C, the daily dose taken as a zero-order input
 * over the day (half-life ~26 h against a ~7-day transit: the daily swing is
 * smoothed out by the marrow). CL log-normal (Gibiansky et al., J Clin
 * Pharmacol 2011); effect on production E = SLP * C, SLP = 0 for
 * non-responders (Hayes et al., Clin Pharmacol Ther 2011).
 *
 * Doses: the ladder min_dose, dose_step, 2 dose_step, ... up to max_dose
 * (eltrombopag: 12.5, 25, 50, 75 mg/day; the label's lowest regimen, 25 mg
 * every other day or 12.5 mg daily, is given as its daily mean 12.5 mg).
 * Titration at each observed count (eltrombopag label, Promacta US
 * prescribing information, section 2.1):
 *   count > hold_above           hold; recheck every hold_recheck_days;
 *                                restart one level lower once < restart_below
 *   count >= decrease_from       one level down "at any time" (not below
 *                                min_dose), except within decrease_wait_days
 *                                of the previous decrease ("wait 2 weeks to
 *                                assess the effect")
 *   count < increase_below       one level up (not above max_dose) once
 *                                days_between_changes have passed since the
 *                                last change ("after at least 2 weeks")
 * No response: a patient who has been nonresponse_days at max_dose and has
 * never responded on the drug stops ("discontinue if the count does not
 * increase to a level sufficient to avoid clinically important bleeding
 * after 4 weeks at 75 mg"). A response is the IWG's (Rodeghiero et al.,
 * Blood 2009): a count >= nonresponse_below (30) and at least double the
 * baseline (the first count the component sees); counts raised by a
 * rescue do not count. The
 * rule is about a first response only: once a patient has responded, a
 * later fall is a loss of response (titrated up, then rescue or new therapy
 * by the scenario's rules), never a stop for no response.
 * Taper (VAYHIT2): on the start day, a patient whose counts at every
 * eligibility visit were >= eligible_min_count steps down by step_mg every
 * step_weeks until off; a count below fail_below before end_week ends the
 * taper (one step back up, not above the dose it started from; titration
 * resumes). Not eligible: recorded,
 * titration goes on. Whoever is still on the TPO-RA (dosed or held) on the
 * end day is recorded as unable to taper. After a completed taper, a count
 * below restart_below (taper group; 0: never) restarts the TPO-RA at the
 * start dose, with titration from there (a relapse off treatment; the
 * protocols of VAYHIT2 and TAPER allow it).
 * Remission on a TPO-RA: a patient who responds to the drug (SLP > 0)
 * enters a lasting remission with remission_prob, at a day uniform over
 * [remission_onset_from_week, remission_onset_to_week] of treatment, if the
 * drug is still given then; it ends at remission_relapse_per_month
 * (sustained remission off eltrombopag: Lucchini et al., Br J Haematol
 * 2021; Cooper et al., Am J Hematol 2024, TAPER; restored regulatory T
 * cells on TPO-RAs: Bao et al., Blood 2010).
 * New ITP therapy (when the scenario's new_therapy.stops names the
 * component): the drug stops for good. */
#include <math.h>
#include <stdlib.h>
#include <gsl/gsl_randist.h>
#include "itpsim/component.h"
#include "itpsim/scenario.h"

#define MAX_ELIG 8

typedef struct tpo_params {
    double cl, cl_logsd, volume, nonresp_prob, slope_median, slope_logsd;
    double start_dose, max_dose, min_dose, step;
    double increase_below, decrease_from, hold_above, restart_below;
    int days_between, decrease_wait, recheck_days, nonresp_days;
    double nonresp_below;
    double rem_prob, rem_from_w, rem_to_w, rem_relapse_per_day;
    int taper;               /* 1 when a taper group is given */
    int taper_start, taper_end, taper_step_days;
    double taper_step, elig_min, fail_below, relapse_restart_below;
    int n_elig;
    int elig_week[MAX_ELIG];
} tpo_params;

enum { PH_TITRATE, PH_TAPER, PH_OFF, PH_AFTER };

typedef struct tpo_state {
    double k, inv_v, slope;  /* the patient's PK/PD */
    double dose;             /* today's dose, mg */
    double dose_before_hold;
    int held, stopped;
    int responded;           /* a response (>= nonresponse_below, 2 x baseline) */
    int have_baseline;
    double baseline;         /* the first observed count */
    int last_change, last_decrease;
    int at_max_since;        /* day max dose was reached, -1 when below */
    int phase;
    int next_step;
    int elig_passed;         /* eligibility visits with a high enough count */
    double taper_from;       /* the dose the taper started from */
    int mech;                /* the remission mechanism, or -1 */
} tpo_state;

static const char *const keys[] = {"type", "taper", NULL};
static const char *const taper_group[] = {"taper", NULL};

static itp_status parse_taper(itp_reader *rd, const config_setting_t *g, tpo_params *p)
{
    static const char *const taper_keys[] = {"start_week", "end_week", "length_weeks",
                                             "eligible_weeks",
                                             "eligible_weeks_before_start", NULL};
    const config_setting_t *t;
    itp_status st;
    if ((st = itp_rd_child(rd, g, "taper", CONFIG_TYPE_GROUP, 0, &t)) || !t)
        return st;
    double start_w, end_w, step_w, weeks[MAX_ELIG];
    int relative = itp_member(t, "eligible_weeks_before_start") != NULL;
    if ((st = itp_rd_keys(rd, t, taper_keys, "tpo_ra.taper")) ||
        (st = itp_rd_double(rd, t, NULL, "start_week", ITP_CLOSED(0, 1000), &start_w)))
        return st;
    /* The end as a week, or as a length from the start (so that a sweep
     * over the start moves the whole taper). */
    if (itp_member(t, "length_weeks")) {
        double len;
        if (itp_member(t, "end_week"))
            return itp_rd_fail(rd, itp_member(t, "end_week"), "give end_week or length_weeks, not both");
        if ((st = itp_rd_double(rd, t, NULL, "length_weeks", ITP_CLOSED(0, 1000), &len)))
            return st;
        end_w = start_w + len;
    } else if ((st = itp_rd_double(rd, t, NULL, "end_week", ITP_CLOSED(0, 1000), &end_w))) {
        return st;
    }
    if (relative && itp_member(t, "eligible_weeks"))
        return itp_rd_fail(rd, itp_member(t, "eligible_weeks"),
                           "give eligible_weeks or eligible_weeks_before_start, not both");
    const char *d = "tpo_ra.taper";
    if ((st = itp_rd_double(rd, t, d, "step_mg", ITP_POSITIVE(1e4), &p->taper_step)) ||
        (st = itp_rd_double(rd, t, d, "step_weeks", ITP_POSITIVE(100), &step_w)) ||
        (st = itp_rd_double(rd, t, d, "eligible_min_count", ITP_CLOSED(0, 1e4), &p->elig_min)) ||
        (st = itp_rd_double(rd, t, d, "fail_below", ITP_CLOSED(0, 1e4), &p->fail_below)) ||
        (st = itp_rd_double(rd, t, d, "restart_below", ITP_CLOSED(0, 1e4),
                            &p->relapse_restart_below)) ||
        (st = itp_rd_array(rd, t, relative ? "eligible_weeks_before_start" : "eligible_weeks",
                           ITP_CLOSED(0, 1000), 0, weeks, MAX_ELIG, &p->n_elig)))
        return st;
    for (int i = 0; relative && i < p->n_elig; i++)
        weeks[i] = start_w - weeks[i];
    p->taper = 1;
    p->taper_start = (int)lround(start_w * 7);
    p->taper_end = (int)lround(end_w * 7);
    p->taper_step_days = (int)lround(step_w * 7);
    if (p->taper_end < p->taper_start)
        return itp_rd_fail(rd, itp_member(t, "end_week"),
                           "expected end_week >= start_week (%g), got %g", start_w, end_w);
    for (int i = 0; i < p->n_elig; i++) {
        if (weeks[i] != floor(weeks[i]) || weeks[i] > start_w)
            return itp_rd_fail(rd, itp_member(t, "eligible_weeks"),
                               "expected whole weeks up to start_week (%g), got %g", start_w,
                               weeks[i]);
        p->elig_week[i] = (int)weeks[i];
    }
    int steps = (int)ceil(p->max_dose / p->taper_step - 1e-9);
    if (p->taper_start + (steps - 1) * p->taper_step_days > p->taper_end)
        return itp_rd_fail(rd, t, "a taper from the maximum dose (%g mg, %d steps every %g weeks "
                           "from week %g) cannot end by end_week %g", p->max_dose, steps, step_w,
                           start_w, end_w);
    return ITP_OK;
}

static itp_status parse(itp_reader *rd, const config_setting_t *g, void **out)
{
    tpo_params *p = calloc(1, sizeof *p);
    const char *d = "tpo_ra";
    double relapse;
    itp_status st;
    *out = p;
    if (!p)
        return ITP_ENOMEM;
    if ((st = itp_rd_double(rd, g, d, "cl", ITP_POSITIVE(1e4), &p->cl)) ||
        (st = itp_rd_double(rd, g, d, "cl_logsd", ITP_CLOSED(0, 3), &p->cl_logsd)) ||
        (st = itp_rd_double(rd, g, d, "volume", ITP_POSITIVE(1e5), &p->volume)) ||
        (st = itp_rd_double(rd, g, d, "nonresponder_prob", ITP_PROB, &p->nonresp_prob)) ||
        (st = itp_rd_double(rd, g, d, "slope_median", ITP_CLOSED(0, 1e3), &p->slope_median)) ||
        (st = itp_rd_double(rd, g, d, "slope_logsd", ITP_CLOSED(0, 3), &p->slope_logsd)) ||
        (st = itp_rd_double(rd, g, d, "start_dose_mg", ITP_CLOSED(0, 1e4), &p->start_dose)) ||
        (st = itp_rd_double(rd, g, d, "max_dose_mg", ITP_POSITIVE(1e4), &p->max_dose)) ||
        (st = itp_rd_double(rd, g, d, "min_dose_mg", ITP_POSITIVE(1e4), &p->min_dose)) ||
        (st = itp_rd_double(rd, g, d, "dose_step_mg", ITP_POSITIVE(1e4), &p->step)) ||
        (st = itp_rd_double(rd, g, d, "increase_below", ITP_CLOSED(0, 1e4), &p->increase_below)) ||
        (st = itp_rd_double(rd, g, d, "decrease_from", ITP_CLOSED(0, 1e4), &p->decrease_from)) ||
        (st = itp_rd_double(rd, g, d, "hold_above", ITP_CLOSED(0, 1e4), &p->hold_above)) ||
        (st = itp_rd_double(rd, g, d, "restart_below", ITP_CLOSED(0, 1e4), &p->restart_below)) ||
        (st = itp_rd_int(rd, g, d, "days_between_changes", 0, 365, &p->days_between)) ||
        (st = itp_rd_int(rd, g, d, "decrease_wait_days", 0, 365, &p->decrease_wait)) ||
        (st = itp_rd_int(rd, g, d, "hold_recheck_days", 1, 365, &p->recheck_days)) ||
        (st = itp_rd_int(rd, g, d, "nonresponse_days", 1, 3650, &p->nonresp_days)) ||
        (st = itp_rd_double(rd, g, d, "nonresponse_below", ITP_CLOSED(0, 1e4), &p->nonresp_below)) ||
        (st = itp_rd_double(rd, g, d, "remission_prob", ITP_PROB, &p->rem_prob)) ||
        (st = itp_rd_double(rd, g, d, "remission_onset_from_week", ITP_CLOSED(0, 520), &p->rem_from_w)) ||
        (st = itp_rd_double(rd, g, d, "remission_onset_to_week", ITP_CLOSED(0, 520), &p->rem_to_w)) ||
        (st = itp_rd_double(rd, g, d, "remission_relapse_per_month", ITP_CLOSED(0, 100), &relapse)))
        return st;
    if (p->min_dose > p->max_dose || p->start_dose > p->max_dose ||
        (p->start_dose > 0.0 && p->start_dose < p->min_dose))
        return itp_rd_fail(rd, g, "expected min_dose_mg <= start_dose_mg <= max_dose_mg "
                           "(got %g, %g, %g)", p->min_dose, p->start_dose, p->max_dose);
    if (!(p->increase_below < p->decrease_from && p->decrease_from <= p->hold_above &&
          p->restart_below <= p->hold_above))
        return itp_rd_fail(rd, g, "expected increase_below < decrease_from <= hold_above "
                           "and restart_below <= hold_above");
    if (p->rem_to_w < p->rem_from_w) {
        /* in the component, else in the scenario's tpo_ra group */
        const config_setting_t *w = itp_member(g, "remission_onset_to_week");
        if (!w)
            w = itp_member(itp_member(itp_reader_root(rd), "tpo_ra"), "remission_onset_to_week");
        return itp_rd_fail(rd, w ? w : g,
                           "expected remission_onset_to_week >= remission_onset_from_week (%g), "
                           "got %g", p->rem_from_w, p->rem_to_w);
    }
    p->rem_relapse_per_day = relapse / ITP_DAYS_PER_MONTH;
    return parse_taper(rd, g, p);
}

/* The dose ladder: min_dose, then the multiples of step up to max_dose. */
static double level_up(const tpo_params *p, double dose)
{
    if (dose < p->min_dose)
        return p->min_dose;
    double up = (floor(dose / p->step + 1e-9) + 1.0) * p->step;
    return fmin(up, p->max_dose);
}

static double level_down(const tpo_params *p, double dose)
{
    double down = (ceil(dose / p->step - 1e-9) - 1.0) * p->step;
    return fmax(down, p->min_dose);
}

static void start(const void *vp, itp_patient_ctx *ctx, gsl_rng *r, void *vs)
{
    const tpo_params *p = vp;
    tpo_state *s = vs;
    /* Fixed draw order, so a patient's PK/PD is the same in every arm. */
    double z_cl = gsl_ran_gaussian_ziggurat(r, 1.0);
    double u_nr = gsl_rng_uniform(r);
    double z_slope = gsl_ran_gaussian_ziggurat(r, 1.0);
    double u_rem = gsl_rng_uniform(r), u_onset = gsl_rng_uniform(r);
    double e_relapse = gsl_ran_exponential(r, 1.0);
    double cl = p->cl * exp(p->cl_logsd * z_cl);
    s->k = cl / p->volume;
    s->inv_v = 1.0 / p->volume;
    s->slope = u_nr < p->nonresp_prob ? 0.0 : p->slope_median * exp(p->slope_logsd * z_slope);
    s->dose = p->start_dose;
    s->last_change = 0;
    s->last_decrease = -p->decrease_wait;
    s->at_max_since = p->start_dose >= p->max_dose ? 0 : -1;
    s->phase = PH_TITRATE;
    s->mech = -1;
    ctx->pt->taper_deadline = p->taper ? p->taper_end : ITP_NEVER;
    if (s->slope > 0.0 && p->start_dose > 0.0 && u_rem < p->rem_prob) {
        double onset = 7.0 * (p->rem_from_w + u_onset * (p->rem_to_w - p->rem_from_w));
        double end = p->rem_relapse_per_day > 0.0 ? onset + e_relapse / p->rem_relapse_per_day
                                                   : 1e9;
        s->mech = itp_ctx_add_mechanism(ctx, itp_day_of(onset), itp_day_of(end));
    }
}

static void set_dose(const tpo_params *p, tpo_state *s, double dose, int day)
{
    if (dose < s->dose)
        s->last_decrease = day;
    s->dose = dose;
    s->last_change = day;
    if (dose >= p->max_dose) {
        if (s->at_max_since < 0)
            s->at_max_since = day;
    } else {
        s->at_max_since = -1;
    }
}

/* Off the drug for good: a remission it would still have brought does not
 * come. */
static void stop_drug(tpo_state *s, itp_patient_ctx *ctx)
{
    s->stopped = 1;
    s->held = 0;
    s->dose = 0.0;
    s->at_max_since = -1;
    if (s->mech >= 0 && ctx->mech[s->mech].onset > ctx->day)
        ctx->mech[s->mech].end = ctx->mech[s->mech].onset;
}

static void titrate(const tpo_params *p, itp_patient_ctx *ctx, tpo_state *s, double count)
{
    int day = ctx->day;
    if (s->held) {
        if (count < p->restart_below) {
            /* one level below the dose before the hold: a decrease from
             * it, for the wait before the next one */
            s->held = 0;
            s->dose = s->dose_before_hold;
            set_dose(p, s, level_down(p, s->dose_before_hold), day);
        } else {
            ctx->recheck_day = day + p->recheck_days;
        }
        return;
    }
    if (count > p->hold_above) {
        s->held = 1;
        s->dose_before_hold = s->dose;
        s->dose = 0.0;
        s->last_change = day;
        s->at_max_since = -1;
        ctx->recheck_day = day + p->recheck_days;
        return;
    }
    if (count >= p->decrease_from) {
        if (s->dose > p->min_dose && day - s->last_decrease >= p->decrease_wait)
            set_dose(p, s, level_down(p, s->dose), day);
    } else if (count < p->increase_below && s->dose < p->max_dose &&
               day - s->last_change >= p->days_between) {
        set_dose(p, s, level_up(p, s->dose), day);
    }
    if (!s->responded && s->at_max_since >= 0 && day - s->at_max_since >= p->nonresp_days) {
        stop_drug(s, ctx);
        ctx->pt->tpo_stop = day;
    }
}

static void observe(const void *vp, itp_patient_ctx *ctx, void *vs, double count,
                    int scheduled)
{
    const tpo_params *p = vp;
    tpo_state *s = vs;
    int day = ctx->day;
    if (!s->have_baseline) {
        s->have_baseline = 1;
        s->baseline = count;
    }
    if (!s->stopped && day >= ctx->rescue_until && count >= p->nonresp_below &&
        count >= 2.0 * s->baseline)
        s->responded = 1;
    if (p->taper && scheduled && s->phase == PH_TITRATE)
        for (int i = 0; i < p->n_elig; i++)
            if (day == p->elig_week[i] * 7 && count >= p->elig_min)
                s->elig_passed++;
    if (s->stopped)
        return;
    if ((s->phase == PH_TAPER || s->phase == PH_OFF) && day <= p->taper_end &&
        count < p->fail_below) {
        /* Taper failed: one step back up (not above the dose it started
         * from) and titration from there. */
        if (s->phase == PH_OFF)
            ctx->pt->taper_end = ITP_NEVER;
        s->phase = PH_AFTER;
        ctx->pt->taper_fail = day;
        set_dose(p, s, fmin(s->dose + p->taper_step, s->taper_from), day);
        return;
    }
    if (s->phase == PH_OFF && day > p->taper_end && count < p->relapse_restart_below) {
        /* Relapse after a completed taper: restart at the start dose. */
        s->phase = PH_AFTER;
        ctx->pt->tpo_restart = day;
        set_dose(p, s, p->start_dose, day);
        return;
    }
    if (s->phase == PH_TAPER || s->phase == PH_OFF)
        return;
    titrate(p, ctx, s, count);
}

static void day_fn(const void *vp, itp_patient_ctx *ctx, void *vs, itp_drive *drive)
{
    const tpo_params *p = vp;
    tpo_state *s = vs;
    int day = ctx->day;
    if (p->taper && s->phase == PH_TITRATE && day == p->taper_start && s->stopped) {
        /* Already off the TPO-RA (stopped for no response or by new
         * therapy): nothing to taper, and no inability to stop it. */
        s->phase = PH_OFF;
    } else if (p->taper && s->phase == PH_TITRATE && day == p->taper_start) {
        if (s->elig_passed == p->n_elig) {
            s->phase = PH_TAPER;
            if (s->held) {   /* a held patient tapers from the dose before the hold */
                s->held = 0;
                s->dose = s->dose_before_hold;
            }
            ctx->pt->taper_start = day;
            s->taper_from = s->dose;
            s->next_step = day;
        } else {
            s->phase = PH_AFTER;
            ctx->pt->taper_ineligible = day;
        }
    }
    if (s->phase == PH_TAPER && day == s->next_step) {
        s->dose -= p->taper_step;
        s->next_step += p->taper_step_days;
        if (s->dose <= 1e-9) {
            s->dose = 0.0;
            s->phase = PH_OFF;
            ctx->pt->taper_end = day;
        }
    }
    if (p->taper && day == p->taper_end && !s->stopped && s->phase != PH_OFF)
        ctx->pt->taper_unable = day;
    drive->tpo_dose = s->dose;
    drive->tpo_rate = s->dose * s->inv_v;
    drive->tpo_k = s->k;
    drive->tpo_slope = s->slope;
}

static void stop(const void *vp, itp_patient_ctx *ctx, void *vs)
{
    (void)vp;
    stop_drug(vs, ctx);
}

static int needs_visits(const void *vp, int *weeks, int max)
{
    const tpo_params *p = vp;
    int n = 0;
    for (int i = 0; p->taper && i < p->n_elig && n < max; i++)
        weeks[n++] = p->elig_week[i];
    return n;
}

const itp_component_type itp_tpo_ra_type = {
    .name = "tpo_ra",
    .description = "thrombopoietin-receptor agonist with label titration, taper and "
                   "remission on treatment",
    .keys = keys,
    .subgroups = taper_group,
    .parse = parse,
    .free = free,
    .state_size = sizeof(tpo_state),
    .start = start,
    .day = day_fn,
    .observe = observe,
    .stop = stop,
    .needs_visits = needs_visits,
    .is_tpo_ra = 1,
};
