import AutogradKernels

// Losses: mean squared error, cross-entropy and negative log-likelihood, each
// a fused C forward and backward. `reduction` is "mean" (the default), "sum"
// or "none" (one loss per element or row). When the backward pass is recorded
// (createGraph) the same formulas are written with library ops.

/// The C kernels' reduction code for PyTorch's `reduction` string.
func reductionCode(_ reduction: String) throws -> Int {
    switch reduction {
    case "none": return Int(AG_REDUCTION_NONE)
    case "mean": return Int(AG_REDUCTION_MEAN)
    case "sum": return Int(AG_REDUCTION_SUM)
    default: throw AutogradError.invalidArgument("\(reduction) is not a valid value for reduction")
    }
}

/// mse = (x − t)², reduced.  With w = dL/dy (none), dL/dy (sum) or dL/dy / n (mean):
///   dL/dx = 2 (x − t) w,   dL/dt = −2 (x − t) w
enum MSELoss: Function {
    static var _nodeName: String { "MseLossBackward" }

    static func forward(_ ctx: Context, _ args: Arguments) throws -> Tensor {
        let x = try args.tensor(0), t = try args.tensor(1), reduction = try args.int(2)
        ctx.saveForBackward(x, t)
        ctx.set("reduction", reduction)
        let out = try Tensor(uninitializedShape: reduction == Int(AG_REDUCTION_NONE) ? x.shape : [], dtype: x.dtype)
        let n = Int64(x.count), r = Int32(reduction)
        if x.dtype == .float32 {
            ag_mse_loss_forward_f32(x.pointer(Float.self), t.pointer(Float.self), out.pointer(Float.self), n, r)
        } else {
            ag_mse_loss_forward_f64(x.pointer(Double.self), t.pointer(Double.self), out.pointer(Double.self), n, r)
        }
        return out
    }

    static func backward(_ ctx: Context, _ gradOutputs: [Tensor?]) throws -> [Tensor?] {
        let s = try ctx.savedTensors
        let (x, t) = (s[0], s[1])
        let reduction = try ctx.get("reduction", as: Int.self)
        let g = gradOutputs[0]!
        let need = ctx.needsInputGrad
        if GradMode.isEnabled {
            let w = reduction == Int(AG_REDUCTION_MEAN) ? try g / Double(x.count) : g
            let gx = try (x - t) * 2 * w
            return [need[0] ? gx : nil, need[1] ? try -gx : nil, nil]
        }
        let gx: Tensor? = need[0] ? try Tensor.empty(like: x) : nil
        let gt: Tensor? = need[1] ? try Tensor.empty(like: x) : nil
        let n = Int64(x.count), r = Int32(reduction)
        if x.dtype == .float32 {
            ag_mse_loss_backward_f32(x.pointer(Float.self), t.pointer(Float.self), g.pointer(Float.self),
                                     gx?.pointer(Float.self), gt?.pointer(Float.self), n, r)
        } else {
            ag_mse_loss_backward_f64(x.pointer(Double.self), t.pointer(Double.self), g.pointer(Double.self),
                                     gx?.pointer(Double.self), gt?.pointer(Double.self), n, r)
        }
        return [gx, gt, nil]
    }
}

/// Cross-entropy of logits x [N, C] with class indices t [N]:
/// lossᵢ = log Σⱼ e^{xᵢⱼ} − xᵢ,ₜᵢ, one fused pass (log-softmax and NLL together).
/// With p = softmax(x) along C and wᵢ = dL/dyᵢ (none), dL/dy (sum) or
/// dL/dy / (rows counted) (mean), 0 for rows whose target is `ignoreIndex`:
///   dL/dxᵢⱼ = wᵢ (pᵢⱼ − [j = tᵢ])
enum CrossEntropy: Function {
    static var _nodeName: String { "CrossEntropyLossBackward" }

    static func forward(_ ctx: Context, _ args: Arguments) throws -> Tensor {
        let x = try args.tensor(0), t = try args.tensor(1)
        let reduction = try args.int(2), ignore = try args.int(3)
        let (n, c) = (x.shape[0], x.shape[1])
        let out = try Tensor(uninitializedShape: reduction == Int(AG_REDUCTION_NONE) ? [n] : [], dtype: x.dtype)
        let lse = try Tensor(uninitializedShape: [n], dtype: x.dtype)
        let tp = t.pointer(Int64.self), r = Int32(reduction)
        let bad = x.dtype == .float32
            ? ag_cross_entropy_forward_f32(x.pointer(Float.self), tp, Int64(n), Int64(c), Int64(ignore), r,
                                           out.pointer(Float.self), lse.pointer(Float.self))
            : ag_cross_entropy_forward_f64(x.pointer(Double.self), tp, Int64(n), Int64(c), Int64(ignore), r,
                                           out.pointer(Double.self), lse.pointer(Double.self))
        if bad >= 0 { throw AutogradError.invalidArgument("Target \(tp[Int(bad)]) is out of bounds.") }
        ctx.saveForBackward(x, t, lse)
        ctx.set("reduction", reduction)
        ctx.set("ignoreIndex", ignore)
        return out
    }

