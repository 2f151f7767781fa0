#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import Autograd
import CAutograd

/// A failure of the C API itself (NULL, a bad handle, a small buffer), with its status.
struct CAPIFailure: Error {
    let status: autograd_status_t
    let message: String
    init(_ status: autograd_status_t, _ message: String) {
        self.status = status
        self.message = message
    }
}

/// What a C callback reported when it returned nonzero; the engine names the
/// node ("<name>Backward failed: <message>").
struct CallbackFailure: Error, CustomStringConvertible {
    let description: String
}

/// Per-thread state of the C API: the last error message, and the custom
/// Functions whose `apply` is in progress (their forward reads the innermost).
final class ThreadState {
    /// malloc'd, never NULL; lent out by `autograd_last_error`.
    var message: UnsafeMutablePointer<CChar> = mallocString("")
    /// Counts failures, so a callback can tell whether a library call it made failed.
    var failures = 0
    /// The last failed call's status and message, and the Swift error behind
    /// them (nil for a failure without a status: a `_free` given a bad
    /// handle). A callback that returns that status passes the failure on.
    var lastFailure: CAPIFailure?
    var lastError: (any Error)?
    /// A C API failure passed on by a Function callback, which the engine
    /// wraps as `AutogradError.function`; `status(of:)` unwraps it.
    var passedThrough: CAPIFailure?
    var applying: [CFunctionRegistration] = []
    /// One entry per hook callback running on this thread, innermost last:
    /// the message given to `autograd_hook_set_error`.
    var hookErrors: [String?] = []

    deinit { free(message) }

    func setError(_ text: String, status: autograd_status_t = AUTOGRAD_OK, error: (any Error)? = nil) {
        let old = message
        message = mallocString(text)
        free(old)
        failures += 1
        lastFailure = status == AUTOGRAD_OK ? nil : CAPIFailure(status, text)
        lastError = error
    }

    func clearError() {
        let old = message
        message = mallocString("")
        free(old)
    }

    /// This thread's state, made on first use and released when the thread exits.
    static var current: ThreadState {
        if let p = pthread_getspecific(threadStateKey) {
            return Unmanaged<ThreadState>.fromOpaque(p).takeUnretainedValue()
        }
        let state = ThreadState()
        pthread_setspecific(threadStateKey, Unmanaged.passRetained(state).toOpaque())
        return state
    }
}

private let threadStateKey: pthread_key_t = {
    var key = pthread_key_t()
    pthread_key_create(&key) { p in
        guard let p else { return }
        Unmanaged<ThreadState>.fromOpaque(UnsafeMutableRawPointer(mutating: p)).release()
    }
    return key
}()

/// The status code of each case of `AutogradError`.
func statusCode(of error: AutogradError) -> autograd_status_t {
    switch error {
    case .invalidArgument: AUTOGRAD_ERROR_INVALID_ARGUMENT
    case .invalidGradient: AUTOGRAD_ERROR_INVALID_GRADIENT
    case .graph: AUTOGRAD_ERROR_GRAPH
    case .function: AUTOGRAD_ERROR_FUNCTION
    case .gradcheck: AUTOGRAD_ERROR_GRADCHECK
    }
}

/// The status code and message of a Swift error.
func status(of error: any Error) -> (autograd_status_t, String) {
    switch error {
    case let e as CAPIFailure: return (e.status, e.message)
    case let e as AutogradError:
        if case .function(let m) = e {
            // A C API failure a Function callback passed on, wrapped by the engine.
            let state = ThreadState.current
            if let p = state.passedThrough, m.hasSuffix(" failed: " + p.message) {
                state.passedThrough = nil
                return (p.status, p.message)
            }
        }
        return (statusCode(of: e), e.message)
    default: return (AUTOGRAD_ERROR_FUNCTION, "\(error)")
    }
}

/// Runs the body of an API function: AUTOGRAD_OK, or the error's status with
/// its message stored as this thread's last error.
@inline(__always)
func capi(_ body: () throws -> Void) -> autograd_status_t {
    do {
        try body()
        return AUTOGRAD_OK
    } catch {
        let (code, message) = status(of: error)
        ThreadState.current.setError(message, status: code, error: error)
        return code
    }
}

/// The name of the API function calling this helper ("autograd_add").
func cName(_ function: String) -> String { String(function.prefix { $0 != "(" }) }
