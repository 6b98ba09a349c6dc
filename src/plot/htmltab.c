/* The tables of report.html (htmltab.h). */
#include "htmltab.h"

#include <stdlib.h>
#include <string.h>
#include "plotdata.h"

void html_text(FILE *f, const char *s)
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

int html_is_num(const char *s)
{
    if (!strcmp(s, "NA"))
        return 1;
    char *end;
    strtod(s, &end);
    return end != s && !*end;
}

void html_table_open(FILE *f, const char *id)
{
    fprintf(f, "<div class=\"tw\"><table id=\"%s\">\n", id);
}

void html_kv_open(FILE *f, const char *id)
{
    fprintf(f, "<div class=\"tw\"><table class=\"kv\" id=\"%s\">\n", id);
}

void html_table_close(FILE *f)
{
    fputs("</table></div>\n", f);
}

void html_kv(FILE *f, const char *k, const char *v)
{
    fputs("<tr><th>", f);
    html_text(f, k);
    fputs("</th><td>", f);
    html_text(f, v);
    fputs("</td></tr>\n", f);
}

void html_head_row(FILE *f, int num_from, const char *const *cols)
{
    fputs("<tr>", f);
    for (int i = 0; cols[i]; i++) {
        fputs(i >= num_from ? "<th class=\"num\">" : "<th>", f);
        html_text(f, cols[i]);
        fputs("</th>", f);
    }
    fputs("</tr>\n", f);
}

void html_cell(FILE *f, const char *s)
{
    if (!html_is_num(s)) {
        fputs("<td>", f);
        html_text(f, s);
        fputs("</td>", f);
        return;
    }
    fputs("<td class=\"num\">", f);
    if (strchr(s, '.'))
        fprintf(f, "%.4g", strtod(s, NULL));
    else
        html_text(f, s);
    fputs("</td>", f);
}

/* CSV column names in words; names not listed get their underscores as
 * spaces. */
static const char *const words[][2] = {
    {"power_mcse", "MCSE"},
    {"type1_error", "type I error"},
    {"type1", "type I error"},
    {"type1_mcse", "MCSE"},
    {"median_estimate", "median estimate"},
    {"ci_coverage", "CI coverage"},
    {"flagged_replicates", "flagged replicates"},
    {"harm_rejections", "harmful rejections"},
    {"harm_rejections_mcse", "MCSE"},
    {"mean_patients", "mean patients"},
    {"mean_events", "mean events"},
    {"median_ttf_months", "median time to failure (months)"},
    {"series_index", "series number"},
    {"x", "value"},
    {"mcse", "MCSE"},
    {"fwer", "family-wise error (global null)"},
    {"fwer_mcse", "MCSE"},
};

static void column_words(const char *name, char *out, size_t len)
{
    for (size_t i = 0; i < sizeof words / sizeof words[0]; i++)
        if (!strcmp(name, words[i][0])) {
            snprintf(out, len, "%s", words[i][1]);
            return;
        }
    size_t nl = strlen(name);
    double m;
    char rest[8];
    if (sscanf(name, "tf_free_%lfm%7s", &m, rest) == 1) {
        snprintf(out, len, "free of failure at %g months", m);
        return;
    }
    if (nl > 6 && !strcmp(name + nl - 6, "_power")) {
        snprintf(out, len, "%.*s power", (int)(nl - 6), name);
        return;
    }
    if (nl > 6 && !strcmp(name + nl - 6, "_type1")) {
        snprintf(out, len, "%.*s type I error", (int)(nl - 6), name);
        return;
    }
    /* compare_diff.csv: X_diff and its paired and unpaired MCSE */
    if (nl > 12 && !strcmp(name + nl - 12, "_mcse_paired")) {
        snprintf(out, len, "paired MCSE");
        return;
    }
    if (nl > 14 && !strcmp(name + nl - 14, "_mcse_unpaired")) {
        snprintf(out, len, "unpaired MCSE");
        return;
    }
    if (nl > 5 && !strcmp(name + nl - 5, "_diff")) {
        int t1 = !strncmp(name, "type1_", 6);
        snprintf(out, len, "%s%.*s difference", t1 ? "type I " : "", (int)(nl - 5 - 6 * t1),
                 name + 6 * t1);
        for (char *c = out; *c; c++)
            if (*c == '_')
                *c = ' ';
        return;
    }
    if (nl > 5 && !strcmp(name + nl - 5, "_mcse")) {
        snprintf(out, len, "MCSE");
        return;
    }
    snprintf(out, len, "%s", name);
    for (char *c = out; *c; c++)
        if (*c == '_')
            *c = ' ';
}

