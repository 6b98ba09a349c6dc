/* Pictures of a run (plot.h): gnuplot scripts over the CSV files of
 * plotdata.c and plotsim.c, gnuplot run as a child process, then
 * report.html (html.c).
 *
 * Nothing the user typed reaches a command line: gnuplot runs in
 * DIR/plots/ on a script file given by a fixed relative name, and its -e
 * argument sets only output names made here. Arm and hypothesis names
 * appear in the scripts as titles, as gnuplot single-quoted strings (a
 * quote doubled, control characters dropped). */
#include "plotdata.h"

#include <errno.h>
#include <fcntl.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <unistd.h>
#include "itpsim/endpoint.h"
#include "itpsim/model.h"
#include "itpsim/multiplicity.h"
#include "itpsim/report.h"

#define GNUPLOT_MISSING "gnuplot not found: install gnuplot-nox; numeric results are written"

/* ---- gnuplot ------------------------------------------------------------------ */

/* The settings every picture shares. */
static void gp_common(FILE *f)
{
    fputs("set datafile separator comma\n"
          "set datafile missing 'NA'\n"
          "set termoption noenhanced\n"
          "set grid lc rgb '#dddddd'\n"
          "set key noenhanced\n"
          "set style fill transparent solid 0.25 noborder\n"
          "set linetype 1 lc rgb '#1f77b4' lw 2\n"
          "set linetype 2 lc rgb '#d62728' lw 2\n"
          "set linetype 3 lc rgb '#2ca02c' lw 2\n"
          "set linetype 4 lc rgb '#9467bd' lw 2\n"
          "set linetype 5 lc rgb '#8c564b' lw 2\n"
          "set linetype 6 lc rgb '#e377c2' lw 2\n"
          "set linetype 7 lc rgb '#7f7f7f' lw 2\n"
          "set linetype 8 lc rgb '#bcbd22' lw 2\n"
          "set linetype cycle 8\n",
          f);
}


/* A subtitle (the endpoint's rule in words) as labels at the top of the
 * canvas, cut into lines of at most 120 bytes at spaces; the top line at
 * screen y. Returns the number of lines. */
static int gp_subtitle(FILE *f, const char *s, double y)
{
    int lines = 0;
    while (*s && lines < 4) {
        size_t n = strlen(s), cut = n;
        if (n > 120) {
            cut = 120;
            while (cut > 40 && s[cut] != ' ')
                cut--;
        }
        char line[160];
        snprintf(line, sizeof line, "%.*s", (int)cut, s);
        fprintf(f, "set label %d ", 90 + lines);
        plot_gp_str(f, line);
        fprintf(f, " at screen 0.5, screen %g center font ',9' tc rgb '#444444'\n",
                y - 0.028 * lines);
        lines++;
        s += cut;
        while (*s == ' ')
            s++;
    }
    return lines;
}

/* The Kaplan-Meier picture: per arm the mean curve as a step function
 * (km.csv in step form), its 5-95% band as a light fill with dashed
 * outlines, the published landmark values and medians with their CIs; under
 * it the mean number at risk per arm at each tick (km_at_risk.csv). */
