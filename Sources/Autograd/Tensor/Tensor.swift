import _AutogradShims

/// An n-dimensional array of `float32`, `float64`, `int64` or `bool` values
/// that records the operations applied to it, so that gradients can flow back
/// through them (reverse-mode automatic differentiation).
///
/// As in PyTorch, a tensor is a window on a `Storage`: a storage offset,
/// sizes (`shape`) and element strides. View ops (`view`, `transpose`,
/// `narrow`, `expand`, subscripts, …) return tensors that share the storage,
/// and so the version counter, of the tensor they come from; an in-place
/// change through a view rebases the history of its base (PyTorch's
/// CopySlices). See docs/ARCHITECTURE.md, "Views".
public final class Tensor {
    /// The size of each dimension; `[]` for a scalar.
    public let shape: [Int]
    /// The element type.
    public let dtype: DType
    /// The number of elements.
    public let count: Int
    /// Where element [0, 0, …] lies in the storage, in elements (PyTorch's `storage_offset()`).
    public let storageOffset: Int
    /// Explicit strides, or nil for a contiguous row-major layout (the common
    /// case, which so needs no array of its own).
    let explicitStrides: [Int]?
    @exclusivity(unchecked) var storage: Storage
    /// The storage whose version counter this tensor reports, when it is not
    /// `storage`: a contiguous stand-in that a kernel reads in place of a
    /// strided view shares the version of the view it stands for.
    @exclusivity(unchecked) var versionSource: Storage?

    @exclusivity(unchecked) var storedRequiresGrad: Bool
    @exclusivity(unchecked) var storedGradFn: Context?
    /// Set for a differentiable view: its base and how it was made.
    @exclusivity(unchecked) var view: ViewInfo?

    /// Which output of `gradFn` this tensor is.
    @exclusivity(unchecked) public internal(set) var outputIndex: Int = 0
    /// Gradient accumulated by `backward()`: set on leaves that require grad,
    /// and on non-leaves that called `retainGrad()`.
    @exclusivity(unchecked) public var grad: Tensor?

    /// Hooks run on this leaf's gradient before it is accumulated.
    @exclusivity(unchecked) var leafHooks: [GradientHook] = []
    var retainsGrad = false
    /// An error a subscript could not throw (Subscripts.swift); nil almost always.
    @exclusivity(unchecked) var deferred: DeferredError?
    /// Made by `Tensor.scalar`: a number standing in for Python's scalars, which
    /// takes the dtype of the tensor it is assigned into.
    var isWrappedNumber = false

    /// A contiguous tensor over `storage` from element 0.
    init(storage: Storage, shape: [Int], count: Int, dtype: DType, requiresGrad: Bool = false) {
        self.storage = storage
        self.shape = shape
        self.count = count
        self.dtype = dtype
        self.storageOffset = 0
        self.explicitStrides = nil
        self.storedRequiresGrad = requiresGrad
    }

    /// A tensor over `storage` with the given geometry (strides that describe
    /// a contiguous layout are recognised as such).
    init(storage: Storage, shape: [Int], strides: [Int], offset: Int, dtype: DType) {
        self.storage = storage
        self.shape = shape
        self.count = Shape.count(shape)
        self.dtype = dtype
        self.storageOffset = offset
        self.explicitStrides = Shape.isContiguous(shape, strides) ? nil : strides
        self.storedRequiresGrad = false
    }

    /// A new, uninitialised zero-dimensional tensor (one element: its
    /// storage lives with its header, so making it cannot be refused).
    convenience init(zeroDimensional dtype: DType) {
        self.init(storage: Storage.allocateInline(byteCount: dtype.byteSize), shape: [], count: 1, dtype: dtype)
    }

    /// A new, uninitialised tensor.
    ///
    /// - Throws: PyTorch's allocator message when the memory is refused.
    convenience init(uninitializedShape shape: [Int], dtype: DType) throws {
        let n = Shape.count(shape)
        self.init(storage: try Storage.allocate(byteCount: n * dtype.byteSize), shape: shape, count: n, dtype: dtype)
    }

    /// A tensor with this one's geometry, sharing its storage, with no history.
    func alias() -> Tensor {
        Tensor(storage: storage, shape: shape, strides: strides, offset: storageOffset, dtype: dtype)
    }

