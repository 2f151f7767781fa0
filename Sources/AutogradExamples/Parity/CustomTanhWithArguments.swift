import Autograd
import ExampleKernels

/// The seed's custom tanh in its variant with non-tensor arguments: an image
/// size (Int) and an activation name (String), each of which gets a nil
/// gradient. Forward and backward are C kernels (custom_tanh.c, my_relu.c).
///
/// ```python
/// class custom_func(torch.autograd.Function):
///     @staticmethod
///     def forward(ctx, tensor, image_size=28, activation_function='tanh'):
///         if tensor.shape[-1] != image_size * image_size: raise ValueError(...)
///         ctx.save_for_backward(tensor)
///         ctx.activation_function = activation_function
///         if activation_function == 'tanh': return 4 * (tensor / 4).tanh()
///         return tensor.clamp(min=0)                      # 'relu'
///     @staticmethod
///     def backward(ctx, grad_out):
///         x, = ctx.saved_tensors
///         if ctx.activation_function == 'tanh':
///             return grad_out * (1 / (x / 4).cosh() ** 2), None, None
///         grad = grad_out.clone(); grad[x < 0] = 0
///         return grad, None, None
/// ```
///
/// Backward: "tanh": dL/dx = dL/dy · 1/cosh²(x/4); "relu": dL/dx = dL/dy
/// where x ≥ 0, else 0. The Int and the String get nil, one entry per
/// forward argument, as PyTorch's `None, None`.
public enum CustomTanhWithArguments: Function {
    /// The activations this op knows.
    public static let activations = ["tanh", "relu"]

    /// Python's defaults, spelled out: `apply(x)` is `apply(x, 28, "tanh")`.
    public static func apply(_ x: Tensor, imageSize: Int = 28, activationFunction: String = "tanh") throws -> Tensor {
        try apply(arguments: [.tensor(x), .int(imageSize), .string(activationFunction)])
    }

    public static func forward(_ ctx: Context, _ args: Arguments) throws -> Tensor {
        let x = try args.tensor(0), imageSize = try args.int(1), activation = try args.string(2)
        try x.checkFloatingPoint("CustomTanhWithArguments")
        guard imageSize > 0, x.rank > 0, x.shape[x.rank - 1] == imageSize * imageSize else {
            throw AutogradError.invalidArgument(
                "CustomTanhWithArguments: expected the last dimension to be image_size² = \(imageSize * imageSize), got shape \(x.shape)")
        }
        ctx.saveForBackward(x)
        ctx.set("activation", activation)
        switch activation {
        case "tanh": return try x.map(custom_tanh_forward_f32, custom_tanh_forward_f64)
        case "relu": return try x.map(my_relu_forward_f32, my_relu_forward_f64)
        default:
            throw AutogradError.invalidArgument(
                "CustomTanhWithArguments: unknown activation_function '\(activation)' (expected one of \(activations))")
        }
    }

    public static func backward(_ ctx: Context, _ gradOutputs: [Tensor?]) throws -> [Tensor?] {
        guard let dLdy = gradOutputs[0] else { return [nil, nil, nil] }
        let x = try ctx.savedTensors[0]
        let dLdx = try ctx.get("activation", as: String.self) == "tanh"
            ? x.zipMap(dLdy, custom_tanh_backward_f32, custom_tanh_backward_f64)
            : x.zipMap(dLdy, my_relu_backward_f32, my_relu_backward_f64)
        return [dLdx, nil, nil]   // nil: image size and activation name are not tensors
    }

    /// The backward is C, which is not recorded: differentiating it again throws.
    public static var onceDifferentiable: Bool { true }
}
