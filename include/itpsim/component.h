/* Treatment components: the pieces an arm's treatment is made of.
 *
 * An arm is a list of components (a TPO-RA with its titration and taper, a
 * B-cell antibody, a placebo, ...). Each component type is a vtable in a
 * table picked by name from the scenario; a new kind of treatment (steroid
 * pulses, immunosuppressants, FcRn blockers) is a new entry in that table and
 * touches nothing else. Components act on a patient only through the
 * itp_patient_ctx: they add remission mechanisms at the start, set the daily
 * drive of the patient model, react to observed counts and record events. */
#ifndef ITPSIM_COMPONENT_H
#define ITPSIM_COMPONENT_H

#include <math.h>
#include <gsl/gsl_rng.h>
#include "itpsim/cfgread.h"
#include "itpsim/record.h"

#define ITP_MAX_MECHANISMS 4

/* What treatments and events impose on the patient model for one day. */
typedef struct itp_drive {
    double tpo_dose;     /* TPO-RA dose given today, mg (for the record) */
    double tpo_rate;     /* TPO-RA input into the central compartment, mg/L/day */
    double tpo_k;        /* TPO-RA elimination rate constant, 1/day */
    double tpo_slope;    /* production increase per mg/L (= per ug/mL) */
    double kdeg_factor;  /* multiplies platelet destruction (rescue: < 1) */
    double prod_factor;  /* multiplies platelet production (new therapy: > 1) */
} itp_drive;

/* A remission mechanism: the patient is in remission on days
 * [onset, end) of any active mechanism. */
typedef struct itp_mechanism {
    int onset, end;
} itp_mechanism;

/* The patient as the components see it while it is simulated. */
typedef struct itp_patient_ctx {
    itp_patient *pt;          /* the record being written */
    int day;                  /* current day since randomisation */
    int max_day;              /* the protocol's last day of follow-up */
    int recheck_day;          /* earliest unscheduled count check requested */
    int rescue_until;         /* a rescue given before acts until this day
                                 (counts before it are not the treatment's) */
    int n_mech;
    itp_mechanism mech[ITP_MAX_MECHANISMS];
    int last_count_day;       /* day of the latest observed count */
    double last_count;        /* its value */
} itp_patient_ctx;

/* A day beyond any follow-up: the end of what never ends. */
#define ITP_FAR_DAY 1000000000

/* A time in days since randomisation (>= 0; 1e9 or more for never) as the
 * whole day it falls on, at most ITP_FAR_DAY. */
static inline int itp_day_of(double t)
{
    return t >= ITP_FAR_DAY ? ITP_FAR_DAY : (int)floor(t);
}

/* Adds a remission mechanism; returns its index (a component may move its
 * end later, or cancel it with end = onset), or -1 when it is empty
 * (end <= onset) or beyond ITP_MAX_MECHANISMS. */
int itp_ctx_add_mechanism(itp_patient_ctx *ctx, int onset, int end);

typedef struct itp_component_type {
    const char *name;           /* as written in the scenario's `type` */
    const char *description;
    const char *const *keys;    /* settings a component group may hold */
    /* groups of parameters inside the type's defaults group (NULL-terminated,
     * or NULL: none), e.g. the TPO-RA's taper */
    const char *const *subgroups;
    /* Reads the component group g (its defaults come from the defaults
     * file's group named after the type) into a newly allocated params. */
    itp_status (*parse)(itp_reader *rd, const config_setting_t *g,
                        void **params);
    void (*free)(void *params);
    size_t state_size;          /* per-patient state, zeroed before start */
    /* At randomisation: draws from the component's own stream r. */
    void (*start)(const void *params, itp_patient_ctx *ctx, gsl_rng *r,
                  void *state);
    /* Each day, before the model advances: adds to the drive. */
    void (*day)(const void *params, itp_patient_ctx *ctx, void *state,
                itp_drive *drive);
    /* At each observed count (scheduled or not), before the day's drive. */
    void (*observe)(const void *params, itp_patient_ctx *ctx, void *state,
                    double count, int scheduled);
    /* The treatment stops for good on ctx->day (new ITP therapy started
     * and the scenario's new_therapy.stops names this component): no more
     * doses from this day on. May be NULL (nothing to stop). */
    void (*stop)(const void *params, itp_patient_ctx *ctx, void *state);
    /* The first scheduled-visit weeks the component's rules need (for
     * validation against the visit schedule); may be NULL. Writes at most
     * max weeks, returns the count. */
    int (*needs_visits)(const void *params, int *weeks, int max);
    int is_tpo_ra;              /* at most one per arm */
} itp_component_type;

/* Reads `infusion_weeks` (whole or fractional weeks, increasing) of group g
 * into days; for the components given as infusions. */
itp_status itp_read_infusions(itp_reader *rd, const config_setting_t *g,
                              int *days, int max, int *n);

/* The table of component types; NULL-terminated. */
extern const itp_component_type *const itp_component_types[];

/* The type with this name, or NULL. */
const itp_component_type *itp_component_type_find(const char *name);

/* Index of a type in the table (for stream purposes), or -1. */
int itp_component_type_index(const itp_component_type *t);

/* The component types, defined in their own files. */
extern const itp_component_type itp_tpo_ra_type;
extern const itp_component_type itp_bcell_antibody_type;
extern const itp_component_type itp_placebo_type;

#endif
