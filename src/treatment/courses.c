/* Drugs given in courses (see courses.h for the rules and their sources). */
#include "itpsim/courses.h"

#include <math.h>
#include <stdlib.h>
#include "itpsim/record.h"
#include "itpsim/rng.h"
#include "itpsim/units.h"

const char *const itp_course_keys[] = {"type", "dose_mg", "dose_mg_kg", "dose_mg_m2", "course_weeks",
                                       "repeat_below", NULL};

itp_status itp_course_parse(itp_reader *rd, const config_setting_t *g, const char *d,
                            itp_course_params *p)
{
    double w[ITP_MAX_COURSES], relapse;
    itp_status st;
    if ((st = itp_rd_array(rd, g, "course_weeks", ITP_CLOSED(0, 520), 0, w, ITP_MAX_COURSES,
                           &p->n)))
        return st;
    if (p->n == 0) {
        p->n = 1;
        w[0] = 0.0;
    }
    for (int k = 0; k < p->n; k++) {
        p->start[k] = (int)lround(w[k] * 7.0);
        if (k && p->start[k] <= p->start[k - 1])
            return itp_rd_fail(rd, itp_member(g, "course_weeks"),
                               "expected increasing weeks, on different days");
    }
    if ((st = itp_read_dose(rd, g, d, 0, &p->dose)))
        return st;
    if ((st = itp_rd_double_opt(rd, g, "repeat_below", ITP_CLOSED(0, 1e4), HUGE_VAL,
                                "none (every course given)", &p->repeat_below)) ||
        (st = itp_rd_int(rd, g, d, "days_per_course", 1, 365, &p->days)) ||
        (st = itp_rd_int(rd, g, d, "taper_weeks", 0, 52, &p->taper_weeks)) ||
        (st = itp_rd_double(rd, g, d, "potency", ITP_POSITIVE(1e3), &p->potency)) ||
        (st = itp_rd_double(rd, g, d, "emax", ITP_PROB, &p->emax)) ||
        (st = itp_rd_double(rd, g, d, "ed50_mg", ITP_POSITIVE(1e5), &p->ed50)) ||
        (st = itp_rd_int(rd, g, d, "onset_days", 0, 60, &p->onset)) ||
        (st = itp_rd_int(rd, g, d, "offset_days", 0, 365, &p->offset)) ||
        (st = itp_rd_double(rd, g, d, "remission_prob", ITP_PROB, &p->rem_prob)) ||
        (st = itp_rd_double(rd, g, d, "remission_onset_from_days", ITP_CLOSED(0, 3650),
                            &p->rem_from)) ||
        (st = itp_rd_double(rd, g, d, "remission_onset_to_days", ITP_CLOSED(0, 3650),
                            &p->rem_to)) ||
        (st = itp_rd_double(rd, g, d, "relapse_per_month", ITP_CLOSED(0, 100), &relapse)))
        return st;
    if (p->emax >= 1.0)
        return itp_rd_fail(rd, itp_rd_where(rd, g, d, "emax"),
                           "expected emax < 1 (destruction cannot stop altogether)");
    if (p->rem_to < p->rem_from)
        return itp_rd_fail(rd, itp_rd_where(rd, g, d, "remission_onset_to_days"),
                           "expected remission_onset_to_days >= remission_onset_from_days (%g), "
                           "got %g", p->rem_from, p->rem_to);
    p->relapse_per_day = relapse / ITP_DAYS_PER_MONTH;
    return ITP_OK;
}

/* Days of course k: full doses, then the taper's weeks. */
static int course_length(const itp_course_params *p)
{
    return p->days + 7 * p->taper_weeks;
}

double itp_course_dose(const itp_course_params *p, int k, int day)
{
    int rel = day - p->start[k];
    if (rel < 0 || rel >= course_length(p))
        return 0.0;
    if (rel < p->days)
        return p->dose;
    int j = (rel - p->days) / 7 + 1;
    return p->dose * (1.0 - (double)j / (p->taper_weeks + 1));
}

int itp_course_last_day(const itp_course_params *p, int k, int stop_day)
{
    int last = p->start[k] + course_length(p) - 1;
    return last < stop_day ? last : stop_day - 1;
}

static double effect_of(const itp_course_params *p, double dose)
{
    double x = p->potency * dose;
    return x > 0.0 ? p->emax * x / (p->ed50 + x) : 0.0;
}

static void earliest(int *next, int day, int candidate)
{
    if (candidate > day && candidate < *next)
        *next = candidate;
}

