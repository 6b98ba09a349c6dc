/* The event sections of a scenario: death and dropout, rescue, new
 * therapy (and what it stops); see internal.h. */
#include "itpsim/scenario.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>
#include "internal.h"

#define DPM ITP_DAYS_PER_MONTH

/* Is component c one the rescue gives? */
static int is_rescue(const itp_scenario *scn, int c)
{
    for (int i = 0; i < scn->rescue.n_treatments; i++)
        if (scn->rescue.treatment[i] == c)
            return 1;
    return 0;
}

/* "[\"a\", \"b\"]": the names of the components whose bit is set, in
 * their order (for `check`). */
static void component_names(const itp_scenario *scn, unsigned bits, char *names, size_t len)
{
    snprintf(names, len, "[");
    for (int c = 0; c < scn->n_components; c++)
        if (bits >> c & 1u) {
            size_t n = strlen(names);
            snprintf(names + n, len - n, "%s\"%s\"", n > 1 ? ", " : "", scn->components[c].name);
        }
    strncat(names, "]", len - strlen(names) - 1);
}

/* The component a list element names (its name and index), or a
 * failure naming the element. */
static itp_status named_component(itp_reader *rd, const itp_scenario *scn,
                                  const config_setting_t *e, const char **name, int *c)
{
    *name = config_setting_get_string(e);
    if (!*name)
        return itp_rd_fail(rd, e, "expected a component name (a string)");
    *c = itp_scenario_component(scn, *name);
    if (*c < 0)
        return itp_rd_fail(rd, e, "no component named '%s' in components", *name);
    return ITP_OK;
}

/* rescue.treatments: the components given when the rule fires, in that
 * order (1 to ITP_MAX_RESCUE_COMPONENTS, of types with a rescue hook, in
 * no arm's treatments: a component's state and schedule are either an
 * arm's or the rescue's); absent: a built-in IVIG with the ivig
 * parameters (of the defaults file, or of the scenario's own `ivig`
 * group), added to the components under a name no scenario can give. */
static itp_status read_rescue_treatments(itp_reader *rd, itp_scenario *scn,
                                         const config_setting_t *rs)
{
    itp_rescue_rule *r = &scn->rescue;
    const config_setting_t *l = itp_member(rs, "treatments");
    char names[512], kinds[256];
    itp_status st;
    r->n_treatments = 0;
    if (!l) {
        itp_component *c = &scn->components[scn->n_components];
        snprintf(c->name, sizeof c->name, "%s", ITP_DEFAULT_RESCUE);
        c->type = &itp_ivig_type;
        c->drug[0] = '\0';
        r->treatment[r->n_treatments++] = scn->n_components++;   /* freed if parse fails */
        if ((st = c->type->parse(rd, NULL, c->type->name, &c->params)))
            return st;
        return itp_rd_log(rd, "rescue.treatments", "[\"ivig\"]",
                          "built-in default (an IVIG with the ivig parameters)");
    }
    if (!config_setting_is_array(l) && !config_setting_is_list(l))
        return itp_rd_fail(rd, l, "expected a list of component names, e.g. [\"ivig\"]");
    int n = config_setting_length(l);
    if (n < 1 || n > ITP_MAX_RESCUE_COMPONENTS)
        return itp_rd_fail(rd, l, "expected 1 to %d component names, got %d (leave treatments "
                           "out for the default IVIG)", ITP_MAX_RESCUE_COMPONENTS, n);
    kinds[0] = '\0';
    for (int i = 0; itp_component_types[i]; i++)
        if (itp_component_types[i]->rescue) {
            size_t m = strlen(kinds);
            snprintf(kinds + m, sizeof kinds - m, "%s%s", m ? ", " : "",
                     itp_component_types[i]->name);
        }
    for (int i = 0; i < n; i++) {
        const config_setting_t *e = config_setting_get_elem(l, (unsigned)i);
        const char *name;
        int c;
        if ((st = named_component(rd, scn, e, &name, &c)))
            return st;
        const itp_component_type *t = scn->components[c].type;
        if (!t->rescue)
            return itp_rd_fail(rd, e, "'%s' is of type %s, which is not given as rescue (the "
                               "types that are: %s)", name, t->name, kinds);
        if (is_rescue(scn, c))
            return itp_rd_fail(rd, e, "component '%s' twice in the rescue", name);
        int a = itp_scenario_arm_giving(scn, c);
        if (a >= 0)
            return itp_rd_fail(rd, e, "'%s' is a treatment of arm '%s': a rescue's "
                               "components are given only as rescue (another component of "
                               "the same drug may be)", name, scn->arms[a].name);
        r->treatment[r->n_treatments++] = c;
    }
    unsigned bits = 0;
    for (int i = 0; i < r->n_treatments; i++)
        bits |= 1u << r->treatment[i];
    component_names(scn, bits, names, sizeof names);
    return itp_rd_log(rd, "rescue.treatments", names, "scenario");
}

