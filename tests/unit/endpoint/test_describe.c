/* The endpoint rules in words (each type's describe hook): one scenario
 * snippet per rule, and the sentence a clinician reads in the report, the
 * Kaplan-Meier picture and `itpsim check`. Each sentence is built from the
 * parsed settings, so a changed setting must change it (checked for the
 * thresholds, the weeks and the optional parts). */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <string.h>
#include <cmocka.h>
#include "itpsim/endpoint.h"
#include "testutil.h"

/* The visits of VAYHIT2: weekly to week 9, every 2 weeks to 25, then
 * every 4 weeks; the endpoints section follows. */
#define HEAD                                                                           \
    "patients = 10;\n"                                                                 \
    "arms = ( { name = \"a\"; } );\n"                                                  \
    "enrolment = { duration_months = 1.0; };\n"                                        \
    "followup = { max_months = 24.0; cut_months = 24.0; };\n"                          \
    "visits = ( { from_week = 0; to_week = 9; every_weeks = 1; },\n"                   \
    "           { from_week = 11; to_week = 25; every_weeks = 2; },\n"                 \
    "           { from_week = 29; every_weeks = 4; } );\n"

/* The sentence of the scenario's endpoint e, compared with want. */
static void says(const char *endpoints, int e, const char *want)
{
    char text[4096], err[1024], got[1024];
    snprintf(text, sizeof text, "%sendpoints = {\n%s\n};\n", HEAD, endpoints);
    itp_scenario *scn = test_load(text, err, sizeof err);
    assert_non_null(scn);
    itp_endpoint_describe(scn, e, got, sizeof got);
    if (strcmp(got, want))
        fprintf(stderr, "got:  %s\nwant: %s\n", got, want);
    assert_string_equal(got, want);
    itp_scenario_free(scn);
}

/* VAYHIT2's primary endpoint, as its protocol lists the failures. */
static void test_ttf_vayhit2(void **state)
{
    (void)state;
    says("ttf = { type = \"ttf\"; count = { below = 30.0; after_week = 8.0; };\n"
         "        rescue = { after_week = 8.0; }; new_therapy = true; taper = { };\n"
         "        death = true; };",
         0,
         "Time to treatment failure: the first of a count < 30 \u00d710\u2079/L after week 8, "
         "rescue after week 8, new ITP therapy, inability to complete the TPO-RA taper by "
         "its end, death; censored at the last count");
}

/* Only some components, a taper deadline of the endpoint's own, scheduled
 * counts only, censoring at the last contact; one component alone is no
 * "first of". */
static void test_ttf_variants(void **state)
{
    (void)state;
    says("ttf = { type = \"ttf\"; count = { below = 20.0; scheduled_only = true; };\n"
         "        taper = { by_week = 30.0; }; censor = \"last_contact\"; };",
         0,
         "Time to treatment failure: the first of a scheduled count < 20 \u00d710\u2079/L, "
         "inability to complete the TPO-RA taper by week 30; censored at the last contact");
    says("ttf = { type = \"ttf\"; new_therapy = true; };", 0,
         "Time to treatment failure: new ITP therapy; censored at the last count");
}

/* VAYHIT2's key secondary endpoint (SR6), and with its rescue window from
 * randomisation (the default). */
static void test_stable_response(void **state)
{
    (void)state;
    says("sr6 = { type = \"stable_response\"; threshold = 50.0; fraction = 0.75;\n"
         "        from_week = 19.0; to_week = 25.0; rescue_from_week = 8.0; };",
         0,
         "Stable response: a count >= 50 \u00d710\u2079/L at >= 75% of the scheduled visits "
         "of weeks 19-25, no rescue from week 8 to week 25, no new therapy by week 25");
    says("sr6 = { type = \"stable_response\"; threshold = 30.0; fraction = 0.5;\n"
         "        from_week = 11.0; to_week = 25.0; };",
         0,
         "Stable response: a count >= 30 \u00d710\u2079/L at >= 50% of the scheduled visits "
         "of weeks 11-25, no rescue up to week 25, no new therapy by week 25");
}

static void test_sustained_remission(void **state)
{
    (void)state;
    says("srot = { type = \"sustained_remission\"; threshold = 30.0; from_week = 29.0;\n"
         "         to_week = 53.0; rescue_from_week = 29.0; };",
         0,
         "Sustained remission: off the TPO-RA and a count >= 30 \u00d710\u2079/L at every "
         "scheduled visit of weeks 29-53, no rescue from week 29 to week 53, no new therapy "
         "by week 53");
    says("d = { type = \"sustained_remission\"; threshold = 50.0; from_week = 29.0;\n"
         "      to_week = 53.0; off = \"all\"; };",
         0,
         "Sustained remission: off every treatment of the arm and a count >= 50 "
         "\u00d710\u2079/L at every scheduled visit of weeks 29-53, no rescue up to week 53, "
         "no new therapy by week 53");
}

