/* A trial scenario: the design and the model, validated and immutable.
 *
 * itp_scenario_load_sections reads a libconfig scenario file together with
 * the defaults file (config/defaults.cfg): the design (the scenario's own
 * settings: arms, components, allocation, strata, enrolment, follow-up,
 * visits, events), then the sections it is given, which the modules above
 * the scenario read (the patient model's settings, the endpoints, the
 * analysis plan: itp_scenario_load in trial.h gives them; a tool such as
 * the calibrator adds its own). Every value is checked, and the plain
 * structs below are built. After loading, nothing changes them: threads
 * share one scenario read-only. Times are in days unless a name says
 * otherwise; a month is 365.25/12 days. */
#ifndef ITPSIM_SCENARIO_H
#define ITPSIM_SCENARIO_H

#include <math.h>
#include <stdio.h>
#include "itpsim/component.h"
#include "itpsim/error.h"
#include "itpsim/units.h"

#define ITP_NAME_MAX 64
#define ITP_MAX_ARMS 8
#define ITP_MAX_COMPONENTS 16
#define ITP_MAX_FACTORS 3
#define ITP_MAX_LEVELS 6
#define ITP_MAX_STRATA 64
#define ITP_MAX_SEGMENTS 16
#define ITP_MAX_VISITS 2000
#define ITP_MAX_PIECES 16
#define ITP_MAX_PATIENTS 100000
/* Patients times scheduled visits of one replicate: each thread holds a
 * replicate's visit records (16 bytes each, plus unscheduled checks), so
 * this keeps a thread's record near 320 MB at most. */
#define ITP_MAX_PATIENT_VISITS 20000000L

/* A time in months as a whole study day, rounded down as followup.max_months
 * is: every time in the record is a whole day, so "12 months" is day 365
 * both as the end of follow-up and as a Kaplan-Meier landmark. */
static inline double itp_months_to_day(double months)
{
    return floor(months * ITP_DAYS_PER_MONTH + 1e-9);
}

#define ITP_MAX_ENDPOINTS 16
#define ITP_MAX_HYPOTHESES 16

#define ITP_MAX_SECTIONS 8

typedef struct itp_model_type itp_model_type;
typedef struct itp_endpoint_type itp_endpoint_type;
typedef struct itp_test_type itp_test_type;
typedef struct itp_scenario itp_scenario;
struct itp_mult_procedure;

/* A named endpoint: a rule over a patient's record (endpoint.h). */
typedef struct itp_endpoint {
    char name[ITP_NAME_MAX];
    const itp_endpoint_type *type;
    void *params;                       /* owned; type->free releases it */
    int among;                          /* judged only among the patients who met
                                           this (earlier, binary) endpoint; -1 all */
} itp_endpoint;

/* One hypothesis of the analysis plan (analysis.h). */
typedef struct itp_hypothesis {
    char name[ITP_NAME_MAX];
    char test[32];                      /* as named in the scenario */
    const itp_test_type *type;          /* the test (analysis.h's table) */
    void *params;                       /* the test's own settings (e.g. the
                                           binomial test's p0), or NULL; owned,
                                           released by free() */
    int endpoint;                       /* index into endpoints */
    int arm;                            /* experimental arm */
    int control;                        /* control arm; -1 for a single-arm test */
    int two_sided;
    int benefit_lower;                  /* benefit is a lower hazard / rate */
    double true_hr;                     /* hazard model: the design's hazard ratio
                                           when it is constant, else NaN */
} itp_hypothesis;

/* Interim analyses of a group-sequential design (analysis.interims; see
 * src/analysis/interims.c): n interims then the final analysis. */
#define ITP_MAX_INTERIMS 4
typedef struct itp_interims {
    int n;                              /* interim analyses; 0: none */
    int by_months;                      /* at calendar months instead of information */
    double at[ITP_MAX_INTERIMS];        /* information fractions in (0, 1), or months */
    int endpoint;                       /* the endpoint whose information times them */
    double max_info;                    /* planned information at the final analysis:
                                           events (time-to-event) or patients (binary) */
    int spending;                       /* efficacy: itp_spend_kind (gsdesign.h) */
    double spend_param;                 /* Hwang-Shih-DeCani gamma, Kim-DeMets rho */
    int n_spent;
    double spent[ITP_MAX_INTERIMS];     /* user: cumulative share of alpha at each interim */
    double futility_z[ITP_MAX_INTERIMS];/* non-binding: stop when z < this (-inf: none) */
    double futility_cp;                 /* or when conditional power < this (0: none) */
    int stop_on;                        /* the hypothesis whose result stops the trial */
} itp_interims;

typedef struct itp_analysis_plan {
    int n_hyp;
    itp_hypothesis hyp[ITP_MAX_HYPOTHESES];
    double alpha;                       /* overall, one-sided unless two_sided */
    const struct itp_mult_procedure *mult;
    double weights[ITP_MAX_HYPOTHESES];
    double transition[ITP_MAX_HYPOTHESES * ITP_MAX_HYPOTHESES];
    size_t order[ITP_MAX_HYPOTHESES];
    int stratified;                     /* stratified tests use the strata */
    int ties_breslow;                   /* Cox ties: 0 Efron, 1 Breslow */
    double conf_level;
    double landmark_months;             /* analysis.landmark_months, as given */
    double landmark_days;               /* ... as a study day (itp_months_to_day):
                                           Kaplan-Meier survival reported there */
    itp_interims interims;
} itp_analysis_plan;

