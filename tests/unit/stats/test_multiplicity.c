/* Tests of the multiplicity procedures (include/itpsim/multiplicity.h).
 *
 * Known answers:
 *  - p.adjust(c(0.01, 0.04, 0.03, 0.005), m) and
 *    p.adjust(c(0.02, 0.03, 0.035, 0.04), m) for m in bonferroni, holm,
 *    hochberg, from R 4.2.2.
 *  - A graph for two primary hypotheses (H1, H2, e.g. two doses on the
 *    primary endpoint) and two secondary ones (H3, H4), of the kind Bretz
 *    et al. (Stat Med 2009) discuss: w = (1/2, 1/2, 0, 0), H1 -> H2, H3 with
 *    1/2 each, H2 -> H1, H4 with 1/2 each, H3 -> H2, H4 -> H1. Not copied
 *    from the paper (its numbers were not at hand): worked by hand with
 *    their Algorithm 1, step by step in test_graphical_by_hand.
 * Special cases, over many random p-vectors:
 *  - the graphical approach with equal weights and G[i][j] = 1/(m-1) is Holm,
 *    and with w_j / sum_{k != i} w_k it is weighted Holm;
 *  - with w = (1, 0, ..., 0) and G passing everything to the next, it is the
 *    fixed sequence (also for a permuted order);
 *  - with G = 0 it is weighted Bonferroni;
 *  - Hochberg rejects a superset of Holm, with adjusted p-values no larger;
 *  - on random graphs, Algorithm 1's rejections are {adj <= alpha}. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <math.h>
#include <string.h>

#include <gsl/gsl_errno.h>
#include <gsl/gsl_randist.h>
#include <gsl/gsl_rng.h>

#include "itpsim/multiplicity.h"

#define MMAX 8
#define NREP 4000
#define ALPHA 0.025

typedef struct fixture {
    itp_mult_workspace *ws;
    gsl_rng *rng;
} fixture;

static int setup(void **state)
{
    static fixture fx;
    if (itp_mult_workspace_create(&fx.ws, MMAX) != ITP_OK)
        return -1;
    fx.rng = gsl_rng_alloc(gsl_rng_mt19937);
    if (fx.rng == NULL)
        return -1;
    gsl_rng_set(fx.rng, 20240611UL);
    *state = &fx;
    return 0;
}

static int teardown(void **state)
{
    fixture *fx = *state;
    itp_mult_workspace_free(fx->ws);
    gsl_rng_free(fx->rng);
    return 0;
}

static void check_close(double got, double want, double tol, const char *what,
                        size_t i)
{
    if (!(fabs(got - want) <= tol)) {
        print_error("%s [%zu]: got %.17g, want %.17g\n", what, i, got, want);
        fail();
    }
}

/* Random p-values, a mix of small ones (so that there are rejections) and
 * uniform ones. */
static void random_p(gsl_rng *r, size_t m, double *p)
{
    size_t i;
    for (i = 0; i < m; i++) {
        double u = gsl_rng_uniform_pos(r);
        p[i] = gsl_rng_uniform(r) < 0.5 ? 0.05 * u * u : u;
    }
}

static void run(const char *name, const itp_mult_design *d, const double *p,
                itp_mult_workspace *ws, int *rej, double *adj)
{
    const itp_mult_procedure *proc = itp_mult_lookup(name);
    assert_non_null(proc);
    assert_int_equal(proc->apply(d, p, ALPHA, ws, rej, adj), ITP_OK);
}

