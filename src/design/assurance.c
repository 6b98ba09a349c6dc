/* Assurance over the model parameters' uncertainty (see assurance.h): the
 * priors section, the draws file, the runs per parameter set and the
 * summary with its two-part Monte Carlo error. */
#include "itpsim/assurance.h"

#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <gsl/gsl_cdf.h>
#include <gsl/gsl_randist.h>
#include <gsl/gsl_sort.h>
#include <gsl/gsl_statistics_double.h>
#include "itpsim/calibrate.h"
#include "itpsim/montecarlo.h"
#include "itpsim/report.h"
#include "itpsim/rng.h"
#include "itpsim/trial.h"

/* The stream of the priors' draws: (seed, set k, parameter i, this). */
#define PRIOR_STREAM 0x70726961ull   /* "pria" */
#define BATCHES 10
#define HIST_BINS 20
#define MAX_DRAW_PARAMS 64
#define ITP_MAX_SETS_ASSURANCE (64 + MAX_DRAW_PARAMS)

/* ---- priors ------------------------------------------------------------------------ */

static const char *const kind_name[] = {"normal", "lognormal", "beta", "uniform"};

static itp_status read_prior(itp_reader *rd, const config_setting_t *g, itp_prior *p)
{
    static const char *const keys[] = {"path", "dist", "mean", "sd", "meanlog", "sdlog",
                                       "a", "b", "min", "max", NULL};
    /* the settings each distribution takes beyond path, dist, min and max */
    static const char *const own[][2] = {{"mean", "sd"}, {"meanlog", "sdlog"}, {"a", "b"},
                                         {NULL, NULL}};
    char dist[16];
    itp_status st;
    if (!config_setting_is_group(g))
        return itp_rd_fail(rd, g, "expected a group { path; dist; ... }");
    if ((st = itp_rd_keys(rd, g, keys, NULL)) ||
        (st = itp_rd_string(rd, g, "path", NULL, p->path, sizeof p->path)) ||
        (st = itp_rd_string(rd, g, "dist", NULL, dist, sizeof dist)))
        return st;
    if (!itp_reader_has_number(rd, p->path))
        return itp_rd_fail(rd, itp_member(g, "path"), "'%s' names no numeric setting of the "
                           "scenario or the defaults", p->path);
    int k = 0;
    while (k < 4 && strcmp(dist, kind_name[k]) != 0)
        k++;
    if (k == 4)
        return itp_rd_fail(rd, itp_member(g, "dist"), "unknown distribution '%s' (normal, "
                           "lognormal, beta or uniform)", dist);
    p->kind = (itp_prior_kind)k;
    for (const char *const *key = keys + 2; *key; key++) {
        int mine = !strcmp(*key, "min") || !strcmp(*key, "max");
        for (int m = 0; m < 2; m++)
            mine |= own[k][m] && !strcmp(*key, own[k][m]);
        if (!mine && itp_member(g, *key))
            return itp_rd_fail(rd, itp_member(g, *key), "'%s' is not a setting of a %s prior",
                               *key, dist);
    }
    const itp_range any = {-1e12, 1e12, 0, 0}, pos = ITP_POSITIVE(1e12);
    double lo0 = p->kind == ITP_PRIOR_BETA ? 0.0 : -HUGE_VAL;
    double hi0 = p->kind == ITP_PRIOR_BETA ? 1.0 : HUGE_VAL;
    if (p->kind == ITP_PRIOR_UNIFORM) {
        if ((st = itp_rd_double(rd, g, NULL, "min", any, &p->lo)) ||
            (st = itp_rd_double(rd, g, NULL, "max", any, &p->hi)))
            return st;
    } else if ((st = itp_rd_double_opt(rd, g, "min", any, lo0, "none", &p->lo)) ||
               (st = itp_rd_double_opt(rd, g, "max", any, hi0, "none", &p->hi)))
        return st;
    if (p->kind != ITP_PRIOR_UNIFORM &&
        ((st = itp_rd_double(rd, g, NULL, own[k][0], p->kind == ITP_PRIOR_BETA ? pos : any,
                             &p->a)) ||
         (st = itp_rd_double(rd, g, NULL, own[k][1], pos, &p->b))))
        return st;
    if (!(p->lo < p->hi))
        return itp_rd_fail(rd, g, "expected min < max (got %g and %g)", p->lo, p->hi);
    if (p->kind == ITP_PRIOR_LOGNORMAL && p->lo < 0)
        return itp_rd_fail(rd, itp_member(g, "min"), "a lognormal prior is positive: min >= 0");
    if (p->kind == ITP_PRIOR_NORMAL || p->kind == ITP_PRIOR_LOGNORMAL) {
        double lo = p->kind == ITP_PRIOR_LOGNORMAL ? log(p->lo) : p->lo;
        double hi = p->kind == ITP_PRIOR_LOGNORMAL ? log(p->hi) : p->hi;
        double mass = gsl_cdf_gaussian_P(hi - p->a, p->b) - gsl_cdf_gaussian_P(lo - p->a, p->b);
        if (!(mass > 1e-9))
            return itp_rd_fail(rd, g, "the truncation [%g, %g] leaves no mass of the %s "
                               "prior", p->lo, p->hi, dist);
    }
    return ITP_OK;
}

