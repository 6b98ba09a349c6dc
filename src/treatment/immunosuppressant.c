/* Component "immunosuppressant": a daily oral immunosuppressant taken for a
 * course (calcineurin inhibitors tacrolimus and ciclosporin, the mTOR
 * inhibitor sirolimus, the antimetabolites mycophenolate and azathioprine).
 * These drugs act slowly, over weeks, by damping the autoimmune attack: in
 * the model they raise the chance of a lasting remission, protect it while
 * they are taken, and partly lower platelet destruction while they act.
 *
 * Course: taken on days [s, T), s = 7 start_week, T = s + 7 weeks (both
 * rounded to the day; without `weeks`, to the end of follow-up). New ITP
 * therapy that stops the component moves T to the day it starts, if that is
 * earlier (never before s).
 *
 * Remission: with probability p = itp_ctx_remission_prob(remission_prob)
 * (the drug's probability in the reference population, moved by the
 * population's odds ratio) the patient enters remission on day
 *   o = floor(s + onset_median_days exp(onset_logsd Z)),  Z ~ N(0, 1),
 * provided o < T: a remission whose onset would come after the course ended
 * does not happen. It lasts until the cumulative relapse hazard
 *   H(t) = l_on (min(t, T) - o) + l_off max(t - T, 0),   t >= o,
 * l_on = relapse_on_per_month, l_off = relapse_off_per_month (per day),
 * reaches one unit exponential E drawn at the start. Since l_on <= l_off
 * (checked when read), a longer course lowers H(t) at every t and so never
 * brings a patient's relapse earlier; a stop by new therapy on day d is
 * the same as a course planned to end on d.
 *
 * Destruction: while taken, destruction is multiplied by
 *   f(t) = 1 - kdeg_emax (1 - exp(-(t - s) / tau)),   s <= t <= T,
 * tau = kdeg_onset_days, and after the course by
 *   f(t) = 1 - g_T exp(-(t - T) / tau),   g_T = 1 - f(T),
 * the effect fading from its value at the stop with the same time constant
 * (an assumption: the lymphocyte suppression builds and wanes over the same
 * weeks). The day hook holds one factor for the days [d, d + n) until it
 * runs again: the mean of f over those days' starts, with n the most days
 * (at most to the end of the course) over which f moves by at most
 * KDEG_TOL, so the factor held is within KDEG_TOL of f on each of them;
 * once after the course f is within KDEG_TOL of 1 it is dropped. Since
 * the distance of f from its limit decays as e^{-t/tau}, a course asks for
 * about kdeg_emax / KDEG_TOL calls while the factor builds and as many
 * while it fades, whatever tau (daily calls would take about tau
 * ln(kdeg_emax / tolerance) days each); the model also runs the hook on
 * every event day.
 *
 * The parameters are those of the drug's usual dose in ITP; dose_mg only
 * records it (the value of the course event and of the day hook).
 * Draws, from the component's own stream in a fixed order whatever is
 * used: the remission uniform, Z, E. So a patient who remits on a 12-week
 * course remits, with the same onset and a relapse no earlier, on a
 * 24-week one (common random numbers across arms).
 *
 * The defaults (config/defaults.cfg, immunosuppressant.DRUG) rest on
 * tacrolimus with high-dose dexamethasone first line (TARGET 020,
 * NCT04747080, ASH 2021 abstract 13), mycophenolate with a glucocorticoid
 * first line (Bradbury et al., N Engl J Med 2021, FLIGHT) and second line
 * (Taylor et al., Br J Haematol 2015), azathioprine (Quiquandon et al.,
 * Br J Haematol 1990; Mishra et al., Am J Blood Res 2021), ciclosporin
 * (Emilia et al., Blood 2002) and sirolimus (Feng et al., Front Med 2020);
 * the remission probabilities are starting values for calibration, the
 * relapse rates and the destruction effect assumptions. */
#include <math.h>
#include <stdlib.h>
#include <gsl/gsl_randist.h>
#include "itpsim/component.h"
#include "itpsim/record.h"
#include "itpsim/rng.h"
#include "itpsim/units.h"

/* The destruction factor is held between calls, within this of its closed
 * form on every day it is held (the counts are measured to about 9%:
 * platelet.measurement_sd). */
#define KDEG_TOL 0.01

typedef struct immuno_params {
    double dose, rem_prob, onset_median, onset_logsd;
    double relapse_on, relapse_off;   /* per day */
    double kdeg_emax, kdeg_tau;
    double kdeg_day;                  /* e^{-1/tau}: a day's decay of the factor's gap */
    int start_day, end_day;           /* end_day ITP_FAR_DAY: to the end of follow-up */
} immuno_params;

