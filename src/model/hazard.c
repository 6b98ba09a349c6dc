/* Patient model "hazard": piecewise-exponential time to treatment failure
 * per arm, with exponential dropout, for direct time-to-event planning and
 * cross-checks with standard tools (Schoenfeld, Biometrika 1981).
 *
 * The hazard of arm a on piece j, [breaks_months[j], breaks_months[j+1]),
 * is arms[a].hazard_per_month[j]. A patient's failure time solves
 * Lambda_a(t) = E with one unit exponential E per patient, so patient i
 * fails later in an arm with lower hazards (common random numbers). Failure
 * times are whole days (floor). Death is part of treatment failure here and
 * is not drawn apart; there are no visits. */
#include <math.h>
#include <stdlib.h>
#include "itpsim/model.h"
#include "itpsim/rng.h"

typedef struct hazard_params {
    int n;
    double from_day[ITP_MAX_PIECES];
} hazard_params;

typedef struct hazard_patient {
    double e_fail, dropout;
} hazard_patient;

static itp_status parse(itp_reader *rd, itp_scenario *scn, void **out)
{
    static const char *const keys[] = {"breaks_months", NULL};
    hazard_params *p = calloc(1, sizeof *p);
    const config_setting_t *g;
    double br[ITP_MAX_PIECES];
    itp_status st;
    *out = p;
    if (!p)
        return ITP_ENOMEM;
    if ((st = itp_rd_child(rd, itp_reader_root(rd), "hazard", CONFIG_TYPE_GROUP, 0, &g)) ||
        (st = itp_rd_keys(rd, g, keys, NULL)) ||
        (st = itp_rd_array(rd, g, "breaks_months", ITP_CLOSED(0, 240), 0, br,
                           ITP_MAX_PIECES, &p->n)))
        return st;
    if (p->n == 0) {
        p->n = 1;
        br[0] = 0.0;
    }
    const config_setting_t *bs = itp_member(g, "breaks_months");
    if (br[0] != 0.0)
        return itp_rd_fail(rd, bs, "expected the first break at month 0");
    for (int j = 0; j < p->n; j++) {
        if (j && br[j] <= br[j - 1])
            return itp_rd_fail(rd, bs, "expected increasing months");
        p->from_day[j] = br[j] * ITP_DAYS_PER_MONTH;
    }
    for (int a = 0; a < scn->n_arms; a++)
        if (scn->arms[a].n_hazard != p->n)
            return itp_rd_fail(rd, itp_root_elem(rd, "arms", a),
                               "model \"hazard\" needs hazard_per_month with %d "
                               "value%s (one per piece of hazard.breaks_months), got %d",
                               p->n, p->n > 1 ? "s" : "", scn->arms[a].n_hazard);
    /* the arms' hazards are their whole course: a treatment would be
     * read and silently have no effect */
    for (int a = 0; a < scn->n_arms; a++)
        if (scn->arms[a].n_components)
            return itp_rd_fail(rd, itp_member(itp_root_elem(rd, "arms", a), "treatments"),
                               "model \"hazard\" takes no treatments: an arm's course is its "
                               "hazard_per_month");
    for (int f = 0; f < scn->n_factors; f++)
        if (scn->factors[f].by_baseline_count)
            return itp_rd_fail(rd, itp_member(itp_root_elem(rd, "strata", f), "covariate"),
                               "model \"hazard\" has no baseline count to cut");
    return ITP_OK;
}

static double draw(const itp_scenario *scn, const void *vp, gsl_rng *r, void *vpt)
{
    hazard_patient *pt = vpt;
    (void)vp;
    pt->e_fail = itp_rng_exp1(r);
    double e = itp_rng_exp1(r);
    pt->dropout = scn->dropout_per_day > 0.0 ? e / scn->dropout_per_day : 1e12;
    return (double)NAN;
}

/* The time at which the cumulative hazard reaches e, or +inf. */
static double invert(const hazard_params *p, const double *per_month, double e)
{
    double cum = 0.0;
    for (int j = 0; j < p->n; j++) {
        double h = per_month[j] / ITP_DAYS_PER_MONTH;
        double end = j + 1 < p->n ? p->from_day[j + 1] : HUGE_VAL;
        double piece = h * (end - p->from_day[j]);
        if (cum + piece >= e)
            return h > 0.0 ? p->from_day[j] + (e - cum) / h : HUGE_VAL;
        cum += piece;
    }
    return HUGE_VAL;
}

static itp_status simulate(const itp_scenario *scn, const void *vp, itp_sim_ws *ws,
                           itp_patient *pt, itp_record *rec)
{
    const hazard_params *p = vp;
    const hazard_patient *hp = ws->model_patient;
    if (!itp_patient_begin(pt, rec))
        return ITP_OK;
    double t = invert(p, scn->arms[pt->arm].hazard_per_month, hp->e_fail);
    double end = fmin((double)pt->followup_days, hp->dropout);
    if (t <= end) {
        pt->failure = pt->last_day = (int)floor(t);
    } else if (hp->dropout < pt->followup_days) {
        pt->dropout = pt->last_day = (int)floor(hp->dropout);
    } else {
        pt->last_day = pt->followup_days;
    }
    return ITP_OK;
}

const itp_model_type itp_hazard_model = {
    .name = "hazard",
    .description = "piecewise-exponential time to treatment failure per arm",
    .has_visits = 0,
    .parse = parse,
    .free = free,
    .patient_size = sizeof(hazard_patient),
    .draw = draw,
    .simulate = simulate,
};
