import Testing
@testable import Autograd

/// The cache behind large tensors' storage, on a private instance (the shared
/// one is in use by tests running in parallel).
@Suite struct BufferCacheTests {
    @Test func reusesBySizeEvictsOldestAndReleases() throws {
        let cache = BufferCache(capacityBytes: 3 << 20)
        let a = try cache.take(1 << 20), b = try cache.take(1 << 20), c = try cache.take(2 << 20)
        cache.give(a, byteCount: 1 << 20)
        #expect(cache.heldBytes == 1 << 20)
        #expect(try cache.take(1 << 20) == a)                  // same size: the same buffer back
        #expect(cache.heldBytes == 0)
        cache.give(a, byteCount: 1 << 20)
        cache.give(b, byteCount: 1 << 20)
        cache.give(c, byteCount: 2 << 20)                  // 4 MiB > 3 MiB: the oldest (a) is freed
        #expect(cache.heldBytes == 3 << 20)
        #expect(try cache.take(1 << 20) == b)
        cache.give(b, byteCount: 1 << 20)
        cache.releaseAll()
        #expect(cache.heldBytes == 0)
    }

    @Test func publicViewOfTheSharedCache() {
        #expect(CachedMemory.bytes >= 0)
        CachedMemory.release()                             // safe at any time
    }
}
