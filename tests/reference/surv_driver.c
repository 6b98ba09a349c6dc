/* Runs itpsim's survival kernels on one CSV data set and prints every
 * quantity that tests/reference/surv_reference.R prints with R survival, one
 * "key value" line each (17 significant digits, NA for NaN), for
 * tests/cli/refcheck_survival.sh to compare.
 *
 * Usage: surv_driver DATA.csv [T1 T2 ...] [--rmst TAU1 TAU2 ...]
 * DATA.csv has the header "time,event,group,stratum" (stratum 0-based); the
 * Kaplan-Meier estimate is printed at each time Tk, the restricted mean
 * survival time of each group and their difference at each horizon TAUk,
 * and the Fleming-Harrington G(rho, gamma) test for (rho, gamma) = (0, 0),
 * (1, 0), (0, 1), (1, 1), unstratified and stratified. Also prints the
 * kernels' flags (keys ending in _flag), which R does not give. */
#include "itpsim/error.h"
#include "itpsim/survival.h"

#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

typedef struct dataset {
    size_t n, cap;
    double *time;
    int *event, *group, *stratum;
    size_t nstrata;
} dataset;

static void print_num(const char *key, double x)
{
    if (isnan(x))
        printf("%s NA\n", key);
    else if (isinf(x))
        printf("%s %s\n", key, x > 0 ? "Inf" : "-Inf");
    else
        printf("%s %.17g\n", key, x);
}

static int parse_double(const char *s, double *out)
{
    char *end;
    errno = 0;
    *out = strtod(s, &end);
    return end != s && *end == '\0' && errno == 0 && isfinite(*out);
}

static int parse_int(const char *s, int lo, int hi, int *out)
{
    char *end;
    long v;
    errno = 0;
    v = strtol(s, &end, 10);
    if (end == s || *end != '\0' || errno != 0 || v < lo || v > hi)
        return 0;
    *out = (int)v;
    return 1;
}

static int grow(dataset *ds)
{
    size_t cap = ds->cap ? 2 * ds->cap : 256;
    double *t = realloc(ds->time, cap * sizeof *t);
    int *e, *g, *s;
    if (t == NULL)
        return 0;
    ds->time = t;
    if ((e = realloc(ds->event, cap * sizeof *e)) == NULL)
        return 0;
    ds->event = e;
    if ((g = realloc(ds->group, cap * sizeof *g)) == NULL)
        return 0;
    ds->group = g;
    if ((s = realloc(ds->stratum, cap * sizeof *s)) == NULL)
        return 0;
    ds->stratum = s;
    ds->cap = cap;
    return 1;
}

/* Reads the CSV; returns 0 with a message on stderr on failure. */
static int read_csv(const char *path, dataset *ds)
{
    FILE *f = fopen(path, "r");
    char line[512];
    size_t lineno = 0;

    if (f == NULL) {
        fprintf(stderr, "surv_driver: cannot open %s\n", path);
        return 0;
    }
    while (fgets(line, sizeof line, f) != NULL) {
        char *field[4], *save = NULL, *tok;
        int k = 0;
        lineno++;
        line[strcspn(line, "\r\n")] = '\0';
        if (lineno == 1) {
            if (strcmp(line, "time,event,group,stratum") != 0
                && strcmp(line, "\"time\",\"event\",\"group\",\"stratum\"") != 0) {
                fprintf(stderr, "%s:1: expected header time,event,group,stratum\n", path);
                goto fail;
            }
            continue;
        }
        if (line[0] == '\0')
            continue;
        for (tok = strtok_r(line, ",", &save); tok != NULL && k < 4;
             tok = strtok_r(NULL, ",", &save))
            field[k++] = tok;
        if (k != 4 || tok != NULL) {
            fprintf(stderr, "%s:%zu: expected 4 fields\n", path, lineno);
            goto fail;
        }
        if (ds->n == ds->cap && !grow(ds)) {
            fprintf(stderr, "surv_driver: out of memory\n");
            goto fail;
        }
        if (!parse_double(field[0], &ds->time[ds->n])
            || !parse_int(field[1], 0, 1, &ds->event[ds->n])
            || !parse_int(field[2], 0, 1, &ds->group[ds->n])
            || !parse_int(field[3], 0, 1000000, &ds->stratum[ds->n])) {
            fprintf(stderr, "%s:%zu: expected time (finite), event 0/1, "
                    "group 0/1, stratum >= 0\n", path, lineno);
            goto fail;
        }
        if ((size_t)ds->stratum[ds->n] + 1 > ds->nstrata)
            ds->nstrata = (size_t)ds->stratum[ds->n] + 1;
        ds->n++;
    }
    fclose(f);
    return 1;
fail:
    fclose(f);
    return 0;
}

