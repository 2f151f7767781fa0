import Testing
import Foundation
@testable import Autograd
import AutogradKernels

/// Reductions on tensors large enough for their C kernels to split the work
/// over the cores (>= 2^18 elements read: AG_GRAIN_REDUCE in
/// CSources/AutogradKernels/parallel_parts.h). Each output is computed by one
/// thread exactly as one thread alone computes it, so:
/// - a whole tensor reduced at once (split over threads) matches, bit for bit,
///   the same tensor reduced one dim-0 slab at a time (each call below the
///   grain: one thread);
/// - sums (`sum(dims:)`, the gradient of a broadcast) match the single-threaded
///   summation order exactly;
/// - values and gradients match plain double loops, and repeat bit for bit.
@Suite struct ParallelReductionTests {
    /// A reduction along one dimension of a tensor, seeded with dL/dy.
    typealias Op = (name: String, apply: @Sendable (Tensor, Int) throws -> Tensor)

    static let ops: [Op] = [
        ("prod", { try $0.prod(dim: $1) }),
        ("var", { try $0.var(dim: $1) }),
        ("std", { try $0.std(dim: $1, unbiased: false) }),
        ("max", { try $0.max(dim: $1).values }),
        ("min", { try $0.min(dim: $1).values }),
        ("logsumexp", { try $0.logsumexp(dim: $1) }),
        ("cumsum", { try $0.cumsum(dim: $1) }),
        ("norm2", { try $0.norm(p: 2, dim: $1) }),
        ("norm3", { try $0.norm(p: 3, dim: $1) }),
        ("normInf", { try $0.norm(p: .infinity, dim: $1) }),
        ("sum", { try $0.sum(dim: $1) }),
        ("mean", { try $0.mean(dim: $1) }),
    ]

    /// Uniform values in [low, high) (seeded), with every `zeroEvery`-th element 0.
    static func input(_ shape: [Int], _ dtype: DType, seed: UInt64, low: Double = 0.5, high: Double = 1.5,
                      zeroEvery: Int = 0) throws -> Tensor {
        let x = try Tensor.rand(shape, low: low, high: high, dtype: dtype, generator: Generator(seed: seed))
        guard zeroEvery > 0 else { return x }
        let v = x.toArray().enumerated().map { $0.offset % zeroEvery == 0 ? 0 : $0.element }
        return try Tensor(v, shape: shape, dtype: dtype)
    }

