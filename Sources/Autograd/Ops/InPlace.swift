import AutogradKernels

// In-place ops (PyTorch's trailing-underscore methods: add_, mul_, ...). Each
// overwrites the tensor's storage through a C kernel, bumps its version
// counter (so a saved copy of the old value is detected at backward), and
// returns the tensor itself.
//
// - While recording, a leaf that requires grad is refused before anything is
//   written (PyTorch's "a leaf Variable that requires grad has been used in an
//   in-place operation.").
// - When nothing involved requires grad, or under `withNoGrad` (optimiser
//   updates), the kernel runs directly and nothing is recorded.
// - Otherwise the op is a Function whose forward marks the tensor dirty: its
//   history is rebased onto the new node, whose backward passes the gradient
//   on to the tensor's previous history, so gradients stay correct.
//
// - On a view, the recorded change also rebases the history of the view's
//   base (CopySlices.swift), and PyTorch's refusals apply: a view of a leaf
//   that requires grad, an output of split/chunk/unbind or of a custom
//   Function, a view made under no-grad changed with grad on.
// - A strided (non-contiguous) tensor is changed through a dense copy that
//   is written back; an expanded tensor (elements sharing memory) is refused.

typealias InPlaceKernelF32 = @convention(c) (UnsafeMutablePointer<Float>?, UnsafePointer<Float>?, UnsafePointer<ag_broadcast>?) -> Void
typealias InPlaceKernelF64 = @convention(c) (UnsafeMutablePointer<Double>?, UnsafePointer<Double>?, UnsafePointer<ag_broadcast>?) -> Void
typealias ScalarInPlaceF32 = @convention(c) (UnsafeMutablePointer<Float>?, Double, Int64) -> Void
typealias ScalarInPlaceF64 = @convention(c) (UnsafeMutablePointer<Double>?, Double, Int64) -> Void

/// x += other.  dL/dx_old = dL/dx,  dL/dother = dL/dx (summed to other's shape).
enum AddInPlace: Function {
    static var _layout: _FunctionLayout { .strided }
    static var _nodeName: String { "AddBackward" }
    static func forward(_ ctx: Context, _ args: Arguments) throws -> Tensor {
        let x = try args.tensor(0)
        try x.applyInPlace(try args.tensor(1), ag_add_inplace_f32, ag_add_inplace_f64)
        ctx.markDirty(x)
        return x
    }
    static func backward(_ ctx: Context, _ gradOutputs: [Tensor?]) throws -> [Tensor?] {
        [gradOutputs[0], gradOutputs[0]]
    }
}

/// x -= other.  dL/dx_old = dL/dx,  dL/dother = −dL/dx.
enum SubInPlace: Function {
    static var _layout: _FunctionLayout { .strided }
    static var _nodeName: String { "SubBackward" }
    static func forward(_ ctx: Context, _ args: Arguments) throws -> Tensor {
        let x = try args.tensor(0)
        try x.applyInPlace(try args.tensor(1), ag_sub_inplace_f32, ag_sub_inplace_f64)
        ctx.markDirty(x)
        return x
    }
    static func backward(_ ctx: Context, _ gradOutputs: [Tensor?]) throws -> [Tensor?] {
        let g = gradOutputs[0]!
        return [g, ctx.needsInputGrad[1] ? try -g : nil]
    }
}

/// x *= other.  dL/dx_old = dL/dx ⊙ other,  dL/dother = dL/dx ⊙ x_old (a copy
/// of x_old, with x's history, is kept only when other needs a gradient).
enum MulInPlace: Function {
    static var _layout: _FunctionLayout { .strided }
    static var _nodeName: String { "MulBackward" }
    static func forward(_ ctx: Context, _ args: Arguments) throws -> Tensor {
        let x = try args.tensor(0), other = try args.tensor(1)
        let need = ctx.needsInputGrad
        let same = other.isSameWindow(x)
        let old: Tensor? = (need[1] || same) ? try x.snapshot() : nil
        let factor = same ? old! : other
        try x.applyInPlace(factor, ag_mul_inplace_f32, ag_mul_inplace_f64)
        ctx.saveForBackward((need[0] ? [factor] : []) + (need[1] ? [old!] : []))
        ctx.markDirty(x)
        return x
    }
    static func backward(_ ctx: Context, _ gradOutputs: [Tensor?]) throws -> [Tensor?] {
        let s = try ctx.savedTensors, need = ctx.needsInputGrad, g = gradOutputs[0]!
        let gx: Tensor? = need[0] ? try g * s[0] : nil
        let go: Tensor? = need[1] ? try g * s[need[0] ? 1 : 0] : nil
        return [gx, go]
    }
}

