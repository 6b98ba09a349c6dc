/* The config layer's own helpers, shared by its files (not part of the
 * public interface, include/itpsim/cfgread.h). */
#ifndef ITPSIM_CONFIG_INTERNAL_H
#define ITPSIM_CONFIG_INTERNAL_H

#include <stddef.h>
#include <libconfig.h>
#include "itpsim/cfgread.h"
#include "itpsim/error.h"

/* A scenario's text (source.c): the file and every file it includes,
 * vetted and expanded into one text for libconfig. A file that is not a
 * regular file (a folder, a FIFO, a device) is refused before it is read,
 * as are a file or a whole text over 16 MiB, control bytes, whole numbers
 * beyond int, an empty top file, includes nested more than 10 deep or of a
 * file that includes itself. An @include name is a path, relative to the
 * including file's folder unless absolute. The file "-" is standard input,
 * read once per process (its includes are relative to the working folder). */
typedef struct itp_source {
    char kind[16];      /* "scenario" or "defaults", for messages */
    char *text;         /* the expanded text, NUL-terminated */
    size_t len;
    char **files;       /* files[0] the top file, then each included one */
    size_t n_files;
    unsigned *line_file, *line_no;   /* line k of text is line_no[k-1] of files[line_file[k-1]] */
    size_t n_lines;
} itp_source;

itp_status itp_source_read(itp_source *src, const char *file, const char *kind, char *err,
                           size_t errlen);
void itp_source_free(itp_source *src);
/* The file and (in *file_line) the line of line `line` of the text. */
const char *itp_source_where(const itp_source *src, unsigned line, unsigned *file_line);

/* The reader (cfgread.h): the scenario and its defaults as parsed, and
 * what has been resolved from them. */
struct itp_reader {
    config_t scn;
    config_t defs;
    int scn_ok, defs_ok;
    char file[512];
    itp_source scn_src, defs_src;   /* their texts, for each setting's file and line */
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

/* The file and (in *line) the line of setting s: 0 for a setting made
 * on the command line (--set). */
const char *itp_cfg_where(const itp_reader *rd, const config_setting_t *s, unsigned *line);

/* The folder of a file's path ("." for a bare name). */
void itp_cfg_folder_of(const char *file, char *dir, size_t len);

/* "a group", "an integer", ...: a setting's type for messages. */
const char *itp_cfg_type_name(const config_setting_t *s);

/* An integer or a floating-point setting. */
int itp_cfg_is_number(const config_setting_t *s);

/* One --set PATH=NUMBER (override.c): set into an existing numeric setting
 * (or its `value`), or created as a new float setting for the validation
 * that follows to judge. */
itp_status itp_cfg_override(config_t *scn, const char *spec, char *err, size_t errlen);

#endif
