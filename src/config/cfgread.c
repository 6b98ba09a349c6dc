/* Typed, validated reading of a scenario and its defaults; see cfgread.h. */
#include "itpsim/cfgread.h"
#include "internal.h"

#include <ctype.h>
#include <errno.h>
#include <limits.h>
#include <stdint.h>
#include <math.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>


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

int itp_reader_text(const itp_reader *rd, const char *path, char *buf, size_t len)
{
    const config_setting_t *s = rd->defs_ok ? config_lookup((config_t *)(uintptr_t)&rd->defs, path) : NULL;
    if (s && config_setting_is_group(s))
        s = config_setting_get_member(s, "value");
    if (!s)
        return 0;
    if (config_setting_type(s) == CONFIG_TYPE_STRING)
        snprintf(buf, len, "\"%s\"", config_setting_get_string(s));
    else if (itp_cfg_is_number(s))
        snprintf(buf, len, "%g", config_setting_type(s) == CONFIG_TYPE_FLOAT
                                     ? config_setting_get_float(s)
                                     : (double)config_setting_get_int64(s));
    else
        return 0;
    return 1;
}

const char *itp_reader_population(const itp_reader *rd)
{
    return rd->population;
}


int itp_reader_has_group(const itp_reader *rd, const char *path)
{
    const config_setting_t *d = rd->defs_ok ? config_lookup((config_t *)(uintptr_t)&rd->defs, path) : NULL;
    const config_setting_t *s = config_lookup((config_t *)(uintptr_t)&rd->scn, path);
    return (d && config_setting_is_group(d) ? 1 : 0) | (s && config_setting_is_group(s) ? 2 : 0);
}

const char *itp_reader_unit(const itp_reader *rd, const char *path)
{
    const char *unit = "";
    const config_setting_t *s = config_lookup((config_t *)(uintptr_t)&rd->defs, path);
    if (s && config_setting_is_group(s))
        config_setting_lookup_string(s, "unit", &unit);
    return unit;
}

const char *itp_cfg_type_name(const config_setting_t *s)
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

const char *itp_cfg_where(const itp_reader *rd, const config_setting_t *s, unsigned *line)
{
    const itp_source *src = s->config == &rd->defs ? &rd->defs_src : &rd->scn_src;
    unsigned at = config_setting_source_line(s);
    *line = 0;
    if (!at || !src->n_files)   /* made by --set */
        return rd->file;
    return itp_source_where(src, at, line);
}

