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
#include <stdio.h>
#include "itpsim/model.h"

/* ---- loading a scenario (sections.c) ------------------------------------- */

/* The sections of a scenario file a trial needs, read after the design in
 * this order: "model" (the patient model the design names, and its group),
 * "endpoints" (and followup.endpoint, the event-driven cut's endpoint),
 * "analysis"; then "calibration", allowed and left unread (the calibrator
 * reads it, calibrate.h). */
extern const itp_scenario_section itp_trial_sections[];
extern const int itp_trial_n_sections;

/* Loads and validates a scenario with itp_trial_sections
 * (itp_scenario_load_sections, scenario.h, says what fails and how). */
itp_status itp_scenario_load(itp_scenario **out, const char *file,
                             const char *defaults_file,
                             const char *const *overrides, int n_overrides,
                             FILE *resolved, char *err, size_t errlen);

/* The same, followed by the n_extra sections of a tool (its own section). */
itp_status itp_scenario_load_with(itp_scenario **out, const char *file,
                                  const char *defaults_file,
                                  const char *const *overrides, int n_overrides,
                                  const itp_scenario_section *extra, int n_extra,
                                  FILE *resolved, char *err, size_t errlen);

/* ---- one replicate ------------------------------------------------------- */

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
