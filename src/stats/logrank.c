/* Survival workspace, risk-set table and the stratified log-rank test.
 *
 * The risk-set table (one row per distinct event time within a stratum, with
 * numbers at risk and events by group) is the common input of the log-rank,
 * Cox and Kaplan-Meier kernels; it lives here with the workspace.
 *
 * Log-rank statistic (Mantel 1966; Klein & Moeschberger, Survival Analysis,
 * 2nd ed. 2003, section 7.3 and 7.5 for strata), as R survdiff with rho = 0
 * (survdiff2.c): at an event time with N at risk, N1 of them experimental,
 * d events, d1 experimental,
 *   O - E += d1 - d N1 / N
 *   V     += d (N - d) N1 (N - N1) / (N^2 (N - 1))     (N > 1)
 * the hypergeometric variance, exact for tied times; strata add up.
 *
 * The Fleming-Harrington G(rho, gamma) test (Harrington & Fleming,
 * Biometrika 1982) weighs each event time's terms by
 * w = S(t-)^rho (1 - S(t-))^gamma, S the stratum's pooled Kaplan-Meier
 * estimate just before t: w (d1 - d N1 / N) and w^2 times the variance
 * above (see survival.h). */
#include "itpsim/survival.h"
#include "itpsim/error.h"

#include <limits.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include <gsl/gsl_cdf.h>

/* Strata sorted by counting (a scenario has at most 64). */
#define ITP_SURV_SORT_STRATA 64

int itp_surv_workspace_create(itp_surv_workspace **out, size_t nmax)
{
    itp_surv_workspace *w = NULL;
    /* calloc(0) may return NULL; one slot keeps the failure test simple. */
    size_t cap = nmax > 0 ? nmax : 1;

    if (out == NULL)
        return ITP_EINPUT;
    *out = NULL;
    if (cap > (size_t)-1 / 2 / sizeof(itp_surv_record))
        return ITP_ERANGE;
    w = calloc(1, sizeof *w);
    if (w == NULL)
        goto on_error;
    w->nmax = nmax;
    /* rec[cap, 2 cap) is the radix sort's buffer (survival.h documents
     * the first nmax, the kernels' copy of the data) */
    w->rec = calloc(2 * cap, sizeof *w->rec);
    w->tab.stratum = calloc(cap, sizeof *w->tab.stratum);
    w->tab.time = calloc(cap, sizeof *w->tab.time);
    w->tab.nrisk[0] = calloc(cap, sizeof(double));
    w->tab.nrisk[1] = calloc(cap, sizeof(double));
    w->tab.nevent[0] = calloc(cap, sizeof(double));
    w->tab.nevent[1] = calloc(cap, sizeof(double));
    if (w->rec == NULL || w->tab.stratum == NULL || w->tab.time == NULL
        || w->tab.nrisk[0] == NULL || w->tab.nrisk[1] == NULL
        || w->tab.nevent[0] == NULL || w->tab.nevent[1] == NULL)
        goto on_error;
    *out = w;
    return ITP_OK;

on_error:
    itp_surv_workspace_free(w);
    return ITP_ENOMEM;
}

void itp_surv_workspace_free(itp_surv_workspace *w)
{
    if (w == NULL)
        return;
    free(w->rec);
    free(w->tab.stratum);
    free(w->tab.time);
    free(w->tab.nrisk[0]);
    free(w->tab.nrisk[1]);
    free(w->tab.nevent[0]);
    free(w->tab.nevent[1]);
    free(w);
}

/* Sorting by (stratum, time) without a comparison callback: a stable
 * counting sort by stratum into place, then each stratum's block by time
 * (quicksort with insertion sort for short runs, inlined comparisons).
 * Subjects equal on both keys are interchangeable for every statistic here
 * (a block of tied times only sums its events and exits), so the order
 * among them does not matter and any correct sort gives the same table,
 * bit for bit. gsl_heapsort with a comparison function took over half of
 * a hazard-model replicate. */
static void insertion_by_time(itp_surv_record *a, size_t n)
{
    for (size_t i = 1; i < n; i++) {
        itp_surv_record x = a[i];
        size_t j = i;
        while (j > 0 && a[j - 1].time > x.time) {
            a[j] = a[j - 1];
            j--;
        }
        a[j] = x;
    }
}

