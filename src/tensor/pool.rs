//! The threads big products run their bands on, started once and kept.
//!
//! A product's bands are taken in order by whichever thread is free, the caller's among them,
//! so a thread that runs slower (its CPU shared with other work) takes fewer. Between products a
//! worker spins for a while before it sleeps: a training step's products come a fraction of a
//! millisecond apart, and starting a thread for each, or waking one whose CPU has gone idle,
//! costs a good part of what the second thread saves (see the README's performance section).
//! (rayon runs work started outside its pool on its own threads and puts the caller to sleep
//! until it is done: the same cost on the caller's side.)
//!
//! One product uses the pool at a time; a product started while another one holds it (from
//! another thread of the program) starts threads of its own, as scoped threads.

use std::cell::UnsafeCell;
use std::panic::{catch_unwind, resume_unwind, AssertUnwindSafe};
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::{Mutex, OnceLock, TryLockError};
use std::thread::Thread;
use std::time::{Duration, Instant};

use super::kernels::matmul_threads;

/// How long an idle worker spins before it sleeps.
const SPIN: Duration = Duration::from_millis(2);

/// A band function: `band(lo, len)` computes `len` rows (or columns) from `lo`.
type BandFn<'a> = dyn Fn(usize, usize) + Sync + 'a;

/// What a product posts: its band function, how its long side is split, and how many workers
/// take part. The function's lifetime is erased; the poster waits for every worker before that
/// borrow ends.
#[derive(Clone, Copy)]
struct Job {
    band: *const BandFn<'static>,
    width: usize,
    long: usize,
    helpers: usize,
}

/// The state the caller and the workers share.
struct Shared {
    /// Bumped when a job is posted; a worker runs each new value once.
    posted: AtomicUsize,
    /// Written only while every worker is idle (`left == 0`) and the pool's lock is held.
    job: UnsafeCell<Job>,
    /// Workers yet to finish the posted job.
    left: AtomicUsize,
    /// The posted job's next band to take.
    next: AtomicUsize,
    panicked: AtomicBool,
}

// SAFETY: `job` is written by the lock holder only while no worker reads it (see above); the
// band function it points to is `Sync`.
unsafe impl Sync for Shared {}

struct Pool {
    lock: Mutex<()>,
    shared: &'static Shared,
    workers: Vec<Thread>,
}

/// The pool: [`matmul_threads`] threads in all (the caller and the workers), started on
/// first use; `None` when it could not start its threads.
fn pool() -> Option<&'static Pool> {
    static POOL: OnceLock<Option<Pool>> = OnceLock::new();
    POOL.get_or_init(|| {
        let shared: &'static Shared = Box::leak(Box::new(Shared {
            posted: AtomicUsize::new(0),
            job: UnsafeCell::new(Job {
                band: &|_, _| {},
                width: 0,
                long: 0,
                helpers: 0,
            }),
            left: AtomicUsize::new(0),
            next: AtomicUsize::new(0),
            panicked: AtomicBool::new(false),
        }));
        let workers = (1..matmul_threads())
            .map(|index| {
                std::thread::Builder::new()
                    .name(format!("tapegrad-matmul-{index}"))
                    .spawn(move || work(shared, index))
                    .map(|handle| handle.thread().clone())
            })
            .collect::<std::io::Result<Vec<_>>>()
            .ok()?;
        Some(Pool {
            lock: Mutex::new(()),
            shared,
            workers,
        })
    })
    .as_ref()
}

/// A worker's life: wait for a job, take bands of it while there are any (if it is one of the
/// job's helpers), report.
fn work(shared: &'static Shared, index: usize) {
    let mut seen = 0;
    loop {
        let since = Instant::now();
        let mut spins = 0u32;
        while shared.posted.load(Ordering::Acquire) == seen {
            spins = spins.wrapping_add(1);
            if !spins.is_multiple_of(64) || since.elapsed() < SPIN {
                std::hint::spin_loop();
            } else {
                // Woken by every post; spurious wake-ups just look again.
                std::thread::park();
            }
        }
        seen = shared.posted.load(Ordering::Acquire);
        // SAFETY: the poster wrote the job before bumping `posted` and leaves it alone until
        // this worker has decremented `left`; the band function lives until then too.
        let job = unsafe { *shared.job.get() };
        if index <= job.helpers {
            // SAFETY: as above.
            let band = unsafe { &*job.band };
            let taken = || take_bands(&shared.next, job.width, job.long, band);
            if catch_unwind(AssertUnwindSafe(taken)).is_err() {
                shared.panicked.store(true, Ordering::Relaxed);
            }
        }
        shared.left.fetch_sub(1, Ordering::Release);
    }
}