static void body_km(FILE *f, const plot_info *in)
{
    char t[512];
    /* the type in brackets only when the name does not say it */
    if (strcmp(in->km_endpoint, in->km_type))
        snprintf(t, sizeof t, "Kaplan-Meier: free of %s (%s) - mean of %d replicates, 5-95%% "
                 "band", in->km_endpoint, in->km_type, in->reps_km);
    else
        snprintf(t, sizeof t, "Kaplan-Meier: free of %s - mean of %d replicates, 5-95%% band",
                 in->km_endpoint, in->reps_km);
    double table = 0.06 + 0.045 * in->n_arms; /* the share of the height under the plot */
    /* the title and the rule in words as labels at the top: the plot
     * starts under them */
    fputs("set label 89 ", f);
    plot_gp_str(f, t);
    fputs(" at screen 0.5, screen 0.972 center\n", f);
    int sub = gp_subtitle(f, in->km_desc, 0.94);
    fputs("set multiplot\nset lmargin at screen 0.16\nset rmargin at screen 0.74\n", f);
    fprintf(f, "set origin 0,%g\nset size 1,%g\nset bmargin 3\nset tmargin at screen %g\n",
            table, 1 - table, 0.94 - 0.03 * sub);
    fprintf(f, "\nset xlabel 'months since randomisation'\nset ylabel 'share free of event'\n"
               "set yrange [0:1.02]\nset xrange [0:%g]\nset xtics 0,%d\n",
            in->km_max_month > 0 ? in->km_max_month : 1, in->km_tick > 0 ? in->km_tick : 3);
    /* drawn where at least half the replicates estimate the curve (beyond
     * their longest follow-up the few left would stand for all) */
    fprintf(f, "half = %d\nset key at screen 0.76, graph 1 left top Left reverse\n", (in->reps_km + 1) / 2);
    fputs("set style fill transparent solid 0.15 noborder\nplot ", f);
    for (int a = 0; a < in->n_arms; a++)
        fprintf(f, "'km.csv' skip 1 using 5:($2==%d&&$10>=half?$7:1/0):($2==%d&&$10>=half?$8:1/0) with filledcurves "
                   "lt %d notitle, \\\n     "
                   "'km.csv' skip 1 using 5:($2==%d&&$10>=half?$7:1/0) with lines lt %d lw 0.8 dt 2 notitle, "
                   "\\\n     "
                   "'km.csv' skip 1 using 5:($2==%d&&$10>=half?$8:1/0) with lines lt %d lw 0.8 dt 2 notitle, "
                   "\\\n     ",
                a, a, a + 1, a, a + 1, a, a + 1);
    for (int a = 0; a < in->n_arms; a++) {
        fprintf(f, "'km.csv' skip 1 using 5:($2==%d&&$10>=half?$6:1/0) with lines lt %d lw 2 title ", a,
                a + 1);
        plot_gp_str(f, in->arm[a]);
        fputs(", \\\n     ", f);
    }
    if (in->has_published)
        for (int a = 0; a < in->n_arms; a++)
            fprintf(f, "'km_published.csv' skip 1 using 5:($2==%d?$6:1/0):7:8:9:10 with "
                       "xyerrorbars lt %d pt 7 ps 1.2 notitle, \\\n     "
                       "'km_published.csv' skip 1 using 5:($2==%d?$6:1/0) with points lt %d pt 7 "
                       "ps 1.2 notitle, \\\n     ",
                    a, a + 1, a, a + 1);
    if (in->has_published)
        fputs("1/0 with points pt 7 ps 1.2 lc rgb '#333333' title 'published (95% CI)'"
              ", \\\n     ",
              f);
    fputs("1/0 notitle\n", f);
    /* the numbers at risk: one row per arm, the arm's colour */
    fprintf(f, "set origin 0,0\nset size 1,%g\nset tmargin 1.5\nset bmargin 0.5\n"
               "unset title\nunset xlabel\nset format x ''\nunset grid\nunset key\n"
               "unset label 89\nunset label 90\nunset label 91\nunset label 92\nunset label 93\n"
               "unset ylabel\nset yrange [-0.6:%g]\nset ytics ()\n"
               "set label 1 'number at risk (mean over replicates)' at screen 0.02, screen %g\n",
            table, in->n_arms - 0.4, table - 0.01);
    for (int a = 0; a < in->n_arms; a++) {
        fputs("set ytics add (", f);
        plot_gp_str(f, in->arm[a]);
        fprintf(f, " %d)\n", in->n_arms - 1 - a);
    }
    fputs("set ytics scale 0 nomirror offset -2,0\nset xtics scale 0\nset border 0\nplot ", f);
    for (int a = 0; a < in->n_arms; a++)
        fprintf(f, "'km_at_risk.csv' skip 1 using 3:($2==%d?%d:1/0):(sprintf('%%.1f',$5)) with "
                   "labels tc lt %d notitle%s",
                a, in->n_arms - 1 - a, a + 1, a + 1 < in->n_arms ? ", \\\n     " : "\n");
    fputs("unset multiplot\n", f);
}

