/* The state of an interrupted run (run.state, the completed part of
 * replicates.csv) and which scenario wrote a folder; see run.h. */
#include "itpsim/json.h"
#include "itpsim/run.h"

#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>
#include "itpsim/report.h"
#include "run_internal.h"

/* NAN is a float; every NA here is a double. */
#define NA_D ((double)NAN)

/* ---- the state of an interrupted run ------------------------------------------ */

/* DIR/run.state: a text header with the run's options and the layout of the
 * aggregates, then the aggregates themselves as bytes: the itp_mc_summary
 * structs (their histogram pointers are replaced on reading) and their
 * histograms, for the design and, once started, the null version, with an
 * FNV-1a checksum. Bytes, not text, so that every sum comes back to the
 * last bit and the continued run aggregates exactly as an uninterrupted
 * one. The layout line ties the file to this build: a program whose
 * itp_mc_summary differs refuses it instead of misreading it. */
#define STATE_MAGIC "itpsim-run-state 1"

static uint64_t fnv1a(uint64_t h, const void *p, size_t n)
{
    const unsigned char *b = p;
    for (size_t i = 0; i < n; i++) {
        h ^= b[i];
        h *= 0x100000001b3ULL;
    }
    return h;
}

#define FNV_OFFSET 0xcbf29ce484222325ULL

void itp_run_hash(const char *text, size_t n, char out[25])
{
    snprintf(out, 25, "fnv1a64:%016llx", (unsigned long long)fnv1a(FNV_OFFSET, text, n));
}

static size_t est_len(const itp_scenario *scn)
{
    return (size_t)(scn->plan.n_hyp > 0 ? scn->plan.n_hyp : 1) * ITP_MC_BINS;
}

static size_t time_len(const itp_scenario *scn)
{
    return (size_t)scn->n_arms * ITP_MC_TIME_BINS;
}

/* The bytes of one summary, in order, fed to fn (fwrite or checksum). */
typedef struct state_part {
    void *p;
    size_t n;
} state_part;

static int state_parts(const itp_scenario *scn, const itp_run_result *res, state_part *part)
{
    int k = 0;
    const itp_mc_summary *s[2] = {&res->design, &res->null};
    for (int i = 0; i < 1 + res->has_null; i++) {
        part[k++] = (state_part){(void *)(uintptr_t)s[i], sizeof *s[i]};
        part[k++] = (state_part){s[i]->est_hist, est_len(scn) * sizeof *s[i]->est_hist};
        part[k++] = (state_part){s[i]->median_hist, time_len(scn) * sizeof *s[i]->median_hist};
    }
    return k;
}

void itp_run_write_state(FILE *f, const itp_scenario *scn, const itp_run_opts *o,
                         const itp_run_result *res, const char *hash)
{
    state_part part[6];
    int np = state_parts(scn, res, part);
    size_t bytes = 0;
    uint64_t sum = FNV_OFFSET;
    for (int i = 0; i < np; i++) {
        bytes += part[i].n;
        sum = fnv1a(sum, part[i].p, part[i].n);
    }
    fprintf(f, "%s\nhash %s\nseed %llu\nreps %ld\nprecision %a\nnull %d\npatients %d\n"
               "has_null %d\nlayout %zu %d %d %d %d\npayload %zu %016llx\n",
            STATE_MAGIC, hash ? hash : "", (unsigned long long)o->seed, o->reps, o->precision,
            o->null, o->patients, res->has_null, sizeof(itp_mc_summary), scn->plan.n_hyp,
            scn->n_arms, ITP_MC_BINS, ITP_MC_TIME_BINS, bytes, (unsigned long long)sum);
    for (int i = 0; i < np; i++)
        fwrite(part[i].p, 1, part[i].n, f);
}

