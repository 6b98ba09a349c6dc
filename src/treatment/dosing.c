/* Dose titration and taper rules shared by the dosed components (see
 * dosing.h for the rules and their sources). */
#include "itpsim/dosing.h"

#include <math.h>
#include <stdio.h>
#include <string.h>
#include "itpsim/record.h"

/* ---- settings ------------------------------------------------------------ */

/* The index of the dose level equal to x (to rounding: levels written as
 * decimals of fractions), or -1. */
static int level_index(const itp_titration *t, double x)
{
    for (int i = 0; i < t->n_levels; i++)
        if (fabs(x - t->level[i]) <= 1e-9 * t->level[i])
            return i;
    return -1;
}

/* Explicit dose levels: increasing, the start (unless 0) and the maximum
 * among them (taken as those levels exactly); the lowest is the minimum. */
static itp_status check_levels(itp_reader *rd, const config_setting_t *g, const char *d,
                               const char *start, const char *max, const char *levels,
                               const config_setting_t *where, itp_titration *t)
{
    for (int i = 1; i < t->n_levels; i++)
        if (!(t->level[i] > t->level[i - 1]))
            return itp_rd_fail(rd, config_setting_get_elem(where, (unsigned)i),
                               "expected increasing %s, got %g after %g", levels, t->level[i],
                               t->level[i - 1]);
    int is = level_index(t, t->start), im = level_index(t, t->max);
    if (t->start > 0.0 && is < 0)
        return itp_rd_fail(rd, itp_rd_where(rd, g, d, start),
                           "expected %s 0 or one of %s, got %g", start, levels, t->start);
    if (im < 0)
        return itp_rd_fail(rd, itp_rd_where(rd, g, d, max), "expected %s one of %s, got %g",
                           max, levels, t->max);
    if (t->start > t->max)
        return itp_rd_fail(rd, itp_rd_where(rd, g, d, start), "expected %s <= %s (%g), got %g",
                           start, max, t->max, t->start);
    if (is >= 0)
        t->start = t->level[is];
    t->max = t->level[im];
    t->min = t->level[0];
    t->step = 0.0;
    return ITP_OK;
}

itp_status itp_titration_parse(itp_reader *rd, const config_setting_t *g, const char *d,
                               const char *unit, itp_titration *t)
{
    char start[48], max[48], min[48], step[48], levels[48];
    const config_setting_t *where;
    itp_status st;
    snprintf(start, sizeof start, "start_dose_%s", unit);
    snprintf(max, sizeof max, "max_dose_%s", unit);
    snprintf(min, sizeof min, "min_dose_%s", unit);
    snprintf(step, sizeof step, "dose_step_%s", unit);
    snprintf(levels, sizeof levels, "dose_levels_%s", unit);
    if ((st = itp_rd_double(rd, g, d, start, ITP_CLOSED(0, 1e4), &t->start)) ||
        (st = itp_rd_double(rd, g, d, max, ITP_POSITIVE(1e4), &t->max)) ||
        (st = itp_rd_array_def(rd, g, d, levels, ITP_POSITIVE(1e4), t->level,
                               ITP_MAX_DOSE_LEVELS, &t->n_levels, &where)))
        return st;
    if (t->n_levels) {
        if ((st = check_levels(rd, g, d, start, max, levels, where, t)))
            return st;
    } else if ((st = itp_rd_double(rd, g, d, min, ITP_POSITIVE(1e4), &t->min)) ||
               (st = itp_rd_double(rd, g, d, step, ITP_POSITIVE(1e4), &t->step))) {
        return st;
    }
    if ((st = itp_rd_double(rd, g, d, "increase_below", ITP_CLOSED(0, 1e4), &t->increase_below)) ||
        (st = itp_rd_double(rd, g, d, "decrease_from", ITP_CLOSED(0, 1e4), &t->decrease_from)) ||
        (st = itp_rd_double(rd, g, d, "hold_above", ITP_CLOSED(0, 1e4), &t->hold_above)) ||
        (st = itp_rd_double(rd, g, d, "restart_below", ITP_CLOSED(0, 1e4), &t->restart_below)) ||
        (st = itp_rd_int(rd, g, d, "days_between_changes", 0, 365, &t->days_between)) ||
        (st = itp_rd_int(rd, g, d, "decrease_wait_days", 0, 365, &t->decrease_wait)) ||
        (st = itp_rd_int(rd, g, d, "hold_recheck_days", 1, 365, &t->recheck_days)))
        return st;
    /* read only for a drug that has it (0: a decrease at the first high count) */
    t->decrease_after = 0;
    if (itp_rd_given(rd, g, d, "decrease_after_days") &&
        (st = itp_rd_int(rd, g, d, "decrease_after_days", 0, 365, &t->decrease_after)))
        return st;
    if (!t->n_levels &&
        (t->min > t->max || t->start > t->max || (t->start > 0.0 && t->start < t->min)))
        return itp_rd_fail(rd, g, "expected %s <= %s <= %s (got %g, %g, %g)", min, start, max,
                           t->min, t->start, t->max);
    if (!(t->increase_below < t->decrease_from && t->decrease_from <= t->hold_above &&
          t->restart_below <= t->hold_above))
        return itp_rd_fail(rd, g, "expected increase_below < decrease_from <= hold_above "
                           "and restart_below <= hold_above");
    return ITP_OK;
}

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
        if ((st = itp_rd_keys(rd, c, taper_keys + 0, d)))
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

