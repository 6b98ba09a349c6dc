/* The patients' status over time per arm (status.csv, the lower panels of
 * the trajectories picture) and the labels of the dose axis; see
 * plotdata.h.
 *
 * At each scheduled visit day d a patient still followed (d within the
 * information: the data cut, or the event-driven cut's limit) is in one
 * status, the first that applies:
 *   failed             the first ttf endpoint's event on or before d (a
 *                      death it counts is a failure);
 *   withdrawn or dead  dropout or death on or before d;
 *   rescued            a rescue on or before d, not (yet) a failure (a
 *                      rescue in the grace period);
 *   off the TPO-RA     off the arm's TPO-RA: its taper completed, or
 *                      stopped (no response, new therapy, a fixed course's
 *                      end), and not restarted since;
 *   on course          none of these: on the treatment as planned.
 * So the failed share is the complement of the ttf Kaplan-Meier curve up
 * to censoring by withdrawal and the data cut, and the shares explain its
 * steps: the grace period's rescues, the taper's end. */
#include "plotdata.h"

#include <string.h>
#include "itpsim/endpoint.h"
#include "itpsim/report.h"

const char *const plot_status_name[PLOT_STATUS] = {"on_course", "failed", "rescued",
                                                   "off_tpo_ra", "withdrawn_or_dead"};

int plot_ttf_endpoint(const itp_scenario *scn)
{
    const itp_endpoint_type *ttf = itp_endpoint_type_find("ttf");
    for (int e = 0; e < scn->n_endpoints; e++)
        if (scn->endpoints[e].type == ttf)
            return e;
    return -1;
}

/* Is the component in place c of the patient's arm a TPO-RA? */
static int is_tpo(const itp_scenario *scn, int arm, int c)
{
    const itp_arm *a = &scn->arms[arm];
    return c < a->n_components && scn->components[a->component[c]].type->is_tpo_ra;
}

static int before(int day, int d)
{
    return day != ITP_NEVER && day <= d;
}

void plot_status_tally(const itp_scenario *scn, const itp_record *rec, const itp_outcome *out,
                       const int *limit, int *tally)
{
    int nv = scn->n_visits, ne = scn->n_endpoints, et = plot_ttf_endpoint(scn);
    for (int i = 0; i < rec->n_patients; i++) {
        const itp_patient *pt = &rec->patients[i];
        int h = limit ? limit[i] : pt->followup_days;
        if (h < 0 || pt->followup_days < 0)
            continue;
        int fail = ITP_NEVER;
        if (et >= 0 && out) {
            const itp_outcome *o = &out[(size_t)i * (size_t)ne + (size_t)et];
            if (o->included && o->event)
                fail = o->time;
        }
        int rescue = pt->n_rescue > 0 ? rec->rescue_days[pt->rescue_first] : ITP_NEVER;
        const itp_event *ev = rec->events + pt->event_first;
        int k = 0, off = 0;
        for (int v = 0; v < nv && scn->visit_day[v] <= h; v++) {
            int d = scn->visit_day[v];
            /* the TPO-RA's course up to d */
            for (; k < pt->n_events && ev[k].day <= d; k++) {
                if (!is_tpo(scn, pt->arm, ev[k].comp))
                    continue;
                int kind = ev[k].kind;
                if (kind == ITP_EV_TAPER_END || kind == ITP_EV_STOP_NO_RESPONSE ||
                    kind == ITP_EV_STOP || kind == ITP_EV_COURSE_END)
                    off = 1;
                else if (kind == ITP_EV_RESTART)
                    off = 0;
            }
            int s = before(fail, d)                                     ? 1
                    : before(pt->death, d) || before(pt->dropout, d) ? 4
                    : before(rescue, d)                              ? 2
                    : off                                            ? 3
                                                                     : 0;
            tally[((size_t)pt->arm * (size_t)nv + (size_t)v) * PLOT_STATUS + (size_t)s]++;
        }
    }
}

itp_status plot_write_status(const char *pdir, const itp_scenario *scn, const long *sum,
                             plot_info *info, char *err, size_t errlen)
{
    itp_out out;
    itp_status st = itp_out_open(&out, pdir, "status.csv", err, errlen);
    if (st)
        return st;
    fputs("arm,arm_index,day,week,patients", out.f);
    for (int s = 0; s < PLOT_STATUS; s++)
        fprintf(out.f, ",%s", plot_status_name[s]);
    fputc('\n', out.f);
    int nv = scn->n_visits;
    for (int a = 0; a < scn->n_arms; a++)
        for (int v = 0; v < nv; v++) {
            const long *c = &sum[((size_t)a * (size_t)nv + (size_t)v) * PLOT_STATUS];
            long n = 0;
            for (int s = 0; s < PLOT_STATUS; s++)
                n += c[s];
            if (n == 0)
                continue;
            fprintf(out.f, "%s,%d,%d,%.6g,%ld", scn->arms[a].name, a, scn->visit_day[v],
                    scn->visit_day[v] / 7.0, n);
            for (int s = 0; s < PLOT_STATUS; s++)
                fprintf(out.f, ",%.6g", (double)c[s] / (double)n);
            fputc('\n', out.f);
        }
    info->has_status = 1;
    return itp_out_commit(&out, err, errlen);
}

void plot_dose_labels(const itp_scenario *scn, plot_info *info)
{
    for (int a = 0; a < scn->n_arms; a++) {
        const itp_arm *arm = &scn->arms[a];
        const itp_component *tpo = NULL;
        int dosed = 0;
        for (int c = 0; c < arm->n_components; c++) {
            const itp_component *cp = &scn->components[arm->component[c]];
            const char *u = cp->type->dose_unit ? cp->type->dose_unit(cp->params) : NULL;
            dosed += u != NULL;
            if (!tpo && cp->type->is_tpo_ra)
                tpo = cp;
        }
        info->dose_label[a][0] = info->dose_key[a][0] = '\0';
        if (!tpo)
            continue;
        const char *drug = tpo->drug[0] ? tpo->drug : tpo->name;
        const char *unit = tpo->type->dose_unit(tpo->params);
        snprintf(info->dose_label[a], sizeof info->dose_label[a], "%s dose (%s)", drug, unit);
        if (dosed > 1)
            snprintf(info->dose_key[a], sizeof info->dose_key[a],
                     "median %s dose (the TPO-RA; the arm's other drugs not drawn)", drug);
        else
            snprintf(info->dose_key[a], sizeof info->dose_key[a], "median %s dose", drug);
    }
}
