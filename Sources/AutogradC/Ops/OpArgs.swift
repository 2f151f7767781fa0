import Autograd
import CAutograd

/// The arguments of one `autograd_op` call, read by position; trailing
/// optional arguments may be missing (or `none`), and then take their default.
/// Errors name the op and the parameter: `sum: argument 1 (dims) should be
/// an int64 list, got a string`.
struct OpArgs {
    let values: [Argument]
    let op: Op

    init(_ values: [Argument], _ op: Op) throws {
        guard values.count <= op.parameters.count || op.signature.contains("...") else {
            throw AutogradError.invalidArgument(
                "\(op.name): takes at most \(op.parameters.count) arguments, \(op.signature), got \(values.count)")
        }
        self.values = values
        self.op = op
    }

    private func present(_ i: Int) -> Argument? {
        guard i < values.count else { return nil }
        if case .none = values[i] { return nil }
        return values[i]
    }

    private func label(_ i: Int) -> String {
        i < op.parameters.count ? "argument \(i) (\(op.parameters[i]))" : "argument \(i)"
    }

    private func wrong(_ i: Int, _ expected: String) -> AutogradError {
        let got = i < values.count ? kindName(values[i]) : "nothing (\(values.count) arguments given)"
        return .invalidArgument("\(op.name): \(label(i)) should be \(expected), got \(got); \(op.signature)")
    }

    func isTensor(_ i: Int) -> Bool {
        if i < values.count, case .tensor = values[i] { return true }
        return false
    }

    /// Argument i as a wrapped number (`Tensor.scalar`) when it is an int64
    /// or a bool, which take part in type promotion as Python's int and bool.
    func integralNumber(_ i: Int) -> Tensor? {
        switch present(i) {
        case .int(let x)?: Tensor.scalar(x)
        case .bool(let x)?: Tensor.scalar(x)
        default: nil
        }
    }

    func tensor(_ i: Int) throws -> Tensor {
        if let v = present(i), case .tensor(let t) = v { return t }
        throw wrong(i, "a tensor")
    }

    func optionalTensor(_ i: Int) throws -> Tensor? {
        guard let v = present(i) else { return nil }
        if case .tensor(let t) = v { return t }
        throw wrong(i, "a tensor or none")
    }

    func int(_ i: Int, _ fallback: Int? = nil) throws -> Int {
        guard let v = present(i) else {
            if let fallback { return fallback }
            throw wrong(i, "an int64")
        }
        if case .int(let x) = v { return x }
        throw wrong(i, "an int64")
    }

    func optionalInt(_ i: Int) throws -> Int? {
        guard present(i) != nil else { return nil }
        return try int(i)
    }

    func double(_ i: Int, _ fallback: Double? = nil) throws -> Double {
        guard let v = present(i) else {
            if let fallback { return fallback }
            throw wrong(i, "a double")
        }
        if case .double(let x) = v { return x }
        if case .int(let x) = v { return Double(x) }
        throw wrong(i, "a double")
    }

    func optionalDouble(_ i: Int) throws -> Double? {
        guard present(i) != nil else { return nil }
        return try double(i)
    }

    func bool(_ i: Int, _ fallback: Bool? = nil) throws -> Bool {
        guard let v = present(i) else {
            if let fallback { return fallback }
            throw wrong(i, "a bool")
        }
        if case .bool(let x) = v { return x }
        throw wrong(i, "a bool")
    }

    func string(_ i: Int, _ fallback: String? = nil) throws -> String {
        guard let v = present(i) else {
            if let fallback { return fallback }
            throw wrong(i, "a string")
        }
        if case .string(let x) = v { return x }
        throw wrong(i, "a string")
    }

    /// An int64 list (sizes, a shape, dims); a single int64 counts as a list
    /// of one. Entries must lie in ±(2^31 − 1), where size arithmetic cannot overflow.
    func ints(_ i: Int, _ fallback: [Int]? = nil) throws -> [Int] {
        guard let v = present(i) else {
            if let fallback { return fallback }
            throw wrong(i, "an int64 list")
        }
        let list: [Int]
        switch v {
        case .ints(let x): list = x
        case .int(let x): list = [x]
        default: throw wrong(i, "an int64 list")
        }
        for x in list { try checkSize(i, x) }
        return list
    }

    /// An int64 that is a size or a count (split_size, chunks), in ±(2^31 − 1).
    func size(_ i: Int) throws -> Int {
        let x = try int(i)
        try checkSize(i, x)
        return x
    }

    private func checkSize(_ i: Int, _ x: Int) throws {
        guard x.magnitude <= UInt(Int32.max) else {
            throw AutogradError.invalidArgument(
                "\(op.name): \(label(i)) holds \(x), outside the range of sizes and dims (±2147483647)")
        }
    }

    func optionalInts(_ i: Int) throws -> [Int]? {
        guard present(i) != nil else { return nil }
        return try ints(i)
    }

    /// The tensors at the start of the list (cat, stack), and where the rest begins.
    func leadingTensors() -> (tensors: [Tensor], next: Int) {
        var ts = [Tensor]()
        for v in values {
            guard case .tensor(let t) = v else { break }
            ts.append(t)
        }
        return (ts, ts.count)
    }

    /// A dtype given by name ("float32", "float64", "int64", "bool").
    func dtype(_ i: Int) throws -> DType {
        let s = try string(i)
        guard let d = DType(rawValue: s.hasPrefix("torch.") ? String(s.dropFirst(6)) : s) else {
            throw AutogradError.invalidArgument("\(op.name): unknown dtype '\(s)' (float32, float64, int64 or bool)")
        }
        return d
    }
}