    /// y = op(x) and dL/dx for dL/dy = w (a fresh leaf from x's values).
    static func run(_ op: Op, _ x: Tensor, _ dim: Int, seed: UInt64) throws -> (y: Tensor, gx: Tensor) {
        let leaf = try x.clone().requiresGrad()
        let y = try op.apply(leaf, dim)
        let w = try input(y.shape, x.dtype, seed: seed, low: -1, high: 1)
        try y.backward(gradient: w)
        return (y, try #require(leaf.grad))
    }

    /// Whether b's elements are bit for bit those of a from element `offset` on.
    static func sameBits(_ a: Tensor, at offset: Int = 0, _ b: Tensor) -> Bool {
        guard let a = try? a.contiguousData, let b = try? b.contiguousData else { return false }
        let size = a.dtype.byteSize
        return a.dtype == b.dtype && offset + b.count <= a.count
            && memcmp(a.rawPointer + offset * size, b.rawPointer, b.count * size) == 0
    }

    // ---- whole tensor (split over threads) == slab by slab (one thread) ----------

    @Test(arguments: [DType.float32, .float64])
    func splitMatchesSingleThreaded(dtype: DType) throws {
        let shape = [64, 100, 41]   // 262,400 elements: above the grain; one slab (4,100) is below it
        for op in Self.ops {
            // prod's backward takes another path when x has a zero: give every slab one.
            let x = try Self.input(shape, dtype, seed: 7, low: op.name == "prod" ? 0.97 : 0.5,
                                   high: op.name == "prod" ? 1.03 : 1.5, zeroEvery: op.name == "prod" ? 97 : 0)
            let whole = try Self.run(op, x, 1, seed: 11)
            let yPer = whole.y.count / 64, gPer = whole.gx.count / 64
            let w = try Self.input(whole.y.shape, dtype, seed: 11, low: -1, high: 1).toArray()
            for o in 0..<64 {
                let xo = try x[o].clone().requiresGrad()
                let yo = try op.apply(xo, 0)
                try yo.backward(gradient: try Tensor(Array(w[o * yPer..<(o + 1) * yPer]), shape: yo.shape, dtype: dtype))
                let go = try #require(xo.grad)
                let ok = Self.sameBits(whole.y, at: o * yPer, yo) && Self.sameBits(whole.gx, at: o * gPer, go)
                #expect(ok, "\(op.name) \(dtype): slab \(o) differs from the whole-tensor result")
                if !ok { break }
            }
        }
    }

    // ---- values and gradients against double loops; repeat runs ----------------

    /// The flat indices of x's elements grouped by the output element of a
    /// reduction over `dims`: group o is order[o * n ..< (o + 1) * n], in
    /// row-major order (n: the product of the reduced sizes).
    static func groups(_ shape: [Int], _ dims: [Int]) -> (order: [Int], n: Int) {
        let n = dims.reduce(1) { $0 * shape[$1] }, count = shape.reduce(1, *), last = shape.count - 1
        var outStride = [Int](repeating: 0, count: shape.count), size = 1
        for d in shape.indices.reversed() where !dims.contains(d) { outStride[d] = size; size *= shape[d] }
        var order = [Int](repeating: 0, count: count), filled = [Int](repeating: 0, count: size)
        var index = [Int](repeating: 0, count: shape.count), o = 0
        order.withUnsafeMutableBufferPointer { order in
            filled.withUnsafeMutableBufferPointer { filled in
                for row in 0..<(count / shape[last]) {
                    for j in 0..<shape[last] {
                        let out = o + j * outStride[last]
                        order[out * n + filled[out]] = row * shape[last] + j
                        filled[out] += 1
                    }
                    for d in stride(from: last - 1, through: 0, by: -1) {
                        index[d] += 1; o += outStride[d]
                        if index[d] < shape[d] { break }
                        o -= index[d] * outStride[d]; index[d] = 0
                    }
                }
            }
        }
        return (order, n)
    }

    /// A reduction's reference in double over one group xs: returns y and
    /// writes dL/dx for dL/dy = g into gx.
    static func reference(_ name: String, _ xs: UnsafeBufferPointer<Double>, _ g: Double,
                          _ gx: UnsafeMutableBufferPointer<Double>) -> Double {
        let n = xs.count
        var sum = 0.0, y = 0.0
        for v in xs { sum += v }
        let m = sum / Double(n)
        switch name {
        case "prod":
            var left = 1.0
            for j in 0..<n { gx[j] = left; left *= xs[j] }
            var right = 1.0
            for j in (0..<n).reversed() { gx[j] *= right * g; right *= xs[j] }
            return left
        case "var", "std":
            for v in xs { y += (v - m) * (v - m) }
            y /= Double(n - 1)
            if name == "std" { y = y.squareRoot() }
            for j in 0..<n { gx[j] = name == "var" ? g * 2 * (xs[j] - m) / Double(n - 1) : g * (xs[j] - m) / (Double(n - 1) * y) }
        case "logsumexp":
            var top = -Double.infinity
            for v in xs where v > top { top = v }
            for v in xs { y += Foundation.exp(v - top) }
            y = top + Foundation.log(y)
            for j in 0..<n { gx[j] = g * Foundation.exp(xs[j] - y) }
        case "norm2":
            for v in xs { y += v * v }
            y = y.squareRoot()
            for j in 0..<n { gx[j] = g * xs[j] / y }
        case "norm3":
            for v in xs { y += v.magnitude * v * v }
            y = Foundation.pow(y, 1.0 / 3)
            for j in 0..<n { gx[j] = g * xs[j] * xs[j].magnitude / (y * y) }
        case "max":
            var at = 0
            for j in 1..<n where xs[j] > xs[at] { at = j }
            for j in 0..<n { gx[j] = j == at ? g : 0 }
            y = xs[at]
        default:   // sum
            for j in 0..<n { gx[j] = g }
            y = sum
        }
        return y
    }

    static let cases: [(shape: [Int], dims: [Int])] = [
        ([1024, 257], [0]), ([64, 100, 41], [1]), ([64, 100, 41], [0, 2]),
    ]
    static let caseGroups = cases.map { groups($0.shape, $0.dims) }

    /// Expects |a - e| <= rtol * (|e| + max |e|), elementwise.
    static func expectNear(_ a: [Double], _ e: [Double], _ rtol: Double, _ what: String,
                           sourceLocation: SourceLocation = #_sourceLocation) {
        guard a.count == e.count else { Issue.record("\(what): \(a.count) values, expected \(e.count)"); return }
        a.withUnsafeBufferPointer { a in
            e.withUnsafeBufferPointer { e in
                var scale = 0.0
                for v in e where v.magnitude > scale { scale = v.magnitude }   // (.magnitude: fast in debug builds)
                for i in 0..<a.count where !((a[i] - e[i]).magnitude <= rtol * (e[i].magnitude + scale)) {
                    Issue.record("\(what): element \(i) is \(a[i]), expected \(e[i])", sourceLocation: sourceLocation)
                    return
                }
            }
        }
    }

    @Test(arguments: [DType.float32, .float64], 0..<3)
    func againstDoubleLoops(dtype: DType, caseIndex: Int) throws {
        let (shape, dims) = Self.cases[caseIndex]
        let (order, n) = Self.caseGroups[caseIndex]
        let rtol = dtype == .float64 ? 1e-12 : 1e-5
        // Values near 1, so that products of up to 3,072 of them stay in range.
        let x = try Self.input(shape, dtype, seed: 3, low: 0.97, high: 1.03)
        let xs = x.toArray()
        let grouped = order.map { xs[$0] }
        var ops: [(String, (Tensor) throws -> Tensor)] = [
            ("var", { try $0.var(dims: dims) }), ("std", { try $0.std(dims: dims) }),
            ("logsumexp", { try $0.logsumexp(dims: dims) }),
            ("norm2", { try $0.norm(p: 2, dims: dims) }), ("norm3", { try $0.norm(p: 3, dims: dims) }),
            ("sum", { try $0.sum(dims: dims) }),
        ]
        if dims.count == 1 {
            ops += [("prod", { try $0.prod(dim: dims[0]) }), ("max", { try $0.max(dim: dims[0]).values })]
        }
        for (name, f) in ops {
            let leaf = try x.clone().requiresGrad()
            let y = try f(leaf)
            let w = try Self.input(y.shape, dtype, seed: 5, low: -1, high: 1)
            try y.backward(gradient: w)
            let ws = w.toArray()
            var yRef = [Double](repeating: 0, count: ws.count), gRef = [Double](repeating: 0, count: xs.count)
            var gGroup = [Double](repeating: 0, count: n)
            grouped.withUnsafeBufferPointer { all in
                gGroup.withUnsafeMutableBufferPointer { gg in
                    for o in 0..<ws.count {
                        yRef[o] = Self.reference(name, UnsafeBufferPointer(rebasing: all[o * n..<(o + 1) * n]), ws[o], gg)
                        for j in 0..<n { gRef[order[o * n + j]] = gg[j] }
                    }
                }
            }
            // sum_to adds in the input's type: float32 sums of up to 3,072 terms drift further.
            Self.expectNear(y.toArray(), yRef, name == "sum" && dtype == .float32 ? 1e-4 : rtol, "\(name) \(dtype) \(shape) \(dims): y")
            Self.expectNear(leaf.grad!.toArray(), gRef, rtol, "\(name) \(dtype) \(shape) \(dims): dx")
            #expect(Self.sameBits(try f(x), y), "\(name) \(dtype) \(shape) \(dims): a second run differs")
        }
        if dims.count == 1 {
            // cumsum: y_j = sum_{k<=j} x_k, dL/dx_j = sum_{k>=j} dL/dy_k, along each group.
            let leaf = try x.clone().requiresGrad()
            let y = try leaf.cumsum(dim: dims[0])
            let ws = try Self.input(shape, dtype, seed: 5, low: -1, high: 1)
            try y.backward(gradient: ws)
            let w = ws.toArray()
            var yRef = [Double](repeating: 0, count: xs.count), gRef = yRef
            for o in 0..<(xs.count / n) {
                var acc = 0.0
                for j in 0..<n { acc += xs[order[o * n + j]]; yRef[order[o * n + j]] = acc }
                acc = 0
                for j in (0..<n).reversed() { acc += w[order[o * n + j]]; gRef[order[o * n + j]] = acc }
            }
            Self.expectNear(y.toArray(), yRef, rtol, "cumsum \(dtype) \(shape): y")
            Self.expectNear(leaf.grad!.toArray(), gRef, rtol, "cumsum \(dtype) \(shape): dx")
        }
    }

    // ---- sums in the single-threaded order, exactly ---------------------------

    /// `ag_sum_to`'s order: the input walked row-major, whole rows of a reduced
    /// last dimension summed first, each output accumulated in T from 0. (The
    /// kernel merges neighbouring dimensions; the rows are the same as long as
    /// the dimension before a reduced last one is kept, as in the cases here.)
    static func sumToOrder<T: BinaryFloatingPoint>(_ g: [T], _ shape: [Int], keep: [Bool], _: T.Type) -> [T] {
        let last = shape.count - 1, len = shape[last]
        var outStrides = [Int](repeating: 0, count: shape.count), count = 1
        for d in shape.indices.reversed() where keep[d] { outStrides[d] = count; count *= shape[d] }
        var out = [T](repeating: 0, count: count)
        g.withUnsafeBufferPointer { g in
            out.withUnsafeMutableBufferPointer { out in
                for row in 0..<(g.count / len) {
                    var rest = row, off = 0
                    for d in stride(from: last - 1, through: 0, by: -1) { off += (rest % shape[d]) * outStrides[d]; rest /= shape[d] }
                    if keep[last] {
                        for j in 0..<len { out[off + j] += g[row * len + j] }
                    } else {
                        var acc: T = 0
                        for j in 0..<len { acc += g[row * len + j] }
                        out[off] += acc
                    }
                }
            }
        }
        return out
    }

    /// Whether t (a sum of g down to the kept dimensions of `shape`) is bit
    /// for bit the single-threaded sum.
    static func exact(_ t: Tensor, _ shape: [Int], keep: [Bool], _ g: Tensor) throws -> Bool {
        func same<T>(_ a: [T], _ b: [T]) -> Bool {
            a.count == b.count && a.withUnsafeBytes { a in b.withUnsafeBytes { b in memcmp(a.baseAddress!, b.baseAddress!, a.count) == 0 } }
        }
        return t.dtype == .float32
            ? same(try t.floats(), sumToOrder(try g.floats(), shape, keep: keep, Float.self))
            : same(try t.doubles(), sumToOrder(try g.doubles(), shape, keep: keep, Double.self))
    }

    @Test(arguments: [DType.float32, .float64])
    func broadcastGradientsSumInTheSingleThreadedOrder(dtype: DType) throws {
        // The bias gradient [N, C] -> [1, C], row sums [N, C] -> [N, 1], and [64, 100, 41] -> [100, 1].
        // [4096, 1024]: 4M elements, enough for the bias gradient (bound by memory) to be split over threads.
        for (shape, small) in [([4096, 1024], [1, 1024]), ([1024, 257], [1, 257]), ([1024, 257], [1024, 1]),
                               ([64, 100, 41], [100, 1])] {
            let a = try Self.input(shape, dtype, seed: 1, low: -1, high: 1).requiresGrad()
            let b = try Self.input(small, dtype, seed: 2).requiresGrad()
            let g = try Self.input(shape, dtype, seed: 4, low: -1, high: 1)
            try (a + b).backward(gradient: g)
            let padded = [Int](repeating: 1, count: shape.count - small.count) + small
            let keep = zip(shape, padded).map { $0 == $1 && $0 != 1 }
            #expect(try Self.exact(b.grad!, shape, keep: keep, g), "\(dtype) \(shape) -> \(small)")
        }
        let x = try Self.input([64, 100, 41], dtype, seed: 6)
        #expect(try Self.exact(x.sum(dims: [0, 2]), [64, 100, 41], keep: [false, true, false], x))
        #expect(try Self.exact(x.sum(dims: [2]), [64, 100, 41], keep: [true, true, false], x))
        #expect(try Self.exact(x.sum(dims: [0]), [64, 100, 41], keep: [false, true, true], x))
        #expect(Self.sameBits(try x.sum(dims: [0, 2]), try x.sum(dims: [0, 2])))
    }

    // ---- a leading dim (blocks of columns) == the last dim of the transposed copy ----

    /// Reducing dim 0 of [n, inner] walks blocks of up to 16 neighbouring
    /// columns row by row (reduce_dims.c); each column must come out bit for
    /// bit as the same values reduced along the last dim of
    /// x.transpose(0, 1), one contiguous slice at a time. Inner sizes: one
    /// column (the row path), part of a block, a block, a block and one, many.
    static let inners = [1, 3, 15, 16, 17, 1000]

    static let moreOps: [Op] = [
        ("varBiased", { try $0.var(dim: $1, unbiased: false) }), ("stdUnbiased", { try $0.std(dim: $1) }),
        ("norm0", { try $0.norm(p: 0, dim: $1) }), ("norm1", { try $0.norm(p: 1, dim: $1) }),
        ("normHalf", { try $0.norm(p: 0.5, dim: $1) }), ("norm1.5", { try $0.norm(p: 1.5, dim: $1) }),
        ("normNegInf", { try $0.norm(p: -.infinity, dim: $1) }),
    ]
    static let columnOps = ops.filter { $0.name != "sum" && $0.name != "mean" } + moreOps

    /// x [n, inner] on a grid of 1/8 (ties; zeros unless `prod`), column i of
    /// kind (5i + 1) % 6: 1: NaN at rows n/3 and 2n/3 with 4 between them (the
    /// first NaN decides max, min and their index); 2: constant (all ties,
    /// variance 0); 3: zeros; 4: all -inf; 5: +inf at row n/2; 0 (and 1): a
    /// zero at row n/4 (prod's backward then takes its path for zeros).
    static func columns(n: Int, inner: Int, _ dtype: DType, prod: Bool) throws -> Tensor {
        let u = try input([n, inner], .float64, seed: UInt64(inner), low: prod ? 0.75 : -1.5, high: prod ? 1.25 : 1.5)
        var v = u.toArray().map { ($0 * 8).rounded() / 8 }
        for i in 0..<inner {
            func set(_ j: Int, _ value: Double) { v[j * inner + i] = value }
            switch (i * 5 + 1) % 6 {
            case 1: set(n / 4, 0); set(n / 3, .nan); set(n / 2, 4); set(2 * n / 3, .nan)
            case 2: for j in 0..<n { set(j, prod ? 1 : 0.5) }
            case 3: for j in 0..<n { set(j, 0) }
            case 4: for j in 0..<n { set(j, -.infinity) }
            case 5: set(n / 2, .infinity)
            default: set(n / 4, 0)
            }
        }
        return try Tensor(v, shape: [n, inner], dtype: dtype)
    }

    /// Plain values (prod: near 1, no zeros) and the special columns above.
    static func columnInputs(n: Int, inner: Int, _ dtype: DType, prod: Bool) throws -> [(String, Tensor)] {
        [("plain", try input([n, inner], dtype, seed: 9, low: prod ? 0.97 : -1.5, high: prod ? 1.03 : 1.5)),
         ("special", try columns(n: n, inner: inner, dtype, prod: prod))]
    }

    /// y = op(x) along `dim` and dL/dx for dL/dy = w.
    static func run(_ op: Op, _ x: Tensor, _ dim: Int, gradient w: Tensor) throws -> (y: Tensor, gx: Tensor) {
        let leaf = try x.clone().requiresGrad()
        let y = try op.apply(leaf, dim)
        try y.backward(gradient: w)
        return (y, try #require(leaf.grad))
    }

    @Test(arguments: [DType.float32, .float64])
    func leadingDimMatchesTransposedCopy(dtype: DType) throws {
        let n = 300   // [300, 1000]: 300,000 elements, split over threads
        for inner in Self.inners {
            for op in Self.columnOps {
                for (kind, x) in try Self.columnInputs(n: n, inner: inner, dtype, prod: op.name == "prod") {
                    let what = "\(op.name) \(dtype) [\(n), \(inner)] \(kind)"
                    let scan = op.name == "cumsum"   // y and dL/dy shaped like x
                    let w = try Self.input(scan ? [n, inner] : [inner], dtype, seed: 13, low: -1, high: 1)
                    let cols = try Self.run(op, x, 0, gradient: w)
                    let rows = try Self.run(op, try x.transpose(0, 1), 1, gradient: scan ? try w.transpose(0, 1) : w)
                    #expect(Self.sameBits(cols.y, scan ? try rows.y.transpose(0, 1) : rows.y), "\(what): y differs from the transposed copy's")
                    #expect(Self.sameBits(cols.gx, try rows.gx.transpose(0, 1)), "\(what): dx differs from the transposed copy's")
                }
            }
            for (kind, x) in try Self.columnInputs(n: n, inner: inner, dtype, prod: false) {
                let xt = try x.transpose(0, 1)
                for (name, cols, rows) in [("max", try x.max(dim: 0).indices, try xt.max(dim: 1).indices),
                                           ("min", try x.min(dim: 0).indices, try xt.min(dim: 1).indices),
                                           ("argmax", try x.argmax(dim: 0), try xt.argmax(dim: 1)),
                                           ("argmin", try x.argmin(dim: 0), try xt.argmin(dim: 1))] {
                    #expect(Self.sameBits(cols, rows), "\(name) \(dtype) [\(n), \(inner)] \(kind): indices differ")
                    guard kind == "special" else { continue }
                    // The first NaN (kind 1), the first of all ties (kind 2).
                    let at = cols.toArray()
                    for i in 0..<inner where [1, 2].contains((i * 5 + 1) % 6) {
                        let expected = (i * 5 + 1) % 6 == 1 ? n / 3 : 0
                        guard at[i] == Double(expected) else {
                            Issue.record("\(name) \(dtype) column \(i) of \(inner): index \(at[i]), expected \(expected)")
                            break
                        }
                    }
                }
            }
        }
    }

    /// The kernels of recorded backwards: prod's products of the others (and
    /// their own backward, differentiating twice) and the inf-norm's tie mask.
    @Test(arguments: [DType.float32, .float64])
    func leadingDimRecordedBackwardMatchesTransposedCopy(dtype: DType) throws {
        let n = 40
        let ops: [Op] = [("prod", { try $0.prod(dim: $1) }), ("normInf", { try $0.norm(p: .infinity, dim: $1) })]
        for inner in Self.inners {
            for op in ops {
                let x = try Self.columns(n: n, inner: inner, dtype, prod: op.name == "prod")
                let v = try Self.input([n, inner], dtype, seed: 19, low: -1, high: 1)
                func twice(_ x: Tensor, _ dim: Int, _ v: Tensor) throws -> (g: Tensor, gg: Tensor) {
                    let leaf = try x.clone().requiresGrad()
                    let y = try op.apply(leaf, dim)
                    let w = try Self.input(y.shape, dtype, seed: 17, low: -1, high: 1)
                    let g = try #require(try grad(of: y, wrt: leaf, gradOutput: w, createGraph: true))
                    // (The inf-norm's recorded gradient is constant in x: no second order.)
                    let gg = op.name == "prod" ? try #require(try grad(of: g, wrt: leaf, gradOutput: v)) : try Tensor.zeros(like: x)
                    return (g, gg)
                }
                let cols = try twice(x, 0, v), rows = try twice(try x.transpose(0, 1), 1, try v.transpose(0, 1))
                let what = "\(op.name) \(dtype) [\(n), \(inner)]"
                #expect(Self.sameBits(cols.g, try rows.g.transpose(0, 1)), "\(what): the recorded dx differs from the transposed copy's")
                #expect(Self.sameBits(cols.gg, try rows.gg.transpose(0, 1)), "\(what): d(dx) differs from the transposed copy's")
            }
        }
    }

    // ---- the last dim (blocks of rows) == each row alone ------------------------

    /// Reducing the last dim of [outer, n] computes blocks of up to 8
    /// neighbouring rows side by side (slice_blocks.h: AG_ROW_LANES, and 4 or 1
    /// for some kernels); each row must come out bit for bit as that row,
    /// x[r], reduced alone. Outer sizes: one row, part of a block, a block,
    /// a block and one, many (split over threads).
    static let outers = [1, 3, 7, 8, 9, 1000]

    @Test(arguments: [DType.float32, .float64])
    func lastDimMatchesEachRowAlone(dtype: DType) throws {
        let n = 300   // [1000, 300]: 300,000 elements, split over threads; one row is not
        for outer in Self.outers {
            // Row r of kind (5r + 1) % 6 (NaN, ties, zeros, -inf, +inf, a zero): columns(), transposed.
            let inputs = try Self.columnInputs(n: n, inner: outer, dtype, prod: false)
                + Self.columnInputs(n: n, inner: outer, dtype, prod: true).map { ("prod " + $0.0, $0.1) }
            for op in Self.columnOps {
                for (kind, xt) in inputs where kind.hasPrefix("prod") == (op.name == "prod") {
                    let x = try xt.transpose(0, 1)
                    let what = "\(op.name) \(dtype) [\(outer), \(n)] \(kind)"
                    let scan = op.name == "cumsum"   // y and dL/dy shaped like x
                    let w = try Self.input(scan ? [outer, n] : [outer], dtype, seed: 23, low: -1, high: 1)
                    let whole = try Self.run(op, x, 1, gradient: w)
                    let per = scan ? n : 1
                    let ws = w.toArray(), xs = x.toArray()
                    for r in 0..<outer {
                        let row = x[r]
                        let wr = try Tensor(Array(ws[r * per..<(r + 1) * per]), shape: scan ? [n] : [], dtype: dtype)
                        let alone = try Self.run(op, row, 0, gradient: wr)
                        // prod's backward takes its path for zeros when the whole input has one:
                        // compare a row's gradient only when the row alone takes the same path.
                        let samePath = op.name != "prod" || xs.contains(0) == xs[r * n..<(r + 1) * n].contains(0)
                        let ok = Self.sameBits(whole.y, at: r * per, alone.y)
                            && (!samePath || Self.sameBits(whole.gx, at: r * n, alone.gx))
                        #expect(ok, "\(what): row \(r) differs from the row reduced alone")
                        if !ok { break }
                    }
                }
            }
            for (kind, xt) in inputs where !kind.hasPrefix("prod") {
                let x = try xt.transpose(0, 1)
                let whole = [try x.max(dim: 1).indices, try x.min(dim: 1).indices, try x.argmax(dim: 1), try x.argmin(dim: 1)]
                for r in 0..<outer {
                    let row = x[r]
                    let alone = [try row.max(dim: 0).indices, try row.min(dim: 0).indices, try row.argmax(dim: 0), try row.argmin(dim: 0)]
                    let ok = zip(whole, alone).allSatisfy { Self.sameBits($0, at: r, $1) }
                    #expect(ok, "max/min/argmax/argmin \(dtype) [\(outer), \(n)] \(kind): row \(r)'s index differs")
                    if !ok { break }
                }
            }
        }
    }
}