/* Histograms from estimates.csv (which 0) or pvalues.csv (which 1). */
static void body_hist(FILE *f, const plot_info *in, int which)
{
    int cols = in->n_hyp < 2 ? 1 : 2, rows = (in->n_hyp + cols - 1) / cols;
    const char *file = which ? "pvalues.csv" : "estimates.csv";
    fprintf(f, "set multiplot layout %d,%d title '%s per replicate: design%s'\n", rows, cols,
            which ? "One-sided p-value" : "Estimate", in->has_null ? " and null" : "");
    fputs("set ylabel 'share of replicates'\nset key outside right top vertical Left reverse font ',8' samplen 2 width -4\n"
          "set yrange [0:*]\n", f);
    for (int h = 0; h < in->n_hyp; h++) {
        fputs("set title ", f);
        plot_gp_str(f, in->hyp[h]);
        fputs("\nset xlabel ", f);
        plot_gp_str(f, which ? "p-value" : in->hyp_what[h]);
        fputc('\n', f);
        if (!which && in->hyp_log[h])
            fputs("set logscale x\n", f);
        else
            fputs("unset logscale x\n", f);
        fputs(which ? "set xrange [0:1]\n" : "set xrange [*:*]\n", f);
        /* reference lines: no effect on the estimate, the starting alpha
         * on the p-value */
        fputs("unset arrow\nunset label\n", f);
        double ref = which ? in->hyp_alpha[h] : in->hyp_none[h];
        if (isfinite(ref)) {
            fprintf(f, "set arrow 1 from %.10g, graph 0 to %.10g, graph 1 nohead dt 2 lw 1.5 "
                       "lc rgb '#333333' front\n",
                    ref, ref);
            fprintf(f, "set label 1 '%s %.4g' at %.10g, graph 0.97 left offset 0.5,0 front\n",
                    which ? "starting alpha" : "no effect", ref, ref);
        }
        /* the effect the design assumes (the hazard model's hazard ratio),
         * or without a closed form the median design estimate, so labelled */
        double eff = in->hyp_assumed[h];
        if (!which && isfinite(eff) && (!in->hyp_log[h] || eff > 0)) {
            fprintf(f, "set arrow 2 from %.10g, graph 0 to %.10g, graph 1 nohead lw 2 "
                       "lt %d front\n", eff, eff, in->hyp_arm[h] >= 0 ? in->hyp_arm[h] + 1 : 1);
        }
        /* design in the hypothesis's arm's colour (as its Kaplan-Meier
         * curve), the null in grey */
        fprintf(f, "plot '%s' skip 1 using ($2==%d&&$4==0?$7:1/0):(0):($2==%d?$5:1/0):"
                   "($2==%d?$6:1/0):(0):9 with boxxyerror lt %d fs transparent solid 0.5 "
                   "noborder title 'design'",
                file, h, h, h, in->hyp_arm[h] >= 0 ? in->hyp_arm[h] + 1 : 1);
        if (in->has_null)
            fprintf(f, ", \\\n     '%s' skip 1 using ($2==%d&&$4==1?$7:1/0):(0):($2==%d?$5:1/0):"
                       "($2==%d?$6:1/0):(0):9 with boxxyerror lc rgb '#888888' fs transparent "
                       "solid 0.5 noborder title 'null'",
                    file, h, h, h);
        if (!which && isfinite(eff) && (!in->hyp_log[h] || eff > 0))
            fprintf(f, ", \\\n     1/0 with lines lw 2 lt %d title '%s %.3g'",
                    in->hyp_arm[h] >= 0 ? in->hyp_arm[h] + 1 : 1,
                    in->hyp_assumed_sim[h] ? "simulated effect (median)" : "assumed effect", eff);
        fputc('\n', f);
    }
    fputs("unset multiplot\n", f);
}

static void body_estimates(FILE *f, const plot_info *in) { body_hist(f, in, 0); }
static void body_pvalues(FILE *f, const plot_info *in) { body_hist(f, in, 1); }

/* Power per hypothesis with its band, the target power (or reference
 * lines) and the size a search chose (plotgrid.c). */
