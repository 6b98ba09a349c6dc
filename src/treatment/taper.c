/* The settings of a taper (dosing.h): its start rule, by week or by
 * response (TAPER), the steps, the named strategies (policy, policies), and
 * the checks that it ends within a trial. The rules that act on them each
 * day are in dosing.c. */
#include "itpsim/dosing.h"

#include <math.h>
#include <stdio.h>
#include <string.h>

/* The settings of one start rule only (refused with the other), besides
 * those of the steps. */
static const char *const week_keys[] = {"start_week", "end_week", "length_weeks",
                                        "eligible_weeks", "eligible_weeks_before_start",
                                        "eligible_min_count", NULL};
static const char *const response_keys[] = {"response_count", "stable_weeks",
                                            "stable_min_count", "response_from_week",
                                            "latest_start_week", NULL};

/* A taper's settings: the group `taper`, and over it the group of the
 * chosen policy (taper.policies.NAME), whose settings take precedence
 * (strategies written as data and compared by a sweep over `policy`). */
typedef struct taper_src {
    const config_setting_t *t, *p;   /* p: the chosen policy, or NULL */
    int own_rule;                    /* p sets `start`: its own start rule */
} taper_src;

static int in_list(const char *const *keys, const char *key)
{
    for (int i = 0; keys[i]; i++)
        if (strcmp(keys[i], key) == 0)
            return 1;
    return 0;
}

/* The group that holds key: the policy's when it has it, else taper's. A
 * policy with a start rule of its own takes that rule's settings from
 * itself only: the taper's own are those of its own rule. */
static const config_setting_t *at(const taper_src *ts, const char *key)
{
    if (ts->p && (itp_member(ts->p, key) ||
                  (ts->own_rule && (in_list(week_keys, key) || in_list(response_keys, key)))))
        return ts->p;
    return ts->t;
}

/* The setting key, from the policy or the taper group (NULL: neither). */
static const config_setting_t *mem(const taper_src *ts, const char *key)
{
    return itp_member(at(ts, key), key);
}

/* The group a message about the whole taper names: the policy's, if any. */
static const config_setting_t *whole(const taper_src *ts)
{
    return ts->p ? ts->p : ts->t;
}

/* A setting of the other start rule (one of keys) in t: refused. */
static itp_status other_rule_keys(itp_reader *rd, const taper_src *t,
                                  const char *const *keys, const char *rule, const char *other)
{
    for (int i = 0; keys[i]; i++)
        if (mem(t, keys[i]))
            return itp_rd_fail(rd, mem(t, keys[i]),
                               "not a setting of a taper with start = \"%s\" (one of start = "
                               "\"%s\")", rule, other);
    return ITP_OK;
}

/* `start`: "week" (the default; nothing is logged when it is left out, so
 * that the resolved settings of a taper without it stay as they were) or
 * "response". */
static itp_status read_start_rule(itp_reader *rd, const taper_src *t, int *by_response)
{
    char rule[32];
    itp_status st;
    *by_response = 0;
    if (!mem(t, "start"))
        return ITP_OK;
    if ((st = itp_rd_string(rd, at(t, "start"), "start", NULL, rule, sizeof rule)))
        return st;
    if (strcmp(rule, "response") == 0)
        *by_response = 1;
    else if (strcmp(rule, "week") != 0)
        return itp_rd_fail(rd, mem(t, "start"),
                           "expected \"week\" or \"response\", got \"%s\"", rule);
    return ITP_OK;
}

/* step_weeks as whole days, at least one (a step each day at the most). */
static itp_status step_days_of(itp_reader *rd, const taper_src *t, double step_w,
                               itp_taper *tp)
{
    tp->step_days = (int)lround(step_w * 7);
    if (tp->step_days < 1) {
        const config_setting_t *w = mem(t, "step_weeks");
        return itp_rd_fail(rd, w ? w : whole(t), "expected step_weeks of at least one day (%g weeks), "
                           "got %g", 1.0 / 7, step_w);
    }
    return ITP_OK;
}

/* The steps of a taper from `dose` to off (with dose levels, one a level:
 * the levels up to the dose), as a double: a tiny step gives more steps
 * than an int holds (checked against ITP_MAX_TAPER_STEPS when read). */
static double steps_from(const itp_taper *tp, double dose)
{
    if (tp->n_levels) {
        int n = 0;
        while (n < tp->n_levels && tp->level[n] <= dose * (1.0 + 1e-9))
            n++;
        return n;
    }
    return ceil(dose / tp->step - 1e-9);
}

