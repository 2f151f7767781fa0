/// One entry of a subscript such as `x[1, 2..., .all, mask]`: what PyTorch's
/// Python indexing accepts, in Swift spelling.
///
/// | Python            | Swift                                   |
/// |-------------------|-----------------------------------------|
/// | `x[1]`, `x[-1]`   | `x[1]`, `x[-1]`                         |
/// | `x[1:3]`          | `x[1..<3]` (or `x[1...2]`)               |
/// | `x[2:]`, `x[:4]`  | `x[2...]`, `x[..<4]`                     |
/// | `x[:]`            | `x[.all]`                               |
/// | `x[::2]`, `x[1::2]` | `x[.stride(2)]`, `x[.slice(1, nil, step: 2)]` |
/// | `x[..., 0]`       | `x[.ellipsis, 0]`                       |
/// | `x[None]`         | `x[.newAxis]`                           |
/// | `x[mask]`, `x[idx]` | `x[mask]` (bool tensor), `x[idx]` (int64 tensor) |
///
/// Integers, ranges, strides, `.ellipsis` and `.newAxis` give a view;
/// tensors (advanced indexing) give a copy, as in PyTorch.
public struct TensorIndex: Sendable {
    enum Kind: Sendable {
        /// One position of a dimension, which disappears (PyTorch's `select`).
        case integer(Int)
        /// Python's `start:end:step` (nil bounds meaning the ends; step > 0).
        case slice(start: Int?, end: Int?, step: Int)
        /// As many `.all` as the dimensions not otherwise indexed.
        case ellipsis
        /// A new dimension of size 1 (Python's `None`).
        case newAxis
        /// An int64 index tensor or a bool mask (advanced indexing).
        case tensor(Tensor)
    }
    let kind: Kind

    /// How many dims of the indexed tensor this index uses up (a mask: its rank).
    var consumedDims: Int {
        switch kind {
        case .integer, .slice: 1
        case .tensor(let t): t.dtype == .bool || t.dtype == .uint8 ? t.rank : 1  // a uint8 index is a mask, as in PyTorch
        case .ellipsis, .newAxis: 0
        }
    }
}

/// A value usable in a tensor subscript: Int, the Int ranges, a Tensor, or a
/// `TensorIndex` (`.all`, `.stride(2)`, `.slice(1, nil, step: 2)`, `.ellipsis`, `.newAxis`).
public protocol TensorIndexConvertible {
    /// The index this value stands for.
    var tensorIndex: TensorIndex { get }
}

extension TensorIndex: TensorIndexConvertible {
    public var tensorIndex: TensorIndex { self }
}

extension TensorIndexConvertible where Self == TensorIndex {
    /// Every position of a dimension (Python's `:`).
    public static var all: TensorIndex { TensorIndex(kind: .slice(start: nil, end: nil, step: 1)) }
    /// As many `.all` as the dimensions not otherwise indexed (Python's `...`).
    public static var ellipsis: TensorIndex { TensorIndex(kind: .ellipsis) }
    /// A new dimension of size 1 (Python's `None`).
    public static var newAxis: TensorIndex { TensorIndex(kind: .newAxis) }
    /// Every `step`-th position from the start (Python's `::step`).
    public static func stride(_ step: Int) -> TensorIndex { TensorIndex(kind: .slice(start: nil, end: nil, step: step)) }
    /// Python's `start:end:step`; negative bounds count from the end.
    public static func slice(_ start: Int?, _ end: Int?, step: Int = 1) -> TensorIndex {
        TensorIndex(kind: .slice(start: start, end: end, step: step))
    }
    /// One position of a dimension (negative counts from the end), which disappears.
    public static func index(_ i: Int) -> TensorIndex { TensorIndex(kind: .integer(i)) }
}

extension Int: TensorIndexConvertible {
    public var tensorIndex: TensorIndex { TensorIndex(kind: .integer(self)) }
}

extension Tensor: TensorIndexConvertible {
    public var tensorIndex: TensorIndex { TensorIndex(kind: .tensor(self)) }
}

extension Range: TensorIndexConvertible where Bound == Int {
    public var tensorIndex: TensorIndex { TensorIndex(kind: .slice(start: lowerBound, end: upperBound, step: 1)) }
}

/// `a...b` ends after b; `a...(-1)` runs to the end, as Python's `a:`.
private func inclusiveEnd(_ upper: Int) -> Int? { upper == -1 ? nil : upper + 1 }

extension ClosedRange: TensorIndexConvertible where Bound == Int {
    public var tensorIndex: TensorIndex { TensorIndex(kind: .slice(start: lowerBound, end: inclusiveEnd(upperBound), step: 1)) }
}

extension PartialRangeFrom: TensorIndexConvertible where Bound == Int {
    public var tensorIndex: TensorIndex { TensorIndex(kind: .slice(start: lowerBound, end: nil, step: 1)) }
}

extension PartialRangeUpTo: TensorIndexConvertible where Bound == Int {
    public var tensorIndex: TensorIndex { TensorIndex(kind: .slice(start: nil, end: upperBound, step: 1)) }
}

extension PartialRangeThrough: TensorIndexConvertible where Bound == Int {
    public var tensorIndex: TensorIndex { TensorIndex(kind: .slice(start: nil, end: inclusiveEnd(upperBound), step: 1)) }
}
