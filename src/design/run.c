/* Design and null runs with progress and result files; see run.h. */
#include "itpsim/run.h"

#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>
#include "itpsim/report.h"

/* NAN is a float; every NA here is a double. */
#define NA_D ((double)NAN)

typedef struct progress {
    const itp_run_opts *o;
    const char *phase;
    long total, done;
    double start, last_print;
    int tty;
    long printed;        /* replicates done at the last plain line */
    int io_error;        /* writing replicates.csv failed */
} progress;

static double now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + 1e-9 * (double)ts.tv_nsec;
}

static void show(progress *p, int final)
{
    if (p->o->quiet)
        return;
    double t = now(), el = t - p->start, rate = el > 0 ? p->done / el : 0.0;
    double left = rate > 0 ? (p->total - p->done) / rate : 0.0;
    if (p->tty) {
        int width = 30, fill = p->total ? (int)(width * p->done / p->total) : width;
        fprintf(stderr, "\r%s %-6s [", p->o->label ? p->o->label : "", p->phase);
        for (int i = 0; i < width; i++)
            fputc(i < fill ? '#' : '.', stderr);
        fprintf(stderr, "] %ld/%ld  %.0f rep/s  %.0f s left ", p->done, p->total, rate, left);
        if (final)
            fputc('\n', stderr);
    } else if ((final && p->printed != p->done) || (!final && t - p->last_print >= 5.0)) {
        p->printed = p->done;
        fprintf(stderr, "%s%s%s: %ld/%ld replicates, %.0f rep/s, %.0f s left\n",
                p->o->label ? p->o->label : "", p->o->label ? " " : "", p->phase, p->done,
                p->total, rate, left);
        p->last_print = t;
    }
}

static void put_num(FILE *f, double x)
{
    if (isfinite(x))
        fprintf(f, ",%.8g", x);
    else if (isinf(x))
        fputs(x > 0 ? ",Inf" : ",-Inf", f);
    else
        fputs(",NA", f);
}

void itp_replicates_header(const itp_scenario *scn, FILE *f)
{
    fputs("scenario,replicate,analysis_month,patients,events", f);
    for (int k = 0; k < scn->plan.n_hyp; k++) {
        const char *h = scn->plan.hyp[k].name;
        fprintf(f, ",%s_estimate,%s_p,%s_adj_p,%s_rejected,%s_flags", h, h, h, h, h);
    }
    fputc('\n', f);
}

static int on_chunk(void *ctx, const itp_scenario *scn, long first, const itp_rep_result *res,
                    long count)
{
    progress *p = ctx;
    FILE *f = p->o->replicates;
    for (long i = 0; f && i < count; i++) {
        const itp_rep_result *r = &res[i];
        fprintf(f, "%s,%ld", p->phase, first + i);
        put_num(f, r->cut_month);
        fprintf(f, ",%d,%d", r->n_analysed, r->events);
        for (int k = 0; k < scn->plan.n_hyp; k++) {
            put_num(f, r->hyp[k].estimate);
            put_num(f, r->hyp[k].p_value);
            put_num(f, r->hyp[k].adj_p);
            fprintf(f, ",%d,%s", r->hyp[k].rejected, itp_hyp_flag_text(r->hyp[k].flags));
        }
        fputc('\n', f);
    }
    p->done += count;
    /* A full disk shows at once, not after the whole run. */
    if (f && ferror(f)) {
        p->io_error = 1;
        return 1;
    }
    show(p, 0);
    return 0;
}

double itp_power(const itp_mc_summary *s, int k)
{
    if (s->reps == 0)
        return NA_D;
    return (double)(k < 0 ? s->all_rejected : s->rejected[k]) / (double)s->reps;
}

static double max_power_se(const itp_scenario *scn, const itp_mc_summary *s)
{
    double worst = 0.0;
    for (int k = 0; k < scn->plan.n_hyp; k++) {
        double se = itp_mc_se(itp_power(s, k), s->reps);
        if (se > worst)
            worst = se;
    }
    return worst;
}

itp_status itp_run_result_init(itp_run_result *res, const itp_scenario *scn)
{
    memset(res, 0, sizeof *res);
    return itp_mc_summary_init(&res->design, scn);
}

itp_status itp_run(const itp_scenario *scn, const itp_run_opts *o, itp_run_result *res)
{
    itp_status st = itp_run_result_init(res, scn);
    return st ? st : itp_run_continue(scn, o, NULL, res);
}

