/* The analysis plan applied to simulated replicates: each hypothesis gives
 * what the statistics kernels give on the same subset of patients (arms,
 * strata, direction; log-rank, Cox, Fleming-Harrington, restricted mean
 * survival time, CMH, Fisher, binomial), degenerate data are flagged and
 * never give NaN p-values, and the multiplicity step rejects exactly where
 * the adjusted p-value is at most alpha. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <math.h>
#include <cmocka.h>
#include <gsl/gsl_cdf.h>
#include "itpsim/analysis.h"
#include "itpsim/binary.h"
#include "itpsim/trial.h"
#include "testutil.h"

static const char *HAZARD =
    "model = \"hazard\"; patients = 300;\n"
    "arms = ( { name = \"ctl\"; hazard_per_month = [0.10, 0.05]; },\n"
    "         { name = \"lo\"; hazard_per_month = [0.07, 0.035]; },\n"
    "         { name = \"hi\"; hazard_per_month = [0.0, 0.0]; } );\n"
    "control = \"ctl\";\n"
    "hazard = { breaks_months = [0.0, 6.0]; };\n"
    "strata = ( { name = \"region\"; probs = [0.4, 0.6]; } );\n"
    "enrolment = { duration_months = 12.0; };\n"
    "followup = { max_months = 24.0; cut_months = 12.0; };\n"
    "visits = ( { from_week = 0; every_weeks = 4; } );\n"
    "endpoints = { ttf = { type = \"ttf\"; }; };\n"
    "analysis = { alpha = 0.025; multiplicity = \"holm\";\n"
    "  hypotheses = (\n"
    "    { name = \"lr\"; endpoint = \"ttf\"; arm = \"lo\"; test = \"logrank\"; },\n"
    "    { name = \"cox\"; endpoint = \"ttf\"; arm = \"lo\"; test = \"cox\"; },\n"
    "    { name = \"worse\"; endpoint = \"ttf\"; arm = \"lo\"; test = \"logrank\"; benefit = \"higher\"; },\n"
    "    { name = \"two\"; endpoint = \"ttf\"; arm = \"lo\"; test = \"logrank\"; sided = \"two\"; },\n"
    "    { name = \"none\"; endpoint = \"ttf\"; arm = \"hi\"; test = \"cox\"; } ); };\n";

static void test_time_to_event_plumbing(void **state)
{
    (void)state;
    char err[1024];
    itp_scenario *scn = test_load(HAZARD, err, sizeof err);
    assert_non_null(scn);
    assert_true(fabs(scn->plan.hyp[0].true_hr - 0.7) < 1e-12);
    assert_true(scn->plan.hyp[4].true_hr == 0.0); /* proportional, ratio 0 */
    itp_sim_ws *ws;
    itp_analysis_ws *aws;
    itp_record rec;
    itp_record_init(&rec);
    assert_int_equal(itp_sim_ws_create(&ws, scn), ITP_OK);
    assert_int_equal(itp_analysis_ws_create(&aws, scn, scn->n_patients), ITP_OK);
    itp_surv_workspace *sw;
    assert_int_equal(itp_surv_workspace_create(&sw, (size_t)scn->n_patients), ITP_OK);
    double *t = malloc(300 * sizeof *t);
    int *e = malloc(300 * sizeof *e), *g = malloc(300 * sizeof *g), *s = malloc(300 * sizeof *s);
    for (uint64_t rep = 0; rep < 20; rep++) {
        itp_hyp_result res[5];
        assert_int_equal(itp_trial_simulate(scn, 4, rep, 0, ws, &rec), ITP_OK);
        assert_int_equal(itp_analyse(scn, &rec, NULL, aws, res), ITP_OK);
        /* the same subset by hand: control and "lo", strata on */
        size_t n = 0;
        int fails_hi = 0;
        for (int i = 0; i < rec.n_patients; i++) {
            const itp_patient *p = &rec.patients[i];
            fails_hi += p->arm == 2 && p->failure != ITP_NEVER;
            if (p->arm == 2)
                continue;
            t[n] = p->failure != ITP_NEVER ? p->failure : p->last_day;
            e[n] = p->failure != ITP_NEVER;
            g[n] = p->arm == 1;
            s[n] = p->stratum;
            n++;
        }
        assert_int_equal(fails_hi, 0);
        itp_surv_data d = {n, t, e, g, s, 2};
        itp_logrank_result lr;
        itp_cox_result cx;
        assert_int_equal(itp_surv_logrank(&d, sw, &lr), 0);
        assert_int_equal(itp_surv_cox(&d, ITP_COX_EFRON, 0.95, sw, &cx), 0);
        assert_true(fabs(res[0].p_value - lr.p_one_sided) < 1e-12);
        assert_true(fabs(res[0].statistic - lr.z) < 1e-12);
        assert_true(fabs(res[0].estimate - cx.hr) < 1e-12);
        assert_true(fabs(res[1].p_value - cx.p_one_sided) < 1e-12);
        assert_true(fabs(res[2].p_value - (1.0 - lr.p_one_sided)) < 1e-12);
        assert_true(fabs(res[3].p_value - lr.p_two_sided) < 1e-12);
        assert_int_equal(res[0].n_exp + res[0].n_ctl, (int)n);
        /* no event in "hi": the Cox likelihood is monotone, flagged, p = 1 */
        assert_true(res[4].flags & ITP_HYP_MONOTONE);
        assert_true(res[4].estimate == 0.0);
        assert_true(res[4].p_value == 1.0 && !res[4].rejected);
        for (int k = 0; k < 5; k++) {
            assert_true(res[k].p_value >= 0.0 && res[k].p_value <= 1.0);
            assert_true(res[k].adj_p >= res[k].p_value - 1e-15);
            assert_int_equal(res[k].rejected, res[k].adj_p <= 0.025);
        }
    }
    free(t); free(e); free(g); free(s);
    itp_surv_workspace_free(sw);
    itp_record_free(&rec);
    itp_analysis_ws_free(aws);
    itp_sim_ws_free(ws);
    itp_scenario_free(scn);
}

