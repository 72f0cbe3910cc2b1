//! Scoped work on a second thread or on every core, with one policy for a panicking thread:
//! its panic is resumed on the calling thread, as if the work had run there. A [`Tally`] counts
//! a stage's work on any thread for the thread that reports its progress ([`watch`]).

use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::thread::Thread;

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

/// A gate that one thread opens, once, and others wait at: opened when its [`Opener`] goes,
/// whatever way that thread ends, so that no waiter is left behind.
#[derive(Default)]
pub struct Gate {
    open: std::sync::Mutex<bool>,
    opened: std::sync::Condvar,
}

impl Gate {
    pub fn opener(&self) -> Opener<'_> {
        Opener(self)
    }

    /// Returns once the gate is open.
    pub fn wait(&self) {
        let mut open = self.open.lock().unwrap_or_else(|e| e.into_inner());
        while !*open {
            open = self.opened.wait(open).unwrap_or_else(|e| e.into_inner());
        }
    }

    fn open(&self) {
        *self.open.lock().unwrap_or_else(|e| e.into_inner()) = true;
        self.opened.notify_all();
    }
}

/// Opens its [`Gate`] when dropped.
pub struct Opener<'g>(&'g Gate);

impl Drop for Opener<'_> {
    fn drop(&mut self) {
        self.0.open();
    }
}

/// Drops `value` on a thread of its own, so that freeing a large structure of many small
/// allocations costs the caller nothing (on this thread, if no thread can be started).
pub fn drop_beside<T: Send + 'static>(value: T) {
    // A thread that cannot start drops the closure, and `value` with it, right here.
    let _ = std::thread::Builder::new().spawn(move || drop(value));
}

/// A value that is dropped on a thread of its own ([`drop_beside`]) when the guard goes.
pub struct DropBeside<T: Send + 'static>(Option<T>);

impl<T: Send + 'static> DropBeside<T> {
    pub fn new(value: T) -> DropBeside<T> {
        DropBeside(Some(value))
    }
}

impl<T: Send + 'static> std::ops::Deref for DropBeside<T> {
    type Target = T;

    fn deref(&self) -> &T {
        self.0.as_ref().expect("taken only by drop")
    }
}

impl<T: Send + 'static> Drop for DropBeside<T> {
    fn drop(&mut self) {
        if let Some(value) = self.0.take() {
            drop_beside(value);
        }
    }
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

/// How much of a stage's work is done, counted by the threads doing it and reported by the one
/// that watches it ([`watch`]): progress within a stage, without a lock or an atomic operation
/// per item (workers count in a [`Counter`] and add in batches).
#[derive(Debug, Default)]
pub struct Tally {
    pub(crate) done: AtomicU64,
    pub(crate) total: AtomicU64,
    /// The watcher is woken each time `done` passes a multiple of `step` (about 5% of `total`).
    step: AtomicU64,
    finished: AtomicBool,
    /// The thread that reports; `None`: nobody watches (the count is kept all the same).
    watcher: Option<Thread>,
}

/// Progress is reported about every 1/STEPS of a stage (5%).
const STEPS: u64 = 20;
/// A counter adds to its tally at least every this many items.
const BATCH_AT_MOST: u64 = 1024;

impl Tally {
    /// A tally of `total` items, watched by the calling thread.
    fn watched(total: u64) -> Tally {
        let tally = Tally {
            watcher: Some(std::thread::current()),
            ..Tally::default()
        };
        tally.set_total(total);
        tally
    }

    /// How many items the stage has (an estimate may be replaced as the work learns more).
    pub fn set_total(&self, total: u64) {
        self.total.store(total, Ordering::Relaxed);
        self.step.store((total / STEPS).max(1), Ordering::Relaxed);
    }

    /// Adds `n` items done; wakes the watcher when a step is passed.
    pub fn add(&self, n: u64) {
        let before = self.done.fetch_add(n, Ordering::Relaxed);
        let step = self.step.load(Ordering::Relaxed).max(1);
        if before / step != (before + n) / step
            && let Some(watcher) = &self.watcher
        {
            watcher.unpark();
        }
    }

    /// A counter for one thread's share of the work.
    pub fn counter(&self) -> Counter<'_> {
        let batch = (self.total.load(Ordering::Relaxed) / (4 * STEPS)).clamp(1, BATCH_AT_MOST);
        Counter {
            tally: self,
            pending: 0,
            batch,
        }
    }

    fn read(&self) -> (u64, u64) {
        (
            self.done.load(Ordering::Relaxed),
            self.total.load(Ordering::Relaxed),
        )
    }
}

/// One thread's count, added to its [`Tally`] every few items and when dropped.
pub struct Counter<'t> {
    tally: &'t Tally,
    pending: u64,
    batch: u64,
}