itp_status itp_run_continue(const itp_scenario *scn, const itp_run_opts *o,
                            const atomic_int *stop, itp_run_result *res)
{
    itp_status st = ITP_OK;
    long total = o->reps * (o->null ? 2 : 1);
    progress p = {o, res->has_null ? "null" : "design", total, 0, now(), now(), isatty(2), -1, 0};
    p.done = res->design.reps + (res->has_null ? res->null.reps : 0);
    res->complete = 0;
    if (!res->has_null) {
        itp_mc_run_opts mo = {.seed = o->seed, .first = res->design.reps,
                              .reps = o->reps - res->design.reps, .threads = o->threads,
                              .patients = o->patients, .stop = stop};
        if (o->precision > 0) {
            /* Chunk by chunk, in replicate order, until every power's
             * standard error is at most the target: the stopping point
             * depends on the seed only (a resumed run starts after a chunk
             * that missed the target, or it would have moved on). */
            p.total = o->reps;
            while (!st && res->design.reps < o->reps) {
                mo.first = res->design.reps;
                mo.reps = o->reps - mo.first < ITP_MC_CHUNK ? o->reps - mo.first : ITP_MC_CHUNK;
                st = itp_mc_run(scn, &mo, &res->design, on_chunk, &p);
                if (!st && max_power_se(scn, &res->design) <= o->precision)
                    break;
            }
            p.total = res->design.reps * (o->null ? 2 : 1);
        } else if (mo.reps > 0) {
            st = itp_mc_run(scn, &mo, &res->design, on_chunk, &p);
        }
        if (!st && o->null) {
            if ((st = itp_mc_summary_init(&res->null, scn)))
                return st;
            res->has_null = 1;
        }
    }
    if (!st && res->has_null) {
        itp_scenario *null;
        if ((st = itp_scenario_null(scn, &null)))
            return st;
        p.phase = "null";
        itp_mc_run_opts no = {.seed = o->seed, .first = res->null.reps,
                              .reps = res->design.reps - res->null.reps, .threads = o->threads,
                              .patients = o->patients, .stop = stop};
        if (no.reps > 0)
            st = itp_mc_run(null, &no, &res->null, on_chunk, &p);
        itp_scenario_free(null);
    }
    if (st == ITP_EINTERRUPT && p.io_error)
        st = ITP_EIO;
    res->complete = st == ITP_OK;
    if (!o->quiet && p.tty && !res->complete)
        fputc('\n', stderr);
    else
        show(&p, 1);
    return st;
}

void itp_run_result_free(itp_run_result *res)
{
    itp_mc_summary_free(&res->design);
    if (res->has_null)
        itp_mc_summary_free(&res->null);
}

/* ---- result files -------------------------------------------------------------- */

static void json_str(FILE *f, const char *s)
{
    fputc('"', f);
    for (; *s; s++) {
        if (*s == '"' || *s == '\\')
            fputc('\\', f);
        if ((unsigned char)*s >= 0x20)
            fputc(*s, f);
    }
    fputc('"', f);
}

static void json_num(FILE *f, double x)
{
    if (isfinite(x))
        fprintf(f, "%.10g", x);
    else
        fputs("null", f);
}

/* "NAME": p, "SE": its MC standard error, "NAME_ci": its Wilson 95% CI. */
static void json_prop(FILE *f, const char *name, const char *se, long k, long r, int comma)
{
    double p = r ? (double)k / (double)r : NA_D, lo, hi;
    itp_mc_wilson(k, r, &lo, &hi);
    fprintf(f, "\"%s\": ", name);
    json_num(f, p);
    fprintf(f, ", \"%s\": ", se);
    json_num(f, itp_mc_se(p, r));
    fprintf(f, ", \"%s_ci\": [", name);
    json_num(f, lo);
    fputs(", ", f);
    json_num(f, hi);
    fprintf(f, "]%s", comma ? ", " : "");
}

/* Every hypothesis is a true null in the null version, a single-arm one
 * because its responses are drawn at p0 there (analysis.h): each has a
 * type I error, and any rejection there is a family-wise error. */
static int has_type1(const itp_scenario *scn, const itp_run_result *res, int k)
{
    (void)scn;
    (void)k;
    return res->has_null;
}

/* The landmark in months as labels give it: at most two decimals, trailing
 * zeros dropped (12, 6, 1.5, 0.25). */
static const char *landmark_text(const itp_scenario *scn, char *buf, size_t len)
{
    double m = scn->plan.landmark_months;
    snprintf(buf, len, m < 0.005 ? "%.2g" : "%.2f", m);
    if (strchr(buf, '.') && !strchr(buf, 'e')) {
        char *e = buf + strlen(buf) - 1;
        while (*e == '0')
            *e-- = '\0';
        if (*e == '.')
            *e = '\0';
    }
    return buf;
}

