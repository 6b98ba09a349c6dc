/* The per-arm rows that sweep_arms.csv and compare_arms.csv share; see
 * search.h. */
#include "itpsim/fmt.h"
#include "itpsim/search.h"

#include <math.h>
#include <string.h>
#include "itpsim/trial.h"

void itp_arm_cols_add(itp_arm_cols *c, const itp_scenario *scn)
{
    for (int e = 0; e < scn->n_endpoints; e++) {
        if (scn->endpoints[e].type->kind != ITP_EP_BINARY)
            continue;
        int have = 0;
        for (int k = 0; k < c->n && !have; k++)
            have = !strcmp(c->binary[k], scn->endpoints[e].name);
        if (!have && c->n < ITP_MAX_ARM_COLS)
            snprintf(c->binary[c->n++], sizeof c->binary[0], "%s", scn->endpoints[e].name);
    }
}

void itp_arm_cols_header(const itp_arm_cols *c, const char *lead, FILE *f)
{
    fputs(lead, f);
    fputs("arm,mean_patients,mean_events,landmark_free,median_months", f);
    for (int k = 0; k < c->n; k++)
        fprintf(f, ",%s_rate", c->binary[k]);
    fputs(",mean_analysis_month\n", f);
}

/* The index in scn of binary endpoint `name`, or -1. */
static int binary_endpoint(const itp_scenario *scn, const char *name)
{
    for (int e = 0; e < scn->n_endpoints; e++)
        if (scn->endpoints[e].type->kind == ITP_EP_BINARY && !strcmp(scn->endpoints[e].name, name))
            return e;
    return -1;
}

void itp_arm_cols_rows(const itp_arm_cols *c, const itp_scenario *scn, const char *lead,
                       const itp_mc_summary *d, FILE *f)
{
    for (int a = 0; a < scn->n_arms; a++) {
        fputs(lead, f);
        fputs(scn->arms[a].name, f);
        if (!d) {   /* not run */
            for (int k = 0; k < 5 + c->n; k++)
                fputs(",NA", f);
            fputc('\n', f);
            continue;
        }
        double r = d->reps ? (double)d->reps : (double)NAN;
        itp_fmt_csv(f, ",", d->arm_n_sum[a] / r, 8);
        itp_fmt_csv(f, ",", d->arm_events_sum[a] / r, 8);
        itp_fmt_csv(f, ",", d->landmark_n[a] ? d->landmark_sum[a] / d->landmark_n[a]
                                             : (double)NAN, 8);
        itp_fmt_csv(f, ",", itp_mc_median_time(d, a) / ITP_DAYS_PER_MONTH, 8);
        for (int k = 0; k < c->n; k++) {
            int e = binary_endpoint(scn, c->binary[k]);
            itp_fmt_csv(f, ",", e >= 0 && d->rate_n[e][a] ? d->rate_sum[e][a] / d->rate_n[e][a]
                                                          : (double)NAN, 8);
        }
        itp_fmt_csv(f, ",", d->cut_sum / r, 8);
        fputc('\n', f);
    }
}
