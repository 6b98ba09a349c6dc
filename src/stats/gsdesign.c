/* Group-sequential boundaries by Lan-DeMets alpha spending, crossing
 * probabilities and conditional power.
 *
 * Spending functions (one-sided level alpha, information fraction t):
 *   O'Brien-Fleming type  alpha(t) = 2 - 2 Phi(Phi^-1(1 - alpha/2) / sqrt(t)),
 *     Lan & DeMets, Biometrika 1983;70:659-663;
 *   Pocock type           alpha(t) = alpha ln(1 + (e - 1) t), same paper;
 *   Hwang-Shih-DeCani     alpha(t) = alpha (1 - exp(-gamma t)) / (1 - exp(-gamma)),
 *     alpha t for gamma = 0; Hwang, Shih & DeCani, Stat Med 1990;9:1439-1445;
 *   Kim-DeMets power      alpha(t) = alpha t^rho, Kim & DeMets, Biometrika
 *     1987;74:149-154;
 *   user-defined          linear interpolation of the given cumulative
 *     fractions of alpha, 0 at t = 0.
 * These are rpact's asOF, asP, asHSD (gammaA = gamma), asKD (gammaA = rho)
 * and asUser of a one-sided design (sided = 1), checked against rpact 3.3.4
 * in tests/reference/gs_reference.R.
 *
 * The recursion. On the score scale S_i = Z_i sqrt(t_i), a Brownian motion
 * with drift theta observed at t_1 < ... < t_k (Jennison & Turnbull, Group
 * Sequential Methods with Applications to Clinical Trials, Chapman &
 * Hall/CRC 2000, sec. 3.1 and 19.2), the sub-density f_i of S_i on the paths
 * not stopped before stage i is that of Armitage, McPherson & Rowe (J R Stat
 * Soc A 1969;132:235-244):
 *   f_1(s) = phi((s - theta t_1) / sqrt(t_1)) / sqrt(t_1),
 *   f_i(s) = int_{a'_{i-1}}^{b'_{i-1}} f_{i-1}(u) phi((s - u - theta D) / sqrt(D)) / sqrt(D) du,
 * with D = t_i - t_{i-1} and the bounds on this scale a' = a sqrt(t),
 * b' = b sqrt(t). The probabilities of first crossing at stage i >= 2 are
 *   P(up)   = int f_{i-1}(u) Q((b'_i - u - theta D) / sqrt(D)) du,
 *   P(down) = int f_{i-1}(u) Phi((a'_i - u - theta D) / sqrt(D)) du,
 * Q = 1 - Phi (gsl_cdf_ugaussian_Q, accurate in the far tail); stage 1 is
 * exact. Bound b_1 = Q^-1(alpha(t_1)); each later bound is the root in b of
 * P_0(up) = alpha(t_i) - alpha(t_{i-1}), by Brent's method
 * (gsl_root_fsolver_brent) to 1e-12 in b, bracketed by
 *   Q^-1(alpha(t_i)) <= b_i <= Q^-1(alpha(t_i) - alpha(t_{i-1}))
 * (crossing at stage i is no likelier than S_i >= b', and no less likely
 * than that less the chance of having stopped before), the bracket widened
 * when rounding puts the root just outside it.
 *
 * The quadrature. Jennison & Turnbull's grid (2000, sec. 19.2.1: Simpson's
 * rule on about 12 r points per stage centred on the drift) was tried
 * first: its error is that of Simpson's rule at the truncation b', O(h^4),
 * 7e-8 on the bounds at r = 32 (1e-6 at their r = 16), and 5 stages took
 * 4.6 ms. Used instead: each stage's region (a'_i, b'_i), cut to the mean
 * +-9 SD of S_i (the normal tail beyond holds less than 2e-19), carries a
 * uniform lattice of spacing h = min(sqrt(t_1), sqrt(t_i - t_{i-1}) for
 * i < k) / GS_RES, anchored at the bound b'_i (when both a'_i and b'_i
 * are finite, the spacing is the largest below h that fits between them).
 * The rule is the trapezoidal rule, whose error for these smooth
 * integrands decays like exp(-2 pi^2 (SD / h)^2) away from the ends, with
 * Gregory's end correction of 7 differences at a true bound (order h^9;
 * weights below, all positive; see Fornberg, SIAM Rev 2021;63:167-180) and
 * the plain trapezoid at a tail cut. Two lattices with the same spacing
 * make the kernel phi((s_j - u_i - theta D) / sqrt(D)) a function of j - i:
 * one table of about 2m exponentials per stage instead of m^2. Kernel terms
 * beyond 9 SD of D (below 3e-18 of the peak) are left out.
 *
 * Accuracy, measured against the same code with GS_RES = 32 on the 108
 * designs and 216 probability cases of tests/reference/gs_reference.R
 * (k = 2, 3, 5, t from 0.15): bounds within 2.7e-9, probabilities within
 * 1.6e-9 (GS_RES = 8: 1.9e-8; 12: 5e-10). The narrowest kernel sets h, so
 * close analyses cost more nodes, and a stage has at most GS_NMAX: beyond
 * that (consecutive fractions closer than about 0.005) h is coarser and
 * the error grows: t = (0.5, 0.505, 1) 1e-8, t = (0.5, 0.501, 1) 3e-6 on
 * the bounds. Time for 5 stages 0.2-0.3 ms, 2 stages 40 us, two thirds of
 * it GSL's Q in the root's iterations. */
