import _AutogradShims

/// How a view was made, which decides whether it may be changed in place
/// while recording (PyTorch's `CreationMeta`).
enum ViewCreation {
    /// By a view op with grad mode on: in-place changes rebase the base's history.
    case normal
    /// With grad mode off: an in-place change with grad mode on is refused.
    case noGrad
    /// As one of several outputs (split, chunk, unbind): refused.
    case multiOutput
    /// Returned by a custom Function (an input, or a view of one): refused.
    case inCustomFunction
}

/// What a differentiable view knows of its base (PyTorch's
/// `DifferentiableViewMeta`). `base` is always the root: a view of a view
/// records the tensor the first view came from.
final class ViewInfo {
    let base: Tensor
    let creation: ViewCreation
    /// The node that made the view and which of its outputs it is, for messages.
    let nodeName: String
    let outputIndex: Int
    /// The version counter's value when the view's `gradFn` was last set: a
    /// later in-place change of the base or of another view makes it stale.
    var version: Int

    init(base: Tensor, creation: ViewCreation, nodeName: String, outputIndex: Int, version: Int) {
        self.base = base
        self.creation = creation
        self.nodeName = nodeName
        self.outputIndex = outputIndex
        self.version = version
    }

    /// Records `o` as a view of `x` (of `x`'s base when `x` is a view). A
    /// view of a view keeps the stricter creation of the two, as PyTorch's
    /// `propagate_creation_meta` does.
    static func mark(_ o: Tensor, asViewOf x: Tensor, creation: ViewCreation, nodeName: String, outputIndex: Int) {
        let base = x.view?.base ?? x
        var c = creation
        if c == .normal, let inherited = x.view?.creation { c = inherited }
        o.view = ViewInfo(base: base, creation: c, nodeName: nodeName, outputIndex: outputIndex, version: o.version)
    }

    /// The view's node: its own, or, when the base or another view changed
    /// in place since it was set, a new AsStridedBackward reading the view's
    /// elements out of the base's current history (PyTorch regenerates a
    /// view's grad_fn the same way, on access).
    func currentGradFn(of t: Tensor) -> Context? {
        // Under the view's mutex: threads that read a shared view's node
        // after an in-place change would otherwise both regenerate it.
        withStripe(AG_STRIPE_VIEW, self) { regeneratedGradFn(of: t) }
    }

    private func regeneratedGradFn(of t: Tensor) -> Context? {
        let own = t.storedGradFn
        if own == nil && !base.requiresGrad { return nil }
        let now = t.version
        if now == version { return own }
        version = now
        guard base.requiresGrad else {
            t.storedGradFn = nil
            return nil
        }
        let node = AsStridedBackward.node(view: t, base: base, refusal: indirectRefusal)
        t.storedGradFn = node
        t.outputIndex = 0
        return node
    }

    /// The name PyTorch's view messages give the node that made the view
    /// ("Split" for SplitBackward0, "Id" for a custom Function Id).
    var creatorName: String { Context.opName(nodeName) }

    /// Why PyTorch forbids changing this view (or its base) in place, for
    /// the views it forbids it for.
    private var reason: String? {
        switch creation {
        case .normal, .noGrad: return nil
        case .multiOutput:
            return "This view is the output of a function that returns multiple views. Such functions do not allow the output views to be modified inplace. You should replace the inplace operation by an out-of-place one."
        case .inCustomFunction:
            return "This view was created inside a custom Function (or because an input was returned as-is) and the autograd logic to handle view+inplace would override the custom backward associated with the custom Function, leading to incorrect gradients. This behavior is forbidden. You can fix this by cloning the output of the custom Function."
        }
    }

    /// PyTorch's refusal of an in-place change of this view while recording, if any.
    var directRefusal: AutogradError? {
        if creation == .noGrad {
            return .invalidArgument("A view was created in no_grad mode and is being modified inplace with grad mode enabled. Given that this use case is ambiguous and error-prone, it is forbidden. You can clarify your code by moving both the view and the inplace either both inside the no_grad block (if you don't want the inplace to be tracked) or both outside (if you want the inplace to be tracked).")
        }
        return reason.map { .invalidArgument("Output \(outputIndex) of \(creatorName) is a view and is being modified inplace. \($0)") }
    }

    /// PyTorch's refusal to use this view after its base or another view of
    /// it changed in place (raised when its gradient is computed), if any.
    var indirectRefusal: String? {
        reason.map { "Output \(outputIndex) of \(creatorName) is a view and its base or another view of its base has been modified inplace. \($0)" }
    }
}

