#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import Autograd
import AutogradKernels
import CAutograd

// Tensors: creation from C buffers, shape, dtype, data, requires-grad, grad.

func dtype(_ code: autograd_dtype_t, _ fn: String) throws -> DType {
    switch code {
    case AUTOGRAD_FLOAT32: return .float32
    case AUTOGRAD_FLOAT64: return .float64
    case AUTOGRAD_INT64: return .int64
    case AUTOGRAD_BOOL: return .bool
    case AUTOGRAD_UINT8: return .uint8
    case AUTOGRAD_INT8: return .int8
    case AUTOGRAD_INT16: return .int16
    case AUTOGRAD_INT32: return .int32
    case AUTOGRAD_FLOAT16: return .float16
    case AUTOGRAD_BFLOAT16: return .bfloat16
    default: throw CAPIFailure(AUTOGRAD_ERROR_INVALID_ARGUMENT, "\(fn): unknown dtype \(code)")
    }
}

func dtypeCode(_ d: DType) -> autograd_dtype_t {
    switch d {
    case .float32: AUTOGRAD_FLOAT32
    case .float64: AUTOGRAD_FLOAT64
    case .int64: AUTOGRAD_INT64
    case .bool: AUTOGRAD_BOOL
    case .uint8: AUTOGRAD_UINT8
    case .int8: AUTOGRAD_INT8
    case .int16: AUTOGRAD_INT16
    case .int32: AUTOGRAD_INT32
    case .float16: AUTOGRAD_FLOAT16
    case .bfloat16: AUTOGRAD_BFLOAT16
    }
}

/// A checked shape: no negative sizes, and an element count that fits.
func shapeArg(_ p: UnsafePointer<Int64>?, _ ndim: Int, _ fn: String) throws -> [Int] {
    let shape = try intList(p, ndim, "shape", fn)
    var n = 1
    for s in shape {
        guard s >= 0 else {
            throw CAPIFailure(AUTOGRAD_ERROR_INVALID_ARGUMENT, "\(fn): Trying to create tensor with negative dimension \(s): [\(shape.map(String.init).joined(separator: ", "))]")
        }
        let (m, overflow) = n.multipliedReportingOverflow(by: s)
        guard !overflow, m < (1 << 40) else {
            throw CAPIFailure(AUTOGRAD_ERROR_INVALID_ARGUMENT, "\(fn): shape [\(shape.map(String.init).joined(separator: ", "))] is too large")
        }
        n = m
    }
    return shape
}

/// Byte-wise copy of `tensor`'s elements (any dtype) into `buffer`.
private func copyBytes(_ t: Tensor, _ buffer: UnsafeMutableRawPointer) throws {
    switch t.dtype {
    case .float32: try t.withUnsafeBufferPointer(as: Float.self) { buffer.copyMemory(from: $0.baseAddress!, byteCount: $0.count * 4) }
    case .float64: try t.withUnsafeBufferPointer(as: Double.self) { buffer.copyMemory(from: $0.baseAddress!, byteCount: $0.count * 8) }
    case .int64: try t.withUnsafeBufferPointer(as: Int64.self) { buffer.copyMemory(from: $0.baseAddress!, byteCount: $0.count * 8) }
    case .bool: try t.withUnsafeBufferPointer(as: Bool.self) { buffer.copyMemory(from: $0.baseAddress!, byteCount: $0.count) }
    case .uint8: try t.withUnsafeBufferPointer(as: UInt8.self) { buffer.copyMemory(from: $0.baseAddress!, byteCount: $0.count) }
    case .int8: try t.withUnsafeBufferPointer(as: Int8.self) { buffer.copyMemory(from: $0.baseAddress!, byteCount: $0.count) }
    case .int16: try t.withUnsafeBufferPointer(as: Int16.self) { buffer.copyMemory(from: $0.baseAddress!, byteCount: $0.count * 2) }
    case .int32: try t.withUnsafeBufferPointer(as: Int32.self) { buffer.copyMemory(from: $0.baseAddress!, byteCount: $0.count * 4) }
    case .float16, .bfloat16:
        try t.withUnsafeBufferPointer(as: UInt16.self) { buffer.copyMemory(from: $0.baseAddress!, byteCount: $0.count * 2) }
    }
}

