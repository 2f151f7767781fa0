#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
@_spi(CInterop) import Autograd
import CAutograd

// Version, errors, strings, grad mode: the functions of autograd.h that belong
// to no object. Every function of this target is `@c @implementation`, so the
// compiler checks it against its declaration in autograd.h.

@c @implementation
public func autograd_abi_version() -> Int32 { AUTOGRAD_ABI_VERSION }

/// C strings that live as long as the process (the version, the status names).
nonisolated(unsafe) private let versionString = staticCString(AUTOGRAD_VERSION_STRING)
nonisolated(unsafe) private let statusNames: [UnsafePointer<CChar>] = [
    "AUTOGRAD_OK", "AUTOGRAD_ERROR_NULL_ARGUMENT", "AUTOGRAD_ERROR_INVALID_HANDLE", "AUTOGRAD_ERROR_INVALID_ARGUMENT",
    "AUTOGRAD_ERROR_INVALID_GRADIENT", "AUTOGRAD_ERROR_GRAPH", "AUTOGRAD_ERROR_FUNCTION", "AUTOGRAD_ERROR_GRADCHECK",
    "AUTOGRAD_ERROR_BUFFER_TOO_SMALL", "AUTOGRAD_ERROR_UNKNOWN_OP",
].map(staticCString)
nonisolated(unsafe) private let unknownStatus = staticCString("unknown status")

private func staticCString(_ s: String) -> UnsafePointer<CChar> { UnsafePointer(mallocString(s)) }

@c @implementation
public func autograd_version() -> UnsafePointer<CChar>? { versionString }

@c @implementation
public func autograd_status_string(_ status: autograd_status_t) -> UnsafePointer<CChar>? {
    status >= 0 && Int(status) < statusNames.count ? statusNames[Int(status)] : unknownStatus
}

@c @implementation
public func autograd_last_error() -> UnsafePointer<CChar>? { UnsafePointer(ThreadState.current.message) }

@c @implementation
public func autograd_clear_error() { ThreadState.current.clearError() }

@c @implementation
public func autograd_live_handle_count(_ out: UnsafeMutablePointer<Int>?) -> autograd_status_t {
    capi { try outArg(out, "out", cName(#function)).pointee = HandleRegistry.shared.count }
}

@c @implementation
public func autograd_string_free(_ string: UnsafeMutablePointer<CChar>?) { free(string) }

@c @implementation
public func autograd_set_grad_enabled(_ enabled: Bool, _ previous: UnsafeMutablePointer<Bool>?) -> autograd_status_t {
    capi {
        let was = GradMode.setForThread(enabled)  // this thread's mode
        previous?.pointee = was
    }
}

@c @implementation
public func autograd_is_grad_enabled(_ out: UnsafeMutablePointer<Bool>?) -> autograd_status_t {
    capi { try outArg(out, "out", cName(#function)).pointee = GradMode.isEnabled }
}
