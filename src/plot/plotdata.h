/* The data behind the pictures (plotdata.c), shared with plot.c only. */
#ifndef ITPSIM_PLOTDATA_H
#define ITPSIM_PLOTDATA_H

#include <stdio.h>
#include "itpsim/endpoint.h"
#include "itpsim/plot.h"

/* The statuses of status.csv (plotstatus.c), in its column order. */
#define PLOT_STATUS 5
/* Analyses of a group-sequential design, at most. */
#define PLOT_MAX_STAGES (ITP_MAX_INTERIMS + 1)

#define PLOT_MAX_SERIES 64

/* What the data step wrote, for the scripts and the report. */
typedef struct plot_info {
    int n_arms;
    char arm[ITP_MAX_ARMS][ITP_NAME_MAX];
    int reps_km;              /* replicates behind km.csv (0: no KM) */
    char km_endpoint[ITP_NAME_MAX];
    char km_type[ITP_NAME_MAX];             /* its type (endpoint.h) */
    char km_desc[512];                      /* its rule in words ("" none) */
    double km_max_month;
    int km_tick;              /* months between ticks and numbers at risk */
    int has_published;        /* km_published.csv has rows */
    int reps_traj;            /* replicates behind trajectories.csv (0: none) */
    int traj_patients;        /* patients per replicate used */
    int has_taper[ITP_MAX_ARMS];
    double taper_lo[ITP_MAX_ARMS], taper_hi[ITP_MAX_ARMS]; /* weeks */
    double max_dose;          /* largest median dose (0: no TPO-RA) */
    char dose_label[ITP_MAX_ARMS][128];     /* the dose axis: "eltrombopag dose (mg/day)" */
    char dose_key[ITP_MAX_ARMS][192];       /* its line's title ("" no TPO-RA) */
    int has_status;           /* status.csv written */
    int reps_status;          /* replicates behind it */
    double max_week;
    int n_hyp;                /* hypotheses in estimates.csv / pvalues.csv */
    char hyp[ITP_MAX_HYPOTHESES][ITP_NAME_MAX];
    int hyp_log[ITP_MAX_HYPOTHESES];    /* estimate is a hazard ratio: log axis */
    char hyp_what[ITP_MAX_HYPOTHESES][32];
    double hyp_none[ITP_MAX_HYPOTHESES];  /* the estimate of no effect (NaN: none drawn) */
    double hyp_alpha[ITP_MAX_HYPOTHESES]; /* the alpha it starts with (NaN: none drawn) */
    int hyp_arm[ITP_MAX_HYPOTHESES];    /* its arm (its colour; -1 unknown) */
    double hyp_assumed[ITP_MAX_HYPOTHESES]; /* the effect drawn (NaN: none) */
    int hyp_assumed_sim[ITP_MAX_HYPOTHESES]; /* 1: the median estimate, not an assumption */
    int has_null;
    int n_series;             /* power.csv (0: none) */
    char series[PLOT_MAX_SERIES][160];
    char power_x[160];        /* the varied setting */
    char power_source[32];    /* "sweep.csv" or "samplesize.csv" */
    int grid;                 /* 1 a sweep folder, 2 a sample size search's (0: neither) */
    int n_fwer;               /* type1.csv's family-wise error series (index 64 + j) */
    char fwer_series[PLOT_MAX_SERIES][160];
    int has_type1;            /* type1.csv has rows */
    double target_power;      /* the target (NaN: none given; 0.8 and 0.9 drawn light) */
    double alpha;             /* the scenario's alpha (NaN: unknown) */
    double chosen_x;          /* the size the search chose (NaN: none) */
    int has_fit;              /* power_fit.csv: the fit of fit_hyp (series fit_series) */
    char fit_hyp[ITP_NAME_MAX];
    int fit_series;
    double fit_n, fit_lo, fit_hi;
    int n_stages;             /* gs_boundaries.csv's analyses (0: none) */
    int gs_futility, gs_null; /* a futility bound; null rows */
    int gs_arm;               /* the arm of the hypothesis that stops the trial (-1) */
    char gs_hyp[ITP_NAME_MAX];
    int assur_sets;           /* assurance.csv's parameter sets (0: none) */
    char assur_hyp[ITP_NAME_MAX];            /* the hypothesis drawn */
    int n_assur_par;                         /* parameters drawn (at most 3) */
    char assur_par[3][160];                  /* the most influential */
    double assur_rho[3];                     /* their Spearman correlation with the power */
    double assur_mean;                       /* the assurance: the mean power over the sets */
    double assur_fixed;                      /* the power at the fixed parameters (NaN: not
                                                in assurance.json) */
} plot_info;

/* km.csv, km_published.csv, trajectories.csv, taper.csv,
 * trajectory_patients.csv in pdir from re-simulated replicates. */
