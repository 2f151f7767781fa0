import Autograd

// Shape ops, indexing and neural-network ops, by name.

let shapeOps: [Op] = [
    op("reshape(x, shape)") { try $0.tensor(0).reshape(try $0.ints(1)) },
    op("view(x, shape)") { try $0.tensor(0).view(try $0.ints(1)) },
    op("transpose(x, dim0, dim1)") { try $0.tensor(0).transpose(try $0.int(1), try $0.int(2)) },
    op("permute(x, dims)") { try $0.tensor(0).permute(try $0.ints(1)) },
    unaryOp("t") { try $0.t() },
    op("squeeze(x, dims=all)") { a in
        let x = try a.tensor(0)
        guard let dims = try a.optionalInts(1) else { return try x.squeeze() }
        return try x.squeeze(dims: dims)
    },
    op("unsqueeze(x, dim)") { try $0.tensor(0).unsqueeze(dim: try $0.int(1)) },
    op("flatten(x, start_dim=0, end_dim=-1)") { try $0.tensor(0).flatten(startDim: try $0.int(1, 0), endDim: try $0.int(2, -1)) },
    op("expand(x, sizes)") { try $0.tensor(0).expand(try $0.ints(1)) },
    op("broadcast_to(x, sizes)") { try $0.tensor(0).broadcastTo(try $0.ints(1)) },
    op("sum_to_size(x, shape)") { try $0.tensor(0).sumToSize(try $0.ints(1)) },
    op("cat(tensors..., dim=0)") { a in
        let (ts, next) = a.leadingTensors()
        return try Tensor.cat(ts, dim: try a.int(next, 0))
    },
    op("stack(tensors..., dim=0)") { a in
        let (ts, next) = a.leadingTensors()
        return try Tensor.stack(ts, dim: try a.int(next, 0))
    },
    Op("split(x, split_size_or_sizes: int64|int64s, dim=0) -> tensors...") { a in
        let x = try a.tensor(0), dim = try a.int(2, 0)
        if a.values.count > 1, case .ints(let sizes) = a.values[1] { return try x.split(sizes: sizes, dim: dim) }
        return try x.split(try a.size(1), dim: dim)
    },
    Op("chunk(x, chunks, dim=0) -> tensors...") { try $0.tensor(0).chunk(try $0.size(1), dim: try $0.int(2, 0)) },
    op("view_as(x, other)") { try $0.tensor(0).viewAs(try $0.tensor(1)) },
    op("expand_as(x, other)") { try $0.tensor(0).expandAs(try $0.tensor(1)) },
    op("unflatten(x, dim, sizes)") { try $0.tensor(0).unflatten(dim: try $0.int(1), sizes: try $0.ints(2)) },
    op("movedim(x, source, destination)") { try $0.tensor(0).movedim(try $0.ints(1), try $0.ints(2)) },
    op("select(x, dim, index)") { try $0.tensor(0).select(dim: try $0.int(1), index: try $0.int(2)) },
    Op("unbind(x, dim=0) -> tensors...") { try $0.tensor(0).unbind(dim: try $0.int(1, 0)) },
    op("diagonal(x, offset=0, dim1=0, dim2=1)") {
        try $0.tensor(0).diagonal(offset: try $0.int(1, 0), dim1: try $0.int(2, 0), dim2: try $0.int(3, 1))
    },
    op("unfold(x, dimension, size, step)") {
        try $0.tensor(0).unfold(dimension: try $0.int(1), size: try $0.size(2), step: try $0.size(3))
    },
    op("as_strided(x, size, stride, storage_offset=none)") {
        try $0.tensor(0).asStrided(size: try $0.ints(1), stride: try $0.ints(2), storageOffset: try $0.optionalInt(3))
    },
]