/// x /= other.  dL/dx_old = dL/dx / other,  dL/dother = −dL/dx ⊙ x_new / other.
enum DivInPlace: Function {
    static var _layout: _FunctionLayout { .strided }
    static var _nodeName: String { "DivBackward" }
    static func forward(_ ctx: Context, _ args: Arguments) throws -> Tensor {
        let x = try args.tensor(0), other = try args.tensor(1)
        let divisor = other.isSameWindow(x) ? try x.snapshot() : other
        try x.applyInPlace(divisor, ag_div_inplace_f32, ag_div_inplace_f64)
        ctx.saveForBackward(divisor, x)
        ctx.markDirty(x)
        return x
    }
    static func backward(_ ctx: Context, _ gradOutputs: [Tensor?]) throws -> [Tensor?] {
        let s = try ctx.savedTensors, need = ctx.needsInputGrad, g = gradOutputs[0]!
        let gx: Tensor? = need[0] ? try g / s[0] : nil
        let go: Tensor? = need[1] ? try -(g * s[1] / s[0]) : nil
        return [gx, go]
    }
}

/// An in-place op with a scalar operand: x = x <op> s.
protocol ScalarInPlaceFunction: Function where Output == Tensor {
    static var kernels: (ScalarInPlaceF32, ScalarInPlaceF64) { get }
    /// dL/dx_old from dL/dx and the scalar.
    static func gradient(_ g: Tensor, _ scalar: Double) throws -> Tensor
}

extension ScalarInPlaceFunction {
    static var _layout: _FunctionLayout { .strided }
    static func forward(_ ctx: Context, _ args: Arguments) throws -> Tensor {
        let x = try args.tensor(0), s = try args.double(1)
        try x.applyScalarInPlace(s, kernels.0, kernels.1)
        ctx.set("scalar", s)
        ctx.markDirty(x)
        return x
    }
    static func backward(_ ctx: Context, _ gradOutputs: [Tensor?]) throws -> [Tensor?] {
        [try gradient(gradOutputs[0]!, try ctx.get("scalar", as: Double.self)), nil]
    }
}

/// x += s.  dL/dx_old = dL/dx.
enum AddScalarInPlace: ScalarInPlaceFunction {
    static var _nodeName: String { "AddBackward" }
    static let kernels: (ScalarInPlaceF32, ScalarInPlaceF64) = (ag_add_scalar_inplace_f32, ag_add_scalar_inplace_f64)
    static func gradient(_ g: Tensor, _ s: Double) throws -> Tensor { g }
}

/// x -= s.  dL/dx_old = dL/dx.
enum SubScalarInPlace: ScalarInPlaceFunction {
    static var _nodeName: String { "SubBackward" }
    static let kernels: (ScalarInPlaceF32, ScalarInPlaceF64) = (ag_sub_scalar_inplace_f32, ag_sub_scalar_inplace_f64)
    static func gradient(_ g: Tensor, _ s: Double) throws -> Tensor { g }
}

/// x *= s.  dL/dx_old = s · dL/dx.
enum MulScalarInPlace: ScalarInPlaceFunction {
    static var _nodeName: String { "MulBackward" }
    static let kernels: (ScalarInPlaceF32, ScalarInPlaceF64) = (ag_mul_scalar_inplace_f32, ag_mul_scalar_inplace_f64)
    static func gradient(_ g: Tensor, _ s: Double) throws -> Tensor { try g * s }
}

/// x /= s.  dL/dx_old = dL/dx / s.
enum DivScalarInPlace: ScalarInPlaceFunction {
    static var _nodeName: String { "DivBackward" }
    static let kernels: (ScalarInPlaceF32, ScalarInPlaceF64) = (ag_div_scalar_inplace_f32, ag_div_scalar_inplace_f64)
    static func gradient(_ g: Tensor, _ s: Double) throws -> Tensor { try g / s }
}

