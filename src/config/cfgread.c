/* Typed, validated reading of a scenario and its defaults; see cfgread.h. */
#include "itpsim/cfgread.h"

#include <ctype.h>
#include <errno.h>
#include <limits.h>
#include <stdint.h>
#include <math.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

struct itp_reader {
    config_t scn;
    config_t defs;
    int scn_ok, defs_ok;
    char file[512];
    char incdir[512];  /* libconfig's folder for the scenario's @include names */
    char err[1024];
    char **resolved; /* one line per resolved setting, in reading order */
    size_t n_resolved, cap_resolved;
};

const char *itp_reader_error(const itp_reader *rd) { return rd->err; }
const char *itp_reader_file(const itp_reader *rd) { return rd->file; }
const config_setting_t *itp_reader_root(const itp_reader *rd)
{
    return config_root_setting(&rd->scn);
}

void itp_setting_path(const config_setting_t *s, char *buf, size_t len)
{
    const config_setting_t *chain[64];
    int n = 0;
    buf[0] = '\0';
    for (; s && config_setting_parent(s) && n < 64; s = config_setting_parent(s))
        chain[n++] = s;
    size_t used = 0;
    for (int i = n - 1; i >= 0 && used < len; i--) {
        const char *name = config_setting_name(chain[i]);
        int w;
        if (name)
            w = snprintf(buf + used, len - used, "%s%s", used ? "." : "", name);
        else
            w = snprintf(buf + used, len - used, "[%d]", config_setting_index(chain[i]));
        if (w < 0)
            break;
        used += (size_t)w;
    }
}

const config_setting_t *itp_member(const config_setting_t *g, const char *name)
{
    return g ? config_setting_get_member(g, name) : NULL;
}

const config_setting_t *itp_root_elem(const itp_reader *rd, const char *name, int i)
{
    const config_setting_t *l = itp_member(config_root_setting(&rd->scn), name);
    return l && i >= 0 && i < config_setting_length(l) ? config_setting_get_elem(l, (unsigned)i)
                                                       : l;
}

static const config_setting_t *number_at(const config_t *c, const char *path)
{
    const config_setting_t *s = config_lookup((config_t *)(uintptr_t)c, path);
    if (s && config_setting_is_group(s))
        s = config_setting_get_member(s, "value");
    return s && config_setting_is_number(s) ? s : NULL;
}

int itp_reader_has_number(const itp_reader *rd, const char *path)
{
    return number_at(&rd->scn, path) || number_at(&rd->defs, path);
}

const char *itp_reader_unit(const itp_reader *rd, const char *path)
{
    const char *unit = "";
    const config_setting_t *s = config_lookup((config_t *)(uintptr_t)&rd->defs, path);
    if (s && config_setting_is_group(s))
        config_setting_lookup_string(s, "unit", &unit);
    return unit;
}

int itp_edit_distance(const char *a, const char *b)
{
    size_t la = strlen(a), lb = strlen(b);
    int row[65];
    if (la > 64 || lb > 64)
        return 99;
    for (size_t j = 0; j <= lb; j++)
        row[j] = (int)j;
    for (size_t i = 1; i <= la; i++) {
        int prev = row[0];
        row[0] = (int)i;
        for (size_t j = 1; j <= lb; j++) {
            int cur = row[j];
            int sub = prev + (a[i - 1] != b[j - 1]);
            int del = row[j] + 1, ins = row[j - 1] + 1;
            row[j] = sub < del ? (sub < ins ? sub : ins) : (del < ins ? del : ins);
            prev = cur;
        }
    }
    return row[lb];
}

static const char *type_name(const config_setting_t *s)
{
    switch (config_setting_type(s)) {
    case CONFIG_TYPE_GROUP: return "a group";
    case CONFIG_TYPE_INT: case CONFIG_TYPE_INT64: return "an integer";
    case CONFIG_TYPE_FLOAT: return "a number";
    case CONFIG_TYPE_STRING: return "a string";
    case CONFIG_TYPE_BOOL: return "a boolean";
    case CONFIG_TYPE_ARRAY: return "an array";
    case CONFIG_TYPE_LIST: return "a list";
    default: return "nothing";
    }
}

/* The file to name in a message: libconfig gives an included file by its
 * @include name, which is relative to the include folder; NULL is the
 * scenario itself. */
static const char *shown_file(const itp_reader *rd, const char *f, char *buf, size_t len)
{
    if (!f || !*f)
        return rd->file;
    if (f[0] == '/' || !rd->incdir[0] || !strcmp(rd->incdir, ".") || !strcmp(f, rd->file))
        return f;
    snprintf(buf, len, "%s/%s", rd->incdir, f);
    return buf;
}

