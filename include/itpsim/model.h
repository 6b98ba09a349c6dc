/* Patient models: what happens to a patient between randomisation and the
 * end of follow-up. Each model is a vtable in a table picked by the
 * scenario's `model` setting:
 *   platelet  semi-mechanistic platelet kinetics with TPO-RA PK/PD, a
 *             remission process, treatments and events;
 *   hazard    piecewise-exponential time to treatment failure per arm, for
 *             direct time-to-event planning and cross-checks. */
#ifndef ITPSIM_MODEL_H
#define ITPSIM_MODEL_H

#include <stdint.h>
#include <gsl/gsl_rng.h>
#include "itpsim/scenario.h"

/* Per-thread working memory for simulating patients: generators for each
 * stream and component state. Made once per thread, reused per patient. */
typedef struct itp_sim_ws {
    uint64_t seed, replicate;    /* the stream coordinates of the replicate */
    gsl_rng *r_base, *r_visit, *r_events, *r_alloc;
    gsl_rng *r_comp[ITP_MAX_PATIENT_COMPONENTS];   /* the arm's, then the rescue's */
    unsigned char *comp_state;   /* [ITP_MAX_PATIENT_COMPONENTS * state_stride] */
    size_t state_stride;
    void *model_patient;         /* the model's per-patient draws */
    /* NULL, or: is every outcome of pt settled by `day`? (endpoint.h's
     * itp_endpoints_settled.) A model may then stop simulating the patient
     * after that day's visit (its last_day is that day). Set by a replicate
     * that only analyses; simulate and the plots leave it NULL. */
    int (*settled)(const itp_scenario *scn, const itp_record *rec, const itp_patient *pt,
                   int day);
} itp_sim_ws;

struct itp_model_type {
    const char *name;           /* also the name of its settings' group */
    const char *description;
    int has_visits;             /* observes counts at visits (binary endpoints,
                                   trajectories need them) */
    /* Reads the model's settings (its group in the scenario and defaults). */
    itp_status (*parse)(itp_reader *rd, itp_scenario *scn, void **params);
    void (*free)(void *params);
    size_t patient_size;   /* bytes of per-patient draws */
    /* Arm-independent draws (baseline count, random effects, event times)
     * from the baseline stream r. Returns the observed baseline (day-0)
     * count, on which inclusion and strata are judged, or NaN when the
     * model has none (strata cannot be cut from it). */
    double (*draw)(const itp_scenario *scn, const void *params, gsl_rng *r,
                   void *patient);
    /* Simulates pt (id, arm, stratum, followup_days set) in its arm,
     * appending visits and rescue days to rec. */
    itp_status (*simulate)(const itp_scenario *scn, const void *params,
                           itp_sim_ws *ws, itp_patient *pt, itp_record *rec);
};

extern const itp_model_type *const itp_model_types[];
const itp_model_type *itp_model_type_find(const char *name);
extern const itp_model_type itp_platelet_model;
extern const itp_model_type itp_hazard_model;

/* ---- the platelet model's kinetics, exposed for tests ------------------- */

/* Per-patient parameters of the platelet kinetics (after random effects). */
typedef struct itp_kinetics {
    double kin_a;      /* production in active disease, 10^9/L/day */
    double kdeg_a;     /* destruction in active disease, 1/day */
    double kin_r;      /* production in remission (P_rem / normal lifespan) */
    double kdeg_r;     /* destruction in remission, 1/normal lifespan */
    double ktr;        /* transit rate constant, 1/day */
    double krem;       /* rate of entering and leaving remission, 1/day */
} itp_kinetics;

/* The state: transit compartments, platelets, remission fraction (drug
 * concentrations belong to the components, which pass them in the drive). */
enum { ITP_S_T1, ITP_S_T2, ITP_S_T3, ITP_S_T4, ITP_S_P, ITP_S_R, ITP_NSTATE }; /* in this order */

/* The production factor of the drive's concentrations at time t of the
 * day: 1 + sum of slope C(t). */
double itp_drive_stimulation(const itp_drive *d, double t);

/* Right-hand side of the ODE at time t (days, 0..1) of a day with a given
 * drive and remission switch. */
void itp_kinetics_rhs(const itp_kinetics *k, const itp_drive *d, int in_remission, double t,
                      const double *y, double *dydt);

/* Advances y by one day with n classical Runge-Kutta steps (the reference
 * the exact step is tested against, and its fallback). */
void itp_kinetics_day(const itp_kinetics *k, const itp_drive *d, int in_remission,
                      int n, double *y);

/* The steady state for a constant drive outside remission. */
void itp_kinetics_steady(const itp_kinetics *k, const itp_drive *d, double *y);

/* ---- the exact day step ------------------------------------------------ */

/* Gauss-Legendre nodes for the one integral without a closed form (the
 * destruction rate's remission transient; see model_platelet.c). */
#define ITP_KIN_NODES 6
/* Destruction rates remembered per patient (active or remission, with or
 * without a working rescue). */
#define ITP_KIN_QCACHE 4

/* Terms of the series in the transient's destruction rate used instead of
 * the quadrature's exponentials when that rate is small. */
#define ITP_KIN_SERIES 6

/* Coefficients of the exact step for one destruction rate q. */
typedef struct itp_kin_qcoef {
    double q;                   /* f_d kdeg(R_inf), 1/day */
    double eq;                  /* e^-q */
    double w[4];                /* P(1) per unit T_j(0), j = 1..4 */
    double v[4];                /* P(1) per unit amplitude of input mode m */
    int have_series;            /* node and ser are filled (first transient day) */
    double node[ITP_KIN_NODES]; /* Gauss weight x ktr x e^{-q (1 - s_i)} */
    /* ser[n-1] = the n-th derivative in -qD of the transient's share of
     * P(1), per unit P0 (index 0), T_j(0) (1..4) and mode amplitude (5..8) */
    double ser[ITP_KIN_SERIES][9];
} itp_kin_qcoef;

