/* Scenario loading and validation: the design's sections in order
 * (design.c, schedule.c, events.c), the checks of the whole, then the
 * sections of the modules above, which the caller gives (trial.h:
 * itp_scenario_load), and the null version. */
#include "itpsim/scenario.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>
#include "internal.h"

/* The top-level settings: the design's, then the given sections' keys
 * (the patient models' groups, the endpoints, the analysis plan, ...),
 * then a group per component type (its table says which); a key two
 * sections name is listed once. */
static const char *const design_keys[] = {
    "name", "description", "model", "patients", "arms", "control",
    "allocation", "strata", "enrolment", "followup", "visits", "components",
    "events", "rescue", "new_therapy", "population", "populations", "fitted_exposures", NULL};

#define MAX_TOP_KEYS 64

static void add_key(const char **keys, int *n, const char *key)
{
    for (int i = 0; i < *n; i++)
        if (strcmp(keys[i], key) == 0)
            return;
    if (*n < MAX_TOP_KEYS)
        keys[(*n)++] = key;
}

static itp_status check_top_keys(itp_reader *rd, const config_setting_t *root,
                                 const itp_scenario_section *sections, int n_sections)
{
    const char *keys[MAX_TOP_KEYS + 1], *own[MAX_TOP_KEYS];
    int n = 0;
    for (int i = 0; design_keys[i]; i++)
        add_key(keys, &n, design_keys[i]);
    for (int s = 0; s < n_sections; s++) {
        size_t m = 1;
        if (sections[s].keys)
            m = sections[s].keys(own, MAX_TOP_KEYS);
        else
            own[0] = sections[s].name;
        for (size_t i = 0; i < m; i++)
            add_key(keys, &n, own[i]);
    }
    for (int i = 0; itp_component_types[i]; i++)
        add_key(keys, &n, itp_component_types[i]->name);
    keys[n] = NULL;
    return itp_rd_keys(rd, root, keys, NULL);
}

/* Rules of components that need scheduled visits on given weeks (a
 * taper's eligibility visits): a week the schedule lacks is added to it as
 * a protocol visit, and logged (visits.protocol_weeks), so that a taper
 * start can move to any week and its visits move with it. A week after
 * the end of follow-up, or a schedule already full, is refused. */
static itp_status check_component_visits(itp_reader *rd, itp_scenario *scn,
                                         const config_setting_t *root)
{
    char added[256] = "";
    size_t used = 0;
    for (int c = 0; c < scn->n_components; c++) {
        const itp_component *comp = &scn->components[c];
        int weeks[16];
        if (!comp->type->needs_visits)
            continue;
        int n = comp->type->needs_visits(comp->params, weeks, 16);
        for (int i = 0; i < n; i++) {
            int day = weeks[i] * 7;
            if (itp_scenario_is_visit(scn, day))
                continue;
            const config_setting_t *g = itp_member(itp_member(root, "components"), comp->name);
            if (day > scn->max_followup_days || scn->n_visits >= ITP_MAX_VISITS)
                return itp_rd_fail(rd, g, "its rules need a scheduled visit at week %d, which %s",
                                   weeks[i], day > scn->max_followup_days
                                                 ? "is after the end of follow-up"
                                                 : "a full schedule cannot take");
            int at = scn->n_visits;
            while (at > 0 && scn->visit_day[at - 1] > day) {
                scn->visit_day[at] = scn->visit_day[at - 1];
                at--;
            }
            scn->visit_day[at] = day;
            scn->n_visits++;
            int w = snprintf(added + used, sizeof added - used, "%s%d (%s)", used ? ", " : "",
                             weeks[i], comp->name);
            used += w > 0 && (size_t)w < sizeof added - used ? (size_t)w : 0;
        }
    }
    if (used) {
        char value[300];
        snprintf(value, sizeof value, "[%s]", added);
        itp_status st = itp_rd_log(rd, "visits.protocol_weeks", value,
                                   "added: scheduled visits the components' rules need");
        if (!st)
            st = itp_scn_check_size(rd, scn, root);
        return st;
    }
    return ITP_OK;
}

/* A component of an arm scheduled to start something (an infusion, a
 * course, a taper) on or after the last day of follow-up: it could not act
 * within the trial. Refused at the setting that schedules it (or the
 * component's group when the value comes from the defaults). A component
 * given only as rescue is not checked: its schedule counts from the
 * rescue's day. */
