import Autograd
import ExampleKernels

/// The seed example: y = 4·tanh(x/4), a custom op whose forward and backward
/// are C kernels (CSources/ExampleKernels/custom_tanh.c).
///
/// Forward saves x; backward returns dL/dx = dL/dy · 1/cosh²(x/4). The
/// backward is a C kernel, not differentiable ops, so the Function is marked
/// once-differentiable: a second derivative throws PyTorch's error instead of
/// silently missing (use `CustomTanhComposed` for double backward).
public enum CustomTanh: UnaryFunction {
    public static var onceDifferentiable: Bool { true }
    public static func forward(_ ctx: Context, _ x: Tensor) throws -> Tensor {
        ctx.saveForBackward(x)
        return try x.map(custom_tanh_forward_f32, custom_tanh_forward_f64)
    }

    public static func backward(_ ctx: Context, _ dLdy: Tensor) throws -> Tensor? {
        let x = try ctx.savedTensors[0]
        return try x.zipMap(dLdy, custom_tanh_backward_f32, custom_tanh_backward_f64)
    }
}

/// The same op written the way the PyTorch article writes it, with library
/// ops: its backward is differentiable, so it supports double backward.
public enum CustomTanhComposed: UnaryFunction {
    public static func forward(_ ctx: Context, _ x: Tensor) throws -> Tensor {
        ctx.saveForBackward(x)
        let h = try x / 4
        return try 4 * h.tanh()
    }

    public static func backward(_ ctx: Context, _ dLdy: Tensor) throws -> Tensor? {
        let x = try ctx.savedTensors[0]
        return try dLdy * (1 / (x / 4).cosh().pow(2))
    }
}