itp_status plotdata_simulate(const char *pdir, const itp_scenario *scn, const itp_plot_opts *o,
                             plot_info *info, char *err, size_t errlen);
/* ---- status over time and dose labels (plotstatus.c) ---- */
extern const char *const plot_status_name[PLOT_STATUS];
/* The first endpoint of type ttf, or -1. */
int plot_ttf_endpoint(const itp_scenario *scn);
/* Adds one replicate's patients to tally [n_arms * n_visits * PLOT_STATUS]:
 * at each scheduled visit day within the patient's information (limit[i],
 * NULL: the follow-up) the patient's status. out: the endpoints' outcomes
 * (NULL: none evaluated, no failure). */
void plot_status_tally(const itp_scenario *scn, const itp_record *rec, const itp_outcome *out,
                       const int *limit, int *tally);
/* status.csv from the tallies summed over the replicates. */
itp_status plot_write_status(const char *pdir, const itp_scenario *scn, const long *sum,
                             plot_info *info, char *err, size_t errlen);
/* info->dose_label and dose_key per arm: the arm's first TPO-RA, its drug
 * and unit, and whether the arm doses other drugs. */
void plot_dose_labels(const itp_scenario *scn, plot_info *info);

/* estimates.csv and pvalues.csv from dir/replicates.csv (none: nothing). */
itp_status plotdata_replicates(const char *dir, const char *pdir, const itp_scenario *scn,
                               plot_info *info, char *err, size_t errlen);
/* gs_boundaries.csv from dir/stages.csv (none: nothing) and the
 * scenario's futility bounds (scn NULL: none known); plotgs.c. */
itp_status plotdata_stages(const char *dir, const char *pdir, const itp_scenario *scn,
                           plot_info *info, char *err, size_t errlen);
/* power.csv and type1.csv from dir/sweep.csv or dir/samplesize.csv (none:
 * nothing), the target and alpha from its JSON file, a search's
 * power_fit.csv copied (plotgrid.c). */
itp_status plotdata_power(const char *dir, const char *pdir, plot_info *info, char *err,
                          size_t errlen);

/* assurance.csv in pdir from dir/assurance.csv (none: nothing): per
 * parameter set the first hypothesis's power and the values of the three
 * parameters most correlated with it (Spearman). */
itp_status plotdata_assurance(const char *dir, const char *pdir, plot_info *info, char *err,
                              size_t errlen);

/* The whole of a file, NUL-terminated, in *out (free it); *len its size.
 * ITP_EIO when it cannot be read (errno kept). */
itp_status plot_read_file(const char *path, char **out, size_t *len);

/* Helpers shared by the plot data files (plotio.c). */
/* qsort comparison of doubles, ascending. */
int plot_cmp_double(const void *a, const void *b);
/* Splits a CSV line in place at commas (a field in double quotes keeps its
 * commas, unquoted); the number of fields (at most max). */
int plot_split_csv(char *line, char **field, int max);
/* The next line of a buffer (NUL-terminated in place), or NULL at the end. */
char *plot_next_line(char **pos);
/* A number of a CSV field; NaN for "NA" or an empty field. */
double plot_parse_num(const char *s);
/* The first time-to-event endpoint of a scenario, or -1. */
int plot_first_time_endpoint(const itp_scenario *scn);

/* The body of a picture's gnuplot script (plot.c, plotbody.c). */
typedef void (*gp_body_fn)(FILE *f, const plot_info *in);
/* s as a gnuplot single-quoted string (a quote doubled, control
 * characters dropped). */
void plot_gp_str(FILE *f, const char *s);
/* Trajectories and status per arm; group-sequential boundaries (plotbody.c). */
void plot_body_traj(FILE *f, const plot_info *in);
void plot_body_gs(FILE *f, const plot_info *in);

/* The power picture's reference lines: the target power (or light lines at
 * 0.8 and 0.9 when none was given) and, with_chosen, the size the search
 * chose (plotgrid.c). */
void plot_power_refs(FILE *f, const plot_info *in, int with_chosen);
/* The pictures type1 and power_fit (plotgrid.c). */
void body_type1(FILE *f, const plot_info *in);
void body_fit(FILE *f, const plot_info *in);

/* One picture. */
typedef struct picture {
    const char *name;        /* base name: NAME.png, NAME.svg, NAME.gp */
    const char *csv;         /* the data behind it */
    const char *caption;
    gp_body_fn body;
    int width, height;
} picture;

/* DIR/report.html (html.c): the run's settings and results, and the
 * pictures drawn (drawn[i] for pics[i]) embedded as PNG data URIs. */
itp_status plot_write_report(const char *dir, const char *pdir, const itp_scenario *scn,
                             const itp_plot_opts *o, const picture *pics, const int *drawn,
                             int npics, char *err, size_t errlen);

#endif
