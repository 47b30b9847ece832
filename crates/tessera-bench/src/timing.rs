//! In-process timing: warm-up iterations, then the median of timed iterations.

use std::time::Instant;

/// Runs `step` `warmup` times untimed, then `iters` times timed; returns the
/// median seconds per iteration and the value the last step returned.
pub fn median_seconds<T>(warmup: usize, iters: usize, mut step: impl FnMut() -> T) -> (f64, T) {
    let mut last = None;
    for _ in 0..warmup {
        last = Some(step());
    }
    let mut times = Vec::with_capacity(iters.max(1));
    for _ in 0..iters.max(1) {
        let start = Instant::now();
        last = Some(step());
        times.push(start.elapsed().as_secs_f64());
    }
    times.sort_by(f64::total_cmp);
    let median = if times.len() % 2 == 1 {
        times[times.len() / 2]
    } else {
        (times[times.len() / 2 - 1] + times[times.len() / 2]) / 2.0
    };
    (median, last.expect("at least one iteration ran"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn runs_warmup_plus_iters_and_returns_last_value() {
        let mut calls = 0;
        let (secs, last) = median_seconds(2, 3, || {
            calls += 1;
            calls
        });
        assert_eq!(calls, 5);
        assert_eq!(last, 5);
        assert!((0.0..1.0).contains(&secs), "{secs}");
    }
}
