import AutogradKernels
import _AutogradShims

/// The backward pass: a depth-first walk from the roots gives a topological
/// order of the nodes; each node then runs once, after every node that feeds
/// it a gradient, summing gradients that arrive along several paths.
enum Engine {

    /// Where `grad(outputs:inputs:)` collects the gradients it returns.
    private struct Capture {
        /// The input slots of each leaf (a leaf passed twice fills both, as in PyTorch).
        var leaves: [ObjectIdentifier: [Int]] = [:]
        var nodes: [ObjectIdentifier: [(output: Int, index: Int)]] = [:]
        var grads: [Tensor?]
    }

    static func run(roots: [Tensor], gradients: [Tensor?], retainGraph: Bool, createGraph: Bool,
                    inputs: [Tensor]? = nil) throws -> [Tensor?] {
        try GradMode.with(enabled: createGraph) {
            try execute(roots: roots, gradients: gradients, retainGraph: retainGraph,
                        createGraph: createGraph, inputs: inputs)
        }
    }

    private static func execute(roots: [Tensor], gradients: [Tensor?], retainGraph: Bool,
                                createGraph: Bool, inputs: [Tensor]?) throws -> [Tensor?] {
        // 1. Check the roots and their gradients (the seeds are made in step 4).
        for (i, r) in roots.enumerated() {
            guard r.requiresGrad else { throw AutogradError.doesNotRequireGrad(index: i) }
            if let g = i < gradients.count ? gradients[i] : nil {
                guard g.shape == r.shape else {
                    throw AutogradError.invalidArgument(
                        "Mismatch in shape: grad_output[\(i)] has a shape of \(Shape.torchSize(g.shape)) and output[\(i)] has a shape of \(Shape.torchSize(r.shape)).")
                }
            } else if r.count != 1 {
                throw AutogradError.implicitGradNonScalar
            }
        }

        // 2. What grad(outputs:inputs:) collects.
        var capture: Capture? = nil
        if let inputs {
            var c = Capture(grads: Array(repeating: nil, count: inputs.count))
            for (k, t) in inputs.enumerated() {
                guard t.requiresGrad else {
                    throw AutogradError.invalidArgument("One of the differentiated Tensors does not require grad")
                }
                if let fn = t.gradFn {
                    c.nodes[ObjectIdentifier(fn), default: []].append((t.outputIndex, k))
                } else {
                    c.leaves[ObjectIdentifier(t), default: []].append(k)
                }
            }
            capture = c
        }

        // 3. Topological order: reverse post-order of a depth-first walk.
        var pass = Pass(id: ag_next_pass_id())  // unique: other passes' claims never match
        defer { pass.unclaimAll() }  // on an error too
        var stack = [(Context, Int)]()
        stack.reserveCapacity(8)
        for r in roots {
            guard let root = r.gradFn, pass.visit(root) else { continue }
            stack.append((root, 0))
            while !stack.isEmpty {
                let (node, next) = stack[stack.count - 1]
                if next < node.inputs.count {
                    stack[stack.count - 1].1 = next + 1
                    if case .node(let child, _)? = node.inputs[next].edge, pass.visit(child) {
                        stack.append((child, 0))
                    }
                } else {
                    pass.order.append(node)
                    stack.removeLast()
                }
            }
        }

        // In grad(), only nodes on a path to a captured input run.
        var needed: Set<ObjectIdentifier>? = nil
        if let c = capture {
            var set = Set<ObjectIdentifier>()
            for node in pass.order {  // children before parents
                let id = ObjectIdentifier(node)
                if c.nodes[id] != nil { set.insert(id); continue }
                for slot in node.inputs {
                    switch slot.edge {
                    case .node(let child, _)? where set.contains(ObjectIdentifier(child)): set.insert(id)
                    case .leaf(let t)? where c.leaves[ObjectIdentifier(t)] != nil: set.insert(id)
                    default: break
                    }
                    if set.contains(id) { break }
                }
            }
            needed = set
        }

        // 4. Seed, then run every node in order.
        for (i, r) in roots.enumerated() {
            let seed: Tensor
            if let g = i < gradients.count ? gradients[i] : nil {
                seed = g.dtype == r.dtype ? g : try g.to(r.dtype)
            } else {
                seed = try Tensor.filled(r.shape, 1, dtype: r.dtype)
            }
            try route(consume seed, along: Graph.edge(of: r), createGraph: createGraph, pass: &pass, capture: &capture)
        }
        while let node = pass.order.popLast() {
            var grads = pass.takeGradients(of: node)

            if let hooksByOutput = node.extras?.outputHooks {
                for (i, hooks) in hooksByOutput where i < grads.count {
                    guard var g = grads[i] else { continue }
                    for h in hooks { if let r = try h(g) { g = r } }
                    grads[i] = g
                }
            }
            if let c = capture, let targets = c.nodes[ObjectIdentifier(node)] {
                for (output, k) in targets { capture!.grads[k] = grads[output] }
            }
            if let needed, !needed.contains(ObjectIdentifier(node)) { continue }

            var gradInputs = try callBackward(node, grads, createGraph: createGraph)
            for h in node.extras?.postHooks ?? [] { if let r = try h(gradInputs, grads) { gradInputs = r } }
            if !retainGraph { node.release() }
            grads = []
            for i in 0..<node.inputs.count {
                guard let edge = node.inputs[i].edge, let g = gradInputs[i] else { continue }
                gradInputs[i] = nil
                if let needed, case .node(let child, _) = edge, !needed.contains(ObjectIdentifier(child)) { continue }
                try route(consume g, along: edge, createGraph: createGraph, pass: &pass, capture: &capture)
            }
        }
        return capture?.grads ?? []
    }

