import AutogradKernels

/// C = op(A)·op(B) for matrices (or batches of them), op(X) = X or Xᵀ by
/// flag: transposes are never materialised.
///   dL/dA = dL/dC · op(B)ᵀ   (or its transpose when A enters transposed)
///   dL/dB = op(A)ᵀ · dL/dC   (or its transpose when B enters transposed)
/// Each is itself a Gemm with other flags, so backward is differentiable.
///
/// A and B arrive as they are (layout `.strided`): a transposed view, a
/// slice of rows or columns, or a batch of them, reaches cblas as a
/// transpose flag and leading dimension (`GemmOperand`), and only other
/// layouts are copied. backward's saved A and B are those views, so an
/// in-place change of their base before backward is caught by the shared
/// version counter.
enum Gemm: Function {
    static var _nodeName: String { "MmBackward" }
    static var _layout: _FunctionLayout { .strided }

    static func forward(_ ctx: Context, _ args: Arguments) throws -> Tensor {
        let a = try args.tensor(0), b = try args.tensor(1)
        let ta = try args.bool(2), tb = try args.bool(3)
        ctx.saveForBackward(a, b)
        ctx.set("transA", ta)
        ctx.set("transB", tb)
        return try gemm(a, b, ta, tb)
    }

    static func backward(_ ctx: Context, _ gradOutputs: [Tensor?]) throws -> [Tensor?] {
        guard let g = gradOutputs[0] else { return [nil, nil, nil, nil] }
        let s = try ctx.savedTensors
        let ta = try ctx.get("transA", as: Bool.self), tb = try ctx.get("transB", as: Bool.self)
        let (ga, gb) = try gradients(s[0], s[1], ta, tb, g, ctx.needsInputGrad[0], ctx.needsInputGrad[1])
        return [ga, gb, nil, nil]
    }

    /// dL/dA and dL/dB of C = op(A)·op(B) for dL/dC = g (each only when
    /// asked for), as Gemms:
    ///   dL/dA = g·op(B)ᵀ, or op(B)·gᵀ when A entered transposed
    ///   dL/dB = op(A)ᵀ·g, or gᵀ·op(A) when B entered transposed
    /// A gradient is made in its operand's layout, as PyTorch's mm backward
    /// does: for a column-major operand (a transposed view) the other
    /// product, which is the gradient's transpose ((XY)ᵀ = YᵀXᵀ), is
    /// computed and its transpose view returned, so the view's own backward
    /// turns it into a contiguous gradient rather than the engine copying a
    /// strided one. A gradient cblas cannot read is copied once for both
    /// products, unless it repeats a row or column (an expanded one, as a
    /// sum's backward makes), which the products take apart
    /// (Gemm+RepeatedOperand.swift).
    static func gradients(_ a: Tensor, _ b: Tensor, _ ta: Bool, _ tb: Bool, _ g: Tensor,
                          _ needA: Bool, _ needB: Bool) throws -> (Tensor?, Tensor?) {
        let g = try g.readableByGemm()
        var ga: Tensor? = nil, gb: Tensor? = nil
        if needA {
            let flip = isColumnMajor(a, rank: g.rank)
            let p = ta != flip ? try Gemm.apply(b, g, tb, true) : try Gemm.apply(g, b, false, !tb)
            ga = flip ? try p.mT : p
        }
        if needB {
            let flip = isColumnMajor(b, rank: g.rank)
            let p = tb != flip ? try Gemm.apply(g, a, true, ta) : try Gemm.apply(a, g, !ta, false)
            gb = flip ? try p.mT : p
        }
        return (ga, gb)
    }

    /// Whether `x` is stored column-major (a transposed view) and has the
    /// gradient's rank (a broadcast operand's gradient is summed over the
    /// batch, which reads it best as it comes).
    private static func isColumnMajor(_ x: Tensor, rank: Int) -> Bool {
        x.rank == rank && !x.isContiguous && GemmOperand.layout(x)?.columnMajor == true
    }

