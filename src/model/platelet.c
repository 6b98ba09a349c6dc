/* Patient model "platelet": semi-mechanistic platelet kinetics
 * (Gibiansky and Hayes, J Clin Pharmacol 2011, for the eltrombopag PK/PD).
 *
 *   dC/dt  = u(t) - k C                        TPO-RA concentration, mg/L
 *   dT1/dt = kin (1 + SLP C) f_p - ktr T1      marrow transit, 4 compartments,
 *   dTi/dt = ktr (T(i-1) - Ti)                 ktr = 4 / mean transit time
 *   dP/dt  = ktr T4 - kdeg f_d P               platelets, 10^9/L
 *   dR/dt  = krem (1 - R) in remission, -krem R otherwise
 *   kin    = kin_a + R (P_rem / LSn - kin_a),  kin_a = B0 / LSa
 *   kdeg   = 1/LSa + R (1/LSn - 1/LSa)
 * C is the concentration of a component's drug (its own state; each
 * TPO-RA of an arm adds its SLP C), with u, k and SLP; components and
 * events multiply f_p (new therapy) and f_d (a treatment's, a rescue's). Before treatment P = B0 exactly. The drive is
 * constant within a day. Observed count = P exp(eta + eps), eta an
 * Ornstein-Uhlenbeck process sampled exactly at the observation days
 * (stationary SD fluctuation_sd, correlation time fluctuation_corr_days),
 * eps measurement error; rounded to a whole count.
 * Remission mechanisms: a background one (probability, onset uniform over a
 * window, exponential relapse) and those the components add. Bleeding: a
 * hazard bmax / (1 + (P / c50)^hill) per day; a bleed while the latest
 * count is below rescue.bleed_below is rescued. A rescue gives the
 * rescue's components (rescue.treatments: an IVIG by default), which act
 * on the drive as the arm's do, and may add platelets (a transfusion: the
 * drive's bolus, added to P at the start of the day).
 * The days between two events (a visit, a dose change, an infusion, a
 * rescue's start or end, a remission's onset or end, a candidate bleed)
 * hold the drive and are advanced together (itp_kinetics_advance_days).
 *
 * The kinetics and their exact day step are in kinetics.c, stretches of
 * days in stretch.c. */
#include <limits.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <gsl/gsl_randist.h>
#include "itpsim/model.h"
#include "itpsim/rng.h"

typedef struct platelet_params {
    double b_med, b_logsd, b_below;
    double lsa_med, lsa_logsd, ls_norm, mtt;
    double krem, prem_med, prem_logsd;
    double bg_prob, bg_from_w, bg_to_w, bg_relapse_per_day;
    double rem_log_odds;   /* the population's log odds ratio of remission on treatment */
    double fl_sd, fl_tau, meas_sd;
    int nsub;
} platelet_params;

/* A patient's arm-independent draws. */
typedef struct platelet_patient {
    double b0, lsa, prem;
    double eta0, count0;     /* the day-0 fluctuation and observed count */
    int bg_remits;
    double bg_onset, bg_end;
    double death, dropout;   /* days since randomisation */
} platelet_patient;


/* ---- settings ------------------------------------------------------------ */

