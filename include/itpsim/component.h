/* Treatment components: the pieces an arm's treatment is made of.
 *
 * An arm is a list of components (a TPO-RA with its titration and taper, a
 * B-cell antibody, a placebo, ...). Each component type is a vtable in a
 * table picked by name from the scenario; a new kind of treatment (steroid
 * pulses, immunosuppressants, FcRn blockers) is a new entry in that table and
 * touches nothing else. Components act on a patient only through the
 * itp_patient_ctx and the drive: they add remission mechanisms (and may
 * move their ends), add their drug's concentration and multiply their
 * factors into the day's drive, react to observed counts and log what they
 * do as events (itp_ctx_event). Each keeps its own per-patient state (its
 * PK, its doses) and draws from its own stream. */
#ifndef ITPSIM_COMPONENT_H
#define ITPSIM_COMPONENT_H

#include <math.h>
#include <stdint.h>
#include <gsl/gsl_rng.h>
#include "itpsim/cfgread.h"
#include "itpsim/record.h"

/* Limits of one arm's patient: the remission mechanisms (the background
 * one and those the components add) and the drug concentrations acting on
 * production. Each component type declares how many of each it adds
 * (itp_component_type.mechanisms, .pk_terms); a scenario whose arm needs
 * more is refused when it is loaded, so nothing is ever dropped. */
#define ITP_MAX_MECHANISMS 8
/* The longest follow-up a scenario may have, in days (about 20 years). */
#define ITP_MAX_FOLLOWUP_DAYS (20 * 366)
#define ITP_MAX_PK_TERMS 4
/* The components of one arm, at most. */
#define ITP_MAX_ARM_COMPONENTS 6
/* The components the rescue rule gives (scenario.h, rescue.treatments),
 * at most; a patient's components are its arm's, then these, in places
 * 0 .. ITP_MAX_PATIENT_COMPONENTS - 1 (itp_patient_ctx.comp, the events'
 * comp). */
#define ITP_MAX_RESCUE_COMPONENTS 3
#define ITP_MAX_PATIENT_COMPONENTS (ITP_MAX_ARM_COMPONENTS + ITP_MAX_RESCUE_COMPONENTS)

/* A drug concentration over one day, from a one-compartment PK with
 * zero-order input: C(t) = c0 e^{-kt} + rate (1 - e^{-kt}) / k for t in
 * [0, 1], acting on platelet production by a factor 1 + slope C(t). The
 * component owns the concentration (c0 is its state); the model's exact
 * day step solves the kinetics under it. */
typedef struct itp_pk_term {
    double c0;      /* concentration at the start of the day, mg/L */
    double rate;    /* input, mg/L/day */
    double k;       /* elimination rate constant, 1/day */
    double slope;   /* production increase per mg/L */
} itp_pk_term;

/* e^{-k 2^j} is kept for j < ITP_PK_LEVELS: a stretch of n < 2^12 days
 * decays by the product over the bits of n, with no exponential. */
#define ITP_PK_LEVELS 12

/* A patient's one-compartment elimination, with the factors of a day and
 * of stretches of days computed once per patient (a component keeps it),
 * not exponentials each day. */
typedef struct itp_pk_day {
    double k, inv_k, ek, one_ek;   /* k, 1/k, e^-k, 1 - e^-k (k > 0) */
    double ek2[ITP_PK_LEVELS];     /* e^{-k 2^j}, by squaring e^-k */
} itp_pk_day;

static inline void itp_pk_day_init(itp_pk_day *p, double k)
{
    p->k = k;
    p->inv_k = k > 0.0 ? 1.0 / k : 0.0;
    p->ek = exp(-k);
    p->one_ek = -expm1(-k);
    p->ek2[0] = p->ek;
    for (int j = 1; j < ITP_PK_LEVELS; j++)
        p->ek2[j] = p->ek2[j - 1] * p->ek2[j - 1];
}

/* e^{-k n} for n days (from the squares for 0 <= n < 2^ITP_PK_LEVELS;
 * exp() otherwise). */
static inline double itp_pk_decay(const itp_pk_day *p, int n)
{
    if (n < 0 || n >= 1 << ITP_PK_LEVELS)
        return exp(-p->k * n);
    double e = 1.0;
    for (int j = 0; n; j++, n >>= 1)
        if (n & 1)
            e *= p->ek2[j];
    return e;
}

/* The concentration at the end of a day that started at c0 with input
 * rate. */
static inline double itp_pk_day_end(const itp_pk_day *p, double c0, double rate)
{
    if (p->k > 0.0)
        return c0 * p->ek + rate * p->inv_k * p->one_ek;
    return c0 + rate;
}

