/* The rescue treatments (component types given only as rescue: the
 * scenario's rescue rule gives them, rescue.treatments; a steroid course
 * may be the rescue too, courses.c):
 *
 * "ivig": intravenous immunoglobulin, dose_g_kg on each of infusion_days
 * days from the rescue's day (the consensus regimens: 1 g/kg once or on
 * two days, or 0.4 g/kg on five; Provan, Blood Adv 2019). A share
 * response_prob of patients respond (about 80%, the same source); in
 * them, with t the days since the rescue and j = t - onset_days, the
 * infusions given up to day j, D (g/kg in all), multiply destruction by
 *
 *   f = kdeg_factor^(w H),   H = s(D) / s(ref_dose_g_kg),
 *   s(D) = D^hill / (ed50_g_kg^hill + D^hill),
 *
 * w = 1 for 0 <= j < duration_days, then w = 1 - i / (fade_days + 1) on
 * the i-th day of the fading (i = 1 .. fade_days), and no effect after.
 * The Emax curve is in the log of the factor, so that the cut grows with
 * the dose and destruction never stops: kdeg_factor is the factor at the
 * reference dose, kdeg_factor^(1 / s(ref_dose_g_kg)) that of an endless
 * dose. Blocked Fc receptors slow the clearance of antibody-coated
 * platelets, which the cut in destruction stands for; the count then rises
 * at the kinetics' own pace (the consensus: within 1-3 days). The response
 * is the rescue's uniform (drawn from the events stream when the rule
 * fires) below response_prob. At the defaults (1 g/kg once, the reference
 * dose: H = 1 exactly, so the factor is 0.3 itself, for 14 days from the
 * rescue's day, no fading) this is the rule's default rescue. The rescue
 * acts until the fading has ended.
 *
 * "platelet_transfusion": units adult doses, each raising the count by
 * increment_per_unit at the start of the rescue's day (the drive's bolus);
 * the platelets transfused are then destroyed as the patient's own, at
 * the patient's destruction rate in ITP (and under what else acts then:
 * an IVIG given with them slows their clearance too). The rescue acts for
 * effect_days (the counts then show the transfusion). */
#include <math.h>
#include <stdlib.h>
#include "itpsim/component.h"
#include "itpsim/record.h"

/* ---- ivig ------------------------------------------------------------------ */

typedef struct ivig_params {
    double dose;           /* g/kg per infusion day */
    int days;              /* infusion days */
    double response_prob;
    double factor;         /* destruction factor at the reference dose */
    double ref_dose, ed50, hill;
    int onset, duration, fade;
    double s_ref;          /* s(ref_dose) */
} ivig_params;

typedef struct ivig_state {
    int day;               /* the rescue's day */
    int responds;
} ivig_state;

static const char *const ivig_keys[] = {"type", NULL};

/* s(D), written so that it cannot fall as D rises, in floating point too. */
static double exposure(const ivig_params *p, double d)
{
    if (!(d > 0.0))
        return 0.0;
    double r = p->ed50 / d;
    return 1.0 / (1.0 + (p->hill == 1.0 ? r : pow(r, p->hill)));
}

static itp_status ivig_parse(itp_reader *rd, const config_setting_t *g, const char *d,
                             void **out)
{
    ivig_params *p = calloc(1, sizeof *p);
    itp_status st;
    *out = p;
    if (!p)
        return ITP_ENOMEM;
    if ((st = itp_rd_double(rd, g, d, "dose_g_kg", ITP_CLOSED(0, 10), &p->dose)) ||
        (st = itp_rd_int(rd, g, d, "infusion_days", 1, 10, &p->days)) ||
        (st = itp_rd_double(rd, g, d, "response_prob", ITP_PROB, &p->response_prob)) ||
        (st = itp_rd_double(rd, g, d, "kdeg_factor", ITP_POSITIVE(1.0), &p->factor)) ||
        (st = itp_rd_double(rd, g, d, "ref_dose_g_kg", ITP_POSITIVE(10), &p->ref_dose)) ||
        (st = itp_rd_double(rd, g, d, "ed50_g_kg", ITP_POSITIVE(10), &p->ed50)) ||
        (st = itp_rd_double(rd, g, d, "hill", ITP_POSITIVE(10), &p->hill)) ||
        (st = itp_rd_int(rd, g, d, "onset_days", 0, 30, &p->onset)) ||
        (st = itp_rd_int(rd, g, d, "duration_days", 1, 365, &p->duration)) ||
        (st = itp_rd_int(rd, g, d, "fade_days", 0, 365, &p->fade)))
        return st;
    if (p->days > p->duration)
        return itp_rd_fail(rd, itp_rd_where(rd, g, d, "infusion_days"),
                           "expected infusion_days <= duration_days (%d): the effect lasts "
                           "at least as long as the infusions, got %d", p->duration, p->days);
    p->s_ref = exposure(p, p->ref_dose);
    return ITP_OK;
}

