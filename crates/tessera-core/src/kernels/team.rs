//! A team of worker threads that spin briefly between parallel regions.
//!
//! A training step on a small model is a chain of short parallel regions
//! (one per matrix product), each a millisecond or less. rayon's idle workers
//! go to sleep within tens of microseconds, and waking a sleeping vCPU costs
//! about as much again, every region. OpenMP (what PyTorch uses) spins
//! instead: on this project's 2-core VM, PyTorch's `mlp-step` runs 1.6× slower
//! with `OMP_WAIT_POLICY=PASSIVE`. A [`Team`] does what OpenMP does: its
//! helpers spin for [`SPIN`] after each region, so the next region starts at
//! once, and park after that, so an idle team costs nothing. While spinning
//! they yield the core to any other runnable thread.
//!
//! The caller of [`Team::run`] is member 0 and does its share of the work, so
//! a team of `n` members has `n − 1` helper threads.

use std::cell::UnsafeCell;
use std::panic::{AssertUnwindSafe, catch_unwind, resume_unwind};
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::{Condvar, Mutex, OnceLock, TryLockError};
use std::time::{Duration, Instant};

/// How long an idle helper spins before it parks.
const SPIN: Duration = Duration::from_micros(300);

/// A region's body, called once per member with the member's index.
type Job<'a> = &'a (dyn Fn(usize) + Sync);

/// A fixed set of threads that run a closure together (see the module doc).
pub(crate) struct Team {
    members: usize,
    shared: &'static Shared,
    /// Held by the caller of a region; a second caller runs alone (see [`Team::run`]).
    leader: Mutex<()>,
}

/// State shared between the leader and the helpers.
struct Shared {
    /// Bumped by the leader to publish a job.
    generation: AtomicUsize,
    /// The current job, with its lifetime erased; valid while `pending > 0`.
    job: UnsafeCell<Option<Job<'static>>>,
    /// Helpers that have not finished the current job.
    pending: AtomicUsize,
    /// Whether a helper's share of the current job panicked.
    panicked: AtomicBool,
    /// Parking place for helpers past their spin budget.
    parked: Mutex<usize>,
    wake: Condvar,
}

// SAFETY: `job` is written only by the leader while no job is pending (helpers
// read it only between seeing a new generation and decrementing `pending`),
// and the closure behind it is `Sync`.
unsafe impl Sync for Shared {}

impl Team {
    /// The process-wide team, sized to rayon's global pool.
    pub(crate) fn global() -> &'static Team {
        static TEAM: OnceLock<Team> = OnceLock::new();
        TEAM.get_or_init(|| Team::new(rayon::current_num_threads()))
    }

    /// A team of `members` (the caller plus `members − 1` helper threads).
    pub(crate) fn new(members: usize) -> Team {
        let members = members.max(1);
        let shared: &'static Shared = Box::leak(Box::new(Shared {
            generation: AtomicUsize::new(0),
            job: UnsafeCell::new(None),
            pending: AtomicUsize::new(0),
            panicked: AtomicBool::new(false),
            parked: Mutex::new(0),
            wake: Condvar::new(),
        }));
        for index in 1..members {
            std::thread::Builder::new()
                .name(format!("tessera-team-{index}"))
                .spawn(move || helper(shared, index))
                .expect("tessera: could not start a team thread");
        }
        Team {
            members,
            shared,
            leader: Mutex::new(()),
        }
    }

    /// Number of members, the caller included.
    pub(crate) fn members(&self) -> usize {
        self.members
    }

    /// Calls `job(i)` for every member index `i` in `0..members()`, in
    /// parallel, and returns when all calls have returned. When the team is
    /// already busy (a nested or concurrent call) the caller makes every call
    /// itself, so a region never waits on another.
    ///
    /// # Panics
    /// Re-raises a panic from any call, after all calls have finished.
    pub(crate) fn run(&self, job: &(dyn Fn(usize) + Sync)) {
        let guard = match self.leader.try_lock() {
            Ok(guard) => guard,
            Err(TryLockError::Poisoned(poisoned)) => poisoned.into_inner(),
            Err(TryLockError::WouldBlock) => {
                (0..self.members).for_each(job);
                return;
            }
        };
        if self.members == 1 {
            job(0);
            return;
        }
        let shared = self.shared;
        // SAFETY: no job is pending (the previous region waited for all
        // helpers), so no helper reads `job` now. The erased lifetime is
        // sound because `Finish` below waits for every helper before this
        // function returns or unwinds.
        unsafe {
            *shared.job.get() = Some(std::mem::transmute::<Job<'_>, Job<'static>>(job));
        }
        shared.panicked.store(false, Ordering::Relaxed);
        shared.pending.store(self.members - 1, Ordering::Relaxed);
        shared.generation.fetch_add(1, Ordering::Release);
        if *shared.parked.lock().unwrap_or_else(|e| e.into_inner()) > 0 {
            shared.wake.notify_all();
        }
        let finish = Finish(shared);
        job(0);
        drop(finish);
        drop(guard);
        if shared.panicked.load(Ordering::Acquire) {
            resume_unwind(Box::new("tessera: a team member panicked"));
        }
    }

    /// Hands `parts` out to the members (member `i` takes parts `i`,
    /// `i + members()`, …) and calls `work` on each, in parallel.
    pub(crate) fn run_parts<T: Send>(&self, parts: Vec<T>, work: impl Fn(T) + Sync) {
        if parts.len() <= 1 {
            parts.into_iter().for_each(work);
            return;
        }
        let slots: Vec<Mutex<Option<T>>> = parts.into_iter().map(|p| Mutex::new(Some(p))).collect();
        let members = self.members;
        self.run(&|member| {
            for slot in slots.iter().skip(member).step_by(members) {
                let part = slot.lock().unwrap_or_else(|e| e.into_inner()).take();
                work(part.expect("each part is taken once"));
            }
        });
    }
}