static itp_status parse(itp_reader *rd, itp_scenario *scn, void **out)
{
    platelet_params *p = calloc(1, sizeof *p);
    const config_setting_t *g;
    const char *d = "platelet";
    double relapse, odds;
    itp_status st;
    *out = p;
    if (!p)
        return ITP_ENOMEM;
    for (int a = 0; a < scn->n_arms; a++)
        if (scn->arms[a].n_hazard)
            return itp_rd_fail(rd, itp_member(itp_root_elem(rd, "arms", a), "hazard_per_month"),
                               "hazard_per_month is for model = \"hazard\"");
    if ((st = itp_rd_child(rd, itp_reader_root(rd), "platelet", CONFIG_TYPE_GROUP, 0, &g)) ||
        (st = itp_rd_keys(rd, g, NULL, d)) ||
        (st = itp_rd_double(rd, g, d, "baseline_median", ITP_POSITIVE(1e4), &p->b_med)) ||
        (st = itp_rd_double(rd, g, d, "baseline_logsd", ITP_CLOSED(0, 3), &p->b_logsd)) ||
        (st = itp_rd_double(rd, g, d, "baseline_below", ITP_POSITIVE(1e4), &p->b_below)) ||
        (st = itp_rd_double(rd, g, d, "lifespan_active_median", ITP_POSITIVE(100), &p->lsa_med)) ||
        (st = itp_rd_double(rd, g, d, "lifespan_active_logsd", ITP_CLOSED(0, 3), &p->lsa_logsd)) ||
        (st = itp_rd_double(rd, g, d, "lifespan_normal", ITP_POSITIVE(100), &p->ls_norm)) ||
        (st = itp_rd_double(rd, g, d, "transit_time", ITP_POSITIVE(100), &p->mtt)) ||
        (st = itp_rd_double(rd, g, d, "remission_rate", ITP_POSITIVE(10), &p->krem)) ||
        (st = itp_rd_double(rd, g, d, "remission_count_median", ITP_POSITIVE(1e4), &p->prem_med)) ||
        (st = itp_rd_double(rd, g, d, "remission_count_logsd", ITP_CLOSED(0, 3), &p->prem_logsd)) ||
        (st = itp_rd_double(rd, g, d, "background_remission_prob", ITP_PROB, &p->bg_prob)) ||
        (st = itp_rd_double(rd, g, d, "background_onset_from_week", ITP_CLOSED(0, 520), &p->bg_from_w)) ||
        (st = itp_rd_double(rd, g, d, "background_onset_to_week", ITP_CLOSED(0, 520), &p->bg_to_w)) ||
        (st = itp_rd_double(rd, g, d, "background_relapse_per_month", ITP_CLOSED(0, 100), &relapse)) ||
        (st = itp_rd_double(rd, g, d, "remission_odds", ITP_POSITIVE(1e3), &odds)) ||
        (st = itp_rd_double(rd, g, d, "fluctuation_sd", ITP_CLOSED(0, 3), &p->fl_sd)) ||
        (st = itp_rd_double(rd, g, d, "fluctuation_corr_days", ITP_POSITIVE(1e4), &p->fl_tau)) ||
        (st = itp_rd_double(rd, g, d, "measurement_sd", ITP_CLOSED(0, 3), &p->meas_sd)) ||
        (st = itp_rd_int(rd, g, d, "steps_per_day", 1, 1000, &p->nsub)))
        return st;
    if (p->bg_to_w < p->bg_from_w)
        return itp_rd_fail(rd, g, "expected background_onset_to_week >= background_onset_from_week");
    p->bg_relapse_per_day = relapse / ITP_DAYS_PER_MONTH;
    p->rem_log_odds = log(odds);
    /* The fixed arrays a patient's simulation uses hold what the arm's
     * components and the rescue's may add (the background remission is
     * one mechanism). */
    for (int a = 0; a < scn->n_arms; a++) {
        const itp_arm *arm = &scn->arms[a];
        int n_mech = 1, n_pk = 0;
        for (int c = 0; c < arm->n_components + scn->rescue.n_treatments; c++) {
            const itp_component_type *t = scn->components[itp_scenario_place(scn, arm, c)].type;
            n_mech += t->mechanisms;
            n_pk += t->pk_terms;
        }
        if (n_mech > ITP_MAX_MECHANISMS || n_pk > ITP_MAX_PK_TERMS)
            return itp_rd_fail(rd, itp_member(itp_root_elem(rd, "arms", a), "treatments"),
                               "the arm's treatments (with the rescue's) need %d remission "
                               "mechanisms and %d drug concentrations; at most %d and %d",
                               n_mech, n_pk, ITP_MAX_MECHANISMS, ITP_MAX_PK_TERMS);
    }
    return ITP_OK;
}

/* ---- one patient --------------------------------------------------------- */

/* The observed count of a true count pl on `day`: the fluctuation eta (an
 * Ornstein-Uhlenbeck process, advanced from its last day) and measurement
 * error, rounded. */
