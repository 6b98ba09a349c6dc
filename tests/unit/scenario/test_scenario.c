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

/* Every leaf of config/defaults.cfg is a group with a numeric value and
 * non-empty unit and source strings. */
static void check_params(const config_setting_t *g, int *n)
{
    for (int i = 0; i < config_setting_length(g); i++) {
        const config_setting_t *c = config_setting_get_elem(g, (unsigned)i);
        assert_true(config_setting_is_group(c));
        const config_setting_t *v = config_setting_get_member(c, "value");
        if (!v) {
            check_params(c, n); /* a subgroup such as tpo_ra.taper */
            continue;
        }
        const char *unit = NULL, *source = NULL;
        assert_true(config_setting_is_number(v));
        if (!config_setting_lookup_string(c, "unit", &unit) ||
            !config_setting_lookup_string(c, "source", &source) || !unit[0] || !source[0])
            fail_msg("%s: missing unit or source", config_setting_name(c));
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
    check_params(config_root_setting(&c), &n);
    assert_true(n > 50);
    config_destroy(&c);
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
     * 11 and 13 (visits); from week 12 it would need a visit at week 10 */
    const char *sets2[] = {"components.eltrombopag.taper.start_week=13"};
    assert_int_equal(itp_scenario_load(&scn, "scenarios/vayhit2.cfg", TEST_DEFAULTS, sets2, 1,
                                       NULL, err, sizeof err), ITP_OK);
    itp_scenario_free(scn);
    const char *sets3[] = {"components.eltrombopag.taper.start_week=12"};
    assert_int_equal(itp_scenario_load(&scn, "scenarios/vayhit2.cfg", TEST_DEFAULTS, sets3, 1,
                                       NULL, err, sizeof err), ITP_EINPUT);
    assert_non_null(strstr(err, "visit at week 10"));
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
        cmocka_unit_test(test_overrides),
        cmocka_unit_test(test_sections),
        cmocka_unit_test(test_edit_distance),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
