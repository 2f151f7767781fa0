import _AutogradShims

/// Runs `body` holding the mutex of `table` that guards `object` (see
/// `ag_stripe_lock`: a thread never holds two mutexes of one table).
@inline(__always)
func withStripe<R>(_ table: ag_stripe_table, _ object: AnyObject, _ body: () throws -> R) rethrows -> R {
    let key = UnsafeRawPointer(Unmanaged.passUnretained(object).toOpaque())
    ag_stripe_lock(table, key)
    defer { ag_stripe_unlock(table, key) }
    return try body()
}
