/* Joint calibration: one parameter set fitted to the targets of several
 * scenarios at once, with leave-one-trial-out predictions and a Laplace
 * approximation of the parameters' uncertainty (see calibrate.h). */
#include "itpsim/calibrate.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <gsl/gsl_blas.h>
#include <gsl/gsl_errno.h>
#include <gsl/gsl_linalg.h>
#include <gsl/gsl_multifit_nlinear.h>
#include <gsl/gsl_matrix.h>
#include <gsl/gsl_randist.h>
#include <gsl/gsl_rng.h>
#include <gsl/gsl_vector.h>
#include "itpsim/component.h"
#include "itpsim/report.h"
#include "itpsim/rng.h"

#define JOINT_MAX ITP_JOINT_MAX_TRIALS
#define NP ITP_CAL_MAX_JOINT_PARAMS

struct itp_joint {
    char file[512], defaults[512];
    int n;
    itp_calibrator *cal[JOINT_MAX];
    char scenario[JOINT_MAX][512];   /* as written, and as opened */
    char trial[JOINT_MAX][ITP_NAME_MAX];
    int n_params;
    itp_cal_param p[NP];
    /* the parameters acting on trial k: n_use[k] of them, use[k][m] the
     * joint index of its m-th */
    int n_use[JOINT_MAX], use[JOINT_MAX][ITP_CAL_MAX_PARAMS];
    int per_arm, iters, loto_iters, n_draws;
    double step_u;
    uint64_t seed;
    int threads;
};

/* ---- the joint file ------------------------------------------------------------ */

/* Whether parameter path acts on the scenario: a drug's (TYPE.DRUG...)
 * when a component gives that drug, a population's (populations.NAME...)
 * when the scenario enrols it, any other on every scenario. */
static int acts_on(const char *path, const itp_scenario *scn)
{
    char head[ITP_NAME_MAX], second[ITP_NAME_MAX];
    const char *dot = strchr(path, '.');
    if (!dot || (size_t)(dot - path) >= sizeof head)
        return 1;
    snprintf(head, sizeof head, "%.*s", (int)(dot - path), path);
    const char *dot2 = strchr(dot + 1, '.');
    if (!dot2 || (size_t)(dot2 - dot - 1) >= sizeof second)
        return 1;
    snprintf(second, sizeof second, "%.*s", (int)(dot2 - dot - 1), dot + 1);
    if (strcmp(head, "populations") == 0)
        return strcmp(second, scn->population) == 0;
    const itp_component_type *t = itp_component_type_find(head);
    if (!t || !t->default_drug)
        return 1;
    for (int c = 0; c < scn->n_components; c++) {
        const itp_component *comp = &scn->components[c];
        const char *drug = comp->drug[0] ? comp->drug : t->default_drug;
        if (comp->type == t && strcmp(drug, second) == 0)
            return 1;
    }
    return 0;
}

/* A joint parameter of the scenario's population at path (then the
 * population's value, not the general one, acts on the scenario: a
 * scenario-wide setting would hide it). */
static int population_has(const itp_joint *j, const itp_scenario *scn, const char *path)
{
    char p[160];
    if (!scn->population[0] || strncmp(path, "populations.", 12) == 0)
        return 0;
    snprintf(p, sizeof p, "populations.%s.%s", scn->population, path);
    for (int i = 0; i < j->n_params; i++)
        if (strcmp(j->p[i].path[0], p) == 0)
            return 1;
    return 0;
}

static itp_status read_params(itp_reader *rd, const config_setting_t *pl, itp_joint *j)
{
    static const char *const keys[] = {"path", "min", "max", "start", NULL};
    j->n_params = config_setting_length(pl);
    if (j->n_params < 1 || j->n_params > NP)
        return itp_rd_fail(rd, pl, "expected 1 to %d parameters", NP);
    for (int i = 0; i < j->n_params; i++) {
        const config_setting_t *g = config_setting_get_elem(pl, (unsigned)i);
        itp_cal_param *p = &j->p[i];
        const char *path;
        itp_status st;
        if (!config_setting_is_group(g))
            return itp_rd_fail(rd, g, "expected a group { path; min; max; start; }");
        if ((st = itp_rd_keys(rd, g, keys, NULL)))
            return st;
        if (!config_setting_lookup_string(g, "path", &path) || strlen(path) >= sizeof p->path[0])
            return itp_rd_fail(rd, itp_member(g, "path") ? itp_member(g, "path") : g,
                               "expected path, a setting's path (a string)");
        if (!itp_reader_has_number(rd, path))
            return itp_rd_fail(rd, itp_member(g, "path"),
                               "'%s' names no numeric setting of the defaults", path);
        for (int k = 0; k < i; k++)
            if (strcmp(j->p[k].path[0], path) == 0)
                return itp_rd_fail(rd, itp_member(g, "path"), "'%s' twice", path);
        p->n_paths = 1;
        snprintf(p->path[0], sizeof p->path[0], "%s", path);
        snprintf(p->unit, sizeof p->unit, "%s", itp_reader_unit(rd, path));
        if ((st = itp_rd_double(rd, g, NULL, "min", ITP_CLOSED(-1e6, 1e6), &p->min)) ||
            (st = itp_rd_double(rd, g, NULL, "max", ITP_CLOSED(-1e6, 1e6), &p->max)) ||
            (st = itp_rd_double(rd, g, NULL, "start", ITP_CLOSED(-1e6, 1e6), &p->start)))
            return st;
        if (!(p->min < p->max) || p->start <= p->min || p->start >= p->max)
            return itp_rd_fail(rd, g, "expected min < start < max (got %g, %g, %g)", p->min,
                               p->start, p->max);
    }
    return ITP_OK;
}

