import AutogradKernels

// Binary cross-entropy, on logits and on probabilities, with PyTorch's
// formulas, which stay finite at any magnitude (log σ(x) = min(x, 0) −
// log1p(e^−|x|) never overflows; the probability form clamps its logs at
// −100), and PyTorch's backward formulas in PyTorch's order of operations, so
// that gradients round as PyTorch's do (its logits gradient σ(x) − t is 0
// for large x, where the exact −σ(−x) is not).

/// log σ(x) = min(x, 0) − log1p(e^−|x|).  dL/dx = dL/dy · σ(−x), as
/// PyTorch's log_sigmoid_backward: g (m − s z / (1 + z)), z = e^−|x|.
enum LogSigmoid: ElementwiseUnary {
    static let forwardKernels: (UnaryKernelF32, UnaryKernelF64) = (ag_log_sigmoid_forward_f32, ag_log_sigmoid_forward_f64)
    static let backwardKernels: (UnaryBackwardF32, UnaryBackwardF64) = (ag_log_sigmoid_backward_f32, ag_log_sigmoid_backward_f64)
    static let backwardReadsOutput = false
    static func gradient(_ x: Tensor, _ g: Tensor) throws -> Tensor { try g * (-x).sigmoid() }
}

/// A loss's elementwise values reduced as PyTorch's `reduction` code says.
private func reduce(_ loss: Tensor, _ reduction: Int) throws -> Tensor {
    switch Int32(reduction) {
    case AG_REDUCTION_NONE: loss
    case AG_REDUCTION_SUM: try loss.sum()
    default: try loss.mean()
    }
}

/// dL/d(loss element) for the reduction: g itself (none), or the scalar g
/// broadcast to `shape` (sum and mean; mean divides at the end, as PyTorch).
private func elementGradient(_ g: Tensor, _ shape: [Int], _ reduction: Int) throws -> Tensor {
    Int32(reduction) == AG_REDUCTION_NONE ? g : try g.expand(to: shape)
}

private func finishGradient(_ g: Tensor, _ weight: Tensor?, _ reduction: Int, count: Int) throws -> Tensor {
    var r = g
    if let weight { r = try r * weight }
    if Int32(reduction) == AG_REDUCTION_MEAN { r = try r / Double(count) }
    return r
}

/// BCE of logits x against targets t (PyTorch's
/// `binary_cross_entropy_with_logits`), with l = (p − 1) t + 1 for a
/// pos_weight p:
///   loss = w ((1 − t) x − l · log σ(x)), reduced
///   dL/dx = w · g ((p t + 1 − t) σ(x) − p t)     (σ(x) − t without p)
///   dL/dt = w · g (log σ(−x) − p log σ(x))      (−x without p)
/// (PyTorch's binary_cross_entropy_with_logits_backward and
/// _target_backward; weight and pos_weight get no gradient.)
enum BinaryCrossEntropyWithLogits: Function {
    static func forward(_ ctx: Context, _ args: Arguments) throws -> Tensor {
        let x = try args.tensor(0), t = try args.tensor(1)
        let w = try args.optionalTensor(2), p = try args.optionalTensor(3), reduction = try args.int(4)
        ctx.saveForBackward([x, t] + [w, p].compactMap { $0 })
        ctx.set("reduction", reduction)
        ctx.set("hasWeight", w != nil)
        ctx.set("hasPosWeight", p != nil)
        var logSig = try LogSigmoid.apply(x)
        if let p { logSig = try logSig * ((p - 1) * t + 1) }
        var loss = try (1 - t) * x - logSig
        if let w { loss = try loss * w }
        return try reduce(loss, reduction)
    }

    static func backward(_ ctx: Context, _ gradOutputs: [Tensor?]) throws -> [Tensor?] {
        guard let gOut = gradOutputs[0] else { return [nil, nil, nil, nil, nil] }
        let s = try ctx.savedTensors, need = ctx.needsInputGrad
        let (x, t) = (s[0], s[1])
        let reduction = try ctx.get("reduction", as: Int.self)
        // Saved: x, t, then the weight and the pos_weight that were given.
        let w = try ctx.get("hasWeight", as: Bool.self) ? s[2] : nil
        let p = try ctx.get("hasPosWeight", as: Bool.self) ? s[s.count - 1] : nil
        let g = try elementGradient(gOut, x.shape, reduction)
        var gx: Tensor? = nil, gt: Tensor? = nil
        if need[0] {
            let d: Tensor
            if let p {
                let pt = try p * t
                d = try (pt + 1 - t) * x.sigmoid() - pt
            } else {
                d = try x.sigmoid() - t
            }
            gx = try finishGradient(d * g, w, reduction, count: x.count)
        }
        if need[1] {
            let d = try p.map { try LogSigmoid.apply(-x) - LogSigmoid.apply(x) * $0 } ?? (-x)
            gt = try finishGradient(d * g, w, reduction, count: x.count)
        }
        return [gx, gt, nil, nil, nil]
    }
}

