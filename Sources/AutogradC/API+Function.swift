import Autograd
import CAutograd

// Custom Functions from C: registration, apply, and the context API their
// callbacks use.

/// Stores `tensors` as new handles into outputs[0..<capacity], or fails with
/// BUFFER_TOO_SMALL (having written the count).
func storeOutputs(_ tensors: [Tensor], _ outputs: UnsafeMutablePointer<OpaquePointer?>?, _ capacity: Int,
                  _ count: UnsafeMutablePointer<Int>, _ fn: String) throws {
    count.pointee = tensors.count
    guard capacity >= tensors.count else {
        throw CAPIFailure(AUTOGRAD_ERROR_BUFFER_TOO_SMALL, "\(fn): \(tensors.count) outputs do not fit in capacity \(capacity)")
    }
    guard tensors.isEmpty || outputs != nil else { throw CAPIFailure(AUTOGRAD_ERROR_NULL_ARGUMENT, "\(fn): outputs is NULL") }
    for (i, t) in tensors.enumerated() { outputs![i] = try newHandle(t) }
}

@c @implementation
public func autograd_function_new(_ name: UnsafePointer<CChar>?, _ forward: autograd_forward_callback_t?,
                                  _ backward: autograd_backward_callback_t?, _ userData: UnsafeMutableRawPointer?,
                                  _ destroy: autograd_destructor_t?,
                                  _ out: UnsafeMutablePointer<OpaquePointer?>?) -> autograd_status_t {
    capi {
        let fn = cName(#function)
        let out = try outArg(out, "out", fn)
        let name = try stringArg(name, "name", fn)
        guard let forward else { throw CAPIFailure(AUTOGRAD_ERROR_NULL_ARGUMENT, "\(fn): forward is NULL") }
        guard let backward else { throw CAPIFailure(AUTOGRAD_ERROR_NULL_ARGUMENT, "\(fn): backward is NULL") }
        guard !name.isEmpty else { throw CAPIFailure(AUTOGRAD_ERROR_INVALID_ARGUMENT, "\(fn): name is empty") }
        let reg = CFunctionRegistration(name: name, forward: forward, backward: backward, userData: userData, destroy: destroy)
        out.pointee = try HandleRegistry.shared.make(FunctionHandle(reg), .function)
    }
}

@c @implementation
public func autograd_function_free(_ function: OpaquePointer?) {
    if !HandleRegistry.shared.free(function, .function) {
        ThreadState.current.setError("autograd_function_free: function is not a live autograd_function_t handle (freed twice?)")
    }
}

@c @implementation
public func autograd_function_set_once_differentiable(_ function: OpaquePointer?, _ value: Bool) -> autograd_status_t {
    capi { try functionArg(function, "function", cName(#function)).onceDifferentiable = value }
}

@c @implementation
public func autograd_function_apply(_ function: OpaquePointer?, _ args: OpaquePointer?,
                                    _ outputs: UnsafeMutablePointer<OpaquePointer?>?, _ capacity: Int,
                                    _ nOutputs: UnsafeMutablePointer<Int>?) -> autograd_status_t {
    capi {
        let fn = cName(#function)
        let count = try outArg(nOutputs, "n_outputs", fn)
        let reg = try functionArg(function, "function", fn)
        let a = try argsArg(args, "args", fn)
        try storeOutputs(try reg.apply(a.values), outputs, capacity, count, fn)
    }
}

// MARK: The context

private func context(_ ctx: OpaquePointer?, _ fn: String, _ body: (Context) throws -> Void) -> autograd_status_t {
    capi { try body(try contextArg(ctx, "ctx", fn).context) }
}

@c @implementation
public func autograd_context_save_for_backward(_ ctx: OpaquePointer?, _ tensors: UnsafePointer<OpaquePointer?>?,
                                               _ count: Int) -> autograd_status_t {
    let fn = cName(#function)
    return context(ctx, fn) { $0.saveForBackward(try tensorArray(tensors, count, "tensors", fn)) }
}

@c @implementation
public func autograd_context_saved_tensors(_ ctx: OpaquePointer?, _ out: UnsafeMutablePointer<OpaquePointer?>?,
                                           _ capacity: Int, _ count: UnsafeMutablePointer<Int>?) -> autograd_status_t {
    let fn = cName(#function)
    return context(ctx, fn) { c in
        let count = try outArg(count, "count", fn)
        try storeOutputs(try c.savedTensors, out, capacity, count, fn)
    }
}

@c @implementation
public func autograd_context_num_inputs(_ ctx: OpaquePointer?, _ out: UnsafeMutablePointer<Int>?) -> autograd_status_t {
    let fn = cName(#function)
    return context(ctx, fn) { try outArg(out, "out", fn).pointee = $0.needsInputGrad.count }
}

@c @implementation
public func autograd_context_needs_input_grad(_ ctx: OpaquePointer?, _ index: Int, _ out: UnsafeMutablePointer<Bool>?) -> autograd_status_t {
    let fn = cName(#function)
    return context(ctx, fn) { c in
        let out = try outArg(out, "out", fn)
        let flags = c.needsInputGrad
        guard index >= 0 && index < flags.count else {
            throw CAPIFailure(AUTOGRAD_ERROR_INVALID_ARGUMENT, "\(fn): index \(index) is out of range for \(flags.count) inputs")
        }
        out.pointee = flags[index]
    }
}

@c @implementation
public func autograd_context_set_int64(_ ctx: OpaquePointer?, _ key: UnsafePointer<CChar>?, _ value: Int64) -> autograd_status_t {
    let fn = cName(#function)
    return context(ctx, fn) { $0.set(try stringArg(key, "key", fn), value) }
}

@c @implementation
public func autograd_context_set_double(_ ctx: OpaquePointer?, _ key: UnsafePointer<CChar>?, _ value: Double) -> autograd_status_t {
    let fn = cName(#function)
    return context(ctx, fn) { $0.set(try stringArg(key, "key", fn), value) }
}

@c @implementation
public func autograd_context_set_string(_ ctx: OpaquePointer?, _ key: UnsafePointer<CChar>?,
                                        _ value: UnsafePointer<CChar>?) -> autograd_status_t {
    let fn = cName(#function)
    return context(ctx, fn) { $0.set(try stringArg(key, "key", fn), try stringArg(value, "value", fn)) }
}

@c @implementation
public func autograd_context_get_int64(_ ctx: OpaquePointer?, _ key: UnsafePointer<CChar>?,
                                       _ out: UnsafeMutablePointer<Int64>?) -> autograd_status_t {
    let fn = cName(#function)
    return context(ctx, fn) { c in
        let out = try outArg(out, "out", fn)
        out.pointee = try c.get(try stringArg(key, "key", fn), as: Int64.self)
    }
}

@c @implementation
public func autograd_context_get_double(_ ctx: OpaquePointer?, _ key: UnsafePointer<CChar>?,
                                        _ out: UnsafeMutablePointer<Double>?) -> autograd_status_t {
    let fn = cName(#function)
    return context(ctx, fn) { c in
        let out = try outArg(out, "out", fn)
        out.pointee = try c.get(try stringArg(key, "key", fn), as: Double.self)
    }
}

@c @implementation
public func autograd_context_get_string(_ ctx: OpaquePointer?, _ key: UnsafePointer<CChar>?,
                                        _ out: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?) -> autograd_status_t {
    let fn = cName(#function)
    return context(ctx, fn) { c in
        let out = try outArg(out, "out", fn)
        out.pointee = mallocString(try c.get(try stringArg(key, "key", fn), as: String.self))
    }
}

@c @implementation
public func autograd_context_mark_non_differentiable(_ ctx: OpaquePointer?, _ tensors: UnsafePointer<OpaquePointer?>?,
                                                     _ count: Int) -> autograd_status_t {
    let fn = cName(#function)
    return context(ctx, fn) { c in for t in try tensorArray(tensors, count, "tensors", fn) { c.markNonDifferentiable(t) } }
}

@c @implementation
public func autograd_context_mark_dirty(_ ctx: OpaquePointer?, _ tensors: UnsafePointer<OpaquePointer?>?,
                                       _ count: Int) -> autograd_status_t {
    let fn = cName(#function)
    return context(ctx, fn) { c in for t in try tensorArray(tensors, count, "tensors", fn) { c.markDirty(t) } }
}

@c @implementation
public func autograd_context_set_materialize_grads(_ ctx: OpaquePointer?, _ value: Bool) -> autograd_status_t {
    context(ctx, cName(#function)) { $0.setMaterializeGrads(value) }
}

@c @implementation
public func autograd_context_set_error(_ ctx: OpaquePointer?, _ message: UnsafePointer<CChar>?) -> autograd_status_t {
    capi {
        let fn = cName(#function)
        let box = try contextArg(ctx, "ctx", fn)
        box.error = try stringArg(message, "message", fn)
    }
}
