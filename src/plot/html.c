/* report.html (plotdata.h): the settings and results of a run and its
 * pictures, with the PNG images embedded as base64 data URIs (RFC 2397,
 * RFC 4648); every text from the run is escaped. */
#include "plotdata.h"
#include "htmltab.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "itpsim/endpoint.h"
#include "itpsim/json.h"
#include "itpsim/model.h"
#include "itpsim/multiplicity.h"
#include "itpsim/report.h"

static itp_status html_image(FILE *f, const char *pdir, const picture *p)
{
    char path[1200];
    snprintf(path, sizeof path, "%s/%s.png", pdir, p->name);
    char *png;
    size_t n;
    if (plot_read_file(path, &png, &n))
        return ITP_OK;
    char *b64 = malloc(4 * ((n + 2) / 3) + 1);
    if (!b64) {
        free(png);
        return ITP_ENOMEM;
    }
    itp_base64((const unsigned char *)png, n, b64);
    fprintf(f, "<figure id=\"fig-%s\">\n<img alt=\"%s\" src=\"data:image/png;base64,%s\">\n"
               "<figcaption>",
            p->name, p->name, b64);
    html_text(f, p->caption);
    fprintf(f, " Data: <code>plots/%s</code>; vector image: <code>plots/%s.svg</code>; gnuplot "
               "script: <code>plots/%s.gp</code>.</figcaption>\n</figure>\n",
            p->csv, p->name, p->name);
    free(b64);
    free(png);
    return ITP_OK;
}

/* The scenario: size, model, follow-up, arms, hypotheses. */
static void html_scenario(FILE *f, const itp_scenario *scn, const itp_plot_opts *o)
{
    char v[512];
    fputs("<h2>Scenario</h2>\n", f);
    html_kv_open(f, "scenario");
    snprintf(v, sizeof v, "%d", o->patients > 0 ? o->patients : scn->n_patients);
    html_kv(f, "patients", v);
    html_kv(f, "model", scn->model->name);
    snprintf(v, sizeof v, "%.1f months", scn->max_followup_days / ITP_DAYS_PER_MONTH);
    html_kv(f, "maximum follow-up", v);
    snprintf(v, sizeof v, "%d", scn->n_visits);
    html_kv(f, "scheduled visits", v);
    for (int a = 0; a < scn->n_arms; a++) {
        char k[128];
        snprintf(k, sizeof k, "arm %s%s", scn->arms[a].name,
                 a == scn->control_arm ? " (control)" : "");
        size_t l = (size_t)snprintf(v, sizeof v, "ratio %g", scn->arms[a].ratio);
        for (int c = 0; c < scn->arms[a].n_components && l < sizeof v; c++)
            l += (size_t)snprintf(v + l, sizeof v - l, "%s%s", c ? ", " : "; ",
                                  scn->components[scn->arms[a].component[c]].name);
        html_kv(f, k, v);
    }
    for (int k = 0; k < scn->plan.n_hyp; k++) {
        const itp_hypothesis *h = &scn->plan.hyp[k];
        char key[128];
        snprintf(key, sizeof key, "hypothesis %s", h->name);
        snprintf(v, sizeof v, "%s: %s vs %s, %s, %s-sided", scn->endpoints[h->endpoint].name,
                 scn->arms[h->arm].name, h->control >= 0 ? scn->arms[h->control].name : "p0",
                 h->test, h->two_sided ? "two" : "one");
        html_kv(f, key, v);
    }
    if (scn->plan.n_hyp) {
        snprintf(v, sizeof v, "%g, %s", scn->plan.alpha,
                 scn->plan.mult ? scn->plan.mult->name : "none");
        html_kv(f, "alpha, multiplicity", v);
    }
    html_table_close(f);
}

/* The endpoints: name, kind, rule type, the patients judged, and the rule
 * in words (its describe hook, from the parsed settings). */
