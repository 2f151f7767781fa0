#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import AutogradKernels

/// Shape arithmetic: element counts, broadcasting, and the strides C kernels
/// need to walk broadcast operands.
enum Shape {
    /// Product of the dimensions (1 for a scalar), for shapes already checked
    /// (`validate`): every tensor's shape is.
    @inline(__always)
    static func count(_ shape: [Int]) -> Int {
        var n = 1
        for d in shape { n &*= d }
        return n
    }

    /// The element count, or nil when a dimension is negative or the product
    /// overflows.
    static func checkedCount(_ shape: [Int]) -> Int? {
        var n = 1
        for d in shape {
            guard d >= 0 else { return nil }
            let (p, overflow) = n.multipliedReportingOverflow(by: d)
            if overflow { return nil }
            n = p
        }
        return n
    }

    /// The most bytes one tensor may take: the machine's physical memory
    /// (64 TiB where it cannot be read). Larger requests are refused with
    /// PyTorch's allocator message instead of failing inside the allocator.
    static let maximumBytes: Int = {
        let pages = sysconf(Int32(_SC_PHYS_PAGES)), size = sysconf(Int32(_SC_PAGESIZE))
        guard pages > 0, size > 0 else { return 1 << 46 }
        let (bytes, overflow) = pages.multipliedReportingOverflow(by: size)
        return overflow ? 1 << 46 : Swift.min(bytes, 1 << 46)
    }()

    /// Checks a shape given by a caller: non-negative sizes whose product
    /// (in bytes of `dtype`) fits. PyTorch's words for a negative size. A
    /// view (`allocates` false) may describe more bytes than the machine has,
    /// as in PyTorch; only copying it densely is refused, by the allocator.
    static func validate(_ shape: [Int], _ op: String, dtype: DType = .float32, allocates: Bool = true) throws {
        if let d = shape.first(where: { $0 < 0 }) {
            throw AutogradError.invalidArgument("\(op): Trying to create tensor with negative dimension \(d): \(list(shape))")
        }
        guard let n = checkedCount(shape) else {
            throw AutogradError.invalidArgument(
                "\(op): a tensor of shape \(list(shape)) has more elements than an Int can count")
        }
        guard stridesFit(shape) else { throw AutogradError.invalidArgument("\(op): Stride calculation overflowed") }
        guard !allocates || n <= maximumBytes / dtype.byteSize else {
            let (bytes, overflow) = n.multipliedReportingOverflow(by: dtype.byteSize)
            if overflow {
                throw AutogradError.invalidArgument("\(op): Storage size calculation overflowed with sizes=\(list(shape))")
            }
            throw AutogradError.invalidArgument(
                "\(op): DefaultCPUAllocator: not enough memory: you tried to allocate \(bytes) bytes.")
        }
    }

    /// ceil(a / b) for a >= 0, b > 0, without overflow.
    static func ceilDiv(_ a: Int, _ b: Int) -> Int { a / b + (a % b == 0 ? 0 : 1) }

    /// The sum, or nil on overflow.
    static func checkedSum(_ values: [Int]) -> Int? {
        var total = 0
        for v in values {
            let (s, overflow) = total.addingReportingOverflow(v)
            if overflow { return nil }
            total = s
        }
        return total
    }

    /// Contiguous row-major strides.
    ///
    /// As PyTorch's: a size of 0 counts as 1 (`zeros([2, 0, 3])` has strides
    /// [3, 3, 1]). The products wrap instead of trapping: `validate` refuses
    /// a shape whose strides overflow, before any tensor has it.
    static func strides(_ shape: [Int]) -> [Int] {
        var s = [Int](repeating: 1, count: shape.count)
        var acc = 1
        for i in stride(from: shape.count - 1, through: 0, by: -1) {
            s[i] = acc
            acc = acc &* Swift.max(shape[i], 1)
        }
        return s
    }