static void swap_records(itp_surv_record *a, itp_surv_record *b)
{
    itp_surv_record t = *a;
    *a = *b;
    *b = t;
}

/* Stable LSD radix sort of a[n] by whole-number times below 2^16 (one pass
 * per byte in use), then by stratum when there are several; buf[n] is
 * scratch. Linear time: on day-valued times (every model's) it replaces
 * the comparison sort above for all but short inputs. */
static void radix_sort(itp_surv_record *a, itp_surv_record *buf, size_t n, unsigned maxtime,
                       size_t nstrata)
{
    itp_surv_record *src = a, *dst = buf;
    size_t count[257];
    for (unsigned shift = 0; shift == 0 || (maxtime >> shift) > 0; shift += 8) {
        for (size_t b = 0; b < 257; b++)
            count[b] = 0;
        for (size_t i = 0; i < n; i++)
            count[(((unsigned)src[i].time >> shift) & 255u) + 1]++;
        for (size_t b = 1; b < 257; b++)
            count[b] += count[b - 1];
        for (size_t i = 0; i < n; i++)
            dst[count[((unsigned)src[i].time >> shift) & 255u]++] = src[i];
        itp_surv_record *t = src;
        src = dst;
        dst = t;
    }
    if (nstrata > 1) {   /* nstrata <= ITP_SURV_SORT_STRATA here */
        for (size_t b = 0; b <= nstrata; b++)
            count[b] = 0;
        for (size_t i = 0; i < n; i++)
            count[src[i].stratum + 1]++;
        for (size_t b = 1; b <= nstrata; b++)
            count[b] += count[b - 1];
        for (size_t i = 0; i < n; i++)
            dst[count[src[i].stratum]++] = src[i];
        itp_surv_record *t = src;
        src = dst;
        dst = t;
    }
    if (src != a)
        memcpy(a, src, n * sizeof *a);
}


/* z = (O - E) / sqrt(V), its chi-square, the one-sided p-value P(Z <= z)
 * and the two-sided one; V = 0: z 0, p-values 1, not estimable. */
static void z_test(double o, double e, double v, double *z, double *chisq, double *p1,
                   double *p2, int *not_estimable)
{
    *not_estimable = !(v > 0.0);
    *z = v > 0.0 ? (o - e) / sqrt(v) : 0.0;
    *chisq = v > 0.0 ? (o - e) * (o - e) / v : 0.0;
    *p1 = v > 0.0 ? gsl_cdf_ugaussian_P(*z) : 1.0;
    *p2 = v > 0.0 ? gsl_cdf_chisq_Q(*chisq, 1.0) : 1.0;
}

/* Quicksort by time: median-of-three pivot, Hoare partition (balanced on
 * runs of equal times), the smaller side by recursion so the depth stays
 * below log2(n). */
static void sort_by_time(itp_surv_record *a, size_t n)
{
    while (n > 16) {
        size_t mid = n / 2, i = 0, j = n - 1;
        if (a[mid].time < a[0].time)
            swap_records(&a[mid], &a[0]);
        if (a[n - 1].time < a[0].time)
            swap_records(&a[n - 1], &a[0]);
        if (a[n - 1].time < a[mid].time)
            swap_records(&a[n - 1], &a[mid]);
        double pivot = a[mid].time;
        for (;;) {
            while (a[i].time < pivot)
                i++;
            while (a[j].time > pivot)
                j--;
            if (i >= j)
                break;
            swap_records(&a[i], &a[j]);
            i++;
            j--;
        }
        /* [0, j] <= pivot <= [j + 1, n) */
        size_t left = j + 1, right = n - left;
        if (left < right) {
            sort_by_time(a, left);
            a += left;
            n = right;
        } else {
            sort_by_time(a + left, right);
            n = left;
        }
    }
    insertion_by_time(a, n);
}

