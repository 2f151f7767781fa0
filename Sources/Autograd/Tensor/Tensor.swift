/// An n-dimensional array of `float32`, `float64`, `int64` or `bool` values
/// that records the operations applied to it, so that gradients can flow back
/// through them (reverse-mode automatic differentiation).
///
/// A tensor is always contiguous and row-major. Views made by `reshape`,
/// `detach` and friends share storage (and so share the version counter that
/// guards saved tensors against in-place changes).
public final class Tensor {
    /// The size of each dimension; `[]` for a scalar.
    public let shape: [Int]
    /// The element type.
    public let dtype: DType
    /// The number of elements.
    public let count: Int
    @exclusivity(unchecked) var storage: Storage

    /// Whether gradients are tracked for this tensor.
    @exclusivity(unchecked) public internal(set) var requiresGrad: Bool
    /// The node (a Function's context) that produced this tensor; `nil` for leaves.
    @exclusivity(unchecked) public internal(set) var gradFn: Context?
    /// Which output of `gradFn` this tensor is.
    @exclusivity(unchecked) public internal(set) var outputIndex: Int = 0
    /// Gradient accumulated by `backward()`: set on leaves that require grad,
    /// and on non-leaves that called `retainGrad()`.
    @exclusivity(unchecked) public var grad: Tensor?

    /// Hooks run on this leaf's gradient before it is accumulated.
    @exclusivity(unchecked) var leafHooks: [GradientHook] = []
    var retainsGrad = false

    init(storage: Storage, shape: [Int], count: Int, dtype: DType, requiresGrad: Bool = false) {
        self.storage = storage
        self.shape = shape
        self.count = count
        self.dtype = dtype
        self.requiresGrad = requiresGrad
    }

    /// A new, uninitialised tensor.
    convenience init(uninitializedShape shape: [Int], dtype: DType) {
        let n = Shape.count(shape)
        self.init(storage: Storage.allocate(byteCount: n * dtype.byteSize), shape: shape, count: n, dtype: dtype)
    }

    /// A tensor of the same shape and dtype sharing this one's storage, with no history.
    func alias(shape newShape: [Int]? = nil) -> Tensor {
        Tensor(storage: storage, shape: newShape ?? shape, count: count, dtype: dtype)
    }

    /// Number of dimensions.
    public var rank: Int { shape.count }
    /// PyTorch's `dim()`.
    public var ndim: Int { shape.count }
    /// PyTorch's `numel()`.
    public var numel: Int { count }
    /// True for tensors created by the user rather than by a recorded op
    /// (every tensor that does not require grad is a leaf too).
    public var isLeaf: Bool { gradFn == nil }
    /// The storage's version counter: how many in-place changes it has seen.
    public var version: Int { storage.version }

    /// A tensor that shares this one's storage but has no history and does not
    /// require grad (PyTorch's `detach()`).
    public func detach() -> Tensor { alias() }

    /// Marks a leaf as requiring grad (PyTorch's `requires_grad_()`).
    ///
    /// - Throws: for a non-floating dtype, or when turning it off on a non-leaf.
    @discardableResult
    public func requiresGrad(_ flag: Bool = true) throws -> Tensor {
        if flag && !dtype.isFloatingPoint {
            throw AutogradError.invalidArgument("only Tensors of floating point dtype can require gradients")
        }
        if !flag && gradFn != nil {
            throw AutogradError.invalidArgument("you can only change requires_grad flags of leaf variables. If you want to use a computed variable in a subgraph that doesn't require differentiation use var_no_grad = var.detach().")
        }
        requiresGrad = flag
        return self
    }

    /// Keeps this non-leaf tensor's gradient in `grad` during backward.
    public func retainGrad() {
        guard gradFn != nil, !retainsGrad else { return }
        retainsGrad = true
        registerHook { [weak self] g in
            guard let self else { return nil }
            if let old = self.grad {
                self.grad = try withNoGrad { try old + g }
            } else {
                self.grad = g.requiresGrad ? g : g.clone()
            }
            return nil
        }
    }
}
