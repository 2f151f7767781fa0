import Foundation

/// How many passes each stress test runs per thread: `AUTOGRAD_STRESS_PASSES`
/// when set (the ThreadSanitizer job runs fewer), else `normal`.
func stressPasses(_ normal: Int) -> Int {
    if let s = ProcessInfo.processInfo.environment["AUTOGRAD_STRESS_PASSES"], let n = Int(s), n > 0 { return min(n, normal) }
    return normal
}

/// Runs `body(thread)` on `threads` threads at once and collects what they throw.
func onThreads(_ threads: Int, _ body: @Sendable @escaping (Int) throws -> Void) -> [String] {
    let failures = Failures()
    DispatchQueue.concurrentPerform(iterations: threads) { t in
        do { try body(t) } catch { failures.add("thread \(t): \(error)") }
    }
    return failures.all
}

/// A list that threads append to.
final class Failures: @unchecked Sendable {
    private let lock = NSLock()
    private var items: [String] = []
    func add(_ s: String) { lock.lock(); items.append(s); lock.unlock() }
    var all: [String] { lock.lock(); defer { lock.unlock() }; return items }
}

/// A counter that threads increment.
final class Counter: @unchecked Sendable {
    private let lock = NSLock()
    private var n = 0
    func increment() { lock.lock(); n += 1; lock.unlock() }
    var value: Int { lock.lock(); defer { lock.unlock() }; return n }
}