static void test_p_adjust(void **state)
{
    fixture *fx = *state;
    const double p1[] = {0.01, 0.04, 0.03, 0.005};
    const double bonf1[] = {0.04, 0.16, 0.12, 0.02};
    const double holm1[] = {0.03, 0.06, 0.06, 0.02};
    const double hoch1[] = {0.03, 0.04, 0.04, 0.02};
    const double p2[] = {0.02, 0.03, 0.035, 0.04};
    const double holm2[] = {0.08, 0.09, 0.09, 0.09};
    const double hoch2[] = {0.04, 0.04, 0.04, 0.04};
    itp_mult_design d = {4, NULL, NULL, NULL};
    double adj[4];
    int rej[4];
    size_t i;

    run("bonferroni", &d, p1, fx->ws, rej, adj);
    for (i = 0; i < 4; i++) {
        check_close(adj[i], bonf1[i], 1e-15, "bonferroni", i);
        assert_int_equal(rej[i], i == 3);
    }
    run("holm", &d, p1, fx->ws, rej, adj);
    for (i = 0; i < 4; i++)
        check_close(adj[i], holm1[i], 1e-15, "holm", i);
    assert_int_equal(rej[3], 1);
    assert_int_equal(rej[0], 0);
    run("hochberg", &d, p1, fx->ws, rej, adj);
    for (i = 0; i < 4; i++)
        check_close(adj[i], hoch1[i], 1e-15, "hochberg", i);
    /* here Hochberg (all at 0.04) and Holm (from 0.08) differ most */
    run("holm", &d, p2, fx->ws, rej, adj);
    for (i = 0; i < 4; i++)
        check_close(adj[i], holm2[i], 1e-15, "holm", i);
    run("hochberg", &d, p2, fx->ws, rej, adj);
    for (i = 0; i < 4; i++)
        check_close(adj[i], hoch2[i], 1e-15, "hochberg", i);
}

static void test_graphical_by_hand(void **state)
{
    /* Algorithm 1 at alpha = 0.025 with p = (0.01, 0.03, 0.005, 0.5):
     *  levels (0.0125, 0.0125, 0, 0): reject H1 (0.01 <= 0.0125).
     *  w = (-, 3/4, 1/4, 0); G23 = (0 + 1/2 1/2)/(1 - 1/4) = 1/3,
     *  G24 = 2/3, G32 = 1, G34 = 0, G42 = 1/2, G43 = 1/2.
     *  levels H2 0.01875 (p 0.03: no), H3 0.00625 (p 0.005: reject H3).
     *  w = (-, 1, -, 0); G24 = (2/3)/(1 - 1/3) = 1, G42 = 1.
     *  H2 at 0.025: 0.03, no. Stop: {H1, H3} rejected.
     * Adjusted: H1 first (0.01 / 0.5 = 0.02), then H3 (0.005 / 0.25 =
     * 0.02), then H2 (0.03 / 1), then H4 gets weight 1: 0.5. */
    fixture *fx = *state;
    const double w[] = {0.5, 0.5, 0.0, 0.0};
    const double g[] = {0.0, 0.5, 0.5, 0.0,
                        0.5, 0.0, 0.0, 0.5,
                        0.0, 1.0, 0.0, 0.0,
                        1.0, 0.0, 0.0, 0.0};
    const double p[] = {0.01, 0.03, 0.005, 0.5};
    const double want[] = {0.02, 0.03, 0.02, 0.5};
    const int want_rej[] = {1, 0, 1, 0};
    itp_mult_design d = {4, w, g, NULL};
    double adj[4];
    int rej[4];
    size_t i;

    run("graphical", &d, p, fx->ws, rej, adj);
    for (i = 0; i < 4; i++) {
        check_close(adj[i], want[i], 1e-15, "graphical adj", i);
        assert_int_equal(rej[i], want_rej[i]);
    }
    /* H2 at 0.03 is rejected at alpha 0.03: all but H4, and H4 gets the
     * full alpha but p = 0.5 */
    {
        const itp_mult_procedure *proc = itp_mult_lookup("graphical");
        assert_int_equal(proc->apply(&d, p, 0.03, fx->ws, rej, adj), ITP_OK);
        assert_int_equal(rej[0] + rej[1] + rej[2], 3);
        assert_int_equal(rej[3], 0);
    }
    /* weighted Bonferroni: G = 0 */
    {
        const double zero[16] = {0};
        const double wb[] = {0.4, 0.3, 0.2, 0.1};
        const double pb[] = {0.009, 0.008, 0.006, 0.002};
        itp_mult_design b = {4, wb, zero, NULL};
        double adj2[4];
        int rej2[4];
        run("graphical", &b, pb, fx->ws, rej, adj);
        run("bonferroni", &b, pb, fx->ws, rej2, adj2);
        for (i = 0; i < 4; i++) {
            check_close(adj[i], pb[i] / wb[i], 1e-15, "bonferroni adj", i);
            check_close(adj2[i], pb[i] / wb[i], 1e-15, "bonferroni adj", i);
            assert_int_equal(rej[i], rej2[i]);
        }
        assert_int_equal(rej2[0], 1);   /* 0.009 <= 0.01 */
        assert_int_equal(rej2[1], 0);   /* 0.008 > 0.0075 */
        assert_int_equal(rej2[2], 0);   /* 0.006 > 0.005 */
        assert_int_equal(rej2[3], 1);   /* 0.002 <= 0.0025 */
    }
}

