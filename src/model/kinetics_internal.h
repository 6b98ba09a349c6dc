/* What the platelet kinetics' files share (kinetics.c: the day step and
 * its coefficients; stretch.c: stretches of days): the per-patient tables
 * of itp_kin_prop (model.h), filled once per patient and value. */
#ifndef ITPSIM_KINETICS_INTERNAL_H
#define ITPSIM_KINETICS_INTERNAL_H

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

#endif