static void html_endpoints(FILE *f, const itp_scenario *scn)
{
    if (!scn->n_endpoints)
        return;
    fputs("<h3>Endpoints</h3>\n", f);
    html_table_open(f, "endpoints-table");
    static const char *const head[] = {"endpoint", "kind", "rule", "judged among",
                                       "rule in words", NULL};
    html_head_row(f, 5, head);
    for (int e = 0; e < scn->n_endpoints; e++) {
        const itp_endpoint *ep = &scn->endpoints[e];
        fputs("<tr>", f);
        html_cell(f, ep->name);
        html_cell(f, ep->type->kind == ITP_EP_TIME ? "time to event" : "binary");
        html_cell(f, ep->type->name);
        char v[160];
        if (ep->among >= 0)
            snprintf(v, sizeof v, "patients meeting %s", scn->endpoints[ep->among].name);
        else
            snprintf(v, sizeof v, "all patients");
        html_cell(f, v);
        char words[512];
        itp_endpoint_describe(scn, e, words, sizeof words);
        fputs("<td class=\"words\">", f);
        html_text(f, words);
        fputs("</td></tr>\n", f);
    }
    html_table_close(f);
}

/* The multiplicity procedure: per hypothesis its initial weight and the
 * alpha it starts with, the graph's transitions (the share of its alpha
 * passed on to each other hypothesis once it is rejected) or its place
 * in a fixed sequence. */
static void html_multiplicity(FILE *f, const itp_scenario *scn)
{
    const itp_analysis_plan *pl = &scn->plan;
    const struct itp_mult_procedure *mp = pl->mult;
    if (!pl->n_hyp)
        return;
    int m = pl->n_hyp;
    fputs("<h3>Multiplicity</h3>\n<p>", f);
    if (mp) {
        html_text(f, mp->name);
        fputs(": ", f);
        html_text(f, mp->description);
    } else {
        fputs("none: each hypothesis at the full alpha", f);
    }
    fprintf(f, "; overall alpha %g.</p>\n", pl->alpha);
    if (!mp || !(mp->uses & (ITP_MULT_USES_WEIGHTS | ITP_MULT_USES_ORDER)))
        return;
    html_table_open(f, "multiplicity-table");
    fputs("<tr><th>hypothesis</th>", f);
    if (mp->uses & ITP_MULT_USES_WEIGHTS)
        fputs("<th class=\"num\">initial weight</th><th class=\"num\">starting alpha</th>", f);
    if (mp->uses & ITP_MULT_USES_ORDER)
        fputs("<th class=\"num\">place in the sequence</th>", f);
    if (mp->uses & ITP_MULT_USES_TRANSITION)
        for (int j = 0; j < m; j++) {
            fputs("<th class=\"num\">to ", f);
            html_text(f, pl->hyp[j].name);
            fputs("</th>", f);
        }
    fputs("</tr>\n", f);
    for (int i = 0; i < m; i++) {
        fputs("<tr>", f);
        html_cell(f, pl->hyp[i].name);
        if (mp->uses & ITP_MULT_USES_WEIGHTS)
            fprintf(f, "<td class=\"num\">%g</td><td class=\"num\">%g</td>", pl->weights[i],
                    pl->weights[i] * pl->alpha);
        if (mp->uses & ITP_MULT_USES_ORDER)
            for (int k = 0; k < m; k++)
                if (pl->order[k] == (size_t)i)
                    fprintf(f, "<td class=\"num\">%d</td>", k + 1);
        if (mp->uses & ITP_MULT_USES_TRANSITION)
            for (int j = 0; j < m; j++)
                fprintf(f, "<td class=\"num\">%g</td>", pl->transition[i * m + j]);
        fputs("</tr>\n", f);
    }
    html_table_close(f);
    if (mp->uses & ITP_MULT_USES_TRANSITION)
        fputs("<p>Rows: the hypothesis rejected; columns: the share of its alpha passed on "
              "to each other hypothesis.</p>\n", f);
}

static const char style[] =
    "body{font-family:sans-serif;max-width:1250px;margin:1em auto;padding:0 1em;color:#222}\n"
    ".tw{max-width:100%;overflow-x:auto;margin:.5em 0 1.5em}\n"
    "table{border-collapse:collapse}\n"
    "th,td{border:1px solid #ccc;padding:.2em .5em;text-align:left;vertical-align:top;"
    "font-size:90%}\n"
    "th{background:#f3f3f3;font-weight:600}\n.num{text-align:right;white-space:nowrap}\n"
    "td{white-space:nowrap}\ntd.words{white-space:normal;min-width:28em}\n.kv td{white-space:normal;overflow-wrap:anywhere}\n"
    "code{font-size:95%}\n"
    "figure{margin:1em 0 2em}img{max-width:100%;border:1px solid #eee}\n"
    "figcaption{font-size:90%;color:#555}\n";

