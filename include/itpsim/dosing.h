/* Dose titration and taper rules shared by the dosed treatment components
 * (the TPO-RAs: eltrombopag in mg/day, romiplostim in ug/kg a week,
 * avatrombopag in mg/day as the daily means of its regimens, each with its
 * label's thresholds).
 *
 * Titration: doses on a ladder min, step, 2 step, ... up to max, or on
 * explicit dose levels (increasing; the lowest is then min) up to max,
 * which the taper below then steps down one at a time (a step: one level;
 * off below the lowest); at each observed count
 *   count > hold_above       hold; recheck every recheck_days; restart one
 *                            level lower once < restart_below
 *   count >= decrease_from   one level down (not below min), except within
 *                            decrease_wait days of the previous decrease
 *                            and until the counts have been >= decrease_from
 *                            for decrease_after days (the run's first such
 *                            count that many days before; a dose change or
 *                            a hold starts a new run; 0: at once)
 *   count < increase_below   one level up (not above max) once
 *                            days_between days have passed since the last
 *                            change
 * (eltrombopag label, Promacta US prescribing information, section 2.1:
 * "at any time", "wait 2 weeks to assess the effect", "after at least 2
 * weeks").
 * Taper: on the start day, a patient whose counts at every eligibility
 * visit were >= eligible_min_count steps down by `step` every step_days
 * until off; a count below fail_below up to the end day ends the taper
 * (one step back up, not above the dose it started from; titration
 * resumes). Not eligible: titration goes on. Whoever is still on the drug
 * (dosed or held) on the end day could not taper. After a completed taper,
 * a count below restart_below (0: never) restarts the drug at the start
 * dose (a relapse off treatment).
 * Taper started by response instead (TAPER: Cooper et al., Am J Hematol
 * 2024): a count >= response_count (from response_from_week on) starts a
 * wait of stable_days; a count below stable_min_count during it, the day
 * it ends included, or one taken while a rescue acts, ends the wait (a new
 * count >= response_count starts it again); the first step is on the day
 * the wait ends. Every observed count is judged, scheduled or not. A wait
 * not over by latest_start (if given) is recorded there as ineligible. The
 * taper has no end day: a count below fail_below while stepping down fails
 * it, one below restart_below once off restarts the drug, and no inability
 * to taper is recorded.
 * Everything the rules do is logged as events of the calling component. */
#ifndef ITPSIM_DOSING_H
#define ITPSIM_DOSING_H

#include "itpsim/cfgread.h"
#include "itpsim/component.h"

#define ITP_MAX_TAPER_VISITS 8
/* The most steps a taper from the maximum dose may take. */
#define ITP_MAX_TAPER_STEPS 1000
#define ITP_MAX_DOSE_LEVELS 12

typedef struct itp_titration {
    double start, max, min, step;   /* doses, in the drug's unit (step 0 with levels) */
    int n_levels;                   /* explicit dose levels (0: min and multiples of step) */
    double level[ITP_MAX_DOSE_LEVELS]; /* increasing; start (unless 0) and max among them */
    double increase_below, decrease_from, hold_above, restart_below; /* 10^9/L */
    int days_between, decrease_wait, recheck_days;
    int decrease_after;             /* days counts >= decrease_from must last (0: at once) */
} itp_titration;

/* A patient's dose under titration. */
typedef struct itp_dose_state {
    double dose;             /* today's dose (0 while held or stopped) */
    double dose_before_hold;
    int held;
    int last_change, last_decrease;
    int at_max_since;        /* day the maximum dose was reached, -1 below it */
    int high_since;          /* first day of the run of counts >= decrease_from
                                at this dose, -1 none */
} itp_dose_state;

/* Reads the titration settings of group g (defaults from the group named
 * `defaults`): start_dose_UNIT, max_dose_UNIT, then dose_levels_UNIT when
 * the drug has it, else min_dose_UNIT and dose_step_UNIT, increase_below,
 * decrease_from, hold_above, restart_below, days_between_changes,
 * decrease_wait_days, hold_recheck_days, and decrease_after_days when the
 * drug has it (else 0); unit is the doses' suffix ("mg", "ug_kg"). Dose
 * levels must increase, and start (unless 0) and max be among them. */