/* new_therapy.stops: the components (by name) that stop when new ITP
 * therapy starts; absent: all of them but the rescue's (the study drug and
 * any background treatment stop per protocol); [] none. A rescue goes on
 * whatever therapy starts. */
static itp_status read_stops(itp_reader *rd, itp_scenario *scn, const config_setting_t *nt)
{
    const config_setting_t *l = itp_member(nt, "stops");
    unsigned *stops = &scn->new_therapy.stops;
    *stops = 0u;
    for (int c = 0; !l && c < scn->n_components; c++)
        if (!is_rescue(scn, c))
            *stops |= 1u << c;
    if (l && !config_setting_is_array(l) && !config_setting_is_list(l))
        return itp_rd_fail(rd, l, "expected a list of component names, e.g. [\"eltrombopag\"]");
    for (int i = 0; l && i < config_setting_length(l); i++) {
        const config_setting_t *e = config_setting_get_elem(l, (unsigned)i);
        const char *name;
        int c;
        itp_status st = named_component(rd, scn, e, &name, &c);
        if (st)
            return st;
        if (is_rescue(scn, c))
            return itp_rd_fail(rd, e, "'%s' is given as rescue, which new therapy does not stop",
                               name);
        *stops |= 1u << c;
    }
    /* for `check`: the components that stop, in their order */
    char names[512];
    component_names(scn, *stops, names, sizeof names);
    return itp_rd_log(rd, "new_therapy.stops", names,
                      l ? "scenario" : "built-in default (every component but the rescue's)");
}

itp_status itp_scn_read_events(itp_reader *rd, itp_scenario *scn,
                               const config_setting_t *root)
{
    const config_setting_t *ev, *rs, *nt;
    double death, dropout, from_week;
    itp_rescue_rule *r = &scn->rescue;
    itp_new_therapy_rule *t = &scn->new_therapy;
    static const char *const rescue_keys[] = {"trigger", "treatments", NULL};
    static const char *const moved[] = {"response_prob", "kdeg_factor", "duration_days", NULL};
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
        (st = itp_rd_child(rd, root, "rescue", CONFIG_TYPE_GROUP, 0, &rs)))
        return st;
    for (int i = 0; moved[i]; i++)
        if (itp_member(rs, moved[i]))
            return itp_rd_fail(rd, itp_member(rs, moved[i]),
                               "a rescue treatment's parameter: set the IVIG's (ivig = { %s = "
                               "...; }; for the default rescue) or name the rescue's components "
                               "in rescue.treatments", moved[i]);
    if ((st = itp_rd_keys(rd, rs, rescue_keys, "rescue")) ||
        (st = itp_rd_string_at(rd, rs, "rescue", "trigger", "count_or_bleeding", trigger,
                               sizeof trigger)) ||
        (st = itp_rd_double(rd, rs, "rescue", "below", ITP_CLOSED(0.0, 1000.0), &r->below)) ||
        (st = itp_rd_double(rd, rs, "rescue", "from_week", ITP_CLOSED(0.0, 1100.0), &rescue_from)) ||
        (st = itp_rd_double(rd, rs, "rescue", "bleed_below", ITP_CLOSED(0.0, 1e4), &r->bleed_below)) ||
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
    if ((st = read_rescue_treatments(rd, scn, rs)))
        return st;
    return read_stops(rd, scn, nt);
}