#include "itpsim/gsdesign.h"

#include <math.h>
#include <stddef.h>

#include <gsl/gsl_cdf.h>
#include <gsl/gsl_errno.h>
#include <gsl/gsl_math.h>
#include <gsl/gsl_randist.h>
#include <gsl/gsl_roots.h>

/* Lattice points per SD of the narrowest density or kernel (may be set at
 * compile time to measure the accuracy against a finer lattice). */
#ifndef GS_RES
#define GS_RES 10.0
#endif
/* Nodes per stage at most; h is made coarser when a stage would need more
 * (information fractions closer than about 0.01). */
#ifndef GS_NMAX
#define GS_NMAX 1024
#endif
/* Tail cut of the lattice and of the kernel, in SDs. */
#define GS_TAIL 9.0
/* Gregory's end correction: GS_GREG nodes at each true bound; a lattice has
 * at least 2 GS_GREG intervals. */
#define GS_GREG 8
/* Brent's method: bound found to this absolute accuracy, at most this many
 * iterations. */
#define GS_ROOT_TOL 1e-12
#define GS_ROOT_ITER 200

/* One stage's lattice: node j at s0 + j ds on the score scale, j < m, and
 * wh[j] its quadrature weight times the sub-density f_i there. m = 0: the
 * region is empty (or beyond the tail cut). */
typedef struct gs_grid {
    int m;
    double s0, ds;
    double wh[GS_NMAX];
} gs_grid;

/* Gregory's weights for the GS_GREG nodes nearest an end, the end first
 * (multiples of the spacing; interior nodes weigh 1): the trapezoid's 1/2,
 * 1, 1, ... less sum_{n=1}^{6} c_n times the backward difference of order
 * n at the end, nabla^n f_N = sum_i (-1)^i C(n, i) f_{N-i}, with Gregory's
 * coefficients c_n = 1/12, 1/24, 19/720, 3/160, 863/60480, 275/24192. */
static void gregory_weights(double *w)
{
    static const double c[GS_GREG - 1] = {
        1.0 / 12.0, 1.0 / 24.0, 19.0 / 720.0, 3.0 / 160.0, 863.0 / 60480.0, 275.0 / 24192.0,
        33953.0 / 3628800.0
    };
    w[0] = 0.5;
    for (int i = 1; i < GS_GREG; i++)
        w[i] = 1.0;
    for (int n = 1; n < GS_GREG; n++) {
        double binom = 1.0; /* C(n, i) */
        for (int i = 0; i <= n; i++) {
            w[i] -= c[n - 1] * (i % 2 ? -binom : binom);
            binom = binom * (n - i) / (i + 1);
        }
    }
}

