/* The pictures of a sweep or sample size folder (plotdata.h): power and
 * type I error against the (first) varied setting, from DIR/sweep.csv or
 * DIR/samplesize.csv, with the target power and the nominal alpha from
 * DIR/sweep.json or DIR/samplesize.json, and a search's fitted power curve
 * (DIR/power_fit.csv). Written as CSV in DIR/plots/ with their gnuplot
 * bodies: one colour per hypothesis (line type series + 1), the same in
 * every picture. */
#include "plotdata.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>
#include "itpsim/fmt.h"
#include "itpsim/json.h"
#include "itpsim/report.h"

typedef struct power_row {
    int series, hyp;
    double x, reps, p, se, t, tse;   /* power and type I error with their MCSE */
} power_row;

static int cmp_power_row(const void *a, const void *b)
{
    const power_row *x = a, *y = b;
    if (x->series != y->series)
        return x->series - y->series;
    return (x->x > y->x) - (x->x < y->x);
}

/* The column named `name` (-1: none). */
static int column(char *const *hdr, int nf, const char *name)
{
    for (int i = 0; i < nf; i++)
        if (!strcmp(hdr[i], name))
            return i;
    return -1;
}

/* One row of power.csv (power) or type1.csv (type I error). */
static void put_row(FILE *f, const char *series, int idx, const char *hyp, int hl,
                    const char *setting, double x, double reps, double p, double se)
{
    double lo = fmax(0.0, p - 1.96 * se), hi = fmin(1.0, p + 1.96 * se);
    fprintf(f, "%s,%d,%.*s,%s,%.10g,%.0f", series, idx, hl, hyp, setting, x, reps);
    itp_fmt_csv(f, ",", p, 6);
    itp_fmt_csv(f, ",", se, 6);
    itp_fmt_csv(f, ",", lo, 6);
    itp_fmt_csv(f, ",", hi, 6);
    fputc('\n', f);
}

/* The target power and the nominal alpha from the sweep's or search's
 * JSON file (NaN when it is missing: an older folder). */
static void read_json(const char *dir, const char *src, plot_info *info)
{
    char path[1200], v[64], *json = NULL;
    snprintf(path, sizeof path, "%s/%.*s.json", dir, (int)(strlen(src) - 4), src);
    info->target_power = info->alpha = (double)NAN;
    if (plot_read_file(path, &json, NULL))
        return;
    if (itp_json_get(json, "target_power", -1, v, sizeof v))
        info->target_power = plot_parse_num(strcmp(v, "null") ? v : "NA");
    if (itp_json_get(json, "alpha", -1, v, sizeof v))
        info->alpha = plot_parse_num(strcmp(v, "null") ? v : "NA");
    free(json);
}

/* DIR/power_fit.csv copied to pdir, and its chosen size row read. */
static itp_status copy_fit(const char *dir, const char *pdir, plot_info *info, char *err,
                           size_t errlen)
{
    char path[1200], *text = NULL;
    size_t len = 0;
    snprintf(path, sizeof path, "%s/power_fit.csv", dir);
    if (plot_read_file(path, &text, &len))
        return ITP_OK;
    itp_out out;
    itp_status st = itp_out_open(&out, pdir, "power_fit.csv", err, errlen);
    if (!st) {
        fwrite(text, 1, len, out.f);
        st = itp_out_commit(&out, err, errlen);
    }
    char *pos = text, *line, *f[16];
    plot_next_line(&pos);   /* the header */
    while (!st && (line = plot_next_line(&pos)))
        if (plot_split_csv(line, f, 16) >= 9 && !strcmp(f[0], "size") && !strcmp(f[8], "1")) {
            snprintf(info->fit_hyp, sizeof info->fit_hyp, "%s", f[1]);
            info->fit_n = plot_parse_num(f[2]);
            info->fit_lo = plot_parse_num(f[6]);
            info->fit_hi = plot_parse_num(f[7]);
            info->has_fit = 1;
        }
    free(text);
    for (int s = 0; info->has_fit && s < info->n_series; s++)
        if (!strcmp(info->series[s], info->fit_hyp))
            info->fit_series = s;
    return st;
}

