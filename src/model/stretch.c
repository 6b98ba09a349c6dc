/* Stretches of whole days under one drive (itp_kinetics_advance_days, for
 * the platelet model's event-to-event stepping); the day step and its
 * coefficients are in kinetics.c.
 *
 * Over a stretch of t days under one drive the chain is closed form and
 * the platelets obey dP/dt = ktr T4 - (q + qD e^{-krem t}) P. With
 * x = -qD / krem and y = x e^{-krem t} (x at the end of the stretch),
 * variation of constants and the exponential series of
 * e^{x e^{-krem s}} give
 *   P(t) = e^{x - y} e^{-q t} P0 + e^{-y} sum_n y^n / n! Z_n(t),
 * Z_n the response of the platelets from P0 = 0 at the constant
 * destruction rate q - n krem, exact like the day's step. Outside a
 * transient x = 0 and only Z_0 is left. The series is cut after order N
 * when |x|^(N+1)/(N+1)! <= 1e-13 (N <= ITP_KIN_ORDERS; the terms are
 * bounded by |x|^n/n! times the scale of P, since y^n Z_n decays like
 * e^{-q t}); a transient whose |x| is larger (in its first weeks) is
 * stepped day by day until it is not. Each Z_n is time-invariant, so its
 * map over 2^(j+1) days follows from that over 2^j by squaring, from the
 * day's; a stretch is then taken as a sum of powers of two (the largest
 * at most 2^(ITP_KIN_LEVELS-1), or lower where its exponentials would
 * overflow, repeated as often as needed), the mode amplitudes and x
 * carried from one to the next. */
#include <math.h>
#include "itpsim/model.h"
#include "kinetics_internal.h"

/* The chain's part of level j + 1 from level j (a). */
static void jump_square_chain(const itp_kin_jump *a, itp_kin_jump *b)
{
    for (int n = 0; n < 4; n++) {
        double sum = 0.0;
        for (int i = 0; i <= n; i++)
            sum += a->jt[i] * a->jt[n - i];
        b->jt[n] = sum;
    }
    for (int m = 0; m < 4; m++) {
        for (int i = 0; i < 4; i++) {
            double sum = a->em[m] * a->gt[m][i];
            for (int j = 0; j <= i; j++)
                sum += a->jt[i - j] * a->gt[m][j];
            b->gt[m][i] = sum;
        }
        b->em[m] = a->em[m] * a->em[m];
    }
}

/* Order n's platelet row of level j + 1 from level j (a). */
static void jump_square_row(const itp_kin_jump *a, itp_kin_jump *b, int n)
{
    const double *w = a->pw[n], pe = a->pe[n];
    for (int j = 0; j < 4; j++) {
        double sum = pe * w[j];
        for (int i = j; i < 4; i++)
            sum += w[i] * a->jt[i - j];
        b->pw[n][j] = sum;
    }
    for (int m = 0; m < 4; m++) {
        double sum = (pe + a->em[m]) * a->pv[n][m];
        for (int i = 0; i < 4; i++)
            sum += w[i] * a->gt[m][i];
        b->pv[n][m] = sum;
    }
    b->pe[n] = pe * pe;
}

/* Levels 0..level of the maps at destruction rate q, with orders
 * 0..order at each (each level's orders filled as they are needed). */
COLD static void jumps_fill(const itp_kin_prop *c, const itp_kin_kslot *ks, itp_kin_jumps *jq,
                            int level, int order)
{
    if (jq->n_level == 0) {
        itp_kin_jump *j0 = &jq->lv[0];
        for (int i = 0; i < 4; i++) {
            j0->jt[i] = c->jt[i];
            for (int m = 0; m < 4; m++)
                j0->gt[m][i] = ks->gt[i][m];
        }
        j0->em[0] = 1.0;
        j0->em[1] = ks->pk.ek;
        j0->em[2] = c->erho;
        j0->em[3] = ks->pk.ek * c->erho;
        j0->n_order = 0;
        jq->n_level = 1;
    }
    for (; jq->n_level <= level; jq->n_level++) {
        jump_square_chain(&jq->lv[jq->n_level - 1], &jq->lv[jq->n_level]);
        jq->lv[jq->n_level].n_order = 0;
    }
    for (int l = 0; l <= level; l++) {
        itp_kin_jump *b = &jq->lv[l];
        for (; b->n_order <= order; b->n_order++) {
            int n = b->n_order;
            if (l == 0)
                itp_kin_q_row(c, ks, jq->q - n * c->kin.krem, &b->pe[n], b->pw[n], b->pv[n]);
            else
                jump_square_row(&jq->lv[l - 1], b, n);
        }
    }
}

static itp_kin_jumps *jumps_for(itp_kin_prop *c, double q)
{
    int n = c->njq < ITP_KIN_QCACHE ? c->njq : ITP_KIN_QCACHE;
    for (int i = 0; i < n; i++)
        if (c->jq[i].q == q && c->jq[i].n_level > 0)
            return &c->jq[i];
    itp_kin_jumps *jq = &c->jq[c->njq++ % ITP_KIN_QCACHE];
    jq->q = q;
    jq->n_level = 0;
    return jq;
}

/* The order of the series over a stretch whose transient starts at x: the
 * smallest N with |x|^(N+1)/(N+1)! <= 1e-13, or -1 when it is above
 * ITP_KIN_ORDERS. */
static int series_order(double x)
{
    double ax = fabs(x), term = 1.0;
    for (int n = 0; n <= ITP_KIN_ORDERS; n++) {
        term *= ax / (n + 1);
        if (term <= 1e-13)
            return n;
    }
    return -1;
}