static void vfail(itp_reader *rd, const config_setting_t *s, const char *fmt,
                  va_list ap)
{
    char fbuf[1100];
    char path[256] = "";
    size_t used = 0;
    int w;
    if (s) {
        const char *f = shown_file(rd, config_setting_source_file(s), fbuf, sizeof fbuf);
        unsigned line = config_setting_source_line(s);
        itp_setting_path(s, path, sizeof path);
        if (line)
            w = snprintf(rd->err, sizeof rd->err, "%s:%u: %s%s", f, line, path,
                         path[0] ? ": " : "");
        else
            w = snprintf(rd->err, sizeof rd->err, "%s: %s (set on the command line): ", f,
                         path);
    } else {
        w = snprintf(rd->err, sizeof rd->err, "%s: ", rd->file);
    }
    used = w > 0 ? (size_t)w : 0;
    if (used < sizeof rd->err)
        vsnprintf(rd->err + used, sizeof rd->err - used, fmt, ap);
    /* A message is one line: a scenario string quoted in it may hold "\n"
     * or other control characters (libconfig expands escapes). */
    for (char *c = rd->err; *c; c++)
        if ((unsigned char)*c < 32)
            *c = '?';
}

itp_status itp_rd_fail(itp_reader *rd, const config_setting_t *s,
                       const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vfail(rd, s, fmt, ap);
    va_end(ap);
    return ITP_EINPUT;
}

static itp_status log_resolved(itp_reader *rd, const char *line)
{
    if (rd->n_resolved == rd->cap_resolved) {
        size_t cap = rd->cap_resolved ? 2 * rd->cap_resolved : 64;
        char **p = realloc(rd->resolved, cap * sizeof *p);
        if (!p)
            return ITP_ENOMEM;
        rd->resolved = p;
        rd->cap_resolved = cap;
    }
    char *copy = strdup(line);
    if (!copy)
        return ITP_ENOMEM;
    rd->resolved[rd->n_resolved++] = copy;
    return ITP_OK;
}

void itp_reader_print_resolved(const itp_reader *rd, FILE *out)
{
    for (size_t i = 0; i < rd->n_resolved; i++)
        fprintf(out, "%s\n", rd->resolved[i]);
}

/* The name of a setting for messages when it is absent: group path + name. */
static void member_path(const config_setting_t *g, const char *defpath,
                        const char *name, char *buf, size_t len)
{
    char gp[256] = "";
    if (g)
        itp_setting_path(g, gp, sizeof gp);
    else if (defpath)
        snprintf(gp, sizeof gp, "%s", defpath);
    snprintf(buf, len, "%s%s%s", gp, gp[0] ? "." : "", name);
}

static const config_setting_t *defaults_member(const itp_reader *rd,
                                               const char *defpath,
                                               const char *name)
{
    if (!defpath || !rd->defs_ok)
        return NULL;
    char p[256];
    snprintf(p, sizeof p, "%s.%s", defpath, name);
    return config_lookup(&rd->defs, p);
}

static int is_number(const config_setting_t *s)
{
    int t = config_setting_type(s);
    return t == CONFIG_TYPE_INT || t == CONFIG_TYPE_INT64 || t == CONFIG_TYPE_FLOAT;
}

static void range_text(itp_range r, char *buf, size_t len)
{
    if (isinf(r.hi))
        snprintf(buf, len, "%s%g, inf)", r.lo_open ? "(" : "[", r.lo);
    else
        snprintf(buf, len, "%s%g, %g%s", r.lo_open ? "(" : "[", r.lo, r.hi,
                 r.hi_open ? ")" : "]");
}

/* Finds the setting holding the value (scenario first, then defaults), and
 * the group with its unit and source when there is one. */
static itp_status find_value(itp_reader *rd, const config_setting_t *g,
                             const char *defpath, const char *name,
                             const char *expected,
                             const config_setting_t **val,
                             const config_setting_t **meta, const char **origin)
{
    const config_setting_t *s = g ? config_setting_get_member(g, name) : NULL;
    const config_setting_t *d = defaults_member(rd, defpath, name);
    *origin = "scenario";
    if (!s && defpath) {
        /* the scenario's own group of that path (for a component: the
         * scenario-wide defaults of its type, e.g. bcell_antibody.emax) */
        char p[256];
        snprintf(p, sizeof p, "%s.%s", defpath, name);
        s = config_lookup(&rd->scn, p);
    }
    if (!s) {
        s = d;
        *origin = "defaults";
    }
    *val = NULL;
    *meta = NULL;
    if (!s)
        return ITP_OK;
    if (config_setting_is_group(s)) {
        const config_setting_t *v = config_setting_get_member(s, "value");
        if (!v)
            return itp_rd_fail(rd, s, "expected %s, or a group with 'value'", expected);
        *meta = s;
        *val = v;
    } else {
        *val = s;
        if (d && config_setting_is_group(d))
            *meta = d;
    }
    return ITP_OK;
}

