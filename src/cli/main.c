/* itpsim: the command line. It parses arguments and calls the modules;
 * it simulates nothing itself. Exit codes: 0 success, 1 run failure,
 * 2 bad input (usage or scenario). The commands are in commands.c, the
 * options they share in options.c. */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <gsl/gsl_errno.h>
#ifdef ITP_MPI
#include <mpi.h>
#endif
#include "itpsim/plot.h"
#include "cli.h"

static const char usage_main[] =
    "itpsim: Monte Carlo design of immune thrombocytopenia (ITP) trials\n"
    "\n"
    "usage: itpsim COMMAND [options]\n"
    "commands:\n"
    "  run SCENARIO          power and type I error by simulation\n"
    "  samplesize SCENARIO   smallest sample size reaching a target power\n"
    "  sweep SCENARIO        power over a grid of settings\n"
    "  compare A.cfg B.cfg ...  designs side by side, paired by common random numbers\n"
    "  calibrate SCENARIO    fit model parameters to published results\n"
    "  check SCENARIO        validate a scenario and print every resolved setting\n"
    "  simulate SCENARIO     simulate one replicate trial: per-patient and per-visit CSV\n"
    "  plot DIR              pictures (gnuplot) and report.html of the results in DIR\n"
    "  merge OUT SHARD...    combine the shards of run --replicates into one run\n"
    "  help [COMMAND]        this text, or a command's options\n"
    "  --version             the version\n"
    "Run 'itpsim COMMAND --help' for a command's options.\n"
    "Exit codes: 0 success, 1 run failure, 2 bad input.\n";

int itp_cli_argc;
char **itp_cli_argv;

static int dispatch(int argc, char **argv)
{
    itp_cli_argc = argc;
    itp_cli_argv = argv;
    /* GSL's default handler aborts; every GSL status is checked instead. */
    gsl_set_error_handler_off();
    if (argc < 2) {
        fputs(usage_main, stderr);
        return 2;
    }
    const char *cmd = argv[1];
    for (const itp_cli_command *c = itp_cli_commands; c->name; c++)
        if (!strcmp(cmd, c->name))
            return c->run(argc - 2, argv + 2);
    if (!strcmp(cmd, "--version") || !strcmp(cmd, "version")) {
        printf("itpsim %s\n", ITP_VERSION);
        return 0;
    }
    if (!strcmp(cmd, "help") || !strcmp(cmd, "-h") || !strcmp(cmd, "--help")) {
        const char *topic = argc > 2 ? argv[2] : NULL;
        for (const itp_cli_command *c = itp_cli_commands; topic && c->name; c++)
            if (!strcmp(topic, c->name)) {
                printf("%s%s", c->usage, usage_common);
                return 0;
            }
        if (topic)
            return usage_error(NULL, "help: no command '%s'", topic);
        fputs(usage_main, stdout);
        return 0;
    }
    return usage_error(NULL, "unknown command '%s'", cmd);
}

/* A command, then its standard output flushed: output that could not be
 * written (a full disk, /dev/full, a closed pipe) fails a command that
 * would otherwise succeed, with exit code 1. */
static int run_command(int argc, char **argv)
{
    int rc = dispatch(argc, argv);
    errno = 0;
    if ((fflush(stdout) != 0 || ferror(stdout)) && (rc == 0 || rc == 130)) {
        fprintf(stderr, "itpsim%s%s: standard output: %s\n", argc > 1 ? " " : "",
                argc > 1 ? argv[1] : "", strerror(errno ? errno : EIO));
        rc = 1;
    }
    return rc;
}

#ifdef ITP_MPI
/* itpsim-mpi: every rank runs the same command; the replicates are shared
 * out in the engine (engine.c). Rank 0 alone prints and writes files; the
 * other ranks' output goes to /dev/null. Every rank exits with rank 0's
 * code, and not before rank 0 has written its files, so that mpirun sees
 * neither an early exit nor another rank's view of the outcome. Only the
 * calling thread of the engine calls MPI (MPI_THREAD_FUNNELED). */
int main(int argc, char **argv)
{
    int provided = 0, rank = 0;
    if (MPI_Init_thread(&argc, &argv, MPI_THREAD_FUNNELED, &provided) != MPI_SUCCESS) {
        fputs("itpsim: MPI_Init_thread failed\n", stderr);
        return 1;
    }
    MPI_Comm_rank(MPI_COMM_WORLD, &rank);
    if (rank != 0 && (!freopen("/dev/null", "w", stdout) || !freopen("/dev/null", "w", stderr)))
        MPI_Abort(MPI_COMM_WORLD, 1);
    int rc = run_command(argc, argv);
    fflush(stdout);
    fflush(stderr);
    MPI_Bcast(&rc, 1, MPI_INT, 0, MPI_COMM_WORLD);
    MPI_Finalize();
    return rc;
}
#else
int main(int argc, char **argv)
{
    return run_command(argc, argv);
}
#endif
