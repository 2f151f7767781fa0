// PyTorch's `out=` arguments: `torch.mul(a, b, out=buf)` writes the result
// into an existing tensor. `out.store { try a * b }` does that for any
// expression, and `Tensor.add(a, b, out: buf)` (sub, mul, div, matmul, cat)
// spell the common ones as PyTorch does. As in PyTorch, out= is not
// differentiable: with grad mode on, an argument that requires grad (out
// included) is refused; the result is cast to out's dtype where PyTorch
// casts (an integer result into a floating out, float64 into float32) and
// refused where it does not (a floating result into an integer out). Unlike
// PyTorch, an out of another shape is refused rather than resized (PyTorch
// deprecates resizing an out that has elements).

extension Tensor {
    /// Computes `result` and writes it into this tensor (PyTorch's `out=`);
    /// returns self. `op` names the op in errors.
    /// - Throws: PyTorch's "functions with out=... arguments don't support
    ///   automatic differentiation" when grad mode is on and an argument (this
    ///   tensor or one the result depends on) requires grad; a shape or
    ///   dtype that the result cannot be written into.
    @discardableResult
    public func store(_ op: String = "out", _ result: () throws -> Tensor) throws -> Tensor {
        try throwDeferred()
        let refusal = AutogradError.invalidArgument(
            "\(op)(): functions with out=... arguments don't support automatic differentiation, but one of the arguments requires grad.")
        if GradMode.isEnabled && requiresGrad { throw refusal }
        let r = try result()
        if GradMode.isEnabled && r.requiresGrad { throw refusal }
        guard r.shape == shape else {
            throw AutogradError.invalidArgument(
                "\(op)(): out has shape \(Shape.list(shape)) but the result has shape \(Shape.list(r.shape)); an out= tensor is not resized here (PyTorch deprecates resizing one that has elements)")
        }
        guard Tensor.canCast(r.dtype, to: dtype) else {
            throw AutogradError.invalidArgument(
                "result type \(r.dtype.scalarName) can't be cast to the desired output type \(dtype.scalarName)")
        }
        try noGrad { _ = try copy_(r) }
        return self
    }

    /// PyTorch's `canCast`: no floating value into an integer or bool tensor,
    /// no number into a bool one.
    static func canCast(_ from: DType, to: DType) -> Bool {
        if from.isFloatingPoint && !to.isFloatingPoint { return false }
        if from != .bool && to == .bool { return false }
        return true
    }

    /// `torch.add(a, b, out=out)`.
    @discardableResult
    public static func add(_ a: Tensor, _ b: Tensor, out: Tensor) throws -> Tensor { try out.store("add") { try a + b } }
    /// `torch.sub(a, b, out=out)`.
    @discardableResult
    public static func sub(_ a: Tensor, _ b: Tensor, out: Tensor) throws -> Tensor { try out.store("sub") { try a - b } }
    /// `torch.mul(a, b, out=out)`.
    @discardableResult
    public static func mul(_ a: Tensor, _ b: Tensor, out: Tensor) throws -> Tensor { try out.store("mul") { try a * b } }
    /// `torch.div(a, b, out=out)`.
    @discardableResult
    public static func div(_ a: Tensor, _ b: Tensor, out: Tensor) throws -> Tensor { try out.store("div") { try a / b } }
    /// `torch.matmul(a, b, out=out)`.
    @discardableResult
    public static func matmul(_ a: Tensor, _ b: Tensor, out: Tensor) throws -> Tensor { try out.store("matmul") { try a.matmul(b) } }
    /// `torch.cat(tensors, dim, out=out)`.
    @discardableResult
    public static func cat(_ tensors: [Tensor], dim: Int = 0, out: Tensor) throws -> Tensor {
        try out.store("cat") { try Tensor.cat(tensors, dim: dim) }
    }
}
