/* The schedule sections of a scenario: enrolment, follow-up and the data
 * cut, visits, and the size limit; see internal.h. */
#include "itpsim/scenario.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>
#include "internal.h"

#define DPM ITP_DAYS_PER_MONTH

itp_status itp_scn_read_enrolment(itp_reader *rd, itp_scenario *scn,
                                  const config_setting_t *root)
{
    static const char *const keys[] = {"duration_months", "rate_per_month",
                                       "from_month", NULL};
    const config_setting_t *g;
    itp_status st = itp_rd_child(rd, root, "enrolment", CONFIG_TYPE_GROUP, 1, &g);
    if (st || (st = itp_rd_keys(rd, g, keys, NULL)))
        return st;
    if (itp_member(g, "duration_months")) {
        double m;
        if (itp_member(g, "rate_per_month"))
            return itp_rd_fail(rd, itp_member(g, "rate_per_month"),
                               "give either duration_months or rate_per_month, not both");
        if ((st = itp_rd_double(rd, g, NULL, "duration_months", ITP_CLOSED(0.0, 240.0), &m)))
            return st;
        scn->enrol_duration_days = m * DPM;
        return ITP_OK;
    }
    double rates[ITP_MAX_PIECES], from[ITP_MAX_PIECES];
    int nr, nf;
    if ((st = itp_rd_array(rd, g, "rate_per_month", ITP_CLOSED(0.0, 1e5), 1, rates,
                           ITP_MAX_PIECES, &nr)) ||
        (st = itp_rd_array(rd, g, "from_month", ITP_CLOSED(0.0, 240.0), 0, from,
                           ITP_MAX_PIECES, &nf)))
        return st;
    if (nf == 0) {
        from[0] = 0.0;
        nf = 1;
    }
    const config_setting_t *fs = itp_member(g, "from_month");
    if (nf != nr)
        return itp_rd_fail(rd, fs, "expected %d values, one per rate, got %d", nr, nf);
    if (from[0] != 0.0)
        return itp_rd_fail(rd, fs, "expected the first piece to start at month 0");
    for (int i = 1; i < nr; i++)
        if (from[i] <= from[i - 1])
            return itp_rd_fail(rd, fs, "expected increasing months");
    if (rates[nr - 1] <= 0.0)
        return itp_rd_fail(rd, itp_member(g, "rate_per_month"),
                           "the last rate must be positive, or enrolment never ends");
    /* The mean time to enrol every patient: rates so small that it would
     * pass the longest enrolment (240 months) leave an analysis that never
     * comes (a cut at month 1e301). */
    double left = scn->n_patients, months = -1.0;
    for (int i = 0; i < nr && months < 0; i++) {
        double len = i + 1 < nr ? from[i + 1] - from[i] : HUGE_VAL;
        if (rates[i] * len >= left)
            months = from[i] + left / rates[i];
        else
            left -= rates[i] * len;
    }
    if (months > 240.0)
        return itp_rd_fail(rd, itp_member(g, "rate_per_month"),
                           "enrolling %d patients at these rates takes %.3g months on average: "
                           "at most 240", scn->n_patients, months);
    scn->n_rate_pieces = nr;
    for (int i = 0; i < nr; i++) {
        scn->rate_from_day[i] = from[i] * DPM;
        scn->rate_per_day[i] = rates[i] / DPM;
    }
    return ITP_OK;
}

