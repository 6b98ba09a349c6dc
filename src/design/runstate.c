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
 * itp_mc_summary differs refuses it instead of misreading it. The header
 * also says what ran (the scenario file, the defaults, every --set, one
 * per line), for --resume and merge; a shard's folder holds the same
 * state as shard.state, with its first replicate. */
#define STATE_MAGIC "itpsim-run-state 2"

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
    fprintf(f, "%s\nhash %s\nseed %llu\nreps %ld\nfirst %ld %d\nprecision %a\nnull %d\n"
               "patients %d\nhas_null %d\nlayout %zu %d %d %d %d\n",
            STATE_MAGIC, hash ? hash : "", (unsigned long long)o->seed, o->reps, o->first, o->shard,
            o->precision, o->null, o->patients, res->has_null, sizeof(itp_mc_summary),
            scn->plan.n_hyp, scn->n_arms, ITP_MC_BINS, ITP_MC_TIME_BINS);
    /* what ran: a line each, as given (no newline can be in them: they came
     * from the command line's arguments, which the state refuses otherwise) */
    int n_sets = o->sets ? o->n_sets : 0;
    fprintf(f, "file %s\ndefaults %s\nsets %d\n", o->file ? o->file : "",
            o->defaults ? o->defaults : "", n_sets);
    for (int i = 0; i < n_sets; i++)
        fprintf(f, "set %s\n", o->sets[i]);
    fprintf(f, "payload %zu %016llx\n", bytes, (unsigned long long)sum);
    for (int i = 0; i < np; i++)
        fwrite(part[i].p, 1, part[i].n, f);
}

/* The header of a state file up to its payload line, into saved; the
 * layout numbers into lay (5 of them), the payload's bytes and checksum. */
static int read_header(FILE *f, itp_run_saved *saved, size_t *layout, int *lay, int *has_null,
                       size_t *bytes, unsigned long long *sum)
{
    char line[256];
    unsigned long long seed = 0;
    int ok = 1;
    memset(saved, 0, sizeof *saved);
    ok &= fgets(line, sizeof line, f) && !strncmp(line, STATE_MAGIC "\n", sizeof STATE_MAGIC);
    ok &= fscanf(f, "hash %31s\n", saved->hash) == 1;
    ok &= fscanf(f, "seed %llu\n", &seed) == 1;
    ok &= fscanf(f, "reps %ld\n", &saved->reps) == 1;
    ok &= fscanf(f, "first %ld %d\n", &saved->first, &saved->shard) == 2;
    /* %a wrote it; strtod reads hexadecimal floats exactly */
    ok &= fscanf(f, "precision %63s\n", line) == 1;
    if (ok)
        saved->precision = strtod(line, NULL);
    ok &= fscanf(f, "null %d\n", &saved->null) == 1;
    ok &= fscanf(f, "patients %d\n", &saved->patients) == 1;
    ok &= fscanf(f, "has_null %d\n", has_null) == 1;
    ok &= fscanf(f, "layout %zu %d %d %d %d\n", layout, &lay[0], &lay[1], &lay[2], &lay[3]) == 5;
    /* what ran: whole lines */
    char *text = NULL;
    size_t cap = 0;
    struct { const char *key; char *out; size_t len; } kv[2] = {
        {"file ", saved->file, sizeof saved->file},
        {"defaults ", saved->defaults, sizeof saved->defaults}};
    for (int k = 0; ok && k < 2; k++) {
        ssize_t n = getline(&text, &cap, f);
        size_t kl = strlen(kv[k].key);
        ok = n > 0 && !strncmp(text, kv[k].key, kl) && text[n - 1] == '\n' &&
             (size_t)n - kl - 1 < kv[k].len;
        if (ok)
            snprintf(kv[k].out, kv[k].len, "%.*s", (int)((size_t)n - kl - 1), text + kl);
    }
    ok = ok && fscanf(f, "sets %d\n", &saved->n_sets) == 1 && saved->n_sets >= 0 &&
         saved->n_sets <= ITP_RUN_MAX_SETS;
    for (int i = 0; ok && i < saved->n_sets; i++) {
        ssize_t n = getline(&text, &cap, f);
        ok = n > 4 && !strncmp(text, "set ", 4) && text[n - 1] == '\n' &&
             (size_t)n - 5 < sizeof saved->sets[i];
        if (ok)
            snprintf(saved->sets[i], sizeof saved->sets[i], "%.*s", (int)(n - 5), text + 4);
    }
    free(text);
    ok = ok && fscanf(f, "payload %zu %llx", bytes, sum) == 2 && fgetc(f) == '\n';
    saved->seed = seed;
    return ok;
}

