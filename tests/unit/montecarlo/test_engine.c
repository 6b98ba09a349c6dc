/* The replicate engine (engine.h) on a synthetic task whose replicate r
 * gives splitmix64(r) (Steele, Lea and Flood, OOPSLA 2014) and a double of
 * r's own magnitude, so that any change of order shows in an
 * order-sensitive fold and a floating-point sum:
 * - the reduction sees replicates [first, first + count) in order, chunk
 *   by chunk (the last chunk short when chunk does not divide count), the
 *   same bytes for 1, 2 and 3 threads;
 * - one workspace per thread at most, never more than the replicates, all
 *   freed, each replicate given one of them;
 * - a stop flag set by replicate 40 discards its chunk and keeps the ones
 *   before, whatever the threads; set before the start, nothing runs;
 * - two failing replicates in one chunk: the lower one's status;
 * - a failing reduction ends the run after its chunk;
 * - a failing workspace: nothing runs, the workspaces made are freed;
 * - no slots (replicates writing into the caller's array) and no reduction. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>
#include "itpsim/engine.h"

#define MAX_REPS 2000
#define WS_MAGIC 0x5eedu

typedef struct slot {
    long rep;
    uint64_t value;
    double x;
    int ws_id;
} slot;

typedef struct task_ctx {
    /* settings */
    long stop_at;              /* replicate that sets stop; -1 none */
    long fail_at[2];           /* failing replicates; -1 none */
    itp_status fail_st[2];
    int fail_reduce_call;      /* the reduce call (1-based) that fails; 0 none */
    int fail_ws;               /* the ws_create call (1-based) that fails; 0 none */
    /* what happened */
    atomic_int stop;
    atomic_int ws_made, ws_freed, ws_calls, replicates;
    atomic_int bad_ws;         /* a replicate saw no workspace of this run */
    long next;                 /* first replicate the next reduce call should see */
    int calls;
    long counts[MAX_REPS];     /* per reduce call */
    uint64_t log[MAX_REPS];    /* values, in the order reduced */
    long n_log;
    uint64_t fold;
    double sum;
    uint64_t direct[MAX_REPS]; /* written by the replicates themselves */
} task_ctx;

typedef struct test_ws {
    unsigned magic;
    int id;
    task_ctx *c;               /* for the count of frees */
} test_ws;

static uint64_t splitmix64(uint64_t x)
{
    x += 0x9e3779b97f4a7c15u;
    x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9u;
    x = (x ^ (x >> 27)) * 0x94d049bb133111ebu;
    return x ^ (x >> 31);
}

static itp_status ws_create(void *ctx, void **ws)
{
    task_ctx *c = ctx;
    *ws = NULL;
    int call = atomic_fetch_add(&c->ws_calls, 1) + 1;
    if (call == c->fail_ws)
        return ITP_ENOMEM;
    test_ws *w = malloc(sizeof *w);
    if (!w)
        return ITP_ENOMEM;
    w->magic = WS_MAGIC;
    w->id = atomic_fetch_add(&c->ws_made, 1);
    w->c = c;
    *ws = w;
    return ITP_OK;
}

static void ws_free(void *ws)
{
    test_ws *w = ws;
    if (!w)
        return;
    atomic_fetch_add(&w->c->ws_freed, 1);
    free(w);
}

static itp_status replicate(void *ctx, void *ws, long rep, void *result)
{
    task_ctx *c = ctx;
    test_ws *w = ws;
    atomic_fetch_add(&c->replicates, 1);
    if (!w || w->magic != WS_MAGIC)
        atomic_store(&c->bad_ws, 1);
    if (rep == c->stop_at)
        atomic_store(&c->stop, 1);
    for (int k = 0; k < 2; k++)
        if (rep == c->fail_at[k])
            return c->fail_st[k];
    uint64_t v = splitmix64((uint64_t)rep);
    /* uneven work, so that replicates finish out of order on threads */
    volatile uint64_t spin = 0;
    for (uint64_t k = 0; k < (v & 4095u); k++)
        spin += k;
    (void)spin;
    if (result) {
        slot *s = result;
        s->rep = rep;
        s->value = v;
        s->x = (double)(v >> 11) * (rep % 2 ? 1e-12 : 1e6);
        s->ws_id = w ? w->id : -1;
    } else {
        c->direct[rep] = v;
    }
    return ITP_OK;
}

static itp_status reduce(void *ctx, long first, const void *results, long count)
{
    task_ctx *c = ctx;
    const slot *s = results;
    assert_int_equal(first, c->next);
    c->counts[c->calls++] = count;
    for (long i = 0; i < count; i++) {
        assert_int_equal(s[i].rep, first + i);
        c->log[c->n_log++] = s[i].value;
        c->fold = (c->fold ^ s[i].value) * 0x100000001b3u;
        c->sum += s[i].x;
    }
    c->next = first + count;
    return c->calls == c->fail_reduce_call ? ITP_EIO : ITP_OK;
}

static void ctx_init(task_ctx *c, long first)
{
    memset(c, 0, sizeof *c);
    c->stop_at = c->fail_at[0] = c->fail_at[1] = -1;
    c->next = first;
    atomic_init(&c->stop, 0);
    atomic_init(&c->ws_made, 0);
    atomic_init(&c->ws_freed, 0);
    atomic_init(&c->ws_calls, 0);
    atomic_init(&c->replicates, 0);
    atomic_init(&c->bad_ws, 0);
}

static itp_status run(task_ctx *c, long first, long count, int threads, long chunk)
{
    itp_engine_task t = {c, sizeof(slot), ws_create, ws_free, replicate, reduce};
    itp_engine_opts o = {.first = first, .count = count, .threads = threads, .chunk = chunk,
                         .stop = &c->stop};
    return itp_engine_run(&t, &o);
}

