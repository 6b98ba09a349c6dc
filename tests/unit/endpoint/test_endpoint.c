/* Endpoint rules on scripted patient records: one test per rule and edge
 * case (a count exactly at a threshold, a rescue on the last day of the
 * grace period, a window with too few visits, the data cut before a window
 * ends, ties between failure causes). */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <math.h>
#include <cmocka.h>
#include "itpsim/endpoint.h"
#include "testutil.h"

/* Weekly visits to week 9, every 2 weeks to 25, then every 4 weeks. */
static const char *SCN =
    "patients = 10;\n"
    "arms = ( { name = \"a\"; } );\n"
    "enrolment = { duration_months = 1.0; };\n"
    "followup = { max_months = 24.0; cut_months = 24.0; };\n"
    "visits = ( { from_week = 0; to_week = 9; every_weeks = 1; },\n"
    "           { from_week = 11; to_week = 25; every_weeks = 2; },\n"
    "           { from_week = 29; every_weeks = 4; } );\n"
    "endpoints = {\n"
    "  ttf = { type = \"ttf\"; count = { below = 30.0; after_week = 8.0; };\n"
    "          rescue = { after_week = 8.0; }; new_therapy = true;\n"
    "          taper = { by_week = 24.0; }; death = true; };\n"
    "  sr6 = { type = \"stable_response\"; threshold = 50.0; fraction = 0.75;\n"
    "          from_week = 19.0; to_week = 25.0; };\n"
    "  cr = { type = \"confirmed_response\"; threshold = 50.0; consecutive = 2; to_week = 25.0; };\n"
    "  ra = { type = \"response_at\"; threshold = 50.0; week = 6.0; };\n"
    "  iwg = { type = \"iwg_response\"; level = \"response\"; to_week = 25.0; };\n"
    "  icr = { type = \"iwg_response\"; level = \"complete\"; to_week = 25.0; };\n"
    "  ttr = { type = \"time_to_response\"; threshold = 50.0; consecutive = 2; };\n"
    "  sro = { type = \"sustained_remission\"; threshold = 30.0; from_week = 29.0; to_week = 53.0; };\n"
    "  sr6g = { type = \"stable_response\"; threshold = 50.0; fraction = 0.75;\n"
    "           from_week = 19.0; to_week = 25.0; rescue_from_week = 8.0; };\n"
    "  sro29 = { type = \"sustained_remission\"; threshold = 30.0; from_week = 29.0; to_week = 53.0;\n"
    "            rescue_from_week = 29.0; };\n"
    "  occ = { type = \"occasions\"; threshold = 50.0; at_least = 2; to_week = 8.0; };\n"
    "  cum = { type = \"cumulative_days\"; threshold = 50.0; days = 10; to_week = 8.0; };\n"
    "  dbl = { type = \"response_at\"; threshold = 30.0; times_baseline = 2.0; week = 2.0; };\n"
    "  sr6r = { type = \"stable_response\"; threshold = 50.0; fraction = 0.75;\n"
    "           from_week = 19.0; to_week = 25.0; among = \"cr\"; };\n"
    "  ts = { type = \"taper_started\"; by_week = 24.0; };\n"
    "  sroa = { type = \"sustained_remission\"; threshold = 30.0; from_week = 29.0; to_week = 53.0;\n"
    "           among = \"ts\"; };\n"
    "};\n";

enum { E_TTF, E_SR6, E_CR, E_RA, E_IWG, E_ICR, E_TTR, E_SRO, E_SR6G, E_SRO29, E_OCC, E_CUM,
       E_DBL, E_SR6R, E_TS, E_SROA, NE };

typedef struct fixture {
    itp_scenario *scn;
    itp_record rec;
    int rescues[8];
    itp_outcome out[NE];
} fixture;

static int setup(void **state)
{
    static fixture f;
    char err[1024];
    f.scn = test_load(SCN, err, sizeof err);
    assert_non_null(f.scn);
    assert_int_equal(f.scn->n_endpoints, NE);
    itp_record_init(&f.rec);
    *state = &f;
    return 0;
}

static int teardown(void **state)
{
    fixture *f = *state;
    itp_record_free(&f->rec);
    itp_scenario_free(f->scn);
    return 0;
}

/* A patient with follow-up `fu` whose scheduled counts are count(day), on
 * the TPO-RA at `dose` until `off_day`; rescues as given. */
typedef double (*count_fn)(int day);

static itp_patient *patient(fixture *f, int fu, count_fn count, double dose, int off_day,
                            const int *rescue, int n_rescue)
{
    itp_record *rec = &f->rec;
    assert_int_equal(itp_record_reset(rec, 1), ITP_OK);
    itp_patient *p = &rec->patients[0];
    *p = (itp_patient){0};
    itp_patient_clear_events(p);
    p->followup_days = p->last_day = fu;
    p->visit_first = 0;
    p->rescue_first = 0;
    for (int i = 0; i < f->scn->n_visits && f->scn->visit_day[i] <= fu; i++) {
        int d = f->scn->visit_day[i];
        itp_visit v = {.day = d,
                       .count = (float)count(d),
                       .tpo_dose = (float)(d < off_day ? dose : 0.0),
                       .on = (unsigned char)(d < off_day && dose > 0.0
                                                 ? ITP_ON_TPO_RA | ITP_ON_TREATMENT : 0u),
                       .scheduled = 1};
        assert_int_equal(itp_record_add_visit(rec, &v), ITP_OK);
        p->n_visits++;
    }
    for (int r = 0; r < n_rescue; r++)
        assert_int_equal(itp_record_add_rescue(rec, rescue[r]), ITP_OK);
    p->n_rescue = n_rescue;
    p->baseline = count(0);
    return p;
}