/* Does column i (ending in _low) pair with column i + 1 (_high)? */
static int is_pair(char *const *h, int n, int i)
{
    if (i + 1 >= n)
        return 0;
    size_t a = strlen(h[i]), b = strlen(h[i + 1]);
    return a > 4 && b == a + 1 && !strcmp(h[i] + a - 4, "_low") &&
           !strcmp(h[i + 1] + b - 5, "_high") && !strncmp(h[i], h[i + 1], a - 4);
}

#define HTML_MAX_COLS 128

int html_csv_table(FILE *f, const char *path, const char *id)
{
    char *text;
    if (plot_read_file(path, &text, NULL))
        return 0;
    /* the rows, split in place */
    int nrows = 0, cap = 0;
    char **line = NULL, *pos = text;
    for (char *l; (l = plot_next_line(&pos));) {
        if (!*l || !strcmp(l, "\r"))
            continue;
        if (nrows == cap) {
            cap = cap ? 2 * cap : 64;
            char **nl = realloc(line, (size_t)cap * sizeof *nl);
            if (!nl) {
                free(line);
                free(text);
                return 0;
            }
            line = nl;
        }
        line[nrows++] = l;
    }
    char *head[HTML_MAX_COLS];
    int nh = nrows ? plot_split_csv(line[0], head, HTML_MAX_COLS) : 0;
    /* a column is numeric when every cell under it is */
    unsigned char num[HTML_MAX_COLS];
    memset(num, nrows > 1, sizeof num);
    char **cells = malloc((size_t)(nrows ? nrows : 1) * HTML_MAX_COLS * sizeof *cells);
    int *nc = malloc((size_t)(nrows ? nrows : 1) * sizeof *nc);
    if (!cells || !nc) {
        free(cells);
        free(nc);
        free(line);
        free(text);
        return 0;
    }
    for (int r = 1; r < nrows; r++) {
        char **c = cells + (size_t)r * HTML_MAX_COLS;
        nc[r] = plot_split_csv(line[r], c, HTML_MAX_COLS);
        for (int i = 0; i < nh; i++)
            if (i >= nc[r] || (c[i][0] && !html_is_num(c[i])))
                num[i] = 0;
    }
    html_table_open(f, id);
    fputs("<tr>", f);
    for (int i = 0; i < nh; i++) {
        char w[160];
        if (is_pair(head, nh, i)) {
            size_t a = strlen(head[i]);
            int ci = a > 7 && !strcmp(head[i] + a - 7, "_ci_low");
            snprintf(w, sizeof w, "%s", ci ? "95% CI" : "band (+-1.96 MCSE)");
        } else {
            column_words(head[i], w, sizeof w);
        }
        fputs(num[i] ? "<th class=\"num\">" : "<th>", f);
        html_text(f, w);
        fputs("</th>", f);
        if (is_pair(head, nh, i))
            i++;
    }
    fputs("</tr>\n", f);
    for (int r = 1; r < nrows; r++) {
        char **c = cells + (size_t)r * HTML_MAX_COLS;
        fputs("<tr>", f);
        for (int i = 0; i < nh; i++) {
            const char *s = i < nc[r] ? c[i] : "";
            if (!is_pair(head, nh, i)) {
                html_cell(f, s);
                continue;
            }
            /* a low/high pair is one cell, as its header, whatever it holds */
            const char *t = i + 1 < nc[r] ? c[i + 1] : "";
            if (html_is_num(s) && html_is_num(t) && strcmp(s, "NA") && strcmp(t, "NA"))
                fprintf(f, "<td class=\"num\">%.4g to %.4g</td>", strtod(s, NULL),
                        strtod(t, NULL));
            else
                html_cell(f, "NA");   /* no interval (not "0 to 0") */
            i++;
        }
        fputs("</tr>\n", f);
    }
    html_table_close(f);
    free(nc);
    free(cells);
    free(line);
    free(text);
    return 1;
}
