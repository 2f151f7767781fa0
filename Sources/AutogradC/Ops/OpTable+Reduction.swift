import Autograd

// Reductions, sorting and matrix products, by name. `dims` takes an int64
// list or one int64; left out (or none), it means every dimension.

let reductionOps: [Op] = [
    op("sum(x, dims=all, keep_dim=false)") { a in
        let x = try a.tensor(0)
        guard let dims = try a.optionalInts(1) else { return try x.sum() }
        return try x.sum(dims: dims, keepDim: try a.bool(2, false))
    },
    op("mean(x, dims=all, keep_dim=false)") { a in
        let x = try a.tensor(0)
        guard let dims = try a.optionalInts(1) else { return try x.mean() }
        return try x.mean(dims: dims, keepDim: try a.bool(2, false))
    },
    op("prod(x, dim=all, keep_dim=false)") { a in
        let x = try a.tensor(0)
        guard let dim = try a.optionalInt(1) else { return try x.prod() }
        return try x.prod(dim: dim, keepDim: try a.bool(2, false))
    },
    op("logsumexp(x, dims, keep_dim=false)") { try $0.tensor(0).logsumexp(dims: try $0.ints(1), keepDim: try $0.bool(2, false)) },
    op("cumsum(x, dim)") { try $0.tensor(0).cumsum(dim: try $0.int(1)) },
    op("var(x, dims=all, unbiased=true, keep_dim=false)") {
        try $0.tensor(0).var(dims: try $0.optionalInts(1), unbiased: try $0.bool(2, true), keepDim: try $0.bool(3, false))
    },
    op("std(x, dims=all, unbiased=true, keep_dim=false)") {
        try $0.tensor(0).std(dims: try $0.optionalInts(1), unbiased: try $0.bool(2, true), keepDim: try $0.bool(3, false))
    },
    op("norm(x, p=2, dims=all, keep_dim=false)") {
        try $0.tensor(0).norm(p: try $0.double(1, 2), dims: try $0.optionalInts(2), keepDim: try $0.bool(3, false))
    },
    Op("max(x, dim=all, keep_dim=false) -> values[, indices]") { a in
        let x = try a.tensor(0)
        guard let dim = try a.optionalInt(1) else { return [try x.max()] }
        let r = try x.max(dim: dim, keepDim: try a.bool(2, false))
        return [r.values, r.indices]
    },
    Op("min(x, dim=all, keep_dim=false) -> values[, indices]") { a in
        let x = try a.tensor(0)
        guard let dim = try a.optionalInt(1) else { return [try x.min()] }
        let r = try x.min(dim: dim, keepDim: try a.bool(2, false))
        return [r.values, r.indices]
    },
    op("argmax(x, dim=all, keep_dim=false)") { try $0.tensor(0).argmax(dim: try $0.optionalInt(1), keepDim: try $0.bool(2, false)) },
    op("argmin(x, dim=all, keep_dim=false)") { try $0.tensor(0).argmin(dim: try $0.optionalInt(1), keepDim: try $0.bool(2, false)) },
    Op("sort(x, dim=-1, descending=false) -> values, indices") { a in
        let r = try a.tensor(0).sort(dim: try a.int(1, -1), descending: try a.bool(2, false))
        return [r.values, r.indices]
    },
    op("argsort(x, dim=-1, descending=false)") { try $0.tensor(0).argsort(dim: try $0.int(1, -1), descending: try $0.bool(2, false)) },
    Op("topk(x, k, dim=-1, largest=true, sorted=true) -> values, indices") { a in
        let r = try a.tensor(0).topk(try a.int(1), dim: try a.int(2, -1), largest: try a.bool(3, true), sorted: try a.bool(4, true))
        return [r.values, r.indices]
    },
]

let linalgOps: [Op] = [
    op("matmul(a, b)") { try $0.tensor(0).matmul(try $0.tensor(1)) },
    op("mm(a, b)") { try $0.tensor(0).mm(try $0.tensor(1)) },
    op("bmm(a, b)") { try $0.tensor(0).bmm(try $0.tensor(1)) },
    op("dot(a, b)") { try $0.tensor(0).dot(try $0.tensor(1)) },
    op("outer(a, b)") { try $0.tensor(0).outer(try $0.tensor(1)) },
    op("addmm(bias, mat1, mat2, beta=1, alpha=1)") {
        try Tensor.addmm(try $0.tensor(0), try $0.tensor(1), try $0.tensor(2), beta: try $0.double(3, 1), alpha: try $0.double(4, 1))
    },
]
