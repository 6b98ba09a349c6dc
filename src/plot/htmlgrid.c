/* The report's sections for a sweep or sample size folder (htmltab.h):
 * the grid (each varied setting and its values; a search's target, range,
 * the sizes in the order it tried them and its fitted size), and the power
 * and type I error table in wide form: one row per grid point, one column
 * per hypothesis holding "power +- MCSE", then the type I errors the same
 * way, the family-wise error and the note of a point not run. */
#include "htmltab.h"

#include <ctype.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include "itpsim/json.h"
#include "plotdata.h"

#define GRID_MAX_COLS 128

/* "p +- se" of two cells with `dig` decimals, or the first as it is (NA,
 * empty). */
static void pm_cell(FILE *f, const char *p, const char *se, int dig)
{
    if (!html_is_num(p) || !strcmp(p, "NA") || !html_is_num(se) || !strcmp(se, "NA")) {
        html_cell(f, p[0] ? p : "NA");
        return;
    }
    /* the MCSE under the figure, smaller: the table keeps within the page */
    fprintf(f, "<td class=\"num\">%.*f<br><span style=\"font-size:85%%;color:#555\">&plusmn; "
               "%.*f</span></td>", dig, strtod(p, NULL), dig, strtod(se, NULL));
}

/* s as HTML text that may break after each '.' before a letter (a
 * setting's path). */
static void dotted_text(FILE *f, const char *s)
{
    char part[256];
    for (const char *p = s; *p;) {
        const char *dot = strchr(p, '.');
        size_t n = dot ? (size_t)(dot - p + 1) : strlen(p);
        snprintf(part, sizeof part, "%.*s", (int)(n < sizeof part ? n : sizeof part - 1), p);
        html_text(f, part);
        if (dot && isalpha((unsigned char)dot[1]))   /* not in a number */
            fputs("<wbr>", f);
        p += n;
    }
}

/* A sweep's assurance cell from its six columns a[0..5] (assurance, MCSE,
 * 5/50/95% power over the draws, the most influential parameter): the
 * assurance +- MCSE, the 5-95% range and the parameter under it. */
static void assurance_cell(FILE *f, char *const *a)
{
    for (int i = 0; i < 5; i++)   /* html_is_num takes "NA" for a number */
        if (i != 3 && (!html_is_num(a[i]) || !strcmp(a[i], "NA"))) {
            html_cell(f, "NA");
            return;
        }
    fprintf(f, "<td class=\"num\">%.3f<br><span style=\"font-size:85%%;color:#555\">&plusmn; "
               "%.3f<br>%.2f-%.2f<br>", strtod(a[0], NULL), strtod(a[1], NULL),
            strtod(a[2], NULL), strtod(a[4], NULL));
    /* the parameter without its component type (bcell_antibody.), breakable
     * at its dots */
    const char *dot = strchr(a[5], '.');
    dotted_text(f, dot && strcmp(a[5], "NA") ? dot + 1 : a[5]);
    fputs("</span></td>", f);
}

/* The grid: what was varied, or what the search looked for. */
static void grid_settings(FILE *f, const char *json, int search)
{
    char v[4096], k[64];
    fputs("<h2>Grid</h2>\n", f);
    html_kv_open(f, "grid");
    for (int i = 0; itp_json_get(json, "vary", i, v, sizeof v); i++) {
        char *eq = strchr(v, '=');
        if (!eq)
            continue;
        *eq = '\0';
        snprintf(k, sizeof k, "varied: %.50s", v);
        for (char *c = eq + 1; *c; c++)
            if (*c == ',')
                *c = ' ';   /* values apart, so that the cell may wrap */
        html_kv(f, k, eq + 1);
    }
    if (itp_json_get(json, "target_power", -1, v, sizeof v))
        html_kv(f, "target power", strcmp(v, "null") ? v : "none given (0.8 and 0.9 drawn)");
    if (itp_json_get(json, "null", -1, v, sizeof v))
        html_kv(f, "null at each point", strcmp(v, "true") ? "no (--no-null)" : "yes");
    if (search) {
        if (itp_json_get(json, "hypothesis", -1, v, sizeof v))
            html_kv(f, "hypothesis", v[0] ? v : "every hypothesis");
        char lo[32] = "", hi[32] = "", st[32] = "";
        itp_json_get(json, "min", -1, lo, sizeof lo);
        itp_json_get(json, "max", -1, hi, sizeof hi);
        itp_json_get(json, "step", -1, st, sizeof st);
        snprintf(v, sizeof v, "%s to %s patients in steps of %s", lo, hi, st);
        html_kv(f, "range searched", v);
        size_t l = 0;
        v[0] = '\0';
        for (int i = 0; l < sizeof v - 16 && itp_json_get(json, "steps", i, k, sizeof k); i++)
            l += (size_t)snprintf(v + l, sizeof v - l, "%s%s", i ? ", " : "", k);
        html_kv(f, "sizes in the order tried (bisection, then one step either side)", v);
        if (itp_json_get(json, "chosen", -1, v, sizeof v))
            html_kv(f, "smallest size reaching the target", strcmp(v, "null") ? v : "none");
    }
    html_table_close(f);
}