itp_status itp_titration_parse(itp_reader *rd, const config_setting_t *g, const char *defaults,
                               const char *unit, itp_titration *t);

/* The start: the start dose on day 0. */
void itp_dose_start(const itp_titration *t, itp_dose_state *s);
/* A new dose from `day` on (logged as kind, value the dose). */
void itp_dose_set(const itp_titration *t, itp_dose_state *s, itp_patient_ctx *ctx, int kind,
                  double dose);
/* The titration rules at an observed count. */
void itp_dose_titrate(const itp_titration *t, itp_dose_state *s, itp_patient_ctx *ctx,
                      double count);
/* Off for good (no dose, no hold). */
void itp_dose_off(itp_dose_state *s);

typedef struct itp_taper {
    int on;                  /* a taper is given */
    int by_response;         /* started by response (else on the start day) */
    int start, end;          /* days of the first step and of the planned end
                                (ITP_FAR_DAY by response: none) */
    int step_days;
    double step;             /* dose removed per step, in the drug's unit */
    int n_levels;            /* or one level down per step (0: by step) */
    double level[ITP_MAX_DOSE_LEVELS];
    double elig_min, fail_below, restart_below;
    int n_elig;
    int elig_week[ITP_MAX_TAPER_VISITS];
    /* by response */
    double resp_count, stable_min;  /* 10^9/L */
    int stable_days, resp_from;
    int latest_start;        /* day; -1: none */
} itp_taper;

enum { ITP_TAPER_BEFORE, ITP_TAPER_ON, ITP_TAPER_OFF, ITP_TAPER_AFTER };

typedef struct itp_taper_state {
    int phase;               /* ITP_TAPER_*: before its start, tapering, off
                                after it, or over (failed, ineligible,
                                restarted) */
    int next_step;
    int elig_passed;         /* eligibility visits with a high enough count */
    int planned;             /* by response: the day the wait ends, the
                                taper's start (0: not waiting) */
    double from;             /* the dose it started from */
} itp_taper_state;

/* Reads the optional subgroup `taper` of g (defaults from the group named
 * `defaults`, e.g. "tpo_ra.eltrombopag.taper"): start ("week", the
 * default, or "response"); for "week" start_week, end_week or
 * length_weeks, eligible_min_count, eligible_weeks or
 * eligible_weeks_before_start; for "response" response_count,
 * stable_weeks, stable_min_count, response_from_week, latest_start_week;
 * for both step_UNIT (not with dose levels: the steps are t's levels),
 * step_weeks, fail_below, restart_below. The keys of one start rule are
 * refused with the other. A taper from t's maximum dose must be able to
 * end by the end week. */
itp_status itp_taper_parse(itp_reader *rd, const config_setting_t *g, const char *defaults,
                           const char *unit, const itp_titration *t, itp_taper *tp);

/* The last day on which a taper from max_dose may still step down: its end
 * day, or for a taper started by response the last step from
 * latest_start (ITP_FAR_DAY without one). -1 without a taper. */
int itp_taper_last_day(const itp_taper *tp, double max_dose);

/* At an observed count: eligibility or the wait of a taper started by
 * response, a taper failure or a restart after one. Returns 1 when the
 * taper rules decide the dose today (titration does not apply), 0 when
 * titration does. `stopped`: off the drug for good (only eligibility is
 * counted). */
int itp_taper_observe(const itp_titration *t, const itp_taper *tp, itp_dose_state *d,
                      itp_taper_state *s, itp_patient_ctx *ctx, double count, int scheduled,
                      int stopped);

/* Each day, before the dose is given: the taper's start, steps and end.
 * Need not be called on other days than day 0, those of events and the
 * one itp_taper_next gives. */
void itp_taper_day(const itp_taper *tp, itp_dose_state *d, itp_taper_state *s,
                   itp_patient_ctx *ctx, int stopped);

/* The first day after `day` on which itp_taper_day may act (ITP_FAR_DAY:
 * none). */
int itp_taper_next(const itp_taper *tp, const itp_taper_state *s, int day);

/* The scheduled-visit weeks the taper's eligibility needs. */
int itp_taper_needs_visits(const itp_taper *tp, int *weeks, int max);

#endif
