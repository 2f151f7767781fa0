import AutogradKernels

/// A view with another shape and the same elements.  dL/dx = dL/dy reshaped back.
enum Reshape: Function {
    static func forward(_ ctx: Context, _ args: Arguments) throws -> Tensor {
        let x = try args.tensor(0), shape = try args.ints(1)
        return x.alias(shape: shape)
    }
    static func backward(_ ctx: Context, _ gradOutputs: [Tensor?]) throws -> [Tensor?] {
        [try gradOutputs[0]!.reshape(ctx.inputs[0].shape!), nil]
    }
}

/// A copy in another dtype, through the C cast kernels (ag_memory.h,
/// ag_compare.h): floating to int64 truncates toward zero, anything to bool
/// is `x != 0`.  dL/dx = dL/dy cast back to x's dtype (only float to float is
/// differentiable: int64 and bool never require grad).
enum ToDType: Function {
    static func forward(_ ctx: Context, _ args: Arguments) throws -> Tensor {
        let x = try args.tensor(0)
        guard let dtype = DType(rawValue: try args.string(1)) else {
            throw AutogradError.invalidArgument("to: unknown dtype \(try args.string(1))")
        }
        if dtype == x.dtype { return x.alias() }
        let y = Tensor(uninitializedShape: x.shape, dtype: dtype)
        let n = Int64(x.count)
        switch (x.dtype, dtype) {
        case (.float32, .float64): ag_cast_f32_f64(x.pointer(Float.self), y.pointer(Double.self), n)
        case (.float32, .int64): ag_cast_f32_i64(x.pointer(Float.self), y.pointer(Int64.self), n)
        case (.float32, .bool): ag_cast_f32_bool(x.pointer(Float.self), y.pointer(Bool.self), n)
        case (.float64, .float32): ag_cast_f64_f32(x.pointer(Double.self), y.pointer(Float.self), n)
        case (.float64, .int64): ag_cast_f64_i64(x.pointer(Double.self), y.pointer(Int64.self), n)
        case (.float64, .bool): ag_cast_f64_bool(x.pointer(Double.self), y.pointer(Bool.self), n)
        case (.int64, .float32): ag_cast_i64_f32(x.pointer(Int64.self), y.pointer(Float.self), n)
        case (.int64, .float64): ag_cast_i64_f64(x.pointer(Int64.self), y.pointer(Double.self), n)
        case (.int64, .bool): ag_cast_i64_bool(x.pointer(Int64.self), y.pointer(Bool.self), n)
        case (.bool, .float32): ag_cast_bool_f32(x.pointer(Bool.self), y.pointer(Float.self), n)
        case (.bool, .float64): ag_cast_bool_f64(x.pointer(Bool.self), y.pointer(Double.self), n)
        case (.bool, .int64): ag_cast_bool_i64(x.pointer(Bool.self), y.pointer(Int64.self), n)
        default: return x.alias()  // same dtype, handled above
        }
        return y
    }
    static func backward(_ ctx: Context, _ gradOutputs: [Tensor?]) throws -> [Tensor?] {
        [try gradOutputs[0]!.to(ctx.inputs[0].dtype), nil]
    }
}

extension Tensor {
    /// The same elements in a new shape; one dimension may be -1 (inferred).
    /// Shares storage (PyTorch's `view` / `reshape` on a contiguous tensor).
    public func reshape(_ shape: [Int]) throws -> Tensor {
        var shape = shape
        if let i = shape.firstIndex(of: -1) {
            let known = shape.enumerated().filter { $0.offset != i }.reduce(1) { $0 * $1.element }
            if known > 0 && count % known == 0 { shape[i] = count / known }
        }
        guard Shape.checkedCount(shape) == count else {
            throw AutogradError.invalidArgument("shape '\(Shape.list(shape))' is invalid for input of size \(count)")
        }
        if shape == self.shape { return self }
        return try Reshape.apply(self, shape)
    }

    /// PyTorch's `view`: `reshape` (every tensor here is contiguous).
    public func view(_ shape: [Int]) throws -> Tensor { try reshape(shape) }

    /// A copy in `dtype` (recorded, so gradients flow back through the cast).
    public func to(_ dtype: DType) throws -> Tensor {
        dtype == self.dtype ? self : try ToDType.apply(self, dtype.rawValue)
    }
}