/* Equal adjusted p-values and equal rejections. The tolerance 1e-10 allows
 * for rounding in the graph updates: with very uneven random weights,
 * 1 - G_lj G_jl cancels and the graph's weights drift by ~1e-12 from Holm's
 * closed form. */
static void check_same(size_t m, const int *rej_a, const double *adj_a,
                       const int *rej_b, const double *adj_b, const char *what)
{
    size_t i;
    for (i = 0; i < m; i++) {
        check_close(adj_a[i], adj_b[i], 1e-10, what, i);
        if (rej_a[i] != rej_b[i]) {
            print_error("%s [%zu]: rejected %d vs %d\n", what, i, rej_a[i],
                        rej_b[i]);
            fail();
        }
    }
}

static void test_graphical_is_holm(void **state)
{
    fixture *fx = *state;
    double p[MMAX], g[MMAX * MMAX], w[MMAX], a1[MMAX], a2[MMAX];
    int r1[MMAX], r2[MMAX];
    size_t rep, i, j, m;

    for (rep = 0; rep < NREP; rep++) {
        itp_mult_design d;
        int weighted = rep % 2 == 1;
        double total = 0.0;
        m = 2 + rep % (MMAX - 1);
        random_p(fx->rng, m, p);
        for (i = 0; i < m; i++) {
            w[i] = weighted ? gsl_rng_uniform_pos(fx->rng) : 1.0;
            total += w[i];
        }
        /* weighted: sum to 0.9 or 1; unweighted: 1/m each */
        for (i = 0; i < m; i++)
            w[i] = weighted ? w[i] / total * (rep % 4 == 1 ? 0.9 : 1.0)
                            : 1.0 / (double)m;
        for (i = 0; i < m; i++) {
            double rest = 0.0;
            for (j = 0; j < m; j++)
                if (j != i)
                    rest += w[j];
            for (j = 0; j < m; j++)
                g[i * m + j] = i == j ? 0.0
                    : weighted ? w[j] / rest : 1.0 / (double)(m - 1);
        }
        d.m = m;
        d.weights = weighted ? w : NULL;
        d.transition = g;
        d.order = NULL;
        run("holm", &d, p, fx->ws, r1, a1);
        d.weights = w;
        run("graphical", &d, p, fx->ws, r2, a2);
        check_same(m, r1, a1, r2, a2, weighted ? "weighted Holm" : "Holm");
    }
}

