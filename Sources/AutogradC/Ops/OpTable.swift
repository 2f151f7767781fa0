import Autograd
import CAutograd

/// One op reachable by name through `autograd_op`. `signature` is its C
/// calling convention, PyTorch's names in snake_case with defaults for the
/// trailing optional arguments: `sum(x, dims=all, keep_dim=false)`, and
/// after `->` the outputs of an op with several.
struct Op: Sendable {
    let name: String
    let signature: String
    let parameters: [String]
    let run: @Sendable (OpArgs) throws -> [Tensor]

    init(_ signature: String, _ run: @escaping @Sendable (OpArgs) throws -> [Tensor]) {
        self.signature = signature
        let open = signature.firstIndex(of: "(")!
        name = String(signature[..<open])
        let close = signature.firstIndex(of: ")")!
        let inside = signature[signature.index(after: open)..<close]
        parameters = inside.split(separator: ",").map {
            String($0.trimmingPrefix(" ").prefix { $0 != "=" && $0 != ":" })
        }
        self.run = run
    }
}

/// `Op` for an op with one result.
func op(_ signature: String, _ run: @escaping @Sendable (OpArgs) throws -> Tensor) -> Op {
    Op(signature) { [try run($0)] }
}

/// `Op` for `name(x)`.
func unaryOp(_ name: String, _ run: @escaping @Sendable (Tensor) throws -> Tensor) -> Op {
    Op("\(name)(x)") { [try run(try $0.tensor(0))] }
}

/// `Op` for `name(a, b)` where b is a tensor or a number. An int64 or bool
/// number takes part as Python's int and bool do (`int64 tensor + 3` stays
/// int64), a double as Python's float.
func binaryOp(_ name: String, _ tensors: @escaping @Sendable (Tensor, Tensor) throws -> Tensor,
              _ scalar: @escaping @Sendable (Tensor, Double) throws -> Tensor) -> Op {
    Op("\(name)(a, b: tensor|number)") { a in
        let x = try a.tensor(0)
        if a.isTensor(1) { return [try tensors(x, try a.tensor(1))] }
        if let n = a.integralNumber(1) { return [try tensors(x, n)] }
        return [try scalar(x, try a.double(1))]
    }
}

/// `Op` for an op on integers and bools, `name(a, b)`, where b is a tensor
/// or a number (an int64 or bool number as Python's int and bool, a double
/// as Python's float).
func integerOp(_ name: String, _ run: @escaping @Sendable (Tensor, Tensor) throws -> Tensor) -> Op {
    Op("\(name)(a, b: tensor|number)") { a in
        let x = try a.tensor(0)
        if a.isTensor(1) { return [try run(x, try a.tensor(1))] }
        return [try run(x, a.integralNumber(1) ?? Tensor.scalar(try a.double(1)))]
    }
}

/// Every op, by name.
enum OpTable {
    static let all: [Op] = elementwiseOps + activationOps + inPlaceOps + reductionOps + linalgOps
        + shapeOps + indexingOps + nnOps

    static let byName: [String: Op] = Dictionary(all.map { ($0.name, $0) }, uniquingKeysWith: { first, _ in first })

    static func lookup(_ name: String, _ fn: String) throws -> Op {
        guard let op = byName[name] else {
            throw CAPIFailure(AUTOGRAD_ERROR_UNKNOWN_OP, "\(fn): unknown op '\(name)' (autograd_op_names lists them)")
        }
        return op
    }
}

@c @implementation
public func autograd_op(_ name: UnsafePointer<CChar>?, _ args: OpaquePointer?, _ outputs: UnsafeMutablePointer<OpaquePointer?>?,
                        _ capacity: Int, _ nOutputs: UnsafeMutablePointer<Int>?) -> autograd_status_t {
    capi {
        let fn = cName(#function)
        let count = try outArg(nOutputs, "n_outputs", fn)
        let op = try OpTable.lookup(try stringArg(name, "name", fn), fn)
        let values = try argsArg(args, "args", fn).values
        try storeOutputs(try op.run(try OpArgs(values, op)), outputs, capacity, count, fn)
    }
}

@c @implementation
public func autograd_op_names(_ out: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?) -> autograd_status_t {
    capi {
        let out = try outArg(out, "out", cName(#function))
        out.pointee = mallocString(OpTable.all.map(\.signature).joined(separator: "\n"))
    }
}
