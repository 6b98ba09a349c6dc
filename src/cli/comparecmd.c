/* `itpsim compare`: several designs with the same seed and replicates,
 * each run into a folder of its own (as `run` writes one), then compared
 * replicate by replicate (compare.h). */
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "itpsim/compare.h"
#include "itpsim/plot.h"
#include "itpsim/report.h"
#include "itpsim/run.h"
#include "itpsim/scenario.h"

#include "cli.h"

const char usage_compare[] =
    "usage: itpsim compare A.cfg B.cfg [C.cfg ...] [-o DIR] [-n REPS] [-s SEED] [-j THREADS]\n"
    "                      [--no-null] [--force] [--quiet] [options]\n"
    "Runs every design (and its null version) with the same seed and replicates, so\n"
    "that replicate r of each design has the same patients' random numbers (common\n"
    "random numbers), each into DIR/designs/NAME (NAME: the file's name without .cfg;\n"
    "-2, -3 for a repeated name), the files `run` writes. Then compares them, matching\n"
    "hypotheses by name: DIR/compare.csv (per design and hypothesis: power, type I\n"
    "error, family-wise error, expected patients, duration and events, with Monte\n"
    "Carlo errors), DIR/compare_arms.csv (per design and arm), DIR/compare_diff.csv\n"
    "(each design's difference from the first, replicate by replicate, with the paired\n"
    "MCSE sd(d)/sqrt(REPS) and the unpaired one), DIR/compare.json (the files, their\n"
    "hashes, seed, replicates, --set, version, command) and DIR/report.html.\n"
    "  -n REPS          replicates per design (default 1000)\n"
    "  -s SEED          random seed (default 1)\n"
    "  -j THREADS       threads; results do not depend on it\n"
    "  -o DIR           output folder (default results/compare)\n"
    "  --no-null        skip the null versions (no type I error)\n"
    "  --force          overwrite a design folder holding another scenario's results\n"
    "  --quiet          no progress on stderr\n"
    "  --set PATH=VALUE applies to every design\n"
    "Exit codes: 0 success, 1 run failure, 2 bad input (a file named with its line),\n"
    "130 interrupted (the design folders hold what ran, marked partial).\n";

/* The designs' scenarios, loaded before anything runs. */
typedef struct designs {
    int n;
    itp_scenario *scn[MAX_FILES];
    char hash[MAX_FILES][25];
} designs;

static void designs_free(designs *ds)
{
    for (int i = 0; i < ds->n; i++)
        itp_scenario_free(ds->scn[i]);
    ds->n = 0;
}

/* Every file loaded and checked (its message printed): 0 or an exit code. */
static int load_designs(const options *o, designs *ds)
{
    for (int i = 0; i < o->n_files; i++) {
        options one = *o;
        one.scenario = o->files[i];
        int rc = load_with_hash(&one, &ds->scn[ds->n], NULL, ds->hash[ds->n]);
        if (rc)
            return rc;
        ds->n++;
        if (ds->scn[i]->plan.n_hyp == 0) {
            fprintf(stderr, "itpsim compare: %s: no analysis plan (section analysis): nothing "
                            "to compare\n", o->files[i]);
            return 2;
        }
    }
    return 0;
}

/* DIR/designs/NAME into buf. */
static const char *design_dir(const char *dir, const itp_cmp_design *d, char *buf, size_t len)
{
    snprintf(buf, len, "%s/designs/%s", dir, d->name);
    return buf;
}

/* Every design folder made, locked and checked before the first runs: a
 * folder of another scenario's results (without --force) is refused then. */
static itp_status check_folders(const options *o, const itp_compare *c, char *err,
                                size_t errlen)
{
    char path[PATH_MAX];
    itp_status st = itp_mkdir_p(o->outdir, err, errlen);
    for (int i = 0; !st && i < c->n; i++) {
        design_dir(o->outdir, &c->d[i], path, sizeof path);
        st = itp_mkdir_p(path, err, errlen);
        if (!st && !o->force)
            st = itp_run_dir_check(path, c->d[i].scn, c->d[i].hash, o->seed, err, errlen);
    }
    return st;
}