static itp_status log_value(itp_reader *rd, const config_setting_t *g,
                            const char *defpath, const char *name,
                            const char *value, const config_setting_t *meta,
                            const char *origin)
{
    char path[256], line[768];
    const char *unit = NULL, *source = NULL;
    member_path(g, defpath, name, path, sizeof path);
    if (meta) {
        config_setting_lookup_string(meta, "unit", &unit);
        config_setting_lookup_string(meta, "source", &source);
    }
    snprintf(line, sizeof line, "%-52s = %-12s # %s%s%s%s", path, value,
             unit ? unit : "", unit ? "; " : "", origin,
             source ? "; source: " : "");
    if (source) {
        size_t l = strlen(line);
        snprintf(line + l, sizeof line - l, "%s", source);
    }
    return log_resolved(rd, line);
}

static itp_status missing(itp_reader *rd, const config_setting_t *g,
                          const char *name, const char *expected)
{
    const config_setting_t *at = g ? g : config_root_setting(&rd->scn);
    if (g && config_setting_parent(g))
        return itp_rd_fail(rd, at, "missing setting '%s' (expected %s)", name, expected);
    return itp_rd_fail(rd, NULL, "missing setting '%s' (expected %s)", name, expected);
}

static itp_status read_double(itp_reader *rd, const config_setting_t *g,
                              const char *defpath, const char *name,
                              itp_range r, const double *dflt, double *out)
{
    char expected[96], rt[64];
    range_text(r, rt, sizeof rt);
    snprintf(expected, sizeof expected, "a number in %s", rt);
    const config_setting_t *v, *meta;
    const char *origin;
    itp_status st = find_value(rd, g, defpath, name, expected, &v, &meta, &origin);
    if (st)
        return st;
    double x;
    if (!v) {
        if (!dflt)
            return missing(rd, g, name, expected);
        x = *dflt;
        origin = "built-in default";
    } else {
        if (!is_number(v))
            return itp_rd_fail(rd, v, "expected %s, got %s", expected, type_name(v));
        x = config_setting_get_float(v);
        if (config_setting_type(v) != CONFIG_TYPE_FLOAT)
            x = (double)config_setting_get_int64(v);
    }
    if (!isfinite(x))
        return itp_rd_fail(rd, v, "expected %s, got a non-finite value", expected);
    if (x < r.lo || x > r.hi || (r.lo_open && x == r.lo) || (r.hi_open && x == r.hi))
        return itp_rd_fail(rd, v, "expected %s, got %g", expected, x);
    char text[64];
    snprintf(text, sizeof text, "%.10g", x);
    st = log_value(rd, g, defpath, name, text, meta, origin);
    if (st)
        return st;
    *out = x;
    return ITP_OK;
}

itp_status itp_rd_double(itp_reader *rd, const config_setting_t *g,
                         const char *defpath, const char *name, itp_range r,
                         double *out)
{
    return read_double(rd, g, defpath, name, r, NULL, out);
}

itp_status itp_rd_double_or(itp_reader *rd, const config_setting_t *g,
                            const char *name, itp_range r, double dflt,
                            double *out)
{
    return read_double(rd, g, NULL, name, r, &dflt, out);
}

static itp_status read_int(itp_reader *rd, const config_setting_t *g,
                           const char *defpath, const char *name, long lo,
                           long hi, const int *dflt, int *out)
{
    char expected[96];
    snprintf(expected, sizeof expected, "an integer in [%ld, %ld]", lo, hi);
    const config_setting_t *v, *meta;
    const char *origin;
    itp_status st = find_value(rd, g, defpath, name, expected, &v, &meta, &origin);
    if (st)
        return st;
    long long x;
    if (!v) {
        if (!dflt)
            return missing(rd, g, name, expected);
        x = *dflt;
        origin = "built-in default";
    } else if (config_setting_type(v) == CONFIG_TYPE_FLOAT) {
        double d = config_setting_get_float(v);
        if (!isfinite(d) || d != floor(d) || fabs(d) > 1e15)
            return itp_rd_fail(rd, v, "expected %s, got %g", expected, d);
        x = (long long)d;
    } else if (is_number(v)) {
        x = config_setting_get_int64(v);
    } else {
        return itp_rd_fail(rd, v, "expected %s, got %s", expected, type_name(v));
    }
    if (x < lo || x > hi)
        return itp_rd_fail(rd, v, "expected %s, got %lld", expected, x);
    char text[32];
    snprintf(text, sizeof text, "%lld", x);
    st = log_value(rd, g, defpath, name, text, meta, origin);
    if (st)
        return st;
    *out = (int)x;
    return ITP_OK;
}

itp_status itp_rd_int(itp_reader *rd, const config_setting_t *g,
                      const char *defpath, const char *name, long lo, long hi,
                      int *out)
{
    return read_int(rd, g, defpath, name, lo, hi, NULL, out);
}