static itp_status check_component_schedule(itp_reader *rd, itp_scenario *scn,
                                           const config_setting_t *root)
{
    for (int c = 0; c < scn->n_components; c++) {
        const itp_component *comp = &scn->components[c];
        int in_arm = itp_scenario_arm_giving(scn, c) >= 0;
        const char *setting = "";
        int day = in_arm && comp->type->last_scheduled
                      ? comp->type->last_scheduled(comp->params, &setting) : -1;
        if (day < scn->max_followup_days)
            continue;
        const config_setting_t *g = itp_member(itp_member(root, "components"), comp->name);
        const config_setting_t *s = g;
        char path[ITP_NAME_MAX];
        snprintf(path, sizeof path, "%s", setting);
        char *save = NULL;
        for (char *part = strtok_r(path, ".", &save); part && s; part = strtok_r(NULL, ".", &save))
            s = itp_member(s, part);
        return itp_rd_fail(rd, s ? s : g, "%s%sstarts on day %d (week %g), on or after the end "
                           "of follow-up (day %d: followup.max_months): it would not act in the "
                           "trial", s ? "" : setting, s ? "" : " ", day, day / 7.0,
                           scn->max_followup_days);
    }
    return ITP_OK;
}

/* The parameters of one drug's (or a drugless type's) group g of the
 * scenario against the defaults group at defpath, and its subgroups. */
static itp_status check_param_group(itp_reader *rd, const itp_component_type *t,
                                    const config_setting_t *g, const char *defpath)
{
    itp_status st = itp_rd_keys(rd, g, t->subgroups, defpath);
    for (int k = 0; !st && t->subgroups && t->subgroups[k]; k++) {
        char path[3 * ITP_NAME_MAX];
        snprintf(path, sizeof path, "%s.%s", defpath, t->subgroups[k]);
        st = itp_rd_keys(rd, itp_member(g, t->subgroups[k]), NULL, path);
    }
    return st;
}

/* Scenario-wide defaults of component types (top-level groups named after
 * a type) hold only that type's parameters: for a type with drugs, one
 * group per drug, each with that drug's parameters (a drug the defaults
 * file does not have, those of the type's default drug). */
static itp_status check_type_groups(itp_reader *rd, const config_setting_t *root)
{
    itp_status st;
    for (int i = 0; itp_component_types[i]; i++) {
        const itp_component_type *t = itp_component_types[i];
        const config_setting_t *g;
        if ((st = itp_rd_child(rd, root, t->name, CONFIG_TYPE_GROUP, 0, &g)))
            return st;
        if (!g)
            continue;
        if (!t->default_drug) {
            if ((st = check_param_group(rd, t, g, t->name)))
                return st;
            continue;
        }
        for (int j = 0; j < config_setting_length(g); j++) {
            const config_setting_t *d = config_setting_get_elem(g, (unsigned)j);
            char path[3 * ITP_NAME_MAX];
            if (!config_setting_is_group(d) || config_setting_get_member(d, "value"))
                return itp_rd_fail(rd, d, "expected a drug's group of parameters (%s = { "
                                   "%s = { ... }; }): the parameters of %s are per drug",
                                   t->name, t->default_drug, t->name);
            itp_drug_params_path(rd, t, config_setting_name(d), path, sizeof path);
            if ((st = check_param_group(rd, t, d, path)))
                return st;
        }
    }
    return ITP_OK;
}

/* The scenario's own sections, in the order they are read (each may use
 * what the ones before it read). */
typedef itp_status (*section_reader)(itp_reader *rd, itp_scenario *scn,
                                     const config_setting_t *root);

static itp_status type_groups(itp_reader *rd, itp_scenario *scn, const config_setting_t *root)
{
    (void)scn;
    return check_type_groups(rd, root);
}

static const section_reader design_sections[] = {
    type_groups,          itp_scn_read_components, itp_scn_read_arms,
    itp_scn_read_allocation, itp_scn_read_strata, itp_scn_read_enrolment,
    itp_scn_read_followup, itp_scn_read_visits,    itp_scn_check_size,
    itp_scn_read_events,  check_component_visits,  check_component_schedule,
    itp_scn_check_exposures, NULL};

/* The population the reader found (checked when it opened the files), with
 * its description, phase and prior lines, for `check` (they describe it;
 * its parameters act through the model's reads). */
static itp_status read_population(itp_reader *rd, itp_scenario *scn)
{
    static const char *const what[] = {"description", "phase", "prior_lines"};
    char path[2 * ITP_NAME_MAX], value[256];
    snprintf(scn->population, sizeof scn->population, "%s", itp_reader_population(rd));
    snprintf(value, sizeof value, "\"%s\"", scn->population);
    itp_status st = scn->population[0] ? itp_rd_log(rd, "population", value, "scenario") : ITP_OK;
    for (size_t i = 0; scn->population[0] && !st && i < sizeof what / sizeof *what; i++) {
        snprintf(path, sizeof path, "populations.%s.%s", scn->population, what[i]);
        if (!itp_reader_text(rd, path, value, sizeof value))
            continue;
        st = itp_rd_log(rd, path, value, "defaults");
    }
    return st;
}

