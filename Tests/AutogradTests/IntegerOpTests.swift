import Testing
@testable import Autograd

/// The integer ops beyond the fixtures' pairs (Fixtures/integers.json, run by
/// PromotionTests): the extremes PyTorch itself cannot compute, the
/// gradients, the unary integer ops and operators with Swift numbers.
@Suite struct IntegerOpTests {
    static let min = Int.min, max = Int.max

    /// INT64_MIN / -1 overflows: PyTorch's trunc division, remainder and
    /// fmod of it end the process (SIGFPE); here it wraps, as its `//` does.
    @Test func int64MinDividedByMinusOneWraps() throws {
        let a = try Tensor(indices: [Self.min, Self.min, 7]), b = try Tensor(indices: [-1, 1, -1])
        #expect(try a.floorDivide(b).ints() == [Self.min, Self.min, -7])
        #expect(try a.div(b, roundingMode: .trunc).ints() == [Self.min, Self.min, -7])
        #expect(try a.div(b, roundingMode: .floor).ints() == [Self.min, Self.min, -7])
        #expect(try (a % b).ints() == [0, 0, 0])
        #expect(try a.fmod(b).ints() == [0, 0, 0])
        #expect(try (-a).ints() == [Self.min, Self.min, -7])
        #expect(try a.abs().ints() == [Self.min, Self.min, 7])
    }

    @Test func divisionByZeroIsRefusedForIntegersOnly() throws {
        let a = try Tensor(indices: [1, 2]), zero = try Tensor(indices: [1, 0])
        for f in [{ try a.floorDivide(zero) }, { try a % zero }, { try a.fmod(zero) },
                  { try a.div(zero, roundingMode: .trunc) }, { try a % 0 }] as [() throws -> Tensor] {
            #expect { _ = try f() } throws: { ($0 as? AutogradError)?.message == "ZeroDivisionError" }
        }
        // Floats divide by zero as IEEE says: ±inf, NaN.
        let x = try Tensor([1, -1, 0], dtype: .float64)
        let q = try x.floorDivide(Tensor.zeros([3], dtype: .float64)).toArray()
        #expect(q[0] == .infinity && q[1] == -.infinity && q[2].isNaN)
        #expect(try (x % 0.0).toArray().allSatisfy(\.isNaN))
    }

    /// Python's `-7 // 2 == -4` and `-7 % 2 == 1`, C's truncation and fmod.
    @Test func roundingAndSignsOfRemainders() throws {
        let a = try Tensor(indices: [7, -7, 7, -7]), b = try Tensor(indices: [2, 2, -2, -2])
        #expect(try a.floorDivide(b).ints() == [3, -4, -4, 3])
        #expect(try a.div(b, roundingMode: .trunc).ints() == [3, -3, -3, 3])
        #expect(try (a % b).ints() == [1, 1, -1, -1])
        #expect(try a.fmod(b).ints() == [1, -1, 1, -1])
        #expect(try (a % 3).ints() == [1, 2, 1, 2])
        #expect(try (10 % a).ints() == [3, -4, 3, -4])
        let f = try Tensor([7.5, -7.5], dtype: .float64)
        #expect(try f.floorDivide(2).toArray() == [3, -4])
        #expect(try (f % 2).toArray() == [1.5, 0.5])
        #expect(try f.fmod(2).toArray() == [1.5, -1.5])
        // A zero quotient keeps the sign of a / b, as PyTorch's div_floor_floating.
        let z = try Tensor([0.5, -0.5], dtype: .float64).div(4.0, roundingMode: .floor).toArray()
        #expect(z == [0, -1] && z[0].sign == .plus)
        let nz = try Tensor([-0.0], dtype: .float64).div(4.0, roundingMode: .floor).toArray()
        #expect(nz[0] == 0 && nz[0].sign == .minus)
    }

