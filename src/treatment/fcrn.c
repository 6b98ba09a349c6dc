/* Component "fcrn_blocker": a neonatal Fc receptor blocker (efgartigimod,
 * rozanolixizumab) given as infusions on set weeks.
 *
 * FcRn recycles IgG away from lysosomal catabolism; blocking it shortens
 * the life of every IgG, the anti-platelet autoantibodies among them, so
 * total IgG falls within days and comes back over weeks once the drug is
 * gone (efgartigimod in healthy volunteers: Ulrichts, J Clin Invest 2018;
 * in ITP: Newland, Am J Hematol 2019; rozanolixizumab in ITP, IgG lowest
 * and counts highest by about day 8 after one dose: Robak, Blood Adv
 * 2020). Time in days, t_i the days of the infusions given:
 *
 *   D(t)  = sum_i dose_mg_kg e^{-kel (t - t_i)},  kel = ln 2 / half_life_days
 *   E(t)  = igg_emax D / (igg_ed50_mg_kg + D)      the IgG lowering D would hold
 *   dL/dt = k (E - L),  k = 1/lowering_days while E > L,
 *                       k = 1/recovery_days while E < L
 *   platelet destruction x (1 - destruction_share L)
 *
 * L, in [0, igg_emax] with igg_emax < 1, is the fraction by which IgG is
 * lowered. Two rates because the fall and the return have different
 * causes: the fall is IgG's catabolism without FcRn protection, the return
 * its synthesis against normal (protected) catabolism, slower; parse
 * refuses recovery_days < lowering_days. destruction_share is the share of
 * platelet destruction the IgG autoantibodies drive (an assumption): what
 * is left, T-cell cytotoxicity and normal senescence, the drug does not
 * touch. The drug level D stands in for FcRn occupancy; there is no
 * remission mechanism (the blockade induces no lasting remission: counts
 * fall back as IgG returns).
 *
 * Discretisation. An infusion is given at the start of its day. Over day
 * d, E is held at its value at the start of the day, E_d = E(D_d) with
 * the day's infusion in D_d (the day's highest; D falls within the day by
 * the factor e^{-kel} at most). With E constant, L moves monotonically
 * towards it at one rate k (k_down if E_d > L_d, k_up if E_d < L_d), so
 *   L_{d+1} = E_d + (L_d - E_d) e^{-k}                       exactly,
 *   M_d     = E_d + (L_d - E_d) (1 - e^{-k}) / k             L's mean over the day,
 *   D_{d+1} = D_d e^{-kel},
 * and the day's drive gets kdeg_factor *= 1 - destruction_share M_d. Both
 * are computed as E w + L (1 - w) and kept between L and E, so that in
 * floating point too a higher dose or one more infusion never gives a
 * lower L or M on any day.
 *
 * Calls. The state is kept per day and does not depend on which days the
 * hook is called on: a call brings D and L forward day by day from its
 * last call, and a second call on the same day neither advances them nor
 * gives the infusion again, so an event day the hook did not ask for
 * changes nothing. While the effect matters (L_d or E_d above 1e-4, or an
 * infusion given within 10 half-lives) the hook asks for the next day;
 * after that the lowering is taken as over, the drive gets no factor, and
 * the hook sleeps until the next infusion (L and E stay below 1e-4 until
 * then: with no infusion, max(L, E) never grows).
 *
 * New ITP therapy stops the infusions from that day on; the effect fades
 * as after the last infusion given. Infusions planned after the end of
 * follow-up are never given. */
#include <math.h>
#include <stdlib.h>
#include "itpsim/component.h"
#include "itpsim/record.h"

/* Below this, L and E are treated as no lowering. */
#define NEGLIGIBLE 1e-4
/* An infusion keeps the hook awake for this many half-lives. */
#define ACTIVE_HALF_LIVES 10.0

/* One of L's two rates over a whole day: e^{-k}, 1 - e^{-k}, and the
 * weights of L and E in the day's mean, (1 - e^{-k}) / k and its
 * complement. */
typedef struct fcrn_rate {
    double keep, move, mean_keep, mean_move;
} fcrn_rate;

typedef struct fcrn_params {
    double dose, half_life, emax, ed50, share;
    double day_decay;      /* e^{-kel}: the drug level's fall over a day */
    double active_days;    /* ACTIVE_HALF_LIVES half-lives */
    fcrn_rate down, up;    /* 1/lowering_days, 1/recovery_days */
    itp_infusions inf;
} fcrn_params;

/* Zeroed at randomisation: the start of day 0, no drug, no lowering. */
typedef struct fcrn_state {
    int day;        /* the day d and l are at (its start, its infusion in d) */
    int next_inf;   /* the next infusion to give (those before it given) */
    int stopped;    /* no infusion from the stop on */
    double d, l;    /* D_day (mg/kg) and L_day */
} fcrn_state;


static fcrn_rate rate_of(double days)
{
    double k = 1.0 / days, move = -expm1(-k), mean_keep = move / k;
    return (fcrn_rate){1.0 - move, move, mean_keep, 1.0 - mean_keep};
}