/* The exact step's tables for one elimination rate k of a drive's
 * concentration (one per concentration of the drive). */
typedef struct itp_kin_kslot {
    int have_k;                   /* the mode tables below are for elimination rate k */
    itp_pk_day pk;                /* k and its day's factors */
    double lam[4];                /* input modes e^{-lam t}: 0, k, krem, k + krem */
    double phil[4][5];            /* phi_0..phi_4 at ktr - lam_m */
    double gt[4][4];              /* T_i(1) per unit amplitude of mode m, [i][m] */
    int have_nodes;               /* gn is filled (first transient day) */
    double gn[ITP_KIN_NODES][4];  /* T4(s_i) per unit amplitude of mode m */
    int nq;                       /* destruction rates met so far (the last ITP_KIN_QCACHE kept) */
    itp_kin_qcoef qc[ITP_KIN_QCACHE];
} itp_kin_kslot;

/* Stretches of whole days under one drive are taken in steps of 2^j days,
 * j < ITP_KIN_LEVELS (longer ones in several). */
#define ITP_KIN_LEVELS 10
/* Orders of the series in the remission transient's destruction rate over
 * a stretch (see stretch.c): a stretch is taken whole once the series
 * to this order errs below 1e-13, else day by day. */
#define ITP_KIN_ORDERS 8

/* The exact map over 2^j days under one drive: the chain's own response
 * (lower-triangular Toeplitz, jt[i - j]), its response to the four input
 * modes (gt[m][i]) and their factors over the stretch, and for each order
 * n of the transient's series the platelets' response at destruction rate
 * q - n krem: per P0 (pe), per T_j(0) (pw) and per mode amplitude (pv). */
typedef struct itp_kin_jump {
    int n_order;   /* orders 0..n_order-1 are filled */
    double jt[4], gt[4][4], em[4];
    double pe[ITP_KIN_ORDERS + 1], pw[ITP_KIN_ORDERS + 1][4], pv[ITP_KIN_ORDERS + 1][4];
} itp_kin_jump;

/* The maps of one destruction rate, filled as stretches need them:
 * levels 0..n_level-1. */
typedef struct itp_kin_jumps {
    double q;
    int n_level;
    itp_kin_jump lv[ITP_KIN_LEVELS];
} itp_kin_jumps;

/* Per-patient cache of the exact step's coefficients: they depend on the
 * patient's rate constants and on the few values the drive's elimination
 * rates and destruction factor take, so each is computed once and reused
 * on every day with the same values (a value not in the cache replaces the
 * oldest: results never depend on the cache, only the time). Plain memory,
 * no allocation (about 40 KB: keep it in a workspace or on the stack);
 * itp_kinetics_prop_init before each patient. */
typedef struct itp_kin_prop {
    itp_kinetics kin;             /* the patient the cache is for */
    double ektr;                  /* e^-ktr */
    double ktr_pow[5];            /* ktr^n */
    double jt[4];                 /* T_i(1) per unit T_j(0): e^-ktr ktr^n / n!, n = i - j */
    double erho;                  /* e^-krem */
    int have_nodes;               /* the node tables are filled (first transient day) */
    double g[ITP_KIN_NODES + 1];  /* (e^{-krem s_i} - e^-krem) / krem; last: (1 - e^-krem) / krem */
    double bn[ITP_KIN_NODES][4];  /* T4(s_i) per unit T_j(0) */
    itp_kin_kslot ks[ITP_MAX_PK_TERMS]; /* one per concentration of the drive */
    int njq;                            /* destruction rates of jq met so far */
    itp_kin_jumps jq[ITP_KIN_QCACHE];   /* stretches, for slot 0's rates */
} itp_kin_prop;

/* Makes c ready for a patient with kinetics k. */
void itp_kinetics_prop_init(itp_kin_prop *c, const itp_kinetics *k);

/* Advances y by one day under a drive constant over the day: the exact
 * solution of the linear kinetics (closed form), except for the remission
 * transient's effect on destruction, integrated by Gauss-Legendre
 * quadrature (relative error below 1e-9 for rates up to 4/day, 1e-5 at
 * 10/day; see kinetics.c). Several concentrations add by superposition
 * (the kinetics are linear in the input). A concentration with input but
 * (almost) no elimination (k < 1e-3/day; no shipped component makes one)
 * falls back to fallback_steps Runge-Kutta steps (the model's
 * `steps_per_day`). */
void itp_kinetics_advance(const itp_kinetics *k, const itp_drive *d, int in_remission,
                          int fallback_steps, itp_kin_prop *c, double *y);

/* Advances y by n >= 1 days under a drive that holds over them (its
 * concentrations follow their constant input from c0; the components
 * bring their own forward, itp_pk_after). With at most
 * one concentration the days are taken together: the exact map over 2^j
 * days, built by squaring the day's (rounding about 1e-15 relative per
 * doubling), once per patient, destruction rate and j; in a remission
 * transient once its series converges fast (stretch.c). Otherwise day by
 * day as itp_kinetics_advance. */
void itp_kinetics_advance_days(const itp_kinetics *k, const itp_drive *d, int in_remission,
                               int n, int fallback_steps, itp_kin_prop *c, double *y);

#endif