/* Logs a treatment event of the patient (in day order). */
static itp_patient *log_event(fixture *f, itp_patient *p, int kind, int day)
{
    itp_event e = {.day = day, .kind = (unsigned char)kind};
    assert_int_equal(itp_record_add_event(&f->rec, &e), ITP_OK);
    p->n_events++;
    return p;
}

static void eval(fixture *f)
{
    itp_endpoints_eval(f->scn, &f->rec, NULL, f->out);
}

/* A patient followed to day 400 whose only counts are the scheduled ones
 * listed (day, count), the first on day 0 being the baseline; rescues as
 * given. For the IWG rules, which look at counts only. */
typedef struct day_count {
    int day;
    double count;
} day_count;

#define N_OF(a) ((int)(sizeof(a) / sizeof((a)[0])))

static itp_patient *scripted(fixture *f, const day_count *dc, int n, const int *rescue,
                             int n_rescue)
{
    itp_record *rec = &f->rec;
    assert_int_equal(itp_record_reset(rec, 1), ITP_OK);
    itp_patient *p = &rec->patients[0];
    *p = (itp_patient){0};
    itp_patient_clear_events(p);
    p->followup_days = p->last_day = 400;
    assert_int_equal(dc[0].day, 0);
    p->baseline = dc[0].count;
    for (int i = 0; i < n; i++) {
        itp_visit v = {.day = dc[i].day, .count = (float)dc[i].count, .scheduled = 1};
        assert_int_equal(itp_record_add_visit(rec, &v), ITP_OK);
        p->n_visits++;
    }
    for (int r = 0; r < n_rescue; r++)
        assert_int_equal(itp_record_add_rescue(rec, rescue[r]), ITP_OK);
    p->n_rescue = n_rescue;
    return p;
}

/* The IWG response (E_IWG) and complete response (E_ICR) of a script. */
static int iwg_of(fixture *f, const day_count *dc, int n, const int *rescue, int n_rescue,
                  int which)
{
    scripted(f, dc, n, rescue, n_rescue);
    eval(f);
    assert_int_equal(f->out[which].included, 1);
    return f->out[which].event;
}

static double c_good(int day) { return day == 0 ? 15 : 80; }
static double c_at30(int day) { return day == 0 ? 15 : 30; }
static double c_dip(int day) { return day == 0 ? 15 : day == 91 ? 29 : 80; }
static double c_early_dip(int day) { return day == 0 ? 15 : day == 56 ? 5 : 80; }
static double c_sr_3of4(int day) { return day == 0 ? 15 : day == 147 ? 40 : 60; }
static double c_sr_2of4(int day) { return day == 0 ? 15 : (day == 147 || day == 161) ? 40 : 60; }
static double c_at50(int day) { return day == 0 ? 15 : 50; }
static double c_49(int day) { return day == 0 ? 15 : 49.9; }
static double c_alternate(int day) { return day == 0 ? 15 : (day / 7) % 4 == 1 ? 60 : 20; }
static double c_late(int day) { return day < 70 ? 15 : 60; }
static double c_29double(int day) { return day == 0 ? 14 : 29; }

/* No failure: censored at the last visit; every response. */
static void test_ttf_censored_at_last_visit(void **state)
{
    fixture *f = *state;
    itp_patient *p = patient(f, 400, c_good, 50, 140, NULL, 0);
    log_event(f, p, ITP_EV_TAPER_START, 126);
    log_event(f, p, ITP_EV_TAPER_END, 140);
    eval(f);
    assert_int_equal(f->out[E_TTF].event, 0);
    assert_int_equal(f->out[E_TTF].time, 399); /* the visit of week 57 */
    assert_int_equal(f->out[E_SR6].event, 1);
    assert_int_equal(f->out[E_CR].event, 1);
    assert_int_equal(f->out[E_RA].event, 1);
    assert_int_equal(f->out[E_IWG].event, 1);
    assert_int_equal(f->out[E_ICR].event, 0); /* 80 < 100 */
    assert_int_equal(f->out[E_TTR].event, 1);
    assert_int_equal(f->out[E_TTR].time, 7); /* first of the two in a row */
    assert_int_equal(f->out[E_SRO].event, 1);
}

