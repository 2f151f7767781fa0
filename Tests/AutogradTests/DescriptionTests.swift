import Testing
@testable import Autograd

// Expected strings are PyTorch 2.15's `repr` of the same values, printed by
// scripts/fixtures/make_description_fixtures.py (MulBackward0 written MulBackward).

private func f32(_ values: [Double], _ shape: [Int]? = nil) throws -> Tensor {
    try Tensor(values, shape: shape, dtype: .float32)
}

@Test func descriptionKeyCase() throws {
    #expect(try f32([0, 2.558800458908081]).description == "tensor([0.0000, 2.5588])")
}

@Test func descriptionScalars() throws {
    #expect(try Tensor(scalar: 3.5).description == "tensor(3.5000)")
    #expect(try Tensor(indices: [7], shape: []).description == "tensor(7)")
    #expect(try Tensor([0], shape: [], dtype: .bool).description == "tensor(False)")
    #expect(try Tensor(scalar: 3.5, dtype: .float64, requiresGrad: true).description
        == "tensor(3.5000, dtype=torch.float64, requires_grad=True)")
}

@Test func descriptionFixedMode() throws {
    #expect(try f32([-1.5, 10.25, 100.125]).description == "tensor([ -1.5000,  10.2500, 100.1250])")
    #expect(try f32([0.001, 1.0]).description == "tensor([0.0010, 1.0000])")
}

@Test func descriptionIntValuedFloats() throws {
    #expect(try f32([0, 1, 2, -3]).description == "tensor([ 0.,  1.,  2., -3.])")
    #expect(try f32([-0.0, 1]).description == "tensor([-0., 1.])")
    #expect(try Tensor.zeros([2, 2]).description == "tensor([[0., 0.],\n        [0., 0.]])")
}

@Test func descriptionScientificMode() throws {
    #expect(try f32([1e-5, 1]).description == "tensor([1.0000e-05, 1.0000e+00])")
    #expect(try f32([1e9, 2]).description == "tensor([1.0000e+09, 2.0000e+00])")
    #expect(try f32([0.001, 2]).description == "tensor([1.0000e-03, 2.0000e+00])")
    #expect(try f32([1, 5000]).description == "tensor([1.0000e+00, 5.0000e+03])")
}

@Test func descriptionNanAndInf() throws {
    #expect(try f32([.nan, .infinity, -.infinity, 1.5]).description == "tensor([   nan,    inf,   -inf, 1.5000])")
    #expect(try f32([0, .nan, .infinity, -.infinity]).description == "tensor([0., nan, inf, -inf])")
    #expect(try f32([.nan, 1e-6, -.infinity]).description == "tensor([       nan, 1.0000e-06,       -inf])")
}