/* The scenario path as opened: relative to the joint file's folder, with
 * "DIR/../" taken out (scenarios/calibration/../a.cfg is scenarios/a.cfg). */
static void beside(const char *file, const char *name, char *buf, size_t len)
{
    const char *slash = strrchr(file, '/');
    if (name[0] == '/' || !slash)
        snprintf(buf, len, "%s", name);
    else
        snprintf(buf, len, "%.*s/%s", (int)(slash - file), file, name);
    for (char *up; (up = strstr(buf, "/../")) != NULL;) {
        char *seg = up;
        while (seg > buf && seg[-1] != '/')
            seg--;
        if (up - seg == 2 && seg[0] == '.' && seg[1] == '.')
            break;   /* ../../: keep */
        memmove(seg, up + 4, strlen(up + 4) + 1);
    }
}

static itp_status read_joint(itp_joint *j, const char *file, const char *defaults, char *err,
                             size_t errlen)
{
    static const char *const keys[] = {"description", "scenarios", "parameters",
                                       "patients_per_arm", "iterations", "loto_iterations",
                                       "draws", "jacobian_step", NULL};
    itp_reader *rd;
    itp_status st = itp_reader_open(&rd, file, defaults, NULL, 0, err, errlen);
    if (st)
        return st;
    const config_setting_t *root = itp_reader_root(rd), *sl, *pl;
    if ((st = itp_rd_keys(rd, root, keys, NULL)) ||
        (st = itp_rd_child(rd, root, "scenarios", CONFIG_TYPE_ARRAY, 1, &sl)) ||
        (st = itp_rd_child(rd, root, "parameters", CONFIG_TYPE_LIST, 1, &pl)) ||
        (st = itp_rd_int_or(rd, root, "patients_per_arm", 100, 1000000, 4000, &j->per_arm)) ||
        (st = itp_rd_int_or(rd, root, "iterations", 1, 1000, 20, &j->iters)) ||
        (st = itp_rd_int_or(rd, root, "loto_iterations", 0, 1000, 10, &j->loto_iters)) ||
        (st = itp_rd_int_or(rd, root, "draws", 0, 100000, 1000, &j->n_draws)) ||
        (st = itp_rd_double_or(rd, root, "jacobian_step", ITP_POSITIVE(2.0), 0.1, &j->step_u)) ||
        (st = read_params(rd, pl, j))) {
        snprintf(err, errlen, "%s", itp_reader_error(rd));
        itp_reader_free(rd);
        return st;
    }
    j->n = config_setting_length(sl);
    if (j->n < 1 || j->n > JOINT_MAX) {
        st = itp_rd_fail(rd, sl, "expected 1 to %d scenarios", JOINT_MAX);
    }
    for (int k = 0; !st && k < j->n; k++) {
        const char *s = config_setting_get_string_elem(sl, (unsigned)k);
        if (!s || !s[0])
            st = itp_rd_fail(rd, sl, "expected scenario files (strings)");
        else
            beside(file, s, j->scenario[k], sizeof j->scenario[k]);
    }
    if (st)
        snprintf(err, errlen, "%s", itp_reader_error(rd));
    itp_reader_free(rd);
    return st;
}

int itp_joint_is_file(const char *file)
{
    itp_reader *rd;
    char err[256];
    if (itp_reader_open(&rd, file, NULL, NULL, 0, err, sizeof err))
        return 0;
    int yes = itp_member(itp_reader_root(rd), "scenarios") != NULL;
    itp_reader_free(rd);
    return yes;
}