double itp_course_effect(const itp_course_params *p, const itp_course_state *s, int day,
                         int *next)
{
    double e = 0.0;
    int on = p->onset, off = p->offset;
    *next = ITP_FAR_DAY;
    for (int k = 0; k < p->n; k++) {
        if (k >= s->decided) {   /* its first day decides it */
            earliest(next, day, p->start[k]);
            continue;
        }
        int last = itp_course_last_day(p, k, s->stop_day);
        if (!s->given[k] || last < p->start[k])
            continue;
        int t = day - on;   /* the dosing day acting today */
        double ek = 0.0;
        if (t >= p->start[k] && t <= last)
            ek = effect_of(p, itp_course_dose(p, k, t));
        else if (t > last && t <= last + off)
            ek = effect_of(p, itp_course_dose(p, k, last));
        if (ek > e)
            e = ek;
        /* the days its effect changes: its start, each taper step, the
         * stop of dosing, the end of the tail */
        earliest(next, day, p->start[k] + on);
        for (int j = 0; j < p->taper_weeks; j++)
            earliest(next, day, p->start[k] + p->days + 7 * j + on);
        earliest(next, day, last + 1 + on);
        earliest(next, day, last + off + 1 + on);
    }
    return e;
}

itp_status itp_course_type_parse(itp_reader *rd, const config_setting_t *g, const char *defpath,
                                 void **out)
{
    itp_course_params *p = calloc(1, sizeof *p);
    *out = p;
    if (!p)
        return ITP_ENOMEM;
    return itp_course_parse(rd, g, defpath, p);
}

void itp_course_type_start(const void *params, itp_patient_ctx *ctx, gsl_rng *r, void *state)
{
    itp_course_state *s = state;
    (void)params;
    (void)ctx;
    /* every course's uniforms, whatever the number planned */
    for (int k = 0; k < ITP_MAX_COURSES; k++) {
        s->u[k] = gsl_rng_uniform(r);
        s->u_onset[k] = gsl_rng_uniform(r);
    }
    s->e_relapse = itp_rng_exp1(r);
    s->decided = 0;
    s->stop_day = ITP_FAR_DAY;
    s->mech = -1;
}

/* Course k's first day: given (the first always; a later one when the
 * latest count is below repeat_below) or skipped (logged as such; after a
 * stop, not given and not logged again); a course given may bring the
 * remission. */
static void decide(const itp_course_params *p, itp_patient_ctx *ctx, itp_course_state *s, int k)
{
    int stopped = p->start[k] >= s->stop_day;
    int given = !stopped &&
                (k == 0 || (ctx->last_count_day >= 0 && ctx->last_count < p->repeat_below));
    s->given[k] = given;
    s->decided = k + 1;
    if (!stopped)
        itp_ctx_event(ctx, given ? ITP_EV_COURSE : ITP_EV_COURSE_SKIPPED, given ? p->dose : 0.0);
    if (!given || s->mech >= 0 || s->u[k] >= itp_ctx_remission_prob(ctx, p->rem_prob))
        return;
    double onset = s->origin + p->start[k] + p->rem_from +
                   s->u_onset[k] * (p->rem_to - p->rem_from);
    double end = p->relapse_per_day > 0.0 ? onset + s->e_relapse / p->relapse_per_day : 1e9;
    s->mech = itp_ctx_add_mechanism(ctx, itp_day_of(onset), itp_day_of(end));
}

double itp_course_type_day(const void *params, itp_patient_ctx *ctx, void *state,
                           itp_drive *drive)
{
    const itp_course_params *p = params;
    itp_course_state *s = state;
    int day = ctx->day - s->origin, next;   /* the schedule's day */
    while (s->decided < p->n && p->start[s->decided] <= day)
        decide(p, ctx, s, s->decided);
    double e = itp_course_effect(p, s, day, &next);
    drive->kdeg_factor *= 1.0 - e;
    ctx->wake = next < ITP_FAR_DAY ? next + s->origin : ITP_FAR_DAY;
    double dose = 0.0;
    for (int k = 0; k < s->decided; k++)
        if (s->given[k] && day < s->stop_day)
            dose += itp_course_dose(p, k, day);
    return dose;
}

void itp_course_type_stop(const void *params, itp_patient_ctx *ctx, void *state)
{
    itp_course_state *s = state;
    (void)params;
    if (ctx->day - s->origin < s->stop_day)
        s->stop_day = ctx->day - s->origin;
    itp_ctx_event(ctx, ITP_EV_STOP, 0.0);
}

int itp_course_type_rescue(const void *params, itp_patient_ctx *ctx, gsl_rng *r, void *state,
                           double u)
{
    const itp_course_params *p = params;
    itp_course_state *s = state;
    (void)u;
    /* the earlier rescue's courses have run their course (no new rescue
     * before): a new schedule, and the remission already brought kept */
    int mech = s->rescues ? s->mech : -1, rescues = s->rescues + 1;
    itp_course_type_start(params, ctx, r, state);
    s->mech = mech;
    s->rescues = rescues;
    s->origin = ctx->day;
    itp_ctx_event(ctx, ITP_EV_RESCUE, p->dose);
    /* the last course's last dose acts onset_days later, for offset_days */
    return ctx->day + itp_course_last_day(p, p->n - 1, ITP_FAR_DAY) + p->onset + p->offset + 1;
}

int itp_course_type_last_scheduled(const void *params, const char **setting)
{
    const itp_course_params *p = params;
    *setting = "course_weeks";
    return p->n ? p->start[p->n - 1] : -1;
}

const char *itp_course_type_unit(const void *params)
{
    (void)params;
    return "mg/day";
}