/* A count exactly 30 is not < 30; 29 at week 13 is a failure that day. */
static void test_ttf_count_threshold(void **state)
{
    fixture *f = *state;
    log_event(f, patient(f, 400, c_at30, 50, 140, NULL, 0), ITP_EV_TAPER_END, 140);
    eval(f);
    assert_int_equal(f->out[E_TTF].event, 0);
    log_event(f, patient(f, 400, c_dip, 50, 140, NULL, 0), ITP_EV_TAPER_END, 140);
    eval(f);
    assert_int_equal(f->out[E_TTF].event, 1);
    assert_int_equal(f->out[E_TTF].time, 91);
    assert_int_equal(f->out[E_TTF].cause, 0);
    /* a count of 5 at week 8 (day 56) is inside the grace period */
    log_event(f, patient(f, 400, c_early_dip, 50, 140, NULL, 0), ITP_EV_TAPER_END, 140);
    eval(f);
    assert_int_equal(f->out[E_TTF].event, 0);
}

/* Rescue on day 56 (the last day of the 8-week grace period) is no failure;
 * on day 57 it is. */
static void test_ttf_rescue_grace(void **state)
{
    fixture *f = *state;
    int r56[] = {56}, r57[] = {57};
    log_event(f, patient(f, 400, c_good, 50, 140, r56, 1), ITP_EV_TAPER_END, 140);
    eval(f);
    assert_int_equal(f->out[E_TTF].event, 0);
    log_event(f, patient(f, 400, c_good, 50, 140, r57, 1), ITP_EV_TAPER_END, 140);
    eval(f);
    assert_int_equal(f->out[E_TTF].event, 1);
    assert_int_equal(f->out[E_TTF].time, 57);
    assert_string_equal(f->scn->endpoints[E_TTF].type->causes[f->out[E_TTF].cause], "rescue");
}

/* Inability to taper: not eligible, a failed taper, or still dosed at the
 * deadline; death; ties go to the earlier cause in the list. */
static void test_ttf_taper_and_death(void **state)
{
    fixture *f = *state;
    log_event(f, patient(f, 400, c_good, 50, 1000, NULL, 0), ITP_EV_TAPER_INELIGIBLE, 119);
    eval(f);
    assert_int_equal(f->out[E_TTF].time, 119);
    assert_string_equal(f->scn->endpoints[E_TTF].type->causes[f->out[E_TTF].cause], "taper");
    patient(f, 400, c_good, 50, 1000, NULL, 0); /* no taper recorded, still dosed */
    eval(f);
    assert_int_equal(f->out[E_TTF].time, 168);
    itp_patient *p = patient(f, 400, c_good, 50, 140, NULL, 0);
    log_event(f, p, ITP_EV_TAPER_END, 140);
    p->death = p->last_day = 200;
    eval(f);
    assert_int_equal(f->out[E_TTF].time, 200);
    assert_string_equal(f->scn->endpoints[E_TTF].type->causes[f->out[E_TTF].cause], "death");
    int r[] = {91}; /* rescue the day of a low count: the count is named */
    p = patient(f, 400, c_dip, 50, 140, r, 1);
    log_event(f, p, ITP_EV_TAPER_END, 140);
    eval(f);
    assert_int_equal(f->out[E_TTF].time, 91);
    assert_string_equal(f->scn->endpoints[E_TTF].type->causes[f->out[E_TTF].cause], "count");
}

/* SR6: 3 of the 4 counts of weeks 19-25 >= 50 is 75%: a response; 2 of 4
 * is not; a rescue in the window is not; a missing visit counts as < 50. */
static void test_stable_response(void **state)
{
    fixture *f = *state;
    patient(f, 400, c_sr_3of4, 50, 1000, NULL, 0);
    eval(f);
    assert_int_equal(f->out[E_SR6].event, 1);
    patient(f, 400, c_sr_2of4, 50, 1000, NULL, 0);
    eval(f);
    assert_int_equal(f->out[E_SR6].event, 0);
    int r[] = {150};
    patient(f, 400, c_good, 50, 1000, r, 1);
    eval(f);
    assert_int_equal(f->out[E_SR6].event, 0);
    /* withdrawn after week 21: 2 of 4 scheduled counts seen */
    itp_patient *p = patient(f, 150, c_good, 50, 1000, NULL, 0);
    p->dropout = 150;
    eval(f);
    assert_int_equal(f->out[E_SR6].included, 1);
    assert_int_equal(f->out[E_SR6].event, 0);
    /* at the data cut on day 150, alive: not evaluable yet */
    patient(f, 150, c_good, 50, 1000, NULL, 0);
    eval(f);
    assert_int_equal(f->out[E_SR6].included, 0);
    assert_int_equal(f->out[E_TTF].included, 1);
}

/* Confirmed response needs 2 consecutive counts >= 50 (exactly 50 counts);
 * alternating counts never confirm; a rescue in the 28 days before a count
 * disqualifies it. */
