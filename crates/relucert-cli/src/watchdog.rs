//! The hard stop behind `--timeout`: the command runs on a worker thread
//! while the main thread waits at most the timeout plus a grace of
//! 0.8 x max(10%, 0.5 s); if no answer has come by then, the process ends
//! with a one-line error (exit 1) instead of finishing a step that cannot
//! be interrupted (freeing a very large model, one huge big-number
//! product).
//!
//! The cooperative [`relucert::Deadline`] inside the libraries is what
//! normally stops a command at its limit, with its own "undecided" /
//! "not checked" answer; this stop is the backstop that bounds the wall
//! time whatever step is running.
//!
//! Owns: the worker thread, its stack size and the grace.
//!
//! Must not: decide anything, or print: a stopped command prints only the
//! caller's one-line error.

use std::sync::mpsc;
use std::time::Duration;

/// Stack of the worker thread (the main thread's usual 8 MiB, doubled):
/// the readers recurse no deeper than the nesting limit allows.
const WORKER_STACK: usize = 16 << 20;

/// How long after the timeout the process is stopped: 0.8 x max(10%,
/// 0.5 s), so that the whole run stays within max(10%, 0.5 s) of it.
pub fn grace(timeout: Duration) -> Duration {
    (timeout / 10).max(Duration::from_millis(500)).mul_f64(0.8)
}

/// Run `job` on a worker thread; its answer, or `None` when it has not
/// answered within `timeout + grace(timeout)` (or the thread could not be
/// started). A job still running is abandoned: the caller ends the
/// process.
pub fn run_within<T: Send + 'static>(
    timeout: Duration,
    job: impl FnOnce() -> T + Send + 'static,
) -> Option<T> {
    let (tx, rx) = mpsc::channel();
    std::thread::Builder::new()
        .name("relucert-job".to_string())
        .stack_size(WORKER_STACK)
        .spawn(move || {
            let _ = tx.send(job());
        })
        .ok()?;
    rx.recv_timeout(timeout.saturating_add(grace(timeout))).ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn grace_is_within_the_allowed_overshoot() {
        for ms in [0u64, 100, 1_000, 5_000, 10_000, 60_000] {
            let t = Duration::from_millis(ms);
            let allowed = (t / 10).max(Duration::from_millis(500));
            assert!(grace(t) < allowed, "{ms} ms");
            assert!(grace(t) >= allowed.mul_f64(0.79), "{ms} ms");
        }
    }

    #[test]
    fn a_quick_job_answers_and_a_stuck_one_is_abandoned() {
        assert_eq!(run_within(Duration::from_secs(30), || 7), Some(7));
        let (tx, rx) = mpsc::channel::<()>();
        // Blocks until the test ends (the sender is dropped then).
        let stuck = run_within(Duration::ZERO, move || rx.recv().is_ok());
        assert_eq!(stuck, None);
        drop(tx);
    }
}
