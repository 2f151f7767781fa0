/// Recording a Function application in the graph (PyTorch's
/// `Function.apply` / `_wrap_outputs`).
enum Graph {
    /// The edge a gradient for `t` travels along: its producing node's output
    /// slot, or the leaf itself.
    @inline(__always)
    static func edge(of t: Tensor) -> Edge {
        if let fn = t.gradFn { return .node(fn, t.outputIndex) }
        return .leaf(t)
    }

    /// Runs `forward` with recording off and wires its outputs to a new node.
    /// `forward` receives the arguments as the Function's layout wants them:
    /// strided tensors replaced by contiguous stand-ins unless the Function
    /// reads strides itself.
    static func apply(_ function: any _AnyFunction.Type, _ args: [Argument],
                      forward: (Context, [Argument]) throws -> [Tensor]) throws -> [Tensor] {
        var isExecutable = false, anyStrided = false, anyNarrow = false
        var slots = [InputSlot]()
        let recording = GradMode.isEnabled
        for a in args {
            guard case .tensor(let t) = a else { continue }
            try t.throwDeferred()
            if recording && t.requiresGrad { isExecutable = true }
            if !t.isContiguous { anyStrided = true }
            if t.dtype.isNarrow { anyNarrow = true }
        }
        // Slots are only needed to route gradients; an unrecorded call skips them.
        if isExecutable {
            slots.reserveCapacity(args.count)
            for a in args {
                if case .tensor(let t) = a {
                    slots.append(InputSlot(shape: t.shape, dtype: t.dtype, edge: t.requiresGrad ? edge(of: t) : nil))
                } else {
                    slots.append(InputSlot())
                }
            }
        }
        let layout = function._layout
        // `standIns` is set only when some argument was replaced.
        var standIns: [Argument]? = nil
        // Storage types reach forward widened (`_StorageTypes`), dense.
        let widening = anyNarrow && function._storageTypes != .native
        if (anyStrided && layout == .contiguous) || widening {
            for i in 0..<args.count {
                guard case .tensor(let t) = args[i] else { continue }
                if widening && t.dtype.isNarrow {
                    if standIns == nil { standIns = args }
                    standIns![i] = .tensor(try t.widenedStandIn())
                } else if layout == .contiguous && !t.isContiguous {
                    if standIns == nil { standIns = args }
                    standIns![i] = .tensor(try t.contiguousStandIn())
                }
            }
        }
        let forwardArgs = standIns ?? args
        let ctx = Context(function: function, inputs: slots, argumentCount: args.count)
        var outputs: [Tensor]
        do {
            outputs = try GradMode.with(enabled: false) { try forward(ctx, forwardArgs) }
        } catch let e as AutogradError {
            throw e
        } catch {
            throw AutogradError.function("\(function).forward failed: \(error)")
        }
        if standIns != nil, let dirty = ctx.extras?.dirty, !dirty.isEmpty {
            // A stand-in changed in place: the change goes to the view it stands for.
            for i in 0..<args.count {
                guard case .tensor(let standIn) = forwardArgs[i], case .tensor(let x) = args[i], standIn !== x,
                      dirty.contains(where: { $0 === standIn }) else { continue }
                try x.checkNoInternalOverlap()
                try Tensor.castElements(from: standIn, into: x)
                for k in 0..<outputs.count where outputs[k] === standIn { outputs[k] = x }
                ctx.ext.dirty = ctx.ext.dirty.map { $0 === standIn ? x : $0 }
            }
        }
        if let standIns, layout == .contiguous {
            // A view of a stand-in becomes the same view of the strided argument,
            // so that it shares the argument's memory (x.view_as(x) in a custom forward).
            for k in 0..<outputs.count {
                for i in 0..<args.count {
                    guard case .tensor(let s) = standIns[i], case .tensor(let x) = args[i], s !== x,
                          s.dtype == x.dtype, outputs[k] !== s, outputs[k].storage === s.storage,
                          let g = Geometry(shape: outputs[k].shape, strides: outputs[k].strides,
                                           offset: outputs[k].storageOffset - s.storageOffset)
                            .relayout(from: s.shape, onto: x.geometry) else { continue }
                    outputs[k] = x.window(g)
                    outputs[k].versionSource = x.versionSource
                    // Marked for wrapOutputs, which makes it a custom Function's view of x.
                    ViewInfo.mark(outputs[k], asViewOf: x, creation: .noGrad, nodeName: function._nodeName, outputIndex: k)
                }
            }
        }
        if widening, let standIns {
            outputs = try narrowOutputs(outputs, function._storageTypes, args, standIns, ctx)
            ctx.widened = true
        }
        if layout == .view || layout == .multiView, case .tensor(let x)? = args.first {
            for (i, o) in outputs.enumerated() where o !== x && o.storage === x.storage {
                ViewInfo.mark(o, asViewOf: x, creation: !recording ? .noGrad : (layout == .multiView ? .multiOutput : .normal),
                              nodeName: function._nodeName, outputIndex: i)
            }
        }
        return try wrapOutputs(ctx, layout, args, standIns, outputs, isExecutable: isExecutable, recording: recording)
    }