/* The search's fitted size with its interval, and the fit itself. */
static void grid_fit(FILE *f, const char *json)
{
    char v[512], hyp[128], n[32], lo[32], hi[32], a[32], b[32], pts[16], dev[32];
    if (!itp_json_get(json, "fit_patients", -1, n, sizeof n) || !html_is_num(n))
        return;
    itp_json_get(json, "fit_hypothesis", -1, hyp, sizeof hyp);
    fputs("<h3>Fitted power curve</h3>\n", f);
    html_kv_open(f, "fit");
    int bounded = itp_json_get(json, "fit_patients_low", -1, lo, sizeof lo) && html_is_num(lo) &&
                  itp_json_get(json, "fit_patients_high", -1, hi, sizeof hi) && html_is_num(hi);
    if (bounded)
        snprintf(v, sizeof v, "%.1f patients (95%% CI %.1f to %.1f)", strtod(n, NULL),
                 strtod(lo, NULL), strtod(hi, NULL));
    else
        snprintf(v, sizeof v, "%.1f patients (95%% CI unbounded)", strtod(n, NULL));
    html_kv(f, "size at the target power from the fit", v);
    html_kv(f, "hypothesis fitted (the one that sets the size)", hyp);
    if (itp_json_get(json, "fit_intercept", -1, a, sizeof a) &&
        itp_json_get(json, "fit_slope", -1, b, sizeof b) &&
        itp_json_get(json, "fit_points", -1, pts, sizeof pts) &&
        itp_json_get(json, "fit_deviance", -1, dev, sizeof dev)) {
        snprintf(v, sizeof v, "probit(power) = %.4g + %.4g sqrt(patients), over %s sizes; "
                 "deviance %.3g", strtod(a, NULL), strtod(b, NULL), pts, strtod(dev, NULL));
        html_kv(f, "fit", v);
    }
    html_table_close(f);
    fputs("<p>A probit regression of the rejections on the square root of the sample size "
          "(binomial likelihood, each size's replicates as its trials; probit analysis: "
          "Finney, <i>Probit Analysis</i>, 1971): for a test statistic about normal with a "
          "mean growing as sqrt(n), power = &Phi;(&delta; sqrt(n) &minus; z), a straight line "
          "on the probit scale. The interval is where the fit's 95% band crosses the target "
          "(Fieller). Sizes share their random numbers (the same patients at every size), "
          "which the binomial likelihood does not know: read the interval as a guide. "
          "Fitting the simulated power curve instead of taking the first size over the "
          "target follows e.g. Landau &amp; Stahl, <i>Stat Methods Med Res</i> 2013.</p>\n", f);
}