/* The restricted mean and Fleming-Harrington tests on the same trials:
 * each equals its kernel on the patients by hand (the RMST pooled over the
 * strata, tau 12 months = day 365, in months; G(rho, gamma) stratified),
 * G(0, 0) is the plan's log-rank test exactly, and a horizon beyond the
 * follow-up (30 months of a 24-month trial) is not estimable with p = 1. */
static const char *RMST_FH_PLAN =
    "analysis = { alpha = 0.025; multiplicity = \"holm\";\n"
    "  hypotheses = (\n"
    "    { name = \"rmst\"; endpoint = \"ttf\"; arm = \"lo\"; test = \"rmst\";"
    " tau_months = 12.0; },\n"
    "    { name = \"rmst2\"; endpoint = \"ttf\"; arm = \"lo\"; test = \"rmst\"; tau_months = 12.0;"
    " sided = \"two\"; },\n"
    "    { name = \"rmstw\"; endpoint = \"ttf\"; arm = \"lo\"; test = \"rmst\"; tau_months = 12.0;"
    " benefit = \"higher\"; },\n"
    "    { name = \"fh\"; endpoint = \"ttf\"; arm = \"lo\"; test = \"fh\"; },\n"
    "    { name = \"fh00\"; endpoint = \"ttf\"; arm = \"lo\"; test = \"fh\"; gamma = 0; },\n"
    "    { name = \"lr\"; endpoint = \"ttf\"; arm = \"lo\"; test = \"logrank\"; },\n"
    "    { name = \"fh10\"; endpoint = \"ttf\"; arm = \"lo\"; test = \"fh\"; rho = 1; gamma = 0;"
    " sided = \"two\"; },\n"
    "    { name = \"late\"; endpoint = \"ttf\"; arm = \"lo\"; test = \"rmst\";"
    " tau_months = 30.0; } ); };\n";