/// x = value everywhere.  dL/dx_old = 0.
enum FillInPlace: Function {
    static var _storageTypes: _StorageTypes { .native }
    static var _layout: _FunctionLayout { .strided }
    static var _nodeName: String { "FillBackward" }
    static func forward(_ ctx: Context, _ args: Arguments) throws -> Tensor {
        let x = try args.tensor(0)
        try x.fillUnchecked(try args.double(1))
        x.bumpVersion()
        ctx.markDirty(x)
        return x
    }
    static func backward(_ ctx: Context, _ gradOutputs: [Tensor?]) throws -> [Tensor?] {
        [try Tensor.zeros(like: gradOutputs[0]!), nil]
    }
}

/// x = src broadcast to x's shape.  dL/dx_old = 0,  dL/dsrc = dL/dx (summed to src's shape).
enum CopyInPlace: Function {
    static var _storageTypes: _StorageTypes { .native }
    static var _layout: _FunctionLayout { .strided }
    static var _nodeName: String { "CopyBackwards" }
    static func forward(_ ctx: Context, _ args: Arguments) throws -> Tensor {
        let x = try args.tensor(0)
        try x.copyUnchecked(from: try args.tensor(1))
        ctx.markDirty(x)
        return x
    }
    static func backward(_ ctx: Context, _ gradOutputs: [Tensor?]) throws -> [Tensor?] {
        let g = gradOutputs[0]!
        return [ctx.needsInputGrad[0] ? try Tensor.zeros(like: g) : nil, g]
    }
}

/// x = min(max(x, lo), hi).  dL/dx_old = dL/dx ⊙ [lo < x_old < hi] (torch 2.15: zero on the bounds).
enum ClampInPlace: Function {
    static var _layout: _FunctionLayout { .strided }
    static var _nodeName: String { "ClampBackward" }
    static func forward(_ ctx: Context, _ args: Arguments) throws -> Tensor {
        let x = try args.tensor(0)
        let mask = try x.clampInPlace(try args.bool(1), try args.double(2), try args.bool(3), try args.double(4),
                                  mask: ctx.needsInputGrad[0])
        ctx.saveForBackward(mask.map { [$0] } ?? [])
        ctx.markDirty(x)
        return x
    }
    static func backward(_ ctx: Context, _ gradOutputs: [Tensor?]) throws -> [Tensor?] {
        guard ctx.needsInputGrad[0] else { return [nil, nil, nil, nil, nil] }
        return [try gradOutputs[0]! * ctx.savedTensors[0], nil, nil, nil, nil]
    }
}

extension Tensor {
    /// Adds `other` (broadcast to this shape) in place; returns self (PyTorch's `add_`).
    /// - Throws: `leafInPlaceOp` for a leaf that requires grad while recording;
    ///   PyTorch's "output with shape [3] doesn't match the broadcast shape [2, 3]".
    @discardableResult
    public func add_(_ other: Tensor) throws -> Tensor {
        try binaryInPlace("add_", other, AddInPlace.self, ag_add_inplace_f32, ag_add_inplace_f64)
    }
    /// Subtracts `other` in place (PyTorch's `sub_`).
    @discardableResult
    public func sub_(_ other: Tensor) throws -> Tensor {
        try binaryInPlace("sub_", other, SubInPlace.self, ag_sub_inplace_f32, ag_sub_inplace_f64)
    }
    /// Multiplies by `other` in place (PyTorch's `mul_`).
    @discardableResult
    public func mul_(_ other: Tensor) throws -> Tensor {
        try binaryInPlace("mul_", other, MulInPlace.self, ag_mul_inplace_f32, ag_mul_inplace_f64)
    }
    /// Divides by `other` in place (PyTorch's `div_`).
    @discardableResult
    public func div_(_ other: Tensor) throws -> Tensor {
        try binaryInPlace("div_", other, DivInPlace.self, ag_div_inplace_f32, ag_div_inplace_f64)
    }

    /// Adds a scalar in place (PyTorch's `add_`).
    @discardableResult
    public func add_(_ scalar: Double) throws -> Tensor { try scalarInPlace("add_", scalar, AddScalarInPlace.self) }
    /// Subtracts a scalar in place (PyTorch's `sub_`).
    @discardableResult
    public func sub_(_ scalar: Double) throws -> Tensor { try scalarInPlace("sub_", scalar, SubScalarInPlace.self) }
    /// Multiplies by a scalar in place (PyTorch's `mul_`).
    @discardableResult
    public func mul_(_ scalar: Double) throws -> Tensor { try scalarInPlace("mul_", scalar, MulScalarInPlace.self) }
    /// Divides by a scalar in place (PyTorch's `div_`).
    @discardableResult
    public func div_(_ scalar: Double) throws -> Tensor { try scalarInPlace("div_", scalar, DivScalarInPlace.self) }

