/* Runs itpsim's binary-endpoint tests and p-value adjustments on the cases
 * written by tests/reference/binary_reference.R, and prints the results in
 * the format of that script's expected.txt ("id quantity value"), so that
 * tests/cli/refcheck_binary.sh can compare the two line by line.
 *
 * Usage: binary_driver CASES_FILE
 * Lines of CASES_FILE (whitespace-separated):
 *   table ID K  x0 n0 x1 n1  (repeated K times: one stratum each)
 *   binom ID x n p0
 *   padj  ID m  p_1 .. p_m
 * Flag lines ("ID cmh_notest 1" ...) stand where a value is undefined; see
 * README-binary.md. Exit status 0, or 1 with a message on bad input. */
#include <errno.h>
#include <limits.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <gsl/gsl_errno.h>

#include "itpsim/binary.h"
#include "itpsim/multiplicity.h"

#define MAX_STRATA 64
#define MAX_HYP 64
#define CONF 0.95

static void put(const char *id, const char *what, double v)
{
    if (isinf(v))
        printf("%s %s %s\n", id, what, v > 0 ? "Inf" : "-Inf");
    else if (isnan(v))
        printf("%s %s NaN\n", id, what);
    else
        printf("%s %s %.17g\n", id, what, v);
}

static void flag(const char *id, const char *what)
{
    printf("%s %s 1\n", id, what);
}

/* The next whitespace-separated token of the line, or NULL. */
static char *next_token(char **save)
{
    return strtok_r(NULL, " \t\r\n", save);
}

static int parse_uint(const char *s, unsigned int *out)
{
    char *end;
    unsigned long v;

    if (s == NULL)
        return -1;
    errno = 0;
    v = strtoul(s, &end, 10);
    if (errno != 0 || *end != '\0' || end == s || v > UINT_MAX)
        return -1;
    *out = (unsigned int)v;
    return 0;
}

static int parse_double(const char *s, double *out)
{
    char *end;

    if (s == NULL)
        return -1;
    errno = 0;
    *out = strtod(s, &end);
    if (errno != 0 || *end != '\0' || end == s)
        return -1;
    return 0;
}

static int run_table(const char *id, char **save)
{
    unsigned int x0[MAX_STRATA], n0[MAX_STRATA], x1[MAX_STRATA],
        n1[MAX_STRATA], k, nstrata;
    itp_binary_counts c;
    itp_binary_result r;

    if (parse_uint(next_token(save), &nstrata) != 0 || nstrata == 0
        || nstrata > MAX_STRATA)
        return -1;
    for (k = 0; k < nstrata; k++)
        if (parse_uint(next_token(save), &x0[k]) != 0
            || parse_uint(next_token(save), &n0[k]) != 0
            || parse_uint(next_token(save), &x1[k]) != 0
            || parse_uint(next_token(save), &n1[k]) != 0)
            return -1;
    c.nstrata = nstrata;
    c.x0 = x0; c.n0 = n0; c.x1 = x1; c.n1 = n1;

    if (itp_binary_cmh(&c, CONF, &r) != ITP_OK)
        return -1;
    if (r.flags & ITP_BINARY_NO_DATA) {
        flag(id, "cmh_nodata");
    } else {
        if (r.flags & ITP_BINARY_NO_TEST) {
            flag(id, "cmh_notest");
        } else {
            put(id, "cmh_stat", r.statistic);
            put(id, "cmh_p2", r.p_two_sided);
            put(id, "cmh_pg", r.p_greater);
        }
        if (r.flags & ITP_BINARY_NOT_ESTIMABLE) {
            flag(id, "cmh_noest");
        } else if (r.flags & ITP_BINARY_CI_DEGENERATE) {
            flag(id, "cmh_cidegen");
            put(id, "cmh_or", r.estimate);
        } else {
            put(id, "cmh_or", r.estimate);
            put(id, "cmh_lo", r.ci_lower);
            put(id, "cmh_hi", r.ci_upper);
        }
    }

    if (itp_binary_chisq(&c, CONF, &r) != ITP_OK)
        return -1;
    if (r.flags & ITP_BINARY_NO_DATA) {
        flag(id, "chisq_nodata");
        flag(id, "fisher_nodata");
        flag(id, "rd_nodata");
        return 0;
    }
    if (r.flags & ITP_BINARY_NO_TEST) {
        flag(id, "chisq_notest");
    } else {
        put(id, "chisq_stat", r.statistic);
        put(id, "chisq_p2", r.p_two_sided);
        put(id, "chisq_pg", r.p_greater);
    }
    if (r.flags & ITP_BINARY_NOT_ESTIMABLE) {
        flag(id, "rd_noest");
    } else {
        put(id, "rd", r.estimate);
        put(id, "rd_lo", r.ci_lower);
        put(id, "rd_hi", r.ci_upper);
        if (r.flags & ITP_BINARY_CI_DEGENERATE)
            flag(id, "rd_cidegen");
        if (itp_binary_rd_newcombe(&c, CONF, &r) != ITP_OK)
            return -1;
        put(id, "newcombe_lo", r.ci_lower);
        put(id, "newcombe_hi", r.ci_upper);
    }

    if (itp_binary_fisher(&c, CONF, &r) != ITP_OK)
        return -1;
    put(id, "fisher_pg", r.p_greater);
    put(id, "fisher_p2", r.p_two_sided);
    if (r.flags & ITP_BINARY_NOT_ESTIMABLE) {
        flag(id, "fisher_noest");
    } else {
        put(id, "fisher_or", r.estimate);
        put(id, "fisher_lo", r.ci_lower);
        put(id, "fisher_hi", r.ci_upper);
    }
    return 0;
}

