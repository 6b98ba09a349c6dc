/* The design sections of a scenario: treatment components, arms,
 * allocation, strata; see internal.h. */
#include "itpsim/scenario.h"

#include <ctype.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include "internal.h"

#define DPM ITP_DAYS_PER_MONTH

itp_status itp_scn_read_arms(itp_reader *rd, itp_scenario *scn,
                             const config_setting_t *root)
{
    static const char *const arm_keys[] = {"name", "ratio", "treatments",
                                           "hazard_per_month", NULL};
    const config_setting_t *list;
    itp_status st = itp_rd_child(rd, root, "arms", CONFIG_TYPE_LIST, 1, &list);
    if (st)
        return st;
    int n = config_setting_length(list);
    if (n < 1 || n > ITP_MAX_ARMS)
        return itp_rd_fail(rd, list, "expected 1 to %d arms, got %d", ITP_MAX_ARMS, n);
    scn->n_arms = n;
    for (int a = 0; a < n; a++) {
        const config_setting_t *g = config_setting_get_elem(list, (unsigned)a);
        itp_arm *arm = &scn->arms[a];
        if (!config_setting_is_group(g))
            return itp_rd_fail(rd, g, "expected a group { name = ...; ratio = ...; ... }");
        if ((st = itp_rd_keys(rd, g, arm_keys, NULL)) ||
            (st = itp_rd_string(rd, g, "name", NULL, arm->name, sizeof arm->name)) ||
            (st = itp_rd_double_or(rd, g, "ratio", ITP_POSITIVE(1000.0), 1.0, &arm->ratio)))
            return st;
        if (strpbrk(arm->name, ",\"\n"))
            return itp_rd_fail(rd, itp_member(g, "name"),
                               "arm names may not contain commas, quotes or newlines");
        for (int b = 0; b < a; b++)
            if (strcmp(scn->arms[b].name, arm->name) == 0)
                return itp_rd_fail(rd, itp_member(g, "name"),
                                   "duplicate arm name '%s'", arm->name);
        if ((st = itp_rd_array(rd, g, "hazard_per_month", ITP_CLOSED(0.0, 100.0), 0,
                               arm->hazard_per_month, ITP_MAX_PIECES, &arm->n_hazard)))
            return st;
        const config_setting_t *tr = itp_member(g, "treatments");
        arm->n_components = 0;
        if (!tr)
            continue;
        if (config_setting_type(tr) != CONFIG_TYPE_ARRAY)
            return itp_rd_fail(rd, tr, "expected an array of component names [\"...\", ...]");
        int nt = config_setting_length(tr);
        if (nt > ITP_MAX_ARM_COMPONENTS)
            return itp_rd_fail(rd, tr, "expected at most %d treatments", ITP_MAX_ARM_COMPONENTS);
        for (int t = 0; t < nt; t++) {
            const config_setting_t *e = config_setting_get_elem(tr, (unsigned)t);
            if (config_setting_type(e) != CONFIG_TYPE_STRING)
                return itp_rd_fail(rd, e, "expected a component name (a string)");
            const char *cname = config_setting_get_string(e);
            int found = itp_scenario_component(scn, cname);
            if (found < 0) {
                const char *best = NULL;
                int bestd = 99;
                for (int c = 0; c < scn->n_components; c++) {
                    int d = itp_edit_distance(cname, scn->components[c].name);
                    if (d < bestd) { bestd = d; best = scn->components[c].name; }
                }
                if (best && bestd <= 3)
                    return itp_rd_fail(rd, e, "no component '%s' in components; did you mean '%s'?",
                                       cname, best);
                return itp_rd_fail(rd, e, "no component '%s' in components", cname);
            }
            if (scn->components[found].type->rescue_only)
                return itp_rd_fail(rd, e, "'%s' is of type %s, given only as rescue: name it in "
                                   "rescue.treatments", cname,
                                   scn->components[found].type->name);
            /* two of a type are allowed (two TPO-RAs, a steroid and
             * another); the same component twice is not */
            for (int u = 0; u < arm->n_components; u++)
                if (arm->component[u] == found)
                    return itp_rd_fail(rd, e, "component '%s' twice in one arm", cname);
            arm->component[arm->n_components++] = found;
        }
    }
    char ctrl[ITP_NAME_MAX];
    if ((st = itp_rd_string(rd, root, "control", scn->arms[n - 1].name, ctrl, sizeof ctrl)))
        return st;
    scn->control_arm = itp_scenario_arm(scn, ctrl);
    if (scn->control_arm < 0)
        return itp_rd_fail(rd, itp_member(root, "control"),
                           "no arm named '%s'", ctrl);
    return ITP_OK;
}


