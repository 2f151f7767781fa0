#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// Printing, character for character as PyTorch 2.x prints (`torch/_tensor_str.py`)
/// with its default options: precision 4, threshold 1000, edgeitems 3, linewidth 80.
///
///     tensor([0.0000, 2.5588])
///     tensor([[ 1.,  2.],
///             [-3.,  4.]], dtype=torch.float64, requires_grad=True)
///
/// The rules, as PyTorch applies them:
/// - One formatter serves every element, so all share one width and are
///   right-aligned to it. For floats it looks only at the finite non-zero values:
///   if all are whole numbers they print as `1.` ("int mode"); scientific notation
///   (`1.0000e-05`) is chosen when max/min > 1000, max > 1e8 or min < 1e-4.
///   nan and inf print as `nan`, `inf`, `-inf`.
/// - Above 1000 elements, every dimension longer than 6 shows its first and last
///   three entries around `...`, and the formatter sees only the shown entries.
/// - A row wraps after `(80 - indent) / (width + 2)` elements; sub-tensors are
///   separated by `dim - 1` newlines and indented under their opening bracket.
/// - Suffixes: `dtype=` unless the dtype is float32, int64 or bool (an empty
///   tensor shows any dtype but float32, and its `size=` unless it is 1-d), then
///   `grad_fn=<Name>` for a non-leaf or `requires_grad=True` for a leaf that
///   requires grad. A suffix that would pass column 80 starts a new line.
extension Tensor: CustomStringConvertible {
    public var description: String {
        let prefix = "tensor("
        var suffixes: [String] = []
        let body: String
        if count == 0 {
            if shape.count != 1 { suffixes.append("size=" + Self.pythonTuple(shape)) }
            if dtype != .float32 { suffixes.append("dtype=\(dtype)") }
            body = "[]"
        } else {
            if dtype != .float32 && dtype != .int64 && dtype != .bool { suffixes.append("dtype=\(dtype)") }
            body = _TensorPrinter(self).render(indent: prefix.count)
        }
        if let fn = gradFn {
            suffixes.append("grad_fn=<\(fn.name)>")
        } else if requiresGrad {
            suffixes.append("requires_grad=True")
        }
        return Self.addSuffixes(prefix + body, suffixes, indent: prefix.count)
    }

    /// Python's `str(tuple(shape))`: `(2, 0)`, `(0,)`, `()`.
    private static func pythonTuple(_ dims: [Int]) -> String {
        "(" + dims.map(String.init).joined(separator: ", ") + (dims.count == 1 ? ",)" : ")")
    }

    /// Appends `, suffix`, or `,\n` and `indent` spaces when the line would pass the linewidth.
    private static func addSuffixes(_ text: String, _ suffixes: [String], indent: Int) -> String {
        let chars = Array(text.utf8)
        let lastNewline = chars.lastIndex(of: UInt8(ascii: "\n")) ?? -1
        var lastLineLength = chars.count - lastNewline + 1  // PyTorch's arithmetic, off by two included
        var out = text
        for suffix in suffixes {
            if lastLineLength + suffix.utf8.count + 2 > _TensorPrinter.linewidth {
                out += ",\n" + String(repeating: " ", count: indent) + suffix
                lastLineLength = indent + suffix.utf8.count
            } else {
                out += ", " + suffix
                lastLineLength += suffix.utf8.count + 2
            }
        }
        return out + ")"
    }
}

/// Lays out a non-empty tensor's elements: nesting, summarization, wrapping.
private struct _TensorPrinter {
    static let precision = 4, threshold = 1000, edgeitems = 3, linewidth = 80

    let tensor: Tensor
    let strides: [Int]
    let summarize: Bool
    var formatter = _ElementFormatter()

    init(_ tensor: Tensor) {
        self.tensor = tensor
        var strides = [Int](repeating: 1, count: tensor.shape.count)
        for axis in strides.indices.reversed().dropFirst() { strides[axis] = strides[axis + 1] * tensor.shape[axis + 1] }
        self.strides = strides
        summarize = tensor.count > Self.threshold
        formatter = _ElementFormatter(shown(offset: 0, axis: 0).map(element), dtype: tensor.dtype)
    }

    func render(indent: Int) -> String { text(offset: 0, axis: 0, indent: indent) }

