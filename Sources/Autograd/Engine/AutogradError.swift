/// Every error the engine and its ops throw. `description` carries PyTorch's
/// wording where PyTorch has words for the same mistake.
public enum AutogradError: Error, Equatable, CustomStringConvertible, Sendable {
    /// A Function's backward broke a contract (gradient count, shape, a
    /// gradient for a non-tensor argument).
    case invalidGradient(String)
    /// Backward through freed saved tensors, or a saved tensor changed in place.
    case graph(String)
    /// A call whose arguments are wrong: shapes, dims, dtypes, indices.
    case invalidArgument(String)
    /// A Function's forward or backward threw an error of its own; the
    /// message says which Function.
    case function(String)
    /// gradcheck / gradgradcheck found a mismatch (PyTorch's GradcheckError).
    case gradcheck(String)

    public var message: String {
        switch self {
        case .invalidGradient(let m), .graph(let m), .invalidArgument(let m), .function(let m), .gradcheck(let m): m
        }
    }

    public var description: String { message }

    // MARK: PyTorch's messages

    static let backwardTwice = AutogradError.graph(
        "Trying to backward through the graph a second time (or directly access saved tensors after they have already been freed). Saved intermediate values of the graph are freed when you call .backward() or autograd.grad(). Specify retain_graph=True if you need to backward through the graph a second time or if you need to access saved tensors after calling backward.")

    static let implicitGradNonScalar = AutogradError.invalidArgument(
        "grad can be implicitly created only for scalar outputs")

    static func doesNotRequireGrad(index: Int) -> AutogradError {
        .invalidArgument("element \(index) of tensors does not require grad and does not have a grad_fn")
    }

    static let onceDifferentiable = AutogradError.graph(
        "trying to differentiate twice a function that was marked with @once_differentiable")

    static let leafInPlace = AutogradError.invalidArgument(
        "a leaf Variable that requires grad has been used in an in-place operation.")

    /// A built-in in-place op on a leaf that requires grad (PyTorch words it
    /// differently from the mark_dirty case above).
    static let leafInPlaceOp = AutogradError.invalidArgument(
        "a leaf Variable that requires grad is being used in an in-place operation.")

    /// An in-place op on a view of a leaf that requires grad.
    static let viewOfLeafInPlace = AutogradError.invalidArgument(
        "a view of a leaf Variable that requires grad is being used in an in-place operation.")

    static let dirtyNotReturned = AutogradError.invalidArgument(
        "Some elements marked as dirty during the forward method were not returned as output. The inputs that are modified inplace must all be outputs of the Function.")
}