static void body_power(FILE *f, const plot_info *in)
{
    fputs("set title ", f);
    char t[256];
    snprintf(t, sizeof t, "Power against %s (%s), band: +-1.96 Monte Carlo SE", in->power_x,
             in->power_source);
    plot_gp_str(f, t);
    fputs("\nset xlabel ", f);
    plot_gp_str(f, in->power_x);
    fputs("\nset ylabel 'power'\nset yrange [0:1]\nset key bottom right font ',8'\n", f);
    plot_power_refs(f, in, 1);
    fputs("plot ", f);
    for (int s = 0; s < in->n_series; s++) {
        fprintf(f, "'power.csv' skip 1 using 5:($2==%d?$9:1/0):($2==%d?$10:1/0) with filledcurves "
                   "lt %d notitle, \\\n     'power.csv' skip 1 using 5:($2==%d?$7:1/0) with "
                   "linespoints lt %d pt 7 title ",
                s, s, s + 1, s, s + 1);
        plot_gp_str(f, in->series[s]);
        fputs(s + 1 < in->n_series ? ", \\\n     " : "\n", f);
    }
}


/* Assurance: the distribution of the power over the parameter sets (a
 * histogram, its empirical CDF on the right axis), the assurance (their
 * mean) and the power at the fixed parameters marked; then the power
 * against each of the most influential parameters. */
static void body_assurance(FILE *f, const plot_info *in)
{
    int panels = 1 + in->n_assur_par;
    fprintf(f, "set multiplot layout %d,%d title ", (panels + 1) / 2, panels > 1 ? 2 : 1);
    char t[512];
    snprintf(t, sizeof t, "Power of %s over %d parameter sets (assurance.csv)", in->assur_hyp,
             in->assur_sets);
    plot_gp_str(f, t);
    fprintf(f, "\nset xlabel 'power'\nset ylabel 'share of parameter sets'\nset xrange [0:1]\n"
               "set yrange [0:*]\nset y2range [0:1]\nset y2tics 0,0.2\nset ytics nomirror\n"
               "set y2label 'cumulative share (ECDF)'\nset boxwidth 0.05\n"
               "set style fill solid 0.5\nset key below left Left reverse maxcols 2 font ',8' samplen 2\n");
    /* the assurance and the power at the fixed parameters as lines */
    fprintf(f, "set arrow 1 from %.6g, graph 0 to %.6g, graph 1 nohead lw 2 lc rgb '#000000' "
               "front\n", in->assur_mean, in->assur_mean);
    if (isfinite(in->assur_fixed))
        fprintf(f, "set arrow 2 from %.6g, graph 0 to %.6g, graph 1 nohead lw 2 dt 2 "
                   "lc rgb '#d62728' front\n", in->assur_fixed, in->assur_fixed);
    fprintf(f, "plot 'assurance.csv' skip 1 using (0.05*floor($2/0.05 < 20 ? $2/0.05 : 19)"
               "+0.025):(1.0/%d) smooth frequency with boxes lt 1 title 'histogram', \\\n"
               "     'assurance.csv' skip 1 using 2:(1.0/%d) smooth cumulative axes x1y2 "
               "with steps lc rgb '#333333' lw 1.5 title 'ECDF (right axis)', \\\n"
               "     1/0 with lines lw 2 lc rgb '#000000' title 'assurance (mean) %.3f'",
            in->assur_sets, in->assur_sets, in->assur_mean);
    if (isfinite(in->assur_fixed))
        fprintf(f, ", \\\n     1/0 with lines lw 2 dt 2 lc rgb '#d62728' title "
                   "'power at the fixed parameters %.3f'", in->assur_fixed);
    fputs("\nunset arrow\nunset y2tics\nunset y2label\nset ytics mirror\nunset key\n"
          "set autoscale x\nset ylabel 'power'\nset yrange [0:1]\n", f);
    for (int b = 0; b < in->n_assur_par; b++) {
        snprintf(t, sizeof t, "Spearman %.2f", in->assur_rho[b]);
        fputs("set title ", f);
        plot_gp_str(f, t);
        fputs("\nset xlabel ", f);
        plot_gp_str(f, in->assur_par[b]);
        fprintf(f, "\nplot 'assurance.csv' skip 1 using %d:2 with points pt 7 ps 0.5 "
                   "lc rgb '#1f77b4'\n", 3 + b);
    }
    fputs("unset multiplot\n", f);
}