static void test_rmst_fh_plumbing(void **state)
{
    (void)state;
    char err[1024], text[8192];
    const char *cut = strstr(HAZARD, "analysis = {");
    assert_non_null(cut);
    snprintf(text, sizeof text, "%.*s%s", (int)(cut - HAZARD), HAZARD, RMST_FH_PLAN);
    itp_scenario *scn = test_load(text, err, sizeof err);
    assert_non_null(scn);
    assert_true(isnan(scn->plan.hyp[0].true_hr));   /* no hazard ratio to cover */
    assert_true(fabs(scn->plan.hyp[3].true_hr - 0.7) < 1e-12);
    itp_sim_ws *ws;
    itp_analysis_ws *aws;
    itp_record rec;
    itp_record_init(&rec);
    assert_int_equal(itp_sim_ws_create(&ws, scn), ITP_OK);
    assert_int_equal(itp_analysis_ws_create(&aws, scn, scn->n_patients), ITP_OK);
    itp_surv_workspace *sw;
    assert_int_equal(itp_surv_workspace_create(&sw, (size_t)scn->n_patients), ITP_OK);
    double *t = malloc(300 * sizeof *t);
    int *e = malloc(300 * sizeof *e), *g = malloc(300 * sizeof *g), *s = malloc(300 * sizeof *s);
    for (uint64_t rep = 0; rep < 20; rep++) {
        itp_hyp_result res[8];
        assert_int_equal(itp_trial_simulate(scn, 4, rep, 0, ws, &rec), ITP_OK);
        assert_int_equal(itp_analyse(scn, &rec, NULL, aws, res), ITP_OK);
        size_t n = 0;
        for (int i = 0; i < rec.n_patients; i++) {
            const itp_patient *p = &rec.patients[i];
            if (p->arm == 2)
                continue;
            t[n] = p->failure != ITP_NEVER ? p->failure : p->last_day;
            e[n] = p->failure != ITP_NEVER;
            g[n] = p->arm == 1;
            s[n] = p->stratum;
            n++;
        }
        itp_surv_data d = {n, t, e, g, s, 2}, pooled = {n, t, e, g, NULL, 0};
        itp_rmst_result rm;
        itp_fh_result fh01, fh10;
        itp_cox_result cx;
        assert_int_equal(itp_surv_rmst(&pooled, 365.0, 0.95, sw, &rm), 0);
        assert_int_equal(itp_surv_fh(&d, 0.0, 1.0, sw, &fh01), 0);
        assert_int_equal(itp_surv_fh(&d, 1.0, 0.0, sw, &fh10), 0);
        assert_int_equal(itp_surv_cox(&d, ITP_COX_EFRON, 0.95, sw, &cx), 0);
        assert_true(!rm.extended[0] && !rm.extended[1] && !rm.no_test);
        assert_true(fabs(res[0].estimate - rm.diff / ITP_DAYS_PER_MONTH) < 1e-12);
        assert_true(fabs(res[0].ci_low - rm.lower / ITP_DAYS_PER_MONTH) < 1e-12);
        assert_true(fabs(res[0].ci_high - rm.upper / ITP_DAYS_PER_MONTH) < 1e-12);
        assert_true(fabs(res[0].statistic - rm.z) < 1e-12);
        assert_true(fabs(res[0].p_value - rm.p_one_sided) < 1e-12);
        assert_true(fabs(res[1].p_value - rm.p_two_sided) < 1e-12);
        assert_true(fabs(res[2].p_value - (1.0 - rm.p_one_sided)) < 1e-12);
        assert_true(res[0].flags == 0 && res[0].estimate > -12.0 && res[0].estimate < 12.0);
        assert_true(fabs(res[3].p_value - fh01.p_one_sided) < 1e-12);
        assert_true(fabs(res[3].statistic - fh01.z) < 1e-12);
        assert_true(fabs(res[3].estimate - cx.hr) < 1e-12);
        assert_true(fabs(res[6].p_value - fh10.p_two_sided) < 1e-12);
        /* G(0, 0) is the log-rank test, bit for bit */
        assert_true(res[4].p_value == res[5].p_value && res[4].statistic == res[5].statistic);
        assert_true(res[4].estimate == res[5].estimate);
        /* 30 months of a 24-month trial: not identified */
        assert_true(res[7].flags & ITP_HYP_NOT_ESTIMABLE);
        assert_true(res[7].flags & ITP_HYP_NO_TEST);
        assert_true(isnan(res[7].estimate) && res[7].p_value == 1.0 && !res[7].rejected);
        assert_int_equal(res[0].n_exp + res[0].n_ctl, (int)n);
        for (int k = 0; k < 8; k++)
            assert_int_equal(res[k].rejected, res[k].adj_p <= 0.025);
    }
    free(t); free(e); free(g); free(s);
    itp_surv_workspace_free(sw);
    itp_record_free(&rec);
    itp_analysis_ws_free(aws);
    itp_sim_ws_free(ws);
    itp_scenario_free(scn);
}