/// Takes the next band from `next` and runs it, while there are bands left.
fn take_bands(next: &AtomicUsize, width: usize, long: usize, band: &BandFn<'_>) {
    loop {
        let lo = next.fetch_add(1, Ordering::Relaxed).saturating_mul(width);
        if lo >= long {
            return;
        }
        band(lo, width.min(long - lo));
    }
}

/// Runs `band` over `0..long` in bands of `width` (the last one shorter) on `threads` threads,
/// the calling thread among them, and returns when all of them are done.
pub(crate) fn run(threads: usize, width: usize, long: usize, band: &(dyn Fn(usize, usize) + Sync)) {
    let helpers = threads.min(long.div_ceil(width)).saturating_sub(1);
    // A poisoned lock is still good: a band that panicked was waited for like any other.
    let held = pool()
        .filter(|pool| helpers <= pool.workers.len())
        .and_then(|pool| match pool.lock.try_lock() {
            Ok(lock) => Some((pool, lock)),
            Err(TryLockError::Poisoned(poisoned)) => Some((pool, poisoned.into_inner())),
            Err(TryLockError::WouldBlock) => None,
        });
    let Some((pool, _lock)) = held else {
        return scoped(helpers, width, long, band);
    };
    let shared = pool.shared;
    // SAFETY: the lifetime is only erased: this function waits below until no worker can
    // reach the function any more.
    let erased: *const BandFn<'static> = unsafe { std::mem::transmute(band as *const BandFn<'_>) };
    // SAFETY: the lock is held and the last job's workers have all finished (`left == 0`),
    // so no worker reads the job now.
    unsafe {
        *shared.job.get() = Job {
            band: erased,
            width,
            long,
            helpers,
        }
    };
    shared.next.store(0, Ordering::Relaxed);
    shared.left.store(pool.workers.len(), Ordering::Relaxed);
    shared.posted.fetch_add(1, Ordering::Release);
    for worker in &pool.workers {
        worker.unpark();
    }
    let mine = catch_unwind(AssertUnwindSafe(|| {
        take_bands(&shared.next, width, long, band)
    }));
    let mut spins = 0u32;
    while shared.left.load(Ordering::Acquire) != 0 {
        spins = spins.wrapping_add(1);
        if spins.is_multiple_of(1024) {
            std::thread::yield_now();
        } else {
            std::hint::spin_loop();
        }
    }
    if let Err(payload) = mine {
        resume_unwind(payload);
    }
    if shared.panicked.swap(false, Ordering::Relaxed) {
        panic!("a band of a matrix product panicked on a worker thread");
    }
}

/// The same with `helpers` threads started for this product alone.
fn scoped(helpers: usize, width: usize, long: usize, band: &(dyn Fn(usize, usize) + Sync)) {
    let next = AtomicUsize::new(0);
    let next = &next;
    std::thread::scope(|scope| {
        for _ in 0..helpers {
            scope.spawn(move || take_bands(next, width, long, band));
        }
        take_bands(next, width, long, band);
    });
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Runs `long` indices in bands of `width` and counts how often each one was visited.
    fn visits(width: usize, long: usize) -> Vec<usize> {
        let seen: Vec<AtomicUsize> = (0..long).map(|_| AtomicUsize::new(0)).collect();
        run(2, width, long, &|lo, len| {
            for n in &seen[lo..lo + len] {
                n.fetch_add(1, Ordering::Relaxed);
            }
        });
        seen.into_iter().map(AtomicUsize::into_inner).collect()
    }

    #[test]
    fn every_index_is_visited_once_from_any_number_of_callers() {
        std::thread::scope(|scope| {
            for caller in 0..4usize {
                scope.spawn(move || {
                    for round in 0..200 {
                        let long = 1 + (caller * 37 + round * 11) % 300;
                        let width = long.div_ceil(1 + round % 7);
                        assert!(
                            visits(width, long).iter().all(|&n| n == 1),
                            "{long} / {width}"
                        );
                    }
                });
            }
        });
    }

    #[test]
    fn a_band_that_panics_reaches_the_caller_and_the_pool_goes_on() {
        for _ in 0..3 {
            let outcome = catch_unwind(|| {
                run(2, 10, 20, &|lo, _| {
                    if lo > 0 {
                        panic!("band at {lo}");
                    }
                })
            });
            assert!(outcome.is_err());
            assert_eq!(visits(10, 20), vec![1; 20]);
        }
    }
}