itp_status plotdata_power(const char *dir, const char *pdir, plot_info *info, char *err,
                          size_t errlen)
{
    static const char *const src[2] = {"sweep.csv", "samplesize.csv"};
    char path[1024], *text = NULL;
    int which = -1;
    for (int k = 0; k < 2 && which < 0; k++) {
        snprintf(path, sizeof path, "%s/%s", dir, src[k]);
        if (!plot_read_file(path, &text, NULL))
            which = k;
    }
    if (which < 0)
        return ITP_OK;
    enum { MAXF = 4 + 1 + 16 * 4 + 8 };
    char *hdr[MAXF], *f[MAXF];
    char *pos = text, *line = plot_next_line(&pos);
    int nf = line ? plot_split_csv(line, hdr, MAXF) : 0;
    int nkeys = 0;
    while (nkeys < nf && strcmp(hdr[nkeys], "replicates"))
        nkeys++;
    if (nkeys == 0 || nkeys >= nf) {
        free(text);
        return ITP_OK;
    }
    int pcol[ITP_MAX_HYPOTHESES], tcol[ITP_MAX_HYPOTHESES], nh = 0;
    for (int i = nkeys + 1; i + 1 < nf && nh < ITP_MAX_HYPOTHESES; i++) {
        size_t l = strlen(hdr[i]);
        if (l > 6 && !strcmp(hdr[i] + l - 6, "_power") && !strcmp(hdr[i + 1] + l - 6, "_power_mcse")) {
            char t[160];
            snprintf(t, sizeof t, "%.*s_type1", (int)(l - 6), hdr[i]);
            tcol[nh] = column(hdr, nf, t);
            pcol[nh++] = i;
        }
    }
    int fcol = column(hdr, nf, "fwer"), ccol = column(hdr, nf, "chosen");
    snprintf(info->power_x, sizeof info->power_x, "%s", hdr[0]);
    snprintf(info->power_source, sizeof info->power_source, "%s", src[which]);
    info->grid = 1 + which;
    info->chosen_x = (double)NAN;
    read_json(dir, src[which], info);
    /* rows: the series is the hypothesis and the other settings' values;
     * the family-wise error is one more series per other settings' values */
    info->n_series = info->n_fwer = 0;
    char choice[64][64];   /* a sweep's values: at most 64 */
    int n_choices = 0;
    size_t nrow = 0, cap = 64;
    power_row *row = malloc(cap * sizeof *row);
    while (row && (line = plot_next_line(&pos))) {
        if (!*line)
            continue;
        int m = plot_split_csv(line, f, MAXF);
        if (m < nf)
            continue;
        char others[128] = "";
        for (int k = 1; k < nkeys; k++) {
            size_t l = strlen(others);
            snprintf(others + l, sizeof others - l, "%s%s=%s", k > 1 ? "; " : "", hdr[k], f[k]);
        }
        double x = plot_parse_num(f[0]);
        if (isnan(x)) {   /* a named choice: 1, 2, ... in the order met */
            int c = 0;
            while (c < n_choices && strcmp(choice[c], f[0]))
                c++;
            if (c == n_choices && n_choices < (int)(sizeof choice / sizeof choice[0]))
                snprintf(choice[n_choices++], sizeof choice[0], "%s", f[0]);
            x = c + 1;
        }
        double reps = plot_parse_num(f[nkeys]);
        if (!(reps > 0))   /* a grid point not run (its note says why) */
            continue;
        if (ccol >= 0 && !strcmp(f[ccol], "1"))
            info->chosen_x = x;
        for (int h = 0; h <= nh; h++) {
            char name[160];
            int fw = h == nh;
            if (fw && fcol < 0)
                break;
            int hl = fw ? 4 : (int)(strlen(hdr[pcol[h]]) - 6);
            const char *hn = fw ? "FWER" : hdr[pcol[h]];
            if (others[0])
                snprintf(name, sizeof name, "%.*s (%s)", hl, hn, others);
            else
                snprintf(name, sizeof name, "%.*s", hl, hn);
            char (*list)[160] = fw ? info->fwer_series : info->series;
            int *count = fw ? &info->n_fwer : &info->n_series;
            int s = 0;
            while (s < *count && strcmp(list[s], name))
                s++;
            if (s == *count) {
                if (s == PLOT_MAX_SERIES)
                    continue;
                snprintf(list[(*count)++], sizeof list[0], "%s", name);
            }
            if (nrow == cap) {
                power_row *r2 = realloc(row, 2 * cap * sizeof *row);
                if (!r2) {
                    free(row);
                    row = NULL;
                    break;
                }
                row = r2;
                cap *= 2;
            }
            power_row *r = &row[nrow++];
            r->series = fw ? PLOT_MAX_SERIES + s : s;
            r->hyp = h;
            r->x = x;
            r->reps = reps;
            r->p = fw ? (double)NAN : plot_parse_num(f[pcol[h]]);
            r->se = fw ? (double)NAN : plot_parse_num(f[pcol[h] + 1]);
            int tc = fw ? fcol : tcol[h];
            r->t = tc >= 0 ? plot_parse_num(f[tc]) : (double)NAN;
            r->tse = tc >= 0 && tc + 1 < nf ? plot_parse_num(f[tc + 1]) : (double)NAN;
            info->has_type1 |= isfinite(r->t);
        }
    }
    if (!row) {
        free(text);
        return ITP_ENOMEM;
    }
    /* grouped by series, ascending in the setting: one line each */
    qsort(row, nrow, sizeof *row, cmp_power_row);
    itp_out out[2];
    itp_status st = itp_out_open(&out[0], pdir, "power.csv", err, errlen);
    if (!st && (st = itp_out_open(&out[1], pdir, "type1.csv", err, errlen)))
        itp_out_abort(&out[0]);
    if (!st) {
        fputs("series,series_index,hypothesis,setting,x,replicates,power,mcse,band_low,"
              "band_high\n", out[0].f);
        fputs("series,series_index,hypothesis,setting,x,replicates,type1,mcse,band_low,"
              "band_high\n", out[1].f);
        for (size_t i = 0; i < nrow; i++) {
            const power_row *r = &row[i];
            int fw = r->hyp == nh;
            const char *series = fw ? info->fwer_series[r->series - PLOT_MAX_SERIES]
                                    : info->series[r->series];
            const char *hn = fw ? "FWER" : hdr[pcol[r->hyp]];
            int hl = fw ? 4 : (int)(strlen(hn) - 6);
            if (!fw)
                put_row(out[0].f, series, r->series, hn, hl, hdr[0], r->x, r->reps, r->p, r->se);
            if (isfinite(r->t))
                put_row(out[1].f, series, r->series, hn, hl, hdr[0], r->x, r->reps, r->t, r->tse);
        }
        itp_out *both[2] = {&out[0], &out[1]};
        st = itp_out_commit_all(both, 2, err, errlen);
    }
    free(row);
    free(text);
    if (!st && which == 1)
        st = copy_fit(dir, pdir, info, err, errlen);
    return st;
}