/* The lattice of stage i with mean mu and SD sd of S_i on the region
 * (lo, hi) (score scale; infinite for none), spacing at most h; weights in
 * g->wh (the caller multiplies in the density). */
static void grid_make(const double *greg, double mu, double sd, double lo, double hi, double h,
                      gs_grid *g)
{
    const double cut_lo = mu - GS_TAIL * sd, cut_hi = mu + GS_TAIL * sd;
    const int hard_lo = lo > cut_lo, hard_hi = hi < cut_hi;
    const double x0 = hard_lo ? lo : cut_lo, x1 = hard_hi ? hi : cut_hi;
    double n;

    g->m = 0;
    g->s0 = x0;   /* set for an empty region too: nothing reads past m, */
    g->ds = h;    /* but the node range is computed from them */
    if (!(x0 < x1))
        return;
    n = ceil((x1 - x0) / h - 1e-9);
    if (n < 2 * GS_GREG || n > GS_NMAX - 1 || (hard_lo && hard_hi)) {
        /* both ends fixed, or too few or too many intervals: fit the lattice
         * to [x0, x1] */
        n = fmax(2 * GS_GREG, fmin(n, GS_NMAX - 1));
        g->ds = (x1 - x0) / n;
        g->s0 = x0;
    } else {
        /* the lattice anchored at the true bound, its other end past the
         * tail cut */
        g->ds = h;
        g->s0 = hard_hi ? x1 - n * h : x0;
    }
    g->m = (int)n + 1;
    for (int j = 0; j < g->m; j++)
        g->wh[j] = g->ds;
    if (hard_lo) {
        for (int j = 0; j < GS_GREG; j++)
            g->wh[j] = greg[j] * g->ds;
    } else {
        g->wh[0] = 0.5 * g->ds;
    }
    if (hard_hi) {
        for (int j = 0; j < GS_GREG; j++)
            g->wh[g->m - 1 - j] = greg[j] * g->ds;
    } else {
        g->wh[g->m - 1] = 0.5 * g->ds;
    }
}

/* Stage 1's lattice and density, S_1 ~ N(theta t_1, t_1). */
static void grid_first(const double *greg, double t1, double theta, double lo, double hi,
                       double h, gs_grid *g)
{
    const double sd = sqrt(t1), mu = theta * t1;
    grid_make(greg, mu, sd, lo, hi, h, g);
    for (int j = 0; j < g->m; j++)
        g->wh[j] *= gsl_ran_ugaussian_pdf((g->s0 + j * g->ds - mu) / sd) / sd;
}

/* Nodes i of src with lo <= s0 + i ds < hi: [*i0, *i1). */
static void node_range(const gs_grid *src, double lo, double hi, int *i0, int *i1)
{
    if (src->m <= 0) {   /* an empty region: its origin and step are not set */
        *i0 = *i1 = 0;
        return;
    }
    double a = ceil((lo - src->s0) / src->ds), b = ceil((hi - src->s0) / src->ds);
    *i0 = (int)fmax(0.0, fmin(a, src->m));
    *i1 = (int)fmax(0.0, fmin(b, src->m));
}

/* Stage i's lattice on (lo, hi) and its sub-density from stage i-1's (src)
 * by the recursion, D = t1 - t0, drift theta. */