static itp_status priors_parse(itp_reader *rd, itp_scenario *scn, void *ctx)
{
    itp_priors *pr = ctx;
    const config_setting_t *l;
    (void)scn;
    memset(pr, 0, sizeof *pr);
    itp_status st = itp_rd_child(rd, itp_reader_root(rd), "priors", CONFIG_TYPE_LIST, 0, &l);
    if (st || !l)
        return st;
    int n = config_setting_length(l);
    if (n < 1 || n > ITP_MAX_PRIORS)
        return itp_rd_fail(rd, l, "expected 1 to %d priors", ITP_MAX_PRIORS);
    for (int i = 0; i < n; i++) {
        const config_setting_t *g = config_setting_get_elem(l, (unsigned)i);
        if ((st = read_prior(rd, g, &pr->p[i])))
            return st;
        for (int q = 0; q < i; q++)
            if (!strcmp(pr->p[q].path, pr->p[i].path))
                return itp_rd_fail(rd, itp_member(g, "path"), "a second prior for '%s'",
                                   pr->p[i].path);
        pr->n = i + 1;
    }
    return ITP_OK;
}

const itp_scenario_section itp_priors_section = {"priors", NULL, priors_parse, NULL, NULL};

double itp_prior_draw(const itp_prior *p, uint64_t seed, long k, int i)
{
    gsl_rng *r = gsl_rng_alloc(itp_rng_xoshiro256pp);
    if (!r)
        return (double)NAN;
    itp_rng_stream(r, seed, (uint64_t)k, (uint64_t)i, PRIOR_STREAM);
    double u = gsl_rng_uniform_pos(r), x;
    switch (p->kind) {
    case ITP_PRIOR_NORMAL:
    case ITP_PRIOR_LOGNORMAL: {
        /* truncated by inversion: u spread over [F(lo), F(hi)] */
        int lg = p->kind == ITP_PRIOR_LOGNORMAL;
        double lo = lg ? log(p->lo) : p->lo, hi = lg ? log(p->hi) : p->hi;
        double flo = gsl_cdf_gaussian_P(lo - p->a, p->b), fhi = gsl_cdf_gaussian_P(hi - p->a, p->b);
        x = p->a + gsl_cdf_gaussian_Pinv(flo + u * (fhi - flo), p->b);
        x = fmin(fmax(x, lo), hi);
        x = lg ? exp(x) : x;
        break;
    }
    case ITP_PRIOR_BETA:
        x = p->lo + (p->hi - p->lo) * gsl_ran_beta(r, p->a, p->b);
        break;
    default:
        x = p->lo + u * (p->hi - p->lo);
        break;
    }
    gsl_rng_free(r);
    return x;
}

/* ---- the parameter sets -------------------------------------------------------------- */

typedef struct sets {
    int n_par;                       /* columns */
    char path[MAX_DRAW_PARAMS][160];
    int acts[MAX_DRAW_PARAMS];       /* acts on the scenario */
    int n_sets;
    double *x;                       /* [n_sets * n_par] */
    char source[600];                /* for the summary */
} sets;

/* The first k rows of a draws file: a header "draw,PATH,..." and rows of
 * numbers. */