/* The per-arm landmark column: tf_free_12m at the default of 12 months,
 * tf_free_6m at landmark_months = 6, tf_free_1.5m at 1.5. */
static const char *landmark_key(const itp_scenario *scn, char *buf, size_t len)
{
    char m[32];
    snprintf(buf, len, "tf_free_%sm", landmark_text(scn, m, sizeof m));
    return buf;
}

static void write_json(FILE *f, const itp_scenario *scn, const itp_run_opts *o,
                       const itp_run_result *res, const char *hash)
{
    const itp_mc_summary *d = &res->design, *n = &res->null;
    const itp_analysis_plan *pl = &scn->plan;
    fputs("{\n  \"scenario\": ", f);
    json_str(f, scn->name);
    fputs(",\n  \"file\": ", f);
    json_str(f, scn->file);
    /* Which scenario wrote the folder (itp_run_dir_check reads it back), and
     * whether every planned replicate ran. */
    fputs(",\n  \"scenario_hash\": ", f);
    json_str(f, hash ? hash : "");
    fprintf(f, ",\n  \"partial\": %s,\n  \"completed\": %ld",
            res->complete ? "false" : "true", d->reps + (res->has_null ? n->reps : 0L));
    fprintf(f, ",\n  \"seed\": %llu,\n  \"replicates\": %ld,\n  \"null_replicates\": %ld,\n",
            (unsigned long long)o->seed, d->reps, res->has_null ? n->reps : 0L);
    fprintf(f, "  \"patients\": %d,\n  \"alpha\": ", o->patients ? o->patients : scn->n_patients);
    json_num(f, pl->alpha);
    fputs(",\n  \"multiplicity\": ", f);
    json_str(f, pl->mult ? pl->mult->name : "none");
    fputs(",\n  \"hypotheses\": [\n", f);
    for (int k = 0; k < pl->n_hyp; k++) {
        const itp_hypothesis *h = &pl->hyp[k];
        int tte = scn->endpoints[h->endpoint].type->kind == ITP_EP_TIME;
        fputs("    {\"name\": ", f);
        json_str(f, h->name);
        fputs(", \"endpoint\": ", f);
        json_str(f, scn->endpoints[h->endpoint].name);
        fputs(", \"arm\": ", f);
        json_str(f, scn->arms[h->arm].name);
        fputs(", \"control\": ", f);
        if (h->control >= 0)
            json_str(f, scn->arms[h->control].name);
        else
            fputs("null", f);
        fputs(", \"test\": ", f);
        json_str(f, h->test);
        fputs(",\n     ", f);
        json_prop(f, "power", "power_mcse", d->rejected[k], d->reps, 1);
        fputs("\n     ", f);
        if (has_type1(scn, res, k))
            json_prop(f, "type1_error", "type1_mcse", n->rejected[k], n->reps, 1);
        else
            fputs("\"type1_error\": null, \"type1_mcse\": null, \"type1_error_ci\": null, ", f);
        fputs("\n     \"estimate\": ", f);
        json_str(f, tte ? "hazard_ratio" : h->kind == ITP_TEST_BINOMIAL ? "rate" : "risk_difference");
        fputs(", \"median_estimate\": ", f);
        json_num(f, itp_mc_median_estimate(d, scn, k));
        fputs(", \"ci_coverage\": ", f);
        json_num(f, d->coverable[k] ? (double)d->covered[k] / d->coverable[k] : NA_D);
        fputs(", \"true_hazard_ratio\": ", f);
        json_num(f, h->true_hr);
        fprintf(f, ", \"flagged_replicates\": %ld}%s\n", d->flagged[k], k + 1 < pl->n_hyp ? "," : "");
    }
    fputs("  ],\n  ", f);
    if (res->has_null)
        json_prop(f, "fwer", "fwer_mcse", n->any_rejected, n->reps, 1);
    else
        fputs("\"fwer\": null, \"fwer_mcse\": null, \"fwer_ci\": null, ", f);
    fputs("\n  ", f);
    json_prop(f, "any_rejected", "any_rejected_mcse", d->any_rejected, d->reps, 1);
    fputs("\n  ", f);
    json_prop(f, "all_rejected", "all_rejected_mcse", d->all_rejected, d->reps, 0);
    fputs(",\n  \"mean_analysis_month\": ", f);
    json_num(f, d->reps ? d->cut_sum / d->reps : NA_D);
    fputs(",\n  \"mean_events\": ", f);
    json_num(f, d->reps ? d->events_sum / d->reps : NA_D);
    fputs(",\n  \"landmark_months\": ", f);
    json_num(f, pl->landmark_months);
    fputs(",\n  \"arms\": [\n", f);
    char key[48];
    landmark_key(scn, key, sizeof key);
    for (int a = 0; a < scn->n_arms; a++) {
        fputs("    {\"name\": ", f);
        json_str(f, scn->arms[a].name);
        fprintf(f, ", \"%s\": ", key);
        json_num(f, d->landmark_n[a] ? d->landmark_sum[a] / d->landmark_n[a] : NA_D);
        fputs(", \"median_ttf_months\": ", f);
        json_num(f, itp_mc_median_time(d, a) / ITP_DAYS_PER_MONTH);
        fputs(", \"mean_patients\": ", f);
        json_num(f, d->reps ? d->arm_n_sum[a] / d->reps : NA_D);
        fputs(", \"mean_events\": ", f);
        json_num(f, d->reps ? d->arm_events_sum[a] / d->reps : NA_D);
        for (int e = 0; e < scn->n_endpoints; e++) {
            if (scn->endpoints[e].type->kind != ITP_EP_BINARY)
                continue;
            fputs(", ", f);
            json_str(f, scn->endpoints[e].name);
            fputs(": ", f);
            json_num(f, d->rate_n[e][a] ? d->rate_sum[e][a] / d->rate_n[e][a] : NA_D);
        }
        fprintf(f, "}%s\n", a + 1 < scn->n_arms ? "," : "");
    }
    fputs("  ]\n}\n", f);
}

