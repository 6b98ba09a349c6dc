/* What a simulated trial observes of each patient: the per-patient record
 * and the visit record. Produced by the trial module, read by the endpoint
 * rules and the writers. Days count from randomisation (day 0). */
#ifndef ITPSIM_RECORD_H
#define ITPSIM_RECORD_H

#include <stddef.h>

#define ITP_NEVER (-1) /* an event day that did not happen */

typedef struct itp_patient {
    int id;                 /* 0-based enrolment order */
    int arm;                /* index into scenario arms */
    int stratum;            /* combined stratum index, 0..n_strata-1 */
    double enrol_day;       /* calendar day of randomisation, from trial start */
    double baseline;        /* observed count at day 0 (10^9/L); NaN: no counts */
    int followup_days;      /* planned follow-up: data cut or maximum */
    int last_day;           /* last contact: end of follow-up, death or dropout */
    int new_therapy;        /* new ITP therapy started */
    int death, dropout;     /* day of death / of dropout */
    int failure;            /* hazard model only: day of treatment failure */
    int remission_onset;    /* latent: first day in remission (not observed) */
    int remission_end;      /* latent: day the remission ended */
    int n_rescue;           /* rescue episodes */
    int n_bleed;            /* bleeding events (each also triggers rescue) */
    size_t rescue_first;    /* index of the first rescue day in the record */
    size_t visit_first;     /* index of the first visit in the record */
    int n_visits;
    size_t event_first;     /* index of the first logged event in the record */
    int n_events;
} itp_patient;

/* What the treatments did, as logged by the components (itp_ctx_event):
 * the kinds of itp_event. patients.csv and the endpoint rules read them. */
enum {
    ITP_EV_DOSE,             /* dose changed by titration (value: the new dose) */
    ITP_EV_HOLD,             /* dose held for a high count */
    ITP_EV_RESUME,           /* held dose resumed (value: the dose) */
    ITP_EV_STOP_NO_RESPONSE, /* stopped for no response */
    ITP_EV_STOP,             /* stopped for good by new ITP therapy */
    ITP_EV_TAPER_PLAN,       /* day 0: a taper is planned (value: the day it must end) */
    ITP_EV_TAPER_START,      /* first taper step (value: the dose it starts from) */
    ITP_EV_TAPER_STEP,       /* a taper step (value: the new dose) */
    ITP_EV_TAPER_END,        /* off the drug after a completed taper */
    ITP_EV_TAPER_FAIL,       /* taper abandoned: a count too low during it */
    ITP_EV_TAPER_INELIGIBLE, /* taper decision day, not eligible */
    ITP_EV_TAPER_UNABLE,     /* still on the drug (dosed or held) at the taper's end */
    ITP_EV_RESTART,          /* restarted after a relapse off it (value: the dose) */
    ITP_EV_INFUSION,         /* an infusion given (value: its dose) */
    ITP_EV_COURSE,           /* a course started (value: its daily dose) */
    ITP_EV_COURSE_SKIPPED,   /* a repeat course not given (the count high enough) */
    ITP_EV_COURSE_END,       /* a course ended as planned: off the drug from this day */
    ITP_EV_RESCUE,           /* given as rescue (value: its dose, in its unit) */
    ITP_EV_KINDS
};

/* The name of an event kind, as events.csv writes it. */
const char *itp_event_name(int kind);

typedef struct itp_event {
    int day;
    unsigned char kind;      /* ITP_EV_* */
    unsigned char comp;      /* the component's place in the patient's arm */
    float value;
} itp_event;

/* itp_visit.on: a TPO-RA of the arm dosed that day; any treatment of the
 * arm dosed that day (a TPO-RA, a steroid or immunosuppressant course, an
 * infusion on its day; the rescue's treatments are not the arm's). */
#define ITP_ON_TPO_RA 1u
#define ITP_ON_TREATMENT 2u

typedef struct itp_visit {
    int day;          /* day of the count */
    float count;      /* observed platelet count, 10^9/L (rounded) */
    float tpo_dose;   /* the arm's first TPO-RA's dose that day, in its unit */
    unsigned char on;        /* ITP_ON_* flags: treatments dosed that day */
    unsigned char rescue;    /* a rescue started after the previous visit, up to this day */
    unsigned char scheduled; /* 1 scheduled visit, 0 unscheduled check */
    unsigned char new_therapy; /* on new ITP therapy that day */
} itp_visit;

/* One replicate's record. Buffers grow as needed and are reused between
 * replicates (itp_record_reset keeps the memory). */
typedef struct itp_record {
    int n_patients;
    itp_patient *patients;   /* [n_patients] */
    itp_visit *visits;       /* [n_visits], patient by patient, by day */
    size_t n_visits, cap_visits;
    int *rescue_days;        /* [n_rescue_days], patient by patient */
    size_t n_rescue_days, cap_rescue_days;
    itp_event *events;       /* [n_events], patient by patient, by day */
    size_t n_events, cap_events;
    int cap_patients;
    double cut_day;          /* calendar day of the data cut (inf: event-driven) */
} itp_record;

/* Zeroes a record (no memory yet). */
void itp_record_init(itp_record *rec);
/* Makes room for n patients and empties the visits and rescue days,
 * keeping the memory. Returns ITP_ENOMEM when it cannot grow. */
int itp_record_reset(itp_record *rec, int n);
void itp_record_free(itp_record *rec);
/* Append one visit / one rescue day; 0 or ITP_ENOMEM. */
int itp_record_add_visit(itp_record *rec, const itp_visit *v);
int itp_record_add_rescue(itp_record *rec, int day);
int itp_record_add_event(itp_record *rec, const itp_event *e);
/* The day of a patient's first event of a kind (ITP_EV_*) on or after day
 * `from`, or ITP_NEVER. */
int itp_patient_event(const itp_record *rec, const itp_patient *pt, int kind, int from);
/* The day of the first taper completed (off the drug) and not failed
 * after (a failure of the same component), or ITP_NEVER. */
int itp_patient_taper_end(const itp_record *rec, const itp_patient *pt);
/* Marks every event of a patient as not happened, keeping id, arm,
 * stratum, enrolment and follow-up. */
void itp_patient_clear_events(itp_patient *pt);
/* Starts a patient's record at the end of rec: events cleared, no baseline
 * count yet, visits and rescue days from here. Returns 0 when the patient
 * was randomised after the data cut (followup_days < 0: nothing to
 * simulate), 1 otherwise. */
int itp_patient_begin(itp_patient *pt, const itp_record *rec);

#endif