/* A taper step so small that the taper from the maximum dose would take
 * more than ITP_MAX_TAPER_STEPS steps, or longer than any follow-up, never
 * ends in a trial: refused, naming the step and its setting. */
static itp_status check_steps(itp_reader *rd, const taper_src *t, const char *unit,
                              double max_dose, const itp_taper *tp)
{
    double steps = steps_from(tp, max_dose);
    if (steps <= ITP_MAX_TAPER_STEPS && (steps - 1) * tp->step_days <= ITP_MAX_FOLLOWUP_DAYS)
        return ITP_OK;
    char key[48];
    snprintf(key, sizeof key, "step_%s", unit);
    const config_setting_t *s = mem(t, key);
    return itp_rd_fail(rd, s ? s : whole(t), "a taper step of %g %s takes %.3g steps (every %d days) "
                       "from the maximum dose %g %s: at most %d steps and %d days; expected a "
                       "step of at least %g %s", tp->step, unit, steps, tp->step_days, max_dose,
                       unit, ITP_MAX_TAPER_STEPS, ITP_MAX_FOLLOWUP_DAYS,
                       max_dose / fmin(ITP_MAX_TAPER_STEPS,
                                       1.0 + ITP_MAX_FOLLOWUP_DAYS / tp->step_days), unit);
}

/* The taper's step: step_UNIT, or with dose levels (t's) one level down,
 * when step_UNIT is refused. */
static itp_status step_parse(itp_reader *rd, const taper_src *t, const char *d,
                             const char *unit, const itp_titration *dose, itp_taper *tp)
{
    char step_key[48];
    snprintf(step_key, sizeof step_key, "step_%s", unit);
    tp->n_levels = dose->n_levels;
    tp->step = 0.0;
    for (int i = 0; i < dose->n_levels; i++)
        tp->level[i] = dose->level[i];
    if (tp->n_levels && mem(t, step_key))
        return itp_rd_fail(rd, mem(t, step_key),
                           "the taper steps down the dose levels one at a time: no %s", step_key);
    return tp->n_levels ? ITP_OK
                        : itp_rd_double(rd, at(t, step_key), d, step_key, ITP_POSITIVE(1e4),
                                        &tp->step);
}

/* A taper started by response (TAPER: Cooper et al., Am J Hematol 2024,
 * complete response >= 100, then 2 months without a count < 70): no start
 * or end day, no eligibility visits. */
static itp_status response_parse(itp_reader *rd, const taper_src *t, const char *d,
                                 const char *unit, const itp_titration *dose, itp_taper *tp)
{
    double stable_w, from_w, latest_w, step_w;
    itp_status st;
    if ((st = other_rule_keys(rd, t, week_keys, "response", "week")) ||
        (st = itp_rd_double_or(rd, at(t, "response_count"), "response_count", ITP_POSITIVE(1e4), 100.0,
                               &tp->resp_count)) ||
        (st = itp_rd_double_or(rd, at(t, "stable_weeks"), "stable_weeks", ITP_POSITIVE(520), 8.0, &stable_w)) ||
        (st = itp_rd_double_or(rd, at(t, "stable_min_count"), "stable_min_count", ITP_CLOSED(0, 1e4), 70.0,
                               &tp->stable_min)) ||
        (st = itp_rd_double_or(rd, at(t, "response_from_week"), "response_from_week", ITP_CLOSED(0, 1000), 0.0, &from_w)) ||
        (st = itp_rd_double_opt(rd, at(t, "latest_start_week"), "latest_start_week", ITP_CLOSED(0, 1000), -1.0, "none",
                                &latest_w)) ||
        (st = step_parse(rd, t, d, unit, dose, tp)) ||
        (st = itp_rd_double(rd, at(t, "step_weeks"), d, "step_weeks", ITP_POSITIVE(100), &step_w)) ||
        (st = itp_rd_double(rd, at(t, "fail_below"), d, "fail_below", ITP_CLOSED(0, 1e4), &tp->fail_below)) ||
        (st = itp_rd_double(rd, at(t, "restart_below"), d, "restart_below", ITP_CLOSED(0, 1e4), &tp->restart_below)) ||
        (st = step_days_of(rd, t, step_w, tp)) ||
        (st = check_steps(rd, t, unit, dose->max, tp)))
        return st;
    tp->stable_days = (int)lround(stable_w * 7);
    if (tp->stable_days < 1)
        return itp_rd_fail(rd, mem(t, "stable_weeks"),
                           "expected stable_weeks of at least one day (%g weeks), got %g", 1.0 / 7,
                           stable_w);
    if (tp->stable_min > tp->resp_count) {
        const config_setting_t *m = mem(t, "stable_min_count");
        return itp_rd_fail(rd, m ? m : whole(t),
                           "expected stable_min_count <= response_count (%g), got %g",
                           tp->resp_count, tp->stable_min);
    }
    tp->resp_from = (int)lround(from_w * 7);
    tp->latest_start = latest_w < 0 ? -1 : (int)lround(latest_w * 7);
    if (tp->latest_start >= 0 && tp->latest_start < tp->resp_from + tp->stable_days)
        return itp_rd_fail(rd, mem(t, "latest_start_week"),
                           "expected latest_start_week >= response_from_week + stable_weeks (%g), "
                           "got %g", (tp->resp_from + tp->stable_days) / 7.0, latest_w);
    tp->start = tp->end = ITP_FAR_DAY;
    tp->n_elig = 0;
    tp->by_response = 1;
    tp->on = 1;
    return ITP_OK;
}