/* ---- gnuplot ------------------------------------------------------------------ */

/* A horizontal reference line at y with a label at its right end. */
static void hline(FILE *f, int tag, double y, const char *style, const char *label)
{
    fprintf(f, "set arrow %d from graph 0, first %.10g to graph 1, first %.10g nohead %s front\n",
            tag, y, y, style);
    fprintf(f, "set label %d ", tag);
    plot_gp_str(f, label);
    fprintf(f, " at graph 0.01, first %.10g left offset 0,0.6 front tc rgb '#444444' "
               "font ',8'\n", y);
}

void plot_power_refs(FILE *f, const plot_info *in, int with_chosen)
{
    char t[128];
    if (isfinite(in->target_power)) {
        snprintf(t, sizeof t, "target power %.3g", in->target_power);
        hline(f, 1, in->target_power, "dt 1 lw 1.5 lc rgb '#222222'", t);
    } else {
        /* no target given: the usual ones, light */
        hline(f, 1, 0.8, "dt 3 lw 1 lc rgb '#aaaaaa'", "0.8 (reference: no target given)");
        hline(f, 2, 0.9, "dt 3 lw 1 lc rgb '#aaaaaa'", "0.9 (reference)");
    }
    if (with_chosen && isfinite(in->chosen_x)) {
        fprintf(f, "set arrow 3 from first %.10g, graph 0 to first %.10g, graph 1 nohead "
                   "dt 2 lw 1.5 lc rgb '#555555' front\n", in->chosen_x, in->chosen_x);
        snprintf(t, sizeof t, "chosen: %.10g", in->chosen_x);
        fputs("set label 3 ", f);
        plot_gp_str(f, t);
        fprintf(f, " at first %.10g, graph 0.04 left offset 0.5,0 front font ',8'\n",
                in->chosen_x);
    }
}