itp_status itp_run_state_read(const char *dir, const itp_scenario *scn, itp_run_saved *saved,
                              itp_run_result *res, char *err, size_t errlen)
{
    char path[1100], line[256];
    snprintf(path, sizeof path, "%s/%s", dir, STATE_FILE);
    memset(saved, 0, sizeof *saved);
    itp_status st = itp_run_result_init(res, scn);
    if (st)
        return st;
    FILE *f = fopen(path, "rb");
    if (!f) {
        snprintf(err, errlen, "%s: no interrupted run to resume (%s: %s)", dir, path,
                 strerror(errno));
        return ITP_EINPUT;
    }
    unsigned long long seed = 0, sum = 0;
    size_t layout = 0, bytes = 0;
    int nh = -1, na = -1, bins = -1, tbins = -1, has_null = 0, ok = 1;
    ok &= fgets(line, sizeof line, f) && !strncmp(line, STATE_MAGIC "\n", sizeof STATE_MAGIC);
    ok &= fscanf(f, "hash %31s\n", saved->hash) == 1;
    ok &= fscanf(f, "seed %llu\n", &seed) == 1;
    ok &= fscanf(f, "reps %ld\n", &saved->reps) == 1;
    /* %a wrote it; strtod reads hexadecimal floats exactly */
    ok &= fscanf(f, "precision %63s\n", line) == 1;
    if (ok)
        saved->precision = strtod(line, NULL);
    ok &= fscanf(f, "null %d\n", &saved->null) == 1;
    ok &= fscanf(f, "patients %d\n", &saved->patients) == 1;
    ok &= fscanf(f, "has_null %d\n", &has_null) == 1;
    ok &= fscanf(f, "layout %zu %d %d %d %d\n", &layout, &nh, &na, &bins, &tbins) == 5;
    ok &= fscanf(f, "payload %zu %llx", &bytes, &sum) == 2 && fgetc(f) == '\n';
    saved->seed = seed;
    if (!ok) {
        fclose(f);
        snprintf(err, errlen, "%s: damaged (not a run state written by itpsim)", path);
        return ITP_EINPUT;
    }
    if (layout != sizeof(itp_mc_summary) || nh != scn->plan.n_hyp || na != scn->n_arms ||
        bins != ITP_MC_BINS || tbins != ITP_MC_TIME_BINS) {
        fclose(f);
        if (layout != sizeof(itp_mc_summary) || bins != ITP_MC_BINS || tbins != ITP_MC_TIME_BINS)
            snprintf(err, errlen, "%s: written by another version of itpsim; cannot resume it",
                     path);
        else
            snprintf(err, errlen,
                     "%s: the interrupted run is of another scenario (%d hypotheses, %d arms); "
                     "cannot resume it with this one",
                     path, nh, na);
        return ITP_EINPUT;
    }
    if (has_null && (st = itp_mc_summary_init(&res->null, scn))) {
        fclose(f);
        return st;
    }
    res->has_null = has_null != 0;
    /* Read each part over the freshly allocated summary, keeping its
     * histogram pointers. */
    state_part part[6];
    int np = state_parts(scn, res, part);
    size_t want = 0;
    uint64_t got = FNV_OFFSET;
    itp_mc_summary *s[2] = {&res->design, &res->null};
    for (int i = 0; i < np; i++)
        want += part[i].n;
    for (int i = 0; ok && i < np; i++) {
        itp_mc_summary keep = {0};
        if (i % 3 == 0)
            keep = *s[i / 3];
        ok = fread(part[i].p, 1, part[i].n, f) == part[i].n;
        got = fnv1a(got, part[i].p, part[i].n);
        if (i % 3 == 0) {
            s[i / 3]->est_hist = keep.est_hist;
            s[i / 3]->median_hist = keep.median_hist;
        }
    }
    ok &= fgetc(f) == EOF;
    fclose(f);
    if (!ok || want != bytes || got != sum || res->design.reps < 0 ||
        res->design.reps > saved->reps || (res->has_null && res->null.reps > res->design.reps)) {
        snprintf(err, errlen, "%s: damaged (truncated or altered); cannot resume it", path);
        return ITP_EINPUT;
    }
    return ITP_OK;
}