static itp_status parse(itp_reader *rd, const config_setting_t *g, const char *d,
                        void **out)
{
    fcrn_params *p = calloc(1, sizeof *p);
    double lowering, recovery;
    itp_status st;
    *out = p;
    if (!p)
        return ITP_ENOMEM;
    /* igg_emax < 1: IgG is never cleared completely, and the destruction
     * factor stays positive */
    const itp_range below_one = {0.0, 1.0, 0, 1};
    if ((st = itp_rd_double(rd, g, NULL, "dose_mg_kg", ITP_CLOSED(0, 100), &p->dose)) ||
        (st = itp_read_infusions(rd, g, &p->inf)) ||
        (st = itp_rd_double(rd, g, d, "half_life_days", ITP_POSITIVE(1e4), &p->half_life)) ||
        (st = itp_rd_double(rd, g, d, "igg_emax", below_one, &p->emax)) ||
        (st = itp_rd_double(rd, g, d, "igg_ed50_mg_kg", ITP_POSITIVE(1e4), &p->ed50)) ||
        (st = itp_rd_double(rd, g, d, "lowering_days", ITP_POSITIVE(1e3), &lowering)) ||
        (st = itp_rd_double(rd, g, d, "recovery_days", ITP_POSITIVE(1e4), &recovery)) ||
        (st = itp_rd_double(rd, g, d, "destruction_share", ITP_PROB, &p->share)))
        return st;
    if (recovery < lowering)
        return itp_rd_fail(rd, itp_rd_where(rd, g, d, "recovery_days"),
                           "expected recovery_days >= lowering_days (%g): IgG returns at its "
                           "normal turnover, no faster than it falls under the blockade, got %g",
                           lowering, recovery);
    p->day_decay = exp(-log(2.0) / p->half_life);
    p->active_days = ACTIVE_HALF_LIVES * p->half_life;
    p->down = rate_of(lowering);
    p->up = rate_of(recovery);
    return ITP_OK;
}

/* E(D), written so that it cannot fall as D rises, in floating point too. */
static double target(const fcrn_params *p, double d)
{
    return d > 0.0 ? p->emax / (1.0 + p->ed50 / d) : 0.0;
}

static double between(double x, double a, double b)
{
    double lo = a < b ? a : b, hi = a < b ? b : a;
    return x < lo ? lo : x > hi ? hi : x;
}

/* L at the end of a day that starts at l with E held at e. */
static double day_end(const fcrn_params *p, double l, double e)
{
    if (e == l)
        return l;
    const fcrn_rate *r = e > l ? &p->down : &p->up;
    return between(e * r->move + l * r->keep, l, e);
}

/* L's mean over that day. */
static double day_mean(const fcrn_params *p, double l, double e)
{
    if (e == l)
        return l;
    const fcrn_rate *r = e > l ? &p->down : &p->up;
    return between(e * r->mean_move + l * r->mean_keep, l, e);
}

/* New ITP therapy: no infusion from today on. */
static void stop(const void *vp, itp_patient_ctx *ctx, void *vs)
{
    (void)vp;
    fcrn_state *s = vs;
    s->stopped = 1;
    itp_ctx_event(ctx, ITP_EV_STOP, 0.0);
}

/* The state brought to today, today's infusion, and the day's cut in
 * destruction. */
static double day_fn(const void *vp, itp_patient_ctx *ctx, void *vs, itp_drive *drive)
{
    const fcrn_params *p = vp;
    fcrn_state *s = vs;
    int day = ctx->day;
    for (; s->day < day; s->day++) {
        s->l = day_end(p, s->l, target(p, s->d));
        s->d *= p->day_decay;
    }
    /* sets the wake at the next infusion, kept once the effect is over */
    double dose = itp_infusion_today(&p->inf, &s->next_inf, s->stopped, p->dose, ctx) ? p->dose
                                                                                     : 0.0;
    s->d += dose;
    double e = target(p, s->d);
    int recent = s->next_inf > 0 && day - p->inf.day[s->next_inf - 1] < p->active_days;
    if (recent || s->l > NEGLIGIBLE || e > NEGLIGIBLE) {
        drive->kdeg_factor *= 1.0 - p->share * day_mean(p, s->l, e);
        ctx->wake = day + 1;
    }
    return dose;
}

static int last_scheduled(const void *vp, const char **setting)
{
    const fcrn_params *p = vp;
    return itp_infusions_last(&p->inf, setting);
}

/* The exposure of the dose-response: the dose of one infusion (the
 * drug level it gives, in mg/kg). */
static int exposure(const void *vp, double *value, const char **unit)
{
    const fcrn_params *p = vp;
    *value = p->dose;
    *unit = "mg/kg per infusion";
    return 1;
}

static const char *fcrn_unit(const void *params)
{
    (void)params;
    return "mg/kg per infusion";
}

const itp_component_type itp_fcrn_blocker_type = {
    .name = "fcrn_blocker",
    .description = "FcRn blocker: IgG lowering cuts platelet destruction while it lasts",
    .keys = itp_infusion_keys,
    .default_drug = "efgartigimod",
    .parse = parse,
    .free = free,
    .state_size = sizeof(fcrn_state),
    .mechanisms = 0,
    .day = day_fn,
    .stop = stop,
    .last_scheduled = last_scheduled,
    .exposure = exposure,
    .dose_unit = fcrn_unit,
};
