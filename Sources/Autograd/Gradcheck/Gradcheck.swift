#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import AutogradKernels

/// Checks a function's backward against finite differences (PyTorch's
/// `torch.autograd.gradcheck`).
///
/// For every output `o` and every input `i` that requires grad, the numerical
/// Jacobian from central differences, `(f(x + eps) - f(x - eps)) / 2eps`, is
/// compared with the analytical one built row by row from backward with
/// one-hot output gradients, elementwise `|a - n| <= atol + rtol * |n|`. It
/// also checks that backward run twice gives the same result (reentrancy) and
/// that a backward receiving no gradient for an output (an undefined grad)
/// returns zeros or nothing. Use float64 inputs: float32 prints a warning and
/// usually fails.
///
/// - Returns: true when every check passes; false on failure when
///   `raiseException` is false.
/// - Throws: `AutogradError.gradcheck` naming the output and input with both
///   Jacobians ("Jacobian mismatch for output 0 with respect to input 0, ...").
@discardableResult
public func gradcheck(_ function: ([Tensor]) throws -> [Tensor], inputs: [Tensor],
                      eps: Double = 1e-6, atol: Double = 1e-5, rtol: Double = 1e-3,
                      raiseException: Bool = true) throws -> Bool {
    do {
        try withoutActuallyEscaping(function) { f in
            try GradChecker(function: f, inputs: inputs, eps: eps, atol: atol, rtol: rtol).run()
        }
        return true
    } catch let e as AutogradError {
        if case .gradcheck = e, !raiseException { return false }
        throw e
    }
}

/// `gradcheck` for a function with one output.
@discardableResult
public func gradcheck(_ function: ([Tensor]) throws -> Tensor, inputs: [Tensor],
                      eps: Double = 1e-6, atol: Double = 1e-5, rtol: Double = 1e-3,
                      raiseException: Bool = true) throws -> Bool {
    try gradcheck({ [try function($0)] }, inputs: inputs, eps: eps, atol: atol, rtol: rtol,
                  raiseException: raiseException)
}

/// Checks second derivatives (PyTorch's `torch.autograd.gradgradcheck`): the
/// gradcheck of `(inputs, v) -> grad(f(inputs), inputs, v, createGraph: true)`
/// with random output gradients `v` in [-1, 1] that themselves require grad.
@discardableResult
public func gradgradcheck(_ function: ([Tensor]) throws -> [Tensor], inputs: [Tensor],
                          gradOutputs: [Tensor]? = nil, eps: Double = 1e-6, atol: Double = 1e-5,
                          rtol: Double = 1e-3, seed: UInt64 = 0, raiseException: Bool = true) throws -> Bool {
    let outputs = try function(inputs).filter { $0.requiresGrad }
    let generator = Generator(seed: seed)
    let vs = try gradOutputs ?? outputs.map {
        try Tensor.rand($0.shape, low: -1, high: 1, dtype: $0.dtype, generator: generator).requiresGrad()
    }
    let n = inputs.count
    let diffIndices = inputs.indices.filter { inputs[$0].requiresGrad }
    let wrapped: ([Tensor]) throws -> [Tensor] = { all in
        let xs = Array(all[0..<n]), v = Array(all[n...])
        let outs = try function(xs).filter { $0.requiresGrad }
        let gs = try grad(outputs: outs, inputs: diffIndices.map { xs[$0] }, gradOutputs: v,
                          createGraph: true, allowUnused: true)
        return gs.compactMap { $0 }
    }
    return try gradcheck(wrapped, inputs: inputs + vs, eps: eps, atol: atol, rtol: rtol,
                         raiseException: raiseException)
}

/// `gradgradcheck` for a function with one output.
@discardableResult
public func gradgradcheck(_ function: ([Tensor]) throws -> Tensor, inputs: [Tensor],
                          eps: Double = 1e-6, atol: Double = 1e-5, rtol: Double = 1e-3,
                          seed: UInt64 = 0, raiseException: Bool = true) throws -> Bool {
    try gradgradcheck({ [try function($0)] }, inputs: inputs, eps: eps, atol: atol, rtol: rtol,
                      seed: seed, raiseException: raiseException)
}

private struct GradChecker {
    let function: ([Tensor]) throws -> [Tensor]
    let inputs: [Tensor]
    let eps, atol, rtol: Double

