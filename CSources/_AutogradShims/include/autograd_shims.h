#ifndef AUTOGRAD_SHIMS_H
#define AUTOGRAD_SHIMS_H
// Per-thread engine state, and the atomics and mutexes that make shared
// tensors and graphs safe to use from several threads. Kept in C because a
// `_Thread_local` read is one instruction, where Swift's thread-local options
// cost a call and a lookup, and because these atomics act on fields of Swift
// objects (the `Synchronization` module's would need macOS 15).

#include <stdbool.h>

/// This thread's grad mode: set by a synchronous scope, or unset (then the
/// current task's mode applies: GradMode.swift).
typedef enum {
    AG_GRAD_MODE_UNSET = 0,
    AG_GRAD_MODE_ENABLED = 1,
    AG_GRAD_MODE_DISABLED = 2,
} ag_grad_mode;
/// The mode to use: this thread's when a scope set it; else ENABLED when no
/// public grad-mode scope has run in this process yet (then no task can hold
/// a task-local mode, and the lookup is skipped); else UNSET (look it up).
ag_grad_mode ag_grad_mode_state(void);
/// Sets this thread's grad mode and returns the previous one (as set, not as
/// `ag_grad_mode_state` reports it).
ag_grad_mode ag_grad_mode_set(ag_grad_mode mode);
/// Notes that a public scope runs (ag_grad_mode_state then looks up task modes).
void ag_grad_mode_note_task_scope(void);

#include <stdint.h>
/// A process-wide unique, nonzero id for one backward pass.
uint64_t ag_next_pass_id(void);

/// A storage's version counter, read and bumped atomically (relaxed), so that
/// threads sharing a storage never race on it (PyTorch's VersionCounter is an
/// atomic too). What the version guards, the elements, is the caller's to
/// synchronise: concurrent in-place writes to one storage are a data race.
int64_t ag_version_load(const int64_t *counter);
void ag_version_bump(int64_t *counter);


/// Striped mutexes: a fixed table per purpose, the mutex picked by an
/// object's address, so that shared state (a leaf's gradient, a node's saved
/// tensors, a view's regenerated node) is guarded without a lock per object.
/// A thread never holds two mutexes of one table at once.
typedef enum {
    AG_STRIPE_GRADIENT = 0,   ///< a tensor's `grad` during accumulation
    AG_STRIPE_NODE = 1,       ///< a node's saved tensors and which backward pass holds it
    AG_STRIPE_VIEW = 2,       ///< a view's node, regenerated after an in-place change
} ag_stripe_table;
void ag_stripe_lock(ag_stripe_table table, const void *object);
void ag_stripe_unlock(ag_stripe_table table, const void *object);

#endif