/* The concentration n >= 0 days after c0 under a constant input rate (for
 * n = 1 the same as itp_pk_day_end up to rounding). */
static inline double itp_pk_after(const itp_pk_day *p, double c0, double rate, int n)
{
    if (p->k > 0.0) {
        double cs = rate * p->inv_k;
        return cs + (c0 - cs) * itp_pk_decay(p, n);
    }
    return c0 + rate * n;
}

/* The concentration at the end of the day under term t (the same, its
 * factors computed on the spot). */
static inline double itp_pk_term_end(const itp_pk_term *t)
{
    itp_pk_day p;
    itp_pk_day_init(&p, t->k);
    return itp_pk_day_end(&p, t->c0, t->rate);
}

/* What treatments and events impose on the patient model from one day on
 * (until the next event: see itp_patient_ctx.wake).
 * Every component adds to it or multiplies into it, never assigns, so that
 * an arm may hold several treatments at once (itp_drive_none, then each
 * component's day hook, then the events). */
typedef struct itp_drive {
    int n_pk;
    itp_pk_term pk[ITP_MAX_PK_TERMS]; /* production times 1 + sum of slope C(t) */
    double kdeg_factor;  /* multiplies platelet destruction (rescue, steroid: < 1) */
    double prod_factor;  /* multiplies platelet production (new therapy: > 1) */
    /* Platelets added to the circulation at the start of the day the drive
     * is made for, 10^9/L (a transfusion), once: the model adds them to P
     * before it advances and the days after get none. The kinetics are
     * linear in P, so the stretch from the raised P is as exact as any,
     * and the added platelets are destroyed as the patient's own. */
    double bolus;
} itp_drive;

/* Empties d: no concentration, factors 1, no bolus (the unused terms
 * untouched). */
static inline void itp_drive_reset(itp_drive *d)
{
    d->n_pk = 0;
    d->kdeg_factor = 1.0;
    d->prod_factor = 1.0;
    d->bolus = 0.0;
}

/* An empty drive, as a value. */
static inline itp_drive itp_drive_none(void)
{
    itp_drive d = {0};
    itp_drive_reset(&d);
    return d;
}

/* Adds a concentration acting on production. The limit is checked when
 * the scenario is loaded (the types' pk_terms), so it always fits. */
static inline void itp_drive_add_pk(itp_drive *d, const itp_pk_term *t)
{
    if (d->n_pk < ITP_MAX_PK_TERMS)
        d->pk[d->n_pk++] = *t;
}

/* A remission mechanism: the patient is in remission on days
 * [onset, end) of any active mechanism. */
typedef struct itp_mechanism {
    int onset, end;
} itp_mechanism;

/* The patient as the components see it while it is simulated. */
typedef struct itp_patient_ctx {
    itp_patient *pt;          /* the record being written */
    itp_record *rec;          /* its replicate's record (the event log) */
    int comp;                 /* the component being called (its place in the arm;
                                 the rescue's follow the arm's) */
    int status;               /* ITP_ENOMEM once an event could not be logged */
    int day;                  /* current day since randomisation */
    /* The next day the called component's day hook must run: set to
     * day + 1 before each call; a hook whose drive stays as it is until a
     * later day (no dose change, infusion or taper step before it, and its
     * concentrations following their input) sets that day, and the model
     * may then advance to it in one step. Every event (a visit, a rescue,
     * a bleed, a remission's onset or end, new therapy) calls the hooks
     * again whatever they set. */
    int wake;
    int max_day;              /* the protocol's last day of follow-up */
    int recheck_day;          /* earliest unscheduled count check requested
                                 (INT_MAX: none); itp_ctx_recheck keeps it */
    int recheck[ITP_MAX_PATIENT_COMPONENTS]; /* each component's own request (0: none) */
    int rescue_until;         /* a rescue given before acts until this day
                                 (counts before it are not the treatment's) */
    int n_mech;
    itp_mechanism mech[ITP_MAX_MECHANISMS];
    int last_count_day;       /* day of the latest observed count */
    double last_count;        /* its value */
    /* The population's propensity to remit on treatment: the log of the
     * odds ratio by which it multiplies the odds of every treatment's
     * remission (platelet.remission_odds; 0, the reference population of
     * pretreated adults, changes nothing). */
    double remission_log_odds;
} itp_patient_ctx;

/* A treatment's remission probability p in the patient's population: its
 * odds times the population's odds ratio (p itself in the reference
 * population, and 0 and 1 stay as they are). */