itp_status itp_rd_int_or(itp_reader *rd, const config_setting_t *g,
                         const char *name, long lo, long hi, int dflt, int *out)
{
    return read_int(rd, g, NULL, name, lo, hi, &dflt, out);
}

itp_status itp_rd_bool_or(itp_reader *rd, const config_setting_t *g,
                          const char *name, int dflt, int *out)
{
    const config_setting_t *v = g ? config_setting_get_member(g, name) : NULL;
    int x = dflt;
    const char *origin = "built-in default";
    if (v) {
        if (config_setting_type(v) != CONFIG_TYPE_BOOL)
            return itp_rd_fail(rd, v, "expected true or false, got %s", type_name(v));
        x = config_setting_get_bool(v);
        origin = "scenario";
    }
    itp_status st = log_value(rd, g, NULL, name, x ? "true" : "false", NULL, origin);
    if (st)
        return st;
    *out = x;
    return ITP_OK;
}

itp_status itp_rd_string(itp_reader *rd, const config_setting_t *g,
                         const char *name, const char *dflt, char *out,
                         size_t outlen)
{
    return itp_rd_string_at(rd, g, NULL, name, dflt, out, outlen);
}

itp_status itp_rd_log(itp_reader *rd, const char *path, const char *value, const char *origin)
{
    return log_value(rd, NULL, NULL, path, value, NULL, origin);
}

itp_status itp_rd_string_at(itp_reader *rd, const config_setting_t *g, const char *group,
                            const char *name, const char *dflt, char *out, size_t outlen)
{
    const config_setting_t *v = g ? config_setting_get_member(g, name) : NULL;
    const char *x = dflt, *origin = "built-in default";
    if (v) {
        if (config_setting_type(v) != CONFIG_TYPE_STRING)
            return itp_rd_fail(rd, v, "expected a string, got %s", type_name(v));
        x = config_setting_get_string(v);
        origin = "scenario";
        if (!x[0])
            return itp_rd_fail(rd, v, "expected a non-empty string");
        if (strlen(x) >= outlen)
            return itp_rd_fail(rd, v, "expected a string of at most %zu characters",
                               outlen - 1);
    } else if (!x) {
        return missing(rd, g, name, "a string");
    }
    char quoted[300];
    snprintf(quoted, sizeof quoted, "\"%s\"", x);
    itp_status st = log_value(rd, g, g ? NULL : group, name, quoted, NULL, origin);
    if (st)
        return st;
    snprintf(out, outlen, "%s", x);
    return ITP_OK;
}

itp_status itp_rd_array(itp_reader *rd, const config_setting_t *g,
                        const char *name, itp_range r, int required,
                        double *out, int maxn, int *n)
{
    char rt[64];
    range_text(r, rt, sizeof rt);
    const config_setting_t *a = g ? config_setting_get_member(g, name) : NULL;
    *n = 0;
    if (!a) {
        if (required) {
            char expected[96];
            snprintf(expected, sizeof expected, "an array of numbers in %s", rt);
            return missing(rd, g, name, expected);
        }
        return ITP_OK;
    }
    int t = config_setting_type(a);
    if (t != CONFIG_TYPE_ARRAY && t != CONFIG_TYPE_LIST)
        return itp_rd_fail(rd, a, "expected an array [ ... ] of numbers in %s, got %s",
                           rt, type_name(a));
    int len = config_setting_length(a);
    if (len == 0)
        return itp_rd_fail(rd, a, "expected a non-empty array of numbers in %s", rt);
    if (len > maxn)
        return itp_rd_fail(rd, a, "expected at most %d values, got %d", maxn, len);
    char text[512] = "[";
    size_t used = 1;
    for (int i = 0; i < len; i++) {
        const config_setting_t *e = config_setting_get_elem(a, (unsigned)i);
        if (!is_number(e))
            return itp_rd_fail(rd, e, "expected a number in %s, got %s", rt, type_name(e));
        double x = config_setting_type(e) == CONFIG_TYPE_FLOAT
                       ? config_setting_get_float(e)
                       : (double)config_setting_get_int64(e);
        if (!isfinite(x) || x < r.lo || x > r.hi || (r.lo_open && x == r.lo) ||
            (r.hi_open && x == r.hi))
            return itp_rd_fail(rd, e, "expected a number in %s, got %g", rt, x);
        out[i] = x;
        if (used < sizeof text) {
            int w = snprintf(text + used, sizeof text - used, "%s%g", i ? ", " : "", x);
            used += w > 0 ? (size_t)w : 0;
        }
    }
    if (used < sizeof text - 1)
        strcat(text, "]");
    *n = len;
    return log_value(rd, g, NULL, name, text, NULL, "scenario");
}

