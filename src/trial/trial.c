/* One replicate trial end to end; see trial.h. */
#include "itpsim/trial.h"

#include <math.h>
#include <stdlib.h>
#include <gsl/gsl_randist.h>
#include "itpsim/rng.h"

itp_status itp_sim_ws_create(itp_sim_ws **out, const itp_scenario *scn)
{
    itp_sim_ws *ws = calloc(1, sizeof *ws);
    *out = NULL;
    if (!ws)
        return ITP_ENOMEM;
    size_t stride = 16;
    for (int c = 0; c < scn->n_components; c++)
        if (scn->components[c].type->state_size > stride)
            stride = scn->components[c].type->state_size;
    ws->state_stride = (stride + 15) / 16 * 16;
    ws->comp_state = calloc(ITP_MAX_PATIENT_COMPONENTS, ws->state_stride);
    ws->model_patient = calloc(1, scn->model->patient_size ? scn->model->patient_size : 1);
    ws->r_base = gsl_rng_alloc(itp_rng_xoshiro256pp);
    ws->r_visit = gsl_rng_alloc(itp_rng_xoshiro256pp);
    ws->r_events = gsl_rng_alloc(itp_rng_xoshiro256pp);
    ws->r_alloc = gsl_rng_alloc(itp_rng_xoshiro256pp);
    int ok = ws->comp_state && ws->model_patient && ws->r_base && ws->r_visit &&
             ws->r_events && ws->r_alloc;
    for (int c = 0; c < ITP_MAX_PATIENT_COMPONENTS; c++)
        ok &= (ws->r_comp[c] = gsl_rng_alloc(itp_rng_xoshiro256pp)) != NULL;
    if (!ok) {
        itp_sim_ws_free(ws);
        return ITP_ENOMEM;
    }
    *out = ws;
    return ITP_OK;
}

void itp_sim_ws_free(itp_sim_ws *ws)
{
    if (!ws)
        return;
    gsl_rng_free(ws->r_base);
    gsl_rng_free(ws->r_visit);
    gsl_rng_free(ws->r_events);
    gsl_rng_free(ws->r_alloc);
    for (int c = 0; c < ITP_MAX_PATIENT_COMPONENTS; c++)
        gsl_rng_free(ws->r_comp[c]);
    free(ws->comp_state);
    free(ws->model_patient);
    free(ws);
}

void itp_allocator_init(itp_allocator *al)
{
    for (int s = 0; s < ITP_MAX_STRATA; s++)
        al->pos[s] = 64; /* empty: a new block is drawn on first use */
}

int itp_allocator_next(itp_allocator *al, const itp_scenario *scn, gsl_rng *r, int s)
{
    double total = 0.0;
    for (int a = 0; a < scn->n_arms; a++)
        total += scn->arms[a].ratio;
    if (scn->alloc == ITP_ALLOC_SIMPLE) {
        double u = gsl_rng_uniform(r) * total, cum = 0.0;
        for (int a = 0; a < scn->n_arms; a++) {
            cum += scn->arms[a].ratio;
            if (u < cum)
                return a;
        }
        return scn->n_arms - 1;
    }
    if (al->pos[s] >= scn->block_size) {
        int per = scn->block_size / (int)total, k = 0;
        for (int a = 0; a < scn->n_arms; a++)
            for (int j = 0; j < per * (int)scn->arms[a].ratio; j++)
                al->block[s][k++] = (unsigned char)a;
        gsl_ran_shuffle(r, al->block[s], (size_t)scn->block_size, 1);
        al->pos[s] = 0;
    }
    return al->block[s][al->pos[s]++];
}

/* Enrolment: uniform over a duration (ordered uniforms as normalised sums of
 * exponential gaps: no sort), or a Poisson process with piecewise-constant
 * rate (inverting its cumulative intensity). */