/* A drug's name is a group's name in the defaults file: a letter, then
 * letters, digits and '_'. */
static int drug_name_ok(const char *s)
{
    if (!isalpha((unsigned char)s[0]))
        return 0;
    for (; *s; s++)
        if (!isalnum((unsigned char)*s) && *s != '_')
            return 0;
    return 1;
}

/* The drug of component group c (for a type with drugs) and the paths of
 * its defaults (TYPE.DRUG) and of the group whose parameters its keys may
 * name (the same, or the default drug's for a drug given whole in the
 * scenario). */
static itp_status component_drug(itp_reader *rd, const config_setting_t *c, itp_component *comp,
                                 char *defpath, char *keypath, size_t len)
{
    const itp_component_type *t = comp->type;
    comp->drug[0] = '\0';
    if (!t->default_drug) {
        snprintf(defpath, len, "%s", t->name);
        snprintf(keypath, len, "%s", t->name);
        return ITP_OK;
    }
    itp_status st = itp_rd_string(rd, c, "drug", t->default_drug, comp->drug, sizeof comp->drug);
    if (st)
        return st;
    if (!drug_name_ok(comp->drug))
        return itp_rd_fail(rd, itp_member(c, "drug"),
                           "expected a drug name of letters, digits and '_'");
    snprintf(defpath, len, "%s.%s", t->name, comp->drug);
    if (!itp_reader_has_group(rd, defpath))
        return itp_rd_fail(rd, itp_member(c, "drug"),
                           "unknown %s drug '%s': no group %s in the defaults file or the "
                           "scenario", t->name, comp->drug, defpath);
    itp_drug_params_path(rd, t, comp->drug, keypath, len);
    return ITP_OK;
}

itp_status itp_scn_read_components(itp_reader *rd, itp_scenario *scn,
                                   const config_setting_t *root)
{
    const config_setting_t *g;
    itp_status st = itp_rd_child(rd, root, "components", CONFIG_TYPE_GROUP, 0, &g);
    if (st || !g)
        return st;
    int n = config_setting_length(g);
    if (n > ITP_MAX_COMPONENTS)
        return itp_rd_fail(rd, g, "expected at most %d components", ITP_MAX_COMPONENTS);
    for (int i = 0; i < n; i++) {
        const config_setting_t *c = config_setting_get_elem(g, (unsigned)i);
        itp_component *comp = &scn->components[i];
        if (!config_setting_is_group(c))
            return itp_rd_fail(rd, c, "expected a group { type = \"...\"; ... }");
        char type[ITP_NAME_MAX];
        if ((st = itp_rd_name(rd, c, comp->name, sizeof comp->name)) ||
            (st = itp_rd_string(rd, c, "type", NULL, type, sizeof type)))
            return st;
        comp->type = itp_component_type_find(type);
        if (!comp->type) {
            char names[256];
            itp_type_names((const void *const *)itp_component_types, 0, names, sizeof names);
            return itp_rd_fail(rd, itp_member(c, "type"),
                               "unknown component type '%s' (known: %s)", type, names);
        }
        char defpath[2 * ITP_NAME_MAX + 2], keypath[2 * ITP_NAME_MAX + 2];
        if ((st = component_drug(rd, c, comp, defpath, keypath, sizeof defpath)))
            return st;
        if ((st = itp_rd_keys_plus(rd, c, comp->type->keys,
                                   comp->type->default_drug ? "drug" : NULL, keypath)))
            return st;
        scn->n_components = i + 1;
        if ((st = comp->type->parse(rd, c, defpath, &comp->params)))
            return st;
    }
    return ITP_OK;
}

