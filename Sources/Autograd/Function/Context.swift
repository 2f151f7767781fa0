import _AutogradShims

/// A hook on a gradient: returns a replacement, or nil to keep it.
public typealias GradientHook = (Tensor) throws -> Tensor?

/// Where a gradient goes after a node's backward: into another node's output
/// slot, or into a leaf's `grad`.
enum Edge {
    case node(Context, Int)
    case leaf(Tensor)
}

/// What the node remembers of one forward argument.
struct InputSlot {
    /// nil for a non-tensor argument.
    var shape: [Int]?
    var dtype: DType = .float32
    /// Where this argument's gradient goes; nil when it needs none.
    var edge: Edge?
    var isTensor: Bool { shape != nil }
}

/// What the node remembers of one forward output, to make zeros for a
/// gradient that never arrives.
struct OutputSlot {
    var shape: [Int]
    var dtype: DType
    var differentiable: Bool
}

/// A tensor kept for backward, with the storage version it had when forward ended.
struct SavedTensor {
    /// The tensor itself, unless it is an output of the saving node: holding
    /// that would make a reference cycle (output -> node -> output), so an
    /// output is kept as storage and rebuilt, pointing at the node, on unpack.
    var tensor: Tensor?
    var storage: Storage
    /// The storage whose version counter guards the tensor when it is not
    /// `storage` (a contiguous stand-in's: see `Tensor.versionSource`).
    var versionSource: Storage?
    var shape: [Int]
    /// nil for a contiguous tensor.
    var strides: [Int]?
    var offset: Int
    var dtype: DType
    var requiresGrad: Bool
    var outputIndex: Int
    var version: Int
    /// "output 0 of MulBackward" for the version-mismatch message, or nil for a leaf.
    var producer: (name: () -> String, index: Int)?
}

/// A tensor stored on a context with `set`.
enum StoredTensorValue {
    case pending(Tensor)
    case saved(SavedTensor)
}

/// Node state that most nodes never use: non-tensor values, dirty and
/// non-differentiable outputs, hooks.
final class ContextExtras {
    var values: [String: any Sendable] = [:]
    /// Tensors stored with `set`: as given until `pack`, then as saved.
    var tensorValues: [String: StoredTensorValue] = [:]
    var dirty: [Tensor] = []
    var nonDifferentiable: [Tensor] = []
    var outputHooks: [Int: [GradientHook]] = [:]
    var preHooks: [([Tensor?]) throws -> [Tensor?]?] = []
    var postHooks: [([Tensor?], [Tensor?]) throws -> [Tensor?]?] = []
    /// A node name given at run time (a Function defined through the C API).
    var nameOverride: String?
    /// Marks this node once-differentiable at run time (a Function defined
    /// through the C API); the engine treats it as `Function.onceDifferentiable`.
    var onceDifferentiableOverride = false
    /// A CopySlices node's in-place node, whose backward it runs on the
    /// view's part of the base's gradient.
    var wrapped: Context?
}

/// The context of one Function application, which is also the graph node that
/// runs its backward (PyTorch's `ctx`, a `<Name>Backward` node).
///
/// In `forward`, save what `backward` needs with `saveForBackward` (tensors)
/// and `set(_:_:)` (non-tensor values); read `needsInputGrad` to skip work.
/// In `backward`, read them back with `savedTensors` and `get(_:as:)`.
public final class Context {
    /// The Function type that made this node.
    let function: any _AnyFunction.Type

    @exclusivity(unchecked) var inputs: [InputSlot]
    @exclusivity(unchecked) var outputs: [OutputSlot] = []
    @exclusivity(unchecked) var toSave: [Tensor] = []
    @exclusivity(unchecked) var saved: [SavedTensor] = []
    @exclusivity(unchecked) var released = false
    /// Whether `pack` has run (forward's outputs are wired to this node).
    @exclusivity(unchecked) var isPacked = false
    @exclusivity(unchecked) var materializeGrads = true
    /// Whether forward ran on widened storage-type arguments
    /// (`_StorageTypes.widened`): backward then gets widened gradients too.
    @exclusivity(unchecked) var widened = false
    /// Rarely used state, allocated on first use so a plain node stays small.
    @exclusivity(unchecked) var extras: ContextExtras?

