/* report.html (plotdata.h): the settings and results of a run and its
 * pictures, with the PNG images embedded as base64 data URIs (RFC 2397,
 * RFC 4648); every text from the run is escaped. */
#include "plotdata.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "itpsim/endpoint.h"
#include "itpsim/model.h"
#include "itpsim/multiplicity.h"
#include "itpsim/report.h"

static void html_text(FILE *f, const char *s)
{
    for (; *s; s++) {
        switch (*s) {
        case '<': fputs("&lt;", f); break;
        case '>': fputs("&gt;", f); break;
        case '&': fputs("&amp;", f); break;
        case '"': fputs("&quot;", f); break;
        default:
            if ((unsigned char)*s >= 32 || *s == '\n')
                fputc(*s, f);
        }
    }
}

/* A CSV file as an HTML table (all columns), id given. 0 when missing. */
static int html_csv_table(FILE *f, const char *path, const char *id)
{
    char *text;
    if (plot_read_file(path, &text, NULL))
        return 0;
    fprintf(f, "<table id=\"%s\">\n", id);
    int row = 0;
    for (char *line = strtok(text, "\r\n"); line; line = strtok(NULL, "\r\n"), row++) {
        fputs("<tr>", f);
        char *s = line;
        for (;;) {
            char *c = strchr(s, ',');
            if (c)
                *c = '\0';
            fputs(row ? "<td>" : "<th>", f);
            char *end;
            double v = strtod(s, &end);
            if (row && end != s && !*end && strchr(s, '.'))
                fprintf(f, "%.4g", v); /* shorter numbers; full precision is in the CSV */
            else
                html_text(f, s);
            fputs(row ? "</td>" : "</th>", f);
            if (!c)
                break;
            s = c + 1;
        }
        fputs("</tr>\n", f);
    }
    fputs("</table>\n", f);
    free(text);
    return 1;
}

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

static void html_kv(FILE *f, const char *k, const char *v)
{
    fputs("<tr><th>", f);
    html_text(f, k);
    fputs("</th><td>", f);
    html_text(f, v);
    fputs("</td></tr>\n", f);
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
    const char *title = scn ? scn->name : "itpsim results";
    fputs("<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n<title>itpsim: ",
          f);
    html_text(f, title);
    fputs("</title>\n<style>\n"
          "body{font-family:sans-serif;max-width:1250px;margin:1em auto;padding:0 1em;color:#222}\n"
          "table{border-collapse:collapse;margin:.5em 0 1.5em}\n"
          "th,td{border:1px solid #ccc;padding:.2em .5em;text-align:right;font-size:90%}\n"
          "th{background:#f3f3f3}\ntd:first-child,th:first-child{text-align:left}\n"
          "figure{margin:1em 0 2em}img{max-width:100%;border:1px solid #eee}\n"
          "figcaption{font-size:90%;color:#555}\n</style>\n</head>\n<body>\n<h1>", f);
    html_text(f, title);
    fputs("</h1>\n", f);
    if (scn && scn->description[0] && strcmp(scn->description, "-")) {
        fputs("<p>", f);
        html_text(f, scn->description);
        fputs("</p>\n", f);
    }
    fputs("<h2>Run</h2>\n<table id=\"run\">\n", f);
    char v[512];
    char jpath[1200], *json = NULL;
    snprintf(jpath, sizeof jpath, "%s/summary.json", dir);
    plot_read_file(jpath, &json, NULL);
    if (scn)
        html_kv(f, "scenario file", scn->file);
    snprintf(v, sizeof v, "%llu", (unsigned long long)o->seed);
    if (json)
        html_kv(f, "seed", v);
    if (json && itp_json_get(json, "replicates", -1, v, sizeof v))
        html_kv(f, "replicates (design)", v);
    if (json && itp_json_get(json, "null_replicates", -1, v, sizeof v))
        html_kv(f, "replicates (null)", v);
    if (json && itp_json_get(json, "partial", -1, v, sizeof v) && !strcmp(v, "true"))
        html_kv(f, "partial", "yes: the run was interrupted");
    html_kv(f, "itpsim version", ITP_VERSION);
    free(json);
    fputs("</table>\n", f);
    if (scn) {
        fputs("<h2>Scenario</h2>\n<table id=\"scenario\">\n", f);
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
        fputs("</table>\n", f);
    }
    char path[1200];
    snprintf(path, sizeof path, "%s/summary.csv", dir);
    fputs("<h2>Power and type I error</h2>\n", f);
    if (!html_csv_table(f, path, "power-table"))
        fputs("<p>No summary.csv in this folder.</p>\n", f);
    snprintf(path, sizeof path, "%s/arms.csv", dir);
    if (html_csv_table(f, path, "arms-table") == 0)
        fputs("", f);
    fputs("<h2>Pictures</h2>\n", f);
    for (int i = 0; i < npics && !st; i++)
        if (drawn[i])
            st = html_image(f, pdir, &pics[i]);
    snprintf(path, sizeof path, "%s/power.csv", pdir);
    if (access(path, R_OK) == 0) {
        fputs("<h2>Power against the varied setting</h2>\n", f);
        html_csv_table(f, path, "power-curve-table");
    }
    fputs("<p>Made by itpsim " ITP_VERSION ". Every picture's data is a CSV file in "
          "<code>plots/</code>.</p>\n</body>\n</html>\n", f);
    if (st) {
        itp_out_abort(&out);
        return st;
    }
    return itp_out_commit(&out, err, errlen);
}