/// The window a view looks through: sizes, element strides and a storage offset.
struct Geometry: Equatable, Sendable {
    var shape: [Int]
    var strides: [Int]
    var offset: Int

    /// The lowest and one past the highest storage position the window
    /// touches (lo == hi when it holds no element).
    var extent: (lo: Int, hi: Int) {
        if shape.contains(0) { return (offset, offset) }
        var lo = offset, hi = offset
        for (n, s) in zip(shape, strides) {
            if s < 0 { lo += (n - 1) * s } else { hi += (n - 1) * s }
        }
        return (lo, hi + 1)
    }

    /// This window, taken on a contiguous buffer of shape `dense` (a
    /// contiguous stand-in for `target`), as the same elements of `target`'s
    /// window; nil when no strides can say that (a view that runs across
    /// dims of the buffer, as a reshape of a transposed tensor does).
    ///
    /// Each stride and the offset are written in the mixed radix of `dense`
    /// (one digit per dim); when no walk along the window carries a digit
    /// past its dim's size, every element's coordinates in `dense` are the
    /// digits, so `target`'s strides map them linearly.
    func relayout(from dense: [Int], onto target: Geometry) -> Geometry? {
        func digits(_ v: Int) -> [Int]? {
            var rest = v, d = [Int](repeating: 0, count: dense.count)
            for j in stride(from: dense.count - 1, through: 1, by: -1) where dense[j] > 0 {
                d[j] = rest % dense[j]
                rest /= dense[j]
            }
            guard !dense.isEmpty else { return rest == 0 ? [] : nil }
            d[0] = rest
            return d
        }
        if shape.contains(0) { return Geometry(shape: shape, strides: strides.map { _ in 0 }, offset: target.offset) }
        guard strides.allSatisfy({ $0 >= 0 }), let start = digits(offset) else { return nil }
        var reach = start, mapped = [Int]()
        for (n, s) in zip(shape, strides) {
            guard let d = digits(s) else { return nil }
            for j in d.indices { reach[j] += d[j] * (n - 1) }
            mapped.append(zip(d, target.strides).reduce(0) { $0 + $1.0 * $1.1 })
        }
        guard zip(reach, dense).allSatisfy({ $0 < $1 }) else { return nil }
        let base = zip(start, target.strides).reduce(target.offset) { $0 + $1.0 * $1.1 }
        return Geometry(shape: shape, strides: mapped, offset: base)
    }

    /// Index `index` of dimension `dim`, which is dropped (select).
    func selecting(_ dim: Int, _ index: Int) -> Geometry {
        var g = self
        g.offset += index * strides[dim]
        g.shape.remove(at: dim)
        g.strides.remove(at: dim)
        return g
    }

    /// `length` elements from `start`, `step` apart, along `dim` (slice, narrow, split).
    func sliced(_ dim: Int, start: Int, length: Int, step: Int = 1) -> Geometry {
        var g = self
        g.offset += start * strides[dim]
        g.shape[dim] = length
        g.strides[dim] = Geometry.stepped(strides[dim], step, length)
        return g
    }

    /// The stride of `count` elements `step` apart: stride·step, which fits
    /// whenever two or more elements lie inside the storage; for fewer it may
    /// not (a step of Int.max), and then the size-1 dimension keeps `stride`
    /// (any stride describes one element).
    static func stepped(_ stride: Int, _ step: Int, _ count: Int) -> Int {
        let (s, overflow) = stride.multipliedReportingOverflow(by: step)
        return overflow && count <= 1 ? stride : s
    }

    /// Broadcast to `shape` (which this shape broadcasts to): stride 0 along
    /// new leading dimensions and along size-1 dimensions that grow (expand).
    func expanded(to shape: [Int]) -> Geometry {
        let lead = shape.count - self.shape.count
        var st = [Int](repeating: 0, count: shape.count)
        for i in 0..<self.shape.count where !(self.shape[i] == 1 && shape[i + lead] != 1) { st[i + lead] = strides[i] }
        return Geometry(shape: shape, strides: st, offset: offset)
    }
}

extension Tensor {
    /// This tensor's window on its storage.
    var geometry: Geometry { Geometry(shape: shape, strides: strides, offset: storageOffset) }

