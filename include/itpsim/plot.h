/* Pictures of a finished run and a self-contained report.
 *
 * itp_plot_run reads the result files of a run in DIR (summary.json,
 * summary.csv, replicates.csv, and sweep.csv or samplesize.csv when
 * present), re-simulates the run's first replicates to get curves (replicate
 * r with seed s is the same trial in every run: every stream is keyed by
 * seed, replicate and patient, trial.h), and writes to DIR/plots/ the data
 * behind each picture as CSV, then the pictures (PNG and SVG, drawn by
 * gnuplot run as a child process on a script file it writes), and
 * DIR/report.html: one page with every PNG embedded as a base64 data URI,
 * no external resource.
 *
 *   km.csv, km_published.csv   Kaplan-Meier share free of the first
 *                              time-to-event endpoint per arm on a monthly
 *                              grid: mean over replicates and 5-95% band;
 *                              the calibration targets' landmark points
 *   trajectories.csv, taper.csv, trajectory_patients.csv
 *                              platelet model: scheduled counts by visit
 *                              week per arm (10%, median, 90%), median
 *                              TPO-RA dose, taper window, a few patients
 *   estimates.csv, pvalues.csv histograms per hypothesis of the estimate
 *                              and of the p-value, design and null, from
 *                              replicates.csv
 *   power.csv                  sweep.csv / samplesize.csv: power with its
 *                              Monte Carlo band against the varied setting
 *   assurance.csv              an assurance run's assurance.csv: per
 *                              parameter set the first hypothesis's power
 *                              and the three most influential parameters
 *
 * Every file is written under a temporary name and renamed (report.h);
 * gnuplot writes its images to temporary names that are renamed after it
 * succeeded. */
#ifndef ITPSIM_PLOT_H
#define ITPSIM_PLOT_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include "itpsim/json.h"
#include "itpsim/scenario.h"

#define ITP_VERSION "0.9.0"

/* Replicates re-simulated for the curves (at most). */
#define ITP_PLOT_MAX_REPS 200

/* What itp_plot_run may be given beyond the folder. */
typedef struct itp_plot_opts {
    uint64_t seed;        /* the run's seed */
    long replicates;      /* the run's design replicates (0: unknown) */
    int patients;         /* the run's sample size (0: the scenario's) */
    int threads;          /* >= 1 */
    const char *gnuplot;  /* program to run (NULL: "gnuplot", found on PATH) */
    /* the scenario's calibration targets (calibrate.h: itp_cal_load), whose
     * landmark points km_published.csv holds; NULL: none */
    const struct itp_cal_spec *published;
} itp_plot_opts;

/* Makes DIR/plots/ and DIR/report.html from the run in DIR. scn is the
 * run's scenario (NULL: only the pictures that need no simulation, e.g. a
 * sweep folder). Returns ITP_OK; ITP_EIO (err: "gnuplot not found: install
 * gnuplot-nox; numeric results are written") when gnuplot cannot be run,
 * after every CSV was written; ITP_EINPUT when DIR holds no result files
 * it knows; ITP_EIO/ITP_ENOMEM on other failures. Progress lines go to
 * `log` (may be NULL). */
itp_status itp_plot_run(const char *dir, const itp_scenario *scn, const itp_plot_opts *o,
                        FILE *log, char *err, size_t errlen);

/* DIR/report.html of a comparison (`itpsim compare`): its provenance and
 * the tables of DIR/compare.csv, compare_diff.csv and compare_arms.csv;
 * no pictures (each design's are made by `itpsim plot DIR/designs/NAME`). */
itp_status itp_compare_report(const char *dir, char *err, size_t errlen);

/* ---- helpers shared by the plot files (plotdata.c), exposed for tests --- */

/* Base64 (RFC 4648, with padding) of n bytes into out, which needs
 * 4 * ((n + 2) / 3) + 1 bytes; returns the length written. */
size_t itp_base64(const unsigned char *in, size_t n, char *out);

/* The q-quantile (type 7, as R's default) of x[n], which is sorted in
 * place; NaN when n == 0. */
double itp_plot_quantile(double *x, size_t n, double q);

#endif
