import AutogradKernels

/// Stochastic gradient descent with momentum, dampening, Nesterov momentum and
/// weight decay, exactly as `torch.optim.SGD` defines them:
/// g' = g + wd·p;  b = μ·b + (1 − τ)·g' (b = g' on the first step);
/// p ← p − lr·(nesterov ? g' + μ·b : b)   (p ← p − lr·g' without momentum).
public final class SGD: Optimizer {
    public let parameters: [Tensor]
    public var learningRate: Double
    public let momentum, dampening, weightDecay: Double
    public let nesterov: Bool
    private var buffers: [ObjectIdentifier: Tensor] = [:]

    public init(_ parameters: [Tensor], learningRate: Double, momentum: Double = 0, dampening: Double = 0,
                weightDecay: Double = 0, nesterov: Bool = false) {
        self.parameters = parameters
        self.learningRate = learningRate
        self.momentum = momentum
        self.dampening = dampening
        self.weightDecay = weightDecay
        self.nesterov = nesterov
    }

    public func step() throws {
        for p in parameters {
            guard let g0 = try p.checkOptimizable("SGD") else { continue }
            let (q, g) = try p.computeCopies(g0)
            var buf: Tensor? = nil
            var first = false
            if momentum != 0 {
                if let b = buffers[ObjectIdentifier(p)] { buf = b } else {
                    buf = try Tensor.empty(like: q)
                    buffers[ObjectIdentifier(p)] = buf
                    first = true
                }
            }
            let n = Int64(p.count)
            if q.dtype == .float32 {
                ag_sgd_step_f32(q.pointer(Float.self), g.pointer(Float.self), buf?.pointer(Float.self), n,
                                learningRate, momentum, dampening, weightDecay, nesterov, first)
            } else {
                ag_sgd_step_f64(q.pointer(Double.self), g.pointer(Double.self), buf?.pointer(Double.self), n,
                                learningRate, momentum, dampening, weightDecay, nesterov, first)
            }
            if q !== p { try Tensor.castElements(from: q, into: p) }
            p.bumpVersion()
        }
    }
}