__attribute__((format(printf, 3, 0)))
static void vfail(itp_reader *rd, const config_setting_t *s, const char *fmt,
                  va_list ap)
{
    char path[256] = "";
    size_t used = 0;
    int w;
    if (s) {
        unsigned line;
        const char *f = itp_cfg_where(rd, s, &line);
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

int itp_cfg_is_number(const config_setting_t *s)
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

/* The setting giving `name` above the defaults file: in g, else the
 * scenario's own group at defpath (for a component: the scenario-wide
 * group of its drug, e.g. bcell_antibody.ianalumab.emax), else the
 * population's value in the scenario's own `populations` group (a fitted
 * file's), else in the defaults' (populations.NAME.defpath.name); NULL for
 * none. */
static const config_setting_t *scenario_setting(const itp_reader *rd, const config_setting_t *g,
                                                const char *defpath, const char *name,
                                                const char **origin)
{
    const config_setting_t *s = g ? config_setting_get_member(g, name) : NULL;
    char p[256];
    *origin = "scenario";
    if (s || !defpath)
        return s;
    snprintf(p, sizeof p, "%s.%s", defpath, name);
    if ((s = config_lookup((config_t *)(uintptr_t)&rd->scn, p)))
        return s;
    if (rd->scn_pop &&
        (s = config_setting_lookup((config_setting_t *)(uintptr_t)rd->scn_pop, p))) {
        *origin = rd->scn_pop_origin;
        return s;
    }
    if (rd->pop && (s = config_setting_lookup((config_setting_t *)(uintptr_t)rd->pop, p)))
        *origin = rd->pop_origin;
    return s;
}

const config_setting_t *itp_rd_where(const itp_reader *rd, const config_setting_t *g,
                                     const char *defpath, const char *name)
{
    const char *origin;
    const config_setting_t *s = scenario_setting(rd, g, defpath, name, &origin);
    return s ? s : g;
}

/* Finds the setting holding the value (scenario first, then defaults), and
 * the group with its unit and source when there is one. */
static itp_status find_value(itp_reader *rd, const config_setting_t *g,
                             const char *defpath, const char *name,
                             const char *expected,
                             const config_setting_t **val,
                             const config_setting_t **meta, const char **origin)
{
    const config_setting_t *d = defaults_member(rd, defpath, name);
    const config_setting_t *s = scenario_setting(rd, g, defpath, name, origin);
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
    char path[512], line[1024];   /* a group path (< 256) and a name */
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
        if (!itp_cfg_is_number(v))
            return itp_rd_fail(rd, v, "expected %s, got %s", expected, itp_cfg_type_name(v));
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

itp_status itp_rd_double_opt(itp_reader *rd, const config_setting_t *g, const char *name,
                             itp_range r, double absent, const char *absent_text, double *out)
{
    if (itp_member(g, name))
        return read_double(rd, g, NULL, name, r, NULL, out);
    *out = absent;
    return log_value(rd, g, NULL, name, absent_text, NULL, "built-in default");
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
    } else if (itp_cfg_is_number(v)) {
        x = config_setting_get_int64(v);
    } else {
        return itp_rd_fail(rd, v, "expected %s, got %s", expected, itp_cfg_type_name(v));
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
            return itp_rd_fail(rd, v, "expected true or false, got %s", itp_cfg_type_name(v));
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
            return itp_rd_fail(rd, v, "expected a string, got %s", itp_cfg_type_name(v));
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

/* The numbers of the array setting a, each in r, at most maxn, into out
 * (*n the count), and as text "[x, y, ...]" into text[512]. */
static itp_status array_values(itp_reader *rd, const config_setting_t *a, itp_range r,
                               double *out, int maxn, int *n, char *text)
{
    char rt[64];
    range_text(r, rt, sizeof rt);
    int t = config_setting_type(a);
    if (t != CONFIG_TYPE_ARRAY && t != CONFIG_TYPE_LIST)
        return itp_rd_fail(rd, a, "expected an array [ ... ] of numbers in %s, got %s",
                           rt, itp_cfg_type_name(a));
    int len = config_setting_length(a);
    if (len == 0)
        return itp_rd_fail(rd, a, "expected a non-empty array of numbers in %s", rt);
    if (len > maxn)
        return itp_rd_fail(rd, a, "expected at most %d values, got %d", maxn, len);
    const size_t size = 512;
    size_t used = 1;
    snprintf(text, size, "[");
    for (int i = 0; i < len; i++) {
        const config_setting_t *e = config_setting_get_elem(a, (unsigned)i);
        if (!itp_cfg_is_number(e))
            return itp_rd_fail(rd, e, "expected a number in %s, got %s", rt, itp_cfg_type_name(e));
        double x = config_setting_type(e) == CONFIG_TYPE_FLOAT
                       ? config_setting_get_float(e)
                       : (double)config_setting_get_int64(e);
        if (!isfinite(x) || x < r.lo || x > r.hi || (r.lo_open && x == r.lo) ||
            (r.hi_open && x == r.hi))
            return itp_rd_fail(rd, e, "expected a number in %s, got %g", rt, x);
        out[i] = x;
        if (used < size) {
            int w = snprintf(text + used, size - used, "%s%g", i ? ", " : "", x);
            used += w > 0 ? (size_t)w : 0;
        }
    }
    if (used < size - 1)
        strcat(text, "]");
    *n = len;
    return ITP_OK;
}

itp_status itp_rd_array(itp_reader *rd, const config_setting_t *g,
                        const char *name, itp_range r, int required,
                        double *out, int maxn, int *n)
{
    const config_setting_t *a = g ? config_setting_get_member(g, name) : NULL;
    *n = 0;
    if (!a) {
        if (required) {
            char expected[96], rt[64];
            range_text(r, rt, sizeof rt);
            snprintf(expected, sizeof expected, "an array of numbers in %s", rt);
            return missing(rd, g, name, expected);
        }
        return ITP_OK;
    }
    char text[512];
    itp_status st = array_values(rd, a, r, out, maxn, n, text);
    if (st)
        return st;
    return log_value(rd, g, NULL, name, text, NULL, "scenario");
}

itp_status itp_rd_array_def(itp_reader *rd, const config_setting_t *g, const char *defpath,
                            const char *name, itp_range r, double *out, int maxn, int *n,
                            const config_setting_t **where)
{
    const config_setting_t *v, *meta;
    const char *origin;
    char text[512];
    *n = 0;
    if (where)
        *where = NULL;
    itp_status st = find_value(rd, g, defpath, name, "an array of numbers", &v, &meta, &origin);
    if (st || !v)
        return st;
    if (where)
        *where = v;
    if ((st = array_values(rd, v, r, out, maxn, n, text)))
        return st;
    return log_value(rd, g, defpath, name, text, meta, origin);
}

int itp_rd_given(const itp_reader *rd, const config_setting_t *g, const char *defpath,
                 const char *name)
{
    const char *origin;
    return scenario_setting(rd, g, defpath, name, &origin) != NULL ||
           defaults_member(rd, defpath, name) != NULL;
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
        return itp_rd_fail(rd, c, "expected %s, got %s", want, itp_cfg_type_name(c));
    *out = c;
    return ITP_OK;
}

itp_status itp_rd_name(itp_reader *rd, const config_setting_t *s, char *out, size_t len)
{
    const char *name = config_setting_name(s);
    size_t n = name ? strlen(name) : 0;
    if (n >= len)
        return itp_rd_fail(rd, s, "expected a name of at most %zu characters, got %zu", len - 1, n);
    snprintf(out, len, "%s", name ? name : "");
    return ITP_OK;
}