/// A borrowed pointer is only meaningful for elements laid out densely: a
/// strided view's elements are not at pointer[0..<count].
func requireContiguous(_ t: Tensor, _ fn: String) throws {
    guard t.isContiguous else {
        throw AutogradError.invalidArgument(
            "\(fn): the tensor is a strided view (shape \(t.shape), strides \(t.strides)); a pointer to its elements needs a contiguous tensor: make one with the \"contiguous\" op, or copy the values out with autograd_tensor_copy_data")
    }
}

/// The base address of `t`'s elements (read-only use), nil when empty.
func baseAddress(_ t: Tensor) throws -> UnsafeRawPointer? {
    guard t.count > 0 else { return nil }
    try requireContiguous(t, "autograd_tensor_data")
    switch t.dtype {
    case .float32: return try t.withUnsafeBufferPointer(as: Float.self) { UnsafeRawPointer($0.baseAddress) }
    case .float64: return try t.withUnsafeBufferPointer(as: Double.self) { UnsafeRawPointer($0.baseAddress) }
    case .int64: return try t.withUnsafeBufferPointer(as: Int64.self) { UnsafeRawPointer($0.baseAddress) }
    case .bool: return try t.withUnsafeBufferPointer(as: Bool.self) { UnsafeRawPointer($0.baseAddress) }
    case .uint8: return try t.withUnsafeBufferPointer(as: UInt8.self) { UnsafeRawPointer($0.baseAddress) }
    case .int8: return try t.withUnsafeBufferPointer(as: Int8.self) { UnsafeRawPointer($0.baseAddress) }
    case .int16: return try t.withUnsafeBufferPointer(as: Int16.self) { UnsafeRawPointer($0.baseAddress) }
    case .int32: return try t.withUnsafeBufferPointer(as: Int32.self) { UnsafeRawPointer($0.baseAddress) }
    case .float16, .bfloat16: return try t.withUnsafeBufferPointer(as: UInt16.self) { UnsafeRawPointer($0.baseAddress) }
    }
}

