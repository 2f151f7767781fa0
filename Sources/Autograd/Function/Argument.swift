/// One argument of a Function application: a tensor (tracked by the graph) or
/// a non-tensor value (passed through to forward; its gradient is nil).
public enum Argument: Sendable {
    case tensor(Tensor)
    /// An optional tensor argument that is absent (a missing bias, say).
    case none
    case int(Int)
    case double(Double)
    case bool(Bool)
    case string(String)
    case ints([Int])
    case doubles([Double])
    case bools([Bool])
    case strings([String])

    var typeName: String {
        switch self {
        case .tensor: "Tensor"
        case .none: "nil"
        case .int: "Int"
        case .double: "Double"
        case .bool: "Bool"
        case .string: "String"
        case .ints: "[Int]"
        case .doubles: "[Double]"
        case .bools: "[Bool]"
        case .strings: "[String]"
        }
    }
}

/// A value that can be passed to `Function.apply`. Tensors, `Tensor?`, Int,
/// Double, Bool, String and arrays of those non-tensor types conform.
/// Arrays of tensors deliberately do not: PyTorch silently leaves tensors
/// inside a list untracked, so here they must be passed one by one.
public protocol FunctionArgument {
    var argument: Argument { get }
}

extension Tensor: FunctionArgument { public var argument: Argument { .tensor(self) } }
extension Optional: FunctionArgument where Wrapped == Tensor {
    public var argument: Argument { self.map(Argument.tensor) ?? .none }
}
extension Int: FunctionArgument { public var argument: Argument { .int(self) } }
extension Double: FunctionArgument { public var argument: Argument { .double(self) } }
extension Float: FunctionArgument { public var argument: Argument { .double(Double(self)) } }
extension Bool: FunctionArgument { public var argument: Argument { .bool(self) } }
extension String: FunctionArgument { public var argument: Argument { .string(self) } }
extension Array: FunctionArgument where Element: NonTensorArrayElement {
    public var argument: Argument { Element.wrap(self) }
}

/// Element types allowed in an array argument.
public protocol NonTensorArrayElement { static func wrap(_ array: [Self]) -> Argument }
extension Int: NonTensorArrayElement { public static func wrap(_ a: [Int]) -> Argument { .ints(a) } }
extension Double: NonTensorArrayElement { public static func wrap(_ a: [Double]) -> Argument { .doubles(a) } }
extension Bool: NonTensorArrayElement { public static func wrap(_ a: [Bool]) -> Argument { .bools(a) } }
extension String: NonTensorArrayElement { public static func wrap(_ a: [String]) -> Argument { .strings(a) } }

/// The arguments forward receives, with typed access by position.
public struct Arguments {
    public let values: [Argument]
    /// The Function receiving them, named in error messages.
    let owner: any _AnyFunction.Type

    public init(values: [Argument], owner: any _AnyFunction.Type) {
        self.values = values
        self.owner = owner
    }

    public var count: Int { values.count }
    public subscript(index: Int) -> Argument { values[index] }

    private func mismatch(_ index: Int, _ expected: String) -> AutogradError {
        let got = index < values.count ? values[index].typeName : "nothing (only \(values.count) arguments)"
        return .invalidArgument("\(owner).forward: argument \(index) should be \(expected), got \(got)")
    }

    /// The tensor at `index`.
    public func tensor(_ index: Int) throws -> Tensor {
        if index < values.count, case .tensor(let t) = values[index] { return t }
        throw mismatch(index, "Tensor")
    }
    /// The tensor at `index`, or nil when the argument was `nil`.
    public func optionalTensor(_ index: Int) throws -> Tensor? {
        if index < values.count {
            if case .tensor(let t) = values[index] { return t }
            if case .none = values[index] { return nil }
        }
        throw mismatch(index, "Tensor?")
    }
    public func int(_ index: Int) throws -> Int {
        if index < values.count, case .int(let v) = values[index] { return v }
        throw mismatch(index, "Int")
    }
    public func double(_ index: Int) throws -> Double {
        if index < values.count {
            if case .double(let v) = values[index] { return v }
            if case .int(let v) = values[index] { return Double(v) }
        }
        throw mismatch(index, "Double")
    }
    public func bool(_ index: Int) throws -> Bool {
        if index < values.count, case .bool(let v) = values[index] { return v }
        throw mismatch(index, "Bool")
    }
    public func string(_ index: Int) throws -> String {
        if index < values.count, case .string(let v) = values[index] { return v }
        throw mismatch(index, "String")
    }
    public func ints(_ index: Int) throws -> [Int] {
        if index < values.count, case .ints(let v) = values[index] { return v }
        throw mismatch(index, "[Int]")
    }
    public func doubles(_ index: Int) throws -> [Double] {
        if index < values.count, case .doubles(let v) = values[index] { return v }
        throw mismatch(index, "[Double]")
    }
}
