/* Result writers; see report.h. */
#include "itpsim/report.h"

#include "itpsim/analysis.h"
#include "itpsim/endpoint.h"

#include <errno.h>
#include <math.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static void put_day(FILE *f, int day)
{
    if (day == ITP_NEVER)
        fputs(",NA", f);
    else
        fprintf(f, ",%d", day);
}

static void put_patients(FILE *f, const itp_scenario *scn, const itp_record *rec)
{
    fputs("id,arm,stratum,enrol_day,baseline_count,followup_days,taper_start_day,"
          "taper_end_day,taper_fail_day,taper_ineligible_day,taper_unable_day,tpo_stop_day,"
          "tpo_restart_day,n_rescue,"
          "rescue_days,n_bleed,new_therapy_day,death_day,dropout_day,failure_day,"
          "last_contact_day,remission_onset_day,remission_end_day\n", f);
    for (int i = 0; i < rec->n_patients; i++) {
        const itp_patient *p = &rec->patients[i];
        fprintf(f, "%d,%s,%d,%.2f,", p->id, scn->arms[p->arm].name, p->stratum, p->enrol_day);
        if (isnan(p->baseline))
            fputs("NA", f);
        else
            fprintf(f, "%.0f", p->baseline);
        fprintf(f, ",%d", p->followup_days);
        /* the first of each kind in the treatments' event log */
        static const int kinds[] = {ITP_EV_TAPER_START, -1, ITP_EV_TAPER_FAIL,
                                    ITP_EV_TAPER_INELIGIBLE, ITP_EV_TAPER_UNABLE,
                                    ITP_EV_STOP_NO_RESPONSE, ITP_EV_RESTART};
        for (size_t k = 0; k < sizeof kinds / sizeof kinds[0]; k++)
            put_day(f, kinds[k] < 0 ? itp_patient_taper_end(rec, p)
                                      : itp_patient_event(rec, p, kinds[k], 0));
        fprintf(f, ",%d,", p->n_rescue);
        for (int r = 0; r < p->n_rescue; r++)
            fprintf(f, "%s%d", r ? ";" : "", rec->rescue_days[p->rescue_first + (size_t)r]);
        fprintf(f, ",%d", p->n_bleed);
        put_day(f, p->new_therapy);
        put_day(f, p->death);
        put_day(f, p->dropout);
        put_day(f, p->failure);
        put_day(f, p->last_day);
        put_day(f, p->remission_onset);
        put_day(f, p->remission_onset == ITP_NEVER ? ITP_NEVER : p->remission_end);
        fputc('\n', f);
    }
}


static void put_events(FILE *f, const itp_scenario *scn, const itp_record *rec)
{
    fputs("patient,day,week,component,event,value\n", f);
    for (int i = 0; i < rec->n_patients; i++) {
        const itp_patient *p = &rec->patients[i];
        const itp_arm *arm = &scn->arms[p->arm];
        for (int k = 0; k < p->n_events; k++) {
            const itp_event *e = &rec->events[p->event_first + (size_t)k];
            const char *comp = e->comp < arm->n_components + scn->rescue.n_treatments
                                   ? scn->components[itp_scenario_place(scn, arm, e->comp)].name
                                   : "NA";
            fprintf(f, "%d,%d,%g,%s,%s,%g\n", p->id, e->day, e->day / 7.0, comp,
                    itp_event_name(e->kind), (double)e->value);
        }
    }
}


static void put_visits(FILE *f, const itp_scenario *scn, const itp_record *rec)
{
    (void)scn;
    fputs("patient,day,week,count,tpo_dose_mg,rescue,scheduled,new_therapy\n", f);
    for (int i = 0; i < rec->n_patients; i++) {
        const itp_patient *p = &rec->patients[i];
        for (int v = 0; v < p->n_visits; v++) {
            const itp_visit *vi = &rec->visits[p->visit_first + (size_t)v];
            fprintf(f, "%d,%d,%g,%.0f,%g,%d,%d,%d\n", p->id, vi->day, vi->day / 7.0,
                    (double)vi->count, (double)vi->tpo_dose, vi->rescue, vi->scheduled,
                    vi->new_therapy);
        }
    }
}


