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
    static func apply(_ function: any _AnyFunction.Type, _ args: [Argument],
                      forward: (Context) throws -> [Tensor]) throws -> [Tensor] {
        var isExecutable = false
        var slots = [InputSlot]()
        if GradMode.isEnabled {
            for a in args { if case .tensor(let t) = a, t.requiresGrad { isExecutable = true; break } }
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
        let ctx = Context(function: function, inputs: slots, argumentCount: args.count)
        let outputs: [Tensor]
        do {
            outputs = try GradMode.with(enabled: false) { try forward(ctx) }
        } catch let e as AutogradError {
            throw e
        } catch {
            throw AutogradError.function("\(function).forward failed: \(error)")
        }
        return try wrapOutputs(ctx, args, outputs, isExecutable: isExecutable)
    }

    private static func isInput(_ t: Tensor, _ args: [Argument]) -> Bool {
        for a in args { if case .tensor(let x) = a, x === t { return true } }
        return false
    }

    private static func wrapOutputs(_ ctx: Context, _ args: [Argument], _ outputs: [Tensor],
                                    isExecutable: Bool) throws -> [Tensor] {
        let dirty = ctx.extras?.dirty ?? []
        for d in dirty {
            guard outputs.contains(where: { $0 === d }) else { throw AutogradError.dirtyNotReturned }
            if isExecutable && d.isLeaf && d.requiresGrad { throw AutogradError.leafInPlace }
        }
        // Nothing to record: the outputs are plain tensors and the context is dropped.
        guard isExecutable else { return outputs }
        let nonDifferentiable = ctx.extras?.nonDifferentiable ?? []
        var result = outputs
        ctx.outputs.reserveCapacity(outputs.count)
        for i in 0..<outputs.count {
            let o = outputs[i]
            let differentiable = isExecutable && o.dtype.isFloatingPoint
                && !nonDifferentiable.contains(where: { $0 === o })
            ctx.outputs.append(OutputSlot(shape: o.shape, dtype: o.dtype, differentiable: differentiable))
            if !differentiable {
                // An input returned as a non-differentiable output keeps its own history.
                if isInput(o, args) || o.gradFn != nil {
                    let a = o.alias()
                    result[i] = a
                } else {
                    o.requiresGrad = false
                }
                continue
            }
            let isDirty = dirty.contains(where: { $0 === o })
            let duplicate = (0..<i).contains { result[$0] === o || outputs[$0] === o }
            if isDirty && !duplicate {
                // Modified in place: the tensor object itself now comes from this node.
                o.gradFn = ctx
                o.outputIndex = i
                o.requiresGrad = true
            } else if isInput(o, args) || o.gradFn != nil || o.requiresGrad || duplicate {
                // Returned an existing tensor: give the output its own identity so
                // the original keeps its history (PyTorch returns a view).
                let a = o.alias()
                a.gradFn = ctx
                a.outputIndex = i
                a.requiresGrad = true
                result[i] = a
            } else {
                o.gradFn = ctx
                o.outputIndex = i
                o.requiresGrad = true
            }
        }
        ctx.pack()
        return result
    }
}