int itp_surv_tabulate(const itp_surv_data *d, int group_value, int use_strata,
                      itp_surv_workspace *w)
{
    itp_surv_table *tab;
    size_t i, m = 0, start, rows = 0;

    if (d == NULL || w == NULL)
        return ITP_EINPUT;
    if (group_value != ITP_SURV_ALL && group_value != 0 && group_value != 1)
        return ITP_EINPUT;
    if (d->n > w->nmax)
        return ITP_ERANGE;
    if (d->n > 0 && (d->time == NULL || d->event == NULL || d->group == NULL))
        return ITP_EINPUT;
    use_strata = use_strata && d->stratum != NULL;
    if (use_strata && (d->nstrata < 1 || d->nstrata > (size_t)INT_MAX))
        return ITP_EINPUT;

    tab = &w->tab;
    tab->nsubjects = 0;
    tab->nevents[0] = tab->nevents[1] = 0.0;
    tab->tmin = tab->tmax = (double)NAN;
    int whole = 1;          /* every time a whole number in [0, 65535] (not -0) */
    for (i = 0; i < d->n; i++) {
        int s = use_strata ? d->stratum[i] : 0;
        if (!isfinite(d->time[i]) || (d->event[i] != 0 && d->event[i] != 1)
            || (d->group[i] != 0 && d->group[i] != 1)
            || s < 0 || (use_strata && (size_t)s >= d->nstrata))
            return ITP_EINPUT;
        if (group_value != ITP_SURV_ALL && d->group[i] != group_value)
            continue;
        w->rec[m].time = d->time[i];
        whole = whole && d->time[i] >= 0.0 && d->time[i] <= 65535.0 && !signbit(d->time[i])
                && d->time[i] == (double)(unsigned)d->time[i];
        w->rec[m].event = d->event[i];
        w->rec[m].group = d->group[i];
        w->rec[m].stratum = s;
        if (m == 0 || d->time[i] < tab->tmin)
            tab->tmin = d->time[i];
        if (m == 0 || d->time[i] > tab->tmax)
            tab->tmax = d->time[i];
        tab->nevents[d->group[i]] += d->event[i];
        m++;
    }
    tab->nsubjects = m;
    if (m >= 32 && whole && (!use_strata || d->nstrata <= ITP_SURV_SORT_STRATA)) {
        radix_sort(w->rec, w->rec + w->nmax, m, (unsigned)tab->tmax,
                   use_strata ? d->nstrata : 1);
    } else if (m > 1 && use_strata) {
        /* Strata in place: count, then cycle each record to its stratum's
         * next free slot (an in-place counting sort; needs no buffer). */
        size_t next[ITP_SURV_SORT_STRATA + 1], end[ITP_SURV_SORT_STRATA];
        size_t ns = d->nstrata;
        if (ns <= ITP_SURV_SORT_STRATA) {
            for (size_t s = 0; s <= ns; s++)
                next[s] = 0;
            for (i = 0; i < m; i++)
                next[w->rec[i].stratum + 1]++;
            for (size_t s = 1; s <= ns; s++)
                next[s] += next[s - 1];
            for (size_t s = 0; s < ns; s++)
                end[s] = next[s + 1];
            for (size_t s = 0; s < ns; s++) {
                while (next[s] < end[s]) {
                    itp_surv_record *r = &w->rec[next[s]];
                    size_t t = (size_t)r->stratum;
                    if (t == s)
                        next[s]++;
                    else
                        swap_records(r, &w->rec[next[t]++]);
                }
            }
            for (size_t s = 0, b = 0; s < ns; b = end[s], s++)
                sort_by_time(w->rec + b, end[s] - b);
        } else {
            /* Many strata (not reachable from a scenario): strata by
             * insertion into blocks the slow way, then times. */
            for (i = 1; i < m; i++) {
                itp_surv_record x = w->rec[i];
                size_t j = i;
                while (j > 0 && w->rec[j - 1].stratum > x.stratum) {
                    w->rec[j] = w->rec[j - 1];
                    j--;
                }
                w->rec[j] = x;
            }
            for (size_t b = 0, e; b < m; b = e) {
                for (e = b; e < m && w->rec[e].stratum == w->rec[b].stratum; e++)
                    ;
                sort_by_time(w->rec + b, e - b);
            }
        }
    } else if (m > 1) {
        sort_by_time(w->rec, m);
    }

    /* One stratum block at a time: start from everyone in the stratum at
     * risk and remove each block of tied times after recording it. */
    for (start = 0; start < m;) {
        size_t end = start, j;
        double atrisk[2] = {0.0, 0.0};

        while (end < m && w->rec[end].stratum == w->rec[start].stratum)
            atrisk[w->rec[end++].group] += 1.0;
        for (i = start; i < end; i = j) {
            double ev[2] = {0.0, 0.0}, out[2] = {0.0, 0.0};
            for (j = i; j < end && w->rec[j].time == w->rec[i].time; j++) {
                ev[w->rec[j].group] += w->rec[j].event;
                out[w->rec[j].group] += 1.0;
            }
            if (ev[0] + ev[1] > 0.0) {
                tab->stratum[rows] = w->rec[i].stratum;
                tab->time[rows] = w->rec[i].time;
                tab->nrisk[0][rows] = atrisk[0];
                tab->nrisk[1][rows] = atrisk[1];
                tab->nevent[0][rows] = ev[0];
                tab->nevent[1][rows] = ev[1];
                rows++;
            }
            atrisk[0] -= out[0];
            atrisk[1] -= out[1];
        }
        start = end;
    }
    tab->nrows = rows;
    return ITP_OK;
}

