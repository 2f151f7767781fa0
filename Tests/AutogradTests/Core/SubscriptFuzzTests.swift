import Testing
@testable import Autograd

/// Random subscripts, assignments and index ops on random tensors (every
/// dtype, strided views, tensors that require grad, empty dims): each call
/// may throw, none may end the process.
@Suite struct SubscriptFuzzTests {
    /// A small deterministic generator (SplitMix64).
    struct Random {
        var state: UInt64
        mutating func next() -> UInt64 {
            state &+= 0x9E37_79B9_7F4A_7C15
            var z = state
            z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
            z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
            return z ^ (z >> 31)
        }
        mutating func int(_ range: ClosedRange<Int>) -> Int {
            range.lowerBound + Int(next() % UInt64(range.upperBound - range.lowerBound + 1))
        }
        mutating func chance(_ p: Double) -> Bool { Double(next() % 1000) < p * 1000 }
        /// Mostly small, sometimes an extreme.
        mutating func position() -> Int {
            chance(0.05) ? [Int.max, Int.min, Int.max / 2, -(1 << 40)][int(0...3)] : int(-6...6)
        }
        mutating func shape(maxRank: Int = 3) -> [Int] { (0..<int(0...maxRank)).map { _ in int(0...3) } }
    }

    static func tensor(_ r: inout Random, shape: [Int]? = nil, dtype: DType? = nil) throws -> Tensor {
        let s = shape ?? r.shape()
        let d = dtype ?? DType.allCases[r.int(0...(DType.allCases.count - 1))]
        let n = Shape.count(s)
        let values = (0..<n).map { _ in Double(r.int(-3...3)) }
        var t = try Tensor(values, shape: s, dtype: d)
        if d.isFloatingPoint && r.chance(0.4) { t = try (t.requiresGrad() * 1) }
        if t.rank >= 2 && r.chance(0.3) { t = try t.transpose(0, 1) }
        if t.rank >= 1 && r.chance(0.2) { t = try t.slice(dim: 0, step: 2) }
        return t
    }

    static func index(_ r: inout Random) throws -> TensorIndex {
        switch r.int(0...7) {
        case 0, 1: return .index(r.position())
        case 2: return .slice(r.chance(0.3) ? nil : r.position(), r.chance(0.3) ? nil : r.position(),
                              step: r.chance(0.1) ? [0, -1, Int.max, Int.min][r.int(0...3)] : r.int(1...3))
        case 3: return .ellipsis
        case 4: return .newAxis
        case 5: return .all
        case 6:
            let s = r.shape(maxRank: 2)
            return try Tensor(indices: (0..<Shape.count(s)).map { _ in r.position() }, shape: s).tensorIndex
        default: return try tensor(&r, dtype: r.chance(0.9) ? .bool : .float32).tensorIndex
        }
    }

    @Test func subscriptsNeverEndTheProcess() throws {
        var r = Random(state: 2026)
        var threw = 0, ran = 0
        for _ in 0..<20_000 {
            let x = try Self.tensor(&r)
            let indices = try (0..<r.int(0...4)).map { _ in try Self.index(&r) }
            let value = try Self.tensor(&r, shape: r.chance(0.5) ? [] : r.shape(maxRank: 2))
            do {
                switch r.int(0...11) {
                case 0, 1, 2:
                    let y = try x.at(indices)
                    if y.requiresGrad && y.count > 0 { try y.sum().backward() }
                case 3, 4: try x.assign(value, at: indices)
                case 5:
                    var v = x[indices: indices]
                    try v += value
                    x[indices: indices] = v
                    _ = try x * 1
                case 6: try x.indexPut_(indices.compactMap { if case .tensor(let t) = $0.kind { t } else { nil } }.map { $0 },
                                        value, accumulate: r.chance(0.5))
                case 7: try x.indexAdd_(dim: r.position(), index: Tensor(indices: [r.position()]), source: value, alpha: 2)
                case 8: try x.indexCopy_(dim: r.int(-2...2), index: Tensor(indices: [r.position(), r.int(0...2)]), source: value)
                case 9: try x.scatter_(dim: r.int(-2...2), index: Tensor(indices: (0..<x.count).map { _ in r.position() }, shape: x.shape),
                                       src: value)
                case 10: try x.maskedScatter_(mask: Self.tensor(&r, shape: r.shape(), dtype: .bool), source: value)
                default: try x.indexFill_(dim: r.int(-2...2), index: Tensor(indices: [r.position()]), value: r.chance(0.1) ? .nan : 1e19)
                }
                ran += 1
            } catch {
                threw += 1
            }
        }
        #expect(ran > 500 && threw > 500, "ran \(ran), threw \(threw)")
    }
}
