/* Joint calibration: the Levenberg-Marquardt fit on the trials'
 * residuals and the Laplace approximation of the parameters' uncertainty
 * (see calibrate.h, joint_internal.h). */
#include "joint_internal.h"

#include <math.h>
#include <string.h>
#include <gsl/gsl_blas.h>
#include <gsl/gsl_errno.h>
#include <gsl/gsl_linalg.h>
#include <gsl/gsl_multifit_nlinear.h>
#include <gsl/gsl_vector.h>

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
        itp_status st = itp_joint_eval_trial(j, k, x, &c->ev[k], c->err, c->errlen);
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
            if ((st = itp_joint_eval_trial(j, k, x, &ev, c->err, c->errlen)))
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
itp_status itp_joint_fit_from(itp_joint *j, int left_out, const double *x0, int iters,
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

itp_status itp_joint_fit_starts(itp_joint *j, double *best, double *start, FILE *progress,
                                char *err, size_t errlen)
{
    static itp_cal_eval ev[JOINT_MAX];
    double x0[NP], x[NP];
    size_t np = (size_t)j->n_params;
    j->chosen = 0;
    for (int s = 0; s <= j->n_alt; s++) {
        itp_joint_starts(j, s, x0);
        if (progress && j->n_alt > 0)
            fprintf(progress, "calibrate: starting point %d of %d\n", s + 1, j->n_alt + 1);
        itp_status st = itp_joint_fit_from(j, -1, x0, j->iters, x, progress, err, errlen);
        if (!st)
            st = itp_joint_eval_all(j, x, -1, ev, &j->fit_obj[s], err, errlen);
        if (st)
            return st;
        if (s == 0 || j->fit_obj[s] < j->fit_obj[j->chosen]) {
            j->chosen = s;
            memcpy(best, x, np * sizeof *best);
            memcpy(start, x0, np * sizeof *start);
        }
    }
    return ITP_OK;
}

/* ---- uncertainty: Laplace from the residuals' Jacobian --------------------------------- */

/* The objective is the sum of squared residuals, each (simulated -
 * published) / SE: minus twice a log-likelihood, up to a constant. Its
 * Gauss-Newton Hessian in u, J'J (J the residuals' Jacobian at the fit),
 * is twice the precision of the likelihood's Laplace approximation with a
 * flat prior on u... (x2 / 2 cancel: -log L = S / 2, so the precision is
 * J'J): u ~ N(u*, (J'J)^-1). cov gets (J'J)^-1, [lo, hi] the 95%
 * intervals from_u(u* -/+ 1.96 sd); *ridge the ridge added to J'J's
 * diagonal when singular (a parameter no target moves: then an SD of
 * about 100 in u, the whole of its bounds). */
itp_status itp_joint_laplace(itp_joint *j, const double *best, gsl_matrix *cov, double *lo,
                              double *hi, double *ridge, char *err, size_t errlen)
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
        for (size_t i = 0; i < np; i++) {
            double ui = gsl_vector_get(u, i), sd = sqrt(gsl_matrix_get(cov, i, i));
            lo[i] = itp_cal_from_u(&j->p[i], ui - 1.96 * sd);
            hi[i] = itp_cal_from_u(&j->p[i], ui + 1.96 * sd);
        }
    }
    gsl_matrix_free(jac);
    gsl_matrix_free(h);
    gsl_vector_free(u);
    return st;
}

itp_status itp_joint_fit(itp_joint *j, double *best, double *objective, double *lo, double *hi,
                         int *ridged, char *err, size_t errlen)
{
    double start[NP], ridge = 0.0;
    gsl_matrix *cov = gsl_matrix_alloc((size_t)j->n_params, (size_t)j->n_params);
    if (!cov)
        return ITP_ENOMEM;
    itp_status st = itp_joint_fit_starts(j, best, start, NULL, err, errlen);
    if (!st && objective)
        *objective = j->fit_obj[j->chosen];
    if (!st)
        st = itp_joint_laplace(j, best, cov, lo, hi, &ridge, err, errlen);
    *ridged = ridge > 0.0;
    gsl_matrix_free(cov);
    return st;
}
