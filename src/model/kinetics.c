/* The platelet model's kinetics (see platelet.c for the model around them):
 * the right-hand side of the ODE, a Runge-Kutta day (the reference) and the
 * exact day step.
 *
 * The day step (itp_kinetics_advance) is the exact solution over the day,
 * not a Runge-Kutta step. With R_inf = 1 in remission and 0 otherwise,
 * R(t) = R_inf + D0 e^{-krem t}, and with Cs = u / k, a component's
 * concentration C(t) = Cs + (C0 - Cs) e^{-k t} (the drive's itp_pk_term):
 * both in closed form. The production
 * input kin(R(t)) (1 + SLP C(t)) f_p is then a sum of four exponentials
 * a_m e^{-lam_m t}, lam = (0, k, krem, k + krem), and the transit chain is
 * linear with constant rates, so
 *   T_i(1) = sum_j e^-ktr ktr^(i-j)/(i-j)! T_j(0) + sum_m a_m G_i(lam_m),
 *   G_i(lam) = ktr^(i-1) e^-ktr phi_i(ktr - lam),
 * with phi_i(x) = sum_n x^n / (n + i)! the functions of exponential
 * integrators (Hochbruck and Ostermann, Acta Numerica 2010). Platelets
 * obey dP/dt = ktr T4 - (q + qD e^{-krem t}) P, q = f_d kdeg(R_inf),
 * qD = f_d (1/LSn - 1/LSa) D0. For qD = 0 (no remission transient) it is
 * exact too:
 *   P(1) = e^-q P0 + sum_j ktr^(5-j) e^-ktr phi_(5-j)(ktr - q) T_j(0)
 *          + sum_m a_m ktr^4 e^-ktr exp[ktr - lam_m, 0, 0, 0, 0, ktr - q],
 * exp[...] a divided difference of the exponential (the convolution of
 * the exponentials along the chain; McCurdy, Ng and Parlett, Math Comp
 * 1984). During a transient the variation-of-constants formula adds
 *   (e^{-qD g0} - 1) e^-q P0
 *   + int_0^1 e^{-q (1-s)} (e^{-qD g(s)} - 1) ktr T4(s) ds,
 *   g(s) = (e^{-krem s} - e^-krem) / krem, g0 = g(0),
 * whose integral (no closed form: the rate varies within the day) is
 * taken by 6-point Gauss-Legendre quadrature (Abramowitz and Stegun
 * 25.4.30) with T4(s_i) exact; while qD is small (|qD g0| <= 1/20) the
 * nodes' exponentials are replaced by their Taylor series in qD, folded
 * into per-patient coefficients (prop_series). The quadrature's error is
 * about 2e-16 r^12 relative for an integrand whose rates are below r per
 * day: under 1e-9 for r = 4, about 1e-5 at 10/day (an active platelet
 * lifespan of 2.4 hours, where 4 Runge-Kutta steps a day err by 40%).
 * Every coefficient depends only on the patient's rates and on the few
 * values that k and f_d take, so it is computed once per patient and
 * value (itp_kin_prop) and a day costs a few dozen multiplications.
 * Several concentrations (two TPO-RAs) add by superposition: the first is
 * stepped with the state and the constant input, each other one from a
 * zero state with its own modes (k_i, k_i + krem), and the results summed
 * (the chain and the platelets are linear in the input for a given
 * remission course); each has its own tables (itp_kin_kslot).
 * tests/unit/model/test_model.c compares the step with GSL's rk8pd at tolerance
 * 1e-12. A transient below 1e-10 (|D0|) is ended (R = R_inf): its effect
 * on P is below 1e-9 relative. The classical Runge-Kutta step
 * (itp_kinetics_day, `steps_per_day` steps) is kept as the reference and
 * as the fallback for a drive with input but no elimination. Stretches of
 * days under one drive are in stretch.c. */
#include <math.h>
#include <string.h>
#include "itpsim/model.h"
#include "kinetics_internal.h"

/* ---- kinetics ------------------------------------------------------------ */

double itp_drive_stimulation(const itp_drive *d, double t)
{
    double f = 1.0;
    for (int i = 0; i < d->n_pk; i++) {
        const itp_pk_term *p = &d->pk[i];
        double c = p->c0 * exp(-p->k * t) + p->rate * (p->k > 0.0 ? -expm1(-p->k * t) / p->k : t);
        f += p->slope * c;
    }
    return f;
}

