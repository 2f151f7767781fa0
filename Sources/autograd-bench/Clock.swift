#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Monotonic time in nanoseconds.
@inline(__always)
func nowNanos() -> UInt64 {
    var ts = timespec()
    clock_gettime(CLOCK_MONOTONIC, &ts)
    return UInt64(ts.tv_sec) * 1_000_000_000 + UInt64(ts.tv_nsec)
}

/// Runs `body` `iterations` times per repetition after a warm-up; returns the
/// per-iteration time of each repetition in seconds.
func measure(warmup: Int, repetitions: Int, iterations: Int, _ body: () throws -> Void) rethrows -> [Double] {
    for _ in 0..<warmup { try body() }
    var times: [Double] = []
    for _ in 0..<repetitions {
        let t0 = nowNanos()
        for _ in 0..<iterations { try body() }
        times.append(Double(nowNanos() - t0) / 1e9 / Double(iterations))
    }
    return times
}