static void csv_prop(FILE *f, long k, long r, int have)
{
    double lo, hi, p = have && r ? (double)k / (double)r : NA_D;
    itp_mc_wilson(k, r, &lo, &hi);
    put_num(f, p);
    put_num(f, have ? itp_mc_se(p, r) : NA_D);
    put_num(f, have ? lo : NA_D);
    put_num(f, have ? hi : NA_D);
}

static void write_summary_csv(FILE *f, const itp_scenario *scn, const itp_run_result *res)
{
    const itp_mc_summary *d = &res->design, *n = &res->null;
    fputs("hypothesis,endpoint,arm,control,test,replicates,power,power_mcse,power_ci_low,"
          "power_ci_high,type1_error,type1_mcse,type1_ci_low,type1_ci_high,median_estimate,"
          "ci_coverage,flagged_replicates\n", f);
    for (int k = 0; k < scn->plan.n_hyp; k++) {
        const itp_hypothesis *h = &scn->plan.hyp[k];
        fprintf(f, "%s,%s,%s,%s,%s,%ld", h->name, scn->endpoints[h->endpoint].name,
                scn->arms[h->arm].name, h->control >= 0 ? scn->arms[h->control].name : "NA",
                h->test, d->reps);
        csv_prop(f, d->rejected[k], d->reps, 1);
        csv_prop(f, res->has_null ? n->rejected[k] : 0, res->has_null ? n->reps : 0,
                 has_type1(scn, res, k));
        put_num(f, itp_mc_median_estimate(d, scn, k));
        put_num(f, d->coverable[k] ? (double)d->covered[k] / d->coverable[k] : NA_D);
        fprintf(f, ",%ld\n", d->flagged[k]);
    }
}

static void write_arms_csv(FILE *f, const itp_scenario *scn, const itp_run_result *res)
{
    const itp_mc_summary *d = &res->design;
    char key[48];
    fprintf(f, "arm,mean_patients,mean_events,%s,median_ttf_months",
            landmark_key(scn, key, sizeof key));
    for (int e = 0; e < scn->n_endpoints; e++)
        if (scn->endpoints[e].type->kind == ITP_EP_BINARY)
            fprintf(f, ",%s", scn->endpoints[e].name);
    fputc('\n', f);
    for (int a = 0; a < scn->n_arms; a++) {
        fprintf(f, "%s", scn->arms[a].name);
        put_num(f, d->reps ? d->arm_n_sum[a] / d->reps : NA_D);
        put_num(f, d->reps ? d->arm_events_sum[a] / d->reps : NA_D);
        put_num(f, d->landmark_n[a] ? d->landmark_sum[a] / d->landmark_n[a] : NA_D);
        put_num(f, itp_mc_median_time(d, a) / ITP_DAYS_PER_MONTH);
        for (int e = 0; e < scn->n_endpoints; e++)
            if (scn->endpoints[e].type->kind == ITP_EP_BINARY)
                put_num(f, d->rate_n[e][a] ? d->rate_sum[e][a] / d->rate_n[e][a] : NA_D);
        fputc('\n', f);
    }
}

