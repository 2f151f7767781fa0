#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import Autograd
import CAutograd

// Argument lists: built by C callers for autograd_op / autograd_function_apply,
// read by forward callbacks.

private func push(_ args: OpaquePointer?, _ fn: String, _ value: () throws -> Argument) -> autograd_status_t {
    capi {
        let a = try argsArg(args, "args", fn)
        a.values.append(try value())
    }
}

@c @implementation
public func autograd_args_new(_ out: UnsafeMutablePointer<OpaquePointer?>?) -> autograd_status_t {
    capi { try outArg(out, "out", cName(#function)).pointee = HandleRegistry.shared.make(ArgsHandle(), .args) }
}

@c @implementation
public func autograd_args_free(_ args: OpaquePointer?) {
    if !HandleRegistry.shared.free(args, .args) {
        ThreadState.current.setError("autograd_args_free: args is not a live autograd_args_t handle (freed twice?)")
    }
}

@c @implementation
public func autograd_args_clear(_ args: OpaquePointer?) -> autograd_status_t {
    capi { try argsArg(args, "args", cName(#function)).clear() }
}

@c @implementation
public func autograd_args_push_tensor(_ args: OpaquePointer?, _ tensor: OpaquePointer?) -> autograd_status_t {
    let fn = cName(#function)
    return push(args, fn) { .tensor(try tensorArg(tensor, "tensor", fn)) }
}

@c @implementation
public func autograd_args_push_none(_ args: OpaquePointer?) -> autograd_status_t {
    push(args, cName(#function)) { .none }
}

@c @implementation
public func autograd_args_push_int64(_ args: OpaquePointer?, _ value: Int64) -> autograd_status_t {
    push(args, cName(#function)) { .int(Int(value)) }
}

@c @implementation
public func autograd_args_push_double(_ args: OpaquePointer?, _ value: Double) -> autograd_status_t {
    push(args, cName(#function)) { .double(value) }
}

@c @implementation
public func autograd_args_push_bool(_ args: OpaquePointer?, _ value: Bool) -> autograd_status_t {
    push(args, cName(#function)) { .bool(value) }
}

@c @implementation
public func autograd_args_push_string(_ args: OpaquePointer?, _ value: UnsafePointer<CChar>?) -> autograd_status_t {
    let fn = cName(#function)
    return push(args, fn) { .string(try stringArg(value, "value", fn)) }
}

@c @implementation
public func autograd_args_push_int64s(_ args: OpaquePointer?, _ values: UnsafePointer<Int64>?, _ count: Int) -> autograd_status_t {
    let fn = cName(#function)
    return push(args, fn) { .ints(try intList(values, count, "values", fn)) }
}

@c @implementation
public func autograd_args_push_doubles(_ args: OpaquePointer?, _ values: UnsafePointer<Double>?, _ count: Int) -> autograd_status_t {
    let fn = cName(#function)
    return push(args, fn) {
        try checkCount(count, "values", fn)
        if count == 0 { return .doubles([]) }
        guard let values else { throw CAPIFailure(AUTOGRAD_ERROR_NULL_ARGUMENT, "\(fn): values is NULL") }
        return .doubles(Array(UnsafeBufferPointer(start: values, count: count)))
    }
}

// MARK: Reading

/// Argument `index`, or an error naming the list's length.
private func argument(_ args: OpaquePointer?, _ index: Int, _ fn: String) throws -> (ArgsHandle, Argument) {
    let a = try argsArg(args, "args", fn)
    guard index >= 0 && index < a.values.count else {
        throw CAPIFailure(AUTOGRAD_ERROR_INVALID_ARGUMENT, "\(fn): index \(index) is out of range for \(a.values.count) arguments")
    }
    return (a, a.values[index])
}

private func mismatch(_ fn: String, _ index: Int, _ expected: String, _ got: Argument) -> CAPIFailure {
    CAPIFailure(AUTOGRAD_ERROR_INVALID_ARGUMENT, "\(fn): argument \(index) is \(kindName(got)), not \(expected)")
}

/// The C name of an argument's kind.
func kindName(_ a: Argument) -> String {
    switch a {
    case .tensor: "a tensor"
    case .none: "none"
    case .int: "an int64"
    case .double: "a double"
    case .bool: "a bool"
    case .string: "a string"
    case .ints: "an int64 list"
    case .doubles: "a double list"
    case .bools: "a bool list"
    case .strings: "a string list"
    }
}

@c @implementation
public func autograd_args_count(_ args: OpaquePointer?, _ out: UnsafeMutablePointer<Int>?) -> autograd_status_t {
    capi {
        let fn = cName(#function)
        let out = try outArg(out, "out", fn)
        out.pointee = try argsArg(args, "args", fn).values.count
    }
}

@c @implementation
public func autograd_args_kind(_ args: OpaquePointer?, _ index: Int, _ out: UnsafeMutablePointer<autograd_arg_kind_t>?) -> autograd_status_t {
    capi {
        let fn = cName(#function)
        let out = try outArg(out, "out", fn)
        let (_, a) = try argument(args, index, fn)
        out.pointee = switch a {
        case .tensor: AUTOGRAD_ARG_TENSOR
        case .none: AUTOGRAD_ARG_NONE
        case .int: AUTOGRAD_ARG_INT64
        case .double: AUTOGRAD_ARG_DOUBLE
        case .bool: AUTOGRAD_ARG_BOOL
        case .string: AUTOGRAD_ARG_STRING
        case .ints: AUTOGRAD_ARG_INT64S
        case .doubles: AUTOGRAD_ARG_DOUBLES
        case .bools, .strings: AUTOGRAD_ARG_NONE  // not made by the C API
        }
    }
}

@c @implementation
public func autograd_args_tensor(_ args: OpaquePointer?, _ index: Int, _ out: UnsafeMutablePointer<OpaquePointer?>?) -> autograd_status_t {
    capi {
        let fn = cName(#function)
        let out = try outArg(out, "out", fn)
        let (_, a) = try argument(args, index, fn)
        guard case .tensor(let t) = a else { throw mismatch(fn, index, "a tensor", a) }
        out.pointee = try newHandle(t)
    }
}

@c @implementation
public func autograd_args_int64(_ args: OpaquePointer?, _ index: Int, _ out: UnsafeMutablePointer<Int64>?) -> autograd_status_t {
    capi {
        let fn = cName(#function)
        let out = try outArg(out, "out", fn)
        let (_, a) = try argument(args, index, fn)
        guard case .int(let v) = a else { throw mismatch(fn, index, "an int64", a) }
        out.pointee = Int64(v)
    }
}

@c @implementation
public func autograd_args_double(_ args: OpaquePointer?, _ index: Int, _ out: UnsafeMutablePointer<Double>?) -> autograd_status_t {
    capi {
        let fn = cName(#function)
        let out = try outArg(out, "out", fn)
        let (_, a) = try argument(args, index, fn)
        switch a {
        case .double(let v): out.pointee = v
        case .int(let v): out.pointee = Double(v)
        default: throw mismatch(fn, index, "a double", a)
        }
    }
}

@c @implementation
public func autograd_args_bool(_ args: OpaquePointer?, _ index: Int, _ out: UnsafeMutablePointer<Bool>?) -> autograd_status_t {
    capi {
        let fn = cName(#function)
        let out = try outArg(out, "out", fn)
        let (_, a) = try argument(args, index, fn)
        guard case .bool(let v) = a else { throw mismatch(fn, index, "a bool", a) }
        out.pointee = v
    }
}

@c @implementation
public func autograd_args_string(_ args: OpaquePointer?, _ index: Int,
                                 _ out: UnsafeMutablePointer<UnsafePointer<CChar>?>?) -> autograd_status_t {
    capi {
        let fn = cName(#function)
        let out = try outArg(out, "out", fn)
        let (handle, a) = try argument(args, index, fn)
        guard case .string(let v) = a else { throw mismatch(fn, index, "a string", a) }
        if let p = handle.cStrings[index] {
            out.pointee = UnsafePointer(p)
        } else {
            let p = mallocString(v)
            handle.cStrings[index] = p
            out.pointee = UnsafePointer(p)
        }
    }
}
