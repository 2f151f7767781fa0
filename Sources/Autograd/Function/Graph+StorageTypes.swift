import AutogradKernels

/// How a Function meets the storage types (float16, bfloat16, uint8, int8,
/// int16, int32), which no kernel computes in. Not for direct use: the
/// library's ops that differ from the default declare theirs.
public enum _StorageTypes {
    /// Each tensor argument of a storage type reaches forward widened to its
    /// `computeType` (a copy sharing the argument's version counter and
    /// place in the graph), and each output of a compute type that only one
    /// storage type among the arguments widens to is rounded back to it:
    /// `x16 + y16` runs in float32 and returns float16, rounding once, as
    /// PyTorch's CPU kernels do. The node's backward runs in the compute
    /// types too (its incoming gradients widened); the engine casts the
    /// gradients it returns to each input's dtype. What custom Functions get.
    case widened
    /// As `widened`, but only the first output is rounded back (an op that
    /// returns values and their int64 indices: sort, max along a dim).
    case widenedValuesOnly
    /// As `widened`, but only floating outputs are rounded back (sum, prod
    /// and cumsum, whose integer results are int64 as in PyTorch).
    case widenedFloatsOnly
    /// As `widened`, but every output keeps the dtype forward gave it (an
    /// op whose int64 result is an index, not a value: argmax).
    case widenedKeepingOutputs
    /// Forward reads and writes every dtype itself (casts, views).
    case native
}

extension _AnyFunction {
    public static var _storageTypes: _StorageTypes {
        switch _layout {
        case .view, .multiView: .native
        default: .widened
        }
    }
}

extension Tensor {
    /// A copy in `computeType` that stands in for this tensor of a storage
    /// type in a forward: it keeps this tensor's place in the graph and
    /// reports (and bumps) this tensor's version counter.
    func widenedStandIn() throws -> Tensor {
        let t = try castUnrecorded(to: dtype.computeType)
        t.versionSource = versionStorage
        t.storedRequiresGrad = requiresGrad
        t.storedGradFn = gradFn
        t.outputIndex = outputIndex
        return t
    }

    /// A copy in `dtype` (not recorded): as `to(dtype)`, through the C cast.
    /// A view dense in some order of its dims keeps its strides and is cast
    /// flat; any other is cast from a dense copy into a contiguous result.
    func castUnrecorded(to dtype: DType) throws -> Tensor {
        var x = self
        let dense = x.denseMemoryOrder != nil
        if !dense { x = try x.contiguousData }
        let y = dense ? Tensor(storage: try Storage.allocate(byteCount: x.count * dtype.byteSize), shape: x.shape,
                               strides: x.strides, offset: 0, dtype: dtype)
                      : try Tensor(uninitializedShape: x.shape, dtype: dtype)
        if x.count == 0 { return y }
        withExtendedLifetime(x) {
            _ = ag_cast(x.rawPointer, x.dtype.kernelCode, y.rawPointer, dtype.kernelCode, Int64(x.count))
        }
        return y
    }

    /// dst[i] = src[i] converted to dst's dtype, each read or written through
    /// its own strides (not recorded, no version bump).
    static func castElements(from src: Tensor, into dst: Tensor) throws {
        copyElements(from: src.dtype == dst.dtype ? src : try src.castUnrecorded(to: dst.dtype), into: dst)
    }
}

extension Graph {
    /// For each compute type, the one storage type among the tensor
    /// arguments that widens to it, if only one does: the dtype its outputs
    /// go back to. Arguments of a compute type itself do not count: the
    /// library promotes the values an op combines to one dtype before it
    /// runs, so an int64 beside an int8 is an index (`x[index]` of an int8
    /// tensor is int8), and index tensors reach the ops as int64.
    static func narrowingTargets(_ args: [Argument]) -> [DType: DType] {
        var seen: [DType: DType?] = [:]  // compute type -> the one dtype seen, or nil when mixed
        for a in args {
            guard case .tensor(let t) = a, t.dtype.isNarrow else { continue }
            let c = t.dtype.computeType
            if let s = seen[c] { if s != t.dtype { seen[c] = .some(nil) } } else { seen[c] = t.dtype }
        }
        var targets: [DType: DType] = [:]
        for (c, d) in seen { if let d, d != c { targets[c] = d } }
        return targets
    }

    /// Forward's outputs rounded back to the storage types their arguments
    /// came in (`_StorageTypes.widened`): a stand-in returned as it is
    /// becomes the argument it stands for.
    ///
    /// An output that forward also saved for backward keeps its place in the
    /// saved list with its values rounded as the returned output's are (a
    /// backward reads the float16 tanh PyTorch's reads); as that copy is not
    /// the output itself, the node is once differentiable (differentiating
    /// its backward is PyTorch's error, not a silently missing term).
    static func narrowOutputs(_ outputs: [Tensor], _ policy: _StorageTypes, _ args: [Argument],
                              _ standIns: [Argument], _ ctx: Context) throws -> [Tensor] {
        let targets = narrowingTargets(args)
        var result = outputs
        for k in 0..<outputs.count {
            let o = outputs[k]
            if let i = standIns.firstIndex(where: { if case .tensor(let s) = $0 { return s === o } else { return false } }),
               case .tensor(let x) = args[i] {
                if x.dtype != o.dtype { result[k] = x }
                continue
            }
            if args.contains(where: { if case .tensor(let x) = $0 { return x === o } else { return false } }) { continue }
            switch policy {
            case .native, .widenedKeepingOutputs: continue
            case .widenedValuesOnly where k > 0: continue
            case .widenedFloatsOnly where !o.dtype.isFloatingPoint: continue
            default: break
            }
            if let d = targets[o.dtype] {
                result[k] = try o.castUnrecorded(to: d)
                if ctx.toSave.contains(where: { $0 === o }) {
                    try Tensor.castElements(from: result[k], into: o)
                    ctx.ext.onceDifferentiableOverride = true
                }
            }
        }
        return result
    }
}
