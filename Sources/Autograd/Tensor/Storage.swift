#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import _AutogradShims

/// C's `free`, for buffers from `posix_memalign`. Named apart because
/// `BufferCache` has a property called `free`, and a module-qualified call
/// (`Glibc.free`) builds on one platform only.
private func freeBuffer(_ p: UnsafeMutableRawPointer) {
    #if canImport(Glibc)
    Glibc.free(p)
    #elseif canImport(Darwin)
    Darwin.free(p)
    #endif
}

/// The header of a tensor's storage.
struct StorageHeader {
    var byteCount: Int
    /// Bumped by every in-place change; checked when a saved tensor is
    /// unpacked. Only read and bumped atomically (`Storage.version`).
    var version: Int64
    /// A large buffer lives outside the object, lent by `BufferCache`; nil
    /// when the buffer is allocated with the header.
    var external: UnsafeMutableRawPointer?
    /// Set for memory borrowed from a caller (`Storage.borrowing`): `external`
    /// is the caller's, released by the lender's deleter, not the cache.
    var lender: Lender?
}

/// The owner of memory a caller lent (`autograd_tensor_from_blob`): its
/// deleter runs once, when the storage that borrowed the memory goes.
final class Lender {
    typealias Deleter = @convention(c) (UnsafeMutableRawPointer?, UnsafeMutableRawPointer?) -> Void
    let bytes: UnsafeMutableRawPointer
    let deleter: Deleter?
    let context: UnsafeMutableRawPointer?
    init(_ bytes: UnsafeMutableRawPointer, _ deleter: Deleter?, _ context: UnsafeMutableRawPointer?) {
        self.bytes = bytes
        self.deleter = deleter
        self.context = context
    }
    deinit { deleter?(bytes, context) }
}

/// A tensor's memory: one contiguous buffer plus the version counter that
/// every in-place change bumps. Views (reshape, detach) share a storage, and
/// so share its version, as in PyTorch.
///
/// A small buffer is allocated in the same block as the header (one
/// allocation per storage, 16-byte aligned). A large one (`BufferCache.minimumBytes`
/// and up) is 64-byte aligned and comes from `BufferCache`, so a training loop
/// that allocates the same sizes every step reuses warm pages instead of
/// faulting in fresh ones from the kernel.
final class Storage: ManagedBuffer<StorageHeader, UInt64> {
    /// A storage of `byteCount` uninitialised bytes.
    ///
    /// - Throws: PyTorch's allocator message when the system refuses a large
    ///   buffer (after the cache has given back what it held).
    static func allocate(byteCount: Int) throws -> Storage {
        if byteCount >= BufferCache.minimumBytes {
            let external = try BufferCache.shared.take(byteCount)
            let buffer = Storage.create(minimumCapacity: 0) { _ in
                StorageHeader(byteCount: byteCount, version: 0, external: external, lender: nil)
            }
            return unsafeDowncast(buffer, to: Storage.self)
        }
        return allocateInline(byteCount: byteCount)
    }

    /// A storage whose bytes live in the same block as the header: for
    /// small buffers, which the Swift runtime allocates like any object.
    static func allocateInline(byteCount: Int) -> Storage {
        let words = (byteCount + 7) / 8
        let buffer = Storage.create(minimumCapacity: Swift.max(words, 1)) { _ in
            StorageHeader(byteCount: byteCount, version: 0, external: nil, lender: nil)
        }
        return unsafeDowncast(buffer, to: Storage.self)
    }

    /// A storage over `byteCount` bytes of a caller's memory at `bytes`, not
    /// a copy (PyTorch's `from_blob`); `deleter(bytes, context)` runs once,
    /// when the storage goes.
    static func borrowing(_ bytes: UnsafeMutableRawPointer, byteCount: Int, deleter: Lender.Deleter?,
                          context: UnsafeMutableRawPointer?) -> Storage {
        let buffer = Storage.create(minimumCapacity: 0) { _ in
            StorageHeader(byteCount: byteCount, version: 0, external: bytes, lender: Lender(bytes, deleter, context))
        }
        return unsafeDowncast(buffer, to: Storage.self)
    }

    deinit {
        // Borrowed memory goes back through its lender, released with the header.
        let h = headerPointer.pointee
        if h.lender == nil, let p = h.external { BufferCache.shared.give(p, byteCount: h.byteCount) }
    }

