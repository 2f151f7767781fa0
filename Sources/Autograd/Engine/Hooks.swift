extension Tensor {
    /// Registers a hook on this tensor's gradient. It runs each time the
    /// gradient is computed and may return a replacement (or nil to keep it).
    /// On a leaf it runs before accumulation into `grad`; on a non-leaf,
    /// before the producing node's backward.
    ///
    /// The tensor keeps its hooks, so a hook that refers to the tensor
    /// itself must capture it weakly (`x.registerHook { [weak x] g in … }`):
    /// a strong capture is a reference cycle that is never freed (PyTorch's
    /// garbage collector frees it; Swift has none).
    ///
    /// With backward passes on several threads, a hook may run on any of
    /// them, and on several at once: it must be safe to call concurrently.
    public func registerHook(_ hook: @escaping GradientHook) {
        if let fn = gradFn {
            fn.ext.outputHooks[outputIndex, default: []].append(hook)
        } else {
            leafHooks.append(hook)
        }
    }
}

/// The node that marks results of a `onceDifferentiable` backward computed
/// while recording: differentiating through it throws PyTorch's error.
enum DelayedError: Function {
    typealias Output = [Tensor]
    static var _nodeName: String { "DelayedError" }

    /// Aliases of `results` whose node throws when differentiated. Unlike
    /// PyTorch, which wraps only when an incoming gradient requires grad, this
    /// wraps whenever the backward pass is recorded: the results depend on the
    /// node's inputs, which require grad, even when no gradient argument does.
    static func wrap(_ results: [Tensor?]) throws -> [Tensor?] {
        let present = results.compactMap { r -> Tensor? in
            guard let r, r.dtype.isFloatingPoint else { return nil }
            let leaf = r.detach()
            leaf.requiresGrad = true
            return leaf
        }
        let args = present.map(Argument.tensor) + [.int(present.count)]
        let wrapped = try apply(arguments: args)
        var k = 0
        return results.map { r in
            guard let r, r.dtype.isFloatingPoint else { return r }
            defer { k += 1 }
            return wrapped[k]
        }
    }

    static func forward(_ ctx: Context, _ args: Arguments) throws -> [Tensor] {
        let n = try args.int(args.count - 1)
        return try (0..<n).map { try args.tensor($0).alias() }
    }

    static func backward(_ ctx: Context, _ gradOutputs: [Tensor?]) throws -> [Tensor?] {
        throw AutogradError.onceDifferentiable
    }
}