/* Writes pdir/NAME.gp: both terminals, output names from the variables
 * png_out and svg_out (default NAME.png, NAME.svg), so that a user can run
 * `gnuplot NAME.gp` in the folder. */
static itp_status write_script(const char *pdir, const picture *p, const plot_info *in, char *err,
                               size_t errlen)
{
    char name[64];
    snprintf(name, sizeof name, "%s.gp", p->name);
    itp_out out;
    itp_status st = itp_out_open(&out, pdir, name, err, errlen);
    if (st)
        return st;
    FILE *f = out.f;
    fprintf(f, "# %s: %s\n# gnuplot %s.gp in this folder redraws %s.png and %s.svg from %s.\n",
            p->name, p->caption, p->name, p->name, p->name, p->csv);
    fprintf(f, "if (!exists('png_out')) png_out = '%s.png'\n"
               "if (!exists('svg_out')) svg_out = '%s.svg'\n",
            p->name, p->name);
    gp_common(f);
    fprintf(f, "set terminal pngcairo size %d,%d noenhanced font 'DejaVu Sans,10'\nset output png_out\n",
            p->width, p->height);
    p->body(f, in);
    fputs("unset output\n", f);
    fprintf(f, "set terminal svg size %d,%d dynamic noenhanced font 'DejaVu Sans,10'\nset output svg_out\n",
            p->width, p->height);
    fputs("reset\n", f);
    gp_common(f);
    p->body(f, in);
    fputs("unset output\n", f);
    return itp_out_commit(&out, err, errlen);
}

/* Runs `gnuplot -e "png_out=...; svg_out=..." NAME.gp` in pdir with its
 * messages in pdir/.NAME.log. Returns 0, -1 when gnuplot cannot be
 * started (not found), or gnuplot's exit status. */
static int run_gnuplot(const char *prog, const char *pdir, const char *script, const char *assign,
                       const char *logname)
{
    int fds[2];
    if (pipe(fds))
        return -2;
    fcntl(fds[1], F_SETFD, FD_CLOEXEC);
    fflush(NULL);
    pid_t pid = fork();
    if (pid < 0) {
        close(fds[0]);
        close(fds[1]);
        return -2;
    }
    if (pid == 0) {
        close(fds[0]);
        int e = 0;
        if (chdir(pdir))
            e = errno;
        int nul = open("/dev/null", O_RDWR);
        int lg = open(logname, O_WRONLY | O_CREAT | O_TRUNC, 0644);
        if (nul >= 0) {
            dup2(nul, 0);
            dup2(nul, 1);
        }
        if (lg >= 0)
            dup2(lg, 2);
        if (!e) {
            /* execvp wants writable strings: copies (the child owns them) */
            char a0[1024], a1[] = "-e", a2[256], a3[128];
            snprintf(a0, sizeof a0, "%s", prog);
            snprintf(a2, sizeof a2, "%s", assign);
            snprintf(a3, sizeof a3, "%s", script);
            char *const argv[] = {a0, a1, a2, a3, NULL};
            execvp(a0, argv);
            e = errno;
        }
        ssize_t w = write(fds[1], &e, sizeof e);
        (void)w;
        _exit(127);
    }
    close(fds[1]);
    int e = 0;
    ssize_t got;
    do
        got = read(fds[0], &e, sizeof e);
    while (got < 0 && errno == EINTR);
    close(fds[0]);
    int status = 0;
    while (waitpid(pid, &status, 0) < 0 && errno == EINTR)
        ;
    if (got == (ssize_t)sizeof e)
        return -1;
    if (WIFEXITED(status))
        return WEXITSTATUS(status);
    return 128;
}

/* The first lines of gnuplot's messages, for an error. */
static void log_excerpt(const char *path, char *out, size_t outlen)
{
    out[0] = '\0';
    FILE *f = fopen(path, "r");
    if (!f)
        return;
    size_t n = fread(out, 1, outlen - 1, f);
    out[n] = '\0';
    fclose(f);
    for (char *s = out; *s; s++)
        if (*s == '\n')
            *s = ' ';
}

