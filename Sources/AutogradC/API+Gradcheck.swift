import Autograd
import CAutograd

// gradcheck / gradgradcheck of a C-defined Function or a library op.

/// `f` as gradcheck takes it: the tensor arguments are the inputs, the
/// non-tensor ones stay fixed.
private func checked(_ values: [Argument], _ f: @escaping ([Argument]) throws -> [Tensor])
    -> (inputs: [Tensor], function: ([Tensor]) throws -> [Tensor]) {
    var positions = [Int]()
    var inputs = [Tensor]()
    for (i, v) in values.enumerated() { if case .tensor(let t) = v { positions.append(i); inputs.append(t) } }
    let function: ([Tensor]) throws -> [Tensor] = { xs in
        var args = values
        for (k, i) in positions.enumerated() { args[i] = .tensor(xs[k]) }
        return try f(args)
    }
    return (inputs, function)
}

private func run(_ passed: UnsafeMutablePointer<Bool>?, _ eps: Double, _ atol: Double, _ rtol: Double, _ fn: String,
                 second: Bool, _ values: [Argument], _ f: @escaping ([Argument]) throws -> [Tensor]) throws {
    passed?.pointee = false
    guard eps > 0, atol >= 0, rtol >= 0 else {
        throw CAPIFailure(AUTOGRAD_ERROR_INVALID_ARGUMENT, "\(fn): eps must be positive and atol, rtol non-negative (got eps \(eps), atol \(atol), rtol \(rtol))")
    }
    let (inputs, function) = checked(values, f)
    guard inputs.contains(where: { $0.requiresGrad }) else {
        throw CAPIFailure(AUTOGRAD_ERROR_INVALID_ARGUMENT, "\(fn): gradcheck expects at least one input tensor to require gradient, but none of the them have requires_grad=True.")
    }
    if second {
        try gradgradcheck(function, inputs: inputs, eps: eps, atol: atol, rtol: rtol)
    } else {
        try gradcheck(function, inputs: inputs, eps: eps, atol: atol, rtol: rtol)
    }
    passed?.pointee = true
}

@c @implementation
public func autograd_gradcheck(_ function: OpaquePointer?, _ args: OpaquePointer?, _ eps: Double, _ atol: Double,
                               _ rtol: Double, _ passed: UnsafeMutablePointer<Bool>?) -> autograd_status_t {
    capi {
        let fn = cName(#function)
        let reg = try functionArg(function, "function", fn)
        let values = try argsArg(args, "args", fn).values
        try run(passed, eps, atol, rtol, fn, second: false, values) { try reg.apply($0) }
    }
}

@c @implementation
public func autograd_gradgradcheck(_ function: OpaquePointer?, _ args: OpaquePointer?, _ eps: Double, _ atol: Double,
                                   _ rtol: Double, _ passed: UnsafeMutablePointer<Bool>?) -> autograd_status_t {
    capi {
        let fn = cName(#function)
        let reg = try functionArg(function, "function", fn)
        let values = try argsArg(args, "args", fn).values
        try run(passed, eps, atol, rtol, fn, second: true, values) { try reg.apply($0) }
    }
}

@c @implementation
public func autograd_gradcheck_op(_ name: UnsafePointer<CChar>?, _ args: OpaquePointer?, _ eps: Double, _ atol: Double,
                                  _ rtol: Double, _ passed: UnsafeMutablePointer<Bool>?) -> autograd_status_t {
    capi {
        let fn = cName(#function)
        let op = try OpTable.lookup(try stringArg(name, "name", fn), fn)
        let values = try argsArg(args, "args", fn).values
        try run(passed, eps, atol, rtol, fn, second: false, values) { try op.run(try OpArgs($0, op)) }
    }
}