    /// Adds an integer in place: exact on an int64 tensor (Python's int).
    @discardableResult
    public func add_(_ scalar: Int) throws -> Tensor { try dtype.isFloatingPoint ? add_(Double(scalar)) : add_(wrapped(scalar)) }
    /// Subtracts an integer in place: exact on an int64 tensor.
    @discardableResult
    public func sub_(_ scalar: Int) throws -> Tensor { try dtype.isFloatingPoint ? sub_(Double(scalar)) : sub_(wrapped(scalar)) }
    /// Multiplies by an integer in place: exact on an int64 tensor.
    @discardableResult
    public func mul_(_ scalar: Int) throws -> Tensor { try dtype.isFloatingPoint ? mul_(Double(scalar)) : mul_(wrapped(scalar)) }

    /// Sets every element to `value` (PyTorch's `fill_`); any dtype.
    @discardableResult
    public func fill_(_ value: Double) throws -> Tensor {
        try Tensor.checkRepresentable(value, dtype, "fill_")
        if try recordsInPlace() { return try FillInPlace.apply(self, value) }
        try fillUnchecked(value)
        bumpVersion()
        return self
    }

    /// Sets every element to zero (PyTorch's `zero_`); any dtype.
    @discardableResult
    public func zero_() throws -> Tensor { try fill_(0) }

    /// Copies `src`, broadcast to this shape and cast to this dtype, into this
    /// tensor (PyTorch's `copy_`). Gradients flow to `src`.
    @discardableResult
    public func copy_(_ src: Tensor) throws -> Tensor {
        try checkBroadcastsInto("copy_", src)
        let s = src.dtype == dtype ? src : try src.to(dtype)
        if try recordsInPlace(s) { return try CopyInPlace.apply(self, s) }
        try copyUnchecked(from: s)
        return self
    }

    /// Clamps every element to [min, max] in place (PyTorch's `clamp_`); a
    /// nil bound does not apply. NaN stays NaN.
    /// - Throws: when both bounds are nil.
    @discardableResult
    public func clamp_(min: Double? = nil, max: Double? = nil) throws -> Tensor {
        guard min != nil || max != nil else {
            throw AutogradError.invalidArgument("clamp_: At least one of 'min' or 'max' must not be nil")
        }
        try requireFloating("clamp_")
        if try recordsInPlace() || dtype.isNarrow {
            return try ClampInPlace.apply(self, min != nil, min ?? 0, max != nil, max ?? 0)
        }
        _ = try clampInPlace(min != nil, min ?? 0, max != nil, max ?? 0, mask: false)
        return self
    }

    // MARK: Internals

    /// A copy of the current values that keeps this tensor's place in the
    /// graph (its producing node and output index): the value before an
    /// in-place change, for a backward that reads it, so that differentiating
    /// that backward still reaches the old history.
    func snapshot() throws -> Tensor {
        let t = try copied()
        t.requiresGrad = requiresGrad
        t.gradFn = gradFn
        t.outputIndex = outputIndex
        return t
    }

    /// Whether an in-place change must be recorded, with PyTorch's checks
    /// (its `check_inplace`): never into an expanded tensor or from a
    /// partly overlapping source; while recording, not into a leaf that
    /// requires grad, a view of one, or a view that may not be changed.
    func recordsInPlace(_ others: Tensor...) throws -> Bool {
        try checkNoInternalOverlap()
        for o in others { try checkNoPartialOverlap(with: o) }
        guard GradMode.isEnabled else { return false }
        guard requiresGrad || others.contains(where: { $0.requiresGrad }) else { return false }
        if let v = view {
            if let refusal = v.directRefusal { throw refusal }
            if requiresGrad && v.base.isLeaf { throw AutogradError.viewOfLeafInPlace }
        }
        if isLeaf && requiresGrad { throw AutogradError.leafInPlaceOp }
        return true
    }

    /// PyTorch's checks that `other` broadcasts to exactly this shape.
    func checkBroadcastsInto(_ op: String, _ other: Tensor) throws {
        guard let out = Shape.broadcast(shape, other.shape) else { throw Shape.broadcastError(op, shape, other.shape) }
        guard out == shape else {
            throw AutogradError.invalidArgument(
                "output with shape \(Shape.list(shape)) doesn't match the broadcast shape \(Shape.list(out))")
        }
    }

