/* Micro-benchmark of the platelet kinetics day step alone (no events, no
 * observation): nanoseconds per day on a steady course (no remission
 * transient) and on a course that is always in a remission transient,
 * for the exact step and for the Runge-Kutta reference. Prints one line
 * per case: name, ns per day (median of 7 runs), min, max. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include "itpsim/model.h"

static double now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
    return (double)ts.tv_sec + 1e-9 * (double)ts.tv_nsec;
}

static int cmp(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

/* Days of one course: a dose change every 14 days, and for the transient
 * case a remission switch every 240 days (R then takes the whole period to
 * settle within 1e-10, as after a remission's onset or end in a trial). */
static double course(int method, int transient, int days, double *sink)
{
    const itp_kinetics k = {15.0 / 1.5, 1.0 / 1.5, 110.0 / 8.5, 1.0 / 8.5, 4.0 / 7.1, 0.1};
    itp_drive none = itp_drive_none(), d = itp_drive_none();
    itp_pk_term term = {0.0, 2.0, 0.64, 1.3};
    itp_drive_add_pk(&d, &term);
    itp_pk_day pd;   /* the concentration over a stretch, as the component brings it */
    itp_pk_day_init(&pd, term.k);
    double y[ITP_NSTATE];
    itp_kin_prop prop;
    itp_kinetics_steady(&k, &none, y);
    itp_kinetics_prop_init(&prop, &k);
    double t0 = now();
    for (int day = 0; day < days; day++) {
        int rem = transient ? (day / 240) % 2 : 0;
        d.pk[0].rate = 25.0 * (1 + (day / 14) % 3) / 25.0;
        if (method < 0) {   /* the stretch to the next dose change */
            int n = 14 - day % 14;
            if (transient && 240 - day % 240 < n)
                n = 240 - day % 240;
            if (day + n > days)
                n = days - day;
            itp_kinetics_advance_days(&k, &d, rem, n, 4, &prop, y);
            d.pk[0].c0 = itp_pk_after(&pd, d.pk[0].c0, d.pk[0].rate, n);
            day += n - 1;
            continue;
        }
        if (method)
            itp_kinetics_day(&k, &d, rem, method, y);
        else
            itp_kinetics_advance(&k, &d, rem, 4, &prop, y);
        d.pk[0].c0 = itp_pk_day_end(&pd, d.pk[0].c0, d.pk[0].rate);   /* as the component does */
    }
    double t = now() - t0;
    *sink += y[ITP_S_P];
    return 1e9 * t / days;
}

int main(void)
{
    static const struct { const char *name; int method, transient; } cases[] = {
        {"exact step, steady", 0, 0},
        {"exact step, in remission transients", 0, 1},
        {"stretches of 14 days, steady", -1, 0},
        {"stretches of 14 days, in remission transients", -1, 1},
        {"Runge-Kutta 4 steps/day (reference)", 4, 0},
    };
    double sink = 0.0;
    for (size_t c = 0; c < sizeof cases / sizeof cases[0]; c++) {
        double ns[7];
        for (int r = 0; r < 7; r++)
            ns[r] = course(cases[c].method, cases[c].transient, 2000000, &sink);
        qsort(ns, 7, sizeof ns[0], cmp);
        printf("%-48s %8.2f ns/day  (min %.2f, max %.2f)\n", cases[c].name, ns[3], ns[0], ns[6]);
    }
    return sink == 12345.0;
}
