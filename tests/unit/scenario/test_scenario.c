/* Scenario loading: the VAYHIT2 design as published (NCT05653219), the
 * defaults file's provenance (every parameter has a value, a unit and a
 * source), overrides, and validation messages. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <cmocka.h>
#include <libconfig.h>
#include "itpsim/model.h"
#include "testutil.h"

static void test_vayhit2_design(void **state)
{
    (void)state;
    itp_scenario *scn;
    char err[1024];
    assert_int_equal(itp_scenario_load(&scn, "scenarios/vayhit2.cfg", TEST_DEFAULTS, NULL, 0,
                                       NULL, err, sizeof err), ITP_OK);
    assert_int_equal(scn->n_patients, 152);
    assert_int_equal(scn->n_arms, 3);
    assert_string_equal(scn->arms[scn->control_arm].name, "placebo");
    for (int a = 0; a < 3; a++)
        assert_true(scn->arms[a].ratio == 1.0);
    /* weekly to week 9, every 2 weeks to 25, then every 4 weeks */
    int expect[] = {0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 11, 13, 15, 17, 19, 21, 23, 25, 29, 33};
    for (int i = 0; i < 20; i++)
        assert_int_equal(scn->visit_day[i], expect[i] * 7);
    assert_true(itp_scenario_is_visit(scn, 15 * 7) && itp_scenario_is_visit(scn, 17 * 7));
    assert_false(itp_scenario_is_visit(scn, 16 * 7));
    assert_int_equal(scn->max_followup_days, (int)(39 * ITP_DAYS_PER_MONTH));
    assert_string_equal(scn->model->name, "platelet");
    itp_scenario_free(scn);
}

/* Every leaf of config/defaults.cfg is a group with a numeric value (or a
 * non-empty array of numbers: avatrombopag's dose levels) and non-empty
 * unit and source strings; a population (a group of
 * `populations`) may also hold its description and phase as strings. */
static void check_params(const config_setting_t *g, int population, int *n)
{
    for (int i = 0; i < config_setting_length(g); i++) {
        const config_setting_t *c = config_setting_get_elem(g, (unsigned)i);
        const char *name = config_setting_name(c);
        if (population && (strcmp(name, "description") == 0 || strcmp(name, "phase") == 0)) {
            assert_non_null(config_setting_get_string(c));
            continue;
        }
        assert_true(config_setting_is_group(c));
        const config_setting_t *v = config_setting_get_member(c, "value");
        if (!v) {
            /* a drug (tpo_ra.eltrombopag), a subgroup (its taper), a population */
            int is_pop = config_setting_parent(c) == config_root_setting(c->config) &&
                         strcmp(name, "populations") == 0;
            for (int j = 0; is_pop && j < config_setting_length(c); j++)
                check_params(config_setting_get_elem(c, (unsigned)j), 1, n);
            if (!is_pop)
                check_params(c, 0, n);
            continue;
        }
        const char *unit = NULL, *source = NULL;
        if (config_setting_is_array(v)) {
            assert_true(config_setting_length(v) > 0);
            for (int j = 0; j < config_setting_length(v); j++)
                assert_true(config_setting_is_number(config_setting_get_elem(v, (unsigned)j)));
        } else {
            assert_true(config_setting_is_number(v));
        }
        if (!config_setting_lookup_string(c, "unit", &unit) ||
            !config_setting_lookup_string(c, "source", &source) || !unit[0] || !source[0])
            fail_msg("%s: missing unit or source", name);
        assert_int_equal(config_setting_length(c), 3);
        (*n)++;
    }
}

static void test_defaults_have_unit_and_source(void **state)
{
    (void)state;
    config_t c;
    config_init(&c);
    assert_true(config_read_file(&c, TEST_DEFAULTS));
    int n = 0;
    check_params(config_root_setting(&c), 0, &n);
    assert_true(n > 50);
    config_destroy(&c);
}

/* Every parameter a population sets, under populations.NAME.PATH, is a
 * parameter of the defaults at PATH, in the same unit (prior_lines is
 * the population's own). */
static void check_population_paths(const config_t *c, const config_setting_t *g,
                                   const char *path, int *n)
{
    for (int i = 0; i < config_setting_length(g); i++) {
        const config_setting_t *s = config_setting_get_elem(g, (unsigned)i);
        char p[256];
        snprintf(p, sizeof p, "%s%s%s", path, path[0] ? "." : "", config_setting_name(s));
        if (!config_setting_is_group(s) || strcmp(p, "prior_lines") == 0)
            continue;
        if (!config_setting_get_member(s, "value")) {
            check_population_paths(c, s, p, n);
            continue;
        }
        const config_setting_t *d = config_lookup(c, p);
        if (!d || !config_setting_get_member(d, "value"))
            fail_msg("a population sets %s, which the defaults do not have", p);
        const char *u1 = "", *u2 = "";
        config_setting_lookup_string(s, "unit", &u1);
        config_setting_lookup_string(d, "unit", &u2);
        if (strcmp(u1, u2) != 0)
            fail_msg("%s: unit '%s' in a population, '%s' in the defaults", p, u1, u2);
        (*n)++;
    }
}

