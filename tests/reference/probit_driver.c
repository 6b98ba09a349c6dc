/* Runs itpsim's probit fit (include/itpsim/probit.h) on the cases written by
 * tests/reference/probit_reference.R and prints the results in the format
 * of that script's expected.txt ("ID quantity value"), for
 * tests/cli/refcheck_probit.sh to compare line by line.
 *
 * Usage: probit_driver CASES_FILE
 * Lines of CASES_FILE: fit ID K x_1 r_1 m_1 ... x_K r_K m_K.
 * Exit status 0, or 1 with a message on bad input or a failed fit. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <gsl/gsl_errno.h>

#include "itpsim/probit.h"

#define MAX_POINTS 64
#define TARGET 0.8
#define Z975 1.959963984540054

static void put(const char *id, const char *what, double v)
{
    printf("%s %s %.17g\n", id, what, v);
}

int main(int argc, char **argv)
{
    if (argc != 2) {
        fprintf(stderr, "usage: probit_driver CASES_FILE\n");
        return 1;
    }
    FILE *f = fopen(argv[1], "r");
    if (!f) {
        perror(argv[1]);
        return 1;
    }
    gsl_set_error_handler_off();
    char kind[16], id[64];
    int k, line = 0;
    while (fscanf(f, "%15s %63s %d", kind, id, &k) == 3) {
        line++;
        double x[MAX_POINTS], r[MAX_POINTS], m[MAX_POINTS];
        if (strcmp(kind, "fit") || k < 2 || k > MAX_POINTS) {
            fprintf(stderr, "%s:%d: not a fit line of 2..%d points\n", argv[1], line, MAX_POINTS);
            fclose(f);
            return 1;
        }
        for (int i = 0; i < k; i++)
            if (fscanf(f, "%lf %lf %lf", &x[i], &r[i], &m[i]) != 3) {
                fprintf(stderr, "%s:%d: point %d unreadable\n", argv[1], line, i + 1);
                fclose(f);
                return 1;
            }
        itp_probit fit;
        itp_status st = itp_probit_fit(x, r, m, (size_t)k, &fit);
        if (st) {
            fprintf(stderr, "%s:%d: case %s: fit failed (%s)\n", argv[1], line, id,
                    itp_strerror(st));
            fclose(f);
            return 1;
        }
        put(id, "a", fit.a);
        put(id, "b", fit.b);
        put(id, "se_a", sqrt(fit.v_aa));
        put(id, "se_b", sqrt(fit.v_bb));
        put(id, "cov_ab", fit.v_ab);
        put(id, "deviance", fit.deviance);
        double xs, lo, hi;
        itp_probit_inverse(&fit, TARGET, Z975, &xs, &lo, &hi);
        put(id, "x_target", xs);
        put(id, "x_low", lo);
        put(id, "x_high", hi);
    }
    fclose(f);
    return 0;
}