/* Type I error per hypothesis (its power's colour) with +-1.96 MCSE, the
 * family-wise error dashed in grey, the nominal alpha dashed. */
void body_type1(FILE *f, const plot_info *in)
{
    char t[512];
    snprintf(t, sizeof t, "Type I error against %s (%s, each point's null), bars: +-1.96 "
             "Monte Carlo SE", in->power_x, in->power_source);
    fputs("set title ", f);
    plot_gp_str(f, t);
    fputs("\nset xlabel ", f);
    plot_gp_str(f, in->power_x);
    fputs("\nset ylabel 'type I error'\nset yrange [0:*]\nset key top right font ',8'\n", f);
    if (isfinite(in->alpha)) {
        snprintf(t, sizeof t, "nominal alpha %.4g", in->alpha);
        hline(f, 1, in->alpha, "dt 2 lw 1.5 lc rgb '#222222'", t);
        fprintf(f, "set yrange [0:%.10g<*]\n", 2.5 * in->alpha);
    }
    fputs("plot ", f);
    for (int s = 0; s < in->n_series; s++) {
        /* error bars, not bands: bands from 0 at every hypothesis would
         * cover each other */
        fprintf(f, "'type1.csv' skip 1 using 5:($2==%d?$7:1/0):($8*1.96) with yerrorlines "
                   "lt %d pt 7 title ", s, s + 1);
        plot_gp_str(f, in->series[s]);
        fputs(", \\\n     ", f);
    }
    for (int s = 0; s < in->n_fwer; s++) {
        fprintf(f, "'type1.csv' skip 1 using 5:($2==%d?$7:1/0) with linespoints dt 2 lw 1.5 "
                   "pt 6 lc rgb '#444444' title ", PLOT_MAX_SERIES + s);
        plot_gp_str(f, in->fwer_series[s]);
        fputs(", \\\n     ", f);
    }
    fputs("1/0 notitle\n", f);
}

/* A search's fitted curve: the power of the hypothesis that sets the size
 * at each size evaluated (error bars 1.96 MCSE), the probit fit with its
 * 95% band, the target, the size from the fit with its interval and the
 * size the search chose. */
void body_fit(FILE *f, const plot_info *in)
{
    char t[256];
    int s = in->fit_series, lt = s + 1;
    /* an interval the band does not close (NA in power_fit.csv): the size
     * alone, as a point */
    int closed = isfinite(in->fit_lo) && isfinite(in->fit_hi);
    if (closed)
        snprintf(t, sizeof t, "Power of %s: probit fit on sqrt(patients) with 95%% band; "
                 "fitted size %.1f (95%% CI %.1f to %.1f)", in->fit_hyp, in->fit_n,
                 in->fit_lo, in->fit_hi);
    else
        snprintf(t, sizeof t, "Power of %s: probit fit on sqrt(patients) with 95%% band; "
                 "fitted size %.1f (95%% CI unbounded)", in->fit_hyp, in->fit_n);
    fputs("set title ", f);
    plot_gp_str(f, t);
    fputs("\nset xlabel 'patients'\nset ylabel 'power'\nset yrange [0:1]\n"
          "set key bottom right font ',8'\n", f);
    plot_power_refs(f, in, 1);
    fputs("fit_hyp = ", f);
    plot_gp_str(f, in->fit_hyp);
    fprintf(f, "\nplot 'power_fit.csv' skip 1 using 3:(strcol(1) eq 'curve' && strcol(2) eq "
               "fit_hyp ? $5 : 1/0):($6) with filledcurves lt %d title '95%% band of the fit', "
               "\\\n     'power_fit.csv' skip 1 using 3:(strcol(1) eq 'curve' && strcol(2) eq "
               "fit_hyp ? $4 : 1/0) with lines lt %d lw 2 title 'probit fit', \\\n"
               "     'power.csv' skip 1 using 5:($2==%d?$7:1/0):($8*1.96) with yerrorbars lt %d "
               "pt 7 title 'evaluated (+-1.96 MCSE)', \\\n"
               "     'power_fit.csv' skip 1 using 3:(strcol(1) eq 'size' && strcol(2) eq fit_hyp "
               "? $4 : 1/0)%s pt 5 ps 1.3 lc rgb '#000000' title 'fitted size%s'\n",
            lt, lt, s, lt, closed ? ":7:8 with xerrorbars" : " with points",
            closed ? " (95% CI)" : "");
}