static void test_populations(void **state)
{
    (void)state;
    config_t c;
    config_init(&c);
    assert_true(config_read_file(&c, TEST_DEFAULTS));
    const config_setting_t *all = config_lookup(&c, "populations");
    assert_non_null(all);
    int n = 0;
    for (int i = 0; i < config_setting_length(all); i++)
        check_population_paths(&c, config_setting_get_elem(all, (unsigned)i), "", &n);
    assert_true(n >= 4);
    config_destroy(&c);

    /* A population's value comes between the scenario's and the defaults'. */
    char err[1024];
    itp_reader *rd;
    char path[64];
    test_write_file("population = \"newly_diagnosed\";\nplatelet = { baseline_below = 20.0; };\n",
                    path);
    assert_int_equal(itp_reader_open(&rd, path, TEST_DEFAULTS, NULL, 0, err, sizeof err), ITP_OK);
    unlink(path);
    assert_string_equal(itp_reader_population(rd), "newly_diagnosed");
    const config_setting_t *g = itp_member(itp_reader_root(rd), "platelet");
    double med, below, logsd, odds;
    assert_int_equal(itp_rd_double(rd, g, "platelet", "baseline_median", ITP_POSITIVE(1e4), &med), ITP_OK);
    assert_int_equal(itp_rd_double(rd, g, "platelet", "baseline_below", ITP_POSITIVE(1e4), &below), ITP_OK);
    assert_int_equal(itp_rd_double(rd, g, "platelet", "baseline_logsd", ITP_CLOSED(0, 3), &logsd), ITP_OK);
    assert_int_equal(itp_rd_double(rd, g, "platelet", "remission_odds", ITP_POSITIVE(1e3), &odds), ITP_OK);
    assert_true(med == 12.0);     /* the population's */
    assert_true(below == 20.0);   /* the scenario's, over the defaults' 30 */
    assert_true(logsd == 0.5);    /* the defaults' (the population leaves it) */
    assert_true(odds == 4.0);
    itp_reader_free(rd);

    /* An unknown population is refused with its file, line and the names. */
    test_write_file("name = \"x\";\npopulation = \"newly_diagnossed\";\n", path);
    assert_int_equal(itp_reader_open(&rd, path, TEST_DEFAULTS, NULL, 0, err, sizeof err),
                     ITP_EINPUT);
    unlink(path);
    char at[80];
    snprintf(at, sizeof at, "%s:2", path);
    assert_non_null(strstr(err, at));
    assert_non_null(strstr(err, "unknown population 'newly_diagnossed'"));
    assert_non_null(strstr(err, "newly_diagnosed"));
}

static void test_overrides(void **state)
{
    (void)state;
    itp_scenario *scn;
    char err[1024];
    const char *sets[] = {"patients=300", "platelet.baseline_median=12",
                          "components.eltrombopag.taper.length_weeks=5"};
    assert_int_equal(itp_scenario_load(&scn, "scenarios/vayhit2.cfg", TEST_DEFAULTS, sets, 3,
                                       NULL, err, sizeof err), ITP_OK);
    assert_int_equal(scn->n_patients, 300);
    itp_scenario_free(scn);
    /* the taper moves with its start: from week 13 eligibility is at weeks
     * 11 and 13 (visits); from week 12 at weeks 10 and 12, which the
     * schedule gets as protocol visits (two scheduled visits more) */
    const char *sets2[] = {"components.eltrombopag.taper.start_week=13"};
    assert_int_equal(itp_scenario_load(&scn, "scenarios/vayhit2.cfg", TEST_DEFAULTS, sets2, 1,
                                       NULL, err, sizeof err), ITP_OK);
    int visits13 = scn->n_visits;
    assert_false(itp_scenario_is_visit(scn, 70));
    itp_scenario_free(scn);
    const char *sets3[] = {"components.eltrombopag.taper.start_week=12"};
    assert_int_equal(itp_scenario_load(&scn, "scenarios/vayhit2.cfg", TEST_DEFAULTS, sets3, 1,
                                       NULL, err, sizeof err), ITP_OK);
    assert_int_equal(scn->n_visits, visits13 + 2);
    assert_true(itp_scenario_is_visit(scn, 70) && itp_scenario_is_visit(scn, 84));
    for (int v = 1; v < scn->n_visits; v++)
        assert_true(scn->visit_day[v] > scn->visit_day[v - 1]);
    itp_scenario_free(scn);
    /* end_week and length_weeks together are refused */
    const char *sets4[] = {"components.eltrombopag.taper.end_week=22"};
    assert_int_equal(itp_scenario_load(&scn, "scenarios/vayhit2.cfg", TEST_DEFAULTS, sets4, 1,
                                       NULL, err, sizeof err), ITP_EINPUT);
    assert_non_null(strstr(err, "not both"));
    const char *unknown[] = {"platelet.no_such_parameter=1"};
    assert_int_equal(itp_scenario_load(&scn, "scenarios/vayhit2.cfg", TEST_DEFAULTS, unknown, 1,
                                       NULL, err, sizeof err), ITP_EINPUT);
    assert_non_null(strstr(err, "platelet.no_such_parameter"));
    assert_non_null(strstr(err, "set on the command line"));
}

