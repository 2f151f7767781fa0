import AutogradKernels

/// Adam, exactly as `torch.optim.Adam` (non-amsgrad) defines it, at step t:
/// g' = g + wd·p;  m ← lerp(m, g', 1 − β1);  v ← β2·v + (1 − β2)·g'²;
/// p ← p − lr/(1 − β1ᵗ) · m / (√v / √(1 − β2ᵗ) + ε).
public final class Adam: Optimizer {
    public let parameters: [Tensor]
    public var learningRate: Double
    public let beta1, beta2, eps, weightDecay: Double
    private var state: [ObjectIdentifier: (m: Tensor, v: Tensor, step: Int64)] = [:]

    public init(_ parameters: [Tensor], learningRate: Double = 1e-3, betas: (Double, Double) = (0.9, 0.999),
                eps: Double = 1e-8, weightDecay: Double = 0) {
        self.parameters = parameters
        self.learningRate = learningRate
        (beta1, beta2) = betas
        self.eps = eps
        self.weightDecay = weightDecay
    }

    public func step() throws {
        for p in parameters {
            guard let g0 = try p.checkOptimizable("Adam") else { continue }
            let (q, g) = try p.computeCopies(g0)
            var s = try state[ObjectIdentifier(p)] ?? (Tensor.zeros(like: q), Tensor.zeros(like: q), 0)
            s.step += 1
            state[ObjectIdentifier(p)] = s
            let n = Int64(p.count)
            if q.dtype == .float32 {
                ag_adam_step_f32(q.pointer(Float.self), g.pointer(Float.self), s.m.pointer(Float.self),
                                 s.v.pointer(Float.self), n, learningRate, beta1, beta2, eps, weightDecay, s.step)
            } else {
                ag_adam_step_f64(q.pointer(Double.self), g.pointer(Double.self), s.m.pointer(Double.self),
                                 s.v.pointer(Double.self), n, learningRate, beta1, beta2, eps, weightDecay, s.step)
            }
            if q !== p { try Tensor.castElements(from: q, into: p) }
            p.bumpVersion()
        }
    }
}
