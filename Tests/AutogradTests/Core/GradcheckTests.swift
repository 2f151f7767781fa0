import Testing
@testable import Autograd

/// y = x², with a backward that is wrong by a factor (3x instead of 2x).
private enum WrongSquare: UnaryFunction {
    static func forward(_ ctx: Context, _ x: Tensor) throws -> Tensor { ctx.saveForBackward(x); return try x * x }
    static func backward(_ ctx: Context, _ g: Tensor) throws -> Tensor? { try g * 3 * ctx.savedTensors[0] }
}

/// y = x², whose backward drifts by 1e-9 a call: right to gradcheck's
/// tolerance, but not the same twice (not reentrant).
private enum DriftingSquare: UnaryFunction {
    nonisolated(unsafe) static var calls = 0.0
    static func forward(_ ctx: Context, _ x: Tensor) throws -> Tensor { ctx.saveForBackward(x); return try x * x }
    static func backward(_ ctx: Context, _ g: Tensor) throws -> Tensor? {
        calls += 1
        return try g * 2 * ctx.savedTensors[0] + calls * 1e-9
    }
}

/// (2x, x²) with materialization off, whose backward handles one missing
/// gradient but not both (it then returns ones instead of nothing).
private enum CarelessTwoOutputs: Function {
    typealias Output = [Tensor]
    static func forward(_ ctx: Context, _ args: Arguments) throws -> [Tensor] {
        let x = try args.tensor(0)
        ctx.saveForBackward(x)
        ctx.setMaterializeGrads(false)
        return [try x * 2, try x * x]
    }
    static func backward(_ ctx: Context, _ g: [Tensor?]) throws -> [Tensor?] {
        let x = try ctx.savedTensors[0]
        if g[0] == nil && g[1] == nil { return [try Tensor.ones(like: x)] }
        let g0 = try g[0] ?? Tensor.zeros(like: x), g1 = try g[1] ?? Tensor.zeros(like: x)
        return [try g0 * 2 + g1 * 2 * x]
    }
}

/// y = x², whose backward is the Function below: right first derivative,
/// wrong second (its own backward claims d(2xg)/dx = 3g).
private enum SquareWithBadBackward: UnaryFunction {
    static func forward(_ ctx: Context, _ x: Tensor) throws -> Tensor { ctx.saveForBackward(x); return try x * x }
    static func backward(_ ctx: Context, _ g: Tensor) throws -> Tensor? { try TwiceXTimesG.apply(ctx.savedTensors[0], g) }
}
private enum TwiceXTimesG: BinaryFunction {
    static func forward(_ ctx: Context, _ x: Tensor, _ g: Tensor) throws -> Tensor {
        ctx.saveForBackward(x, g)
        return try x * g * 2
    }
    static func backward(_ ctx: Context, _ gg: Tensor) throws -> (Tensor?, Tensor?) {
        let s = try ctx.savedTensors
        return (try gg * s[1] * 3, try gg * s[0] * 2)
    }
}

@Suite struct GradcheckTests {
    let x = try! Tensor([0.5, -1.25, 2], dtype: .float64, requiresGrad: true)

    @Test func passesForCorrectBackwards() throws {
        #expect(try gradcheck({ try $0[0].tanh() * $0[0] }, inputs: [x]))
        #expect(try gradgradcheck({ try $0[0].tanh() * $0[0] }, inputs: [x]))
    }

    @Test func wrongBackwardFailsWithBothJacobians() throws {
        do {
            try gradcheck({ try WrongSquare.apply($0[0]) }, inputs: [x])
            Issue.record("gradcheck should have failed")
        } catch let e as AutogradError {
            #expect(e.message.hasPrefix("Jacobian mismatch for output 0 with respect to input 0,\nnumerical:tensor([[ 1.0000,  0.0000,  0.0000],"))
            #expect(e.message.contains("analytical:tensor([[ 1.5000,  0.0000,  0.0000],"))
        }
        #expect(try gradcheck({ try WrongSquare.apply($0[0]) }, inputs: [x], raiseException: false) == false)
    }

    @Test func secondInputIsNamed() throws {
        let w = try Tensor([1, 2, 3], dtype: .float64, requiresGrad: true)
        do {
            try gradcheck({ try $0[0] * WrongSquare.apply($0[1]) }, inputs: [x, w])
            Issue.record("gradcheck should have failed")
        } catch let e as AutogradError {
            #expect(e.message.hasPrefix("Jacobian mismatch for output 0 with respect to input 1,"))
        }
    }

    @Test func nonReentrantBackwardFails() throws {
        #expect(throws: AutogradError.gradcheck(
            "Backward is not reentrant, i.e., running backward with same input and grad_output multiple times gives different values, although analytical gradient matches numerical gradient.The tolerance for nondeterminism was 0.0.")) {
            try gradcheck({ try DriftingSquare.apply($0[0]) }, inputs: [x])
        }
    }

    @Test func undefinedOutputGradientsMustBeHandled() throws {
        #expect(throws: AutogradError.gradcheck(
            "Expected backward function to handle undefined output grads. Please look at \"Notes about undefined output gradients\" in \"tools/autograd/derivatives.yaml\"")) {
            try gradcheck({ try CarelessTwoOutputs.apply($0[0]) }, inputs: [x])
        }
    }

    @Test func gradgradcheckCatchesAWrongSecondDerivative() throws {
        #expect(try gradcheck({ try SquareWithBadBackward.apply($0[0]) }, inputs: [x]))
        do {
            try gradgradcheck({ try SquareWithBadBackward.apply($0[0]) }, inputs: [x])
            Issue.record("gradgradcheck should have failed")
        } catch let e as AutogradError {
            #expect(e.message.hasPrefix("Jacobian mismatch for output 0 with respect to input 0,"))
        }
    }
}
