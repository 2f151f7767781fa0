/// y = x·Wᵀ + b (PyTorch's `nn.Linear`): weight [out, in], bias [out].
/// Initialised as PyTorch does, uniformly in ±1/√in for weight and bias.
/// dL/dx = dL/dy·W,  dL/dW = (dL/dy)ᵀ·x,  dL/db = Σ_batch dL/dy.
public final class Linear: Module {
    public let weight: Tensor
    public let bias: Tensor?
    public var isTraining = true

    /// - Throws: for a negative size or a non-floating dtype.
    public init(_ inFeatures: Int, _ outFeatures: Int, bias: Bool = true, dtype: DType = .float32,
                generator: Generator) throws {
        let bound = 1 / Double(Swift.max(inFeatures, 1)).squareRoot()
        weight = try Tensor.rand([outFeatures, inFeatures], low: -bound, high: bound, dtype: dtype, generator: generator)
        weight.requiresGrad = true
        if bias {
            let b = try Tensor.rand([outFeatures], low: -bound, high: bound, dtype: dtype, generator: generator)
            b.requiresGrad = true
            self.bias = b
        } else {
            self.bias = nil
        }
    }

    public func callAsFunction(_ x: Tensor) throws -> Tensor {
        guard x.shape.last == weight.shape[1] else {
            throw AutogradError.invalidArgument(
                "mat1 and mat2 shapes cannot be multiplied (\(x.count / Swift.max(x.shape.last ?? 1, 1))x\(x.shape.last ?? 0) and \(weight.shape[1])x\(weight.shape[0]))")
        }
        let y = try Gemm.apply(x.rank == 1 ? x.reshape([1, x.count]) : x, weight, false, true)
        let out = try bias.map { try y + $0 } ?? y
        return x.rank == 1 ? try out.reshape([weight.shape[0]]) : out
    }

    public var namedParameters: [(name: String, tensor: Tensor)] {
        [("weight", weight)] + (bias.map { [("bias", $0)] } ?? [])
    }
}

/// Modules applied in order (PyTorch's `nn.Sequential`); parameters are named
/// by position: `"0.weight"`, `"2.bias"`.
public final class Sequential: Module {
    public let layers: [any Module]

    public init(_ layers: [any Module]) { self.layers = layers }
    public convenience init(_ layers: any Module...) { self.init(layers) }

    public func callAsFunction(_ x: Tensor) throws -> Tensor {
        try layers.reduce(x) { try $1($0) }
    }

    public var namedParameters: [(name: String, tensor: Tensor)] {
        layers.enumerated().flatMap { prefixed(String($0.offset), $0.element.namedParameters) }
    }

    public var isTraining: Bool {
        get { layers.first?.isTraining ?? true }
        set { for l in layers { l.isTraining = newValue } }
    }
}