itp_status itp_rd_child(itp_reader *rd, const config_setting_t *g,
                        const char *name, int type, int required,
                        const config_setting_t **out)
{
    const config_setting_t *c = g ? config_setting_get_member(g, name) : NULL;
    const char *want = type == CONFIG_TYPE_GROUP ? "a group { ... }" : "a list ( ... )";
    *out = NULL;
    if (!c) {
        if (required)
            return missing(rd, g, name, want);
        return ITP_OK;
    }
    if (config_setting_type(c) != type)
        return itp_rd_fail(rd, c, "expected %s, got %s", want, type_name(c));
    *out = c;
    return ITP_OK;
}

itp_status itp_rd_keys(itp_reader *rd, const config_setting_t *g,
                       const char *const *known, const char *defpath)
{
    if (!g)
        return ITP_OK;
    const config_setting_t *dg = NULL;
    if (defpath && rd->defs_ok)
        dg = config_lookup(&rd->defs, defpath);
    int len = config_setting_length(g);
    for (int i = 0; i < len; i++) {
        const config_setting_t *c = config_setting_get_elem(g, (unsigned)i);
        const char *name = config_setting_name(c);
        if (!name)
            continue;
        int ok = 0;
        for (const char *const *k = known; k && *k && !ok; k++)
            ok = strcmp(*k, name) == 0;
        if (!ok && dg)
            ok = config_setting_get_member(dg, name) != NULL;
        if (ok)
            continue;
        const char *best = NULL;
        int bestd = 1 << 20;
        for (const char *const *k = known; k && *k; k++) {
            int d = itp_edit_distance(name, *k);
            if (d < bestd) { bestd = d; best = *k; }
        }
        for (int j = 0; dg && j < config_setting_length(dg); j++) {
            const char *kn = config_setting_name(config_setting_get_elem(dg, (unsigned)j));
            int d = itp_edit_distance(name, kn);
            if (d < bestd) { bestd = d; best = kn; }
        }
        int limit = (int)strlen(name) / 3 > 2 ? (int)strlen(name) / 3 : 2;
        if (best && bestd <= limit)
            return itp_rd_fail(rd, c, "unknown setting; did you mean '%s'?", best);
        return itp_rd_fail(rd, c, "unknown setting");
    }
    return ITP_OK;
}

/* ---- opening, with overrides ---------------------------------------------- */

/* The folder of a file's path ("." for a bare name). */
static void folder_of(const char *file, char *dir, size_t len)
{
    snprintf(dir, len, "%s", file);
    char *slash = strrchr(dir, '/');
    if (slash)
        *slash = '\0';
    else
        snprintf(dir, len, ".");
}

static itp_status parse_file(itp_reader *rd, config_t *c, const char *file,
                             const char *what)
{
    FILE *f = fopen(file, "r");
    if (!f) {
        snprintf(rd->err, sizeof rd->err, "%s: cannot open %s: %s", file, what,
                 strerror(errno));
        return ITP_EINPUT;
    }
    /* Relative @include paths are taken from the including file's folder. */
    char dir[512];
    folder_of(file, dir, sizeof dir);
    config_set_include_dir(c, dir);
    if (c == &rd->scn)
        snprintf(rd->incdir, sizeof rd->incdir, "%s", dir);
    fclose(f);
    /* By name, so that every setting knows its file: an error in the
     * defaults file names the defaults file. */
    int ok = config_read_file(c, file);
    if (!ok) {
        char fbuf[1100];
        const char *ef = config_error_file(c);
        snprintf(rd->err, sizeof rd->err, "%s:%d: syntax error: %s",
                 ef && c == &rd->scn ? shown_file(rd, ef, fbuf, sizeof fbuf) : ef ? ef : file,
                 config_error_line(c),
                 config_error_text(c));
        return ITP_EINPUT;
    }
    return ITP_OK;
}

/* ---- the raw text, before libconfig ------------------------------------------ */

/* Largest scenario or included file: far above any real scenario, small
 * enough that a wrong file named by mistake is refused at once. */
#define MAX_TEXT_BYTES (16L << 20)
/* libconfig 1.5 refuses deeper @include nesting with its own message; the
 * scan stops there and leaves that to it. */
#define MAX_INCLUDE_DEPTH 10

typedef struct text_scan {
    itp_reader *rd;
    const char *dir;   /* libconfig's include folder: every @include is dir/NAME */
} text_scan;

static itp_status scan_file(const text_scan *ts, const char *file, const char *from,
                            int from_line, int depth);

/* Reads a whole file into a NUL-terminated buffer (caller frees). A file
 * that is not a regular file (a folder, a device, a pipe) or that is larger
 * than MAX_TEXT_BYTES is refused: libconfig's scanner ends the process on a
 * folder, and would read a device forever. from/from_line name the
 * @include that named the file (NULL for the scenario itself). */