/* ---- the state of an interrupted run ------------------------------------------ */

/* DIR/run.state: a text header with the run's options and the layout of the
 * aggregates, then the aggregates themselves as bytes: the itp_mc_summary
 * structs (their histogram pointers are replaced on reading) and their
 * histograms, for the design and, once started, the null version, with an
 * FNV-1a checksum. Bytes, not text, so that every sum comes back to the
 * last bit and the continued run aggregates exactly as an uninterrupted
 * one. The layout line ties the file to this build: a program whose
 * itp_mc_summary differs refuses it instead of misreading it. */
#define STATE_FILE "run.state"
#define STATE_MAGIC "itpsim-run-state 1"

static uint64_t fnv1a(uint64_t h, const void *p, size_t n)
{
    const unsigned char *b = p;
    for (size_t i = 0; i < n; i++) {
        h ^= b[i];
        h *= 0x100000001b3ULL;
    }
    return h;
}

#define FNV_OFFSET 0xcbf29ce484222325ULL

void itp_run_hash(const char *text, size_t n, char out[25])
{
    snprintf(out, 25, "fnv1a64:%016llx", (unsigned long long)fnv1a(FNV_OFFSET, text, n));
}

static size_t est_len(const itp_scenario *scn)
{
    return (size_t)(scn->plan.n_hyp > 0 ? scn->plan.n_hyp : 1) * ITP_MC_BINS;
}

static size_t time_len(const itp_scenario *scn)
{
    return (size_t)scn->n_arms * ITP_MC_TIME_BINS;
}

/* The bytes of one summary, in order, fed to fn (fwrite or checksum). */
typedef struct state_part {
    void *p;
    size_t n;
} state_part;

static int state_parts(const itp_scenario *scn, const itp_run_result *res, state_part *part)
{
    int k = 0;
    const itp_mc_summary *s[2] = {&res->design, &res->null};
    for (int i = 0; i < 1 + res->has_null; i++) {
        part[k++] = (state_part){(void *)(uintptr_t)s[i], sizeof *s[i]};
        part[k++] = (state_part){s[i]->est_hist, est_len(scn) * sizeof *s[i]->est_hist};
        part[k++] = (state_part){s[i]->median_hist, time_len(scn) * sizeof *s[i]->median_hist};
    }
    return k;
}

static void write_state(FILE *f, const itp_scenario *scn, const itp_run_opts *o,
                        const itp_run_result *res, const char *hash)
{
    state_part part[6];
    int np = state_parts(scn, res, part);
    size_t bytes = 0;
    uint64_t sum = FNV_OFFSET;
    for (int i = 0; i < np; i++) {
        bytes += part[i].n;
        sum = fnv1a(sum, part[i].p, part[i].n);
    }
    fprintf(f, "%s\nhash %s\nseed %llu\nreps %ld\nprecision %a\nnull %d\npatients %d\n"
               "has_null %d\nlayout %zu %d %d %d %d\npayload %zu %016llx\n",
            STATE_MAGIC, hash ? hash : "", (unsigned long long)o->seed, o->reps, o->precision,
            o->null, o->patients, res->has_null, sizeof(itp_mc_summary), scn->plan.n_hyp,
            scn->n_arms, ITP_MC_BINS, ITP_MC_TIME_BINS, bytes, (unsigned long long)sum);
    for (int i = 0; i < np; i++)
        fwrite(part[i].p, 1, part[i].n, f);
}

