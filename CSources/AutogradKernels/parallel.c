#include "ag_parallel.h"
#include <pthread.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <unistd.h>

// A persistent pool: worker w runs chunk w + 1 of each job; the caller runs
// chunk 0 and then waits for the others. One job at a time: a caller that
// finds the pool busy runs its loop alone.

#define AG_MAX_THREADS 64

static struct {
    pthread_mutex_t lock;
    pthread_cond_t wake, done;
    atomic_flag busy;
    int threads;
    uint64_t generation;
    int pending;
    ag_range_fn fn;
    void *ctx;
    int64_t n;
} pool = { PTHREAD_MUTEX_INITIALIZER, PTHREAD_COND_INITIALIZER, PTHREAD_COND_INITIALIZER, ATOMIC_FLAG_INIT, 0, 0, 0, 0, 0, 0 };

static pthread_once_t pool_once = PTHREAD_ONCE_INIT;

static void chunk(int64_t n, int parts, int k, int64_t *b, int64_t *e) {
    int64_t size = (n + parts - 1) / parts;
    size = (size + 15) & ~(int64_t)15;  // keep chunks vector- and cache-line friendly
    *b = (int64_t)k * size; if (*b > n) *b = n;
    *e = *b + size; if (*e > n) *e = n;
}

static void *worker(void *arg) {
    int index = (int)(intptr_t)arg;
    uint64_t seen = 0;
    pthread_mutex_lock(&pool.lock);
    for (;;) {
        while (pool.generation == seen) pthread_cond_wait(&pool.wake, &pool.lock);
        seen = pool.generation;
        ag_range_fn fn = pool.fn; void *ctx = pool.ctx; int64_t n = pool.n; int parts = pool.threads;
        pthread_mutex_unlock(&pool.lock);
        int64_t b, e;
        chunk(n, parts, index, &b, &e);
        if (b < e) fn(ctx, b, e);
        pthread_mutex_lock(&pool.lock);
        if (--pool.pending == 0) pthread_cond_signal(&pool.done);
    }
    return NULL;
}

static void pool_start(void) {
    long cores = sysconf(_SC_NPROCESSORS_ONLN);
    const char *env = getenv("AUTOGRAD_NUM_THREADS");
    if (env && atoi(env) > 0) cores = atoi(env);
    if (cores < 1) cores = 1;
    if (cores > AG_MAX_THREADS) cores = AG_MAX_THREADS;
    int started = 1;
    for (int i = 1; i < cores; i++) {
        pthread_t t;
        pthread_attr_t attr;
        pthread_attr_init(&attr);
        pthread_attr_setdetachstate(&attr, PTHREAD_CREATE_DETACHED);
        if (pthread_create(&t, &attr, worker, (void *)(intptr_t)i) == 0) started++;
        pthread_attr_destroy(&attr);
        if (started != i + 1) break;
    }
    pool.threads = started;
}

int ag_num_threads(void) {
    pthread_once(&pool_once, pool_start);
    return pool.threads;
}

void ag_parallel_for(int64_t n, int64_t grain, ag_range_fn fn, void *ctx) {
    if (n <= 0) return;
    if (n < grain || ag_num_threads() < 2 || atomic_flag_test_and_set(&pool.busy)) {
        fn(ctx, 0, n);
        return;
    }
    pthread_mutex_lock(&pool.lock);
    pool.fn = fn; pool.ctx = ctx; pool.n = n;
    pool.pending = pool.threads - 1;
    pool.generation++;
    pthread_cond_broadcast(&pool.wake);
    pthread_mutex_unlock(&pool.lock);
    int64_t b, e;
    chunk(n, pool.threads, 0, &b, &e);
    if (b < e) fn(ctx, b, e);
    pthread_mutex_lock(&pool.lock);
    while (pool.pending > 0) pthread_cond_wait(&pool.done, &pool.lock);
    pthread_mutex_unlock(&pool.lock);
    atomic_flag_clear(&pool.busy);
}
