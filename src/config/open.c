/* Opening a scenario and its defaults (after the pre-scan), with the
 * overrides of --set applied; see cfgread.h. */
#include "itpsim/cfgread.h"
#include "internal.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

void itp_cfg_folder_of(const char *file, char *dir, size_t len)
{
    snprintf(dir, len, "%s", file);
    char *slash = strrchr(dir, '/');
    if (slash)
        *slash = '\0';
    else
        snprintf(dir, len, ".");
}

/* The file, vetted and with its includes expanded (source.c), parsed into
 * c; src keeps the text's map back to each file and line. */
static itp_status parse_file(itp_reader *rd, config_t *c, itp_source *src, const char *file,
                             const char *what)
{
    itp_status st = itp_source_read(src, file, what, rd->err, sizeof rd->err);
    if (st)
        return st;
    if (!config_read_string(c, src->text)) {
        unsigned line = 0;
        const char *f = itp_source_where(src, (unsigned)config_error_line(c), &line);
        snprintf(rd->err, sizeof rd->err, "%s:%u: syntax error: %s", f, line,
                 config_error_text(c));
        return ITP_EINPUT;
    }
    return ITP_OK;
}

/* Every parameter population group g sets (under the path `at`) is a
 * parameter of the defaults outside `populations`, in the same unit: a
 * misspelt one would never be read. Its description, phase and prior_lines
 * are its own. */
static itp_status check_population(itp_reader *rd, const config_setting_t *g, const char *at)
{
    for (int i = 0; i < config_setting_length(g); i++) {
        const config_setting_t *s = config_setting_get_elem(g, (unsigned)i);
        const char *name = config_setting_name(s);
        char path[256];
        snprintf(path, sizeof path, "%s%s%s", at, at[0] ? "." : "", name);
        if (!at[0] && (strcmp(name, "description") == 0 || strcmp(name, "phase") == 0 ||
                       strcmp(name, "prior_lines") == 0))
            continue;
        if (!config_setting_is_group(s))
            return itp_rd_fail(rd, s, "expected a group of parameters or a parameter { value; "
                               "unit; source; }");
        if (!config_setting_get_member(s, "value")) {
            itp_status st = check_population(rd, s, path);
            if (st)
                return st;
            continue;
        }
        const config_setting_t *d = config_lookup(&rd->defs, path);
        const char *u1 = "", *u2 = "";
        if (!d || !config_setting_is_group(d) || !config_setting_get_member(d, "value"))
            return itp_rd_fail(rd, s, "a population may set only parameters of the defaults, "
                               "and %s is none", path);
        config_setting_lookup_string(s, "unit", &u1);
        config_setting_lookup_string(d, "unit", &u2);
        if (strcmp(u1, u2) != 0)
            return itp_rd_fail(rd, s, "unit \"%s\", where %s has \"%s\"", u1, path, u2);
    }
    return ITP_OK;
}

/* The population the scenario names, as a group of the defaults file's
 * `populations` (before anything is read: its values are defaults). */
static itp_status open_population(itp_reader *rd)
{
    const config_setting_t *s = config_lookup(&rd->scn, "population");
    if (!s)
        return ITP_OK;
    const char *name = config_setting_get_string(s);
    if (!name)
        return itp_rd_fail(rd, s, "expected the name of a population (a string)");
    const config_setting_t *all = rd->defs_ok ? config_lookup(&rd->defs, "populations") : NULL;
    const config_setting_t *g = all ? config_setting_get_member(all, name) : NULL;
    if (strlen(name) >= sizeof rd->population)
        return itp_rd_fail(rd, s, "expected a population name of at most %zu characters",
                           sizeof rd->population - 1);
    if (!g || !config_setting_is_group(g)) {
        char names[512] = "";
        size_t used = 0;
        for (int i = 0; all && i < config_setting_length(all) && used + 2 < sizeof names; i++) {
            int w = snprintf(names + used, sizeof names - used, "%s%s", i ? ", " : "",
                             config_setting_name(config_setting_get_elem(all, (unsigned)i)));
            used += w > 0 ? (size_t)w : 0;
        }
        return itp_rd_fail(rd, s, "unknown population '%s' (the defaults file has: %s)", name,
                           names[0] ? names : "none");
    }
    snprintf(rd->population, sizeof rd->population, "%s", name);
    snprintf(rd->pop_origin, sizeof rd->pop_origin, "population %s", name);
    rd->pop = g;
    return check_population(rd, g, "");
}