itp_status itp_run_state_read(const char *dir, const itp_scenario *scn, itp_run_saved *saved,
                              itp_run_result *res, char *err, size_t errlen)
{
    char path[1100], line[256];
    snprintf(path, sizeof path, "%s/%s", dir, STATE_FILE);
    memset(saved, 0, sizeof *saved);
    itp_status st = itp_run_result_init(res, scn);
    if (st)
        return st;
    FILE *f = fopen(path, "rb");
    if (!f) {
        snprintf(err, errlen, "%s: no interrupted run to resume (%s: %s)", dir, path,
                 strerror(errno));
        return ITP_EINPUT;
    }
    unsigned long long seed = 0, sum = 0;
    size_t layout = 0, bytes = 0;
    int nh = -1, na = -1, bins = -1, tbins = -1, has_null = 0, ok = 1;
    ok &= fgets(line, sizeof line, f) && !strncmp(line, STATE_MAGIC "\n", sizeof STATE_MAGIC);
    ok &= fscanf(f, "hash %31s\n", saved->hash) == 1;
    ok &= fscanf(f, "seed %llu\n", &seed) == 1;
    ok &= fscanf(f, "reps %ld\n", &saved->reps) == 1;
    /* %a wrote it; strtod reads hexadecimal floats exactly */
    ok &= fscanf(f, "precision %63s\n", line) == 1;
    if (ok)
        saved->precision = strtod(line, NULL);
    ok &= fscanf(f, "null %d\n", &saved->null) == 1;
    ok &= fscanf(f, "patients %d\n", &saved->patients) == 1;
    ok &= fscanf(f, "has_null %d\n", &has_null) == 1;
    ok &= fscanf(f, "layout %zu %d %d %d %d\n", &layout, &nh, &na, &bins, &tbins) == 5;
    ok &= fscanf(f, "payload %zu %llx", &bytes, &sum) == 2 && fgetc(f) == '\n';
    saved->seed = seed;
    if (!ok) {
        fclose(f);
        snprintf(err, errlen, "%s: damaged (not a run state written by itpsim)", path);
        return ITP_EINPUT;
    }
    if (layout != sizeof(itp_mc_summary) || nh != scn->plan.n_hyp || na != scn->n_arms ||
        bins != ITP_MC_BINS || tbins != ITP_MC_TIME_BINS) {
        fclose(f);
        if (layout != sizeof(itp_mc_summary) || bins != ITP_MC_BINS || tbins != ITP_MC_TIME_BINS)
            snprintf(err, errlen, "%s: written by another version of itpsim; cannot resume it",
                     path);
        else
            snprintf(err, errlen,
                     "%s: the interrupted run is of another scenario (%d hypotheses, %d arms); "
                     "cannot resume it with this one",
                     path, nh, na);
        return ITP_EINPUT;
    }
    if (has_null && (st = itp_mc_summary_init(&res->null, scn))) {
        fclose(f);
        return st;
    }
    res->has_null = has_null != 0;
    /* Read each part over the freshly allocated summary, keeping its
     * histogram pointers. */
    state_part part[6];
    int np = state_parts(scn, res, part);
    size_t want = 0;
    uint64_t got = FNV_OFFSET;
    itp_mc_summary *s[2] = {&res->design, &res->null};
    for (int i = 0; i < np; i++)
        want += part[i].n;
    for (int i = 0; ok && i < np; i++) {
        itp_mc_summary keep = {0};
        if (i % 3 == 0)
            keep = *s[i / 3];
        ok = fread(part[i].p, 1, part[i].n, f) == part[i].n;
        got = fnv1a(got, part[i].p, part[i].n);
        if (i % 3 == 0) {
            s[i / 3]->est_hist = keep.est_hist;
            s[i / 3]->median_hist = keep.median_hist;
        }
    }
    ok &= fgetc(f) == EOF;
    fclose(f);
    if (!ok || want != bytes || got != sum || res->design.reps < 0 ||
        res->design.reps > saved->reps || (res->has_null && res->null.reps > res->design.reps)) {
        snprintf(err, errlen, "%s: damaged (truncated or altered); cannot resume it", path);
        return ITP_EINPUT;
    }
    return ITP_OK;
}

itp_status itp_replicates_resume(const char *dir, const itp_scenario *scn,
                                 const itp_run_result *res, FILE *out, char *err, size_t errlen)
{
    char path[1100], *want = NULL, *line = NULL;
    size_t wlen = 0, cap = 0;
    snprintf(path, sizeof path, "%s/replicates.csv", dir);
    FILE *hdr = open_memstream(&want, &wlen);
    if (!hdr)
        return ITP_ENOMEM;
    itp_replicates_header(scn, hdr);
    fclose(hdr);
    FILE *f = fopen(path, "r");
    if (!f) {
        snprintf(err, errlen, "%s: cannot read it to resume: %s", path, strerror(errno));
        free(want);
        return ITP_EINPUT;
    }
    long design = 0, null = 0, row = 0;
    int ok = 1;
    ssize_t n;
    while (ok && (n = getline(&line, &cap, f)) > 0) {
        if (row++ == 0) {
            ok = (size_t)n == wlen && !memcmp(line, want, wlen);
        } else if (!strncmp(line, "design,", 7)) {
            ok = null == 0;   /* design rows come first */
            design++;
        } else if (!strncmp(line, "null,", 5)) {
            null++;
        } else {
            ok = 0;
        }
        if (ok)
            fwrite(line, 1, (size_t)n, out);
    }
    ok &= !ferror(f);
    fclose(f);
    free(line);
    free(want);
    if (!ok || design != res->design.reps || null != (res->has_null ? res->null.reps : 0)) {
        snprintf(err, errlen,
                 "%s: does not match run.state (%ld design and %ld null rows, expected %ld and "
                 "%ld); cannot resume",
                 path, design, null, res->design.reps, res->has_null ? res->null.reps : 0L);
        return ITP_EINPUT;
    }
    return ITP_OK;
}

