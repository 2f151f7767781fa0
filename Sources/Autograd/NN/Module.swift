/// A trainable building block (PyTorch's `nn.Module`): a function of one
/// tensor with named parameters that can be listed, zeroed, saved and loaded.
public protocol Module: AnyObject {
    /// The forward computation.
    func callAsFunction(_ x: Tensor) throws -> Tensor
    /// Parameters with their dotted names (`"0.weight"`, `"0.bias"`, ...), as
    /// PyTorch's `named_parameters()` and `state_dict()` name them.
    var namedParameters: [(name: String, tensor: Tensor)] { get }
    /// Training (true) or evaluation mode, for modules like dropout.
    var isTraining: Bool { get set }
}

extension Module {
    /// The parameters, in `namedParameters` order.
    public var parameters: [Tensor] { namedParameters.map(\.tensor) }

    /// Clears every parameter's gradient (PyTorch's `zero_grad()`, which sets
    /// them to None by default).
    public func zeroGrad() { for p in parameters { p.grad = nil } }

    /// Parameters by name (PyTorch's `state_dict()`); the tensors are the
    /// parameters themselves, not copies.
    public func stateDict() -> [String: Tensor] {
        Dictionary(namedParameters.map { ($0.name, $0.tensor) }, uniquingKeysWith: { a, _ in a })
    }

    /// Copies values into the parameters by name (PyTorch's `load_state_dict`).
    ///
    /// - Throws: for a missing or unexpected key (with `strict`), or a shape mismatch,
    ///   in PyTorch's words.
    public func loadStateDict(_ state: [String: Tensor], strict: Bool = true) throws {
        let own = namedParameters
        let names = Set(own.map(\.name))
        if strict {
            let missing = own.map(\.name).filter { state[$0] == nil }
            let unexpected = state.keys.filter { !names.contains($0) }.sorted()
            if !missing.isEmpty || !unexpected.isEmpty {
                var parts: [String] = []
                if !missing.isEmpty { parts.append("Missing key(s) in state_dict: \(missing.map { "\"\($0)\"" }.joined(separator: ", ")).") }
                if !unexpected.isEmpty { parts.append("Unexpected key(s) in state_dict: \(unexpected.map { "\"\($0)\"" }.joined(separator: ", ")).") }
                throw AutogradError.invalidArgument("Error(s) in loading state_dict: " + parts.joined(separator: " "))
            }
        }
        for (name, p) in own {
            guard let src = state[name] else { continue }
            guard src.shape == p.shape else {
                throw AutogradError.invalidArgument(
                    "Error(s) in loading state_dict: size mismatch for \(name): copying a param with shape \(Shape.torchSize(src.shape)) from checkpoint, the shape in current model is \(Shape.torchSize(p.shape)).")
            }
            let values = src.dtype == p.dtype ? src : try noGrad { try src.to(p.dtype) }
            p.storage.bytes.copyMemory(from: values.storage.bytes, byteCount: p.count * p.dtype.byteSize)
            p.bumpVersion()
        }
    }

    /// Switches this module (and its children) to training mode.
    public func train() { isTraining = true }
    /// Switches this module (and its children) to evaluation mode.
    public func eval() { isTraining = false }
}

/// Prefixes child parameter names with the child's name (`"0.weight"`).
func prefixed(_ prefix: String, _ params: [(name: String, tensor: Tensor)]) -> [(name: String, tensor: Tensor)] {
    params.map { ("\(prefix).\($0.name)", $0.tensor) }
}
