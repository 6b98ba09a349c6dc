/* Scenario loading and validation: the design sections. The patient model
 * and the treatment components read their own settings (model_*.c, tpo_ra.c,
 * bcell.c, placebo.c); this file reads the rest and checks the whole. */
#include "itpsim/scenario.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>
#include "itpsim/analysis.h"
#include "itpsim/calibrate.h"
#include "itpsim/endpoint.h"
#include "itpsim/model.h"

#define DPM ITP_DAYS_PER_MONTH

static const char *const top_keys[] = {
    "name", "description", "model", "patients", "arms", "control",
    "allocation", "strata", "enrolment", "followup", "visits", "components",
    "events", "rescue", "new_therapy", "platelet", "hazard", "endpoints", "analysis",
    "calibration", "tpo_ra", "bcell_antibody", NULL};

static itp_status read_arms(itp_reader *rd, itp_scenario *scn,
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
            int found = -1;
            for (int c = 0; c < scn->n_components; c++)
                if (strcmp(scn->components[c].name, cname) == 0)
                    found = c;
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
            for (int u = 0; u < arm->n_components; u++)
                if (scn->components[arm->component[u]].type == scn->components[found].type)
                    return itp_rd_fail(rd, e, "two components of type '%s' in one arm",
                                       scn->components[found].type->name);
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

static itp_status read_components(itp_reader *rd, itp_scenario *scn,
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
        snprintf(comp->name, sizeof comp->name, "%s", config_setting_name(c));
        char type[ITP_NAME_MAX];
        if ((st = itp_rd_string(rd, c, "type", NULL, type, sizeof type)))
            return st;
        comp->type = itp_component_type_find(type);
        if (!comp->type) {
            char names[256] = "";
            for (int t = 0; itp_component_types[t]; t++) {
                size_t l = strlen(names);
                snprintf(names + l, sizeof names - l, "%s%s", t ? ", " : "",
                         itp_component_types[t]->name);
            }
            return itp_rd_fail(rd, itp_member(c, "type"),
                               "unknown component type '%s' (known: %s)", type, names);
        }
        if ((st = itp_rd_keys(rd, c, comp->type->keys, comp->type->name)))
            return st;
        scn->n_components = i + 1;
        if ((st = comp->type->parse(rd, c, &comp->params)))
            return st;
    }
    return ITP_OK;
}

static itp_status read_allocation(itp_reader *rd, itp_scenario *scn,
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
        return ITP_OK;
    }
    if (strcmp(method, "permuted_blocks") != 0)
        return itp_rd_fail(rd, itp_member(g, "method"),
                           "expected \"permuted_blocks\" or \"simple\", got \"%s\"", method);
    scn->alloc = ITP_ALLOC_BLOCKS;
    if (!integral)
        return itp_rd_fail(rd, itp_root_elem(rd, "arms", -1),
                           "permuted blocks need whole-number arm ratios (or method = \"simple\")");
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