static itp_status draw(const char *pdir, const picture *p, const plot_info *in,
                       const itp_plot_opts *o, char *err, size_t errlen)
{
    itp_status st = write_script(pdir, p, in, err, errlen);
    /* an MPI rank that writes nothing has no script to run */
    if (st || !itp_out_writes())
        return st;
    long pid = (long)getpid();
    char script[64], assign[160], log[64], tmp[2][64], fin[2][64];
    snprintf(script, sizeof script, "%s.gp", p->name);
    snprintf(log, sizeof log, ".%s.log-%ld", p->name, pid);
    snprintf(tmp[0], sizeof tmp[0], ".%s.png.tmp-%ld", p->name, pid);
    snprintf(tmp[1], sizeof tmp[1], ".%s.svg.tmp-%ld", p->name, pid);
    snprintf(fin[0], sizeof fin[0], "%s.png", p->name);
    snprintf(fin[1], sizeof fin[1], "%s.svg", p->name);
    snprintf(assign, sizeof assign, "png_out='%s'; svg_out='%s'", tmp[0], tmp[1]);
    int rc = run_gnuplot(o->gnuplot ? o->gnuplot : "gnuplot", pdir, script, assign, log);
    char path[1200], from[1200], to[1200];
    snprintf(path, sizeof path, "%s/%s", pdir, log);
    if (rc == -1) {
        snprintf(err, errlen, "%s", GNUPLOT_MISSING);
        st = ITP_EIO;
    } else if (rc != 0) {
        char msg[600];
        log_excerpt(path, msg, sizeof msg);
        snprintf(err, errlen, "%s/%s: gnuplot failed (status %d): %s", pdir, script, rc, msg);
        st = ITP_EIO;
    }
    for (int k = 0; k < 2; k++) {
        snprintf(from, sizeof from, "%s/%s", pdir, tmp[k]);
        snprintf(to, sizeof to, "%s/%s", pdir, fin[k]);
        struct stat sb;
        if (!st && (stat(from, &sb) || sb.st_size == 0)) {
            snprintf(err, errlen, "%s: gnuplot wrote no image", to);
            st = ITP_EIO;
        }
        if (!st && rename(from, to)) {
            snprintf(err, errlen, "%s: %s", to, strerror(errno));
            st = ITP_EIO;
        }
        if (st)
            remove(from);
    }
    remove(path);
    return st;
}

/* ---- the whole ------------------------------------------------------------------------ */

