/* Result writers; see report.h. */
#include "itpsim/report.h"

#include "itpsim/analysis.h"
#include "itpsim/endpoint.h"

#include <errno.h>
#include <math.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#ifdef ITP_MPI
#include <mpi.h>
#endif

int itp_out_writes(void)
{
#ifdef ITP_MPI
    /* An MPI job: every rank holds the same results (engine.c), rank 0
     * alone writes them. */
    int on = 0, off = 0, rank = 0;
    MPI_Initialized(&on);
    if (on)
        MPI_Finalized(&off);
    if (on && !off)
        MPI_Comm_rank(MPI_COMM_WORLD, &rank);
    return rank == 0;
#else
    return 1;
#endif
}

itp_status itp_mkdir_p(const char *dir, char *err, size_t errlen)
{
    char buf[1024];
    if (!itp_out_writes())
        return ITP_OK;
    if (snprintf(buf, sizeof buf, "%s", dir) >= (int)sizeof buf) {
        snprintf(err, errlen, "%s: path too long", dir);
        return ITP_EIO;
    }
    for (char *p = buf + 1;; p++) {
        if (*p == '/' || *p == '\0') {
            char c = *p;
            *p = '\0';
            if (mkdir(buf, 0777) != 0 && errno != EEXIST) {
                snprintf(err, errlen, "%s: cannot create folder: %s", buf, strerror(errno));
                return ITP_EIO;
            }
            *p = c;
            if (!c)
                break;
        }
    }
    struct stat st;
    if (stat(dir, &st) != 0 || !S_ISDIR(st.st_mode)) {
        snprintf(err, errlen, "%s: not a folder", dir);
        return ITP_EIO;
    }
    return ITP_OK;
}

itp_status itp_out_open(itp_out *o, const char *dir, const char *name, char *err,
                        size_t errlen)
{
    o->f = NULL;
    if (snprintf(o->path, sizeof o->path, "%s/%s", dir, name) >= (int)sizeof o->path ||
        snprintf(o->tmp, sizeof o->tmp, "%s/.%s.tmp-%ld", dir, name, (long)getpid()) >=
            (int)sizeof o->tmp) {
        snprintf(err, errlen, "%s: path too long", dir);
        return ITP_EIO;
    }
    if (!itp_out_writes()) {
        /* written in full, and discarded: no temporary name to rename */
        o->tmp[0] = '\0';
        o->f = fopen("/dev/null", "w");
        if (!o->f) {
            snprintf(err, errlen, "/dev/null: cannot write: %s", strerror(errno));
            return ITP_EIO;
        }
        return ITP_OK;
    }
    /* Created afresh ("x"): never through a link or a file left there; a
     * leftover of an earlier process with the same id is removed first. */
    o->f = fopen(o->tmp, "wx");
    if (!o->f && errno == EEXIST && unlink(o->tmp) == 0)
        o->f = fopen(o->tmp, "wx");
    if (!o->f) {
        snprintf(err, errlen, "%s: cannot write: %s", o->tmp, strerror(errno));
        return ITP_EIO;
    }
    return ITP_OK;
}

/* Flushes, syncs and closes o->f; 0, or the errno of the first failure.
 * After a failed write the stream's error flag is set but errno may have
 * changed since: the buffer is flushed again to learn the reason. */
static int out_close(itp_out *o)
{
    int saved = 0;
    if (ferror(o->f)) {
        clearerr(o->f);
        saved = fflush(o->f) != 0 && errno ? errno : EIO;
    }
    if (!saved && fflush(o->f) != 0)
        saved = errno ? errno : EIO;
    /* On the disk before the rename, so a crash leaves the old file or the
     * new one, never a half-written one under the final name. */
    if (!saved && fsync(fileno(o->f)) != 0 && errno != EINVAL && errno != EROFS)
        saved = errno;
    if (fclose(o->f) != 0 && !saved)
        saved = errno ? errno : EIO;
    o->f = NULL;
    return saved;
}

itp_status itp_out_commit(itp_out *o, char *err, size_t errlen)
{
    itp_out *one[1] = {o};
    return itp_out_commit_all(one, 1, err, errlen);
}