static void test_confirmed_response(void **state)
{
    fixture *f = *state;
    patient(f, 400, c_at50, 50, 1000, NULL, 0);
    eval(f);
    assert_int_equal(f->out[E_CR].event, 1);
    patient(f, 400, c_49, 50, 1000, NULL, 0);
    eval(f);
    assert_int_equal(f->out[E_CR].event, 0);
    patient(f, 400, c_alternate, 50, 1000, NULL, 0);
    eval(f);
    assert_int_equal(f->out[E_CR].event, 0);
    /* rescue on day 70: counts from day 70 to 98 are excluded; day 105 and
     * 119 (2 weeks apart, consecutive scheduled) confirm */
    int r[] = {70};
    patient(f, 400, c_late, 50, 1000, r, 1);
    eval(f);
    assert_int_equal(f->out[E_CR].event, 1);
    assert_int_equal(f->out[E_TTR].time, 105);
}

/* IWG response: >= 30 and at least double the baseline twice >= 7 days
 * apart; 29 is not >= 30 even when double. */
static void test_iwg(void **state)
{
    fixture *f = *state;
    patient(f, 400, c_29double, 50, 1000, NULL, 0);
    eval(f);
    assert_int_equal(f->out[E_IWG].event, 0);
    patient(f, 400, c_at30, 50, 1000, NULL, 0);
    eval(f);
    assert_int_equal(f->out[E_IWG].event, 1); /* 30 >= 2 x 15 */
}

/* SR6 and rescue before the window: the default forbids rescue from
 * randomisation (day 0), rescue_from_week = 8 (sr6g) from day 56 on; both
 * to the window's end (week 25, day 175). New therapy at any time up to day
 * 175 fails both. Counts are 80 at every visit. */
static void test_stable_response_rescue_window(void **state)
{
    fixture *f = *state;
    patient(f, 400, c_good, 50, 1000, NULL, 0);
    eval(f);
    assert_int_equal(f->out[E_SR6].event, 1);
    assert_int_equal(f->out[E_SR6G].event, 1);
    int w12[] = {84}; /* week 12: after week 8, before the window */
    patient(f, 400, c_good, 50, 1000, w12, 1);
    eval(f);
    assert_int_equal(f->out[E_SR6].event, 0);
    assert_int_equal(f->out[E_SR6G].event, 0);
    int w4[] = {28}; /* week 4: before week 8 */
    patient(f, 400, c_good, 50, 1000, w4, 1);
    eval(f);
    assert_int_equal(f->out[E_SR6].event, 0);
    assert_int_equal(f->out[E_SR6G].event, 1);
    int d56[] = {56}, d55[] = {55}; /* week 8 itself is in the period */
    patient(f, 400, c_good, 50, 1000, d56, 1);
    eval(f);
    assert_int_equal(f->out[E_SR6G].event, 0);
    patient(f, 400, c_good, 50, 1000, d55, 1);
    eval(f);
    assert_int_equal(f->out[E_SR6G].event, 1);
    int d0[] = {0}, d176[] = {176}; /* on day 0: fails; after the window: no matter */
    patient(f, 400, c_good, 50, 1000, d0, 1);
    eval(f);
    assert_int_equal(f->out[E_SR6].event, 0);
    patient(f, 400, c_good, 50, 1000, d176, 1);
    eval(f);
    assert_int_equal(f->out[E_SR6].event, 1);
    assert_int_equal(f->out[E_SR6G].event, 1);
    /* new therapy on day 10, on day 175, on day 176 */
    patient(f, 400, c_good, 50, 1000, NULL, 0)->new_therapy = 10;
    eval(f);
    assert_int_equal(f->out[E_SR6].event, 0);
    assert_int_equal(f->out[E_SR6G].event, 0);
    patient(f, 400, c_good, 50, 1000, NULL, 0)->new_therapy = 175;
    eval(f);
    assert_int_equal(f->out[E_SR6].event, 0);
    assert_int_equal(f->out[E_SR6G].event, 0);
    patient(f, 400, c_good, 50, 1000, NULL, 0)->new_therapy = 176;
    eval(f);
    assert_int_equal(f->out[E_SR6].event, 1);
    assert_int_equal(f->out[E_SR6G].event, 1);
}

/* rescue_from_week after to_week is refused, naming the setting. */
static void test_rescue_from_after_window(void **state)
{
    (void)state;
    char err[1024];
    itp_scenario *scn = test_load(
        "patients = 10;\n"
        "arms = ( { name = \"a\"; } );\n"
        "enrolment = { duration_months = 1.0; };\n"
        "followup = { max_months = 24.0; cut_months = 24.0; };\n"
        "visits = ( { from_week = 0; to_week = 25; every_weeks = 1; } );\n"
        "endpoints = {\n"
        "  sr6 = { type = \"stable_response\"; threshold = 50.0; fraction = 0.75;\n"
        "          from_week = 19.0; to_week = 25.0; rescue_from_week = 26.0; };\n"
        "};\n",
        err, sizeof err);
    assert_null(scn);
    assert_non_null(strstr(err, "rescue_from_week"));
}

/* IWG confirmation (level "response", baseline 15: a count qualifies when
 * >= 30): two qualifying counts >= 7 days apart, with no loss (two low
 * counts in a row) between them. */
