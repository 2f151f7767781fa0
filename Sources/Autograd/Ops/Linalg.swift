import AutogradKernels

// Matrix products beyond the 2-D/3-D `Gemm` Function (Ops/Matmul.swift):
// PyTorch's matmul rules for 1-D to N-D operands, mm, bmm, dot, outer and the
// fused addmm. Everything but addmm is reshapes around Gemm, so gradients
// (and second derivatives) come from Gemm's backward.

/// C = β·bias + α·A·B for matrices, with `bias` broadcast to [m, n]: the
/// broadcast bias is copied into C and one gemm accumulates onto it (β = 1
/// is a plain add). Operands arrive as they are (layout `.strided`): the
/// bias is read through its strides, A and B as `Gemm` reads them.
///   dL/dbias = β·dL/dC (summed to bias's shape)
///   dL/dA = α·dL/dC·Bᵀ,   dL/dB = α·Aᵀ·dL/dC
enum Addmm: Function {
    static var _nodeName: String { "AddmmBackward" }
    static var _layout: _FunctionLayout { .strided }

    static func forward(_ ctx: Context, _ args: Arguments) throws -> Tensor {
        let bias = try args.tensor(0), a = try args.tensor(1), b = try args.tensor(2)
        let beta = try args.double(3), alpha = try args.double(4)
        let (m, k, n) = (a.shape[0], a.shape[1], b.shape[1])
        let c = try Tensor(uninitializedShape: [m, n], dtype: a.dtype)
        ctx.saveForBackward(a, b)
        ctx.set("beta", beta)
        ctx.set("alpha", alpha)
        if c.count == 0 { return c }
        Tensor.copyElements(from: bias.expandedWindow([m, n]), into: c)
        if k == 0 {
            if a.dtype == .float32 {
                ag_mul_scalar_inplace_f32(c.pointer(Float.self), beta, Int64(c.count))
            } else {
                ag_mul_scalar_inplace_f64(c.pointer(Double.self), beta, Int64(c.count))
            }
            return c
        }
        let pa = try GemmOperand(a), pb = try GemmOperand(b)
        let (mm, nn, kk) = (Int64(m), Int64(n), Int64(k))
        if a.dtype == .float32 {
            ag_gemm_f32(pa.columnMajor, pb.columnMajor, mm, nn, kk, Float(alpha), pa.tensor.pointer(Float.self), pa.ld, 0,
                        pb.tensor.pointer(Float.self), pb.ld, 0, Float(beta), c.pointer(Float.self), 1)
        } else {
            ag_gemm_f64(pa.columnMajor, pb.columnMajor, mm, nn, kk, alpha, pa.tensor.pointer(Double.self), pa.ld, 0,
                        pb.tensor.pointer(Double.self), pb.ld, 0, beta, c.pointer(Double.self), 1)
        }
        return c
    }

    static func backward(_ ctx: Context, _ gradOutputs: [Tensor?]) throws -> [Tensor?] {
        guard let g = gradOutputs[0] else { return [nil, nil, nil, nil, nil] }
        let s = try ctx.savedTensors, need = ctx.needsInputGrad
        let beta = try ctx.get("beta", as: Double.self), alpha = try ctx.get("alpha", as: Double.self)
        func scaled(_ t: Tensor?, _ f: Double) throws -> Tensor? { try t.map { f == 1 ? $0 : try $0 * f } }
        let gBias: Tensor? = need[0] ? try scaled(g, beta) : nil
        let (ga, gb) = try Gemm.gradients(s[0], s[1], false, false, g, need[1], need[2])
        return [gBias, try scaled(ga, alpha), try scaled(gb, alpha), nil, nil]
    }
}

extension Tensor {
    /// Matrix product with PyTorch's `matmul` rules:
    /// - 1-D · 1-D: the dot product (a scalar);
    /// - 2-D · 2-D: the matrix product;
    /// - 1-D · 2-D and 2-D · 1-D: the vector is a [1, k] row or [k, 1]
    ///   column, and that dimension is dropped from the result;
    /// - N-D (N ≥ 3) with anything: a batch of matrix products over the
    ///   leading dimensions, which broadcast (a 2-D or 1-D operand is shared
    ///   by every batch element).
    ///
    /// - Throws: PyTorch's messages for 0-D operands and mismatched sizes.
    public func matmul(_ other: Tensor) throws -> Tensor {
        let (a, b) = try Tensor.productOperands(self, other,
            "expected m1 and m2 to have the same dtype, but got: \(dtype.cTypeName) != \(other.dtype.cTypeName)")
        guard a.rank >= 1 && b.rank >= 1 else {
            throw AutogradError.invalidArgument(
                "both arguments to matmul need to be at least 1D, but they are \(a.rank)D and \(b.rank)D")
        }
        switch (a.rank, b.rank) {
        case (1, 1): return try a.dot(b)
        case (2, 2): return try Gemm.apply(a, b, false, false)
        case (2, 1):
            guard a.shape[1] == b.shape[0] else {
                throw AutogradError.invalidArgument(
                    "size mismatch, got input (\(a.shape[0])), mat (\(a.shape[0])x\(a.shape[1])), vec (\(b.shape[0]))")
            }
            return try Gemm.apply(a, try b.reshape([b.count, 1]), false, false).reshape([a.shape[0]])
        case (1, 2):
            return try Gemm.apply(try a.reshape([1, a.count]), b, false, false).reshape([b.shape[1]])
        default:
            return try batchedMatmul(a, b)
        }
    }

