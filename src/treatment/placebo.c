/* Component "placebo": infusions on set weeks with no effect. It makes the
 * control arm explicit in the scenario and in the null version of a design. */
#include <stdlib.h>
#include "itpsim/component.h"
#include "itpsim/record.h"

#define MAX_INFUSIONS 52

typedef struct placebo_params {
    int n_inf;
    int inf_day[MAX_INFUSIONS];
} placebo_params;

static const char *const keys[] = {"type", "infusion_weeks", NULL};

static itp_status parse(itp_reader *rd, const config_setting_t *g, const char *defpath,
                        void **out)
{
    placebo_params *p = calloc(1, sizeof *p);
    (void)defpath;
    *out = p;
    if (!p)
        return ITP_ENOMEM;
    return itp_read_infusions(rd, g, p->inf_day, MAX_INFUSIONS, &p->n_inf);
}

/* The infusions, as they are given (logged). */
static double day_fn(const void *vp, itp_patient_ctx *ctx, void *vs, itp_drive *drive)
{
    const placebo_params *p = vp;
    int *next = vs;
    (void)drive;
    if (*next < p->n_inf && p->inf_day[*next] == ctx->day) {
        ++*next;
        itp_ctx_event(ctx, ITP_EV_INFUSION, 0.0);
    }
    ctx->wake = *next < p->n_inf ? p->inf_day[*next] : ITP_FAR_DAY;
    return 0.0;
}

const itp_component_type itp_placebo_type = {
    .name = "placebo",
    .description = "infusions without effect",
    .keys = keys,
    .parse = parse,
    .free = free,
    .state_size = sizeof(int),   /* the next infusion */
    .day = day_fn,
};
