/* One replicate trial: enrolment, stratification, allocation, and every
 * patient simulated by the scenario's model into an itp_record.
 *
 * Randomness: enrolment times come from stream (seed, r, 0, ENROL), the
 * allocation sequence from (seed, r, 0, ALLOC), each patient from its own
 * streams (seed, r, i, ...). So patient i is the same patient, in the same
 * arm, whatever the sample size beyond i, and a replicate is the same
 * whichever thread runs it. */
#ifndef ITPSIM_TRIAL_H
#define ITPSIM_TRIAL_H

#include <stdint.h>
#include "itpsim/model.h"

/* Per-thread simulation workspace for this scenario. */
itp_status itp_sim_ws_create(itp_sim_ws **out, const itp_scenario *scn);
void itp_sim_ws_free(itp_sim_ws *ws);

/* Sequential allocation: permuted blocks per stratum or simple. */
typedef struct itp_allocator {
    int pos[ITP_MAX_STRATA];               /* next slot in the stratum's block */
    unsigned char block[ITP_MAX_STRATA][64];
} itp_allocator;

void itp_allocator_init(itp_allocator *al);
/* The arm of the next patient of stratum s, drawn from r. */
int itp_allocator_next(itp_allocator *al, const itp_scenario *scn, gsl_rng *r, int s);

/* Enrolment days of n patients, ascending, from r. */
void itp_enrol_days(const itp_scenario *scn, gsl_rng *r, itp_patient *pts, int n);

/* The combined stratum of a patient with this baseline count, random
 * factors drawn from r. */
int itp_stratum(const itp_scenario *scn, double baseline, gsl_rng *r);

/* Simulates replicate `replicate` of scn with n patients (n <= 0: the
 * scenario's). rec is reset and filled. */
itp_status itp_trial_simulate(const itp_scenario *scn, uint64_t seed, uint64_t replicate,
                              int n, itp_sim_ws *ws, itp_record *rec);

#endif
