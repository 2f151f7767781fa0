import Foundation
import Testing
@testable import Autograd

/// The programs of scripts/fixtures/views.py, in Swift: views, in-place
/// changes through them, and PyTorch's refusals, against PyTorch's values,
/// gradients and messages (Fixtures/views.json).
@Suite struct ViewProgramTests {
    static let cases = ProgramFixture.load("views")

    typealias Program = ProgramFixture.Program

    @Test func everyProgramIsHere() {
        #expect(Self.cases.count >= 60)
        for c in Self.cases { #expect(Self.programs[c.name] != nil, "no Swift program for \(c.name)") }
    }

    @Test(arguments: Self.cases.map(\.name))
    func matchesPyTorch(_ name: String) throws {
        try ProgramFixture.check(Self.cases.first { $0.name == name }!, try #require(Self.programs[name]))
    }

    // MARK: The programs (see views.py for the Python of each)

    static func first(_ t: Tensor, _ n: Int) throws -> Tensor { try t.slice(end: n) }
    static func from(_ t: Tensor, _ n: Int) throws -> Tensor { try t.slice(start: n) }
    /// b = x * 1, then `change(b)`, then `result(b)` (b by default).
    static func changed(_ x: Tensor, _ change: (Tensor) throws -> Void, _ result: ((Tensor) throws -> Tensor)? = nil) throws -> Tensor {
        let b = try x * 1
        try change(b)
        return try result?(b) ?? b
    }

    static let programs: [String: Program] = [
        "reshape_mul_": { a, _, _ in try changed(a) { try $0.reshape([2, 2]).mul_(2) } },
        "view_mul_": { a, _, w in try changed(a) { try $0.view(2, 2).mul_(w.view(2, 2)) } },
        "narrow_mul_": { a, _, _ in try changed(a) { try $0.narrow(dim: 0, start: 1, length: 2).mul_(10) } },
        "leaf_view_mul_": { a, _, _ in try a.view(2, 2).mul_(2) },
        "leaf_narrow_add_": { a, _, w in try a.narrow(dim: 0, start: 0, length: 2).add_(first(w, 2)) },
        "clone_recorded": { a, _, w in try a.clone() * w + a },
        "contiguous_of_t": { _, m, _ in try m.t().contiguous() * 2 },
        "t_read": { _, m, _ in try m.t() * m.t() },
        "t_add_": { _, m, w in try changed(m) { try $0.t().add_(first(w, 3).unsqueeze(dim: 1)) } },
        "t_add_scalar_": { _, m, _ in try changed(m, { try $0.t().add_(1.5) }, { try $0 * $0 }) },
        "transpose_mul_": { _, m, _ in try changed(m) { try $0.transpose(0, 1).mul_(3) } },
        "mT_read": { _, m, _ in try m.reshape(1, 2, 3).mT * 2 },
        "permute_mul_": { _, m, _ in try changed(m.reshape(1, 2, 3)) { try $0.permute(2, 0, 1).mul_(3) } },
        "permute_read": { _, m, _ in try m.reshape(2, 1, 3).permute(2, 1, 0).sin() },
        "movedim_read": { _, m, _ in try m.reshape(1, 2, 3).movedim(0, 2) * 2 },
        "expand_read": { a, _, _ in try a.expand(3, 4) * 2 },
        "expand_as_read": { a, m, _ in try a.reshape(4, 1).expandAs(Tensor.zeros([4, 3], dtype: .float64)) * first(m.reshape(6), 3) },
        "broadcast_to_read": { a, _, w in try a.broadcastTo([2, 4]) * w },
        "expand_add_": { a, _, _ in try (a * 1).unsqueeze(dim: 0).expand(3, 4).add_(1) },
        "slice_step_mul_": { a, _, w in try changed(a) { try $0.slice(step: 2).mul_(first(w, 2)) } },
        "slice_step_read": { a, _, w in try a.slice(start: 1, step: 2) * w.slice(step: 2) },
        "select_mul_": { _, m, w in try changed(m) { try $0[1].mul_(first(w, 3)) } },
        "select_dim1_copy_": { _, m, w in try changed(m) { try $0.select(dim: 1, index: 0).copy_(first(w, 2)) } },
        "select_neg_mul_": { a, _, _ in try changed(a) { try $0[-1].mul_(2) } },
        "select_fill_": { _, m, _ in try changed(m, { try $0.select(dim: 1, index: 1).fill_(0) }, { try $0 * m }) },
        "unbind_read": { _, m, _ in
            try Tensor.stack(m.unbind(dim: 1).enumerated().map { i, u in try u * Double(i + 1) })
        },
        "unbind_mul_": { _, m, _ in try (m * 1).unbind(dim: 0)[0].mul_(2) },
        "split_add_": { a, _, _ in try (a * 1).split(2)[1].add_(1) },
        "chunk_mul_": { a, _, w in try (a * 1).chunk(2)[0].mul_(first(w, 2)) },
        "split_read": { a, _, w in try Tensor.cat((a * w).split(sizes: [1, 3]).reversed()) },
        "chunk_read": { _, m, _ in try m.chunk(3, dim: 1)[2] * 3 },
        "diagonal_mul_": { a, _, w in try changed(a.reshape(2, 2)) { try $0.diagonal().mul_(first(w, 2)) } },
        "diagonal_offset_read": { _, m, w in try m.diagonal(offset: 1) * first(w, 2) },
        "diagonal_neg_read": { _, m, _ in try m.t().diagonal(offset: -1) * 4 },
        "unfold_read": { a, m, _ in try a.unfold(dimension: 0, size: 2, step: 1) * m.reshape(3, 2) },
        "as_strided_read": { a, _, _ in try a.asStrided(size: [2, 2], stride: [1, 1]) * 2 },
        "as_strided_mul_": { a, _, _ in try changed(a) { try $0.asStrided(size: [2], stride: [2], storageOffset: 1).mul_(3) } },
        "view_of_view_mul_": { a, _, w in try changed(a) { try $0.view(2, 2)[1].mul_(first(w, 2)) } },
        "chain_add_": { a, _, w in try changed(a) { try $0.view(2, 2).t()[0].add_(first(w, 2)) } },
        "base_change_then_view": { a, _, w in
            let b = try a * 1, v = try b.slice(start: 1, end: 3)
            try b.mul_(2)
            return try v * first(w, 2)
        },
        "view_change_then_other_view": { a, _, w in
            let b = try a * 1, v1 = try first(b, 2), v2 = try from(b, 1)
            try v1.mul_(3)
            return try v2 * first(w, 3)
        },
        "view_change_then_base": { a, _, w in
            let b = try a * 1, v = try from(b, 2)
            try v.mul_(first(w, 2))
            return try b * b
        },
        "two_views_changed": { a, _, w in
            try changed(a, { b in try first(b, 2).mul_(first(w, 2)); try from(b, 2).add_(from(w, 2)) }, { try $0 * a })
        },
        "detach_mul_": { a, _, _ in
            let b = try a * 2
            try b.detach().mul_(3)
            return b
        },
        "nograd_view_mul_": { a, _, _ in
            let b = try a * 1
            let v = try withNoGrad { try first(b, 2) }
            try v.mul_(2)
            return b
        },
        "nograd_view_and_change": { a, _, w in
            let b = try a * 1
            try withNoGrad { try first(b, 2).mul_(2) }
            return try b * w
        },
        "custom_view_mul_": { a, _, _ in try Id.apply(a * 1).mul_(2) },
        "custom_as_is_mul_": { a, _, _ in try AsIs.apply(a * 1).mul_(2) },
        "custom_view_read": { a, _, w in try Id.apply(a * 1) * w },
        "custom_view_of_strided_read": { _, m, w in try Id.apply((m * 1).t()) * first(w, 2) },
        "custom_view_of_strided_mul_": { _, m, _ in try Id.apply((m * 1).t()).mul_(2) },
        "custom_as_is_strided_mul_": { _, m, _ in try AsIs.apply((m * 1)[.all, .stride(2)]).mul_(2) },
        "custom_view_of_strided_base": { _, m, _ in
            try changed(m) { b in
                let v = try Id.apply(b.t())
                #expect(v.sharesStorage(with: b) && v.strides == [1, 3])
                try b.mul_(3)
            }
        },
        "mark_dirty_on_view": { a, _, w in try changed(a, { _ = try MulTwoInPlace.apply($0.slice(start: 1, end: 3)) }, { try $0 * w }) },
        "narrow_copy_": { a, _, w in try changed(a) { try $0.narrow(dim: 0, start: 1, length: 2).copy_(first(w, 2)) } },
        "slice_copy_broadcast_": { _, m, w in try changed(m) { try $0.slice(dim: 1, end: 2).copy_(first(w, 2)) } },
        "zero_on_view": { a, _, w in try changed(a, { try from($0, 2).zero_() }, { try $0 * w }) },
        "clamp_on_view": { a, _, w in try changed(a, { try first($0, 2).clamp_(min: 1.5) }, { try $0 * w }) },
        "div_on_view": { a, _, w in try changed(a) { try from($0, 1).div_(from(w, 1)) } },
        "sub_on_view": { a, _, w in try changed(a) { try $0.narrow(dim: 0, start: 0, length: 3).sub_(from(w, 1)) } },
        "unsqueeze_mul_": { a, _, w in try changed(a) { try $0.unsqueeze(dim: 0).mul_(w) } },
        "squeeze_add_": { a, _, w in try changed(a.reshape(1, 4)) { try $0.squeeze(dim: 0).add_(w) } },
        "flatten_unflatten": { _, m, _ in try m.flatten().unflatten(dim: 0, sizes: [3, 2]) * 2 },
        "view_of_t_error": { _, m, _ in try m.t().view(6) },
        "reshape_of_t_copies": { _, m, w in try m.t().reshape(6) * first(w, 1) },
        "saved_view_changed": { a, _, _ in
            let b = try a * 1, v = try first(b, 2)
            let y = try v * v
            try b.add_(1)
            return y
        },
        "mul_disjoint_views": { a, _, _ in try changed(a) { try first($0, 2).mul_(from($0, 2)) } },
        "narrow_matmul": { a, m, _ in try m.narrow(dim: 1, start: 0, length: 2).matmul(a.reshape(2, 2)) },
        "t_matmul": { _, m, _ in try m.t().matmul(m) },
        "t_matmul_t": { a, m, _ in try m.t().matmul(a.reshape(2, 2)).transpose(0, 1) },
        "sum_of_t": { _, m, _ in try m.t().sum(dim: 0) },
        "exp_of_slice": { _, m, _ in try m.slice(dim: 1, start: 1).exp() },
        "buffer_copy_": { a, _, w in
            let buf = try Tensor.zeros([4], dtype: .float64)
            try buf.slice(start: 1, end: 3).copy_(first(w, 2) * 2)
            return try buf * a
        },
        "double_backward_view": { a, _, w in
            let b = try changed(a) { try $0.slice(start: 1, end: 3).mul_(first(w, 2)) }
            return try #require(try grad(of: (b * b).sum(), wrt: a, createGraph: true))
        },
        "double_backward_clone": { a, _, w in
            let y = try ClonedGradient.apply(a * w)
            return try #require(try grad(of: y.sum(), wrt: a, createGraph: true))
        },
        "exp_of_t_layout": { _, m, _ in try m.t().exp() },
        "tanh_exp_chain_of_t": { _, m, _ in try m.t().exp().tanh() },
        "exp_of_t_view_error": { _, m, _ in try m.t().exp().view([6]) },
        "exp_of_t_reshape": { _, m, _ in try m.t().exp().reshape([6]) },
        "permute_sigmoid_layout": { _, m, _ in try m.reshape([1, 2, 3]).permute(2, 0, 1).sigmoid() },
        "neg_of_strided_slice": { _, m, _ in try -(m.slice(dim: 1, step: 2)) },
        "abs_of_t_slice": { _, m, _ in try m.t().slice(dim: 0, step: 2).abs() },
        "t_plus_contiguous": { _, m, _ in try m.t() + (m * 1).t().contiguous() },
        "contiguous_plus_t": { _, m, _ in try (m * 1).t().contiguous() + m.t() },
        "t_times_broadcast_row": { _, m, w in try m.t() * first(w, 2) },
        "t_times_broadcast_column": { _, m, w in try m.t() * first(w, 3).reshape([3, 1]) },
        "t_minus_scalar": { _, m, _ in try m.t() - 1.5 },
        "pow_of_t": { _, m, _ in try m.t().pow(2) },
        "sqrt_of_permuted_3d": { _, m, _ in try (m * m + 1).reshape([2, 3, 1]).permute(1, 2, 0).sqrt() },
        "mul_of_t_then_view_error": { _, m, _ in try (m.t() * 2).view([6]) },
        "sum_over_t_dim1": { _, m, _ in try m.t().sum(dim: 1) },
        "mean_over_permuted": { _, m, _ in try m.reshape([2, 3, 1]).permute(2, 1, 0).mean(dim: 1) },
        "max_over_t": { _, m, _ in try m.t().max(dim: 0).values },
        "cumsum_of_t": { _, m, _ in try m.t().cumsum(dim: 1) },
        "logsumexp_of_t": { _, m, _ in try m.t().logsumexp(dim: 1) },
        "var_of_permuted": { _, m, _ in try m.reshape([3, 2, 1]).permute(2, 0, 1).var(dim: 1) },
        "prod_of_t_over_both": { _, m, _ in try m.t().prod(dim: 0) * m.t().prod(dim: 1).sum() },
        "std_norm_of_t": { _, m, _ in try m.t().std(dim: 0) + m.t().norm(dim: 1).sum() },
        "mask_of_t_times_t": { _, m, _ in try m.t().gt(0.25) * m.t() },
        "mask_of_t_and_contiguous": { _, m, _ in
            try m.t().gt(0).logicalAnd((m * 1).t().contiguous().lt(2)) * m.t()
        },
        "float_of_t": { _, m, _ in try m.t().to(.float32).to(.float64) * 2 },
        "eq_of_permuted_times": { _, m, _ in
            let p = try m.reshape([2, 3, 1]).permute(1, 2, 0)
            return try p.eq(2) + p
        },
    ]
}

/// Returns `x.viewAs(x)`: PyTorch's output-is-a-view-of-an-input case.
enum Id: UnaryFunction {
    static func forward(_ ctx: Context, _ x: Tensor) throws -> Tensor { try x.viewAs(x) }
    static func backward(_ ctx: Context, _ g: Tensor) throws -> Tensor? { g }
}

/// Returns its input as it is.
enum AsIs: UnaryFunction {
    static func forward(_ ctx: Context, _ x: Tensor) throws -> Tensor { x }
    static func backward(_ ctx: Context, _ g: Tensor) throws -> Tensor? { g }
}

/// x *= 2 in place, marked dirty.  dL/dx_old = 2 dL/dx.
enum MulTwoInPlace: UnaryFunction {
    static func forward(_ ctx: Context, _ x: Tensor) throws -> Tensor {
        try x.withUnsafeMutableBufferPointer(as: Double.self) { p in for i in p.indices { p[i] *= 2 } }
        ctx.markDirty(x)
        return x
    }
    static func backward(_ ctx: Context, _ g: Tensor) throws -> Tensor? { try g * 2 }
}

/// snntorch's ATan-surrogate shape: a step forward, a backward that clones dL/dy.
/// dL/dx = dL/dy / (1 + (πx)²).
enum ClonedGradient: UnaryFunction {
    static func forward(_ ctx: Context, _ x: Tensor) throws -> Tensor {
        ctx.saveForBackward(x)
        return try x.gt(2).to(x.dtype)
    }
    static func backward(_ ctx: Context, _ g: Tensor) throws -> Tensor? {
        let x = try ctx.savedTensors[0]
        return try g.clone() / (1 + (3.14159 * x).pow(2))
    }
}