    private func binaryInPlace<F: Function>(_ op: String, _ other: Tensor, _ function: F.Type,
                                            _ f32: InPlaceKernelF32, _ f64: InPlaceKernelF64) throws -> Tensor
    where F.Output == Tensor {
        if op == "sub_" { try Tensor.refuseBoolSubtraction(self, other) }
        if !dtype.isFloatingPoint { return try integerInPlace(op, other) }
        try requireFloating(op)
        try checkBroadcastsInto(op, other)
        let o = other.dtype == dtype ? other : try other.to(dtype)
        if try recordsInPlace(o) || dtype.isNarrow { return try F.apply(self, o) }
        try applyInPlace(o, f32, f64)
        return self
    }

    private func scalarInPlace<F: ScalarInPlaceFunction>(_ op: String, _ s: Double, _ function: F.Type) throws -> Tensor {
        if !dtype.isFloatingPoint { return try integerInPlace(op, wrapped(s)) }
        try requireFloating(op)
        if try recordsInPlace() || dtype.isNarrow { return try F.apply(self, s) }
        try applyScalarInPlace(s, F.kernels.0, F.kernels.1)
        return self
    }

    /// add_, sub_, mul_, div_ on an int64 or bool tensor (which never
    /// requires grad): the out-of-place result, promoted as
    /// `torch.result_type`, written back when PyTorch's `canCast` allows it
    /// (int64 + int64 stays in place; a float result is PyTorch's "result
    /// type Float can't be cast to the desired output type Long").
    private func integerInPlace(_ op: String, _ other: Tensor) throws -> Tensor {
        try throwDeferred()
        try checkBroadcastsInto(op, other)
        let r: Tensor
        switch op {
        case "add_": r = try self + other
        case "sub_": r = try self - other
        case "mul_": r = try self * other
        default: r = try self / other
        }
        guard Tensor.canCast(r.dtype, to: dtype) else {
            throw AutogradError.invalidArgument(
                "result type \(r.dtype.scalarName) can't be cast to the desired output type \(dtype.scalarName)")
        }
        try noGrad { _ = try copy_(r) }
        return self
    }

    /// self = self <op> other (other broadcast to self's shape, same dtype); bumps the version.
    func applyInPlace(_ other: Tensor, _ f32: InPlaceKernelF32, _ f64: InPlaceKernelF64) throws {
        var bc = try Shape.descriptor(out: shape, a: shape, b: other.shape)
        let o = try other.contiguousData
        try writeThrough { x in
            if dtype == .float32 {
                f32(x.pointer(Float.self), o.pointer(Float.self), &bc)
            } else {
                f64(x.pointer(Double.self), o.pointer(Double.self), &bc)
            }
        }
        bumpVersion()
    }

    /// self = self <op> s; bumps the version.
    func applyScalarInPlace(_ s: Double, _ f32: ScalarInPlaceF32, _ f64: ScalarInPlaceF64) throws {
        try writeThrough { x in
            if dtype == .float32 { f32(x.pointer(Float.self), s, Int64(count)) } else { f64(x.pointer(Double.self), s, Int64(count)) }
        }
        bumpVersion()
    }

    /// Clamps in place and bumps the version; returns the gradient mask
    /// [lo ≤ x ≤ hi] of the old values when `mask` is true.
    func clampInPlace(_ hasLo: Bool, _ lo: Double, _ hasHi: Bool, _ hi: Double, mask: Bool) throws -> Tensor? {
        let m: Tensor? = mask ? try Tensor(uninitializedShape: shape, dtype: dtype) : nil
        try writeThrough { x in
            if dtype == .float32 {
                ag_clamp_inplace_f32(x.pointer(Float.self), hasLo, lo, hasHi, hi, m?.pointer(Float.self), Int64(count))
            } else {
                ag_clamp_inplace_f64(x.pointer(Double.self), hasLo, lo, hasHi, hi, m?.pointer(Double.self), Int64(count))
            }
        }
        bumpVersion()
        return m
    }

    /// Writes `src` (same dtype, broadcasting to this shape) into this
    /// tensor's elements, through both tensors' strides; bumps the version.
    func copyUnchecked(from src: Tensor) throws {
        Tensor.copyElements(from: src.shape == shape ? src : src.expandedWindow(shape), into: self)
        bumpVersion()
    }
}
