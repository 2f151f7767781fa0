import Autograd
import CAutograd

// backward and grad.

/// `retain_graph` as the Swift API takes it: nil for the default.
private func retainFlag(_ value: Int32, _ fn: String) throws -> Bool? {
    switch value {
    case 0: return false
    case 1: return true
    case AUTOGRAD_RETAIN_DEFAULT: return nil
    default:
        throw CAPIFailure(AUTOGRAD_ERROR_INVALID_ARGUMENT,
                          "\(fn): retain_graph must be 0, 1 or AUTOGRAD_RETAIN_DEFAULT (-1), got \(value)")
    }
}

@c @implementation
public func autograd_backward(_ tensor: OpaquePointer?, _ gradient: OpaquePointer?, _ retainGraph: Int32,
                              _ createGraph: Bool) -> autograd_status_t {
    capi {
        let fn = cName(#function)
        let t = try tensorArg(tensor, "tensor", fn)
        let g = try gradient.map { try tensorArg($0, "gradient", fn) }
        try t.backward(gradient: g, retainGraph: try retainFlag(retainGraph, fn), createGraph: createGraph)
    }
}

@c @implementation
public func autograd_grad(_ outputs: UnsafePointer<OpaquePointer?>?, _ nOutputs: Int,
                          _ inputs: UnsafePointer<OpaquePointer?>?, _ nInputs: Int,
                          _ gradOutputs: UnsafePointer<OpaquePointer?>?, _ retainGraph: Int32,
                          _ createGraph: Bool, _ allowUnused: Bool,
                          _ grads: UnsafeMutablePointer<OpaquePointer?>?) -> autograd_status_t {
    capi {
        let fn = cName(#function)
        let outs = try tensorArray(outputs, nOutputs, "outputs", fn)
        let ins = try tensorArray(inputs, nInputs, "inputs", fn)
        guard nInputs == 0 || grads != nil else { throw CAPIFailure(AUTOGRAD_ERROR_NULL_ARGUMENT, "\(fn): grads is NULL") }
        var gouts: [Tensor?]? = nil
        if let gradOutputs {
            gouts = try (0..<nOutputs).map { i in try gradOutputs[i].map { try tensorArg($0, "grad_outputs[\(i)]", fn) } }
        }
        let result = try grad(outputs: outs, inputs: ins, gradOutputs: gouts, retainGraph: try retainFlag(retainGraph, fn),
                              createGraph: createGraph, allowUnused: allowUnused)
        for (i, g) in result.enumerated() { grads![i] = try g.map { try newHandle($0) } }
    }
}
