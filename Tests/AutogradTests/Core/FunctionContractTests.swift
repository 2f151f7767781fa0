import Testing
@testable import Autograd

// Custom Functions that break (or use) each part of the contract, named as the
// PyTorch reference names them so the messages can be compared verbatim.

private enum TooFew: Function {
    static func forward(_ ctx: Context, _ args: Arguments) throws -> Tensor { try args.tensor(0) * args.tensor(1) }
    static func backward(_ ctx: Context, _ g: [Tensor?]) throws -> [Tensor?] { [g[0]] }
}

private enum WrongShape: UnaryFunction {
    static func forward(_ ctx: Context, _ x: Tensor) throws -> Tensor { try x * 2 }
    static func backward(_ ctx: Context, _ g: Tensor) throws -> Tensor? { try Tensor.ones([3]) }
}

private enum BroadcastGrad: UnaryFunction {
    static func forward(_ ctx: Context, _ x: Tensor) throws -> Tensor { try x * 2 }
    static func backward(_ ctx: Context, _ g: Tensor) throws -> Tensor? { try Tensor.ones([4, 2]) }
}

private enum NonTensorArg: Function {
    static func forward(_ ctx: Context, _ args: Arguments) throws -> Tensor { try args.tensor(0) * 2 }
    static func backward(_ ctx: Context, _ g: [Tensor?]) throws -> [Tensor?] { [g[0], try Tensor.ones([1])] }
}

/// PyTorch's custom_func(tensor, image_size=28, activation_function='tanh').
private enum ImageFunc: Function {
    static func forward(_ ctx: Context, _ args: Arguments) throws -> Tensor {
        let x = try args.tensor(0)
        let size = try args.int(1), activation = try args.string(2)
        ctx.set("size", size)
        ctx.set("activation", activation)
        ctx.saveForBackward(x)
        return activation == "tanh" ? try x.tanh() * Double(size) : try x * Double(size)
    }
    static func backward(_ ctx: Context, _ g: [Tensor?]) throws -> [Tensor?] {
        let x = try ctx.savedTensors[0]
        let size = try ctx.get("size", as: Int.self)
        #expect(try ctx.get("activation", as: String.self) == "tanh")
        #expect(ctx.needsInputGrad == [true, false, false])
        let y = try x.tanh()
        return [try g[0]! * (1 - y * y) * Double(size), nil, nil]
    }
}

/// Two outputs: (2x, x²). Records what backward received.
private enum TwoOutputs: Function {
    typealias Output = [Tensor]
    nonisolated(unsafe) static var received: [Tensor?] = []
    nonisolated(unsafe) static var materialize = true
    static func forward(_ ctx: Context, _ args: Arguments) throws -> [Tensor] {
        let x = try args.tensor(0)
        ctx.saveForBackward(x)
        ctx.setMaterializeGrads(materialize)
        return [try x * 2, try x * x]
    }
    static func backward(_ ctx: Context, _ g: [Tensor?]) throws -> [Tensor?] {
        received = g
        let x = try ctx.savedTensors[0]
        var total = try Tensor.zeros(like: x)
        if let g0 = g[0] { total = try total + g0 * 2 }
        if let g1 = g[1] { total = try total + g1 * 2 * x }
        return [total]
    }
}

/// Sort-like: values differentiable, an index output marked non-differentiable.
private enum ValuesAndIndex: Function {
    typealias Output = [Tensor]
    static func forward(_ ctx: Context, _ args: Arguments) throws -> [Tensor] {
        let x = try args.tensor(0)
        let idx = try Tensor(indices: Array(0..<x.count))
        ctx.markNonDifferentiable(idx)
        return [try x.clone(), idx]
    }
    static func backward(_ ctx: Context, _ g: [Tensor?]) throws -> [Tensor?] {
        #expect(g.count == 2)
        return [g[0]]
    }
}

/// Adds one to its input in place and marks it dirty.
private enum AddOneInPlace: UnaryFunction {
    static func forward(_ ctx: Context, _ x: Tensor) throws -> Tensor {
        try x.withUnsafeMutableBufferPointer(as: Float.self) { p in for i in p.indices { p[i] += 1 } }
        ctx.markDirty(x)
        return x
    }
    static func backward(_ ctx: Context, _ g: Tensor) throws -> Tensor? { g }
}

private enum DirtyNotReturned: UnaryFunction {
    static func forward(_ ctx: Context, _ x: Tensor) throws -> Tensor {
        ctx.markDirty(x)
        return try x * 1
    }
    static func backward(_ ctx: Context, _ g: Tensor) throws -> Tensor? { g }
}

