/* Component "tpo_ra": a thrombopoietin-receptor agonist (eltrombopag,
 * romiplostim, avatrombopag: one drug per defaults group tpo_ra.DRUG) with
 * one-compartment PK, a linear effect on platelet production, the label's
 * dose titration, a taper policy and a remission that may follow a
 * response on it.
 *
 * Doses: in the drug's unit, the suffix of its dose settings (the first of
 * `units` whose start_dose_UNIT the drug has): "mg" (eltrombopag,
 * avatrombopag) or "ug_kg" (romiplostim, ug per kg of body weight,
 * weight_kg). One dose is given every dosing_interval_days days (default
 * 1; romiplostim 7, a weekly injection).
 * PK: dC/dt = A/V - (CL/V) C, the amount of each dose (dose, or dose x
 * weight_kg) taken as a zero-order input A over its dosing interval. With
 * a linear effect the production over an interval depends on the
 * concentration's mean over it alone, which at steady state the spread
 * input gives exactly; the swing within it (eltrombopag's half-life ~26 h in a day,
 * romiplostim's ~3.5 days in a week, avatrombopag's ~19 h in its weekly
 * schedules) is smoothed out by the ~7-day marrow transit. CL log-normal
 * (eltrombopag: Gibiansky et al., J Clin Pharmacol 2011); effect on
 * production E = SLP * C, SLP = 0 for non-responders (Hayes et al., Clin
 * Pharmacol Ther 2011). Romiplostim's elimination is in part by the TPO
 * receptors of platelets and megakaryocytes (target-mediated: lower
 * concentrations at higher counts, Nplate label); one linear clearance
 * with its between-patient spread stands for it.
 *
 * Doses are titrated and tapered by the shared rules of dosing.h
 * (eltrombopag: the ladder 12.5, 25, 50, 75 mg/day; the label's lowest
 * regimen, 25 mg every other day or 12.5 mg daily, is given as its daily
 * mean 12.5 mg; romiplostim: 1 to 10 ug/kg in steps of 1, a decrease after
 * two weekly counts >= 200; avatrombopag: its label's six dose levels as
 * daily means, 20 mg once a week = 20/7 mg/day up to 40 mg daily).
 * No response: a patient who has been nonresponse_days at max_dose and has
 * never responded on the drug stops ("discontinue if the count does not
 * increase to a level sufficient to avoid clinically important bleeding
 * after 4 weeks at 75 mg"; the same for romiplostim after 4 weeks at 10
 * ug/kg, and for avatrombopag below 50 after 4 weeks at 40 mg). A
 * response is the IWG's (Rodeghiero et al., Blood 2009): a count >=
 * nonresponse_below (30; avatrombopag's label 50) and at least double the
 * baseline (the first count the component sees); counts raised by a
 * rescue do not count. The
 * rule is about a first response only: once a patient has responded, a
 * later fall is a loss of response (titrated up, then rescue or new therapy
 * by the scenario's rules), never a stop for no response.
 * Taper (VAYHIT2; or started by response, TAPER): the shared taper rules of
 * dosing.h.
 * A fixed course (stop_week; Zhang et al., Br J Haematol 2020: 12 weeks of
 * eltrombopag with pulsed dexamethasone, first line): the drug stops for
 * good on that day, as when new therapy stops it (a remission not begun by
 * then does not come), logged as the course's end; a patient already off
 * it stays as they were, only never restarted. A taper must end before it.
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
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <gsl/gsl_randist.h>
#include "itpsim/component.h"
#include "itpsim/dosing.h"
#include "itpsim/record.h"
#include "itpsim/rng.h"
#include "itpsim/units.h"

typedef struct tpo_params {
    double cl, cl_logsd, volume, nonresp_prob, slope_median, slope_logsd;
    double per_day;          /* the daily amount per unit of dose (weight_kg /
                                dosing_interval_days; 1 for a daily mg dose) */
    itp_titration dose;
    int nonresp_days;
    double nonresp_below;
    double rem_prob, rem_from_w, rem_to_w, rem_relapse_per_day;
    itp_taper taper;
    int stop_day;            /* stop_week as a day; -1: none */
    char unit[32];           /* the dose's unit in words: "mg/day", "\u00b5g/kg/week" */
} tpo_params;