static double observe_count(const platelet_params *p, gsl_rng *r, double pl, double *eta,
                            int *eta_day, int day)
{
    if (p->fl_sd > 0.0) {
        if (*eta_day < 0) {
            *eta = p->fl_sd * gsl_ran_gaussian_ziggurat(r, 1.0);
        } else {
            double rho = exp(-(day - *eta_day) / p->fl_tau);
            *eta = rho * *eta + p->fl_sd * sqrt(1.0 - rho * rho) * gsl_ran_gaussian_ziggurat(r, 1.0);
        }
        *eta_day = day;
    }
    double eps = p->meas_sd > 0.0 ? p->meas_sd * gsl_ran_gaussian_ziggurat(r, 1.0) : 0.0;
    return floor(pl * exp(*eta + eps) + 0.5);
}

/* Inclusion is on the measured count: the true baseline and the day-0
 * fluctuation and measurement error are drawn together until the observed
 * count is below the limit (the patient's stream makes the accepted values
 * the same in every design). Returns the observed count. */
static double draw(const itp_scenario *scn, const void *vp, gsl_rng *r, void *vpt)
{
    const platelet_params *p = vp;
    platelet_patient *pt = vpt;
    double b0 = p->b_med, eta = 0.0, count = 0.0;
    for (int i = 0; i < 1000; i++) {
        int eta_day = -1;
        b0 = p->b_med * exp(p->b_logsd * gsl_ran_gaussian_ziggurat(r, 1.0));
        count = observe_count(p, r, b0, &eta, &eta_day, 0);
        if (count < p->b_below)
            break;
    }
    if (!(count < p->b_below)) {
        /* a baseline distribution far above the limit: the largest whole
         * count allowed (b_below > 0), the true count scaled with it */
        double c = ceil(p->b_below) - 1.0;
        b0 *= fmax(c, 0.5) / count;
        count = c;
    }
    pt->b0 = b0;
    pt->eta0 = eta;
    pt->count0 = count;
    pt->lsa = p->lsa_med * exp(p->lsa_logsd * gsl_ran_gaussian_ziggurat(r, 1.0));
    pt->prem = p->prem_med * exp(p->prem_logsd * gsl_ran_gaussian_ziggurat(r, 1.0));
    double u = gsl_rng_uniform(r), u_onset = gsl_rng_uniform(r);
    double e_relapse = itp_rng_exp1(r);
    double e_death = itp_rng_exp1(r), e_drop = itp_rng_exp1(r);
    pt->bg_remits = u < p->bg_prob;
    pt->bg_onset = 7.0 * (p->bg_from_w + u_onset * (p->bg_to_w - p->bg_from_w));
    pt->bg_end = p->bg_relapse_per_day > 0.0 ? pt->bg_onset + e_relapse / p->bg_relapse_per_day
                                             : 1e9;
    pt->death = scn->death_per_day > 0.0 ? e_death / scn->death_per_day : 1e9;
    pt->dropout = scn->dropout_per_day > 0.0 ? e_drop / scn->dropout_per_day : 1e9;
    return count;
}

/* The events' state (the running rescue's end is ctx.rescue_until, which
 * the components read too). */
typedef struct events_state {
    int rescue_pending;   /* a rescue since the last recorded visit */
    double bleed_next;    /* the next candidate bleed (days; thinning) */
    int low_run;
    int rescued[ITP_MAX_RESCUE_COMPONENTS];   /* the rescue's component given before */
} events_state;

/* A rescue today: its uniform from the events stream, then each of the
 * rescue's components (at its place after the arm's; at its first rescue
 * with a zeroed state and its own stream, ITP_MAX_ARM_COMPONENTS plus its
 * place among the rescue's of its type, the same in every arm). No new
 * rescue until the last has run its course. */