    /// matmul with at least one operand of rank ≥ 3.
    private func batchedMatmul(_ a: Tensor, _ b: Tensor) throws -> Tensor {
        let a2 = a.rank == 1 ? try a.reshape([1, a.count]) : a
        let b2 = b.rank == 1 ? try b.reshape([b.count, 1]) : b
        let (m, k) = (a2.shape[a2.rank - 2], a2.shape[a2.rank - 1])
        let (kb, n) = (b2.shape[b2.rank - 2], b2.shape[b2.rank - 1])
        let batchA = Array(a2.shape.dropLast(2)), batchB = Array(b2.shape.dropLast(2))
        guard let batch = Shape.broadcast(batchA, batchB) else {
            throw Shape.broadcastError("matmul", batchA, batchB)
        }
        try Shape.validate(batch + [m, n], "matmul", dtype: a.dtype)
        let count = Shape.count(batch)
        if a.rank == 2 && k != kb {
            throw AutogradError.invalidArgument(
                "Expected size for first two dimensions of batch2 tensor to be: [\(count), \(k)] but got: [\(count), \(kb)].")
        }
        if b.rank == 1 && k != kb {
            throw AutogradError.invalidArgument(
                "size mismatch, got input (\(count * m)), mat (\(count * m)x\(k)), vec (\(kb))")
        }
        if a.rank == 1 && k != kb {
            throw AutogradError.invalidArgument("mm: mat1 and mat2 shapes cannot be multiplied (1x\(k) and \(kb)x\(n))")
        }
        let product: Tensor
        if b2.rank == 2 {
            // Fold the batch into the rows: one [count·m, k] · [k, n] product.
            product = try Gemm.apply(try a2.reshape([count * m, k]), b2, false, false)
        } else if a2.rank == 2 {
            product = try Gemm.apply(a2, try b2.reshape([count, kb, n]), false, false)
        } else {
            let a3 = try a2.expand(to: batch + [m, k]).reshape([count, m, k])
            let b3 = try b2.expand(to: batch + [kb, n]).reshape([count, kb, n])
            product = try Gemm.apply(a3, b3, false, false)
        }
        var shape = batch
        if a.rank != 1 { shape.append(m) }
        if b.rank != 1 { shape.append(n) }
        return try product.reshape(shape)
    }

    /// The product of two matrices (PyTorch's `mm`): [m, k] · [k, n] → [m, n].
    public func mm(_ other: Tensor) throws -> Tensor {
        guard rank == 2 else { throw AutogradError.invalidArgument("mm: self must be a matrix, got \(rank)-D tensor") }
        guard other.rank == 2 else { throw AutogradError.invalidArgument("mm: mat2 must be a matrix, got \(other.rank)-D tensor") }
        let (a, b) = try Tensor.productOperands(self, other,
            "expected m1 and m2 to have the same dtype, but got: \(dtype.cTypeName) != \(other.dtype.cTypeName)")
        return try Gemm.apply(a, b, false, false)
    }

    /// Batched matrix product (PyTorch's `bmm`): [B, m, k] · [B, k, n] → [B, m, n].
    public func bmm(_ other: Tensor) throws -> Tensor {
        guard rank == 3 else { throw AutogradError.invalidArgument("batch1 must be a 3D tensor") }
        guard other.rank == 3 else { throw AutogradError.invalidArgument("batch2 must be a 3D tensor") }
        guard other.shape[0] == shape[0], other.shape[1] == shape[2] else {
            throw AutogradError.invalidArgument(
                "Expected size for first two dimensions of batch2 tensor to be: [\(shape[0]), \(shape[2])] but got: [\(other.shape[0]), \(other.shape[1])].")
        }
        let (a, b) = try Tensor.productOperands(self, other,
            "expected scalar type \(dtype.scalarName) but found \(other.dtype.scalarName)")
        return try Gemm.apply(a, b, false, false)
    }

    /// The dot product of two vectors of the same length (PyTorch's `dot`), a scalar.
    public func dot(_ other: Tensor) throws -> Tensor {
        guard rank == 1 && other.rank == 1 else {
            throw AutogradError.invalidArgument("1D tensors expected, but got \(rank)D and \(other.rank)D tensors")
        }
        guard count == other.count else {
            throw AutogradError.invalidArgument(
                "inconsistent tensor size, expected tensor [\(count)] and src [\(other.count)] to have the same number of elements, but got \(count) and \(other.count) elements respectively")
        }
        let (a, b) = try Tensor.productOperands(self, other,
            "dot : expected both vectors to have same dtype, but found \(dtype.scalarName) and \(other.dtype.scalarName)")
        return try Gemm.apply(try a.reshape([1, count]), try b.reshape([count, 1]), false, false).reshape([])
    }