typedef struct tpo_state {
    itp_pk_day pk;           /* the patient's elimination */
    double input, slope;     /* the input per unit of dose (per_day / V) and
                                the effect per unit of concentration */
    double conc, rate;       /* the concentration at the start of the day of
                                the last call (mg/L; romiplostim ug/L) and
                                the input since (per day) */
    int conc_day;            /* that day */
    itp_dose_state dose;
    itp_taper_state taper;
    int stopped;
    int responded;           /* a response (>= nonresponse_below, 2 x baseline) */
    int have_baseline;
    double baseline;         /* the first observed count */
    int mech;                /* the remission mechanism, or -1 */
} tpo_state;

static const char *const keys[] = {"type", "taper", "stop_week", NULL};
static const char *const taper_group[] = {"taper", NULL};
/* The dose units a drug may have (the suffix of its dose settings). */
static const char *const units[] = {"mg", "ug_kg", NULL};

/* The unit of the drug at defaults path d: the first whose start dose it
 * has ("mg" when none, for the message about the missing setting). */
static const char *dose_unit(const itp_reader *rd, const config_setting_t *g, const char *d)
{
    for (int i = 0; units[i]; i++) {
        char key[48];
        snprintf(key, sizeof key, "start_dose_%s", units[i]);
        if (itp_rd_given(rd, g, d, key))
            return units[i];
    }
    return units[0];
}

/* The daily amount per unit of dose: weight_kg for a dose per kg, over
 * dosing_interval_days when the drug has it (settings a daily mg dose
 * lacks, so that nothing is read for it). */
static itp_status dose_amount(itp_reader *rd, const config_setting_t *g, const char *d,
                              const char *unit, double *per_day, char *words, size_t wlen)
{
    size_t n = strlen(unit);
    double kg = 1.0;
    int interval = 1;
    itp_status st;
    if (n > 3 && strcmp(unit + n - 3, "_kg") == 0 &&
        (st = itp_rd_double(rd, g, d, "weight_kg", ITP_POSITIVE(500), &kg)))
        return st;
    if (itp_rd_given(rd, g, d, "dosing_interval_days") &&
        (st = itp_rd_int(rd, g, d, "dosing_interval_days", 1, 28, &interval)))
        return st;
    *per_day = kg / interval;
    /* the unit for labels: "ug_kg" as µg/kg, per day, week or interval */
    const char *amount = strcmp(unit, "ug_kg") == 0 ? "\u00b5g/kg" : unit;
    if (interval == 1 || interval == 7)
        snprintf(words, wlen, "%s/%s", amount, interval == 1 ? "day" : "week");
    else
        snprintf(words, wlen, "%s every %d days", amount, interval);
    return ITP_OK;
}

/* stop_week, read only when given (so nothing is logged for a drug given
 * to the end): at least a day, and after the last day of a taper from the
 * maximum dose. */
static itp_status stop_parse(itp_reader *rd, const config_setting_t *g, tpo_params *p)
{
    const config_setting_t *w = itp_member(g, "stop_week");
    double week;
    itp_status st;
    p->stop_day = -1;
    if (!w)
        return ITP_OK;
    if ((st = itp_rd_double(rd, g, NULL, "stop_week", ITP_POSITIVE(1000), &week)))
        return st;
    p->stop_day = (int)lround(week * 7);
    if (p->stop_day < 1)
        return itp_rd_fail(rd, w, "expected stop_week of at least one day (%g weeks), got %g",
                           1.0 / 7, week);
    int last = itp_taper_last_day(&p->taper, p->dose.max);
    if (last == ITP_FAR_DAY)
        return itp_rd_fail(rd, w, "a taper started by response ends before stop_week only with a "
                           "latest_start_week early enough");
    if (last >= p->stop_day && p->taper.by_response)
        return itp_rd_fail(rd, w, "expected stop_week after the last step of a taper from the "
                           "maximum dose started at latest_start_week (week %g), got %g",
                           last / 7.0, week);
    if (last >= p->stop_day)
        return itp_rd_fail(rd, w, "expected stop_week after the taper's end_week (%g), got %g",
                           last / 7.0, week);
    return ITP_OK;
}

