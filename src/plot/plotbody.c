/* The bodies of the gnuplot scripts of the trajectories (with the
 * patients' status) and the group-sequential boundaries, and the quoting
 * every script shares; see plotdata.h. Arm a is drawn in linetype a + 1
 * everywhere, the colours gp_common (plot.c) gives the Kaplan-Meier
 * curves. */
#include "plotdata.h"

#include <math.h>
#include <string.h>

/* A gnuplot single-quoted string. */
void plot_gp_str(FILE *f, const char *s)
{
    fputc('\'', f);
    for (; *s; s++) {
        if ((unsigned char)*s < 32)
            continue;
        if (*s == '\'')
            fputc('\'', f);
        fputc(*s, f);
    }
    fputc('\'', f);
}

/* The colours of the statuses of status.csv, in its order: on course,
 * failed, rescued, off the TPO-RA, withdrawn or dead. */
static const char *const status_colour[PLOT_STATUS] = {"#a6dba0", "#c2185b", "#fdb863",
                                                       "#1b7837", "#636363"};
static const char *const status_title[PLOT_STATUS] = {
    "on course as planned", "failed (first ttf event)", "rescued (not failed)",
    "off the TPO-RA (taper done or stopped)", "withdrawn or dead"};

/* The arms per row of the trajectories picture. */
static int traj_cols(int n_arms)
{
    return n_arms < 3 ? n_arms : 3;
}

/* One arm's counts: the 10-90% band and the median in the arm's colour
 * (lt a + 1, as in the Kaplan-Meier picture), a few patients in grey, the
 * median TPO-RA dose on the right axis in its drug's unit. */
static void traj_counts(FILE *f, const plot_info *in, int a)
{
    fputs("unset object 1\nset title ", f);
    plot_gp_str(f, in->arm[a]);
    fprintf(f, " tc lt %d\n", a + 1);
    if (in->has_taper[a])
        fprintf(f, "set object 1 rect from first %g, graph 0 to first %g, graph 1 behind "
                   "fc rgb '#fff0c0' fs solid 1.0 noborder\n",
                in->taper_lo[a], in->taper_hi[a]);
    int dose = in->max_dose > 0 && in->dose_key[a][0];
    if (dose) {
        fputs("set y2tics\nset y2label ", f);
        plot_gp_str(f, in->dose_label[a]);
        fputc('\n', f);
    } else {
        fputs("unset y2tics\nunset y2label\n", f);
    }
    fprintf(f, "plot 'trajectories.csv' skip 1 using 4:($2==%d?$6:1/0):($2==%d?$8:1/0) with "
               "filledcurves lt %d title '10-90%% of patients', \\\n"
               "     'trajectory_patients.csv' skip 1 using 5:($2==%d?$6:1/0) with lines lw 0.6 "
               "lc rgb '#999999' title 'patients (replicate 0)', \\\n"
               "     'trajectories.csv' skip 1 using 4:($2==%d?$7:1/0) with linespoints lt %d "
               "pt 7 ps 0.4 title 'median count'",
            a, a, a + 1, a, a, a + 1);
    if (dose) {
        fprintf(f, ", \\\n     'trajectories.csv' skip 1 using 4:($2==%d?$9:1/0) axes x1y2 "
                   "with steps lc rgb '#333333' lw 1.5 dt 2 title ",
                a);
        plot_gp_str(f, in->dose_key[a]);
    }
    fputc('\n', f);
}

/* One arm's statuses over the visit weeks as stacked shares (status.csv). */
static void traj_status(FILE *f, const plot_info *in, int a)
{
    fputs("unset object 1\nunset y2tics\nunset y2label\nunset logscale y\nset yrange [0:1]\n"
          "set ylabel 'share of patients followed'\nset title ", f);
    char t[200];
    snprintf(t, sizeof t, "%s: status", in->arm[a]);
    plot_gp_str(f, t);
    fprintf(f, " tc lt %d\nplot ", a + 1);
    /* band s: from the sum of the shares before it to the sum with it */
    for (int s = 0; s < PLOT_STATUS; s++) {
        char lo[64] = "0", hi[64] = "";
        for (int k = 0; k < s; k++)
            snprintf(lo + (k ? strlen(lo) : 0), sizeof lo - (k ? strlen(lo) : 0), "%s$%d",
                     k ? "+" : "", 6 + k);
        snprintf(hi, sizeof hi, "%s%s$%d", s ? lo : "", s ? "+" : "", 6 + s);
        fprintf(f, "'status.csv' skip 1 using 4:($2==%d?%s:1/0):($2==%d?%s:1/0) with "
                   "filledcurves fc rgb '%s' fs solid 0.85 noborder title '%s'%s",
                a, lo, a, hi, status_colour[s], status_title[s],
                s + 1 < PLOT_STATUS ? ", \\\n     " : "\n");
    }
    fputs("set logscale y\nset yrange [1:1500]\nset ylabel 'platelets (\u00d710\u2079/L)'\n", f);
}

/* Per arm its counts and, under them, its statuses; the arms in rows of
 * up to three; every legend below its panel, outside the data. */
