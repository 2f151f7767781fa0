@_spi(CInterop) import Autograd
import CAutograd

// Strides and views in the C API: a tensor from a strided buffer, and what
// a C caller needs to see of a tensor's layout (strides, storage offset,
// contiguity, shared memory).

@c @implementation
public func autograd_tensor_new_strided(_ data: UnsafeRawPointer?, _ dtype: autograd_dtype_t, _ shape: UnsafePointer<Int64>?,
                                        _ strides: UnsafePointer<Int64>?, _ ndim: Int,
                                        _ out: UnsafeMutablePointer<OpaquePointer?>?) -> autograd_status_t {
    capi {
        let fn = cName(#function)
        let out = try outArg(out, "out", fn)
        let dt = try AutogradC.dtype(dtype, fn)
        let dims = try shapeArg(shape, ndim, fn)
        let steps = try intList(strides, ndim, "strides", fn)
        let extent = try stridedExtent(dims, steps, fn)
        let flat = try Tensor.empty([extent], dtype: dt)
        if extent > 0 {
            guard let data else { throw CAPIFailure(AUTOGRAD_ERROR_NULL_ARGUMENT, "\(fn): data is NULL") }
            try copyIn(data, into: freshBytes(flat), count: extent, dt)
        }
        out.pointee = try newHandle(try flat.asStrided(size: dims, stride: steps, storageOffset: 0).contiguous())
    }
}

/// The elements a strided buffer spans, 1 + Σ (size - 1) * stride (none
/// for an empty shape), after checking the strides are non-negative.
private func stridedExtent(_ dims: [Int], _ steps: [Int], _ fn: String) throws -> Int {
    if let s = steps.first(where: { $0 < 0 }) {
        throw CAPIFailure(AUTOGRAD_ERROR_INVALID_ARGUMENT, "\(fn): strides must be non-negative, got \(s)")
    }
    if dims.contains(0) { return 0 }
    var extent = 1
    for (n, s) in zip(dims, steps) {
        let (span, o1) = (n - 1).multipliedReportingOverflow(by: s)
        let (sum, o2) = extent.addingReportingOverflow(span)
        guard !o1, !o2, sum < (1 << 40) else {
            throw CAPIFailure(AUTOGRAD_ERROR_INVALID_ARGUMENT, "\(fn): shape and strides span too many elements")
        }
        extent = sum
    }
    return extent
}

@c @implementation
public func autograd_tensor_from_blob(_ data: UnsafeMutableRawPointer?, _ dtype: autograd_dtype_t,
                                      _ shape: UnsafePointer<Int64>?, _ strides: UnsafePointer<Int64>?, _ ndim: Int,
                                      _ deleter: autograd_deleter_t?, _ userData: UnsafeMutableRawPointer?,
                                      _ out: UnsafeMutablePointer<OpaquePointer?>?) -> autograd_status_t {
    capi {
        let fn = cName(#function)
        let out = try outArg(out, "out", fn)
        let dt = try AutogradC.dtype(dtype, fn)
        let dims = try shapeArg(shape, ndim, fn)
        // Row-major (strides NULL) spans numel elements; shapeArg bounded it.
        let steps = strides == nil ? nil : try intList(strides, ndim, "strides", fn)
        let extent = try steps.map { try stridedExtent(dims, $0, fn) } ?? dims.reduce(1, *)
        guard let data else { throw CAPIFailure(AUTOGRAD_ERROR_NULL_ARGUMENT, "\(fn): data is NULL") }
        guard Int(bitPattern: data) % dt.byteSize == 0 else {
            throw CAPIFailure(AUTOGRAD_ERROR_INVALID_ARGUMENT,
                              "\(fn): data (\(data)) is not aligned to the \(dt.byteSize)-byte elements of \(dt)")
        }
        let t = try Tensor.borrowing(data, byteCount: extent * dt.byteSize, dtype: dt, shape: dims, strides: steps,
                                     deleter: deleter, context: userData)
        out.pointee = try newHandle(t)
    }
}

@c @implementation
public func autograd_tensor_strides(_ tensor: OpaquePointer?, _ strides: UnsafeMutablePointer<Int64>?, _ capacity: Int,
                                    _ ndim: UnsafeMutablePointer<Int>?) -> autograd_status_t {
    capi {
        let fn = cName(#function)
        let t = try tensorArg(tensor, "tensor", fn)
        try writePerDim(t.strides, into: strides, "strides", capacity: capacity, ndim: ndim, fn)
    }
}

@c @implementation
public func autograd_tensor_storage_offset(_ tensor: OpaquePointer?, _ out: UnsafeMutablePointer<Int64>?) -> autograd_status_t {
    capi {
        let fn = cName(#function)
        let out = try outArg(out, "out", fn)
        out.pointee = Int64(try tensorArg(tensor, "tensor", fn).storageOffset)
    }
}

@c @implementation
public func autograd_tensor_is_contiguous(_ tensor: OpaquePointer?, _ out: UnsafeMutablePointer<Bool>?) -> autograd_status_t {
    capi {
        let fn = cName(#function)
        let out = try outArg(out, "out", fn)
        out.pointee = try tensorArg(tensor, "tensor", fn).isContiguous
    }
}

@c @implementation
public func autograd_tensor_is_view(_ tensor: OpaquePointer?, _ out: UnsafeMutablePointer<Bool>?) -> autograd_status_t {
    capi {
        let fn = cName(#function)
        let out = try outArg(out, "out", fn)
        out.pointee = try tensorArg(tensor, "tensor", fn).isView
    }
}

@c @implementation
public func autograd_tensor_shares_storage(_ a: OpaquePointer?, _ b: OpaquePointer?,
                                           _ out: UnsafeMutablePointer<Bool>?) -> autograd_status_t {
    capi {
        let fn = cName(#function)
        let out = try outArg(out, "out", fn)
        out.pointee = try tensorArg(a, "a", fn).sharesStorage(with: try tensorArg(b, "b", fn))
    }
}