static itp_status read_draws(const char *file, int k, sets *s, char *err, size_t errlen)
{
    FILE *f = fopen(file, "r");
    if (!f) {
        snprintf(err, errlen, "%s: %s", file, strerror(errno));
        return ITP_EINPUT;
    }
    static char line[1 << 16];
    itp_status st = ITP_OK;
    int ln = 0;
    if (!fgets(line, sizeof line, f) || strncmp(line, "draw,", 5) != 0) {
        snprintf(err, errlen, "%s:1: expected a header \"draw,PATH,...\" (a file of parameter "
                 "draws, as the joint calibration writes)", file);
        fclose(f);
        return ITP_EINPUT;
    }
    ln = 1;
    line[strcspn(line, "\r\n")] = '\0';
    s->n_par = 0;
    for (char *save = NULL, *t = strtok_r(line + 5, ",", &save); t;
         t = strtok_r(NULL, ",", &save)) {
        if (s->n_par == MAX_DRAW_PARAMS || strlen(t) >= sizeof s->path[0]) {
            snprintf(err, errlen, "%s:1: at most %d parameters of at most %zu characters",
                     file, MAX_DRAW_PARAMS, sizeof s->path[0] - 1);
            fclose(f);
            return ITP_EINPUT;
        }
        snprintf(s->path[s->n_par++], sizeof s->path[0], "%s", t);
    }
    s->x = calloc((size_t)k * (size_t)(s->n_par ? s->n_par : 1), sizeof *s->x);
    if (!s->x) {
        fclose(f);
        return ITP_ENOMEM;
    }
    for (s->n_sets = 0; !st && s->n_sets < k && fgets(line, sizeof line, f);) {
        ln++;
        char *p = line, *end;
        errno = 0;
        (void)strtol(p, &end, 10);
        for (int c = 0; !st && c < s->n_par; c++) {
            if (*end != ',') {
                st = ITP_EINPUT;
                break;
            }
            p = end + 1;
            double v = strtod(p, &end);
            if (end == p || !isfinite(v))
                st = ITP_EINPUT;
            s->x[(size_t)s->n_sets * (size_t)s->n_par + (size_t)c] = v;
        }
        if (!st && *end != '\n' && *end != '\0' && *end != '\r')
            st = ITP_EINPUT;
        if (st)
            snprintf(err, errlen, "%s:%d: expected a draw number and %d numbers", file, ln,
                     s->n_par);
        else
            s->n_sets++;
    }
    fclose(f);
    if (!st && s->n_sets < k) {
        snprintf(err, errlen, "%s: %d parameter draws, fewer than the %d asked for", file,
                 s->n_sets, k);
        st = ITP_EINPUT;
    }
    snprintf(s->source, sizeof s->source, "the parameter draws of %s", file);
    return st;
}

static void from_priors(const itp_priors *pr, uint64_t seed, int k, sets *s)
{
    s->n_par = pr->n;
    for (int i = 0; i < pr->n; i++)
        snprintf(s->path[i], sizeof s->path[0], "%s", pr->p[i].path);
    for (int j = 0; j < k; j++)
        for (int i = 0; i < pr->n; i++)
            s->x[(size_t)j * (size_t)pr->n + (size_t)i] = itp_prior_draw(&pr->p[i], seed, j, i);
    s->n_sets = k;
    snprintf(s->source, sizeof s->source, "the scenario's priors");
}

/* ---- the runs ------------------------------------------------------------------------- */

typedef struct batch_ctx {
    long reps;
    long rej[BATCHES][ITP_MAX_HYPOTHESES + 1];   /* the last: any rejected */
} batch_ctx;

static int batch_of(long rep, long reps)
{
    return (int)(rep * BATCHES / reps);
}

static int on_chunk(void *ctx, const itp_scenario *scn, long first, const itp_rep_result *res,
                    long count)
{
    batch_ctx *b = ctx;
    for (long i = 0; i < count; i++) {
        int bt = batch_of(first + i, b->reps), any = 0;
        for (int h = 0; h < scn->plan.n_hyp; h++) {
            b->rej[bt][h] += res[i].hyp[h].rejected != 0;
            any |= res[i].hyp[h].rejected != 0;
        }
        b->rej[bt][scn->plan.n_hyp] += any;
    }
    return 0;
}

typedef struct stats {
    double assurance, mcse, between, within, q[5], hist[HIST_BINS];
} stats;