/* Binary endpoint: CMH over the strata and the risk difference equal what
 * binary.h gives on counts made by hand from the endpoint outcomes. */
static void test_binary_plumbing(void **state)
{
    (void)state;
    char err[1024], text[4096];
    snprintf(text, sizeof text, "%s%s", TEST_BASE_SCENARIO,
             "strata = ( { name = \"count\"; covariate = \"baseline_count\"; cuts = [15.0]; } );\n"
             "endpoints = { r6 = { type = \"response_at\"; threshold = 50.0; week = 6.0; }; };\n"
             "analysis = { hypotheses = (\n"
             "  { name = \"cmh\"; endpoint = \"r6\"; arm = \"active\"; test = \"cmh\"; },\n"
             "  { name = \"fisher\"; endpoint = \"r6\"; arm = \"active\"; test = \"fisher\"; },\n"
             "  { name = \"one\"; endpoint = \"r6\"; arm = \"active\"; test = \"binomial\"; p0 = 0.5; },\n"
             "  { name = \"low\"; endpoint = \"r6\"; arm = \"active\"; test = \"binomial\"; p0 = 0.5;"
             " benefit = \"lower\"; },\n"
             "  { name = \"nc\"; endpoint = \"r6\"; arm = \"active\"; test = \"rd_newcombe\"; },\n"
             "  { name = \"wald\"; endpoint = \"r6\"; arm = \"active\"; test = \"rd_wald\"; } ); };\n");
    itp_scenario *scn = test_load(text, err, sizeof err);
    assert_non_null(scn);
    assert_int_equal(scn->n_strata, 2);
    itp_sim_ws *ws;
    itp_analysis_ws *aws;
    itp_record rec;
    itp_record_init(&rec);
    assert_int_equal(itp_sim_ws_create(&ws, scn), ITP_OK);
    assert_int_equal(itp_analysis_ws_create(&aws, scn, scn->n_patients), ITP_OK);
    for (uint64_t rep = 0; rep < 10; rep++) {
        itp_hyp_result res[6];
        unsigned x[2][2] = {{0}}, n[2][2] = {{0}}, px[2] = {0}, pn[2] = {0};
        assert_int_equal(itp_trial_simulate(scn, 8, rep, 0, ws, &rec), ITP_OK);
        assert_int_equal(itp_analyse(scn, &rec, NULL, aws, res), ITP_OK);
        for (int i = 0; i < rec.n_patients; i++) {
            const itp_patient *p = &rec.patients[i];
            const itp_outcome *o = &aws->outcomes[i];
            assert_true(p->stratum == 0 || p->stratum == 1); /* cut from the observed baseline */
            assert_int_equal(p->stratum, p->baseline >= 15.0);
            if (!o->included)
                continue;
            int gi = p->arm == 0;
            x[gi][p->stratum] += (unsigned)o->event;
            n[gi][p->stratum]++;
            px[gi] += (unsigned)o->event;
            pn[gi]++;
        }
        itp_binary_counts c = {2, x[0], n[0], x[1], n[1]}, pooled = {1, &px[0], &pn[0], &px[1], &pn[1]};
        itp_binary_result cmh, fisher, rd, bin, mh, nc;
        assert_int_equal(itp_binary_cmh(&c, 0.95, &cmh), ITP_OK);
        assert_int_equal(itp_binary_fisher(&c, 0.95, &fisher), ITP_OK);
        assert_int_equal(itp_binary_rd_wald(&pooled, 0.95, &rd), ITP_OK);
        assert_int_equal(itp_binary_rd_newcombe(&pooled, 0.95, &nc), ITP_OK);
        assert_int_equal(itp_binary_mh_rd(&c, 0.95, &mh), ITP_OK);
        assert_int_equal(itp_binary_binom_test(px[1], pn[1], 0.5, 0.95, &bin), ITP_OK);
        assert_true(fabs(res[0].p_value - cmh.p_greater) < 1e-12);
        /* cmh reports the Mantel-Haenszel risk difference over the strata */
        assert_true(fabs(res[0].estimate - mh.estimate) < 1e-12);
        assert_true(fabs(res[0].ci_low - mh.ci_lower) < 1e-12);
        assert_true(fabs(res[0].ci_high - mh.ci_upper) < 1e-12);
        assert_true(fabs(res[1].estimate - rd.estimate) < 1e-12);
        /* rd_newcombe reports the Newcombe interval, rd_wald the Wald one */
        assert_true(fabs(res[4].estimate - rd.estimate) < 1e-12);
        assert_true(fabs(res[4].ci_low - nc.ci_lower) < 1e-12);
        assert_true(fabs(res[4].ci_high - nc.ci_upper) < 1e-12);
        assert_true(fabs(res[4].ci_low - rd.ci_lower) > 1e-6);
        assert_true(fabs(res[5].ci_low - rd.ci_lower) < 1e-12);
        assert_true(fabs(res[4].p_value - rd.p_greater) < 1e-12);
        assert_true(fabs(res[1].p_value - fisher.p_greater) < 1e-12);
        assert_true(fabs(res[2].p_value - bin.p_greater) < 1e-12);
        /* benefit = "lower": H1 rate < p0, P(X <= x), the same rate */
        assert_true(fabs(res[3].p_value - gsl_cdf_binomial_P(px[1], 0.5, pn[1])) < 1e-12);
        assert_true(fabs(res[3].estimate - (double)px[1] / pn[1]) < 1e-12);
        assert_true(res[3].ci_low <= res[3].estimate && res[3].estimate <= res[3].ci_high);
        assert_true(fabs(res[3].ci_low - bin.ci_lower) < 1e-9 && fabs(res[3].ci_high - bin.ci_upper) < 1e-9);
        assert_int_equal(res[0].events_exp, (int)px[1]);
    }
    itp_record_free(&rec);
    itp_analysis_ws_free(aws);
    itp_sim_ws_free(ws);
    itp_scenario_free(scn);
}