/* The state to resume in dir: run.state, or when there is none the
 * checkpoint of a run killed outright. */
static const char *resume_state(const char *dir)
{
    char path[1100];
    struct stat sb;
    snprintf(path, sizeof path, "%s/%s", dir, STATE_FILE);
    if (lstat(path, &sb) == 0)
        return STATE_FILE;
    snprintf(path, sizeof path, "%s/%s", dir, CHECKPOINT_FILE);
    return lstat(path, &sb) == 0 ? CHECKPOINT_FILE : STATE_FILE;
}

itp_status itp_run_state_peek(const char *dir, const char *name, itp_run_saved *saved,
                              char *err, size_t errlen)
{
    char path[1100];
    if (!strcmp(name, STATE_FILE))
        name = resume_state(dir);
    size_t layout, bytes;
    unsigned long long sum;
    int lay[4], has_null;
    snprintf(path, sizeof path, "%s/%s", dir, name);
    FILE *f = fopen(path, "rb");
    if (!f) {
        snprintf(err, errlen, "%s: cannot read it: %s", path, strerror(errno));
        return ITP_EINPUT;
    }
    int ok = read_header(f, saved, &layout, lay, &has_null, &bytes, &sum);
    fclose(f);
    if (!ok) {
        snprintf(err, errlen, "%s: damaged (not a state written by this version of itpsim)",
                 path);
        return ITP_EINPUT;
    }
    return ITP_OK;
}

itp_status itp_run_state_read(const char *dir, const itp_scenario *scn, itp_run_saved *saved,
                              itp_run_result *res, char *err, size_t errlen)
{
    return itp_run_state_read_file(dir, resume_state(dir), scn, saved, res, err, errlen);
}