static const char *const taper_keys[] = {"start_week", "end_week", "length_weeks",
                                         "eligible_weeks",
                                         "eligible_weeks_before_start", "start",
                                         "response_count", "stable_weeks",
                                         "stable_min_count", "response_from_week",
                                         "latest_start_week", "policy", "policies", NULL};

/* `policy = "NAME"` chooses the group NAME of `policies` (each a taper's
 * settings but policy and policies; all are checked for unknown keys, the
 * chosen one is read over the taper's own). Without `policy` the taper's
 * own settings are read (the policies wait for a --set or a sweep); a name
 * that is none of the policies is refused. */
static itp_status choose_policy(itp_reader *rd, const config_setting_t *t, const char *d,
                                taper_src *ts)
{
    const config_setting_t *ps, *pol = itp_member(t, "policy");
    char name[64], known[256] = "";
    itp_status st;
    ts->t = t;
    ts->p = NULL;
    ts->own_rule = 0;
    if ((st = itp_rd_child(rd, t, "policies", CONFIG_TYPE_GROUP, 0, &ps)))
        return st;
    if (!pol && !ps)
        return ITP_OK;
    if (pol && (st = itp_rd_string(rd, t, "policy", NULL, name, sizeof name)))
        return st;
    if (pol && !ps)
        return itp_rd_fail(rd, pol, "policy \"%s\": no group policies = { %s = { ... }; } "
                           "in the taper", name, name);
    size_t used = 0;
    for (int i = 0; i < config_setting_length(ps); i++) {
        const config_setting_t *c = config_setting_get_elem(ps, (unsigned)i);
        const char *cn = config_setting_name(c);
        if (!config_setting_is_group(c))
            return itp_rd_fail(rd, c, "expected a group of taper settings");
        if ((st = itp_rd_keys(rd, c, taper_keys, d)))
            return st;
        if (itp_member(c, "policy") || itp_member(c, "policies"))
            return itp_rd_fail(rd, itp_member(c, "policy") ? itp_member(c, "policy")
                                                           : itp_member(c, "policies"),
                               "a policy cannot choose or hold policies");
        if (pol && strcmp(cn, name) == 0)
            ts->p = c;
        int w = snprintf(known + used, sizeof known - used, "%s%s", used ? ", " : "", cn);
        used += w > 0 && (size_t)w < sizeof known - used ? (size_t)w : 0;
    }
    if (pol && !ts->p)
        return itp_rd_fail(rd, pol, "no taper policy \"%s\" (policies: %s)", name, known);
    ts->own_rule = ts->p && itp_member(ts->p, "start");
    return ITP_OK;
}

