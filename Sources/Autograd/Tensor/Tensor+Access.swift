import AutogradKernels

extension Tensor {
    /// The typed address of element [0, 0, …] (the storage offset applied),
    /// with no dtype check and no version bump: for the library's own kernels.
    /// Only a contiguous tensor's elements lie at `pointer[0..<count]`.
    @inline(__always)
    func pointer<T>(_: T.Type) -> UnsafeMutablePointer<T> {
        assert(DType.holds(T.self, dtype), "pointer(\(T.self)) of a \(dtype) tensor")
        return storage.bytes.assumingMemoryBound(to: T.self) + storageOffset
    }

    /// The first element's address, untyped (for kernels that take a dtype code).
    var rawPointer: UnsafeMutableRawPointer { storage.bytes + storageOffset * dtype.byteSize }

    /// Records an in-place change (checked by saved-tensor unpacking).
    @inline(__always)
    func bumpVersion() { versionStorage.bumpVersion() }

    /// A contiguous copy with its own storage and no history (not recorded).
    func copied() throws -> Tensor {
        let t = try Tensor(uninitializedShape: shape, dtype: dtype)
        if isContiguous {
            t.storage.bytes.copyMemory(from: storage.bytes + storageOffset * dtype.byteSize,
                                       byteCount: count * dtype.byteSize)
        } else {
            Tensor.copyElements(from: self, into: t)
        }
        return t
    }

    /// Self when contiguous, else a contiguous copy (not recorded): for
    /// reading elements in row-major order.
    var contiguousData: Tensor { get throws { isContiguous ? self : try copied() } }

    /// A contiguous copy that stands in for this strided tensor in a kernel
    /// that reads dense memory: it keeps this tensor's place in the graph and
    /// reports (and bumps) this tensor's version counter.
    func contiguousStandIn() throws -> Tensor {
        let t = try copied()
        t.versionSource = versionStorage
        t.storedRequiresGrad = requiresGrad
        t.storedGradFn = gradFn
        t.outputIndex = outputIndex
        return t
    }

    /// dst[i] = src[i] for every index of their common shape, each read or
    /// written through its own strides (same dtype; not recorded, no version
    /// bump). The two must not overlap in memory unless they are the same window.
    static func copyElements(from src: Tensor, into dst: Tensor) {
        if src.count == 0 || src.isSameWindow(dst) { return }
        let walk = StridedWalk(shape: dst.shape, srcStrides: src.strides, dstStrides: dst.strides)
        // Coalescing merges every dimension that both walk in order; what is
        // left exceeds AG_MAX_DIMS only for more than 8 interleaved strided
        // dimensions, which are then copied one leading index at a time.
        if (try? stridedCopy(src, into: dst, walk, "copy")) != nil { return }
        for i in 0..<dst.shape[0] {
            copyElements(from: src.selectUnrecorded(0, i), into: dst.selectUnrecorded(0, i))
        }
    }

    private func checkElement<T>(_: T.Type, _ op: String) throws {
        let ok: Bool
        switch dtype {
        case .float32: ok = T.self == Float.self
        case .float64: ok = T.self == Double.self
        case .int64: ok = T.self == Int64.self
        case .bool: ok = T.self == Bool.self
        case .uint8: ok = T.self == UInt8.self
        case .int8: ok = T.self == Int8.self
        case .int16: ok = T.self == Int16.self
        case .int32: ok = T.self == Int32.self
        case .float16, .bfloat16: ok = T.self == UInt16.self  // the bits
        }
        guard ok else {
            throw AutogradError.invalidArgument("\(op): the tensor is \(dtype), not \(T.self)")
        }
    }

    /// Reads the elements in place, row-major.
    public func withUnsafeBufferPointer<T, R>(as type: T.Type, _ body: (UnsafeBufferPointer<T>) throws -> R) throws -> R {
        try checkElement(T.self, "withUnsafeBufferPointer")
        let c = try contiguousData
        return try withExtendedLifetime(c) { try body(UnsafeBufferPointer(start: c.pointer(T.self), count: count)) }
    }

    /// Writes the elements in place. Counts as an in-place change: the version
    /// counter is bumped, and a leaf that requires grad is refused while
    /// recording (PyTorch's rule for in-place ops).
    public func withUnsafeMutableBufferPointer<T, R>(as type: T.Type, _ body: (UnsafeMutableBufferPointer<T>) throws -> R) throws -> R {
        try checkElement(T.self, "withUnsafeMutableBufferPointer")
        if GradMode.isEnabled && isLeaf && requiresGrad { throw AutogradError.leafInPlace }
        try checkNoInternalOverlap()
        bumpVersion()
        return try writeThrough { x in try body(UnsafeMutableBufferPointer(start: x.pointer(T.self), count: count)) }
    }

    /// The elements as `Double`s, row-major.
    public func toArray() -> [Double] {
        if !isContiguous {
            // Element by element when the system refuses memory for a dense copy.
            guard let dense = try? copied() else { return (0..<count).map(element) }
            return dense.toArray()
        }
        switch dtype {
        case .float32:
            return [Double](unsafeUninitializedCapacity: count) { buf, n in
                ag_cast_f32_f64(pointer(Float.self), buf.baseAddress, Int64(count)); n = count
            }
        case .float64: return Array(UnsafeBufferPointer(start: pointer(Double.self), count: count))
        case .int64: return UnsafeBufferPointer(start: pointer(Int64.self), count: count).map(Double.init)
        case .bool: return UnsafeBufferPointer(start: pointer(Bool.self), count: count).map { $0 ? 1 : 0 }
        default:
            guard let wide = try? castUnrecorded(to: dtype.isFloatingPoint ? .float64 : .int64) else {
                return (0..<count).map(element)
            }
            return wide.toArray()
        }
    }