static itp_status start_rescue(const itp_scenario *scn, const itp_arm *arm, itp_sim_ws *ws,
                               itp_record *rec, itp_patient_ctx *ctx, events_state *ev,
                               void *const *state)
{
    const itp_rescue_rule *rr = &scn->rescue;
    if (itp_record_add_rescue(rec, ctx->day))
        return ITP_ENOMEM;
    ctx->pt->n_rescue++;
    double u = gsl_rng_uniform(ws->r_events);
    int until = ctx->day + 1;
    for (int i = 0; i < rr->n_treatments; i++) {
        const itp_component *comp = &scn->components[rr->treatment[i]];
        int c = arm->n_components + i;
        if (!ev->rescued[i]) {
            int occurrence = ITP_MAX_ARM_COMPONENTS;
            for (int o = 0; o < i; o++)
                occurrence += scn->components[rr->treatment[o]].type == comp->type;
            memset(state[c], 0, ws->state_stride);
            itp_rng_stream(ws->r_comp[c], ws->seed, ws->replicate, (uint64_t)ctx->pt->id,
                           itp_component_stream_key(comp->type, occurrence));
            ev->rescued[i] = 1;
        }
        ctx->comp = c;
        int end = comp->type->rescue(comp->params, ctx, ws->r_comp[c], state[c], u);
        if (end > until)
            until = end;
    }
    ctx->rescue_until = until;
    ev->rescue_pending = 1;
    return ctx->status;
}


/* New ITP therapy starts today: the components the scenario names stop. */
static void start_new_therapy(const itp_scenario *scn, const itp_arm *arm, itp_patient_ctx *ctx,
                              void *const *state)
{
    ctx->pt->new_therapy = ctx->day;
    for (int c = 0; c < arm->n_components; c++) {
        const itp_component *comp = &scn->components[arm->component[c]];
        if ((scn->new_therapy.stops >> arm->component[c] & 1u) && comp->type->stop) {
            ctx->comp = c;
            comp->type->stop(comp->params, ctx, state[c]);
        }
    }
}

