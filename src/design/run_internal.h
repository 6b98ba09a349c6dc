/* Shared by the files of a run (run.c, runfiles.c, runstate.c). */
#ifndef ITPSIM_RUN_INTERNAL_H
#define ITPSIM_RUN_INTERNAL_H

#include <stdio.h>
#include "itpsim/run.h"

/* The file of an interrupted run's state, in the output folder. */
#define STATE_FILE "run.state"
/* The checkpoint of a run still going (or killed outright): its state as
 * run.state has it, and a second name (a hard link) of the replicates.csv
 * being written, whose first rows the state counts. */
#define CHECKPOINT_FILE ".run.checkpoint"
#define CHECKPOINT_ROWS ".run.checkpoint.csv"

/* run.state: the options, the scenario's hash and the aggregates of the
 * completed replicates, for --resume. */
void itp_run_write_state(FILE *f, const itp_scenario *scn, const itp_run_opts *o,
                         const itp_run_result *res, const char *hash);

#endif