static itp_status read_strata(itp_reader *rd, itp_scenario *scn,
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

static itp_status read_enrolment(itp_reader *rd, itp_scenario *scn,
                                 const config_setting_t *root)
{
    static const char *const keys[] = {"duration_months", "rate_per_month",
                                       "from_month", NULL};
    const config_setting_t *g;
    itp_status st = itp_rd_child(rd, root, "enrolment", CONFIG_TYPE_GROUP, 1, &g);
    if (st || (st = itp_rd_keys(rd, g, keys, NULL)))
        return st;
    if (itp_member(g, "duration_months")) {
        double m;
        if (itp_member(g, "rate_per_month"))
            return itp_rd_fail(rd, itp_member(g, "rate_per_month"),
                               "give either duration_months or rate_per_month, not both");
        if ((st = itp_rd_double(rd, g, NULL, "duration_months", ITP_CLOSED(0.0, 240.0), &m)))
            return st;
        scn->enrol_duration_days = m * DPM;
        return ITP_OK;
    }
    double rates[ITP_MAX_PIECES], from[ITP_MAX_PIECES];
    int nr, nf;
    if ((st = itp_rd_array(rd, g, "rate_per_month", ITP_CLOSED(0.0, 1e5), 1, rates,
                           ITP_MAX_PIECES, &nr)) ||
        (st = itp_rd_array(rd, g, "from_month", ITP_CLOSED(0.0, 240.0), 0, from,
                           ITP_MAX_PIECES, &nf)))
        return st;
    if (nf == 0) {
        from[0] = 0.0;
        nf = 1;
    }
    const config_setting_t *fs = itp_member(g, "from_month");
    if (nf != nr)
        return itp_rd_fail(rd, fs, "expected %d values, one per rate, got %d", nr, nf);
    if (from[0] != 0.0)
        return itp_rd_fail(rd, fs, "expected the first piece to start at month 0");
    for (int i = 1; i < nr; i++)
        if (from[i] <= from[i - 1])
            return itp_rd_fail(rd, fs, "expected increasing months");
    if (rates[nr - 1] <= 0.0)
        return itp_rd_fail(rd, itp_member(g, "rate_per_month"),
                           "the last rate must be positive, or enrolment never ends");
    scn->n_rate_pieces = nr;
    for (int i = 0; i < nr; i++) {
        scn->rate_from_day[i] = from[i] * DPM;
        scn->rate_per_day[i] = rates[i] / DPM;
    }
    return ITP_OK;
}

static itp_status read_followup(itp_reader *rd, itp_scenario *scn,
                                const config_setting_t *root)
{
    static const char *const keys[] = {"max_months", "data_cut", "cut_months", "events",
                                       "endpoint", NULL};
    const config_setting_t *g;
    double maxm, cut;
    char kind[32];
    itp_status st = itp_rd_child(rd, root, "followup", CONFIG_TYPE_GROUP, 1, &g);
    if (st || (st = itp_rd_keys(rd, g, keys, NULL)) ||
        (st = itp_rd_double(rd, g, NULL, "max_months",
                            ITP_POSITIVE(ITP_MAX_FOLLOWUP_DAYS / DPM), &maxm)) ||
        (st = itp_rd_string(rd, g, "data_cut", "after_last_enrolled", kind, sizeof kind)))
        return st;
    scn->max_followup_days = (int)floor(maxm * DPM + 1e-9);
    if (strcmp(kind, "events") == 0) {
        scn->cut_kind = ITP_CUT_EVENTS;
        if (itp_member(g, "cut_months"))
            return itp_rd_fail(rd, itp_member(g, "cut_months"),
                               "an event-driven cut (data_cut = \"events\") takes events, not cut_months");
        /* More events than patients would never trigger the cut. */
        return itp_rd_int(rd, g, NULL, "events", 1, scn->n_patients, &scn->cut_events);
    }
    if (itp_member(g, "events") || itp_member(g, "endpoint"))
        return itp_rd_fail(rd, itp_member(g, "events") ? itp_member(g, "events") : itp_member(g, "endpoint"),
                           "events and endpoint are for data_cut = \"events\"");
    if ((st = itp_rd_double(rd, g, NULL, "cut_months", ITP_CLOSED(0.0, 240.0), &cut)))
        return st;
    scn->cut_days = cut * DPM;
    if (strcmp(kind, "after_last_enrolled") == 0)
        scn->cut_kind = ITP_CUT_AFTER_LAST;
    else if (strcmp(kind, "after_first_enrolled") == 0)
        scn->cut_kind = ITP_CUT_AFTER_FIRST;
    else
        return itp_rd_fail(rd, itp_member(g, "data_cut"),
                           "expected \"after_last_enrolled\", \"after_first_enrolled\" or \"events\", got \"%s\"",
                           kind);
    return ITP_OK;
}

static itp_status read_visits(itp_reader *rd, itp_scenario *scn,
                              const config_setting_t *root)
{
    static const char *const keys[] = {"from_week", "to_week", "every_weeks", NULL};
    const config_setting_t *list;
    itp_status st = itp_rd_child(rd, root, "visits", CONFIG_TYPE_LIST, 1, &list);
    if (st)
        return st;
    int n = config_setting_length(list);
    if (n < 1 || n > ITP_MAX_SEGMENTS)
        return itp_rd_fail(rd, list, "expected 1 to %d visit segments", ITP_MAX_SEGMENTS);
    double max_week = scn->max_followup_days / 7.0;
    int last_day = -1;
    scn->n_visits = 0;
    for (int i = 0; i < n; i++) {
        const config_setting_t *g = config_setting_get_elem(list, (unsigned)i);
        double from, to, every;
        if (!config_setting_is_group(g))
            return itp_rd_fail(rd, g, "expected a group { from_week; to_week; every_weeks; }");
        if ((st = itp_rd_keys(rd, g, keys, NULL)) ||
            (st = itp_rd_double(rd, g, NULL, "from_week", ITP_CLOSED(0.0, 1100.0), &from)) ||
            (st = itp_rd_double_or(rd, g, "to_week", ITP_CLOSED(0.0, 1100.0), max_week, &to)) ||
            (st = itp_rd_double(rd, g, NULL, "every_weeks", ITP_POSITIVE(520.0), &every)))
            return st;
        if (to < from)
            return itp_rd_fail(rd, itp_member(g, "to_week"),
                               "expected to_week >= from_week (%g), got %g", from, to);
        for (double w = from; w <= to + 1e-9; w += every) {
            int day = (int)lround(w * 7.0);
            if (day > scn->max_followup_days)
                break;
            if (day <= last_day)
                return itp_rd_fail(rd, g, "visit at week %g is not after the previous visit (day %d)",
                                   w, last_day);
            if (scn->n_visits == ITP_MAX_VISITS)
                return itp_rd_fail(rd, g, "more than %d scheduled visits", ITP_MAX_VISITS);
            scn->visit_day[scn->n_visits++] = last_day = day;
        }
    }
    return ITP_OK;
}

/* A replicate that could not be held in memory is refused here, before
 * anything is simulated, with the largest sample size that fits. */
static itp_status check_size(itp_reader *rd, const itp_scenario *scn,
                             const config_setting_t *root)
{
    long visits = scn->n_visits > 0 ? scn->n_visits : 1;
    if ((long)scn->n_patients * visits <= ITP_MAX_PATIENT_VISITS)
        return ITP_OK;
    return itp_rd_fail(rd, itp_member(root, "patients"),
                       "%d patients with %ld scheduled visits each exceed the %ld patient-visits "
                       "a replicate may hold: at most %ld patients with this schedule",
                       scn->n_patients, visits, ITP_MAX_PATIENT_VISITS,
                       ITP_MAX_PATIENT_VISITS / visits);
}

/* new_therapy.stops: the components (by name) that stop when new ITP
 * therapy starts; absent: all of them (the study drug and any background
 * treatment stop per protocol); [] none. */
static itp_status read_stops(itp_reader *rd, itp_scenario *scn, const config_setting_t *nt)
{
    const config_setting_t *l = itp_member(nt, "stops");
    char names[512] = "[";
    scn->new_therapy.stops = 0;
    if (!l) {
        for (int c = 0; c < scn->n_components; c++) {
            size_t n = strlen(names);
            snprintf(names + n, sizeof names - n, "%s\"%s\"", c ? ", " : "",
                     scn->components[c].name);
            scn->new_therapy.stops |= 1u << c;
        }
        strncat(names, "]", sizeof names - strlen(names) - 1);
        return itp_rd_log(rd, "new_therapy.stops", names, "built-in default (every component)");
    }
    if (!config_setting_is_array(l) && !config_setting_is_list(l))
        return itp_rd_fail(rd, l, "expected a list of component names, e.g. [\"eltrombopag\"]");
    for (int i = 0; i < config_setting_length(l); i++) {
        const config_setting_t *e = config_setting_get_elem(l, (unsigned)i);
        const char *name = config_setting_get_string(e);
        int found = -1;
        for (int c = 0; name && c < scn->n_components; c++)
            if (strcmp(scn->components[c].name, name) == 0)
                found = c;
        if (!name)
            return itp_rd_fail(rd, e, "expected a component name (a string)");
        if (found < 0)
            return itp_rd_fail(rd, e, "no component named '%s' in components", name);
        scn->new_therapy.stops |= 1u << found;
        size_t n = strlen(names);
        snprintf(names + n, sizeof names - n, "%s\"%s\"", i ? ", " : "", name);
    }
    strncat(names, "]", sizeof names - strlen(names) - 1);
    return itp_rd_log(rd, "new_therapy.stops", names, "scenario");
}

static itp_status read_events(itp_reader *rd, itp_scenario *scn,
                              const config_setting_t *root)
{
    const config_setting_t *ev, *rs, *nt;
    double death, dropout, from_week;
    itp_rescue_rule *r = &scn->rescue;
    itp_new_therapy_rule *t = &scn->new_therapy;
    static const char *const rescue_keys[] = {"trigger", NULL};
    static const char *const nt_keys[] = {"stops", NULL};
    static const char *const triggers[] = {"count", "bleeding", "count_or_bleeding", NULL};
    static const int trigger_bits[] = {ITP_RESCUE_COUNT, ITP_RESCUE_BLEED,
                                       ITP_RESCUE_COUNT | ITP_RESCUE_BLEED};
    char trigger[32];
    double rescue_from;
    itp_status st;
    if ((st = itp_rd_child(rd, root, "events", CONFIG_TYPE_GROUP, 0, &ev)) ||
        (st = itp_rd_keys(rd, ev, NULL, "events")) ||
        (st = itp_rd_double(rd, ev, "events", "death_per_year", ITP_CLOSED(0.0, 10.0), &death)) ||
        (st = itp_rd_double(rd, ev, "events", "dropout_per_year", ITP_CLOSED(0.0, 10.0), &dropout)) ||
        (st = itp_rd_child(rd, root, "rescue", CONFIG_TYPE_GROUP, 0, &rs)) ||
        (st = itp_rd_keys(rd, rs, rescue_keys, "rescue")) ||
        (st = itp_rd_string_at(rd, rs, "rescue", "trigger", "count_or_bleeding", trigger,
                               sizeof trigger)) ||
        (st = itp_rd_double(rd, rs, "rescue", "below", ITP_CLOSED(0.0, 1000.0), &r->below)) ||
        (st = itp_rd_double(rd, rs, "rescue", "from_week", ITP_CLOSED(0.0, 1100.0), &rescue_from)) ||
        (st = itp_rd_double(rd, rs, "rescue", "bleed_below", ITP_CLOSED(0.0, 1e4), &r->bleed_below)) ||
        (st = itp_rd_double(rd, rs, "rescue", "response_prob", ITP_PROB, &r->response_prob)) ||
        (st = itp_rd_double(rd, rs, "rescue", "kdeg_factor", ITP_POSITIVE(1.0), &r->kdeg_factor)) ||
        (st = itp_rd_int(rd, rs, "rescue", "duration_days", 1, 365, &r->duration_days)) ||
        (st = itp_rd_double(rd, rs, "rescue", "bleed_max_per_day", ITP_CLOSED(0.0, 1.0),
                            &r->bleed_max_per_day)) ||
        (st = itp_rd_double(rd, rs, "rescue", "bleed_count50", ITP_POSITIVE(1000.0),
                            &r->bleed_count50)) ||
        (st = itp_rd_double(rd, rs, "rescue", "bleed_hill", ITP_POSITIVE(20.0), &r->bleed_hill)) ||
        (st = itp_rd_child(rd, root, "new_therapy", CONFIG_TYPE_GROUP, 0, &nt)) ||
        (st = itp_rd_keys(rd, nt, nt_keys, "new_therapy")) ||
        (st = itp_rd_double(rd, nt, "new_therapy", "from_week", ITP_CLOSED(0.0, 1100.0), &from_week)) ||
        (st = itp_rd_double(rd, nt, "new_therapy", "below", ITP_CLOSED(0.0, 1000.0), &t->below)) ||
        (st = itp_rd_int(rd, nt, "new_therapy", "consecutive", 1, 100, &t->consecutive)) ||
        (st = itp_rd_double(rd, nt, "new_therapy", "prob", ITP_PROB, &t->prob)) ||
        (st = itp_rd_double(rd, nt, "new_therapy", "prod_factor", ITP_POSITIVE(100.0),
                            &t->prod_factor)))
        return st;
    scn->death_per_day = death / 365.25;
    scn->dropout_per_day = dropout / 365.25;
    t->from_day = (int)lround(from_week * 7.0);
    r->from_day = (int)lround(rescue_from * 7.0);
    r->trigger = 0;
    for (int i = 0; triggers[i]; i++)
        if (strcmp(trigger, triggers[i]) == 0)
            r->trigger = trigger_bits[i];
    if (!r->trigger)
        return itp_rd_fail(rd, itp_member(rs, "trigger"),
                           "expected \"count\", \"bleeding\" or \"count_or_bleeding\", got \"%s\"",
                           trigger);
    return read_stops(rd, scn, nt);
}

/* Rules of components that need scheduled visits on given weeks. */
static itp_status check_component_visits(itp_reader *rd, const itp_scenario *scn,
                                         const config_setting_t *root)
{
    for (int c = 0; c < scn->n_components; c++) {
        const itp_component *comp = &scn->components[c];
        int weeks[16];
        if (!comp->type->needs_visits)
            continue;
        int n = comp->type->needs_visits(comp->params, weeks, 16);
        for (int i = 0; i < n; i++)
            if (!itp_scenario_is_visit(scn, weeks[i] * 7)) {
                const config_setting_t *g = itp_member(
                    itp_member(root, "components"), comp->name);
                return itp_rd_fail(rd, g,
                                   "its rules need a scheduled visit at week %d, and visits has none",
                                   weeks[i]);
            }
    }
    return ITP_OK;
}

/* The endpoint whose events drive an event-driven cut: named, or the
 * first time-to-event endpoint. */
static itp_status read_cut_endpoint(itp_reader *rd, itp_scenario *scn,
                                    const config_setting_t *root)
{
    const config_setting_t *g = itp_member(root, "followup");
    char name[ITP_NAME_MAX] = "";
    itp_status st;
    if (scn->cut_kind != ITP_CUT_EVENTS)
        return ITP_OK;
    if ((st = itp_rd_string(rd, g, "endpoint", "-", name, sizeof name)))
        return st;
    scn->cut_endpoint = -1;
    for (int e = 0; e < scn->n_endpoints && scn->cut_endpoint < 0; e++)
        if (scn->endpoints[e].type->kind == ITP_EP_TIME &&
            (!strcmp(name, "-") || !strcmp(name, scn->endpoints[e].name)))
            scn->cut_endpoint = e;
    if (scn->cut_endpoint < 0)
        return itp_rd_fail(rd, itp_member(g, "endpoint") ? itp_member(g, "endpoint") : g,
                           strcmp(name, "-") ? "no time-to-event endpoint of that name"
                                             : "an event-driven cut needs a time-to-event endpoint");
    return ITP_OK;
}

/* Scenario-wide defaults of component types (top-level groups named after
 * a type) hold only that type's parameters. */
static itp_status check_type_groups(itp_reader *rd, const config_setting_t *root)
{
    static const char *const types[] = {"tpo_ra", "bcell_antibody", NULL};
    static const char *const taper[] = {"taper", NULL};
    itp_status st;
    for (int i = 0; types[i]; i++) {
        const config_setting_t *g;
        if ((st = itp_rd_child(rd, root, types[i], CONFIG_TYPE_GROUP, 0, &g)) ||
            (st = itp_rd_keys(rd, g, i == 0 ? taper : NULL, types[i])))
            return st;
        if (i == 0 && (st = itp_rd_keys(rd, itp_member(g, "taper"), NULL, "tpo_ra.taper")))
            return st;
    }
    return ITP_OK;
}

static itp_status read_all(itp_reader *rd, itp_scenario *scn)
{
    const config_setting_t *root = itp_reader_root(rd);
    char model[32];
    itp_status st;
    if ((st = itp_rd_keys(rd, root, top_keys, NULL)) ||
        (st = itp_rd_string(rd, root, "name", "scenario", scn->name, sizeof scn->name)) ||
        (st = itp_rd_string(rd, root, "description", "-", scn->description,
                            sizeof scn->description)) ||
        (st = itp_rd_int(rd, root, NULL, "patients", 1, ITP_MAX_PATIENTS, &scn->n_patients)) ||
        (st = itp_rd_string(rd, root, "model", "platelet", model, sizeof model)))
        return st;
    scn->model = itp_model_type_find(model);
    if (!scn->model)
        return itp_rd_fail(rd, itp_member(root, "model"),
                           "expected \"platelet\" or \"hazard\", got \"%s\"", model);
    if ((st = check_type_groups(rd, root)) ||
        (st = read_components(rd, scn, root)) || (st = read_arms(rd, scn, root)) ||
        (st = read_allocation(rd, scn, root)) || (st = read_strata(rd, scn, root)) ||
        (st = read_enrolment(rd, scn, root)) || (st = read_followup(rd, scn, root)) ||
        (st = read_visits(rd, scn, root)) || (st = check_size(rd, scn, root)) ||
        (st = read_events(rd, scn, root)) ||
        (st = check_component_visits(rd, scn, root)))
        return st;
    if ((st = scn->model->parse(rd, scn, &scn->model_params)) ||
        (st = itp_endpoints_parse(rd, scn)) || (st = read_cut_endpoint(rd, scn, root)))
        return st;
    if ((st = itp_analysis_parse(rd, scn)))
        return st;
    /* Hypothesis names head columns of replicates.csv and rows of the other
     * CSV files, unquoted, as arm names do. */
    const config_setting_t *hl = itp_member(itp_member(root, "analysis"), "hypotheses");
    for (int k = 0; k < scn->plan.n_hyp; k++)
        if (strpbrk(scn->plan.hyp[k].name, ",\"\n\r"))
            return itp_rd_fail(rd, itp_member(hl ? config_setting_get_elem(hl, (unsigned)k) : NULL,
                                               "name"),
                               "hypothesis names may not contain commas, quotes or newlines");
    return itp_calibration_parse(rd, scn);
}

itp_status itp_scenario_load(itp_scenario **out, const char *file,
                             const char *defaults_file,
                             const char *const *overrides, int n_overrides,
                             FILE *resolved, char *err, size_t errlen)
{
    *out = NULL;
    itp_reader *rd;
    itp_status st = itp_reader_open(&rd, file, defaults_file, overrides, n_overrides,
                                    err, errlen);
    if (st)
        return st;
    itp_scenario *scn = calloc(1, sizeof *scn);
    if (!scn) {
        itp_reader_free(rd);
        snprintf(err, errlen, "out of memory");
        return ITP_ENOMEM;
    }
    snprintf(scn->file, sizeof scn->file, "%s", file);
    st = read_all(rd, scn);
    if (st) {
        snprintf(err, errlen, "%s", st == ITP_ENOMEM ? "out of memory" : itp_reader_error(rd));
        itp_scenario_free(scn);
    } else {
        if (resolved)
            itp_reader_print_resolved(rd, resolved);
        *out = scn;
    }
    itp_reader_free(rd);
    return st;
}

itp_status itp_scenario_null(const itp_scenario *src, itp_scenario **out)
{
    itp_scenario *n = malloc(sizeof *n);
    *out = NULL;
    if (!n)
        return ITP_ENOMEM;
    *n = *src;
    n->is_null = 1;
    n->borrowed = 1;
    const itp_arm *c = &src->arms[src->control_arm];
    for (int a = 0; a < n->n_arms; a++) {
        itp_arm *arm = &n->arms[a];
        arm->n_components = c->n_components;
        memcpy(arm->component, c->component, sizeof arm->component);
        arm->n_hazard = c->n_hazard;
        memcpy(arm->hazard_per_month, c->hazard_per_month, sizeof arm->hazard_per_month);
    }
    for (int k = 0; k < n->plan.n_hyp; k++)
        if (!isnan(n->plan.hyp[k].true_hr))
            n->plan.hyp[k].true_hr = 1.0;
    *out = n;
    return ITP_OK;
}

void itp_scenario_free(itp_scenario *scn)
{
    if (!scn)
        return;
    if (scn->borrowed) {
        free(scn);
        return;
    }
    for (int c = 0; c < scn->n_components; c++)
        if (scn->components[c].type && scn->components[c].params)
            scn->components[c].type->free(scn->components[c].params);
    if (scn->model && scn->model_params)
        scn->model->free(scn->model_params);
    for (int e = 0; e < scn->n_endpoints; e++)
        free(scn->endpoints[e].params);
    free(scn->cal);
    free(scn);
}

int itp_scenario_arm(const itp_scenario *scn, const char *name)
{
    for (int a = 0; a < scn->n_arms; a++)
        if (strcmp(scn->arms[a].name, name) == 0)
            return a;
    return -1;
}

int itp_scenario_endpoint(const itp_scenario *scn, const char *name)
{
    for (int e = 0; e < scn->n_endpoints; e++)
        if (strcmp(scn->endpoints[e].name, name) == 0)
            return e;
    return -1;
}

int itp_scenario_is_visit(const itp_scenario *scn, int day)
{
    int lo = 0, hi = scn->n_visits - 1;
    while (lo <= hi) {
        int mid = (lo + hi) / 2;
        if (scn->visit_day[mid] == day)
            return 1;
        if (scn->visit_day[mid] < day)
            lo = mid + 1;
        else
            hi = mid - 1;
    }
    return 0;
}