    static func backward(_ ctx: Context, _ gradOutputs: [Tensor?]) throws -> [Tensor?] {
        let s = try ctx.savedTensors
        let (x, t, lse) = (s[0], s[1], s[2])
        let reduction = try ctx.get("reduction", as: Int.self), ignore = try ctx.get("ignoreIndex", as: Int.self)
        let g = gradOutputs[0]!
        guard ctx.needsInputGrad[0] else { return [nil, nil, nil, nil] }
        if GradMode.isEnabled {
            let (oneHot, w) = try classGradient(t, g, x.shape[1], x.dtype, reduction, ignore)
            return [try (x.softmax(dim: 1) - oneHot) * w, nil, nil, nil]
        }
        let (n, c) = (Int64(x.shape[0]), Int64(x.shape[1]))
        let gx = try Tensor.empty(like: x)
        let tp = t.pointer(Int64.self), r = Int32(reduction)
        if x.dtype == .float32 {
            ag_cross_entropy_backward_f32(x.pointer(Float.self), tp, lse.pointer(Float.self), g.pointer(Float.self),
                                          n, c, Int64(ignore), r, gx.pointer(Float.self))
        } else {
            ag_cross_entropy_backward_f64(x.pointer(Double.self), tp, lse.pointer(Double.self), g.pointer(Double.self),
                                          n, c, Int64(ignore), r, gx.pointer(Double.self))
        }
        return [gx, nil, nil, nil]
    }

    /// For the recorded backward of cross-entropy and NLL: the one-hot rows of
    /// the targets [N, C] (zero rows where ignored), and the row weights
    /// w [N, 1] built from dL/dy with library ops (so w is differentiable in it).
    static func classGradient(_ t: Tensor, _ g: Tensor, _ c: Int, _ dtype: DType, _ reduction: Int,
                              _ ignore: Int) throws -> (oneHot: Tensor, w: Tensor) {
        let n = t.count
        let oneHot = try Tensor.filled([n, c], 0, dtype: .float64), counted = try Tensor.filled([n, 1], 0, dtype: .float64)
        let tp = t.pointer(Int64.self), hp = oneHot.pointer(Double.self), cp = counted.pointer(Double.self)
        var rows = 0
        for i in 0..<n where Int(tp[i]) != ignore {
            hp[i * c + Int(tp[i])] = 1
            cp[i] = 1
            rows += 1
        }
        var scale = try counted.to(dtype)
        if reduction == Int(AG_REDUCTION_MEAN) { scale = try scale / Double(rows) }
        let w = reduction == Int(AG_REDUCTION_NONE) ? try g.reshape([n, 1]) * scale : try g * scale
        return (try oneHot.to(dtype), w)
    }
}

/// Negative log-likelihood of log-probabilities x [N, C] with class indices
/// t [N]: lossᵢ = −xᵢ,ₜᵢ. With wᵢ as for cross-entropy:
///   dL/dxᵢⱼ = −wᵢ [j = tᵢ]
enum NLLLoss: Function {
    static var _nodeName: String { "NllLossBackward" }

    static func forward(_ ctx: Context, _ args: Arguments) throws -> Tensor {
        let x = try args.tensor(0), t = try args.tensor(1)
        let reduction = try args.int(2), ignore = try args.int(3)
        let (n, c) = (x.shape[0], x.shape[1])
        let out = try Tensor(uninitializedShape: reduction == Int(AG_REDUCTION_NONE) ? [n] : [], dtype: x.dtype)
        let tp = t.pointer(Int64.self), r = Int32(reduction)
        let bad = x.dtype == .float32
            ? ag_nll_loss_forward_f32(x.pointer(Float.self), tp, Int64(n), Int64(c), Int64(ignore), r, out.pointer(Float.self))
            : ag_nll_loss_forward_f64(x.pointer(Double.self), tp, Int64(n), Int64(c), Int64(ignore), r, out.pointer(Double.self))
        if bad >= 0 { throw AutogradError.invalidArgument("Target \(tp[Int(bad)]) is out of bounds.") }
        ctx.saveForBackward(t)
        ctx.set("reduction", reduction)
        ctx.set("ignoreIndex", ignore)
        return out
    }