int main(int argc, char **argv)
{
    static const char *const tiename[2] = {"efron", "breslow"};
    static const char *const selname[3] = {"all", "g0", "g1"};
    dataset ds = {0, 0, NULL, NULL, NULL, NULL, 0};
    itp_surv_workspace *w = NULL;
    itp_surv_data d;
    char key[128];
    int status = ITP_OK, rc = 1, s, ti, sel, k;

    int nkm, rmst_at;
    if (argc < 2) {
        fprintf(stderr, "usage: surv_driver DATA.csv [T1 T2 ...] [--rmst TAU1 TAU2 ...]\n");
        return 2;
    }
    for (rmst_at = 2; rmst_at < argc && strcmp(argv[rmst_at], "--rmst") != 0; rmst_at++)
        ;
    nkm = rmst_at;          /* Kaplan-Meier times: argv[2 .. nkm) */
    if (!read_csv(argv[1], &ds))
        goto done;
    status = itp_surv_workspace_create(&w, ds.n);
    if (status != ITP_OK)
        goto done;
    d.n = ds.n;
    d.time = ds.time;
    d.event = ds.event;
    d.group = ds.group;
    d.nstrata = ds.nstrata;

    for (s = 0; s < 2; s++) {
        const char *sn = s ? "s" : "u";
        itp_logrank_result lr;
        if (s == 1 && ds.nstrata < 2)
            continue;
        d.stratum = s ? ds.stratum : NULL;
        if ((status = itp_surv_logrank(&d, w, &lr)) != ITP_OK)
            goto done;
#define PUT(fmt, val) do { snprintf(key, sizeof key, fmt, sn); print_num(key, (val)); } while (0)
        PUT("lr_%s_o", lr.observed);
        PUT("lr_%s_e", lr.expected);
        PUT("lr_%s_v", lr.variance);
        PUT("lr_%s_chisq", lr.chisq);
        PUT("lr_%s_p1", lr.p_one_sided);
        PUT("lr_%s_p2", lr.p_two_sided);
        PUT("lr_%s_not_estimable_flag", lr.not_estimable);
#undef PUT
    }

    for (ti = 0; ti < 2; ti++) {
        for (s = 0; s < 2; s++) {
            itp_cox_result cx;
            if (s == 1 && ds.nstrata < 2)
                continue;
            d.stratum = s ? ds.stratum : NULL;
            status = itp_surv_cox(&d, ti ? ITP_COX_BRESLOW : ITP_COX_EFRON,
                                  0.95, w, &cx);
            if (status != ITP_OK)
                goto done;
#define PUT(name, val) do { snprintf(key, sizeof key, "cox_%s_%s_%s", \
        tiename[ti], s ? "s" : "u", name); print_num(key, (val)); } while (0)
            PUT("beta", cx.beta);
            PUT("se", cx.se);
            PUT("hr_lower", cx.hr_lower);
            PUT("hr_upper", cx.hr_upper);
            PUT("z", cx.z);
            PUT("p1", cx.p_one_sided);
            PUT("p2", cx.p_two_sided);
            PUT("loglik", cx.loglik);
            PUT("loglik0", cx.loglik_null);
            PUT("iter", cx.iterations);
            PUT("converged_flag", cx.converged);
            PUT("monotone_flag", cx.monotone);
            PUT("not_estimable_flag", cx.not_estimable);
#undef PUT
        }
    }

    d.stratum = NULL;
    for (sel = 0; sel < 3; sel++) {
        itp_km_result km;
        for (k = 2; k < nkm; k++) {
            double t;
            if (!parse_double(argv[k], &t)) {
                fprintf(stderr, "surv_driver: bad time '%s'\n", argv[k]);
                status = ITP_EINPUT;
                goto done;
            }
            if ((status = itp_surv_km(&d, sel - 1, t, 0.95, w, &km)) != ITP_OK)
                goto done;
#define PUT(name, val) do { snprintf(key, sizeof key, "km_%s_t%d_%s", \
        selname[sel], k - 1, name); print_num(key, (val)); } while (0)
            PUT("surv", km.surv);
            PUT("se", km.se);
            PUT("lower", km.lower);
            PUT("upper", km.upper);
            PUT("surv_not_estimable_flag", km.surv_not_estimable);
            PUT("ci_not_estimable_flag", km.ci_not_estimable);