    // The header is read through its address: `ManagedBuffer.header` would
    // pay a dynamic exclusivity check on every access (seen in W1's profile).
    @inline(__always)
    private var headerPointer: UnsafeMutablePointer<StorageHeader> {
        withUnsafeMutablePointerToHeader { $0 }
    }

    /// The first byte. Valid while the storage is alive (tensors keep it alive).
    @inline(__always)
    var bytes: UnsafeMutableRawPointer {
        if let p = headerPointer.pointee.external { return p }
        return withUnsafeMutablePointerToElements { UnsafeMutableRawPointer($0) }
    }

    var byteCount: Int { headerPointer.pointee.byteCount }

    /// The version counter's address (the header's address plus the field's offset).
    @inline(__always)
    private var versionPointer: UnsafeMutablePointer<Int64> {
        (UnsafeMutableRawPointer(headerPointer) + MemoryLayout<StorageHeader>.offset(of: \.version)!)
            .assumingMemoryBound(to: Int64.self)
    }

    /// The version counter, read atomically: threads may share a storage.
    @inline(__always)
    var version: Int { Int(ag_version_load(versionPointer)) }

    /// One more in-place change (an atomic increment).
    @inline(__always)
    func bumpVersion() { ag_version_bump(versionPointer) }
}

/// Keeps freed large buffers, by exact size, for the next tensor of that
/// size: at most `capacityBytes` in all, the oldest given back first.
final class BufferCache: @unchecked Sendable {
    static let minimumBytes = 64 << 10
    static let shared = BufferCache(capacityBytes: 256 << 20)

    private let lock = Lock()
    private let capacityBytes: Int
    private var held = 0
    private var free: [Int: [UnsafeMutableRawPointer]] = [:]
    private var order: [(Int, UnsafeMutableRawPointer)] = []

    init(capacityBytes: Int) { self.capacityBytes = capacityBytes }

    func take(_ byteCount: Int) throws -> UnsafeMutableRawPointer {
        let cached: UnsafeMutableRawPointer? = lock.withLock {
            guard let p = free[byteCount]?.popLast() else { return nil }
            held -= byteCount
            if let i = order.firstIndex(where: { $0.1 == p }) { order.remove(at: i) }
            return p
        }
        if let cached { return cached }
        var p: UnsafeMutableRawPointer? = nil
        var code = posix_memalign(&p, 64, byteCount)
        if code != 0 {
            // Held buffers of other sizes may be what the system is missing.
            releaseAll()
            code = posix_memalign(&p, 64, byteCount)
        }
        if code == 0, let p { return p }
        let reason = strerror(code).map { String(cString: $0) } ?? "error \(code)"
        throw AutogradError.invalidArgument("DefaultCPUAllocator: can't allocate memory: you tried to allocate "
                                            + "\(byteCount) bytes. Error code \(code) (\(reason))")
    }

    /// Bytes held for reuse.
    var heldBytes: Int { lock.withLock { held } }

    /// Frees every held buffer.
    func releaseAll() {
        let all: [UnsafeMutableRawPointer] = lock.withLock {
            let out = order.map(\.1)
            free = [:]
            order = []
            held = 0
            return out
        }
        for q in all { freeBuffer(q) }
    }

    func give(_ p: UnsafeMutableRawPointer, byteCount: Int) {
        let evicted: [UnsafeMutableRawPointer] = lock.withLock {
            guard byteCount <= capacityBytes else { return [p] }
            free[byteCount, default: []].append(p)
            order.append((byteCount, p))
            held += byteCount
            var out: [UnsafeMutableRawPointer] = []
            while held > capacityBytes, !order.isEmpty {
                let (size, old) = order.removeFirst()
                if let i = free[size]?.firstIndex(of: old) { free[size]!.remove(at: i) }
                held -= size
                out.append(old)
            }
            return out
        }
        for q in evicted { freeBuffer(q) }
    }
}

/// Memory the library keeps for reuse: freed tensor buffers of 64 KiB and up
/// (at most 256 MiB), handed to the next tensor of the same size so training
/// loops reuse warm pages. The CPU counterpart of PyTorch's caching allocator.
public enum CachedMemory {
    /// Bytes of freed buffers currently held.
    public static var bytes: Int { BufferCache.shared.heldBytes }

    /// Returns every held buffer to the system (like `torch.cuda.empty_cache()`).
    public static func release() { BufferCache.shared.releaseAll() }
}
