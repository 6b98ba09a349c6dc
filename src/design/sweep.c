/* Sweeps over grids of settings; see search.h. */
#include "itpsim/fmt.h"
#include "itpsim/search.h"

#include <ctype.h>
#include <errno.h>
#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "itpsim/report.h"
#include "itpsim/trial.h"

/* A range FROM:TO:STEP at p (up to a ',' or the end): its values,
 * FROM + i STEP up to TO (within rounding), appended to v; *end after it.
 * 1 when p is a range, 0 when not, -1 (err set) when it is a bad one. */
static int vary_range(const char *p, itp_vary *v, const char **end, char *err, size_t errlen)
{
    const char *stop = strchr(p, ',');
    size_t len = stop ? (size_t)(stop - p) : strlen(p);
    char tok[96];
    double a, b, d;
    char tail;
    if (!memchr(p, ':', len))
        return 0;
    snprintf(tok, sizeof tok, "%.*s", (int)(len < sizeof tok ? len : sizeof tok - 1), p);
    *end = p + len;
    if (sscanf(tok, "%lf:%lf:%lf%c", &a, &b, &d, &tail) != 3 || !isfinite(a) || !isfinite(b) ||
        !isfinite(d) || !(d > 0) || b < a) {
        snprintf(err, errlen, "--vary %s: '%s' is no range FROM:TO:STEP (STEP > 0, TO >= FROM)",
                 v->key, tok);
        return -1;
    }
    double steps = floor((b - a) / d + 1e-9);
    if (steps + 1 > ITP_MAX_VARY_VALUES - v->n) {
        snprintf(err, errlen, "--vary %s: at most %d values ('%s' has %.0f)", v->key,
                 ITP_MAX_VARY_VALUES, tok, steps + 1);
        return -1;
    }
    for (int i = 0; i <= (int)steps; i++) {
        v->values[v->n] = a + i * d;
        snprintf(v->text[v->n++], sizeof v->text[0], "%.10g", a + i * d);
    }
    return 1;
}

itp_status itp_vary_parse(const char *spec, itp_vary *v, char *err, size_t errlen)
{
    const char *eq = strchr(spec, '=');
    memset(v, 0, sizeof *v);
    if (!eq || eq == spec || (size_t)(eq - spec) >= sizeof v->key) {
        snprintf(err, errlen, "--vary '%s': expected KEY=V1,V2,...", spec);
        return ITP_EINPUT;
    }
    memcpy(v->key, spec, (size_t)(eq - spec));
    const char *p = eq + 1;
    while (*p) {
        char *end;
        const char *rend;
        int range = vary_range(p, v, &rend, err, errlen);
        if (range < 0)
            return ITP_EINPUT;
        if (range) {
            p = *rend ? rend + 1 : rend;
            continue;
        }
        errno = 0;
        double x = strtod(p, &end);
        if (v->n == ITP_MAX_VARY_VALUES) {
            snprintf(err, errlen, "--vary %s: at most %d values", v->key, ITP_MAX_VARY_VALUES);
            return ITP_EINPUT;
        }
        if (end != p && !errno && isfinite(x) && (!*end || *end == ',')) {
            v->values[v->n] = x;
            snprintf(v->text[v->n++], sizeof v->text[0], "%.10g", x);
        } else {   /* a named choice */
            size_t k = 0;
            for (end = (char *)(uintptr_t)p; *end && *end != ','; end++, k++)
                if (!(isalnum((unsigned char)*end) || *end == '_' || *end == '.' ||
                      *end == '-') || k + 1 >= sizeof v->text[0]) {
                    snprintf(err, errlen, "--vary %s: '%s' is neither numbers nor names (letters, "
                             "digits, '_', '.', '-', at most %zu characters)", v->key, eq + 1,
                             sizeof v->text[0] - 1);
                    return ITP_EINPUT;
                }
            if (k == 0) {
                snprintf(err, errlen, "--vary %s: an empty value in '%s'", v->key, eq + 1);
                return ITP_EINPUT;
            }
            v->values[v->n] = (double)NAN;
            snprintf(v->text[v->n++], sizeof v->text[0], "%.*s", (int)k, p);
        }
        p = *end ? end + 1 : end;
    }
    if (v->n == 0) {
        snprintf(err, errlen, "--vary %s: no values", v->key);
        return ITP_EINPUT;
    }
    return ITP_OK;
}