    /// The state of one backward pass: the nodes still to run and the
    /// gradients arriving at their outputs. It is the pass's own, so several
    /// passes over one graph (several threads, `retainGraph: true`) do not
    /// share it: a node claimed by this pass keeps its slot on itself
    /// (`Context.claim`), one claimed by another pass in `foreign`.
    private struct Pass {
        let id: UInt64
        /// Nodes in topological order, the roots' last; popped as they run.
        var order: [Context] = []
        /// Each node's output gradients, from its slot on.
        var buffers: [Tensor?] = []
        var foreign: [ObjectIdentifier: Int] = [:]

        init(id: UInt64) {
            self.id = id
            order.reserveCapacity(8)
            buffers.reserveCapacity(8)
        }

        /// Takes `node` into the pass; false when it was taken already.
        mutating func visit(_ node: Context) -> Bool {
            let slot = buffers.count
            let holder = node.claim(for: id, slot: slot)
            if holder == id { return false }
            if holder != 0 {
                guard foreign.updateValue(slot, forKey: ObjectIdentifier(node)) == nil else { return false }
            }
            buffers.append(contentsOf: repeatElement(nil, count: node.outputs.count))
            return true
        }

        /// Where the gradients of `node` (a node this pass visited, that has
        /// not run yet) are. A visited node that is not in `foreign` is held
        /// by this pass, so no other pass writes its slot meanwhile and it is
        /// read without the node's mutex; `foreign` is almost always empty.
        func slot(of node: Context) -> Int {
            if !foreign.isEmpty, let s = foreign[ObjectIdentifier(node)] { return s }
            return node.heldSlot
        }

        /// Adds `gradient` to output `i`'s buffer of `node`.
        mutating func add(_ gradient: consuming Tensor, to node: Context, output i: Int) throws {
            guard i < node.outputs.count else { return }
            let slot = slot(of: node)
            if let old = buffers[slot + i] {
                buffers[slot + i] = try old + gradient
            } else {
                buffers[slot + i] = gradient
            }
        }

        /// The node's output gradients, which leave the pass with it.
        mutating func takeGradients(of node: Context) -> [Tensor?] {
            let slot: Int
            if !foreign.isEmpty, let s = foreign.removeValue(forKey: ObjectIdentifier(node)) {
                slot = s
            } else {
                slot = node.heldSlot
                node.unclaim(by: id)
            }
            let range = slot..<(slot + node.outputs.count)
            let grads = Array(buffers[range])
            for k in range { buffers[k] = nil }
            return grads
        }