/* ---- which scenario wrote a folder ------------------------------------------- */

/* The string value of "key" in a summary.json written by write_json
 * (json_str's escapes undone); 0 when absent. */
static int json_string_value(const char *text, const char *key, char *out, size_t len)
{
    char pat[64];
    snprintf(pat, sizeof pat, "\"%s\": \"", key);
    const char *p = strstr(text, pat);
    if (!p || !len)
        return 0;
    size_t k = 0;
    for (p += strlen(pat); *p && *p != '"'; p++) {
        if (*p == '\\' && p[1])
            p++;
        if (k + 1 < len)
            out[k++] = *p;
    }
    out[k] = '\0';
    return *p == '"';
}

itp_status itp_run_dir_check(const char *dir, const itp_scenario *scn, const char *hash,
                             char *err, size_t errlen)
{
    static const char *const files[] = {"summary.json", "summary.csv", "arms.csv",
                                        "replicates.csv", STATE_FILE, NULL};
    char path[1100];
    const char *found = NULL;
    struct stat sb;
    for (int i = 0; files[i] && !found; i++) {
        snprintf(path, sizeof path, "%s/%s", dir, files[i]);
        if (lstat(path, &sb) == 0)
            found = files[i];
    }
    if (!found)
        return ITP_OK;
    char file[512] = "", h[64] = "", name[128] = "";
    snprintf(path, sizeof path, "%s/summary.json", dir);
    FILE *f = fopen(path, "r");
    if (f) {
        char *text = calloc(1, 65537);
        size_t n = text ? fread(text, 1, 65536, f) : 0;
        fclose(f);
        if (text) {
            text[n] = '\0';
            json_string_value(text, "file", file, sizeof file);
            json_string_value(text, "scenario_hash", h, sizeof h);
            json_string_value(text, "scenario", name, sizeof name);
            free(text);
        }
    }
    if ((file[0] && !strcmp(file, scn->file)) || (h[0] && hash && !strcmp(h, hash)))
        return ITP_OK;
    if (file[0])
        snprintf(err, errlen,
                 "%s holds the results of another scenario ('%s', %s); use --force to "
                 "overwrite them, or -o for another folder",
                 dir, name, file);
    else
        snprintf(err, errlen,
                 "%s holds run results (%s) of an unknown scenario; use --force to overwrite "
                 "them, or -o for another folder",
                 dir, found);
    return ITP_EINPUT;
}

/* ---- writing the results --------------------------------------------------------- */

itp_status itp_write_results(const char *dir, const itp_scenario *scn, const itp_run_opts *o,
                             const itp_run_result *res, const char *hash, itp_out *replicates,
                             char *err, size_t errlen)
{
    itp_out out[4];
    itp_out *all[5] = {replicates};
    static const char *const names[] = {STATE_FILE, "summary.csv", "arms.csv", "summary.json"};
    int n = 1;
    itp_status st = ITP_OK;
    /* replicates.csv first and summary.json last: summary.json says which
     * scenario the folder holds, and whether the run is partial. */
    for (int i = res->complete ? 1 : 0; !st && i < 4; i++) {
        if ((st = itp_out_open(&out[i], dir, names[i], err, errlen)))
            break;
        all[n++] = &out[i];
        if (i == 0)
            write_state(out[i].f, scn, o, res, hash);
        else if (i == 1)
            write_summary_csv(out[i].f, scn, res);
        else if (i == 2)
            write_arms_csv(out[i].f, scn, res);
        else
            write_json(out[i].f, scn, o, res, hash);
    }
    if (st) {
        for (int i = 0; i < n; i++)
            itp_out_abort(all[i]);
        return st;
    }
    if ((st = itp_out_commit_all(all, n, err, errlen)))
        return st;
    if (res->complete) {
        char path[1100];
        snprintf(path, sizeof path, "%s/%s", dir, STATE_FILE);
        if (remove(path) != 0 && errno != ENOENT) {
            snprintf(err, errlen, "%s: cannot remove the finished run's state: %s", path,
                     strerror(errno));
            return ITP_EIO;
        }
    }
    return ITP_OK;
}

