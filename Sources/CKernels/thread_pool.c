// A persistent worker pool with low dispatch latency.
//
// Decode issues a few hundred matmuls per token, each a few microseconds long, so handing work
// to a thread must cost well under a microsecond. Workers spin on a sequence word for a short
// while after each job, then sleep on a futex; posting a job bumps the word and wakes sleepers.
//
// Claiming work: `state` packs (generation << 32 | next index). A thread reads the job fields,
// then claims index i of generation g with a compare-and-swap from (g, i) to (g, i + 1). The
// swap succeeds only while job g still has unclaimed work, so the fields it read belong to g
// (the caller rewrites them only after every task of g has completed). A worker that wakes late
// finds the job exhausted and goes back to waiting: the caller never waits for a worker that
// has no task, only for tasks that were claimed. While the caller rewrites the fields, the state
// holds (g + 1, PK_CLOSED), so no swap against an older state can succeed in between.
#define _GNU_SOURCE
#include <pthread.h>
#include <sched.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <time.h>
#include "internal.h"

#if defined(__linux__)
#include <linux/futex.h>
#include <sys/syscall.h>
#include <unistd.h>
#include <limits.h>
#endif

#if PK_X86
#include <immintrin.h>
#define pk_cpu_relax() _mm_pause()
#elif defined(__aarch64__)
#define pk_cpu_relax() __asm__ __volatile__("yield")
#else
#define pk_cpu_relax() ((void)0)
#endif

/// How long an idle worker spins before sleeping. Long enough to bridge the gaps between the
/// matmuls of one token (norms, attention, sampling), short enough to hand the core back.
#define PK_SPIN_NS 200000

/// Index value of a generation whose fields are being written: no task is claimable.
#define PK_CLOSED 0xFFFFFFFFu

struct pk_pool {
    int threads;
    pthread_t *workers;
    _Atomic uint64_t state;        // generation << 32 | next task index
    _Atomic int64_t n;             // tasks in the current job
    _Atomic(pk_task_fn) fn;
    _Atomic(void *) ctx;
    _Atomic int64_t done;          // tasks of the current job that have finished
    _Atomic uint32_t seq;          // futex word: bumped on every job post and on shutdown
    _Atomic int sleepers;
    _Atomic int stop;
};

static int64_t now_ns(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec;
}

static void futex_wait(_Atomic uint32_t *word, uint32_t expected) {
#if defined(__linux__)
    syscall(SYS_futex, (uint32_t *)word, FUTEX_WAIT_PRIVATE, expected, NULL, NULL, 0);
#else
    (void)word; (void)expected;
    struct timespec ts = {0, 50000};
    nanosleep(&ts, NULL);
#endif
}

static void futex_wake_all(_Atomic uint32_t *word) {
#if defined(__linux__)
    syscall(SYS_futex, (uint32_t *)word, FUTEX_WAKE_PRIVATE, INT_MAX, NULL, NULL, 0);
#else
    (void)word;
#endif
}

/// Claims and runs tasks until the job whose fields this thread read has none left.
static void run_tasks(pk_pool *p) {
    for (;;) {
        uint64_t s = atomic_load(&p->state);
        const int64_t n = atomic_load(&p->n);
        const pk_task_fn fn = atomic_load(&p->fn);
        void *ctx = atomic_load(&p->ctx);
        const uint32_t idx = (uint32_t)s;
        if ((int64_t)idx >= n) return;
        if (!atomic_compare_exchange_weak(&p->state, &s, s + 1)) continue;
        fn(ctx, idx);
        atomic_fetch_add(&p->done, 1);
    }
}

/// Waits until a job is posted after `seen` (or the pool stops): spin first, then sleep.
static void wait_for_job(pk_pool *p, uint32_t seen) {
    const int64_t start = now_ns();
    for (int k = 1; atomic_load_explicit(&p->seq, memory_order_acquire) == seen; k++) {
        pk_cpu_relax();
        if ((k & 63) == 0 && now_ns() - start > PK_SPIN_NS) {
            atomic_fetch_add(&p->sleepers, 1);
            // `stop` is stored before `seq` is bumped, so a worker that started after the bump
            // (and so took the bumped value as `seen`) still sees it here.
            while (atomic_load(&p->seq) == seen && !atomic_load(&p->stop)) futex_wait(&p->seq, seen);
            atomic_fetch_sub(&p->sleepers, 1);
            return;
        }
        if (atomic_load_explicit(&p->stop, memory_order_relaxed)) return;
    }
}

static void *worker_main(void *arg) {
    pk_pool *p = arg;
    // Named so profilers, `top -H` and /proc show which threads compute (at most 15 characters).
    pthread_setname_np(pthread_self(), "ponder-compute");
    uint32_t seen = atomic_load(&p->seq);
    for (;;) {
        wait_for_job(p, seen);
        if (atomic_load(&p->stop)) return NULL;
        seen = atomic_load(&p->seq);
        run_tasks(p);
    }
}

pk_pool *pk_pool_create(int threads) {
    pk_pool *p = calloc(1, sizeof(pk_pool));
    if (!p) return NULL;
    p->threads = threads < 1 ? 1 : threads;
    p->workers = calloc((size_t)p->threads, sizeof(pthread_t));
    for (int i = 1; i < p->threads; i++) {
        if (pthread_create(&p->workers[i], NULL, worker_main, p) != 0) {
            p->threads = i;  // run with the workers that did start
            break;
        }
    }
    return p;
}

void pk_pool_destroy(pk_pool *p) {
    if (!p) return;
    atomic_store(&p->stop, 1);
    atomic_fetch_add(&p->seq, 1);
    futex_wake_all(&p->seq);
    for (int i = 1; i < p->threads; i++) pthread_join(p->workers[i], NULL);
    free(p->workers);
    free(p);
}

int pk_pool_threads(const pk_pool *p) { return p->threads; }

void pk_pool_run(pk_pool *p, int64_t n, pk_task_fn fn, void *ctx) {
    if (n <= 0) return;
    if (n >= PK_CLOSED) {  // indices are 32-bit: run oversized jobs in slices
        for (int64_t start = 0; start < n; start += PK_CLOSED - 1) {
            const int64_t count = n - start < PK_CLOSED - 1 ? n - start : PK_CLOSED - 1;
            for (int64_t i = 0; i < count; i++) fn(ctx, start + i);
        }
        return;
    }
    if (p->threads == 1 || n == 1) {
        for (int64_t i = 0; i < n; i++) fn(ctx, i);
        return;
    }
    // Close the previous generation before touching the fields: a worker that read the old
    // state (all claimed) together with the new, larger `n` would otherwise claim a phantom
    // index with a compare-and-swap that still matches the old state.
    const uint64_t gen = (atomic_load(&p->state) >> 32) + 1;
    atomic_store(&p->state, (gen << 32) | PK_CLOSED);
    atomic_store(&p->n, n);
    atomic_store(&p->fn, fn);
    atomic_store(&p->ctx, ctx);
    atomic_store(&p->done, 0);
    atomic_store(&p->state, gen << 32);
    atomic_fetch_add(&p->seq, 1);
    if (atomic_load(&p->sleepers) > 0) futex_wake_all(&p->seq);

    run_tasks(p);

    for (int k = 1; atomic_load(&p->done) < n; k++) {
        if (k < 4096) pk_cpu_relax();
        else sched_yield();  // a worker holding a task was descheduled: let it run
    }
}