/* A section of a tool above the scenario: owns the top-level group `toy`,
 * reads toy.x into its context and counts the calls of its free. */
typedef struct toy_ctx {
    int x, freed;
} toy_ctx;

static size_t toy_keys(const char **keys, size_t max)
{
    if (max < 1)
        return 0;
    keys[0] = "toy";
    return 1;
}

static itp_status toy_parse(itp_reader *rd, itp_scenario *scn, void *ctx)
{
    toy_ctx *t = ctx;
    const config_setting_t *g;
    itp_status st;
    (void)scn;
    if ((st = itp_rd_child(rd, itp_reader_root(rd), "toy", CONFIG_TYPE_GROUP, 1, &g)))
        return st;
    return itp_rd_int(rd, g, NULL, "x", 0, 9, &t->x);
}

static void toy_free(itp_scenario *scn, void *ctx)
{
    (void)scn;
    ((toy_ctx *)ctx)->freed++;
}

static void test_sections(void **state)
{
    (void)state;
    char path[64], err[1024];
    itp_scenario *scn, *null;
    toy_ctx t = {0, 0};
    const itp_scenario_section toy = {"toy", toy_keys, toy_parse, toy_free, &t};
    /* the standard sections do not know the group */
    test_write_file(TEST_BASE_SCENARIO "toy = { x = 3; };\n", path);
    assert_int_equal(itp_scenario_load(&scn, path, TEST_DEFAULTS, NULL, 0, NULL, err, sizeof err),
                     ITP_EINPUT);
    assert_non_null(strstr(err, "toy: unknown setting"));
    /* given the section, the group is read into its context, and freeing the
     * scenario (not its null version, which borrows) calls its free once */
    assert_int_equal(itp_scenario_load_with(&scn, path, TEST_DEFAULTS, NULL, 0, &toy, 1, NULL, err,
                                            sizeof err), ITP_OK);
    assert_int_equal(t.x, 3);
    assert_int_equal(itp_scenario_null(scn, &null), ITP_OK);
    itp_scenario_free(null);
    assert_int_equal(t.freed, 0);
    itp_scenario_free(scn);
    assert_int_equal(t.freed, 1);
    /* a refused value names the setting; the section is freed all the same */
    const char *bad[] = {"toy.x=12"};
    assert_int_equal(itp_scenario_load_with(&scn, path, TEST_DEFAULTS, bad, 1, &toy, 1, NULL, err,
                                            sizeof err), ITP_EINPUT);
    assert_null(scn);
    assert_non_null(strstr(err, "toy.x"));
    assert_int_equal(t.freed, 2);
    unlink(path);
    /* a calibration section is allowed and left unread by a plain load */
    assert_int_equal(itp_scenario_load(&scn, "scenarios/vayhit2.cfg", TEST_DEFAULTS, NULL, 0, NULL,
                                       err, sizeof err), ITP_OK);
    itp_scenario_free(scn);
}

static void test_edit_distance(void **state)
{
    (void)state;
    assert_int_equal(itp_edit_distance("ratio", "ratio"), 0);
    assert_int_equal(itp_edit_distance("ratoi", "ratio"), 2);
    assert_int_equal(itp_edit_distance("patiens", "patients"), 1);
    assert_int_equal(itp_edit_distance("", "abc"), 3);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_vayhit2_design),
        cmocka_unit_test(test_defaults_have_unit_and_source),
        cmocka_unit_test(test_populations),
        cmocka_unit_test(test_overrides),
        cmocka_unit_test(test_sections),
        cmocka_unit_test(test_edit_distance),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
