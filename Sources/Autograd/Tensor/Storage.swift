/// The header of a tensor's storage.
struct StorageHeader {
    var byteCount: Int
    /// Bumped by every in-place change; checked when a saved tensor is unpacked.
    var version: Int
}

/// A tensor's memory: one contiguous, 16-byte aligned buffer (malloc's alignment; the header is 32 bytes) allocated in the
/// same block as its header (one allocation per tensor's storage), plus the
/// version counter that every in-place change bumps. Views (reshape, detach)
/// share a storage, and so share its version, as in PyTorch.
final class Storage: ManagedBuffer<StorageHeader, UInt64> {
    /// A storage of `byteCount` uninitialised bytes.
    static func allocate(byteCount: Int) -> Storage {
        let chunks = (byteCount + 7) / 8
        let buffer = Storage.create(minimumCapacity: Swift.max(chunks, 1)) { _ in
            StorageHeader(byteCount: byteCount, version: 0)
        }
        return unsafeDowncast(buffer, to: Storage.self)
    }

    /// The first byte. Valid while the storage is alive (tensors keep it alive).
    @inline(__always)
    var bytes: UnsafeMutableRawPointer {
        withUnsafeMutablePointerToElements { UnsafeMutableRawPointer($0) }
    }

    var byteCount: Int { header.byteCount }

    @inline(__always)
    var version: Int {
        get { header.version }
        set { header.version = newValue }
    }
}