static void test_iwg_confirmation(void **state)
{
    fixture *f = *state;
    /* qualify, low, qualify 7 days after the first: one low count is no loss */
    static const day_count qlq[] = {{0, 15}, {7, 40}, {10, 20}, {14, 40}};
    assert_int_equal(iwg_of(f, qlq, N_OF(qlq), NULL, 0, E_IWG), 1);
    /* 6 days apart is not confirmed; a third count 7 days after the first is */
    static const day_count six[] = {{0, 15}, {7, 40}, {13, 40}};
    assert_int_equal(iwg_of(f, six, N_OF(six), NULL, 0, E_IWG), 0);
    static const day_count seven[] = {{0, 15}, {7, 40}, {13, 40}, {14, 40}};
    assert_int_equal(iwg_of(f, seven, N_OF(seven), NULL, 0, E_IWG), 1);
    /* qualify, low, low, qualify: lost on day 12, day 14 starts again alone */
    static const day_count qllq[] = {{0, 15}, {7, 40}, {10, 20}, {12, 20}, {14, 40}};
    assert_int_equal(iwg_of(f, qllq, N_OF(qllq), NULL, 0, E_IWG), 0);
    /* ... then another qualifying count 7 days after day 14 confirms */
    static const day_count qllqq[] = {{0, 15}, {7, 40}, {10, 20}, {12, 20}, {14, 40}, {21, 40}};
    assert_int_equal(iwg_of(f, qllqq, N_OF(qllqq), NULL, 0, E_IWG), 1);
    /* ... but not 6 days after it (day 20 is 13 days after day 7, but the
     * response was lost between them) */
    static const day_count qllq6[] = {{0, 15}, {7, 40}, {10, 20}, {12, 20}, {14, 40}, {20, 40}};
    assert_int_equal(iwg_of(f, qllq6, N_OF(qllq6), NULL, 0, E_IWG), 0);
    /* two low counts with a qualifying one between are no loss */
    static const day_count apart[] = {{0, 15}, {7, 40}, {9, 20}, {11, 40}, {12, 20}, {14, 40}};
    assert_int_equal(iwg_of(f, apart, N_OF(apart), NULL, 0, E_IWG), 1);
    /* two low counts the same day are one occasion, not 1 day apart */
    static const day_count same[] = {{0, 15}, {7, 40}, {10, 20}, {10, 20}, {14, 40}};
    assert_int_equal(iwg_of(f, same, N_OF(same), NULL, 0, E_IWG), 1);
    /* low counts before the first qualifying one do not matter */
    static const day_count before[] = {{0, 15}, {3, 20}, {5, 20}, {7, 40}, {14, 40}};
    assert_int_equal(iwg_of(f, before, N_OF(before), NULL, 0, E_IWG), 1);
}

/* IWG response needs >= 30 and at least double the baseline, both for
 * qualifying and for the loss; complete response needs >= 100. */
static void test_iwg_doubling(void **state)
{
    fixture *f = *state;
    /* baseline 20: 39 is not double, 40 is */
    static const day_count b39[] = {{0, 20}, {7, 39}, {14, 39}, {21, 39}};
    assert_int_equal(iwg_of(f, b39, N_OF(b39), NULL, 0, E_IWG), 0);
    static const day_count b40[] = {{0, 20}, {7, 40}, {14, 40}};
    assert_int_equal(iwg_of(f, b40, N_OF(b40), NULL, 0, E_IWG), 1);
    /* baseline 20: 35 twice is >= 30 but under double, a loss */
    static const day_count lost[] = {{0, 20}, {7, 45}, {14, 35}, {21, 35}, {28, 45}};
    assert_int_equal(iwg_of(f, lost, N_OF(lost), NULL, 0, E_IWG), 0);
    static const day_count again[] = {{0, 20}, {7, 45}, {14, 35}, {21, 35}, {28, 45}, {35, 45}};
    assert_int_equal(iwg_of(f, again, N_OF(again), NULL, 0, E_IWG), 1);
    /* 80 twice is a loss of complete response, not of response */
    static const day_count cr[] = {{0, 15}, {7, 120}, {14, 80}, {21, 80}, {28, 120}};
    assert_int_equal(iwg_of(f, cr, N_OF(cr), NULL, 0, E_ICR), 0);
    assert_int_equal(iwg_of(f, cr, N_OF(cr), NULL, 0, E_IWG), 1);
    static const day_count cr2[] = {{0, 15}, {7, 120}, {14, 80}, {21, 80}, {28, 120}, {35, 120}};
    assert_int_equal(iwg_of(f, cr2, N_OF(cr2), NULL, 0, E_ICR), 1);
}

/* IWG and rescue (exclusion 28 days, the rescue day included): a count
 * after a rescue is not evaluable, neither qualifying nor low. */
