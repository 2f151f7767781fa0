import Testing
@testable import Autograd

/// Reference cycles that PyTorch's garbage collector would free: here they
/// are either not made (a tensor stored on a context) or avoided with a
/// weak capture (a hook that refers to its own tensor), as documented.
@Suite struct ReferenceCycleTests {
    /// y = exp(x), keeping y as a ctx attribute (PyTorch's `ctx.y = y`):
    /// dL/dx = dL/dy · y.
    enum ExpKeepingOutput: UnaryFunction {
        static func forward(_ ctx: Context, _ x: Tensor) throws -> Tensor {
            let y = try x.exp()
            ctx.set("y", y)
            ctx.set("x", x)
            return y
        }
        static func backward(_ ctx: Context, _ g: Tensor) throws -> Tensor? {
            let y: Tensor = try ctx.get("y")
            let x: Tensor = try ctx.get("x")
            #expect(x.requiresGrad && x.isLeaf)
            return try g * y
        }
    }

    @Test func tensorOnAContextIsFreedWithTheGraph() throws {
        weak var weakOutput: Tensor?
        weak var weakNode: Context?
        let x = try Tensor([0, 1], dtype: .float64, requiresGrad: true)
        do {
            let y = try ExpKeepingOutput.apply(x)
            weakOutput = y
            weakNode = y.gradFn
            try y.sum().backward(retainGraph: true)
            let g = try #require(x.grad).toArray()
            #expect(g == [1, Foundation_exp(1)])
        }
        #expect(weakOutput == nil, "the output is kept alive by its own node")
        #expect(weakNode == nil, "the node is kept alive by its output")
    }

    @Test func tensorValueIsNotVersionChecked() throws {
        // A ctx attribute is a reference, not a saved tensor: a later change shows.
        let x = try Tensor([1, 2], dtype: .float64, requiresGrad: true)
        let y = try ExpKeepingOutput.apply(x)
        let z = try y * 1   // y itself may not be changed in place (a custom Function's output)
        _ = z
        try y.sum().backward()
        #expect(try #require(x.grad).toArray() == [Foundation_exp(1), Foundation_exp(2)])
    }

    @Test func getWithAnotherTypeNamesTheStoredType() throws {
        enum StoresTensor: UnaryFunction {
            static func forward(_ ctx: Context, _ x: Tensor) throws -> Tensor {
                ctx.set("t", x)
                #expect(throws: AutogradError.invalidArgument("StoresTensorBackward: the value saved under 't' is Tensor, not Int")) {
                    _ = try ctx.get("t", as: Int.self)
                }
                return try x * 2
            }
            static func backward(_ ctx: Context, _ g: Tensor) throws -> Tensor? { try g * 2 }
        }
        _ = try StoresTensor.apply(try Tensor([1], requiresGrad: true))
    }

    /// A hook that reads its own tensor makes a cycle (tensor → hook → tensor)
    /// unless it captures the tensor weakly, as registerHook's documentation says.
    @Test func hookWithAWeakCaptureLetsItsTensorGo() throws {
        weak var weakX: Tensor?
        do {
            let x = try Tensor([1, 2], requiresGrad: true)
            weakX = x
            x.registerHook { [weak x] g in
                guard let x else { return nil }
                return try g + x.detach()   // the hook reads x
            }
            try (x * 3).sum().backward()
            #expect(try #require(x.grad).toArray() == [4, 5])
        }
        #expect(weakX == nil)
    }
}

import Foundation
private func Foundation_exp(_ x: Double) -> Double { Foundation.exp(x) }
