/* Multiple testing procedures: Bonferroni, Holm, Hochberg, fixed sequence and
 * the graphical approach.
 *
 * Sources:
 *   Holm S. A simple sequentially rejective multiple test procedure. Scand J
 *     Stat 1979;6:65-70 (weighted version in sec. 4).
 *   Hochberg Y. A sharper Bonferroni procedure for multiple tests of
 *     significance. Biometrika 1988;75:800-802.
 *   Maurer W, Hothorn LA, Lehmacher W. Multiple comparisons in drug clinical
 *     trials and preclinical assays: a-priori ordered hypotheses. In: Vollmar
 *     J (ed.), Biometrie in der chemisch-pharmazeutischen Industrie 6, 1995.
 *   Bretz F, Maurer W, Brannath W, Posch M. A graphical approach to
 *     sequentially rejective multiple test procedures. Stat Med
 *     2009;28:586-604: Algorithm 1 (rejections) and the adjusted p-values of
 *     their sec. 3.3 / Algorithm 2.
 *   Bretz F, Posch M, Glimm E, Klinglmueller F, Maurer W, Rohmeyer K.
 *     Graphical approaches for multiple comparison procedures using weighted
 *     Bonferroni, Simes, or parametric tests. Biom J 2011;53:894-913.
 *
 * Graph update when H_j is rejected (Bretz et al. 2009, Algorithm 1), for
 * l, k still in the graph, l != k:
 *   w_l  <- w_l + w_j G_jl
 *   G_lk <- (G_lk + G_lj G_jk) / (1 - G_lj G_jl)  if G_lj G_jl < 1, else 0.
 * The update of G_lk reads only G_lk, row j and column j, which it does not
 * change, so it is done in place.
 *
 * Adjusted p-values of the graphical approach (Bretz et al. 2011, sec. 2.1):
 * starting from the full graph, repeatedly take the H_j with the smallest
 * p_j / w_j, set adj_j = max(min(p_j / w_j, 1), previous adj), and remove
 * H_j with the update above; p_j / w_j is +Inf when w_j = 0.
 */
#include "itpsim/multiplicity.h"

#include <math.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Slack for sums of weights typed as decimals (1/3 as 0.3333333333). */
#define ITP_MULT_SUM_TOL 1e-9

itp_status itp_mult_workspace_create(itp_mult_workspace **out, size_t m)
{
    itp_mult_workspace *ws = NULL;

    if (out == NULL || m == 0)
        return ITP_EINPUT;
    *out = NULL;
    if (m > SIZE_MAX / m / sizeof(double))
        return ITP_ERANGE;
    ws = calloc(1, sizeof *ws);
    if (ws == NULL)
        goto on_error;
    ws->m = m;
    ws->w = malloc(m * sizeof *ws->w);
    ws->g = malloc(m * m * sizeof *ws->g);
    ws->idx = malloc(m * sizeof *ws->idx);
    ws->active = malloc(m * sizeof *ws->active);
    if (ws->w == NULL || ws->g == NULL || ws->idx == NULL
        || ws->active == NULL)
        goto on_error;
    *out = ws;
    return ITP_OK;

on_error:
    itp_mult_workspace_free(ws);
    return ITP_ENOMEM;
}

void itp_mult_workspace_free(itp_mult_workspace *ws)
{
    if (ws == NULL)
        return;
    free(ws->w);
    free(ws->g);
    free(ws->idx);
    free(ws->active);
    free(ws);
}

