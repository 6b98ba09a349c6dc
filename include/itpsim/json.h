/* Reading back the JSON files itpsim writes (summary.json): a small reader
 * of top-level values, enough for the folder checks of run and for plot.
 * It is not a general JSON parser: nested objects are skipped, but for
 * the scalar members of one top-level object (itp_json_get_member).
 *
 * Why not a library (Debian has jansson and cJSON): a run's seed is an
 * unsigned 64-bit integer, written as a JSON number (up to 2^64 - 1), and
 * must come back exactly for `run --resume` and `plot`. jansson's integers
 * are signed 64-bit (a larger one fails to parse), cJSON's numbers are
 * doubles (rounded above 2^53); this reader returns every value as
 * written, for the caller to convert. */
#ifndef ITPSIM_JSON_H
#define ITPSIM_JSON_H

#include <stddef.h>
#include <stdio.h>

/* The value of top-level key `key` of the JSON text: a string (unescaped,
 * into out) or a number or literal (as written). Returns 1 when found,
 * 0 otherwise. idx >= 0 picks the idx-th element of an array value. */
int itp_json_get(const char *json, const char *key, int idx, char *out, size_t outlen);

/* The scalar value of key `key` of the top-level object `obj` (such as
 * "provenance"), as itp_json_get gives it. Returns 1 when found, 0 when
 * obj is missing or not an object, key is not one of its own keys, or
 * memory runs out. */
int itp_json_get_member(const char *json, const char *obj, const char *key, char *out,
                        size_t outlen);

/* s written to f as a JSON string: quoted, '"' and '\\' escaped, control
 * characters as \u00XX. */
void itp_json_put_str(FILE *f, const char *s);
/* The n strings s (s may be NULL when n is 0) as a JSON array. */
void itp_json_put_strs(FILE *f, const char *const *s, int n);

#endif