void itp_kinetics_rhs(const itp_kinetics *k, const itp_drive *d, int in_remission, double t,
                      const double *y, double *dydt)
{
    double r = y[ITP_S_R];
    double kin = k->kin_a + r * (k->kin_r - k->kin_a);
    double kdeg = (k->kdeg_a + r * (k->kdeg_r - k->kdeg_a)) * d->kdeg_factor;
    double prod = kin * itp_drive_stimulation(d, t) * d->prod_factor;
    dydt[ITP_S_T1] = prod - k->ktr * y[ITP_S_T1];
    dydt[ITP_S_T2] = k->ktr * (y[ITP_S_T1] - y[ITP_S_T2]);
    dydt[ITP_S_T3] = k->ktr * (y[ITP_S_T2] - y[ITP_S_T3]);
    dydt[ITP_S_T4] = k->ktr * (y[ITP_S_T3] - y[ITP_S_T4]);
    dydt[ITP_S_P] = k->ktr * y[ITP_S_T4] - kdeg * y[ITP_S_P];
    dydt[ITP_S_R] = in_remission ? k->krem * (1.0 - r) : -k->krem * r;
}

void itp_kinetics_day(const itp_kinetics *k, const itp_drive *d, int in_remission,
                      int n, double *y)
{
    double h = 1.0 / n, k1[ITP_NSTATE], k2[ITP_NSTATE], k3[ITP_NSTATE],
           k4[ITP_NSTATE], t[ITP_NSTATE];
    for (int s = 0; s < n; s++) {
        double t0 = s * h;
        itp_kinetics_rhs(k, d, in_remission, t0, y, k1);
        for (int i = 0; i < ITP_NSTATE; i++)
            t[i] = y[i] + 0.5 * h * k1[i];
        itp_kinetics_rhs(k, d, in_remission, t0 + 0.5 * h, t, k2);
        for (int i = 0; i < ITP_NSTATE; i++)
            t[i] = y[i] + 0.5 * h * k2[i];
        itp_kinetics_rhs(k, d, in_remission, t0 + 0.5 * h, t, k3);
        for (int i = 0; i < ITP_NSTATE; i++)
            t[i] = y[i] + h * k3[i];
        itp_kinetics_rhs(k, d, in_remission, t0 + h, t, k4);
        for (int i = 0; i < ITP_NSTATE; i++)
            y[i] += h / 6.0 * (k1[i] + 2.0 * k2[i] + 2.0 * k3[i] + k4[i]);
    }
}

/* ---- the exact day step ---------------------------------------------------- */


/* Gauss-Legendre on [0, 1]: nodes (1 + x_i)/2 and weights w_i/2 of the
 * 6-point rule on [-1, 1] (Abramowitz and Stegun, Table 25.4). */
static const double gl_node[ITP_KIN_NODES] = {
    0.5 * (1.0 - 0.9324695142031520278), 0.5 * (1.0 - 0.6612093864662645137),
    0.5 * (1.0 - 0.2386191860831969086), 0.5 * (1.0 + 0.2386191860831969086),
    0.5 * (1.0 + 0.6612093864662645137), 0.5 * (1.0 + 0.9324695142031520278)};
static const double gl_weight[ITP_KIN_NODES] = {
    0.5 * 0.1713244923791703450, 0.5 * 0.3607615730481386076,
    0.5 * 0.4679139345726910473, 0.5 * 0.4679139345726910473,
    0.5 * 0.3607615730481386076, 0.5 * 0.1713244923791703450};

/* 1/n!, n = 0..21 */
static const double inv_fact[22] = {
    1.0, 1.0, 1.0 / 2, 1.0 / 6, 1.0 / 24, 1.0 / 120, 1.0 / 720, 1.0 / 5040, 1.0 / 40320,
    1.0 / 362880, 1.0 / 3628800, 1.0 / 39916800, 1.0 / 479001600, 1.0 / 6227020800.0,
    1.0 / 87178291200.0, 1.0 / 1307674368000.0, 1.0 / 20922789888000.0,
    1.0 / 355687428096000.0, 1.0 / 6402373705728000.0, 1.0 / 121645100408832000.0,
    1.0 / 2432902008176640000.0, 1.0 / 51090942171709440000.0};