    // Engine scratch. A backward pass that claims the node (`claim`) keeps
    // the node's gradient buffers at `passSlot` of its own buffer array; a
    // pass that finds the node claimed by another one (concurrent passes
    // over a shared graph) keeps the slot in a table of its own.
    @exclusivity(unchecked) private var passOwner: UInt64 = 0
    @exclusivity(unchecked) private var passSlot: Int = 0

    // The owner is read and written under the node's mutex (a claim and an
    // unclaim per node and pass); the slot is written under it by the
    // claiming pass and then read by that pass alone.

    /// Claims the node for `pass`, keeping `slot` for it: 0 when claimed
    /// now, else the pass that holds it (`pass` itself when visited already).
    @inline(__always)
    func claim(for pass: UInt64, slot: Int) -> UInt64 {
        withStripe(AG_STRIPE_NODE, self) {
            let holder = passOwner
            if holder == 0 {
                passOwner = pass
                passSlot = slot
            }
            return holder
        }
    }
    /// The slot kept by the pass that holds the node: read only by that
    /// pass, which wrote it (no other pass writes it until the claim goes).
    var heldSlot: Int { passSlot }

    /// Gives the claim of `pass` back (another pass may claim the node at once).
    @inline(__always)
    func unclaim(by pass: UInt64) {
        withStripe(AG_STRIPE_NODE, self) { if passOwner == pass { passOwner = 0 } }
    }

    var ext: ContextExtras {
        if let e = extras { return e }
        let e = ContextExtras()
        extras = e
        return e
    }

    /// How many arguments forward received.
    let argumentCount: Int

    /// `inputs` is empty when nothing is recorded (no argument needs a gradient).
    init(function: any _AnyFunction.Type, inputs: [InputSlot], argumentCount: Int) {
        self.function = function
        self.inputs = inputs
        self.argumentCount = argumentCount
    }

    /// Releases a chain of nodes iteratively, as PyTorch's deleteNode does:
    /// each node's input edges would otherwise release the next node from
    /// inside this deinit, one stack frame group per node, and a graph
    /// 20,000 ops deep overflowed a 512 KiB worker thread's stack (seen under
    /// ThreadSanitizer, whose frames are larger). The nodes this one alone
    /// holds are taken out of their edges into a work list and released one
    /// at a time, their own inputs emptied first.
    deinit {
        guard !inputs.isEmpty else { return }
        // The next node of a chain in `next` (no allocation for a linear
        // chain), any others in `more`.
        var next: Context? = nil, more: [Context] = []
        Context.detachNodes(of: &inputs, next: &next, more: &more)
        while var node = next ?? more.popLast() {
            next = nil
            if isKnownUniquelyReferenced(&node) { Context.detachNodes(of: &node.inputs, next: &next, more: &more) }
        }
    }

    /// Moves the nodes of `slots`' edges out (the edges become nil): the
    /// first into `next` when it is empty, the others into `more`.
    private static func detachNodes(of slots: inout [InputSlot], next: inout Context?, more: inout [Context]) {
        for i in slots.indices {
            guard case .node(let n, _)? = slots[i].edge else { continue }
            slots[i].edge = nil
            if next == nil { next = n } else { more.append(n) }
        }
    }

    /// `<Name>Backward`, PyTorch's name for a custom Function's node.
    public var name: String { extras?.nameOverride ?? function._nodeName }

    /// Replaces `name` for this node: the C API's Functions are one Swift type
    /// named at registration. Not for use by Swift Functions.
    @_spi(CInterop) public var nameOverride: String? {
        get { extras?.nameOverride }
        set { ext.nameOverride = newValue }
    }

    /// Marks this node once-differentiable (PyTorch's `@once_differentiable`)
    /// although its Function type is not: the C API's Functions are one Swift
    /// type, flagged at registration. Not for use by Swift Functions.
    @_spi(CInterop) public var onceDifferentiableOverride: Bool {
        get { extras?.onceDifferentiableOverride ?? false }
        set { ext.onceDifferentiableOverride = newValue }
    }

    // MARK: Forward-side API

    /// One flag per forward argument: whether that argument's gradient is
    /// needed (false for non-tensors and tensors that do not require grad).
    /// Readable in forward, to skip work backward will not need.
    public var needsInputGrad: [Bool] {
        inputs.isEmpty ? Array(repeating: false, count: argumentCount) : inputs.map { $0.edge != nil }
    }