itp_status itp_joint_create(itp_joint **out, const char *file, const char *defaults,
                            uint64_t seed, int threads, char *err, size_t errlen)
{
    itp_joint *j = calloc(1, sizeof *j);
    *out = NULL;
    if (!j)
        return ITP_ENOMEM;
    snprintf(j->file, sizeof j->file, "%s", file);
    snprintf(j->defaults, sizeof j->defaults, "%s", defaults ? defaults : "");
    j->seed = seed;
    j->threads = threads > 0 ? threads : 1;
    itp_status st = read_joint(j, file, defaults, err, errlen);
    for (int k = 0; !st && k < j->n; k++) {
        st = itp_calibrator_create(&j->cal[k], j->scenario[k], defaults, NULL, 0, seed,
                                   j->threads, err, errlen);
        if (st)
            break;
        const itp_scenario *scn = itp_calibrator_scenario(j->cal[k], NULL, err, errlen);
        if (!scn) {
            st = ITP_EINPUT;
            break;
        }
        snprintf(j->trial[k], sizeof j->trial[k], "%s", scn->name);
        j->n_use[k] = 0;
        itp_cal_param sub[ITP_CAL_MAX_PARAMS];
        for (int i = 0; i < j->n_params; i++) {
            if (!acts_on(j->p[i].path[0], scn) || population_has(j, scn, j->p[i].path[0]))
                continue;
            if (j->n_use[k] == ITP_CAL_MAX_PARAMS) {
                snprintf(err, errlen, "%s: more than %d of the joint parameters act on %s", file,
                         ITP_CAL_MAX_PARAMS, j->scenario[k]);
                st = ITP_EINPUT;
                break;
            }
            sub[j->n_use[k]] = j->p[i];
            j->use[k][j->n_use[k]++] = i;
        }
        if (!st) {
            itp_cal_use_params(j->cal[k], sub, j->n_use[k], j->per_arm);
            itp_cal_scale_by_uncertainty(j->cal[k]);
        }
    }
    if (st) {
        itp_joint_free(j);
        return st;
    }
    *out = j;
    return ITP_OK;
}

void itp_joint_free(itp_joint *j)
{
    if (!j)
        return;
    for (int k = 0; k < j->n; k++)
        itp_calibrator_free(j->cal[k]);
    free(j);
}

/* ---- evaluation and fit ---------------------------------------------------------- */

/* Trial k at the joint parameters x. */
static itp_status eval_trial(itp_joint *j, int k, const double *x, itp_cal_eval *ev, char *err,
                             size_t errlen)
{
    double sub[ITP_CAL_MAX_PARAMS];
    for (int m = 0; m < j->n_use[k]; m++)
        sub[m] = x[j->use[k][m]];
    return itp_cal_evaluate(j->cal[k], j->n_use[k] ? sub : NULL, ev, err, errlen);
}

int itp_joint_uses(const itp_joint *j, int k, int i)
{
    for (int m = 0; k >= 0 && k < j->n && m < j->n_use[k]; m++)
        if (j->use[k][m] == i)
            return 1;
    return 0;
}


/* Trial k's fitted targets: their residuals at ev into r. */
static int trial_residuals(const itp_joint *j, int k, const itp_cal_eval *ev, double *r)
{
    const itp_cal_spec *s = itp_calibrator_spec(j->cal[k]);
    int n = 0;
    for (int t = 0; t < s->n_targets; t++)
        if (s->t[t].fit)
            r[n++] = itp_cal_residual(&s->t[t], ev->value[t]);
    return n;
}

static int trial_rows(const itp_joint *j, int k)
{
    const itp_cal_spec *s = itp_calibrator_spec(j->cal[k]);
    int n = 0;
    for (int t = 0; t < s->n_targets; t++)
        n += s->t[t].fit;
    return n;
}

/* The fit of every trial but left_out (-1: none): the residuals of their
 * fitted targets, trial by trial, as a function of the transformed
 * parameters u (x = itp_cal_from_u(u)); a Levenberg-Marquardt trust
 * region (GSL multifit_nlinear) on them, with the Jacobian by forward
 * differences of step_u in u, each column re-evaluating only the trials
 * its parameter acts on (common random numbers keep the differences
 * smooth). */
typedef struct lm_ctx {
    itp_joint *j;
    int left_out;
    FILE *progress;
    int iter;
    itp_status st;
    char *err;
    size_t errlen;
    int rows;                      /* residuals */
    int row0[JOINT_MAX];           /* trial k's first row (-1: left out) */
    double u_at[NP];               /* the point of ev and r (has_at) */
    int has_at;
    itp_cal_eval ev[JOINT_MAX];
    double r[JOINT_MAX * ITP_CAL_MAX_TARGETS];
} lm_ctx;

