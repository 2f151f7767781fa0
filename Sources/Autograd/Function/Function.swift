/// What the engine needs from every Function type. Not for direct use:
/// conform to `Function`, `UnaryFunction` or `BinaryFunction` instead.
public protocol _AnyFunction {
    static var _nodeName: String { get }
    static func _backward(_ ctx: Context, _ gradOutputs: [Tensor?]) throws -> [Tensor?]
    static var onceDifferentiable: Bool { get }
    /// How forward reads its tensors; see `_FunctionLayout`.
    static var _layout: _FunctionLayout { get }
    /// How forward meets the storage types; see `_StorageTypes`.
    static var _storageTypes: _StorageTypes { get }
}

/// How a Function's forward reads its tensor arguments and backward its
/// gradients. Not for direct use: the library's view and in-place ops
/// declare theirs.
public enum _FunctionLayout {
    /// Tensors reach forward, and gradients backward, contiguous: a strided
    /// view is first copied into a contiguous stand-in that shares the view's
    /// version counter. What every custom Function gets.
    case contiguous
    /// Tensors reach forward as they are (the op reads strides itself).
    case strided
    /// A view op: forward returns a view of argument 0, tracked as PyTorch
    /// tracks views (in-place changes through it rebase its base's history).
    case view
    /// A view op returning several views (split, chunk, unbind): none of
    /// them may be changed in place while recording.
    case multiView
}

extension _AnyFunction {
    public static var _layout: _FunctionLayout { .contiguous }
}

/// What a Function's forward may return: one tensor, or an array of them.
public protocol FunctionOutput {
    var _tensors: [Tensor] { get }
    static func _wrap(_ tensors: [Tensor]) -> Self
}
extension Tensor: FunctionOutput {
    public var _tensors: [Tensor] { [self] }
    public static func _wrap(_ tensors: [Tensor]) -> Tensor { tensors[0] }
}
extension Array: FunctionOutput where Element == Tensor {
    public var _tensors: [Tensor] { self }
    public static func _wrap(_ tensors: [Tensor]) -> [Tensor] { tensors }
}

/// A differentiable operation with a hand-written backward: PyTorch's
/// `torch.autograd.Function`.
///
/// ```swift
/// enum MulConstant: Function {
///     static func forward(_ ctx: Context, _ args: Arguments) throws -> Tensor {
///         let constant = try args.double(1)
///         ctx.set("constant", constant)
///         return try args.tensor(0) * constant
///     }
///     static func backward(_ ctx: Context, _ gradOutputs: [Tensor?]) throws -> [Tensor?] {
///         let constant = try ctx.get("constant", as: Double.self)
///         return [try gradOutputs[0]! * constant, nil]   // nil: `constant` is not a tensor
///     }
/// }
/// let y = try MulConstant.apply(x, 5.0)
/// ```
///
/// - `forward` runs with recording off. Tensors passed directly to `apply`
///   are tracked; every floating output requires grad when some input does.
/// - `backward` gets one gradient per output, in order, and returns one per
///   forward argument: nil for a non-tensor argument or where no gradient
///   flows. A gradient whose shape the input broadcasts to is summed down.
/// - With `createGraph`, backward runs with recording on, so a backward
///   written with differentiable ops can itself be differentiated.
public protocol Function: _AnyFunction {
    associatedtype Output: FunctionOutput = Tensor
    static func forward(_ ctx: Context, _ args: Arguments) throws -> Output
    static func backward(_ ctx: Context, _ gradOutputs: [Tensor?]) throws -> [Tensor?]
    /// True for PyTorch's `@once_differentiable`: backward runs without
    /// recording, and differentiating its result again throws.
    static var onceDifferentiable: Bool { get }
}

extension Function {
    public static var onceDifferentiable: Bool { false }
    public static var _nodeName: String { "\(Self.self)Backward" }
    public static func _backward(_ ctx: Context, _ gradOutputs: [Tensor?]) throws -> [Tensor?] {
        try backward(ctx, gradOutputs)
    }

    /// Runs forward on `args` and records the application in the graph.
    public static func apply(_ args: any FunctionArgument...) throws -> Output {
        try apply(arguments: args.map(\.argument))
    }

    /// `apply` with the arguments already wrapped.
    public static func apply(arguments: [Argument]) throws -> Output {
        let outputs = try Graph.apply(Self.self, arguments) { ctx, args in
            try forward(ctx, Arguments(values: args, owner: Self.self))._tensors
        }
        return Output._wrap(outputs)
    }
}

/// A Function of one tensor with one output, written with typed signatures.
///
/// ```swift
/// enum CustomTanh: UnaryFunction {
///     static func forward(_ ctx: Context, _ x: Tensor) throws -> Tensor {
///         ctx.saveForBackward(x)
///         return try 4 * (x / 4).tanh()
///     }
///     // dL/dx = dL/dy * 1 / cosh²(x/4)
///     static func backward(_ ctx: Context, _ dLdy: Tensor) throws -> Tensor? {
///         let x = try ctx.savedTensors[0]
///         return try dLdy * (1 / (x / 4).cosh().pow(2))
///     }
/// }
/// ```
public protocol UnaryFunction: Function where Output == Tensor {
    static func forward(_ ctx: Context, _ x: Tensor) throws -> Tensor
    static func backward(_ ctx: Context, _ gradOutput: Tensor) throws -> Tensor?
}

extension UnaryFunction {
    public static func forward(_ ctx: Context, _ args: Arguments) throws -> Tensor {
        try forward(ctx, args.tensor(0))
    }
    public static func backward(_ ctx: Context, _ gradOutputs: [Tensor?]) throws -> [Tensor?] {
        guard let g = gradOutputs[0] else { return [nil] }
        return [try backward(ctx, g)]
    }
    /// Applies the function to `x`, recording it in the graph.
    public static func apply(_ x: Tensor) throws -> Tensor {
        try Graph.apply(Self.self, [.tensor(x)]) { ctx, args in
            guard case .tensor(let input) = args[0] else { throw AutogradError.invalidArgument("\(Self.self).apply: lost its tensor argument") }
            return [try forward(ctx, input)]
        }[0]
    }
}

/// A Function of two tensors with one output, written with typed signatures.
public protocol BinaryFunction: Function where Output == Tensor {
    static func forward(_ ctx: Context, _ a: Tensor, _ b: Tensor) throws -> Tensor
    static func backward(_ ctx: Context, _ gradOutput: Tensor) throws -> (Tensor?, Tensor?)
}

extension BinaryFunction {
    public static func forward(_ ctx: Context, _ args: Arguments) throws -> Tensor {
        try forward(ctx, args.tensor(0), args.tensor(1))
    }
    public static func backward(_ ctx: Context, _ gradOutputs: [Tensor?]) throws -> [Tensor?] {
        guard let g = gradOutputs[0] else { return [nil, nil] }
        let (ga, gb) = try backward(ctx, g)
        return [ga, gb]
    }
    /// Applies the function to `a` and `b`, recording it in the graph.
    public static func apply(_ a: Tensor, _ b: Tensor) throws -> Tensor {
        try Graph.apply(Self.self, [.tensor(a), .tensor(b)]) { ctx, args in
            guard case .tensor(let x) = args[0], case .tensor(let y) = args[1] else {
                throw AutogradError.invalidArgument("\(Self.self).apply: lost its tensor arguments")
            }
            return [try forward(ctx, x, y)]
        }[0]
    }
}