int itp_surv_logrank(const itp_surv_data *d, itp_surv_workspace *w,
                     itp_logrank_result *res)
{
    int status;

    if (res == NULL)
        return ITP_EINPUT;
    status = itp_surv_tabulate(d, ITP_SURV_ALL, 1, w);
    if (status != ITP_OK)
        return status;
    itp_surv_logrank_table(&w->tab, res);
    return ITP_OK;
}

void itp_surv_logrank_table(const itp_surv_table *tab, itp_logrank_result *res)
{
    double o = 0.0, e = 0.0, v = 0.0;
    size_t r;

    for (r = 0; r < tab->nrows; r++) {
        double n1 = tab->nrisk[1][r], n = tab->nrisk[0][r] + n1;
        double d1 = tab->nevent[1][r], dd = tab->nevent[0][r] + d1;
        o += d1;
        e += dd * n1 / n;
        if (n > 1.0)
            v += dd * (n - dd) * n1 * (n - n1) / (n * n * (n - 1.0));
    }
    res->observed = o;
    res->expected = e;
    res->variance = v;
    z_test(o, e, v, &res->z, &res->chisq, &res->p_one_sided, &res->p_two_sided,
           &res->not_estimable);
}

/* The weighted sums of the log-rank test with the weights of G(rho,
 * gamma). Each term is the log-rank kernel's, in the same order, times w
 * (or w^2): with w = 1 the sums, and so z and the p-values, are the
 * log-rank's exactly. S runs over the table's rows, which hold every
 * event time of a stratum (censoring alone does not move the curve). */
int itp_surv_fh_table(const itp_surv_table *tab, double rho, double gamma,
                      itp_fh_result *res)
{
    double o = 0.0, e = 0.0, v = 0.0, s = 1.0;
    size_t r;

    if (tab == NULL || res == NULL || !(rho >= 0.0 && isfinite(rho))
        || !(gamma >= 0.0 && isfinite(gamma)))
        return ITP_EINPUT;
    for (r = 0; r < tab->nrows; r++) {
        double n1 = tab->nrisk[1][r], n = tab->nrisk[0][r] + n1;
        double d1 = tab->nevent[1][r], dd = tab->nevent[0][r] + d1;
        if (r == 0 || tab->stratum[r] != tab->stratum[r - 1])
            s = 1.0;                    /* a stratum's first event time */
        /* pow(x, 0) is 1 for every x, 0 included */
        double w = pow(s, rho) * pow(1.0 - s, gamma);
        o += w * d1;
        e += w * (dd * n1 / n);
        if (n > 1.0)
            v += w * w * (dd * (n - dd) * n1 * (n - n1) / (n * n * (n - 1.0)));
        s *= (n - dd) / n;
    }
    res->rho = rho;
    res->gamma = gamma;
    res->observed = o;
    res->expected = e;
    res->variance = v;
    z_test(o, e, v, &res->z, &res->chisq, &res->p_one_sided, &res->p_two_sided,
           &res->not_estimable);
    return ITP_OK;
}

int itp_surv_fh(const itp_surv_data *d, double rho, double gamma, itp_surv_workspace *w,
                itp_fh_result *res)
{
    int status;

    if (res == NULL || !(rho >= 0.0 && isfinite(rho)) || !(gamma >= 0.0 && isfinite(gamma)))
        return ITP_EINPUT;
    status = itp_surv_tabulate(d, ITP_SURV_ALL, 1, w);
    if (status != ITP_OK)
        return status;
    return itp_surv_fh_table(&w->tab, rho, gamma, res);
}