itp_status itp_taper_parse(itp_reader *rd, const config_setting_t *g, const char *d,
                           const char *unit, const itp_titration *dose, itp_taper *tp)
{
    const config_setting_t *tg;
    taper_src tsrc, *t = &tsrc;
    itp_status st;
    int by_response;
    tp->on = 0;
    tp->by_response = 0;
    if ((st = itp_rd_child(rd, g, "taper", CONFIG_TYPE_GROUP, 0, &tg)) || !tg)
        return st;
    if ((st = itp_rd_keys(rd, tg, taper_keys, d)) || (st = choose_policy(rd, tg, d, t)) ||
        (st = read_start_rule(rd, t, &by_response)))
        return st;
    double start_w, end_w, step_w, weeks[ITP_MAX_TAPER_VISITS];
    int relative = mem(t, "eligible_weeks_before_start") != NULL;
    if (by_response)
        return response_parse(rd, t, d, unit, dose, tp);
    if ((st = other_rule_keys(rd, t, response_keys, "week", "response")) ||
        (st = itp_rd_double(rd, at(t, "start_week"), NULL, "start_week", ITP_CLOSED(0, 1000), &start_w)))
        return st;
    /* The end as a week, or as a length from the start (so that a sweep
     * over the start moves the whole taper). */
    if (mem(t, "length_weeks")) {
        double len;
        if (mem(t, "end_week"))
            return itp_rd_fail(rd, mem(t, "end_week"), "give end_week or length_weeks, not both");
        if ((st = itp_rd_double(rd, at(t, "length_weeks"), NULL, "length_weeks", ITP_CLOSED(0, 1000), &len)))
            return st;
        end_w = start_w + len;
    } else if ((st = itp_rd_double(rd, at(t, "end_week"), NULL, "end_week", ITP_CLOSED(0, 1000), &end_w))) {
        return st;
    }
    if (relative && mem(t, "eligible_weeks"))
        return itp_rd_fail(rd, mem(t, "eligible_weeks"),
                           "give eligible_weeks or eligible_weeks_before_start, not both");
    if ((st = step_parse(rd, t, d, unit, dose, tp)) ||
        (st = itp_rd_double(rd, at(t, "step_weeks"), d, "step_weeks", ITP_POSITIVE(100), &step_w)) ||
        (st = itp_rd_double(rd, at(t, "eligible_min_count"), d, "eligible_min_count", ITP_CLOSED(0, 1e4), &tp->elig_min)) ||
        (st = itp_rd_double(rd, at(t, "fail_below"), d, "fail_below", ITP_CLOSED(0, 1e4), &tp->fail_below)) ||
        (st = itp_rd_double(rd, at(t, "restart_below"), d, "restart_below", ITP_CLOSED(0, 1e4), &tp->restart_below)) ||
        (st = itp_rd_array(rd, at(t, relative ? "eligible_weeks_before_start" : "eligible_weeks"),
                           relative ? "eligible_weeks_before_start" : "eligible_weeks",
                           ITP_CLOSED(0, 1000), 0, weeks, ITP_MAX_TAPER_VISITS, &tp->n_elig)))
        return st;
    double written[ITP_MAX_TAPER_VISITS];   /* as in the scenario, for messages */
    for (int i = 0; i < tp->n_elig; i++) {
        written[i] = weeks[i];
        if (relative)
            weeks[i] = start_w - weeks[i];
    }
    tp->on = 1;
    tp->start = (int)lround(start_w * 7);
    tp->end = (int)lround(end_w * 7);
    if ((st = step_days_of(rd, t, step_w, tp)))
        return st;
    if (tp->end < tp->start)
        return itp_rd_fail(rd, mem(t, "end_week"),
                           "expected end_week >= start_week (%g), got %g", start_w, end_w);
    for (int i = 0; i < tp->n_elig; i++) {
        const char *key = relative ? "eligible_weeks_before_start" : "eligible_weeks";
        if (weeks[i] != floor(weeks[i]) || weeks[i] > start_w)
            return itp_rd_fail(rd, mem(t, key),
                               "expected whole weeks %s start_week (%.15g), got %.15g "
                               "(element %d)%s", relative ? "before" : "up to", start_w,
                               written[i], i + 1,
                               relative && written[i] == floor(written[i])
                                   ? ": start_week minus it must be a whole week" : "");
        tp->elig_week[i] = (int)weeks[i];
    }
    double max_dose = dose->max;
    if ((st = check_steps(rd, t, unit, max_dose, tp)))
        return st;
    int steps = (int)steps_from(tp, max_dose);
    if (tp->start + (steps - 1) * tp->step_days > tp->end)
        return itp_rd_fail(rd, whole(t), "a taper from the maximum dose (%g %s, %d steps every %g weeks "
                           "from week %g) cannot end by end_week %g", max_dose, unit, steps,
                           step_w, start_w, end_w);
    return ITP_OK;
}

int itp_taper_last_day(const itp_taper *tp, double max_dose)
{
    if (!tp->on)
        return -1;
    if (!tp->by_response)
        return tp->end;
    if (tp->latest_start < 0)
        return ITP_FAR_DAY;
    return tp->latest_start + ((int)steps_from(tp, max_dose) - 1) * tp->step_days;
}
