/* Component "bcell_antibody": a B-cell depleting antibody (ianalumab) given
 * as infusions on set weeks.
 *
 * Its effect is a remission mechanism (DOMAIN.md s5): with probability
 *   p(d) = emax d^h / (ed50^h + d^h),   d = dose per infusion in mg/kg,
 * an Emax dose-response so doses never tried can be asked about, the
 * patient enters remission at a day uniform over [onset_from, onset_to]
 * weeks; the remission is protected while B cells are depleted, until
 * last infusion + recovery_days * lognormal(0, recovery_logsd), and ends
 * after that at relapse_per_month. The patient's uniform comes from the
 * component's own stream, so a patient who remits at 3 mg/kg also remits
 * at 9 mg/kg (common random numbers across arms). */
#include <math.h>
#include <stdlib.h>
#include <gsl/gsl_randist.h>
#include "itpsim/component.h"
#include "itpsim/scenario.h"

#define MAX_INFUSIONS 52

typedef struct bcell_params {
    double dose, emax, ed50, hill, onset_from, onset_to;
    double recovery, recovery_logsd, relapse_per_day;
    int n_inf;
    int inf_day[MAX_INFUSIONS];
} bcell_params;

static const char *const keys[] = {"type", "dose_mg_kg", "infusion_weeks", NULL};

static itp_status parse(itp_reader *rd, const config_setting_t *g, void **out)
{
    bcell_params *p = calloc(1, sizeof *p);
    const char *d = "bcell_antibody";
    double relapse;
    itp_status st;
    *out = p;
    if (!p)
        return ITP_ENOMEM;
    if ((st = itp_rd_double(rd, g, NULL, "dose_mg_kg", ITP_CLOSED(0, 100), &p->dose)) ||
        (st = itp_read_infusions(rd, g, p->inf_day, MAX_INFUSIONS, &p->n_inf)) ||
        (st = itp_rd_double(rd, g, d, "emax", ITP_PROB, &p->emax)) ||
        (st = itp_rd_double(rd, g, d, "ed50_mg_kg", ITP_POSITIVE(1e3), &p->ed50)) ||
        (st = itp_rd_double(rd, g, d, "hill", ITP_POSITIVE(20), &p->hill)) ||
        (st = itp_rd_double(rd, g, d, "onset_from_week", ITP_CLOSED(0, 520), &p->onset_from)) ||
        (st = itp_rd_double(rd, g, d, "onset_to_week", ITP_CLOSED(0, 520), &p->onset_to)) ||
        (st = itp_rd_double(rd, g, d, "recovery_days", ITP_POSITIVE(1e4), &p->recovery)) ||
        (st = itp_rd_double(rd, g, d, "recovery_logsd", ITP_CLOSED(0, 3), &p->recovery_logsd)) ||
        (st = itp_rd_double(rd, g, d, "relapse_per_month", ITP_CLOSED(0, 100), &relapse)))
        return st;
    if (p->onset_to < p->onset_from)
        return itp_rd_fail(rd, g, "expected onset_to_week >= onset_from_week (%g), got %g",
                           p->onset_from, p->onset_to);
    p->relapse_per_day = relapse / ITP_DAYS_PER_MONTH;
    return ITP_OK;
}

static double remission_prob(const bcell_params *p)
{
    if (p->dose <= 0.0)
        return 0.0;
    double dh = pow(p->dose, p->hill);
    return p->emax * dh / (pow(p->ed50, p->hill) + dh);
}

static void start(const void *vp, itp_patient_ctx *ctx, gsl_rng *r, void *vs)
{
    const bcell_params *p = vp;
    (void)vs;
    double u = gsl_rng_uniform(r);
    double u_onset = gsl_rng_uniform(r);
    double z_rec = gsl_ran_gaussian_ziggurat(r, 1.0);
    double e_relapse = gsl_ran_exponential(r, 1.0);
    if (u >= remission_prob(p))
        return;
    double onset = 7.0 * (p->onset_from + u_onset * (p->onset_to - p->onset_from));
    double back = p->inf_day[p->n_inf - 1] + p->recovery * exp(p->recovery_logsd * z_rec);
    double end = p->relapse_per_day > 0.0 ? back + e_relapse / p->relapse_per_day : 1e9;
    itp_ctx_add_mechanism(ctx, (int)onset, end > 1e9 ? 1000000000 : (int)end);
}

static void day_fn(const void *vp, itp_patient_ctx *ctx, void *vs, itp_drive *drive)
{
    (void)vp; (void)ctx; (void)vs; (void)drive;
}

static void observe(const void *vp, itp_patient_ctx *ctx, void *vs, double count,
                    int scheduled)
{
    (void)vp; (void)ctx; (void)vs; (void)count; (void)scheduled;
}

const itp_component_type itp_bcell_antibody_type = {
    "bcell_antibody",
    "B-cell depleting antibody: Emax dose-response on a protected remission",
    keys, parse, free, 0, start, day_fn, observe, NULL, 0, 1};
