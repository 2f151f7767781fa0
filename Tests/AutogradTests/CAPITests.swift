import Testing
@testable import Autograd
@testable import AutogradC
import CAutograd

/// The C API seen from Swift: the op table, a Function defined through C
/// callbacks, and the markDirty reference cycle that valgrind found through it.
/// scripts/test-c.sh runs the C programs (Tests/c) against libautograd.so.
@Suite struct CAPITests {
    @Test func opTableHasUniqueParsedNames() {
        let names = OpTable.all.map(\.name)
        #expect(Set(names).count == names.count, "duplicate op names")
        for op in OpTable.all {
            #expect(!op.parameters.isEmpty && !op.name.isEmpty, "\(op.signature)")
            #expect(op.name.allSatisfy { $0.isLowercase || $0.isNumber || $0 == "_" }, "\(op.name)")
        }
        for required in ["add", "sub", "mul", "div", "neg", "matmul", "sum", "mean", "exp", "log", "tanh", "cosh",
                         "pow", "reshape"] {
            #expect(OpTable.byName[required] != nil, "\(required)")
        }
        #expect(OpTable.byName["sum"]?.parameters == ["x", "dims", "keep_dim"])
    }

    @Test func opByNameReportsWrongArguments() throws {
        let sum = try #require(OpTable.byName["sum"])
        let x = try Tensor([1, 2, 3])
        #expect(throws: AutogradError.invalidArgument(
            "sum: argument 1 (dims) should be an int64 list, got a string; sum(x, dims=all, keep_dim=false)")) {
            _ = try sum.run(try OpArgs([.tensor(x), .string("0")], sum))
        }
        let total = try sum.run(try OpArgs([.tensor(x)], sum))
        #expect(try total[0].item() == 6)
    }

    /// y = x * 3 through C callbacks; its node is named at registration.
    @Test func functionFromCallbacks() throws {
        let forward: autograd_forward_callback_t = { _, args, outputs, _, count, _ in
            var x: OpaquePointer? = nil
            var status = autograd_args_tensor(args, 0, &x)
            if status == AUTOGRAD_OK { status = autograd_mul_scalar(x, 3, outputs) }
            autograd_tensor_free(x)
            count?.pointee = 1
            return status
        }
        let backward: autograd_backward_callback_t = { _, grads, _, gradInputs, _, _, _ in
            autograd_mul_scalar(grads?[0], 3, gradInputs)
        }
        let reg = CFunctionRegistration(name: "triple", forward: forward, backward: backward, userData: nil, destroy: nil)
        let x = try Tensor([1, 2], dtype: .float64, requiresGrad: true)
        let y = try reg.apply([.tensor(x)])[0]
        #expect(y.gradFn?.name == "tripleBackward")
        try y.sum().backward()
        #expect(x.grad?.toArray() == [3, 3])
        #expect(try gradcheck({ try reg.apply([.tensor($0[0])])[0] }, inputs: [x]))
    }

    private enum DoubleInPlace: Function {
        static func forward(_ ctx: Context, _ args: Arguments) throws -> Tensor {
            let x = try args.tensor(0)
            try x.withUnsafeMutableBufferPointer(as: Double.self) { for i in $0.indices { $0[i] *= 2 } }
            ctx.markDirty(x)
            return x
        }
        static func backward(_ ctx: Context, _ gradOutputs: [Tensor?]) throws -> [Tensor?] {
            [try gradOutputs[0]! * 2]
        }
    }

    /// A dirty output's node must not keep the output alive (it did, through
    /// the context's list of dirty tensors: output -> node -> output).
    @Test func markDirtyMakesNoReferenceCycle() throws {
        weak var node: Context?
        weak var output: Tensor?
        do {
            let a = try Tensor([1, 2], dtype: .float64, requiresGrad: true)
            let y = try DoubleInPlace.apply(try a * 1)
            node = y.gradFn
            output = y
            #expect(node != nil)
            #expect(y.toArray() == [2, 4])
        }
        #expect(node == nil)
        #expect(output == nil)
    }
}
