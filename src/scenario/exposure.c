/* The exposures the fit saw (`fitted_exposures`) and the components of the
 * arms outside them: a dose the calibrated dose-response was not fitted
 * at is an extrapolation, which `check`, `run` and `sweep` name (the
 * scenario stays valid: asking about such a dose is the point of a dose
 * sweep, but the answer rests on the model's shape there, not on data).
 *
 * fitted_exposures = ( { drug = "TYPE.DRUG"; min; max; unit; source; }, ... )
 * is written by the joint calibration beside the fitted parameters: per
 * drug, the lowest and highest exposure (component.h: the quantity its
 * dose-response is in) of the arms of the trials fitted. */
#include <math.h>
#include <stdio.h>
#include <string.h>
#include "itpsim/component.h"
#include "internal.h"

#define MAX_FITTED 32

typedef struct fitted_range {
    char drug[2 * ITP_NAME_MAX + 2];
    double lo, hi;
    char unit[96], source[256];
} fitted_range;

static itp_status read_range(itp_reader *rd, const config_setting_t *e, fitted_range *f)
{
    static const char *const keys[] = {"drug", "min", "max", "unit", "source", NULL};
    itp_status st;
    if (!config_setting_is_group(e))
        return itp_rd_fail(rd, e, "expected { drug; min; max; unit; source; }");
    if ((st = itp_rd_keys(rd, e, keys, NULL)) ||
        (st = itp_rd_string(rd, e, "drug", NULL, f->drug, sizeof f->drug)) ||
        (st = itp_rd_double(rd, e, NULL, "min", ITP_CLOSED(0, 1e6), &f->lo)) ||
        (st = itp_rd_double(rd, e, NULL, "max", ITP_CLOSED(0, 1e6), &f->hi)) ||
        (st = itp_rd_string(rd, e, "unit", NULL, f->unit, sizeof f->unit)) ||
        (st = itp_rd_string(rd, e, "source", NULL, f->source, sizeof f->source)))
        return st;
    if (f->hi < f->lo)
        return itp_rd_fail(rd, itp_member(e, "max"), "expected max >= min (%g), got %g", f->lo,
                           f->hi);
    return ITP_OK;
}

/* Appends "NAME x UNIT (fitted lo-hi)" to scn->extrapolated. */
static void note(itp_scenario *scn, const itp_component *comp, double x, const fitted_range *f)
{
    size_t used = strlen(scn->extrapolated);
    snprintf(scn->extrapolated + used, sizeof scn->extrapolated - used, "%s%s %g %s (fitted %g-%g)",
             used ? "; " : "", comp->name, x, f->unit, f->lo, f->hi);
}

/* Each arm component with an exposure: logged (components.NAME.exposure)
 * against the fitted range of its drug, and named in scn->extrapolated
 * when outside it. A range whose unit is not the component's is refused:
 * it measures something else. */
static itp_status judge(itp_reader *rd, itp_scenario *scn, const fitted_range *f, int n,
                        const config_setting_t *const *where)
{
    for (int c = 0; c < scn->n_components; c++) {
        const itp_component *comp = &scn->components[c];
        double x;
        const char *unit;
        char drug[2 * ITP_NAME_MAX + 2], path[2 * ITP_NAME_MAX + 16], value[48], why[512];
        if (!comp->type->exposure || itp_scenario_arm_giving(scn, c) < 0 ||
            !comp->type->exposure(comp->params, &x, &unit))
            continue;
        snprintf(drug, sizeof drug, "%s.%s", comp->type->name, comp->drug);
        int k = 0;
        while (k < n && strcmp(f[k].drug, drug) != 0)
            k++;
        if (k == n)
            continue;
        if (strcmp(f[k].unit, unit) != 0)
            return itp_rd_fail(rd, itp_member(where[k], "unit"), "expected the unit of %s's "
                               "exposure, \"%s\", got \"%s\"", drug, unit, f[k].unit);
        int out = x < f[k].lo * (1 - 1e-9) || x > f[k].hi * (1 + 1e-9);
        snprintf(path, sizeof path, "components.%s.exposure", comp->name);
        snprintf(value, sizeof value, "%g", x);
        snprintf(why, sizeof why, "%s; %s the exposures the fit saw, %g-%g (%s)", unit,
                 out ? "EXTRAPOLATED: outside" : "within", f[k].lo, f[k].hi, f[k].source);
        itp_status st = itp_rd_log(rd, path, value, why);
        if (st)
            return st;
        if (out)
            note(scn, comp, x, &f[k]);
    }
    return ITP_OK;
}

itp_status itp_scn_check_exposures(itp_reader *rd, itp_scenario *scn, const config_setting_t *root)
{
    fitted_range f[MAX_FITTED];
    const config_setting_t *list, *where[MAX_FITTED];
    itp_status st;
    scn->extrapolated[0] = '\0';
    if ((st = itp_rd_child(rd, root, "fitted_exposures", CONFIG_TYPE_LIST, 0, &list)) || !list)
        return st;
    int n = config_setting_length(list);
    if (n > MAX_FITTED)
        return itp_rd_fail(rd, list, "at most %d fitted exposures, got %d", MAX_FITTED, n);
    for (int i = 0; i < n; i++) {
        where[i] = config_setting_get_elem(list, (unsigned)i);
        if ((st = read_range(rd, where[i], &f[i])))
            return st;
        for (int j = 0; j < i; j++)
            if (strcmp(f[j].drug, f[i].drug) == 0)
                return itp_rd_fail(rd, itp_member(where[i], "drug"),
                                   "a second range for %s", f[i].drug);
    }
    return judge(rd, scn, f, n, where);
}