itp_status itp_out_commit_all(itp_out *const *o, int n, char *err, size_t errlen)
{
    int bad = -1, why = 0;
    for (int i = 0; i < n; i++) {
        int e = o[i]->f ? out_close(o[i]) : EBADF;
        if (e && bad < 0) {
            bad = i;
            why = e;
        }
    }
    if (bad >= 0) {
        snprintf(err, errlen, "%s: write failed: %s", o[bad]->path, strerror(why));
        for (int i = 0; i < n; i++)
            if (o[i]->tmp[0])
                remove(o[i]->tmp);
        return ITP_EIO;
    }
    for (int i = 0; i < n; i++)
        if (o[i]->tmp[0] && rename(o[i]->tmp, o[i]->path) != 0) {
            snprintf(err, errlen, "%s: cannot rename into place: %s", o[i]->path,
                     strerror(errno));
            for (int j = i; j < n; j++)
                if (o[j]->tmp[0])
                    remove(o[j]->tmp);
            return ITP_EIO;
        }
    return ITP_OK;
}

void itp_out_abort(itp_out *o)
{
    if (o->f) {
        fclose(o->f);
        if (o->tmp[0])
            remove(o->tmp);
    }
    o->f = NULL;
}

static void put_day(FILE *f, int day)
{
    if (day == ITP_NEVER)
        fputs(",NA", f);
    else
        fprintf(f, ",%d", day);
}

itp_status itp_write_patients(const char *dir, const itp_scenario *scn,
                              const itp_record *rec, char *err, size_t errlen)
{
    itp_out o;
    itp_status st = itp_out_open(&o, dir, "patients.csv", err, errlen);
    if (st)
        return st;
    fputs("id,arm,stratum,enrol_day,baseline_count,followup_days,taper_start_day,"
          "taper_end_day,taper_fail_day,taper_ineligible_day,taper_unable_day,tpo_stop_day,"
          "tpo_restart_day,n_rescue,"
          "rescue_days,n_bleed,new_therapy_day,death_day,dropout_day,failure_day,"
          "last_contact_day,remission_onset_day,remission_end_day\n", o.f);
    for (int i = 0; i < rec->n_patients; i++) {
        const itp_patient *p = &rec->patients[i];
        fprintf(o.f, "%d,%s,%d,%.2f,", p->id, scn->arms[p->arm].name, p->stratum, p->enrol_day);
        if (isnan(p->baseline))
            fputs("NA", o.f);
        else
            fprintf(o.f, "%.0f", p->baseline);
        fprintf(o.f, ",%d", p->followup_days);
        /* the first of each kind in the treatments' event log */
        static const int kinds[] = {ITP_EV_TAPER_START, -1, ITP_EV_TAPER_FAIL,
                                    ITP_EV_TAPER_INELIGIBLE, ITP_EV_TAPER_UNABLE,
                                    ITP_EV_STOP_NO_RESPONSE, ITP_EV_RESTART};
        for (size_t k = 0; k < sizeof kinds / sizeof kinds[0]; k++)
            put_day(o.f, kinds[k] < 0 ? itp_patient_taper_end(rec, p)
                                      : itp_patient_event(rec, p, kinds[k], 0));
        fprintf(o.f, ",%d,", p->n_rescue);
        for (int r = 0; r < p->n_rescue; r++)
            fprintf(o.f, "%s%d", r ? ";" : "", rec->rescue_days[p->rescue_first + (size_t)r]);
        fprintf(o.f, ",%d", p->n_bleed);
        put_day(o.f, p->new_therapy);
        put_day(o.f, p->death);
        put_day(o.f, p->dropout);
        put_day(o.f, p->failure);
        put_day(o.f, p->last_day);
        put_day(o.f, p->remission_onset);
        put_day(o.f, p->remission_onset == ITP_NEVER ? ITP_NEVER : p->remission_end);
        fputc('\n', o.f);
    }
    return itp_out_commit(&o, err, errlen);
}

itp_status itp_write_events(const char *dir, const itp_scenario *scn,
                            const itp_record *rec, char *err, size_t errlen)
{
    itp_out o;
    itp_status st = itp_out_open(&o, dir, "events.csv", err, errlen);
    if (st)
        return st;
    fputs("patient,day,week,component,event,value\n", o.f);
    for (int i = 0; i < rec->n_patients; i++) {
        const itp_patient *p = &rec->patients[i];
        const itp_arm *arm = &scn->arms[p->arm];
        for (int k = 0; k < p->n_events; k++) {
            const itp_event *e = &rec->events[p->event_first + (size_t)k];
            const char *comp = e->comp < arm->n_components + scn->rescue.n_treatments
                                   ? scn->components[itp_scenario_place(scn, arm, e->comp)].name
                                   : "NA";
            fprintf(o.f, "%d,%d,%g,%s,%s,%g\n", p->id, e->day, e->day / 7.0, comp,
                    itp_event_name(e->kind), (double)e->value);
        }
    }
    return itp_out_commit(&o, err, errlen);
}