static int run_binom(const char *id, char **save)
{
    unsigned int x, n;
    double p0;
    itp_binary_result r;

    if (parse_uint(next_token(save), &x) != 0
        || parse_uint(next_token(save), &n) != 0
        || parse_double(next_token(save), &p0) != 0)
        return -1;
    if (itp_binary_binom_test(x, n, p0, CONF, &r) != ITP_OK)
        return -1;
    put(id, "binom_pg", r.p_greater);
    put(id, "binom_p2", r.p_two_sided);
    put(id, "binom_lo", r.ci_lower);
    put(id, "binom_hi", r.ci_upper);
    return 0;
}

static int run_padj(const char *id, char **save, itp_mult_workspace *ws)
{
    static const char *const methods[] = {"bonferroni", "holm", "hochberg"};
    double p[MAX_HYP], adj[MAX_HYP];
    int rej[MAX_HYP];
    unsigned int m, i, k;
    itp_mult_design d = {0, NULL, NULL, NULL};

    if (parse_uint(next_token(save), &m) != 0 || m == 0 || m > MAX_HYP)
        return -1;
    for (i = 0; i < m; i++)
        if (parse_double(next_token(save), &p[i]) != 0)
            return -1;
    d.m = m;
    for (k = 0; k < sizeof methods / sizeof methods[0]; k++) {
        const itp_mult_procedure *proc = itp_mult_lookup(methods[k]);
        char what[64];
        if (proc == NULL || proc->apply(&d, p, 0.025, ws, rej, adj) != ITP_OK)
            return -1;
        for (i = 0; i < m; i++) {
            snprintf(what, sizeof what, "%s_%u", methods[k], i + 1);
            put(id, what, adj[i]);
        }
    }
    return 0;
}

int main(int argc, char **argv)
{
    FILE *f;
    char line[8192];
    long lineno = 0;
    itp_mult_workspace *ws = NULL;
    int rc = 0;

    if (argc != 2) {
        fprintf(stderr, "usage: %s CASES_FILE\n", argv[0]);
        return 2;
    }
    gsl_set_error_handler_off();
    f = fopen(argv[1], "r");
    if (f == NULL) {
        fprintf(stderr, "%s: cannot open %s: %s\n", argv[0], argv[1],
                strerror(errno));
        return 1;
    }
    if (itp_mult_workspace_create(&ws, MAX_HYP) != ITP_OK) {
        fclose(f);
        return 1;
    }
    while (fgets(line, sizeof line, f) != NULL) {
        char *save = NULL;
        char *kind = strtok_r(line, " \t\r\n", &save);
        char *id;
        int err;

        lineno++;
        if (kind == NULL)
            continue;
        id = next_token(&save);
        if (id == NULL)
            err = -1;
        else if (strcmp(kind, "table") == 0)
            err = run_table(id, &save);
        else if (strcmp(kind, "binom") == 0)
            err = run_binom(id, &save);
        else if (strcmp(kind, "padj") == 0)
            err = run_padj(id, &save, ws);
        else
            err = -1;
        if (err != 0) {
            fprintf(stderr, "%s:%ld: bad case line or itpsim refused it\n",
                    argv[1], lineno);
            rc = 1;
        }
    }
    fclose(f);
    itp_mult_workspace_free(ws);
    return rc;
}