    /// The elements of a float32 tensor.
    public func floats() throws -> [Float] { try withUnsafeBufferPointer(as: Float.self) { Array($0) } }
    /// The elements of a float64 tensor.
    public func doubles() throws -> [Double] { try withUnsafeBufferPointer(as: Double.self) { Array($0) } }
    /// The elements of an int64 tensor.
    public func ints() throws -> [Int] { try withUnsafeBufferPointer(as: Int64.self) { $0.map { Int($0) } } }

    /// The element at a flat row-major index, as a Double.
    func element(_ index: Int) -> Double {
        var offset = index
        if let st = explicitStrides {
            offset = 0
            var rest = index
            for d in Swift.stride(from: rank - 1, through: 0, by: -1) {
                offset += (rest % shape[d]) * st[d]
                rest /= shape[d]
            }
        }
        switch dtype {
        case .float32: return Double(pointer(Float.self)[offset])
        case .float64: return pointer(Double.self)[offset]
        case .int64: return Double(pointer(Int64.self)[offset])
        case .bool: return pointer(Bool.self)[offset] ? 1 : 0
        default:
            var v = 0.0
            _ = ag_cast(storage.bytes + (storageOffset + offset) * dtype.byteSize, dtype.kernelCode, &v,
                        DType.float64.kernelCode, 1)
            return v
        }
    }

    /// The value of a one-element tensor (PyTorch's `item()`).
    public func item() throws -> Double {
        try throwDeferred()
        guard count == 1 else {
            throw AutogradError.invalidArgument("a Tensor with \(count) elements cannot be converted to Scalar")
        }
        return element(0)
    }

    /// The element at `indices` (one per dimension), as a Double.
    public func scalar(at indices: Int...) throws -> Double {
        guard indices.count == rank else {
            throw AutogradError.invalidArgument("scalar(at:): expected \(rank) indices for shape \(Shape.list(shape)), got \(indices.count)")
        }
        var offset = 0
        for (d, i) in indices.enumerated() {
            let size = shape[d]
            guard i >= -size && i < size else {
                throw AutogradError.invalidArgument("index \(i) is out of bounds for dimension \(d) with size \(size)")
            }
            offset = offset * size + (i < 0 ? i + size : i)
        }
        return element(offset)
    }

    /// Fills without recording or bumping the version. A value an int64
    /// tensor cannot hold becomes Int64.min, as PyTorch's cast on x86 does
    /// (public callers check with `checkRepresentable` first).
    func fillUnchecked(_ value: Double) throws {
        if !isContiguous { return try writeThrough { $0.fillContiguous(value) } }
        fillContiguous(value)
    }

    /// `fillUnchecked` for a contiguous tensor (nothing to copy, so nothing to refuse).
    func fillContiguous(_ value: Double) {
        switch dtype {
        case .float32: ag_fill_f32(pointer(Float.self), Float(value), Int64(count))
        case .float64: ag_fill_f64(pointer(Double.self), value, Int64(count))
        case .int64: pointer(Int64.self).update(repeating: Int64(saturating: value), count: count)
        case .bool: pointer(Bool.self).update(repeating: value != 0, count: count)
        default:
            // The value converted as a cast from float64 converts it, then repeated.
            var v = value, element: UInt64 = 0
            _ = ag_cast(&v, DType.float64.kernelCode, &element, dtype.kernelCode, 1)
            ag_fill_pattern(rawPointer, &element, Int32(dtype.byteSize), Int64(count))
        }
    }

    /// self += other for same-shaped floating tensors, without recording or
    /// checks (gradient accumulation); bumps the version.
    func addInPlaceUnchecked(_ other: Tensor) throws {
        // Same shapes merge into one dimension: this cannot throw.
        var bc = try! Shape.descriptor(out: shape, a: shape, b: other.shape)
        let o = try (other.dtype == dtype ? other : other.to(dtype)).contiguousData
        switch dtype {
        case .float32: ag_add_forward_f32(pointer(Float.self), o.pointer(Float.self), pointer(Float.self), &bc)
        case .float64: ag_add_forward_f64(pointer(Double.self), o.pointer(Double.self), pointer(Double.self), &bc)
        case .float16, .bfloat16:
            // Added in float32 and rounded once, as PyTorch accumulates a half gradient.
            let w = try castUnrecorded(to: .float32)
            try w.addInPlaceUnchecked(o.castUnrecorded(to: .float32))
            try Tensor.castElements(from: w, into: self)
            return bumpVersion()
        default: break
        }
        bumpVersion()
    }
}

extension Int64 {
    /// A Double converted without trapping: NaN and out-of-range values give
    /// Int64.min (x86's cvttsd2si, which PyTorch's casts produce).
    init(saturating value: Double) {
        self = Int64(exactly: value.rounded(.towardZero)) ?? .min
    }
}
