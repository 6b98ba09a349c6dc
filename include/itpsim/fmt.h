/* One formatter for the numbers of every result file (CSV and JSON), so
 * that the files agree on how a number, an infinity and a missing value
 * are written. */
#ifndef ITPSIM_FMT_H
#define ITPSIM_FMT_H

#include <stdio.h>

/* `before` (e.g. "," or ""), then x with sig significant digits (%g);
 * "Inf" or "-Inf" for an infinity and "NA" for NaN, as R reads them. */
void itp_fmt_csv(FILE *f, const char *before, double x, int sig);

/* x with sig significant digits, or null when it is not finite. */
void itp_fmt_json(FILE *f, double x, int sig);

#endif
