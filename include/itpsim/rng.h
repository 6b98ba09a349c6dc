/* Random streams keyed by (seed, replicate, patient, purpose).
 *
 * Every random draw in a simulation comes from a stream whose state is a pure
 * function of the run's seed, the replicate index, the patient index and a
 * purpose code. A replicate therefore does not depend on how replicates are
 * spread over threads, and patient i of replicate r is the same patient
 * whatever the sample size (common random numbers across designs).
 *
 * The generator is xoshiro256++ (Blackman and Vigna, "Scrambled linear
 * pseudorandom number generators", ACM TOMS 2021), wrapped as a gsl_rng_type
 * so every GSL distribution works on it. Its 256-bit state is filled from the
 * 64-bit key by SplitMix64, so re-keying costs four multiplications: cheap
 * enough to do once per patient and purpose. */
#ifndef ITPSIM_RNG_H
#define ITPSIM_RNG_H

#include <math.h>
#include <stdint.h>
#include <gsl/gsl_rng.h>

/* The generator type, for gsl_rng_alloc(itp_rng_xoshiro256pp). */
extern const gsl_rng_type *itp_rng_xoshiro256pp;

/* Purposes: each is an independent stream for one patient. Components draw
 * from the stream itp_component_stream_key gives (a hash of the type's name
 * with the top bit set, apart from these codes), so the same patient gets
 * the same draws for a drug whichever arm it is in. */
enum {
    ITP_STREAM_BASELINE = 1,   /* covariates, random effects, event times */
    ITP_STREAM_VISIT = 2,      /* day-to-day fluctuation, measurement error */
    ITP_STREAM_EVENTS = 3,     /* rescue response, bleeding, new therapy */
    ITP_STREAM_ENROL = 4,      /* enrolment times (patient index 0) */
    ITP_STREAM_ALLOC = 5,      /* allocation sequence (patient index 0) */
    ITP_STREAM_STRATA = 6,     /* random stratification factors */
    ITP_STREAM_NULL_RESPONSE = 7, /* null version: a single-arm hypothesis's
                                     response at p0 (+ endpoint index << 32) */
};

/* The 64-bit key of a stream: a hash of its four coordinates. */
uint64_t itp_rng_key(uint64_t seed, uint64_t replicate, uint64_t patient,
                     uint64_t purpose);

/* Re-key r (allocated with itp_rng_xoshiro256pp) to the given stream. */
void itp_rng_stream(gsl_rng *r, uint64_t seed, uint64_t replicate,
                    uint64_t patient, uint64_t purpose);

/* A unit exponential: -log(1 - u) with u the next uniform of r. The uniform
 * is a multiple of 2^-53 below 1, so 1 - u is exact and never 0, and one log
 * gives what gsl_ran_exponential(r, 1.0) gives through log1p (the two agree
 * to within an ulp; log costs about 12 ns here, log1p about 20). */
static inline double itp_rng_exp1(gsl_rng *r)
{
    return -log(1.0 - gsl_rng_uniform(r));
}

#endif