static void lm_setup(lm_ctx *c, itp_joint *j, int left_out, FILE *progress, char *err,
                     size_t errlen)
{
    memset(c, 0, sizeof *c);
    c->j = j;
    c->left_out = left_out;
    c->progress = progress;
    c->err = err;
    c->errlen = errlen;
    for (int k = 0; k < j->n; k++) {
        c->row0[k] = k == left_out ? -1 : c->rows;
        c->rows += k == left_out ? 0 : trial_rows(j, k);
    }
}

static void x_of(const itp_joint *j, const gsl_vector *u, double *x)
{
    for (int i = 0; i < j->n_params; i++)
        x[i] = itp_cal_from_u(&j->p[i], gsl_vector_get(u, (size_t)i));
}

/* Every included trial at u: c->ev and c->r. */
static itp_status lm_at(lm_ctx *c, const gsl_vector *u)
{
    itp_joint *j = c->j;
    int same = c->has_at;
    for (int i = 0; same && i < j->n_params; i++)
        same = c->u_at[i] == gsl_vector_get(u, (size_t)i);
    if (same)
        return ITP_OK;
    double x[NP];
    x_of(j, u, x);
    for (int k = 0; k < j->n; k++) {
        if (k == c->left_out)
            continue;
        itp_status st = eval_trial(j, k, x, &c->ev[k], c->err, c->errlen);
        if (st)
            return st;
        trial_residuals(j, k, &c->ev[k], c->r + c->row0[k]);
    }
    for (int i = 0; i < j->n_params; i++)
        c->u_at[i] = gsl_vector_get(u, (size_t)i);
    c->has_at = 1;
    return ITP_OK;
}

static int lm_f(const gsl_vector *u, void *vc, gsl_vector *f)
{
    lm_ctx *c = vc;
    if (c->st || (c->st = lm_at(c, u)))
        return GSL_EBADFUNC;
    for (int r = 0; r < c->rows; r++)
        gsl_vector_set(f, (size_t)r, c->r[r]);
    return GSL_SUCCESS;
}

static itp_status lm_jacobian(lm_ctx *c, const gsl_vector *u, gsl_matrix *jac)
{
    itp_joint *j = c->j;
    itp_status st = lm_at(c, u);
    if (st)
        return st;
    double x[NP], r1[ITP_CAL_MAX_TARGETS];
    x_of(j, u, x);
    gsl_matrix_set_zero(jac);
    for (int i = 0; i < j->n_params; i++) {
        double keep = x[i], h = c->j->step_u;
        x[i] = itp_cal_from_u(&j->p[i], gsl_vector_get(u, (size_t)i) + h);
        for (int k = 0; k < j->n; k++) {
            if (k == c->left_out || !itp_joint_uses(j, k, i))
                continue;
            itp_cal_eval ev;
            if ((st = eval_trial(j, k, x, &ev, c->err, c->errlen)))
                return st;
            int n = trial_residuals(j, k, &ev, r1);
            for (int t = 0; t < n; t++)
                gsl_matrix_set(jac, (size_t)(c->row0[k] + t), (size_t)i,
                               (r1[t] - c->r[c->row0[k] + t]) / h);
        }
        x[i] = keep;
    }
    return ITP_OK;
}

static int lm_df(const gsl_vector *u, void *vc, gsl_matrix *jac)
{
    lm_ctx *c = vc;
    if (c->st || (c->st = lm_jacobian(c, u, jac)))
        return GSL_EBADFUNC;
    return GSL_SUCCESS;
}

static void lm_progress(const size_t iter, void *vc, const gsl_multifit_nlinear_workspace *w)
{
    lm_ctx *c = vc;
    const gsl_vector *f = gsl_multifit_nlinear_residual(w);
    double ss;
    gsl_blas_ddot(f, f, &ss);
    c->iter = (int)iter;
    if (c->progress) {
        fprintf(c->progress, "calibrate: %s%s%siteration %zu: objective %.4f\n",
                c->left_out >= 0 ? "without " : "",
                c->left_out >= 0 ? c->j->trial[c->left_out] : "",
                c->left_out >= 0 ? ", " : "", iter, ss);
        fflush(c->progress);
    }
}

/* Fits from x0 (at most iters iterations) without trial left_out; best
 * gets the parameters. A parameter acting on no included trial keeps its
 * value (its Jacobian column is zero). */