impl Counter<'_> {
    /// One more item done.
    #[inline]
    pub fn one(&mut self) {
        self.pending += 1;
        if self.pending >= self.batch {
            self.tally.add(self.pending);
            self.pending = 0;
        }
    }
}

impl Drop for Counter<'_> {
    fn drop(&mut self) {
        if self.pending > 0 {
            self.tally.add(self.pending);
        }
    }
}

/// Runs `work` on a second thread, counting into a tally of `total` items (which the work may
/// replace with [`Tally::set_total`]), while this thread calls `report(step, total)` for each
/// multiple of the step (5% of the total) that the count passes, below the total (the caller
/// reports a stage's start and end); the work's result.
///
/// The steps reported do not depend on how the threads are scheduled: a step passed while this
/// thread was not running is reported when it runs again.
pub fn watch<R: Send>(
    total: u64,
    work: impl FnOnce(&Tally) -> R + Send,
    report: &mut dyn FnMut(u64, u64),
) -> R {
    let tally = Tally::watched(total);
    let tally = &tally;
    std::thread::scope(|scope| {
        let worker = scope.spawn(move || {
            // Set even when the work panics, so that the watcher stops waiting.
            let _finished = Finished(tally);
            work(tally)
        });
        let mut shown = 0;
        loop {
            let finished = tally.finished.load(Ordering::Acquire);
            let (done, total) = tally.read();
            let step = tally.step.load(Ordering::Relaxed).max(1);
            let mut next = (shown / step + 1) * step;
            while next <= done && next < total {
                report(next, total);
                shown = next;
                next += step;
            }
            if finished {
                break;
            }
            std::thread::park();
        }
        unwrap(worker.join())
    })
}

/// Marks a watched work finished and wakes its watcher.
struct Finished<'t>(&'t Tally);

impl Drop for Finished<'_> {
    fn drop(&mut self) {
        self.0.finished.store(true, Ordering::Release);
        if let Some(watcher) = &self.0.watcher {
            watcher.unpark();
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Says on which thread it was dropped.
    struct Tell(std::sync::mpsc::Sender<std::thread::ThreadId>);

    impl Drop for Tell {
        fn drop(&mut self) {
            let _ = self.0.send(std::thread::current().id());
        }
    }

    #[test]
    fn a_gate_holds_its_waiter_until_its_opener_goes_even_by_a_panic() {
        let gate = Gate::default();
        let passed = AtomicBool::new(false);
        std::thread::scope(|scope| {
            let opener = gate.opener();
            let waiter = scope.spawn(|| {
                gate.wait();
                passed.store(true, Ordering::SeqCst);
            });
            std::thread::sleep(std::time::Duration::from_millis(50));
            assert!(!passed.load(Ordering::SeqCst));
            let opened_by_a_panic = scope.spawn(move || {
                let _opener = opener;
                panic!("the opening thread fails");
            });
            assert!(opened_by_a_panic.join().is_err());
            waiter.join().unwrap();
        });
        assert!(passed.load(Ordering::SeqCst));
        gate.wait();
    }

    #[test]
    fn a_value_dropped_beside_is_read_through_its_guard_and_dropped_on_another_thread() {
        let (tx, rx) = std::sync::mpsc::channel();
        let guard = DropBeside::new((7, Tell(tx)));
        assert_eq!((*guard).0, 7);
        drop(guard);
        let dropped_on = rx
            .recv_timeout(std::time::Duration::from_secs(10))
            .expect("the value is dropped");
        assert_ne!(dropped_on, std::thread::current().id());
    }

    #[test]
    fn a_watched_stage_reports_rising_counts_below_its_total() {
        let mut seen = Vec::new();
        let out = watch(
            1000,
            |tally| {
                for _ in 0..1000 {
                    tally.counter().one();
                }
                7
            },
            &mut |done, total| seen.push((done, total)),
        );
        assert_eq!(out, 7);
        let steps: Vec<(u64, u64)> = (1..20).map(|k| (k * 50, 1000)).collect();
        assert_eq!(seen, steps);
    }

    #[test]
    fn a_counter_adds_in_batches_and_when_dropped() {
        let tally = Tally::default();
        tally.set_total(10_000);
        let mut counter = tally.counter();
        (0..100).for_each(|_| counter.one());
        assert_eq!(tally.read().0, 0);
        (0..30).for_each(|_| counter.one());
        assert_eq!(tally.read().0, 125);
        drop(counter);
        assert_eq!(tally.read().0, 130);
    }

    #[test]
    #[should_panic(expected = "boom")]
    fn a_panicking_stage_is_not_waited_for_forever() {
        watch(10, |_| panic!("boom"), &mut |_, _| ());
    }
}