itp_status itp_write_visits(const char *dir, const itp_scenario *scn,
                            const itp_record *rec, char *err, size_t errlen)
{
    itp_out o;
    itp_status st = itp_out_open(&o, dir, "visits.csv", err, errlen);
    if (st)
        return st;
    (void)scn;
    fputs("patient,day,week,count,tpo_dose_mg,rescue,scheduled,new_therapy\n", o.f);
    for (int i = 0; i < rec->n_patients; i++) {
        const itp_patient *p = &rec->patients[i];
        for (int v = 0; v < p->n_visits; v++) {
            const itp_visit *vi = &rec->visits[p->visit_first + (size_t)v];
            fprintf(o.f, "%d,%d,%g,%.0f,%g,%d,%d,%d\n", p->id, vi->day, vi->day / 7.0,
                    (double)vi->count, (double)vi->tpo_dose, vi->rescue, vi->scheduled,
                    vi->new_therapy);
        }
    }
    return itp_out_commit(&o, err, errlen);
}

itp_status itp_write_endpoints(const char *dir, const itp_scenario *scn, const itp_record *rec,
                               const itp_outcome *outcomes, char *err, size_t errlen)
{
    itp_out o;
    itp_status st = itp_out_open(&o, dir, "endpoints.csv", err, errlen);
    if (st)
        return st;
    size_t ne = (size_t)scn->n_endpoints;
    fputs("patient,arm,stratum", o.f);
    for (size_t e = 0; e < ne; e++) {
        const itp_endpoint *ep = &scn->endpoints[e];
        if (ep->type->kind == ITP_EP_TIME)
            fprintf(o.f, ",%s_days,%s_event,%s_cause", ep->name, ep->name, ep->name);
        else
            fprintf(o.f, ",%s", ep->name);
    }
    fputc('\n', o.f);
    for (int i = 0; i < rec->n_patients; i++) {
        const itp_patient *p = &rec->patients[i];
        fprintf(o.f, "%d,%s,%d", p->id, scn->arms[p->arm].name, p->stratum);
        for (size_t e = 0; e < ne; e++) {
            const itp_outcome *oc = &outcomes[(size_t)i * ne + e];
            const itp_endpoint_type *t = scn->endpoints[e].type;
            if (!oc->included)
                fputs(t->kind == ITP_EP_TIME ? ",NA,NA,NA" : ",NA", o.f);
            else if (t->kind == ITP_EP_TIME)
                fprintf(o.f, ",%d,%d,%s", oc->time, oc->event,
                        oc->event && oc->cause >= 0 ? t->causes[oc->cause] : "censored");
            else
                fprintf(o.f, ",%d", oc->event);
        }
        fputc('\n', o.f);
    }
    return itp_out_commit(&o, err, errlen);
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

itp_status itp_write_analysis(const char *dir, const itp_scenario *scn, const itp_hyp_result *res,
                              char *err, size_t errlen)
{
    itp_out o;
    itp_status st = itp_out_open(&o, dir, "analysis.csv", err, errlen);
    if (st)
        return st;
    fputs("hypothesis,endpoint,arm,control,test,sided,estimate,ci_low,ci_high,statistic,"
          "p_value,adjusted_p_value,rejected,n_arm,n_control,events_arm,events_control,flags\n",
          o.f);
    for (int k = 0; k < scn->plan.n_hyp; k++) {
        const itp_hypothesis *h = &scn->plan.hyp[k];
        const itp_hyp_result *r = &res[k];
        fprintf(o.f, "%s,%s,%s,%s,%s,%s", h->name, scn->endpoints[h->endpoint].name,
                scn->arms[h->arm].name, h->control >= 0 ? scn->arms[h->control].name : "NA",
                h->test, h->two_sided ? "two" : "one");
        put_num(o.f, r->estimate);
        put_num(o.f, r->ci_low);
        put_num(o.f, r->ci_high);
        put_num(o.f, r->statistic);
        put_num(o.f, r->p_value);
        put_num(o.f, r->adj_p);
        fprintf(o.f, ",%d,%d,%d,%d,%d,%s\n", r->rejected, r->n_exp, r->n_ctl, r->events_exp,
                r->events_ctl, itp_hyp_flag_text(r->flags));
    }
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
