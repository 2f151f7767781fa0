import _AutogradShims

/// Whether operations on the current thread record the graph. Each thread has
/// its own mode (PyTorch's grad mode), so independent graphs can be built on
/// several threads at once.
public enum GradMode {
    /// True when ops record history (the default).
    @inline(__always)
    public static var isEnabled: Bool { ag_grad_mode_enabled() }

    /// Runs `body` with recording switched to `enabled`, then restores the previous mode.
    @inline(__always)
    public static func with<R>(enabled: Bool, _ body: () throws -> R) rethrows -> R {
        let previous = ag_grad_mode_set(enabled)
        defer { ag_grad_mode_set(previous) }
        return try body()
    }
}

/// Runs `body` without recording the graph (PyTorch's `torch.no_grad()`):
/// ops compute values, record no node, and their results do not require grad.
@inline(__always)
@discardableResult
public func withNoGrad<R>(_ body: () throws -> R) rethrows -> R {
    try GradMode.with(enabled: false, body)
}

/// Runs `body` with recording on, even inside `withNoGrad` (PyTorch's `torch.enable_grad()`).
@inline(__always)
@discardableResult
public func withGrad<R>(_ body: () throws -> R) rethrows -> R {
    try GradMode.with(enabled: true, body)
}