static itp_status read_text(const text_scan *ts, const char *file, const char *from,
                            int from_line, char **out, size_t *len)
{
    itp_reader *rd = ts->rd;
    struct stat sb;
    *out = NULL;
    *len = 0;
    if (stat(file, &sb) != 0) {
        if (from)   /* libconfig says "cannot open include file" with its line */
            return ITP_OK;
        snprintf(rd->err, sizeof rd->err, "%s: cannot open scenario: %s", file,
                 strerror(errno));
        return ITP_EINPUT;
    }
    const char *why = !S_ISREG(sb.st_mode) ? (S_ISDIR(sb.st_mode) ? "a folder" : "not a regular file")
                      : sb.st_size > MAX_TEXT_BYTES ? "larger than 16 MiB"
                                                   : NULL;
    if (why) {
        if (from)
            snprintf(rd->err, sizeof rd->err, "%s:%d: @include \"%s\": %s, not a scenario file",
                     from, from_line, file, why);
        else
            snprintf(rd->err, sizeof rd->err, "%s: %s, not a scenario file", file, why);
        return ITP_EINPUT;
    }
    FILE *f = fopen(file, "rb");
    if (!f) {
        if (from)
            return ITP_OK;
        snprintf(rd->err, sizeof rd->err, "%s: cannot open scenario: %s", file,
                 strerror(errno));
        return ITP_EINPUT;
    }
    char *buf = malloc((size_t)MAX_TEXT_BYTES + 1);
    if (!buf) {
        fclose(f);
        snprintf(rd->err, sizeof rd->err, "out of memory");
        return ITP_ENOMEM;
    }
    size_t n = fread(buf, 1, (size_t)MAX_TEXT_BYTES + 1, f);
    int bad = ferror(f);
    fclose(f);
    if (bad || n > (size_t)MAX_TEXT_BYTES) {
        free(buf);
        snprintf(rd->err, sizeof rd->err, "%s: %s", file,
                 bad ? "cannot read the file" : "larger than 16 MiB, not a scenario file");
        return ITP_EINPUT;
    }
    buf[n] = '\0';
    *out = buf;
    *len = n;
    return ITP_OK;
}

static int is_name_start(int c) { return isalpha(c) || c == '*'; }
static int is_name_char(int c) { return isalnum(c) || c == '_' || c == '-' || c == '*'; }

/* A whole number without the L suffix, checked against int's range:
 * libconfig 1.5 stores such a literal in an int and silently wraps larger
 * ones (patients = 4294967356 would read as 60). */
static itp_status check_int_literal(const text_scan *ts, const char *file, int line,
                                    const char *name, const char *lit, size_t litlen)
{
    char tok[40];
    int hex = 0;
    size_t k = litlen < sizeof tok - 1 ? litlen : sizeof tok - 1;
    memcpy(tok, lit, k);
    tok[k] = '\0';
    const char *d = tok + (tok[0] == '-' || tok[0] == '+');
    hex = d[0] == '0' && (d[1] == 'x' || d[1] == 'X');
    errno = 0;
    long long v = 0;
    if (hex) {
        unsigned long long u = strtoull(d, NULL, 16);
        v = errno || u > (unsigned long long)INT_MAX + 1 ? LLONG_MAX : (long long)u;
        if (tok[0] == '-')
            v = -v;
    } else {
        v = strtoll(tok, NULL, 10);
    }
    if (litlen < sizeof tok && !errno && v >= INT_MIN && v <= INT_MAX)
        return ITP_OK;
    snprintf(ts->rd->err, sizeof ts->rd->err,
             "%s:%d: %s%sexpected a whole number from %d to %d (libconfig wraps larger ones), got %.*s",
             file, line, name, name[0] ? ": " : "", INT_MIN, INT_MAX,
             (int)(litlen < 40 ? litlen : 40), lit);
    return ITP_EINPUT;
}

/* Scans libconfig text for what libconfig itself would mishandle: control
 * bytes (a binary file), plain integers beyond int, and @include of a file
 * that is not a regular text file; included files are scanned the same way.
 * Comments and strings are skipped as libconfig skips them. */