static void check_workspaces(const task_ctx *c, int threads, long count)
{
    int made = atomic_load(&c->ws_made);
    assert_true(made >= 1);
    assert_true(made <= threads && made <= count);
    assert_int_equal(atomic_load(&c->ws_freed), made);
    assert_false(atomic_load(&c->bad_ws));
}

static void test_replicate_order_whatever_the_threads(void **state)
{
    (void)state;
    static task_ctx c[3];
    const long first = 5, count = 1000, chunk = 7; /* 1000 = 142 * 7 + 6 */
    for (int t = 0; t < 3; t++) {
        ctx_init(&c[t], first);
        assert_int_equal(run(&c[t], first, count, t + 1, chunk), ITP_OK);
        check_workspaces(&c[t], t + 1, count);
        assert_int_equal(c[t].calls, 143);
        for (int k = 0; k < 142; k++)
            assert_int_equal(c[t].counts[k], 7);
        assert_int_equal(c[t].counts[142], 6);
        assert_int_equal(c[t].n_log, count);
        for (long i = 0; i < count; i++)
            assert_true(c[t].log[i] == splitmix64((uint64_t)(first + i)));
    }
    for (int t = 1; t < 3; t++) {
        assert_true(c[t].fold == c[0].fold);
        assert_memory_equal(&c[t].sum, &c[0].sum, sizeof c[0].sum);
    }
}

static void test_more_threads_than_replicates(void **state)
{
    (void)state;
    static task_ctx c;
    ctx_init(&c, 0);
    assert_int_equal(run(&c, 0, 2, 3, 256), ITP_OK);
    check_workspaces(&c, 2, 2);
    assert_int_equal(c.calls, 1);
    assert_int_equal(c.counts[0], 2);
    ctx_init(&c, 0);
    assert_int_equal(run(&c, 0, 0, 3, 256), ITP_OK);
    assert_int_equal(atomic_load(&c.ws_calls), 0);
    assert_int_equal(c.calls, 0);
}

static void test_stop_midway(void **state)
{
    (void)state;
    static task_ctx c;
    for (int t = 1; t <= 3; t++) {
        ctx_init(&c, 0);
        c.stop_at = 40;
        /* chunks [0, 16), [16, 32) reduced; [32, 48) holds 40: discarded */
        assert_int_equal(run(&c, 0, 100, t, 16), ITP_EINTERRUPT);
        check_workspaces(&c, t, 100);
        assert_int_equal(c.calls, 2);
        assert_int_equal(c.n_log, 32);
        assert_true(atomic_load(&c.replicates) <= 48);
    }
    ctx_init(&c, 0);
    atomic_store(&c.stop, 1);
    assert_int_equal(run(&c, 0, 100, 2, 16), ITP_EINTERRUPT);
    assert_int_equal(atomic_load(&c.replicates), 0);
    assert_int_equal(c.calls, 0);
}

static void test_lowest_failing_replicate(void **state)
{
    (void)state;
    static task_ctx c;
    for (int t = 1; t <= 3; t++) {
        ctx_init(&c, 0);
        c.fail_at[0] = 53;
        c.fail_st[0] = ITP_ERANGE;
        c.fail_at[1] = 50;
        c.fail_st[1] = ITP_ENUMERIC;
        assert_int_equal(run(&c, 0, 100, t, 16), ITP_ENUMERIC);
        check_workspaces(&c, t, 100);
        assert_int_equal(c.calls, 3);
        assert_int_equal(c.n_log, 48);
        assert_int_equal(atomic_load(&c.replicates), 64); /* the whole chunk ran */
    }
}

static void test_failing_reduction(void **state)
{
    (void)state;
    static task_ctx c;
    ctx_init(&c, 10);
    c.fail_reduce_call = 3;
    assert_int_equal(run(&c, 10, 100, 2, 16), ITP_EIO);
    check_workspaces(&c, 2, 100);
    assert_int_equal(c.calls, 3);
    assert_int_equal(atomic_load(&c.replicates), 48);
}

static void test_failing_workspace(void **state)
{
    (void)state;
    static task_ctx c;
    ctx_init(&c, 0);
    c.fail_ws = 2;
    assert_int_equal(run(&c, 0, 100, 3, 16), ITP_ENOMEM);
    assert_int_equal(atomic_load(&c.ws_made), 1);
    assert_int_equal(atomic_load(&c.ws_freed), 1);
    assert_int_equal(atomic_load(&c.replicates), 0);
    assert_int_equal(c.calls, 0);
}

/* As the calibrator and the plots use it: each replicate writes its own
 * element of the caller's array; one chunk, no slots, no reduction. */
static void test_no_slots_no_reduction(void **state)
{
    (void)state;
    static task_ctx c;
    for (int t = 1; t <= 3; t++) {
        ctx_init(&c, 0);
        itp_engine_task task = {&c, 0, ws_create, ws_free, replicate, NULL};
        itp_engine_opts o = {.first = 0, .count = 500, .threads = t, .chunk = 500};
        assert_int_equal(itp_engine_run(&task, &o), ITP_OK);
        check_workspaces(&c, t, 500);
        for (long r = 0; r < 500; r++)
            assert_true(c.direct[r] == splitmix64((uint64_t)r));
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_replicate_order_whatever_the_threads),
        cmocka_unit_test(test_more_threads_than_replicates),
        cmocka_unit_test(test_stop_midway),
        cmocka_unit_test(test_lowest_failing_replicate),
        cmocka_unit_test(test_failing_reduction),
        cmocka_unit_test(test_failing_workspace),
        cmocka_unit_test(test_no_slots_no_reduction),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