/// BCE of probabilities x ∈ [0, 1] against targets t (PyTorch's
/// `binary_cross_entropy`):
///   loss = w ((t − 1) · max(log1p(−x), −100) − t · max(log x, −100)), reduced
///   dL/dx = w · g (x − t) / max((1 − x) x, ε),  ε = 1e-12 as a float
///   dL/dt = w · g · (−logit x) = w · g (log1p(−x) − log x)
/// (PyTorch's binary_cross_entropy_backward and _target_backward, in their order.)
enum BinaryCrossEntropy: Function {
    /// PyTorch's EPSILON, a float 1e-12 (9.99999996e-13 in float64).
    static let epsilon = Double(Float(1e-12))

    static func forward(_ ctx: Context, _ args: Arguments) throws -> Tensor {
        let x = try args.tensor(0), t = try args.tensor(1), w = try args.optionalTensor(2), reduction = try args.int(3)
        ctx.saveForBackward([x, t] + [w].compactMap { $0 })
        ctx.set("reduction", reduction)
        let floor = x.scalarLike(-100)
        let loss = try (t - 1) * Tensor.maximum((-x).log1p(), floor) - t * Tensor.maximum(x.log(), floor)
        return try reduce(w.map { try loss * $0 } ?? loss, reduction)
    }

    static func backward(_ ctx: Context, _ gradOutputs: [Tensor?]) throws -> [Tensor?] {
        guard let gOut = gradOutputs[0] else { return [nil, nil, nil, nil] }
        let s = try ctx.savedTensors, need = ctx.needsInputGrad
        let (x, t) = (s[0], s[1])
        let reduction = try ctx.get("reduction", as: Int.self), w = s.count > 2 ? s[2] : nil
        let g = try elementGradient(gOut, x.shape, reduction)
        let gx: Tensor? = need[0]
            ? try finishGradient(g * (x - t) / Tensor.maximum((1 - x) * x, x.scalarLike(epsilon)), w, reduction, count: x.count)
            : nil
        let gt: Tensor? = need[1] ? try finishGradient(((-x).log1p() - x.log()) * g, w, reduction, count: x.count) : nil
        return [gx, gt, nil, nil]
    }
}

extension Tensor {
    /// log σ(x) = −log(1 + e^−x), as min(x, 0) − log1p(e^−|x|), finite for
    /// every x (PyTorch's `F.logsigmoid`). dL/dx = dL/dy · σ(−x).
    public func logSigmoid() throws -> Tensor { try LogSigmoid.apply(promotedToFloat()) }

    /// Binary cross-entropy of logits (this tensor) against targets of the
    /// same shape (PyTorch's `binary_cross_entropy_with_logits`):
    ///   loss = (1 − t) x − l · log σ(x),  l = (posWeight − 1) t + 1,
    /// times `weight`, then reduced. Stable at any magnitude of x.
    ///
    /// - Parameters:
    ///   - weight: a rescaling of each element's loss (broadcast to x's shape).
    ///   - posWeight: the weight of positive examples (broadcast, usually one per class).
    ///   - reduction: "mean" (default), "sum" or "none".
    public func binaryCrossEntropyWithLogits(_ target: Tensor, weight: Tensor? = nil, posWeight: Tensor? = nil,
                                             reduction: String = "mean") throws -> Tensor {
        let code = try reductionCode(reduction)
        try requireFloating("binary_cross_entropy_with_logits")
        guard target.shape == shape else {
            throw AutogradError.invalidArgument(
                "Target size (\(Shape.torchSize(target.shape))) must be the same as input size (\(Shape.torchSize(shape)))")
        }
        let w = try weight.map { try $0.to(dtype).expand(to: shape) }
        let p = try posWeight.map { try $0.to(dtype).expand(to: shape) }
        return try BinaryCrossEntropyWithLogits.apply(self, target.to(dtype), w, p, code)
    }

    /// Binary cross-entropy of probabilities (this tensor, in [0, 1])
    /// against targets of the same shape (PyTorch's `binary_cross_entropy`),
    /// its logs clamped at −100 as PyTorch's are.
    ///
    /// - Throws: PyTorch's "all elements of input should be between 0 and 1"
    ///   for an element outside [0, 1] (or NaN).
    public func binaryCrossEntropy(_ target: Tensor, weight: Tensor? = nil, reduction: String = "mean") throws -> Tensor {
        let code = try reductionCode(reduction)
        try requireFloating("binary_cross_entropy")
        guard target.shape == shape else {
            throw AutogradError.invalidArgument(
                "Using a target size (\(Shape.torchSize(target.shape))) that is different to the input size (\(Shape.torchSize(shape))) is deprecated. Please ensure they have the same size.")
        }
        let outside = try noGrad { try ge(0).logicalAnd(le(1)).logicalNot().sum().ints()[0] }
        guard outside == 0 else {
            throw AutogradError.invalidArgument("all elements of input should be between 0 and 1")
        }
        let w = try weight.map { try $0.to(dtype).expand(to: shape) }
        return try BinaryCrossEntropy.apply(self, target.to(dtype), w, code)
    }
}
