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
//! A region is a set of shares (`job(0)`, `job(1)`, …) that the members
//! claim one at a time. The caller always takes part and claims whatever is
//! left, and it waits only for shares a helper has already claimed: a helper
//! that has not woken up by the time every share is taken (its core busy
//! with another process) stays out of the region. So on a loaded machine a
//! region degrades to running on the caller alone instead of waiting a
//! scheduler slice for a helper; a team of `n` members has `n − 1` helpers.

use std::cell::UnsafeCell;
use std::panic::{AssertUnwindSafe, catch_unwind, resume_unwind};
use std::sync::atomic::{AtomicBool, AtomicU64, AtomicUsize, Ordering};
use std::sync::{Condvar, Mutex, OnceLock, TryLockError};
use std::time::{Duration, Instant};

/// How long an idle helper spins before it parks.
const SPIN: Duration = Duration::from_micros(300);

/// A region's body, called once per share index.
type Job<'a> = &'a (dyn Fn(usize) + Sync);

/// Bit of [`Shared::state`] set while helpers may still join the region.
const OPEN: u64 = 1 << 31;
/// Bits of [`Shared::state`] counting the helpers inside the region.
const INSIDE: u64 = OPEN - 1;

/// A fixed set of threads that run a closure together (see the module doc).
pub(crate) struct Team {
    members: usize,
    shared: &'static Shared,
    /// Held by the caller of a region; a second caller runs alone (see [`Team::run`]).
    leader: Mutex<()>,
}

/// State shared between the leader and the helpers.
struct Shared {
    /// `generation << 32 | OPEN? | helpers inside`. The leader publishes a
    /// region by bumping the generation with `OPEN` set; a helper joins by
    /// incrementing the count while `OPEN` is set for the generation it saw.
    state: AtomicU64,
    /// The current job, with its lifetime erased; valid while the region is
    /// open or a helper is inside.
    job: UnsafeCell<Option<Job<'static>>>,
    /// Number of shares of the current region.
    shares: AtomicUsize,
    /// The next unclaimed share.
    next: AtomicUsize,
    /// Whether a share of the current region panicked.
    panicked: AtomicBool,
    /// Parking place for helpers past their spin budget.
    parked: Mutex<usize>,
    wake: Condvar,
}

// SAFETY: `job` and `shares` are written only by the leader while the region
// is closed with no helper inside, and a helper reads them only after joining
// an open region (acquire on `state`); the closure behind `job` is `Sync`.
unsafe impl Sync for Shared {}

impl Shared {
    /// Claims and runs shares of the current job until none is left.
    fn work(&self, job: Job<'_>) {
        let shares = self.shares.load(Ordering::Relaxed);
        loop {
            let share = self.next.fetch_add(1, Ordering::Relaxed);
            if share >= shares {
                return;
            }
            if catch_unwind(AssertUnwindSafe(|| job(share))).is_err() {
                self.panicked.store(true, Ordering::Relaxed);
            }
        }
    }
}

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
            state: AtomicU64::new(0),
            job: UnsafeCell::new(None),
            shares: AtomicUsize::new(0),
            next: AtomicUsize::new(0),
            panicked: AtomicBool::new(false),
            parked: Mutex::new(0),
            wake: Condvar::new(),
        }));
        for index in 1..members {
            std::thread::Builder::new()
                .name(format!("tessera-team-{index}"))
                .spawn(move || helper(shared))
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

    /// Calls `job(i)` once for every share `i` in `0..shares`, spread over
    /// the members that are ready, and returns when all calls have returned.
    /// A nested or concurrent call makes every call itself.
    ///
    /// # Panics
    /// Re-raises a panic from any call, after all calls have finished.
    pub(crate) fn run(&self, shares: usize, job: &(dyn Fn(usize) + Sync)) {
        let guard = match self.leader.try_lock() {
            Ok(guard) => guard,
            Err(TryLockError::Poisoned(poisoned)) => poisoned.into_inner(),
            Err(TryLockError::WouldBlock) => {
                (0..shares).for_each(job);
                return;
            }
        };
        if self.members == 1 || shares <= 1 {
            (0..shares).for_each(job);
            return;
        }
        let shared = self.shared;
        // SAFETY: the previous region is closed with no helper inside (its
        // `Close` waited), so no helper reads `job` now. The erased lifetime
        // is sound because `Close` below closes the region and waits for the
        // helpers inside before this function returns or unwinds.
        unsafe {
            *shared.job.get() = Some(std::mem::transmute::<Job<'_>, Job<'static>>(job));
        }
        shared.shares.store(shares, Ordering::Relaxed);
        shared.next.store(0, Ordering::Relaxed);
        shared.panicked.store(false, Ordering::Relaxed);
        let generation = (shared.state.load(Ordering::Relaxed) >> 32) + 1;
        shared
            .state
            .store((generation << 32) | OPEN, Ordering::Release);
        if *shared.parked.lock().unwrap_or_else(|e| e.into_inner()) > 0 {
            shared.wake.notify_all();
        }
        let close = Close(shared);
        shared.work(job);
        drop(close);
        drop(guard);
        if shared.panicked.load(Ordering::Acquire) {
            resume_unwind(Box::new("tessera: a team member panicked"));
        }
    }

    /// Calls `work` on every part, in parallel (parts are claimed one at a time).
    pub(crate) fn run_parts<T: Send>(&self, parts: Vec<T>, work: impl Fn(T) + Sync) {
        if parts.len() <= 1 {
            parts.into_iter().for_each(work);
            return;
        }
        let slots: Vec<Mutex<Option<T>>> = parts.into_iter().map(|p| Mutex::new(Some(p))).collect();
        self.run(slots.len(), &|i| {
            let part = slots[i].lock().unwrap_or_else(|e| e.into_inner()).take();
            work(part.expect("each part is taken once"));
        });
    }
}

