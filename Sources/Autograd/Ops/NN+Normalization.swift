import AutogradKernels

// Layer normalisation and dropout, each a fused C forward and backward.

/// Layer normalisation over the trailing dimensions (`normalizedShape`), N
/// elements per row: x̂ = (x − μ) / √(σ² + eps) with the row's mean μ and
/// biased variance σ², y = x̂ ⊙ w + b. With h = dL/dy ⊙ w and means over the
/// row:
///   dL/dx = (h − mean(h) − x̂ ⊙ mean(h ⊙ x̂)) / √(σ² + eps)
///   dL/dw = Σ_rows dL/dy ⊙ x̂,   dL/db = Σ_rows dL/dy
enum LayerNorm: Function {
    static var _nodeName: String { "NativeLayerNormBackward" }

    static func forward(_ ctx: Context, _ args: Arguments) throws -> Tensor {
        let x = try args.tensor(0), w = try args.optionalTensor(1), b = try args.optionalTensor(2)
        let normalized = try args.ints(3), eps = try args.double(4)
        let n = Shape.count(normalized), m = n == 0 ? 0 : x.count / n
        let y = try Tensor.empty(like: x)
        let mean = try Tensor(uninitializedShape: [m], dtype: x.dtype), rstd = try Tensor(uninitializedShape: [m], dtype: x.dtype)
        if x.dtype == .float32 {
            ag_layer_norm_forward_f32(x.pointer(Float.self), w?.pointer(Float.self), b?.pointer(Float.self), eps,
                                      Int64(m), Int64(n), y.pointer(Float.self), mean.pointer(Float.self), rstd.pointer(Float.self))
        } else {
            ag_layer_norm_forward_f64(x.pointer(Double.self), w?.pointer(Double.self), b?.pointer(Double.self), eps,
                                      Int64(m), Int64(n), y.pointer(Double.self), mean.pointer(Double.self), rstd.pointer(Double.self))
        }
        ctx.saveForBackward([x, mean, rstd] + (w.map { [$0] } ?? []))
        ctx.set("normalizedShape", normalized)
        ctx.set("eps", eps)
        return y
    }

    static func backward(_ ctx: Context, _ gradOutputs: [Tensor?]) throws -> [Tensor?] {
        let s = try ctx.savedTensors
        let (x, mean, rstd) = (s[0], s[1], s[2])
        let w: Tensor? = s.count > 3 ? s[3] : nil
        let normalized = try ctx.get("normalizedShape", as: [Int].self), eps = try ctx.get("eps", as: Double.self)
        let g = gradOutputs[0]!
        let need = ctx.needsInputGrad
        if GradMode.isEnabled {
            return try recordedBackward(x, w, g, normalized, eps, need)
        }
        let n = Shape.count(normalized), m = n == 0 ? 0 : x.count / n
        let gx: Tensor? = need[0] ? try Tensor.empty(like: x) : nil
        let gw: Tensor? = need[1] ? try Tensor(uninitializedShape: normalized, dtype: x.dtype) : nil
        let gb: Tensor? = need[2] ? try Tensor(uninitializedShape: normalized, dtype: x.dtype) : nil
        if x.dtype == .float32 {
            ag_layer_norm_backward_f32(x.pointer(Float.self), w?.pointer(Float.self), mean.pointer(Float.self),
                                       rstd.pointer(Float.self), g.pointer(Float.self), Int64(m), Int64(n),
                                       gx?.pointer(Float.self), gw?.pointer(Float.self), gb?.pointer(Float.self))
        } else {
            ag_layer_norm_backward_f64(x.pointer(Double.self), w?.pointer(Double.self), mean.pointer(Double.self),
                                       rstd.pointer(Double.self), g.pointer(Double.self), Int64(m), Int64(n),
                                       gx?.pointer(Double.self), gw?.pointer(Double.self), gb?.pointer(Double.self))
        }
        return [gx, gw, gb, nil, nil]
    }

    /// The same gradients with library ops, recomputing μ and σ from x so that
    /// their dependence on x is differentiated too.
    private static func recordedBackward(_ x: Tensor, _ w: Tensor?, _ g: Tensor, _ normalized: [Int],
                                         _ eps: Double, _ need: [Bool]) throws -> [Tensor?] {
        let dims = Array((x.rank - normalized.count)..<x.rank)
        let count = Double(Shape.count(normalized))
        let xc = try x - x.sum(dims: dims, keepDim: true) / count
        let rstd = try ((xc * xc).sum(dims: dims, keepDim: true) / count + eps).pow(-0.5)
        let xhat = try xc * rstd
        var gx: Tensor? = nil
        if need[0] {
            let h = try w.map { try g * $0 } ?? g
            let meanH = try h.sum(dims: dims, keepDim: true) / count
            let meanHX = try (h * xhat).sum(dims: dims, keepDim: true) / count
            gx = try rstd * (h - meanH - xhat * meanHX)
        }
        let gw: Tensor? = need[1] ? try (g * xhat).sumTo(normalized) : nil
        let gb: Tensor? = need[2] ? try g.sumTo(normalized) : nil
        return [gx, gw, gb, nil, nil]
    }
}