typedef struct immuno_state {
    double e_relapse;    /* the unit exponential of the relapse */
    int end;             /* the course's end day, T (moved by a stop) */
    int mech;            /* the remission mechanism, or -1 */
    int stopped;         /* stopped by new therapy */
    int started_logged, ended_logged;
} immuno_state;

static const char *const keys[] = {"type", "start_week", "weeks", NULL};

static itp_status parse(itp_reader *rd, const config_setting_t *g, const char *d, void **out)
{
    immuno_params *p = calloc(1, sizeof *p);
    double start_w, weeks = 0.0, on, off;
    itp_status st;
    *out = p;
    if (!p)
        return ITP_ENOMEM;
    if ((st = itp_rd_double_or(rd, g, "start_week", ITP_CLOSED(0, 1000), 0.0, &start_w)) ||
        (st = itp_rd_double_opt(rd, g, "weeks", ITP_POSITIVE(1000), 0.0, "end of follow-up",
                                &weeks)) ||
        (st = itp_rd_double(rd, g, d, "dose_mg", ITP_CLOSED(0, 1e5), &p->dose)) ||
        (st = itp_rd_double(rd, g, d, "remission_prob", ITP_PROB, &p->rem_prob)) ||
        (st = itp_rd_double(rd, g, d, "onset_median_days", ITP_POSITIVE(1e4), &p->onset_median)) ||
        (st = itp_rd_double(rd, g, d, "onset_logsd", ITP_CLOSED(0, 3), &p->onset_logsd)) ||
        (st = itp_rd_double(rd, g, d, "relapse_on_per_month", ITP_CLOSED(0, 1e4), &on)) ||
        (st = itp_rd_double(rd, g, d, "relapse_off_per_month", ITP_CLOSED(0, 1e4), &off)) ||
        (st = itp_rd_double(rd, g, d, "kdeg_emax", ((itp_range){0.0, 1.0, 0, 1}), &p->kdeg_emax)) ||
        (st = itp_rd_double(rd, g, d, "kdeg_onset_days", ITP_POSITIVE(1e4), &p->kdeg_tau)))
        return st;
    /* The drug protects the remission while taken; a lower rate off it would
     * also make a longer course end some remissions earlier. */
    if (off < on)
        return itp_rd_fail(rd, itp_rd_where(rd, g, d, "relapse_off_per_month"),
                           "expected relapse_off_per_month >= relapse_on_per_month (%g), got %g",
                           on, off);
    p->kdeg_day = exp(-1.0 / p->kdeg_tau);
    p->relapse_on = on / ITP_DAYS_PER_MONTH;
    p->relapse_off = off / ITP_DAYS_PER_MONTH;
    p->start_day = (int)lround(start_w * 7.0);
    if (weeks > 0.0) {
        p->end_day = p->start_day + (int)lround(weeks * 7.0);
        if (p->end_day == p->start_day)
            return itp_rd_fail(rd, itp_member(g, "weeks"),
                               "expected a course of at least one day, got %g weeks", weeks);
    } else {
        p->end_day = ITP_FAR_DAY;
    }
    return ITP_OK;
}

/* The day a remission that began on day `onset` ends when the course ends
 * on day `stop` (> onset): where H reaches E. */
static int remission_end(const immuno_params *p, int onset, int stop, double e)
{
    double h_on = p->relapse_on * (double)(stop - onset);
    double t;
    if (e < h_on)   /* h_on > 0: relapse_on > 0 */
        t = onset + e / p->relapse_on;
    else if (p->relapse_off > 0.0)
        t = stop + (e - h_on) / p->relapse_off;
    else
        t = 1e18;
    return itp_day_of(t);
}

static void start(const void *vp, itp_patient_ctx *ctx, gsl_rng *r, void *vs)
{
    const immuno_params *p = vp;
    immuno_state *s = vs;
    double u = gsl_rng_uniform(r);
    double z = gsl_ran_gaussian_ziggurat(r, 1.0);
    s->e_relapse = itp_rng_exp1(r);
    s->end = p->end_day;
    s->mech = -1;
    if (u >= itp_ctx_remission_prob(ctx, p->rem_prob))
        return;
    int onset = itp_day_of(p->start_day + p->onset_median * exp(p->onset_logsd * z));
    if (onset >= s->end)
        return;
    s->mech = itp_ctx_add_mechanism(ctx, onset, remission_end(p, onset, s->end, s->e_relapse));
}