/* phi_1..phi_4 of x into phi[1..4] (phi[0] = e^x): by the series for
 * |x| <= 1 (phi_4 by Horner to x^17, then phi_(i-1) = 1/(i-1)! + x phi_i,
 * stable there), else upwards from e^x, phi_i = (phi_(i-1) - 1/(i-1)!)/x
 * (at most a factor 5 of rounding per step for |x| > 1). */
static void phi_funcs(double x, double *phi)
{
    if (fabs(x) <= 1.0) {
        double f = 0.0;
        for (int n = 17; n >= 0; n--)
            f = f * x + inv_fact[n + 4];
        phi[4] = f;
        for (int i = 4; i >= 1; i--)
            phi[i - 1] = inv_fact[i - 1] + x * phi[i];
    } else {
        phi[0] = exp(x);
        for (int i = 1; i <= 4; i++)
            phi[i] = (phi[i - 1] - inv_fact[i - 1]) / x;
    }
}

/* The divided difference exp[x, 0, 0, 0, 0, y]: the series
 * sum_m h_m(x, y) / (m + 5)! (h_m the complete homogeneous polynomial of
 * degree m) when x and y are close and moderate (it loses at most a few
 * digits for |x|, |y| <= 10), else (phi_4(x) - phi_4(y)) / (x - y), or
 * phi_4'(x) = phi_4(x) - 4 phi_5(x) for equal large arguments. */
static double dd_exp4(double x, double y, const double *phix, const double *phiy)
{
    double gap = fabs(x - y), big = fmax(fabs(x), fabs(y));
    if (big <= 10.0 && gap <= 0.5 && gap <= 0.25 * big + 0.25) {
        double h = 1.0, ym = 1.0, f = inv_fact[5], sum = f;
        for (int m = 1; m < 400; m++) {
            ym *= y;
            h = x * h + ym;   /* h_m = x h_(m-1) + y^m */
            f /= m + 5;
            double term = h * f;
            sum += term;
            if (fabs(term) <= 1e-17 * fabs(sum) && m > 2.0 * big)
                break;
        }
        return sum;
    }
    if (gap > 0.0)
        return (phix[4] - phiy[4]) / (x - y);
    return phix[4] - 4.0 * (phix[4] - inv_fact[4]) / x;
}

void itp_kinetics_prop_init(itp_kin_prop *c, const itp_kinetics *k)
{
    double ktr = k->ktr, rho = k->krem;
    c->kin = *k;
    c->ektr = exp(-ktr);
    c->ktr_pow[0] = 1.0;
    for (int n = 1; n < 5; n++)
        c->ktr_pow[n] = c->ktr_pow[n - 1] * ktr;
    for (int n = 0; n < 4; n++)
        c->jt[n] = c->ektr * c->ktr_pow[n] * inv_fact[n];
    c->erho = exp(-rho);
    c->have_nodes = 0;
    for (int i = 0; i < ITP_MAX_PK_TERMS; i++)   /* the stretches' maps go with slot 0 */
        c->ks[i].have_k = 0;
}

COLD void itp_kin_set_k(itp_kin_prop *c, itp_kin_kslot *ks, double k)
{
    double ktr = c->kin.ktr;
    if (ks == &c->ks[0]) {   /* the stretches' maps are for slot 0's rate */
        c->njq = 0;
        for (int i = 0; i < ITP_KIN_QCACHE; i++)
            c->jq[i].n_level = 0;
    }
    ks->have_k = 1;
    itp_pk_day_init(&ks->pk, k);
    ks->lam[0] = 0.0;
    ks->lam[1] = k;
    ks->lam[2] = c->kin.krem;
    ks->lam[3] = k + c->kin.krem;
    for (int m = 0; m < 4; m++) {
        double *phi = ks->phil[m];
        phi_funcs(ktr - ks->lam[m], phi);
        for (int i = 0; i < 4; i++)
            ks->gt[i][m] = c->ktr_pow[i] * c->ektr * phi[i + 1];
    }
    ks->have_nodes = 0;
    ks->nq = 0;
}

/* The quadrature's nodes: the k-independent tables once per patient, the
 * slot's modes once per elimination rate. */
