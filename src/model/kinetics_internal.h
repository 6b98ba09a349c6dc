/* What the platelet kinetics' files share (kinetics.c: the day step and
 * its coefficients; stretch.c: stretches of days): the per-patient tables
 * of itp_kin_prop (model.h), filled once per patient and value. */
#ifndef ITPSIM_KINETICS_INTERNAL_H
#define ITPSIM_KINETICS_INTERNAL_H

#include <math.h>
#include "itpsim/model.h"

/* The cache fills run once per patient and value: kept out of line so
 * that the steps stay small and keep their values in registers (GCC and
 * Clang; elsewhere they are plain functions). */
#if defined(__GNUC__)
#define COLD __attribute__((noinline, cold))
#else
#define COLD
#endif

/* Tables of slot ks for elimination rate k: the input modes and the
 * chain's response to each; forgets the destruction-rate, node and (for
 * slot 0) stretch tables that use them. */
void itp_kin_set_k(itp_kin_prop *c, itp_kin_kslot *ks, double k);

/* P(1) at destruction rate q per unit P0 (*eq), T_j(0) (w) and input mode
 * amplitude (v) of slot ks: the day's platelet row, exact. */
void itp_kin_q_row(const itp_kin_prop *c, const itp_kin_kslot *ks, double q, double *eq,
                   double *w, double *v);

/* A new entry of slot ks's destruction-rate cache for q (replacing the
 * oldest). */
itp_kin_qcoef *itp_kin_q_fill(const itp_kin_prop *c, itp_kin_kslot *ks, double q);

/* Slot ks's coefficients for destruction rate q, from the cache or new. */
static inline itp_kin_qcoef *itp_kin_q(const itp_kin_prop *c, itp_kin_kslot *ks, double q)
{
    int n = ks->nq < ITP_KIN_QCACHE ? ks->nq : ITP_KIN_QCACHE;
    for (int i = 0; i < n; i++)
        if (ks->qc[i].q == q)
            return &ks->qc[i];
    return itp_kin_q_fill(c, ks, q);
}

/* A concentration with input but (almost) no elimination: the days go by
 * the Runge-Kutta fallback (itp_kinetics_day). */
static inline int itp_kin_needs_fallback(const itp_drive *d)
{
    for (int i = 0; i < d->n_pk; i++)
        if (d->pk[i].rate != 0.0 && !(d->pk[i].k >= 1e-3))
            return 1;
    return 0;
}

/* Slot i, with its tables for elimination rate k. */
static inline itp_kin_kslot *itp_kin_slot(itp_kin_prop *c, int i, double k)
{
    itp_kin_kslot *ks = &c->ks[i];
    if (!ks->have_k || ks->pk.k != k)
        itp_kin_set_k(c, ks, k);
    return ks;
}

/* The concentration t tends to under its input (C(t) = cs + (c0 - cs)
 * e^{-kt}); with no elimination (and so no input) it stays put. */
static inline double itp_kin_conc_limit(const itp_pk_term *t, const itp_kin_kslot *ks)
{
    return t->k > 0.0 ? t->rate * ks->pk.inv_k : t->c0;
}

/* The remission transient's gap R - R_inf at the start of a day or
 * stretch; one below 1e-10 is ended (its effect on P is below 1e-9). */
static inline double itp_kin_gap(const double *y, double rinf)
{
    double d0 = y[ITP_S_R] - rinf;
    return fabs(d0) < 1e-10 ? 0.0 : d0;
}

/* Destruction q + qd e^{-krem t} and production (fk + fd e^{-krem t})
 * times the concentrations' factor, under drive d with remission target
 * rinf and gap d0. */
typedef struct itp_kin_rates {
    double q, qd, fk, fd;
} itp_kin_rates;

static inline itp_kin_rates itp_kin_rates_of(const itp_kinetics *kp, const itp_drive *d,
                                             double rinf, double d0)
{
    double dkin = kp->kin_r - kp->kin_a, dkdeg = kp->kdeg_r - kp->kdeg_a;
    itp_kin_rates r;
    r.q = d->kdeg_factor * (kp->kdeg_a + rinf * dkdeg);
    r.qd = d->kdeg_factor * dkdeg * d0;
    r.fk = d->prod_factor * (kp->kin_a + rinf * dkin);
    r.fd = d->prod_factor * dkin * d0;
    return r;
}

#endif