itp_status itp_plot_run(const char *dir, const itp_scenario *scn, const itp_plot_opts *o,
                        FILE *log, char *err, size_t errlen)
{
    err[0] = '\0';
    char pdir[1100];
    snprintf(pdir, sizeof pdir, "%s/plots", dir);
    itp_status st = itp_mkdir_p(pdir, err, errlen);
    if (st)
        return st;
    plot_info *in = calloc(1, sizeof *in);
    if (!in)
        return ITP_ENOMEM;
    /* a sweep's or search's folder: the scenario is for the report only
     * (its base design is no run of the folder's to re-simulate) */
    char gpath[1200];
    int grid = 0;
    for (int k = 0; k < 2 && !grid; k++) {
        snprintf(gpath, sizeof gpath, "%s/%s", dir, k ? "samplesize.csv" : "sweep.csv");
        grid = access(gpath, R_OK) == 0;
    }
    if (scn && !grid) {
        in->n_arms = scn->n_arms;
        for (int a = 0; a < scn->n_arms; a++)
            snprintf(in->arm[a], sizeof in->arm[a], "%s", scn->arms[a].name);
        st = plotdata_simulate(pdir, scn, o, in, err, errlen);
    }
    if (!st)
        st = plotdata_replicates(dir, pdir, scn, in, err, errlen);
    if (!st)
        st = plotdata_power(dir, pdir, in, err, errlen);
    if (!st)
        st = plotdata_assurance(dir, pdir, in, err, errlen);
    if (!st)
        st = plotdata_stages(dir, pdir, scn, in, err, errlen);
    int nh = in->n_hyp, ha = in->n_arms;
    int hist_h = 330 * ((nh + 1) / 2) + 60;
    int traj_rows = (ha + 2) / 3 * (in->has_status ? 2 : 1);
    int traj_w = 460 * (ha < 3 ? (ha > 0 ? ha : 1) : 3) + 40, traj_h = 410 * traj_rows + 50;
    const picture pics[] = {
        {"km", "km.csv", "Kaplan-Meier share free of the first time-to-event endpoint per arm: "
                         "mean over re-simulated replicates with the 5-95% band across them; "
                         "points: published landmark values of the calibration targets.",
         body_km, 900, 640},
        {"trajectories", "trajectories.csv", "Observed scheduled platelet counts per arm by "
                                             "visit week (median, 10-90% band), a few patients "
                                             "of replicate 0, median TPO-RA dose (right axis); "
                                             "the TPO-RA taper window shaded.",
         plot_body_traj, traj_w, traj_h},
        {"estimates", "estimates.csv", "Distribution over replicates of each hypothesis' "
                                       "estimate (hazard ratio on a log axis; risk "
                                       "difference, rate or RMST difference in months) "
                                       "under the design and the null.",
         body_estimates, 1280, hist_h},
        {"pvalues", "pvalues.csv", "Distribution over replicates of each hypothesis' "
                                   "unadjusted p-value under the design and the null.",
         body_pvalues, 1280, hist_h},
        {"power", "power.csv", "Power with its Monte Carlo band (+-1.96 SE) against the "
                               "varied setting, one line per hypothesis; the target power "
                               "(or light reference lines at 0.8 and 0.9 when none was "
                               "given) and the size a search chose.",
         body_power, 900, 560},
        {"type1", "type1.csv", "Type I error of each point's null with +-1.96 Monte Carlo SE "
                               "against the varied setting, one line per hypothesis in its "
                               "power colour, the family-wise error dashed grey; the nominal "
                               "alpha dashed.",
         body_type1, 900, 480},
        {"power_fit", "power_fit.csv", "The sample size search's fitted power curve: a probit "
                                       "regression of the rejections on sqrt(patients) over "
                                       "the sizes evaluated, its 95% band, the size at the "
                                       "target power from the fit with its interval, the "
                                       "evaluated sizes with +-1.96 MCSE.",
         body_fit, 900, 560},
        {"assurance", "assurance.csv", "Power over the parameter sets of an assurance run: "
                                       "its distribution, and against each of the three "
                                       "parameters most correlated with it (Spearman).",
         body_assurance, 1100, 760},
        {"gs_boundaries", "gs_boundaries.csv", "Group-sequential design: the efficacy bound "
                                               "(and the non-binding futility bound) of each "
                                               "analysis on the z scale against the information "
                                               "fraction, and the share of trials stopping at "
                                               "each analysis for efficacy or futility, design "
                                               "and null (stages.csv).",
         plot_body_gs, 1200, 560},
    };
    enum { NPICS = sizeof pics / sizeof pics[0] };
    int want[NPICS] = {in->reps_km > 0,  in->reps_traj > 0, in->n_hyp > 0,   in->n_hyp > 0,
                       in->n_series > 0, in->has_type1,     in->has_fit,     in->assur_sets > 0,
                       in->n_stages > 0};
    int drawn[NPICS] = {0};
    int npics = NPICS, any = 0;
    for (int i = 0; i < npics; i++)
        any |= want[i];
    if (!st && !any) {
        snprintf(err, errlen, "%s: no run, sweep, samplesize or assurance results to draw", dir);
        st = ITP_EINPUT;
    }
    for (int i = 0; i < npics && !st; i++) {
        if (!want[i])
            continue;
        st = draw(pdir, &pics[i], in, o, err, errlen);
        if (!st) {
            drawn[i] = 1;
            if (log)
                fprintf(log, "%s/%s.png, %s.svg (data %s)\n", pdir, pics[i].name, pics[i].name,
                        pics[i].csv);
        }
    }
    if (!st)
        st = plot_write_report(dir, pdir, scn, o, pics, drawn, npics, err, errlen);
    if (!st && log)
        fprintf(log, "%s/report.html\n", dir);
    free(in);
    return st;
}