/* ---- titration ----------------------------------------------------------- */

/* The explicit levels: the lowest above dose (-1: none), the highest
 * below it (-1: none). */
static int above(const double *level, int n, double dose)
{
    for (int i = 0; i < n; i++)
        if (level[i] > dose * (1.0 + 1e-9))
            return i;
    return -1;
}

static int below(const double *level, int n, double dose)
{
    for (int i = n - 1; i >= 0; i--)
        if (level[i] < dose * (1.0 - 1e-9))
            return i;
    return -1;
}

/* The dose ladder: min, then the multiples of step up to max; or the
 * explicit levels up to max. */
static double level_up(const itp_titration *t, double dose)
{
    if (t->n_levels) {
        int i = above(t->level, t->n_levels, dose);
        return i < 0 ? t->max : fmin(t->level[i], t->max);
    }
    if (dose < t->min)
        return t->min;
    double up = (floor(dose / t->step + 1e-9) + 1.0) * t->step;
    return fmin(up, t->max);
}

static double level_down(const itp_titration *t, double dose)
{
    if (t->n_levels) {
        int i = below(t->level, t->n_levels, dose);
        return i < 0 ? t->min : t->level[i];
    }
    double down = (ceil(dose / t->step - 1e-9) - 1.0) * t->step;
    return fmax(down, t->min);
}

void itp_dose_start(const itp_titration *t, itp_dose_state *s)
{
    s->dose = t->start;
    s->held = 0;
    s->last_change = 0;
    s->last_decrease = -t->decrease_wait;
    s->at_max_since = t->start >= t->max ? 0 : -1;
    s->high_since = -1;
}

void itp_dose_set(const itp_titration *t, itp_dose_state *s, itp_patient_ctx *ctx, int kind,
                  double dose)
{
    int day = ctx->day;
    if (dose < s->dose)
        s->last_decrease = day;
    s->dose = dose;
    s->last_change = day;
    s->high_since = -1;
    if (dose >= t->max) {
        if (s->at_max_since < 0)
            s->at_max_since = day;
    } else {
        s->at_max_since = -1;
    }
    itp_ctx_event(ctx, kind, dose);
}

void itp_dose_off(itp_dose_state *s)
{
    s->held = 0;
    s->dose = 0.0;
    s->at_max_since = -1;
}

void itp_dose_titrate(const itp_titration *t, itp_dose_state *s, itp_patient_ctx *ctx,
                      double count)
{
    int day = ctx->day;
    if (s->held) {
        if (count < t->restart_below) {
            /* one level below the dose before the hold: a decrease from
             * it, for the wait before the next one */
            s->held = 0;
            s->dose = s->dose_before_hold;
            itp_dose_set(t, s, ctx, ITP_EV_RESUME, level_down(t, s->dose_before_hold));
        } else {
            itp_ctx_recheck(ctx, day + t->recheck_days);
        }
        return;
    }
    if (count > t->hold_above) {
        s->held = 1;
        s->dose_before_hold = s->dose;
        s->dose = 0.0;
        s->last_change = day;
        s->at_max_since = -1;
        s->high_since = -1;
        itp_ctx_recheck(ctx, day + t->recheck_days);
        itp_ctx_event(ctx, ITP_EV_HOLD, 0.0);
        return;
    }
    if (count >= t->decrease_from) {
        if (s->high_since < 0)
            s->high_since = day;
        if (s->dose > t->min && day - s->last_decrease >= t->decrease_wait &&
            day - s->high_since >= t->decrease_after)
            itp_dose_set(t, s, ctx, ITP_EV_DOSE, level_down(t, s->dose));
        return;
    }
    s->high_since = -1;
    if (count < t->increase_below && s->dose < t->max &&
        day - s->last_change >= t->days_between)
        itp_dose_set(t, s, ctx, ITP_EV_DOSE, level_up(t, s->dose));
}

