import Autograd

// Calls into C kernels whose signatures `Tensor.map` / `Tensor.zipMap` do not
// cover (three inputs, an index output, an in-place change), written with the
// public buffer accessors only: what a user's own port would write.

/// `void k(const float *a, const float *b, const float *c, float *out, int64_t n)`.
typealias TernaryKernelF32 = @convention(c) (UnsafePointer<Float>?, UnsafePointer<Float>?, UnsafePointer<Float>?, UnsafeMutablePointer<Float>?, Int64) -> Void
/// `void k(const double *a, const double *b, const double *c, double *out, int64_t n)`.
typealias TernaryKernelF64 = @convention(c) (UnsafePointer<Double>?, UnsafePointer<Double>?, UnsafePointer<Double>?, UnsafeMutablePointer<Double>?, Int64) -> Void

extension Tensor {
    /// Throws "<op>: expected a floating point tensor, got torch.int64" for
    /// a tensor the float/double kernels cannot take.
    func checkFloatingPoint(_ op: String) throws {
        guard dtype.isFloatingPoint else {
            throw AutogradError.invalidArgument("\(op): expected a floating point tensor, got \(dtype)")
        }
    }

    /// Throws unless `others` have this tensor's shape and dtype.
    func checkSameLayout(_ op: String, _ others: Tensor...) throws {
        for o in others where o.shape != shape || o.dtype != dtype {
            throw AutogradError.invalidArgument(
                "\(op): expected tensors of shape \(shape) and \(dtype), got \(o.shape) and \(o.dtype)")
        }
    }

    /// out[i] = f(self[i], b[i], c[i]) through a C kernel pair, for tensors of
    /// one shape and floating dtype. Not recorded: call it inside a Function.
    func ternaryMap(_ op: String, _ b: Tensor, _ c: Tensor,
                    _ f32: TernaryKernelF32, _ f64: TernaryKernelF64) throws -> Tensor {
        try checkFloatingPoint(op)
        try checkSameLayout(op, b, c)
        let out = try Tensor.empty(like: self)
        let n = Int64(count)
        if dtype == .float32 {
            try withUnsafeBufferPointer(as: Float.self) { pa in
                try b.withUnsafeBufferPointer(as: Float.self) { pb in
                    try c.withUnsafeBufferPointer(as: Float.self) { pc in
                        try out.withUnsafeMutableBufferPointer(as: Float.self) { po in
                            f32(pa.baseAddress, pb.baseAddress, pc.baseAddress, po.baseAddress, n)
                        }
                    }
                }
            }
        } else {
            try withUnsafeBufferPointer(as: Double.self) { pa in
                try b.withUnsafeBufferPointer(as: Double.self) { pb in
                    try c.withUnsafeBufferPointer(as: Double.self) { pc in
                        try out.withUnsafeMutableBufferPointer(as: Double.self) { po in
                            f64(pa.baseAddress, pb.baseAddress, pc.baseAddress, po.baseAddress, n)
                        }
                    }
                }
            }
        }
        return out
    }
}