typedef struct itp_component {
    char name[ITP_NAME_MAX];
    const itp_component_type *type;
    char drug[ITP_NAME_MAX];            /* the drug, for a type with drugs ("" else) */
    void *params;                       /* owned; type->free releases it */
} itp_component;

typedef struct itp_arm {
    char name[ITP_NAME_MAX];
    double ratio;                       /* allocation weight, > 0 */
    int n_components;
    int component[ITP_MAX_ARM_COMPONENTS]; /* indices into components */
    /* hazard model: treatment-failure hazard per piece, 1/month */
    int n_hazard;
    double hazard_per_month[ITP_MAX_PIECES];
} itp_arm;

/* A stratification factor: levels either drawn with probabilities or cut
 * from a baseline covariate ("baseline_count") at thresholds. */
typedef struct itp_factor {
    char name[ITP_NAME_MAX];
    int n_levels;
    double prob[ITP_MAX_LEVELS];        /* random factor; sums to 1 */
    int by_baseline_count;              /* 1: levels cut from the count */
    double cuts[ITP_MAX_LEVELS - 1];    /* ascending; level = #cuts <= value */
} itp_factor;

typedef enum { ITP_ALLOC_SIMPLE, ITP_ALLOC_BLOCKS } itp_alloc_method;

typedef enum {
    ITP_CUT_AFTER_LAST,   /* months after the last patient is randomised */
    ITP_CUT_AFTER_FIRST,  /* months after the first patient is randomised */
    ITP_CUT_EVENTS        /* when a number of events of an endpoint occurred */
} itp_cut_kind;

/* What starts a rescue (bit set). */
enum { ITP_RESCUE_COUNT = 1, ITP_RESCUE_BLEED = 2 };

/* A rescue gives the components named in rescue.treatments (types with a
 * rescue hook, in no arm's treatments), or, when it names none, a
 * built-in IVIG component with the defaults file's ivig parameters (named
 * ITP_DEFAULT_RESCUE, which no scenario can name). No new rescue until
 * the last of them has stopped acting. */
#define ITP_DEFAULT_RESCUE "ivig (default rescue)"

typedef struct itp_rescue_rule {
    int trigger;             /* ITP_RESCUE_*: a low count, a bleed */
    double below;            /* the low-count threshold, 10^9/L */
    double bleed_below;      /* a bleed is rescued when the latest count is below */
    int from_day;            /* the count rule applies from this day on */
    int n_treatments;        /* the components given, 1 .. ITP_MAX_RESCUE_COMPONENTS */
    int treatment[ITP_MAX_RESCUE_COMPONENTS]; /* indices into components */
    double bleed_max_per_day;/* bleeding hazard at a count of 0, 1/day */
    double bleed_count50;    /* count halving the bleeding hazard, 10^9/L */
    double bleed_hill;       /* steepness of the bleeding hazard */
} itp_rescue_rule;

typedef struct itp_new_therapy_rule {
    int from_day;            /* the rule applies from this day on */
    double below;            /* counts below this ... */
    int consecutive;         /* ... at this many scheduled visits in a row */
    double prob;             /* then new therapy starts with this chance */
    double prod_factor;      /* its effect on production from then on */
    unsigned stops;          /* bit c: component c stops when it starts */
} itp_new_therapy_rule;

/* A section of the scenario file that a module above the scenario reads
 * (the patient model's settings, the endpoints, the analysis plan, a
 * tool's own section). Sections are read in the order given, after the
 * design; each may use what the design and the sections before it read. */
typedef struct itp_scenario_section {
    const char *name;                   /* what it reads: "model", "endpoints", ... */
    /* The top-level settings it owns, into keys[0 .. max-1]; returns how
     * many. Its keys are allowed at the top level of the file. NULL: its
     * one key is its name (a group "endpoints", "analysis", ...). */
    size_t (*keys)(const char **keys, size_t max);
    /* Reads and checks its settings, into scn or into ctx; NULL: the keys
     * are accepted and not read (a tool's section other loads leave alone). */
    itp_status (*parse)(itp_reader *rd, itp_scenario *scn, void *ctx);
    /* Releases what parse put into scn, also after parse failed part way;
     * NULL when it allocates nothing in scn. */
    void (*free)(itp_scenario *scn, void *ctx);
    void *ctx;                          /* given to parse and free; a section
                                           with a free keeps it until
                                           itp_scenario_free */
} itp_scenario_section;

struct itp_scenario {
    char file[512];
    char name[ITP_NAME_MAX];
    char description[256];
    char population[ITP_NAME_MAX];      /* the population named ("" none): its
                                           parameters' values (cfgread.h) */