/* w H on day j = t - onset_days of the rescue (0: no effect). */
static double ivig_weight(const ivig_params *p, int j)
{
    if (j < 0 || j >= p->duration + p->fade)
        return 0.0;
    int n = j + 1 < p->days ? j + 1 : p->days;   /* the infusions acting */
    double h = exposure(p, p->dose * n) / p->s_ref;
    if (j >= p->duration)
        h *= 1.0 - (double)(j - p->duration + 1) / (p->fade + 1);
    return h;
}

static int ivig_rescue(const void *vp, itp_patient_ctx *ctx, gsl_rng *r, void *vs, double u)
{
    const ivig_params *p = vp;
    ivig_state *s = vs;
    (void)r;
    s->day = ctx->day;
    s->responds = u < p->response_prob;
    itp_ctx_event(ctx, ITP_EV_RESCUE, p->dose * p->days);
    return ctx->day + p->onset + p->duration + p->fade;
}

static double ivig_day(const void *vp, itp_patient_ctx *ctx, void *vs, itp_drive *drive)
{
    const ivig_params *p = vp;
    const ivig_state *s = vs;
    int t = ctx->day - s->day, j = t - p->onset;
    ctx->wake = ITP_FAR_DAY;
    if (s->responds) {
        double h = ivig_weight(p, j);
        if (h > 0.0)   /* the set factor itself at the reference dose */
            drive->kdeg_factor *= h == 1.0 ? p->factor : pow(p->factor, h);
        /* the next change: the onset, a growing exposure, the end of the
         * full effect, each day of the fading */
        if (j < 0)
            ctx->wake = s->day + p->onset;
        else if (j + 1 < p->days || (j >= p->duration && j < p->duration + p->fade))
            ctx->wake = ctx->day + 1;
        else if (j < p->duration)
            ctx->wake = s->day + p->onset + p->duration;
    }
    return t >= 0 && t < p->days ? p->dose : 0.0;
}

static const char *ivig_unit(const void *params)
{
    (void)params;
    return "g/kg per infusion day";
}

const itp_component_type itp_ivig_type = {
    .name = "ivig",
    .description = "intravenous immunoglobulin as rescue: destruction cut for weeks in responders",
    .keys = ivig_keys,
    .parse = ivig_parse,
    .free = free,
    .state_size = sizeof(ivig_state),
    .day = ivig_day,
    .rescue = ivig_rescue,
    .rescue_only = 1,
    .dose_unit = ivig_unit,
};

/* ---- platelet_transfusion ----------------------------------------------- */

typedef struct transfusion_params {
    double units, increment;
    int effect_days;
} transfusion_params;

typedef struct transfusion_state {
    int day;        /* the rescue's day */
    int pending;    /* not yet given on it */
} transfusion_state;

static const char *const transfusion_keys[] = {"type", NULL};

static itp_status transfusion_parse(itp_reader *rd, const config_setting_t *g, const char *d,
                                    void **out)
{
    transfusion_params *p = calloc(1, sizeof *p);
    itp_status st;
    *out = p;
    if (!p)
        return ITP_ENOMEM;
    if ((st = itp_rd_double(rd, g, d, "units", ITP_POSITIVE(20), &p->units)) ||
        (st = itp_rd_double(rd, g, d, "increment_per_unit", ITP_POSITIVE(1e3), &p->increment)) ||
        (st = itp_rd_int(rd, g, d, "effect_days", 1, 365, &p->effect_days)))
        return st;
    return ITP_OK;
}

static int transfusion_rescue(const void *vp, itp_patient_ctx *ctx, gsl_rng *r, void *vs,
                              double u)
{
    const transfusion_params *p = vp;
    transfusion_state *s = vs;
    (void)r;
    (void)u;
    s->day = ctx->day;
    s->pending = 1;
    itp_ctx_event(ctx, ITP_EV_RESCUE, p->units);
    return ctx->day + p->effect_days;
}

static double transfusion_day(const void *vp, itp_patient_ctx *ctx, void *vs, itp_drive *drive)
{
    const transfusion_params *p = vp;
    transfusion_state *s = vs;
    ctx->wake = ITP_FAR_DAY;
    if (!s->pending || ctx->day != s->day)
        return 0.0;
    s->pending = 0;
    drive->bolus += p->units * p->increment;
    return p->units;
}

static const char *transfusion_unit(const void *params)
{
    (void)params;
    return "units";
}

const itp_component_type itp_platelet_transfusion_type = {
    .name = "platelet_transfusion",
    .description = "platelet transfusion as rescue: an increment destroyed as the patient's own",
    .keys = transfusion_keys,
    .parse = transfusion_parse,
    .free = free,
    .state_size = sizeof(transfusion_state),
    .day = transfusion_day,
    .rescue = transfusion_rescue,
    .rescue_only = 1,
    .dose_unit = transfusion_unit,
};