/* The largest level whose maps stay finite at series order `order`: the
 * order-n rows grow like e^{(n krem - q) t} over t days (their weight
 * y^n = x^n e^{-n krem t} takes it back), so a stretch is cut into powers
 * of two over which that growth stays below e^600. */
static int top_level(const itp_kinetics *kp, double q, int order)
{
    double grow = order * kp->krem - q;
    int top = ITP_KIN_LEVELS - 1;
    while (top > 0 && grow * (double)(1 << top) > 600.0)
        top--;
    return top;
}

/* n >= 1 days with at most one concentration, series order `order`; the
 * day's rates rt at the gap d0 of the remission state from rinf. */
static void advance_jump(const itp_kinetics *kp, const itp_drive *d, double rinf, int n,
                         int order, itp_kin_rates rt, double d0, itp_kin_prop *c, double *y)
{
    static const itp_pk_term zero = {0.0, 0.0, 0.0, 0.0};
    const itp_pk_term *pk = d->n_pk > 0 ? &d->pk[0] : &zero;
    itp_kin_kslot *ks = itp_kin_slot(c, 0, pk->k);
    double x = -rt.qd / kp->krem;
    double cs = itp_kin_conc_limit(pk, ks), dc = pk->c0 - cs;
    double base = 1.0 + pk->slope * cs, slp = pk->slope;
    double a[4] = {rt.fk * base, rt.fk * slp * dc, rt.fd * base, rt.fd * slp * dc};
    itp_kin_jumps *jq = jumps_for(c, rt.q);
    int top = top_level(kp, rt.q, order);
    double ex = order > 0 ? exp(x) : 1.0;
    while (n > 0) {
        int j = top;
        if (n < 1 << top)
            for (j = 0; n >> (j + 1); j++)
                ;
        if (j >= jq->n_level || order >= jq->lv[j].n_order)
            jumps_fill(c, ks, jq, j, order);
        const itp_kin_jump *jm = &jq->lv[j];
        const double *t = jm->jt;
        double t1 = y[0], t2 = y[1], t3 = y[2], t4 = y[3], p0 = y[4];
        double p;
        if (order == 0) {
            const double *w = jm->pw[0], *v = jm->pv[0];
            p = ((jm->pe[0] * p0 + w[0] * t1) + (w[1] * t2 + w[2] * t3)) +
                ((w[3] * t4 + v[0] * a[0]) + (v[1] * a[1] + v[2] * a[2])) + v[3] * a[3];
        } else {
            double ye = x * jm->em[2], acc = 0.0;
            for (int o = order; o >= 0; o--) {   /* Horner in y: sum y^o / o! Z_o */
                const double *w = jm->pw[o], *v = jm->pv[o];
                double z = ((w[0] * t1 + w[1] * t2) + (w[2] * t3 + w[3] * t4)) +
                           ((v[0] * a[0] + v[1] * a[1]) + (v[2] * a[2] + v[3] * a[3]));
                acc = z + ye * acc / (o + 1);
            }
            double eny = exp(-ye);   /* e^{x - y} = e^x e^{-y}: one exp a step */
            p = ex * eny * jm->pe[0] * p0 + eny * acc;
            x = ye;
            ex = 1.0 / eny;
        }
        y[0] = t[0] * t1 + (jm->gt[0][0] * a[0] + jm->gt[1][0] * a[1]) +
               (jm->gt[2][0] * a[2] + jm->gt[3][0] * a[3]);
        y[1] = (t[1] * t1 + t[0] * t2) + (jm->gt[0][1] * a[0] + jm->gt[1][1] * a[1]) +
               (jm->gt[2][1] * a[2] + jm->gt[3][1] * a[3]);
        y[2] = ((t[2] * t1 + t[1] * t2) + t[0] * t3) + (jm->gt[0][2] * a[0] + jm->gt[1][2] * a[1]) +
               (jm->gt[2][2] * a[2] + jm->gt[3][2] * a[3]);
        y[3] = ((t[3] * t1 + t[2] * t2) + (t[1] * t3 + t[0] * t4)) +
               (jm->gt[0][3] * a[0] + jm->gt[1][3] * a[1]) +
               (jm->gt[2][3] * a[2] + jm->gt[3][3] * a[3]);
        y[4] = p;
        for (int m = 1; m < 4; m++)
            a[m] *= jm->em[m];
        d0 *= jm->em[2];
        n -= 1 << j;
    }
    y[ITP_S_R] = rinf + d0;   /* ended below 1e-10 at the next start */
}

void itp_kinetics_advance_days(const itp_kinetics *kp, const itp_drive *d, int in_remission,
                               int n, int fallback_steps, itp_kin_prop *c, double *y)
{
    double rinf = in_remission ? 1.0 : 0.0;
    int together = d->n_pk <= 1 && kp->krem > 0.0 && !itp_kin_needs_fallback(d);
    itp_drive day = *d;   /* by day: its concentrations move on each day */
    while (n > 0) {
        if (together && n > 1) {
            double d0 = itp_kin_gap(y, rinf);
            itp_kin_rates rt = itp_kin_rates_of(kp, &day, rinf, d0);
            int order = series_order(rt.qd / kp->krem);
            if (order >= 0) {
                advance_jump(kp, &day, rinf, n, order, rt, d0, c, y);
                return;
            }
        }
        itp_kinetics_advance(kp, &day, in_remission, fallback_steps, c, y);
        for (int i = 0; i < day.n_pk; i++) {
            itp_pk_term *t = &day.pk[i];
            if (c->ks[i].have_k && c->ks[i].pk.k == t->k)
                t->c0 = itp_pk_day_end(&c->ks[i].pk, t->c0, t->rate);
            else
                t->c0 = itp_pk_term_end(t);   /* the fallback's */
        }
        n--;
    }
}
