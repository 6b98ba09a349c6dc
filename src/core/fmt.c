/* The number formatter of the result files; see fmt.h. */
#include "itpsim/fmt.h"

#include <math.h>

void itp_fmt_csv(FILE *f, const char *before, double x, int sig)
{
    fputs(before, f);
    if (isfinite(x))
        fprintf(f, "%.*g", sig, x);
    else if (isinf(x))
        fputs(x > 0 ? "Inf" : "-Inf", f);
    else
        fputs("NA", f);
}

void itp_fmt_json(FILE *f, double x, int sig)
{
    if (isfinite(x))
        fprintf(f, "%.*g", sig, x);
    else
        fputs("null", f);
}