itp_status itp_replicates_resume(const char *dir, const itp_scenario *scn,
                                 const itp_run_result *res, FILE *out, char *err, size_t errlen)
{
    char path[1100], *want = NULL, *line = NULL;
    size_t wlen = 0, cap = 0;
    snprintf(path, sizeof path, "%s/replicates.csv", dir);
    FILE *hdr = open_memstream(&want, &wlen);
    if (!hdr)
        return ITP_ENOMEM;
    itp_replicates_header(scn, hdr);
    fclose(hdr);
    FILE *f = fopen(path, "r");
    if (!f) {
        snprintf(err, errlen, "%s: cannot read it to resume: %s", path, strerror(errno));
        free(want);
        return ITP_EINPUT;
    }
    long design = 0, null = 0, row = 0;
    int ok = 1;
    ssize_t n;
    while (ok && (n = getline(&line, &cap, f)) > 0) {
        if (row++ == 0) {
            ok = (size_t)n == wlen && !memcmp(line, want, wlen);
        } else if (!strncmp(line, "design,", 7)) {
            ok = null == 0;   /* design rows come first */
            design++;
        } else if (!strncmp(line, "null,", 5)) {
            null++;
        } else {
            ok = 0;
        }
        if (ok)
            fwrite(line, 1, (size_t)n, out);
    }
    ok &= !ferror(f);
    fclose(f);
    free(line);
    free(want);
    if (!ok || design != res->design.reps || null != (res->has_null ? res->null.reps : 0)) {
        snprintf(err, errlen,
                 "%s: does not match run.state (%ld design and %ld null rows, expected %ld and "
                 "%ld); cannot resume",
                 path, design, null, res->design.reps, res->has_null ? res->null.reps : 0L);
        return ITP_EINPUT;
    }
    return ITP_OK;
}

/* ---- which scenario wrote a folder ------------------------------------------- */

itp_status itp_run_dir_check(const char *dir, const itp_scenario *scn, const char *hash,
                             uint64_t seed, char *err, size_t errlen)
{
    static const char *const files[] = {"summary.json", "summary.csv", "arms.csv",
                                        "replicates.csv", STATE_FILE, NULL};
    char path[1100];
    const char *found = NULL;
    struct stat sb;
    for (int i = 0; files[i] && !found; i++) {
        snprintf(path, sizeof path, "%s/%s", dir, files[i]);
        if (lstat(path, &sb) == 0)
            found = files[i];
    }
    if (!found)
        return ITP_OK;
    snprintf(path, sizeof path, "%s/%s", dir, STATE_FILE);
    if (lstat(path, &sb) == 0) {
        snprintf(err, errlen,
                 "%s holds an interrupted run (%s): continue it with --resume %s, or start "
                 "over with --force",
                 dir, STATE_FILE, dir);
        return ITP_EINPUT;
    }
    char file[512] = "", h[64] = "", name[128] = "", sd[32] = "";
    snprintf(path, sizeof path, "%s/summary.json", dir);
    FILE *f = fopen(path, "r");
    if (f) {
        char *text = calloc(1, 65537);
        size_t n = text ? fread(text, 1, 65536, f) : 0;
        fclose(f);
        if (text) {
            text[n] = '\0';
            itp_json_get(text, "file", -1, file, sizeof file);
            itp_json_get(text, "scenario_hash", -1, h, sizeof h);
            itp_json_get(text, "scenario", -1, name, sizeof name);
            itp_json_get(text, "seed", -1, sd, sizeof sd);
            free(text);
        }
    }
    int same_file = file[0] && !strcmp(file, scn->file), same_hash = h[0] && hash && !strcmp(h, hash);
    if (same_file || same_hash) {
        uint64_t was = 0;
        for (const char *c = sd; *c >= '0' && *c <= '9'; c++)
            was = was * 10 + (uint64_t)(*c - '0');
        if (hash && h[0] && !same_hash) {
            snprintf(err, errlen,
                     "%s holds results of %s with other settings (another --set, or the file "
                     "changed since); use --force to overwrite them, or -o for another folder",
                     dir, file[0] ? file : name);
            return ITP_EINPUT;
        }
        if (sd[0] && was != seed) {
            snprintf(err, errlen,
                     "%s holds results of this scenario with seed %s, not %llu; use --force to "
                     "overwrite them, or -o for another folder",
                     dir, sd, (unsigned long long)seed);
            return ITP_EINPUT;
        }
        return ITP_OK;
    }
    if (file[0])
        snprintf(err, errlen,
                 "%s holds the results of another scenario ('%s', %s); use --force to "
                 "overwrite them, or -o for another folder",
                 dir, name, file);
    else
        snprintf(err, errlen,
                 "%s holds run results (%s) of an unknown scenario; use --force to overwrite "
                 "them, or -o for another folder",
                 dir, found);
    return ITP_EINPUT;
}