static itp_status read_all(itp_reader *rd, itp_scenario *scn,
                           const itp_scenario_section *sections, int n_sections)
{
    const config_setting_t *root = itp_reader_root(rd);
    itp_status st;
    if ((st = check_top_keys(rd, root, sections, n_sections)) ||
        (st = itp_rd_string(rd, root, "name", "scenario", scn->name, sizeof scn->name)) ||
        (st = itp_rd_string(rd, root, "description", "-", scn->description,
                            sizeof scn->description)) ||
        (st = read_population(rd, scn)) ||
        (st = itp_rd_int(rd, root, NULL, "patients", 1, ITP_MAX_PATIENTS, &scn->n_patients)) ||
        /* the name only: the patient model's section finds the type */
        (st = itp_rd_string(rd, root, "model", "platelet", scn->model_name,
                            sizeof scn->model_name)))
        return st;
    for (const section_reader *r = design_sections; *r; r++)
        if ((st = (*r)(rd, scn, root)))
            return st;
    for (int s = 0; s < n_sections; s++) {
        const itp_scenario_section *sec = &sections[s];
        if (!sec->parse)
            continue;
        /* remembered first: what a failed parse allocated is freed too */
        if (sec->free)
            scn->sections[scn->n_sections++] = *sec;
        if ((st = sec->parse(rd, scn, sec->ctx)))
            return st;
    }
    return ITP_OK;
}

itp_status itp_scenario_load_sections(itp_scenario **out, const char *file,
                                      const char *defaults_file,
                                      const char *const *overrides, int n_overrides,
                                      const itp_scenario_section *sections, int n_sections,
                                      FILE *resolved, char *err, size_t errlen)
{
    *out = NULL;
    if (n_sections < 0 || n_sections > ITP_MAX_SECTIONS) {
        snprintf(err, errlen, "%d scenario sections: at most %d", n_sections, ITP_MAX_SECTIONS);
        return ITP_EINPUT;
    }
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
    st = read_all(rd, scn, sections, n_sections);
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

itp_status itp_scenario_partial_null(const itp_scenario *src, unsigned null_arms,
                                     itp_scenario **out)
{
    itp_scenario *n = malloc(sizeof *n);
    *out = NULL;
    if (!n)
        return ITP_ENOMEM;
    *n = *src;
    n->borrowed = 1;
    const itp_arm *c = &src->arms[src->control_arm];
    for (int a = 0; a < n->n_arms; a++) {
        if (!(null_arms >> a & 1u))
            continue;
        itp_arm *arm = &n->arms[a];
        arm->n_components = c->n_components;
        memcpy(arm->component, c->component, sizeof arm->component);
        arm->n_hazard = c->n_hazard;
        memcpy(arm->hazard_per_month, c->hazard_per_month, sizeof arm->hazard_per_month);
    }
    for (int k = 0; k < n->plan.n_hyp; k++)
        if (!isnan(n->plan.hyp[k].true_hr) && (null_arms >> n->plan.hyp[k].arm & 1u))
            n->plan.hyp[k].true_hr = 1.0;
    *out = n;
    return ITP_OK;
}

itp_status itp_scenario_null(const itp_scenario *src, itp_scenario **out)
{
    itp_status st = itp_scenario_partial_null(src, ~0u, out);
    if (!st)
        (*out)->is_null = 1;
    return st;
}

void itp_scenario_free(itp_scenario *scn)
{
    if (!scn)
        return;
    if (scn->borrowed) {
        free(scn);
        return;
    }
    for (int s = scn->n_sections - 1; s >= 0; s--)
        scn->sections[s].free(scn, scn->sections[s].ctx);
    for (int c = 0; c < scn->n_components; c++)
        if (scn->components[c].type && scn->components[c].params)
            scn->components[c].type->free(scn->components[c].params);
    free(scn);
}

int itp_scenario_arm(const itp_scenario *scn, const char *name)
{
    for (int a = 0; a < scn->n_arms; a++)
        if (strcmp(scn->arms[a].name, name) == 0)
            return a;
    return -1;
}

int itp_scenario_component(const itp_scenario *scn, const char *name)
{
    for (int c = 0; c < scn->n_components; c++)
        if (strcmp(scn->components[c].name, name) == 0)
            return c;
    return -1;
}

int itp_scenario_endpoint(const itp_scenario *scn, const char *name)
{
    for (int e = 0; e < scn->n_endpoints; e++)
        if (strcmp(scn->endpoints[e].name, name) == 0)
            return e;
    return -1;
}

int itp_scenario_hypothesis(const itp_scenario *scn, const char *name)
{
    for (int k = 0; k < scn->plan.n_hyp; k++)
        if (strcmp(scn->plan.hyp[k].name, name) == 0)
            return k;
    return -1;
}

int itp_scenario_arm_giving(const itp_scenario *scn, int c)
{
    for (int a = 0; a < scn->n_arms; a++)
        for (int k = 0; k < scn->arms[a].n_components; k++)
            if (scn->arms[a].component[k] == c)
                return a;
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
