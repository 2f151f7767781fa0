@_spi(CInterop) import Autograd
import CAutograd

// Hooks from C: on a tensor's gradient, and before and after its grad_fn
// node's backward (PyTorch's register_hook, grad_fn.register_prehook and
// grad_fn.register_hook); retain_grad; the grad_fn's name.

/// A hook's user data, held by the Swift closure that the tensor or node
/// keeps; `destroy(userData)` runs once, when that closure is freed.
final class CHookData: @unchecked Sendable {
    let userData: UnsafeMutableRawPointer?
    let destroy: autograd_destructor_t?
    init(_ userData: UnsafeMutableRawPointer?, _ destroy: autograd_destructor_t?) {
        self.userData = userData
        self.destroy = destroy
    }
    deinit { destroy?(userData) }
}

private func shapeText(_ t: Tensor) -> String { "[" + t.shape.map(String.init).joined(separator: ", ") + "]" }

private func typeName(_ d: DType) -> String { d.legacyTypeName }

/// Runs one hook callback. `lent` is lent to it as handles (freed when it
/// returns); it gets one replacement slot per entry of `originals`, NULL on
/// entry, and the library owns whatever it stores there. Returns `originals`
/// with the replacements in place, or nil when it replaced nothing. A
/// replacement must keep the dtype and shape of the gradient it replaces, as
/// PyTorch checks. A failing callback throws: a library failure it passes on
/// as it is, anything else as "<what> failed: <why>".
private func runHook(_ what: String, lending lent: [Tensor?], replacing originals: [Tensor?],
                     _ call: (OpaquePointer, UnsafePointer<OpaquePointer?>, UnsafeMutablePointer<OpaquePointer?>) -> autograd_status_t)
    throws -> [Tensor?]? {
    let registry = HandleRegistry.shared
    let handles = try lent.map { try $0.map { try newHandle($0) } } + [nil]  // never empty: a valid base address
    var slots = [OpaquePointer?](repeating: nil, count: originals.count + 1)
    let state = ThreadState.current
    let failuresBefore = state.failures
    let context = HookContextHandle()
    let contextHandle = try registry.make(context, .hookContext)
    state.hookErrors.append(nil)  // for autograd_hook_set_error, the context-free form
    let code = handles.withUnsafeBufferPointer { h in
        slots.withUnsafeMutableBufferPointer { s in call(contextHandle, h.baseAddress!, s.baseAddress!) }
    }
    let legacy = state.hookErrors.removeLast()
    let own = context.error ?? legacy
    registry.free(contextHandle, .hookContext)
    for h in handles { registry.free(h, .tensor) }

    var replacements = [Tensor?](repeating: nil, count: originals.count)
    var problem: String? = nil
    for (i, h) in slots.enumerated() {
        guard let h else { continue }
        let t = try? tensorArg(h, "", "")
        registry.free(h, .tensor)
        if i >= originals.count {
            problem = problem ?? "replacements[\(i)] is beyond the \(originals.count) gradients"
        } else if let t {
            replacements[i] = t
        } else {
            problem = problem ?? "replacements[\(i)] is not a live autograd_tensor_t handle"
        }
    }
    if code != AUTOGRAD_OK {
        switch callbackOutcome(code, own: own, failuresBefore: failuresBefore, what: "hook",
                               setter: "autograd_hook_context_set_error") {
        case .passedOn(let error): throw error  // the engine does not wrap a hook's errors
        case .message(let m): throw AutogradError.function("\(what) failed: \(m)")
        }
    }
    if let problem { throw AutogradError.function("\(what) failed: \(problem)") }
    guard replacements.contains(where: { $0 != nil }) else { return nil }
    var result = originals
    for (i, r) in replacements.enumerated() {
        guard let r else { continue }
        guard let old = originals[i] else {
            throw AutogradError.invalidGradient("hook '\(what)': can't replace a None gradient with a non-None value")
        }
        guard r.dtype == old.dtype else {
            throw AutogradError.invalidGradient(
                "hook '\(what)' has changed the type of value (was \(typeName(old.dtype)) got \(typeName(r.dtype)))")
        }
        guard r.shape == old.shape else {
            throw AutogradError.invalidGradient(
                "hook '\(what)' has changed the size of value (was \(shapeText(old)), got \(shapeText(r)))")
        }
        result[i] = r
    }
    return result
}

/// The tensor's grad_fn node; a leaf has none.
private func gradFnArg(_ tensor: OpaquePointer?, _ fn: String) throws -> Context {
    guard let node = try tensorArg(tensor, "tensor", fn).gradFn else {
        throw CAPIFailure(AUTOGRAD_ERROR_INVALID_ARGUMENT, "\(fn): the tensor is a leaf, without a grad_fn")
    }
    return node
}

