/* A rule on the treatments' taper log: began a taper by a week (for
 * remission off treatment among those who began the taper, with `among`);
 * see endpoint.h. */
#include "itpsim/endpoint.h"

#include <stdlib.h>
#include "internal.h"

typedef struct taper_params {
    int by;   /* day */
} taper_params;

static const char *const ts_keys[] = {"type", "by_week", NULL};

static itp_status ts_parse(itp_reader *rd, const config_setting_t *g, const itp_scenario *scn,
                           void **out)
{
    taper_params *p = calloc(1, sizeof *p);
    (void)scn;
    *out = p;
    if (!p)
        return ITP_ENOMEM;
    return itp_ep_read_week(rd, g, "by_week", -1.0, &p->by);
}

/* A taper's first step (taper_start, of any component) on or before
 * by_week, within the information; judged at by_week, as the other binary
 * rules are at the end of their window. */
static void ts_eval(const void *vp, const itp_scenario *scn, const itp_record *rec,
                    const itp_patient *pt, int limit, itp_outcome *out)
{
    const taper_params *p = vp;
    int end = itp_ep_end_of_info(pt, limit);
    (void)scn;
    *out = (itp_outcome){itp_ep_evaluable(pt, p->by, end), 0, 0, -1};
    if (!out->included)
        return;
    int start = itp_patient_event(rec, pt, ITP_EV_TAPER_START, 0);
    out->event = start != ITP_NEVER && start <= p->by && start <= end;
}

static int ts_horizon(const void *vp)
{
    return ((const taper_params *)vp)->by;
}

const itp_endpoint_type itp_ep_taper_started = {"taper_started", ITP_EP_BINARY, 0, ts_keys, NULL,
                                                ts_parse, ts_eval, ts_horizon};