void itp_enrol_days(const itp_scenario *scn, gsl_rng *r, itp_patient *pts, int n)
{
    if (scn->enrol_duration_days > 0.0 || scn->n_rate_pieces == 0) {
        double sum = 0.0;
        for (int i = 0; i < n; i++) {
            sum += itp_rng_exp1(r);
            pts[i].enrol_day = sum;
        }
        sum += itp_rng_exp1(r);
        for (int i = 0; i < n; i++)
            pts[i].enrol_day *= scn->enrol_duration_days / sum;
        return;
    }
    double e = 0.0;
    for (int i = 0; i < n; i++) {
        e += itp_rng_exp1(r);
        double cum = 0.0, t = 0.0;
        for (int j = 0; j < scn->n_rate_pieces; j++) {
            double end = j + 1 < scn->n_rate_pieces ? scn->rate_from_day[j + 1] : HUGE_VAL;
            double piece = scn->rate_per_day[j] * (end - scn->rate_from_day[j]);
            if (cum + piece >= e) {
                t = scn->rate_from_day[j] + (e - cum) / scn->rate_per_day[j];
                break;
            }
            cum += piece;
        }
        pts[i].enrol_day = t;
    }
}

int itp_stratum(const itp_scenario *scn, double baseline, gsl_rng *r)
{
    int s = 0;
    for (int f = 0; f < scn->n_factors; f++) {
        const itp_factor *fa = &scn->factors[f];
        int level = 0;
        double u = gsl_rng_uniform(r);
        if (fa->by_baseline_count) {
            while (level < fa->n_levels - 1 && baseline >= fa->cuts[level])
                level++;
        } else {
            double cum = 0.0;
            for (level = 0; level < fa->n_levels - 1; level++) {
                cum += fa->prob[level];
                if (u < cum)
                    break;
            }
        }
        s = s * fa->n_levels + level;
    }
    return s;
}

itp_status itp_trial_simulate(const itp_scenario *scn, uint64_t seed, uint64_t replicate,
                              int n, itp_sim_ws *ws, itp_record *rec)
{
    if (n <= 0)
        n = scn->n_patients;
    if (itp_record_reset(rec, n))
        return ITP_ENOMEM;
    ws->seed = seed;
    ws->replicate = replicate;
    itp_patient *pts = rec->patients;
    itp_rng_stream(ws->r_base, seed, replicate, 0, ITP_STREAM_ENROL);
    itp_enrol_days(scn, ws->r_base, pts, n);
    double anchor = scn->cut_kind == ITP_CUT_AFTER_LAST ? pts[n - 1].enrol_day : pts[0].enrol_day;
    /* An event-driven cut is found after the simulation: follow everyone to
     * the maximum, and the analysis limits the information. */
    double cut = scn->cut_kind == ITP_CUT_EVENTS ? HUGE_VAL : anchor + scn->cut_days;
    rec->cut_day = cut;

    /* The allocation sequence is one stream read in enrolment order. */
    itp_rng_stream(ws->r_alloc, seed, replicate, 0, ITP_STREAM_ALLOC);
    itp_allocator al;
    itp_allocator_init(&al);
    for (int i = 0; i < n; i++) {
        itp_patient *pt = &pts[i];
        pt->id = i;
        double fu = floor(cut - pt->enrol_day);
        pt->followup_days = fu < 0 ? -1 : (int)fmin(fu, (double)scn->max_followup_days);
        itp_rng_stream(ws->r_base, seed, replicate, (uint64_t)i, ITP_STREAM_BASELINE);
        double baseline = scn->model->draw(scn, scn->model_params, ws->r_base, ws->model_patient);
        /* Without factors itp_stratum draws nothing: no stream to key. */
        if (scn->n_factors > 0)
            itp_rng_stream(ws->r_events, seed, replicate, (uint64_t)i, ITP_STREAM_STRATA);
        pt->stratum = itp_stratum(scn, baseline, ws->r_events);
        pt->arm = itp_allocator_next(&al, scn, ws->r_alloc, pt->stratum);
        itp_status st = scn->model->simulate(scn, scn->model_params, ws, pt, rec);
        if (st)
            return st;
    }
    return ITP_OK;
}