#undef PUT
        }
        if ((status = itp_surv_km(&d, sel - 1, 0.0, 0.95, w, &km)) != ITP_OK)
            goto done;
#define PUT(name, val) do { snprintf(key, sizeof key, "km_%s_%s", \
        selname[sel], name); print_num(key, (val)); } while (0)
        PUT("median", km.median);
        PUT("median_lower", km.median_lower);
        PUT("median_upper", km.median_upper);
        PUT("median_not_reached_flag", km.median_not_reached);
#undef PUT
    }

    for (s = 0; s < 2; s++) {
        static const double rg[4][2] = {{0, 0}, {1, 0}, {0, 1}, {1, 1}};
        if (s == 1 && ds.nstrata < 2)
            continue;
        d.stratum = s ? ds.stratum : NULL;
        for (k = 0; k < 4; k++) {
            itp_fh_result fh;
            if ((status = itp_surv_fh(&d, rg[k][0], rg[k][1], w, &fh)) != ITP_OK)
                goto done;
#define PUT(name, val) do { snprintf(key, sizeof key, "fh_%s_%d%d_%s", s ? "s" : "u", \
        (int)rg[k][0], (int)rg[k][1], name); print_num(key, (val)); } while (0)
            PUT("o", fh.observed);
            PUT("e", fh.expected);
            PUT("v", fh.variance);
            PUT("z", fh.z);
            PUT("chisq", fh.chisq);
            PUT("p1", fh.p_one_sided);
            PUT("p2", fh.p_two_sided);
            PUT("not_estimable_flag", fh.not_estimable);
#undef PUT
        }
    }

    d.stratum = NULL;
    for (k = rmst_at + 1; k < argc; k++) {
        itp_rmst_result rm;
        double tau;
        if (!parse_double(argv[k], &tau)) {
            fprintf(stderr, "surv_driver: bad horizon '%s'\n", argv[k]);
            status = ITP_EINPUT;
            goto done;
        }
        if ((status = itp_surv_rmst(&d, tau, 0.95, w, &rm)) != ITP_OK)
            goto done;
#define PUT(name, val) do { snprintf(key, sizeof key, "rmst_t%d_%s", k - rmst_at, name); \
        print_num(key, (val)); } while (0)
        PUT("g0", rm.rmst[0]);
        PUT("g0_se", rm.se[0]);
        PUT("g1", rm.rmst[1]);
        PUT("g1_se", rm.se[1]);
        PUT("diff", rm.diff);
        PUT("se_diff", rm.se_diff);
        PUT("lower", rm.lower);
        PUT("upper", rm.upper);
        PUT("z", rm.z);
        PUT("p1", rm.p_one_sided);
        PUT("p2", rm.p_two_sided);
        PUT("g0_extended_flag", rm.extended[0]);
        PUT("g1_extended_flag", rm.extended[1]);
        PUT("no_test_flag", rm.no_test);
#undef PUT
    }
    rc = 0;

done:
    if (status != ITP_OK)
        fprintf(stderr, "surv_driver: %s: %s\n", argv[1], itp_strerror(status));
    itp_surv_workspace_free(w);
    free(ds.time);
    free(ds.event);
    free(ds.group);
    free(ds.stratum);
    return rc;
}
