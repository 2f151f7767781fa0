#include "autograd_shims.h"

static _Thread_local bool ag_grad_disabled = false;  // zero-initialised: enabled

bool ag_grad_mode_enabled(void) { return !ag_grad_disabled; }

bool ag_grad_mode_set(bool enabled) {
    bool previous = !ag_grad_disabled;
    ag_grad_disabled = !enabled;
    return previous;
}
