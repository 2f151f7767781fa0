#include "autograd_shims.h"

// initial-exec: a direct %fs-relative load instead of a __tls_get_addr call.
static _Thread_local ag_grad_mode ag_thread_grad_mode __attribute__((tls_model("initial-exec"))) = AG_GRAD_MODE_UNSET;

static bool ag_task_scopes_used = false;

ag_grad_mode ag_grad_mode_state(void) {
    ag_grad_mode mode = ag_thread_grad_mode;
    if (mode != AG_GRAD_MODE_UNSET) return mode;
    return __atomic_load_n(&ag_task_scopes_used, __ATOMIC_RELAXED) ? AG_GRAD_MODE_UNSET : AG_GRAD_MODE_ENABLED;
}

ag_grad_mode ag_grad_mode_set(ag_grad_mode mode) {
    ag_grad_mode previous = ag_thread_grad_mode;
    ag_thread_grad_mode = mode;
    return previous;
}

void ag_grad_mode_note_task_scope(void) {
    if (!__atomic_load_n(&ag_task_scopes_used, __ATOMIC_RELAXED)) __atomic_store_n(&ag_task_scopes_used, true, __ATOMIC_RELAXED);
}

#include <stdatomic.h>
static _Atomic uint64_t ag_pass_counter = 0;

uint64_t ag_next_pass_id(void) { return atomic_fetch_add_explicit(&ag_pass_counter, 1, memory_order_relaxed) + 1; }

int64_t ag_version_load(const int64_t *counter) {
    return __atomic_load_n(counter, __ATOMIC_RELAXED);
}

void ag_version_bump(int64_t *counter) { __atomic_fetch_add(counter, 1, __ATOMIC_RELAXED); }

#include <pthread.h>
#define AG_STRIPES 64
static pthread_mutex_t ag_stripes[3][AG_STRIPES] = {
    [0 ... 2] = {[0 ... AG_STRIPES - 1] = PTHREAD_MUTEX_INITIALIZER},
};

static pthread_mutex_t *ag_stripe(ag_stripe_table table, const void *object) {
    uintptr_t a = (uintptr_t)object;
    return &ag_stripes[table][((a >> 4) ^ (a >> 10)) & (AG_STRIPES - 1)];
}

void ag_stripe_lock(ag_stripe_table table, const void *object) { pthread_mutex_lock(ag_stripe(table, object)); }

void ag_stripe_unlock(ag_stripe_table table, const void *object) { pthread_mutex_unlock(ag_stripe(table, object)); }
