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
    case hookContext = "autograd_hook_context_t"
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

/// The object behind an `autograd_hook_context_t*`: live only during one hook call.
final class HookContextHandle {
    /// The message given to `autograd_hook_context_set_error`.
    var error: String?
}

/// The object behind an `autograd_context_t*`: live only during one callback.
final class ContextHandle {
    let context: Context
    /// The message given to `autograd_context_set_error`.
    var error: String?
    init(_ c: Context) { context = c }
}

/// Every live handle. A handle is not an address but a token naming a slot
/// of this table and the slot's generation: freeing a handle bumps its
/// slot's generation before the slot is reused, so a freed handle never
/// names a later object, and a stale, foreign or garbage pointer is refused
/// with a clear status instead of being dereferenced.
///
/// A token is `generation << 34 | index << 4 | 0xA`: the tag 0xA in the low
/// bits is never the low nibble of a 16-byte-aligned address, so a pointer
/// to something else is never taken for a handle; 30 bits of index (about a
/// billion live handles) and 30 of generation. A slot whose generation runs
/// out is retired, never reused.
final class HandleRegistry: @unchecked Sendable {
    static let shared = HandleRegistry()
    private var mutex = pthread_mutex_t()

    private struct Slot {
        var object: AnyObject?
        var kind: HandleKind
        var generation: UInt64
    }
    private var slots: [Slot] = []
    private var free: [Int] = []
    private var live = 0

    private static let tag: UInt64 = 0xA
    private static let indexBits: UInt64 = 30, generationBits: UInt64 = 30
    private static let maxIndex = (1 << indexBits) - 1, maxGeneration = (UInt64(1) << generationBits) - 1

    private init() { pthread_mutex_init(&mutex, nil) }

    private func locked<R>(_ body: () throws -> R) rethrows -> R {
        pthread_mutex_lock(&mutex)
        defer { pthread_mutex_unlock(&mutex) }
        return try body()
    }

    private static func token(_ index: Int, _ generation: UInt64) -> OpaquePointer {
        let bits = generation << (indexBits + 4) | UInt64(index) << 4 | tag
        return OpaquePointer(bitPattern: UInt(bits))!
    }

    /// The slot a token names, if it is a live handle (any kind).
    private func slotIndex(_ p: OpaquePointer) -> Int? {
        let bits = UInt64(UInt(bitPattern: p))
        guard bits & 0xF == Self.tag else { return nil }
        let index = Int((bits >> 4) & UInt64(Self.maxIndex)), generation = bits >> (Self.indexBits + 4)
        guard index < slots.count, slots[index].generation == generation, slots[index].object != nil else { return nil }
        return index
    }

    /// Keeps `object` alive behind a new handle of `kind`.
    ///
    /// - Throws: when about a billion handles are alive at once.
    func make(_ object: AnyObject, _ kind: HandleKind) throws -> OpaquePointer {
        try locked {
            let index: Int
            if let reused = free.popLast() {
                index = reused
            } else {
                guard slots.count <= Self.maxIndex else {
                    throw CAPIFailure(AUTOGRAD_ERROR_INVALID_ARGUMENT,
                                      "too many live handles (\(live)): free the handles you no longer use")
                }
                index = slots.count
                slots.append(Slot(object: nil, kind: kind, generation: 1))
            }
            slots[index].object = object
            slots[index].kind = kind
            live += 1
            return Self.token(index, slots[index].generation)
        }
    }

    /// How many handles are alive.
    var count: Int { locked { live } }


    /// Unregisters and releases a handle; false when `p` is not a live handle of `kind`.
    @discardableResult
    func free(_ p: OpaquePointer?, _ kind: HandleKind) -> Bool {
        guard let p else { return true }
        let released: AnyObject? = locked {
            guard let i = slotIndex(p), slots[i].kind == kind else { return nil }
            let object = slots[i].object
            slots[i].object = nil
            live -= 1
            if slots[i].generation < Self.maxGeneration {
                slots[i].generation += 1
                free.append(i)
            }
            return object
        }
        return released != nil  // the object is released here, outside the mutex
    }

    /// The object behind a live handle of `kind`.
    func object<T: AnyObject>(_ p: OpaquePointer?, _ kind: HandleKind, _ as: T.Type, _ what: String,
                              _ fn: String) throws -> T {
        guard let p else { throw CAPIFailure(AUTOGRAD_ERROR_NULL_ARGUMENT, "\(fn): \(what) is NULL") }
        let found: (HandleKind, AnyObject)? = locked {
            slotIndex(p).map { (slots[$0].kind, slots[$0].object!) }
        }
        guard let (k, object) = found else {
            throw CAPIFailure(AUTOGRAD_ERROR_INVALID_HANDLE, "\(fn): \(what) is not a live \(kind.rawValue) handle (freed, or never returned by the library)")
        }
        guard k == kind else {
            throw CAPIFailure(AUTOGRAD_ERROR_INVALID_HANDLE, "\(fn): \(what) is an \(k.rawValue) handle, not an \(kind.rawValue)")
        }
        return unsafeDowncast(object, to: T.self)
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
func newHandle(_ t: Tensor) throws -> OpaquePointer { try HandleRegistry.shared.make(TensorHandle(t), .tensor) }

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