    /// Keeps tensors for backward. Call once, in forward. Each is checked
    /// against its version counter when unpacked.
    public func saveForBackward(_ tensors: Tensor...) { toSave = tensors }
    /// Keeps tensors for backward (array form).
    public func saveForBackward(_ tensors: [Tensor]) { toSave = tensors }

    /// Stores a value for backward (PyTorch: an attribute on ctx; LibTorch:
    /// `ctx->saved_data[key]`).
    ///
    /// A tensor may be stored too (`ctx.set("y", y)`, PyTorch's `ctx.y = y`),
    /// even this node's own output: that one is kept as its storage and
    /// geometry, as `saveForBackward` keeps outputs, so that it makes no
    /// reference cycle (output → node → output) that would never be freed.
    /// Unlike a saved tensor it is not checked against in-place changes (a
    /// PyTorch ctx attribute is not either); a later change shows in it.
    public func set<T: Sendable>(_ key: String, _ value: T) {
        guard let t = value as? Tensor else {
            ext.values[key] = value
            ext.tensorValues[key] = nil
            return
        }
        ext.values[key] = nil
        ext.tensorValues[key] = isPacked ? .saved(savedTensor(t)) : .pending(t)
    }

    /// Declares outputs that have no gradient (an index tensor, say): they do
    /// not require grad, and backward still gets a slot for each.
    public func markNonDifferentiable(_ tensors: Tensor...) { ext.nonDifferentiable += tensors }

    /// Declares inputs that forward modified in place. They must be returned
    /// as outputs; their history is rebased onto this node.
    public func markDirty(_ tensors: Tensor...) { ext.dirty += tensors }

    /// With `true` (the default), gradients that never arrive for an output
    /// reach backward as zeros; with `false`, as nil.
    public func setMaterializeGrads(_ value: Bool) { materializeGrads = value }

    // MARK: Backward-side API

    /// The tensors given to `saveForBackward`, in order.
    ///
    /// - Throws: PyTorch's "backward through the graph a second time" error
    ///   after the graph was freed, or its "modified by an inplace operation"
    ///   error when a saved tensor changed after forward.
    public var savedTensors: [Tensor] {
        get throws {
            // Under the node's mutex: a concurrent pass may release them.
            try withStripe(AG_STRIPE_NODE, self) {
                if released { throw AutogradError.backwardTwice }
                var out: [Tensor] = []
                out.reserveCapacity(saved.count)
                for s in saved { out.append(try unpack(s)) }
                return out
            }
        }
    }

    /// The value stored under `key` with `set` (a tensor too).
    public func get<T>(_ key: String, as type: T.Type = T.self) throws -> T {
        if let stored = extras?.tensorValues[key] {
            let t: Tensor
            switch stored {
            case .pending(let x): t = x
            case .saved(let saved): t = rebuild(saved)
            }
            guard let value = t as? T else {
                throw AutogradError.invalidArgument("\(name): the value saved under '\(key)' is Tensor, not \(T.self)")
            }
            return value
        }
        guard let v = extras?.values[key] else {
            throw AutogradError.invalidArgument("\(name): no value saved under '\(key)'")
        }
        guard let t = v as? T else {
            throw AutogradError.invalidArgument("\(name): the value saved under '\(key)' is \(Swift.type(of: v)), not \(T.self)")
        }
        return t
    }

    // MARK: Hooks

    /// A hook run before this node's backward, on the gradients of its outputs;
    /// it may return replacements.
    public func registerPrehook(_ hook: @escaping ([Tensor?]) throws -> [Tensor?]?) { ext.preHooks.append(hook) }
    /// A hook run after this node's backward, given (gradInputs, gradOutputs);
    /// it may return replacement gradInputs.
    public func registerHook(_ hook: @escaping ([Tensor?], [Tensor?]) throws -> [Tensor?]?) { ext.postHooks.append(hook) }

    // MARK: Internals

    /// Called once forward's outputs are wired to this node: turns the
    /// tensors to save into `SavedTensor`s (outputs without a reference).
    func pack() {
        saved.reserveCapacity(toSave.count)
        let dirty = extras?.dirty ?? []
        for t in toSave { saved.append(savedTensor(t, dirty: dirty)) }
        toSave = []
        isPacked = true
        if let values = extras?.tensorValues {
            for (key, v) in values { if case .pending(let t) = v { extras!.tensorValues[key] = .saved(savedTensor(t)) } }
        }
        // Only wrapOutputs reads these; a dirty output's gradFn is this node,
        // so keeping it would make a reference cycle (a leak).
        extras?.dirty = []
        extras?.nonDifferentiable = []
    }

