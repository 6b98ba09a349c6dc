/* Endpoint rules: each turns one patient's record (events and visits) into
 * a time-to-event outcome or a binary outcome. Rules are vtables in a table
 * picked by the scenario's `type`; each endpoint is named in the scenario
 * (section `endpoints`) and hypotheses refer to it by that name.
 *
 *   ttf                   time to treatment failure: first of the enabled
 *                         components (low count after a grace period,
 *                         rescue after a grace period, new therapy,
 *                         inability to taper or stop the TPO-RA, death)
 *   time_to_response      first count >= threshold (k in a row)
 *   stable_response       count >= threshold at >= fraction of the scheduled
 *                         visits of a window, no rescue from rescue_from_week
 *                         (default 0: randomisation) to the window's end and
 *                         no new therapy up to its end
 *   confirmed_response    k consecutive scheduled counts >= threshold
 *                         without rescue within a period
 *   response_at           count >= threshold at the visit of one week
 *   iwg_response          IWG response (>= 30 and doubling) or complete
 *                         response (>= 100): 2 qualifying counts >= 7 days
 *                         apart without a loss between them (2 low counts
 *                         in a row, >= 1 day apart); counts soon after a
 *                         rescue are not evaluable
 *   sustained_remission   off the TPO-RA and >= threshold at every
 *                         scheduled visit of a window, no rescue from
 *                         rescue_from_week (default 0) and no new therapy
 *                         up to its end
 *   taper_started         a TPO-RA taper begun by a week (for `among`)
 * Missing scheduled visits in a binary endpoint's window count as failures
 * (non-responder imputation); a patient whose follow-up stops at the data
 * cut before the endpoint can be judged, alive and not withdrawn, is not
 * evaluable and left out of that endpoint's analysis. */
#ifndef ITPSIM_ENDPOINT_H
#define ITPSIM_ENDPOINT_H

#include "itpsim/cfgread.h"
#include "itpsim/record.h"
#include "itpsim/scenario.h"

typedef enum { ITP_EP_TIME, ITP_EP_BINARY } itp_ep_kind;

/* One patient's outcome on one endpoint. */
typedef struct itp_outcome {
    int included;     /* 0: not evaluable (or not randomised by the cut) */
    int event;        /* time-to-event: 1 event, 0 censored; binary: 0/1 */
    int time;         /* time-to-event: day of the event or of censoring */
    int cause;        /* time-to-event: index into the type's causes, -1 */
} itp_outcome;

struct itp_endpoint_type {
    const char *name;
    itp_ep_kind kind;
    int benefit_lower;          /* default direction: 1 fewer/later events are better */
    const char *const *keys;    /* settings of its group */
    const char *const *causes;  /* time-to-event: cause names; NULL-terminated */
    itp_status (*parse)(itp_reader *rd, const config_setting_t *g,
                        const itp_scenario *scn, void **params);
    /* Judges the patient on information up to study day `limit`. */
    void (*eval)(const void *params, const itp_scenario *scn, const itp_record *rec,
                 const itp_patient *pt, int limit, itp_outcome *out);
    /* A binary rule: the last study day whose information can change the
     * outcome (NULL: any day of the follow-up). A time-to-event rule: the
     * day from which an event seen is final (NULL: at once; information
     * after an event changes nothing). */
    int (*horizon)(const void *params);
    /* The rule in words, one sentence from its parsed settings (for the
     * report, the Kaplan-Meier picture and `itpsim check`), into buf of
     * len bytes (UTF-8: "×10⁹/L"; cut short when it does not fit). */
    void (*describe)(const void *params, const itp_scenario *scn, char *buf, size_t len);
};

/* Is every endpoint's outcome of pt settled by study day `day`, the
 * patient's record being complete up to that day (a binary one past its
 * horizon, a time-to-event one with its event on or before it)? Nothing
 * (and past its horizon) recorded after `day` can then change an outcome,
 * whatever the data cut at or after it: a replicate may stop simulating
 * the patient there. */
int itp_endpoints_settled(const itp_scenario *scn, const itp_record *rec, const itp_patient *pt,
                          int day);

extern const itp_endpoint_type *const itp_endpoint_types[];

/* Endpoint e of scn in words: its type's sentence, and the patients it is
 * judged among when `among` names another endpoint. */
void itp_endpoint_describe(const itp_scenario *scn, int e, char *buf, size_t len);
const itp_endpoint_type *itp_endpoint_type_find(const char *name);

/* Reads the scenario's `endpoints` group into scn->endpoints. */
itp_status itp_endpoints_parse(itp_reader *rd, itp_scenario *scn);

/* Evaluates every endpoint for every patient of rec, up to each patient's
 * study day limit (limit NULL: its follow-up). out is [n_patients *
 * n_endpoints], patient-major. */
void itp_endpoints_eval(const itp_scenario *scn, const itp_record *rec, const int *limit,
                        itp_outcome *out);

#endif