/* The values of grid point idx as the leading fields of its arms' rows:
 * "V1,V2,". */
static void point_lead(const itp_vary *vary, const int *idx, int n_vary, char *buf, size_t len)
{
    size_t used = 0;
    buf[0] = '\0';
    for (int v = 0; v < n_vary && used < len; v++)
        used += (size_t)snprintf(buf + used, len - used, "%s,", vary[v].text[idx[v]]);
}

/* s as one CSV field: in double quotes, its quotes doubled, on one line. */
static void csv_text(FILE *f, const char *s)
{
    fputc('"', f);
    for (; *s; s++)
        if (*s == '"')
            fputs("\"\"", f);
        else
            fputc((unsigned char)*s < 32 ? ' ' : *s, f);
    fputc('"', f);
}

/* The overrides of grid point idx into point[] and all[n_sets ...]. */
static void set_point(const itp_vary *vary, int n_vary, const int *idx, int n_sets,
                      char point[][160], const char **all)
{
    for (int v = 0; v < n_vary; v++) {
        snprintf(point[v], sizeof point[v], "%s=%s", vary[v].key, vary[v].text[idx[v]]);
        all[n_sets + v] = point[v];
    }
}

/* ---- a sweep's progress ------------------------------------------------------- */

#define SWEEP_ID "sweep.id"
static const char *const progress_name[2] = {"sweep.progress.csv", "sweep_arms.progress.csv"};

/* The whole lines of DIR/NAME into *text (free it; a last line cut short
 * left out); their count. -1: no such file. */
static long read_lines(const char *dir, const char *name, char **text)
{
    char path[1100];
    snprintf(path, sizeof path, "%s/%s", dir, name);
    FILE *f = fopen(path, "r");
    *text = NULL;
    if (!f)
        return -1;
    size_t len = 0;
    FILE *m = open_memstream(text, &len);
    long n = 0;
    int c, last = '\n';
    while (m && (c = fgetc(f)) != EOF) {
        fputc(c, m);
        n += c == '\n';
        last = c;
    }
    fclose(f);
    if (m)
        fclose(m);
    if (last != '\n' && *text) {
        /* a line cut short (a write that did not finish): not there */
        char *nl = strrchr(*text, '\n');
        if (nl)
            nl[1] = '\0';
        else
            **text = '\0';
    }
    return n;
}

/* The completed points of an interrupted sweep of this identity in dir:
 * *done of them, their rows (with the headers) in rows[0] and rows[1]. */
