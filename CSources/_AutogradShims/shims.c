#include "autograd_shims.h"

// initial-exec: a direct %fs-relative load instead of a __tls_get_addr call.
static _Thread_local bool ag_grad_disabled __attribute__((tls_model("initial-exec"))) = false;

bool ag_grad_mode_enabled(void) { return !ag_grad_disabled; }

bool ag_grad_mode_set(bool enabled) {
    bool previous = !ag_grad_disabled;
    ag_grad_disabled = !enabled;
    return previous;
}

#include <stdatomic.h>
static _Atomic uint64_t ag_pass_counter = 0;

uint64_t ag_next_pass_id(void) { return atomic_fetch_add_explicit(&ag_pass_counter, 1, memory_order_relaxed) + 1; }