static itp_status parse(itp_reader *rd, const config_setting_t *g, const char *d,
                        void **out)
{
    tpo_params *p = calloc(1, sizeof *p);
    char taper_path[160];
    double relapse;
    itp_status st;
    const char *unit = dose_unit(rd, g, d);
    *out = p;
    if (!p)
        return ITP_ENOMEM;
    if ((st = itp_rd_double(rd, g, d, "cl", ITP_POSITIVE(1e4), &p->cl)) ||
        (st = itp_rd_double(rd, g, d, "cl_logsd", ITP_CLOSED(0, 3), &p->cl_logsd)) ||
        (st = itp_rd_double(rd, g, d, "volume", ITP_POSITIVE(1e5), &p->volume)) ||
        (st = itp_rd_double(rd, g, d, "nonresponder_prob", ITP_PROB, &p->nonresp_prob)) ||
        (st = itp_rd_double(rd, g, d, "slope_median", ITP_CLOSED(0, 1e3), &p->slope_median)) ||
        (st = itp_rd_double(rd, g, d, "slope_logsd", ITP_CLOSED(0, 3), &p->slope_logsd)) ||
        (st = dose_amount(rd, g, d, unit, &p->per_day, p->unit, sizeof p->unit)) ||
        (st = itp_titration_parse(rd, g, d, unit, &p->dose)) ||
        (st = itp_rd_int(rd, g, d, "nonresponse_days", 1, 3650, &p->nonresp_days)) ||
        (st = itp_rd_double(rd, g, d, "nonresponse_below", ITP_CLOSED(0, 1e4), &p->nonresp_below)) ||
        (st = itp_rd_double(rd, g, d, "remission_prob", ITP_PROB, &p->rem_prob)) ||
        (st = itp_rd_double(rd, g, d, "remission_onset_from_week", ITP_CLOSED(0, 520), &p->rem_from_w)) ||
        (st = itp_rd_double(rd, g, d, "remission_onset_to_week", ITP_CLOSED(0, 520), &p->rem_to_w)) ||
        (st = itp_rd_double(rd, g, d, "remission_relapse_per_month", ITP_CLOSED(0, 100), &relapse)))
        return st;
    if (p->rem_to_w < p->rem_from_w) {
        return itp_rd_fail(rd, itp_rd_where(rd, g, d, "remission_onset_to_week"),
                           "expected remission_onset_to_week >= remission_onset_from_week (%g), "
                           "got %g", p->rem_from_w, p->rem_to_w);
    }
    p->rem_relapse_per_day = relapse / ITP_DAYS_PER_MONTH;
    snprintf(taper_path, sizeof taper_path, "%s.taper", d);
    if ((st = itp_taper_parse(rd, g, taper_path, unit, &p->dose, &p->taper)))
        return st;
    return stop_parse(rd, g, p);
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
    double e_relapse = itp_rng_exp1(r);
    double cl = p->cl * exp(p->cl_logsd * z_cl);
    itp_pk_day_init(&s->pk, cl / p->volume);
    s->input = p->per_day / p->volume;
    s->slope = u_nr < p->nonresp_prob ? 0.0 : p->slope_median * exp(p->slope_logsd * z_slope);
    itp_dose_start(&p->dose, &s->dose);
    s->taper.phase = ITP_TAPER_BEFORE;
    s->mech = -1;
    if (s->slope > 0.0 && p->dose.start > 0.0 && u_rem < itp_ctx_remission_prob(ctx, p->rem_prob)) {
        double onset = 7.0 * (p->rem_from_w + u_onset * (p->rem_to_w - p->rem_from_w));
        double end = p->rem_relapse_per_day > 0.0 ? onset + e_relapse / p->rem_relapse_per_day
                                                   : 1e9;
        s->mech = itp_ctx_add_mechanism(ctx, itp_day_of(onset), itp_day_of(end));
    }
}

/* Off the drug for good: a remission it would still have brought does not
 * come. */
static void stop_drug(tpo_state *s, itp_patient_ctx *ctx)
{
    s->stopped = 1;
    itp_dose_off(&s->dose);
    if (s->mech >= 0 && ctx->mech[s->mech].onset > ctx->day)
        ctx->mech[s->mech].end = ctx->mech[s->mech].onset;
}

/* From stop_week on: off for good (logged when the drug was being given,
 * dosed or held). */