    /// The outer product of two vectors (PyTorch's `outer`): [m] ⊗ [n] → [m, n].
    public func outer(_ other: Tensor) throws -> Tensor {
        guard rank == 1 else { throw AutogradError.invalidArgument("outer: Expected 1-D argument self, but got \(rank)-D") }
        guard other.rank == 1 else { throw AutogradError.invalidArgument("outer: Expected 1-D argument vec2, but got \(other.rank)-D") }
        guard dtype.isFloatingPoint || other.dtype.isFloatingPoint else {
            throw AutogradError.invalidArgument(
                "outer: products of \(dtype) and \(other.dtype) vectors are not supported (float32 and float64 are)")
        }
        let (a, b) = try Tensor.promoted(self, other)
        return try Gemm.apply(try a.reshape([count, 1]), try b.reshape([1, other.count]), false, false)
    }

    /// β·self + α·(mat1 · mat2), with self broadcast to the product's shape
    /// (PyTorch's `addmm`, a linear layer's bias + input · weight), fused into
    /// one gemm.
    public func addmm(_ mat1: Tensor, _ mat2: Tensor, beta: Double = 1, alpha: Double = 1) throws -> Tensor {
        try Tensor.addmm(self, mat1, mat2, beta: beta, alpha: alpha)
    }

    /// β·bias + α·(mat1 · mat2), with `bias` broadcast to [m, n] (PyTorch's `addmm`).
    ///
    /// - Throws: PyTorch's messages for non-matrix operands, mismatched inner
    ///   sizes, or a bias that does not broadcast to [m, n].
    public static func addmm(_ bias: Tensor, _ mat1: Tensor, _ mat2: Tensor,
                             beta: Double = 1, alpha: Double = 1) throws -> Tensor {
        guard mat1.rank == 2 else { throw AutogradError.invalidArgument("addmm: mat1 must be a matrix, got \(mat1.rank)-D tensor") }
        guard mat2.rank == 2 else { throw AutogradError.invalidArgument("addmm: mat2 must be a matrix, got \(mat2.rank)-D tensor") }
        let (m, k, kb, n) = (mat1.shape[0], mat1.shape[1], mat2.shape[0], mat2.shape[1])
        guard k == kb else {
            throw AutogradError.invalidArgument("addmm: mat1 and mat2 shapes cannot be multiplied (\(m)x\(k) and \(kb)x\(n))")
        }
        guard bias.rank <= 2 else {
            throw AutogradError.invalidArgument("addmm: expected a bias of at most 2 dimensions, got \(Shape.list(bias.shape))")
        }
        let off = 2 - bias.rank, target = [m, n]
        for i in Swift.stride(from: bias.rank - 1, through: 0, by: -1)
        where bias.shape[i] != 1 && bias.shape[i] != target[off + i] {
            throw AutogradError.invalidArgument(
                "The expanded size of the tensor (\(target[off + i])) must match the existing size (\(bias.shape[i])) at non-singleton dimension \(off + i).  Target sizes: \(Shape.list(target)).  Tensor sizes: \(Shape.list(bias.shape))")
        }
        let (a, b) = try Tensor.productOperands(mat1, mat2,
            "self and mat2 must have the same dtype, but got \(mat1.dtype.scalarName) and \(mat2.dtype.scalarName)")
        guard bias.dtype == a.dtype else {
            throw AutogradError.invalidArgument(
                "self and mat2 must have the same dtype, but got \(bias.dtype.scalarName) and \(mat2.dtype.scalarName)")
        }
        let c = bias
        return try Addmm.apply(c, a, b, beta, alpha)
    }
}

extension Tensor {
    /// The operands of a matrix product: one dtype, as PyTorch requires
    /// (`mismatch` is its message for two dtypes). Integer matrices multiply
    /// exactly in int64 (wrapping, as PyTorch's do); bool ones are PyTorch's error.
    static func productOperands(_ a: Tensor, _ b: Tensor, _ mismatch: @autoclosure () -> String) throws -> (Tensor, Tensor) {
        guard a.dtype == b.dtype else { throw AutogradError.invalidArgument(mismatch()) }
        guard a.dtype != .bool else {
            throw AutogradError.invalidArgument("\"addmm_impl_cpu_\" not implemented for 'Bool'")
        }
        return (a, b)
    }
}

extension DType {
    /// The C type PyTorch names in some messages ("float", "double", "long int", "bool").
    var cTypeName: String {
        switch self {
        case .float32: "float"
        case .float64: "double"
        case .int64: "long int"
        case .bool: "bool"
        case .uint8: "unsigned char"
        case .int8: "signed char"
        case .int16: "short int"
        case .int32: "int"
        case .float16: "c10::Half"
        case .bfloat16: "c10::BFloat16"
        }
    }
}
