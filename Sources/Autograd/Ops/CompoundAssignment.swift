// Python's augmented assignments on tensors: `x += y` is `x.add_(y)`, in
// place (PyTorch's `__iadd__`), not `x = x + y`. Through a subscript,
// `try g[rows, target] -= 1` reads g[rows, target], changes that in place
// and assigns it back, as Python's `g[rows, target] -= 1` does.

extension Tensor {
    /// `lhs.add_(rhs)`: adds in place (Python's `+=` on a tensor).
    public static func += (lhs: inout Tensor, rhs: Tensor) throws { try lhs.add_(rhs) }
    /// `lhs.sub_(rhs)`: subtracts in place (Python's `-=`).
    public static func -= (lhs: inout Tensor, rhs: Tensor) throws { try lhs.sub_(rhs) }
    /// `lhs.mul_(rhs)`: multiplies in place (Python's `*=`).
    public static func *= (lhs: inout Tensor, rhs: Tensor) throws { try lhs.mul_(rhs) }
    /// `lhs.div_(rhs)`: divides in place (Python's `/=`).
    public static func /= (lhs: inout Tensor, rhs: Tensor) throws { try lhs.div_(rhs) }

    /// `lhs.add_(rhs)` with a number.
    public static func += (lhs: inout Tensor, rhs: Double) throws { try lhs.add_(rhs) }
    /// `lhs.sub_(rhs)` with a number.
    public static func -= (lhs: inout Tensor, rhs: Double) throws { try lhs.sub_(rhs) }
    /// `lhs.mul_(rhs)` with a number.
    public static func *= (lhs: inout Tensor, rhs: Double) throws { try lhs.mul_(rhs) }
    /// `lhs.div_(rhs)` with a number.
    public static func /= (lhs: inout Tensor, rhs: Double) throws { try lhs.div_(rhs) }
}
