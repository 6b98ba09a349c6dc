/* The config layer's own helpers, shared by its files (not part of the
 * public interface, include/itpsim/cfgread.h). */
#ifndef ITPSIM_CONFIG_INTERNAL_H
#define ITPSIM_CONFIG_INTERNAL_H

#include <stddef.h>
#include <libconfig.h>
#include "itpsim/cfgread.h"
#include "itpsim/error.h"

/* The reader (cfgread.h): the scenario and its defaults as parsed, and
 * what has been resolved from them. */
struct itp_reader {
    config_t scn;
    config_t defs;
    int scn_ok, defs_ok;
    char file[512];
    char incdir[512];  /* libconfig's folder for the scenario's @include names */
    char err[1024];
    char population[64];       /* the scenario's population ("" none) */
    char pop_origin[80];       /* "population NAME", the origin it logs */
    const config_setting_t *pop; /* its group in the defaults file */
    const config_setting_t *scn_pop; /* its group in the scenario's own `populations`
                                      (a fitted file's values), or NULL */
    char scn_pop_origin[96];    /* "scenario (population NAME)" */
    char **resolved; /* one line per resolved setting, in reading order */
    size_t n_resolved, cap_resolved;
};

/* The file to name in a message: libconfig gives an included file by its
 * @include name, relative to the include folder; NULL is the scenario. */
const char *itp_cfg_shown_file(const itp_reader *rd, const char *f, char *buf, size_t len);

/* The folder of a file's path ("." for a bare name). */
void itp_cfg_folder_of(const char *file, char *dir, size_t len);

/* "a group", "an integer", ...: a setting's type for messages. */
const char *itp_cfg_type_name(const config_setting_t *s);

/* An integer or a floating-point setting. */
int itp_cfg_is_number(const config_setting_t *s);

/* The pre-scan (prescan.c): the scenario file and every file it includes,
 * read as text before libconfig parses them. Refuses what libconfig would
 * mishandle: a file that is not a regular file (a folder, a device, a
 * pipe), over 16 MiB, NUL bytes, whole numbers beyond int, an empty
 * scenario. The message goes to err. */
itp_status itp_cfg_prescan(const char *file, char *err, size_t errlen);

/* One --set PATH=NUMBER (override.c): set into an existing numeric setting
 * (or its `value`), or created as a new float setting for the validation
 * that follows to judge. */
itp_status itp_cfg_override(config_t *scn, const char *spec, char *err, size_t errlen);

#endif