static void put_endpoints(FILE *f, const itp_scenario *scn, const itp_record *rec, const itp_outcome *outcomes)
{
    size_t ne = (size_t)scn->n_endpoints;
    fputs("patient,arm,stratum", f);
    for (size_t e = 0; e < ne; e++) {
        const itp_endpoint *ep = &scn->endpoints[e];
        if (ep->type->kind == ITP_EP_TIME)
            fprintf(f, ",%s_days,%s_event,%s_cause", ep->name, ep->name, ep->name);
        else
            fprintf(f, ",%s", ep->name);
    }
    fputc('\n', f);
    for (int i = 0; i < rec->n_patients; i++) {
        const itp_patient *p = &rec->patients[i];
        fprintf(f, "%d,%s,%d", p->id, scn->arms[p->arm].name, p->stratum);
        for (size_t e = 0; e < ne; e++) {
            const itp_outcome *oc = &outcomes[(size_t)i * ne + e];
            const itp_endpoint_type *t = scn->endpoints[e].type;
            if (!oc->included)
                fputs(t->kind == ITP_EP_TIME ? ",NA,NA,NA" : ",NA", f);
            else if (t->kind == ITP_EP_TIME)
                fprintf(f, ",%d,%d,%s", oc->time, oc->event,
                        oc->event && oc->cause >= 0 ? t->causes[oc->cause] : "censored");
            else
                fprintf(f, ",%d", oc->event);
        }
        fputc('\n', f);
    }
}


/* A number, or NA when it is not finite (flags say why). */
static void put_num(FILE *f, double x)
{
    if (isfinite(x))
        fprintf(f, ",%.10g", x);
    else if (isinf(x))
        fputs(x > 0 ? ",Inf" : ",-Inf", f);
    else
        fputs(",NA", f);
}

const char *itp_hyp_flag_text(unsigned flags)
{
    if (flags & ITP_HYP_MONOTONE)
        return "monotone_likelihood";
    if (flags & ITP_HYP_NOT_ESTIMABLE)
        return "not_estimable";
    if (flags & ITP_HYP_NO_TEST)
        return "no_test";
    return "";
}

static void put_analysis(FILE *f, const itp_scenario *scn, const itp_hyp_result *res)
{
    fputs("hypothesis,endpoint,arm,control,test,sided,estimate,ci_low,ci_high,statistic,"
          "p_value,adjusted_p_value,rejected,n_arm,n_control,events_arm,events_control,flags\n",
          f);
    for (int k = 0; k < scn->plan.n_hyp; k++) {
        const itp_hypothesis *h = &scn->plan.hyp[k];
        const itp_hyp_result *r = &res[k];
        fprintf(f, "%s,%s,%s,%s,%s,%s", h->name, scn->endpoints[h->endpoint].name,
                scn->arms[h->arm].name, h->control >= 0 ? scn->arms[h->control].name : "NA",
                h->test, h->two_sided ? "two" : "one");
        put_num(f, r->estimate);
        put_num(f, r->ci_low);
        put_num(f, r->ci_high);
        put_num(f, r->statistic);
        put_num(f, r->p_value);
        put_num(f, r->adj_p);
        fprintf(f, ",%d,%d,%d,%d,%d,%s\n", r->rejected, r->n_exp, r->n_ctl, r->events_exp,
                r->events_ctl, itp_hyp_flag_text(r->flags));
    }
}

itp_status itp_write_analysis(const char *dir, const itp_scenario *scn, const itp_hyp_result *res, char *err, size_t errlen)
{
    itp_out o;
    itp_status st = itp_out_open(&o, dir, "analysis.csv", err, errlen);
    if (st)
        return st;
    put_analysis(o.f, scn, res);
    return itp_out_commit(&o, err, errlen);
}

/* x with 3 decimals for a table, or NA, Inf, -Inf. */
static const char *fmt3(char *buf, size_t len, double x)
{
    if (isfinite(x))
        snprintf(buf, len, "%.3f", x);
    else
        snprintf(buf, len, "%s", isnan(x) ? "NA" : x > 0 ? "Inf" : "-Inf");
    return buf;
}