COLD static void prop_set_nodes(itp_kin_prop *c, itp_kin_kslot *ks)
{
    double ktr = c->kin.ktr, rho = c->kin.krem, phi[5];
    if (!c->have_nodes) {
        for (int i = 0; i < ITP_KIN_NODES; i++)
            c->g[i] = c->erho * expm1(rho * (1.0 - gl_node[i])) / rho;
        c->g[ITP_KIN_NODES] = -expm1(-rho) / rho;
        for (int i = 0; i < ITP_KIN_NODES; i++) {
            double s = gl_node[i], e = exp(-ktr * s), kp[4] = {1.0, ktr * s, 0.0, 0.0};
            kp[2] = kp[1] * kp[1];
            kp[3] = kp[2] * kp[1];
            for (int j = 0; j < 4; j++)   /* T_(j+1)(0) reaches T4 through 3 - j stages */
                c->bn[i][j] = e * kp[3 - j] * inv_fact[3 - j];
        }
        c->have_nodes = 1;
    }
    for (int i = 0; i < ITP_KIN_NODES; i++) {
        double s = gl_node[i], e = exp(-ktr * s);
        for (int m = 0; m < 4; m++) {
            phi_funcs((ktr - ks->lam[m]) * s, phi);
            ks->gn[i][m] = c->ktr_pow[3] * (s * s) * (s * s) * e * phi[4];
        }
    }
    ks->have_nodes = 1;
}

void itp_kin_q_row(const itp_kin_prop *c, const itp_kin_kslot *ks, double q, double *eq,
                  double *w, double *v)
{
    double ktr = c->kin.ktr, xq = ktr - q, phiq[5];
    *eq = exp(-q);
    phi_funcs(xq, phiq);
    for (int j = 0; j < 4; j++)   /* T_(j+1)(0) reaches P through 4 - j stages */
        w[j] = c->ktr_pow[4 - j] * c->ektr * phiq[4 - j];
    for (int m = 0; m < 4; m++)
        v[m] = c->ktr_pow[4] * c->ektr * dd_exp4(ktr - ks->lam[m], xq, ks->phil[m], phiq);
}

COLD itp_kin_qcoef *itp_kin_q_fill(const itp_kin_prop *c, itp_kin_kslot *ks, double q)
{
    itp_kin_qcoef *e = &ks->qc[ks->nq++ % ITP_KIN_QCACHE];
    e->q = q;
    itp_kin_q_row(c, ks, q, &e->eq, e->w, e->v);
    e->have_series = 0;
    return e;
}

/* The transient's share of P(1) as a power series in x = -qD: the
 * quadrature sum of e^-q (e^{x g0} - 1) P0 + sum_i node_i (e^{x g_i} - 1)
 * T4(s_i) is sum_n x^n / n! (ser[n-1] . z), z = (P0, T(0), a), exactly
 * the quadrature with the exponentials' Taylor series. */
COLD static void prop_series(const itp_kin_prop *c, const itp_kin_kslot *ks, itp_kin_qcoef *e)
{
    double gp[ITP_KIN_NODES + 1];
    for (int i = 0; i < ITP_KIN_NODES; i++)
        e->node[i] = gl_weight[i] * c->kin.ktr * exp(-e->q * (1.0 - gl_node[i]));
    for (int i = 0; i <= ITP_KIN_NODES; i++)
        gp[i] = 1.0;
    for (int n = 0; n < ITP_KIN_SERIES; n++) {
        double *r = e->ser[n];
        for (int i = 0; i <= ITP_KIN_NODES; i++)
            gp[i] *= c->g[i];
        for (int j = 0; j < 9; j++)
            r[j] = 0.0;
        r[0] = e->eq * gp[ITP_KIN_NODES];
        for (int i = 0; i < ITP_KIN_NODES; i++) {
            double f = e->node[i] * gp[i];
            for (int j = 0; j < 4; j++) {
                r[1 + j] += f * c->bn[i][j];
                r[5 + j] += f * ks->gn[i][j];
            }
        }
    }
    e->have_series = 1;
}

/* e^x - 1 for the n (<= 8) arguments x[i], |x[i]| <= amax: Taylor to x^8
 * after halving the arguments s times to |x| <= 1/16, then squaring back
 * (relative error about 2^s 1e-16). Plain arithmetic, so the compiler
 * vectorises it; libm's exp where the arguments are too large. */
