/* Shared by the endpoint rules' files (endpoint.c, ttf.c, response.c,
 * window.c, taper.c). */
#ifndef ITPSIM_ENDPOINT_INTERNAL_H
#define ITPSIM_ENDPOINT_INTERNAL_H

#include "itpsim/endpoint.h"
#include "itpsim/record.h"

#define NEVER_DAY 1000000000

/* The settings of the response and window rules. */
typedef struct resp_params {
    double threshold;
    double times_baseline;  /* the level is also at least this x the baseline (0: not) */
    int consecutive, from, to, rescue_excl, week_day;
    double fraction;
    int rescue_from;
    unsigned off;       /* window rules: only counts with none of these ITP_ON_*
                           flags qualify (sustained_remission: off the TPO-RA, or
                           off every treatment of the arm) */
    int by_days;        /* occasions / cumulative_days: which of the two */
    int needed;         /* ... the counts (at_least), or the days, it needs */
    char anchored[160]; /* a window anchored to a taper: "the taper start of
                           NAME (week W)" ("" from randomisation) */
} resp_params;

/* A rule's settings, zeroed, as *out; NULL when out of memory. */
resp_params *itp_ep_resp_new(void **out);

/* The horizon of the rules judged on their window [from, to] (counts,
 * rescues and new therapy up to its end, evaluable at it): its end. */
int itp_ep_window_horizon(const void *params);

/* The information of a patient: the last day known, at most limit. */
int itp_ep_end_of_info(const itp_patient *pt, int limit);
/* Died or withdrew on or before day (within the information end). */
int itp_ep_gone_by(const itp_patient *pt, int day, int end);
/* A binary endpoint judged at day can be judged with information to end. */
int itp_ep_evaluable(const itp_patient *pt, int day, int end);
/* New ITP therapy started on or before day. */
int itp_ep_new_therapy_by(const itp_patient *pt, int day);
/* A rescue on a day in [a, b]. */
int itp_ep_rescue_between(const itp_record *rec, const itp_patient *pt, int a, int b);
/* Scheduled visits in [a, b]. */
int itp_ep_scheduled_in(const itp_scenario *scn, int a, int b);
/* A patient's visits in the record. */
const itp_visit *itp_ep_visits_of(const itp_record *rec, const itp_patient *pt);
/* A setting in weeks as a day (dflt_week < 0: required). */
itp_status itp_ep_read_week(itp_reader *rd, const config_setting_t *g, const char *name,
                            double dflt_week, int *day);
/* Refuses to_week before from_week. */
itp_status itp_ep_window_order(itp_reader *rd, const config_setting_t *g, int from, int to);
/* threshold and times_baseline (default 0) of a rule. */
itp_status itp_ep_read_threshold(itp_reader *rd, const config_setting_t *g, resp_params *p);
/* The level a count must reach: threshold, and times_baseline x baseline. */
static inline double itp_ep_level(const resp_params *p, const itp_patient *pt)
{
    double b = p->times_baseline * pt->baseline;
    return b > p->threshold ? b : p->threshold;
}
/* A scheduled count >= the level with no rescue in the exclusion days. */
int itp_ep_qualifies(const resp_params *p, const itp_record *rec, const itp_patient *pt,
                     const itp_visit *v);
/* The day of the first of `consecutive` qualifying counts, or -1. */
int itp_ep_first_run(const resp_params *p, const itp_record *rec, const itp_patient *pt,
                     int end, int *last_visit);
/* threshold, from_week, to_week and rescue_from_week of a window rule. */
itp_status itp_ep_read_window(itp_reader *rd, const config_setting_t *g,
                              const itp_scenario *scn, resp_params *p);
/* Scheduled counts >= threshold in the window (with none of p->off's flags). */
int itp_ep_window_hits(const resp_params *p, const itp_record *rec, const itp_patient *pt,
                       int end);
/* No rescue from rescue_from and no new therapy up to the window's end. */
int itp_ep_untreated(const resp_params *p, const itp_record *rec, const itp_patient *pt);

/* ---- the rules in words (describe hooks) ---- */
/* The unit of counts in the sentences. */
#define ITP_EP_COUNT_UNIT "\u00d710\u2079/L"
/* Appends printf-style text to the NUL-terminated buf of len bytes (cut
 * short when it does not fit). */
void itp_ep_cat(char *buf, size_t len, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
/* ">= 50 ×10⁹/L", with " and >= 2× the baseline" when times_baseline is set. */
void itp_ep_cat_level(char *buf, size_t len, const resp_params *p);
/* "weeks 19-25" (or "week 19" when from == to), from study days. */
void itp_ep_cat_weeks(char *buf, size_t len, int from, int to);
/* ", a count within N days after a rescue not counting" (nothing for 0). */
void itp_ep_cat_rescue_excl(char *buf, size_t len, const resp_params *p);

/* The rule types, one object each, in the table of endpoint.c. */
extern const itp_endpoint_type itp_ep_ttf, itp_ep_time_to_response, itp_ep_stable_response,
    itp_ep_confirmed_response, itp_ep_response_at, itp_ep_iwg_response,
    itp_ep_sustained_remission, itp_ep_occasions, itp_ep_cumulative_days, itp_ep_taper_started;

#endif