/// Closes the current region to late helpers and waits for the helpers
/// inside it (also while unwinding).
struct Close(&'static Shared);

impl Drop for Close {
    fn drop(&mut self) {
        let state = &self.0.state;
        state.fetch_and(!OPEN, Ordering::AcqRel);
        let mut spins = 0u32;
        while state.load(Ordering::Acquire) & INSIDE > 0 {
            spins += 1;
            if spins.is_multiple_of(64) {
                // A helper inside was preempted: let it run.
                std::thread::yield_now();
            } else {
                std::hint::spin_loop();
            }
        }
    }
}

/// A helper thread's loop: wait for a new region, join it if it is still
/// open, claim shares until none is left, repeat.
fn helper(shared: &'static Shared) {
    let mut seen = 0;
    loop {
        seen = wait_for_job(shared, seen);
        let mut state = shared.state.load(Ordering::Acquire);
        let joined = loop {
            if state >> 32 != seen || state & OPEN == 0 {
                break false;
            }
            match shared.state.compare_exchange_weak(
                state,
                state + 1,
                Ordering::AcqRel,
                Ordering::Acquire,
            ) {
                Ok(_) => break true,
                Err(now) => state = now,
            }
        };
        if !joined {
            continue;
        }
        // SAFETY: the leader published `job` before opening the region
        // (release/acquire on `state`) and keeps it alive until every helper
        // inside has left.
        let job = unsafe { (*shared.job.get()).expect("a published job") };
        shared.work(job);
        shared.state.fetch_sub(1, Ordering::Release);
    }
}

/// Spins for up to [`SPIN`], then parks, until the generation differs from `seen`.
fn wait_for_job(shared: &Shared, seen: u64) -> u64 {
    let generation = || shared.state.load(Ordering::Acquire) >> 32;
    let started = Instant::now();
    loop {
        for _ in 0..64 {
            let now = generation();
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
        let now = generation();
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
    fn every_share_runs_once_per_region() {
        let team = Team::new(3);
        for _ in 0..200 {
            let hits: Vec<AtomicUsize> = (0..3).map(|_| AtomicUsize::new(0)).collect();
            team.run(team.members(), &|i| {
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
    fn helpers_take_part_when_they_are_free() {
        let team = Team::new(2);
        let threads = Mutex::new(std::collections::HashSet::new());
        // Shares long enough that the helper joins before the caller is done.
        for _ in 0..20 {
            team.run(8, &|_| {
                threads.lock().unwrap().insert(std::thread::current().id());
                std::thread::sleep(Duration::from_millis(1));
            });
        }
        assert_eq!(threads.lock().unwrap().len(), 2);
    }

    #[test]
    fn parked_helpers_wake_up() {
        let team = Team::new(2);
        let total = AtomicUsize::new(0);
        for _ in 0..3 {
            std::thread::sleep(SPIN * 4);
            team.run(team.members(), &|i| {
                total.fetch_add(i + 1, Ordering::Relaxed);
            });
        }
        assert_eq!(total.load(Ordering::Relaxed), 3 * 3);
    }

    #[test]
    fn nested_regions_run_on_the_caller() {
        let team = Team::new(2);
        let inner = AtomicUsize::new(0);
        team.run(team.members(), &|_| {
            team.run(team.members(), &|_| {
                inner.fetch_add(1, Ordering::Relaxed);
            });
        });
        assert_eq!(inner.load(Ordering::Relaxed), 4);
    }

    #[test]
    fn a_helper_panic_reaches_the_caller_and_the_team_survives() {
        let team = Team::new(2);
        let caught = catch_unwind(AssertUnwindSafe(|| {
            team.run(team.members(), &|i| assert!(i == 0, "member {i} fails"));
        }));
        assert!(caught.is_err());
        let done = AtomicUsize::new(0);
        team.run(team.members(), &|_| {
            done.fetch_add(1, Ordering::Relaxed);
        });
        assert_eq!(done.load(Ordering::Relaxed), 2);
    }
}
