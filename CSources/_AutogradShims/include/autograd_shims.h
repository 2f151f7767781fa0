#ifndef AUTOGRAD_SHIMS_H
#define AUTOGRAD_SHIMS_H
// Per-thread engine state. Kept in C because a `_Thread_local` read is one
// instruction, where Swift's thread-local options cost a call and a lookup.

#include <stdbool.h>

/// Whether operations on this thread record the graph (PyTorch's grad mode).
bool ag_grad_mode_enabled(void);
/// Sets this thread's grad mode and returns the previous value.
bool ag_grad_mode_set(bool enabled);

#include <stdint.h>
/// A process-wide unique, nonzero id for one backward pass.
uint64_t ag_next_pass_id(void);

#endif