static void test_graphical_is_fixed_sequence(void **state)
{
    fixture *fx = *state;
    double p[MMAX], g[MMAX * MMAX], w[MMAX], a1[MMAX], a2[MMAX];
    int r1[MMAX], r2[MMAX];
    size_t order[MMAX];
    size_t rep, i, m;

    for (rep = 0; rep < NREP; rep++) {
        itp_mult_design d;
        int permuted = rep % 2 == 1;
        m = 1 + rep % MMAX;
        random_p(fx->rng, m, p);
        for (i = 0; i < m; i++)
            order[i] = i;
        if (permuted)
            gsl_ran_shuffle(fx->rng, order, m, sizeof order[0]);
        memset(g, 0, m * m * sizeof g[0]);
        for (i = 0; i < m; i++)
            w[i] = 0.0;
        w[order[0]] = 1.0;
        for (i = 0; i + 1 < m; i++)
            g[order[i] * m + order[i + 1]] = 1.0;
        d.m = m;
        d.weights = w;
        d.transition = g;
        d.order = permuted ? order : NULL;
        run("fixed_sequence", &d, p, fx->ws, r1, a1);
        run("graphical", &d, p, fx->ws, r2, a2);
        check_same(m, r1, a1, r2, a2, "fixed sequence");
    }
}

static void test_hochberg_superset_of_holm(void **state)
{
    fixture *fx = *state;
    double p[MMAX], a1[MMAX], a2[MMAX];
    int r1[MMAX], r2[MMAX];
    size_t rep, i, m, more = 0;

    for (rep = 0; rep < NREP; rep++) {
        itp_mult_design d = {0, NULL, NULL, NULL};
        m = 2 + rep % (MMAX - 1);
        d.m = m;
        random_p(fx->rng, m, p);
        run("holm", &d, p, fx->ws, r1, a1);
        run("hochberg", &d, p, fx->ws, r2, a2);
        for (i = 0; i < m; i++) {
            assert_true(a2[i] <= a1[i]);
            assert_true(r2[i] >= r1[i]);
            more += (size_t)(r2[i] - r1[i]);
        }
    }
    assert_true(more > 0);   /* the comparison did bite */
}

static void test_algorithm1_matches_adjusted(void **state)
{
    fixture *fx = *state;
    double p[MMAX], g[MMAX * MMAX], w[MMAX], adj[MMAX];
    int rej[MMAX];
    size_t rep, i, j, m, nrej = 0, nkeep = 0;

    for (rep = 0; rep < NREP; rep++) {
        itp_mult_design d;
        double total = 0.0;
        m = 1 + rep % MMAX;
        random_p(fx->rng, m, p);
        /* random weights summing to <= 1, some zero; random rows */
        for (i = 0; i < m; i++) {
            w[i] = gsl_rng_uniform(fx->rng) < 0.3 ? 0.0
                                                  : gsl_rng_uniform(fx->rng);
            total += w[i];
        }
        for (i = 0; i < m; i++)
            w[i] = total > 0.0 ? w[i] / total * (rep % 3 == 0 ? 0.8 : 1.0)
                               : 0.0;
        for (i = 0; i < m; i++) {
            double rs = 0.0;
            for (j = 0; j < m; j++) {
                g[i * m + j] = i == j || gsl_rng_uniform(fx->rng) < 0.3
                    ? 0.0 : gsl_rng_uniform(fx->rng);
                rs += g[i * m + j];
            }
            for (j = 0; j < m; j++)
                if (rs > 0.0)
                    g[i * m + j] /= rep % 5 == 0 ? rs * 1.25 : rs;
        }
        d.m = m;
        d.weights = w;
        d.transition = g;
        d.order = NULL;
        assert_int_equal(itp_mult_validate(&d, ITP_MULT_USES_WEIGHTS
                                           | ITP_MULT_USES_TRANSITION,
                                           NULL, 0), ITP_OK);
        run("graphical", &d, p, fx->ws, rej, adj);
        for (i = 0; i < m; i++) {
            if (!(adj[i] >= p[i] && adj[i] <= 1.0)) {
                print_error("rep %zu H%zu: p %.17g adj %.17g\n", rep, i + 1,
                            p[i], adj[i]);
                fail();
            }
            if (rej[i] != (adj[i] <= ALPHA)) {
                print_error("rep %zu H%zu: rejected %d, adj %.17g\n", rep,
                            i + 1, rej[i], adj[i]);
                fail();
            }
            nrej += (size_t)rej[i];
            nkeep += (size_t)!rej[i];
        }
    }
    assert_true(nrej > 0 && nkeep > 0);
}