/// Dropout: y = x ⊙ m with m = [u ≥ p] / (1 − p) for uniform samples u.
///   dL/dx = dL/dy ⊙ m
enum Dropout: Function {
    static var _nodeName: String { "NativeDropoutBackward" }

    static func forward(_ ctx: Context, _ args: Arguments) throws -> Tensor {
        let x = try args.tensor(0), u = try args.tensor(1), p = try args.double(2)
        let mask = try Tensor.empty(like: x), y = try Tensor.empty(like: x)
        if x.dtype == .float32 {
            ag_dropout_forward_f32(x.pointer(Float.self), u.pointer(Float.self), p, mask.pointer(Float.self),
                                   y.pointer(Float.self), Int64(x.count))
        } else {
            ag_dropout_forward_f64(x.pointer(Double.self), u.pointer(Double.self), p, mask.pointer(Double.self),
                                   y.pointer(Double.self), Int64(x.count))
        }
        ctx.saveForBackward(mask)
        return y
    }

    static func backward(_ ctx: Context, _ gradOutputs: [Tensor?]) throws -> [Tensor?] {
        let mask = try ctx.savedTensors[0]
        let g = gradOutputs[0]!
        if GradMode.isEnabled { return [try g * mask, nil, nil] }
        let gx = try Tensor.empty(like: mask)
        if mask.dtype == .float32 {
            ag_dropout_backward_f32(mask.pointer(Float.self), g.pointer(Float.self), gx.pointer(Float.self), Int64(gx.count))
        } else {
            ag_dropout_backward_f64(mask.pointer(Double.self), g.pointer(Double.self), gx.pointer(Double.self), Int64(gx.count))
        }
        return [gx, nil, nil]
    }
}

/// The generator dropout draws from when none is given (seed 0).
let defaultDropoutGenerator = Generator(seed: 0)

extension Tensor {
    /// Layer normalisation over the trailing `normalizedShape` dimensions
    /// (PyTorch's `layer_norm`), with optional elementwise `weight` and `bias`
    /// of shape `normalizedShape`.
    ///
    /// - Throws: PyTorch's "Given normalized_shape=[5], expected input with
    ///   shape [*, 5], but got input of size[3, 4]", or its message for a
    ///   weight or bias of the wrong shape.
    public func layerNorm(normalizedShape: [Int], weight: Tensor? = nil, bias: Tensor? = nil,
                          eps: Double = 1e-5) throws -> Tensor {
        try requireFloating("layer_norm")
        let k = normalizedShape.count
        guard k >= 1, k <= rank, Array(shape.suffix(k)) == normalizedShape else {
            let expected = "[*, " + normalizedShape.map(String.init).joined(separator: ", ") + "]"
            throw AutogradError.invalidArgument(
                "Given normalized_shape=\(Shape.list(normalizedShape)), expected input with shape \(expected), but got input of size\(Shape.list(shape))")
        }
        func checked(_ t: Tensor?, _ name: String) throws -> Tensor? {
            guard let t else { return nil }
            guard t.shape == normalizedShape else {
                throw AutogradError.invalidArgument(
                    "Expected \(name) to be of same shape as normalized_shape, but got \(name) of shape \(Shape.list(t.shape)) and normalized_shape = \(Shape.list(normalizedShape))")
            }
            return t.dtype == dtype ? t : try t.to(dtype)
        }
        let w = try checked(weight, "weight"), b = try checked(bias, "bias")
        return try LayerNorm.apply(self, w, b, normalizedShape, eps)
    }

    /// Dropout (PyTorch's `dropout`): while `training`, zeroes each element
    /// with probability `p` and scales the rest by 1 / (1 − p); otherwise (or
    /// for p = 0) returns this tensor itself. The mask comes from `generator`
    /// (`Tensor.rand`), so a seeded generator repeats it.
    ///
    /// - Throws: PyTorch's "dropout probability has to be between 0 and 1,
    ///   but got 1.5" for p outside [0, 1].
    public func dropout(p: Double = 0.5, training: Bool = true, generator: Generator? = nil) throws -> Tensor {
        guard p >= 0 && p <= 1 else {
            throw AutogradError.invalidArgument("dropout probability has to be between 0 and 1, but got \(p)")
        }
        try requireFloating("dropout")
        if !training || p == 0 { return self }
        let u = try Tensor.rand(shape, dtype: dtype, generator: generator ?? defaultDropoutGenerator)
        return try Dropout.apply(self, u, p)
    }
}
