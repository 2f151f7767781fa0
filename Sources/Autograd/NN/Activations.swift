/// A parameter-free layer that applies an activation: the library's
/// (`Activation.tanh`) or any custom `UnaryFunction` (`Activation(CustomTanh.self)`).
public final class Activation: Module {
    private let body: (Tensor) throws -> Tensor
    public var isTraining = true

    /// A layer applying `body`.
    public init(_ body: @escaping (Tensor) throws -> Tensor) { self.body = body }

    /// A layer applying a custom Function (its `apply`).
    public convenience init<F: UnaryFunction>(_ function: F.Type) { self.init { try F.apply($0) } }

    public func callAsFunction(_ x: Tensor) throws -> Tensor { try body(x) }
    public var namedParameters: [(name: String, tensor: Tensor)] { [] }

    /// `nn.Tanh`.
    public static var tanh: Activation { Activation { try $0.tanh() } }
}
