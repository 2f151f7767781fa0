import Testing
import AutogradKernels
import ExampleKernels
import Foundation

/// The C kernels called directly, against closed forms.
@Suite struct KernelTests {
    @Test func seedKernelsFloatAndDouble() {
        let x: [Float] = [0, 4, -2]
        var y = [Float](repeating: 0, count: 3), gx = [Float](repeating: 0, count: 3)
        custom_tanh_forward_f32(x, &y, 3)
        custom_tanh_backward_f32(x, [1, 1, 2], &gx, 3)
        for i in 0..<3 {
            #expect(Swift.abs(Double(y[i]) - 4 * Foundation.tanh(Double(x[i]) / 4)) < 1e-6)
            let c = Foundation.cosh(Double(x[i]) / 4)
            #expect(Swift.abs(Double(gx[i]) - [1.0, 1, 2][i] / (c * c)) < 1e-6)
        }
        var yd = [Double](repeating: 0, count: 1), gd = [Double](repeating: 0, count: 1)
        custom_tanh_forward_f64([4], &yd, 1)
        custom_tanh_backward_f64([4], [2 * yd[0]], &gd, 1)
        #expect(Swift.abs(gd[0] - 2.558800033796898) < 1e-14)
    }

    @Test func unaryPairs() {
        let x: [Double] = [0.5, 1.5, 2.5]
        var y = [Double](repeating: 0, count: 3), g = [Double](repeating: 0, count: 3)
        ag_tanh_forward_f64(x, &y, 3)
        ag_tanh_backward_f64(nil, y, [1, 1, 1], &g, 3)
        for i in 0..<3 {
            #expect(y[i] == Foundation.tanh(x[i]))
            #expect(Swift.abs(g[i] - 1 / (Foundation.cosh(x[i]) * Foundation.cosh(x[i]))) < 1e-15)
        }
        ag_exp_forward_f64(x, &y, 3)
        ag_exp_backward_f64(nil, y, [2, 2, 2], &g, 3)
        #expect(g == x.map { 2 * Foundation.exp($0) })
        var p = [Float](repeating: 0, count: 2)
        ag_pow_scalar_forward_f32([2, 3], 3, &p, 2)
        #expect(p == [8, 27])
        ag_pow_scalar_backward_f32([2, 3], 3, [1, 1], &p, 2)
        #expect(p == [12, 27])
    }

    @Test func broadcastBinaryAndSumTo() {
        // [2,3] + [3] and [2,1] * [1,3]
        var bc = ag_broadcast()
        bc.ndim = 2; bc.numel = 6
        bc.shape.0 = 2; bc.shape.1 = 3
        bc.stride_a.0 = 3; bc.stride_a.1 = 1
        bc.stride_b.0 = 0; bc.stride_b.1 = 1
        var out = [Float](repeating: 0, count: 6)
        ag_add_forward_f32([1, 2, 3, 4, 5, 6], [10, 20, 30], &out, &bc)
        #expect(out == [11, 22, 33, 14, 25, 36])
        bc.stride_a.0 = 1; bc.stride_a.1 = 0
        bc.stride_b.0 = 0; bc.stride_b.1 = 1
        ag_mul_forward_f32([2, 3], [1, 10, 100], &out, &bc)
        #expect(out == [2, 20, 200, 3, 30, 300])
        // Sum [2,3] down to [1,3] (operand a: strides 0, 1).
        bc.stride_a.0 = 0; bc.stride_a.1 = 1
        var small = [Float](repeating: -1, count: 3)
        ag_sum_to_f32([1, 2, 3, 4, 5, 6], &small, 3, &bc)
        #expect(small == [5, 7, 9])
        #expect(ag_sum_all_f64([1, 2, 3, 4, 5, 6, 7, 8, 9, 10], 10) == 55)
    }