static void test_validate(void **state)
{
    fixture *fx = *state;
    char msg[160];
    double w[] = {0.5, 0.6, 0.0};
    double g[] = {0.0, 0.5, 0.5,
                  0.7, 0.0, 0.7,
                  1.0, 0.0, 0.0};
    size_t order[] = {0, 2, 2};
    itp_mult_design d = {3, w, g, order};
    double p[] = {0.01, 0.02, 0.03}, adj[3];
    int rej[3];
    const unsigned int all = ITP_MULT_USES_WEIGHTS | ITP_MULT_USES_TRANSITION
                             | ITP_MULT_USES_ORDER;

    assert_int_equal(itp_mult_validate(&d, all, msg, sizeof msg), ITP_EINPUT);
    assert_non_null(strstr(msg, "weights sum to 1.1"));
    w[1] = -0.1;
    assert_int_equal(itp_mult_validate(&d, all, msg, sizeof msg), ITP_EINPUT);
    assert_non_null(strstr(msg, "weight 2 is -0.1"));
    w[1] = 0.5;
    assert_int_equal(itp_mult_validate(&d, all, msg, sizeof msg), ITP_EINPUT);
    assert_non_null(strstr(msg, "transition row 2 sums to 1.4"));
    g[5] = 0.3;
    g[8] = 0.5;
    assert_int_equal(itp_mult_validate(&d, all, msg, sizeof msg), ITP_EINPUT);
    assert_non_null(strstr(msg, "transition entry (3, 3)"));
    assert_non_null(strstr(msg, "diagonal"));
    g[8] = 0.0;
    g[1] = 1.5;
    assert_int_equal(itp_mult_validate(&d, all, msg, sizeof msg), ITP_EINPUT);
    assert_non_null(strstr(msg, "transition entry (1, 2) is 1.5"));
    g[1] = 0.5;
    assert_int_equal(itp_mult_validate(&d, all, msg, sizeof msg), ITP_EINPUT);
    assert_non_null(strstr(msg, "lists hypothesis 3 twice"));
    order[2] = 3;
    assert_int_equal(itp_mult_validate(&d, all, msg, sizeof msg), ITP_EINPUT);
    assert_non_null(strstr(msg, "expected 1..3"));
    order[2] = 1;
    assert_int_equal(itp_mult_validate(&d, all, msg, sizeof msg), ITP_OK);
    assert_string_equal(msg, "");
    /* 1/3 typed with ten digits is accepted */
    {
        double third[] = {0.3333333333, 0.3333333333, 0.3333333334};
        itp_mult_design t = {3, third, NULL, NULL};
        assert_int_equal(itp_mult_validate(&t, ITP_MULT_USES_WEIGHTS, NULL,
                                           0), ITP_OK);
    }
    /* a procedure refuses what validate refuses, and bad calls */
    d.transition = NULL;
    assert_int_equal(itp_mult_validate(&d, ITP_MULT_USES_TRANSITION, msg,
                                       sizeof msg), ITP_EINPUT);
    assert_non_null(strstr(msg, "no transition matrix"));
    assert_int_equal(itp_mult_graphical(&d, p, ALPHA, fx->ws, rej, adj),
                     ITP_EINPUT);
    d.transition = g;
    assert_int_equal(itp_mult_graphical(&d, p, ALPHA, fx->ws, rej, adj),
                     ITP_OK);
    p[1] = 1.5;
    assert_int_equal(itp_mult_holm(&d, p, ALPHA, fx->ws, rej, adj),
                     ITP_EINPUT);
    p[1] = (double)NAN;
    assert_int_equal(itp_mult_holm(&d, p, ALPHA, fx->ws, rej, adj),
                     ITP_EINPUT);
    p[1] = 0.02;
    assert_int_equal(itp_mult_holm(&d, p, 0.0, fx->ws, rej, adj), ITP_EINPUT);
    assert_int_equal(itp_mult_holm(&d, p, ALPHA, NULL, rej, adj), ITP_EINPUT);
    assert_int_equal(itp_mult_holm(&d, p, ALPHA, fx->ws, NULL, adj),
                     ITP_EINPUT);
    d.m = 0;
    assert_int_equal(itp_mult_validate(&d, 0, msg, sizeof msg), ITP_EINPUT);
    d.m = MMAX + 1;
    d.weights = NULL;
    {
        double pp[MMAX + 1] = {0}, aa[MMAX + 1];
        int rr[MMAX + 1];
        assert_int_equal(itp_mult_hochberg(&d, pp, ALPHA, fx->ws, rr, aa),
                         ITP_EINPUT);   /* workspace too small */
    }
}