void itp_print_analysis(const itp_scenario *scn, const itp_hyp_result *res, FILE *f)
{
    char e[32], lo[32], hi[32];
    fprintf(f, "%-12s %-8s %-10s %9s %20s %10s %10s %s\n", "hypothesis", "endpoint", "test",
            "estimate", "95% CI", "p", "adj. p", "rejected");
    for (int k = 0; k < scn->plan.n_hyp; k++) {
        const itp_hypothesis *h = &scn->plan.hyp[k];
        const itp_hyp_result *r = &res[k];
        fprintf(f, "%-12s %-8s %-10s %9s [%8s, %8s] %10.4g %10.4g %s %s\n", h->name,
                scn->endpoints[h->endpoint].name, h->test, fmt3(e, sizeof e, r->estimate),
                fmt3(lo, sizeof lo, r->ci_low), fmt3(hi, sizeof hi, r->ci_high), r->p_value,
                r->adj_p, r->rejected ? "yes" : "no", itp_hyp_flag_text(r->flags));
    }
}

void itp_summarise_arms(const itp_scenario *scn, const itp_record *rec,
                        itp_arm_summary *out)
{
    memset(out, 0, (size_t)scn->n_arms * sizeof *out);
    for (int i = 0; i < rec->n_patients; i++) {
        const itp_patient *p = &rec->patients[i];
        itp_arm_summary *s = &out[p->arm];
        s->n++;
        for (int v = 0; v < p->n_visits; v++) {
            const itp_visit *vi = &rec->visits[p->visit_first + (size_t)v];
            if (vi->day == 42 && vi->scheduled) {
                s->n_week6++;
                s->ge50_week6 += vi->count >= 50.0f;
            }
        }
        int off = itp_patient_taper_end(rec, p);
        s->tapered_off += off != ITP_NEVER && off <= 24 * 7;
        int late = 0;
        for (int r = 0; r < p->n_rescue; r++)
            late |= rec->rescue_days[p->rescue_first + (size_t)r] > 8 * 7;
        s->rescued_late += late;
    }
}

static double share(int k, int n)
{
    return n > 0 ? (double)k / n : (double)NAN;
}

void itp_print_arm_summary(const itp_scenario *scn, const itp_arm_summary *s, FILE *f)
{
    char a[32], b[32], c[32];
    fprintf(f, "%-16s %5s %16s %22s %22s\n", "arm", "n", "count>=50 wk 6",
            "off TPO-RA by wk 24", "rescued after wk 8");
    for (int i = 0; i < scn->n_arms; i++)
        fprintf(f, "%-16s %5d %9s (%3d) %15s (%3d) %15s (%3d)\n", scn->arms[i].name, s[i].n,
                fmt3(a, sizeof a, share(s[i].ge50_week6, s[i].n_week6)), s[i].ge50_week6,
                fmt3(b, sizeof b, share(s[i].tapered_off, s[i].n)), s[i].tapered_off,
                fmt3(c, sizeof c, share(s[i].rescued_late, s[i].n)), s[i].rescued_late);
}

itp_status itp_write_simulation(const char *dir, const itp_scenario *scn, const itp_record *rec,
                                const itp_outcome *outcomes, const itp_hyp_result *res,
                                char *err, size_t errlen)
{
    static const char *const names[5] = {"patients.csv", "visits.csv", "events.csv",
                                         "endpoints.csv", "analysis.csv"};
    int want[5] = {1, 1, 1, scn->n_endpoints > 0, scn->plan.n_hyp > 0};
    itp_out out[5], *all[5];
    const char *gone[5];
    int n = 0, n_gone = 0;
    itp_status st = ITP_OK;
    for (int i = 0; i < 5; i++) {
        if (!want[i]) {
            gone[n_gone++] = names[i];   /* an earlier simulation's, not of this set */
            continue;
        }
        if ((st = itp_out_open(&out[i], dir, names[i], err, errlen)))
            break;
        all[n++] = &out[i];
        if (i == 0)
            put_patients(out[i].f, scn, rec);
        else if (i == 1)
            put_visits(out[i].f, scn, rec);
        else if (i == 2)
            put_events(out[i].f, scn, rec);
        else if (i == 3)
            put_endpoints(out[i].f, scn, rec, outcomes);
        else
            put_analysis(out[i].f, scn, res);
    }
    if (st) {
        for (int i = 0; i < n; i++)
            itp_out_abort(all[i]);
        return st;
    }
    return itp_out_commit_set(all, n, gone, n_gone, err, errlen);
}
