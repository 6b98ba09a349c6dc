/* Patient models: what happens to a patient between randomisation and the
 * end of follow-up. Each model is a vtable in a table picked by the
 * scenario's `model` setting:
 *   platelet  semi-mechanistic platelet kinetics with TPO-RA PK/PD, a
 *             remission process, treatments and events (DOMAIN.md s5);
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
    gsl_rng *r_comp[ITP_MAX_ARM_COMPONENTS];
    unsigned char *comp_state;   /* [ITP_MAX_ARM_COMPONENTS * state_stride] */
    size_t state_stride;
    void *model_patient;         /* the model's per-patient draws */
} itp_sim_ws;

struct itp_model_type {
    const char *name;
    const char *description;
    /* Reads the model's settings (its group in the scenario and defaults). */
    itp_status (*parse)(itp_reader *rd, itp_scenario *scn, void **params);
    void (*free)(void *params);
    size_t patient_size;   /* bytes of per-patient draws */
    /* Arm-independent draws (baseline count, random effects, event times)
     * from the baseline stream r. Returns the true baseline count, or NaN
     * when the model has none (strata cannot be cut from it). */
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

/* The state: TPO-RA concentration (mg/L), transit compartments, platelets,
 * remission fraction. */
enum { ITP_S_C, ITP_S_T1, ITP_S_T2, ITP_S_T3, ITP_S_T4, ITP_S_P, ITP_S_R, ITP_NSTATE };

/* Right-hand side of the ODE for a given drive and remission switch. */
void itp_kinetics_rhs(const itp_kinetics *k, const itp_drive *d, int in_remission,
                      const double *y, double *dydt);

/* Advances y by one day with n classical Runge-Kutta steps. */
void itp_kinetics_day(const itp_kinetics *k, const itp_drive *d, int in_remission,
                      int n, double *y);

/* The steady state for a constant drive outside remission. */
void itp_kinetics_steady(const itp_kinetics *k, const itp_drive *d, double *y);

#endif
