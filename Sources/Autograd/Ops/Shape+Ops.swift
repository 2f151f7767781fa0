import AutogradKernels

/// A copy in another dtype, through the C cast kernel (`ag_cast`, cast.c):
/// PyTorch's conversions (floating to integer truncates toward zero, out of
/// range as x86 converts; narrower integers wrap; anything to bool is
/// `x != 0`).  dL/dx = dL/dy cast back to x's dtype (only floating to floating is
/// differentiable: integers and bool never require grad).
enum ToDType: Function {
    /// A view dense in some order of its dims keeps its strides (PyTorch's
    /// `_to_copy` with `preserve_format`) and is cast flat; any other is
    /// cast from a dense copy into a contiguous result.
    static var _layout: _FunctionLayout { .strided }
    static var _storageTypes: _StorageTypes { .native }

    static func forward(_ ctx: Context, _ args: Arguments) throws -> Tensor {
        let x = try args.tensor(0)
        guard let dtype = DType(rawValue: try args.string(1)) else {
            throw AutogradError.invalidArgument("to: unknown dtype \(try args.string(1))")
        }
        if dtype == x.dtype { return x.isContiguous ? x.alias() : try x.copied() }
        return try x.castUnrecorded(to: dtype)
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
