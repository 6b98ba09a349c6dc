/* Joint calibration: the joint file (the scenarios, the free parameters
 * and which trials each acts on) and the evaluation of the trials at a
 * joint parameter vector (see calibrate.h, joint_internal.h). */
#include "joint_internal.h"

#include <stdlib.h>
#include <string.h>
#include "itpsim/component.h"

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

int itp_cal_path_acts(const char *path, const itp_scenario *scn, const char *const *paths, int n)
{
    char p[192];
    if (!acts_on(path, scn))
        return 0;
    /* a population's own parameter at the path hides the general one (a
     * scenario-wide setting would hide the population's value) */
    if (!scn->population[0] || strncmp(path, "populations.", 12) == 0)
        return 1;
    snprintf(p, sizeof p, "populations.%s.%s", scn->population, path);
    for (int i = 0; i < n; i++)
        if (strcmp(paths[i], p) == 0)
            return 0;
    return 1;
}

/* The free parameters: each read as a scenario's calibration parameter
 * (itp_cal_read_param), one path each (which trials it acts on follows
 * from the path), none twice. */
static itp_status read_params(itp_reader *rd, const config_setting_t *pl, itp_joint *j)
{
    j->n_params = config_setting_length(pl);
    if (j->n_params < 1 || j->n_params > NP)
        return itp_rd_fail(rd, pl, "expected 1 to %d parameters", NP);
    for (int i = 0; i < j->n_params; i++) {
        const config_setting_t *g = config_setting_get_elem(pl, (unsigned)i);
        itp_status st = itp_cal_read_param(rd, g, &j->p[i]);
        if (st)
            return st;
        if (j->p[i].n_paths != 1)
            return itp_rd_fail(rd, itp_member(g, "path"), "expected one path per joint parameter");
        for (int k = 0; k < i; k++)
            if (strcmp(j->p[k].path[0], j->p[i].path[0]) == 0)
                return itp_rd_fail(rd, itp_member(g, "path"), "'%s' twice", j->p[i].path[0]);
    }
    return ITP_OK;
}

/* The further starting points: each the starting values with the paths
 * listed set to the values listed (each path a joint parameter, each
 * value inside its bounds). */
static itp_status read_alternatives(itp_reader *rd, const config_setting_t *al, itp_joint *j)
{
    static const char *const keys[] = {"paths", "values", NULL};
    j->n_alt = al ? config_setting_length(al) : 0;
    if (j->n_alt > ITP_JOINT_MAX_STARTS)
        return itp_rd_fail(rd, al, "expected at most %d alternative starting points",
                           ITP_JOINT_MAX_STARTS);
    for (int a = 0; a < j->n_alt; a++) {
        const config_setting_t *g = config_setting_get_elem(al, (unsigned)a), *ps, *vs;
        double val[NP];
        itp_status st;
        int n;
        if (!config_setting_is_group(g))
            return itp_rd_fail(rd, g, "expected a group { paths = [...]; values = [...]; }");
        if ((st = itp_rd_keys(rd, g, keys, NULL)) ||
            (st = itp_rd_child(rd, g, "paths", CONFIG_TYPE_ARRAY, 1, &ps)) ||
            (st = itp_rd_array_def(rd, g, NULL, "values", ITP_CLOSED(-1e6, 1e6), val, NP, &n,
                                   &vs)))
            return st;
        if (!vs)
            return itp_rd_fail(rd, g, "missing setting 'values' (a number per path)");
        if (n != config_setting_length(ps))
            return itp_rd_fail(rd, vs, "expected one value per path (%d paths)",
                               config_setting_length(ps));
        itp_joint_starts(j, 0, j->alt[a]);
        for (int m = 0; m < n; m++) {
            const char *path = config_setting_get_string_elem(ps, (unsigned)m);
            int i = 0;
            while (path && i < j->n_params && strcmp(j->p[i].path[0], path) != 0)
                i++;
            if (!path || i == j->n_params)
                return itp_rd_fail(rd, ps, "'%s' is not one of the joint parameters",
                                   path ? path : "(not a string)");
            double x = val[m];
            if (!(x > j->p[i].min) || !(x < j->p[i].max))
                return itp_rd_fail(rd, vs, "'%s': expected a value inside its bounds (%g, %g)",
                                   path, j->p[i].min, j->p[i].max);
            j->alt[a][i] = x;
        }
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
                                       "draws", "jacobian_step", "alternative_starts", NULL};
    itp_reader *rd;
    itp_status st = itp_reader_open(&rd, file, defaults, NULL, 0, err, errlen);
    if (st)
        return st;
    const config_setting_t *root = itp_reader_root(rd), *sl, *pl, *al;
    if ((st = itp_rd_keys(rd, root, keys, NULL)) ||
        (st = itp_rd_child(rd, root, "scenarios", CONFIG_TYPE_ARRAY, 1, &sl)) ||
        (st = itp_rd_child(rd, root, "parameters", CONFIG_TYPE_LIST, 1, &pl)) ||
        (st = itp_rd_int_or(rd, root, "patients_per_arm", 100, 1000000, 4000, &j->per_arm)) ||
        (st = itp_rd_int_or(rd, root, "iterations", 1, 1000, 20, &j->iters)) ||
        (st = itp_rd_int_or(rd, root, "loto_iterations", 0, 1000, 10, &j->loto_iters)) ||
        (st = itp_rd_int_or(rd, root, "draws", 0, 100000, 1000, &j->n_draws)) ||
        (st = itp_rd_double_or(rd, root, "jacobian_step", ITP_POSITIVE(2.0), 0.1, &j->step_u)) ||
        (st = read_params(rd, pl, j)) ||
        (st = itp_rd_child(rd, root, "alternative_starts", CONFIG_TYPE_LIST, 0, &al)) ||
        (st = read_alternatives(rd, al, j))) {
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
        snprintf(j->population[k], sizeof j->population[k], "%s", scn->population);
        j->n_use[k] = 0;
        itp_cal_param sub[ITP_CAL_MAX_PARAMS];
        const char *paths[NP];
        for (int i = 0; i < j->n_params; i++)
            paths[i] = j->p[i].path[0];
        for (int i = 0; i < j->n_params; i++) {
            if (!itp_cal_path_acts(paths[i], scn, paths, j->n_params))
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

void itp_joint_starts(const itp_joint *j, int s, double *x)
{
    for (int i = 0; i < j->n_params; i++)
        x[i] = s > 0 && s <= j->n_alt ? j->alt[s - 1][i] : j->p[i].start;
}

/* ---- evaluation ------------------------------------------------------------------ */

/* Trial k at the joint parameters x. */
itp_status itp_joint_eval_trial(itp_joint *j, int k, const double *x, itp_cal_eval *ev,
                                 char *err, size_t errlen)
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

/* Every trial but `left_out` (-1: none) at x; ev[k] for each. */
itp_status itp_joint_eval_all(itp_joint *j, const double *x, int left_out, itp_cal_eval *ev,
                               double *objective, char *err, size_t errlen)
{
    *objective = 0.0;
    for (int k = 0; k < j->n; k++) {
        if (k == left_out)
            continue;
        itp_status st = itp_joint_eval_trial(j, k, x, &ev[k], err, errlen);
        if (st)
            return st;
        *objective += ev[k].objective;
    }
    return ITP_OK;
}
