import AutogradKernels

// Strided walks for the copy kernels of ag_shape.h, and the argument
// handling of expand. The view ops themselves (transpose, permute, squeeze,
// …) are in Views.swift and Views+API.swift.

/// A walk for the strided kernels of ag_shape.h, built from Swift arrays: every
/// index of `shape`, at `srcOffset + Σ i·srcStrides` in the source and
/// `dstOffset + Σ i·dstStrides` in the destination.
struct StridedWalk {
    var shape: [Int]
    var srcOffset = 0
    var srcStrides: [Int]
    var dstOffset = 0
    var dstStrides: [Int]

    /// The same walk with size-1 dimensions dropped and neighbours that both
    /// sides step through contiguously merged (fewer, longer inner loops).
    func coalesced() -> StridedWalk {
        var w = StridedWalk(shape: [], srcOffset: srcOffset, srcStrides: [], dstOffset: dstOffset, dstStrides: [])
        for k in shape.indices where shape[k] != 1 {
            if let last = w.shape.indices.last,
               w.srcStrides[last] == srcStrides[k] * shape[k], w.dstStrides[last] == dstStrides[k] * shape[k] {
                w.shape[last] *= shape[k]
                w.srcStrides[last] = srcStrides[k]
                w.dstStrides[last] = dstStrides[k]
            } else {
                w.shape.append(shape[k]); w.srcStrides.append(srcStrides[k]); w.dstStrides.append(dstStrides[k])
            }
        }
        return w
    }

    /// The C descriptor of the coalesced walk.
    /// - Throws: when more than AG_MAX_DIMS dimensions remain after coalescing.
    func descriptor(_ op: String) throws -> ag_strided {
        let w = coalesced()
        guard w.shape.count <= Int(AG_MAX_DIMS) else {
            throw AutogradError.invalidArgument("\(op): at most \(AG_MAX_DIMS) dimensions are supported, got shape \(Shape.list(shape))")
        }
        var d = ag_strided()
        d.ndim = Int32(w.shape.count)
        d.src_offset = Int64(w.srcOffset)
        d.dst_offset = Int64(w.dstOffset)
        Self.fill(&d.shape, w.shape)
        Self.fill(&d.src_stride, w.srcStrides)
        Self.fill(&d.dst_stride, w.dstStrides)
        return d
    }

    static func fill<T>(_ tuple: inout T, _ values: [Int]) {
        withUnsafeMutableBytes(of: &tuple) { raw in
            let p = raw.bindMemory(to: Int64.self)
            for (i, v) in values.enumerated() { p[i] = Int64(v) }
        }
    }
}

extension Tensor {
    /// Copies elements of `src` into `dst` along `walk` (any dtype, both the
    /// same; not recorded). Elements of `dst` off the walk are left as they are.
    static func stridedCopy(_ src: Tensor, into dst: Tensor, _ walk: StridedWalk, _ op: String) throws {
        guard src.dtype == dst.dtype else {
            throw AutogradError.invalidArgument("\(op): expected tensors of one dtype, got \(src.dtype) and \(dst.dtype)")
        }
        if Shape.count(walk.shape) == 0 { return }
        var d = try walk.descriptor(op)
        // A copy moves bits: elements of one width share a kernel.
        func bits<T>(_ t: Tensor, _: T.Type) -> UnsafeMutablePointer<T> { t.rawPointer.assumingMemoryBound(to: T.self) }
        switch src.dtype.byteSize {
        case 8: ag_strided_copy_i64(bits(src, Int64.self), bits(dst, Int64.self), &d)
        case 4: ag_strided_copy_u32(bits(src, UInt32.self), bits(dst, UInt32.self), &d)
        case 2: ag_strided_copy_u16(bits(src, UInt16.self), bits(dst, UInt16.self), &d)
        default: ag_strided_copy_u8(bits(src, UInt8.self), bits(dst, UInt8.self), &d)
        }
    }

}

extension Tensor {
    /// Broadcasts to `sizes` (PyTorch's `expand`): a size of -1 keeps this
    /// tensor's size in that dimension; new dimensions are added in front.
    /// dL/dx = dL/dy summed over the broadcast dimensions.
    public func expand(_ sizes: [Int]) throws -> Tensor {
        guard sizes.count >= rank else {
            throw AutogradError.invalidArgument(
                "expand(\(dtype.legacyTypeName){\(Shape.list(shape))}, size=\(Shape.list(sizes))): the number of sizes provided (\(sizes.count)) must be greater or equal to the number of dimensions in the tensor (\(rank))")
        }
        let lead = sizes.count - rank
        var target = sizes
        for (i, s) in sizes.enumerated() where s < 0 {
            guard i >= lead else {
                throw AutogradError.invalidArgument(
                    "The expanded size of the tensor (\(s)) isn't allowed in a leading, non-existing dimension \(i)")
            }
            guard s == -1 else {
                throw AutogradError.invalidArgument(
                    "expand: the size \(s) at dimension \(i) is invalid (expected -1 or a size >= 0) in \(Shape.list(sizes))")
            }
            target[i] = shape[i - lead]
        }
        return try expand(to: target)
    }

    /// `expand` with the sizes listed inline: `x.expand(4, -1, -1)`.
    public func expand(_ sizes: Int...) throws -> Tensor { try expand(sizes) }

    /// PyTorch's `broadcast_to`: `expand(sizes)` (-1 keeps a size).
    public func broadcastTo(_ sizes: [Int]) throws -> Tensor { try expand(sizes) }

    /// PyTorch's `sum_to_size`: `sumTo(shape)`.
    public func sumToSize(_ shape: [Int]) throws -> Tensor { try sumTo(shape) }
}