    /// A window on this tensor's storage (not recorded, no view tracking).
    func window(_ g: Geometry) -> Tensor {
        Tensor(storage: storage, shape: g.shape, strides: g.strides, offset: g.offset, dtype: dtype)
    }

    /// This tensor broadcast to `shape` (which it must broadcast to) with
    /// stride 0 along the broadcast dimensions (not recorded).
    func expandedWindow(_ shape: [Int]) -> Tensor { window(geometry.expanded(to: shape)) }

    /// Element `index` of dimension `dim`, dropping that dimension (not recorded).
    func selectUnrecorded(_ dim: Int, _ index: Int) -> Tensor { window(geometry.selecting(dim, index)) }

    /// Whether `other` is this tensor or the same window on the same memory.
    func isSameWindow(_ other: Tensor) -> Bool {
        self === other || (storage === other.storage && storageOffset == other.storageOffset
                           && shape == other.shape && strides == other.strides)
    }

    /// Runs `body` on self, or, for a strided tensor, on a dense copy that
    /// is written back afterwards (also when `body` throws, so a partial
    /// write lands as it would in place). No version bump: callers count
    /// the change.
    func writeThrough<R>(_ body: (Tensor) throws -> R) throws -> R {
        if isContiguous { return try body(self) }
        let c = try copied()
        defer { Tensor.copyElements(from: c, into: self) }
        return try body(c)
    }

    /// PyTorch's refusal to write to a tensor whose elements share memory
    /// (an expanded tensor: a stride of 0 over a dimension of more than one).
    func checkNoInternalOverlap() throws {
        guard let st = explicitStrides else { return }
        for (n, s) in zip(shape, st) where s == 0 && n > 1 {
            throw AutogradError.invalidArgument("unsupported operation: more than one element of the written-to tensor refers to a single memory location. Please clone() the tensor before performing the operation.")
        }
    }

    /// PyTorch's refusal to write to a tensor from a source that partly
    /// shares its memory (the same window is allowed).
    func checkNoPartialOverlap(with other: Tensor) throws {
        guard other.storage === storage, other.count > 0, count > 0, !isSameWindow(other) else { return }
        let a = geometry.extent, b = other.geometry.extent
        if a.lo < b.hi && b.lo < a.hi {
            throw AutogradError.invalidArgument("unsupported operation: some elements of the input tensor and the written-to tensor refer to a single memory location. Please clone() the tensor before performing the operation.")
        }
    }
}

extension Shape {
    /// Whether `strides` lay `shape` out in row-major order without gaps
    /// (PyTorch's rule: size-1 dimensions may have any stride; an empty
    /// tensor is contiguous).
    static func isContiguous(_ shape: [Int], _ strides: [Int]) -> Bool {
        var expected = 1
        for i in stride(from: shape.count - 1, through: 0, by: -1) {
            let n = shape[i]
            if n == 0 { return true }
            if n == 1 { continue }
            if strides[i] != expected { return false }
            expected *= n
        }
        return true
    }

    /// The strides that give `newShape` as a view of a tensor with `shape`
    /// and `strides`, or nil when the elements cannot be reached with
    /// strides (PyTorch's `computeStride`: `view` then throws and `reshape`
    /// copies).
    static func viewStrides(_ shape: [Int], _ strides: [Int], _ newShape: [Int]) -> [Int]? {
        let numel = count(shape)
        if numel == 0 { return self.strides(newShape) }
        var newStrides = [Int](repeating: 0, count: newShape.count)
        if shape.isEmpty { return newShape.map { _ in 1 } }
        var viewD = newShape.count - 1
        var chunkBase = strides[strides.count - 1]
        var tensorNumel = 1, viewNumel = 1
        for tensorD in stride(from: shape.count - 1, through: 0, by: -1) {
            tensorNumel *= shape[tensorD]
            if tensorD == 0 || (shape[tensorD - 1] != 1 && strides[tensorD - 1] != tensorNumel * chunkBase) {
                while viewD >= 0 && (viewNumel < tensorNumel || newShape[viewD] == 1) {
                    newStrides[viewD] = viewNumel * chunkBase
                    viewNumel *= newShape[viewD]
                    viewD -= 1
                }
                if viewNumel != tensorNumel { return nil }
                if tensorD > 0 {
                    chunkBase = strides[tensorD - 1]
                    tensorNumel = 1
                    viewNumel = 1
                }
            }
        }
        if viewD != -1 { return nil }
        return newStrides
    }
}
