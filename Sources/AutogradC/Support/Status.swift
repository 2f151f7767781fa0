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
    var applying: [CFunctionRegistration] = []

    deinit { free(message) }

    func setError(_ text: String) {
        let old = message
        message = mallocString(text)
        free(old)
        failures += 1
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

/// The status code of a Swift error.
func status(of error: any Error) -> (autograd_status_t, String) {
    switch error {
    case let e as CAPIFailure: return (e.status, e.message)
    case let e as AutogradError:
        switch e {
        case .invalidArgument: return (AUTOGRAD_ERROR_INVALID_ARGUMENT, e.message)
        case .invalidGradient: return (AUTOGRAD_ERROR_INVALID_GRADIENT, e.message)
        case .graph: return (AUTOGRAD_ERROR_GRAPH, e.message)
        case .function: return (AUTOGRAD_ERROR_FUNCTION, e.message)
        case .gradcheck: return (AUTOGRAD_ERROR_GRADCHECK, e.message)
        }
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
        ThreadState.current.setError(message)
        return code
    }
}

/// The name of the API function calling this helper ("autograd_add").
func cName(_ function: String) -> String { String(function.prefix { $0 != "(" }) }