itp_status itp_scn_read_followup(itp_reader *rd, itp_scenario *scn,
                                 const config_setting_t *root)
{
    static const char *const keys[] = {"max_months", "data_cut", "cut_months", "events",
                                       "endpoint", NULL};
    const config_setting_t *g;
    double maxm, cut;
    char kind[32];
    itp_status st = itp_rd_child(rd, root, "followup", CONFIG_TYPE_GROUP, 1, &g);
    if (st || (st = itp_rd_keys(rd, g, keys, NULL)) ||
        (st = itp_rd_double(rd, g, NULL, "max_months",
                            ITP_POSITIVE(ITP_MAX_FOLLOWUP_DAYS / DPM), &maxm)) ||
        (st = itp_rd_string(rd, g, "data_cut", "after_last_enrolled", kind, sizeof kind)))
        return st;
    scn->max_followup_days = (int)floor(maxm * DPM + 1e-9);
    if (strcmp(kind, "events") == 0) {
        scn->cut_kind = ITP_CUT_EVENTS;
        if (itp_member(g, "cut_months"))
            return itp_rd_fail(rd, itp_member(g, "cut_months"),
                               "an event-driven cut (data_cut = \"events\") takes events, not cut_months");
        /* More events than patients would never trigger the cut. */
        return itp_rd_int(rd, g, NULL, "events", 1, scn->n_patients, &scn->cut_events);
    }
    if (itp_member(g, "events") || itp_member(g, "endpoint"))
        return itp_rd_fail(rd, itp_member(g, "events") ? itp_member(g, "events") : itp_member(g, "endpoint"),
                           "events and endpoint are for data_cut = \"events\"");
    if ((st = itp_rd_double(rd, g, NULL, "cut_months", ITP_CLOSED(0.0, 240.0), &cut)))
        return st;
    scn->cut_days = cut * DPM;
    if (strcmp(kind, "after_last_enrolled") == 0)
        scn->cut_kind = ITP_CUT_AFTER_LAST;
    else if (strcmp(kind, "after_first_enrolled") == 0)
        scn->cut_kind = ITP_CUT_AFTER_FIRST;
    else
        return itp_rd_fail(rd, itp_member(g, "data_cut"),
                           "expected \"after_last_enrolled\", \"after_first_enrolled\" or \"events\", got \"%s\"",
                           kind);
    return ITP_OK;
}

itp_status itp_scn_read_visits(itp_reader *rd, itp_scenario *scn,
                               const config_setting_t *root)
{
    static const char *const keys[] = {"from_week", "to_week", "every_weeks", NULL};
    const config_setting_t *list;
    itp_status st = itp_rd_child(rd, root, "visits", CONFIG_TYPE_LIST, 1, &list);
    if (st)
        return st;
    int n = config_setting_length(list);
    if (n < 1 || n > ITP_MAX_SEGMENTS)
        return itp_rd_fail(rd, list, "expected 1 to %d visit segments", ITP_MAX_SEGMENTS);
    double max_week = scn->max_followup_days / 7.0;
    int last_day = -1;
    scn->n_visits = 0;
    for (int i = 0; i < n; i++) {
        const config_setting_t *g = config_setting_get_elem(list, (unsigned)i);
        double from, to, every;
        if (!config_setting_is_group(g))
            return itp_rd_fail(rd, g, "expected a group { from_week; to_week; every_weeks; }");
        if ((st = itp_rd_keys(rd, g, keys, NULL)) ||
            (st = itp_rd_double(rd, g, NULL, "from_week", ITP_CLOSED(0.0, 1100.0), &from)) ||
            (st = itp_rd_double_or(rd, g, "to_week", ITP_CLOSED(0.0, 1100.0), max_week, &to)) ||
            (st = itp_rd_double(rd, g, NULL, "every_weeks", ITP_POSITIVE(520.0), &every)))
            return st;
        if (to < from)
            return itp_rd_fail(rd, itp_member(g, "to_week"),
                               "expected to_week >= from_week (%g), got %g", from, to);
        for (double w = from; w <= to + 1e-9; w += every) {
            int day = (int)lround(w * 7.0);
            if (day > scn->max_followup_days)
                break;
            if (day <= last_day)
                return itp_rd_fail(rd, g, "visit at week %g is not after the previous visit (day %d)",
                                   w, last_day);
            if (scn->n_visits == ITP_MAX_VISITS)
                return itp_rd_fail(rd, g, "more than %d scheduled visits", ITP_MAX_VISITS);
            scn->visit_day[scn->n_visits++] = last_day = day;
        }
    }
    return ITP_OK;
}

/* A replicate that could not be held in memory is refused here, before
 * anything is simulated, with the largest sample size that fits. */
itp_status itp_scn_check_size(itp_reader *rd, itp_scenario *scn,
                              const config_setting_t *root)
{
    long visits = scn->n_visits > 0 ? scn->n_visits : 1;
    if ((long)scn->n_patients * visits <= ITP_MAX_PATIENT_VISITS)
        return ITP_OK;
    return itp_rd_fail(rd, itp_member(root, "patients"),
                       "%d patients with %ld scheduled visits each exceed the %ld patient-visits "
                       "a replicate may hold: at most %ld patients with this schedule",
                       scn->n_patients, visits, ITP_MAX_PATIENT_VISITS,
                       ITP_MAX_PATIENT_VISITS / visits);
}