static inline double itp_ctx_remission_prob(const itp_patient_ctx *ctx, double p)
{
    if (ctx->remission_log_odds == 0.0 || !(p > 0.0 && p < 1.0))
        return p;
    double o = p / (1.0 - p) * exp(ctx->remission_log_odds);
    return o / (1.0 + o);
}

/* The calling component asks for an unscheduled count on `day` (> today),
 * in place of its earlier request; the count is taken on the earliest
 * day any component asks for (two TPO-RAs of an arm do not move each
 * other's). */
void itp_ctx_recheck(itp_patient_ctx *ctx, int day);

/* A count was taken on `day`: the requests up to it are met. */
void itp_ctx_recheck_done(itp_patient_ctx *ctx, int day);

/* Logs an event of the calling component today (record.h's ITP_EV_*). */
void itp_ctx_event(itp_patient_ctx *ctx, int kind, double value);

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
 * (end <= onset). The types' `mechanisms` bound the count (checked when
 * the scenario is loaded). */
int itp_ctx_add_mechanism(itp_patient_ctx *ctx, int onset, int end);

typedef struct itp_component_type {
    const char *name;           /* as written in the scenario's `type` */
    const char *description;
    const char *const *keys;    /* settings a component group may hold
                                   (besides "drug", for a type with drugs,
                                   and the drug's parameters) */
    /* Drugs: a type with drugs (default_drug not NULL) keeps each drug's
     * parameters in its own group of the defaults file, TYPE.DRUG (e.g.
     * tpo_ra.eltrombopag), which a component picks with `drug` (default
     * default_drug); a drug the defaults file does not have may be given
     * whole in the scenario's own TYPE.DRUG group. A type without drugs
     * (NULL) keeps its parameters in the group TYPE. */
    const char *default_drug;
    /* groups of parameters inside a drug's defaults group (NULL-terminated,
     * or NULL: none), e.g. the TPO-RA's taper */
    const char *const *subgroups;
    /* Reads the component group g into a newly allocated params; its
     * defaults are at defpath (TYPE.DRUG, or TYPE for a type without
     * drugs). */
    itp_status (*parse)(itp_reader *rd, const config_setting_t *g,
                        const char *defpath, void **params);
    void (*free)(void *params);
    size_t state_size;          /* per-patient state, zeroed before start */
    int mechanisms;             /* remission mechanisms it adds, at most */
    int pk_terms;               /* concentrations it adds to a day's drive, at most */
    /* At randomisation: draws from the component's own stream r. */
    void (*start)(const void *params, itp_patient_ctx *ctx, gsl_rng *r,
                  void *state);
    /* On day 0, on each event day and on the day ctx->wake it set last,
     * before the model advances: adds to the drive that holds until the
     * next such day (may be NULL: no effect). Returns the dose given today
     * in the component's unit (0 when none). A concentration's c0 is its
     * value at the start of ctx->day: a hook not called every day brings
     * it forward over the days since its last call (itp_pk_after). */
    double (*day)(const void *params, itp_patient_ctx *ctx, void *state,
                  itp_drive *drive);
    /* At each observed count (scheduled or not), before the day's drive
     * (may be NULL). */
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
    /* The last study day on which its schedule starts something in an
     * arm (an infusion, a course, a taper, the drug's start), and in
     * *setting the setting that schedules it, a path inside the component
     * group (e.g. "taper.start_week"): checked against the end of
     * follow-up. -1 when nothing is scheduled by day; may be NULL. */
    int (*last_scheduled)(const void *params, const char **setting);
    /* A taper on fixed days (not started by response): its first step's
     * day in *start and its planned end in *end, returning 1; 0 when the
     * component has none. Endpoint windows anchored to the taper read it
     * (endpoint `anchor`). May be NULL (no taper). */
    int (*taper_days)(const void *params, int *start, int *end);
    /* The component's exposure, the quantity its dose-response is in
     * (a B-cell antibody: the total mg/kg over the infusions; an FcRn
     * blocker: mg/kg per infusion), in *value with its unit in *unit,
     * returning 1; 0 when it has none. The scenario compares it with the
     * exposures the fitted trials gave (`fitted_exposures`) and flags one
     * outside them. May be NULL. */
    int (*exposure)(const void *params, double *value, const char **unit);
    /* A thrombopoietin-receptor agonist: its daily dose is the visits'
     * tpo_dose (the first such component of an arm), which the endpoint
     * rules "off TPO-RA" read. */
    int is_tpo_ra;
    /* Given as rescue (NULL: the type cannot be; a scenario naming one in
     * rescue.treatments is refused): the rescue rule fired on ctx->day.
     * Sets the state up for this rescue (the state is zeroed before the
     * patient's first one; a later rescue finds it as the last left it)
     * and logs ITP_EV_RESCUE with what it gives. u is the rescue's
     * uniform, drawn from the events stream when the rule fires (one per
     * rescue, whatever is given; a response drawn from it is shared by
     * the rescue's components), r the component's own stream. Returns the
     * first day it no longer acts (> ctx->day): no new rescue before the
     * last of the rescue's components ends (ctx->rescue_until). A
     * component given as rescue has its day hook called from its first
     * rescue on, at every event and the wake it sets, after the arm's
     * components and the day's bleeds; start, observe and stop are never
     * called (new therapy does not stop a rescue). */
    int (*rescue)(const void *params, itp_patient_ctx *ctx, gsl_rng *r, void *state, double u);
    /* Given only as rescue: refused in an arm's treatments. */
    int rescue_only;
    /* The unit of the dose the day hook returns, for labels ("mg/day",
     * "\u00b5g/kg/week", "mg/kg" per infusion); NULL, or NULL returned:
     * no dose (a placebo). */
    const char *(*dose_unit)(const void *params);
} itp_component_type;