itp_status itp_run_state_read_file(const char *dir, const char *name, const itp_scenario *scn,
                                   itp_run_saved *saved, itp_run_result *res, char *err,
                                   size_t errlen)
{
    char path[1100];
    snprintf(path, sizeof path, "%s/%s", dir, name);
    memset(saved, 0, sizeof *saved);
    itp_status st = itp_run_result_init(res, scn);
    if (st)
        return st;
    FILE *f = fopen(path, "rb");
    if (!f) {
        snprintf(err, errlen, "%s: no %s to read (%s: %s)", dir,
                 strcmp(name, ITP_SHARD_STATE) ? "interrupted run" : "shard", path,
                 strerror(errno));
        return ITP_EINPUT;
    }
    unsigned long long sum = 0;
    size_t layout = 0, bytes = 0;
    int lay[4] = {-1, -1, -1, -1}, has_null = 0;
    int ok = read_header(f, saved, &layout, lay, &has_null, &bytes, &sum);
    int nh = lay[0], na = lay[1], bins = lay[2], tbins = lay[3];
    if (!ok) {
        fclose(f);
        snprintf(err, errlen, "%s: damaged (not a state written by this version of itpsim)",
                 path);
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
    /* a killed run's rows: those its checkpoint counts, the first */
    int prefix = !strcmp(resume_state(dir), CHECKPOINT_FILE);
    long rows = res->design.reps + (res->has_null ? res->null.reps : 0);
    snprintf(path, sizeof path, "%s/%s", dir, prefix ? CHECKPOINT_ROWS : "replicates.csv");
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
    while (ok && !(prefix && row > rows) && (n = getline(&line, &cap, f)) > 0) {
        if (prefix && line[n - 1] != '\n') {
            ok = 0;
        } else if (row++ == 0) {
            ok = (size_t)n == wlen && !memcmp(line, want, wlen);
        } else if (!strncmp(line, "design,", 7)) {
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
                                        "replicates.csv", STATE_FILE, CHECKPOINT_FILE, NULL};
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
    snprintf(path, sizeof path, "%s/%s", dir, CHECKPOINT_FILE);
    int killed = lstat(path, &sb) == 0;
    snprintf(path, sizeof path, "%s/%s", dir, STATE_FILE);
    if (killed || lstat(path, &sb) == 0) {
        snprintf(err, errlen,
                 "%s holds an interrupted run (%s): continue it with --resume %s, or start "
                 "over with --force",
                 dir, killed && lstat(path, &sb) != 0 ? "killed, its checkpoint " CHECKPOINT_FILE
                                                     : STATE_FILE, dir);
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

/* ---- shards --------------------------------------------------------------------- */

/* a += b, both summaries of scn. */
static void summary_add(itp_mc_summary *a, const itp_mc_summary *b, const itp_scenario *scn)
{
    a->reps += b->reps;
    a->any_rejected += b->any_rejected;
    a->all_rejected += b->all_rejected;
    for (int k = 0; k < ITP_MAX_HYPOTHESES; k++) {
        a->rejected[k] += b->rejected[k];
        a->harm_rejected[k] += b->harm_rejected[k];
        a->flagged[k] += b->flagged[k];
        a->covered[k] += b->covered[k];
        a->coverable[k] += b->coverable[k];
        a->est_n[k] += b->est_n[k];
    }
    for (size_t i = 0; i < est_len(scn); i++)
        a->est_hist[i] += b->est_hist[i];
    for (size_t i = 0; i < time_len(scn); i++)
        a->median_hist[i] += b->median_hist[i];
    for (int r = 0; r < ITP_MAX_ARMS; r++) {
        a->landmark_sum[r] += b->landmark_sum[r];
        a->landmark_n[r] += b->landmark_n[r];
        a->median_over[r] += b->median_over[r];
        a->median_n[r] += b->median_n[r];
        a->arm_n_sum[r] += b->arm_n_sum[r];
        a->arm_events_sum[r] += b->arm_events_sum[r];
        for (int e = 0; e < ITP_MAX_ENDPOINTS; e++) {
            a->rate_sum[e][r] += b->rate_sum[e][r];
            a->rate_n[e][r] += b->rate_n[e][r];
        }
    }
    a->cut_sum += b->cut_sum;
    a->events_sum += b->events_sum;
    for (int k = 0; k < ITP_GS_STAGES; k++) {
        a->gs_held[k] += b->gs_held[k];
        a->gs_eff[k] += b->gs_eff[k];
        a->gs_fut[k] += b->gs_fut[k];
        a->gs_bound_n[k] += b->gs_bound_n[k];
        a->gs_t_sum[k] += b->gs_t_sum[k];
        a->gs_month_sum[k] += b->gs_month_sum[k];
        a->gs_bound_sum[k] += b->gs_bound_sum[k];
    }
}

/* A row of a shard's replicates.csv, with where one run puts it: design
 * and null interleaved by chunk (run.c), each chunk in replicate order. */
typedef struct row {
    long chunk, rep;
    int null;
    char *text;
} row;

static int row_order(const void *pa, const void *pb)
{
    const row *a = pa, *b = pb;
    if (a->chunk != b->chunk)
        return (a->chunk > b->chunk) - (a->chunk < b->chunk);
    if (a->null != b->null)
        return a->null - b->null;
    return (a->rep > b->rep) - (a->rep < b->rep);
}

/* The rows of DIR/replicates.csv (under the header want) appended to
 * *rows; their counts must be the shard's design and null replicates. */
static itp_status read_rows(const char *dir, const char *want, long design, long null, row **rows,
                            size_t *n, size_t *cap, char *err, size_t errlen)
{
    char path[1100], *line = NULL;
    size_t lcap = 0;
    long got[2] = {0, 0};
    snprintf(path, sizeof path, "%s/replicates.csv", dir);
    FILE *f = fopen(path, "r");
    if (!f) {
        snprintf(err, errlen, "%s: cannot read it: %s", path, strerror(errno));
        return ITP_EINPUT;
    }
    ssize_t len = getline(&line, &lcap, f);
    int ok = len > 0 && !strcmp(line, want);
    while (ok && (len = getline(&line, &lcap, f)) > 0) {
        int nul = !strncmp(line, "null,", 5);
        char *end;
        long rep = strtol(line + (nul ? 5 : 7), &end, 10);
        ok = (nul || !strncmp(line, "design,", 7)) && *end == ',' && rep >= 0;
        if (!ok)
            break;
        if (*n == *cap) {
            size_t nc = *cap ? 2 * *cap : 1024;
            row *r = realloc(*rows, nc * sizeof *r);
            if (!r) {
                ok = 0;
                break;
            }
            *rows = r;
            *cap = nc;
        }
        row *r = &(*rows)[(*n)++];
        r->chunk = rep / ITP_MC_CHUNK;
        r->rep = rep;
        r->null = nul;
        r->text = strdup(line);
        ok = r->text != NULL;
        got[nul]++;
    }
    ok &= !ferror(f);
    fclose(f);
    free(line);
    if (!ok || got[0] != design || got[1] != null) {
        snprintf(err, errlen, "%s: does not match its shard.state (%ld design and %ld null "
                 "rows, expected %ld and %ld)", path, got[0], got[1], design, null);
        return ITP_EINPUT;
    }
    return ITP_OK;
}

typedef struct shard {
    const char *dir;
    itp_run_saved sv;
    itp_run_result res;
} shard;

static int by_first(const void *a, const void *b)
{
    long x = ((const shard *)a)->sv.first, y = ((const shard *)b)->sv.first;
    return (x > y) - (x < y);
}

itp_status itp_run_merge(const char *dir, const itp_scenario *scn, const char *hash,
                         const char *const *shards, int n, const itp_run_opts *o, char *err,
                         size_t errlen)
{
    shard *sh = calloc((size_t)(n > 0 ? n : 1), sizeof *sh);
    itp_run_result tot;
    itp_status st = sh ? itp_run_result_init(&tot, scn) : ITP_ENOMEM;
    int loaded = 0;
    for (int i = 0; !st && i < n; i++) {
        sh[i].dir = shards[i];
        st = itp_run_state_read_file(shards[i], ITP_SHARD_STATE, scn, &sh[i].sv, &sh[i].res, err,
                                     errlen);
        loaded = i + 1;
        if (st)
            break;
        const itp_run_saved *a = &sh[0].sv, *b = &sh[i].sv;
        const char *why = strcmp(b->hash, hash) ? "another scenario or other settings"
                          : b->seed != a->seed ? "another seed"
                          : b->null != a->null ? "the null version run or not"
                          : b->patients != a->patients ? "another sample size"
                          : sh[i].res.design.reps != b->reps ? "an unfinished run"
                                                             : NULL;
        if (why) {
            snprintf(err, errlen, "%s: a shard of %s than %s; merge refuses it", shards[i], why,
                     shards[0]);
            st = ITP_EINPUT;
        }
    }
    if (!st)
        qsort(sh, (size_t)n, sizeof *sh, by_first);
    long next = 0;
    for (int i = 0; !st && i < n; i++) {
        if (sh[i].sv.first != next) {
            snprintf(err, errlen, "%s: replicates %ld..%ld, %s: the shards must cover 0..N once "
                     "(a %s at replicate %ld)", sh[i].dir, sh[i].sv.first,
                     sh[i].sv.first + sh[i].sv.reps - 1,
                     sh[i].sv.first > next ? "gap" : "overlap",
                     sh[i].sv.first > next ? "gap" : "second shard", next);
            st = ITP_EINPUT;
            break;
        }
        next += sh[i].sv.reps;
        if (sh[i].res.has_null && !tot.has_null) {
            if ((st = itp_mc_summary_init(&tot.null, scn)))
                break;
            tot.has_null = 1;
        }
        summary_add(&tot.design, &sh[i].res.design, scn);
        if (sh[i].res.has_null)
            summary_add(&tot.null, &sh[i].res.null, scn);
    }
    itp_out rep = {0};
    char *want = NULL;
    size_t wlen = 0;
    FILE *hdr = st ? NULL : open_memstream(&want, &wlen);
    if (!st && !hdr)
        st = ITP_ENOMEM;
    if (hdr) {
        itp_replicates_header(scn, hdr);
        fclose(hdr);
    }
    if (!st)
        st = itp_mkdir_p(dir, err, errlen);
    if (!st)
        st = itp_out_open(&rep, dir, "replicates.csv", err, errlen);
    row *rows = NULL;
    size_t nrows = 0, rcap = 0;
    for (int i = 0; !st && i < n; i++)
        st = read_rows(sh[i].dir, want, sh[i].res.design.reps,
                       sh[i].res.has_null ? sh[i].res.null.reps : 0, &rows, &nrows, &rcap, err,
                       errlen);
    if (!st) {
        qsort(rows, nrows, sizeof *rows, row_order);
        fputs(want, rep.f);
        for (size_t i = 0; i < nrows; i++)
            fputs(rows[i].text, rep.f);
    }
    for (size_t i = 0; i < nrows; i++)
        free(rows[i].text);
    free(rows);
    free(want);
    if (!st) {
        itp_run_opts mo = *o;
        mo.seed = sh[0].sv.seed;
        mo.reps = next;
        mo.first = 0;
        mo.shard = 0;
        mo.null = sh[0].sv.null;
        mo.patients = sh[0].sv.patients;
        tot.complete = 1;
        st = itp_write_results(dir, scn, &mo, &tot, hash, &rep, err, errlen);
    }
    itp_out_abort(&rep);
    for (int i = 0; i < loaded; i++)
        itp_run_result_free(&sh[i].res);
    if (sh)
        itp_run_result_free(&tot);
    free(sh);
    return st;
}