/* power[k] over the K sets, and bat[b][k] the rejections in batch b (of
 * size nb[b]) of set k. */
static void summarise(const double *power, int K, long R, double *const *bat, const long *nb,
                      stats *o)
{
    double *sorted = malloc((size_t)K * sizeof *sorted);
    double within_binom = 0.0, ab[BATCHES];
    o->assurance = gsl_stats_mean(power, 1, (size_t)K);
    double s2 = K > 1 ? gsl_stats_variance_m(power, 1, (size_t)K, o->assurance) : 0.0;
    for (int k = 0; k < K; k++)
        within_binom += power[k] * (1.0 - power[k]) / (double)(R > 1 ? R - 1 : 1) / K;
    o->between = sqrt(fmax(s2 - within_binom, 0.0) / K);
    int nbat = 0;
    for (int b = 0; b < BATCHES; b++) {
        if (nb[b] == 0)
            continue;
        double m = 0.0;
        for (int k = 0; k < K; k++)
            m += bat[b][k] / (double)nb[b] / K;
        ab[nbat++] = m;
    }
    o->within = nbat > 1 ? sqrt(gsl_stats_variance(ab, 1, (size_t)nbat) / nbat) : (double)NAN;
    o->mcse = sqrt(o->between * o->between + (isnan(o->within) ? 0.0 : o->within * o->within));
    memset(o->hist, 0, sizeof o->hist);
    if (sorted) {
        memcpy(sorted, power, (size_t)K * sizeof *sorted);
        gsl_sort(sorted, 1, (size_t)K);
        const double at[5] = {0.05, 0.25, 0.5, 0.75, 0.95};
        for (int i = 0; i < 5; i++)
            o->q[i] = gsl_stats_quantile_from_sorted_data(sorted, 1, (size_t)K, at[i]);
    }
    for (int k = 0; k < K; k++)
        o->hist[power[k] >= 1.0 ? HIST_BINS - 1 : (int)(power[k] * HIST_BINS)] += 1.0 / K;
    free(sorted);
}

static void json_array(FILE *f, const double *x, int n)
{
    fputc('[', f);
    for (int i = 0; i < n; i++)
        fprintf(f, "%s%.6g", i ? ", " : "", x[i]);
    fputc(']', f);
}

static itp_status write_files(const char *dir, const itp_scenario *scn, const sets *s,
                              const itp_assurance_opts *o, const double *power,
                              const stats *st, const double *rho, const double *fixed,
                              char *err, size_t errlen)
{
    int nh = scn->plan.n_hyp, K = s->n_sets;
    itp_out csv = {0}, js = {0};
    itp_status rc = itp_out_open(&csv, dir, "assurance.csv", err, errlen);
    if (!rc)
        rc = itp_out_open(&js, dir, "assurance.json", err, errlen);
    if (rc) {
        itp_out_abort(&csv);
        return rc;
    }
    fputs("set", csv.f);
    for (int i = 0; i < s->n_par; i++)
        if (s->acts[i])
            fprintf(csv.f, ",%s", s->path[i]);
    for (int h = 0; h < nh; h++)
        fprintf(csv.f, ",power_%s", scn->plan.hyp[h].name);
    fputs(",power_any\n", csv.f);
    for (int k = 0; k < K; k++) {
        fprintf(csv.f, "%d", k);
        for (int i = 0; i < s->n_par; i++)
            if (s->acts[i])
                fprintf(csv.f, ",%.9g", s->x[(size_t)k * (size_t)s->n_par + (size_t)i]);
        for (int h = 0; h <= nh; h++)
            fprintf(csv.f, ",%.6g", power[(size_t)h * (size_t)K + (size_t)k]);
        fputc('\n', csv.f);
    }
    FILE *f = js.f;
    fprintf(f, "{\n  \"scenario\": \"%s\",\n  \"source\": \"%s\",\n  \"sets\": %d,\n"
               "  \"replicates_per_set\": %ld,\n  \"seed\": %llu,\n  \"batches\": %d,\n"
               "  \"hypotheses\": [\n", scn->name, s->source, K, o->reps,
            (unsigned long long)o->seed, BATCHES);
    for (int h = 0; h <= nh; h++) {
        const stats *x = &st[h];
        fprintf(f, "    {\"name\": \"%s\", \"assurance\": %.6g, \"mcse\": %.6g, "
                   "\"mcse_between\": %.6g, \"mcse_within\": %.6g, \"power_quantiles\": ",
                h < nh ? scn->plan.hyp[h].name : "any_rejected", x->assurance, x->mcse,
                x->between, x->within);
        json_array(f, x->q, 5);
        fputs(", \"power_histogram\": ", f);
        json_array(f, x->hist, HIST_BINS);
        fprintf(f, "}%s\n", h < nh ? "," : "");
    }
    fputs("  ],\n  \"power_at_fixed_parameters\": ", f);
    json_array(f, fixed, nh + 1);
    fputs(",\n  \"quantile_levels\": [0.05, 0.25, 0.5, 0.75, 0.95],\n"
          "  \"influence\": [\n", f);
    int first = 1;
    for (int i = 0; i < s->n_par; i++)
        if (s->acts[i]) {
            fprintf(f, "%s    {\"path\": \"%s\", \"spearman_with_first_power\": %.4g}",
                    first ? "" : ",\n", s->path[i], rho[i]);
            first = 0;
        }
    fputs("\n  ]\n}\n", f);
    itp_out *both[2] = {&csv, &js};
    return itp_out_commit_all(both, 2, err, errlen);
}