static void grid_next(const double *greg, const gs_grid *src, double t0, double t1,
                      double theta, double lo, double hi, double h, gs_grid *dst)
{
    const double dt = t1 - t0, sd = sqrt(dt), shift = theta * dt, band = GS_TAIL * sd;

    grid_make(greg, theta * t1, sqrt(t1), lo, hi, h, dst);
    if (src->m == 0) {
        dst->m = 0;
        return;
    }
    if (dst->ds == src->ds) {
        /* s_j - u_i - shift = c + (j - i) ds: the kernel by j - i, d in
         * [dlo, dhi] within the band */
        const double ds = src->ds, c = dst->s0 - src->s0 - shift;
        const int dmin = -(src->m - 1);
        double kern[2 * GS_NMAX];
        const int dlo = (int)fmax(dmin, fmin(dst->m, ceil((-band - c) / ds)));
        const int dhi = (int)fmax(dmin - 1, fmin(dst->m - 1, floor((band - c) / ds)));
        for (int d = dlo; d <= dhi; d++)
            kern[d - dmin] = gsl_ran_ugaussian_pdf((c + d * ds) / sd) / sd;
        for (int j = 0; j < dst->m; j++) {
            /* i = j - d for d in [dlo, dhi], 0 <= i < m */
            int i0 = (int)fmax(0, j - dhi), i1 = (int)fmin(src->m - 1, j - dlo);
            const double *kj = kern + (j - dmin);
            /* four partial sums: the additions need not wait on each other */
            double s0 = 0.0, s1 = 0.0, s2 = 0.0, s3 = 0.0;
            int i = i0;
            for (; i + 3 <= i1; i += 4) {
                s0 += src->wh[i] * kj[-i];
                s1 += src->wh[i + 1] * kj[-i - 1];
                s2 += src->wh[i + 2] * kj[-i - 2];
                s3 += src->wh[i + 3] * kj[-i - 3];
            }
            for (; i <= i1; i++)
                s0 += src->wh[i] * kj[-i];
            dst->wh[j] *= (s0 + s1) + (s2 + s3);
        }
    } else {
        for (int j = 0; j < dst->m; j++) {
            const double s = dst->s0 + j * dst->ds - shift;
            double sum = 0.0;
            int i0, i1;
            node_range(src, s - band, s + band, &i0, &i1);
            for (int i = i0; i < i1; i++)
                sum += src->wh[i] * gsl_ran_ugaussian_pdf((s - src->s0 - i * src->ds) / sd);
            dst->wh[j] *= sum / sd;
        }
    }
}

/* P(not stopped before stage i, S_i >= bs) from stage i-1's lattice. */
static double cross_up(const gs_grid *src, double t0, double t1, double theta, double bs)
{
    const double dt = t1 - t0, sd = sqrt(dt), c = bs - theta * dt;
    double sum = 0.0;
    int i0, i1;

    node_range(src, c - GS_TAIL * sd, HUGE_VAL, &i0, &i1);
    for (int i = i0; i < i1; i++)
        sum += src->wh[i] * gsl_cdf_ugaussian_Q((c - src->s0 - i * src->ds) / sd);
    return sum;
}

/* P(not stopped before stage i, S_i <= as): the lower crossing. */
static double cross_down(const gs_grid *src, double t0, double t1, double theta, double as)
{
    const double dt = t1 - t0, sd = sqrt(dt), c = as - theta * dt;
    double sum = 0.0;
    int i0, i1;

    node_range(src, -HUGE_VAL, c + GS_TAIL * sd, &i0, &i1);
    for (int i = i0; i < i1; i++)
        sum += src->wh[i] * gsl_cdf_ugaussian_P((c - src->s0 - i * src->ds) / sd);
    return sum;
}

/* The lattice spacing for k stages at t: GS_RES points per SD of the
 * narrowest of S_1 and the increments that feed a later stage, coarser if
 * the widest lattice (stage k-1, 18 SD) would not fit in GS_NMAX nodes. */