static void test_iwg_rescue(void **state)
{
    fixture *f = *state;
    static const day_count s[] = {{0, 15}, {7, 40}, {14, 20}, {21, 20}, {42, 40}};
    /* no rescue: lost on day 21, day 42 alone */
    assert_int_equal(iwg_of(f, s, N_OF(s), NULL, 0, E_IWG), 0);
    /* rescue on day 10: days 14 and 21 are not evaluable, day 42 (32 days
     * after it) confirms day 7 */
    int r10[] = {10};
    assert_int_equal(iwg_of(f, s, N_OF(s), r10, 1, E_IWG), 1);
    /* rescue on day 5: counts to day 33 do not qualify, so only day 35 */
    static const day_count hi[] = {{0, 15}, {7, 40}, {14, 40}, {21, 40}, {28, 40}, {35, 40}};
    int r5[] = {5};
    assert_int_equal(iwg_of(f, hi, N_OF(hi), r5, 1, E_IWG), 0);
    static const day_count hi2[] = {{0, 15}, {7, 40}, {14, 40}, {21, 40}, {28, 40}, {35, 40},
                                    {42, 40}};
    assert_int_equal(iwg_of(f, hi2, N_OF(hi2), r5, 1, E_IWG), 1);
}

/* Sustained remission off treatment: dose 0 and >= 30 at every visit of
 * weeks 29-53. */
static void test_sustained_remission(void **state)
{
    fixture *f = *state;
    patient(f, 400, c_good, 50, 250, NULL, 0); /* dosed at week 29 (day 203) */
    eval(f);
    assert_int_equal(f->out[E_SRO].event, 0);
    patient(f, 400, c_good, 50, 200, NULL, 0);
    eval(f);
    assert_int_equal(f->out[E_SRO].event, 1);
    int r[] = {300};
    patient(f, 400, c_good, 50, 200, r, 1);
    eval(f);
    assert_int_equal(f->out[E_SRO].event, 0);
    assert_int_equal(f->out[E_SRO29].event, 0);
    /* a rescue on day 100: no remission by default (rescue from day 0), one
     * with rescue_from_week = 29 (day 203) */
    int r100[] = {100};
    patient(f, 400, c_good, 50, 200, r100, 1);
    eval(f);
    assert_int_equal(f->out[E_SRO].event, 0);
    assert_int_equal(f->out[E_SRO29].event, 1);
    /* new therapy on day 100 ends it whatever rescue_from_week */
    patient(f, 400, c_good, 50, 200, NULL, 0)->new_therapy = 100;
    eval(f);
    assert_int_equal(f->out[E_SRO29].event, 0);
}

/* Off every treatment: off the TPO-RA from day 200 but still dosed with
 * another treatment of the arm (a steroid, say) up to day 300 is a
 * remission off the TPO-RA, not off all therapy; off both from day 200, it
 * is both. */
static void test_sustained_remission_off_all(void **state)
{
    fixture *f = *state;
    char text[2048], err[1024];
    snprintf(text, sizeof text, "%s",  SCN);
    char *end = strstr(text, "endpoints = {");
    assert_non_null(end);
    snprintf(end, sizeof text - (size_t)(end - text),
             "endpoints = {\n"
             "  sro = { type = \"sustained_remission\"; threshold = 30.0; from_week = 29.0;\n"
             "          to_week = 53.0; };\n"
             "  all = { type = \"sustained_remission\"; threshold = 30.0; from_week = 29.0;\n"
             "          to_week = 53.0; off = \"all\"; };\n"
             "};\n");
    itp_scenario *scn = test_load(text, err, sizeof err), *kept = f->scn;
    assert_non_null(scn);
    f->scn = scn;
    patient(f, 400, c_good, 50, 200, NULL, 0);
    for (size_t i = 0; i < f->rec.n_visits; i++)
        if (f->rec.visits[i].day >= 200 && f->rec.visits[i].day < 300)
            f->rec.visits[i].on = ITP_ON_TREATMENT;
    eval(f);
    assert_int_equal(f->out[0].event, 1);
    assert_int_equal(f->out[1].included, 1);
    assert_int_equal(f->out[1].event, 0);
    patient(f, 400, c_good, 50, 200, NULL, 0);
    eval(f);
    assert_int_equal(f->out[1].event, 1);
    f->scn = kept;
    itp_scenario_free(scn);
}

/* Information limited to a study day (an earlier data cut): the failure on
 * day 91 is seen up to day 100, not up to day 90 (censored at day 77). */
static void test_limit(void **state)
{
    fixture *f = *state;
    log_event(f, patient(f, 400, c_dip, 50, 140, NULL, 0), ITP_EV_TAPER_END, 140);
    int lim = 100;
    itp_endpoints_eval(f->scn, &f->rec, &lim, f->out);
    assert_int_equal(f->out[E_TTF].event, 1);
    lim = 90;
    itp_endpoints_eval(f->scn, &f->rec, &lim, f->out);
    assert_int_equal(f->out[E_TTF].event, 0);
    assert_int_equal(f->out[E_TTF].time, 77);
}

/* Occasions and cumulative days over weeks 0-8 (weekly visits): counts >=
 * 50 on days 7 and 21 only are 2 occasions (not in a row) and stand for
 * 7 + 7 = 14 days; on day 56 only, one occasion standing for day 56 alone
 * (the window ends there): 1 day; on days 49 and 56: 2 occasions, 7 + 1 =
 * 8 days, under 10. A rescue on day 20 excludes the day-21 count. */