static itp_status sweep_progress(const char *dir, const char *identity, long n_arms,
                                 long *done, char **rows, char *err, size_t errlen)
{
    char *id = NULL;
    long nid = read_lines(dir, SWEEP_ID, &id);
    *done = 0;
    rows[0] = rows[1] = NULL;
    if (nid < 0) {
        free(id);
        snprintf(err, errlen, "%s: no interrupted sweep to resume (no %s)", dir, SWEEP_ID);
        return ITP_EINPUT;
    }
    size_t il = strlen(identity);
    int same = nid == 1 && strlen(id) == il + 1 && !strncmp(id, identity, il);
    free(id);
    if (!same) {
        snprintf(err, errlen, "%s: the interrupted sweep there is another (scenario, --set, "
                 "--vary, seed or replicates); resume it with the same ones", dir);
        return ITP_EINPUT;
    }
    long n0 = read_lines(dir, progress_name[0], &rows[0]);
    long n1 = read_lines(dir, progress_name[1], &rows[1]);
    if (n0 <= 1) {
        /* stopped before its first point was done (a header alone, or
         * arms rows without their sweep row): start from the beginning */
        free(rows[0]);
        free(rows[1]);
        rows[0] = rows[1] = NULL;
        return ITP_OK;
    }
    /* a point's arms rows are written before its sweep row: the sweep rows
     * count the points done, and arms rows of a point stopped half-way
     * (after its arms rows, before its sweep row) are dropped */
    long want = n0 >= 1 ? 1 + (n0 - 1) * n_arms : -1;
    if (n0 < 1 || n1 < want) {
        snprintf(err, errlen, "%s: %s and %s do not match; remove them, or start over with "
                 "--force", dir, progress_name[0], progress_name[1]);
        return ITP_EINPUT;
    }
    char *cut = rows[1];
    for (long k = 0; cut && k < want; k++)
        cut = strchr(cut, '\n') + 1;
    if (cut)
        *cut = '\0';
    *done = n0 - 1;
    return ITP_OK;
}

/* ---- one null per null ------------------------------------------------------ */

/* What a grid point's null version depends on: its resolved settings (as
 * `check` prints them) without those the null does not read. The null
 * gives every study arm the control's treatments (or hazards), so the
 * settings of a component no arm keeps in the null (one given only in
 * study arms, and not as rescue) and a study arm's own treatments and
 * hazards drop out. Two points with one identity have the same null, and
 * with the same seed the same null replicates: the sweep runs it once. A
 * line kept that the null does not read only costs a rerun, never a wrong
 * share. */
static void null_identity(const itp_scenario *scn, const char *text, char hash[25])
{
    char *kept = NULL;
    size_t n = 0;
    FILE *f = open_memstream(&kept, &n);
    if (!f) {
        hash[0] = '\0';
        return;
    }
    /* the components the null keeps: the control's and the rescue's */
    int in_null[ITP_MAX_COMPONENTS + 1] = {0};   /* (as scn->components) */
    const itp_arm *ctl = &scn->arms[scn->control_arm];
    for (int k = 0; k < ctl->n_components; k++)
        in_null[ctl->component[k]] = 1;
    for (int k = 0; k < scn->rescue.n_treatments; k++)
        in_null[scn->rescue.treatment[k]] = 1;
    for (const char *line = text; *line;) {
        const char *end = strchr(line, '\n');
        size_t len = end ? (size_t)(end - line) + 1 : strlen(line);
        int drop = 0;
        for (int c = 0; c < scn->n_components && !drop && !strncmp(line, "components.", 11); c++) {
            size_t nl = strlen(scn->components[c].name);
            drop = !in_null[c] && !strncmp(line + 11, scn->components[c].name, nl) &&
                   line[11 + nl] == '.';
        }
        for (int a = 0; a < scn->n_arms && !drop; a++) {
            char key[32];
            int kl = snprintf(key, sizeof key, "arms[%d].", a);
            drop = a != scn->control_arm && !strncmp(line, key, (size_t)kl) &&
                   (!strncmp(line + kl, "treatments", 10) ||
                    !strncmp(line + kl, "hazard_per_month", 16));
        }
        if (!drop)
            fwrite(line, 1, len, f);
        line += len;
    }
    fclose(f);
    itp_run_hash(kept ? kept : "", n, hash);
    free(kept);
}

/* The null figures a sweep row needs, kept per null identity. */
typedef struct null_figures {
    char identity[25];
    long reps, any_rejected;
    long rejected[ITP_MAX_HYPOTHESES];   /* in either direction (type I error) */
} null_figures;

