import Autograd
import CAutograd

// The ops with a function of their own in autograd.h. Every op (these
// included) is also reachable by name through `autograd_op`.

private func unary(_ x: OpaquePointer?, _ out: UnsafeMutablePointer<OpaquePointer?>?, _ fn: String,
                   _ op: (Tensor) throws -> Tensor) -> autograd_status_t {
    capi {
        let out = try outArg(out, "out", fn)
        out.pointee = try newHandle(try op(try tensorArg(x, "x", fn)))
    }
}

private func binary(_ a: OpaquePointer?, _ b: OpaquePointer?, _ out: UnsafeMutablePointer<OpaquePointer?>?,
                    _ fn: String, _ op: (Tensor, Tensor) throws -> Tensor) -> autograd_status_t {
    capi {
        let out = try outArg(out, "out", fn)
        out.pointee = try newHandle(try op(try tensorArg(a, "a", fn), try tensorArg(b, "b", fn)))
    }
}

@c @implementation
public func autograd_add(_ a: OpaquePointer?, _ b: OpaquePointer?, _ out: UnsafeMutablePointer<OpaquePointer?>?) -> autograd_status_t {
    binary(a, b, out, cName(#function)) { try $0 + $1 }
}

@c @implementation
public func autograd_sub(_ a: OpaquePointer?, _ b: OpaquePointer?, _ out: UnsafeMutablePointer<OpaquePointer?>?) -> autograd_status_t {
    binary(a, b, out, cName(#function)) { try $0 - $1 }
}

@c @implementation
public func autograd_mul(_ a: OpaquePointer?, _ b: OpaquePointer?, _ out: UnsafeMutablePointer<OpaquePointer?>?) -> autograd_status_t {
    binary(a, b, out, cName(#function)) { try $0 * $1 }
}

@c @implementation
public func autograd_div(_ a: OpaquePointer?, _ b: OpaquePointer?, _ out: UnsafeMutablePointer<OpaquePointer?>?) -> autograd_status_t {
    binary(a, b, out, cName(#function)) { try $0 / $1 }
}

@c @implementation
public func autograd_matmul(_ a: OpaquePointer?, _ b: OpaquePointer?, _ out: UnsafeMutablePointer<OpaquePointer?>?) -> autograd_status_t {
    binary(a, b, out, cName(#function)) { try $0.matmul($1) }
}

@c @implementation
public func autograd_add_scalar(_ a: OpaquePointer?, _ value: Double, _ out: UnsafeMutablePointer<OpaquePointer?>?) -> autograd_status_t {
    unary(a, out, cName(#function)) { try $0 + value }
}

@c @implementation
public func autograd_mul_scalar(_ a: OpaquePointer?, _ value: Double, _ out: UnsafeMutablePointer<OpaquePointer?>?) -> autograd_status_t {
    unary(a, out, cName(#function)) { try $0 * value }
}

@c @implementation
public func autograd_sub_scalar(_ a: OpaquePointer?, _ value: Double, _ out: UnsafeMutablePointer<OpaquePointer?>?) -> autograd_status_t {
    unary(a, out, cName(#function)) { try $0 - value }
}

@c @implementation
public func autograd_div_scalar(_ a: OpaquePointer?, _ value: Double, _ out: UnsafeMutablePointer<OpaquePointer?>?) -> autograd_status_t {
    unary(a, out, cName(#function)) { try $0 / value }
}

@c @implementation
public func autograd_rsub_scalar(_ a: OpaquePointer?, _ value: Double, _ out: UnsafeMutablePointer<OpaquePointer?>?) -> autograd_status_t {
    unary(a, out, cName(#function)) { try value - $0 }
}

@c @implementation
public func autograd_rdiv_scalar(_ a: OpaquePointer?, _ value: Double, _ out: UnsafeMutablePointer<OpaquePointer?>?) -> autograd_status_t {
    unary(a, out, cName(#function)) { try value / $0 }
}

@c @implementation
public func autograd_neg(_ x: OpaquePointer?, _ out: UnsafeMutablePointer<OpaquePointer?>?) -> autograd_status_t {
    unary(x, out, cName(#function)) { try $0.neg() }
}

@c @implementation
public func autograd_sum(_ x: OpaquePointer?, _ out: UnsafeMutablePointer<OpaquePointer?>?) -> autograd_status_t {
    unary(x, out, cName(#function)) { try $0.sum() }
}

@c @implementation
public func autograd_sum_dims(_ x: OpaquePointer?, _ dims: UnsafePointer<Int64>?, _ nDims: Int, _ keepDim: Bool,
                              _ out: UnsafeMutablePointer<OpaquePointer?>?) -> autograd_status_t {
    let fn = cName(#function)
    return unary(x, out, fn) { try $0.sum(dims: try intList(dims, nDims, "dims", fn), keepDim: keepDim) }
}

@c @implementation
public func autograd_mean(_ x: OpaquePointer?, _ out: UnsafeMutablePointer<OpaquePointer?>?) -> autograd_status_t {
    unary(x, out, cName(#function)) { try $0.mean() }
}

@c @implementation
public func autograd_exp(_ x: OpaquePointer?, _ out: UnsafeMutablePointer<OpaquePointer?>?) -> autograd_status_t {
    unary(x, out, cName(#function)) { try $0.exp() }
}

@c @implementation
public func autograd_log(_ x: OpaquePointer?, _ out: UnsafeMutablePointer<OpaquePointer?>?) -> autograd_status_t {
    unary(x, out, cName(#function)) { try $0.log() }
}

@c @implementation
public func autograd_sqrt(_ x: OpaquePointer?, _ out: UnsafeMutablePointer<OpaquePointer?>?) -> autograd_status_t {
    unary(x, out, cName(#function)) { try $0.sqrt() }
}

@c @implementation
public func autograd_tanh(_ x: OpaquePointer?, _ out: UnsafeMutablePointer<OpaquePointer?>?) -> autograd_status_t {
    unary(x, out, cName(#function)) { try $0.tanh() }
}

@c @implementation
public func autograd_cosh(_ x: OpaquePointer?, _ out: UnsafeMutablePointer<OpaquePointer?>?) -> autograd_status_t {
    unary(x, out, cName(#function)) { try $0.cosh() }
}

@c @implementation
public func autograd_pow_scalar(_ x: OpaquePointer?, _ exponent: Double, _ out: UnsafeMutablePointer<OpaquePointer?>?) -> autograd_status_t {
    unary(x, out, cName(#function)) { try $0.pow(exponent) }
}

@c @implementation
public func autograd_reshape(_ x: OpaquePointer?, _ shape: UnsafePointer<Int64>?, _ ndim: Int,
                             _ out: UnsafeMutablePointer<OpaquePointer?>?) -> autograd_status_t {
    let fn = cName(#function)
    return unary(x, out, fn) { try $0.reshape(try intList(shape, ndim, "shape", fn)) }
}