static double grid_spacing(int k, const double *t)
{
    double narrow = sqrt(t[0]), h;
    for (int i = 1; i < k; i++)
        narrow = fmin(narrow, sqrt(t[i] - t[i - 1]));
    h = narrow / GS_RES;
    if (k > 1)
        h = fmax(h, 2.0 * GS_TAIL * sqrt(t[k - 2]) / (GS_NMAX - 2 * GS_GREG));
    return h;
}

/* ---- spending functions ------------------------------------------------ */

itp_status itp_gs_spending_check(const itp_spending *s)
{
    if (s == NULL)
        return ITP_EINPUT;
    switch (s->kind) {
    case ITP_SPEND_OF:
    case ITP_SPEND_POCOCK:
        return ITP_OK;
    case ITP_SPEND_HSD:
        return isfinite(s->param) ? ITP_OK : ITP_EINPUT;
    case ITP_SPEND_KD:
        return isfinite(s->param) && s->param > 0.0 ? ITP_OK : ITP_EINPUT;
    case ITP_SPEND_USER:
        if (s->n_user < 1 || s->n_user > ITP_GS_MAX_STAGES)
            return ITP_EINPUT;
        for (int i = 0; i < s->n_user; i++) {
            double t = s->user_t[i], f = s->user_frac[i];
            double tprev = i > 0 ? s->user_t[i - 1] : 0.0;
            double fprev = i > 0 ? s->user_frac[i - 1] : 0.0;
            if (!(t > tprev && t <= 1.0) || !(f >= fprev && f <= 1.0 + 1e-12))
                return ITP_EINPUT;
        }
        if (!(fabs(s->user_frac[s->n_user - 1] - 1.0) <= 1e-12))
            return ITP_EINPUT;
        return ITP_OK;
    }
    return ITP_EINPUT;
}

/* The share of alpha spent by t in (0, 1) for a valid s. */
static double spend_fraction(const itp_spending *s, double alpha, double t)
{
    switch (s->kind) {
    case ITP_SPEND_OF:
        /* 2 Q(.) rather than 2 - 2 Phi(.): no cancellation for small t */
        return 2.0 * gsl_cdf_ugaussian_Q(gsl_cdf_ugaussian_Qinv(alpha / 2.0) / sqrt(t)) / alpha;
    case ITP_SPEND_POCOCK:
        return log1p(expm1(1.0) * t);
    case ITP_SPEND_HSD: {
        double g = s->param;
        if (g == 0.0)
            return t;
        if (g > 0.0)
            return expm1(-g * t) / expm1(-g);
        /* g < 0: (e^{|g| t} - 1) / (e^{|g|} - 1) without overflow */
        return exp(-g * (t - 1.0)) * expm1(g * t) / expm1(g);
    }
    case ITP_SPEND_KD:
        return pow(t, s->param);
    case ITP_SPEND_USER: {
        double t0 = 0.0, f0 = 0.0;
        for (int i = 0; i < s->n_user; i++) {
            double t1 = s->user_t[i], f1 = s->user_frac[i];
            if (t <= t1)
                return f0 + (f1 - f0) * (t - t0) / (t1 - t0);
            t0 = t1;
            f0 = f1;
        }
        return 1.0;
    }
    }
    return nan("");
}

double itp_gs_spend(const itp_spending *s, double alpha, double t)
{
    double f;

    if (itp_gs_spending_check(s) != ITP_OK || !(alpha > 0.0 && alpha < 0.5) || isnan(t))
        return nan("");
    if (t <= 0.0)
        return 0.0;
    if (t >= 1.0)
        return alpha;
    f = spend_fraction(s, alpha, t);
    if (f > 1.0) /* rounding in the last bit */
        f = 1.0;
    return alpha * f;
}

/* ---- bounds ---------------------------------------------------------------- */

static int check_t(int k, const double *t)
{
    if (t == NULL || k < 1 || k > ITP_GS_MAX_STAGES)
        return 0;
    for (int i = 0; i < k; i++)
        if (!(isfinite(t[i]) && t[i] > (i > 0 ? t[i - 1] : 0.0)))
            return 0;
    return 1;
}