/* SROT's rate among those who began the taper: `among` in words. */
static void test_taper_started_and_among(void **state)
{
    (void)state;
    const char *e = "ts = { type = \"taper_started\"; by_week = 24.0; };\n"
                    "sro = { type = \"sustained_remission\"; threshold = 30.0; from_week = 29.0;\n"
                    "        to_week = 53.0; among = \"ts\"; };";
    says(e, 0, "Taper started: a first TPO-RA taper step by week 24");
    says(e, 1,
         "Sustained remission: off the TPO-RA and a count >= 30 \u00d710\u2079/L at every "
         "scheduled visit of weeks 29-53, no rescue up to week 53, no new therapy by week 53; "
         "judged among the patients meeting ts");
}

static void test_time_to_response(void **state)
{
    (void)state;
    says("ttr = { type = \"time_to_response\"; threshold = 50.0; consecutive = 2; to_week = 12.0; };",
         0,
         "Time to response: the first of 2 consecutive scheduled counts >= 50 \u00d710\u2079/L "
         "up to week 12, a count within 28 days after a rescue not counting; censored at the "
         "last scheduled count");
    says("ttr = { type = \"time_to_response\"; threshold = 30.0; times_baseline = 2.0;\n"
         "        rescue_exclusion_days = 0; to_week = 12.0; };",
         0,
         "Time to response: the first scheduled count >= 30 \u00d710\u2079/L and >= 2\u00d7 "
         "the baseline up to week 12; censored at the last scheduled count");
}

static void test_confirmed_and_response_at(void **state)
{
    (void)state;
    says("cr = { type = \"confirmed_response\"; threshold = 50.0; consecutive = 3; "
         "from_week = 2.0; to_week = 25.0; rescue_exclusion_days = 14; };",
         0,
         "Confirmed response: 3 consecutive scheduled counts >= 50 \u00d710\u2079/L within "
         "weeks 2-25, a count within 14 days after a rescue not counting");
    says("ra = { type = \"response_at\"; threshold = 30.0; times_baseline = 2.0; week = 6.0; };",
         0,
         "Response at week 6: the scheduled count of that week >= 30 \u00d710\u2079/L and >= "
         "2\u00d7 the baseline, no rescue in the 28 days before it, no new therapy by then");
}

/* IWG response (Rodeghiero et al., Blood 2009): >= 30 and doubling, or
 * complete (>= 100), each confirmed. */
static void test_iwg(void **state)
{
    (void)state;
    says("iwg = { type = \"iwg_response\"; level = \"response\"; to_week = 25.0; };", 0,
         "Response (IWG): 2 scheduled counts >= 30 \u00d710\u2079/L and >= 2\u00d7 the "
         "baseline >= 7 days apart within weeks 0-25, no loss (2 low counts in a row) "
         "between them, a count within 28 days after a rescue not evaluable");
    says("icr = { type = \"iwg_response\"; level = \"complete\"; to_week = 12.0; "
         "rescue_exclusion_days = 0; };",
         0,
         "Complete response (IWG): 2 scheduled counts >= 100 \u00d710\u2079/L >= 7 days apart "
         "within weeks 0-12, no loss (2 low counts in a row) between them");
}

/* The efgartigimod phase 2's responses (Newland, Am J Hematol 2019). */
static void test_occasions_and_days(void **state)
{
    (void)state;
    const char *e = "occ = { type = \"occasions\"; threshold = 50.0; at_least = 2; to_week = 8.0; };\n"
                    "cum = { type = \"cumulative_days\"; threshold = 50.0; days = 10; to_week = 8.0; };";
    says(e, 0,
         "Response on occasions: a count >= 50 \u00d710\u2079/L at >= 2 scheduled visits of "
         "weeks 0-8, a count within 28 days after a rescue not counting");
    says(e, 1,
         "Cumulative response: >= 10 days with a count >= 50 \u00d710\u2079/L within weeks 0-8 "
         "(each qualifying scheduled count standing for the days to the next), a count within "
         "28 days after a rescue not counting");
}

/* Every type of the table has its sentence, and a buffer too short cuts
 * it without overrunning. */
static void test_every_type_and_short_buffer(void **state)
{
    (void)state;
    for (int i = 0; itp_endpoint_types[i]; i++)
        assert_non_null(itp_endpoint_types[i]->describe);
    char text[4096], err[1024], got[24];
    snprintf(text, sizeof text, "%sendpoints = { ttf = { type = \"ttf\"; death = true; }; };\n",
             HEAD);
    itp_scenario *scn = test_load(text, err, sizeof err);
    assert_non_null(scn);
    /* a buffer of 16 given within 24: cut at 15 characters, and the 8
     * bytes past the length given untouched */
    memset(got, 'x', sizeof got);
    itp_endpoint_describe(scn, 0, got, sizeof got - 8);
    assert_int_equal(strlen(got), sizeof got - 9);
    assert_memory_equal(got, "Time to treatme", sizeof got - 9);
    assert_memory_equal(got + 16, "xxxxxxxx", 8);
    itp_scenario_free(scn);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_ttf_vayhit2),
        cmocka_unit_test(test_ttf_variants),
        cmocka_unit_test(test_stable_response),
        cmocka_unit_test(test_sustained_remission),
        cmocka_unit_test(test_taper_started_and_among),
        cmocka_unit_test(test_time_to_response),
        cmocka_unit_test(test_confirmed_and_response_at),
        cmocka_unit_test(test_iwg),
        cmocka_unit_test(test_occasions_and_days),
        cmocka_unit_test(test_every_type_and_short_buffer),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