/* Design i run into its folder, its replicates paired with the first's. */
static itp_status run_design(const options *o, itp_compare *c, int i, const itp_run_opts *base,
                             char *err, size_t errlen)
{
    itp_cmp_design *d = &c->d[i];
    char path[PATH_MAX];
    design_dir(o->outdir, d, path, sizeof path);
    itp_run_opts ro = *base;
    ro.label = d->name;
    ro.file = d->file;
    ro.rows = itp_compare_rows;
    ro.rows_ctx = c;
    itp_run_result res;
    itp_out rep = {0};
    memset(&res, 0, sizeof res);
    itp_compare_start(c, i);
    itp_status st = run_start(path, d->scn, d->hash, o->seed, o->force, &res, &rep, err, errlen);
    if (!st)
        st = run_finish(path, d->scn, &ro, d->hash, &res, &rep, err, errlen);
    if (st == ITP_EIO && rep.f && !err[0])
        itp_out_commit(&rep, err, errlen);   /* names the write error; removes the file */
    itp_out_abort(&rep);
    if (st == ITP_EINTERRUPT)
        fprintf(stderr, "itpsim compare: %s: stopped in %s; its %ld completed replicates are "
                        "there, marked partial; no comparison written (start it over with --force)\n",
                run_stop_signal(), path, res.design.reps + (res.has_null ? res.null.reps : 0L));
    if (st) {
        itp_run_result_free(&res);
        return st;
    }
    itp_compare_done(c, i, &res);
    return ITP_OK;
}

int cmd_compare(int argc, char **argv)
{
    options o = {.seed = 1, .outdir = "results/compare"};
    int rc = parse_options("compare", usage_compare, argc, argv, &o, "sonjRNqFM");
    if (rc >= 0)
        return rc;
    if (o.n_files < 2)
        return usage_error("compare", "%s", "expected at least two scenario files (A.cfg B.cfg)");
    static designs ds;
    if ((rc = load_designs(&o, &ds))) {
        designs_free(&ds);
        return rc;
    }
    char err[1200] = "", dbuf[PATH_MAX + 32], prov[8192];
    int threads = o.threads ? o.threads : default_threads();
    const char *defaults_file = find_defaults(&o, dbuf, sizeof dbuf);
    provenance_json(defaults_file, threads, prov, sizeof prov);
    itp_run_opts ro = {.seed = o.seed, .reps = o.n ? o.n : 1000L, .threads = threads,
                       .null = !o.no_null, .quiet = o.quiet, .provenance = prov,
                       .defaults = o.defaults ? defaults_file : NULL, .sets = o.sets,
                       .n_sets = o.n_sets};
    itp_compare c;
    itp_status st = itp_compare_init(&c, ro.reps, ro.null);
    for (int i = 0; !st && i < ds.n; i++)
        st = itp_compare_add(&c, o.files[i], ds.hash[i], ds.scn[i], err, sizeof err);
    if (!st)
        st = check_folders(&o, &c, err, sizeof err);
    for (int i = 0; !st && i < c.n; i++)
        st = run_design(&o, &c, i, &ro, err, sizeof err);
    itp_compare_info info = {o.seed, o.sets, o.n_sets, prov};
    if (!st)
        st = itp_compare_write(o.outdir, &c, &info, err, sizeof err);
    if (!st)
        st = itp_compare_report(o.outdir, err, sizeof err);
    if (!st) {
        itp_compare_print(&c, stdout);
        if (!o.quiet)
            fprintf(stderr, "itpsim compare: results in %s (compare.csv, compare_arms.csv, "
                            "compare_diff.csv, compare.json, report.html; each design's run in "
                            "designs/)\n", o.outdir);
    } else if (st != ITP_EINTERRUPT) {
        fprintf(stderr, "itpsim compare: %s\n", err[0] ? err : itp_strerror(st));
    }
    itp_compare_free(&c);
    designs_free(&ds);
    return itp_exit_code(st);
}