/* ---- taper --------------------------------------------------------------- */

/* A taper step down (to 0 below the lowest level) and back up. */
static double taper_down(const itp_taper *tp, double dose)
{
    if (tp->n_levels) {
        int i = below(tp->level, tp->n_levels, dose);
        return i < 0 ? 0.0 : tp->level[i];
    }
    return dose - tp->step;
}

static double taper_up(const itp_taper *tp, double dose)
{
    if (tp->n_levels) {
        int i = above(tp->level, tp->n_levels, dose);
        return i < 0 ? tp->level[tp->n_levels - 1] : tp->level[i];
    }
    return dose + tp->step;
}

/* A taper started by response, before it starts: a count >= resp_count
 * starts the wait (the taper's start stable_days later), a count below
 * stable_min or one a rescue acts on ends it. Counts before resp_from are
 * not judged. */
static void response_wait(const itp_taper *tp, itp_taper_state *s, const itp_patient_ctx *ctx,
                          double count)
{
    int day = ctx->day;
    if (day < tp->resp_from)
        return;
    int rescued = day < ctx->rescue_until;
    if (s->planned && (count < tp->stable_min || rescued))
        s->planned = 0;
    else if (!s->planned && !rescued && count >= tp->resp_count)
        s->planned = day + tp->stable_days;
}

int itp_taper_observe(const itp_titration *t, const itp_taper *tp, itp_dose_state *d,
                      itp_taper_state *s, itp_patient_ctx *ctx, double count, int scheduled,
                      int stopped)
{
    int day = ctx->day;
    if (tp->on && scheduled && s->phase == ITP_TAPER_BEFORE)
        for (int i = 0; i < tp->n_elig; i++)
            if (day == tp->elig_week[i] * 7 && count >= tp->elig_min)
                s->elig_passed++;
    if (tp->on && tp->by_response && s->phase == ITP_TAPER_BEFORE && !stopped)
        response_wait(tp, s, ctx, count);
    if (stopped)
        return 1;
    int tapering = s->phase == ITP_TAPER_ON || s->phase == ITP_TAPER_OFF;
    /* A taper started by response has no end day: it can fail while it
     * steps down, and once off a low count is a relapse. */
    int end = !tp->by_response ? tp->end : s->phase == ITP_TAPER_ON ? ITP_FAR_DAY : -1;
    if (tapering && day <= end && count < tp->fail_below) {
        /* Taper failed: one step back up (not above the dose it started
         * from) and titration from there. */
        s->phase = ITP_TAPER_AFTER;
        itp_ctx_event(ctx, ITP_EV_TAPER_FAIL, count);
        itp_dose_set(t, d, ctx, ITP_EV_DOSE, fmin(taper_up(tp, d->dose), s->from));
        return 1;
    }
    if (s->phase == ITP_TAPER_OFF && day > end && count < tp->restart_below) {
        /* Relapse after a completed taper: restart at the start dose. */
        s->phase = ITP_TAPER_AFTER;
        itp_dose_set(t, d, ctx, ITP_EV_RESTART, t->start);
        return 1;
    }
    return tapering;
}

/* The taper starts today, its first step today (a held patient tapers from
 * the dose before the hold). */
static void taper_begin(itp_dose_state *d, itp_taper_state *s, itp_patient_ctx *ctx)
{
    s->phase = ITP_TAPER_ON;
    if (d->held) {
        d->held = 0;
        d->dose = d->dose_before_hold;
    }
    s->from = d->dose;
    s->next_step = ctx->day;
    itp_ctx_event(ctx, ITP_EV_TAPER_START, d->dose);
}