/// Waits for every helper of the current region (also while unwinding).
struct Finish(&'static Shared);

impl Drop for Finish {
    fn drop(&mut self) {
        while self.0.pending.load(Ordering::Acquire) > 0 {
            std::hint::spin_loop();
        }
    }
}

/// A helper thread's loop: wait for a generation, run its share, repeat.
fn helper(shared: &'static Shared, index: usize) {
    let mut seen = 0;
    loop {
        seen = wait_for_job(shared, seen);
        // SAFETY: the leader published `job` before bumping the generation
        // (release/acquire) and keeps it alive until `pending` reaches zero.
        let job = unsafe { (*shared.job.get()).expect("a published job") };
        if catch_unwind(AssertUnwindSafe(|| job(index))).is_err() {
            shared.panicked.store(true, Ordering::Relaxed);
        }
        shared.pending.fetch_sub(1, Ordering::Release);
    }
}

/// Spins for up to [`SPIN`], then parks, until the generation differs from `seen`.
fn wait_for_job(shared: &Shared, seen: usize) -> usize {
    let started = Instant::now();
    loop {
        for _ in 0..64 {
            let now = shared.generation.load(Ordering::Acquire);
            if now != seen {
                return now;
            }
            std::hint::spin_loop();
        }
        if started.elapsed() > SPIN {
            break;
        }
        // Lets another runnable thread (a rayon worker) have this core.
        std::thread::yield_now();
    }
    let mut parked = shared.parked.lock().unwrap_or_else(|e| e.into_inner());
    *parked += 1;
    loop {
        let now = shared.generation.load(Ordering::Acquire);
        if now != seen {
            *parked -= 1;
            return now;
        }
        parked = shared.wake.wait(parked).unwrap_or_else(|e| e.into_inner());
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_member_runs_once_per_region() {
        let team = Team::new(3);
        for _ in 0..200 {
            let hits: Vec<AtomicUsize> = (0..3).map(|_| AtomicUsize::new(0)).collect();
            team.run(&|i| {
                hits[i].fetch_add(1, Ordering::Relaxed);
            });
            assert!(hits.iter().all(|h| h.load(Ordering::Relaxed) == 1));
        }
    }

    #[test]
    fn every_part_is_handed_out_once() {
        let team = Team::new(2);
        let mut out = vec![0usize; 7];
        let parts: Vec<(usize, &mut usize)> = out.iter_mut().enumerate().collect();
        team.run_parts(parts, |(i, slot)| *slot = i * 10);
        assert_eq!(out, (0..7).map(|i| i * 10).collect::<Vec<_>>());
    }

    #[test]
    fn parked_helpers_wake_up() {
        let team = Team::new(2);
        let total = AtomicUsize::new(0);
        for _ in 0..3 {
            std::thread::sleep(SPIN * 4);
            team.run(&|i| {
                total.fetch_add(i + 1, Ordering::Relaxed);
            });
        }
        assert_eq!(total.load(Ordering::Relaxed), 3 * 3);
    }

    #[test]
    fn nested_regions_run_on_the_caller() {
        let team = Team::new(2);
        let inner = AtomicUsize::new(0);
        team.run(&|_| {
            team.run(&|_| {
                inner.fetch_add(1, Ordering::Relaxed);
            });
        });
        assert_eq!(inner.load(Ordering::Relaxed), 4);
    }

    #[test]
    fn a_helper_panic_reaches_the_caller_and_the_team_survives() {
        let team = Team::new(2);
        let caught = catch_unwind(AssertUnwindSafe(|| {
            team.run(&|i| assert!(i == 0, "member {i} fails"));
        }));
        assert!(caught.is_err());
        let done = AtomicUsize::new(0);
        team.run(&|_| {
            done.fetch_add(1, Ordering::Relaxed);
        });
        assert_eq!(done.load(Ordering::Relaxed), 2);
    }
}
