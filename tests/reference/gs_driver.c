/* Runs itpsim's group-sequential kernel on the cases written by
 * tests/reference/gs_reference.R and prints the results in the format of
 * that script's expected.txt ("id quantity value"), so that
 * tests/cli/refcheck_gs.sh can compare the two line by line.
 *
 * Usage: gs_driver CASES_FILE
 * Lines of CASES_FILE (whitespace-separated; see gs_reference.R):
 *   bounds ID KIND PARAM ALPHA K t_1..t_K u_1..u_K
 *     KIND asOF, asP, asHSD, asKD or asUser; prints "ID b<i> bound"
 *   probs ID K THETA t_1..t_K a_1..a_K b_1..b_K
 *     prints "ID eff<i> p" for every stage and "ID fut<i> p" for i < K
 *     when some a_i is finite
 * Exit status 0, or 1 with a message on bad input or a failing kernel. */
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <gsl/gsl_errno.h>

#include "itpsim/gsdesign.h"

static void put(const char *id, const char *what, int i, double v)
{
    if (isinf(v))
        printf("%s %s%d %s\n", id, what, i, v > 0 ? "Inf" : "-Inf");
    else
        printf("%s %s%d %.17g\n", id, what, i, v);
}

/* The next whitespace-separated token of the line, or NULL. */
static char *next_token(char **save)
{
    return strtok_r(NULL, " \t\r\n", save);
}

/* A number, "Inf" or "-Inf" (strtod reads both). */
static int parse_double(const char *s, double *out)
{
    char *end;

    if (s == NULL)
        return -1;
    errno = 0;
    *out = strtod(s, &end);
    if (errno == ERANGE && !isinf(*out))
        return -1;
    return *end != '\0' || end == s ? -1 : 0;
}

static int parse_k(const char *s, int *k)
{
    double v;
    if (parse_double(s, &v) != 0 || v != floor(v) || v < 1 || v > ITP_GS_MAX_STAGES)
        return -1;
    *k = (int)v;
    return 0;
}

static int parse_vector(char **save, int k, double *v)
{
    for (int i = 0; i < k; i++)
        if (parse_double(next_token(save), &v[i]) != 0)
            return -1;
    return 0;
}

static int run_bounds(const char *id, char **save)
{
    static const struct {
        const char *name;
        itp_spend_kind kind;
    } kinds[] = {
        { "asOF", ITP_SPEND_OF },   { "asP", ITP_SPEND_POCOCK }, { "asHSD", ITP_SPEND_HSD },
        { "asKD", ITP_SPEND_KD },   { "asUser", ITP_SPEND_USER },
    };
    itp_spending s = { 0 };
    double alpha, t[ITP_GS_MAX_STAGES], u[ITP_GS_MAX_STAGES], b[ITP_GS_MAX_STAGES];
    const char *kind = next_token(save);
    size_t n = sizeof kinds / sizeof kinds[0], j;
    int k;
    itp_status st;

    for (j = 0; kind != NULL && j < n; j++)
        if (strcmp(kind, kinds[j].name) == 0)
            break;
    if (kind == NULL || j == n || parse_double(next_token(save), &s.param) != 0
        || parse_double(next_token(save), &alpha) != 0 || parse_k(next_token(save), &k) != 0
        || parse_vector(save, k, t) != 0 || parse_vector(save, k, u) != 0)
        return -1;
    s.kind = kinds[j].kind;
    if (s.kind == ITP_SPEND_USER) {
        s.n_user = k;
        for (int i = 0; i < k; i++) {
            s.user_t[i] = t[i];
            s.user_frac[i] = u[i];
        }
    }
    st = itp_gs_bounds(&s, alpha, k, t, 1, b);
    if (st != ITP_OK) {
        fprintf(stderr, "gs_driver: %s: itp_gs_bounds: %s\n", id, itp_strerror(st));
        return -2;
    }
    for (int i = 0; i < k; i++)
        put(id, "b", i + 1, b[i]);
    return 0;
}

static int run_probs(const char *id, char **save)
{
    double theta, t[ITP_GS_MAX_STAGES], a[ITP_GS_MAX_STAGES], b[ITP_GS_MAX_STAGES];
    double pe[ITP_GS_MAX_STAGES], pf[ITP_GS_MAX_STAGES];
    int k, futility = 0;
    itp_status st;

    if (parse_k(next_token(save), &k) != 0 || parse_double(next_token(save), &theta) != 0
        || parse_vector(save, k, t) != 0 || parse_vector(save, k, a) != 0
        || parse_vector(save, k, b) != 0)
        return -1;
    for (int i = 0; i < k; i++)
        futility |= isfinite(a[i]);
    st = itp_gs_probs(k, t, a, b, theta, pe, pf);
    if (st != ITP_OK) {
        fprintf(stderr, "gs_driver: %s: itp_gs_probs: %s\n", id, itp_strerror(st));
        return -2;
    }
    for (int i = 0; i < k; i++)
        put(id, "eff", i + 1, pe[i]);
    for (int i = 0; futility && i < k - 1; i++)
        put(id, "fut", i + 1, pf[i]);
    return 0;
}

int main(int argc, char **argv)
{
    char line[4096];
    FILE *f;
    int lineno = 0, status = 0;

    if (argc != 2) {
        fprintf(stderr, "usage: gs_driver CASES_FILE\n");
        return 1;
    }
    gsl_set_error_handler_off();
    f = fopen(argv[1], "r");
    if (f == NULL) {
        fprintf(stderr, "gs_driver: %s: %s\n", argv[1], strerror(errno));
        return 1;
    }
    while (fgets(line, sizeof line, f) != NULL) {
        char *save = NULL;
        const char *what = strtok_r(line, " \t\r\n", &save);
        const char *id = next_token(&save);
        int rc;

        lineno++;
        if (what == NULL)
            continue;
        if (id == NULL)
            rc = -1;
        else if (strcmp(what, "bounds") == 0)
            rc = run_bounds(id, &save);
        else if (strcmp(what, "probs") == 0)
            rc = run_probs(id, &save);
        else
            rc = -1;
        if (rc == 0 && next_token(&save) != NULL)
            rc = -1;
        if (rc == -1)
            fprintf(stderr, "gs_driver: %s:%d: malformed case\n", argv[1], lineno);
        if (rc != 0) {
            status = 1;
            break;
        }
    }
    fclose(f);
    return status;
}