static void expm1_small(const double *x, double *out, int n, double amax)
{
    if (!(amax <= 64.0)) {
        for (int i = 0; i < n; i++)
            out[i] = expm1(x[i]);
        return;
    }
    int s = 0;
    double scale = 1.0;
    while (amax * scale > 0.0625) {
        scale *= 0.5;
        s++;
    }
    double e[8];
    for (int i = 0; i < 8; i++) {
        double r = (i < n ? x[i] : 0.0) * scale;
        /* r (1 + r/2 (1 + r/3 (... (1 + r/8)))) = e^r - 1 to r^8 */
        double p = 1.0 + r * (1.0 / 8);
        p = 1.0 + r * (1.0 / 7) * p;
        p = 1.0 + r * (1.0 / 6) * p;
        p = 1.0 + r * (1.0 / 5) * p;
        p = 1.0 + r * (1.0 / 4) * p;
        p = 1.0 + r * (1.0 / 3) * p;
        p = 1.0 + r * (1.0 / 2) * p;
        e[i] = r * p;
    }
    for (int t = 0; t < s; t++)        /* e^2r - 1 = (e^r - 1)(e^r + 1) */
        for (int i = 0; i < 8; i++)
            e[i] = e[i] * (e[i] + 2.0);
    for (int i = 0; i < n; i++)
        out[i] = e[i];
}

/* One day of the chain and the platelets from z = (T1..T4, P) under the
 * input modes a (amplitudes of e^{-lam t}, lam = 0, k, krem, k + krem of
 * slot ks) with destruction q + qD e^{-krem t}: into out (T1..T4, P). */
#if defined(__GNUC__)
#define HOT_INLINE inline __attribute__((always_inline))
#else
#define HOT_INLINE inline
#endif

/* z and out may be the same array: z is read before out is written. */
static HOT_INLINE void step_core(itp_kin_prop *c, itp_kin_kslot *ks, const double *z,
                                 const double *a, double q, double qd, double *out)
{
    itp_kin_qcoef *qc = itp_kin_q(c, ks, q);
    double a0 = a[0], a1 = a[1], a2 = a[2], a3 = a[3];
    double t1 = z[0], t2 = z[1], t3 = z[2], t4 = z[3], p0 = z[4];

    /* Sums in pairs: short dependency chains (this is the hot loop). */
    double p1 = ((qc->eq * p0 + qc->w[0] * t1) + (qc->w[1] * t2 + qc->w[2] * t3)) +
                ((qc->w[3] * t4 + qc->v[0] * a0) + (qc->v[1] * a1 + qc->v[2] * a2)) +
                qc->v[3] * a3;
    if (qd != 0.0) {
        /* The transient's share of destruction: the quadrature, by the
         * series in qD when that is small (|qD g0| <= 1/20: 6 terms leave
         * 2e-13), else with the exponentials. */
        if (!ks->have_nodes)
            prop_set_nodes(c, ks);
        double xg = fabs(qd * c->g[ITP_KIN_NODES]);
        if (!qc->have_series)
            prop_series(c, ks, qc);
        if (xg <= 0.05) {
            int n = xg < 1e-7 ? 2 : xg < 1e-4 ? 3 : xg < 4e-3 ? 4 : ITP_KIN_SERIES;
            double zz[9] = {p0, t1, t2, t3, t4, a0, a1, a2, a3}, acc = 0.0, x = -qd;
            for (int o = n - 1; o >= 0; o--) {   /* Horner: x (d1 + x (d2/2! + ...)) */
                const double *r = qc->ser[o];
                double dot = ((r[0] * zz[0] + r[1] * zz[1]) + (r[2] * zz[2] + r[3] * zz[3])) +
                             ((r[4] * zz[4] + r[5] * zz[5]) + (r[6] * zz[6] + r[7] * zz[7])) +
                             r[8] * zz[8];
                acc = dot * inv_fact[o + 1] + x * acc;
            }
            p1 += x * acc;
        } else {
            double x[ITP_KIN_NODES + 1], em1[ITP_KIN_NODES + 1];
            for (int i = 0; i <= ITP_KIN_NODES; i++)
                x[i] = -qd * c->g[i];
            expm1_small(x, em1, ITP_KIN_NODES + 1, xg);   /* g is largest at s = 0 */
            double corr = qc->eq * em1[ITP_KIN_NODES] * p0;
            for (int i = 0; i < ITP_KIN_NODES; i++) {
                const double *b = c->bn[i], *g = ks->gn[i];
                double t4s = ((b[0] * t1 + b[1] * t2) + (b[2] * t3 + b[3] * t4)) +
                             ((g[0] * a0 + g[1] * a1) + (g[2] * a2 + g[3] * a3));
                corr += qc->node[i] * em1[i] * t4s;
            }
            p1 += corr;
        }
    }
    const double *jt = c->jt;
    const double(*gt)[4] = (const double(*)[4])ks->gt;
    out[0] = (jt[0] * t1 + gt[0][0] * a0) + (gt[0][1] * a1 + gt[0][2] * a2) + gt[0][3] * a3;
    out[1] = ((jt[1] * t1 + jt[0] * t2) + (gt[1][0] * a0 + gt[1][1] * a1)) +
             (gt[1][2] * a2 + gt[1][3] * a3);
    out[2] = ((jt[2] * t1 + jt[1] * t2) + (jt[0] * t3 + gt[2][0] * a0)) +
             ((gt[2][1] * a1 + gt[2][2] * a2) + gt[2][3] * a3);
    out[3] = ((jt[3] * t1 + jt[2] * t2) + (jt[1] * t3 + jt[0] * t4)) +
             ((gt[3][0] * a0 + gt[3][1] * a1) + (gt[3][2] * a2 + gt[3][3] * a3));
    out[4] = p1;
}