static itp_status joint_fit(itp_joint *j, int left_out, const double *x0, int iters,
                            double *best, FILE *progress, char *err, size_t errlen)
{
    static lm_ctx c;
    lm_setup(&c, j, left_out, progress, err, errlen);
    size_t np = (size_t)j->n_params, nr = (size_t)c.rows;
    memcpy(best, x0, np * sizeof *best);
    if (iters <= 0 || nr == 0)
        return ITP_OK;
    gsl_multifit_nlinear_parameters fp = gsl_multifit_nlinear_default_parameters();
    gsl_multifit_nlinear_fdf fdf = {lm_f, lm_df, NULL, nr, np, &c, 0, 0, 0};
    gsl_multifit_nlinear_workspace *w =
        nr >= np ? gsl_multifit_nlinear_alloc(gsl_multifit_nlinear_trust, &fp, nr, np) : NULL;
    gsl_vector *u = gsl_vector_alloc(np);
    if (!w || !u) {
        if (w)
            gsl_multifit_nlinear_free(w);
        gsl_vector_free(u);
        snprintf(err, errlen, "%s", nr < np ? "fewer fitted targets than parameters"
                                            : "out of memory");
        return nr < np ? ITP_EINPUT : ITP_ENOMEM;
    }
    for (size_t i = 0; i < np; i++)
        gsl_vector_set(u, i, itp_cal_to_u(&j->p[i], x0[i]));
    gsl_error_handler_t *old = gsl_set_error_handler_off();
    int info = 0, rc = gsl_multifit_nlinear_init(u, &fdf, w);
    if (rc == GSL_SUCCESS)
        rc = gsl_multifit_nlinear_driver((size_t)iters, 1e-4, 1e-6, 1e-6, lm_progress, &c,
                                         &info, w);
    gsl_set_error_handler(old);
    if (!c.st)
        x_of(j, gsl_multifit_nlinear_position(w), best);
    gsl_multifit_nlinear_free(w);
    gsl_vector_free(u);
    return c.st;
}

/* Every trial but `left_out` (-1: none) at x; ev[k] for each. */
static itp_status eval_all(itp_joint *j, const double *x, int left_out, itp_cal_eval *ev,
                           double *objective, char *err, size_t errlen)
{
    *objective = 0.0;
    for (int k = 0; k < j->n; k++) {
        if (k == left_out)
            continue;
        itp_status st = eval_trial(j, k, x, &ev[k], err, errlen);
        if (st)
            return st;
        *objective += ev[k].objective;
    }
    return ITP_OK;
}

/* ---- uncertainty: Laplace from the residuals' Jacobian --------------------------------- */

/* The objective is the sum of squared residuals, each (simulated -
 * published) / SE: minus twice a log-likelihood, up to a constant. Its
 * Gauss-Newton Hessian in u, J'J (J the residuals' Jacobian at the fit),
 * is twice the precision of the likelihood's Laplace approximation with a
 * flat prior on u... (x2 / 2 cancel: -log L = S / 2, so the precision is
 * J'J): u ~ N(u*, (J'J)^-1). cov gets (J'J)^-1; *ridge the ridge added to
 * J'J's diagonal when singular (a parameter no target moves: then an SD
 * of about 100 in u, the whole of its bounds). */
static itp_status laplace(itp_joint *j, const double *best, gsl_matrix *cov, double *ridge,
                          char *err, size_t errlen)
{
    static lm_ctx c;
    lm_setup(&c, j, -1, NULL, err, errlen);
    size_t np = (size_t)j->n_params;
    gsl_matrix *jac = gsl_matrix_alloc((size_t)c.rows, np);
    gsl_matrix *h = gsl_matrix_alloc(np, np);
    gsl_vector *u = gsl_vector_alloc(np);
    itp_status st = !jac || !h || !u ? ITP_ENOMEM : ITP_OK;
    for (size_t i = 0; !st && i < np; i++)
        gsl_vector_set(u, i, itp_cal_to_u(&j->p[i], best[i]));
    if (!st)
        st = lm_jacobian(&c, u, jac);
    if (!st) {
        gsl_blas_dgemm(CblasTrans, CblasNoTrans, 1.0, jac, jac, 0.0, h);
        *ridge = 0.0;
        gsl_error_handler_t *old = gsl_set_error_handler_off();
        for (int attempt = 0; attempt < 12; attempt++) {
            gsl_matrix_memcpy(cov, h);
            for (size_t a = 0; a < np; a++)
                gsl_matrix_set(cov, a, a, gsl_matrix_get(h, a, a) + *ridge);
            if (gsl_linalg_cholesky_decomp1(cov) == GSL_SUCCESS &&
                gsl_linalg_cholesky_invert(cov) == GSL_SUCCESS)
                break;
            *ridge = *ridge > 0 ? *ridge * 10 : 1e-4;
        }
        gsl_set_error_handler(old);
    }
    gsl_matrix_free(jac);
    gsl_matrix_free(h);
    gsl_vector_free(u);
    return st;
}