void plot_body_traj(FILE *f, const plot_info *in)
{
    int cols = traj_cols(in->n_arms), rows = (in->n_arms + cols - 1) / cols;
    int per = in->has_status ? 2 : 1;
    fprintf(f, "set multiplot layout %d,%d title 'Observed scheduled counts: median and 10-90%% "
               "band (%d replicates), median TPO-RA dose, taper window shaded%s'\n",
            rows * per, cols, in->reps_traj,
            in->has_status ? "; status of the patients over time" : "");
    fprintf(f, "set logscale y\nset yrange [1:1500]\nset xrange [0:%g]\nset ytics nomirror\n"
               "set xlabel 'week'\nset ylabel 'platelets (\u00d710\u2079/L)'\n"
               "set key below left Left reverse maxcols 1 font ',8' samplen 2\n",
            in->max_week > 0 ? in->max_week : 1);
    if (in->max_dose > 0)
        fprintf(f, "set y2range [0:%g]\n", in->max_dose * 1.6);
    for (int r = 0; r < rows; r++) {
        for (int c = 0; c < cols; c++) {
            int a = r * cols + c;
            if (a < in->n_arms)
                traj_counts(f, in, a);
            else
                fputs("set multiplot next\n", f);
        }
        for (int c = 0; per > 1 && c < cols; c++) {
            int a = r * cols + c;
            if (a < in->n_arms)
                traj_status(f, in, a);
            else
                fputs("set multiplot next\n", f);
        }
    }
    fputs("unset multiplot\n", f);
}


/* The group-sequential design: left, the efficacy bound per analysis on
 * the z scale against the information fraction (each point labelled with
 * the analysis's mean month), the non-binding futility bound dashed; right,
 * the share of trials stopping at each analysis for efficacy and for
 * futility, design (the stopping hypothesis's arm colour) and null (grey).
 * gs_boundaries.csv's columns: 1 analysis, 2 information_fraction, 3
 * mean_month, 4 efficacy_z, 5 futility_z, 6 held, 7 stop_efficacy, 8
 * stop_futility, 9 null_held, 10 null_stop_efficacy, 11 null_stop_futility. */
void plot_body_gs(FILE *f, const plot_info *in)
{
    int lt = in->gs_arm >= 0 ? in->gs_arm + 1 : 1;
    char t[256];
    snprintf(t, sizeof t, "Group-sequential design: stopping on %s (%d analyses)",
             in->gs_hyp[0] ? in->gs_hyp : "the first hypothesis", in->n_stages);
    fputs("set multiplot layout 1,2 title ", f);
    plot_gp_str(f, t);
    fputs("\nset title 'Boundaries (z scale)'\nset xlabel 'information fraction'\n"
          "set ylabel 'z (stop for efficacy above, for futility below)'\n"
          "set xrange [0:1.15]\nset offsets 0, 0, 0.6, 0.6\n"
          "set key below left Left reverse maxcols 1 font ',8' samplen 2\n", f);
    fprintf(f, "plot 'gs_boundaries.csv' skip 1 using 2:4 with linespoints lt %d pt 7 ps 1.2 "
               "lw 2 title 'efficacy bound', \\\n"
               "     'gs_boundaries.csv' skip 1 using 2:4:(sprintf('z %%.2f, month %%.1f', $4, $3)) "
               "with labels offset 0,1.2 font ',8' notitle",
            lt);
    if (in->gs_futility)
        fprintf(f, ", \\\n     'gs_boundaries.csv' skip 1 using 2:5 with linespoints lt %d "
                   "dt 2 pt 5 ps 1 lw 1.5 title 'futility bound (non-binding)', \\\n"
                   "     'gs_boundaries.csv' skip 1 using 2:5:(sprintf('z %%.2f', $5)) with "
                   "labels offset 0,-1.2 font ',8' notitle",
                lt);
    fputs("\nset offsets 0, 0, 0, 0\nset title 'Trials stopping at each analysis'\n"
          "set xlabel 'analysis'\nset ylabel 'share of trials'\nset yrange [0:1]\n", f);
    fprintf(f, "set xrange [0.4:%g]\nset xtics 1,1\nset boxwidth 0.18\n"
               "set style fill solid 0.8 noborder\n",
            in->n_stages + 0.6);
    fprintf(f, "plot 'gs_boundaries.csv' skip 1 using ($1-0.3):7 with boxes lt %d "
               "title 'design: efficacy', \\\n"
               "     'gs_boundaries.csv' skip 1 using ($1-0.1):8 with boxes lt %d "
               "fs pattern 4 border title 'design: futility'",
            lt, lt);
    if (in->gs_null)
        fputs(", \\\n     'gs_boundaries.csv' skip 1 using ($1+0.1):10 with boxes "
              "lc rgb '#555555' title 'null: efficacy (type I error spent)', \\\n"
              "     'gs_boundaries.csv' skip 1 using ($1+0.3):11 with boxes lc rgb '#555555' "
              "fs pattern 4 border title 'null: futility'",
              f);
    fputs(", \\\n     'gs_boundaries.csv' skip 1 using ($1-0.3):7:(sprintf('%.2f', $7)) with "
          "labels offset 0,0.6 font ',7' notitle\n", f);
    fputs("unset multiplot\n", f);
}