/* The page's width at load, for a check in a headless browser: the width
 * of the document (wider than the window when a table does not fit) and
 * the number of table containers reaching past the window. */
static const char width_script[] =
    "<script>\n(function () {\n"
    "  var b = document.body, n = 0;\n"
    "  document.querySelectorAll('.tw').forEach(function (d) {\n"
    "    if (d.getBoundingClientRect().right > window.innerWidth) n++;\n  });\n"
    "  b.setAttribute('data-page-width', document.documentElement.scrollWidth);\n"
    "  b.setAttribute('data-window-width', window.innerWidth);\n"
    "  b.setAttribute('data-wide-tables', n);\n"
    "})();\n</script>\n";

/* The run: what produced the results, from summary.json (json NULL: none)
 * and its "provenance" object. */
static void html_provenance(FILE *f, const itp_scenario *scn, const itp_plot_opts *o,
                            const char *json)
{
    char v[4096];
    fputs("<h2>Run</h2>\n", f);
    html_kv_open(f, "provenance");
    if (scn)
        html_kv(f, "scenario file", scn->file);
    if (json && itp_json_get(json, "scenario_hash", -1, v, sizeof v))
        html_kv(f, "scenario hash", v);
    if (json) {
        snprintf(v, sizeof v, "%llu", (unsigned long long)o->seed);
        html_kv(f, "seed", v);
    }
    if (json && itp_json_get(json, "replicates", -1, v, sizeof v))
        html_kv(f, "replicates (design)", v);
    if (json && itp_json_get(json, "null_replicates", -1, v, sizeof v))
        html_kv(f, "replicates (null)", v);
    if (json && itp_json_get(json, "partial", -1, v, sizeof v) && !strcmp(v, "true"))
        html_kv(f, "partial", "yes: the run was interrupted");
    int nsets = 0;
    for (; json && itp_json_get(json, "sets", nsets, v, sizeof v); nsets++)
        html_kv(f, nsets ? "" : "settings (--set)", v);
    if (json && !nsets)
        html_kv(f, "settings (--set)", "none");
    static const char *const prov[][2] = {
        {"version", "itpsim version (run)"}, {"command", "command line"},
        {"defaults", "defaults file"},       {"defaults_hash", "defaults hash"},
        {"threads", "threads"},              {"ranks", "MPI ranks"},
        {"date", "date (UTC)"},
    };
    for (size_t i = 0; json && i < sizeof prov / sizeof prov[0]; i++)
        if (itp_json_get_member(json, "provenance", prov[i][0], v, sizeof v))
            html_kv(f, prov[i][1], v);
    html_kv(f, "itpsim version (report)", ITP_VERSION);
    html_table_close(f);
}

/* One row of the family table: a share with its MCSE and 95% CI from
 * summary.json's KEY, KEY_mcse and KEY_ci. */
static void html_share_row(FILE *f, const char *json, const char *label, const char *key)
{
    char v[64], k[64], lo[64], hi[64];
    if (!itp_json_get(json, key, -1, v, sizeof v))
        return;
    fputs("<tr><td>", f);
    html_text(f, label);
    fputs("</td>", f);
    html_cell(f, strcmp(v, "null") ? v : "NA");
    snprintf(k, sizeof k, "%s_mcse", key);
    html_cell(f, itp_json_get(json, k, -1, v, sizeof v) && strcmp(v, "null") ? v : "NA");
    snprintf(k, sizeof k, "%s_ci", key);
    if (itp_json_get(json, k, 0, lo, sizeof lo) && itp_json_get(json, k, 1, hi, sizeof hi) &&
        html_is_num(lo) && html_is_num(hi))
        fprintf(f, "<td class=\"num\">%.4g to %.4g</td>", strtod(lo, NULL), strtod(hi, NULL));
    else
        html_cell(f, "NA");
    fputs("</tr>\n", f);
}

/* The terminal summary's lines under the hypotheses: any and all rejected,
 * the family-wise error under the global null, mean events and analysis
 * time. */
