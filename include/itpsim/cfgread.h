/* Typed, validated reading of a libconfig scenario with a defaults file.
 *
 * A scenario is read through an itp_reader, which holds the parsed scenario
 * and the parsed defaults (config/defaults.cfg). Each typed lookup names the
 * scenario group to look in and, for model parameters, the path of the group
 * in the defaults file to fall back on. In the defaults file every parameter
 * is a group { value = ...; unit = "..."; source = "..."; }; in a scenario an
 * override may be a plain value or such a group.
 *
 * Every failure formats one message, "FILE:LINE: SETTING: what was expected",
 * kept in the reader (itp_reader_error) and returns ITP_EINPUT. Every value
 * resolved is logged with its origin, so `itpsim check` can print the whole
 * resolved scenario.
 *
 * Ownership: the reader owns both parsed files; settings returned point into
 * them and live until itp_reader_free. */
#ifndef ITPSIM_CFGREAD_H
#define ITPSIM_CFGREAD_H

#include <stddef.h>
#include <stdio.h>
#include <libconfig.h>
#include "itpsim/error.h"

typedef struct itp_reader itp_reader;

/* A closed or half-open interval for a numeric setting. */
typedef struct itp_range {
    double lo, hi;
    int lo_open, hi_open;
} itp_range;

#define ITP_CLOSED(a, b) ((itp_range){(a), (b), 0, 0})
#define ITP_POSITIVE(b) ((itp_range){0.0, (b), 1, 0})
#define ITP_PROB ((itp_range){0.0, 1.0, 0, 0})

/* Parse scenario_file and defaults_file (either may fail: the message names
 * the file and line). `overrides` is an array of n "PATH=VALUE" strings set
 * into the scenario before anything is read (for --set and sweeps); each PATH
 * must name a numeric setting of the scenario or of the defaults file. */
itp_status itp_reader_open(itp_reader **out, const char *scenario_file,
                           const char *defaults_file,
                           const char *const *overrides, int n_overrides,
                           char *err, size_t errlen);
void itp_reader_free(itp_reader *rd);
/* The scenario "-" is standard input, read at the first itp_reader_open
 * and kept for the process; its bytes (NULL before). */
const char *itp_cfg_stdin_text(size_t *len);

const char *itp_reader_error(const itp_reader *rd);
const char *itp_reader_file(const itp_reader *rd);
const config_setting_t *itp_reader_root(const itp_reader *rd);

/* Prints every resolved setting as "path = value  # unit; source". */
void itp_reader_print_resolved(const itp_reader *rd, FILE *out);

/* Formats an error about setting s (or about the file when s is NULL) and
 * returns ITP_EINPUT. */