itp_status itp_joint_fit(itp_joint *j, double *best, double *lo, double *hi, int *ridged,
                         char *err, size_t errlen)
{
    double start[NP];
    int np = j->n_params;
    for (int i = 0; i < np; i++)
        start[i] = j->p[i].start;
    itp_status st = joint_fit(j, -1, start, j->iters, best, NULL, err, errlen);
    if (st)
        return st;
    gsl_matrix *cov = gsl_matrix_alloc((size_t)np, (size_t)np);
    double ridge = 0.0;
    if (!cov)
        return ITP_ENOMEM;
    if (!(st = laplace(j, best, cov, &ridge, err, errlen)))
        for (int i = 0; i < np; i++) {
            double u = itp_cal_to_u(&j->p[i], best[i]);
            double sd = sqrt(gsl_matrix_get(cov, (size_t)i, (size_t)i));
            lo[i] = itp_cal_from_u(&j->p[i], u - 1.96 * sd);
            hi[i] = itp_cal_from_u(&j->p[i], u + 1.96 * sd);
        }
    *ridged = ridge > 0.0;
    gsl_matrix_free(cov);
    return st;
}

/* ---- the run --------------------------------------------------------------------------- */

static int in_ci(const itp_cal_target *t, double v, double *lo, double *hi)
{
    if (!isnan(t->ci_low)) {
        *lo = t->ci_low;
        *hi = t->ci_high;
    } else {
        /* a rate without a published CI: value +/- 1.96 binomial SE at the
         * arm's size (the scale of the fit) */
        *lo = t->quantity == ITP_Q_HR ? t->value * exp(-1.96 * t->scale / t->value)
                                      : t->value - 1.96 * t->scale;
        *hi = t->quantity == ITP_Q_HR ? t->value * exp(1.96 * t->scale / t->value)
                                      : t->value + 1.96 * t->scale;
    }
    return !isnan(v) && v >= *lo && v <= *hi;
}


