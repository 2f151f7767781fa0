import AutogradKernels

/// Shape arithmetic: element counts, broadcasting, and the strides C kernels
/// need to walk broadcast operands.
enum Shape {
    /// Product of the dimensions (1 for a scalar).
    @inline(__always)
    static func count(_ shape: [Int]) -> Int {
        var n = 1
        for d in shape { n &*= d }
        return n
    }

    /// Contiguous row-major strides.
    static func strides(_ shape: [Int]) -> [Int] {
        var s = [Int](repeating: 1, count: shape.count)
        var acc = 1
        for i in stride(from: shape.count - 1, through: 0, by: -1) {
            s[i] = acc
            acc *= shape[i]
        }
        return s
    }

    /// PyTorch's `torch.Size([2, 3])` rendering, used in error messages.
    static func torchSize(_ shape: [Int]) -> String {
        "torch.Size([\(shape.map(String.init).joined(separator: ", "))])"
    }

    /// `[2, 3]`, as PyTorch's shape-mismatch messages print shapes.
    static func list(_ shape: [Int]) -> String {
        "[\(shape.map(String.init).joined(separator: ", "))]"
    }

    /// The NumPy broadcast of two shapes, or nil when they do not broadcast.
    static func broadcast(_ a: [Int], _ b: [Int]) -> [Int]? {
        if a == b { return a }
        let n = max(a.count, b.count)
        var out = [Int](repeating: 1, count: n)
        for i in 0..<n {
            let da = i < n - a.count ? 1 : a[i - (n - a.count)]
            let db = i < n - b.count ? 1 : b[i - (n - b.count)]
            if da == db || db == 1 { out[i] = da } else if da == 1 { out[i] = db } else { return nil }
        }
        return out
    }

    /// PyTorch's message for shapes that do not broadcast, naming the first
    /// mismatched dimension (counted in the longer shape).
    static func broadcastError(_ op: String, _ a: [Int], _ b: [Int]) -> AutogradError {
        let n = max(a.count, b.count)
        for i in stride(from: n - 1, through: 0, by: -1) {
            let da = i < n - a.count ? 1 : a[i - (n - a.count)]
            let db = i < n - b.count ? 1 : b[i - (n - b.count)]
            if da != db && da != 1 && db != 1 {
                return .invalidArgument(
                    "\(op): The size of tensor a (\(da)) must match the size of tensor b (\(db)) at non-singleton dimension \(i)")
            }
        }
        return .invalidArgument("\(op): shapes \(list(a)) and \(list(b)) do not broadcast")
    }

    /// Whether `small` broadcasts to `big` (so a gradient of shape `big` can be
    /// summed down to `small`).
    static func isExpandable(_ small: [Int], to big: [Int]) -> Bool {
        guard small.count <= big.count else { return false }
        let off = big.count - small.count
        for i in 0..<small.count where small[i] != 1 && small[i] != big[i + off] { return false }
        return true
    }

    /// The kernel descriptor for operands `a` and `b` broadcast to `out`.
    /// `b` may be omitted (for expand / sum-to, which read operand a only).
    static func descriptor(out: [Int], a: [Int], b: [Int] = []) -> ag_broadcast {
        var bc = ag_broadcast()
        // Merge nothing; just right-align the operands against `out`.
        precondition(out.count <= Int(AG_MAX_DIMS), "more than \(AG_MAX_DIMS) dimensions")
        bc.ndim = Int32(out.count)
        bc.numel = Int64(count(out))
        withUnsafeMutableBytes(of: &bc.shape) { sp in
            let shape = sp.bindMemory(to: Int64.self)
            for i in 0..<out.count { shape[i] = Int64(out[i]) }
        }
        fill(&bc.stride_a, operand: a, out: out)
        fill(&bc.stride_b, operand: b, out: out)
        return bc
    }

    private static func fill<T>(_ tuple: inout T, operand: [Int], out: [Int]) {
        withUnsafeMutableBytes(of: &tuple) { sp in
            let st = sp.bindMemory(to: Int64.self)
            let off = out.count - operand.count
            var acc: Int64 = 1
            for i in stride(from: out.count - 1, through: 0, by: -1) {
                if i < off { st[i] = 0; continue }
                let d = operand[i - off]
                st[i] = (d == 1 && out[i] != 1) ? 0 : acc
                acc *= Int64(d)
            }
        }
    }
}