    /* design */
    int n_patients;
    int n_arms;
    itp_arm arms[ITP_MAX_ARMS];
    int control_arm;                    /* index of the control arm */
    itp_alloc_method alloc;
    int block_size;                     /* permuted blocks: multiple of the ratio sum */
    int n_factors;
    itp_factor factors[ITP_MAX_FACTORS];
    int n_strata;                       /* product of the factors' levels */

    /* enrolment: piecewise-constant Poisson rates, or uniform over a duration */
    double enrol_duration_days;         /* > 0: uniform over this duration */
    int n_rate_pieces;
    double rate_from_day[ITP_MAX_PIECES];   /* ascending, first 0 */
    double rate_per_day[ITP_MAX_PIECES];

    /* follow-up and data cut */
    int max_followup_days;
    itp_cut_kind cut_kind;
    double cut_days;                    /* delay of the cut after the anchor */
    int cut_events;                     /* ITP_CUT_EVENTS: events that trigger it */
    int cut_endpoint;                   /* ... of this time-to-event endpoint */

    /* visits: scheduled days since randomisation, ascending */
    int n_visits;
    int visit_day[ITP_MAX_VISITS];

    /* treatments (one more than a scenario may name: the default rescue) */
    int n_components;
    itp_component components[ITP_MAX_COMPONENTS + 1];

    /* events */
    double death_per_day;
    double dropout_per_day;
    itp_rescue_rule rescue;
    itp_new_therapy_rule new_therapy;

    /* endpoints and the analysis plan (n_endpoints 0 / plan.n_hyp 0: none) */
    int n_endpoints;
    itp_endpoint endpoints[ITP_MAX_ENDPOINTS];
    itp_analysis_plan plan;

    /* the patient model: named by the design, read by its section */
    char model_name[32];                /* the `model` setting */
    const itp_model_type *model;
    void *model_params;                 /* owned; model->free releases it */

    /* the sections read with a free, which itp_scenario_free calls */
    int n_sections;
    itp_scenario_section sections[ITP_MAX_SECTIONS];

    /* the arm components whose exposure lies outside the exposures the
       fit saw (fitted_exposures), "NAME x UNIT (fitted lo-hi)" joined by
       "; " ("" none): answers there are extrapolated */
    char extrapolated[512];

    int is_null;                        /* built by itp_scenario_null */
    int borrowed;                       /* params belong to another scenario */
};

/* Loads and validates the design and then, in order, the n_sections
 * sections (at most ITP_MAX_SECTIONS). The top-level settings allowed are
 * the design's, the sections' keys and the groups named after a component
 * type. On failure *out is NULL and err holds one message naming the file,
 * line and setting; the status is ITP_EINPUT (bad input) or ITP_ENOMEM.
 * overrides: n "PATH=VALUE" settings applied first. When resolved is not
 * NULL, every resolved setting is printed to it. */
itp_status itp_scenario_load_sections(itp_scenario **out, const char *file,
                                      const char *defaults_file,
                                      const char *const *overrides, int n_overrides,
                                      const itp_scenario_section *sections, int n_sections,
                                      FILE *resolved, char *err, size_t errlen);
/* Frees the components and, through their free, the sections read. */
void itp_scenario_free(itp_scenario *scn);

/* The null version of a design: every study arm is given the control arm's
 * treatments (platelet model) or hazards (hazard model). It shares the
 * parameters of src, which must outlive it; free it with
 * itp_scenario_free. */
itp_status itp_scenario_null(const itp_scenario *src, itp_scenario **out);
/* A partial null version: the arms in null_arms (bit a: arm a) get the
 * control's treatments or hazards, the others keep theirs; the hypotheses
 * of those arms are true nulls (their true hazard ratio 1). A single-arm
 * hypothesis stays as it is (only the full null version draws its
 * responses at p0). Borrows src's parameters as itp_scenario_null does. */
itp_status itp_scenario_partial_null(const itp_scenario *src, unsigned null_arms,
                                     itp_scenario **out);

/* Index of the arm with this name, or -1. */
int itp_scenario_arm(const itp_scenario *scn, const char *name);

/* Index of the endpoint with this name, or -1. */
int itp_scenario_endpoint(const itp_scenario *scn, const char *name);

/* Index of the hypothesis of the analysis plan with this name, or -1. */
int itp_scenario_hypothesis(const itp_scenario *scn, const char *name);

/* Index of the treatment component with this name, or -1. */
int itp_scenario_component(const itp_scenario *scn, const char *name);

/* Index of the first arm that gives component c as a treatment (not as
 * rescue), or -1. */
int itp_scenario_arm_giving(const itp_scenario *scn, int c);

/* The component at place c of a patient of arm `arm` (the arm's
 * components, then the rescue's), as an index into components. */
static inline int itp_scenario_place(const itp_scenario *scn, const itp_arm *arm, int c)
{
    return c < arm->n_components ? arm->component[c]
                                 : scn->rescue.treatment[c - arm->n_components];
}

/* Is `day` a scheduled visit day? */
int itp_scenario_is_visit(const itp_scenario *scn, int day);

#endif
