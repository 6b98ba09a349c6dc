/* Component "placebo": infusions on set weeks with no effect. It makes the
 * control arm explicit in the scenario and in the null version of a design. */
#include <stdlib.h>
#include "itpsim/component.h"

#define MAX_INFUSIONS 52

typedef struct placebo_params {
    int n_inf;
    int inf_day[MAX_INFUSIONS];
} placebo_params;

static const char *const keys[] = {"type", "infusion_weeks", NULL};

static itp_status parse(itp_reader *rd, const config_setting_t *g, void **out)
{
    placebo_params *p = calloc(1, sizeof *p);
    *out = p;
    if (!p)
        return ITP_ENOMEM;
    return itp_read_infusions(rd, g, p->inf_day, MAX_INFUSIONS, &p->n_inf);
}

static void start(const void *vp, itp_patient_ctx *ctx, gsl_rng *r, void *vs)
{
    (void)vp; (void)ctx; (void)r; (void)vs;
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

const itp_component_type itp_placebo_type = {
    .name = "placebo",
    .description = "infusions without effect",
    .keys = keys,
    .parse = parse,
    .free = free,
    .start = start,
    .day = day_fn,
    .observe = observe,
};
