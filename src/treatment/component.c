/* The table of treatment component types, and helpers they share. */
#include "itpsim/component.h"

#include <limits.h>
#include <math.h>
#include <stdio.h>
#include <string.h>

const itp_component_type *const itp_component_types[] = {
    &itp_tpo_ra_type, &itp_bcell_antibody_type, &itp_immunosuppressant_type, &itp_placebo_type,
    &itp_corticosteroid_type, &itp_sialidase_inhibitor_type, &itp_fcrn_blocker_type,
    &itp_ivig_type, &itp_platelet_transfusion_type, NULL};

const itp_component_type *itp_component_type_find(const char *name)
{
    for (int i = 0; itp_component_types[i]; i++)
        if (strcmp(itp_component_types[i]->name, name) == 0)
            return itp_component_types[i];
    return NULL;
}

uint64_t itp_component_stream_key(const itp_component_type *t, int occurrence)
{
    /* FNV-1a (64-bit) of the name, then the occurrence mixed in by the
     * golden-ratio constant; the top bit keeps the key apart from the
     * fixed purposes of rng.h. */
    uint64_t h = 14695981039346656037ull;
    for (const unsigned char *c = (const unsigned char *)t->name; *c; c++)
        h = (h ^ *c) * 1099511628211ull;
    h ^= (uint64_t)occurrence * 0x9e3779b97f4a7c15ull;
    return h | 1ull << 63;
}

/* The earliest of the components' requests. */
static void recheck_earliest(itp_patient_ctx *ctx)
{
    ctx->recheck_day = INT_MAX;
    for (int c = 0; c < ITP_MAX_PATIENT_COMPONENTS; c++)
        if (ctx->recheck[c] > 0 && ctx->recheck[c] < ctx->recheck_day)
            ctx->recheck_day = ctx->recheck[c];
}

void itp_ctx_recheck(itp_patient_ctx *ctx, int day)
{
    ctx->recheck[ctx->comp] = day;
    recheck_earliest(ctx);
}

void itp_ctx_recheck_done(itp_patient_ctx *ctx, int day)
{
    for (int c = 0; c < ITP_MAX_PATIENT_COMPONENTS; c++)
        if (ctx->recheck[c] > 0 && ctx->recheck[c] <= day)
            ctx->recheck[c] = 0;
    recheck_earliest(ctx);
}

void itp_ctx_event(itp_patient_ctx *ctx, int kind, double value)
{
    itp_event e = {ctx->day, (unsigned char)kind, (unsigned char)ctx->comp, (float)value};
    if (itp_record_add_event(ctx->rec, &e))
        ctx->status = ITP_ENOMEM;
    else
        ctx->pt->n_events++;
}

int itp_ctx_add_mechanism(itp_patient_ctx *ctx, int onset, int end)
{
    if (ctx->n_mech >= ITP_MAX_MECHANISMS || end <= onset)
        return -1;
    ctx->mech[ctx->n_mech].onset = onset;
    ctx->mech[ctx->n_mech].end = end;
    return ctx->n_mech++;
}

const char *const itp_infusion_keys[] = {"type", "dose_mg_kg", "infusion_weeks", NULL};
const char *const itp_dosed_infusion_keys[] = {"type", "dose_mg", "dose_mg_kg", "dose_mg_m2",
                                              "infusion_weeks", NULL};

int itp_infusions_last(const itp_infusions *inf, const char **setting)
{
    *setting = "infusion_weeks";
    return inf->n ? inf->day[inf->n - 1] : -1;
}

itp_status itp_read_infusions(itp_reader *rd, const config_setting_t *g, itp_infusions *inf)
{
    double w[ITP_MAX_INFUSIONS];
    itp_status st = itp_rd_array(rd, g, "infusion_weeks", ITP_CLOSED(0, 1000), 1, w,
                                 ITP_MAX_INFUSIONS, &inf->n);
    if (st)
        return st;
    for (int i = 0; i < inf->n; i++) {
        if (i && w[i] <= w[i - 1])
            return itp_rd_fail(rd, itp_member(g, "infusion_weeks"),
                               "expected increasing weeks");
        inf->day[i] = (int)lround(w[i] * 7);
        if (i && inf->day[i] == inf->day[i - 1])
            return itp_rd_fail(rd, itp_member(g, "infusion_weeks"),
                               "weeks %g and %g fall on the same day", w[i - 1], w[i]);
    }
    return ITP_OK;
}

itp_status itp_read_dose(itp_reader *rd, const config_setting_t *g, const char *d, int per_kg,
                         double *dose)
{
    enum { MG, MG_KG, MG_M2 };
    static const char *const forms[] = {"dose_mg", "dose_mg_kg", "dose_mg_m2"};
    static const double most[] = {1e4, 100, 1e4};
    int form = -1;
    for (int i = 0; i < 3; i++) {
        if (!itp_member(g, forms[i]))
            continue;
        if (form >= 0)
            return itp_rd_fail(rd, itp_member(g, forms[i]), "give one of dose_mg, dose_mg_kg "
                               "and dose_mg_m2, not %s and %s", forms[form], forms[i]);
        form = i;
    }
    if (form < 0)   /* the drug's own dose */
        form = per_kg ? MG_KG : MG;
    double v, kg, m2;
    itp_status st = itp_rd_double(rd, g, d, forms[form], ITP_CLOSED(0, most[form]), &v);
    if (st)
        return st;
    if (form == MG_M2) {   /* to mg */
        if ((st = itp_rd_double(rd, g, d, "bsa_m2", ITP_POSITIVE(5), &m2)))
            return st;
        v *= m2;
        form = MG;
    }
    if ((form == MG_KG) != (per_kg != 0)) {
        if ((st = itp_rd_double(rd, g, d, "weight_kg", ITP_POSITIVE(500), &kg)))
            return st;
        v = per_kg ? v / kg : v * kg;
    }
    *dose = v;
    return ITP_OK;
}

int itp_infusion_today(const itp_infusions *inf, int *next, int stopped, double dose,
                       itp_patient_ctx *ctx)
{
    int given = !stopped && *next < inf->n && inf->day[*next] == ctx->day;
    if (given) {
        ++*next;
        itp_ctx_event(ctx, ITP_EV_INFUSION, dose);
    }
    ctx->wake = stopped || *next >= inf->n ? ITP_FAR_DAY : inf->day[*next];
    return given;
}

void itp_drug_params_path(const itp_reader *rd, const itp_component_type *t, const char *drug,
                          char *buf, size_t len)
{
    snprintf(buf, len, "%s.%s", t->name, drug);
    if (!(itp_reader_has_group(rd, buf) & 1))   /* not in the defaults file */
        snprintf(buf, len, "%s.%s", t->name, t->default_drug);
}