    /// The element at a flat offset, as a float, integer or bool.
    private func element(_ offset: Int) -> _Element {
        switch tensor.dtype {
        case .float32, .float64: .float(tensor.element(offset))
        case .int64: .int(tensor.pointer(Int64.self)[offset])
        case .bool: .bool(tensor.pointer(Bool.self)[offset])
        case .float16, .bfloat16: .float(tensor.element(offset))
        case .uint8, .int8, .int16, .int32: .int(Int64(tensor.element(offset)))
        }
    }

    /// The indices shown along an axis of length `n`; nil marks the `...`.
    private func visible(_ n: Int) -> [Int?] {
        let e = Self.edgeitems
        guard summarize && n > 2 * e else { return Array(0..<n) }
        return Array(0..<e) + [nil] + Array((n - e)..<n)
    }

    /// Flat offsets of every element that will be shown (PyTorch's `get_summarized_data`).
    private func shown(offset: Int, axis: Int) -> [Int] {
        guard axis < tensor.shape.count else { return [offset] }
        return visible(tensor.shape[axis]).compactMap { $0 }.flatMap {
            shown(offset: offset + $0 * strides[axis], axis: axis + 1)
        }
    }

    private func text(offset: Int, axis: Int, indent: Int) -> String {
        let rank = tensor.shape.count
        if rank == 0 { return formatter.format(element(offset)) }
        let indices = visible(tensor.shape[axis])
        if axis == rank - 1 {
            let perLine = max(1, (Self.linewidth - indent) / (formatter.width + 2))
            let items = indices.map { i in i.map { formatter.format(element(offset + $0)) } ?? " ..." }
            let lines = stride(from: 0, to: items.count, by: perLine).map {
                items[$0..<min($0 + perLine, items.count)].joined(separator: ", ")
            }
            return "[" + lines.joined(separator: ",\n" + String(repeating: " ", count: indent + 1)) + "]"
        }
        let slices = indices.map { i in
            i.map { text(offset: offset + $0 * strides[axis], axis: axis + 1, indent: indent + 1) } ?? "..."
        }
        let separator = "," + String(repeating: "\n", count: rank - axis - 1) + String(repeating: " ", count: indent + 1)
        return "[" + slices.joined(separator: separator) + "]"
    }
}

private enum _Element {
    case float(Double), int(Int64), bool(Bool)
}

/// PyTorch's `_Formatter`: one mode and one width for all the shown elements.
private struct _ElementFormatter {
    var intMode = true
    var sciMode = false
    var width = 1

    init() {}

    init(_ elements: [_Element], dtype: DType) {
        guard dtype.isFloatingPoint else {
            for e in elements { width = max(width, format(e).count) }
            return
        }
        let finite = elements.compactMap { e -> Double? in
            if case .float(let v) = e, v.isFinite, v != 0 { return v }
            return nil
        }
        guard let lo = finite.lazy.map(abs).min(), let hi = finite.lazy.map(abs).max() else { return }
        intMode = finite.allSatisfy { $0 == $0.rounded(.up) }
        sciMode = hi / lo > 1000 || hi > 1e8 || lo < 1e-4
        for v in finite { width = max(width, format(.float(v)).count) }
    }

    /// The element's text, right-aligned to the common width.
    func format(_ e: _Element) -> String {
        let s: String
        switch e {
        case .int(let v): s = String(v)
        case .bool(let v): s = v ? "True" : "False"
        case .float(let v) where v.isNaN: s = "nan"
        case .float(let v) where v.isInfinite: s = v < 0 ? "-inf" : "inf"
        case .float(let v):
            if sciMode { s = cFormat("%.\(_TensorPrinter.precision)e", v) }
            else if intMode { s = cFormat("%.0f", v) + "." }
            else { s = cFormat("%.\(_TensorPrinter.precision)f", v) }
        }
        return String(repeating: " ", count: max(0, width - s.count)) + s
    }

    /// C's printf formatting, correctly rounded like Python's `format`.
    private func cFormat(_ format: String, _ value: Double) -> String {
        var buffer = [CChar](repeating: 0, count: 400)
        _ = withVaList([value]) { vsnprintf(&buffer, buffer.count, format, $0) }
        return buffer.withUnsafeBufferPointer { String(cString: $0.baseAddress!) }
    }
}