    @Test func bitwiseOpsAndShifts() throws {
        let a = try Tensor(indices: [12, -1, 5]), b = try Tensor(indices: [10, 7, 64])
        #expect(try (a & b).ints() == [8, 7, 0])
        #expect(try (a | b).ints() == [14, -1, 69])
        #expect(try (a ^ b).ints() == [6, -8, 69])
        #expect(try (~a).ints() == [-13, 0, -6])
        #expect(try (a << 2).ints() == [48, -4, 20])
        #expect(try (a >> 1).ints() == [6, -1, 2])
        #expect(try (a << b).ints() == [12 << 10, -128, 0])      // a shift of 64 or more gives 0
        #expect(try (a >> b).ints() == [0, -1, 0])              // ... and -1 or 0 to the right
        #expect(try (1 << Tensor(indices: [62, 63])).ints() == [1 << 62, Int.min])
        let m = try Tensor([1, 0, 1], dtype: .bool), n = try Tensor([1, 1, 0], dtype: .bool)
        #expect(try (m & n).toArray() == [1, 0, 0] && (m | n).toArray() == [1, 1, 1] && (m ^ n).toArray() == [0, 1, 1])
        #expect(try (~m).toArray() == [0, 1, 0] && (m ^ true).dtype == .bool)
        #expect { _ = try ~Tensor([1.5]) } throws: {
            ($0 as? AutogradError)?.message == "\"bitwise_not_cpu\" not implemented for 'Float'"
        }
        #expect { _ = try m << n } throws: { ($0 as? AutogradError)?.message == "\"lshift_cpu\" not implemented for 'Bool'" }
    }

    @Test func clampAndAbsKeepInt64() throws {
        let a = try Tensor(indices: [1, 5, 9, -16_777_217])
        let c = try a.clamp(min: 2, max: 6)
        #expect(c.dtype == .int64)
        #expect(try c.ints() == [2, 5, 6, 2])
        #expect(try a.clamp(max: 4).ints() == [1, 4, 4, -16_777_217])
        #expect(try a.clamp(min: 8, max: 3).ints() == [3, 3, 3, 3])    // min > max: max everywhere
        let f = try a.clamp(min: 2.5)
        #expect(f.dtype == .float32 && f.toArray() == [2.5, 5, 9, 2.5])
        #expect(try a.abs().ints() == [1, 5, 9, 16_777_217])
    }

    /// remainder: dL/da = g, dL/db = -g·floor(a/b); fmod the same with trunc;
    /// the rounded divisions have gradient 0 and `//` none at all.
    @Test func gradients() throws {
        let a = try Tensor([7.5, -3.25, 2.2], dtype: .float64, requiresGrad: true)
        let b = try Tensor([2.0, 1.5, -0.7], dtype: .float64, requiresGrad: true)
        try (a % b).sum().backward()
        #expect(a.grad!.toArray() == [1, 1, 1] && b.grad!.toArray() == [-3, 3, 4])
        a.grad = nil; b.grad = nil
        try a.fmod(b).sum().backward()
        #expect(a.grad!.toArray() == [1, 1, 1] && b.grad!.toArray() == [-3, 2, 3])
        #expect(try gradcheck({ try $0[0] % $0[1] + $0[0].fmod($0[1]) }, inputs: [a, b]))
        #expect(try gradgradcheck({ try ($0[0] % $0[1]) * $0[0] }, inputs: [a, b]))
        let q = try a.div(b, roundingMode: .floor)
        #expect(q.requiresGrad)
        #expect(try grad(of: q.sum(), wrt: a)!.toArray() == [0, 0, 0])
        #expect { try a.floorDivide(b).sum().backward() } throws: {
            ($0 as? AutogradError)?.message == "derivative for aten::floor_divide is not implemented"
        }
    }

    /// pow of a tensor by a tensor promotes as torch.result_type:
    /// torch.tensor([2.], dtype=float32) ** torch.tensor(3., dtype=float64) is float32 [8.].
    @Test func powPromotesByCategory() throws {
        let y = try Tensor([2]).pow(Tensor([3], shape: [], dtype: .float64))
        #expect(y.dtype == .float32 && y.toArray() == [8])
        let z = try Tensor([1.5, 2]).pow(Tensor(indices: [2, 3]))
        #expect(z.dtype == .float32 && z.toArray() == [2.25, 8])
    }

    /// Views are read through their strides, with PyTorch's result layout.
    @Test func viewsAndBroadcasts() throws {
        let m = try Tensor(indices: Array(0..<12), shape: [3, 4])
        let t = try m.t()
        let r = try t % Tensor(indices: [3, 5, 7])
        #expect(r.strides == [1, 4])
        #expect(try r.ints() == (try t.contiguous() % Tensor(indices: [3, 5, 7])).ints())
        #expect(try (t & 6).ints() == (try t.contiguous() & 6).ints())
    }
}
