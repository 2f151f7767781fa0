extension Tensor {
    /// Registers a hook on this tensor's gradient. It runs each time the
    /// gradient is computed and may return a replacement (or nil to keep it).
    /// On a leaf it runs before accumulation into `grad`; on a non-leaf,
    /// before the producing node's backward.
    public func registerHook(_ hook: @escaping GradientHook) {
        if let fn = gradFn {
            fn.outputHooks[outputIndex, default: []].append(hook)
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

    /// Aliases of `results` that depend on `inputs` through a node that throws.
    static func wrap(_ results: [Tensor?], after inputs: [Tensor?]) throws -> [Tensor?] {
        let present = results.compactMap { $0 }
        let tracked = inputs.compactMap { $0 }.filter(\.requiresGrad)
        let args = (present + tracked).map(Argument.tensor) + [.int(present.count)]
        let wrapped = try apply(arguments: args)
        var k = 0
        return results.map { r in
            guard r != nil else { return nil }
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