let indexingOps: [Op] = [
    op("slice(x, dim=0, start=none, end=none, step=1)") {
        try $0.tensor(0).slice(dim: try $0.int(1, 0), start: try $0.optionalInt(2), end: try $0.optionalInt(3),
                               step: try $0.int(4, 1))
    },
    op("narrow(x, dim, start, length)") {
        try $0.tensor(0).narrow(dim: try $0.int(1), start: try $0.int(2), length: try $0.int(3))
    },
    op("index_select(x, dim, index)") { try $0.tensor(0).indexSelect(dim: try $0.int(1), index: try $0.tensor(2)) },
    op("gather(x, dim, index)") { try $0.tensor(0).gather(dim: try $0.int(1), index: try $0.tensor(2)) },
    op("scatter_add(x, dim, index, src)") {
        try $0.tensor(0).scatterAdd(dim: try $0.int(1), index: try $0.tensor(2), src: try $0.tensor(3))
    },
    op("index_add(x, dim, index, source, alpha=1)") {
        try $0.tensor(0).indexAdd(dim: try $0.int(1), index: try $0.tensor(2), source: try $0.tensor(3),
                                  alpha: try $0.double(4, 1))
    },
    op("masked_fill(x, mask, value: double)") { try $0.tensor(0).maskedFill(mask: try $0.tensor(1), value: try $0.double(2)) },
    op("index(x, indices...)") { a in
        let (ts, _) = a.leadingTensors()
        return try a.tensor(0).at(ts.dropFirst().map(\.tensorIndex))
    },
    op("index_put(x, indices..., values, accumulate=false)") { a in
        let (ts, next) = a.leadingTensors()
        guard ts.count >= 2 else { return try a.tensor(ts.count) }
        return try ts[0].indexPut(Array(ts[1..<(ts.count - 1)]), ts[ts.count - 1], accumulate: try a.bool(next, false))
    },
    op("index_put_(x, indices..., values, accumulate=false)") { a in
        let (ts, next) = a.leadingTensors()
        guard ts.count >= 2 else { return try a.tensor(ts.count) }
        return try ts[0].indexPut_(Array(ts[1..<(ts.count - 1)]), ts[ts.count - 1], accumulate: try a.bool(next, false))
    },
    op("nonzero(x)") { try $0.tensor(0).nonzero() },
    op("index_add_(x, dim, index, source, alpha=1)") {
        try $0.tensor(0).indexAdd_(dim: try $0.int(1), index: try $0.tensor(2), source: try $0.tensor(3), alpha: try $0.double(4, 1))
    },
    op("index_copy_(x, dim, index, source)") {
        try $0.tensor(0).indexCopy_(dim: try $0.int(1), index: try $0.tensor(2), source: try $0.tensor(3))
    },
    op("index_fill_(x, dim, index, value: double)") {
        try $0.tensor(0).indexFill_(dim: try $0.int(1), index: try $0.tensor(2), value: try $0.double(3))
    },
    op("scatter_(x, dim, index, src: tensor|double)") { a in
        let x = try a.tensor(0), dim = try a.int(1), index = try a.tensor(2)
        return a.isTensor(3) ? try x.scatter_(dim: dim, index: index, src: try a.tensor(3))
            : try x.scatter_(dim: dim, index: index, value: try a.double(3))
    },
    op("scatter_add_(x, dim, index, src)") {
        try $0.tensor(0).scatterAdd_(dim: try $0.int(1), index: try $0.tensor(2), src: try $0.tensor(3))
    },
    op("scatter_reduce_(x, dim, index, src, reduce, include_self=true)") {
        try $0.tensor(0).scatterReduce_(dim: try $0.int(1), index: try $0.tensor(2), src: try $0.tensor(3),
                                        reduce: try $0.string(4), includeSelf: try $0.bool(5, true))
    },
    op("scatter_reduce(x, dim, index, src, reduce, include_self=true)") {
        try $0.tensor(0).scatterReduce(dim: try $0.int(1), index: try $0.tensor(2), src: try $0.tensor(3),
                                       reduce: try $0.string(4), includeSelf: try $0.bool(5, true))
    },
    op("masked_fill_(x, mask, value: double)") { try $0.tensor(0).maskedFill_(mask: try $0.tensor(1), value: try $0.double(2)) },
    op("masked_scatter_(x, mask, source)") { try $0.tensor(0).maskedScatter_(mask: try $0.tensor(1), source: try $0.tensor(2)) },
]

let nnOps: [Op] = [
    op("softmax(x, dim)") { try $0.tensor(0).softmax(dim: try $0.int(1)) },
    op("log_softmax(x, dim)") { try $0.tensor(0).logSoftmax(dim: try $0.int(1)) },
    unaryOp("logsigmoid") { try $0.logSigmoid() },
    op("binary_cross_entropy(input, target, weight=none, reduction=\"mean\")") {
        try $0.tensor(0).binaryCrossEntropy(try $0.tensor(1), weight: try $0.optionalTensor(2), reduction: try $0.string(3, "mean"))
    },
    op("binary_cross_entropy_with_logits(input, target, weight=none, pos_weight=none, reduction=\"mean\")") {
        try $0.tensor(0).binaryCrossEntropyWithLogits(try $0.tensor(1), weight: try $0.optionalTensor(2),
                                                      posWeight: try $0.optionalTensor(3), reduction: try $0.string(4, "mean"))
    },
    op("mse_loss(input, target, reduction=\"mean\")") {
        try $0.tensor(0).mseLoss(try $0.tensor(1), reduction: try $0.string(2, "mean"))
    },
    op("cross_entropy(input, target, reduction=\"mean\", ignore_index=-100)") {
        try $0.tensor(0).crossEntropy(try $0.tensor(1), reduction: try $0.string(2, "mean"), ignoreIndex: try $0.int(3, -100))
    },
    op("nll_loss(input, target, reduction=\"mean\", ignore_index=-100)") {
        try $0.tensor(0).nllLoss(try $0.tensor(1), reduction: try $0.string(2, "mean"), ignoreIndex: try $0.int(3, -100))
    },
    op("layer_norm(x, normalized_shape, weight=none, bias=none, eps=1e-5)") {
        try $0.tensor(0).layerNorm(normalizedShape: try $0.ints(1), weight: try $0.optionalTensor(2),
                                   bias: try $0.optionalTensor(3), eps: try $0.double(4, 1e-5))
    },
    op("dropout(x, p=0.5, training=true, seed=none)") { a in
        let generator = try a.optionalInt(3).map { Generator(seed: UInt64(bitPattern: Int64($0))) }
        return try a.tensor(0).dropout(p: try a.double(1, 0.5), training: try a.bool(2, true), generator: generator)
    },
]
