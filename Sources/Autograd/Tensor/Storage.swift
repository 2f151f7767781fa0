#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// A tensor's memory: one contiguous, 64-byte aligned buffer plus the version
/// counter that every in-place change bumps. Views (reshape, detach) share a
/// storage, and so share its version, as in PyTorch.
final class Storage {
    let bytes: UnsafeMutableRawPointer
    let byteCount: Int
    /// Bumped by every in-place change; checked when a saved tensor is unpacked.
    var version: Int = 0

    init(byteCount: Int) {
        self.byteCount = byteCount
        var p: UnsafeMutableRawPointer? = nil
        // Small buffers come from malloc (16-byte aligned); large ones are
        // aligned to a cache line for the vector kernels.
        if byteCount <= 256 {
            p = malloc(max(byteCount, 1))
        } else if posix_memalign(&p, 64, byteCount) != 0 {
            p = nil
        }
        guard let p else { fatalError("swift-autograd: out of memory allocating \(byteCount) bytes") }
        self.bytes = p
    }

    deinit { free(bytes) }
}