static void course_over(const tpo_params *p, tpo_state *s, itp_patient_ctx *ctx)
{
    if (p->stop_day < 0 || ctx->day < p->stop_day || s->stopped)
        return;
    if (s->dose.dose > 0.0 || s->dose.held) {
        stop_drug(s, ctx);
        itp_ctx_event(ctx, ITP_EV_COURSE_END, 0.0);
    } else {
        s->stopped = 1;   /* off already (tapered off): no restart after */
    }
}

static void observe(const void *vp, itp_patient_ctx *ctx, void *vs, double count,
                    int scheduled)
{
    const tpo_params *p = vp;
    tpo_state *s = vs;
    int day = ctx->day;
    course_over(p, s, ctx);
    if (!s->have_baseline) {
        s->have_baseline = 1;
        s->baseline = count;
    }
    if (!s->stopped && day >= ctx->rescue_until && count >= p->nonresp_below &&
        count >= 2.0 * s->baseline)
        s->responded = 1;
    if (itp_taper_observe(&p->dose, &p->taper, &s->dose, &s->taper, ctx, count, scheduled,
                          s->stopped))
        return;
    int held = s->dose.held;
    itp_dose_titrate(&p->dose, &s->dose, ctx, count);
    /* A patient still without a response after nonresponse_days at the
     * maximum dose stops (not decided on a day the dose is held). */
    if (!held && !s->dose.held && !s->responded && s->dose.at_max_since >= 0 &&
        day - s->dose.at_max_since >= p->nonresp_days) {
        stop_drug(s, ctx);
        itp_ctx_event(ctx, ITP_EV_STOP_NO_RESPONSE, 0.0);
    }
}

static double day_fn(const void *vp, itp_patient_ctx *ctx, void *vs, itp_drive *drive)
{
    const tpo_params *p = vp;
    tpo_state *s = vs;
    course_over(p, s, ctx);
    itp_taper_day(&p->taper, &s->dose, &s->taper, ctx, s->stopped);
    /* the concentration follows from the input since the last call (none
     * before day 0); the dose changes only at events and taper days */
    s->conc = ctx->day > 0 ? itp_pk_after(&s->pk, s->conc, s->rate, ctx->day - s->conc_day) : 0.0;
    s->conc_day = ctx->day;
    s->rate = s->dose.dose * s->input;
    ctx->wake = itp_taper_next(&p->taper, &s->taper, ctx->day);
    if (!s->stopped && p->stop_day > ctx->day && p->stop_day < ctx->wake)
        ctx->wake = p->stop_day;
    itp_pk_term t = {s->conc, s->rate, s->pk.k, s->slope};
    itp_drive_add_pk(drive, &t);
    return s->dose.dose;
}

static void stop(const void *vp, itp_patient_ctx *ctx, void *vs)
{
    (void)vp;
    stop_drug(vs, ctx);
    itp_ctx_event(ctx, ITP_EV_STOP, 0.0);
}

static int needs_visits(const void *vp, int *weeks, int max)
{
    const tpo_params *p = vp;
    return itp_taper_needs_visits(&p->taper, weeks, max);
}

/* The drug starts on day 0; a taper by week starts on its start week. */
static int last_scheduled(const void *vp, const char **setting)
{
    const tpo_params *p = vp;
    *setting = "taper.start_week";
    return p->taper.on && !p->taper.by_response ? p->taper.start : -1;
}

static int taper_days(const void *vp, int *start, int *end)
{
    const tpo_params *p = vp;
    if (!p->taper.on || p->taper.by_response)
        return 0;
    *start = p->taper.start;
    *end = p->taper.end;
    return 1;
}

static const char *tpo_unit(const void *params)
{
    return ((const tpo_params *)params)->unit;
}

const itp_component_type itp_tpo_ra_type = {
    .name = "tpo_ra",
    .description = "thrombopoietin-receptor agonist with label titration, taper and "
                   "remission on treatment",
    .keys = keys,
    .default_drug = "eltrombopag",
    .subgroups = taper_group,
    .parse = parse,
    .free = free,
    .state_size = sizeof(tpo_state),
    .mechanisms = 1,
    .pk_terms = 1,
    .start = start,
    .day = day_fn,
    .observe = observe,
    .stop = stop,
    .needs_visits = needs_visits,
    .last_scheduled = last_scheduled,
    .taper_days = taper_days,
    .is_tpo_ra = 1,
    .dose_unit = tpo_unit,
};
