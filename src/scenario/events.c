/* The event sections of a scenario: death and dropout, rescue, new
 * therapy (and what it stops); see internal.h. */
#include "itpsim/scenario.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>
#include "internal.h"

#define DPM ITP_DAYS_PER_MONTH

/* new_therapy.stops: the components (by name) that stop when new ITP
 * therapy starts; absent: all of them (the study drug and any background
 * treatment stop per protocol); [] none. */
static itp_status read_stops(itp_reader *rd, itp_scenario *scn, const config_setting_t *nt)
{
    const config_setting_t *l = itp_member(nt, "stops");
    unsigned *stops = &scn->new_therapy.stops;
    *stops = l ? 0u : (1u << scn->n_components) - 1u;
    if (l && !config_setting_is_array(l) && !config_setting_is_list(l))
        return itp_rd_fail(rd, l, "expected a list of component names, e.g. [\"eltrombopag\"]");
    for (int i = 0; l && i < config_setting_length(l); i++) {
        const config_setting_t *e = config_setting_get_elem(l, (unsigned)i);
        const char *name = config_setting_get_string(e);
        if (!name)
            return itp_rd_fail(rd, e, "expected a component name (a string)");
        int c = itp_scenario_component(scn, name);
        if (c < 0)
            return itp_rd_fail(rd, e, "no component named '%s' in components", name);
        *stops |= 1u << c;
    }
    /* for `check`: the components that stop, in their order */
    char names[512] = "[";
    for (int c = 0; c < scn->n_components; c++)
        if (*stops >> c & 1u) {
            size_t n = strlen(names);
            snprintf(names + n, sizeof names - n, "%s\"%s\"", n > 1 ? ", " : "",
                     scn->components[c].name);
        }
    strncat(names, "]", sizeof names - strlen(names) - 1);
    return itp_rd_log(rd, "new_therapy.stops", names,
                      l ? "scenario" : "built-in default (every component)");
}

itp_status itp_scn_read_events(itp_reader *rd, itp_scenario *scn,
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
