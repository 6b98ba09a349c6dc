/* Drugs given in courses of daily doses, acting on platelet destruction
 * while they act and with a chance of a lasting remission per course: the
 * corticosteroids (dexamethasone pulses, prednisone courses with their
 * taper) and the sialidase inhibitor oseltamivir share this machinery
 * (corticosteroid.c, sialidase.c give the types).
 *
 * Schedule: courses start on the days of `course_weeks` (default [0]);
 * each gives `days_per_course` daily doses of D mg (dose_mg, or dose_mg_kg
 * x weight_kg), then, when taper_weeks > 0, falls in weekly steps over
 * taper_weeks weeks: in taper week j (1..taper_weeks) the dose is
 * D (1 - j / (taper_weeks + 1)). A course after the first is given only
 * when the latest observed count on its first day is below repeat_below
 * (default: always), as HD-DXM's second course in Wei, Blood 2016.
 *
 * Effect on destruction: a dose d on day t acts on day t + onset_days, by
 *   kdeg factor 1 - e(d),   e(d) = emax x / (ed50_mg + x),   x = potency d
 * (potency in reference-drug mg per mg: prednisone equivalents for the
 * steroids), and the last dose of a course goes on acting for offset_days
 * more days; overlapping courses act by the larger e, not the sum.
 *
 * Remission: each course given brings a lasting remission with probability
 * remission_prob (then the population's odds, itp_ctx_remission_prob),
 * with onset uniform over remission_onset_from_days..remission_onset_to_days
 * after the course's first day and an exponential relapse at
 * relapse_per_month; a patient keeps the first course's remission that
 * comes (one mechanism per component). Each course has its own uniforms,
 * drawn at randomisation in a fixed order: the patient is the same in every
 * arm and for every number of courses (common random numbers).
 *
 * New ITP therapy stops the drug: no dose from that day on (the last dose
 * given acts for offset_days); remissions of courses given stay.
 *
 * As rescue (rescue.treatments; corticosteroid.c gives the hook): the
 * schedule counts from the rescue's day instead of randomisation (by
 * default one course on that day), each rescue with fresh uniforms from
 * the component's stream, and the rescue acts until the last course's
 * effect has ended; the first remission a rescue's course brings is kept
 * (one mechanism). */
#ifndef ITPSIM_COURSES_H
#define ITPSIM_COURSES_H

#include "itpsim/cfgread.h"
#include "itpsim/component.h"

#define ITP_MAX_COURSES 12

typedef struct itp_course_params {
    int n;                          /* courses planned */
    int start[ITP_MAX_COURSES];     /* their first days */
    int days;                       /* full-dose days per course */
    int taper_weeks;                /* weekly steps down after them */
    double dose;                    /* mg/day */
    double repeat_below;            /* a later course only below this count */
    double potency, emax, ed50;
    int onset, offset;              /* days */
    double rem_prob, rem_from, rem_to, relapse_per_day;
} itp_course_params;

typedef struct itp_course_state {
    double u[ITP_MAX_COURSES], u_onset[ITP_MAX_COURSES];
    double e_relapse;
    int decided;                    /* courses decided (given or skipped) */
    int given[ITP_MAX_COURSES];     /* 1 given, 0 skipped */
    int stop_day;                   /* no dose from this day (ITP_FAR_DAY: none) */
    int mech;                       /* the remission mechanism, or -1 */
    int origin;                     /* the study day the schedule's days (and
                                       stop_day) count from: 0, or a
                                       rescue's day */
    int rescues;                    /* rescues given (as rescue) */
} itp_course_state;

/* The keys a course-given component group may hold besides `drug` and its
 * drug's parameters: type, dose_mg, dose_mg_kg, course_weeks,
 * repeat_below. */
extern const char *const itp_course_keys[];

/* Reads the schedule and the drug's parameters (defaults at defpath). */
itp_status itp_course_parse(itp_reader *rd, const config_setting_t *g, const char *defpath,
                            itp_course_params *p);

/* The dose on study day `day` of course k given (0 outside it), mg/day. */
double itp_course_dose(const itp_course_params *p, int k, int day);

/* The last dosing day of course k (before a stop on stop_day). */
int itp_course_last_day(const itp_course_params *p, int k, int stop_day);

/* The destruction lowering e on `day` from the courses given (or to be
 * given, as decided so far), and the next day it may change (> day). */
double itp_course_effect(const itp_course_params *p, const itp_course_state *s, int day,
                         int *next);

/* The component hooks of a type built on these rules (its vtable's
 * parse, start, day and stop; params an itp_course_params, state an
 * itp_course_state). */
itp_status itp_course_type_parse(itp_reader *rd, const config_setting_t *g, const char *defpath,
                                 void **params);
void itp_course_type_start(const void *params, itp_patient_ctx *ctx, gsl_rng *r, void *state);
double itp_course_type_day(const void *params, itp_patient_ctx *ctx, void *state,
                           itp_drive *drive);
void itp_course_type_stop(const void *params, itp_patient_ctx *ctx, void *state);
/* The last course's first day (-1: none), its setting "course_weeks". */
int itp_course_type_last_scheduled(const void *params, const char **setting);
/* The rescue hook (itp_component_type.rescue): the schedule from today. */
int itp_course_type_rescue(const void *params, itp_patient_ctx *ctx, gsl_rng *r, void *state,
                           double u);

/* The vtable members every course-given type shares (after its name,
 * description and default drug). */
/* The unit of a course's daily dose: "mg/day". */
const char *itp_course_type_unit(const void *params);

#define ITP_COURSE_TYPE_HOOKS                                                       \
    .keys = itp_course_keys, .parse = itp_course_type_parse, .free = free,          \
    .state_size = sizeof(itp_course_state), .mechanisms = 1,                        \
    .start = itp_course_type_start, .day = itp_course_type_day, .stop = itp_course_type_stop, \
    .last_scheduled = itp_course_type_last_scheduled, .dose_unit = itp_course_type_unit

#endif