/* New ITP therapy: the course ends today if it had not. A remission not
 * begun by today does not come (its onset would fall after the course);
 * one under way ends by the off-drug hazard from today, as if the course
 * had been planned to end today, so never before today. */
static void stop(const void *vp, itp_patient_ctx *ctx, void *vs)
{
    const immuno_params *p = vp;
    immuno_state *s = vs;
    int day = ctx->day;
    if (s->stopped || day >= s->end)   /* nothing left to stop */
        return;
    s->stopped = 1;
    s->end = day > p->start_day ? day : p->start_day;
    itp_ctx_event(ctx, ITP_EV_STOP, 0.0);
    if (s->mech < 0)
        return;
    itp_mechanism *m = &ctx->mech[s->mech];
    if (m->end <= day)   /* over already: the same with a course ending today */
        return;
    if (m->onset >= s->end) {
        m->end = m->onset;
        return;
    }
    int end = remission_end(p, m->onset, s->end, s->e_relapse);
    m->end = end > day ? end : day;   /* H(day) < E, so only rounding could */
}

/* The destruction factor's limit on `day` (1 - kdeg_emax while taken, 1
 * after) and its gap from it at the start of the day: f = limit + gap
 * (gap < 0 after the course). */
static double kdeg_limit(const immuno_params *p, const immuno_state *s, int day, double *gap)
{
    if (day < s->end) {
        *gap = p->kdeg_emax * exp(-(double)(day - p->start_day) / p->kdeg_tau);
        return 1.0 - p->kdeg_emax;
    }
    double given = (double)(s->end - p->start_day);   /* 0: never taken */
    *gap = -p->kdeg_emax * -expm1(-given / p->kdeg_tau) *
           exp(-(double)(day - s->end) / p->kdeg_tau);
    return 1.0;
}

/* The course as it is taken (its start and planned end logged) and the
 * destruction factor, held over the days it stays within KDEG_TOL. */
static double day_fn(const void *vp, itp_patient_ctx *ctx, void *vs, itp_drive *drive)
{
    const immuno_params *p = vp;
    immuno_state *s = vs;
    int day = ctx->day;
    if (day < p->start_day) {
        ctx->wake = p->start_day;
        return 0.0;
    }
    int taken = day < s->end;
    if (taken && !s->started_logged) {
        s->started_logged = 1;
        itp_ctx_event(ctx, ITP_EV_COURSE, p->dose);
    }
    if (!taken && !s->stopped && !s->ended_logged && s->started_logged) {
        s->ended_logged = 1;
        itp_ctx_event(ctx, ITP_EV_COURSE_END, 0.0);
    }
    double gap, limit = kdeg_limit(p, s, day, &gap), a = fabs(gap);
    if (!taken && a <= KDEG_TOL) {   /* faded: no factor any more */
        ctx->wake = ITP_FAR_DAY;
        return 0.0;
    }
    /* n days from today: the gap falls by a (1 - e^{-(n-1)/tau}) <= KDEG_TOL */
    int cap = taken ? s->end - day : ITP_FAR_DAY - day, n = cap;
    if (a > KDEG_TOL) {
        double m = 1.0 - p->kdeg_tau * log1p(-KDEG_TOL / a);
        n = m < (double)cap ? (int)m : cap;
    }
    /* the mean of e^{-i/tau} over i = 0..n-1 (1 for one day) */
    double mean = n == 1 ? 1.0 : -expm1(n * log(p->kdeg_day)) / (n * (1.0 - p->kdeg_day));
    drive->kdeg_factor *= limit + gap * mean;
    ctx->wake = day + n;
    return taken ? p->dose : 0.0;
}

static int last_scheduled(const void *vp, const char **setting)
{
    const immuno_params *p = vp;
    *setting = "start_week";
    return p->start_day;
}

static const char *immuno_unit(const void *params)
{
    (void)params;
    return "mg/day";
}

const itp_component_type itp_immunosuppressant_type = {
    .name = "immunosuppressant",
    .description = "oral immunosuppressant course: slow lasting remission, relapse off it, "
                   "destruction lowered while it acts",
    .keys = keys,
    .default_drug = "mycophenolate",
    .parse = parse,
    .free = free,
    .state_size = sizeof(immuno_state),
    .mechanisms = 1,
    .start = start,
    .day = day_fn,
    .stop = stop,
    .last_scheduled = last_scheduled,
    .dose_unit = immuno_unit,
};