@Test func descriptionMatrix() throws {
    #expect(try f32([1, 2.5, -3, 4, 5, 6.125], [2, 3]).description == """
        tensor([[ 1.0000,  2.5000, -3.0000],
                [ 4.0000,  5.0000,  6.1250]])
        """)
}

@Test func descriptionHigherRanks() throws {
    #expect(try f32([1, 2, 3, 4, 5, 6, 7, 8], [2, 2, 2]).description == """
        tensor([[[1., 2.],
                 [3., 4.]],

                [[5., 6.],
                 [7., 8.]]])
        """)
    #expect(try Tensor(indices: Array(0..<16), shape: [2, 2, 2, 2]).description == """
        tensor([[[[ 0,  1],
                  [ 2,  3]],

                 [[ 4,  5],
                  [ 6,  7]]],


                [[[ 8,  9],
                  [10, 11]],

                 [[12, 13],
                  [14, 15]]]])
        """)
}

@Test func descriptionInt64AndBool() throws {
    #expect(try Tensor(indices: [1, -20, 300]).description == "tensor([  1, -20, 300])")
    #expect(try Tensor(indices: [1, 2, -30, 4], shape: [2, 2]).description == """
        tensor([[  1,   2],
                [-30,   4]])
        """)
    #expect(try Tensor([1, 0, 1], dtype: .bool).description == "tensor([ True, False,  True])")
}

@Test func descriptionDtypeAndGradSuffixes() throws {
    #expect(try Tensor([1, 2.25], dtype: .float64).description == "tensor([1.0000, 2.2500], dtype=torch.float64)")
    #expect(try Tensor([0.5, 1], dtype: .float32, requiresGrad: true).description
        == "tensor([0.5000, 1.0000], requires_grad=True)")
    let x = try Tensor([1, 2], dtype: .float32, requiresGrad: true)
    let y = try x * f32([3, 0.5])
    #expect(y.description == "tensor([3., 1.], grad_fn=<MulBackward>)")
}

@Test func descriptionEmpty() throws {
    #expect(try f32([]).description == "tensor([])")
    #expect(try Tensor.zeros([0, 3]).description == "tensor([], size=(0, 3))")
    #expect(try Tensor(indices: []).description == "tensor([], dtype=torch.int64)")
    #expect(try Tensor([], shape: [2, 0], dtype: .float64, requiresGrad: true).description
        == "tensor([], size=(2, 0), dtype=torch.float64, requires_grad=True)")
}

@Test func descriptionLineWrapping() throws {
    #expect(try f32((0..<30).map { Double($0) * 0.5 }).description == """
        tensor([ 0.0000,  0.5000,  1.0000,  1.5000,  2.0000,  2.5000,  3.0000,  3.5000,
                 4.0000,  4.5000,  5.0000,  5.5000,  6.0000,  6.5000,  7.0000,  7.5000,
                 8.0000,  8.5000,  9.0000,  9.5000, 10.0000, 10.5000, 11.0000, 11.5000,
                12.0000, 12.5000, 13.0000, 13.5000, 14.0000, 14.5000])
        """)
    #expect(try f32((0..<40).map { Double($0) * 0.25 - 3 }, [2, 20]).description == """
        tensor([[-3.0000, -2.7500, -2.5000, -2.2500, -2.0000, -1.7500, -1.5000, -1.2500,
                 -1.0000, -0.7500, -0.5000, -0.2500,  0.0000,  0.2500,  0.5000,  0.7500,
                  1.0000,  1.2500,  1.5000,  1.7500],
                [ 2.0000,  2.2500,  2.5000,  2.7500,  3.0000,  3.2500,  3.5000,  3.7500,
                  4.0000,  4.2500,  4.5000,  4.7500,  5.0000,  5.2500,  5.5000,  5.7500,
                  6.0000,  6.2500,  6.5000,  6.7500]])
        """)
    #expect(try Tensor(indices: (0..<45).map { ($0 * 37) % 101 - 50 }).description == """
        tensor([-50, -13,  24, -40,  -3,  34, -30,   7,  44, -20,  17, -47, -10,  27,
                -37,   0,  37, -27,  10,  47, -17,  20, -44,  -7,  30, -34,   3,  40,
                -24,  13,  50, -14,  23, -41,  -4,  33, -31,   6,  43, -21,  16, -48,
                -11,  26, -38])
        """)
}

@Test func descriptionSuffixWrapping() throws {
    let t = try Tensor((0..<12).map { Double($0) * 1.5 }, dtype: .float64, requiresGrad: true)
    #expect(t.description == """
        tensor([ 0.0000,  1.5000,  3.0000,  4.5000,  6.0000,  7.5000,  9.0000, 10.5000,
                12.0000, 13.5000, 15.0000, 16.5000], dtype=torch.float64,
               requires_grad=True)
        """)
}

@Test func descriptionSummarizedVectors() throws {
    #expect(try Tensor(indices: Array(0..<2000)).description == "tensor([   0,    1,    2,  ..., 1997, 1998, 1999])")
    // The formatter sees only the shown values: 1.499 / 0.001 > 1000 picks scientific mode.
    #expect(try f32((0..<1500).map { Double($0) * 0.001 }).description == """
        tensor([0.0000e+00, 1.0000e-03, 2.0000e-03,  ..., 1.4970e+00, 1.4980e+00,
                1.4990e+00])
        """)
}

@Test func descriptionSummarizedMatrices() throws {
    #expect(try f32((0..<1600).map { Double($0 % 97) - 48.5 }, [40, 40]).description == """
        tensor([[-48.5000, -47.5000, -46.5000,  ..., -11.5000, -10.5000,  -9.5000],
                [ -8.5000,  -7.5000,  -6.5000,  ...,  28.5000,  29.5000,  30.5000],
                [ 31.5000,  32.5000,  33.5000,  ..., -28.5000, -27.5000, -26.5000],
                ...,
                [-23.5000, -22.5000, -21.5000,  ...,  13.5000,  14.5000,  15.5000],
                [ 16.5000,  17.5000,  18.5000,  ..., -43.5000, -42.5000, -41.5000],
                [-40.5000, -39.5000, -38.5000,  ...,  -3.5000,  -2.5000,  -1.5000]])
        """)
    #expect(try f32((0..<1200).map { Double($0) }, [600, 2]).description == """
        tensor([[0.0000e+00, 1.0000e+00],
                [2.0000e+00, 3.0000e+00],
                [4.0000e+00, 5.0000e+00],
                ...,
                [1.1940e+03, 1.1950e+03],
                [1.1960e+03, 1.1970e+03],
                [1.1980e+03, 1.1990e+03]])
        """)
}

@Test func descriptionSummarizedRank3() throws {
    #expect(try Tensor(indices: (0..<1200).map { $0 % 10 }, shape: [12, 2, 50]).description == """
        tensor([[[0, 1, 2,  ..., 7, 8, 9],
                 [0, 1, 2,  ..., 7, 8, 9]],

                [[0, 1, 2,  ..., 7, 8, 9],
                 [0, 1, 2,  ..., 7, 8, 9]],

                [[0, 1, 2,  ..., 7, 8, 9],
                 [0, 1, 2,  ..., 7, 8, 9]],

                ...,

                [[0, 1, 2,  ..., 7, 8, 9],
                 [0, 1, 2,  ..., 7, 8, 9]],

                [[0, 1, 2,  ..., 7, 8, 9],
                 [0, 1, 2,  ..., 7, 8, 9]],

                [[0, 1, 2,  ..., 7, 8, 9],
                 [0, 1, 2,  ..., 7, 8, 9]]])
        """)
}

@Test func descriptionInterpolation() throws {
    // `print` and string interpolation go through `description`.
    #expect("\(try f32([1.5]))" == "tensor([1.5000])")
}
