#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import Autograd
import CAutograd

/// The kinds of opaque handle the C API hands out.
enum HandleKind: String {
    case tensor = "autograd_tensor_t"
    case args = "autograd_args_t"
    case function = "autograd_function_t"
    case context = "autograd_context_t"
}

/// The object behind an `autograd_tensor_t*`: one reference to a tensor.
final class TensorHandle { let tensor: Tensor; init(_ t: Tensor) { tensor = t } }

/// The object behind an `autograd_args_t*`. `strings` keeps the C copies of
/// string arguments, so `autograd_args_string` can lend them out.
final class ArgsHandle {
    var values: [Argument] = []
    var cStrings: [Int: UnsafeMutablePointer<CChar>] = [:]
    init(_ values: [Argument] = []) { self.values = values }
    func clear() {
        for p in cStrings.values { free(p) }
        cStrings = [:]
        values = []
    }
    deinit { for p in cStrings.values { free(p) } }
}

/// The object behind an `autograd_function_t*`.
final class FunctionHandle { let registration: CFunctionRegistration; init(_ r: CFunctionRegistration) { registration = r } }

/// The object behind an `autograd_context_t*`: live only during one callback.
final class ContextHandle {
    let context: Context
    /// The message given to `autograd_context_set_error`.
    var error: String?
    init(_ c: Context) { context = c }
}

/// Every live handle, by address. A handle is checked here before it is
/// dereferenced, so a freed, foreign or garbage pointer becomes an error
/// instead of a crash (a freed handle whose address was reused by a new
/// handle of the same kind cannot be told apart).
final class HandleRegistry: @unchecked Sendable {
    static let shared = HandleRegistry()
    private var mutex = pthread_mutex_t()
    private var live: [UnsafeMutableRawPointer: HandleKind] = [:]

    private init() { pthread_mutex_init(&mutex, nil) }

    private func locked<R>(_ body: () -> R) -> R {
        pthread_mutex_lock(&mutex)
        defer { pthread_mutex_unlock(&mutex) }
        return body()
    }

    /// Retains `object` and registers its address as a handle of `kind`.
    func make(_ object: AnyObject, _ kind: HandleKind) -> OpaquePointer {
        let p = Unmanaged.passRetained(object).toOpaque()
        locked { live[p] = kind }
        return OpaquePointer(p)
    }

    /// How many handles are alive.
    var count: Int { locked { live.count } }

    /// The kind of the live handle at `p`, or nil.
    func kind(of p: UnsafeMutableRawPointer) -> HandleKind? { locked { live[p] } }

    /// Unregisters and releases a handle; false when `p` is not a live handle of `kind`.
    @discardableResult
    func free(_ p: OpaquePointer?, _ kind: HandleKind) -> Bool {
        guard let p else { return true }
        let raw = UnsafeMutableRawPointer(p)
        let removed: Bool = locked {
            guard live[raw] == kind else { return false }
            live[raw] = nil
            return true
        }
        if removed { Unmanaged<AnyObject>.fromOpaque(raw).release() }
        return removed
    }

    /// The object behind a live handle of `kind`.
    func object<T: AnyObject>(_ p: OpaquePointer?, _ kind: HandleKind, _ as: T.Type, _ what: String,
                              _ fn: String) throws -> T {
        guard let p else { throw CAPIFailure(AUTOGRAD_ERROR_NULL_ARGUMENT, "\(fn): \(what) is NULL") }
        let raw = UnsafeMutableRawPointer(p)
        guard let k = self.kind(of: raw) else {
            throw CAPIFailure(AUTOGRAD_ERROR_INVALID_HANDLE, "\(fn): \(what) is not a live \(kind.rawValue) handle (freed, or never returned by the library)")
        }
        guard k == kind else {
            throw CAPIFailure(AUTOGRAD_ERROR_INVALID_HANDLE, "\(fn): \(what) is an \(k.rawValue) handle, not an \(kind.rawValue)")
        }
        return Unmanaged<T>.fromOpaque(raw).takeUnretainedValue()
    }
}

// MARK: Typed lookups used by every API function

func tensorArg(_ p: OpaquePointer?, _ what: String, _ fn: String) throws -> Tensor {
    try HandleRegistry.shared.object(p, .tensor, TensorHandle.self, what, fn).tensor
}

func argsArg(_ p: OpaquePointer?, _ what: String, _ fn: String) throws -> ArgsHandle {
    try HandleRegistry.shared.object(p, .args, ArgsHandle.self, what, fn)
}

func functionArg(_ p: OpaquePointer?, _ what: String, _ fn: String) throws -> CFunctionRegistration {
    try HandleRegistry.shared.object(p, .function, FunctionHandle.self, what, fn).registration
}

func contextArg(_ p: OpaquePointer?, _ what: String, _ fn: String) throws -> ContextHandle {
    try HandleRegistry.shared.object(p, .context, ContextHandle.self, what, fn)
}

/// A new handle for `t`, owned by the C caller.
func newHandle(_ t: Tensor) -> OpaquePointer { HandleRegistry.shared.make(TensorHandle(t), .tensor) }

/// Tensors from an array of `count` handles.
func tensorArray(_ p: UnsafePointer<OpaquePointer?>?, _ count: Int, _ what: String, _ fn: String) throws -> [Tensor] {
    try checkCount(count, what, fn)
    if count == 0 { return [] }
    guard let p else { throw CAPIFailure(AUTOGRAD_ERROR_NULL_ARGUMENT, "\(fn): \(what) is NULL") }
    return try (0..<count).map { try tensorArg(p[$0], "\(what)[\($0)]", fn) }
}

/// Checks an out-parameter before any work is done.
func outArg<T>(_ p: UnsafeMutablePointer<T>?, _ what: String, _ fn: String) throws -> UnsafeMutablePointer<T> {
    guard let p else { throw CAPIFailure(AUTOGRAD_ERROR_NULL_ARGUMENT, "\(fn): \(what) is NULL") }
    return p
}

/// A NUL-terminated string argument.
func stringArg(_ p: UnsafePointer<CChar>?, _ what: String, _ fn: String) throws -> String {
    guard let p else { throw CAPIFailure(AUTOGRAD_ERROR_NULL_ARGUMENT, "\(fn): \(what) is NULL") }
    return String(cString: p)
}

/// A shape or dims list.
func intList(_ p: UnsafePointer<Int64>?, _ count: Int, _ what: String, _ fn: String) throws -> [Int] {
    try checkCount(count, what, fn)
    if count == 0 { return [] }
    guard let p else { throw CAPIFailure(AUTOGRAD_ERROR_NULL_ARGUMENT, "\(fn): \(what) is NULL") }
    return (0..<count).map { Int(p[$0]) }
}

/// A length that came in as a size_t: one that reads as negative here was huge.
func checkCount(_ count: Int, _ what: String, _ fn: String) throws {
    guard count >= 0 && count < (1 << 32) else {
        throw CAPIFailure(AUTOGRAD_ERROR_INVALID_ARGUMENT, "\(fn): the length of \(what) (\(UInt(bitPattern: count))) is too large")
    }
}

/// A copy of `s` in malloc'd memory, freed by `autograd_string_free`.
func mallocString(_ s: String) -> UnsafeMutablePointer<CChar> {
    strdup(s) ?? { fatalError("out of memory") }()
}