    /// The argument `t` is (or stands in for), if any.
    private static func input(_ t: Tensor, _ args: [Argument], _ standIns: [Argument]?) -> Tensor? {
        for i in 0..<args.count {
            guard case .tensor(let x) = args[i] else { continue }
            if x === t { return x }
            if let standIns, case .tensor(let s) = standIns[i], s === t { return x }
        }
        return nil
    }

    /// The argument a view made inside forward looks at, if any. Only a
    /// view counts (a detached alias is no view, as in PyTorch), which also
    /// spares every plain output the walk over the arguments.
    private static func viewedInput(_ t: Tensor, _ args: [Argument]) -> Tensor? {
        guard t.view != nil else { return nil }
        for a in args { if case .tensor(let x) = a, x.storage === t.storage { return x } }
        return nil
    }

    private static func wrapOutputs(_ ctx: Context, _ layout: _FunctionLayout, _ args: [Argument], _ standIns: [Argument]?,
                                    _ outputs: [Tensor], isExecutable: Bool, recording: Bool) throws -> [Tensor] {
        let dirty = ctx.extras?.dirty ?? []
        let isCustom = layout == .contiguous
        for d in dirty {
            guard outputs.contains(where: { $0 === d }) else { throw AutogradError.dirtyNotReturned }
            guard isExecutable else { continue }
            // The library's in-place ops have made these checks already, with
            // their own message for a leaf; a custom Function's markDirty gets them here.
            if let v = d.view {
                if let refusal = v.directRefusal { throw refusal }
                if d.requiresGrad && v.base.isLeaf { throw AutogradError.viewOfLeafInPlace }
            }
            if d.isLeaf && d.requiresGrad { throw AutogradError.leafInPlace }
        }
        // Nothing to record: the outputs are plain tensors and the context is dropped.
        guard isExecutable else {
            guard isCustom else { return outputs }
            var result = outputs
            for i in 0..<outputs.count where !dirty.contains(where: { $0 === outputs[i] }) {
                if let x = input(outputs[i], args, standIns) {
                    result[i] = x.alias()
                    markCustomView(result[i], of: x, ctx, i, recording: recording)
                } else if let x = viewedInput(outputs[i], args) {
                    markCustomView(result[i], of: x, ctx, i, recording: recording)
                }
            }
            return result
        }
        let nonDifferentiable = ctx.extras?.nonDifferentiable ?? []
        var result = outputs
        ctx.outputs.reserveCapacity(outputs.count)
        for i in 0..<outputs.count {
            let o = outputs[i]
            let differentiable = isExecutable && o.dtype.isFloatingPoint
                && !nonDifferentiable.contains(where: { $0 === o })
            ctx.outputs.append(OutputSlot(shape: o.shape, dtype: o.dtype, differentiable: differentiable))
            let isDirty = dirty.contains(where: { $0 === o })
            let original = isDirty ? nil : input(o, args, standIns)
            if !differentiable {
                // An input returned as a non-differentiable output keeps its own history.
                if original != nil || o.storedGradFn != nil {
                    let a = o.alias()
                    result[i] = a
                } else {
                    o.requiresGrad = false
                }
                continue
            }
            let duplicate = (0..<i).contains { result[$0] === o || outputs[$0] === o }
            if isDirty && !duplicate {
                // Modified in place: the tensor object itself now comes from this node.
                o.gradFn = ctx
                o.outputIndex = i
                o.requiresGrad = true
            } else if original != nil || o.storedGradFn != nil || o.storedRequiresGrad || duplicate {
                // Returned an existing tensor: give the output its own identity so
                // the original keeps its history (PyTorch returns a view).
                let a = (original ?? o).alias()
                if isCustom, let x = original ?? viewedInput(o, args) {
                    markCustomView(a, of: x, ctx, i, recording: recording)
                }
                a.gradFn = ctx
                a.outputIndex = i
                a.requiresGrad = true
                result[i] = a
            } else {
                if isCustom, let x = viewedInput(o, args) { markCustomView(o, of: x, ctx, i, recording: recording) }
                o.gradFn = ctx
                o.outputIndex = i
                o.requiresGrad = true
            }
        }
        ctx.pack()
        // A change in place through a view rebases the view's base too.
        for d in dirty where d.view != nil && d.storedGradFn === ctx { try d.rebaseViewHistory() }
        return result
    }

    /// An output of a custom Function that is an input or a view of one
    /// becomes a view that may not be changed in place (PyTorch's
    /// CreationMeta.IN_CUSTOM_FUNCTION).
    private static func markCustomView(_ o: Tensor, of x: Tensor, _ ctx: Context, _ i: Int, recording: Bool) {
        o.view = nil
        ViewInfo.mark(o, asViewOf: x, creation: recording ? .inCustomFunction : .noGrad,
                      nodeName: ctx.name, outputIndex: i)
    }
}