    static func backward(_ ctx: Context, _ gradOutputs: [Tensor?]) throws -> [Tensor?] {
        let t = try ctx.savedTensors[0]
        let reduction = try ctx.get("reduction", as: Int.self), ignore = try ctx.get("ignoreIndex", as: Int.self)
        let shape = ctx.inputs[0].shape!, dtype = ctx.inputs[0].dtype
        let g = gradOutputs[0]!
        guard ctx.needsInputGrad[0] else { return [nil, nil, nil, nil] }
        if GradMode.isEnabled {
            let (oneHot, w) = try CrossEntropy.classGradient(t, g, shape[1], dtype, reduction, ignore)
            return [try -(oneHot * w), nil, nil, nil]
        }
        let gx = try Tensor(uninitializedShape: shape, dtype: dtype)
        let (n, c) = (Int64(shape[0]), Int64(shape[1]))
        let tp = t.pointer(Int64.self), r = Int32(reduction)
        let gy = g.dtype == dtype ? g : try g.to(dtype)
        if dtype == .float32 {
            ag_nll_loss_backward_f32(tp, gy.pointer(Float.self), n, c, Int64(ignore), r, gx.pointer(Float.self))
        } else {
            ag_nll_loss_backward_f64(tp, gy.pointer(Double.self), n, c, Int64(ignore), r, gx.pointer(Double.self))
        }
        return [gx, nil, nil, nil]
    }
}

extension Tensor {
    /// Mean squared error between this tensor and `target` (PyTorch's
    /// `mse_loss`); the two broadcast against each other.
    ///
    /// - Parameter reduction: "mean" (default), "sum" or "none".
    public func mseLoss(_ target: Tensor, reduction: String = "mean") throws -> Tensor {
        let code = try reductionCode(reduction)
        var (x, t) = try Tensor.promoted(self, target)
        if x.shape != t.shape {
            guard let shape = Shape.broadcast(x.shape, t.shape) else {
                throw Shape.broadcastError("mse_loss", x.shape, t.shape)
            }
            (x, t) = (try x.expand(to: shape), try t.expand(to: shape))
        }
        return try MSELoss.apply(x, t, code)
    }

    /// Cross-entropy between logits [N, C] (or [C]) and class indices [N]
    /// (or a scalar), int64 (PyTorch's `cross_entropy`): log-softmax and NLL
    /// fused in one pass. Rows whose target is `ignoreIndex` add nothing.
    ///
    /// - Throws: PyTorch's "Target 5 is out of bounds." for a class index
    ///   outside [0, C); for mismatched batch sizes or a non-int64 target.
    public func crossEntropy(_ target: Tensor, reduction: String = "mean", ignoreIndex: Int = -100) throws -> Tensor {
        let code = try reductionCode(reduction)
        let (x, t) = try classInputs(target, "cross_entropy")
        let y = try CrossEntropy.apply(x, t, code, ignoreIndex)
        return rank == 1 && code == Int(AG_REDUCTION_NONE) ? try y.reshape([]) : y
    }

    /// Negative log-likelihood of log-probabilities [N, C] (or [C]) at class
    /// indices [N] (or a scalar), int64 (PyTorch's `nll_loss`).
    ///
    /// - Throws: PyTorch's "Target 5 is out of bounds." for a class index
    ///   outside [0, C); for mismatched batch sizes or a non-int64 target.
    public func nllLoss(_ target: Tensor, reduction: String = "mean", ignoreIndex: Int = -100) throws -> Tensor {
        let code = try reductionCode(reduction)
        let (x, t) = try classInputs(target, "nll_loss")
        let y = try NLLLoss.apply(x, t, code, ignoreIndex)
        return rank == 1 && code == Int(AG_REDUCTION_NONE) ? try y.reshape([]) : y
    }

    /// Checks a classification loss's inputs and brings them to [N, C] and [N].
    private func classInputs(_ target: Tensor, _ op: String) throws -> (Tensor, Tensor) {
        try requireFloating(op)
        guard target.dtype == .int64 else {
            throw AutogradError.invalidArgument("\(op): expected target dtype to be int64 (Long), but got \(target.dtype)")
        }
        guard rank == 1 || rank == 2 else {
            throw AutogradError.invalidArgument("\(op): expected input of shape [N, C] or [C], got \(Shape.list(shape))")
        }
        let batch = rank == 2 ? shape[0] : 1
        let targetBatch = target.rank == 0 ? 1 : target.shape[0]
        guard target.rank == rank - 1, targetBatch == batch else {
            if target.rank == rank - 1 || (rank == 2 && target.rank >= 1) {
                throw AutogradError.invalidArgument("Expected input batch_size (\(batch)) to match target batch_size (\(targetBatch)).")
            }
            throw AutogradError.invalidArgument(
                "\(op): expected target of shape \(Shape.list(Array(shape.dropLast()))) for input \(Shape.list(shape)), got \(Shape.list(target.shape))")
        }
        if rank == 2 { return (self, target) }
        return (try reshape([1, shape[0]]), try target.alias(shape: [1]))
    }
}
