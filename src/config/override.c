/* --set PATH=VALUE: a number or a text set into the parsed scenario; see
 * internal.h. */
#include <ctype.h>
#include <errno.h>
#include <limits.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "internal.h"

static itp_status make_setting(config_t *scn, const char *path, int type, double x,
                               const char *text, char *err, size_t errlen);

itp_status itp_cfg_override(config_t *scn, const char *spec, char *err, size_t errlen)
{
    const char *eq = strchr(spec, '=');
    char path[256];
    if (!eq || eq == spec || (size_t)(eq - spec) >= sizeof path) {
        snprintf(err, errlen, "--set '%s': expected PATH=NUMBER", spec);
        return ITP_EINPUT;
    }
    memcpy(path, spec, (size_t)(eq - spec));
    path[eq - spec] = '\0';
    if (path[0] == '.' || path[strlen(path) - 1] == '.' || strstr(path, "..")) {
        snprintf(err, errlen, "--set '%s': expected PATH=NUMBER, PATH as a.b.c",
                 spec);
        return ITP_EINPUT;
    }
    char *end;
    errno = 0;
    double x = strtod(eq + 1, &end);
    int number = !(end == eq + 1 || *end || errno || !isfinite(x) || isspace((unsigned char)eq[1]));
    config_setting_t *s = config_lookup(scn, path);
    if (s && config_setting_is_group(s))
        s = config_setting_get_member(s, "value");
    /* A text: for a text setting (a number written there is its text), or
     * a value that is no number ("word" or word), for a setting the
     * scenario does not have (the validation that follows judges it). */
    const char *v = eq + 1;
    size_t vl = strlen(v);
    int quoted = vl >= 2 && v[0] == '"' && v[vl - 1] == '"';
    if ((s && config_setting_type(s) == CONFIG_TYPE_STRING) || (!number && (!s || quoted))) {
        char text[256];
        if (quoted)
            v++, vl -= 2;
        if (vl == 0 || vl >= sizeof text) {
            snprintf(err, errlen, "--set %s: expected a text of 1 to %zu characters", path,
                     sizeof text - 1);
            return ITP_EINPUT;
        }
        memcpy(text, v, vl);
        text[vl] = '\0';
        if (s && config_setting_type(s) != CONFIG_TYPE_STRING) {
            snprintf(err, errlen, "--set %s: the setting is %s, not a text", path,
                     itp_cfg_type_name(s));
            return ITP_EINPUT;
        }
        if (!s)
            return make_setting(scn, path, CONFIG_TYPE_STRING, 0.0, text, err, errlen);
        if (config_setting_set_string(s, text))
            return ITP_OK;
        snprintf(err, errlen, "--set %s: cannot set the text", path);
        return ITP_ENOMEM;
    }
    if (!number) {
        snprintf(err, errlen, "--set %s: '%s' is not a finite number", path, eq + 1);
        return ITP_EINPUT;
    }
    if (s) {
        if (config_setting_type(s) == CONFIG_TYPE_FLOAT)
            config_setting_set_float(s, x);
        else if (config_setting_type(s) == CONFIG_TYPE_INT && x == floor(x) &&
                 (x < INT_MIN || x > INT_MAX)) {
            /* libconfig would not store it in an int setting (it keeps 0) */
            snprintf(err, errlen,
                     "--set %s: expected a whole number from %d to %d, got %s", path, INT_MIN,
                     INT_MAX, eq + 1);
            return ITP_EINPUT;
        } else if (itp_cfg_is_number(s) && x == floor(x) && fabs(x) < 1e15)
            config_setting_set_int64(s, (long long)x);
        else {
            snprintf(err, errlen, "--set %s: the setting is %s, not %s",
                     path, itp_cfg_type_name(s), itp_cfg_is_number(s) ? "a non-integer" : "a number");
            return ITP_EINPUT;
        }
        return ITP_OK;
    }
    return make_setting(scn, path, CONFIG_TYPE_FLOAT, x, NULL, err, errlen);
}

/* A setting the scenario does not have, made with its groups: a float x or
 * the text; the validation that follows decides whether the name is
 * known. */
static itp_status make_setting(config_t *scn, const char *path, int type, double x,
                               const char *text, char *err, size_t errlen)
{
    config_setting_t *g = config_root_setting(scn);
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
                snprintf(err, errlen, "--set %s: '%s' is not a group", path, tok);
                return ITP_EINPUT;
            }
            g = c;
        } else {
            c = config_setting_add(g, tok, type);
            if (!c) {
                snprintf(err, errlen, "--set %s: not a valid setting name", path);
                return ITP_EINPUT;
            }
            if (type == CONFIG_TYPE_STRING)
                config_setting_set_string(c, text);
            else
                config_setting_set_float(c, x);
        }
        tok = next;
    }
    return ITP_OK;
}
