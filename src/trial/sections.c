/* The sections of a scenario a trial needs, read after the design by the
 * modules that own them: the patient model's settings (model.h), the
 * endpoints with the endpoint of an event-driven cut (endpoint.h), the
 * analysis plan (analysis.h); and itp_scenario_load, which loads a
 * scenario with them. See trial.h. */
#include "itpsim/trial.h"

#include <stdlib.h>
#include <string.h>
#include "itpsim/analysis.h"
#include "itpsim/endpoint.h"


/* ---- the patient model: the type the design names, its settings' group ---- */

static size_t model_keys(const char **keys, size_t max)
{
    size_t n = 0;
    for (int i = 0; itp_model_types[i] && n < max; i++)
        keys[n++] = itp_model_types[i]->name;
    return n;
}

static itp_status model_parse(itp_reader *rd, itp_scenario *scn, void *ctx)
{
    (void)ctx;
    scn->model = itp_model_type_find(scn->model_name);
    if (!scn->model) {
        char names[256];
        itp_type_names((const void *const *)itp_model_types, 1, names, sizeof names);
        return itp_rd_fail(rd, itp_member(itp_reader_root(rd), "model"), "expected %s, got \"%s\"",
                           names, scn->model_name);
    }
    return scn->model->parse(rd, scn, &scn->model_params);
}

static void model_free(itp_scenario *scn, void *ctx)
{
    (void)ctx;
    if (scn->model && scn->model_params)
        scn->model->free(scn->model_params);
}

/* ---- the endpoints ------------------------------------------------------------ */

/* The endpoint whose events drive an event-driven cut: named
 * (followup.endpoint), or the first time-to-event endpoint. */
static itp_status read_cut_endpoint(itp_reader *rd, itp_scenario *scn)
{
    const config_setting_t *g = itp_member(itp_reader_root(rd), "followup");
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

static itp_status endpoints_parse(itp_reader *rd, itp_scenario *scn, void *ctx)
{
    (void)ctx;
    itp_status st = itp_endpoints_parse(rd, scn);
    return st ? st : read_cut_endpoint(rd, scn);
}

static void endpoints_free(itp_scenario *scn, void *ctx)
{
    (void)ctx;
    for (int e = 0; e < scn->n_endpoints; e++)
        free(scn->endpoints[e].params);
}

/* ---- the analysis plan ------------------------------------------------------------ */

static itp_status analysis_parse(itp_reader *rd, itp_scenario *scn, void *ctx)
{
    (void)ctx;
    return itp_analysis_parse(rd, scn);
}

static void analysis_free(itp_scenario *scn, void *ctx)
{
    (void)ctx;
    /* every slot: a hypothesis refused after its test read its settings
     * is not counted in n_hyp */
    for (int k = 0; k < ITP_MAX_HYPOTHESES; k++)
        free(scn->plan.hyp[k].params);
}

/* ---- the tools' sections ------------------------------------------------------------ */


const itp_scenario_section itp_trial_sections[] = {
    {"model", model_keys, model_parse, model_free, NULL},
    {"endpoints", NULL, endpoints_parse, endpoints_free, NULL},
    {"analysis", NULL, analysis_parse, analysis_free, NULL},
    /* `itpsim calibrate` reads its section itself (calibrate.h); every
     * other load allows it and leaves it unread */
    {"calibration", NULL, NULL, NULL, NULL},
    /* `run --assurance` reads the priors itself (assurance.h) */
    {"priors", NULL, NULL, NULL, NULL},
};
const int itp_trial_n_sections = (int)(sizeof itp_trial_sections / sizeof itp_trial_sections[0]);

itp_status itp_scenario_load_with(itp_scenario **out, const char *file,
                                  const char *defaults_file,
                                  const char *const *overrides, int n_overrides,
                                  const itp_scenario_section *extra, int n_extra,
                                  FILE *resolved, char *err, size_t errlen)
{
    itp_scenario_section all[ITP_MAX_SECTIONS];
    int n = 0;
    *out = NULL;
    if (n_extra < 0 || itp_trial_n_sections + n_extra > ITP_MAX_SECTIONS) {
        snprintf(err, errlen, "%d extra scenario sections: at most %d", n_extra,
                 ITP_MAX_SECTIONS - itp_trial_n_sections);
        return ITP_EINPUT;
    }
    for (int s = 0; s < itp_trial_n_sections; s++)
        all[n++] = itp_trial_sections[s];
    for (int s = 0; s < n_extra; s++)
        all[n++] = extra[s];
    return itp_scenario_load_sections(out, file, defaults_file, overrides, n_overrides, all, n,
                                      resolved, err, errlen);
}

itp_status itp_scenario_load(itp_scenario **out, const char *file, const char *defaults_file,
                             const char *const *overrides, int n_overrides, FILE *resolved,
                             char *err, size_t errlen)
{
    return itp_scenario_load_with(out, file, defaults_file, overrides, n_overrides, NULL, 0,
                                  resolved, err, errlen);
}