/* The assurance columns of a point (NA for one not run, a = NULL). */
static void assurance_cols(FILE *f, int nh, const itp_assurance_summary *a)
{
    for (int k = 0; k < nh; k++) {
        const double v[5] = {a ? a->assurance[k] : 0, a ? a->mcse[k] : 0, a ? a->q[k][0] : 0,
                             a ? a->q[k][2] : 0, a ? a->q[k][4] : 0};
        for (int i = 0; i < 5; i++)
            itp_fmt_csv(f, ",", a ? v[i] : (double)NAN, 8);
        fputc(',', f);
        if (a && a->top_hyp[k][0])
            fprintf(f, "%s %+.2f", a->top_hyp[k], a->top_hyp_rho[k]);
        else
            fputs("NA", f);
    }
}

itp_status itp_sweep(const char *scenario_file, const char *defaults, const char *const *sets,
                     int n_sets, const itp_vary *vary, int n_vary, const itp_run_opts *o,
                     const itp_assurance_opts *ax, const char *dir, const char *identity,
                     int resume, int force, FILE *table, char *err, size_t errlen)
{
    const char *all[64 + ITP_MAX_VARY];
    char point[ITP_MAX_VARY][160];
    int idx[ITP_MAX_VARY] = {0};
    long total = 1;
    for (int v = 0; v < n_vary; v++)
        total *= vary[v].n;
    if (total > 10000) {
        snprintf(err, errlen, "--vary: %ld grid points; at most 10000", total);
        return ITP_ERANGE;
    }
    for (int i = 0; i < n_sets; i++)
        all[i] = sets[i];
    /* an interrupted sweep: continue it, or refuse to start over it */
    long done = 0;
    char *rows[2] = {NULL, NULL}, path[1100];
    snprintf(path, sizeof path, "%s/%s", dir, SWEEP_ID);
    itp_status st = ITP_OK;
    /* The first grid point that loads: it names the columns and the arms
     * (an invalid point gets a row of NA with its message); with none, the
     * sweep is refused with the first point's message. */
    itp_scenario *first = NULL;
    char first_err[1024] = "";
    for (long g = 0; g < total && !first; g++) {
        long r = g;
        for (int v = n_vary - 1; v >= 0; v--) {
            idx[v] = (int)(r % vary[v].n);
            r /= vary[v].n;
        }
        set_point(vary, n_vary, idx, n_sets, point, all);
        st = itp_scenario_load(&first, scenario_file, defaults, all, n_sets + n_vary, NULL,
                               g ? err : first_err, g ? errlen : sizeof first_err);
        if (st != ITP_OK && st != ITP_EINPUT)
            return st;
        if (st)
            first = NULL;
    }
    for (int v = 0; v < n_vary; v++)
        idx[v] = 0;
    if (!first) {
        snprintf(err, errlen, "%s", first_err);
        return ITP_EINPUT;
    }
    st = ITP_OK;
    if (resume)
        st = sweep_progress(dir, identity, first->n_arms, &done, rows, err, errlen);
    else if (!force && access(path, F_OK) == 0) {
        snprintf(err, errlen, "%s holds an interrupted sweep (%s): continue it with --resume "
                 "%s, or start over with --force", dir, SWEEP_ID, dir);
        st = ITP_EINPUT;
    }
    if (st) {
        itp_scenario_free(first);
        return st;
    }
    itp_out out, arms = {0};
    FILE *prog[2] = {NULL, NULL};
    if ((st = itp_out_open(&out, dir, "sweep.csv", err, errlen))) {
        free(rows[0]);
        free(rows[1]);
        itp_scenario_free(first);
        return st;
    }
    if ((st = itp_out_open(&arms, dir, "sweep_arms.csv", err, errlen))) {
        itp_out_abort(&out);
        free(rows[0]);
        free(rows[1]);
        itp_scenario_free(first);
        return st;
    }
    for (int k = 0; k < 2; k++)
        if (rows[k])
            fputs(rows[k], k ? arms.f : out.f);
    int header = done > 0;
    itp_arm_cols cols = {0};   /* the binary endpoints of the first point that loads */
    itp_arm_cols_add(&cols, first);
    null_figures *nulls = NULL;   /* one per null identity met */
    int n_nulls = 0;
    for (long g = 0; !st && g < done; g++)
        for (int v = n_vary - 1; v >= 0; v--) {
            if (++idx[v] < vary[v].n)
                break;
            idx[v] = 0;
        }
    long n_invalid = 0, n_extrapolated = 0;
    for (long g = done; !st && g < total; g++) {
        set_point(vary, n_vary, idx, n_sets, point, all);
        itp_scenario *scn = NULL;
        char *resolved = NULL;
        size_t rl = 0;
        FILE *rs = open_memstream(&resolved, &rl);
        st = rs ? itp_scenario_load(&scn, scenario_file, defaults, all, n_sets + n_vary, rs, err,
                                    errlen)
                : ITP_ENOMEM;
        if (rs)
            fclose(rs);
        /* the null figures of an earlier point with the same null */
        null_figures nf = {"", 0, 0, {0}};
        int shared = 0;
        if (!st && o->null) {
            null_identity(scn, resolved ? resolved : "", nf.identity);
            for (int i = 0; i < n_nulls && !shared; i++)
                if (nf.identity[0] && !strcmp(nulls[i].identity, nf.identity)) {
                    nf = nulls[i];
                    shared = 1;
                }
        }
        free(resolved);
        char invalid[1024] = "";
        if (st == ITP_EINPUT) {   /* reported in its row; the sweep goes on */
            snprintf(invalid, sizeof invalid, "%s", err);
            err[0] = '\0';
            scn = NULL;
            st = ITP_OK;
            n_invalid++;
        }
        if (st)
            break;
        if (scn && scn->plan.n_hyp == 0) {
            snprintf(err, errlen, "%s: no analysis plan (section analysis): nothing to test",
                     scenario_file);
            itp_scenario_free(scn);
            st = ITP_EINPUT;
            break;
        }
        /* the point's rows (and before the first, the headers) are made
         * in memory, then go to the outputs and the progress files */
        char *txt[2] = {NULL, NULL};
        size_t tl[2] = {0, 0};
        FILE *rf = open_memstream(&txt[0], &tl[0]), *af = open_memstream(&txt[1], &tl[1]);
        if (!rf || !af) {
            if (rf)
                fclose(rf);
            if (af)
                fclose(af);
            free(txt[0]);
            free(txt[1]);
            itp_scenario_free(scn);
            st = ITP_ENOMEM;
            break;
        }
        if (!header) {
            for (int v = 0; v < n_vary; v++)
                fprintf(rf, "%s,", vary[v].key);
            fputs("replicates", rf);
            for (int k = 0; k < first->plan.n_hyp; k++) {
                const char *h = first->plan.hyp[k].name;
                fprintf(rf, ",%s_power,%s_power_mcse,%s_type1,%s_type1_mcse", h, h, h, h);
            }
            fputs(",fwer,fwer_mcse", rf);
            for (int k = 0; ax && k < first->plan.n_hyp; k++) {
                const char *h = first->plan.hyp[k].name;
                fprintf(rf, ",%s_assurance,%s_assurance_mcse,%s_power_q05,%s_power_q50,"
                        "%s_power_q95,%s_most_influential", h, h, h, h, h, h);
            }
            fputs(",note,extrapolated\n", rf);
            char keys[ITP_MAX_VARY * 130] = "";
            for (int v = 0; v < n_vary; v++) {
                size_t l = strlen(keys);
                snprintf(keys + l, sizeof keys - l, "%s,", vary[v].key);
            }
            itp_arm_cols_header(&cols, keys, af);
            header = 1;
        }
        char lead[ITP_MAX_VARY * 66];
        point_lead(vary, idx, n_vary, lead, sizeof lead);
        char label[ITP_MAX_VARY * 162] = "";
        for (int v = 0; v < n_vary; v++) {
            size_t l = strlen(label);
            snprintf(label + l, sizeof label - l, "%s%s", v ? " " : "", point[v]);
        }
        if (!scn) {
            for (int v = 0; v < n_vary; v++)
                fprintf(rf, "%s,", vary[v].text[idx[v]]);
            fputc('0', rf);
            for (int k = 0; k < 4 * first->plan.n_hyp + 2; k++)
                fputs(",NA", rf);
            if (ax)
                assurance_cols(rf, first->plan.n_hyp, NULL);
            fputc(',', rf);
            csv_text(rf, invalid);
            fputs(",NA\n", rf);
            itp_arm_cols_rows(&cols, first, lead, NULL, af);
            if (table)
                fprintf(table, "%s:  not run: %s\n", label, invalid);
        }
        itp_run_result rr;
        itp_assurance_summary asum;
        itp_run_opts ro = *o;
        ro.replicates = NULL;
        ro.label = label;
        ro.null = o->null && !shared;
        st = scn ? itp_run(scn, &ro, &rr) : ITP_OK;
        int ran = scn && st == ITP_OK;
        if (ran && rr.has_null && !shared) {
            nf.reps = rr.null.reps;
            nf.any_rejected = rr.null.any_rejected;
            for (int k = 0; k < scn->plan.n_hyp; k++)
                nf.rejected[k] = rr.null.rejected[k] + rr.null.harm_rejected[k];   /* as itp_type1 */
            null_figures *grown = realloc(nulls, (size_t)(n_nulls + 1) * sizeof *nulls);
            if (grown) {   /* (without room, a later point reruns its null) */
                nulls = grown;
                nulls[n_nulls++] = nf;
            }
        }
        int has_null = ran && (shared || rr.has_null) && nf.reps > 0;
        if (ran) {
            for (int v = 0; v < n_vary; v++)
                fprintf(rf, "%s,", vary[v].text[idx[v]]);
            fprintf(rf, "%ld", rr.design.reps);
            if (table)
                fprintf(table, "%s:", label);
            for (int k = 0; k < scn->plan.n_hyp; k++) {
                double pw = itp_power(&rr.design, k);
                double t1 = has_null ? (double)nf.rejected[k] / (double)nf.reps : (double)NAN;
                itp_fmt_csv(rf, ",", pw, 8);
                itp_fmt_csv(rf, ",", itp_mc_se(pw, rr.design.reps), 8);
                itp_fmt_csv(rf, ",", t1, 8);
                itp_fmt_csv(rf, ",", has_null ? itp_mc_se(t1, nf.reps) : (double)NAN, 8);
                if (table)
                    fprintf(table, "  %s %.3f (%.3f)", scn->plan.hyp[k].name, pw,
                            itp_mc_se(pw, rr.design.reps));
            }
            double fw = has_null ? (double)nf.any_rejected / (double)nf.reps : (double)NAN;
            itp_fmt_csv(rf, ",", fw, 8);
            itp_fmt_csv(rf, ",", has_null ? itp_mc_se(fw, nf.reps) : (double)NAN, 8);
            if (ax) {   /* the point's assurance: its settings, the draws' sets */
                itp_assurance_opts a = *ax;
                a.scenario = scenario_file;
                a.defaults = defaults;
                a.sets = all;
                a.n_sets = n_sets + n_vary;
                st = itp_assurance_summarise(&a, &asum, NULL, err, errlen);
                assurance_cols(rf, scn->plan.n_hyp, st ? NULL : &asum);
            }
            fputs(",,", rf);   /* no note; the components outside the fitted exposures */
            if (scn->extrapolated[0]) {
                csv_text(rf, scn->extrapolated);
                n_extrapolated++;
            }
            fputc('\n', rf);
            itp_arm_cols_rows(&cols, scn, lead, &rr.design, af);
        }
        fclose(rf);
        fclose(af);
        /* the progress files, made at the first point done: after the
         * run's first collective under MPI, so that no rank can see them
         * when it checks for an interrupted sweep (above) */
        if (!st && !prog[0] && itp_out_writes() && ran) {
            FILE *idf = fopen(path, "w");
            if (idf) {
                fprintf(idf, "%s\n", identity);
                fclose(idf);
            }
            for (int k = 0; k < 2; k++) {
                char pp[1100];
                snprintf(pp, sizeof pp, "%s/%s", dir, progress_name[k]);
                prog[k] = fopen(pp, "w");
                if (prog[k] && rows[k])
                    fputs(rows[k], prog[k]);
            }
            if (!idf || !prog[0] || !prog[1]) {
                snprintf(err, errlen, "%s: cannot write the sweep's progress files: %s", dir,
                         strerror(errno));
                st = ITP_EIO;
            }
        }
        /* rows before the progress files exist (points not run, before
         * the first that ran) wait with the resumed rows to go there */
        for (int k = 0; !st && !prog[0] && k < 2; k++) {
            size_t have = rows[k] ? strlen(rows[k]) : 0;
            char *grown = realloc(rows[k], have + tl[k] + 1);
            if (!grown) {
                st = ITP_ENOMEM;
                break;
            }
            memcpy(grown + have, txt[k], tl[k] + 1);
            rows[k] = grown;
        }
        if (!st) {
            fputs(txt[0], out.f);
            fputs(txt[1], arms.f);
            for (int k = 1; k >= 0 && prog[0]; k--)   /* arms first: see sweep_progress */
                if (fputs(txt[k], prog[k]) < 0 || fflush(prog[k])) {
                    snprintf(err, errlen, "%s/%s: write failed: %s", dir, progress_name[k],
                             strerror(errno));
                    st = ITP_EIO;
                }
        }
        free(txt[0]);
        free(txt[1]);
        if (ran) {
            double fw = has_null ? (double)nf.any_rejected / (double)nf.reps : (double)NAN;
            if (table && !st) {
                if (has_null)
                    fprintf(table, "  FWER (global null) %.4f%s", fw,
                            shared ? " (null shared)" : "");
                if (ax)
                    fprintf(table, "  assurance %s %.3f (%.3f; power 5-95%% over the sets "
                            "%.2f-%.2f)", scn->plan.hyp[0].name, asum.assurance[0],
                            asum.mcse[0], asum.q[0][0], asum.q[0][4]);
                if (scn->extrapolated[0])
                    fputs("  EXTRAPOLATED (outside the fitted exposures)", table);
                fputc('\n', table);
                fflush(table);
            }
            itp_run_result_free(&rr);
        }
        itp_scenario_free(scn);
        /* the next grid point: the last key varies fastest */
        for (int v = n_vary - 1; v >= 0; v--) {
            if (++idx[v] < vary[v].n)
                break;
            idx[v] = 0;
        }
    }
    free(rows[0]);
    free(rows[1]);
    free(nulls);
    itp_scenario_free(first);
    if (!st && n_invalid && table)
        fprintf(stderr, "itpsim sweep: %ld of %ld grid points not run (invalid settings; their "
                "rows say why in the note column)\n", n_invalid, total - done);
    if (!st && n_extrapolated && table)
        fprintf(stderr, "itpsim sweep: %ld of %ld grid points outside the exposures the fitted "
                "trials gave (the extrapolated column names them)\n", n_extrapolated,
                total - done);
    for (int k = 0; k < 2; k++)
        if (prog[k])
            fclose(prog[k]);
    if (st) {
        /* the progress files stay for --resume */
        itp_out_abort(&out);
        itp_out_abort(&arms);
        return st;
    }
    itp_out *both[2] = {&out, &arms};
    if ((st = itp_out_commit_all(both, 2, err, errlen)))
        return st;
    for (int k = 0; k < 2 && itp_out_writes(); k++) {
        char pp[1100];
        snprintf(pp, sizeof pp, "%s/%s", dir, progress_name[k]);
        remove(pp);
    }
    if (itp_out_writes())
        remove(path);
    return ITP_OK;
}
