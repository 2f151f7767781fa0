import Autograd
import CAutograd

// How a failing C callback (a Function's forward or backward, a hook) is
// reported to the caller of the library call that ran it.

/// Why a callback that returned a nonzero status failed.
enum CallbackOutcome {
    /// It returned the status of a library call that failed inside it, with no
    /// message of its own: that failure, to be passed on unchanged (as an
    /// exception raised inside a PyTorch callback propagates as it is).
    case passedOn(any Error)
    /// Its own message; else the last library error it ran into (with another
    /// status than the one it returned); else its status.
    case message(String)
}

/// How the callback that returned `code` failed. `own` is the message it
/// recorded (`setter`: the function that records one), `failuresBefore` this
/// thread's failure count when it was called.
func callbackOutcome(_ code: autograd_status_t, own: String?, failuresBefore: Int, what: String,
                     setter: String) -> CallbackOutcome {
    if let own { return .message(own) }
    let state = ThreadState.current
    guard state.failures != failuresBefore else {
        return .message("the \(what) returned status \(code) without a message (\(setter))")
    }
    if let failure = state.lastFailure, failure.status == code {
        if let e = state.lastError as? AutogradError, statusCode(of: e) == code, e.message == failure.message {
            return .passedOn(e)
        }
        return .passedOn(failure)
    }
    return .message(String(cString: state.message))
}

/// A failure passed on from a Function's callback, in a form the engine lets
/// through: an `AutogradError` as it is; a C API failure (NULL, a bad handle,
/// a small buffer) is wrapped by the engine as `AutogradError.function`, so
/// it is kept on the thread for `status(of:)` to unwrap.
func throughEngine(_ error: any Error) -> any Error {
    if error is AutogradError { return error }
    let failure = error as? CAPIFailure ?? CAPIFailure(AUTOGRAD_ERROR_FUNCTION, "\(error)")
    ThreadState.current.passedThrough = failure
    return CallbackFailure(description: failure.message)
}