    @Test func gemmWithTransposeFlags() {
        // A = [[1,2],[3,4]], B = [[5,6],[7,8]]
        let a: [Float] = [1, 2, 3, 4], b: [Float] = [5, 6, 7, 8]
        var c = [Float](repeating: 0, count: 4)
        ag_gemm_f32(false, false, 2, 2, 2, 1, a, 2, 0, b, 2, 0, 0, &c, 1)
        #expect(c == [19, 22, 43, 50])
        ag_gemm_f32(true, false, 2, 2, 2, 1, a, 2, 0, b, 2, 0, 0, &c, 1)   // Aᵀ B
        #expect(c == [26, 30, 38, 44])
        ag_gemm_f32(false, true, 2, 2, 2, 1, a, 2, 0, b, 2, 0, 0, &c, 1)   // A Bᵀ
        #expect(c == [17, 23, 39, 53])
    }

    @Test func gemmReadsRowsLeadingDimensionApart() {
        // A = [[1,2],[3,4]] as the first two columns of [[1,2,9],[3,4,9]] (lda 3);
        // B = [[5,6],[7,8]] stored transposed, [[5,7],[6,8]] in a 2x4 buffer (ldb 4).
        let a: [Float] = [1, 2, 9, 3, 4, 9], bt: [Float] = [5, 7, -1, -1, 6, 8, -1, -1]
        var c = [Float](repeating: 0, count: 4)
        ag_gemm_f32(false, true, 2, 2, 2, 1, a, 3, 0, bt, 4, 0, 0, &c, 1)
        #expect(c == [19, 22, 43, 50])
        // A batch of two: the second A starts 1 element on (the columns [2,9],[4,9]).
        var c2 = [Double](repeating: 0, count: 8)
        ag_gemm_f64(false, false, 2, 2, 2, 1, [1, 2, 9, 3, 4, 9], 3, 1, [1, 0, 0, 1], 2, 0, 0, &c2, 2)
        #expect(c2 == [1, 2, 3, 4, 2, 9, 4, 9])
    }

    @Test func seededRandomIsRepeatable() {
        var a = [Double](repeating: 0, count: 10_000), b = a
        ag_randn_f64(&a, 10_000, 42, 0)
        ag_randn_f64(&b, 10_000, 42, 0)
        #expect(a == b)
        let mean = a.reduce(0, +) / 10_000
        let variance = a.map { ($0 - mean) * ($0 - mean) }.reduce(0, +) / 10_000
        #expect(Swift.abs(mean) < 0.05 && Swift.abs(variance - 1) < 0.05)
    }

    /// Large inputs go through the thread pool: the split must not change results.
    @Test func largeKernelsSplitOverCoresAgreeWithOneThread() {
        // Results are reduced to counts before #expect, which would otherwise
        // print million-element arrays on failure.
        let n = 1_000_003
        let x = (0..<n).map { Double($0 % 1000) / 250 - 2 }
        #expect(Swift.abs(ag_sum_all_f64(x, Int64(n)) - x.reduce(0, +)) < 1e-6)
        let ones = [Float](repeating: 1, count: n)
        #expect(ag_sum_all_f32(ones, Int64(n)) == Double(n))
        var y = [Double](repeating: 0, count: n)
        ag_tanh_forward_f64(x, &y, Int64(n))
        let tanhMismatches = zip(x, y).filter { $0.1 != Foundation.tanh($0.0) }.count
        #expect(tanhMismatches == 0)
        var yf = [Float](repeating: 0, count: n), xf = x.map { Float($0) }
        ag_exp_forward_f32(xf, &yf, Int64(n))
        let worst = zip(xf, yf).map { Swift.abs(Double($0.1) / Foundation.exp(Double($0.0)) - 1) }.max() ?? 0
        #expect(worst < 3e-7)
        xf[n - 1] = 3
        var bc = ag_broadcast()
        bc.ndim = 1; bc.numel = Int64(n); bc.shape.0 = Int64(n); bc.stride_a.0 = 1; bc.stride_b.0 = 0
        ag_mul_forward_f32(xf, [2], &yf, &bc)
        let mulMismatches = zip(xf, yf).filter { $0.1 != 2 * $0.0 }.count
        #expect(mulMismatches == 0)
    }
}

