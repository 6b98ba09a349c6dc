/* Component "placebo": infusions on set weeks with no effect. It makes the
 * control arm explicit in the scenario and in the null version of a design. */
#include <stdlib.h>
#include "itpsim/component.h"
#include "itpsim/record.h"

static const char *const keys[] = {"type", "infusion_weeks", NULL};

static itp_status parse(itp_reader *rd, const config_setting_t *g, const char *defpath,
                        void **out)
{
    itp_infusions *p = calloc(1, sizeof *p);
    (void)defpath;
    *out = p;
    if (!p)
        return ITP_ENOMEM;
    return itp_read_infusions(rd, g, p);
}

/* The infusions, as they are given (logged). */
static double day_fn(const void *vp, itp_patient_ctx *ctx, void *vs, itp_drive *drive)
{
    (void)drive;
    itp_infusion_today(vp, vs, 0, 0.0, ctx);
    return 0.0;
}

static int last_scheduled(const void *vp, const char **setting)
{
    return itp_infusions_last(vp, setting);
}

const itp_component_type itp_placebo_type = {
    .name = "placebo",
    .description = "infusions without effect",
    .keys = keys,
    .parse = parse,
    .free = free,
    .state_size = sizeof(int),   /* the next infusion */
    .day = day_fn,
    .last_scheduled = last_scheduled,
};