/* The wide table from sweep.csv or samplesize.csv. */
static int grid_table(FILE *f, const char *path)
{
    char *text;
    if (plot_read_file(path, &text, NULL))
        return 0;
    char *pos = text, *line = plot_next_line(&pos), *h[GRID_MAX_COLS], *c[GRID_MAX_COLS];
    int nh = line ? plot_split_csv(line, h, GRID_MAX_COLS) : 0, nkeys = 0;
    while (nkeys < nh && strcmp(h[nkeys], "replicates"))
        nkeys++;
    if (nkeys >= nh) {
        free(text);
        return 0;
    }
    /* the columns: power pairs, then type I pairs, then the rest */
    int pc[GRID_MAX_COLS], tc[GRID_MAX_COLS], ac[GRID_MAX_COLS], np = 0, nt = 0, na = 0, fw = -1,
        note = -1, reach = -1, chosen = -1, extra = -1;
    for (int i = nkeys + 1; i < nh; i++) {
        size_t l = strlen(h[i]);
        if (l > 6 && !strcmp(h[i] + l - 6, "_power") && i + 1 < nh)
            pc[np++] = i;
        else if (l > 6 && !strcmp(h[i] + l - 6, "_type1") && i + 1 < nh)
            tc[nt++] = i;
        else if (!strcmp(h[i], "fwer"))
            fw = i;
        else if (l > 10 && !strcmp(h[i] + l - 10, "_assurance") && i + 5 < nh)
            ac[na++] = i;   /* then its MCSE, the 5/50/95% power, the parameter */
        else if (!strcmp(h[i], "note"))
            note = i;
        else if (!strcmp(h[i], "extrapolated"))
            extra = i;
        else if (!strcmp(h[i], "reaches_target"))
            reach = i;
        else if (!strcmp(h[i], "chosen"))
            chosen = i;
    }
    html_table_open(f, "power-wide-table");
    fputs("<tr>", f);
    for (int i = 0; i < nkeys; i++) {
        fputs("<th class=\"num\" style=\"white-space:normal\">", f);
        dotted_text(f, h[i]);
        fputs("</th>", f);
    }
    fputs("<th class=\"num\">replicates</th>", f);
    /* headers wrap at their spaces */
    static const char wrap[] = "<th class=\"num\" style=\"white-space:normal\">";
    for (int k = 0; k < np; k++)
        fprintf(f, "%s%.*s power</th>", wrap, (int)strlen(h[pc[k]]) - 6, h[pc[k]]);
    for (int k = 0; k < nt; k++)
        fprintf(f, "%s%.*s type I error</th>", wrap, (int)strlen(h[tc[k]]) - 6, h[tc[k]]);
    if (fw >= 0)
        fprintf(f, "%sfamily-wise error (global null)</th>", wrap);
    for (int k = 0; k < na; k++)
        fprintf(f, "%s%.*s assurance (power over the draws, 5-95%%)</th>", wrap,
                (int)strlen(h[ac[k]]) - 10, h[ac[k]]);
    if (reach >= 0)
        fputs("<th>reaches the target</th><th>chosen</th>", f);
    if (note >= 0)
        fputs("<th>note</th>", f);
    if (extra >= 0)
        fputs("<th>outside the fitted exposures</th>", f);
    fputs("</tr>\n", f);
    while ((line = plot_next_line(&pos))) {
        if (!*line)
            continue;
        int m = plot_split_csv(line, c, GRID_MAX_COLS);
        if (m < nh)
            continue;
        fputs("<tr>", f);
        for (int i = 0; i <= nkeys; i++)
            html_cell(f, c[i]);
        for (int k = 0; k < np; k++)
            pm_cell(f, c[pc[k]], c[pc[k] + 1], 3);
        for (int k = 0; k < nt; k++)
            pm_cell(f, c[tc[k]], c[tc[k] + 1], 4);
        if (fw >= 0)
            pm_cell(f, c[fw], fw + 1 < nh ? c[fw + 1] : "NA", 4);
        for (int k = 0; k < na; k++)
            assurance_cell(f, c + ac[k]);
        if (reach >= 0) {
            html_cell(f, strcmp(c[reach], "1") ? "no" : "yes");
            html_cell(f, chosen >= 0 && !strcmp(c[chosen], "1") ? "yes" : "");
        }
        if (note >= 0) {
            /* a long refusal may wrap */
            fputs("<td style=\"white-space:normal;min-width:16em\">", f);
            html_text(f, c[note]);
            fputs("</td>", f);
        }
        if (extra >= 0) {
            fputs("<td style=\"white-space:normal;min-width:12em\">", f);
            html_text(f, strcmp(c[extra], "NA") ? c[extra] : "");
            fputs("</td>", f);
        }
        fputs("</tr>\n", f);
    }
    html_table_close(f);
    free(text);
    return 1;
}

int html_grid(FILE *f, const char *dir, const char *json)
{
    char path[1200];
    int search = 0;
    snprintf(path, sizeof path, "%s/sweep.csv", dir);
    FILE *t = fopen(path, "r");
    if (!t) {
        snprintf(path, sizeof path, "%s/samplesize.csv", dir);
        t = fopen(path, "r");
        search = 1;
    }
    if (!t)
        return 0;
    fclose(t);
    if (json)
        grid_settings(f, json, search);
    if (json && search)
        grid_fit(f, json);
    fputs("<h2>Power and type I error at each point</h2>\n<p>One row per grid point: per "
          "hypothesis its power (design) and type I error (the point's null), each &plusmn; "
          "its Monte Carlo standard error; the family-wise error under the global null; with "
          "--assurance, per hypothesis the assurance over the parameter draws &plusmn; its "
          "MCSE, the 5-95% range of the power over the draws and the parameter most "
          "correlated with it; the arms dosed outside the exposures the fitted trials gave. A "
          "point that could not be run has NA figures and the reason in its note.</p>\n", f);
    grid_table(f, path);
    return 1;
}