static itp_status simulate(const itp_scenario *scn, const void *vp, itp_sim_ws *ws,
                           itp_patient *pt, itp_record *rec)
{
    const platelet_params *p = vp;
    const platelet_patient *pp = ws->model_patient;
    const itp_arm *arm = &scn->arms[pt->arm];
    const itp_rescue_rule *rr = &scn->rescue;
    const itp_new_therapy_rule *nt = &scn->new_therapy;
    itp_patient_ctx ctx = {.pt = pt, .rec = rec, .max_day = scn->max_followup_days,
                           .recheck_day = INT_MAX, .rescue_until = -1, .last_count_day = -1,
                           .remission_log_odds = p->rem_log_odds};
    itp_kinetics k = {pp->b0 / pp->lsa, 1.0 / pp->lsa, pp->prem / p->ls_norm,
                      1.0 / p->ls_norm, 4.0 / p->mtt, p->krem};
    events_state ev = {0};
    void *state[ITP_MAX_PATIENT_COMPONENTS];

    if (!itp_patient_begin(pt, rec))
        return ITP_OK;
    if (pp->bg_remits)
        itp_ctx_add_mechanism(&ctx, itp_day_of(pp->bg_onset), itp_day_of(pp->bg_end));
    int tpo = -1;   /* the component whose dose the visits record */
    for (int c = 0; c < arm->n_components; c++) {
        const itp_component *comp = &scn->components[arm->component[c]];
        int occurrence = 0;
        for (int o = 0; o < c; o++)
            occurrence += scn->components[arm->component[o]].type == comp->type;
        if (tpo < 0 && comp->type->is_tpo_ra)
            tpo = c;
        state[c] = ws->comp_state + (size_t)c * ws->state_stride;
        memset(state[c], 0, ws->state_stride);
        itp_rng_stream(ws->r_comp[c], ws->seed, ws->replicate, (uint64_t)pt->id,
                       itp_component_stream_key(comp->type, occurrence));
        ctx.comp = c;
        if (comp->type->start)
            comp->type->start(comp->params, &ctx, ws->r_comp[c], state[c]);
    }
    for (int c = arm->n_components; c < arm->n_components + rr->n_treatments; c++)
        state[c] = ws->comp_state + (size_t)c * ws->state_stride;   /* set at their first rescue */
    itp_rng_stream(ws->r_visit, ws->seed, ws->replicate, (uint64_t)pt->id, ITP_STREAM_VISIT);
    itp_rng_stream(ws->r_events, ws->seed, ws->replicate, (uint64_t)pt->id, ITP_STREAM_EVENTS);
    /* Bleeds: a Poisson process of rate h(P) = bmax / (1 + (P / c50)^hill)
     * per day, P the count at the start of the day, by thinning (Lewis and
     * Shedler, Naval Res Logist Q 1979): candidates at the bound bmax, one
     * on day d kept with probability h(P(d)) / bmax. Only the candidates'
     * days need P, so the days between events are stepped together. */
    double bmax = rr->bleed_max_per_day;
    ev.bleed_next = bmax > 0.0 ? itp_rng_exp1(ws->r_events) / bmax : 1e18;

    double y[ITP_NSTATE];
    itp_drive none = itp_drive_none();
    itp_kinetics_steady(&k, &none, y);
    itp_kin_prop prop;
    itp_kinetics_prop_init(&prop, &k);
    int death = itp_day_of(pp->death), dropout = itp_day_of(pp->dropout);
    double inv_c50 = 1.0 / rr->bleed_count50;
    /* the day-0 count was drawn with the baseline (inclusion on it) */
    double eta = pp->eta0;
    int eta_day = p->fl_sd > 0.0 ? 0 : -1, vi = 0;
    itp_drive drive = none;
    for (int day = 0;;) {
        ctx.day = day;
        if (day == death && day <= pt->followup_days) {
            pt->death = pt->last_day = day;
            break;
        }
        if (day == dropout && day <= pt->followup_days) {
            pt->dropout = pt->last_day = day;
            break;
        }
        int scheduled = vi < scn->n_visits && scn->visit_day[vi] == day;
        vi += scheduled;
        int observed = scheduled || day == ctx.recheck_day;
        double count = 0.0;
        if (observed) {
            if (day == ctx.recheck_day)
                itp_ctx_recheck_done(&ctx, day);
            count = day == 0 ? pp->count0
                             : observe_count(p, ws->r_visit, y[ITP_S_P], &eta, &eta_day, day);
            if (day == 0)
                pt->baseline = count;
            ctx.last_count = count;
            ctx.last_count_day = day;
            if ((rr->trigger & ITP_RESCUE_COUNT) && count < rr->below && day >= rr->from_day &&
                day >= ctx.rescue_until && start_rescue(scn, arm, ws, rec, &ctx, &ev, state))
                return ITP_ENOMEM;
            if (scheduled && day >= nt->from_day && pt->new_therapy == ITP_NEVER) {
                ev.low_run = count < nt->below ? ev.low_run + 1 : 0;
                if (ev.low_run >= nt->consecutive) {
                    ev.low_run = 0;
                    if (gsl_rng_uniform(ws->r_events) < nt->prob)
                        start_new_therapy(scn, arm, &ctx, state);
                }
            }
            for (int c = 0; c < arm->n_components; c++) {
                const itp_component *comp = &scn->components[arm->component[c]];
                ctx.comp = c;
                if (comp->type->observe)
                    comp->type->observe(comp->params, &ctx, state[c], count, scheduled);
            }
        }
        /* the drive from today to the next event */
        itp_drive_reset(&drive);
        double tpo_dose = 0.0;
        int on_tpo = 0, on_any = 0, next = ITP_FAR_DAY;
        for (int c = 0; c < arm->n_components; c++) {
            const itp_component *comp = &scn->components[arm->component[c]];
            ctx.comp = c;
            if (comp->type->day) {
                ctx.wake = day + 1;
                double dose = comp->type->day(comp->params, &ctx, state[c], &drive);
                if (c == tpo)
                    tpo_dose = dose;
                on_tpo |= comp->type->is_tpo_ra && dose > 0.0;
                on_any |= dose > 0.0;
                if (ctx.wake < next)
                    next = ctx.wake > day ? ctx.wake : day + 1;
            }
        }
        if (ctx.status)
            return ctx.status;
        while (ev.bleed_next < day + 1.0) {   /* today's candidates */
            double x = (y[ITP_S_P] > 0.0 ? y[ITP_S_P] : 0.0) * inv_c50;
            /* the default Hill coefficient 2 without pow() */
            double xh = rr->bleed_hill == 2.0 ? x * x : pow(x, rr->bleed_hill);
            int bleed = gsl_rng_uniform(ws->r_events) * (1.0 + xh) < 1.0;
            ev.bleed_next += itp_rng_exp1(ws->r_events) / bmax;
            if (!bleed)
                continue;
            pt->n_bleed++;
            /* treated when the latest count is low enough */
            int rescue = (rr->trigger & ITP_RESCUE_BLEED) && ctx.last_count_day >= 0 &&
                         ctx.last_count < rr->bleed_below;
            if (rescue && day >= ctx.rescue_until &&
                start_rescue(scn, arm, ws, rec, &ctx, &ev, state))
                return ITP_ENOMEM;
        }
        /* the rescue's components, from their first rescue on (after the
         * day's bleeds, which may start one) */
        for (int i = 0; i < rr->n_treatments; i++) {
            const itp_component *comp = &scn->components[rr->treatment[i]];
            int c = arm->n_components + i;
            if (!ev.rescued[i] || !comp->type->day)
                continue;
            ctx.comp = c;
            ctx.wake = day + 1;
            comp->type->day(comp->params, &ctx, state[c], &drive);
            if (ctx.wake < next)
                next = ctx.wake > day ? ctx.wake : day + 1;
        }
        if (ctx.status)
            return ctx.status;
        if (pt->new_therapy != ITP_NEVER)
            drive.prod_factor *= nt->prod_factor;
        if (observed) {
            itp_visit v = {day, (float)count, (float)tpo_dose, (unsigned char)((on_tpo ? ITP_ON_TPO_RA : 0u) |
                                           (on_any ? ITP_ON_TREATMENT : 0u)),
                           (unsigned char)ev.rescue_pending, (unsigned char)scheduled,
                           (unsigned char)(pt->new_therapy != ITP_NEVER)};
            if (itp_record_add_visit(rec, &v))
                return ITP_ENOMEM;
            pt->n_visits++;
            ev.rescue_pending = 0;
            /* every outcome known: nothing after today is analysed */
            if (scheduled && ws->settled && day < pt->followup_days &&
                ws->settled(scn, rec, pt, day)) {
                pt->last_day = day;
                break;
            }
        }
        if (day >= pt->followup_days) {
            pt->last_day = day;
            break;
        }
        /* The next event: a visit, a component's next change, the end of a
         * rescue, a remission's onset or end, a candidate bleed, death,
         * dropout or the end of follow-up. Nothing changes the drive or
         * the remission before it. */
        int in_rem = 0;
        if (next > pt->followup_days)
            next = pt->followup_days;
        if (vi < scn->n_visits && scn->visit_day[vi] < next)
            next = scn->visit_day[vi];
        if (ctx.recheck_day > day && ctx.recheck_day < next)
            next = ctx.recheck_day;
        if (ctx.rescue_until > day && ctx.rescue_until < next)
            next = ctx.rescue_until;
        if (death > day && death < next)
            next = death;
        if (dropout > day && dropout < next)
            next = dropout;
        if (ev.bleed_next < next)
            next = (int)ev.bleed_next;   /* > day: today's are past */
        for (int m = 0; m < ctx.n_mech; m++) {
            const itp_mechanism *mc = &ctx.mech[m];
            in_rem |= day >= mc->onset && day < mc->end;
            if (mc->onset > day && mc->onset < next)
                next = mc->onset;
            if (mc->end > day && mc->end < next)
                next = mc->end;
        }
        /* platelets transfused today join the circulation at its start */
        if (drive.bolus != 0.0)
            y[ITP_S_P] += drive.bolus;
        itp_kinetics_advance_days(&k, &drive, in_rem, next - day, p->nsub, &prop, y);
        day = next;
    }
    /* the latent remission as it came (components may have moved it) */
    for (int m = 0; m < ctx.n_mech; m++) {
        if (ctx.mech[m].end <= ctx.mech[m].onset)
            continue;
        if (pt->remission_onset == ITP_NEVER || ctx.mech[m].onset < pt->remission_onset)
            pt->remission_onset = ctx.mech[m].onset;
        if (ctx.mech[m].end > pt->remission_end)
            pt->remission_end = ctx.mech[m].end;
    }
    return ITP_OK;
}

const itp_model_type itp_platelet_model = {
    .name = "platelet",
    .description = "semi-mechanistic platelet kinetics with treatments and events",
    .has_visits = 1,
    .parse = parse,
    .free = free,
    .patient_size = sizeof(platelet_patient),
    .draw = draw,
    .simulate = simulate,
};