static itp_status scan_text(const text_scan *ts, const char *file, const char *buf, size_t n,
                            int depth)
{
    int line = 1, bol = 1;
    char name[64] = "";   /* the setting being assigned */
    for (size_t i = 0; i < n;) {
        unsigned char c = (unsigned char)buf[i];
        if (c == 0 || (c < 32 && c != '\n' && c != '\r' && c != '\t')) {
            snprintf(ts->rd->err, sizeof ts->rd->err,
                     "%s:%d: not a text scenario file (control byte 0x%02x at byte %zu)",
                     file, line, (unsigned)c, i + 1);
            return ITP_EINPUT;
        }
        if (c == '\n') {
            line++;
            bol = 1;
            i++;
        } else if (c == ' ' || c == '\t' || c == '\r') {
            i++;
        } else if (c == '#' || (c == '/' && buf[i + 1] == '/')) {
            while (i < n && buf[i] != '\n' && ((unsigned char)buf[i] >= 32 || buf[i] == '\t' ||
                                               buf[i] == '\r'))
                i++;
        } else if (c == '/' && buf[i + 1] == '*') {
            /* control bytes inside comments are still refused below */
            for (i += 2; i < n && !(buf[i] == '*' && buf[i + 1] == '/'); i++) {
                unsigned char cc = (unsigned char)buf[i];
                if (cc == '\n')
                    line++;
                else if (cc < 32 && cc != '\r' && cc != '\t')
                    break;
            }
            if (i < n && buf[i] == '*')
                i += 2;
            bol = 0;
        } else if (c == '@' && bol && strncmp(buf + i, "@include", 8) == 0) {
            char inc[512], path[1100];
            size_t k = 0;
            for (i += 8; i < n && (buf[i] == ' ' || buf[i] == '\t'); i++)
                ;
            if (i >= n || buf[i] != '"') {
                bol = 0;
                continue;   /* libconfig reports the syntax error */
            }
            for (i++; i < n && buf[i] != '"' && buf[i] != '\n'; i++)
                if (k < sizeof inc - 1)
                    inc[k++] = buf[i];
            inc[k] = '\0';
            if (i < n && buf[i] == '"')
                i++;
            bol = 0;
            if (depth + 1 >= MAX_INCLUDE_DEPTH)
                continue;
            snprintf(path, sizeof path, "%s/%s", ts->dir, inc);
            itp_status st = scan_file(ts, path, file, line, depth + 1);
            if (st)
                return st;
        } else if (c == '"') {
            for (i++; i < n && buf[i] != '"'; i++) {
                if (buf[i] == '\\' && i + 1 < n && buf[i + 1] != '\n')
                    i++;
                if (buf[i] == '\n') {
                    line++;
                } else if ((unsigned char)buf[i] < 32 && buf[i] != '\t' && buf[i] != '\r') {
                    break;   /* refused at the top of the loop */
                }
            }
            if (i < n && buf[i] == '"')
                i++;
            bol = 0;
        } else if (is_name_start(c)) {
            size_t s0 = i;
            while (i < n && is_name_char((unsigned char)buf[i]))
                i++;
            size_t j = i;
            while (j < n && (buf[j] == ' ' || buf[j] == '\t'))
                j++;
            if (j < n && (buf[j] == '=' || buf[j] == ':')) {
                size_t len = i - s0 < sizeof name - 1 ? i - s0 : sizeof name - 1;
                memcpy(name, buf + s0, len);
                name[len] = '\0';
            }
            bol = 0;
        } else if (isdigit(c) || ((c == '-' || c == '+') && isdigit((unsigned char)buf[i + 1]))) {
            size_t s0 = i++;
            int hex = 0;
            if (buf[i - 1] == '0' && (buf[i] == 'x' || buf[i] == 'X'))
                hex = 1;
            else if ((c == '-' || c == '+') && buf[i] == '0' && (buf[i + 1] == 'x' || buf[i + 1] == 'X'))
                hex = 1, i++;
            if (hex) {
                for (i++; i < n && isxdigit((unsigned char)buf[i]); i++)
                    ;
            } else {
                while (i < n && isdigit((unsigned char)buf[i]))
                    i++;
            }
            if (!hex && i < n && (buf[i] == '.' || buf[i] == 'e' || buf[i] == 'E')) {
                /* a float: libconfig reads it as a double (inf when huge,
                 * which the typed readers refuse) */
                while (i < n && (isdigit((unsigned char)buf[i]) || buf[i] == '.' || buf[i] == 'e' ||
                                 buf[i] == 'E' || ((buf[i] == '-' || buf[i] == '+') &&
                                                   (buf[i - 1] == 'e' || buf[i - 1] == 'E'))))
                    i++;
            } else if (i < n && buf[i] == 'L') {
                i += 1 + (i + 1 < n && buf[i + 1] == 'L');
            } else {
                itp_status st = check_int_literal(ts, file, line, name, buf + s0, i - s0);
                if (st)
                    return st;
            }
            bol = 0;
        } else {
            bol = 0;
            i++;
        }
    }
    return ITP_OK;
}

static itp_status scan_file(const text_scan *ts, const char *file, const char *from,
                            int from_line, int depth)
{
    char *buf;
    size_t n;
    itp_status st = read_text(ts, file, from, from_line, &buf, &n);
    if (st || !buf)
        return st;
    if (n == 0 && !from) {
        snprintf(ts->rd->err, sizeof ts->rd->err, "%s:1: empty scenario file", file);
        free(buf);
        return ITP_EINPUT;
    }
    st = scan_text(ts, file, buf, n, depth);
    free(buf);
    return st;
}

/* The scenario file and every file it includes, before libconfig reads
 * them (see scan_text). */
static itp_status check_text(itp_reader *rd, const char *file)
{
    char dir[512];
    folder_of(file, dir, sizeof dir);
    text_scan ts = {rd, dir};
    return scan_file(&ts, file, NULL, 0, 0);
}