void itp_kinetics_advance(const itp_kinetics *kp, const itp_drive *d, int in_remission,
                          int fallback_steps, itp_kin_prop *c, double *y)
{
    /* No concentration: one of zero (slope 0, no input), on slot 0. */
    static const itp_pk_term zero = {0.0, 0.0, 0.0, 0.0};
    int n = d->n_pk > 0 ? d->n_pk : 1;
    const itp_pk_term *pk = d->n_pk > 0 ? d->pk : &zero;
    if (itp_kin_needs_fallback(d)) {
        itp_kinetics_day(kp, d, in_remission, fallback_steps, y);
        return;
    }
    double rinf = in_remission ? 1.0 : 0.0;
    double d0 = itp_kin_gap(y, rinf);
    itp_kin_rates rt = itp_kin_rates_of(kp, d, rinf, d0);
    double q = rt.q, qd = rt.qd, fk = rt.fk, fd = rt.fd;

    /* Each C(t) = cs + dc e^{-kt}. The first concentration is stepped with
     * the state and the constant input (T1..T4, P are y[0..4]), the others
     * by superposition from zero (the kinetics are linear in the input for
     * a given remission course). */
    itp_kin_kslot *ks = itp_kin_slot(c, 0, pk[0].k);
    double cs0 = itp_kin_conc_limit(&pk[0], ks);
    double base = 1.0 + pk[0].slope * cs0;
    double cs[ITP_MAX_PK_TERMS];
    for (int i = 1; i < n; i++) {
        cs[i] = itp_kin_conc_limit(&pk[i], itp_kin_slot(c, i, pk[i].k));
        base += pk[i].slope * cs[i];
    }
    double slp = pk[0].slope, dc = pk[0].c0 - cs0;
    double a[4] = {fk * base, fk * slp * dc, fd * base, fd * slp * dc};
    if (n == 1) {
        step_core(c, ks, y, a, q, qd, y);
    } else {
        double out[5];
        step_core(c, ks, y, a, q, qd, out);
        for (int i = 1; i < n; i++) {
            static const double none[5] = {0.0, 0.0, 0.0, 0.0, 0.0};
            double more[5], ai[4];
            slp = pk[i].slope;
            dc = pk[i].c0 - cs[i];
            ai[0] = 0.0;
            ai[1] = fk * slp * dc;
            ai[2] = 0.0;
            ai[3] = fd * slp * dc;
            step_core(c, &c->ks[i], none, ai, q, qd, more);
            for (int j = 0; j < 5; j++)
                out[j] += more[j];
        }
        memcpy(y, out, sizeof out);
    }
    y[ITP_S_R] = rinf + d0 * c->erho;
}

void itp_kinetics_steady(const itp_kinetics *k, const itp_drive *d, double *y)
{
    double stim = 1.0;
    for (int i = 0; i < d->n_pk; i++)
        stim += d->pk[i].k > 0.0 ? d->pk[i].slope * d->pk[i].rate / d->pk[i].k : 0.0;
    double prod = k->kin_a * stim * d->prod_factor;
    y[ITP_S_T1] = y[ITP_S_T2] = y[ITP_S_T3] = y[ITP_S_T4] = prod / k->ktr;
    y[ITP_S_P] = prod / (k->kdeg_a * d->kdeg_factor);
    y[ITP_S_R] = 0.0;
}
