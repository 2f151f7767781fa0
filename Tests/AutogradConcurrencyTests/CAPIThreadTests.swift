import Testing
import CAutograd
import AutogradC

/// The C API from several threads: handles are created, used and freed on
/// each thread while backward passes accumulate into one shared leaf, and
/// each thread's errors stay its own.
@Suite struct CAPIThreadTests {
    /// A C handle shared by the threads (a C program would pass the pointer).
    struct Handle: @unchecked Sendable { let pointer: OpaquePointer }

    static func check(_ status: autograd_status_t, _ what: String) throws {
        guard status == AUTOGRAD_OK else {
            throw CAPIFailure(message: "\(what): \(String(cString: autograd_last_error()))")
        }
    }
    struct CAPIFailure: Error { let message: String }

    @Test func backwardIntoASharedLeafFromSeveralThreads() throws {
        let passes = stressPasses(500), threads = 4, n = 256
        var leaf: OpaquePointer? = nil
        let ones = [Double](repeating: 1, count: n)
        var shape: [Int64] = [Int64(n)]
        try Self.check(autograd_tensor_new(ones, autograd_dtype_t(AUTOGRAD_FLOAT64), &shape, 1, &leaf), "new")
        try Self.check(autograd_tensor_set_requires_grad(leaf, true), "requires_grad")
        let x = Handle(pointer: leaf!)
        defer { autograd_tensor_free(x.pointer) }

        let failures = onThreads(threads) { t in
            for _ in 0..<passes {
                var y: OpaquePointer? = nil, s: OpaquePointer? = nil
                defer { autograd_tensor_free(y); autograd_tensor_free(s) }
                try Self.check(autograd_mul_scalar(x.pointer, Double(t + 1), &y), "mul_scalar")
                try Self.check(autograd_sum(y, &s), "sum")
                try Self.check(autograd_backward(s, nil, 0, false), "backward")
            }
            // An error on this thread is reported on this thread only.
            var bad: OpaquePointer? = nil
            let status = autograd_sum(nil, &bad)
            if status == AUTOGRAD_OK || autograd_last_error() == nil { throw CAPIFailure(message: "no error for a NULL tensor") }
        }
        #expect(failures.isEmpty, "\(failures)")

        var g: OpaquePointer? = nil
        try Self.check(autograd_tensor_grad(x.pointer, &g), "grad")
        defer { autograd_tensor_free(g) }
        var values = [Double](repeating: 0, count: n)
        var count = 0
        try Self.check(autograd_tensor_copy_f64(g, &values, n, &count), "copy_f64")
        #expect(count == n)
        let expected = Double(passes * (1...threads).reduce(0, +))
        #expect(values.allSatisfy { $0 == expected }, "\(values.filter { $0 != expected }.count) of \(n) wrong")
    }
}
