import AutogradKernels

// Softmax and log-softmax along one dimension, each a fused C forward and
// backward. When the backward pass is recorded (createGraph) the same formula
// is written with library ops on the saved output, so double backward works.

/// softmax(x)ᵢ = e^{xᵢ} / Σⱼ e^{xⱼ} along `dim` (computed from x − max, so
/// large inputs do not overflow).
///   dL/dx = y ⊙ (dL/dy − Σ_dim(dL/dy ⊙ y))
enum Softmax: Function {
    static func forward(_ ctx: Context, _ args: Arguments) throws -> Tensor {
        let x = try args.tensor(0), dim = try args.int(1)
        let y = try x.alongDim(dim, ag_softmax_forward_f32, ag_softmax_forward_f64)
        ctx.saveForBackward(y)
        ctx.set("dim", dim)
        return y
    }
    static func backward(_ ctx: Context, _ gradOutputs: [Tensor?]) throws -> [Tensor?] {
        let y = try ctx.savedTensors[0], dim = try ctx.get("dim", as: Int.self)
        let g = gradOutputs[0]!
        if GradMode.isEnabled {
            return [try y * (g - (g * y).sum(dim: dim, keepDim: true)), nil]
        }
        return [try y.alongDimBackward(g, dim, ag_softmax_backward_f32, ag_softmax_backward_f64), nil]
    }
}

/// log_softmax(x)ᵢ = xᵢ − log Σⱼ e^{xⱼ} along `dim` (numerically stable).
///   dL/dx = dL/dy − softmax(x) · Σ_dim dL/dy,  with softmax(x) = e^y
enum LogSoftmax: Function {
    static func forward(_ ctx: Context, _ args: Arguments) throws -> Tensor {
        let x = try args.tensor(0), dim = try args.int(1)
        let y = try x.alongDim(dim, ag_log_softmax_forward_f32, ag_log_softmax_forward_f64)
        ctx.saveForBackward(y)
        ctx.set("dim", dim)
        return y
    }
    static func backward(_ ctx: Context, _ gradOutputs: [Tensor?]) throws -> [Tensor?] {
        let y = try ctx.savedTensors[0], dim = try ctx.get("dim", as: Int.self)
        let g = gradOutputs[0]!
        if GradMode.isEnabled {
            return [try g - y.exp() * g.sum(dim: dim, keepDim: true), nil]
        }
        return [try y.alongDimBackward(g, dim, ag_log_softmax_backward_f32, ag_log_softmax_backward_f64), nil]
    }
}

/// `void k(const T *x, T *y, int64_t outer, int64_t n, int64_t inner)`.
typealias LaneKernelF32 = @convention(c) (UnsafePointer<Float>?, UnsafeMutablePointer<Float>?, Int64, Int64, Int64) -> Void
typealias LaneKernelF64 = @convention(c) (UnsafePointer<Double>?, UnsafeMutablePointer<Double>?, Int64, Int64, Int64) -> Void
/// `void k(const T *y, const T *gy, T *gx, int64_t outer, int64_t n, int64_t inner)`.
typealias LaneBackwardF32 = @convention(c) (UnsafePointer<Float>?, UnsafePointer<Float>?, UnsafeMutablePointer<Float>?, Int64, Int64, Int64) -> Void
typealias LaneBackwardF64 = @convention(c) (UnsafePointer<Double>?, UnsafePointer<Double>?, UnsafeMutablePointer<Double>?, Int64, Int64, Int64) -> Void

extension Tensor {
    /// This shape seen as [outer, n, inner] around dimension `dim` (already
    /// normalised); a zero-dimensional tensor is one lane of one element.
    func lanes(_ dim: Int) -> (outer: Int64, n: Int64, inner: Int64) {
        guard rank > 0 else { return (1, 1, 1) }
        let outer = Shape.count(Array(shape[..<dim])), inner = Shape.count(Array(shape[(dim + 1)...]))
        return (Int64(outer), Int64(shape[dim]), Int64(inner))
    }

    /// y = k(x) along `dim`, through a lane kernel pair (not recorded).
    func alongDim(_ dim: Int, _ f32: LaneKernelF32, _ f64: LaneKernelF64) throws -> Tensor {
        let (o, n, i) = lanes(dim)
        let y = try Tensor.empty(like: self)
        if dtype == .float32 {
            f32(pointer(Float.self), y.pointer(Float.self), o, n, i)
        } else {
            f64(pointer(Double.self), y.pointer(Double.self), o, n, i)
        }
        return y
    }

    /// gx = k(y, gy) along `dim`, where self is the forward output y (not recorded).
    func alongDimBackward(_ gy: Tensor, _ dim: Int, _ f32: LaneBackwardF32, _ f64: LaneBackwardF64) throws -> Tensor {
        let (o, n, i) = lanes(dim)
        let g = gy.dtype == dtype ? gy : try gy.to(dtype)
        let gx = try Tensor.empty(like: self)
        if dtype == .float32 {
            f32(pointer(Float.self), g.pointer(Float.self), gx.pointer(Float.self), o, n, i)
        } else {
            f64(pointer(Double.self), g.pointer(Double.self), gx.pointer(Double.self), o, n, i)
        }
        return gx
    }

    /// Softmax along `dim` (PyTorch's `softmax(dim=)`): values in (0, 1) that
    /// sum to 1 along `dim`.
    ///
    /// - Throws: for a dim out of range or a non-floating tensor.
    public func softmax(dim: Int) throws -> Tensor {
        let d = try normalizedDim(dim, "softmax")
        guard dtype.isFloatingPoint else {
            // PyTorch's kernel-level refusal (no op-name prefix).
            let kernel = d == Swift.max(rank, 1) - 1 ? "softmax_lastdim_kernel_impl" : "softmax_kernel_impl"
            throw AutogradError.invalidArgument("\"\(kernel)\" not implemented for '\(dtype.scalarName)'")
        }
        return try Softmax.apply(self, d)
    }

    /// Log of softmax along `dim` (PyTorch's `log_softmax(dim=)`), computed
    /// without forming softmax, so very negative entries stay finite.
    ///
    /// - Throws: for a dim out of range or a non-floating tensor.
    public func logSoftmax(dim: Int) throws -> Tensor {
        try requireFloating("log_softmax")
        return try LogSoftmax.apply(self, try normalizedDim(dim, "log_softmax"))
    }
}