        /// Gives back the claims of nodes that did not run (a backward threw).
        func unclaimAll() {
            for node in order where foreign[ObjectIdentifier(node)] == nil { node.unclaim(by: id) }
        }
    }

    /// Runs one node's backward and checks what it returned.
    static func callBackward(_ node: Context, _ gradOutputs: [Tensor?], createGraph: Bool) throws -> [Tensor?] {
        var grads = gradOutputs
        for h in node.extras?.preHooks ?? [] { if let r = try h(grads) { grads = r } }
        if node.materializeGrads {
            for i in 0..<grads.count where grads[i] == nil {
                let o = node.outputs[i]
                grads[i] = try Tensor.filled(o.shape, 0, dtype: o.dtype)
            }
        }
        if node.widened {
            // Forward computed in the compute types; so does backward.
            for i in 0..<grads.count { if let g = grads[i], g.dtype.isNarrow { grads[i] = try g.to(g.dtype.computeType) } }
        }
        let fn = node.function
        // Custom and most built-in backwards read dense gradients (PyTorch
        // hands them over as they come: pytorch/pytorch#64529).
        if fn._layout == .contiguous {
            for i in 0..<grads.count { if let g = grads[i], !g.isContiguous { grads[i] = try g.contiguous() } }
        }
        var result: [Tensor?]
        do {
            if fn.onceDifferentiable || node.extras?.onceDifferentiableOverride == true {
                result = try GradMode.with(enabled: false) { try fn._backward(node, grads) }
                if createGraph { result = try DelayedError.wrap(result) }
            } else {
                result = try fn._backward(node, grads)
            }
        } catch let e as AutogradError {
            throw e
        } catch {
            throw AutogradError.function("\(node.name) failed: \(error)")
        }
        return try validate(node, result)
    }

    /// PyTorch's checks on a custom backward's result: the count, nil for
    /// non-tensor arguments, a shape the input has or broadcasts to (summed
    /// down), the input's dtype.
    private static func validate(_ node: Context, _ result: [Tensor?]) throws -> [Tensor?] {
        let n = node.inputs.count
        var grads = result
        if grads.count < n || grads[n...].contains(where: { $0 != nil }) {
            throw AutogradError.invalidGradient(
                "function \(node.name) returned an incorrect number of gradients (expected \(n), got \(grads.count))")
        }
        if grads.count > n { grads.removeLast(grads.count - n) }
        for i in 0..<n {
            guard let g = grads[i] else { continue }
            let slot = node.inputs[i]
            guard let shape = slot.shape else {
                throw AutogradError.invalidGradient(
                    "function \(node.name) returned a gradient different than None at position \(i + 1), but the corresponding forward input was not a Variable")
            }
            if slot.edge == nil { grads[i] = nil; continue }
            if g.shape == shape && g.dtype == slot.dtype { continue }
            var fixed = g
            if g.shape != shape {
                guard Shape.isExpandable(shape, to: g.shape) else {
                    throw AutogradError.invalidGradient(
                        "Function \(node.name) returned an invalid gradient at index \(i) - got \(Shape.list(g.shape)) but expected shape compatible with \(Shape.list(shape))")
                }
                fixed = try fixed.sumTo(shape)
            }
            if fixed.dtype != slot.dtype { fixed = try fixed.to(slot.dtype) }
            grads[i] = fixed
        }
        return grads
    }

    /// Sends a gradient along an edge: into a node's buffer (summing), into a
    /// captured slot, or into a leaf's `grad`.
    private static func route(_ gradient: consuming Tensor, along edge: Edge, createGraph: Bool,
                              pass: inout Pass, capture: inout Capture?) throws {
        switch edge {
        case .node(let node, let i):
            try pass.add(gradient, to: node, output: i)
        case .leaf(let leaf):
            var g = consume gradient
            for h in leaf.leafHooks { if let r = try h(g) { g = r } }
            if capture != nil {
                for k in capture!.leaves[ObjectIdentifier(leaf)] ?? [] {
                    if let old = capture!.grads[k] { capture!.grads[k] = try old + g } else { capture!.grads[k] = g }
                }
                return
            }
            try accumulate(consume g, into: leaf, createGraph: createGraph)
        }
    }