itp_status itp_rd_fail(itp_reader *rd, const config_setting_t *s,
                       const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

/* A number from scenario group g (NULL: none) or else from the defaults at
 * defpath.name (defpath NULL: no default, the setting is required). */
itp_status itp_rd_double(itp_reader *rd, const config_setting_t *g,
                         const char *defpath, const char *name, itp_range r,
                         double *out);
/* Like itp_rd_double, with a built-in default used when neither file has it. */
itp_status itp_rd_double_or(itp_reader *rd, const config_setting_t *g,
                            const char *name, itp_range r, double dflt,
                            double *out);
/* A number of group g in r when given; else `absent` (which may lie
 * outside r, e.g. HUGE_VAL for "none"), logged as absent_text. */
itp_status itp_rd_double_opt(itp_reader *rd, const config_setting_t *g, const char *name,
                             itp_range r, double absent, const char *absent_text, double *out);
itp_status itp_rd_int(itp_reader *rd, const config_setting_t *g,
                      const char *defpath, const char *name, long lo, long hi,
                      int *out);
itp_status itp_rd_int_or(itp_reader *rd, const config_setting_t *g,
                         const char *name, long lo, long hi, int dflt,
                         int *out);
itp_status itp_rd_bool_or(itp_reader *rd, const config_setting_t *g,
                          const char *name, int dflt, int *out);
/* A string; dflt NULL makes it required. */
itp_status itp_rd_string(itp_reader *rd, const config_setting_t *g,
                         const char *name, const char *dflt, char *out,
                         size_t outlen);
/* The same, logged as group.name when g is NULL (a group the scenario
 * left out). */
itp_status itp_rd_string_at(itp_reader *rd, const config_setting_t *g, const char *group,
                            const char *name, const char *dflt, char *out, size_t outlen);
/* Logs a resolved setting read by other means (a list), for `check`. */
itp_status itp_rd_log(itp_reader *rd, const char *path, const char *value, const char *origin);
/* An array of numbers, each in r, at most maxn; *n gets the count.
 * required 0: a missing array gives *n = 0. */
itp_status itp_rd_array(itp_reader *rd, const config_setting_t *g,
                        const char *name, itp_range r, int required,
                        double *out, int maxn, int *n);
/* An optional array of numbers, found as itp_rd_double finds a number (in
 * g, else the scenario's group at defpath, the population, the defaults at
 * defpath.name; a plain array or a group with value = [...]), each in r,
 * at most maxn. *n = 0 when none has it, and then nothing is logged;
 * *where (may be NULL) gets the array's setting, for messages about its
 * elements. */
itp_status itp_rd_array_def(itp_reader *rd, const config_setting_t *g, const char *defpath,
                            const char *name, itp_range r, double *out, int maxn, int *n,
                            const config_setting_t **where);
/* 1 when `name` is set where itp_rd_double would look for it (g, the
 * scenario's group at defpath, the population, the defaults), else 0: for
 * settings a drug may have or not (read only when it has them). */
int itp_rd_given(const itp_reader *rd, const config_setting_t *g, const char *defpath,
                 const char *name);
/* A group or list child: *out NULL when absent and not required. */
itp_status itp_rd_child(itp_reader *rd, const config_setting_t *g,
                        const char *name, int type, int required,
                        const config_setting_t **out);
/* Refuses any child of g whose name is not in known (NULL-terminated) and
 * not a parameter of the defaults group defpath (may be NULL); the message
 * suggests the nearest known name. */
/* The name of setting s (a group member's key, e.g. an endpoint's) into
 * out; a name that does not fit (len - 1 characters) is refused rather
 * than cut, so that two long names cannot end up the same. */
itp_status itp_rd_name(itp_reader *rd, const config_setting_t *s, char *out, size_t len);
itp_status itp_rd_keys(itp_reader *rd, const config_setting_t *g,
                       const char *const *known, const char *defpath);
/* The same with one more known name, also (NULL: none), for a setting a
 * caller adds to a table's keys (an endpoint's `among`, a drug type's
 * `drug`). */
itp_status itp_rd_keys_plus(itp_reader *rd, const config_setting_t *g,
                            const char *const *known, const char *also, const char *defpath);

/* The member `name` of group g, or NULL (also when g is NULL). */
const config_setting_t *itp_member(const config_setting_t *g, const char *name);

/* Element i of the list `name` in the scenario's root, or NULL. */
const config_setting_t *itp_root_elem(const itp_reader *rd, const char *name, int i);

/* 1 when path names a number in the scenario or the defaults file (a plain
 * number or a group with `value`). */
int itp_reader_has_number(const itp_reader *rd, const char *path);

/* The scenario's population (its root setting `population`, a group of
 * the defaults file's `populations`), or "" when it names none. A
 * population's values of parameters come between the scenario's and the
 * defaults file's: a parameter at PATH is looked up in the scenario, then
 * at populations.NAME.PATH, then at PATH in the defaults file. */
const char *itp_reader_population(const itp_reader *rd);

/* The string or number at path of the defaults file (a parameter's
 * value), as text into buf; 0 when there is none. */
int itp_reader_text(const itp_reader *rd, const char *path, char *buf, size_t len);

/* The setting that gave `name` (looked up as itp_rd_double does: in g,
 * else at defpath.name in the scenario, else in the population), for a
 * message about a value checked against another; g when the value came
 * from the defaults file. */
const config_setting_t *itp_rd_where(const itp_reader *rd, const config_setting_t *g,
                                     const char *defpath, const char *name);

/* Whether path names a group: 1 in the defaults file, 2 in the scenario,
 * 3 in both, 0 in neither. */
int itp_reader_has_group(const itp_reader *rd, const char *path);

/* The unit of the defaults parameter at path, or "". */
const char *itp_reader_unit(const itp_reader *rd, const char *path);

/* "a.b[2].c" for a setting; buf gets at most len bytes. */
void itp_setting_path(const config_setting_t *s, char *buf, size_t len);

/* Levenshtein distance between two short strings (for suggestions). */
int itp_edit_distance(const char *a, const char *b);

/* The names of a NULL-terminated table of types whose first member is
 * their name (const char *), for "unknown type" messages: joined by ", "
 * into buf, or, quoted, each in double quotes and the last after " or ". */
void itp_type_names(const void *const *table, int quoted, char *buf, size_t len);

#endif
