/// Updates parameters from their gradients (PyTorch's `torch.optim`). Steps
/// run in C over each parameter's buffer, without recording, and bump the
/// parameter's version as any in-place change does.
public protocol Optimizer: AnyObject {
    var parameters: [Tensor] { get }
    /// One update from the current gradients (parameters without a gradient are skipped).
    func step() throws
}

extension Optimizer {
    /// Clears every parameter's gradient (set to nil, PyTorch's default).
    public func zeroGrad() { for p in parameters { p.grad = nil } }
}

extension Tensor {
    /// The parameter and gradient a step updates: themselves, or for a
    /// float16 or bfloat16 parameter float32 copies (the step computes in
    /// float32, keeps its state there, and the parameter gets the result
    /// rounded once; PyTorch's CPU step rounds each of its ops to the half type).
    func computeCopies(_ g: Tensor) throws -> (Tensor, Tensor) {
        guard dtype.isNarrow else { return (self, g) }
        return (try castUnrecorded(to: dtype.computeType), try g.castUnrecorded(to: dtype.computeType))
    }

    /// Checks that a parameter and its gradient can be updated together.
    func checkOptimizable(_ optimizer: String) throws -> Tensor? {
        guard let g = grad else { return nil }
        guard dtype.isFloatingPoint, g.shape == shape else {
            throw AutogradError.invalidArgument("\(optimizer): a parameter of shape \(Shape.list(shape)) has a gradient of shape \(Shape.list(g.shape))")
        }
        return g.dtype == dtype ? g : try noGrad { try g.to(dtype) }
    }
}
