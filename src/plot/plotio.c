/* Small helpers of the plot data: quantiles, base64, whole files, the JSON
 * values of summary.json, CSV lines and numbers; see plotdata.h. */
#include "plotdata.h"
#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include "itpsim/analysis.h"
#include "itpsim/calibrate.h"
#include "itpsim/endpoint.h"
#include "itpsim/model.h"
#include "itpsim/report.h"
#include "itpsim/survival.h"
#include "itpsim/trial.h"

/* ---- small helpers --------------------------------------------------------- */

int plot_cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

double itp_plot_quantile(double *x, size_t n, double q)
{
    if (n == 0)
        return (double)NAN;
    qsort(x, n, sizeof *x, plot_cmp_double);
    double h = (double)(n - 1) * q;
    size_t lo = (size_t)floor(h);
    if (lo + 1 >= n)
        return x[n - 1];
    return x[lo] + (h - (double)lo) * (x[lo + 1] - x[lo]);
}

size_t itp_base64(const unsigned char *in, size_t n, char *out)
{
    static const char tab[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    size_t k = 0;
    for (size_t i = 0; i < n; i += 3) {
        unsigned v = (unsigned)in[i] << 16;
        if (i + 1 < n)
            v |= (unsigned)in[i + 1] << 8;
        if (i + 2 < n)
            v |= in[i + 2];
        out[k++] = tab[(v >> 18) & 63];
        out[k++] = tab[(v >> 12) & 63];
        out[k++] = i + 1 < n ? tab[(v >> 6) & 63] : '=';
        out[k++] = i + 2 < n ? tab[v & 63] : '=';
    }
    out[k] = '\0';
    return k;
}

itp_status plot_read_file(const char *path, char **out, size_t *len)
{
    *out = NULL;
    FILE *f = fopen(path, "rb");
    if (!f)
        return ITP_EIO;
    size_t cap = 1 << 16, n = 0;
    char *buf = malloc(cap);
    while (buf) {
        if (cap - n < 4096) {
            char *nb = realloc(buf, cap * 2);
            if (!nb) {
                free(buf);
                buf = NULL;
                break;
            }
            buf = nb;
            cap *= 2;
        }
        size_t got = fread(buf + n, 1, cap - n - 1, f);
        n += got;
        if (got == 0)
            break;
    }
    int bad = !buf || ferror(f);
    fclose(f);
    if (bad) {
        free(buf);
        return buf ? ITP_EIO : ITP_ENOMEM;
    }
    buf[n] = '\0';
    *out = buf;
    if (len)
        *len = n;
    return ITP_OK;
}

/* Splits line (modified) at commas into at most max fields; returns count. */
int plot_split_csv(char *line, char **field, int max)
{
    int n = 0;
    char *s = line;
    while (n < max) {
        field[n++] = s;
        if (*s == '"') {
            /* a quoted field (RFC 4180; a sweep's note): unquoted in place,
             * "" as one quote, its commas kept */
            char *w = s, *r = s + 1;
            while (*r && !(r[0] == '"' && r[1] != '"')) {
                if (r[0] == '"')
                    r++;   /* the first of a doubled quote */
                *w++ = *r++;
            }
            *w = '\0';
            s = *r ? r + 1 : r;
            if (*s != ',')
                break;
            s++;
            continue;
        }
        char *c = strchr(s, ',');
        if (!c)
            break;
        *c = '\0';
        s = c + 1;
    }
    return n;
}

/* Next line of text (modified): returns it, or NULL at the end. */
char *plot_next_line(char **pos)
{
    char *s = *pos;
    if (!s || !*s)
        return NULL;
    char *nl = strchr(s, '\n');
    if (nl) {
        *nl = '\0';
        *pos = nl + 1;
    } else {
        *pos = s + strlen(s);
    }
    size_t l = strlen(s);
    if (l && s[l - 1] == '\r')
        s[l - 1] = '\0';
    return s;
}

/* Strict number: NaN for NA, empty or junk; +-inf for Inf/-Inf. */
double plot_parse_num(const char *s)
{
    if (!strcmp(s, "Inf"))
        return HUGE_VAL;
    if (!strcmp(s, "-Inf"))
        return -HUGE_VAL;
    char *end;
    errno = 0;
    double v = strtod(s, &end);
    if (end == s || *end || errno == ERANGE)
        return (double)NAN;
    return v;
}


int plot_first_time_endpoint(const itp_scenario *scn)
{
    for (int e = 0; e < scn->n_endpoints; e++)
        if (scn->endpoints[e].type->kind == ITP_EP_TIME)
            return e;
    return -1;
}