/* snprintf into msg when there is one; a too-short buffer truncates. */
static itp_status fail(char *msg, size_t msg_size, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

static itp_status fail(char *msg, size_t msg_size, const char *fmt, ...)
{
    if (msg != NULL && msg_size > 0) {
        va_list ap;
        va_start(ap, fmt);
        vsnprintf(msg, msg_size, fmt, ap);
        va_end(ap);
    }
    return ITP_EINPUT;
}

itp_status itp_mult_validate(const itp_mult_design *d, unsigned int uses,
                             char *msg, size_t msg_size)
{
    size_t i, j, m;

    if (msg != NULL && msg_size > 0)
        msg[0] = '\0';
    if (d == NULL)
        return fail(msg, msg_size, "no multiplicity design given");
    m = d->m;
    if (m == 0)
        return fail(msg, msg_size, "no hypotheses: need at least 1");
    if ((uses & ITP_MULT_USES_WEIGHTS) && d->weights != NULL) {
        double sum = 0.0;
        for (i = 0; i < m; i++) {
            double w = d->weights[i];
            if (!(w >= 0.0 && w <= 1.0))
                return fail(msg, msg_size,
                            "weight %zu is %g; expected a number in [0, 1]",
                            i + 1, w);
            sum += w;
        }
        if (sum > 1.0 + ITP_MULT_SUM_TOL)
            return fail(msg, msg_size,
                        "weights sum to %.10g; expected at most 1", sum);
    }
    if (uses & ITP_MULT_USES_TRANSITION) {
        if (d->transition == NULL)
            return fail(msg, msg_size,
                        "no transition matrix given; the graphical "
                        "procedure needs one (%zu x %zu)", m, m);
        for (i = 0; i < m; i++) {
            double sum = 0.0;
            for (j = 0; j < m; j++) {
                double g = d->transition[i * m + j];
                if (!(g >= 0.0 && g <= 1.0))
                    return fail(msg, msg_size,
                                "transition entry (%zu, %zu) is %g; "
                                "expected a number in [0, 1]",
                                i + 1, j + 1, g);
                if (i == j && g != 0.0)
                    return fail(msg, msg_size,
                                "transition entry (%zu, %zu) is %g; "
                                "diagonal entries must be 0", i + 1, j + 1, g);
                sum += g;
            }
            if (sum > 1.0 + ITP_MULT_SUM_TOL)
                return fail(msg, msg_size,
                            "transition row %zu sums to %.10g; each row "
                            "must sum to at most 1", i + 1, sum);
        }
    }
    if ((uses & ITP_MULT_USES_ORDER) && d->order != NULL) {
        for (i = 0; i < m; i++) {
            if (d->order[i] >= m)
                return fail(msg, msg_size,
                            "testing order entry %zu is hypothesis %zu; "
                            "expected 1..%zu", i + 1, d->order[i] + 1, m);
            for (j = 0; j < i; j++)
                if (d->order[j] == d->order[i])
                    return fail(msg, msg_size,
                                "testing order lists hypothesis %zu twice "
                                "(entries %zu and %zu)", d->order[i] + 1,
                                j + 1, i + 1);
        }
    }
    return ITP_OK;
}

/* Checks shared by every procedure. */
static itp_status check_call(const itp_mult_design *d, unsigned int uses,
                             const double *p, double alpha,
                             const itp_mult_workspace *ws, const int *rejected,
                             const double *adj)
{
    size_t i;
    itp_status st = itp_mult_validate(d, uses, NULL, 0);

    if (st != ITP_OK)
        return st;
    if (p == NULL || ws == NULL || rejected == NULL || adj == NULL
        || ws->m < d->m || !(alpha > 0.0 && alpha < 1.0))
        return ITP_EINPUT;
    for (i = 0; i < d->m; i++)
        if (!(p[i] >= 0.0 && p[i] <= 1.0))
            return ITP_EINPUT;
    return ITP_OK;
}

static double weight(const itp_mult_design *d, size_t i)
{
    return d->weights != NULL ? d->weights[i] : 1.0 / (double)d->m;
}

/* p / w, +Inf for w = 0: the level-free rank of a hypothesis. */
static double ratio(double p, double w)
{
    return w > 0.0 ? p / w : (double)INFINITY;
}

/* Sorts idx[0..n-1] = 0..n-1 by key[] increasing, ties by index. Insertion
 * sort: m is a handful of doses by endpoints, and qsort cannot take key. */
static void sort_by_key(size_t n, const double *key, size_t *idx)
{
    size_t i, j;

    for (i = 0; i < n; i++) {
        size_t v = idx[i] = i;
        for (j = i; j > 0 && key[idx[j - 1]] > key[v]; j--)
            idx[j] = idx[j - 1];
        idx[j] = v;
    }
}

static void reject_by_level(size_t m, const double *adj, double alpha,
                            int *rejected)
{
    size_t i;
    for (i = 0; i < m; i++)
        rejected[i] = adj[i] <= alpha;
}

/* ---- Bonferroni -------------------------------------------------------- */

itp_status itp_mult_bonferroni(const itp_mult_design *d, const double *p,
                               double alpha, itp_mult_workspace *ws,
                               int *rejected, double *adj)
{
    size_t i;
    itp_status st = check_call(d, ITP_MULT_USES_WEIGHTS, p, alpha, ws,
                               rejected, adj);

    if (st != ITP_OK)
        return st;
    for (i = 0; i < d->m; i++) {
        /* m p rather than p / (1/m): the same as R's p.adjust to the bit */
        double a = d->weights == NULL ? (double)d->m * p[i]
                                      : ratio(p[i], d->weights[i]);
        adj[i] = fmin(a, 1.0);
    }
    reject_by_level(d->m, adj, alpha, rejected);
    return ITP_OK;
}

/* ---- Holm -------------------------------------------------------------- */

itp_status itp_mult_holm(const itp_mult_design *d, const double *p,
                         double alpha, itp_mult_workspace *ws,
                         int *rejected, double *adj)
{
    size_t i, m;
    double running = 0.0;
    double *left;   /* [m] weight not yet rejected before step i */
    itp_status st = check_call(d, ITP_MULT_USES_WEIGHTS, p, alpha, ws,
                               rejected, adj);

    if (st != ITP_OK)
        return st;
    m = d->m;
    for (i = 0; i < m; i++)
        ws->w[i] = ratio(p[i], weight(d, i));
    sort_by_key(m, ws->w, ws->idx);
    /* Suffix sums rather than total minus what is gone: no cancellation
     * when the last weights are small. ws->g has room for m doubles. */
    left = ws->g;
    left[m - 1] = weight(d, ws->idx[m - 1]);
    for (i = m - 1; i-- > 0;)
        left[i] = left[i + 1] + weight(d, ws->idx[i]);
    for (i = 0; i < m; i++) {
        size_t h = ws->idx[i];
        double w = weight(d, h), a;
        if (d->weights == NULL)
            a = (double)(m - i) * p[h];     /* as R's p.adjust, bit for bit */
        else if (w > 0.0)
            a = p[h] * left[i] / (left[0] * w);
        else
            a = 1.0;
        running = fmax(running, fmin(a, 1.0));
        adj[h] = running;
    }
    reject_by_level(m, adj, alpha, rejected);
    return ITP_OK;
}

/* ---- Hochberg ---------------------------------------------------------- */

itp_status itp_mult_hochberg(const itp_mult_design *d, const double *p,
                             double alpha, itp_mult_workspace *ws,
                             int *rejected, double *adj)
{
    size_t i, m;
    double running = 1.0;
    itp_status st = check_call(d, 0, p, alpha, ws, rejected, adj);

    if (st != ITP_OK)
        return st;
    m = d->m;
    sort_by_key(m, p, ws->idx);
    /* Step up: from the largest p-value down, adj = running minimum of
     * (m - i) p_(i) with i the 0-based rank. */
    for (i = m; i-- > 0;) {
        size_t h = ws->idx[i];
        running = fmin(running, (double)(m - i) * p[h]);
        adj[h] = running;
    }
    reject_by_level(m, adj, alpha, rejected);
    return ITP_OK;
}

/* ---- fixed sequence ---------------------------------------------------- */

itp_status itp_mult_fixed_sequence(const itp_mult_design *d, const double *p,
                                   double alpha, itp_mult_workspace *ws,
                                   int *rejected, double *adj)
{
    size_t i;
    double running = 0.0;
    itp_status st = check_call(d, ITP_MULT_USES_ORDER, p, alpha, ws,
                               rejected, adj);

    if (st != ITP_OK)
        return st;
    for (i = 0; i < d->m; i++) {
        size_t h = d->order != NULL ? d->order[i] : i;
        running = fmax(running, p[h]);
        adj[h] = running;
    }
    reject_by_level(d->m, adj, alpha, rejected);
    return ITP_OK;
}

/* ---- graphical --------------------------------------------------------- */

static void graph_init(const itp_mult_design *d, itp_mult_workspace *ws)
{
    size_t i, m = d->m;

    for (i = 0; i < m; i++) {
        ws->w[i] = weight(d, i);
        ws->active[i] = 1;
    }
    memcpy(ws->g, d->transition, m * m * sizeof *ws->g);
}

/* Removes H_j from the graph (Bretz et al. 2009, Algorithm 1, step 2). */
static void graph_remove(size_t m, size_t j, itp_mult_workspace *ws)
{
    double *g = ws->g, *w = ws->w;
    size_t l, k;

    ws->active[j] = 0;
    /* fmin: rounding can carry a weight a few ulps past 1, which would make
     * an adjusted p-value smaller than the raw one */
    for (l = 0; l < m; l++)
        if (ws->active[l])
            w[l] = fmin(w[l] + w[j] * g[j * m + l], 1.0);
    for (l = 0; l < m; l++) {
        if (!ws->active[l])
            continue;
        for (k = 0; k < m; k++) {
            double den;
            if (!ws->active[k] || k == l)
                continue;
            den = 1.0 - g[l * m + j] * g[j * m + l];
            g[l * m + k] = den > 0.0
                ? (g[l * m + k] + g[l * m + j] * g[j * m + k]) / den : 0.0;
        }
    }
    w[j] = 0.0;
    for (k = 0; k < m; k++) {
        g[j * m + k] = 0.0;
        g[k * m + j] = 0.0;
    }
}

itp_status itp_mult_graphical(const itp_mult_design *d, const double *p,
                              double alpha, itp_mult_workspace *ws,
                              int *rejected, double *adj)
{
    size_t i, step, m;
    double running = 0.0;
    itp_status st = check_call(d, ITP_MULT_USES_WEIGHTS
                               | ITP_MULT_USES_TRANSITION, p, alpha, ws,
                               rejected, adj);

    if (st != ITP_OK)
        return st;
    m = d->m;

    /* Algorithm 1: reject any H_j with p_j <= alpha w_j until none is left;
     * the final set does not depend on which one is taken first (Bretz et
     * al. 2009, Theorem 1); we take the lowest index. */
    graph_init(d, ws);
    for (i = 0; i < m; i++)
        rejected[i] = 0;
    for (;;) {
        size_t j = m;
        for (i = 0; i < m; i++) {
            /* w > 0: a hypothesis without weight is never rejected, even
             * with p = 0 (a p-value that underflowed), which keeps the
             * rejections equal to {adj <= alpha} */
            if (ws->active[i] && ws->w[i] > 0.0
                && p[i] <= alpha * ws->w[i]) {
                j = i;
                break;
            }
        }
        if (j == m)
            break;
        rejected[j] = 1;
        graph_remove(m, j, ws);
    }

    /* Adjusted p-values: remove hypotheses in order of p_j / w_j. */
    graph_init(d, ws);
    for (step = 0; step < m; step++) {
        size_t j = m;
        double best = 0.0;
        for (i = 0; i < m; i++) {
            double r;
            if (!ws->active[i])
                continue;
            r = ratio(p[i], ws->w[i]);
            if (j == m || r < best) {
                j = i;
                best = r;
            }
        }
        running = fmax(running, fmin(best, 1.0));
        adj[j] = running;
        graph_remove(m, j, ws);
    }
    return ITP_OK;
}

/* ---- by name ----------------------------------------------------------- */

const itp_mult_procedure itp_mult_procedures[] = {
    {"bonferroni", itp_mult_bonferroni, ITP_MULT_USES_WEIGHTS,
     "weighted Bonferroni: H_i at alpha w_i"},
    {"holm", itp_mult_holm, ITP_MULT_USES_WEIGHTS,
     "weighted Holm step-down"},
    {"hochberg", itp_mult_hochberg, 0,
     "Hochberg step-up (unweighted; needs positive dependence)"},
    {"fixed_sequence", itp_mult_fixed_sequence, ITP_MULT_USES_ORDER,
     "fixed sequence: each at full alpha in the given order, stop at the "
     "first non-rejection"},
    {"graphical", itp_mult_graphical,
     ITP_MULT_USES_WEIGHTS | ITP_MULT_USES_TRANSITION,
     "graphical approach of Bretz et al. (2009): weights and transition "
     "matrix"},
    {NULL, NULL, 0, NULL}
};

const itp_mult_procedure *itp_mult_lookup(const char *name)
{
    const itp_mult_procedure *t;

    if (name == NULL)
        return NULL;
    for (t = itp_mult_procedures; t->name != NULL; t++)
        if (strcmp(t->name, name) == 0)
            return t;
    return NULL;
}