/* The power of each hypothesis (and of any rejection, fixed[nh]) of the
 * scenario as it is, R replicates with the run's seed. */
static itp_status fixed_power(const itp_scenario *scn, const itp_assurance_opts *o,
                              double *fixed)
{
    int nh = scn->plan.n_hyp;
    itp_mc_summary sum;
    itp_mc_run_opts ro = {o->seed, 0, o->reps, o->threads, 0, NULL};
    itp_status st = itp_mc_summary_init(&sum, scn);
    if (!st)
        st = itp_mc_run(scn, &ro, &sum, NULL, NULL);
    for (int h = 0; !st && h <= nh; h++)
        fixed[h] = (double)(h < nh ? sum.rejected[h] : sum.any_rejected) / (double)o->reps;
    itp_mc_summary_free(&sum);
    return st;
}

/* What an assurance computes: the base scenario, the parameter sets, the
 * power of each hypothesis (and of any rejection, last) per set, its
 * summary, and each parameter's rank correlation with the first
 * hypothesis's power, the three largest in best[] (-1: fewer). */
typedef struct work {
    itp_scenario *base;
    sets s;
    double *power;
    stats stt[ITP_MAX_HYPOTHESES + 1];
    double rho[MAX_DRAW_PARAMS];
    int best[3];
    /* per hypothesis (any rejection last): the parameter most
     * rank-correlated with its power (-1: none) and that correlation */
    int top[ITP_MAX_HYPOTHESES + 1];
    double top_rho[ITP_MAX_HYPOTHESES + 1];
} work;

static void work_free(work *w)
{
    free(w->power);
    free(w->s.x);
    itp_scenario_free(w->base);
}