/* The table of tests: every row complete, names unique per kind of
 * endpoint, found only for its kind, and what each family estimates. */
static void test_table(void **state)
{
    (void)state;
    int n = 0;
    for (int i = 0; itp_test_types[i]; i++, n++) {
        const itp_test_type *t = itp_test_types[i];
        assert_true(t->name && t->name[0] && t->run && t->estimate && t->estimate->name);
        assert_true(t->estimate->lo < t->estimate->hi);
        assert_ptr_equal(itp_test_type_find(t->name, t->endpoint), t);
        for (int j = 0; j < i; j++)
            assert_false(itp_test_types[j]->endpoint == t->endpoint &&
                         !strcmp(itp_test_types[j]->name, t->name));
    }
    assert_int_equal(n, 10);
    const itp_test_type *lr = itp_test_type_find("logrank", ITP_EP_TIME);
    const itp_test_type *bin = itp_test_type_find("binomial", ITP_EP_BINARY);
    const itp_test_type *cmh = itp_test_type_find("cmh", ITP_EP_BINARY);
    assert_true(lr && bin && cmh);
    assert_null(itp_test_type_find("cox", ITP_EP_BINARY));
    assert_null(itp_test_type_find("cmh", ITP_EP_TIME));
    assert_ptr_equal(lr->estimate, &itp_est_hazard_ratio);
    assert_true(lr->estimate->log_scale && !lr->single_arm);
    assert_ptr_equal(cmh->estimate, &itp_est_risk_difference);
    assert_ptr_equal(bin->estimate, &itp_est_rate);
    assert_true(bin->single_arm && !bin->estimate->log_scale);
    assert_string_equal(bin->keys[0], "p0");
    const itp_test_type *rmst = itp_test_type_find("rmst", ITP_EP_TIME);
    const itp_test_type *fh = itp_test_type_find("fh", ITP_EP_TIME);
    assert_true(rmst && fh);
    assert_null(itp_test_type_find("rmst", ITP_EP_BINARY));
    assert_ptr_equal(rmst->estimate, &itp_est_rmst_difference);
    assert_string_equal(rmst->estimate->name, "rmst_difference");
    assert_true(!rmst->estimate->log_scale && !rmst->single_arm);
    assert_string_equal(rmst->keys[0], "tau_months");
    assert_ptr_equal(fh->estimate, &itp_est_hazard_ratio);
    assert_string_equal(fh->keys[0], "rho");
    assert_string_equal(fh->keys[1], "gamma");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_time_to_event_plumbing),
        cmocka_unit_test(test_rmst_fh_plumbing),
        cmocka_unit_test(test_binary_plumbing),
        cmocka_unit_test(test_table),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