/* A number for the table, or "NA" when it is not finite. */
static const char *num(char *buf, size_t len, int decimals, double x)
{
    if (isfinite(x))
        snprintf(buf, len, "%.*f", decimals, x);
    else
        snprintf(buf, len, "%s", isinf(x) ? (x > 0 ? "Inf" : "-Inf") : "NA");
    return buf;
}

static double share(long k, long r)
{
    return r > 0 ? (double)k / (double)r : NA_D;
}

void itp_print_summary(const itp_scenario *scn, const itp_run_result *res, FILE *f)
{
    const itp_mc_summary *d = &res->design, *n = &res->null;
    char b1[32], b2[32], b3[32], b4[32];
    if (res->complete)
        fprintf(f, "%s: %ld replicates%s, %d patients\n", scn->name, d->reps,
                res->has_null ? " (and as many under the null)" : "", scn->n_patients);
    else
        fprintf(f, "%s: PARTIAL, interrupted after %ld design and %ld null replicates, %d patients\n",
                scn->name, d->reps, res->has_null ? n->reps : 0L, scn->n_patients);
    fprintf(f, "%-12s %-14s %-8s %16s %16s %12s\n", "hypothesis", "arm", "test", "power (MCSE)",
            "type I (MCSE)", "median est.");
    for (int k = 0; k < scn->plan.n_hyp; k++) {
        const itp_hypothesis *h = &scn->plan.hyp[k];
        double pw = itp_power(d, k);
        fprintf(f, "%-12s %-14.14s %-8s %7s (%s)  ", h->name, scn->arms[h->arm].name, h->test,
                num(b1, sizeof b1, 3, pw), num(b2, sizeof b2, 3, itp_mc_se(pw, d->reps)));
        if (has_type1(scn, res, k)) {
            double t1 = itp_power(n, k);
            fprintf(f, "%7s (%s)", num(b1, sizeof b1, 4, t1),
                    num(b2, sizeof b2, 4, itp_mc_se(t1, n->reps)));
        } else {
            fprintf(f, "%16s", "-");
        }
        fprintf(f, " %12s\n", num(b1, sizeof b1, 3, itp_mc_median_estimate(d, scn, k)));
    }
    double any = share(d->any_rejected, d->reps), all = itp_power(d, -1);
    fprintf(f, "any rejected %s (%s), all rejected %s (%s)", num(b1, sizeof b1, 3, any),
            num(b2, sizeof b2, 3, itp_mc_se(any, d->reps)), num(b3, sizeof b3, 3, all),
            num(b4, sizeof b4, 3, itp_mc_se(all, d->reps)));
    if (res->has_null) {
        double fw = share(n->any_rejected, n->reps);
        fprintf(f, ", family-wise error %s (%s)", num(b1, sizeof b1, 4, fw),
                num(b2, sizeof b2, 4, itp_mc_se(fw, n->reps)));
    }
    char lm[32], label[48];
    snprintf(label, sizeof label, "TF-free %s mo", landmark_text(scn, lm, sizeof lm));
    int w = strlen(label) > 14 ? (int)strlen(label) : 14;
    fprintf(f, "\n%-16s %10s %*s %12s", "arm", "patients", w, label, "median (mo)");
    for (int e = 0; e < scn->n_endpoints; e++)
        if (scn->endpoints[e].type->kind == ITP_EP_BINARY)
            fprintf(f, " %8s", scn->endpoints[e].name);
    fputc('\n', f);
    for (int a = 0; a < scn->n_arms; a++) {
        double med = itp_mc_median_time(d, a) / ITP_DAYS_PER_MONTH;
        fprintf(f, "%-16s %10s %*s ", scn->arms[a].name,
                num(b1, sizeof b1, 1, d->reps ? d->arm_n_sum[a] / d->reps : NA_D), w,
                num(b2, sizeof b2, 3,
                    d->landmark_n[a] ? d->landmark_sum[a] / d->landmark_n[a] : NA_D));
        fprintf(f, "%12s", isinf(med) ? "not reached" : num(b1, sizeof b1, 1, med));
        for (int e = 0; e < scn->n_endpoints; e++)
            if (scn->endpoints[e].type->kind == ITP_EP_BINARY)
                fprintf(f, " %8s",
                        num(b1, sizeof b1, 3,
                            d->rate_n[e][a] ? d->rate_sum[e][a] / d->rate_n[e][a] : NA_D));
        fputc('\n', f);
    }
}