    /// `t` as this node keeps it: without a reference when it is the node's own output.
    private func savedTensor(_ t: Tensor, dirty: [Tensor] = []) -> SavedTensor {
        let isOwnOutput = t.gradFn === self
        var producer: (name: () -> String, index: Int)? = nil
        if let node = t.gradFn {
            let fn = node.function, override = node.extras?.nameOverride
            producer = ({ override ?? fn._nodeName }, t.outputIndex)
        }
        return SavedTensor(
            tensor: isOwnOutput ? nil : t, storage: t.storage, versionSource: t.versionSource,
            shape: t.shape, strides: t.explicitStrides, offset: t.storageOffset, dtype: t.dtype,
            requiresGrad: t.requiresGrad, outputIndex: t.outputIndex,
            version: dirty.isEmpty ? t.version : Self.versionBeforeChange(t, dirty), producer: producer)
    }

    /// The version a saved tensor is expected to have. A tensor that shares
    /// memory with one this node changed in place (another window on the
    /// same storage) was saved before the change, as in PyTorch, so using
    /// it in backward is refused.
    private static func versionBeforeChange(_ t: Tensor, _ dirty: [Tensor]) -> Int {
        let v = t.version
        for d in dirty where d !== t && d.versionStorage === t.versionStorage && !d.isSameWindow(t) { return v - 1 }
        return v
    }

    /// "Mul" for "MulBackward" (and "MulBackward0"), as PyTorch's saved-tensor message names nodes.
    static func opName(_ nodeName: String) -> String {
        var name = nodeName
        while let last = name.last, last.isNumber { name.removeLast() }
        if name.hasSuffix("Backward") && name.count > "Backward".count { name.removeLast("Backward".count) }
        return name
    }

    private func unpack(_ s: SavedTensor) throws -> Tensor {
        let now = (s.versionSource ?? s.storage).version
        if now != s.version {
            // PyTorch names the tensor's current node (after an in-place
            // change, that change's), without "Backward" and its number.
            var where_ = ""
            if let t = s.tensor {
                if let fn = t.gradFn { where_ = ", which is output \(t.outputIndex) of \(Self.opName(fn.name))," }
            } else if let p = s.producer { where_ = ", which is output \(p.index) of \(Self.opName(p.name()))," }
            throw AutogradError.graph(
                "one of the variables needed for gradient computation has been modified by an inplace operation: [\(s.dtype.legacyTypeName) \(Shape.list(s.shape))]\(where_) is at version \(now); expected version \(s.version) instead. Hint: the tensor was changed in place after it was saved for backward; save a copy (clone()) or change a copy instead.")
        }
        return rebuild(s)
    }

    /// The tensor a `SavedTensor` keeps: itself, or an own output rebuilt
    /// on its storage, pointing at this node.
    private func rebuild(_ s: SavedTensor) -> Tensor {
        if let t = s.tensor { return t }
        let t = s.strides == nil && s.offset == 0
            ? Tensor(storage: s.storage, shape: s.shape, count: Shape.count(s.shape), dtype: s.dtype)
            : Tensor(storage: s.storage, shape: s.shape, strides: s.strides ?? Shape.strides(s.shape), offset: s.offset, dtype: s.dtype)
        t.requiresGrad = s.requiresGrad
        t.versionSource = s.versionSource
        if s.requiresGrad { t.gradFn = self; t.outputIndex = s.outputIndex }
        return t
    }

    /// Frees what the node kept for backward (retainGraph: false).
    func release() {
        extras?.wrapped?.release()
        let freed: [SavedTensor] = withStripe(AG_STRIPE_NODE, self) {
            released = true
            toSave = []
            defer { saved = [] }
            return saved
        }
        _ = freed  // the tensors are freed here, outside the mutex
    }
}

/// A node is reachable from every tensor it produced, so it crosses threads
/// with them. What backward reads of it is fixed once forward has returned;
/// what changes later (its saved tensors when a pass releases them, its
/// scratch slot in a pass) is guarded (see `Tensor`'s Sendable conformance).
extension Context: @unchecked Sendable {}