/* The root's function and the bracket's two values, which
 * gsl_root_fsolver_set asks for again. */
typedef struct gs_root_args {
    const gs_grid *src;
    double t0, t1, inc;
    double memo_b[2], memo_f[2];
} gs_root_args;

static double root_fn(double b, void *p)
{
    const gs_root_args *a = p;
    for (int i = 0; i < 2; i++)
        if (b == a->memo_b[i])
            return a->memo_f[i];
    return cross_up(a->src, a->t0, a->t1, 0.0, b * sqrt(a->t1)) - a->inc;
}

/* Stage i's bound for the increment inc (cum the cumulative alpha after
 * it), given stage i-1's lattice under the null. */
static itp_status solve_bound(gsl_root_fsolver *solver, const gs_grid *src, double t0,
                              double t1, double inc, double cum, double *b)
{
    gs_root_args args = { src, t0, t1, inc, { nan(""), nan("") }, { 0.0, 0.0 } };
    gsl_function fn = { root_fn, &args };
    double lo = gsl_cdf_ugaussian_Qinv(cum), hi = gsl_cdf_ugaussian_Qinv(inc);
    double flo = root_fn(lo, &args), fhi = root_fn(hi, &args);
    double step = 1e-6;

    /* Rounding in the quadrature may put the root just outside the
     * bracket of the header comment: widen it, each step 4 times longer. */
    for (int n = 0; flo < 0.0; n++) {
        if (n == 40)
            return ITP_ENUMERIC;
        hi = lo;
        fhi = flo;
        lo -= step;
        step *= 4.0;
        flo = root_fn(lo, &args);
    }
    step = 1e-6;
    for (int n = 0; fhi > 0.0; n++) {
        if (n == 40)
            return ITP_ENUMERIC;
        lo = hi;
        flo = fhi;
        hi += step;
        step *= 4.0;
        fhi = root_fn(hi, &args);
    }
    if (flo == 0.0 || fhi == 0.0) {
        *b = flo == 0.0 ? lo : hi;
        return ITP_OK;
    }
    /* flo > 0 > fhi: the bracket straddles the root, as gsl_root_fsolver_set
     * requires (it calls the GSL error handler otherwise). */
    args.memo_b[0] = lo;
    args.memo_f[0] = flo;
    args.memo_b[1] = hi;
    args.memo_f[1] = fhi;
    gsl_root_fsolver_set(solver, &fn, lo, hi);
    for (int n = 0; n < GS_ROOT_ITER; n++) {
        if (gsl_root_fsolver_iterate(solver) != GSL_SUCCESS)
            return ITP_ENUMERIC;
        lo = gsl_root_fsolver_x_lower(solver);
        hi = gsl_root_fsolver_x_upper(solver);
        if (gsl_root_test_interval(lo, hi, GS_ROOT_TOL, 0.0) == GSL_SUCCESS) {
            *b = gsl_root_fsolver_root(solver);
            return ITP_OK;
        }
    }
    return ITP_ENUMERIC;
}