/* A schedule of infusions (or injections) on set days, for the components
 * given so. */
#define ITP_MAX_INFUSIONS 52
typedef struct itp_infusions {
    int n;
    int day[ITP_MAX_INFUSIONS];
} itp_infusions;

/* Reads `infusion_weeks` (whole or fractional weeks, increasing, on
 * different days) of group g. */
itp_status itp_read_infusions(itp_reader *rd, const config_setting_t *g, itp_infusions *inf);

/* The infusion due today, if any and not stopped: given (logged as
 * ITP_EV_INFUSION with value dose) and *next moved on; returns 1 when
 * given. Sets ctx->wake to the next infusion's day (ITP_FAR_DAY: none left,
 * or stopped). */
int itp_infusion_today(const itp_infusions *inf, int *next, int stopped, double dose,
                       itp_patient_ctx *ctx);

/* The last infusion's day (-1: none), its setting "infusion_weeks". */
int itp_infusions_last(const itp_infusions *inf, const char **setting);

/* The keys of a component given as infusions of a dose in mg/kg. */
extern const char *const itp_infusion_keys[];
/* The same, the dose written in any of the forms of itp_read_dose. */
extern const char *const itp_dosed_infusion_keys[];

/* A dose written as one of dose_mg (flat), dose_mg_kg (per body weight)
 * or dose_mg_m2 (per body surface area) in group g, as mg (per_kg 0) or
 * as mg/kg (per_kg 1), converted by the drug's weight_kg and bsa_m2 (read
 * from d only when a conversion needs them). With none written, the
 * drug's own dose_mg (or dose_mg_kg) from d. Two of them are refused. */
itp_status itp_read_dose(itp_reader *rd, const config_setting_t *g, const char *d, int per_kg,
                         double *dose);

/* The defaults group whose parameter names a group of `drug` (of type t,
 * with drugs) may hold: TYPE.DRUG when the defaults file has it, else the
 * type's default drug's (a drug given whole in the scenario has the same
 * settings). */
void itp_drug_params_path(const itp_reader *rd, const itp_component_type *t, const char *drug,
                          char *buf, size_t len);

/* The table of component types; NULL-terminated. */
extern const itp_component_type *const itp_component_types[];

/* The type with this name, or NULL. */
const itp_component_type *itp_component_type_find(const char *name);

/* The key of a component's random stream: a hash of its type's name and
 * its place among the arm's components of that type (0 for the first), so
 * that a patient's draws for a drug are the same in every arm that gives
 * it in the same place among its kind (common random numbers: the only
 * B-cell antibody of each arm, say), two of a kind in one arm differ, and
 * adding a type to the table changes no existing stream. A rescue
 * component's occurrence is ITP_MAX_ARM_COMPONENTS plus its place among
 * the rescue's components of its type: apart from every arm's, and the
 * same in every arm. */
uint64_t itp_component_stream_key(const itp_component_type *t, int occurrence);

/* The component types, defined in their own files. */
extern const itp_component_type itp_tpo_ra_type;
extern const itp_component_type itp_bcell_antibody_type;
extern const itp_component_type itp_immunosuppressant_type;
extern const itp_component_type itp_fcrn_blocker_type;
extern const itp_component_type itp_placebo_type;
extern const itp_component_type itp_corticosteroid_type;
extern const itp_component_type itp_sialidase_inhibitor_type;
extern const itp_component_type itp_ivig_type;
extern const itp_component_type itp_platelet_transfusion_type;

#endif
