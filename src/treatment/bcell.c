/* Component "bcell_antibody": a B-cell depleting antibody (ianalumab) given
 * as infusions on set weeks.
 *
 * Its effect is a remission mechanism: with probability
 *   p(E) = emax E^h / (ed50^h + E^h),   E = dose_mg_kg x infusions given,
 * an Emax model in the total dose (exposure), so that doses and numbers of
 * infusions never tried can be asked about, the patient enters remission at
 * a day uniform over [onset_from, onset_to] weeks after the first infusion.
 * The remission is protected while B cells are depleted: B cells return
 * after the last infusion given, after
 *   recovery(d) = max(recovery_days + recovery_days_per_doubling
 *                     log2(d / recovery_ref_mg_kg), 14) days
 * times lognormal(0, recovery_logsd), d the dose per infusion (an
 * assumption: a larger dose stays above the depleting level longer, by
 * about one elimination half-life per doubling; anti-CD20 recovery starts
 * about 6 months after the last dose, rituximab label). After that the
 * remission ends at relapse_per_month.
 * Infusions planned after the end of the trial's follow-up are never
 * given; when new ITP therapy stops the component, infusions from that day
 * on are not given either: the exposure and the last infusion are those
 * actually given, so a remission that had not begun may not come, and
 * B-cell return moves to the last infusion given.
 * The patient's uniforms come from the component's own stream, so a
 * patient who remits at 3 mg/kg also remits at 9 mg/kg (common random
 * numbers across arms). */
#include <math.h>
#include <stdlib.h>
#include <gsl/gsl_randist.h>
#include "itpsim/component.h"
#include "itpsim/record.h"
#include "itpsim/rng.h"
#include "itpsim/units.h"

#define MIN_RECOVERY_DAYS 14.0

typedef struct bcell_params {
    double dose, emax, ed50, hill, onset_from, onset_to;
    double recovery, recovery_per_doubling, recovery_ref, recovery_logsd, relapse_per_day;
    itp_infusions inf;
} bcell_params;

typedef struct bcell_state {
    double u, u_onset, rec_factor, e_relapse;
    int mech;      /* the remission mechanism, or -1 */
    int next_inf;  /* the next infusion to give */
    int stopped;   /* no infusion from the stop on */
} bcell_state;


static itp_status parse(itp_reader *rd, const config_setting_t *g, const char *d,
                        void **out)
{
    bcell_params *p = calloc(1, sizeof *p);
    double relapse;
    itp_status st;
    *out = p;
    if (!p)
        return ITP_ENOMEM;
    if ((st = itp_read_dose(rd, g, d, 1, &p->dose)) ||
        (st = itp_read_infusions(rd, g, &p->inf)) ||
        (st = itp_rd_double(rd, g, d, "emax", ITP_PROB, &p->emax)) ||
        (st = itp_rd_double(rd, g, d, "ed50_total_mg_kg", ITP_POSITIVE(1e4), &p->ed50)) ||
        (st = itp_rd_double(rd, g, d, "hill", ITP_POSITIVE(20), &p->hill)) ||
        (st = itp_rd_double(rd, g, d, "onset_from_week", ITP_CLOSED(0, 520), &p->onset_from)) ||
        (st = itp_rd_double(rd, g, d, "onset_to_week", ITP_CLOSED(0, 520), &p->onset_to)) ||
        (st = itp_rd_double(rd, g, d, "recovery_days", ITP_POSITIVE(1e4), &p->recovery)) ||
        (st = itp_rd_double(rd, g, d, "recovery_days_per_doubling", ITP_CLOSED(0, 1e3),
                            &p->recovery_per_doubling)) ||
        (st = itp_rd_double(rd, g, d, "recovery_ref_mg_kg", ITP_POSITIVE(100), &p->recovery_ref)) ||
        (st = itp_rd_double(rd, g, d, "recovery_logsd", ITP_CLOSED(0, 3), &p->recovery_logsd)) ||
        (st = itp_rd_double(rd, g, d, "relapse_per_month", ITP_CLOSED(0, 100), &relapse)))
        return st;
    if (p->onset_to < p->onset_from)
        return itp_rd_fail(rd, itp_rd_where(rd, g, d, "onset_to_week"),
                           "expected onset_to_week >= onset_from_week (%g), got %g",
                           p->onset_from, p->onset_to);
    p->relapse_per_day = relapse / ITP_DAYS_PER_MONTH;
    return ITP_OK;
}