private enum OnceCube: UnaryFunction {
    static var onceDifferentiable: Bool { true }
    static func forward(_ ctx: Context, _ x: Tensor) throws -> Tensor { ctx.saveForBackward(x); return try x.pow(3) }
    static func backward(_ ctx: Context, _ g: Tensor) throws -> Tensor? {
        #expect(!GradMode.isEnabled)
        return try g * 3 * ctx.savedTensors[0].pow(2)
    }
}

private enum ReturnsInput: UnaryFunction {
    static func forward(_ ctx: Context, _ x: Tensor) throws -> Tensor { x }
    static func backward(_ ctx: Context, _ g: Tensor) throws -> Tensor? { try g * 3 }
}

@Suite struct FunctionContractTests {
    @Test func wrongNumberOfGradients() throws {
        let a = try Tensor([1, 2], requiresGrad: true), b = try Tensor([3, 4], requiresGrad: true)
        let L = try TooFew.apply(a, b).sum()
        #expect(throws: AutogradError.invalidGradient(
            "function TooFewBackward returned an incorrect number of gradients (expected 2, got 1)")) {
            try L.backward()
        }
    }

    @Test func wrongShapeIsRejectedAndBroadcastableIsSummed() throws {
        let x = try Tensor([1, 2], requiresGrad: true)
        #expect(throws: AutogradError.invalidGradient(
            "Function WrongShapeBackward returned an invalid gradient at index 0 - got [3] but expected shape compatible with [2]")) {
            try WrongShape.apply(x).sum().backward()
        }
        let y = try Tensor([1, 2], requiresGrad: true)
        try BroadcastGrad.apply(y).sum().backward()
        #expect(y.grad!.toArray() == [4, 4])
    }

    @Test func gradientForNonTensorArgument() throws {
        let x = try Tensor([1, 2], requiresGrad: true)
        #expect(throws: AutogradError.invalidGradient(
            "function NonTensorArgBackward returned a gradient different than None at position 2, but the corresponding forward input was not a Variable")) {
            try NonTensorArg.apply(x, 28).sum().backward()
        }
    }

    @Test func nonTensorArgumentsGetNilGradients() throws {
        let x = try Tensor([0.5, -1], dtype: .float64, requiresGrad: true)
        let y = try ImageFunc.apply(x, 28, "tanh")
        try y.sum().backward()
        let expected = [0.5, -1.0].map { 28 * (1 - Foundation_tanh($0) * Foundation_tanh($0)) }
        expectClose(x.grad!.toArray(), expected, rtol: 1e-12, atol: 1e-12, "grad")
        #expect(try gradcheck({ try ImageFunc.apply($0[0], 28, "tanh") }, inputs: [x]))
    }

    @Test func nonScalarBackwardNeedsAGradient() throws {
        let x = try Tensor([1, 2], requiresGrad: true)
        let y = try x * 2
        #expect(throws: AutogradError.invalidArgument("grad can be implicitly created only for scalar outputs")) {
            try y.backward()
        }
        #expect(throws: AutogradError.invalidArgument(
            "Mismatch in shape: grad_output[0] has a shape of torch.Size([3]) and output[0] has a shape of torch.Size([2]).")) {
            try y.backward(gradient: Tensor.ones([3]))
        }
        try y.backward(gradient: try Tensor([1, 10]))
        #expect(x.grad!.toArray() == [2, 20])
    }

    @Test func nothingRequiresGrad() throws {
        let x = try Tensor([1, 2])
        #expect(throws: AutogradError.invalidArgument("element 0 of tensors does not require grad and does not have a grad_fn")) {
            try (x * 2).sum().backward()
        }
    }

    @Test func savedTensorChangedInPlace() throws {
        // A leaf that does not require grad, saved by Mul, then changed.
        let x = try Tensor([1, 2], requiresGrad: true), w = try Tensor([3, 4])
        let L = try (x * w).sum()
        try w.withUnsafeMutableBufferPointer(as: Float.self) { $0[0] = 5 }
        #expect(w.version == 1)
        do {
            try L.backward()
            Issue.record("expected the version check to throw")
        } catch let e as AutogradError {
            #expect(e.message.hasPrefix(
                "one of the variables needed for gradient computation has been modified by an inplace operation: [torch.FloatTensor [2]] is at version 1; expected version 0 instead. Hint:"))
        }
        // A non-leaf: the message names the node that produced it.
        let a = try x * 2
        let M = try (a * a).sum()
        try withNoGrad { try a.withUnsafeMutableBufferPointer(as: Float.self) { $0[1] = 0 } }
        do {
            try M.backward()
            Issue.record("expected the version check to throw")
        } catch let e as AutogradError {
            #expect(e.message.hasPrefix(
                "one of the variables needed for gradient computation has been modified by an inplace operation: [torch.FloatTensor [2]], which is output 0 of Mul, is at version 1; expected version 0 instead."))
        }
    }

    @Test func multipleOutputsAndMaterializedGrads() throws {
        let x = try Tensor([1, 2, 3], dtype: .float64, requiresGrad: true)
        TwoOutputs.materialize = true
        let outs = try TwoOutputs.apply(x)
        #expect(outs.count == 2 && outs.allSatisfy { $0.requiresGrad && $0.gradFn === outs[0].gradFn })
        try (outs[0].sum() + outs[1].sum()).backward()
        #expect(x.grad!.toArray() == [4, 6, 8])  // 2 + 2x

        // Only the second output used: the first gradient arrives as zeros...
        let x2 = try Tensor([1, 2, 3], dtype: .float64, requiresGrad: true)
        try TwoOutputs.apply(x2)[1].sum().backward()
        #expect(TwoOutputs.received[0]?.toArray() == [0, 0, 0])
        #expect(x2.grad!.toArray() == [2, 4, 6])
        // ...or as nil without materialization.
        TwoOutputs.materialize = false
        defer { TwoOutputs.materialize = true }
        let x3 = try Tensor([1, 2, 3], dtype: .float64, requiresGrad: true)
        try TwoOutputs.apply(x3)[1].sum().backward()
        #expect(TwoOutputs.received[0] == nil)
        #expect(x3.grad!.toArray() == [2, 4, 6])
    }

    @Test func nonDifferentiableOutput() throws {
        let x = try Tensor([3, 1, 2], requiresGrad: true)
        let outs = try ValuesAndIndex.apply(x)
        #expect(outs[0].requiresGrad && !outs[1].requiresGrad && outs[1].dtype == .int64)
        try outs[0].sum().backward()
        #expect(x.grad!.toArray() == [1, 1, 1])
    }

    @Test func markDirtyRebasesHistory() throws {
        let x = try Tensor([1, 2], requiresGrad: true)
        let a = try x * 2              // a non-leaf, changed in place by the Function
        let b = try AddOneInPlace.apply(a)
        #expect(b === a && a.gradFn?.name == "AddOneInPlaceBackward" && a.version == 1)
        #expect(a.toArray() == [3, 5])
        try (b * 3).sum().backward()
        #expect(x.grad!.toArray() == [6, 6])
    }

    @Test func markDirtyErrors() throws {
        let leaf = try Tensor([1, 2], requiresGrad: true)
        #expect(throws: AutogradError.invalidArgument("a leaf Variable that requires grad has been used in an in-place operation.")) {
            try AddOneInPlace.apply(leaf)
        }
        let x = try Tensor([1, 2])
        #expect(throws: AutogradError.dirtyNotReturned) { try DirtyNotReturned.apply(x) }
        #expect(AutogradError.dirtyNotReturned.message == "Some elements marked as dirty during the forward method were not returned as output. The inputs that are modified inplace must all be outputs of the Function.")
    }

    @Test func onceDifferentiable() throws {
        let x = try Tensor(scalar: 2, dtype: .float64, requiresGrad: true)
        let y = try OnceCube.apply(x)
        let g = try grad(of: y, wrt: x, createGraph: true)!
        #expect(try g.item() == 12)
        #expect(throws: AutogradError.graph("trying to differentiate twice a function that was marked with @once_differentiable")) {
            try g.backward()
        }
    }

    @Test func returningAnInputKeepsItsHistory() throws {
        let x = try Tensor([1, 2], requiresGrad: true)
        let y = try ReturnsInput.apply(x)
        #expect(y !== x && x.isLeaf && y.gradFn != nil)
        try y.sum().backward()
        #expect(x.grad!.toArray() == [3, 3])
    }

    @Test func forwardRunsWithoutRecording() throws {
        enum Probe: UnaryFunction {
            nonisolated(unsafe) static var recording = true
            static func forward(_ ctx: Context, _ x: Tensor) throws -> Tensor {
                recording = GradMode.isEnabled
                let y = try x * 2
                #expect(!y.requiresGrad)
                return y
            }
            static func backward(_ ctx: Context, _ g: Tensor) throws -> Tensor? { try g * 2 }
        }
        let x = try Tensor([1], requiresGrad: true)
        let y = try Probe.apply(x)
        #expect(!Probe.recording && y.requiresGrad && !y.isLeaf)
    }

    @Test func argumentTypeErrorsNameTheFunction() throws {
        let x = try Tensor([1])
        #expect(throws: AutogradError.invalidArgument("ImageFunc.forward: argument 1 should be Int, got String")) {
            try ImageFunc.apply(x, "28", "tanh")
        }
    }
}

import Foundation
private func Foundation_tanh(_ x: Double) -> Double { Foundation.tanh(x) }