@c @implementation
public func autograd_tensor_new(_ data: UnsafeRawPointer?, _ dtype: autograd_dtype_t, _ shape: UnsafePointer<Int64>?,
                                _ ndim: Int, _ out: UnsafeMutablePointer<OpaquePointer?>?) -> autograd_status_t {
    capi {
        let fn = cName(#function)
        let out = try outArg(out, "out", fn)
        let dt = try AutogradC.dtype(dtype, fn)
        let dims = try shapeArg(shape, ndim, fn)
        let t = try Tensor.empty(dims, dtype: dt)
        if t.count > 0 {
            guard let data else { throw CAPIFailure(AUTOGRAD_ERROR_NULL_ARGUMENT, "\(fn): data is NULL") }
            try copyIn(data, into: freshBytes(t), count: t.count, dt)
        }
        out.pointee = try newHandle(t)
    }
}

/// Copies `count` elements of a C caller's buffer into a fresh tensor's
/// memory; bools are normalised (a byte holding 2 is true, as C's bool
/// conversion has it, where a plain copy would read it as false).
func copyIn(_ data: UnsafeRawPointer, into bytes: UnsafeMutableRawPointer, count: Int, _ dt: DType) {
    bytes.copyMemory(from: data, byteCount: count * dt.byteSize)
    if dt == .bool { ag_normalize_bool(bytes.assumingMemoryBound(to: UInt8.self), Int64(count)) }
}

/// The writable base address of a fresh tensor (no version bump, no checks).
func freshBytes(_ t: Tensor) throws -> UnsafeMutableRawPointer {
    UnsafeMutableRawPointer(mutating: try baseAddress(t)!)
}

@c @implementation
public func autograd_tensor_full(_ shape: UnsafePointer<Int64>?, _ ndim: Int, _ value: Double,
                                 _ dtype: autograd_dtype_t, _ out: UnsafeMutablePointer<OpaquePointer?>?) -> autograd_status_t {
    capi {
        let fn = cName(#function)
        let out = try outArg(out, "out", fn)
        let dt = try AutogradC.dtype(dtype, fn)
        let t = try Tensor.full(try shapeArg(shape, ndim, fn), value, dtype: dt)
        out.pointee = try newHandle(t)
    }
}

@c @implementation
public func autograd_tensor_empty(_ shape: UnsafePointer<Int64>?, _ ndim: Int, _ dtype: autograd_dtype_t,
                                  _ out: UnsafeMutablePointer<OpaquePointer?>?) -> autograd_status_t {
    capi {
        let fn = cName(#function)
        let out = try outArg(out, "out", fn)
        let t = try Tensor.empty(try shapeArg(shape, ndim, fn), dtype: try AutogradC.dtype(dtype, fn))
        out.pointee = try newHandle(t)
    }
}

@c @implementation
public func autograd_tensor_free(_ tensor: OpaquePointer?) {
    if !HandleRegistry.shared.free(tensor, .tensor) {
        ThreadState.current.setError("autograd_tensor_free: tensor is not a live autograd_tensor_t handle (freed twice?)")
    }
}

@c @implementation
public func autograd_tensor_ndim(_ tensor: OpaquePointer?, _ out: UnsafeMutablePointer<Int>?) -> autograd_status_t {
    capi {
        let fn = cName(#function)
        let out = try outArg(out, "out", fn)
        out.pointee = try tensorArg(tensor, "tensor", fn).rank
    }
}

@c @implementation
public func autograd_tensor_shape(_ tensor: OpaquePointer?, _ shape: UnsafeMutablePointer<Int64>?, _ capacity: Int,
                                  _ ndim: UnsafeMutablePointer<Int>?) -> autograd_status_t {
    capi {
        let fn = cName(#function)
        let t = try tensorArg(tensor, "tensor", fn)
        try writePerDim(t.shape, into: shape, "shape", capacity: capacity, ndim: ndim, fn)
    }
}

/// Writes one value per dimension (a shape, strides) into `buffer[0..<capacity]`
/// and the number of dimensions into *ndim; BUFFER_TOO_SMALL (with *ndim
/// written) when capacity is short.
func writePerDim(_ values: [Int], into buffer: UnsafeMutablePointer<Int64>?, _ what: String, capacity: Int,
                 ndim: UnsafeMutablePointer<Int>?, _ fn: String) throws {
    let ndim = try outArg(ndim, "ndim", fn)
    ndim.pointee = values.count
    guard capacity >= values.count else {
        throw CAPIFailure(AUTOGRAD_ERROR_BUFFER_TOO_SMALL, "\(fn): capacity \(capacity) is smaller than the tensor's \(values.count) dimensions")
    }
    guard values.isEmpty || buffer != nil else { throw CAPIFailure(AUTOGRAD_ERROR_NULL_ARGUMENT, "\(fn): \(what) is NULL") }
    for (i, v) in values.enumerated() { buffer![i] = Int64(v) }
}

@c @implementation
public func autograd_tensor_numel(_ tensor: OpaquePointer?, _ out: UnsafeMutablePointer<Int>?) -> autograd_status_t {
    capi {
        let fn = cName(#function)
        let out = try outArg(out, "out", fn)
        out.pointee = try tensorArg(tensor, "tensor", fn).count
    }
}

@c @implementation
public func autograd_tensor_dtype(_ tensor: OpaquePointer?, _ out: UnsafeMutablePointer<autograd_dtype_t>?) -> autograd_status_t {
    capi {
        let fn = cName(#function)
        let out = try outArg(out, "out", fn)
        out.pointee = dtypeCode(try tensorArg(tensor, "tensor", fn).dtype)
    }
}

@c @implementation
public func autograd_tensor_copy_data(_ tensor: OpaquePointer?, _ buffer: UnsafeMutableRawPointer?,
                                      _ byteCapacity: Int) -> autograd_status_t {
    capi {
        let fn = cName(#function)
        let t = try tensorArg(tensor, "tensor", fn)
        let bytes = t.count * t.dtype.byteSize
        guard byteCapacity >= bytes else {
            throw CAPIFailure(AUTOGRAD_ERROR_BUFFER_TOO_SMALL, "\(fn): the buffer holds \(byteCapacity) bytes; the tensor's \(t.count) \(t.dtype.rawValue) elements need \(bytes)")
        }
        guard bytes > 0 else { return }
        guard let buffer else { throw CAPIFailure(AUTOGRAD_ERROR_NULL_ARGUMENT, "\(fn): buffer is NULL") }
        try copyBytes(t, buffer)
    }
}

/// The checks of an element-counted copy: *count gets numel; the buffer
/// must hold it; nil when there is nothing to copy.
private func elementBuffer<P>(_ buffer: P?, _ capacity: Int, for t: Tensor, _ count: UnsafeMutablePointer<Int>?,
                              _ fn: String) throws -> P? {
    count?.pointee = t.count
    guard capacity >= t.count else {
        throw CAPIFailure(AUTOGRAD_ERROR_BUFFER_TOO_SMALL, "\(fn): capacity \(capacity) is smaller than the tensor's \(t.count) elements")
    }
    guard t.count > 0 else { return nil }
    guard let buffer else { throw CAPIFailure(AUTOGRAD_ERROR_NULL_ARGUMENT, "\(fn): buffer is NULL") }
    return buffer
}

@c @implementation
public func autograd_tensor_copy_elements(_ tensor: OpaquePointer?, _ buffer: UnsafeMutableRawPointer?, _ capacity: Int,
                                          _ count: UnsafeMutablePointer<Int>?) -> autograd_status_t {
    capi {
        let fn = cName(#function)
        let t = try tensorArg(tensor, "tensor", fn)
        guard let buffer = try elementBuffer(buffer, capacity, for: t, count, fn) else { return }
        try copyBytes(t, buffer)
    }
}

@c @implementation
public func autograd_tensor_copy_f64(_ tensor: OpaquePointer?, _ buffer: UnsafeMutablePointer<Double>?, _ capacity: Int,
                                     _ count: UnsafeMutablePointer<Int>?) -> autograd_status_t {
    capi {
        let fn = cName(#function)
        let t = try tensorArg(tensor, "tensor", fn)
        guard let buffer = try elementBuffer(buffer, capacity, for: t, count, fn) else { return }
        let values = t.toArray()
        buffer.update(from: values, count: values.count)
    }
}

@c @implementation
public func autograd_tensor_data(_ tensor: OpaquePointer?, _ out: UnsafeMutablePointer<UnsafeRawPointer?>?) -> autograd_status_t {
    capi {
        let fn = cName(#function)
        let out = try outArg(out, "out", fn)
        out.pointee = try baseAddress(try tensorArg(tensor, "tensor", fn))
    }
}

@c @implementation
public func autograd_tensor_mutable_data(_ tensor: OpaquePointer?,
                                         _ out: UnsafeMutablePointer<UnsafeMutableRawPointer?>?) -> autograd_status_t {
    capi {
        let fn = cName(#function)
        let out = try outArg(out, "out", fn)
        let t = try tensorArg(tensor, "tensor", fn)
        if t.count > 0 { try requireContiguous(t, fn) }
        // The checked, version-bumping path of the Swift API.
        let p: UnsafeMutableRawPointer? = switch t.dtype {
        case .float32: try t.withUnsafeMutableBufferPointer(as: Float.self) { UnsafeMutableRawPointer($0.baseAddress) }
        case .float64: try t.withUnsafeMutableBufferPointer(as: Double.self) { UnsafeMutableRawPointer($0.baseAddress) }
        case .int64: try t.withUnsafeMutableBufferPointer(as: Int64.self) { UnsafeMutableRawPointer($0.baseAddress) }
        case .bool: try t.withUnsafeMutableBufferPointer(as: Bool.self) { UnsafeMutableRawPointer($0.baseAddress) }
        case .uint8: try t.withUnsafeMutableBufferPointer(as: UInt8.self) { UnsafeMutableRawPointer($0.baseAddress) }
        case .int8: try t.withUnsafeMutableBufferPointer(as: Int8.self) { UnsafeMutableRawPointer($0.baseAddress) }
        case .int16: try t.withUnsafeMutableBufferPointer(as: Int16.self) { UnsafeMutableRawPointer($0.baseAddress) }
        case .int32: try t.withUnsafeMutableBufferPointer(as: Int32.self) { UnsafeMutableRawPointer($0.baseAddress) }
        case .float16, .bfloat16: try t.withUnsafeMutableBufferPointer(as: UInt16.self) { UnsafeMutableRawPointer($0.baseAddress) }
        }
        out.pointee = t.count > 0 ? p : nil
    }
}

@c @implementation
public func autograd_tensor_item(_ tensor: OpaquePointer?, _ out: UnsafeMutablePointer<Double>?) -> autograd_status_t {
    capi {
        let fn = cName(#function)
        let out = try outArg(out, "out", fn)
        let t = try tensorArg(tensor, "tensor", fn)
        let value = try t.item()
        // An int64 that a double cannot hold exactly is refused, not rounded.
        if t.dtype == .int64, let exact = try t.ints().first, Double(exactly: exact) == nil {
            throw CAPIFailure(AUTOGRAD_ERROR_INVALID_ARGUMENT,
                              "\(fn): the int64 value \(exact) has no exact double; use autograd_tensor_item_int64")
        }
        out.pointee = value
    }
}

@c @implementation
public func autograd_tensor_item_int64(_ tensor: OpaquePointer?, _ out: UnsafeMutablePointer<Int64>?) -> autograd_status_t {
    capi {
        let fn = cName(#function)
        let out = try outArg(out, "out", fn)
        let t = try tensorArg(tensor, "tensor", fn)
        let value = try t.item()  // one element, PyTorch's message otherwise
        switch t.dtype {
        case .int64: out.pointee = Int64(try t.ints()[0])
        case .bool: out.pointee = value != 0 ? 1 : 0
        default:
            throw CAPIFailure(AUTOGRAD_ERROR_INVALID_ARGUMENT,
                              "\(fn): tensor has dtype \(t.dtype), not int64 or bool; use autograd_tensor_item")
        }
    }
}

@c @implementation
public func autograd_tensor_set_requires_grad(_ tensor: OpaquePointer?, _ requiresGrad: Bool) -> autograd_status_t {
    capi { try tensorArg(tensor, "tensor", cName(#function)).requiresGrad(requiresGrad) }
}

@c @implementation
public func autograd_tensor_requires_grad(_ tensor: OpaquePointer?, _ out: UnsafeMutablePointer<Bool>?) -> autograd_status_t {
    capi {
        let fn = cName(#function)
        let out = try outArg(out, "out", fn)
        out.pointee = try tensorArg(tensor, "tensor", fn).requiresGrad
    }
}

@c @implementation
public func autograd_tensor_is_leaf(_ tensor: OpaquePointer?, _ out: UnsafeMutablePointer<Bool>?) -> autograd_status_t {
    capi {
        let fn = cName(#function)
        let out = try outArg(out, "out", fn)
        out.pointee = try tensorArg(tensor, "tensor", fn).isLeaf
    }
}

@c @implementation
public func autograd_tensor_grad(_ tensor: OpaquePointer?, _ out: UnsafeMutablePointer<OpaquePointer?>?) -> autograd_status_t {
    capi {
        let fn = cName(#function)
        let out = try outArg(out, "out", fn)
        out.pointee = try tensorArg(tensor, "tensor", fn).grad.map(newHandle)
    }
}

@c @implementation
public func autograd_tensor_set_grad_to_none(_ tensor: OpaquePointer?) -> autograd_status_t {
    capi { try tensorArg(tensor, "tensor", cName(#function)).grad = nil }
}

@c @implementation
public func autograd_tensor_zero_grad(_ tensor: OpaquePointer?) -> autograd_status_t {
    capi {
        guard let g = try tensorArg(tensor, "tensor", cName(#function)).grad else { return }
        try withNoGrad { _ = try g.zero_() }
    }
}

@c @implementation
public func autograd_tensor_detach(_ tensor: OpaquePointer?, _ out: UnsafeMutablePointer<OpaquePointer?>?) -> autograd_status_t {
    capi {
        let fn = cName(#function)
        let out = try outArg(out, "out", fn)
        out.pointee = try newHandle(try tensorArg(tensor, "tensor", fn).detach())
    }
}

@c @implementation
public func autograd_tensor_share(_ tensor: OpaquePointer?, _ out: UnsafeMutablePointer<OpaquePointer?>?) -> autograd_status_t {
    capi {
        let fn = cName(#function)
        let out = try outArg(out, "out", fn)
        out.pointee = try newHandle(try tensorArg(tensor, "tensor", fn))
    }
}

@c @implementation
public func autograd_tensor_to_string(_ tensor: OpaquePointer?,
                                      _ out: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?) -> autograd_status_t {
    capi {
        let fn = cName(#function)
        let out = try outArg(out, "out", fn)
        out.pointee = mallocString(try tensorArg(tensor, "tensor", fn).description)
    }
}