    /// Whether the row-major strides of `shape` fit in an Int (they can
    /// overflow only when a size is 0, which keeps the element count small).
    static func stridesFit(_ shape: [Int]) -> Bool {
        var acc = 1
        for d in shape.dropFirst().reversed() {
            let (p, overflow) = acc.multipliedReportingOverflow(by: Swift.max(d, 1))
            if overflow { return false }
            acc = p
        }
        return true
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
    /// Adjacent dimensions that every operand walks the same way (both
    /// contiguous, or both broadcast) are merged first, so same-shaped
    /// operands become one flat loop and only truly interleaved broadcasts
    /// count against the kernels' limit of `AG_MAX_DIMS` dimensions.
    ///
    /// A kernel that walks two descriptors in step (`where`: values and
    /// condition) passes the other operands as `alsoMerging`, so both merge
    /// the same dimensions.
    static func descriptor(out: [Int], a: [Int], b: [Int] = [], alsoMerging others: [[Int]] = []) throws -> ag_broadcast {
        // The common cases, without building stride arrays: operands of the
        // result's shape, or a single element, walk one flat dimension.
        let n = count(out)
        func flat(_ s: [Int]) -> Int64? { s == out ? 1 : (count(s) == 1 ? 0 : nil) }
        if others.isEmpty, let fa = flat(a), let fb = flat(b) {
            var bc = ag_broadcast()
            bc.ndim = 1
            bc.numel = Int64(n)
            bc.shape.0 = Int64(n)
            bc.stride_a.0 = fa
            bc.stride_b.0 = fb
            return bc
        }
        return try merged(out: out, sa: strides(of: a, in: out), sb: strides(of: b, in: out),
                          others: others.map { strides(of: $0, in: out) }, a, b)
    }

    /// The kernel descriptor for two tensors read through their own strides
    /// (views included), broadcast to `out`.
    static func descriptor(out: [Int], reading a: Tensor, _ b: Tensor) throws -> ag_broadcast {
        if a.isContiguous && b.isContiguous { return try descriptor(out: out, a: a.shape, b: b.shape) }
        return try merged(out: out, sa: a.expandedWindow(out).strides, sb: b.expandedWindow(out).strides,
                          others: [], a.shape, b.shape)
    }

    /// The kernel descriptor for operands that step through memory by `sa`
    /// and `sb` over a contiguous result of shape `out` (the result's
    /// dimensions in its memory order: see `ElementwiseLayout`); `a` and `b`
    /// are the operands' shapes, for the error message.
    static func descriptor(out: [Int], strides sa: [Int], _ sb: [Int], _ a: [Int], _ b: [Int]) throws -> ag_broadcast {
        try merged(out: out, sa: sa, sb: sb, others: [], a, b)
    }

    /// The descriptor of operand strides `sa`, `sb` over `out`, with the
    /// dims every operand walks in step merged.
    private static func merged(out: [Int], sa: [Int], sb: [Int], others so: [[Int]],
                               _ a: [Int], _ b: [Int]) throws -> ag_broadcast {
        var dims: [(size: Int, a: Int, b: Int)] = []
        var lastIndex = -1
        for i in 0..<out.count where out[i] != 1 {
            if let last = dims.last, last.a == sa[i] * out[i], last.b == sb[i] * out[i],
               so.allSatisfy({ $0[lastIndex] == $0[i] * out[i] }) {
                dims[dims.count - 1] = (last.size * out[i], sa[i], sb[i])
            } else {
                dims.append((out[i], sa[i], sb[i]))
            }
            lastIndex = i
        }
        guard dims.count <= Int(AG_MAX_DIMS) else {
            throw AutogradError.invalidArgument(
                "broadcasting \(list(a)) and \(list(b)) to \(list(out)) needs more than \(AG_MAX_DIMS) interleaved dimensions")
        }
        var bc = ag_broadcast()
        bc.ndim = Int32(dims.count)
        bc.numel = Int64(count(out))
        withUnsafeMutableBytes(of: &bc.shape) { p in
            let v = p.bindMemory(to: Int64.self)
            for (i, d) in dims.enumerated() { v[i] = Int64(d.size) }
        }
        withUnsafeMutableBytes(of: &bc.stride_a) { p in
            let v = p.bindMemory(to: Int64.self)
            for (i, d) in dims.enumerated() { v[i] = Int64(d.a) }
        }
        withUnsafeMutableBytes(of: &bc.stride_b) { p in
            let v = p.bindMemory(to: Int64.self)
            for (i, d) in dims.enumerated() { v[i] = Int64(d.b) }
        }
        return bc
    }

    /// Element strides of `operand` (right-aligned) seen in `out`'s shape: 0
    /// where it is broadcast.
    private static func strides(of operand: [Int], in out: [Int]) -> [Int] {
        var st = [Int](repeating: 0, count: out.count)
        let off = out.count - operand.count
        var acc = 1
        for i in stride(from: out.count - 1, through: 0, by: -1) where i >= off {
            let d = operand[i - off]
            st[i] = (d == 1 && out[i] != 1) ? 0 : acc
            acc *= d
        }
        return st
    }
}