/* A scenario's own `populations` group (as a fitted file writes it, or
 * --set populations.NAME.PATH=VALUE): each a population of the defaults,
 * each value a number or a { value; ... } group at the path of a defaults
 * parameter outside `populations`, in its unit when one is given. The one
 * the scenario enrols gives values above the defaults' population. */
static itp_status check_scenario_population(itp_reader *rd, const config_setting_t *g,
                                            const char *at)
{
    for (int i = 0; i < config_setting_length(g); i++) {
        const config_setting_t *s = config_setting_get_elem(g, (unsigned)i);
        char path[256];
        snprintf(path, sizeof path, "%s%s%s", at, at[0] ? "." : "", config_setting_name(s));
        int is_param = !config_setting_is_group(s) || config_setting_get_member(s, "value");
        if (!is_param) {
            itp_status st = check_scenario_population(rd, s, path);
            if (st)
                return st;
            continue;
        }
        const config_setting_t *d = config_lookup(&rd->defs, path);
        const char *u1 = NULL, *u2 = "";
        if (!d || !config_setting_is_group(d) || !config_setting_get_member(d, "value"))
            return itp_rd_fail(rd, s, "a population may set only parameters of the defaults, "
                               "and %s is none", path);
        if (config_setting_is_group(s) && config_setting_lookup_string(s, "unit", &u1) &&
            config_setting_lookup_string(d, "unit", &u2) && strcmp(u1, u2) != 0)
            return itp_rd_fail(rd, s, "unit \"%s\", where %s has \"%s\"", u1, path, u2);
    }
    return ITP_OK;
}

static itp_status open_scenario_populations(itp_reader *rd)
{
    const config_setting_t *all = config_lookup(&rd->scn, "populations");
    const config_setting_t *defs = rd->defs_ok ? config_lookup(&rd->defs, "populations") : NULL;
    if (!all)
        return ITP_OK;
    if (!config_setting_is_group(all))
        return itp_rd_fail(rd, all, "expected a group of populations, e.g. populations = { "
                           "newly_diagnosed = { platelet = { remission_odds = 3.0; }; }; }");
    /* values read only for the population a scenario enrols: without one,
     * none would be read, silently (a fitted file's, say) */
    if (!rd->population[0] && config_setting_length(all) > 0)
        return itp_rd_fail(rd, all, "the scenario carries population values but names no "
                           "population: add population = \"NAME\"; (one of populations' "
                           "names, \"pretreated\" for the defaults' reference values)");
    for (int i = 0; i < config_setting_length(all); i++) {
        const config_setting_t *g = config_setting_get_elem(all, (unsigned)i);
        const char *name = config_setting_name(g);
        if (!defs || !config_setting_get_member(defs, name))
            return itp_rd_fail(rd, g, "unknown population '%s' (not in the defaults file's "
                               "populations)", name);
        if (!config_setting_is_group(g))
            return itp_rd_fail(rd, g, "expected a group of parameters");
        itp_status st = check_scenario_population(rd, g, "");
        if (st)
            return st;
        if (rd->population[0] && strcmp(name, rd->population) == 0) {
            rd->scn_pop = g;
            snprintf(rd->scn_pop_origin, sizeof rd->scn_pop_origin, "scenario (population %s)",
                     name);
        }
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
    snprintf(rd->file, sizeof rd->file, "%s", strcmp(scenario_file, "-") ? scenario_file : "<stdin>");
    config_init(&rd->scn);
    config_init(&rd->defs);
    rd->scn_ok = rd->defs_ok = 1;
    itp_status st = parse_file(rd, &rd->scn, &rd->scn_src, scenario_file, "scenario");
    if (!st && defaults_file)
        st = parse_file(rd, &rd->defs, &rd->defs_src, defaults_file, "defaults");
    for (int i = 0; !st && i < n_overrides; i++)
        st = itp_cfg_override(&rd->scn, overrides[i], rd->err, sizeof rd->err);
    if (!st)
        st = open_population(rd);
    if (!st)
        st = open_scenario_populations(rd);
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
    itp_source_free(&rd->scn_src);
    itp_source_free(&rd->defs_src);
    for (size_t i = 0; i < rd->n_resolved; i++)
        free(rd->resolved[i]);
    free(rd->resolved);
    free(rd);
}