    func run() throws {
        for (i, x) in inputs.enumerated() where x.requiresGrad && x.dtype != .float64 {
            let msg = "Input #\(i) requires gradient and is not a double precision floating point or complex. This check will likely fail if all the inputs are not of double precision floating point or complex.\n"
            let line = "Warning: \(msg)"
            _ = line.withCString { write(2, $0, strlen($0)) }
        }
        let outputs = try function(inputs)
        let diff = inputs.indices.filter { inputs[$0].requiresGrad }
        for (o, out) in outputs.enumerated() {
            guard out.dtype.isFloatingPoint else { continue }
            let numerical = try diff.map { try numericalJacobian(input: $0, output: o) }
            guard out.requiresGrad else {
                // An output that does not require grad must not depend on the inputs.
                for (k, i) in diff.enumerated() where numerical[k].contains(where: { Swift.abs($0) > atol }) {
                    throw AutogradError.gradcheck(
                        "Numerical gradient for function expected to be zero for output \(o) with respect to input \(i)")
                }
                continue
            }
            let analytical = try analyticalJacobian(output: out, diff: diff)
            let again = try analyticalJacobian(output: out, diff: diff)
            for (k, i) in diff.enumerated() {
                let n = numerical[k], a = analytical[k]
                let bad = zip(a, n).contains { Swift.abs($0 - $1) > atol + rtol * Swift.abs($1) || $0.isNaN != $1.isNaN }
                if bad {
                    throw AutogradError.gradcheck(
                        "Jacobian mismatch for output \(o) with respect to input \(i),\nnumerical:\(matrix(n, rows: inputs[i].count, cols: out.count))\nanalytical:\(matrix(a, rows: inputs[i].count, cols: out.count))\n")
                }
                if a != again[k] {
                    throw AutogradError.gradcheck(
                        "Backward is not reentrant, i.e., running backward with same input and grad_output multiple times gives different values, although analytical gradient matches numerical gradient.The tolerance for nondeterminism was 0.0.")
                }
            }
            try checkUndefinedGrad(output: o, diff: diff)
        }
    }

    /// Row-major [input element][output element] by central differences,
    /// perturbing the input's storage in place (not recorded).
    private func numericalJacobian(input i: Int, output o: Int) throws -> [Double] {
        let x = inputs[i]
        var jac = [Double]()
        for j in 0..<x.count {
            let original = x.element(j)
            x.setElement(j, original + eps)
            let plus = try function(inputs)[o].toArray()
            x.setElement(j, original - eps)
            let minus = try function(inputs)[o].toArray()
            x.setElement(j, original)
            if jac.isEmpty { jac.reserveCapacity(x.count * plus.count) }
            for k in 0..<plus.count { jac.append((plus[k] - minus[k]) / (2 * eps)) }
        }
        return jac
    }

    /// One [input element][output element] matrix per differentiable input,
    /// from backward with a one-hot gradient per output element.
    private func analyticalJacobian(output: Tensor, diff: [Int]) throws -> [[Double]] {
        var jacs = diff.map { [Double](repeating: 0, count: inputs[$0].count * output.count) }
        for k in 0..<output.count {
            let v = try Tensor.filled(output.shape, 0, dtype: output.dtype)
            v.setElement(k, 1)
            let gs = try grad(outputs: [output], inputs: diff.map { inputs[$0] }, gradOutputs: [v],
                              retainGraph: true, allowUnused: true)
            for (m, g) in gs.enumerated() {
                guard let g else { continue }
                guard g.shape == inputs[diff[m]].shape else {
                    throw AutogradError.gradcheck(
                        "Gradient has incorrect shape for input \(diff[m]): got \(Shape.list(g.shape)), expected \(Shape.list(inputs[diff[m]].shape))")
                }
                let values = g.toArray()
                for j in 0..<values.count { jacs[m][j * output.count + k] = values[j] }
            }
        }
        return jacs
    }

    /// Backward given no gradient for this output must yield zeros or nothing.
    private func checkUndefinedGrad(output o: Int, diff: [Int]) throws {
        let outs = try function(inputs)
        let cut = try UndefinedGrad.apply(outs[o])
        let gs = try grad(outputs: [cut], inputs: diff.map { inputs[$0] },
                          gradOutputs: [Tensor.ones(like: cut)], allowUnused: true)
        for g in gs.compactMap({ $0 }) where g.toArray().contains(where: { $0 != 0 }) {
            throw AutogradError.gradcheck(
                "Expected backward function to handle undefined output grads. Please look at \"Notes about undefined output gradients\" in \"tools/autograd/derivatives.yaml\"")
        }
    }

    private func matrix(_ values: [Double], rows: Int, cols: Int) -> String {
        let t = try? Tensor(values, shape: [rows, cols], dtype: .float64)
        return t.map { "\($0)" } ?? "\(values)"
    }
}

/// Identity whose backward passes on no gradient: how gradcheck feeds an
/// undefined output gradient into the function under test.
private enum UndefinedGrad: UnaryFunction {
    static func forward(_ ctx: Context, _ x: Tensor) throws -> Tensor { x.alias() }
    static func backward(_ ctx: Context, _ g: Tensor) throws -> Tensor? { nil }
}

extension Tensor {
    /// Writes one element without recording or bumping the version (gradcheck's perturbation).
    func setElement(_ offset: Int, _ value: Double) {
        switch dtype {
        case .float32: pointer(Float.self)[offset] = Float(value)
        case .float64: pointer(Double.self)[offset] = value
        case .int64: pointer(Int64.self)[offset] = Int64(saturating: value)
        case .bool: pointer(Bool.self)[offset] = value != 0
        default:
            var v = value
            _ = ag_cast(&v, DType.float64.kernelCode, storage.bytes + (storageOffset + offset) * dtype.byteSize,
                        dtype.kernelCode, 1)
        }
    }
}