static itp_status compute(const itp_assurance_opts *o, work *w, FILE *progress, char *err,
                          size_t errlen)
{
    itp_priors pr;
    memset(&pr, 0, sizeof pr);
    itp_scenario_section sec = itp_priors_section;
    sec.ctx = &pr;
    memset(w, 0, sizeof *w);
    itp_status st = itp_scenario_load_with(&w->base, o->scenario, o->defaults, o->sets, o->n_sets,
                                           &sec, 1, NULL, err, errlen);
    if (st)
        return st;
    itp_scenario *base = w->base;
    int K = o->draws, nh = base->plan.n_hyp;
    long R = o->reps;
    sets *sp = &w->s;
    if (nh == 0) {
        snprintf(err, errlen, "%s: no analysis plan (section analysis): nothing to test",
                 o->scenario);
        st = ITP_EINPUT;
    } else if (o->draws_file) {
        st = read_draws(o->draws_file, K, sp, err, errlen);
    } else if (pr.n == 0) {
        snprintf(err, errlen, "%s: no priors (a list `priors`) and no file of parameter draws",
                 o->scenario);
        st = ITP_EINPUT;
    } else if (!(sp->x = calloc((size_t)K * (size_t)pr.n, sizeof *sp->x))) {
        st = ITP_ENOMEM;
    } else {
        from_priors(&pr, o->seed, K, sp);
    }
    /* which columns act on the scenario: as in a joint fit */
    const char *paths[MAX_DRAW_PARAMS];
    int n_act = 0;
    for (int i = 0; i < sp->n_par; i++)
        paths[i] = sp->path[i];
    for (int i = 0; !st && i < sp->n_par; i++)
        n_act += sp->acts[i] = itp_cal_path_acts(sp->path[i], base, paths, sp->n_par);
    if (!st && n_act == 0) {
        snprintf(err, errlen, "%s: none of the parameters of %s acts on the scenario",
                 o->scenario, sp->source);
        st = ITP_EINPUT;
    }
    double *power = w->power = st ? NULL : calloc((size_t)(nh + 1) * (size_t)K, sizeof *power);
    double *batv[(ITP_MAX_HYPOTHESES + 1) * BATCHES] = {NULL};
    long nb[BATCHES] = {0};
    for (long r = 0; r < R; r++)
        nb[batch_of(r, R)]++;
    if (!st && !power)
        st = ITP_ENOMEM;
    for (int q = 0; !st && q < (nh + 1) * BATCHES; q++)
        if (!(batv[q] = calloc((size_t)K, sizeof *batv[q])))
            st = ITP_ENOMEM;
    /* the power at the scenario's own (fixed) parameter values, with the
     * same seed and replicates: the reference the assurance is read
     * against (assurance.json's power_at_fixed_parameters) */
    double fixed[ITP_MAX_HYPOTHESES + 1];
    if (!st)
        st = fixed_power(base, o, fixed);
    const char *all[ITP_MAX_SETS_ASSURANCE];
    char ov[MAX_DRAW_PARAMS][200];
    for (int k = 0; !st && k < K; k++) {
        int n = 0;
        for (int i = 0; i < o->n_sets && n < ITP_MAX_SETS_ASSURANCE; i++)
            all[n++] = o->sets[i];
        for (int i = 0; i < sp->n_par; i++)
            if (sp->acts[i]) {
                snprintf(ov[i], sizeof ov[i], "%s=%.17g", sp->path[i],
                         sp->x[(size_t)k * (size_t)sp->n_par + (size_t)i]);
                all[n++] = ov[i];
            }
        itp_scenario *scn;
        if ((st = itp_scenario_load(&scn, o->scenario, o->defaults, all, n, NULL, err, errlen)))
            break;
        itp_mc_summary sum;
        batch_ctx bc;
        memset(&bc, 0, sizeof bc);
        bc.reps = R;
        itp_mc_run_opts ro = {o->seed, 0, R, o->threads, 0, NULL};
        st = itp_mc_summary_init(&sum, scn);
        if (!st)
            st = itp_mc_run(scn, &ro, &sum, on_chunk, &bc);
        for (int h = 0; !st && h <= nh; h++) {
            long rej = h < nh ? sum.rejected[h] : sum.any_rejected;
            power[(size_t)h * (size_t)K + (size_t)k] = (double)rej / (double)R;
            for (int b = 0; b < BATCHES; b++)
                batv[h * BATCHES + b][k] = (double)bc.rej[b][h];
        }
        itp_mc_summary_free(&sum);
        itp_scenario_free(scn);
        if (!st && progress)
            fprintf(progress, "assurance: parameter set %d of %d: power %.3f\n", k + 1, K,
                    power[k]);
    }
    stats *stt = w->stt;
    double *rho = w->rho;
    if (!st) {
        for (int h = 0; h <= nh; h++)
            summarise(power + (size_t)h * (size_t)K, K, R, batv + h * BATCHES, nb, &stt[h]);
        double *col = malloc((size_t)K * sizeof *col), *wk = malloc(2 * (size_t)K * sizeof *wk);
        for (int h = 0; h <= nh; h++)
            w->top[h] = -1;
        for (int i = 0; col && wk && i < sp->n_par; i++) {
            if (!sp->acts[i])
                continue;
            for (int k = 0; k < K; k++)
                col[k] = sp->x[(size_t)k * (size_t)sp->n_par + (size_t)i];
            for (int h = 0; K > 2 && h <= nh; h++) {
                double r = gsl_stats_spearman(col, 1, power + (size_t)h * (size_t)K, 1,
                                              (size_t)K, wk);
                if (!isnan(r) && (w->top[h] < 0 || fabs(r) > fabs(w->top_rho[h]))) {
                    w->top[h] = i;
                    w->top_rho[h] = r;
                }
                if (h == 0)
                    rho[i] = r;
            }
            if (K <= 2)
                rho[i] = (double)NAN;
        }
        free(col);
        free(wk);
    }
    w->best[0] = w->best[1] = w->best[2] = -1;
    for (int i = 0; !st && i < sp->n_par; i++)
        for (int b = 0; b < 3 && sp->acts[i] && !isnan(rho[i]); b++)
            if (w->best[b] < 0 || fabs(rho[i]) > fabs(rho[w->best[b]])) {
                for (int m = 2; m > b; m--)
                    w->best[m] = w->best[m - 1];
                w->best[b] = i;
                break;
            }
    for (int q = 0; q < (nh + 1) * BATCHES; q++)
        free(batv[q]);
    if (st)
        work_free(w);
    return st;
}