    /// The same elements in row-major order in `newShape` (sharing storage
    /// when this one is contiguous, else a copy), with no history.
    func alias(shape newShape: [Int]) throws -> Tensor {
        guard newShape != shape else { return alias() }
        let dense = try contiguousData
        return Tensor(storage: dense.storage, shape: newShape, strides: Shape.strides(newShape),
                      offset: dense.storageOffset, dtype: dtype)
    }

    /// Number of dimensions.
    public var rank: Int { shape.count }
    /// PyTorch's `dim()`.
    public var ndim: Int { shape.count }
    /// PyTorch's `numel()`.
    public var numel: Int { count }
    /// The element strides of each dimension (PyTorch's `stride()`).
    public var strides: [Int] { explicitStrides ?? Shape.strides(shape) }
    /// The stride of one dimension (negative counts from the end).
    public func stride(_ dim: Int) throws -> Int {
        guard rank > 0 else {
            throw AutogradError.invalidArgument("stride(): Dimension specified as \(dim) but tensor has no dimensions")
        }
        return strides[try normalizedDim(dim, "stride")]
    }
    /// Whether the elements lie in row-major order without gaps (PyTorch's
    /// `is_contiguous()`; size-1 dimensions may have any stride).
    public var isContiguous: Bool { explicitStrides == nil }
    /// True for tensors created by the user rather than by a recorded op
    /// (every tensor that does not require grad is a leaf too).
    public var isLeaf: Bool { gradFn == nil }
    /// The storage's version counter: how many in-place changes it has seen.
    public var version: Int { versionStorage.version }
    /// The storage whose counter `version` reads and in-place changes bump.
    var versionStorage: Storage { versionSource ?? storage }
    /// Whether the two tensors are windows on the same memory (PyTorch's
    /// `a.untyped_storage().data_ptr() == b.untyped_storage().data_ptr()`).
    public func sharesStorage(with other: Tensor) -> Bool { storage === other.storage }
    /// For a view, the tensor it is a view of (PyTorch's `_base`); nil otherwise.
    public var base: Tensor? { view?.base }
    /// Whether this tensor is a view of another (PyTorch's `_is_view()`).
    public var isView: Bool { view != nil }

    /// Whether gradients are tracked for this tensor.
    public internal(set) var requiresGrad: Bool {
        @inline(__always) get {
            if view == nil { return storedRequiresGrad }
            // A view's base is never a view itself, so its flag is stored.
            return storedRequiresGrad || gradFn != nil || view!.base.storedRequiresGrad
        }
        set { storedRequiresGrad = newValue }
    }

    /// The node (a Function's context) that produced this tensor; `nil` for
    /// leaves. For a view whose base (or another view of it) changed in place
    /// since, a node that reads this view's elements out of the base's new
    /// history (PyTorch's AsStridedBackward).
    public internal(set) var gradFn: Context? {
        @inline(__always) get {
            if view == nil { return storedGradFn }
            return view!.currentGradFn(of: self)
        }
        set {
            storedGradFn = newValue
            if let v = view { v.version = version }
        }
    }

    /// A tensor that shares this one's storage but has no history and does not
    /// require grad (PyTorch's `detach()`).
    public func detach() -> Tensor {
        let t = alias()
        t.versionSource = versionSource
        return t
    }

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
            // Passes on several threads may reach this tensor at once.
            try withStripe(AG_STRIPE_GRADIENT, self) {
                if let old = self.grad {
                    self.grad = try noGrad { try old + g }
                } else {
                    self.grad = g.requiresGrad ? g : try g.copied()
                }
            }
            return nil
        }
    }
}

/// Tensors may be shared between threads and tasks, as in PyTorch: reading a
/// tensor, running ops on it and running backward through graphs that share
/// it are safe from any number of threads at once. Gradient accumulation
/// into a shared leaf is exact (each leaf's accumulation holds a mutex), the
/// version counter is atomic, and each backward pass keeps its own state, so
/// passes over one graph (with `retainGraph: true`) do not interfere.
///
/// The caller's to synchronise, as in PyTorch: changing a tensor in place
/// (`add_`, a subscript setter, an optimiser step) while another thread reads
/// or changes the same memory; setting `grad`, `requiresGrad` or hooks while
/// another thread runs backward through that tensor; reading `grad` while a
/// backward pass may still accumulate into it. docs/CONCURRENCY.md has the
/// whole contract.
extension Tensor: @unchecked Sendable {}