    /// The product itself: 2-D x 2-D, or batched 3-D with a 2-D operand broadcast.
    static func gemm(_ a: Tensor, _ b: Tensor, _ ta: Bool, _ tb: Bool) throws -> Tensor {
        guard a.dtype == b.dtype, a.dtype.isFloatingPoint || a.dtype == .int64 else {
            throw AutogradError.invalidArgument("matmul: expected both tensors to be float32, float64 or int64 of the same dtype, got \(a.dtype) and \(b.dtype)")
        }
        guard (2...3).contains(a.rank), (2...3).contains(b.rank) else {
            throw AutogradError.invalidArgument("matmul: expected 2-D or 3-D operands, got \(Shape.list(a.shape)) and \(Shape.list(b.shape))")
        }
        let ar = a.shape.suffix(2), br = b.shape.suffix(2)
        let m = ta ? ar.last! : ar.first!, k = ta ? ar.first! : ar.last!
        let kb = tb ? br.last! : br.first!, n = tb ? br.first! : br.last!
        let batchA = a.rank == 3 ? a.shape[0] : 1, batchB = b.rank == 3 ? b.shape[0] : 1
        let batched = a.rank == 3 || b.rank == 3
        guard k == kb else {
            if batched {
                throw AutogradError.invalidArgument(
                    "Expected size for first two dimensions of batch2 tensor to be: [\(max(batchA, batchB)), \(k)] but got: [\(batchB), \(kb)].")
            }
            throw AutogradError.invalidArgument("mm: mat1 and mat2 shapes cannot be multiplied (\(m)x\(k) and \(kb)x\(n))")
        }
        guard batchA == batchB || a.rank == 2 || b.rank == 2 else {
            throw AutogradError.invalidArgument(
                "Expected size for first two dimensions of batch2 tensor to be: [\(batchA), \(k)] but got: [\(batchB), \(kb)].")
        }
        let batch = max(batchA, batchB)
        let outShape = batched ? [batch, m, n] : [m, n]
        let c = try Tensor(uninitializedShape: outShape, dtype: a.dtype)
        if c.count == 0 { return c }
        if k == 0 { try c.fillUnchecked(0); return c }
        if a.dtype == .int64 {
            // Exact, wrapping on overflow as PyTorch's integer addmm does: no BLAS for integers.
            let x = try (ta ? try a.transpose(-2, -1) : a).contiguousData, y = try (tb ? try b.transpose(-2, -1) : b).contiguousData
            withExtendedLifetime((x, y)) {
                ag_gemm_i64(x.pointer(Int64.self), a.rank == 3 ? Int64(m * k) : 0, y.pointer(Int64.self), b.rank == 3 ? Int64(k * n) : 0,
                            c.pointer(Int64.self), Int64(m), Int64(n), Int64(k), Int64(batch))
            }
            return c
        }
        if let r = try productOfRepeated(a, b, ta, tb, m: m, n: n, k: k, into: outShape) { return r }
        let pa = try GemmOperand(a), pb = try GemmOperand(b)
        // A column-major operand is the transpose of the row-major matrix cblas reads.
        let (fa, fb) = (ta != pa.columnMajor, tb != pb.columnMajor)
        if a.dtype == .float32 {
            ag_gemm_f32(fa, fb, Int64(m), Int64(n), Int64(k), 1, pa.tensor.pointer(Float.self), pa.ld, pa.batchStride,
                        pb.tensor.pointer(Float.self), pb.ld, pb.batchStride, 0, c.pointer(Float.self), Int64(batch))
        } else {
            ag_gemm_f64(fa, fb, Int64(m), Int64(n), Int64(k), 1, pa.tensor.pointer(Double.self), pa.ld, pa.batchStride,
                        pb.tensor.pointer(Double.self), pb.ld, pb.batchStride, 0, c.pointer(Double.self), Int64(batch))
        }
        return c
    }
}
