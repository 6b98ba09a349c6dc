/* Library-level benchmarks of one thread, timed in thread CPU time (so that
 * other work on a shared machine inflates them less than wall time):
 *
 *   bench_trial model SCENARIO REPS [PATH=VALUE...]
 *       the patient model alone (itp_trial_simulate: enrolment, allocation
 *       and every patient's simulation, no endpoints or analysis): prints
 *       "ns_per_patient_day patient_days_per_replicate"
 *   bench_trial replicate SCENARIO REPS [PATH=VALUE...]
 *       whole replicates (itp_mc_replicate: simulation, data cut, endpoints,
 *       tests, multiplicity, Kaplan-Meier): prints "ms_per_replicate
 *       patient_days_per_replicate"
 *
 * Overrides are applied as `--set` would. A patient-day is a simulated day
 * of follow-up: day 0 to the patient's last day, inclusive. Replicates
 * 0..REPS-1 with seed 1, after one untimed warm-up replicate. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include "itpsim/montecarlo.h"
#include "itpsim/trial.h"

static double cpu_now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
    return (double)ts.tv_sec + 1e-9 * (double)ts.tv_nsec;
}

static double patient_days(const itp_record *rec)
{
    double days = 0.0;
    for (int i = 0; i < rec->n_patients; i++)
        if (rec->patients[i].last_day >= 0)
            days += rec->patients[i].last_day + 1;
    return days;
}

int main(int argc, char **argv)
{
    if (argc < 4 || (strcmp(argv[1], "model") && strcmp(argv[1], "replicate"))) {
        fputs("usage: bench_trial model|replicate SCENARIO REPS [PATH=VALUE...]\n", stderr);
        return 2;
    }
    int whole = strcmp(argv[1], "replicate") == 0;
    long reps = strtol(argv[3], NULL, 10);
    char err[1024];
    itp_scenario *scn = NULL;
    const char *defaults = getenv("ITPSIM_DEFAULTS") ? getenv("ITPSIM_DEFAULTS")
                                                     : "config/defaults.cfg";
    if (reps < 1 || itp_scenario_load(&scn, argv[2], defaults, (const char *const *)argv + 4,
                                      argc - 4, NULL, err, sizeof err)) {
        fprintf(stderr, "bench_trial: %s\n", reps < 1 ? "REPS must be >= 1" : err);
        return 2;
    }
    itp_sim_ws *sws = NULL;
    itp_mc_ws *mws = NULL;
    itp_record rec;
    itp_record_init(&rec);
    if (itp_sim_ws_create(&sws, scn) || itp_mc_ws_create(&mws, scn, 0)) {
        fputs("bench_trial: out of memory\n", stderr);
        return 1;
    }
    /* Patient-days simulated: in "replicate" mode a patient stops once its
     * outcomes are settled, and the days counted are those. */
    if (whole)
        itp_mc_stop_settled(scn, sws);
    double days = 0.0;
    for (long r = 0; r < reps; r++) {
        if (itp_trial_simulate(scn, 1, (uint64_t)r, 0, sws, &rec))
            return 1;
        days += patient_days(&rec);
    }
    itp_rep_result res;
    if (whole ? itp_mc_replicate(scn, 1, 0, 0, mws, &res)
              : itp_trial_simulate(scn, 1, 0, 0, sws, &rec))
        return 1;
    double t0 = cpu_now();
    for (long r = 0; r < reps; r++) {
        itp_status st = whole ? itp_mc_replicate(scn, 1, (uint64_t)r, 0, mws, &res)
                              : itp_trial_simulate(scn, 1, (uint64_t)r, 0, sws, &rec);
        if (st)
            return 1;
    }
    double t = cpu_now() - t0;
    if (whole)
        printf("%.4f %.0f\n", 1e3 * t / (double)reps, days / (double)reps);
    else
        printf("%.3f %.0f\n", 1e9 * t / days, days / (double)reps);
    itp_mc_ws_free(mws);
    itp_sim_ws_free(sws);
    itp_record_free(&rec);
    itp_scenario_free(scn);
    return 0;
}
