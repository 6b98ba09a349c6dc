/* The command line's internal interface: the options, their parser and the
 * table of commands (options.c, commands.c, main.c). */
#ifndef ITPSIM_CLI_H
#define ITPSIM_CLI_H

#include <stdint.h>
#include <stdio.h>
#include "itpsim/assurance.h"
#include "itpsim/calibrate.h"
#include "itpsim/search.h"

#define MAX_SETS 64
#define MAX_FILES 32

typedef struct options {
    const char *scenario;
    const char *defaults;
    const char *outdir;
    uint64_t seed;
    long n;                /* -n: patients (simulate) or replicates (run, ...); 0: default */
    int threads;           /* -j; 0: OMP_NUM_THREADS or the core count */
    double precision;      /* --precision */
    int no_null, quiet;
    double power;          /* --power */
    const char *hypothesis;/* --hypothesis */
    long n_min, n_max;     /* --min, --max */
    int n_vary;
    itp_vary vary[ITP_MAX_VARY];
    int n_sets;
    const char *sets[MAX_SETS];
    const char *resume;    /* --resume DIR */
    int force;             /* --force */
    int plots;             /* --plots (run) */
    int evaluate;          /* --evaluate (calibrate) */
    long assurance;        /* --assurance K (run, sweep): parameter sets; 0: none */
    long assurance_reps;   /* --assurance-reps R (sweep): replicates per set; 0: 200 */
    const char *draws;     /* --draws FILE (--assurance) */
    int priors;            /* --priors (--assurance): the scenario's priors */
    int partial_nulls;     /* --partial-nulls (run) */
    long shard_from, shard_to; /* --replicates FROM:TO (run); shard_to 0: none */
    int n_files;           /* compare's scenarios (option letter 'M'): every argument */
    const char *files[MAX_FILES];
    unsigned given;        /* GIVEN_*: options set on the command line */
} options;

/* Options given explicitly, which a resumed run checks against the saved ones. */
enum { GIVEN_SEED = 1u, GIVEN_REPS = 2u, GIVEN_PRECISION = 4u, GIVEN_NULL = 8u, GIVEN_OUTDIR = 16u };

/* A command: its name, its entry point (the arguments after the name; the
 * exit code) and its usage text. */
typedef struct itp_cli_command {
    const char *name;
    int (*run)(int argc, char **argv);
    const char *usage;
} itp_cli_command;

/* NULL-terminated. */
extern const itp_cli_command itp_cli_commands[];

/* The commands of runcmd.c (run, merge) and searchcmd.c (samplesize,
 * sweep), with their usage texts, for the table in commands.c. */
int cmd_run(int argc, char **argv);
int cmd_merge(int argc, char **argv);
int cmd_samplesize(int argc, char **argv);
int cmd_sweep(int argc, char **argv);
int cmd_compare(int argc, char **argv);
extern const char usage_run[], usage_merge[], usage_samplesize[], usage_sweep[], usage_compare[];

/* The options every command takes, after its own usage text. */
extern const char usage_common[];

/* Prints "itpsim CMD: message" and the hint to --help; returns 2. */
int usage_error(const char *cmd, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* A whole number >= 0; 0 or -1. */
int parse_u64(const char *s, uint64_t *out);

/* Parses the arguments after the command into o; `allowed` lists the
 * option letters the command takes. Returns -1 to go on, else an exit code
 * (0 after --help). */
int parse_options(const char *cmd, const char *usage, int argc, char **argv, options *o,
                  const char *allowed);

/* The command line as given (main.c), for the provenance of results. */
extern int itp_cli_argc;
extern char **itp_cli_argv;

/* The provenance of a run, as a JSON object on one line into buf: the
 * version, the command line, the defaults file and its hash, the threads
 * and ranks, the date (UTC). The --set values have a line of their own in
 * summary.json. */
void provenance_json(const char *defaults, int threads, char *buf, size_t len);

/* The defaults file: --defaults, $ITPSIM_DEFAULTS, config/defaults.cfg
 * beside the program's folder, or in the current folder. */
const char *find_defaults(const options *o, char *buf, size_t len);

/* Loads o->scenario (resolved settings to `resolved` when not NULL) with
 * its calibration section, which every command checks (and whose settings
 * are part of the resolved ones) and which goes to *cal (NULL: not kept);
 * 0 or an exit code, the message printed. */
int load(const options *o, FILE *resolved, itp_scenario **scn, itp_cal_spec *cal);

/* The same, with the scenario's identifying hash. */
int load_with_hash(const options *o, itp_scenario **scn, itp_cal_spec *cal, char hash[25]);

/* A fresh run of scn into dir (run, and each design of compare): the
 * folder made and locked, checked (itp_run_dir_check, unless force), res
 * initialised and dir's replicates.csv opened (rep) with its header. */
itp_status run_start(const char *dir, const itp_scenario *scn, const char *hash, uint64_t seed,
                     int force, itp_run_result *res, itp_out *rep, char *err, size_t errlen);
/* Runs what res lacks (itp_run_continue) with checkpoints into dir and
 * SIGINT/SIGTERM caught, then writes the result files (itp_write_results).
 * ITP_OK, ITP_EINTERRUPT once the completed replicates are written marked
 * partial, or the error (a replicates.csv still open in rep: the caller
 * commits it to name a write error, or aborts it). */
itp_status run_finish(const char *dir, const itp_scenario *scn, itp_run_opts *ro,
                      const char *hash, itp_run_result *res, itp_out *rep, char *err,
                      size_t errlen);
/* The name of the signal that stopped the last run_finish. */
const char *run_stop_signal(void);

/* $OMP_NUM_THREADS or the core count. */
int default_threads(void);
/* The assurance options of o (--assurance K, --draws FILE or --priors)
 * into *ao for scenario and defaults, R replicates per set; draws is the
 * default draws file's buffer (fitted_draws.csv beside the defaults).
 * A usage error's exit code, or -1 when they are sound. */
int assurance_setup(const char *cmd, const options *o, const char *defaults, long reps,
                    char *draws, size_t len, itp_assurance_opts *ao);

#endif