itp_status itp_scn_read_allocation(itp_reader *rd, itp_scenario *scn,
                                   const config_setting_t *root)
{
    static const char *const keys[] = {"method", "block_size", NULL};
    const config_setting_t *g;
    char method[32];
    itp_status st = itp_rd_child(rd, root, "allocation", CONFIG_TYPE_GROUP, 0, &g);
    if (st || (st = itp_rd_keys(rd, g, keys, NULL)) ||
        (st = itp_rd_string(rd, g, "method", "permuted_blocks", method, sizeof method)))
        return st;
    double sum = 0.0;
    int integral = 1;
    for (int a = 0; a < scn->n_arms; a++) {
        sum += scn->arms[a].ratio;
        integral &= scn->arms[a].ratio == floor(scn->arms[a].ratio);
    }
    if (strcmp(method, "simple") == 0) {
        scn->alloc = ITP_ALLOC_SIMPLE;
        if (itp_member(g, "block_size"))   /* it would be ignored */
            return itp_rd_fail(rd, itp_member(g, "block_size"),
                               "block_size is for method = \"permuted_blocks\", not \"simple\"");
        return ITP_OK;
    }
    if (strcmp(method, "permuted_blocks") != 0)
        return itp_rd_fail(rd, itp_member(g, "method"),
                           "expected \"permuted_blocks\" or \"simple\", got \"%s\"", method);
    scn->alloc = ITP_ALLOC_BLOCKS;
    if (!integral)
        return itp_rd_fail(rd, itp_root_elem(rd, "arms", -1),
                           "permuted blocks need whole-number arm ratios (or method = \"simple\")");
    if (sum > 64.0)
        return itp_rd_fail(rd, itp_root_elem(rd, "arms", -1),
                           "permuted blocks need arm ratios that sum to at most 64 (the largest "
                           "allocation.block_size), got %g", sum);
    int isum = (int)sum;
    if ((st = itp_rd_int_or(rd, g, "block_size", 1, 64, isum * (isum <= 32 ? 2 : 1),
                            &scn->block_size)))
        return st;
    if (scn->block_size % isum)
        return itp_rd_fail(rd, itp_member(g, "block_size"),
                           "expected a multiple of the sum of the arm ratios (%d), got %d",
                           isum, scn->block_size);
    return ITP_OK;
}

itp_status itp_scn_read_strata(itp_reader *rd, itp_scenario *scn,
                               const config_setting_t *root)
{
    static const char *const keys[] = {"name", "probs", "covariate", "cuts", NULL};
    const config_setting_t *list;
    itp_status st = itp_rd_child(rd, root, "strata", CONFIG_TYPE_LIST, 0, &list);
    scn->n_strata = 1;
    if (st || !list)
        return st;
    int n = config_setting_length(list);
    if (n > ITP_MAX_FACTORS)
        return itp_rd_fail(rd, list, "expected at most %d stratification factors", ITP_MAX_FACTORS);
    for (int i = 0; i < n; i++) {
        const config_setting_t *g = config_setting_get_elem(list, (unsigned)i);
        itp_factor *f = &scn->factors[i];
        if (!config_setting_is_group(g))
            return itp_rd_fail(rd, g, "expected a group { name = ...; probs = [...]; }");
        if ((st = itp_rd_keys(rd, g, keys, NULL)) ||
            (st = itp_rd_string(rd, g, "name", NULL, f->name, sizeof f->name)))
            return st;
        const config_setting_t *cov = itp_member(g, "covariate");
        if (cov) {
            char cv[32];
            int nc;
            if ((st = itp_rd_string(rd, g, "covariate", NULL, cv, sizeof cv)))
                return st;
            if (strcmp(cv, "baseline_count") != 0)
                return itp_rd_fail(rd, cov, "expected \"baseline_count\", got \"%s\"", cv);
            if ((st = itp_rd_array(rd, g, "cuts", ITP_POSITIVE(1e4), 1, f->cuts,
                                   ITP_MAX_LEVELS - 1, &nc)))
                return st;
            for (int k = 1; k < nc; k++)
                if (f->cuts[k] <= f->cuts[k - 1])
                    return itp_rd_fail(rd, itp_member(g, "cuts"),
                                       "expected increasing cuts");
            if (itp_member(g, "probs"))
                return itp_rd_fail(rd, itp_member(g, "probs"),
                                   "give either probs or covariate and cuts, not both");
            f->by_baseline_count = 1;
            f->n_levels = nc + 1;
        } else {
            if ((st = itp_rd_array(rd, g, "probs", ITP_POSITIVE(1.0), 1, f->prob,
                                   ITP_MAX_LEVELS, &f->n_levels)))
                return st;
            double s = 0.0;
            for (int k = 0; k < f->n_levels; k++)
                s += f->prob[k];
            if (fabs(s - 1.0) > 1e-9 || f->n_levels < 2)
                return itp_rd_fail(rd, itp_member(g, "probs"),
                                   "expected at least 2 probabilities summing to 1, got sum %g", s);
        }
        scn->n_factors = i + 1;
        scn->n_strata *= f->n_levels;
        if (scn->n_strata > ITP_MAX_STRATA)
            return itp_rd_fail(rd, g, "more than %d strata in all", ITP_MAX_STRATA);
    }
    return ITP_OK;
}
