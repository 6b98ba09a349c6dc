/* What the files of the analysis layer share (analysis.c, tte_tests.c,
 * binary_tests.c): the rows of the table of tests and the selection of a
 * hypothesis's patients. */
#ifndef ITPSIM_ANALYSIS_INTERNAL_H
#define ITPSIM_ANALYSIS_INTERNAL_H

#include "itpsim/analysis.h"
#include "itpsim/gsdesign.h"

/* tte_tests.c */
extern const itp_test_type itp_test_logrank;
extern const itp_test_type itp_test_cox;
extern const itp_test_type itp_test_fh;
extern const itp_test_type itp_test_rmst;
/* binary_tests.c */
extern const itp_test_type itp_test_binomial;
extern const itp_test_type itp_test_cmh;
extern const itp_test_type itp_test_chisq;
extern const itp_test_type itp_test_fisher;
extern const itp_test_type itp_test_rd_wald;
extern const itp_test_type itp_test_rd_newcombe;

/* The outcome of patient i (ws->outcomes) when hypothesis h analyses it
 * (in its arm or control, evaluable), else NULL; *g is 1 for the
 * experimental arm. Counts the patient and its event into r. */
const itp_outcome *itp_an_analysed(const itp_scenario *scn, const itp_hypothesis *h,
                                   const itp_record *rec, const itp_analysis_ws *ws, int i,
                                   itp_hyp_result *r, int *g);

/* binary_tests.c: the historical rate p0 of a binomial hypothesis. */
double itp_an_binomial_p0(const itp_hypothesis *h);

/* interims.c: analysis.interims (g the analysis group) into
 * scn->plan.interims, after the hypotheses and the multiplicity; the
 * spending function it names. */
itp_status itp_interims_parse(itp_reader *rd, const config_setting_t *g, itp_scenario *scn);
void itp_interims_spending(const itp_interims *iv, itp_spending *sp);

#endif