/* A step down today; off after the last. */
static void taper_step(const itp_taper *tp, itp_dose_state *d, itp_taper_state *s,
                       itp_patient_ctx *ctx)
{
    d->dose = taper_down(tp, d->dose);
    s->next_step += tp->step_days;
    if (d->dose <= 1e-9) {
        d->dose = 0.0;
        s->phase = ITP_TAPER_OFF;
        itp_ctx_event(ctx, ITP_EV_TAPER_END, 0.0);
    } else {
        itp_ctx_event(ctx, ITP_EV_TAPER_STEP, d->dose);
    }
}

/* The day of a taper started by response: its start on the day the wait
 * ends, or not eligible on latest_start; its steps. No plan on day 0 and
 * no inability to taper (there is no end day). Stopped for good before or
 * during it: nothing (more) to taper, and no completed taper. */
static void response_day(const itp_taper *tp, itp_dose_state *d, itp_taper_state *s,
                         itp_patient_ctx *ctx, int stopped)
{
    int day = ctx->day;
    if (stopped) {
        if (s->phase == ITP_TAPER_BEFORE || s->phase == ITP_TAPER_ON)
            s->phase = ITP_TAPER_AFTER;
        return;
    }
    if (s->phase == ITP_TAPER_BEFORE && s->planned && day >= s->planned) {
        taper_begin(d, s, ctx);
    } else if (s->phase == ITP_TAPER_BEFORE && tp->latest_start >= 0 && day >= tp->latest_start) {
        s->phase = ITP_TAPER_AFTER;
        itp_ctx_event(ctx, ITP_EV_TAPER_INELIGIBLE, 0.0);
    }
    if (s->phase == ITP_TAPER_ON && day == s->next_step)
        taper_step(tp, d, s, ctx);
}

void itp_taper_day(const itp_taper *tp, itp_dose_state *d, itp_taper_state *s,
                   itp_patient_ctx *ctx, int stopped)
{
    int day = ctx->day;
    if (tp->on && tp->by_response) {
        response_day(tp, d, s, ctx, stopped);
        return;
    }
    if (!tp->on || (s->phase != ITP_TAPER_ON && day != 0 && day != tp->start && day != tp->end))
        return;   /* nothing to do today (the common case) */
    if (stopped && s->phase == ITP_TAPER_ON) {
        /* stopped for good during the taper (new therapy): no more steps,
         * and no completed taper */
        s->phase = ITP_TAPER_AFTER;
        return;
    }
    if (day == 0)
        itp_ctx_event(ctx, ITP_EV_TAPER_PLAN, tp->end);
    if (s->phase == ITP_TAPER_BEFORE && day == tp->start && stopped) {
        /* Already off the drug (stopped for no response or by new
         * therapy): nothing to taper, and no inability to stop it. */
        s->phase = ITP_TAPER_OFF;
    } else if (s->phase == ITP_TAPER_BEFORE && day == tp->start) {
        if (s->elig_passed == tp->n_elig) {
            taper_begin(d, s, ctx);
        } else {
            s->phase = ITP_TAPER_AFTER;
            itp_ctx_event(ctx, ITP_EV_TAPER_INELIGIBLE, 0.0);
        }
    }
    if (s->phase == ITP_TAPER_ON && day == s->next_step)
        taper_step(tp, d, s, ctx);
    if (day == tp->end && !stopped && s->phase != ITP_TAPER_OFF)
        itp_ctx_event(ctx, ITP_EV_TAPER_UNABLE, d->dose);
}

int itp_taper_next(const itp_taper *tp, const itp_taper_state *s, int day)
{
    int next = ITP_FAR_DAY;
    if (!tp->on)
        return next;
    if (tp->by_response) {   /* the wait's end, or the latest start */
        if (s->phase == ITP_TAPER_BEFORE && s->planned > day)
            next = s->planned;
        if (s->phase == ITP_TAPER_BEFORE && tp->latest_start > day && tp->latest_start < next)
            next = tp->latest_start;
    } else {
        if (tp->start > day)
            next = tp->start;
        if (tp->end > day && tp->end < next)
            next = tp->end;
    }
    if (s->phase == ITP_TAPER_ON && s->next_step > day && s->next_step < next)
        next = s->next_step;
    return next;
}

int itp_taper_needs_visits(const itp_taper *tp, int *weeks, int max)
{
    int n = 0;
    for (int i = 0; tp->on && i < tp->n_elig && n < max; i++)
        weeks[n++] = tp->elig_week[i];
    return n;
}