itp_status itp_joint_run(itp_joint *j, const char *dir, FILE *progress, FILE *out, char *err,
                         size_t errlen)
{
    static itp_cal_eval ev0[JOINT_MAX], ev[JOINT_MAX], pred[JOINT_MAX];
    double start[NP], best[NP], obj0, obj;
    int np = j->n_params;
    for (int i = 0; i < np; i++)
        start[i] = j->p[i].start;
    itp_status st = itp_mkdir_p(dir, err, errlen);
    if (!st)
        st = eval_all(j, start, -1, ev0, &obj0, err, errlen);
    if (!st)
        st = joint_fit(j, -1, start, j->iters, best, progress, err, errlen);
    if (!st)
        st = eval_all(j, best, -1, ev, &obj, err, errlen);
    if (st)
        return st;
    /* leave one trial out: refit without trial k from the starting values
     * (what trial k alone informs stays there), then predict k */
    static double loto[JOINT_MAX][NP];
    for (int k = 0; k < j->n; k++) {
        if ((st = joint_fit(j, k, start, j->loto_iters, loto[k], progress, err, errlen)) ||
            (st = eval_trial(j, k, loto[k], &pred[k], err, errlen)))
            return st;
    }
    /* uncertainty */
    gsl_matrix *cov = gsl_matrix_alloc((size_t)np, (size_t)np);
    double ridge = 0.0;
    if (!cov)
        return ITP_ENOMEM;
    if ((st = laplace(j, best, cov, &ridge, err, errlen))) {
        gsl_matrix_free(cov);
        return st;
    }
    double lo[NP], hi[NP];
    for (int i = 0; i < np; i++) {
        double u = itp_cal_to_u(&j->p[i], best[i]);
        double sd = sqrt(gsl_matrix_get(cov, (size_t)i, (size_t)i));
        lo[i] = itp_cal_from_u(&j->p[i], u - 1.96 * sd);
        hi[i] = itp_cal_from_u(&j->p[i], u + 1.96 * sd);
    }
    /* the draws, in the parameters' own units */
    itp_out o;
    if ((st = itp_out_open(&o, dir, "draws.csv", err, errlen))) {
        gsl_matrix_free(cov);
        return st;
    }
    fputs("draw", o.f);
    for (int i = 0; i < np; i++)
        fprintf(o.f, ",%s", j->p[i].path[0]);
    fputc('\n', o.f);
    if (j->n_draws > 0) {
        gsl_matrix *l = gsl_matrix_alloc((size_t)np, (size_t)np);
        gsl_vector *mu = gsl_vector_alloc((size_t)np), *z = gsl_vector_alloc((size_t)np);
        gsl_rng *r = gsl_rng_alloc(itp_rng_xoshiro256pp);
        if (!l || !mu || !z || !r) {
            st = ITP_ENOMEM;
        } else {
            gsl_matrix_memcpy(l, cov);
            gsl_error_handler_t *old = gsl_set_error_handler_off();
            if (gsl_linalg_cholesky_decomp1(l) != GSL_SUCCESS)
                st = ITP_EINTERNAL;
            gsl_set_error_handler(old);
            for (int i = 0; i < np; i++)
                gsl_vector_set(mu, (size_t)i, itp_cal_to_u(&j->p[i], best[i]));
            itp_rng_stream(r, j->seed, 0, 0, 98);
            for (int d = 0; !st && d < j->n_draws; d++) {
                gsl_ran_multivariate_gaussian(r, mu, l, z);
                fprintf(o.f, "%d", d + 1);
                for (int i = 0; i < np; i++)
                    fprintf(o.f, ",%.6g", itp_cal_from_u(&j->p[i], gsl_vector_get(z, (size_t)i)));
                fputc('\n', o.f);
            }
        }
        gsl_matrix_free(l);
        gsl_vector_free(mu);
        gsl_vector_free(z);
        if (r)
            gsl_rng_free(r);
    }
    gsl_matrix_free(cov);
    if (st) {
        itp_out_abort(&o);
        snprintf(err, errlen, "%s", itp_strerror(st));
        return st;
    }
    if ((st = itp_out_commit(&o, err, errlen)))
        return st;
    /* the fitted parameters, as a file the scenarios include; each with
     * the trials it acts on */
    {
        const char *paths[NP], *units[NP], *srcs[NP];
        static char source[NP][1024];
        char header[1024];
        for (int i = 0; i < np; i++) {
            paths[i] = j->p[i].path[0];
            units[i] = j->p[i].unit;
            size_t used = (size_t)snprintf(source[i], sizeof source[i], "fitted jointly to ");
            for (int k = 0, first = 1; k < j->n && used < sizeof source[i]; k++)
                if (itp_joint_uses(j, k, i)) {
                    used += (size_t)snprintf(source[i] + used, sizeof source[i] - used, "%s%s",
                                             first ? "" : ", ", j->trial[k]);
                    first = 0;
                }
            if (used < sizeof source[i])
                snprintf(source[i] + used, sizeof source[i] - used,
                         " (the trials it acts on), see results/calibration/joint.md");
            srcs[i] = source[i];
        }
        snprintf(header, sizeof header,
                 "# Parameters fitted jointly to the seeded trials by `itpsim calibrate %s`\n"
                 "# (results/calibration/joint.md). A scenario uses them with @include; its\n"
                 "# own settings take precedence. Population values sit under populations\n"
                 "# and act on the scenarios that enrol that population.\n",
                 j->file);
        if ((st = itp_cal_write_params(dir, "fitted.cfg", np, paths, best, units, srcs, header,
                                       err, errlen)))
            return st;
    }
    /* the report */
    if ((st = itp_out_open(&o, dir, "joint.md", err, errlen)))
        return st;
    FILE *m = o.f;
    int primary_in = 0, loto_in = 0;
    fprintf(m, "# Joint calibration: %d trials\n\n", j->n);
    fprintf(m, "Regenerate with `make calibration` (`itpsim calibrate %s`). One parameter set "
               "for every trial: a drug's parameters act on every trial that gives the drug, a "
               "population's on every trial that enrols it, the others on all. Expected values "
               "from a cohort of at least %d patients per arm per trial, the same for every "
               "parameter vector (common random numbers). The objective is the sum over every "
               "trial's fitted targets of ((simulated - published) / SE)^2, the SE the 95%% CI's "
               "half-width / 1.96 where one is published (hazard ratios on the log scale), else "
               "for a rate the binomial SE at the arm's size (or the target's own `scale`). "
               "Levenberg-Marquardt (GSL multifit_nlinear, trust region) on the residuals in the "
               "transformed parameters, the Jacobian by forward differences of %g in u, at most "
               "%d iterations from the starting values; each leave-one-trial-out refit starts "
               "from the starting values too (what the left-out trial alone informs stays "
               "there), at most %d iterations.\n\n",
            j->file, j->per_arm, j->step_u, j->iters, j->loto_iters);
    fprintf(m, "Objective: %.3f at the starting values, %.3f fitted.\n\n", obj0, obj);
    fputs("## Trials\n\nPer target: published value and 95% CI (a rate without a published CI: "
          "+/- 1.96 binomial SE at the arm's size, marked *), the simulated value at the start "
          "and fitted (MCSE in brackets), whether the fitted value is inside the CI, and its "
          "contribution to the objective. The trial's primary figure is marked P.\n\n", m);
    for (int k = 0; k < j->n; k++) {
        const itp_cal_spec *s = itp_calibrator_spec(j->cal[k]);
        fprintf(m, "### %s (`%s`): objective %.3f\n\n", j->trial[k], j->scenario[k],
                ev[k].objective);
        fputs("| target | published | 95% CI | start | fitted | inside | contribution |\n"
              "|---|---|---|---|---|---|---|\n", m);
        for (int t = 0; t < s->n_targets; t++) {
            const itp_cal_target *tg = &s->t[t];
            double clo, chi, rr = itp_cal_residual(tg, ev[k].value[t]);
            int in = in_ci(tg, ev[k].value[t], &clo, &chi);
            char a[48], b[48], c[32] = "-";
            itp_cal_fmt_value(a, sizeof a, ev0[k].value[t], ev0[k].se[t]);
            itp_cal_fmt_value(b, sizeof b, ev[k].value[t], ev[k].se[t]);
            if (tg->fit)
                snprintf(c, sizeof c, "%.3f", rr * rr);
            fprintf(m, "| %s%s%s | %.3f | [%.3f, %.3f]%s | %s | %s | %s | %s |\n", tg->name,
                    t == s->primary ? " (P)" : "", tg->fit ? "" : " (held out)", tg->value, clo,
                    chi, isnan(tg->ci_low) ? "*" : "", a, b, in ? "yes" : "no", c);
            if (t == s->primary)
                primary_in += in;
        }
        fputc('\n', m);
    }
    fputs("## Leave one trial out\n\nEach trial's primary figure predicted by the model "
          "refitted without that trial's targets.\n\n"
          "| trial | primary | published | 95% CI | joint fit | left out | inside |\n"
          "|---|---|---|---|---|---|---|\n", m);
    for (int k = 0; k < j->n; k++) {
        const itp_cal_spec *s = itp_calibrator_spec(j->cal[k]);
        const itp_cal_target *tg = &s->t[s->primary];
        double clo, chi;
        int in = in_ci(tg, pred[k].value[s->primary], &clo, &chi);
        char a[48], b[48];
        itp_cal_fmt_value(a, sizeof a, ev[k].value[s->primary], ev[k].se[s->primary]);
        itp_cal_fmt_value(b, sizeof b, pred[k].value[s->primary], pred[k].se[s->primary]);
        fprintf(m, "| %s | %s | %.3f | [%.3f, %.3f]%s | %s | %s | %s |\n", j->trial[k],
                tg->name, tg->value, clo, chi, isnan(tg->ci_low) ? "*" : "", a, b,
                in ? "yes" : "no");
        loto_in += in;
    }
    fprintf(m, "\nPrimary figures inside their 95%% CI: %d of %d fitted, %d of %d left out.\n\n",
            primary_in, j->n, loto_in, j->n);
    fprintf(m, "## Parameters\n\nFitted values with 95%% intervals from the Laplace "
               "approximation in the transformed scale (u = logit of the position within the "
               "bounds): u ~ N(u*, (J'J)^-1), J the Jacobian of the residuals (forward "
               "differences, step %g in u)%s. `draws.csv` holds %d draws from it, in the "
               "parameters' own units.\n\n"
               "| parameter | unit | start | fitted | 95%% interval | bounds | trials it acts on |\n"
               "|---|---|---|---|---|---|---|\n",
            j->step_u, ridge > 0 ? "; J'J was singular, and a ridge was added: a parameter "
                                   "with an interval near its bounds is not informed" : "",
            j->n_draws);
    for (int i = 0; i < np; i++) {
        fprintf(m, "| `%s` | %s | %.4g | %.4g | [%.4g, %.4g] | [%g, %g] | ", j->p[i].path[0],
                j->p[i].unit, j->p[i].start, best[i], lo[i], hi[i], j->p[i].min, j->p[i].max);
        int first = 1;
        for (int k = 0; k < j->n; k++)
            for (int u = 0; u < j->n_use[k]; u++)
                if (j->use[k][u] == i) {
                    fprintf(m, "%s%s", first ? "" : ", ", j->trial[k]);
                    first = 0;
                }
        fputs(first ? "none |\n" : " |\n", m);
    }
    if ((st = itp_out_commit(&o, err, errlen)))
        return st;
    if (out) {
        fprintf(out, "joint calibration of %d trials: objective %.3f -> %.3f; primary figures "
                     "inside their CI: %d of %d fitted, %d of %d left out\n",
                j->n, obj0, obj, primary_in, j->n, loto_in, j->n);
        for (int i = 0; i < np; i++)
            fprintf(out, "  %-52s %.4g -> %.4g  [%.4g, %.4g]\n", j->p[i].path[0], j->p[i].start,
                    best[i], lo[i], hi[i]);
        fprintf(out, "wrote %s/joint.md, %s/fitted.cfg, %s/draws.csv\n", dir, dir, dir);
    }
    return ITP_OK;
}