    /// PyTorch's AccumulateGrad: the first gradient is stored (copied unless
    /// nothing else refers to it); later ones are added, in place unless the
    /// graph of the sum is being recorded.
    /// The gradient is consumed, so that when nothing else refers to it
    /// (the common case: a backward's fresh result) it is stored, not copied.
    /// Under the leaf's mutex (PyTorch's AccumulateGrad mutex), so that
    /// passes on several threads into one leaf sum exactly.
    private static func accumulate(_ gradient: consuming Tensor, into leaf: Tensor, createGraph: Bool) throws {
        var g = consume gradient
        if !g.isContiguous { g = createGraph ? try g.contiguous() : try g.copied() }
        // Not `withStripe`: a closure would hold another reference to g, and
        // `store` keeps g without a copy only when nothing else refers to it.
        let key = UnsafeRawPointer(Unmanaged.passUnretained(leaf).toOpaque())
        ag_stripe_lock(AG_STRIPE_GRADIENT, key)
        defer { ag_stripe_unlock(AG_STRIPE_GRADIENT, key) }
        try store(consume g, into: leaf, createGraph: createGraph)
    }

    private static func store(_ gradient: consuming Tensor, into leaf: Tensor, createGraph: Bool) throws {
        var g = consume gradient
        if let old = leaf.grad {
            if createGraph || old.requiresGrad || g.requiresGrad || !old.isContiguous {
                leaf.grad = try old + g
            } else {
                try old.addInPlaceUnchecked(g)
            }
        } else if createGraph {
            leaf.grad = g
        } else if isKnownUniquelyReferenced(&g) && isKnownUniquelyReferenced(&g.storage) {
            leaf.grad = g.requiresGrad ? g.detach() : g
        } else {
            leaf.grad = try g.copied()
        }
    }
}

extension Tensor {
    /// Computes the gradient of this tensor with respect to the graph's leaves
    /// and accumulates it into their `grad`.
    ///
    /// - Parameters:
    ///   - gradient: dL/d(self); may be omitted for a one-element tensor (1).
    ///   - retainGraph: keep saved tensors for another backward; defaults to `createGraph`.
    ///   - createGraph: record the backward pass, for higher-order derivatives.
    public func backward(gradient: Tensor? = nil, retainGraph: Bool? = nil, createGraph: Bool = false) throws {
        try throwDeferred()
        _ = try Engine.run(roots: [self], gradients: [gradient], retainGraph: retainGraph ?? createGraph,
                           createGraph: createGraph)
    }
}

/// The gradients of `outputs` with respect to `inputs`, returned rather than
/// accumulated into `grad` (PyTorch's `torch.autograd.grad`).
///
/// - Parameters:
///   - gradOutputs: dL/d(output) for each output; nil entries (or nil) mean 1 for one-element outputs.
///   - allowUnused: return nil for an input the outputs do not depend on, instead of throwing.
public func grad(outputs: [Tensor], inputs: [Tensor], gradOutputs: [Tensor?]? = nil,
                 retainGraph: Bool? = nil, createGraph: Bool = false,
                 allowUnused: Bool = false) throws -> [Tensor?] {
    let result = try Engine.run(roots: outputs, gradients: gradOutputs ?? [], retainGraph: retainGraph ?? createGraph,
                                createGraph: createGraph, inputs: inputs)
    if !allowUnused, result.contains(where: { $0 == nil }) {
        throw AutogradError.invalidArgument(
            "One of the differentiated Tensors appears to not have been used in the graph. Set allow_unused=True if this is the desired behavior.")
    }
    return result
}

/// `grad(outputs:inputs:)` for one output and one input.
public func grad(of output: Tensor, wrt input: Tensor, gradOutput: Tensor? = nil, retainGraph: Bool? = nil,
                 createGraph: Bool = false, allowUnused: Bool = false) throws -> Tensor? {
    try grad(outputs: [output], inputs: [input], gradOutputs: [gradOutput], retainGraph: retainGraph,
             createGraph: createGraph, allowUnused: allowUnused)[0]
}