static void html_family(FILE *f, const char *json)
{
    char v[64];
    if (!itp_json_get(json, "any_rejected", -1, v, sizeof v))
        return;
    fputs("<h3>Across the hypotheses</h3>\n", f);
    html_table_open(f, "family-table");
    static const char *const head[] = {"", "share of trials", "MCSE", "95% CI", NULL};
    html_head_row(f, 1, head);
    html_share_row(f, json, "any hypothesis rejected (design)", "any_rejected");
    html_share_row(f, json, "all hypotheses rejected (design)", "all_rejected");
    html_share_row(f, json, "family-wise error under the global null", "fwer");
    html_table_close(f);
    html_kv_open(f, "analysis-table");
    if (itp_json_get(json, "mean_events", -1, v, sizeof v) && html_is_num(v)) {
        snprintf(v, sizeof v, "%.1f", strtod(v, NULL));
        html_kv(f, "mean events at the analysis (all arms)", v);
    }
    if (itp_json_get(json, "mean_analysis_month", -1, v, sizeof v) && html_is_num(v)) {
        snprintf(v, sizeof v, "month %.1f of the trial", strtod(v, NULL));
        html_kv(f, "mean time of the analysis", v);
    }
    html_table_close(f);
}

itp_status plot_write_report(const char *dir, const char *pdir, const itp_scenario *scn,
                               const itp_plot_opts *o, const picture *pics, const int *drawn,
                               int npics, char *err, size_t errlen)
{
    itp_out out;
    itp_status st = itp_out_open(&out, dir, "report.html", err, errlen);
    if (st)
        return st;
    FILE *f = out.f;
    /* a comparison (compare.json): its section has its own provenance */
    char cpath[1200];
    snprintf(cpath, sizeof cpath, "%s/compare.json", dir);
    int comparison = access(cpath, R_OK) == 0;
    const char *title = scn ? scn->name : comparison ? "Designs side by side" : "itpsim results";
    fputs("<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n"
          "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n"
          "<title>itpsim: ", f);
    html_text(f, title);
    fprintf(f, "</title>\n<style>\n%s</style>\n</head>\n<body>\n<h1>", style);
    html_text(f, title);
    fputs("</h1>\n", f);
    if (scn && scn->description[0] && strcmp(scn->description, "-")) {
        fputs("<p>", f);
        html_text(f, scn->description);
        fputs("</p>\n", f);
    }
    /* a run's summary.json, else a sweep's or search's JSON file */
    char jpath[1200], *json = NULL;
    static const char *const jname[] = {"summary.json", "sweep.json", "samplesize.json"};
    for (int k = 0; k < 3 && !json; k++) {
        snprintf(jpath, sizeof jpath, "%s/%s", dir, jname[k]);
        if (plot_read_file(jpath, &json, NULL))
            json = NULL;
    }
    if (!comparison || json)
        html_provenance(f, scn, o, json);
    if (scn) {
        html_scenario(f, scn, o);
        html_endpoints(f, scn);
        html_multiplicity(f, scn);
    }
    char path[1200];
    snprintf(path, sizeof path, "%s/summary.csv", dir);
    int grid = html_grid(f, dir, json);
    if (!grid && access(path, R_OK) == 0) {
        fputs("<h2>Power and type I error</h2>\n<p>Per hypothesis: the share of design trials "
              "rejecting it (power) and of trials under the global null rejecting it (type I "
              "error), each with its Monte Carlo standard error (MCSE) and Wilson 95% "
              "interval.</p>\n", f);
        html_csv_table(f, path, "power-table");
    }
    if (json)
        html_family(f, json);
    snprintf(path, sizeof path, "%s/arms.csv", dir);
    if (access(path, R_OK) == 0) {
        fputs("<h2>Per arm</h2>\n<p>Means over the design trials at the analysis.</p>\n", f);
        html_csv_table(f, path, "arms-table");
    }
    free(json);
    if (html_compare(f, dir) == 0 || npics > 0)   /* a comparison's tables (htmlcompare.c) */
        fputs("<h2>Pictures</h2>\n", f);
    for (int i = 0; i < npics && !st; i++)
        if (drawn[i])
            st = html_image(f, pdir, &pics[i]);
    fputs("<p>Made by itpsim " ITP_VERSION ". Every picture's data is a CSV file in "
          "<code>plots/</code>.</p>\n", f);
    fputs(width_script, f);
    fputs("</body>\n</html>\n", f);
    if (st) {
        itp_out_abort(&out);
        return st;
    }
    return itp_out_commit(&out, err, errlen);
}
