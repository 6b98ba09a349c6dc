/* The group-sequential picture's data: gs_boundaries.csv from the run's
 * stages.csv (one row per analysis and scenario, design and null, written
 * by `run` for a scenario with analysis.interims) and the scenario's
 * futility bounds; see plotdata.h. */
#include "plotdata.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>
#include "itpsim/fmt.h"
#include "itpsim/report.h"

/* stages.csv's columns that the picture uses. */
enum { S_SCEN, S_STAGE, S_FRAC, S_Z, S_P, S_HELD, S_EFF, S_FUT, S_MFRAC, S_MONTH, S_MZ, S_N };
static const char *const stage_col[S_N] = {
    "scenario", "analysis", "planned_fraction", "planned_z_bound", "planned_p_bound", "held",
    "stop_efficacy", "stop_futility", "mean_fraction", "mean_month", "mean_z_bound"};

typedef struct gs_row {
    double x, z, month, eff[2], fut[2], held[2];
    int seen[2];
} gs_row;

/* The columns of the header (fields f[0..n)) in stage_col's order; 0 when
 * one is missing. */
static int map_columns(char **f, int n, int *col)
{
    for (int c = 0; c < S_N; c++) {
        col[c] = -1;
        for (int i = 0; i < n; i++)
            if (!strcmp(f[i], stage_col[c]))
                col[c] = i;
        if (col[c] < 0)
            return 0;
    }
    return 1;
}

itp_status plotdata_stages(const char *dir, const char *pdir, const itp_scenario *scn,
                           plot_info *info, char *err, size_t errlen)
{
    char path[1024], *text;
    snprintf(path, sizeof path, "%s/stages.csv", dir);
    if (plot_read_file(path, &text, NULL))
        return ITP_OK;   /* no interims: no picture */
    enum { MAXF = 32 };
    char *f[MAXF];
    int col[S_N];
    char *pos = text, *line = plot_next_line(&pos);
    int nf = line ? plot_split_csv(line, f, MAXF) : 0;
    gs_row row[PLOT_MAX_STAGES];
    memset(row, 0, sizeof row);
    int n = 0;
    if (nf && map_columns(f, nf, col))
        while ((line = plot_next_line(&pos))) {
            if (!*line || plot_split_csv(line, f, MAXF) < nf)
                continue;
            int k = (int)plot_parse_num(f[col[S_STAGE]]) - 1, v = !strcmp(f[col[S_SCEN]], "null");
            if (k < 0 || k >= PLOT_MAX_STAGES)
                continue;
            gs_row *r = &row[k];
            if (!v) {
                /* the planned fraction and bound; per replicate (interims at
                 * calendar months) their means */
                r->x = plot_parse_num(f[col[S_FRAC]]);
                if (!isfinite(r->x))
                    r->x = plot_parse_num(f[col[S_MFRAC]]);
                r->z = plot_parse_num(f[col[S_Z]]);
                if (!isfinite(r->z))
                    r->z = plot_parse_num(f[col[S_MZ]]);
                r->month = plot_parse_num(f[col[S_MONTH]]);
            }
            r->eff[v] = plot_parse_num(f[col[S_EFF]]);
            r->fut[v] = plot_parse_num(f[col[S_FUT]]);
            r->held[v] = plot_parse_num(f[col[S_HELD]]);
            r->seen[v] = 1;
            if (k + 1 > n)
                n = k + 1;
        }
    free(text);
    if (n == 0)
        return ITP_OK;
    itp_out out;
    itp_status st = itp_out_open(&out, pdir, "gs_boundaries.csv", err, errlen);
    if (st)
        return st;
    fputs("analysis,information_fraction,mean_month,efficacy_z,futility_z,held,stop_efficacy,"
          "stop_futility,null_held,null_stop_efficacy,null_stop_futility\n",
          out.f);
    const itp_interims *iv = scn ? &scn->plan.interims : NULL;
    info->gs_futility = 0;
    info->gs_null = 0;
    for (int k = 0; k < n; k++) {
        const gs_row *r = &row[k];
        /* the non-binding futility bound of an interim (none at the final
         * analysis, none given: -inf) */
        double fz = iv && k < iv->n && isfinite(iv->futility_z[k]) ? iv->futility_z[k]
                                                                   : (double)NAN;
        info->gs_futility |= isfinite(fz);
        info->gs_null |= r->seen[1];
        fprintf(out.f, "%d", k + 1);
        const double v[] = {r->x,       r->month,   r->z,      fz,         r->held[0], r->eff[0],
                            r->fut[0],  r->held[1], r->eff[1], r->fut[1]};
        for (size_t i = 0; i < sizeof v / sizeof v[0]; i++)
            itp_fmt_csv(out.f, ",", i >= 7 && !r->seen[1] ? (double)NAN : v[i], 8);
        fputc('\n', out.f);
    }
    info->n_stages = n;
    info->gs_arm = -1;
    info->gs_hyp[0] = '\0';
    if (scn && scn->plan.interims.n > 0) {
        const itp_hypothesis *h = &scn->plan.hyp[scn->plan.interims.stop_on];
        snprintf(info->gs_hyp, sizeof info->gs_hyp, "%s", h->name);
        info->gs_arm = h->arm;
    }
    return itp_out_commit(&out, err, errlen);
}