static double remission_prob(const bcell_params *p, int n_given)
{
    double e = p->dose * n_given;
    if (e <= 0.0)
        return 0.0;
    double eh = pow(e, p->hill);
    return p->emax * eh / (pow(p->ed50, p->hill) + eh);
}

/* Infusions given on days before `until` (and within the follow-up), and
 * the day of the last of them. */
static int given_before(const bcell_params *p, int until, int *last)
{
    int n = 0;
    for (int i = 0; i < p->inf.n && p->inf.day[i] < until; i++) {
        *last = p->inf.day[i];
        n++;
    }
    return n;
}

static double recovery_days(const bcell_params *p)
{
    double r = p->recovery;
    if (p->dose > 0.0)
        r += p->recovery_per_doubling * log2(p->dose / p->recovery_ref);
    return fmax(r, MIN_RECOVERY_DAYS);
}

/* The end of a remission when the last infusion is on day `last`. */
static int remission_end(const bcell_params *p, const bcell_state *s, int last)
{
    double back = last + recovery_days(p) * s->rec_factor;
    return itp_day_of(p->relapse_per_day > 0.0 ? back + s->e_relapse / p->relapse_per_day : 1e9);
}

static void start(const void *vp, itp_patient_ctx *ctx, gsl_rng *r, void *vs)
{
    const bcell_params *p = vp;
    bcell_state *s = vs;
    s->u = gsl_rng_uniform(r);
    s->u_onset = gsl_rng_uniform(r);
    s->rec_factor = exp(p->recovery_logsd * gsl_ran_gaussian_ziggurat(r, 1.0));
    s->e_relapse = itp_rng_exp1(r);
    s->mech = -1;
    int last = 0, n = given_before(p, ctx->max_day + 1, &last);
    if (n == 0 || s->u >= itp_ctx_remission_prob(ctx, remission_prob(p, n)))
        return;
    double onset = p->inf.day[0] +
                   7.0 * (p->onset_from + s->u_onset * (p->onset_to - p->onset_from));
    s->mech = itp_ctx_add_mechanism(ctx, itp_day_of(onset), remission_end(p, s, last));
}

/* New ITP therapy: no infusion from today on. A remission not begun comes
 * only if the infusions given suffice; one under way (or to come) ends
 * after the B cells return from the last infusion given. */
static void stop(const void *vp, itp_patient_ctx *ctx, void *vs)
{
    const bcell_params *p = vp;
    bcell_state *s = vs;
    s->stopped = 1;
    itp_ctx_event(ctx, ITP_EV_STOP, 0.0);
    if (s->mech < 0)
        return;
    itp_mechanism *m = &ctx->mech[s->mech];
    int day = ctx->day, last = 0;
    if (m->end <= day)   /* over already */
        return;
    int n = given_before(p, day, &last);   /* day <= max_day while simulated */
    if (m->onset > day && (n == 0 || s->u >= itp_ctx_remission_prob(ctx, remission_prob(p, n)))) {
        m->end = m->onset;
        return;
    }
    int end = remission_end(p, s, last);
    if (m->onset <= day && end < day)
        end = day;
    m->end = end > m->onset ? end : m->onset;
}

/* The infusions, as they are given (logged). */
static double day_fn(const void *vp, itp_patient_ctx *ctx, void *vs, itp_drive *drive)
{
    const bcell_params *p = vp;
    bcell_state *s = vs;
    (void)drive;
    int given = itp_infusion_today(&p->inf, &s->next_inf, s->stopped, p->dose, ctx);
    return given ? p->dose : 0.0;
}

static int last_scheduled(const void *vp, const char **setting)
{
    const bcell_params *p = vp;
    return itp_infusions_last(&p->inf, setting);
}

/* The exposure of the dose-response: the dose times the infusions
 * planned (all within the follow-up: later ones are refused). */
static int exposure(const void *vp, double *value, const char **unit)
{
    const bcell_params *p = vp;
    *value = p->dose * p->inf.n;
    *unit = "mg/kg (total over the infusions)";
    return 1;
}

static const char *bcell_unit(const void *params)
{
    (void)params;
    return "mg/kg per infusion";
}

const itp_component_type itp_bcell_antibody_type = {
    .name = "bcell_antibody",
    .description = "B-cell depleting antibody: Emax in the total dose on a protected remission",
    .keys = itp_dosed_infusion_keys,
    .default_drug = "ianalumab",
    .parse = parse,
    .free = free,
    .state_size = sizeof(bcell_state),
    .mechanisms = 1,
    .start = start,
    .day = day_fn,
    .stop = stop,
    .last_scheduled = last_scheduled,
    .exposure = exposure,
    .dose_unit = bcell_unit,
};