itp_status itp_assurance_run(const itp_assurance_opts *o, const char *dir, FILE *out,
                             FILE *progress, char *err, size_t errlen)
{
    work w;
    itp_status st = compute(o, &w, progress, err, errlen);
    if (st)
        return st;
    int nh = w.base->plan.n_hyp, K = o->draws;
    long R = o->reps;
    /* the power at the scenario's own (fixed) parameter values, with the
     * same seed and replicates: the reference the assurance is read
     * against (assurance.json's power_at_fixed_parameters) */
    double fixed[ITP_MAX_HYPOTHESES + 1];
    st = fixed_power(w.base, o, fixed);
    if (!st)
        st = itp_mkdir_p(dir, err, errlen);
    if (!st)
        st = write_files(dir, w.base, &w.s, o, w.power, w.stt, w.rho, fixed, err, errlen);
    if (!st && out) {
        fprintf(out, "assurance of %s over %d parameter sets (%s), %ld replicates each with "
                     "common random numbers\n", w.base->name, K, w.s.source, R);
        fprintf(out, "%-16s %9s %8s %8s %8s   power over the sets: 5%%  25%%  50%%  75%%  95%%\n",
                "hypothesis", "assurance", "MCSE", "between", "within");
        for (int h = 0; h <= nh; h++) {
            const stats *x = &w.stt[h];
            fprintf(out, "%-16s %9.3f %8.4f %8.4f %8.4f   %24.2f %4.2f %4.2f %4.2f %4.2f\n",
                    h < nh ? w.base->plan.hyp[h].name : "any rejected", x->assurance, x->mcse,
                    x->between, x->within, x->q[0], x->q[1], x->q[2], x->q[3], x->q[4]);
        }
        const int *best = w.best;
        fprintf(out, "most influential on %s's power (Spearman rank correlation):",
                w.base->plan.hyp[0].name);
        for (int b = 0; b < 3 && best[b] >= 0; b++)
            fprintf(out, "%s %s %+.2f", b ? "," : "", w.s.path[best[b]], w.rho[best[b]]);
        fprintf(out, "\nwrote %s/assurance.csv, %s/assurance.json\n", dir, dir);
    }
    work_free(&w);
    return st;
}

itp_status itp_assurance_summarise(const itp_assurance_opts *o, itp_assurance_summary *sum,
                                   FILE *progress, char *err, size_t errlen)
{
    work w;
    itp_status st = compute(o, &w, progress, err, errlen);
    if (st)
        return st;
    memset(sum, 0, sizeof *sum);
    sum->n_hyp = w.base->plan.n_hyp;
    for (int h = 0; h <= sum->n_hyp; h++) {
        sum->assurance[h] = w.stt[h].assurance;
        sum->mcse[h] = w.stt[h].mcse;
        memcpy(sum->q[h], w.stt[h].q, sizeof sum->q[h]);
        sum->top_hyp[h][0] = '\0';
        if (w.top[h] >= 0) {
            snprintf(sum->top_hyp[h], sizeof sum->top_hyp[h], "%s", w.s.path[w.top[h]]);
            sum->top_hyp_rho[h] = w.top_rho[h];
        }
    }
    work_free(&w);
    return ITP_OK;
}