itp_status itp_gs_bounds(const itp_spending *s, double alpha, int k, const double *t,
                         int final_spends_all, double *b)
{
    double greg[GS_GREG], out[ITP_GS_MAX_STAGES], h;
    gs_grid grid[2];
    gsl_root_fsolver *solver;
    double cum_prev = 0.0;
    itp_status st = ITP_OK;
    int cur = 0;

    if (b == NULL || !check_t(k, t) || itp_gs_spending_check(s) != ITP_OK
        || !(alpha > 0.0 && alpha < 0.5))
        return ITP_EINPUT;
    solver = gsl_root_fsolver_alloc(gsl_root_fsolver_brent);
    if (solver == NULL)
        return ITP_ENOMEM;
    gregory_weights(greg);
    h = grid_spacing(k, t);
    for (int i = 0; i < k; i++) {
        double cum = (i == k - 1 && final_spends_all)
                         ? alpha : itp_gs_spend(s, alpha, fmin(t[i], 1.0));
        double inc = cum - cum_prev;

        if (inc < ITP_GS_MIN_INCREMENT)
            out[i] = HUGE_VAL;
        else if (i == 0)
            out[i] = gsl_cdf_ugaussian_Qinv(inc);
        else
            st = solve_bound(solver, &grid[cur], t[i - 1], t[i], inc, cum, &out[i]);
        if (cum > cum_prev)
            cum_prev = cum;
        if (st != ITP_OK || i == k - 1)
            break;
        /* stage i's sub-density on its continuation region (-inf, b_i) */
        if (i == 0) {
            grid_first(greg, t[0], 0.0, -HUGE_VAL, out[0] * sqrt(t[0]), h, &grid[cur]);
        } else {
            grid_next(greg, &grid[cur], t[i - 1], t[i], 0.0, -HUGE_VAL, out[i] * sqrt(t[i]), h,
                      &grid[1 - cur]);
            cur = 1 - cur;
        }
    }
    gsl_root_fsolver_free(solver);
    if (st != ITP_OK)
        return st;
    for (int i = 0; i < k; i++)
        b[i] = out[i];
    return ITP_OK;
}

/* ---- crossing probabilities and conditional power ------------------------- */

itp_status itp_gs_probs(int k, const double *t, const double *a, const double *b,
                        double theta, double *p_eff, double *p_fut)
{
    double greg[GS_GREG], h;
    gs_grid grid[2];
    int cur = 0;

    if (b == NULL || p_eff == NULL || !check_t(k, t) || !isfinite(theta))
        return ITP_EINPUT;
    for (int i = 0; i < k; i++) {
        double lo = a != NULL ? a[i] : -HUGE_VAL;
        if (isnan(b[i]) || isnan(lo) || b[i] == -HUGE_VAL || lo == HUGE_VAL || lo > b[i])
            return ITP_EINPUT;
    }
    gregory_weights(greg);
    h = grid_spacing(k, t);
    for (int i = 0; i < k; i++) {
        const double rt = sqrt(t[i]);
        const double lo = a != NULL ? a[i] : -HUGE_VAL, hi = b[i];
        double pe = 0.0, pf = 0.0;

        if (i == 0) {
            const double mu = theta * rt;
            if (hi != HUGE_VAL)
                pe = gsl_cdf_ugaussian_Q(hi - mu);
            if (lo != -HUGE_VAL)
                pf = gsl_cdf_ugaussian_P(lo - mu);
            if (k > 1)
                grid_first(greg, t[0], theta, lo * rt, hi * rt, h, &grid[cur]);
        } else {
            if (hi != HUGE_VAL)
                pe = cross_up(&grid[cur], t[i - 1], t[i], theta, hi * rt);
            if (lo != -HUGE_VAL)
                pf = cross_down(&grid[cur], t[i - 1], t[i], theta, lo * rt);
            if (i < k - 1) {
                grid_next(greg, &grid[cur], t[i - 1], t[i], theta, lo * rt, hi * rt, h,
                          &grid[1 - cur]);
                cur = 1 - cur;
            }
        }
        p_eff[i] = pe;
        if (p_fut != NULL)
            p_fut[i] = pf;
    }
    return ITP_OK;
}

double itp_gs_conditional_power(double z, double t, double b_final, double theta)
{
    if (isnan(z) || isnan(t) || isnan(b_final) || isnan(theta) || t < 0.0)
        return nan("");
    if (t >= 1.0)
        return z >= b_final ? 1.0 : 0.0;
    if (b_final == HUGE_VAL)
        return 0.0;
    return gsl_cdf_ugaussian_Q((b_final - z * sqrt(t) - theta * (1.0 - t)) / sqrt(1.0 - t));
}
