//! Scoped work on a second thread or on every core, with one policy for a panicking thread:
//! its panic is resumed on the calling thread, as if the work had run there.

/// Runs `a` on a second thread while `b` runs on this one; both results.
pub fn join<A: Send, B>(a: impl FnOnce() -> A + Send, b: impl FnOnce() -> B) -> (A, B) {
    std::thread::scope(|scope| {
        let second = scope.spawn(a);
        let b = b();
        (unwrap(second.join()), b)
    })
}

/// The result of a joined thread; its panic, resumed here.
fn unwrap<T>(joined: std::thread::Result<T>) -> T {
    joined.unwrap_or_else(|e| std::panic::resume_unwind(e))
}

/// `each(chunk, index of its first item)` over `items`, on every core from `parallel_from`
/// items on; the results in order.
pub fn in_chunks<T: Sync, R: Send>(
    items: &[T],
    parallel_from: usize,
    each: impl Fn(&[T], usize) -> Vec<R> + Sync,
) -> Vec<R> {
    let threads = std::thread::available_parallelism().map_or(1, |n| n.get());
    if threads < 2 || items.len() < parallel_from {
        return each(items, 0);
    }
    let size = items.len().div_ceil(threads);
    let each = &each;
    std::thread::scope(|scope| {
        let parts: Vec<_> = items
            .chunks(size)
            .enumerate()
            .map(|(k, chunk)| scope.spawn(move || each(chunk, k * size)))
            .collect();
        parts.into_iter().flat_map(|p| unwrap(p.join())).collect()
    })
}