static itp_status apply_override(itp_reader *rd, const char *spec)
{
    const char *eq = strchr(spec, '=');
    char path[256];
    if (!eq || eq == spec || (size_t)(eq - spec) >= sizeof path) {
        snprintf(rd->err, sizeof rd->err, "--set '%s': expected PATH=NUMBER", spec);
        return ITP_EINPUT;
    }
    memcpy(path, spec, (size_t)(eq - spec));
    path[eq - spec] = '\0';
    if (path[0] == '.' || path[strlen(path) - 1] == '.' || strstr(path, "..")) {
        snprintf(rd->err, sizeof rd->err, "--set '%s': expected PATH=NUMBER, PATH as a.b.c",
                 spec);
        return ITP_EINPUT;
    }
    char *end;
    errno = 0;
    double x = strtod(eq + 1, &end);
    if (end == eq + 1 || *end || errno || !isfinite(x)) {
        snprintf(rd->err, sizeof rd->err, "--set %s: '%s' is not a finite number",
                 path, eq + 1);
        return ITP_EINPUT;
    }
    config_setting_t *s = config_lookup(&rd->scn, path);
    if (s && config_setting_is_group(s))
        s = config_setting_get_member(s, "value");
    if (s) {
        if (config_setting_type(s) == CONFIG_TYPE_FLOAT)
            config_setting_set_float(s, x);
        else if (config_setting_type(s) == CONFIG_TYPE_INT && x == floor(x) &&
                 (x < INT_MIN || x > INT_MAX)) {
            /* libconfig would not store it in an int setting (it keeps 0) */
            snprintf(rd->err, sizeof rd->err,
                     "--set %s: expected a whole number from %d to %d, got %s", path, INT_MIN,
                     INT_MAX, eq + 1);
            return ITP_EINPUT;
        } else if (is_number(s) && x == floor(x) && fabs(x) < 1e15)
            config_setting_set_int64(s, (long long)x);
        else {
            snprintf(rd->err, sizeof rd->err, "--set %s: the setting is %s, not %s",
                     path, type_name(s), is_number(s) ? "a non-integer" : "a number");
            return ITP_EINPUT;
        }
        return ITP_OK;
    }
    /* Not in the scenario: create it; the validation that follows decides
     * whether the name is known. */
    config_setting_t *g = config_root_setting(&rd->scn);
    char buf[256];
    snprintf(buf, sizeof buf, "%s", path);
    char *save = NULL;
    char *tok = strtok_r(buf, ".", &save);
    while (tok) {
        char *next = strtok_r(NULL, ".", &save);
        config_setting_t *c = config_setting_get_member(g, tok);
        if (next) {
            if (!c)
                c = config_setting_add(g, tok, CONFIG_TYPE_GROUP);
            if (!c || !config_setting_is_group(c)) {
                snprintf(rd->err, sizeof rd->err, "--set %s: '%s' is not a group", path, tok);
                return ITP_EINPUT;
            }
            g = c;
        } else {
            c = config_setting_add(g, tok, CONFIG_TYPE_FLOAT);
            if (!c) {
                snprintf(rd->err, sizeof rd->err, "--set %s: not a valid setting name", path);
                return ITP_EINPUT;
            }
            config_setting_set_float(c, x);
        }
        tok = next;
    }
    return ITP_OK;
}

itp_status itp_reader_open(itp_reader **out, const char *scenario_file,
                           const char *defaults_file,
                           const char *const *overrides, int n_overrides,
                           char *err, size_t errlen)
{
    *out = NULL;
    itp_reader *rd = calloc(1, sizeof *rd);
    if (!rd) {
        snprintf(err, errlen, "out of memory");
        return ITP_ENOMEM;
    }
    snprintf(rd->file, sizeof rd->file, "%s", scenario_file);
    config_init(&rd->scn);
    config_init(&rd->defs);
    rd->scn_ok = rd->defs_ok = 1;
    itp_status st = check_text(rd, scenario_file);
    if (!st)
        st = parse_file(rd, &rd->scn, scenario_file, "scenario");
    if (!st && defaults_file)
        st = parse_file(rd, &rd->defs, defaults_file, "defaults");
    for (int i = 0; !st && i < n_overrides; i++)
        st = apply_override(rd, overrides[i]);
    if (st) {
        snprintf(err, errlen, "%s", rd->err);
        itp_reader_free(rd);
        return st;
    }
    *out = rd;
    return ITP_OK;
}

void itp_reader_free(itp_reader *rd)
{
    if (!rd)
        return;
    config_destroy(&rd->scn);
    config_destroy(&rd->defs);
    for (size_t i = 0; i < rd->n_resolved; i++)
        free(rd->resolved[i]);
    free(rd->resolved);
    free(rd);
}