static void test_occasions_and_days(void **state)
{
    fixture *f = *state;
    static const day_count two[] = {{0, 15}, {7, 60}, {14, 20}, {21, 55}, {28, 20}, {35, 20},
                                    {42, 20}, {49, 20}, {56, 20}};
    scripted(f, two, N_OF(two), NULL, 0);
    eval(f);
    assert_int_equal(f->out[E_OCC].event, 1);
    assert_int_equal(f->out[E_CUM].event, 1);
    assert_int_equal(f->out[E_CR].event, 0);   /* not two in a row */
    static const day_count last[] = {{0, 15}, {7, 20}, {14, 20}, {21, 20}, {28, 20}, {35, 20},
                                     {42, 20}, {49, 20}, {56, 80}};
    scripted(f, last, N_OF(last), NULL, 0);
    eval(f);
    assert_int_equal(f->out[E_OCC].event, 0);
    assert_int_equal(f->out[E_CUM].event, 0);
    static const day_count late2[] = {{0, 15}, {7, 20}, {14, 20}, {21, 20}, {28, 20}, {35, 20},
                                      {42, 20}, {49, 50}, {56, 80}};
    scripted(f, late2, N_OF(late2), NULL, 0);
    eval(f);
    assert_int_equal(f->out[E_OCC].event, 1);
    assert_int_equal(f->out[E_CUM].event, 0);   /* 8 days */
    int r[] = {20};
    scripted(f, two, N_OF(two), r, 1);
    eval(f);
    assert_int_equal(f->out[E_OCC].event, 0);
    assert_int_equal(f->out[E_CUM].event, 0);   /* day 7 alone: 7 days */
}

/* times_baseline: at least 30 and double the baseline 20 at week 2: 39 is
 * not, 40 is. */
static void test_times_baseline(void **state)
{
    fixture *f = *state;
    static const day_count b39[] = {{0, 20}, {7, 39}, {14, 39}};
    scripted(f, b39, N_OF(b39), NULL, 0);
    eval(f);
    assert_int_equal(f->out[E_DBL].event, 0);
    static const day_count b40[] = {{0, 20}, {7, 40}, {14, 40}};
    scripted(f, b40, N_OF(b40), NULL, 0);
    eval(f);
    assert_int_equal(f->out[E_DBL].event, 1);
    static const day_count b10[] = {{0, 10}, {7, 29}, {14, 29}};   /* double, under 30 */
    scripted(f, b10, N_OF(b10), NULL, 0);
    eval(f);
    assert_int_equal(f->out[E_DBL].event, 0);
}

/* among: SR6 judged only among confirmed responders; a non-responder is
 * not evaluable for it, a responder is judged as SR6 is. */
static void test_among(void **state)
{
    fixture *f = *state;
    patient(f, 400, c_at50, 50, 1000, NULL, 0);
    eval(f);
    assert_int_equal(f->out[E_CR].event, 1);
    assert_int_equal(f->out[E_SR6R].included, 1);
    assert_int_equal(f->out[E_SR6R].event, f->out[E_SR6].event);
    patient(f, 400, c_49, 50, 1000, NULL, 0);
    eval(f);
    assert_int_equal(f->out[E_CR].event, 0);
    assert_int_equal(f->out[E_SR6].included, 1);
    assert_int_equal(f->out[E_SR6R].included, 0);
}

/* The taper began by week 24 (day 168, that day included): a first step
 * on day 126 or 168 counts, one on day 169 does not; the remission off the
 * TPO-RA is then judged among those who began it only (a patient off it
 * with no taper is not among them). A patient who dies on day 100 before
 * any step is judged (not begun); one whose information ends on day 120,
 * alive and not begun, is not evaluable; a start seen before the
 * information ends counts (as a response does for confirmed_response). */
static void test_taper_started(void **state)
{
    fixture *f = *state;
    log_event(f, patient(f, 400, c_good, 50, 200, NULL, 0), ITP_EV_TAPER_START, 126);
    eval(f);
    assert_int_equal(f->out[E_TS].included, 1);
    assert_int_equal(f->out[E_TS].event, 1);
    assert_int_equal(f->out[E_SROA].included, 1);
    assert_int_equal(f->out[E_SROA].event, f->out[E_SRO].event);
    assert_int_equal(f->out[E_SRO].event, 1);
    log_event(f, patient(f, 400, c_good, 50, 200, NULL, 0), ITP_EV_TAPER_START, 168);
    eval(f);
    assert_int_equal(f->out[E_TS].event, 1);
    log_event(f, patient(f, 400, c_good, 50, 200, NULL, 0), ITP_EV_TAPER_START, 169);
    eval(f);
    assert_int_equal(f->out[E_TS].included, 1);
    assert_int_equal(f->out[E_TS].event, 0);
    assert_int_equal(f->out[E_SRO].event, 1);
    assert_int_equal(f->out[E_SROA].included, 0);
    patient(f, 400, c_good, 50, 200, NULL, 0);   /* no taper: off for another reason */
    eval(f);
    assert_int_equal(f->out[E_TS].event, 0);
    assert_int_equal(f->out[E_SROA].included, 0);
    itp_patient *p = patient(f, 100, c_good, 50, 1000, NULL, 0);
    p->death = 100;
    eval(f);
    assert_int_equal(f->out[E_TS].included, 1);
    assert_int_equal(f->out[E_TS].event, 0);
    patient(f, 120, c_good, 50, 1000, NULL, 0);
    eval(f);
    assert_int_equal(f->out[E_TS].included, 0);
    int lim = 150;
    log_event(f, patient(f, 400, c_good, 50, 200, NULL, 0), ITP_EV_TAPER_START, 140);
    itp_endpoints_eval(f->scn, &f->rec, &lim, f->out);
    assert_int_equal(f->out[E_TS].included, 1);
    assert_int_equal(f->out[E_TS].event, 1);
    patient(f, 400, c_good, 50, 200, NULL, 0);
    itp_endpoints_eval(f->scn, &f->rec, &lim, f->out);
    assert_int_equal(f->out[E_TS].included, 0);
}

