@_spi(CInterop) import Autograd
import CAutograd

/// A custom Function registered from C: its name, callbacks and user data.
/// Held by the `autograd_function_t` handle and by every graph node that
/// applied it; `destroy(userData)` runs when the last of them lets go.
final class CFunctionRegistration: @unchecked Sendable {
    let name: String
    let forward: autograd_forward_callback_t
    let backward: autograd_backward_callback_t
    let userData: UnsafeMutableRawPointer?
    let destroy: autograd_destructor_t?
    /// PyTorch's `@once_differentiable`, for the applications that follow
    /// (`autograd_function_set_once_differentiable`).
    var onceDifferentiable = false

    init(name: String, forward: autograd_forward_callback_t, backward: autograd_backward_callback_t,
         userData: UnsafeMutableRawPointer?, destroy: autograd_destructor_t?) {
        self.name = name
        self.forward = forward
        self.backward = backward
        self.userData = userData
        self.destroy = destroy
    }

    deinit { destroy?(userData) }

    /// Applies the Function: forward reads the registration from the thread's
    /// stack of applications in progress.
    func apply(_ arguments: [Argument]) throws -> [Tensor] {
        let state = ThreadState.current
        state.applying.append(self)
        defer { state.applying.removeLast() }
        return try CFunction.apply(arguments: arguments)
    }
}

/// The one Swift Function type behind every Function registered from C. Its
/// nodes carry the registration (a saved value) and the registered name.
enum CFunction: Function {
    typealias Output = [Tensor]
    static let registrationKey = "autograd_c.registration"

    static func forward(_ ctx: Context, _ args: Arguments) throws -> [Tensor] {
        guard let reg = ThreadState.current.applying.last else {
            throw AutogradError.function("CFunction.forward: called outside autograd_function_apply")
        }
        ctx.nameOverride = reg.name + "Backward"
        if reg.onceDifferentiable { ctx.onceDifferentiableOverride = true }
        ctx.set(registrationKey, reg)

        let registry = HandleRegistry.shared
        let ctxBox = ContextHandle(ctx)
        let ctxHandle = try registry.make(ctxBox, .context)
        let argsHandle = try registry.make(ArgsHandle(args.values), .args)
        let capacity = Int(AUTOGRAD_MAX_OUTPUTS)
        var slots = [OpaquePointer?](repeating: nil, count: capacity)
        var count = 0
        let failuresBefore = ThreadState.current.failures
        let code = slots.withUnsafeMutableBufferPointer { buf in
            reg.forward(ctxHandle, argsHandle, buf.baseAddress, capacity, &count, reg.userData)
        }
        registry.free(ctxHandle, .context)
        registry.free(argsHandle, .args)
        // Every stored handle is ours now, also on failure.
        let (outputs, problem) = takeTensors(slots, count: count, capacity: capacity, what: "outputs")
        var message = problem
        if code != AUTOGRAD_OK {
            switch failure(ctxBox, code, failuresBefore, "forward callback") {
            case .passedOn(let error): throw throughEngine(error)
            case .message(let m): message = m
            }
        }
        if message == nil, let i = outputs.firstIndex(where: { $0 == nil }) { message = "outputs[\(i)] is NULL" }
        // A callback that returned nothing (a Python ctypes callback that
        // raised returns 0 and stores nothing) must not look like success.
        if message == nil, outputs.isEmpty { message = "the callback returned no outputs (*n_outputs is 0)" }
        if let message { throw AutogradError.function("\(reg.name).forward failed: \(message)") }
        return outputs.map { $0! }
    }

    static func backward(_ ctx: Context, _ gradOutputs: [Tensor?]) throws -> [Tensor?] {
        let reg = try ctx.get(registrationKey, as: CFunctionRegistration.self)
        let registry = HandleRegistry.shared
        let ctxBox = ContextHandle(ctx)
        let ctxHandle = try registry.make(ctxBox, .context)
        let gradHandles = try gradOutputs.map { g in try g.map { try registry.make(TensorHandle($0), .tensor) } }
        let nInputs = ctx.needsInputGrad.count
        let capacity = Swift.max(nInputs, Int(AUTOGRAD_MAX_OUTPUTS))
        var slots = [OpaquePointer?](repeating: nil, count: capacity)
        var count = nInputs
        let failuresBefore = ThreadState.current.failures
        let code = gradHandles.withUnsafeBufferPointer { grads in
            slots.withUnsafeMutableBufferPointer { buf in
                reg.backward(ctxHandle, grads.baseAddress, grads.count, buf.baseAddress, capacity, &count, reg.userData)
            }
        }
        registry.free(ctxHandle, .context)
        for h in gradHandles { registry.free(h, .tensor) }
        let (grads, problem) = takeTensors(slots, count: count, capacity: capacity, what: "grad_inputs")
        if code != AUTOGRAD_OK {
            switch failure(ctxBox, code, failuresBefore, "backward callback") {
            case .passedOn(let error): throw throughEngine(error)
            case .message(let m): throw CallbackFailure(description: m)
            }
        }
        if let problem { throw CallbackFailure(description: problem) }
        return grads
    }

    /// Takes ownership of every handle a callback stored (freeing them), and
    /// reads the first `count` as tensors (NULL stays nil).
    private static func takeTensors(_ slots: [OpaquePointer?], count: Int, capacity: Int,
                                    what: String) -> (tensors: [Tensor?], problem: String?) {
        let registry = HandleRegistry.shared
        var tensors = [Tensor?]()
        var problem: String? = nil
        if count < 0 || count > capacity {
            problem = "the callback reported \(count) \(what), more than the \(capacity) slots"
        }
        for (i, h) in slots.enumerated() {
            guard let h else {
                if i < count { tensors.append(nil) }
                continue
            }
            let t = try? tensorArg(h, "", "")
            if t == nil, problem == nil { problem = "\(what)[\(i)] is not a live autograd_tensor_t handle" }
            if i < count { tensors.append(t) }
            registry.free(h, .tensor)
        }
        return (tensors, problem)
    }

    /// Why a callback failed: its own message, a library failure it passes
    /// on, the library error it ran into, or its status.
    private static func failure(_ ctx: ContextHandle, _ code: autograd_status_t, _ failuresBefore: Int,
                                _ what: String) -> CallbackOutcome {
        callbackOutcome(code, own: ctx.error, failuresBefore: failuresBefore, what: what,
                        setter: "autograd_context_set_error")
    }
}