@c @implementation
public func autograd_tensor_register_hook(_ tensor: OpaquePointer?, _ hook: autograd_tensor_hook_t?,
                                          _ userData: UnsafeMutableRawPointer?,
                                          _ destroy: autograd_destructor_t?) -> autograd_status_t {
    capi {
        let fn = cName(#function)
        let t = try tensorArg(tensor, "tensor", fn)
        guard let hook else { throw CAPIFailure(AUTOGRAD_ERROR_NULL_ARGUMENT, "\(fn): hook is NULL") }
        guard t.requiresGrad else {
            throw AutogradError.invalidArgument("\(fn): cannot register a hook on a tensor that doesn't require gradient")
        }
        let data = CHookData(userData, destroy)
        t.registerHook { g in
            try runHook("tensor hook", lending: [g], replacing: [g]) { ctx, lent, slots in
                hook(ctx, lent[0], slots, data.userData)
            }?[0]
        }
    }
}

@c @implementation
public func autograd_tensor_retain_grad(_ tensor: OpaquePointer?) -> autograd_status_t {
    capi {
        let fn = cName(#function)
        let t = try tensorArg(tensor, "tensor", fn)
        guard t.requiresGrad else {
            throw AutogradError.invalidArgument("\(fn): can't retain_grad on Tensor that has requires_grad=False")
        }
        t.retainGrad()  // a leaf keeps its gradient anyway
    }
}

@c @implementation
public func autograd_tensor_grad_fn_name(_ tensor: OpaquePointer?,
                                         _ out: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?) -> autograd_status_t {
    capi {
        let fn = cName(#function)
        let out = try outArg(out, "out", fn)
        out.pointee = try tensorArg(tensor, "tensor", fn).gradFn.map { mallocString($0.name) }
    }
}

@c @implementation
public func autograd_tensor_grad_fn_register_prehook(_ tensor: OpaquePointer?, _ hook: autograd_node_prehook_t?,
                                                     _ userData: UnsafeMutableRawPointer?,
                                                     _ destroy: autograd_destructor_t?) -> autograd_status_t {
    capi {
        let fn = cName(#function)
        let node = try gradFnArg(tensor, fn)
        guard let hook else { throw CAPIFailure(AUTOGRAD_ERROR_NULL_ARGUMENT, "\(fn): hook is NULL") }
        let data = CHookData(userData, destroy)
        let what = node.name + " pre-hook"
        node.registerPrehook { grads in
            try runHook(what, lending: grads, replacing: grads) { ctx, lent, slots in
                hook(ctx, lent, grads.count, slots, data.userData)
            }
        }
    }
}

@c @implementation
public func autograd_tensor_grad_fn_register_hook(_ tensor: OpaquePointer?, _ hook: autograd_node_hook_t?,
                                                  _ userData: UnsafeMutableRawPointer?,
                                                  _ destroy: autograd_destructor_t?) -> autograd_status_t {
    capi {
        let fn = cName(#function)
        let node = try gradFnArg(tensor, fn)
        guard let hook else { throw CAPIFailure(AUTOGRAD_ERROR_NULL_ARGUMENT, "\(fn): hook is NULL") }
        let data = CHookData(userData, destroy)
        let what = node.name + " hook"
        node.registerHook { gradInputs, gradOutputs in
            try runHook(what, lending: gradInputs + gradOutputs, replacing: gradInputs) { ctx, lent, slots in
                hook(ctx, lent, gradInputs.count, lent + gradInputs.count, gradOutputs.count, slots, data.userData)
            }
        }
    }
}

@c @implementation
public func autograd_hook_context_set_error(_ ctx: OpaquePointer?, _ message: UnsafePointer<CChar>?) -> autograd_status_t {
    capi {
        let fn = cName(#function)
        let context = try HandleRegistry.shared.object(ctx, .hookContext, HookContextHandle.self, "ctx", fn)
        context.error = try stringArg(message, "message", fn)
    }
}

@c @implementation
public func autograd_hook_set_error(_ message: UnsafePointer<CChar>?) -> autograd_status_t {
    capi {
        let fn = cName(#function)
        let text = try stringArg(message, "message", fn)
        let state = ThreadState.current
        guard !state.hookErrors.isEmpty else {
            throw CAPIFailure(AUTOGRAD_ERROR_INVALID_ARGUMENT, "\(fn): no hook is running on this thread")
        }
        state.hookErrors[state.hookErrors.count - 1] = text
    }
}