/* The same rules on simulated patients whose taper starts by response
 * (TAPER's rule): each taper began on the day 8 weeks after a count >= 100
 * with no count < 70 since (the day itself included); taper_started says
 * whether it began by week 24, and the remission among those who began it
 * is judged for them alone, as the remission of all is. */
static void test_taper_started_simulated(void **state)
{
    (void)state;
    static const char *text =
        "patients = 200;\n"
        "arms = ( { name = \"a\"; treatments = [\"elt\"]; } );\n"
        "enrolment = { duration_months = 1.0; };\n"
        "followup = { max_months = 13.0; cut_months = 13.0; };\n"
        "visits = ( { from_week = 0; every_weeks = 1; } );\n"
        "components = { elt = { type = \"tpo_ra\"; taper = { start = \"response\"; }; }; };\n"
        "endpoints = {\n"
        "  ts = { type = \"taper_started\"; by_week = 24.0; };\n"
        "  sro = { type = \"sustained_remission\"; threshold = 30.0; from_week = 40.0;\n"
        "          to_week = 52.0; };\n"
        "  sror = { type = \"sustained_remission\"; threshold = 30.0; from_week = 40.0;\n"
        "           to_week = 52.0; among = \"ts\"; };\n"
        "};\n";
    char err[1024];
    itp_scenario *scn = test_load(text, err, sizeof err);
    assert_non_null(scn);
    itp_record rec;
    itp_record_init(&rec);
    assert_int_equal(test_simulate(scn, 7, &rec), ITP_OK);
    itp_outcome *out = calloc((size_t)rec.n_patients * 3, sizeof *out);
    assert_non_null(out);
    itp_endpoints_eval(scn, &rec, NULL, out);
    int began = 0, not_began = 0;
    for (int i = 0; i < rec.n_patients; i++) {
        const itp_patient *pt = &rec.patients[i];
        const itp_outcome *o = &out[(size_t)i * 3];
        int s = itp_patient_event(&rec, pt, ITP_EV_TAPER_START, 0);
        assert_int_equal(itp_patient_event(&rec, pt, ITP_EV_TAPER_PLAN, 0), ITP_NEVER);
        assert_int_equal(itp_patient_event(&rec, pt, ITP_EV_TAPER_UNABLE, 0), ITP_NEVER);
        if (!o[0].included)
            continue;
        assert_int_equal(o[0].event, s != ITP_NEVER && s <= 168);
        assert_int_equal(o[2].included, o[0].event && o[1].included);
        if (o[2].included)
            assert_int_equal(o[2].event, o[1].event);
        began += o[0].event;
        not_began += !o[0].event;
        if (s == ITP_NEVER)
            continue;
        const itp_visit *v = rec.visits + pt->visit_first;
        int wait_began = 0;
        for (int k = 0; k < pt->n_visits && v[k].day <= s; k++) {
            if (v[k].day == s - 56)
                wait_began = v[k].count >= 100.0f;
            if (v[k].day > s - 56)
                assert_true(v[k].count >= 70.0f);
        }
        assert_true(wait_began);
    }
    assert_true(began > 0 && not_began > 0);
    free(out);
    itp_record_free(&rec);
    itp_scenario_free(scn);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_ttf_censored_at_last_visit),
        cmocka_unit_test(test_ttf_count_threshold),
        cmocka_unit_test(test_ttf_rescue_grace),
        cmocka_unit_test(test_ttf_taper_and_death),
        cmocka_unit_test(test_stable_response),
        cmocka_unit_test(test_stable_response_rescue_window),
        cmocka_unit_test(test_rescue_from_after_window),
        cmocka_unit_test(test_confirmed_response),
        cmocka_unit_test(test_iwg),
        cmocka_unit_test(test_iwg_confirmation),
        cmocka_unit_test(test_iwg_doubling),
        cmocka_unit_test(test_iwg_rescue),
        cmocka_unit_test(test_sustained_remission),
        cmocka_unit_test(test_sustained_remission_off_all),
        cmocka_unit_test(test_limit),
        cmocka_unit_test(test_occasions_and_days),
        cmocka_unit_test(test_times_baseline),
        cmocka_unit_test(test_among),
        cmocka_unit_test(test_taper_started),
        cmocka_unit_test(test_taper_started_simulated),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
