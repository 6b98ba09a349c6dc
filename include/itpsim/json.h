/* Reading back the JSON files itpsim writes (summary.json): a small reader
 * of top-level values, enough for the folder checks of run and for plot.
 * It is not a general JSON parser: nested objects are skipped, not read. */
#ifndef ITPSIM_JSON_H
#define ITPSIM_JSON_H

#include <stddef.h>

/* The value of top-level key `key` of the JSON text: a string (unescaped,
 * into out) or a number or literal (as written). Returns 1 when found,
 * 0 otherwise. idx >= 0 picks the idx-th element of an array value. */
int itp_json_get(const char *json, const char *key, int idx, char *out, size_t outlen);

#endif
