import AutogradKernels

/// A copy in another dtype, through the C cast kernels (ag_memory.h,
/// ag_compare.h): floating to int64 truncates toward zero, anything to bool
/// is `x != 0`.  dL/dx = dL/dy cast back to x's dtype (only float to float is
/// differentiable: int64 and bool never require grad).
enum ToDType: Function {
    /// A view dense in some order of its dims keeps its strides (PyTorch's
    /// `_to_copy` with `preserve_format`) and is cast flat; any other is
    /// cast from a dense copy into a contiguous result.
    static var _layout: _FunctionLayout { .strided }

    static func forward(_ ctx: Context, _ args: Arguments) throws -> Tensor {
        var x = try args.tensor(0)
        guard let dtype = DType(rawValue: try args.string(1)) else {
            throw AutogradError.invalidArgument("to: unknown dtype \(try args.string(1))")
        }
        if dtype == x.dtype { return x.isContiguous ? x.alias() : x.copied() }
        let dense = x.denseMemoryOrder != nil
        if !dense { x = x.contiguousData }
        let y = dense ? Tensor(storage: Storage.allocate(byteCount: x.count * dtype.byteSize), shape: x.shape,
                               strides: x.strides, offset: 0, dtype: dtype)
                      : Tensor(uninitializedShape: x.shape, dtype: dtype)
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
    /// A copy in `dtype` (recorded, so gradients flow back through the cast).
    public func to(_ dtype: DType) throws -> Tensor {
        dtype == self.dtype ? self : try ToDType.apply(self, dtype.rawValue)
    }
}