static void test_zero_weight_and_zero_p(void **state)
{
    /* A hypothesis without weight is not rejected even with p = 0 until
     * weight reaches it. */
    fixture *fx = *state;
    const double w[] = {1.0, 0.0};
    const double g[] = {0.0, 1.0, 0.0, 0.0};
    double p[] = {0.5, 0.0}, adj[2];
    int rej[2];
    itp_mult_design d = {2, w, g, NULL};

    run("graphical", &d, p, fx->ws, rej, adj);
    assert_int_equal(rej[0], 0);
    assert_int_equal(rej[1], 0);
    check_close(adj[0], 0.5, 0.0, "adj", 0);
    check_close(adj[1], 0.5, 0.0, "adj", 1);
    p[0] = 0.001;
    run("graphical", &d, p, fx->ws, rej, adj);
    assert_int_equal(rej[0] + rej[1], 2);
    run("bonferroni", &d, p, fx->ws, rej, adj);
    assert_int_equal(rej[1], 0);
    check_close(adj[1], 1.0, 0.0, "bonferroni adj", 1);
}

static void test_workspace_and_lookup(void **state)
{
    itp_mult_workspace *ws = NULL;
    const char *names[] = {"bonferroni", "holm", "hochberg", "fixed_sequence",
                           "graphical"};
    size_t i, n = 0;
    (void)state;

    assert_int_equal(itp_mult_workspace_create(&ws, 0), ITP_EINPUT);
    assert_int_equal(itp_mult_workspace_create(NULL, 3), ITP_EINPUT);
    assert_int_equal(itp_mult_workspace_create(&ws, SIZE_MAX / 2), ITP_ERANGE);
    assert_null(ws);
    assert_int_equal(itp_mult_workspace_create(&ws, 1), ITP_OK);
    assert_non_null(ws);
    itp_mult_workspace_free(ws);
    itp_mult_workspace_free(NULL);

    for (i = 0; i < sizeof names / sizeof names[0]; i++) {
        const itp_mult_procedure *p = itp_mult_lookup(names[i]);
        assert_non_null(p);
        assert_string_equal(p->name, names[i]);
        assert_non_null(p->apply);
        assert_non_null(p->description);
    }
    for (i = 0; itp_mult_procedures[i].name != NULL; i++)
        n++;
    assert_int_equal(n, 5);
    assert_true(itp_mult_lookup("graphical")->uses
                == (ITP_MULT_USES_WEIGHTS | ITP_MULT_USES_TRANSITION));
    assert_null(itp_mult_lookup("Holm"));
    assert_null(itp_mult_lookup(NULL));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_p_adjust),
        cmocka_unit_test(test_graphical_by_hand),
        cmocka_unit_test(test_graphical_is_holm),
        cmocka_unit_test(test_graphical_is_fixed_sequence),
        cmocka_unit_test(test_hochberg_superset_of_holm),
        cmocka_unit_test(test_algorithm1_matches_adjusted),
        cmocka_unit_test(test_validate),
        cmocka_unit_test(test_zero_weight_and_zero_p),
        cmocka_unit_test(test_workspace_and_lookup),
    };
    gsl_set_error_handler_off();
    return cmocka_run_group_tests_name("multiplicity", tests, setup, teardown);
}
