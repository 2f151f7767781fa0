// In-place changes through views (PyTorch's rebase_history / CopySlices).
//
// When an in-place op on a view v of base b is recorded, its node `fn` (with
// inputs v-before and the op's other operands) does not stay in the graph by
// itself: b's history is rebased onto a CopySlices node whose inputs are b's
// previous history and fn's other operands, and v's history onto an
// AsStridedBackward node reading v's window out of b's new history. Every
// other view of b notices the version change and does the same on its next
// use (ViewInfo.currentGradFn).

/// The node an in-place change through a view gives its base.
///
/// For a gradient G of the base (b's shape), with W the view's window on it:
///   dL/db_old = G with W replaced by fn's gradient for v-before, computed from G[W];
///   dL/d(operand k) = fn's gradient for operand k, computed from G[W].
enum CopySlices: Function {
    static var _nodeName: String { "CopySlices" }
    static var _layout: _FunctionLayout { .strided }

    static func forward(_ ctx: Context, _ args: Arguments) throws -> Tensor {
        throw AutogradError.invalidArgument("CopySlices is made by in-place changes through views, not applied")
    }

    static func backward(_ ctx: Context, _ gradOutputs: [Tensor?]) throws -> [Tensor?] {
        guard let fn = ctx.extras?.wrapped, let g0 = gradOutputs[0] else {
            return Array(repeating: nil, count: ctx.inputs.count)
        }
        let window = try ctx.get("window", as: Geometry.self)
        let g = try g0.contiguous()
        let slice = try g.asStrided(size: window.shape, stride: window.strides, storageOffset: g.storageOffset + window.offset)
        let res = try Engine.callBackward(fn, [try slice.contiguous()], createGraph: GradMode.isEnabled)
        var out = [Tensor?](repeating: nil, count: ctx.inputs.count)
        if let r0 = res[0] { out[0] = try AsStridedScatter.apply(g, r0, window.shape, window.strides, window.offset) }
        for i in 1..<Swift.min(res.count, out.count) { out[i] = res[i] }
        return out
    }
}

/// The node of a view whose base changed in place: dL/dbase = dL/dview
/// scatter-added into zeros of the base's shape at the view's positions
/// (PyTorch's AsStridedBackward).
enum AsStridedBackward: Function {
    static var _nodeName: String { "AsStridedBackward" }
    static var _layout: _FunctionLayout { .strided }

    static func forward(_ ctx: Context, _ args: Arguments) throws -> Tensor {
        throw AutogradError.invalidArgument("AsStridedBackward is made for views whose base changed in place, not applied")
    }

    static func backward(_ ctx: Context, _ gradOutputs: [Tensor?]) throws -> [Tensor?] {
        if let refusal = ctx.extras?.values["refusal"] as? String { throw AutogradError.invalidArgument(refusal) }
        guard let g = gradOutputs[0] else { return [nil] }
        return [try AsStridedOp.asStridedGradient(g, input: ctx.get("base", as: Geometry.self),
                                                  view: ctx.get("view", as: Geometry.self))]
    }

    /// A node for view `t` of `base`, fed by the base's current history.
    /// With a refusal (a view that may not see its base change), differentiating through it throws.
    static func node(view t: Tensor, base: Tensor, refusal: String?) -> Context {
        let ctx = Context(function: Self.self,
                          inputs: [InputSlot(shape: base.shape, dtype: base.dtype, edge: Graph.edge(of: base))],
                          argumentCount: 1)
        ctx.outputs = [OutputSlot(shape: t.shape, dtype: t.dtype, differentiable: true)]
        ctx.set("base", base.geometry)
        ctx.set("view", t.geometry)
        if let refusal { ctx.set("refusal", refusal) }
        return ctx
    }
}

/// y = g with the window (shape, strides, offset) of its contiguous buffer
/// replaced by src.  dL/dg = dL/dy with the window zeroed; dL/dsrc = dL/dy read through the window.
enum AsStridedScatter: Function {
    static var _layout: _FunctionLayout { .strided }

    static func forward(_ ctx: Context, _ args: Arguments) throws -> Tensor {
        let g = try args.tensor(0), src = try args.tensor(1)
        let window = Geometry(shape: try args.ints(2), strides: try args.ints(3), offset: try args.int(4))
        ctx.set("window", window)
        let y = try g.copied()
        Tensor.copyElements(from: src.dtype == y.dtype ? src : try src.to(y.dtype), into: y.window(window))
        return y
    }

    static func backward(_ ctx: Context, _ gradOutputs: [Tensor?]) throws -> [Tensor?] {
        let w = try ctx.get("window", as: Geometry.self), need = ctx.needsInputGrad
        let gy = try gradOutputs[0]!.contiguous()
        let src = ctx.inputs[1]
        let gg: Tensor? = need[0]
            ? try AsStridedScatter.apply(gy, Tensor.filled(src.shape!, 0, dtype: src.dtype), w.shape, w.strides, w.offset) : nil
        let gs: Tensor? = need[1]
            ? try gy.asStrided(size: w.shape, stride: w.strides, storageOffset: gy.storageOffset + w.offset) : nil
        return [gg, gs, nil, nil, nil]
    }
}

extension Tensor {
    /// After a recorded in-place change of this view (its node is its
    /// `gradFn`): rebases the base's history onto a CopySlices node and this
    /// view's onto an AsStridedBackward node reading it.
    func rebaseViewHistory() throws {
        guard let v = view, let fn = storedGradFn else { return }
        let base = v.base
        guard base.isContiguous else {
            throw AutogradError.invalidArgument("in-place change of a view of a non-contiguous tensor that is not itself a view (shape \(Shape.list(base.shape)), strides \(Shape.list(base.strides))) is not supported: call contiguous() on it first")
        }
        var slots = [InputSlot(shape: base.shape, dtype: base.dtype, edge: base.requiresGrad ? Graph.edge(of: base) : nil)]
        slots += fn.inputs.dropFirst()
        let cs = Context(function: CopySlices.self, inputs: slots, argumentCount: slots.count)
        cs.outputs = [OutputSlot(shape: base.shape, dtype: base.dtype, differentiable: true)]
        cs.ext.wrapped = fn
        var window = geometry
        window.offset -= base.storageOffset
        cs.set("window", window)
        base.gradFn = cs
        base.outputIndex = 0
        base.requiresGrad = true
        storedGradFn = AsStridedBackward.node(view: self, base: base, refusal: nil)
        outputIndex = 0
        v.version = version
    }
}
