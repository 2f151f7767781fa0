import _AutogradShims

/// Whether operations record the graph (PyTorch's grad mode).
///
/// The mode belongs to the thread and to the task: `withNoGrad` and
/// `withGrad` set it for the code they run, on the calling thread (where
/// synchronous code reads it as one thread-local load) and for the tasks
/// started inside (a child task, `async let`, a task group's tasks and
/// `Task {}` inherit it as task-local values are inherited; `Task.detached`
/// starts with recording on). Independent graphs can be built on several
/// threads or tasks at once.
public enum GradMode {
    /// The mode of the current task, for code that a synchronous scope on the
    /// current thread does not cover; nil outside every scope (recording).
    @TaskLocal static var taskMode: Bool?

    /// True when ops record history (the default).
    @inline(__always)
    public static var isEnabled: Bool {
        switch ag_grad_mode_state() {
        case AG_GRAD_MODE_ENABLED: return true
        case AG_GRAD_MODE_DISABLED: return false
        default: return taskMode ?? true
        }
    }

    /// Runs `body` with recording switched to `enabled` on this thread, then
    /// restores the previous mode (the library's own scopes: tasks started
    /// inside do not inherit it, which the public scopes arrange).
    @inline(__always)
    static func with<R>(enabled: Bool, _ body: () throws -> R) rethrows -> R {
        let previous = ag_grad_mode_set(enabled ? AG_GRAD_MODE_ENABLED : AG_GRAD_MODE_DISABLED)
        defer { ag_grad_mode_set(previous) }
        return try body()
    }

    /// Sets this thread's mode outside any scope (the C API's
    /// `autograd_set_grad_enabled`); returns the mode it replaces.
    @_spi(CInterop) public static func setForThread(_ enabled: Bool) -> Bool {
        let was = isEnabled
        ag_grad_mode_set(enabled ? AG_GRAD_MODE_ENABLED : AG_GRAD_MODE_DISABLED)
        return was
    }

    /// A public scope: this thread's mode and the task-local one.
    static func scope<R>(enabled: Bool, _ body: () throws -> R) rethrows -> R {
        ag_grad_mode_note_task_scope()
        return try $taskMode.withValue(enabled) { try with(enabled: enabled, body) }
    }

    /// An asynchronous public scope: the task-local mode only, since the
    /// body may resume on other threads. Synchronous code inside that is not
    /// in a scope of its own reads the task's mode.
    static func scope<R>(enabled: Bool, isolation: isolated (any Actor)? = #isolation,
                         _ body: () async throws -> R) async rethrows -> R {
        ag_grad_mode_note_task_scope()
        // The thread's own mode is unset here (no synchronous scope can be
        // around an await) and is left alone: the body may resume elsewhere.
        return try await $taskMode.withValue(enabled, operation: body, isolation: isolation)
    }
}

/// Runs `body` without recording the graph (PyTorch's `torch.no_grad()`):
/// ops compute values, record no node, and their results do not require
/// grad. Tasks started inside inherit the mode.
@discardableResult
public func withNoGrad<R>(_ body: () throws -> R) rethrows -> R {
    try GradMode.scope(enabled: false, body)
}

/// Runs `body` with recording on, even inside `withNoGrad` (PyTorch's `torch.enable_grad()`).
@discardableResult
public func withGrad<R>(_ body: () throws -> R) rethrows -> R {
    try GradMode.scope(enabled: true, body)
}

/// `withNoGrad` for asynchronous code: the body, and every task started in
/// it, runs without recording, on whatever threads it resumes.
@discardableResult
public func withNoGrad<R>(isolation: isolated (any Actor)? = #isolation,
                          _ body: () async throws -> R) async rethrows -> R {
    try await GradMode.scope(enabled: false, isolation: isolation, body)
}

/// `withGrad` for asynchronous code.
@discardableResult
public func withGrad<R>(isolation: isolated (any Actor)? = #isolation,
                        _ body: () async throws -> R) async rethrows -> R {
    try await GradMode.scope(enabled: true, isolation: isolation, body)
}

/// The library's own no-grad scope (this thread only, no task-local value).
@inline(__always)
@discardableResult
func noGrad<R>(_ body: () throws -> R) rethrows -> R {
    try GradMode.with(enabled: false, body)
}
