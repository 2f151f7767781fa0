import Foundation
import Testing
@testable import Autograd

/// The programs of scripts/fixtures/indexing.py, in Swift: subscripts that
/// read and write (basic and advanced indexing), the in-place index ops and
/// PyTorch's refusals, against PyTorch's values, gradients and messages
/// (Fixtures/indexing.json).
@Suite struct IndexingProgramTests {
    static let cases = ProgramFixture.load("indexing")

    typealias Program = ProgramFixture.Program

    @Test func everyProgramIsHere() {
        #expect(Self.cases.count >= 60)
        for c in Self.cases { #expect(Self.programs[c.name] != nil, "no Swift program for \(c.name)") }
    }

    @Test(arguments: Self.cases.map(\.name))
    func matchesPyTorch(_ name: String) throws {
        try ProgramFixture.check(Self.cases.first { $0.name == name }!, try #require(Self.programs[name]))
    }

    // MARK: The programs (see indexing.py for the Python of each)

    static func ix(_ v: Int...) -> Tensor { try! Tensor(indices: v) }
    static func ix(_ v: [Int], shape: [Int]) -> Tensor { try! Tensor(indices: v, shape: shape) }
    /// A [2, 2, 3] tensor from m: m, then 2m.
    static func cube(_ m: Tensor) throws -> Tensor {
        try m.unsqueeze(dim: 0) * Tensor([1, 2], shape: [2, 1, 1], dtype: .float64)
    }
    static func mask(_ v: Bool...) -> Tensor { try! Tensor(v.map { $0 ? 1 : 0 }, dtype: .bool) }
    /// b = x * 1, then `change(b)`, then `result(b)` (b by default).
    static func changed(_ x: Tensor, _ change: (Tensor) throws -> Void, _ result: ((Tensor) throws -> Tensor)? = nil) throws -> Tensor {
        let b = try x * 1
        try change(b)
        return try result?(b) ?? b
    }

    static let programs: [String: Program] = [
        // Reads: views
        "int_index": { _, m, _ in try m[1] * 2 },
        "neg_int_index": { a, m, _ in try m[-1, -2] * a },
        "range_read": { a, _, w in try a[1..<3] * w[1..<3] },
        "partial_range_from": { _, m, _ in try m[.all, 1...] * 2 },
        "partial_range_upto": { a, _, w in try a[..<3] * w[..<3] },
        "closed_range": { a, _, _ in try a[1...2] * 3 },
        "closed_range_to_end": { a, _, w in try a[(-2)...(-1)] * w[...1] },
        "stride_read": { a, _, w in try a[.stride(2)] * w[.slice(1, nil, step: 2)] },
        "ellipsis_read": { _, m, _ in try m[.ellipsis, 1] * 2 },
        "ellipsis_middle": { _, m, w in try cube(m)[1, .ellipsis, 2] * w[..<2] },
        "newaxis_read": { a, m, _ in try a[.newAxis, .all] * m[.all, ..<1] },
        "newaxis_middle": { _, m, _ in try m[.all, .newAxis, 1...] * 2 },
        "all_read": { _, m, _ in try m[.all] * m },
        // Reads: advanced (copies)
        "index_tensor": { a, _, _ in try a[ix(3, 0, 3)] * 2 },
        "index_tensor_negative": { a, _, w in try a[ix(-1, -4)] * w[..<2] },
        "index_rows": { _, m, _ in try m[ix(1, 0, 1)] * 2 },
        "index_columns": { _, m, _ in try m[.all, ix(2, 0)] * 3 },
        "index_pairs": { _, m, w in try m[ix(0, 1, 1), ix(2, 0, 2)] * w[..<3] },
        "index_broadcast": { _, m, _ in try m[ix([0, 1], shape: [2, 1]), ix(0, 2)] * 2 },
        "index_nonadjacent": { _, m, _ in try cube(m)[ix(1, 0), .all, ix(2, 2)] * 2 },
        "index_int_then_tensor": { _, m, _ in try cube(m)[1, .all, ix(0, 2)] * 2 },
        "index_tensor_then_int": { _, m, _ in try cube(m)[ix(0, 1), .all, 1] * 2 },
        "index_of_transpose": { _, m, _ in try m.t()[ix(2, 1)] * 2 },
        "mask_read": { a, _, _ in try a[a.gt(2)] * 2 },
        "mask_2d": { _, m, _ in try m[m.gt(0)] * 3 },
        "mask_rows": { _, m, _ in try m[mask(true, false)] * 2 },
        "mask_with_slice": { _, m, _ in try m[.all, mask(true, false, true)] * 2 },
        "mask_true": { a, _, _ in try a[Tensor(scalar: 1, dtype: .bool)] * 2 },
        "mask_false": { a, _, _ in try a[Tensor(scalar: 0, dtype: .bool)] * 2 },
        "empty_index": { a, _, _ in try a[Tensor(indices: [])] * 2 },
        "index_read_is_copy": { a, _, _ in try changed(a) { b in try b[ix(0, 1)].mul_(10) } },
        // Setters
        "set_int": { _, m, w in try changed(m) { b in b[0] = w[..<3] } },
        "set_slice_broadcast": { _, m, w in try changed(m) { b in b[.all, 1...] = w[..<2] } },
        "set_column": { a, m, _ in try changed(m) { b in b[.all, 1] = try a[..<2] * 2 } },
        "set_scalar_slice": { a, _, w in try changed(a, { b in b[1..<3] = .scalar(0) }, { try $0 * w }) },
        "set_mask_scalar": { a, _, w in
            let b = try a * w
            b[try b.gt(1)] = .scalar(0)
            return b
        },
        "set_mask_tensor": { _, m, w in try changed(m) { b in b[try m.gt(0)] = w } },
        "set_index_tensor": { a, _, w in try changed(a) { b in b[ix(0, 3)] = w[1..<3] } },
        "set_index_2d": { a, m, w in try changed(m) { b in b[ix(1, 0), ix(2, 1)] = try a[..<2] * w[..<2] } },
        "set_index_with_slice": { _, m, w in try changed(m) { b in b[.all, ix(2, 0)] = try w.reshape(2, 2) } },
        "setitem_sub": { _, m, _ in
            let g = try m * 1
            let rows = ix(0, 1), target = ix(2, 0)
            try g[rows, target] -= 1
            return try g * m
        },
        "setitem_iadd_basic": { _, m, w in try changed(m) { b in try b[.all, 0] += w[..<2] } },
        "setitem_imul_index": { a, _, w in try changed(a) { b in try b[ix(3, 1)] *= w[..<2] } },
        "set_through_view": { a, _, w in
            try changed(a) { b in
                let v = b[1...]
                v[ix(0, 2)] = w[..<2]
            }
        },
        "double_set": { a, m, w in
            try changed(m, { b in
                b[0] = w[..<3]
                b[.all, 0] = a[..<2]
            }, { try $0 * w[..<3] })
        },
        // In-place index ops
        "index_add_": { _, m, w in try changed(m) { b in try b.indexAdd_(dim: 1, index: ix(0, 2, 0), source: m * w[..<3], alpha: 2) } },
        "index_copy_": { _, m, w in try changed(m) { b in try b.indexCopy_(dim: 0, index: ix(1, 0), source: m * w[..<3]) } },
        "index_fill_": { _, m, _ in try changed(m) { b in try b.indexFill_(dim: 1, index: ix(1), value: -2) } },
        "scatter_": { _, m, w in
            try changed(m) { b in try b.scatter_(dim: 1, index: ix([2, 0, 1, 0], shape: [2, 2]), src: (m * w[..<3])[.all, ..<2]) }
        },
        "scatter_value_": { _, m, _ in try changed(m) { b in try b.scatter_(dim: 0, index: ix([1, 0, 1], shape: [1, 3]), value: 5) } },
        "scatter_add_": { _, m, w in
            try changed(m) { b in try b.scatterAdd_(dim: 1, index: ix([0, 0, 2, 1, 2, 1], shape: [2, 3]), src: m * w[..<3]) }
        },
        "scatter_reduce_sum": { _, m, w in
            try changed(m) { b in
                try b.scatterReduce_(dim: 1, index: ix([0, 0, 2, 1], shape: [2, 2]), src: (m * w[..<3])[.all, 1...],
                                     reduce: "sum", includeSelf: false)
            }
        },
        "scatter_reduce_mean": { _, m, w in
            try changed(m) { b in
                try b.scatterReduce_(dim: 1, index: ix([0, 0, 2, 1], shape: [2, 2]), src: (m * w[..<3])[.all, 1...], reduce: "mean")
            }
        },
        "scatter_reduce_amax_ties": { _, m, _ in
            try changed(m) { b in try b.scatterReduce_(dim: 1, index: ix([0, 0, 2, 1], shape: [2, 2]), src: m[.all, ix(2, 2)], reduce: "amax") }
        },
        "scatter_reduce_amax_exclude": { _, m, w in
            try changed(m) { b in
                try b.scatterReduce_(dim: 1, index: ix([0, 0, 2, 1], shape: [2, 2]), src: m[.all, ix(2, 2)] * w[..<2], reduce: "amax",
                                     includeSelf: false)
            }
        },
        "scatter_reduce_amin": { _, m, w in
            try changed(m) { b in try b.scatterReduce_(dim: 0, index: ix([1, 0, 1], shape: [1, 3]), src: (m * w[..<3])[..<1], reduce: "amin") }
        },
        "scatter_reduce_prod": { _, m, w in
            try changed(m) { b in
                try b.scatterReduce_(dim: 1, index: ix([0, 0, 2, 1], shape: [2, 2]), src: (m * w[..<3])[.all, 1...], reduce: "prod")
            }
        },
        "scatter_reduce_prod_one_zero": { _, m, w in
            try changed(m) { b in
                let zero = try Tensor([1, 0, 1, 1], shape: [2, 2], dtype: .float64)
                try b.scatterReduce_(dim: 1, index: ix([0, 0, 2, 2], shape: [2, 2]), src: (m * w[..<3])[.all, 1...] * zero, reduce: "prod")
            }
        },
        "scatter_reduce_prod_zero_self": { _, m, w in
            try (m * Tensor([0, 1, 1, 1, 1, 1], shape: [2, 3], dtype: .float64))
                .scatterReduce(dim: 1, index: ix([0, 1, 2, 2], shape: [2, 2]), src: (m * w[..<3])[.all, ..<2], reduce: "prod")
        },
        "scatter_reduce_prod_exclude": { _, m, w in
            try changed(m) { b in
                try b.scatterReduce_(dim: 0, index: ix([1, 1, 0], shape: [1, 3]), src: (m * w[..<3])[..<1], reduce: "prod", includeSelf: false)
            }
        },
        "scatter_reduce_out_of_place": { a, m, _ in
            try m.scatterReduce(dim: 1, index: ix([2, 2, 0, 0], shape: [2, 2]), src: a.reshape(2, 2), reduce: "amin", includeSelf: false)
        },
        "masked_fill_": { _, m, _ in try changed(m) { b in try b.maskedFill_(mask: m.lt(0), value: 0) } },
        "masked_fill_broadcast": { _, m, _ in try changed(m) { b in try b.maskedFill_(mask: mask(true, false, true), value: -1) } },
        "masked_scatter_": { a, _, w in try changed(a) { b in try b.maskedScatter_(mask: a.gt(1.5), source: w * 2) } },
        "index_put_accumulate": { a, _, w in try changed(a) { b in try b.indexPut_([ix(0, 0, 3)], w[..<3], accumulate: true) } },
        "index_put_2d": { _, m, w in try changed(m) { b in try b.indexPut_([ix(0, 1), ix(2, 2)], w[..<2]) } },
        "index_add_on_view": { _, m, w in
            try changed(m) { b in try b[.all, 1...].indexAdd_(dim: 0, index: ix(1), source: w[..<2].reshape(1, 2)) }
        },
        "masked_fill_leaf": { a, _, _ in try a.maskedFill_(mask: a.gt(2), value: 0) },
        // Refusals and errors: a subscript's error surfaces at the next op on the tensor
        "set_leaf": { a, _, _ in
            a[0] = .scalar(1)
            return try a * 1
        },
        "set_leaf_index": { a, _, _ in
            a[ix(0)] = .scalar(1.0)
            return try a * 1
        },
        "set_shape_error": { a, _, w in try changed(a) { b in b[ix(0, 1)] = w[..<3] } },
        "set_basic_shape_error": { _, m, w in try changed(m) { b in b[0] = w } },
        "set_dtype_error": { a, _, _ in try changed(a) { b in b[ix(0)] = try Tensor.ones([1]) } },
        "index_out_of_bounds": { a, _, _ in try a.at(ix(4)) },
        "index_out_of_bounds_dim1": { _, m, _ in try m.at(ix(0), ix(-4)) },
        "int_out_of_bounds": { _, m, _ in try m.at(.all, 3) },
        "mask_shape_error": { _, m, _ in try m[mask(true, false, true)] * 1 },
        "too_many_indices": { _, m, _ in try m[0, 0, 0] * 1 },
        "broadcast_error": { _, m, _ in try m.at(ix(0, 1), ix(0, 1, 2)) },
        "float_index_error": { a, _, _ in try a.at(Tensor([0.0])) },
        "zero_step_error": { a, _, _ in try a.at(.stride(0)) },
    ]
}
